/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage export: the part every engine shares (resolved limits, rounding, warnings). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/capability.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "export.h"
#include "size.h"
#include "util.h"

typedef int (*renderer_fn)(const struct mc_export_input *, FILE *, struct mc_export_result *,
                           struct mc_error *);

static const renderer_fn renderers[_MC_EXPORT_ENGINE_COUNT] = {
        [MC_EXPORT_SYSTEMD] = mc_export_systemd,       [MC_EXPORT_OCI] = mc_export_oci,
        [MC_EXPORT_KUBERNETES] = mc_export_kubernetes, [MC_EXPORT_SLURM] = mc_export_slurm,
        [MC_EXPORT_NOMAD] = mc_export_nomad,
};

static const char *const engine_names[_MC_EXPORT_ENGINE_COUNT] = {
        [MC_EXPORT_SYSTEMD] = "systemd", [MC_EXPORT_OCI] = "OCI",     [MC_EXPORT_KUBERNETES] = "Kubernetes",
        [MC_EXPORT_SLURM] = "Slurm",     [MC_EXPORT_NOMAD] = "Nomad",
};

int mc_export_engine_parse(const char *s, enum mc_export_engine *ret)
{
        /* An engine without its renderer in this build is not offered. */
        for (enum mc_export_engine e = 0; e < _MC_EXPORT_ENGINE_COUNT; e++)
                if (renderers[e] && strcasecmp(s, engine_names[e]) == 0) {
                        *ret = e;
                        return 0;
                }
        if (renderers[MC_EXPORT_KUBERNETES] && strcasecmp(s, "k8s") == 0) {
                *ret = MC_EXPORT_KUBERNETES;
                return 0;
        }
        return -EINVAL;
}

const char *mc_export_engine_name(enum mc_export_engine e)
{
        return (unsigned)e < _MC_EXPORT_ENGINE_COUNT ? engine_names[e] : NULL;
}

int mc_export_warn(struct mc_export_result *r, enum mc_key key, enum mc_export_engine engine,
                   const char *fmt, ...)
{
        _cleanup_free_ char *reason = NULL;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&reason, fmt, ap);
        va_end(ap);
        if (n < 0) {
                reason = NULL;
                return -ENOMEM;
        }
        struct mc_export_warning *w = realloc(r->warnings, (r->n_warnings + 1) * sizeof(*w));
        if (!w)
                return -ENOMEM;
        r->warnings = w;
        w[r->n_warnings++] =
                (struct mc_export_warning){ .key = key, .engine = engine, .reason = TAKE_PTR(reason) };
        return 0;
}

bool mc_export_warned(const struct mc_export_result *r, enum mc_key key)
{
        for (size_t i = 0; i < r->n_warnings; i++)
                if (r->warnings[i].key == key)
                        return true;
        return false;
}

void mc_export_result_free(struct mc_export_result *r)
{
        for (size_t i = 0; i < r->n_warnings; i++)
                free(r->warnings[i].reason);
        free(r->warnings);
        mc_strv_free(r->notes);
        *r = (struct mc_export_result){};
}

uint64_t mc_export_round_page(uint64_t bytes, uint64_t page_size)
{
        if (bytes == MC_SIZE_MAX || page_size == 0)
                return bytes;
        return bytes - bytes % page_size;
}

uint64_t mc_export_mib_down(uint64_t bytes)
{
        return bytes / (UINT64_C(1) << 20);
}

