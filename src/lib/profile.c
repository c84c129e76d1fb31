/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hugetlb-pool.h"
#include "pressure.h"
#include "profile.h"
#include "sampler.h"
#include "size.h"
#include "util.h"

#ifndef SYSCONFDIR
#error "SYSCONFDIR must come from the build system"
#endif

/* Longer chains are a mistake rather than a design; this also bounds the recursion. */
#define INHERIT_DEPTH_MAX 16
/* NAME_MAX of cgroupfs, as of every Linux filesystem. */
#define CGROUP_NAME_MAX 255
/* A profile name must leave room for ".ini" within NAME_MAX. */
#define PROFILE_NAME_MAX (255 - 4)

#define PROFILE_NAME_FORMS \
        "use letters, digits, '-', '_' and '.', not starting with '.', or a path containing '/'"
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
        HUGETLB_KEYS(64KB),
        HUGETLB_KEYS(2MB),
        HUGETLB_KEYS(16MB),
        HUGETLB_KEYS(32MB),
        HUGETLB_KEYS(512MB),
        HUGETLB_KEYS(1GB),
        [MC_KEY_REPORT_INTERVAL] = { MC_KEY_REPORT_INTERVAL, "report", "interval", MC_VALUE_INTERVAL, NULL },
        [MC_KEY_PRESSURE_SOME] = { MC_KEY_PRESSURE_SOME, "pressure", "some", MC_VALUE_PRESSURE, NULL },
        [MC_KEY_PRESSURE_FULL] = { MC_KEY_PRESSURE_FULL, "pressure", "full", MC_VALUE_PRESSURE, NULL },
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

