/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Profiles: INI files (inih) whose keys are named after the kernel files they
 * set. A profile is found on a search path, may inherit another profile, and
 * remembers for every value the file:line it came from.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Every key a profile may set. profile-keys.c holds the one table describing them. */
enum mc_key {
        MC_KEY_PROFILE_DESCRIPTION,
        MC_KEY_PROFILE_INHERIT,
        MC_KEY_MEMORY_MAX,
        MC_KEY_MEMORY_HIGH,
        MC_KEY_MEMORY_LOW,
        MC_KEY_MEMORY_MIN,
        MC_KEY_MEMORY_SWAP_MAX,
        MC_KEY_MEMORY_SWAP_HIGH,
        MC_KEY_MEMORY_ZSWAP_MAX,
        MC_KEY_MEMORY_OOM_GROUP,
        MC_KEY_CGROUP_PARENT,
        MC_KEY_CGROUP_SLICE,
        /* [run]: who the command runs as and what it starts with (credentials.h) */
        MC_KEY_RUN_USER,
        MC_KEY_RUN_GROUP,
        MC_KEY_RUN_GROUPS,
        MC_KEY_RUN_CAPABILITIES,
        MC_KEY_RUN_NO_NEW_PRIVS,
        MC_KEY_RUN_CWD,
        MC_KEY_RUN_UMASK,
        MC_KEY_RUN_ENV,
        MC_KEY_RUN_ENV_KEEP,
        MC_KEY_RUN_NICE,
        MC_KEY_RUN_OOM_SCORE_ADJ,
        MC_KEY_RUN_RLIMIT_MEMLOCK,
        MC_KEY_RUN_RLIMIT_AS,
        MC_KEY_RUN_RLIMIT_DATA,
        MC_KEY_RUN_ALLOW_ROOT,
        /* [hugetlb]: <size>.max, <size>.rsvd.max, <size>.reserve for each size of mc_hugetlb_size_names. */
        MC_KEY_HUGETLB_64KB_MAX,
        MC_KEY_HUGETLB_64KB_RSVD_MAX,
        MC_KEY_HUGETLB_64KB_RESERVE,
        MC_KEY_HUGETLB_2MB_MAX,
        MC_KEY_HUGETLB_2MB_RSVD_MAX,
        MC_KEY_HUGETLB_2MB_RESERVE,
        MC_KEY_HUGETLB_16MB_MAX,
        MC_KEY_HUGETLB_16MB_RSVD_MAX,
        MC_KEY_HUGETLB_16MB_RESERVE,
        MC_KEY_HUGETLB_32MB_MAX,
        MC_KEY_HUGETLB_32MB_RSVD_MAX,
        MC_KEY_HUGETLB_32MB_RESERVE,
        MC_KEY_HUGETLB_512MB_MAX,
        MC_KEY_HUGETLB_512MB_RSVD_MAX,
        MC_KEY_HUGETLB_512MB_RESERVE,
        MC_KEY_HUGETLB_1GB_MAX,
        MC_KEY_HUGETLB_1GB_RSVD_MAX,
        MC_KEY_HUGETLB_1GB_RESERVE,
        MC_KEY_REPORT_INTERVAL,
        /* [pressure]: PSI triggers on the group's memory.pressure */
        MC_KEY_PRESSURE_SOME,
        MC_KEY_PRESSURE_FULL,
        MC_KEY_PRESSURE_KILL,       /* the kill rule: KIND STALL/WINDOW for DURATION */
        MC_KEY_PRESSURE_KILL_GRACE, /* SIGTERM to cgroup.kill */
        _MC_KEY_COUNT,
};

enum mc_value_type {
        MC_VALUE_STRING,      /* free text */
        MC_VALUE_SIZE,        /* mc_size_parse() */
        MC_VALUE_BOOL,        /* 0/1, yes/no, true/false, on/off */
        MC_VALUE_PROFILE,     /* a profile name or path */
        MC_VALUE_CGROUP_PATH, /* a relative cgroup path, each component a valid name */
        MC_VALUE_USER,        /* a user name or numeric uid (resolved when the command starts) */
        MC_VALUE_GROUP,       /* a group name or numeric gid */
        MC_VALUE_GROUP_LIST,  /* groups separated by commas and/or blanks, may be empty */
        MC_VALUE_CAPS,        /* capability names (CAP_IPC_LOCK), as MC_VALUE_GROUP_LIST */
        MC_VALUE_ABS_PATH,    /* an absolute path */
        MC_VALUE_UMASK,       /* octal, 0 to 0777 */
        MC_VALUE_ENV,         /* NAME=VALUE; repeatable, one value per NAME */
        MC_VALUE_ENV_NAMES,   /* environment variable names, as MC_VALUE_GROUP_LIST */
        MC_VALUE_INT,         /* a decimal integer from min to max of the key */
        MC_VALUE_RLIMIT,      /* a size (mc_size_parse, no percentages) or infinity */
        MC_VALUE_HUGEPAGES,   /* pages ("2048") or bytes of pages ("4G"): mc_hugetlb_parse_reserve() */
        MC_VALUE_INTERVAL,    /* mc_interval_parse(): 250ms, 1s, 0 */
        MC_VALUE_PRESSURE,    /* a PSI trigger, STALL/WINDOW: mc_pressure_parse_trigger() */
        MC_VALUE_SLICE,       /* a systemd slice unit name: memcage.slice, batch-ci.slice */
        MC_VALUE_KILL_RULE,   /* KIND STALL/WINDOW for DURATION: mc_pressure_kill_parse_rule() */
        MC_VALUE_DURATION,    /* mc_duration_parse(): 10s, 500ms, 0s */
};

