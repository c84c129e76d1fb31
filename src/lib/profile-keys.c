/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The key table: every key a profile may set, its lookup and the validation of its values. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "duration.h"
#include "escape.h"
#include "hugetlb-pool.h"
#include "pressure.h"
#include "profile-internal.h"
#include "profile.h"
#include "size.h"
#include "util.h"

/* NAME_MAX of cgroupfs, as of every Linux filesystem. */
#define CGROUP_NAME_MAX 255
#define CGROUP_PATH_FORMS \
        "use a relative path of names made of letters, digits, '-', '_' and '.', such as ci/jobs"
#define BOOL_FORMS   "use 1/0, yes/no, true/false or on/off"
#define RLIMIT_FORMS "use bytes (4096), K, M, G or T (1024-based) or infinity"

/* The sizes of mc_hugetlb_size_names; a size this host lacks is refused at run time. */
#define HUGETLB_KEYS(size)                                                                                  \
        [MC_KEY_HUGETLB_##size##_MAX] = { MC_KEY_HUGETLB_##size##_MAX, "hugetlb", #size ".max",             \
                                          MC_VALUE_SIZE, "hugetlb." #size ".max" },                         \
        [MC_KEY_HUGETLB_##size##_RSVD_MAX] = { MC_KEY_HUGETLB_##size##_RSVD_MAX, "hugetlb",                 \
                                               #size ".rsvd.max", MC_VALUE_SIZE,                            \
                                               "hugetlb." #size ".rsvd.max" },                              \
        [MC_KEY_HUGETLB_##size##_RESERVE] = { MC_KEY_HUGETLB_##size##_RESERVE, "hugetlb", #size ".reserve", \
                                              MC_VALUE_HUGEPAGES, NULL }
#define PRESSURE_FORMS                                                                                      \
        "use STALL/WINDOW, e.g. 150ms/1s or 10%%/2s (stall in us, ms, s or %% of the window; window 500ms " \
        "to 10s)"

static const struct mc_key_info key_table[_MC_KEY_COUNT] = {
        [MC_KEY_PROFILE_DESCRIPTION] = { MC_KEY_PROFILE_DESCRIPTION, "profile", "description",
                                         MC_VALUE_STRING, NULL },
        [MC_KEY_PROFILE_INHERIT] = { MC_KEY_PROFILE_INHERIT, "profile", "inherit", MC_VALUE_PROFILE, NULL },
        [MC_KEY_MEMORY_MAX] = { MC_KEY_MEMORY_MAX, "memory", "max", MC_VALUE_SIZE, "memory.max" },
        [MC_KEY_MEMORY_HIGH] = { MC_KEY_MEMORY_HIGH, "memory", "high", MC_VALUE_SIZE, "memory.high" },
        [MC_KEY_MEMORY_LOW] = { MC_KEY_MEMORY_LOW, "memory", "low", MC_VALUE_SIZE, "memory.low" },
        [MC_KEY_MEMORY_MIN] = { MC_KEY_MEMORY_MIN, "memory", "min", MC_VALUE_SIZE, "memory.min" },
        [MC_KEY_MEMORY_SWAP_MAX] = { MC_KEY_MEMORY_SWAP_MAX, "memory", "swap.max", MC_VALUE_SIZE,
                                     "memory.swap.max" },
        [MC_KEY_MEMORY_SWAP_HIGH] = { MC_KEY_MEMORY_SWAP_HIGH, "memory", "swap.high", MC_VALUE_SIZE,
                                      "memory.swap.high" },
        [MC_KEY_MEMORY_ZSWAP_MAX] = { MC_KEY_MEMORY_ZSWAP_MAX, "memory", "zswap.max", MC_VALUE_SIZE,
                                      "memory.zswap.max" },
        [MC_KEY_MEMORY_OOM_GROUP] = { MC_KEY_MEMORY_OOM_GROUP, "memory", "oom.group", MC_VALUE_BOOL,
                                      "memory.oom.group" },
        [MC_KEY_CGROUP_PARENT] = { MC_KEY_CGROUP_PARENT, "cgroup", "parent", MC_VALUE_CGROUP_PATH, NULL },
        [MC_KEY_CGROUP_SLICE] = { MC_KEY_CGROUP_SLICE, "cgroup", "slice", MC_VALUE_SLICE, NULL },
        [MC_KEY_RUN_USER] = { MC_KEY_RUN_USER, "run", "user", MC_VALUE_USER, NULL },
        [MC_KEY_RUN_GROUP] = { MC_KEY_RUN_GROUP, "run", "group", MC_VALUE_GROUP, NULL },
        [MC_KEY_RUN_GROUPS] = { MC_KEY_RUN_GROUPS, "run", "groups", MC_VALUE_GROUP_LIST, NULL },
        [MC_KEY_RUN_CAPABILITIES] = { MC_KEY_RUN_CAPABILITIES, "run", "capabilities", MC_VALUE_CAPS, NULL },
        [MC_KEY_RUN_NO_NEW_PRIVS] = { MC_KEY_RUN_NO_NEW_PRIVS, "run", "no_new_privs", MC_VALUE_BOOL, NULL },
        [MC_KEY_RUN_CWD] = { MC_KEY_RUN_CWD, "run", "cwd", MC_VALUE_ABS_PATH, NULL },
        [MC_KEY_RUN_UMASK] = { MC_KEY_RUN_UMASK, "run", "umask", MC_VALUE_UMASK, NULL },
        [MC_KEY_RUN_ENV] = { MC_KEY_RUN_ENV, "run", "env", MC_VALUE_ENV, NULL, .repeatable = true },
        [MC_KEY_RUN_ENV_KEEP] = { MC_KEY_RUN_ENV_KEEP, "run", "env_keep", MC_VALUE_ENV_NAMES, NULL },
        [MC_KEY_RUN_NICE] = { MC_KEY_RUN_NICE, "run", "nice", MC_VALUE_INT, NULL, -20, 19 },
        [MC_KEY_RUN_OOM_SCORE_ADJ] = { MC_KEY_RUN_OOM_SCORE_ADJ, "run", "oom_score_adj", MC_VALUE_INT, NULL,
                                       -1000, 1000 },
        [MC_KEY_RUN_RLIMIT_MEMLOCK] = { MC_KEY_RUN_RLIMIT_MEMLOCK, "run", "rlimit_memlock", MC_VALUE_RLIMIT,
                                        NULL },
        [MC_KEY_RUN_RLIMIT_AS] = { MC_KEY_RUN_RLIMIT_AS, "run", "rlimit_as", MC_VALUE_RLIMIT, NULL },
        [MC_KEY_RUN_RLIMIT_DATA] = { MC_KEY_RUN_RLIMIT_DATA, "run", "rlimit_data", MC_VALUE_RLIMIT, NULL },
        [MC_KEY_RUN_ALLOW_ROOT] = { MC_KEY_RUN_ALLOW_ROOT, "run", "allow_root", MC_VALUE_BOOL, NULL },
        HUGETLB_KEYS(64KB),
        HUGETLB_KEYS(2MB),
        HUGETLB_KEYS(16MB),
        HUGETLB_KEYS(32MB),
        HUGETLB_KEYS(512MB),
        HUGETLB_KEYS(1GB),
        [MC_KEY_REPORT_INTERVAL] = { MC_KEY_REPORT_INTERVAL, "report", "interval", MC_VALUE_INTERVAL, NULL },
        [MC_KEY_PRESSURE_SOME] = { MC_KEY_PRESSURE_SOME, "pressure", "some", MC_VALUE_PRESSURE, NULL },
        [MC_KEY_PRESSURE_FULL] = { MC_KEY_PRESSURE_FULL, "pressure", "full", MC_VALUE_PRESSURE, NULL },
        [MC_KEY_PRESSURE_KILL] = { MC_KEY_PRESSURE_KILL, "pressure", "kill", MC_VALUE_KILL_RULE, NULL },
        [MC_KEY_PRESSURE_KILL_GRACE] = { MC_KEY_PRESSURE_KILL_GRACE, "pressure", "kill_grace",
                                         MC_VALUE_DURATION, NULL },
};

const struct mc_key_info *mc_key_info(enum mc_key key)
{
        if ((unsigned)key >= _MC_KEY_COUNT)
                return NULL;
        return &key_table[key];
}

const struct mc_key_info *mc_key_lookup(const char *section, const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(key_table); i++)
                if (streq(key_table[i].section, section) && streq(key_table[i].name, name))
                        return &key_table[i];
        return NULL;
}

const struct mc_key_info *mc_hugetlb_key(const char *size, const char *what)
{
        char name[64];
        if ((size_t)snprintf(name, sizeof(name), "%s.%s", size, what) >= sizeof(name))
                return NULL;
        return mc_key_lookup("hugetlb", name);
}

bool mc_section_known(const char *section)
{
        for (size_t i = 0; i < ELEMENTSOF(key_table); i++)
                if (streq(key_table[i].section, section))
                        return true;
        return false;
}

int mc_profile_parse_bool(const char *s, bool *ret)
{
        static const char *const yes[] = { "1", "yes", "true", "on" };
        static const char *const no[] = { "0", "no", "false", "off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(s, yes[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (strcasecmp(s, no[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

int mc_profile_split_list(const char *s, char ***ret)
{
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        size_t n = 0;

        if (!v)
                return -ENOMEM;
        for (const char *p = s;;) {
                p += strspn(p, ", \t");
                if (*p == '\0')
                        break;
                size_t len = strcspn(p, ", \t");
                char **nv = realloc(v, (n + 2) * sizeof(char *));
                if (!nv)
                        return -ENOMEM;
                v = nv;
                v[n] = strndup(p, len);
                if (!v[n])
                        return -ENOMEM;
                v[++n] = NULL;
                p += len;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

int mc_profile_parse_int(const char *s, long min, long max, long *ret)
{
        char *end;

        errno = 0;
        long v = strtol(s, &end, 10);
        if (s[0] == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

int mc_profile_parse_umask(const char *s, unsigned *ret)
{
        char *end;

        if (s[0] < '0' || s[0] > '7')
                return -EINVAL;
        errno = 0;
        unsigned long v = strtoul(s, &end, 8);
        if (*end != '\0' || errno != 0 || v > 0777)
                return -EINVAL;
        *ret = (unsigned)v;
        return 0;
}

int mc_profile_parse_rlimit(const char *s, uint64_t *ret)
{
        struct mc_error err;

        if (strcasecmp(s, "infinity") == 0 || strcasecmp(s, "unlimited") == 0 || strcasecmp(s, "max") == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        /* A percentage of RAM makes no sense for an address space; ram 0 refuses it. */
        if (mc_size_is_percent(s) || mc_size_parse(s, 0, ret, &err) < 0)
                return -EINVAL;
        return 0;
}

/* User and group names as useradd(8) takes them (plus numeric ids): no ':', blanks or '/'. */
static bool account_name_is_valid(const char *s)
{
        size_t len = strlen(s);

        if (len == 0 || len > 256 || s[0] == '-')
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || (c == '$' && i == len - 1)))
                        return false;
        }
        return true;
}

static bool env_name_is_valid(const char *s, size_t len)
{
        if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
                        return false;
        return true;
}

/* Checks each item of a list value with ok(); the first bad one is named. */
static int validate_list(const struct mc_key_info *ki, const char *value, bool (*ok)(const char *),
                         const char *what, const char *forms, struct mc_error *err)
{
        _cleanup_strv_free_ char **items = NULL;

        if (mc_profile_split_list(value, &items) < 0)
                return mc_error_errno(err, ENOMEM, "%s", ki->name);
        for (char **i = items; *i; i++)
                if (!ok(*i))
                        return mc_error_set(err, EINVAL, "%s '%s' for %s: %s", what, *i, ki->name, forms);
        return 0;
}

static bool cap_name_is_known(const char *s)
{
        cap_value_t c;
        /* cap_from_name() also takes numbers; a profile names its capabilities. */
        return (s[0] < '0' || s[0] > '9') && cap_from_name(s, &c) == 0;
}

static bool env_name_ok(const char *s)
{
        return env_name_is_valid(s, strlen(s));
}

static bool is_name_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_' || c == '.';
}

bool mc_profile_name_is_valid(const char *s)
{
        if (s[0] == '\0' || s[0] == '.' || strlen(s) > MC_PROFILE_NAME_MAX)
                return false;
        for (const char *c = s; *c; c++)
                if (!is_name_char(*c))
                        return false;
        return true;
}

/* NULL when s is a valid cgroup path, else what is wrong with it (in buf when it needs one). */
static const char *cgroup_path_problem(const char *s, char *buf, size_t n)
{
        if (s[0] == '\0')
                return "empty value";
        if (s[0] == '/')
                return "the path must be relative";
        for (const char *c = s;;) {
                size_t len = strcspn(c, "/");
                if (len == 0)
                        return "empty component";
                if (len > CGROUP_NAME_MAX)
                        return "component longer than 255 characters";
                if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
                        return "'.' and '..' are not allowed";
                for (size_t i = 0; i < len; i++)
                        if (!is_name_char(c[i])) {
                                if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f)
                                        snprintf(buf, n, "invalid character 0x%02x",
                                                 (unsigned)(unsigned char)c[i]);
                                else
                                        snprintf(buf, n, "invalid character '%c'", c[i]);
                                return buf;
                        }
                if (c[len] == '\0')
                        return NULL;
                c += len + 1;
        }
}

/*
 * A value is one line of text: a control character (a bare CR, which
 * systemd ends a line at, a tab, an ESC) or a byte that is not UTF-8 would
 * be carried into the files memcage exports and onto terminals.
 */
static int check_text(const struct mc_key_info *ki, const char *value, struct mc_error *err)
{
        const unsigned char *p = (const unsigned char *)mc_text_find_unprintable(value);
        if (!p)
                return 0;
        size_t at = (size_t)((const char *)p - value) + 1;
        if (p[0] < 0x20 || p[0] == 0x7f)
                return mc_error_set(err, EINVAL, "control character 0x%02x in the value of %s (byte %zu)",
                                    p[0], ki->name, at);
        if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
                return mc_error_set(err, EINVAL, "control character U+%04X in the value of %s (byte %zu)",
                                    (unsigned)p[1], ki->name, at);
        return mc_error_set(err, EINVAL, "byte 0x%02x that is not UTF-8 in the value of %s (byte %zu)", p[0],
                            ki->name, at);
}

static int validate_form(const struct mc_key_info *ki, const char *value, const struct mc_profile_env *env,
                         struct mc_error *err)
{
        switch (ki->type) {
        case MC_VALUE_STRING:
                return 0;
        case MC_VALUE_SIZE: {
                /* Only the form matters here; mc_limits_from_profile() resolves percentages. */
                uint64_t ram = env && env->ram_bytes > 0 ? env->ram_bytes : UINT64_MAX;
                uint64_t bytes;
                return mc_size_parse_for(value, ki->name, ram, &bytes, err);
        }
        case MC_VALUE_BOOL: {
                bool b;
                if (mc_profile_parse_bool(value, &b) < 0)
                        return mc_error_set(err, EINVAL, "invalid boolean '%s' for %s: " BOOL_FORMS, value,
                                            ki->name);
                return 0;
        }
        case MC_VALUE_PROFILE:
                if (value[0] != '\0' && (strchr(value, '/') || mc_profile_name_is_valid(value)))
                        return 0;
                return mc_error_set(err, EINVAL, "invalid profile name '%s' for %s: " MC_PROFILE_NAME_FORMS,
                                    value, ki->name);
        case MC_VALUE_HUGEPAGES: {
                uint64_t pages;
                if (mc_hugetlb_parse_reserve(value, 0, &pages, err) < 0)
                        return mc_error_prefix(err, "%s", ki->name);
                return 0;
        }
        case MC_VALUE_CGROUP_PATH: {
                char buf[64];
                const char *why = cgroup_path_problem(value, buf, sizeof(buf));
                if (!why)
                        return 0;
                return mc_error_set(err, EINVAL, "invalid cgroup path '%s' for %s: %s; " CGROUP_PATH_FORMS,
                                    value, ki->name, why);
        }
        case MC_VALUE_SLICE: {
                /* systemd's unit name alphabet; '-' nests slices (a-b.slice is in a.slice). */
                size_t n = strlen(value), stem = n > 6 ? n - 6 : 0;
                bool ok = n > 6 && n < 256 && streq(value + stem, ".slice") && value[0] != '-' &&
                          value[stem - 1] != '-' && !strstr(value, "--");
                for (size_t i = 0; ok && i < stem; i++)
                        ok = (value[i] >= 'a' && value[i] <= 'z') || (value[i] >= 'A' && value[i] <= 'Z') ||
                             (value[i] >= '0' && value[i] <= '9') || strchr(":_.-", value[i]);
                if (ok)
                        return 0;
                return mc_error_set(
                        err, EINVAL,
                        "invalid slice '%s' for %s: use a systemd slice name of letters, digits, "
                        "':', '_', '.' and '-', ending in .slice, such as memcage.slice",
                        value, ki->name);
        }
        case MC_VALUE_USER:
                if (account_name_is_valid(value))
                        return 0;
                return mc_error_set(err, EINVAL,
                                    "invalid user '%s' for %s: use a user name or a numeric uid", value,
                                    ki->name);
        case MC_VALUE_GROUP:
                if (account_name_is_valid(value))
                        return 0;
                return mc_error_set(err, EINVAL,
                                    "invalid group '%s' for %s: use a group name or a numeric gid", value,
                                    ki->name);
        case MC_VALUE_GROUP_LIST:
                return validate_list(ki, value, account_name_is_valid, "invalid group",
                                     "use group names or numeric gids separated by commas", err);
        case MC_VALUE_CAPS:
                return validate_list(ki, value, cap_name_is_known, "unknown capability",
                                     "use names such as CAP_IPC_LOCK, see capabilities(7)", err);
        case MC_VALUE_ENV_NAMES:
                return validate_list(ki, value, env_name_ok, "invalid variable name",
                                     "use letters, digits and '_', not starting with a digit", err);
        case MC_VALUE_ABS_PATH:
                if (value[0] == '/')
                        return 0;
                return mc_error_set(err, EINVAL, "invalid path '%s' for %s: use an absolute path", value,
                                    ki->name);
        case MC_VALUE_UMASK: {
                unsigned m;
                if (mc_profile_parse_umask(value, &m) == 0)
                        return 0;
                return mc_error_set(err, EINVAL,
                                    "invalid umask '%s' for %s: use octal from 0 to 0777, e.g. 027", value,
                                    ki->name);
        }
        case MC_VALUE_ENV:
                if (env_name_is_valid(value, strcspn(value, "=")) && strchr(value, '='))
                        return 0;
                return mc_error_set(err, EINVAL,
                                    "invalid environment entry '%s' for %s: use NAME=VALUE, NAME made of "
                                    "letters, digits and '_', not starting with a digit",
                                    value, ki->name);
        case MC_VALUE_INT: {
                long v;
                if (mc_profile_parse_int(value, ki->min, ki->max, &v) == 0)
                        return 0;
                return mc_error_set(err, EINVAL, "invalid value '%s' for %s: use an integer from %ld to %ld",
                                    value, ki->name, ki->min, ki->max);
        }
        case MC_VALUE_RLIMIT: {
                uint64_t v;
                if (mc_profile_parse_rlimit(value, &v) == 0)
                        return 0;
                return mc_error_set(err, EINVAL, "invalid limit '%s' for %s: " RLIMIT_FORMS, value,
                                    ki->name);
        }
        case MC_VALUE_INTERVAL: {
                uint64_t ms;
                if (mc_interval_parse(value, &ms, err) < 0)
                        return mc_error_prefix(err, "%s", ki->name);
                return 0;
        }
        case MC_VALUE_PRESSURE: {
                struct mc_pressure_trigger t;
                enum mc_psi_kind kind = ki->key == MC_KEY_PRESSURE_FULL ? MC_PSI_FULL : MC_PSI_SOME;
                if (mc_pressure_parse_trigger(value, kind, &t, err) >= 0)
                        return 0;
                char why[MC_ERROR_MSG_MAX];
                snprintf(why, sizeof(why), "%s", err->msg);
                return mc_error_set(err, EINVAL, "invalid pressure trigger '%s' for %s: %s; " PRESSURE_FORMS,
                                    value, ki->name, why);
        }
        case MC_VALUE_KILL_RULE: {
                struct mc_pressure_kill_rule rule;
                if (mc_pressure_kill_parse_rule(value, &rule, err) >= 0)
                        return 0;
                char why[MC_ERROR_MSG_MAX];
                snprintf(why, sizeof(why), "%s", err->msg);
                return mc_error_set(err, EINVAL, "invalid pressure kill rule '%s' for %s: %s", value,
                                    ki->name, why);
        }
        case MC_VALUE_DURATION: {
                uint64_t us;
                if (mc_duration_parse(value, &us, err) < 0)
                        return mc_error_prefix(err, "%s", ki->name);
                return 0;
        }
        }
        return mc_error_set(err, EINVAL, "%s: no validation for this key", ki->name);
}

int mc_profile_validate_value(const struct mc_key_info *ki, const char *value,
                              const struct mc_profile_env *env, struct mc_error *err)
{
        /* The form's own message first: it says what the value should look like. */
        int r = validate_form(ki, value, env, err);
        if (r < 0)
                return r;
        return check_text(ki, value, err);
}

int mc_profile_lookup_key(const char *section, const char *name, const struct mc_key_info **ret,
                          struct mc_error *err)
{
        if (section[0] == '\0') {
                for (size_t i = 0; i < ELEMENTSOF(key_table); i++)
                        if (streq(key_table[i].name, name))
                                return mc_error_set(err, EINVAL,
                                                    "key '%s' outside of any section (it belongs in [%s])",
                                                    name, key_table[i].section);
                return mc_error_set(err, EINVAL, "key '%s' outside of any section", name);
        }
        if (!mc_section_known(section))
                return mc_error_set(err, EINVAL, "unknown section [%s]", section);
        const struct mc_key_info *ki = mc_key_lookup(section, name);
        if (!ki)
                return mc_error_set(err, EINVAL, "unknown key '%s' in [%s]", name, section);
        *ret = ki;
        return 0;
}
