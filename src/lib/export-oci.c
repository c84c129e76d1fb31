/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memcage export --to oci: a fragment of a runtime-spec config.json, to be
 * merged into a bundle's (jq -s '.[0] * .[1]').
 *
 * OCI's memory.swap is memory and swap together: the runtime writes
 * memory.swap.max = swap - limit. A finite swap therefore needs a finite
 * limit: with limit unlimited (-1) runc makes the swap unlimited too, so
 * that combination is refused rather than exported wrong. What
 * linux.resources.memory has no field for goes to linux.resources.unified,
 * the cgroup v2 files by name.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <string.h>

#include "export.h"
#include "json-util.h"
#include "size.h"
#include "util.h"

#define E MC_EXPORT_OCI

/* A byte count or -1 (OCI's unlimited). Limits below 2^63 are all a kernel takes. */
static json_t *bytes_or_unlimited(uint64_t v)
{
        return json_integer(v == MC_SIZE_MAX || v > INT64_MAX ? -1 : (json_int_t)v);
}

static int export_memory(const struct mc_export_input *in, json_t *resources, struct mc_export_result *r)
{
        const struct mc_limits *l = &in->limits;
        const struct mc_limit_value *max = &l->v[MC_LIMIT_MAX], *swap = &l->v[MC_LIMIT_SWAP_MAX];
        json_t *memory = NULL, *unified = NULL;
        char buf[24];
        int ret;

        if (max->set || l->v[MC_LIMIT_LOW].set || swap->set) {
                memory = mc_json_child(resources, "memory");
                if (!memory)
                        return -ENOMEM;
        }
        if (max->set && mc_json_set_new(memory, "limit", bytes_or_unlimited(max->value)) < 0)
                return -ENOMEM;
        if (l->v[MC_LIMIT_LOW].set &&
            mc_json_set_new(memory, "reservation", bytes_or_unlimited(l->v[MC_LIMIT_LOW].value)) < 0)
                return -ENOMEM;
        if (swap->set) {
                bool finite_max = max->set && max->value != MC_SIZE_MAX;
                if (swap->value == MC_SIZE_MAX) {
                        if (mc_json_set_new(memory, "swap", json_integer(-1)) < 0)
                                return -ENOMEM;
                } else if (!finite_max) {
                        ret = mc_export_warn(
                                r, MC_KEY_MEMORY_SWAP_MAX, E,
                                "OCI's swap is memory+swap, and with no finite [memory] max runc "
                                "makes a swap limit unlimited; refused rather than exported wrong");
                        if (ret < 0)
                                return ret;
                } else if (mc_json_set_new(memory, "swap",
                                           json_integer((json_int_t)(max->value + swap->value))) < 0)
                        return -ENOMEM;
        }

        /* The rest by file name; the runtime writes them as given. */
        static const enum mc_limit unified_limits[] = { MC_LIMIT_HIGH, MC_LIMIT_MIN, MC_LIMIT_SWAP_HIGH,
                                                        MC_LIMIT_ZSWAP_MAX, MC_LIMIT_OOM_GROUP };
        for (size_t i = 0; i < ELEMENTSOF(unified_limits); i++) {
                enum mc_limit u = unified_limits[i];
                if (!l->v[u].set)
                        continue;
                if (!unified && !(unified = mc_json_child(resources, "unified")))
                        return -ENOMEM;
                if (mc_json_set_new(
                            unified, mc_limit_file(u),
                            json_string(mc_limit_format_kernel(u, l->v[u].value, buf, sizeof(buf)))) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int export_hugetlb(const struct mc_export_input *in, json_t *resources)
{
        const struct mc_limits *l = &in->limits;
        json_t *pages = NULL, *unified;
        char buf[24];

        for (enum mc_limit h = 0; h < _MC_LIMIT_COUNT; h++) {
                const char *file = mc_limit_file(h);
                char size[16];
                if (mc_limit_hugetlb_page(h) == 0 || !l->v[h].set)
                        continue;
                /* "hugetlb.2MB.max" -> "2MB", the runtime-spec's pageSize. */
                snprintf(size, sizeof(size), "%.*s", (int)strcspn(file + 8, "."), file + 8);
                if (strstr(file, ".rsvd.max")) {
                        /* runtime-spec has no field for the reservation limit: unified has it by name. */
                        if (!(unified = mc_json_child(resources, "unified")) ||
                            mc_json_set_new(unified, file,
                                            json_string(mc_limit_format_kernel(h, l->v[h].value, buf,
                                                                               sizeof(buf)))) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (!pages) {
                        pages = json_array();
                        if (mc_json_set_new(resources, "hugepageLimits", pages) < 0)
                                return -ENOMEM;
                }
                json_t *o = json_pack("{s:s, s:o}", "pageSize", size, "limit",
                                      bytes_or_unlimited(l->v[h].value));
                if (!o || json_array_append_new(pages, o) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int export_process(const struct mc_export_input *in, json_t *process, struct mc_export_result *r)
{
        const struct mc_setting *s = in->profile->settings;
        json_t *user = NULL;
        int ret;

        if (s[MC_KEY_RUN_USER].value || s[MC_KEY_RUN_GROUP].value || s[MC_KEY_RUN_GROUPS].value ||
            s[MC_KEY_RUN_UMASK].value) {
                user = mc_json_child(process, "user");
                if (!user)
                        return -ENOMEM;
        }
        if (s[MC_KEY_RUN_USER].value) {
                uint64_t uid, gid;
                int by_name = mc_export_resolve_user(s[MC_KEY_RUN_USER].value, &uid, &gid);
                if (by_name < 0) {
                        ret = mc_export_warn(
                                r, MC_KEY_RUN_USER, E,
                                "OCI's process.user takes a uid, and this host has no user '%s'",
                                s[MC_KEY_RUN_USER].value);
                        if (ret < 0)
                                return ret;
                } else {
                        bool own_gid = gid != UINT64_MAX && !s[MC_KEY_RUN_GROUP].value;
                        if (by_name > 0 &&
                            (ret = mc_export_warn_host_id(r, MC_KEY_RUN_USER, E, "process.user.uid",
                                                          s[MC_KEY_RUN_USER].value, uid,
                                                          own_gid ? "process.user.gid" : NULL, gid)) < 0)
                                return ret;
                        if (mc_json_set_new(user, "uid", json_integer((json_int_t)uid)) < 0)
                                return -ENOMEM;
                        /* memcage runs a user's command with the user's own group unless [run] group says.
                         */
                        if (gid != UINT64_MAX && !s[MC_KEY_RUN_GROUP].value &&
                            mc_json_set_new(user, "gid", json_integer((json_int_t)gid)) < 0)
                                return -ENOMEM;
                }
        }
        if (s[MC_KEY_RUN_GROUP].value) {
                uint64_t gid;
                int by_name = mc_export_resolve_group(s[MC_KEY_RUN_GROUP].value, &gid);
                if (by_name < 0) {
                        ret = mc_export_warn(
                                r, MC_KEY_RUN_GROUP, E,
                                "OCI's process.user takes a gid, and this host has no group '%s'",
                                s[MC_KEY_RUN_GROUP].value);
                        if (ret < 0)
                                return ret;
                } else {
                        if (mc_json_set_new(user, "gid", json_integer((json_int_t)gid)) < 0)
                                return -ENOMEM;
                        if (by_name > 0 &&
                            (ret = mc_export_warn_host_id(r, MC_KEY_RUN_GROUP, E, "process.user.gid",
                                                          s[MC_KEY_RUN_GROUP].value, gid, NULL, 0)) < 0)
                                return ret;
                }
        }
        if (s[MC_KEY_RUN_GROUPS].value) {
                json_t *gids;
                ret = mc_export_gid_array(s[MC_KEY_RUN_GROUPS].value, E, "OCI's additionalGids", r, &gids);
                if (ret < 0)
                        return ret;
                if (mc_json_set_new(user, "additionalGids", gids) < 0)
                        return -ENOMEM;
        }
        if (s[MC_KEY_RUN_UMASK].value) {
                unsigned mask = 0;
                (void)mc_profile_parse_umask(s[MC_KEY_RUN_UMASK].value, &mask);
                if (mc_json_set_new(user, "umask", json_integer(mask)) < 0)
                        return -ENOMEM;
        }
        if (s[MC_KEY_RUN_CAPABILITIES].value) {
                /* memcage keeps exactly these in every set and the bounding set. */
                static const char *const sets[] = { "bounding", "effective", "inheritable", "permitted",
                                                    "ambient" };
                _cleanup_strv_free_ char **caps = NULL;
                json_t *c = mc_json_child(process, "capabilities");
                if (!c || mc_export_cap_names(s[MC_KEY_RUN_CAPABILITIES].value, &caps) < 0)
                        return -ENOMEM;
                for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
                        json_t *a = json_array();
                        if (mc_json_set_new(c, sets[i], a) < 0)
                                return -ENOMEM;
                        for (char **n = caps; *n; n++)
                                if (json_array_append_new(a, json_string(*n)) < 0)
                                        return -ENOMEM;
                }
        }
        /* Implied by a user or capabilities, as memcage run implies it. */
        enum mc_key nnp_cause;
        bool nnp = mc_export_no_new_privs(in->profile, &nnp_cause);
        if (nnp_cause != _MC_KEY_COUNT && mc_json_set_new(process, "noNewPrivileges", json_boolean(nnp)) < 0)
                return -ENOMEM;
        if (s[MC_KEY_RUN_ENV].value) {
                json_t *env = json_array();
                if (mc_json_set_new(process, "env", env) < 0)
                        return -ENOMEM;
                for (const struct mc_setting *e = &s[MC_KEY_RUN_ENV]; e && e->value; e = e->next)
                        if (json_array_append_new(env, json_string(e->value)) < 0)
                                return -ENOMEM;
        }
        if (s[MC_KEY_RUN_ENV_KEEP].value) {
                ret = mc_export_warn(
                        r, MC_KEY_RUN_ENV_KEEP, E,
                        "a container's environment is process.env alone; the caller's is not passed");
                if (ret < 0)
                        return ret;
        }
        if (s[MC_KEY_RUN_CWD].value &&
            mc_json_set_new(process, "cwd", json_string(s[MC_KEY_RUN_CWD].value)) < 0)
                return -ENOMEM;
        if (s[MC_KEY_RUN_OOM_SCORE_ADJ].value) {
                long adj = 0;
                (void)mc_profile_parse_int(s[MC_KEY_RUN_OOM_SCORE_ADJ].value, -1000, 1000, &adj);
                if (mc_json_set_new(process, "oomScoreAdj", json_integer(adj)) < 0)
                        return -ENOMEM;
        }
        if (s[MC_KEY_RUN_NICE].value) {
                ret = mc_export_warn(r, MC_KEY_RUN_NICE, E, "OCI's process has no nice value");
                if (ret < 0)
                        return ret;
        }

        static const struct {
                enum mc_key key;
                const char *type;
        } rlimits[] = {
                { MC_KEY_RUN_RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK" },
                { MC_KEY_RUN_RLIMIT_AS, "RLIMIT_AS" },
                { MC_KEY_RUN_RLIMIT_DATA, "RLIMIT_DATA" },
        };
        json_t *list = NULL;
        for (size_t i = 0; i < ELEMENTSOF(rlimits); i++) {
                uint64_t v;
                if (!s[rlimits[i].key].value || mc_profile_parse_rlimit(s[rlimits[i].key].value, &v) < 0)
                        continue;
                if (v > INT64_MAX) {
                        /* RLIM_INFINITY is 2^64-1, past what a JSON integer of jansson holds. */
                        ret = mc_export_warn(r, rlimits[i].key, E,
                                             "an unlimited %s is the runtime's default: leave it out of "
                                             "process.rlimits",
                                             rlimits[i].type);
                        if (ret < 0)
                                return ret;
                        continue;
                }
                if (!list) {
                        list = json_array();
                        if (mc_json_set_new(process, "rlimits", list) < 0)
                                return -ENOMEM;
                }
                json_t *o = json_pack("{s:s, s:I, s:I}", "type", rlimits[i].type, "hard", (json_int_t)v,
                                      "soft", (json_int_t)v);
                if (!o || json_array_append_new(list, o) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Annotations carry what JSON cannot say in a comment: which values were percentages of this host. */
static int export_notes(const struct mc_export_input *in, json_t *root)
{
        json_t *annotations = NULL;
        char note[256], key[128];

        for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++) {
                if (!mc_export_percent_note(in, k, note, sizeof(note)))
                        continue;
                if (!annotations && !(annotations = mc_json_child(root, "annotations")))
                        return -ENOMEM;
                snprintf(key, sizeof(key), "org.memcage.resolved.%s.%s", mc_key_info(k)->section,
                         mc_key_info(k)->name);
                if (mc_json_set_new(annotations, key, json_string(note)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int mc_export_oci(const struct mc_export_input *in, FILE *out, struct mc_export_result *r,
                  struct mc_error *err)
{
        json_t *root = json_object(), *process = json_object(), *linux_ = json_object(),
               *resources = json_object();
        int ret = -ENOMEM;

        if (!root || !process || !linux_ || !resources) {
                json_decref(process);
                json_decref(linux_);
                json_decref(resources);
                goto out;
        }
        /* The objects are handed to root first, so that one decref frees everything. */
        if (json_object_set_new(root, "process", process) < 0 ||
            json_object_set_new(root, "linux", linux_) < 0 ||
            json_object_set_new(linux_, "resources", resources) < 0)
                goto out;
        ret = export_memory(in, resources, r);
        if (ret >= 0)
                ret = export_hugetlb(in, resources);
        if (ret >= 0)
                ret = export_process(in, process, r);
        if (ret >= 0)
                ret = export_notes(in, root);
        if (ret < 0)
                goto out;
        if (json_object_size(process) == 0)
                json_object_del(root, "process");
        if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 || fputc('\n', out) == EOF)
                ret = -EIO;
out:
        json_decref(root);
        if (ret == -ENOMEM)
                return mc_error_set(err, ENOMEM, "out of memory");
        if (ret < 0)
                return mc_error_errno(err, -ret, "cannot write the OCI fragment");
        return 0;
}
