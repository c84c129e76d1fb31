/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What the four parts of the profile code share and nothing else uses:
 * profile-keys.c (the key table and validation), profile-path.c (the search
 * path), profile-ini.c (the inih adapter and the settings of struct
 * mc_profile it fills) and profile-load.c (inherit and merging).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "profile.h"

/* A profile name must leave room for ".ini" within NAME_MAX. */
#define MC_PROFILE_NAME_MAX (255 - 4)
#define MC_PROFILE_NAME_FORMS \
        "use letters, digits, '-', '_' and '.', not starting with '.', or a path containing '/'"

/* profile-keys.c */

/* A profile name searched for on the path: letters, digits, '-', '_', '.', not starting with '.'. */
bool mc_profile_name_is_valid(const char *s);
/* The key section/name, with "unknown section", "unknown key" or "outside of any section" errors. */
int mc_profile_lookup_key(const char *section, const char *name, const struct mc_key_info **ret,
                          struct mc_error *err);
/* Checks a value for its key; the message names value and key. env may be NULL. */
int mc_profile_validate_value(const struct mc_key_info *ki, const char *value,
                              const struct mc_profile_env *env, struct mc_error *err);

/* profile-ini.c: the values of struct mc_profile, made by the parser and merged by the loader */

/* Sets s to copies of value and file, keeping s->next; -ENOMEM leaves s as it was. */
int mc_setting_replace(struct mc_setting *s, const char *value, const char *file, unsigned line);
/* How much of a repeatable value names it: "NAME" of "NAME=VALUE". */
size_t mc_setting_identity_len(const struct mc_key_info *ki, const char *value);
/* The value of a repeatable key with the same identity as value, or NULL. */
struct mc_setting *mc_setting_find(struct mc_setting *head, const struct mc_key_info *ki, const char *value);
/* Adds a value of a repeatable key: replaces the one with the same identity, else appends. */
int mc_setting_add(struct mc_setting *head, const struct mc_key_info *ki, const char *value,
                   const char *file, unsigned line);
/* Frees every value of settings and zeroes them. */
void mc_settings_free(struct mc_setting settings[_MC_KEY_COUNT]);

/* profile-ini.c: the parser */

/*
 * Reads one profile file from f into settings (zeroed by the caller, freed
 * with mc_settings_free() on success and failure alike): its own values,
 * before inheritance. Errors carry "path:line: ".
 */
int mc_profile_parse_file(const char *path, FILE *f, const struct mc_profile_env *env,
                          struct mc_setting settings[_MC_KEY_COUNT], struct mc_error *err);
