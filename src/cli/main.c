/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-backend.h"
#include "cli.h"
#include "escape.h"
#include "util.h"

struct command {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
};

static const struct command commands[] = {
        { "run", cmd_run, "run a command in a new cgroup under a profile's memory limits" },
        { "profiles", cmd_profiles, "list the profiles on the search path and which shadow which" },
        { "show", cmd_show, "show a resolved profile with the file:line of every value" },
        { "check", cmd_check, "validate profiles and warn about risky settings" },
        { "ps", cmd_ps, "list the groups memcage runs now: memory, limits, pressure, OOM kills" },
        { "gc", cmd_gc, "remove the groups of launchers that died" },
        { "report", cmd_report, "render a run's JSON report as text, an SVG chart or CI annotations" },
        { "size", cmd_size,
          "find the smallest memory limits a repeatable command runs at, with the evidence" },
        { "export", cmd_export, "print a profile as systemd, OCI, Kubernetes, Slurm or Nomad settings" },
        { "step", cmd_step, "start a named step of the run this command is part of" },
};

/* The command running, named by every message it gives; NULL before one is chosen. */
static const char *current_command;

/*
 * "memcage: COMMAND: [warning: ]message", whichever part of memcage said it:
 * a message written with its command's name in front keeps the name once.
 * One write() per message: stderr is unbuffered, and launchers running side
 * by side (a CI matrix, a shell loop) must not interleave their lines.
 */
static void vreport(const char *what, const char *fmt, va_list ap)
{
        char msg[4096], shown[4096];
        const char *text = shown;
        vsnprintf(msg, sizeof(msg), fmt, ap);
        /* Messages quote file names, commands and kernel text: a terminal must not act on any of it. */
        mc_escape_text(msg, shown, sizeof(shown));
        if (current_command) {
                size_t k = strlen(current_command);
                if (strncmp(shown, current_command, k) == 0 && shown[k] == ':' && shown[k + 1] == ' ')
                        text += k + 2;
        }
        fprintf(stderr, "memcage: %s%s%s%s\n", current_command ? current_command : "",
                current_command ? ": " : "", what ? what : "", text);
}

void cli_error(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vreport(NULL, fmt, ap);
        va_end(ap);
}

void cli_warning(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vreport("warning: ", fmt, ap);
        va_end(ap);
}

json_t *cli_json_text(const char *s)
{
        json_t *j = json_string(s);
        if (j)
                return j;
        /* Not UTF-8 (a group's name is any bytes but '/'): what a terminal would be shown. */
        _cleanup_free_ char *shown = mc_escape_text_dup(s);
        return shown ? json_string(shown) : NULL;
}

int cli_print_json(const struct json_t *j, const char *command)
{
        /*
         * stdout is buffered: only the flush tells whether the document reached its reader.
         * ASCII only: jansson writes C0 controls as \u escapes but DEL and the C1 controls
         * (the 8-bit CSI) as they are, and the strings hold names other users chose.
         */
        if (json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII) < 0 ||
            putchar('\n') == EOF || fflush(stdout) == EOF) {
                cli_error("%s: cannot write JSON", command);
                return -EIO;
        }
        return 0;
}

int cli_usage_hint(const char *command)
{
        fprintf(stderr, "Try 'memcage%s%s --help' for more information.\n", command ? " " : "",
                command ? command : "");
        return MC_EXIT_MEMCAGE;
}

int cli_refuse_arguments(const char *command, int argc, char **argv)
{
        if (optind >= argc)
                return 0;
        cli_error("%s: unexpected argument '%s'", command, argv[optind]);
        cli_usage_hint(command);
        return -EINVAL;
}

/* What getopt_long() returns for opts[i]: its short name, or 0x100 + i for one without. */
static int option_val(const struct cli_option *opts, size_t i)
{
        return opts[i].short_name ? opts[i].short_name : 0x100 + (int)i;
}

