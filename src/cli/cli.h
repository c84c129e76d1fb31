/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The command-line layer: the only code that prints. */

#include <stdbool.h>
#include <stdio.h>

#include "profile.h"

/*
 * Exit statuses, one scheme for every command (memcage(1), EXIT STATUS). A
 * run returns the command's own status, so memcage's own failure takes a
 * number a command rarely uses, as the wrappers timeout(1) and env(1) do;
 * the other commands use the same number for the same failure, so that a
 * script tells "memcage could not" from "the answer is no" the same way
 * whatever it runs.
 */
#define MC_EXIT_OK 0
/* The answer is no: check found a profile that does not load, export --strict lost a key. */
#define MC_EXIT_NEGATIVE 1
/* memcage failed: bad usage, a missing or invalid profile or report, a file it cannot read or write. */
#define MC_EXIT_MEMCAGE 125
/* A bad option, operand or command: memcage's own failure too, in every command. */
#define MC_EXIT_USAGE       MC_EXIT_MEMCAGE
#define MC_EXIT_CANNOT_EXEC 126
#define MC_EXIT_NOT_FOUND   127

/* The parent group of memcage's groups under the cgroup2 root, unless a profile or option says otherwise. */
#define MC_DEFAULT_PARENT "memcage"

int cmd_run(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_size(int argc, char **argv);
int cmd_step(int argc, char **argv);

/* Where profiles are looked for, from the environment, as every command looks: see src/cli/cli-profile.c. */
void cli_profile_env(struct mc_profile_env *ret);

/*
 * A variable of the caller's environment that steers memcage itself
 * (MEMCAGE_PROFILE_PATH, XDG_CONFIG_HOME, HOME, MEMCAGE_CGROUP_BACKEND,
 * MEMCAGE_SPAWN), or NULL when memcage runs with more authority than its
 * caller: under sudo (SUDO_UID set) or set-id (real and effective ids
 * differ). Root's profiles and choices then come from root's files alone,
 * as sudo's env_reset keeps the caller's environment out of root's hands.
 */
const char *cli_getenv(const char *name);

/*
 * The parents ps and gc look at: the one named (--parent), or every group
 * holding memcage's groups wherever placement put them (root sees all, a
 * user their own). Opens the root; NULL-terminated list, NULL for none.
 * Reports a failure itself and returns the exit status for it, else 0.
 */
int cli_parents(const char *command, const char *parent, char **ret_root_path, int *ret_root_fd,
                char ***ret_parents);

struct json_t;
/*
 * Prints a JSON document on stdout (indented, newline-terminated, ASCII with
 * \u escapes); reports a failure once, -EIO.
 */
int cli_print_json(const struct json_t *j, const char *command);
/* A JSON string of s, or of s escaped (mc_escape_text()) when s is not UTF-8; NULL when out of memory. */
struct json_t *cli_json_text(const char *s);

/*
 * "memcage: COMMAND: message" (a warning: "memcage: COMMAND: warning:
 * message") and a newline, in one write on stderr; COMMAND is the command
 * running, added unless the message starts with it already, and left out
 * before one is chosen.
 */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "Try 'memcage COMMAND --help' for more information." and returns MC_EXIT_MEMCAGE. */
int cli_usage_hint(const char *command);
/* For a command that takes no operands: reports argv[optind] and the hint, -EINVAL; 0 when none is left. */
int cli_refuse_arguments(const char *command, int argc, char **argv);

/* An option of a command whose options only set a flag or take a value. */
struct cli_option {
        const char *name;   /* the long name */
        char short_name;    /* 0 for none */
        bool *flag;         /* set by an option without a value */
        const char **value; /* set to the option's value, for one that takes it */
};
/*
 * Parses the options of such a command up to its operands (optind), -h and
 * --help included (usage() on stdout). Returns -1 to go on, or the status to
 * exit with: MC_EXIT_OK after --help, MC_EXIT_USAGE after an option that is
 * not one of opts (terminated by a NULL name) or lacks its value.
 */
int cli_parse_options(const char *command, int argc, char **argv, const struct cli_option *opts,
                      void (*usage)(void));

/* memcage report, and the renderings of `memcage run` (src/cli/cli-render.c). */
#define MC_EXIT_FAIL_ON         123 /* the command succeeded but a --fail-on condition was met */
#define MC_EXIT_PRESSURE_KILLED 124 /* the pressure kill rule ended the run (as timeout(1) does) */
int cmd_report(int argc, char **argv);

enum cli_format {
        CLI_FORMAT_TEXT,
        CLI_FORMAT_JSON,
        CLI_FORMAT_SVG,
        CLI_FORMAT_GITHUB,
        CLI_FORMAT_JUNIT,
        CLI_FORMAT_OPENMETRICS,
};
/*
 * --color=WHEN, of memcage itself and of the commands that render the text
 * report (report, run): auto, always or never, for the rest of the process.
 * A bad WHEN is reported with the hint for command (NULL: memcage's own
 * option); returns 0 or -EINVAL.
 */
int cli_color_option(const char *command, const char *when);
/*
 * Whether text for fd (-1: a file) is coloured: as --color says, or by
 * default when fd is a terminal and NO_COLOR is unset or empty.
 */
bool cli_color_wanted(int fd);

/* "text", "json", "svg", "github", "junit", "openmetrics"; -EINVAL for anything else. */
int cli_format_parse(const char *s, enum cli_format *ret);
struct mc_output;
struct mc_output_opts;
/*
 * The options of an output (output.h) whose "-" is dash_fd; as root under
 * sudo (real and effective uid 0, SUDO_UID and SUDO_GID numbers), the
 * invoking user to give new files to.
 */
void cli_output_opts(int dash_fd, struct mc_output_opts *ret);
/*
 * Renders a report to out (opened by mc_output_open()), or to stream when
 * out is NULL (colour for text as cli_color_wanted() says). A reader of a
 * stream that went away (EPIPE) is a warning. Reports a failure itself,
 * once; returns 0 or a negative errno.
 */
int cli_render(const struct json_t *report, enum cli_format format, struct mc_output *out, FILE *stream,
               const char *command);
/* Writes rendered text as cli_render() does: to out, or to stream when out is NULL. */
int cli_write_text(const char *text, struct mc_output *out, FILE *stream, const char *command);
/*
 * In a GitHub Actions job ($GITHUB_STEP_SUMMARY names a file: under sudo,
 * one of the invoking user's), appends the report's job summary in Markdown
 * to that file; else nothing. Reports a failure itself; returns 0 or a
 * negative errno.
 */
int cli_github_step_summary(const struct json_t *report, const char *command);