struct mc_key_info {
        enum mc_key key;
        const char *section; /* "memory" */
        const char *name;    /* "swap.max" */
        enum mc_value_type type;
        const char *kernel_file; /* "memory.swap.max", or NULL when not a kernel file */
        long min, max;           /* MC_VALUE_INT: the accepted range */
        bool repeatable;         /* each line adds a value (struct mc_setting.next) */
};

/* The table entry for a key; never NULL for a valid key. */
const struct mc_key_info *mc_key_info(enum mc_key key);
/* The entry for section/name, NULL when unknown. */
const struct mc_key_info *mc_key_lookup(const char *section, const char *name);
/*
 * The [hugetlb] key "<size>.<what>" (what: "max", "rsvd.max", "reserve"),
 * or NULL when size is not one the key table lists.
 */
const struct mc_key_info *mc_hugetlb_key(const char *size, const char *what);
/* True when the section exists (so the error can say "unknown key" vs "unknown section"). */
bool mc_section_known(const char *section);

/* The booleans of MC_VALUE_BOOL: 1/0, yes/no, true/false, on/off (any case); -EINVAL otherwise. */
int mc_profile_parse_bool(const char *s, bool *ret);

/* The parsers behind the value types, for the code that applies the values; -EINVAL when invalid. */
/* Splits a list on commas and blanks, skipping empty items; *ret NULL-terminated (mc_strv_free). */
int mc_profile_split_list(const char *s, char ***ret);
int mc_profile_parse_int(const char *s, long min, long max, long *ret);
int mc_profile_parse_umask(const char *s, unsigned *ret);
/* A size or infinity/unlimited/max; *ret is UINT64_MAX for no limit. */
int mc_profile_parse_rlimit(const char *s, uint64_t *ret);

/*
 * One value and where it was set. A repeatable key keeps its further values
 * in next, in the order set; a value whose identity (for MC_VALUE_ENV the
 * NAME before '=') matches an earlier one replaces it in place, so a profile
 * overrides what it inherits one NAME at a time.
 */
struct mc_setting {
        char *value;   /* NULL when unset */
        char *file;    /* where it was set: a path, or "command line" */
        unsigned line; /* 0 when not from a file */
        struct mc_setting *next;
};

struct mc_profile {
        char *name; /* as requested: "db" or "./x.ini"; NULL for no profile */
        char *path; /* the file that was loaded for name */
        struct mc_setting settings[_MC_KEY_COUNT];
        char **chain; /* NULL-terminated list of files loaded, the requested one first */
};

/* Where profiles are looked for; the CLI fills this from the environment. */
struct mc_profile_env {
        const char *profile_path;    /* $MEMCAGE_PROFILE_PATH, colon separated, may be NULL */
        const char *xdg_config_home; /* $XDG_CONFIG_HOME, may be NULL */
        const char *home;            /* $HOME, may be NULL */
        const char *sysconfdir;      /* $(sysconfdir), e.g. /etc */
        const char *pkgdatadir;      /* $(pkgdatadir), e.g. /usr/share/memcage: the shipped profiles */
        bool check_owner;            /* refuse symlinks, non-root owners, group/other writable (root runs) */
        /*
         * Check the directories from / down to each profile and the file: owned by
         * root or the effective uid, not writable by group or other
         * (a sticky directory may be). The CLI sets it for every run.
         */
        bool check_trust;
        uint64_t ram_bytes; /* to validate percentage sizes */
};

/*
 * The directories searched, in order (NULL-terminated, caller frees with
 * mc_strv_free): each non-empty entry of profile_path, then
 * xdg_config_home/memcage/profiles (home/.config/memcage/profiles when
 * xdg_config_home is unset, empty or relative; nothing when home is unset
 * too), then sysconfdir/memcage/profiles (SYSCONFDIR when sysconfdir is NULL),
 * then pkgdatadir/profiles (PKGDATADIR when pkgdatadir is NULL): the profiles
 * memcage ships are vendor defaults there, which a file of the same name in
 * the administrator's sysconfdir/memcage/profiles overrides.
 */
int mc_profile_search_dirs(const struct mc_profile_env *env, char ***ret, struct mc_error *err);

/*
 * Finds the file of a profile: a name containing '/' is a path used as is;
 * otherwise NAME.ini is looked for in each search directory, first match wins.
 * Such a name is letters, digits, '-', '_' and '.', not starting with '.'
 * (-EINVAL otherwise); -ENOENT names the directories searched.
 */
int mc_profile_find(const char *name, const struct mc_profile_env *env, char **ret_path,
                    struct mc_error *err);

/*
 * Loads a profile with everything it inherits. Errors carry "file:line: ..."
 * (unknown section or key, bad value, duplicate key, syntax, line too long),
 * inheritance cycles ("inherit cycle: a -> b -> a"), and refused files
 * (ownership, -EPERM). A file's own values override those of the profile it
 * inherits; an inherit value with '/' is relative to the including file.
 * *ret is written only on success.
 */
int mc_profile_load(const char *name, const struct mc_profile_env *env, struct mc_profile *ret,
                    struct mc_error *err);

/* The profile part of a run's default names: "db" for "db", "x" for "./x.ini", "run" for none (NULL). */
char *mc_profile_stem(const char *name);

/* Starts an empty profile (no file), e.g. for a run with only command-line limits. */
void mc_profile_init(struct mc_profile *p);

/*
 * Sets one value after validation, replacing any previous one and recording
 * where it came from. Used for command-line overrides (file = "command line"
 * or NULL, line = 0). Errors start with "file:line: " only when line > 0.
 */
int mc_profile_set(struct mc_profile *p, const char *section, const char *key, const char *value,
                   const char *file, unsigned line, const struct mc_profile_env *env, struct mc_error *err);

/* Safe on a zeroed, init'd or freed profile; leaves it init'd. */
void mc_profile_free(struct mc_profile *p);
