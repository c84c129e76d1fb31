/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memcage export --to systemd: a unit drop-in ([Service], or [Scope] for a
 * scope) with systemd's names for the same cgroup files and [run] settings.
 *
 * systemd writes MemoryMax= and friends to the unit's memory.* files as
 * given (the kernel rounds them to pages as it does memcage's), and
 * OOMPolicy=kill sets memory.oom.group=1 (OOMPolicy=continue leaves it 0).
 * MemoryZSwapMax= needs systemd 253; an older systemd ignores it with a
 * warning of its own.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "export.h"
#include "pressure-kill.h"
#include "size.h"
#include "util.h"

#define E MC_EXPORT_SYSTEMD

static const struct {
        enum mc_limit limit;
        const char *setting;
} memory_settings[] = {
        { MC_LIMIT_MAX, "MemoryMax" },          { MC_LIMIT_HIGH, "MemoryHigh" },
        { MC_LIMIT_LOW, "MemoryLow" },          { MC_LIMIT_MIN, "MemoryMin" },
        { MC_LIMIT_SWAP_MAX, "MemorySwapMax" }, { MC_LIMIT_ZSWAP_MAX, "MemoryZSwapMax" },
};

/* systemd's Environment= value: quoted, with \ and " escaped and % doubled (a specifier otherwise). */
static void print_quoted(FILE *out, const char *s)
{
        fputc('"', out);
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        fputc('\\', out);
                if (*s == '%')
                        fputc('%', out);
                fputc(*s, out);
        }
        fputc('"', out);
}

/* A setting's value with % doubled: User=, WorkingDirectory= expand specifiers. */
static void print_plain(FILE *out, const char *setting, const char *s)
{
        fprintf(out, "%s=", setting);
        for (; *s; s++) {
                if (*s == '%')
                        fputc('%', out);
                fputc(*s, out);
        }
        fputc('\n', out);
}

/* A list of the profile (commas and/or blanks) as systemd's blank-separated one. */
static int print_list(FILE *out, const char *setting, const char *value)
{
        _cleanup_strv_free_ char **items = NULL;
        int r = mc_profile_split_list(value, &items);
        if (r < 0)
                return r;
        fprintf(out, "%s=", setting);
        for (char **i = items; i && *i; i++)
                fprintf(out, "%s%s", i == items ? "" : " ", *i);
        fputc('\n', out);
        return 0;
}

static void print_rlimit(FILE *out, const char *setting, const char *value)
{
        uint64_t v;
        if (mc_profile_parse_rlimit(value, &v) < 0)
                return;
        if (v == UINT64_MAX)
                fprintf(out, "%s=infinity\n", setting);
        else
                fprintf(out, "%s=%" PRIu64 "\n", setting, v);
}