static bool profile_name_is_valid(const char *s)
{
        if (s[0] == '\0' || s[0] == '.' || strlen(s) > PROFILE_NAME_MAX)
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

/* mc_size_parse() says "invalid size 'V': why"; a profile message names the key as well. */
static int size_error_for_key(struct mc_error *err, const char *value, const char *key)
{
        char prefix[MC_ERROR_MSG_MAX];
        char why[MC_ERROR_MSG_MAX];

        snprintf(prefix, sizeof(prefix), "invalid size '%s': ", value);
        size_t n = strlen(prefix);
        if (strncmp(err->msg, prefix, n) != 0)
                return mc_error_prefix(err, "%s", key);
        snprintf(why, sizeof(why), "%s", err->msg + n);
        return mc_error_set(err, err->code, "invalid size '%s' for %s: %s", value, key, why);
}

static int validate_value(const struct mc_key_info *ki, const char *value, const struct mc_profile_env *env,
                          struct mc_error *err)
{
        switch (ki->type) {
        case MC_VALUE_STRING:
                return 0;
        case MC_VALUE_SIZE: {
                /* Only the form matters here; mc_limits_from_profile() resolves percentages. */
                uint64_t ram = env && env->ram_bytes > 0 ? env->ram_bytes : UINT64_MAX;
                uint64_t bytes;
                if (mc_size_parse(value, ram, &bytes, err) < 0)
                        return size_error_for_key(err, value, ki->name);
                return 0;
        }
        case MC_VALUE_BOOL: {
                bool b;
                if (mc_profile_parse_bool(value, &b) < 0)
                        return mc_error_set(err, EINVAL, "invalid boolean '%s' for %s: " BOOL_FORMS, value,
                                            ki->name);
                return 0;
        }
        case MC_VALUE_PROFILE:
                if (value[0] != '\0' && (strchr(value, '/') || profile_name_is_valid(value)))
                        return 0;
                return mc_error_set(err, EINVAL, "invalid profile name '%s' for %s: " PROFILE_NAME_FORMS,
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
        }
        return mc_error_set(err, EINVAL, "%s: no validation for this key", ki->name);
}

static int lookup_key(const char *section, const char *name, const struct mc_key_info **ret,
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

static int setting_replace(struct mc_setting *s, const char *value, const char *file, unsigned line)
{
        char *v = strdup(value);
        char *f = strdup(file);
        if (!v || !f) {
                free(v);
                free(f);
                return -ENOMEM;
        }
        free(s->value);
        free(s->file);
        *s = (struct mc_setting){ .value = v, .file = f, .line = line, .next = s->next };
        return 0;
}

/* How much of a repeatable value names it: "NAME" of "NAME=VALUE". */
static size_t identity_len(const struct mc_key_info *ki, const char *value)
{
        return ki->type == MC_VALUE_ENV ? strcspn(value, "=") : strlen(value);
}

/* The value of a repeatable key with the same identity as value, or NULL. */
static struct mc_setting *setting_find(struct mc_setting *head, const struct mc_key_info *ki,
                                       const char *value)
{
        size_t n = identity_len(ki, value);
        for (struct mc_setting *s = head; s && s->value; s = s->next)
                if (identity_len(ki, s->value) == n && strncmp(s->value, value, n) == 0)
                        return s;
        return NULL;
}

/* Adds a value of a repeatable key: replaces the one with the same identity, else appends. */
static int setting_add(struct mc_setting *head, const struct mc_key_info *ki, const char *value,
                       const char *file, unsigned line)
{
        struct mc_setting *s = setting_find(head, ki, value);
        if (s || !head->value)
                return setting_replace(s ? s : head, value, file, line);
        struct mc_setting *last = head;
        while (last->next)
                last = last->next;
        s = calloc(1, sizeof(*s));
        if (!s || setting_replace(s, value, file, line) < 0) {
                free(s);
                return -ENOMEM;
        }
        last->next = s;
        return 0;
}

static void settings_free(struct mc_setting *settings)
{
        for (size_t i = 0; i < _MC_KEY_COUNT; i++) {
                for (struct mc_setting *s = settings[i].next, *next; s; s = next) {
                        next = s->next;
                        free(s->value);
                        free(s->file);
                        free(s);
                }
                free(settings[i].value);
                free(settings[i].file);
                settings[i] = (struct mc_setting){};
        }
}

void mc_profile_init(struct mc_profile *p)
{
        *p = (struct mc_profile){};
}

void mc_profile_free(struct mc_profile *p)
{
        free(p->name);
        free(p->path);
        settings_free(p->settings);
        mc_strv_free(p->chain);
        mc_profile_init(p);
}

int mc_profile_set(struct mc_profile *p, const char *section, const char *key, const char *value,
                   const char *file, unsigned line, const struct mc_profile_env *env, struct mc_error *err)
{
        const struct mc_key_info *ki = NULL;

        if (!file)
                file = "command line";
        int r = lookup_key(section, key, &ki, err);
        if (r >= 0)
                r = validate_value(ki, value, env, err);
        if (r < 0)
                return line > 0 ? mc_error_prefix(err, "%s:%u", file, line) : r;
        if (ki->repeatable)
                r = setting_add(&p->settings[ki->key], ki, value, file, line);
        else
                r = setting_replace(&p->settings[ki->key], value, file, line);
        if (r < 0)
                return mc_error_errno(err, ENOMEM, "set %s '%s'", ki->name, value);
        return 0;
}

static char *path_join(const char *dir, const char *name)
{
        char *p;
        if (asprintf(&p, "%s/%s", dir, name) < 0)
                return NULL;
        return p;
}

int mc_profile_search_dirs(const struct mc_profile_env *env, char ***ret, struct mc_error *err)
{
        _cleanup_strv_free_ char **dirs = NULL;
        size_t n = 0;
        int r = 0;

        for (const char *p = env->profile_path; p && *p && r >= 0;) {
                size_t len = strcspn(p, ":");
                if (len > 0)
                        r = mc_strv_push(&dirs, &n, strndup(p, len));
                p += len + (p[len] == ':');
        }
        /* Per the XDG base directory spec a relative XDG_CONFIG_HOME is invalid: fall back. */
        if (r >= 0 && env->xdg_config_home && env->xdg_config_home[0] == '/')
                r = mc_strv_push(&dirs, &n, path_join(env->xdg_config_home, "memcage/profiles"));
        else if (r >= 0 && env->home && env->home[0] != '\0')
                r = mc_strv_push(&dirs, &n, path_join(env->home, ".config/memcage/profiles"));
        if (r >= 0)
                r = mc_strv_push(
                        &dirs, &n,
                        path_join(env->sysconfdir ? env->sysconfdir : SYSCONFDIR, "memcage/profiles"));
        if (r < 0)
                return mc_error_errno(err, ENOMEM, "list profile directories");
        *ret = TAKE_PTR(dirs);
        return 0;
}

int mc_profile_find(const char *name, const struct mc_profile_env *env, char **ret_path,
                    struct mc_error *err)
{
        if (strchr(name, '/')) {
                char *p = strdup(name);
                if (!p)
                        return mc_error_errno(err, ENOMEM, "find profile '%s'", name);
                *ret_path = p;
                return 0;
        }
        if (!profile_name_is_valid(name))
                return mc_error_set(err, EINVAL, "invalid profile name '%s': " PROFILE_NAME_FORMS, name);

        _cleanup_strv_free_ char **dirs = NULL;
        int r = mc_profile_search_dirs(env, &dirs, err);
        if (r < 0)
                return r;

        char looked[MC_ERROR_MSG_MAX] = "";
        size_t used = 0;
        for (char **d = dirs; *d; d++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s.ini", *d, name) < 0)
                        return mc_error_errno(err, ENOMEM, "find profile '%s'", name);
                /* lstat(): a dangling symlink still shadows later directories, and loading says why
                 * it fails. */
                struct stat st;
                if (lstat(p, &st) == 0) {
                        *ret_path = TAKE_PTR(p);
                        return 0;
                }
                /* Missing directories are normal: most users have no profiles of their own. */
                if (errno != ENOENT && errno != ENOTDIR)
                        return mc_error_errno(err, errno, "cannot look for profile '%s' in %s", name, *d);
                if (used < sizeof(looked)) {
                        int k = snprintf(looked + used, sizeof(looked) - used, "%s%s", used > 0 ? ", " : "",
                                         *d);
                        if (k > 0)
                                used += (size_t)k;
                }
        }
        return mc_error_set(err, ENOENT, "profile '%s' not found: no %s.ini in %s", name, name, looked);
}

/*
 * Opens a profile file. For root runs (check_owner) only a regular file owned
 * by root and writable by nobody else is read, as sudo does for sudoers: its
 * values end up in a group root creates. The checks are made on the open fd,
 * so the file read is the file checked.
 */
static int open_profile(const char *path, const struct mc_profile_env *env, FILE **ret_f,
                        struct stat *ret_st, struct mc_error *err)
{
        int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
        /* O_NONBLOCK: a FIFO must not hang the open before fstat() refuses it. */
        if (env->check_owner)
                flags |= O_NOFOLLOW | O_NONBLOCK;

        _cleanup_close_ int fd = open(path, flags);
        if (fd < 0) {
                if (errno == ELOOP && env->check_owner)
                        return mc_error_set(err, EPERM, "%s: refusing profile: it is a symbolic link", path);
                return mc_error_errno(err, errno, "%s: cannot open profile", path);
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return mc_error_errno(err, errno, "%s: cannot open profile", path);
        if (S_ISDIR(st.st_mode))
                return mc_error_errno(err, EISDIR, "%s: cannot read profile", path);
        if (env->check_owner) {
                if (!S_ISREG(st.st_mode))
                        return mc_error_set(err, EPERM, "%s: refusing profile: not a regular file", path);
                if (st.st_mode & (S_IWGRP | S_IWOTH))
                        return mc_error_set(err, EPERM,
                                            "%s: refusing profile: writable by group or other "
                                            "(chmod go-w %s)",
                                            path, path);
                if (st.st_uid != 0)
                        return mc_error_set(err, EPERM,
                                            "%s: refusing profile: owned by uid %u, not root "
                                            "(chown root %s)",
                                            path, (unsigned)st.st_uid, path);
        }
        FILE *f = fdopen(fd, "r");
        if (!f)
                return mc_error_errno(err, errno, "%s: cannot open profile", path);
        TAKE_FD(fd);
        *ret_f = f;
        *ret_st = st;
        return 0;
}

/* One file being parsed: its own values, before inheritance is applied. */
struct parse_state {
        const char *path;
        FILE *f;
        unsigned lineno;
        const struct mc_profile_env *env;
        struct mc_error *err;
        bool failed;
        struct mc_setting settings[_MC_KEY_COUNT];
};

static void parse_state_done(struct parse_state *st)
{
        settings_free(st->settings);
}

/* Records the first error at the current line; inih keeps going, we stop feeding it lines. */
static void parse_fail(struct parse_state *st)
{
        mc_error_prefix(st->err, "%s:%u", st->path, st->lineno);
        st->failed = true;
}

/* As inih reads a line: the first of chars, an inline comment (';' after a blank), or the end. */
static char *find_chars_or_comment(char *s, const char *chars)
{
        bool was_space = false;
        for (; *s; s++) {
                if (strchr(chars, *s) || (was_space && *s == ';'))
                        break;
                was_space = *s == ' ' || *s == '\t' || *s == '\f' || *s == '\v';
        }
        return s;
}

/*
 * Checks a line the way inih will read it, so that errors come in line order
 * (inih goes on after a syntax error and reports it only at the end), and an
 * unknown section is reported at its header even when no key follows.
 */
static int check_line(struct parse_state *st, char *line)
{
        if (line[0] == '\0' || line[0] == ';' || line[0] == '#')
                return 0;
        if (line[0] != '[') {
                char *sep = find_chars_or_comment(line, "=:");
                if (*sep != '=' && *sep != ':')
                        return mc_error_set(st->err, EINVAL,
                                            "syntax error: expected [section], key = value or a comment");
                return 0;
        }
        char *end = find_chars_or_comment(line + 1, "]");
        if (*end != ']')
                return mc_error_set(st->err, EINVAL, "syntax error: missing ']'");
        const char *tail = end + 1 + strspn(end + 1, " \t");
        *end = '\0';
        int r = 0;
        if (!mc_section_known(line + 1))
                r = mc_error_set(st->err, EINVAL, "unknown section [%s]", line + 1);
        else if (*tail != '\0' && *tail != ';' && *tail != '#')
                r = mc_error_set(st->err, EINVAL, "unexpected text after [%s]: '%s'", line + 1, tail);
        *end = ']';
        return r;
}

/*
 * The ini_reader: hands inih one physical line per call, so inih's line
 * numbers are ours. Lines that would not fit inih's buffer (num bytes, with
 * "\n\0") are errors rather than silently split. Leading blanks are dropped:
 * inih would take an indented line for the continuation of the previous value.
 */
static char *read_line(char *str, int num, void *stream)
{
        struct parse_state *st = stream;

        if (st->failed)
                return NULL;
        if (num < 3) {
                mc_error_set(st->err, EINVAL, "%s: cannot parse profile: inih offers %d bytes a line",
                             st->path, num);
                st->failed = true;
                return NULL;
        }
        int c = getc(st->f);
        if (c == EOF) {
                if (ferror(st->f)) {
                        mc_error_errno(st->err, errno, "%s: cannot read profile", st->path);
                        st->failed = true;
                }
                return NULL;
        }
        st->lineno++;

        size_t max = (size_t)num - 2, n = 0;
        for (; c != EOF && c != '\n'; c = getc(st->f)) {
                if (c == '\r') {
                        int next = getc(st->f);
                        if (next == '\n' || next == EOF)
                                break;
                        ungetc(next, st->f);
                }
                if (c == '\0') {
                        mc_error_set(st->err, EINVAL, "NUL byte in line");
                        parse_fail(st);
                        return NULL;
                }
                if (n == max) {
                        mc_error_set(st->err, EINVAL, "line too long (more than %zu characters)", max);
                        parse_fail(st);
                        return NULL;
                }
                str[n++] = (char)c;
        }
        if (ferror(st->f)) {
                mc_error_errno(st->err, errno, "%s: cannot read profile", st->path);
                st->failed = true;
                return NULL;
        }
        str[n] = '\0';

        char *start = str;
        /* Some editors start UTF-8 files with a byte order mark. */
        if (st->lineno == 1 && strncmp(start, "\xEF\xBB\xBF", 3) == 0)
                start += 3;
        start += strspn(start, " \t\f\v");
        if (check_line(st, start) < 0) {
                parse_fail(st);
                return NULL;
        }
        size_t len = strlen(start);
        memmove(str, start, len);
        str[len] = '\n';
        str[len + 1] = '\0';
        return str;
}

static int handle_value(void *user, const char *section, const char *name, const char *value)
{
        struct parse_state *st = user;
        const struct mc_key_info *ki = NULL;

        if (st->failed)
                return 0;
        /* Only reachable with an inih built to allow keys without '='. */
        if (!value) {
                mc_error_set(st->err, EINVAL, "missing '=' after '%s'", name);
                parse_fail(st);
                return 0;
        }
        int r = lookup_key(section, name, &ki, st->err);
        if (r >= 0 && !ki->repeatable && st->settings[ki->key].value)
                r = mc_error_set(st->err, EINVAL, "duplicate key '%s' in [%s] (first set on line %u)", name,
                                 section, st->settings[ki->key].line);
        if (r >= 0)
                r = validate_value(ki, value, st->env, st->err);
        const struct mc_setting *dup =
                r >= 0 && ki->repeatable ? setting_find(&st->settings[ki->key], ki, value) : NULL;
        if (dup)
                r = mc_error_set(st->err, EINVAL, "duplicate %s '%.*s' in [%s] (first set on line %u)", name,
                                 (int)identity_len(ki, value), value, section, dup->line);
        else if (r >= 0 &&
                 (ki->repeatable ? setting_add(&st->settings[ki->key], ki, value, st->path, st->lineno)
                                 : setting_replace(&st->settings[ki->key], value, st->path, st->lineno)) < 0)
                r = mc_error_errno(st->err, ENOMEM, "set %s '%s'", name, value);
        if (r < 0) {
                parse_fail(st);
                return 0;
        }
        return 1;
}

static int parse_file(struct parse_state *st)
{
        int r = ini_parse_stream(read_line, st, handle_value, st);
        if (st->failed)
                return -st->err->code;
        if (r > 0)
                return mc_error_set(st->err, EINVAL,
                                    "%s:%d: syntax error: expected [section], key = value or a "
                                    "comment",
                                    st->path, r);
        if (r == -2)
                return mc_error_errno(st->err, ENOMEM, "%s: cannot parse profile", st->path);
        if (r < 0)
                return mc_error_set(st->err, EIO, "%s: cannot parse profile", st->path);
        return 0;
}

struct load_frame {
        dev_t dev;
        ino_t ino;
        const char *name; /* as written: the requested name or an inherit value */
};

struct loader {
        const struct mc_profile_env *env;
        struct mc_profile *profile;
        size_t n_chain;
        unsigned depth;
        struct load_frame frames[INHERIT_DEPTH_MAX];
};

static int inherit_cycle_error(const struct loader *l, const char *name, const char *from,
                               unsigned from_line, struct mc_error *err)
{
        char chain[MC_ERROR_MSG_MAX] = "";
        size_t used = 0;

        for (unsigned i = 0; i <= l->depth && used < sizeof(chain); i++) {
                int k = snprintf(chain + used, sizeof(chain) - used, "%s -> ",
                                 i < l->depth ? l->frames[i].name : name);
                if (k > 0)
                        used += (size_t)k;
        }
        if (used >= 4 && used < sizeof(chain))
                chain[used - 4] = '\0';
        return mc_error_set(err, ELOOP, "%s:%u: inherit cycle: %s", from, from_line, chain);
}

/* A name with '/' is relative to the including file, like #include "x.h"; others are searched. */
static int resolve_inherit(const char *value, const char *including, const struct mc_profile_env *env,
                           char **ret, struct mc_error *err)
{
        if (!strchr(value, '/'))
                return mc_profile_find(value, env, ret, err);
        const char *slash = strrchr(including, '/');
        char *p;
        if (value[0] == '/' || !slash)
                p = strdup(value);
        else if (asprintf(&p, "%.*s/%s", (int)(slash - including), including, value) < 0)
                p = NULL;
        if (!p)
                return mc_error_errno(err, ENOMEM, "resolve '%s'", value);
        *ret = p;
        return 0;
}

static int load_file(struct loader *l, const char *path, const char *name, const char *from,
                     unsigned from_line, struct mc_error *err);

static int load_inherited(struct loader *l, const struct parse_state *ps, struct mc_error *err)
{
        const struct mc_setting *inherit = &ps->settings[MC_KEY_PROFILE_INHERIT];
        _cleanup_free_ char *path = NULL;

        if (!inherit->value)
                return 0;
        int r = resolve_inherit(inherit->value, ps->path, l->env, &path, err);
        if (r < 0)
                return mc_error_prefix(err, "%s:%u", ps->path, inherit->line);
        return load_file(l, path, inherit->value, ps->path, inherit->line, err);
}

/* Loads path and what it inherits into l->profile; from:from_line is the inherit line, if any. */
static int load_file(struct loader *l, const char *path, const char *name, const char *from,
                     unsigned from_line, struct mc_error *err)
{
        _cleanup_fclose_ FILE *f = NULL;
        struct stat st = { 0 };

        int r = open_profile(path, l->env, &f, &st, err);
        if (r < 0)
                return from ? mc_error_prefix(err, "%s:%u", from, from_line) : r;
        /* Identity by inode, so "a" and "./a.ini" are the same file. */
        for (unsigned i = 0; i < l->depth; i++)
                if (l->frames[i].dev == st.st_dev && l->frames[i].ino == st.st_ino)
                        return inherit_cycle_error(l, name, from, from_line, err);
        if (l->depth == INHERIT_DEPTH_MAX)
                return mc_error_set(err, ELOOP, "%s:%u: inherit chain too deep: more than %d profiles", from,
                                    from_line, INHERIT_DEPTH_MAX);
        if (mc_strv_push(&l->profile->chain, &l->n_chain, strdup(path)) < 0)
                return mc_error_errno(err, ENOMEM, "load profile '%s'", path);

        _cleanup_(parse_state_done) struct parse_state ps = {
                .path = path,
                .f = f,
                .env = l->env,
                .err = err,
        };
        r = parse_file(&ps);
        if (r < 0)
                return r;

        l->frames[l->depth++] = (struct load_frame){ .dev = st.st_dev, .ino = st.st_ino, .name = name };
        r = load_inherited(l, &ps, err);
        l->depth--;
        if (r < 0)
                return r;

        /* Applied after the inherited profile, so this file's values win. */
        for (size_t k = 0; k < _MC_KEY_COUNT; k++) {
                const struct mc_key_info *ki = &key_table[k];
                for (const struct mc_setting *s = &ps.settings[k]; s && s->value; s = s->next) {
                        r = ki->repeatable
                                    ? setting_add(&l->profile->settings[k], ki, s->value, s->file, s->line)
                                    : setting_replace(&l->profile->settings[k], s->value, s->file, s->line);
                        if (r < 0)
                                return mc_error_errno(err, ENOMEM, "load profile '%s'", path);
                }
        }
        return 0;
}

int mc_profile_load(const char *name, const struct mc_profile_env *env, struct mc_profile *ret,
                    struct mc_error *err)
{
        _cleanup_(mc_profile_free) struct mc_profile p = {};
        _cleanup_free_ char *path = NULL;

        int r = mc_profile_find(name, env, &path, err);
        if (r < 0)
                return r;
        p.name = strdup(name);
        if (!p.name)
                return mc_error_errno(err, ENOMEM, "load profile '%s'", name);

        struct loader l = { .env = env, .profile = &p };
        r = load_file(&l, path, name, NULL, 0, err);
        if (r < 0)
                return r;
        p.path = TAKE_PTR(path);
        *ret = p;
        mc_profile_init(&p);
        return 0;
}
