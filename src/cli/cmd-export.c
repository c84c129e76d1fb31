/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage export: a profile in another engine's format, and what does not carry over. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"
#include "profile.h"
#include "util.h"

/* --strict: something did not carry over. */
#define MC_EXIT_EXPORT_INCOMPLETE MC_EXIT_NEGATIVE

static void usage(void)
{
        printf("Usage: memcage export --to ENGINE [OPTIONS] [-p] PROFILE [-- COMMAND [ARG]...]\n"
               "\n"
               "Print PROFILE, resolved for this host (percentages of RAM become bytes), in\n"
               "the format of ENGINE on stdout, and one warning on stderr for every key\n"
               "ENGINE cannot express. Limits are rounded down, never exported larger.\n"
               "\n"
               "Engines:\n"
               "  systemd     a unit drop-in ([Service], or [Scope] with --scope)\n"
               "  oci         a runtime-spec config.json fragment (JSON)\n"
               "  kubernetes  a container's resources and securityContext, or a Job (JSON)\n"
               "  slurm       #SBATCH lines and the cgroup.conf settings they need\n"
               "  nomad       a task's resources block\n"
               "\n"
               "Options:\n"
               "  -t, --to ENGINE     the engine to export for\n"
               "  -p, --profile NAME  the profile: NAME.ini on the search path, or a file\n"
               "                      when NAME contains '/'\n"
               "      --strict        exit 1 when anything could not be expressed\n"
               "      --scope         systemd: a [Scope] drop-in instead of [Service]\n"
               "      --command       kubernetes: a complete Job running COMMAND\n"
               "      --image IMAGE   kubernetes: the Job's container image (with --command)\n"
               "      --name NAME     kubernetes: the Job's and container's name\n"
               "                      (default: the profile's name)\n"
               "  -h, --help          show this help and exit\n"
               "\n"
               "Exit status: 0 when exported, 1 with --strict when something did not carry\n"
               "over, 125 when the profile cannot be loaded or exported, or on bad usage.\n"
               "See memcage-export(1) for each engine's mapping.\n");
}

static int compare_warnings(const void *a, const void *b)
{
        const struct mc_export_warning *x = a, *y = b;
        return (x->key > y->key) - (x->key < y->key);
}

/*
 * "PROFILE:LINE: [memory] high = 32M: reason", one line a warning, in the order of the key table.
 * Returns how many keys have one: a key may have two ([run] user: itself and the no_new_privs it implies).
 */
static size_t print_warnings(const struct mc_profile *p, struct mc_export_result *r)
{
        size_t keys = 0;

        if (r->n_warnings > 1)
                qsort(r->warnings, r->n_warnings, sizeof(*r->warnings), compare_warnings);
        for (size_t i = 0; i < r->n_warnings; i++) {
                if (i == 0 || r->warnings[i].key != r->warnings[i - 1].key)
                        keys++;
                const struct mc_export_warning *w = &r->warnings[i];
                const struct mc_key_info *ki = mc_key_info(w->key);
                const struct mc_setting *s = &p->settings[w->key];
                /* cli_error(): one write a line, and a profile's control characters escaped. */
                cli_error("export: %s:%u: [%s] %s = %s: %s", s->file ? s->file : p->path, s->line,
                          ki->section, ki->name, s->value ? s->value : "", w->reason);
        }
        return keys;
}