int cli_parse_options(const char *command, int argc, char **argv, const struct cli_option *opts,
                      void (*usage)(void))
{
        struct option longopts[16 + 2] = { { "help", no_argument, NULL, 'h' } };
        char shortopts[2 * 16 + 2] = "", *s = shortopts;
        size_t n = 0;
        int c;

        for (; opts[n].name; n++) {
                assert(n < 16);
                bool has_value = opts[n].value;
                longopts[n + 1] = (struct option){ .name = opts[n].name,
                                                   .has_arg = has_value ? required_argument : no_argument,
                                                   .val = option_val(opts, n) };
                if (opts[n].short_name) {
                        *s++ = opts[n].short_name;
                        if (has_value)
                                *s++ = ':';
                }
        }
        *s++ = 'h';
        while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) >= 0) {
                if (c == 'h') {
                        usage();
                        return MC_EXIT_OK;
                }
                size_t i = 0;
                while (i < n && c != option_val(opts, i))
                        i++;
                if (i == n) {
                        cli_usage_hint(command);
                        return MC_EXIT_USAGE;
                }
                if (opts[i].value)
                        *opts[i].value = optarg;
                else
                        *opts[i].flag = true;
        }
        return -1;
}

/*
 * The version, then what this build holds, one line each so that a script can
 * grep for a line: the placements and guards built in (+NAME, or -NAME when
 * left out), the cgroup backends and how the libraries are linked.
 */
static void version(void)
{
        printf("memcage %s\n", PACKAGE_VERSION);
#ifdef MC_WITH_SYSTEMD_SCOPE
        printf("+systemd\n");
#else
        printf("-systemd\n");
#endif
#ifdef HAVE_SECCOMP
        printf("+seccomp\n");
#else
        printf("-seccomp\n");
#endif
#ifdef MC_CRASH_POINTS
        /* A test build: its environment can stop it (include/crash-point.h). */
        printf("+crash-points\n");
#endif
        printf("cgroup-backend=libcgroup %s (default), direct\n", MC_LIBCGROUP_VERSION);
#ifdef MC_STATIC_DEPS
        printf("libraries=static\n");
#else
        printf("libraries=shared\n");
#endif
}

static void usage(void)
{
        printf("Usage: memcage COMMAND [OPTIONS]...\n"
               "\n"
               "Run commands under cgroup v2 memory limits and report what the kernel did.\n"
               "\n"
               "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                printf("  %-10s %s\n", commands[i].name, commands[i].summary);
        printf("\n"
               "Options:\n"
               "  -h, --help     show this help and exit\n"
               "  -V, --version  show the version and the build's features and exit\n"
               "      --color WHEN\n"
               "                 colour the text report: auto (a terminal, and NO_COLOR\n"
               "                 unset or empty), always or never\n"
               "\n"
               "'memcage COMMAND --help' describes a command; see memcage(1) and memcage.profile(5).\n");
}

int main(int argc, char **argv)
{
        enum { OPT_COLOR = 0x100 };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                { "color", required_argument, NULL, OPT_COLOR },
                {},
        };
        /*
         * getopt's messages name the program by argv[0]: "memcage: " and the
         * command, as every other message, not the path memcage was run by.
         */
        static char command_prog[64];
        int c;

        argv[0] = (char *)"memcage";
        /* '+': options after the command belong to the command. */
        while ((c = getopt_long(argc, argv, "+hV", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        usage();
                        return MC_EXIT_OK;
                case 'V':
                        version();
                        return MC_EXIT_OK;
                case OPT_COLOR:
                        if (cli_color_option(NULL, optarg) < 0)
                                return MC_EXIT_USAGE;
                        break;
                default:
                        return cli_usage_hint(NULL);
                }
        }
        if (optind >= argc) {
                cli_error("no command given");
                return cli_usage_hint(NULL);
        }
        mc_cgroup_backend_choose(cli_getenv("MEMCAGE_CGROUP_BACKEND"));
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(argv[optind], commands[i].name)) {
                        argv += optind;
                        argc -= optind;
                        optind = 0; /* restart getopt for the command's own options */
                        current_command = commands[i].name;
                        snprintf(command_prog, sizeof(command_prog), "memcage: %s", commands[i].name);
                        argv[0] = command_prog;
                        return commands[i].run(argc, argv);
                }
        cli_error("unknown command '%s'", argv[optind]);
        return cli_usage_hint(NULL);
}
