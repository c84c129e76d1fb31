/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The command-line layer: the only code that prints. */

#include <stdio.h>

#include "profile.h"

/* Exit statuses of memcage itself; a run otherwise returns the command's own. */
#define MC_EXIT_OK          0
#define MC_EXIT_MEMCAGE     125 /* memcage failed (bad usage, profile, cgroup, ...) */
#define MC_EXIT_CANNOT_EXEC 126
#define MC_EXIT_NOT_FOUND   127
/* The operator commands (profiles, show, check): a bad option or argument. */
#define MC_EXIT_USAGE 2

int cmd_run(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_check(int argc, char **argv);

/* Where profiles are looked for, from the environment, as every command looks: see src/cli-profile.c. */
void cli_profile_env(struct mc_profile_env *ret);

struct json_t;
/* Prints a JSON document on stdout (indented, newline-terminated); reports a failure once, -EIO. */
int cli_print_json(const struct json_t *j, const char *command);

/* "memcage: " + message + newline, on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "Try 'memcage COMMAND --help' for more information." and returns MC_EXIT_MEMCAGE. */
int cli_usage_hint(const char *command);
