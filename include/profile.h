/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Profiles: INI files (inih) whose keys are named after the kernel files they
 * set. A profile is found on a search path, may inherit another profile, and
 * remembers for every value the file:line it came from.
 */

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* Every key a profile may set. profile.c holds the one table describing them. */
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
        /* [pressure]: PSI triggers on the group's memory.pressure */
        MC_KEY_PRESSURE_SOME,
        MC_KEY_PRESSURE_FULL,
        _MC_KEY_COUNT,
};

enum mc_value_type {
        MC_VALUE_STRING,      /* free text */
        MC_VALUE_SIZE,        /* mc_size_parse() */
        MC_VALUE_BOOL,        /* 0/1, yes/no, true/false, on/off */
        MC_VALUE_PROFILE,     /* a profile name or path */
        MC_VALUE_CGROUP_PATH, /* a relative cgroup path, each component a valid name */
        MC_VALUE_PRESSURE,    /* a PSI trigger, STALL/WINDOW: mc_pressure_parse_trigger() */
};

struct mc_key_info {
        enum mc_key key;
        const char *section; /* "memory" */
        const char *name;    /* "swap.max" */
        enum mc_value_type type;
        const char *kernel_file; /* "memory.swap.max", or NULL when not a kernel file */
};

/* The table entry for a key; never NULL for a valid key. */
const struct mc_key_info *mc_key_info(enum mc_key key);
/* The entry for section/name, NULL when unknown. */
const struct mc_key_info *mc_key_lookup(const char *section, const char *name);
/* True when the section exists (so the error can say "unknown key" vs "unknown section"). */
bool mc_section_known(const char *section);

/* The booleans of MC_VALUE_BOOL: 1/0, yes/no, true/false, on/off (any case); -EINVAL otherwise. */
int mc_profile_parse_bool(const char *s, bool *ret);

struct mc_setting {
        char *value;   /* NULL when unset */
        char *file;    /* where it was set: a path, or "command line" */
        unsigned line; /* 0 when not from a file */
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
        bool check_owner;            /* refuse symlinks, non-root owners, group/other writable (root runs) */
        uint64_t ram_bytes;          /* to validate percentage sizes */
};

/*
 * The directories searched, in order (NULL-terminated, caller frees with
 * mc_strv_free): each non-empty entry of profile_path, then
 * xdg_config_home/memcage/profiles (home/.config/memcage/profiles when
 * xdg_config_home is unset, empty or relative; nothing when home is unset
 * too), then sysconfdir/memcage/profiles (SYSCONFDIR when sysconfdir is NULL).
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