static int print_run(const struct mc_export_input *in, FILE *out, struct mc_export_result *r)
{
        const struct mc_setting *s = in->profile->settings;
        int ret;

        if (s[MC_KEY_RUN_USER].value)
                print_plain(out, "User", s[MC_KEY_RUN_USER].value);
        if (s[MC_KEY_RUN_GROUP].value)
                print_plain(out, "Group", s[MC_KEY_RUN_GROUP].value);
        if (s[MC_KEY_RUN_GROUPS].value &&
            print_list(out, "SupplementaryGroups", s[MC_KEY_RUN_GROUPS].value) < 0)
                return -ENOMEM;
        if (s[MC_KEY_RUN_CAPABILITIES].value) {
                /* memcage keeps exactly these in every set and the bounding set. */
                _cleanup_strv_free_ char **caps = NULL;
                if (mc_export_cap_names(s[MC_KEY_RUN_CAPABILITIES].value, &caps) < 0)
                        return -ENOMEM;
                static const char *const settings[] = { "AmbientCapabilities", "CapabilityBoundingSet" };
                for (size_t i = 0; i < ELEMENTSOF(settings); i++) {
                        fprintf(out, "%s=", settings[i]);
                        for (char **c = caps; *c; c++)
                                fprintf(out, "%s%s", c == caps ? "" : " ", *c);
                        fputc('\n', out);
                }
        }
        /* Implied by a user or capabilities, as in memcage run; systemd does not imply it from User=. */
        enum mc_key nnp_cause;
        bool nnp = mc_export_no_new_privs(in->profile, &nnp_cause);
        if (nnp_cause != _MC_KEY_COUNT)
                fprintf(out, "NoNewPrivileges=%s\n", nnp ? "yes" : "no");
        if (s[MC_KEY_RUN_CWD].value) {
                const char *cwd = s[MC_KEY_RUN_CWD].value;
                /* A line ending in a backslash continues on the next one: the drop-in's next setting. */
                if (mc_export_text_ok(cwd) && cwd[strlen(cwd) - 1] != '\\')
                        print_plain(out, "WorkingDirectory", cwd);
                else if ((ret = mc_export_warn(r, MC_KEY_RUN_CWD, E,
                                               "WorkingDirectory= cannot carry a path with a control "
                                               "character or a final backslash")) < 0)
                        return ret;
        }
        if (s[MC_KEY_RUN_UMASK].value) {
                unsigned mask = 0;
                (void)mc_profile_parse_umask(s[MC_KEY_RUN_UMASK].value, &mask);
                fprintf(out, "UMask=%04o\n", mask);
        }
        for (const struct mc_setting *e = &s[MC_KEY_RUN_ENV]; e && e->value; e = e->next) {
                /* Quoting carries blanks, quotes and backslashes, not a line break. */
                if (!mc_export_text_ok(e->value)) {
                        ret = mc_export_warn(r, MC_KEY_RUN_ENV, E,
                                             "Environment= cannot carry '%.*s': its value holds a control "
                                             "character",
                                             (int)strcspn(e->value, "="), e->value);
                        if (ret < 0)
                                return ret;
                        continue;
                }
                fprintf(out, "Environment=");
                print_quoted(out, e->value);
                fputc('\n', out);
        }
        if (s[MC_KEY_RUN_ENV_KEEP].value) {
                ret = mc_export_warn(r, MC_KEY_RUN_ENV_KEEP, E,
                                     "a unit starts with the manager's environment, not its caller's "
                                     "(PassEnvironment= passes the manager's)");
                if (ret < 0)
                        return ret;
        }
        if (s[MC_KEY_RUN_NICE].value)
                fprintf(out, "Nice=%s\n", s[MC_KEY_RUN_NICE].value);
        if (s[MC_KEY_RUN_OOM_SCORE_ADJ].value)
                fprintf(out, "OOMScoreAdjust=%s\n", s[MC_KEY_RUN_OOM_SCORE_ADJ].value);
        if (s[MC_KEY_RUN_RLIMIT_MEMLOCK].value)
                print_rlimit(out, "LimitMEMLOCK", s[MC_KEY_RUN_RLIMIT_MEMLOCK].value);
        if (s[MC_KEY_RUN_RLIMIT_AS].value)
                print_rlimit(out, "LimitAS", s[MC_KEY_RUN_RLIMIT_AS].value);
        if (s[MC_KEY_RUN_RLIMIT_DATA].value)
                print_rlimit(out, "LimitDATA", s[MC_KEY_RUN_RLIMIT_DATA].value);
        return 0;
}

/*
 * [pressure] kill as systemd-oomd's setting: the nearest systemd has, not
 * the same rule. oomd compares the unit's full memory pressure (avg10) with
 * the limit each time it polls, ends a cgroup after the limit was exceeded
 * for DefaultMemoryPressureDurationSec= of oomd.conf (30 s unless set),
 * picks the descendant cgroup it ends by its own heuristics (the unit that
 * sets the property is a candidate only when an ancestor sets it too), and
 * sends SIGKILL without a freeze, a SIGTERM or a grace. The limit is the
 * rule's STALL/WINDOW as a percentage, rounded down (oomd then acts no
 * later than the rule would).
 */