int mc_export_cap_names(const char *value, char ***ret)
{
        _cleanup_strv_free_ char **names = NULL, **out = NULL;
        size_t n = 0;
        int r;

        r = mc_profile_split_list(value, &names);
        if (r < 0)
                return r;
        for (char **i = names; *i; i++) {
                cap_value_t v;
                char *name, *canon;
                if (cap_from_name(*i, &v) < 0)
                        return -EINVAL;
                name = cap_to_name(v);
                if (!name)
                        return -ENOMEM;
                canon = strdup(name);
                cap_free(name);
                if (!canon)
                        return -ENOMEM;
                for (char *c = canon; *c; c++)
                        *c = (char)toupper((unsigned char)*c);
                r = mc_strv_push(&out, &n, canon);
                if (r < 0)
                        return r;
        }
        if (!out) {
                out = calloc(1, sizeof(char *));
                if (!out)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

/* *ret is written only for a whole number: "123abc" leaves it as it was, not 123. */
static bool parse_id(const char *s, uint64_t *ret)
{
        const char *p = s;
        uint64_t v;
        if (mc_parse_u64(&p, &v) < 0 || *p != '\0' || v >= UINT32_MAX)
                return false;
        *ret = v;
        return true;
}

int mc_export_resolve_user(const char *s, uint64_t *ret_uid, uint64_t *ret_gid)
{
        struct passwd pw, *res = NULL;
        char buf[4096];

        if (parse_id(s, ret_uid)) {
                /* A number without a passwd entry keeps the gid to the caller. */
                if (getpwuid_r((uid_t)*ret_uid, &pw, buf, sizeof(buf), &res) == 0 && res)
                        *ret_gid = res->pw_gid;
                else
                        *ret_gid = UINT64_MAX;
                return 0;
        }
        if (getpwnam_r(s, &pw, buf, sizeof(buf), &res) != 0 || !res)
                return -ENOENT;
        *ret_uid = res->pw_uid;
        *ret_gid = res->pw_gid;
        return 1;
}

int mc_export_resolve_group(const char *s, uint64_t *ret_gid)
{
        struct group gr, *res = NULL;
        char buf[8192];

        if (parse_id(s, ret_gid))
                return 0;
        if (getgrnam_r(s, &gr, buf, sizeof(buf), &res) != 0 || !res)
                return -ENOENT;
        *ret_gid = res->gr_gid;
        return 1;
}

bool mc_export_no_new_privs(const struct mc_profile *p, enum mc_key *ret_cause)
{
        const struct mc_setting *s = p->settings;
        bool b = false;

        /* mc_credentials_prepare()'s rule: the key when set, else on with a user or capabilities. */
        if (s[MC_KEY_RUN_NO_NEW_PRIVS].value) {
                *ret_cause = MC_KEY_RUN_NO_NEW_PRIVS;
                (void)mc_profile_parse_bool(s[MC_KEY_RUN_NO_NEW_PRIVS].value, &b);
                return b;
        }
        if (s[MC_KEY_RUN_USER].value) {
                *ret_cause = MC_KEY_RUN_USER;
                return true;
        }
        if (s[MC_KEY_RUN_CAPABILITIES].value) {
                *ret_cause = MC_KEY_RUN_CAPABILITIES;
                return true;
        }
        *ret_cause = _MC_KEY_COUNT;
        return false;
}

int mc_export_warn_no_new_privs(const struct mc_profile *p, enum mc_export_engine e, const char *why,
                                struct mc_export_result *r)
{
        enum mc_key cause;

        if (!mc_export_no_new_privs(p, &cause))
                return 0;
        if (cause == MC_KEY_RUN_NO_NEW_PRIVS)
                return mc_export_warn(r, cause, e, "%s", why);
        return mc_export_warn(r, cause, e,
                              "memcage sets no_new_privs for a command run as another user or with "
                              "capabilities (unless [run] no_new_privs = no), and %s",
                              why);
}

int mc_export_warn_host_id(struct mc_export_result *r, enum mc_key key, enum mc_export_engine e,
                           const char *field, const char *name, uint64_t id, const char *gid_field,
                           uint64_t gid)
{
        char also[96] = "";

        /* The user's group, taken from this host's passwd entry, is this host's as well. */
        if (gid_field)
                snprintf(also, sizeof(also), " (and %s %" PRIu64 ", its group)", gid_field, gid);
        return mc_export_warn(r, key, e,
                              "%s %" PRIu64 "%s is this host's number for '%s'; the image or node may give "
                              "'%s' another (or none): check it there, or set the number in the profile",
                              field, id, also, name, name);
}

int mc_export_gid_array(const char *groups, enum mc_export_engine e, const char *what,
                        struct mc_export_result *r, json_t **ret)
{
        _cleanup_strv_free_ char **names = NULL;
        json_t *gids = json_array();
        uint64_t gid;
        int ret_warn;

        *ret = NULL;
        if (!gids || mc_profile_split_list(groups, &names) < 0) {
                json_decref(gids);
                return -ENOMEM;
        }
        for (char **g = names; *g; g++) {
                if (mc_export_resolve_group(*g, &gid) < 0) {
                        ret_warn = mc_export_warn(r, MC_KEY_RUN_GROUPS, e,
                                                  "%s take gids, and this host has no group '%s'", what, *g);
                        if (ret_warn < 0) {
                                json_decref(gids);
                                return ret_warn;
                        }
                        continue;
                }
                if (json_array_append_new(gids, json_integer((json_int_t)gid)) < 0) {
                        json_decref(gids);
                        return -ENOMEM;
                }
        }
        *ret = gids;
        return 0;
}

/* The limits follow the profile key table; the map back is group-limits.c's, by name. */
enum mc_key mc_export_limit_key(enum mc_limit l)
{
        const char *file = mc_limit_file(l);
        for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++) {
                const char *kf = mc_key_info(k)->kernel_file;
                if (kf && file && streq(kf, file))
                        return k;
        }
        return _MC_KEY_COUNT;
}

int mc_export_input_init(const struct mc_profile *p, uint64_t ram_bytes, uint64_t page_size,
                         struct mc_export_input *ret, struct mc_error *err)
{
        struct mc_export_input in = { .profile = p, .ram_bytes = ram_bytes, .page_size = page_size };
        int r;

        r = mc_limits_from_profile(p, ram_bytes, &in.limits, err);
        if (r < 0)
                return r;
        /*
         * The kernel keeps memory.* limits in pages (page_counter_memparse()
         * divides by PAGE_SIZE): export what the group will read back, which
         * is never more than the profile asked for.
         */
        for (enum mc_limit l = 0; l < _MC_LIMIT_COUNT; l++)
                if (in.limits.v[l].set && mc_limit_is_size(l) && mc_limit_hugetlb_page(l) == 0)
                        in.limits.v[l].value = mc_export_round_page(in.limits.v[l].value, page_size);
        *ret = in;
        return 0;
}

bool mc_export_percent_note(const struct mc_export_input *in, enum mc_key key, char *buf, size_t n)
{
        const struct mc_setting *s = &in->profile->settings[key];
        char ram[MC_SIZE_STR_MAX];
        uint64_t bytes = 0;

        if (!s->value || mc_key_info(key)->type != MC_VALUE_SIZE || !mc_size_is_percent(s->value))
                return false;
        for (enum mc_limit l = 0; l < _MC_LIMIT_COUNT; l++)
                if (mc_export_limit_key(l) == key)
                        bytes = in->limits.v[l].value;
        snprintf(buf, n, "%s = %s of this host's %s RAM = %" PRIu64 " bytes", mc_key_info(key)->name,
                 s->value, mc_size_format(in->ram_bytes, ram, sizeof(ram)), bytes);
        return true;
}

int mc_export_note_percentages(const struct mc_export_input *in, struct mc_export_result *r)
{
        char note[256];

        for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++) {
                if (!mc_export_percent_note(in, k, note, sizeof(note)))
                        continue;
                char *copy = strdup(note);
                if (!copy || mc_strv_push(&r->notes, &r->n_notes, copy) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int mc_export_warn_memcage_only(const struct mc_export_input *in, enum mc_export_engine e,
                                struct mc_export_result *r)
{
        const struct mc_profile *p = in->profile;

        for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++) {
                const struct mc_key_info *ki = mc_key_info(k);
                const char *why = NULL;
                int ret;

                if (!p->settings[k].value || mc_export_warned(r, k))
                        continue;
                if (k == MC_KEY_CGROUP_PARENT)
                        why = "where memcage places its group; the engine places its own";
                else if (k == MC_KEY_CGROUP_SLICE && e != MC_EXPORT_SYSTEMD)
                        why = "a systemd slice; the engine places its own group";
                else if (k == MC_KEY_REPORT_INTERVAL)
                        why = "memcage's sampling for its report; the engine does not report";
                else if (k == MC_KEY_PRESSURE_SOME || k == MC_KEY_PRESSURE_FULL)
                        why = "a PSI trigger memcage watches for its report; the engine registers none";
                else if (k == MC_KEY_PRESSURE_KILL && e != MC_EXPORT_SYSTEMD)
                        why = "memcage's pressure kill rule; the engine has no per-job rule that ends a "
                              "job on its memory pressure";
                else if (k == MC_KEY_PRESSURE_KILL_GRACE)
                        why = "the grace between memcage's SIGTERM and cgroup.kill; the engine's "
                              "pressure handling (if any) has none";
                else if (k == MC_KEY_RUN_ALLOW_ROOT)
                        why = "memcage's own guard against running the command as root";
                else if (streq(ki->section, "hugetlb") && strstr(ki->name, ".reserve"))
                        why = "memcage grows the huge page pool for the run; the pool is the host's to size";
                if (!why)
                        continue;
                ret = mc_export_warn(r, k, e, "%s", why);
                if (ret < 0)
                        return ret;
        }
        return 0;
}

void mc_export_print_header(FILE *out, const struct mc_profile *p)
{
        /* The name is as the caller typed it (./a.ini, a path of any bytes): one comment line, escaped. */
        _cleanup_free_ char *name = mc_escape_text_dup(p->name ? p->name : "(none)");
        fprintf(out, "# memcage profile %s, resolved for this host\n", name ? name : "(unprintable)");
}

bool mc_export_text_ok(const char *s)
{
        return mc_text_is_printable(s);
}

int mc_export_render(const struct mc_export_input *in, enum mc_export_engine e, FILE *out,
                     struct mc_export_result *r, struct mc_error *err)
{
        int ret;

        if ((unsigned)e >= _MC_EXPORT_ENGINE_COUNT || !renderers[e])
                return mc_error_set(err, EINVAL, "unknown engine");
        ret = renderers[e](in, out, r, err);
        if (ret < 0)
                return ret;
        ret = mc_export_warn_memcage_only(in, e, r);
        if (ret < 0)
                return mc_error_set(err, ENOMEM, "out of memory");
        if (fflush(out) == EOF || ferror(out))
                return mc_error_errno(err, EIO, "cannot write the export");
        return 0;
}