int cmd_export(int argc, char **argv)
{
        enum { OPT_STRICT = 0x100, OPT_SCOPE, OPT_COMMAND, OPT_NAME, OPT_IMAGE };
        static const struct option options[] = {
                { "to", required_argument, NULL, 't' },
                { "profile", required_argument, NULL, 'p' },
                { "strict", no_argument, NULL, OPT_STRICT },
                { "scope", no_argument, NULL, OPT_SCOPE },
                { "command", no_argument, NULL, OPT_COMMAND },
                { "name", required_argument, NULL, OPT_NAME },
                { "image", required_argument, NULL, OPT_IMAGE },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *name = NULL, *to = NULL, *job_name = NULL, *image = NULL;
        bool strict = false, scope = false, command = false;
        enum mc_export_engine engine;
        int c;

        /* '+': the command after the profile keeps its own options. */
        while ((c = getopt_long(argc, argv, "+t:p:h", options, NULL)) >= 0) {
                switch (c) {
                case 't':
                        to = optarg;
                        break;
                case 'p':
                        name = optarg;
                        break;
                case OPT_STRICT:
                        strict = true;
                        break;
                case OPT_SCOPE:
                        scope = true;
                        break;
                case OPT_COMMAND:
                        command = true;
                        break;
                case OPT_NAME:
                        job_name = optarg;
                        break;
                case OPT_IMAGE:
                        image = optarg;
                        break;
                case 'h':
                        usage();
                        return MC_EXIT_OK;
                default:
                        cli_usage_hint("export");
                        return MC_EXIT_USAGE;
                }
        }
        if (!to) {
                cli_error("export: no engine given (--to systemd, oci, kubernetes, slurm or nomad)");
                cli_usage_hint("export");
                return MC_EXIT_USAGE;
        }
        if (mc_export_engine_parse(to, &engine) < 0) {
                cli_error("export: unknown engine '%s' (systemd, oci, kubernetes, slurm, nomad)", to);
                cli_usage_hint("export");
                return MC_EXIT_USAGE;
        }
        if (!name && optind < argc)
                name = argv[optind++];
        if (optind < argc && streq(argv[optind], "--"))
                optind++;
        if (!name) {
                cli_error("export: no profile given");
                cli_usage_hint("export");
                return MC_EXIT_USAGE;
        }
        if (command != (optind < argc) || (command && engine != MC_EXPORT_KUBERNETES)) {
                if (command && engine != MC_EXPORT_KUBERNETES)
                        cli_error("export: --command is for --to kubernetes");
                else if (command)
                        cli_error("export: --command needs the command after the profile");
                else
                        cli_error("export: one profile at a time, got '%s' too", argv[optind]);
                cli_usage_hint("export");
                return MC_EXIT_USAGE;
        }
        if (scope && engine != MC_EXPORT_SYSTEMD) {
                cli_error("export: --scope is for --to systemd");
                cli_usage_hint("export");
                return MC_EXIT_USAGE;
        }
        if ((job_name || image) && !command) {
                cli_error("export: --%s is for --to kubernetes --command", job_name ? "name" : "image");
                cli_usage_hint("export");
                return MC_EXIT_USAGE;
        }
        if (command && !image) {
                cli_error("export: a Job needs the image to run COMMAND in (--image)");
                cli_usage_hint("export");
                return MC_EXIT_USAGE;
        }

        struct mc_profile_env env;
        _cleanup_(mc_profile_free) struct mc_profile p = {};
        _cleanup_(mc_export_result_free) struct mc_export_result result = {};
        struct mc_export_input in;
        struct mc_error err = { 0 };
        long page = sysconf(_SC_PAGESIZE);

        cli_profile_env(&env);
        if (mc_profile_load(name, &env, &p, &err) < 0) {
                cli_error("export: %s", err.msg);
                return MC_EXIT_MEMCAGE;
        }
        if (mc_export_input_init(&p, env.ram_bytes, page > 0 ? (uint64_t)page : 4096, &in, &err) < 0) {
                cli_error("export: %s", err.msg);
                return MC_EXIT_MEMCAGE;
        }
        in.systemd_scope = scope;
        in.command = command ? argv + optind : NULL;
        in.job_name = job_name;
        in.image = image;
        if (mc_export_render(&in, engine, stdout, &result, &err) < 0) {
                cli_error("export: %s: %s", p.path, err.msg);
                return MC_EXIT_MEMCAGE;
        }
        for (size_t i = 0; i < result.n_notes; i++)
                cli_error("export: note: %s", result.notes[i]);
        size_t keys = print_warnings(&p, &result);
        if (strict && keys > 0) {
                cli_error("export: %zu key%s of %s did not carry over to %s (--strict)", keys,
                          keys == 1 ? "" : "s", p.name, mc_export_engine_name(engine));
                return MC_EXIT_EXPORT_INCOMPLETE;
        }
        return MC_EXIT_OK;
}