static int print_pressure_kill(const struct mc_profile *p, FILE *out, struct mc_export_result *r,
                               struct mc_error *err)
{
        struct mc_pressure_kill_rule rule;
        int ret = mc_pressure_kill_parse_rule(p->settings[MC_KEY_PRESSURE_KILL].value, &rule, err);
        if (ret < 0)
                return mc_error_prefix(err, "[pressure] kill");
        uint64_t permyriad = rule.trigger.stall_us * 10000 / rule.trigger.window_us;
        fprintf(out, "ManagedOOMMemoryPressure=kill\n");
        fprintf(out, "ManagedOOMMemoryPressureLimit=%" PRIu64 ".%02" PRIu64 "%%\n", permyriad / 100,
                permyriad % 100);
        ret = mc_export_warn(r, MC_KEY_PRESSURE_KILL, E,
                             "systemd-oomd is the nearest: it polls the unit's full memory pressure "
                             "(avg10) against ManagedOOMMemoryPressureLimit= and kills, with SIGKILL, a "
                             "descendant cgroup it picks once the limit was exceeded for "
                             "DefaultMemoryPressureDurationSec= of oomd.conf (30 s unless set), not "
                             "after %u %s windows in a row; the unit setting it is a candidate only when "
                             "its slice sets it too, and systemd-oomd must run",
                             rule.windows, mc_psi_kind_name(rule.trigger.kind));
        return ret < 0 ? mc_error_set(err, ENOMEM, "out of memory") : 0;
}

int mc_export_systemd(const struct mc_export_input *in, FILE *out, struct mc_export_result *r,
                      struct mc_error *err)
{
        const struct mc_profile *p = in->profile;
        const struct mc_limits *l = &in->limits;
        char note[256];
        int ret;

        mc_export_print_header(out, p);
        for (size_t i = 0; i < ELEMENTSOF(memory_settings); i++)
                if (mc_export_percent_note(in, mc_export_limit_key(memory_settings[i].limit), note,
                                           sizeof(note)))
                        fprintf(out, "# %s\n", note);
        fprintf(out, "[%s]\n", in->systemd_scope ? "Scope" : "Service");
        if (p->settings[MC_KEY_CGROUP_SLICE].value)
                fprintf(out, "Slice=%s\n", p->settings[MC_KEY_CGROUP_SLICE].value);
        for (size_t i = 0; i < ELEMENTSOF(memory_settings); i++) {
                const struct mc_limit_value *v = &l->v[memory_settings[i].limit];
                if (!v->set)
                        continue;
                if (v->value == MC_SIZE_MAX)
                        fprintf(out, "%s=infinity\n", memory_settings[i].setting);
                else
                        fprintf(out, "%s=%" PRIu64 "\n", memory_settings[i].setting, v->value);
        }
        if (l->v[MC_LIMIT_OOM_GROUP].set)
                fprintf(out, "OOMPolicy=%s\n", l->v[MC_LIMIT_OOM_GROUP].value ? "kill" : "continue");
        if (p->settings[MC_KEY_PRESSURE_KILL].value) {
                ret = print_pressure_kill(p, out, r, err);
                if (ret < 0)
                        return ret;
        }
        if (l->v[MC_LIMIT_SWAP_HIGH].set) {
                ret = mc_export_warn(r, MC_KEY_MEMORY_SWAP_HIGH, E,
                                     "systemd has no setting for memory.swap.high");
                if (ret < 0)
                        goto oom;
        }
        for (enum mc_limit k = 0; k < _MC_LIMIT_COUNT; k++) {
                if (mc_limit_hugetlb_page(k) == 0 || !l->v[k].set)
                        continue;
                ret = mc_export_warn(r, mc_export_limit_key(k), E,
                                     "systemd cannot express %s (it has no hugetlb controller settings)",
                                     mc_limit_file(k));
                if (ret < 0)
                        goto oom;
        }
        if (!in->systemd_scope) {
                if (print_run(in, out, r) < 0)
                        goto oom;
                return 0;
        }
        /* A scope groups processes started already: how they start is not its to say. */
        for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++) {
                if (!p->settings[k].value || !streq(mc_key_info(k)->section, "run") ||
                    k == MC_KEY_RUN_ALLOW_ROOT)
                        continue;
                ret = mc_export_warn(r, k, E,
                                     "a scope holds processes already started; put it in a [Service] "
                                     "drop-in or on the command that starts them");
                if (ret < 0)
                        goto oom;
        }
        return 0;
oom:
        return mc_error_set(err, ENOMEM, "out of memory");
}
