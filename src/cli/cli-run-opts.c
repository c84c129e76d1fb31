/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage run: its options and their help. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-run.h"
#include "cli.h"
#include "fail-on.h"
#include "util.h"

static void usage(void)
{
        printf("Usage: memcage run [OPTIONS] [--] COMMAND [ARGS]...\n"
               "\n"
               "Run COMMAND in a new cgroup v2 group with the memory limits of a profile,\n"
               "forward signals to it, remove the group afterwards and return its exit status.\n"
               "\n"
               "Options:\n"
               "  -p, --profile NAME     profile to apply: NAME.ini on the search path, or a\n"
               "                         file when NAME contains '/'\n"
               "  -m, --max SIZE         memory.max (hard limit: OOM kill beyond it)\n"
               "      --high SIZE        memory.high (throttling and reclaim above it)\n"
               "      --swap SIZE        memory.swap.max\n"
               "      --set SECTION.KEY=VALUE\n"
               "                         any profile key, e.g. --set memory.oom.group=1\n"
               "      --parent PATH      parent group, relative to the cgroup2 root (default:\n"
               "                         [cgroup] parent, or chosen: a delegated group, a\n"
               "                         systemd scope, or memcage under the root)\n"
               "      --evacuate         in a delegated group that holds other processes,\n"
               "                         move them into a leaf group first\n"
               "      --name NAME        name of the group (default: PROFILE-PID)\n"
               "  -u, --user USER        run COMMAND as USER (name or uid), with its primary\n"
               "                         group and groups unless [run] sets them\n"
               "      --wait-all         after COMMAND exits, wait for the processes it left\n"
               "                         instead of killing them\n"
               "      --report FILE      write the JSON report to FILE (on every exit path)\n"
               "      --interval DURATION\n"
               "                         sample memory for the report every DURATION (250ms,\n"
               "                         1s; default: [report] interval of the profile, or\n"
               "                         100ms); 0 turns sampling off\n"
               "      --step-reclaim     at each step's start (MEMCAGE_STEP), ask the kernel to\n"
               "                         reclaim the group's page cache (memory.reclaim), so\n"
               "                         that the step's peak starts from clean usage\n"
               "      --events FILE      write each memory event to FILE as a JSON line; a\n"
               "                         regular file is replaced when the run ends\n"
               "      --events-append FILE\n"
               "                         the same, appended to FILE as each event happens\n"
               "      --text FILE        write the text report to FILE ('-': stderr)\n"
               "      --color WHEN       colour the text report: auto (default: when written\n"
               "                         to a terminal and NO_COLOR is unset or empty),\n"
               "                         always or never\n"
               "      --plot FILE        write an SVG chart of the run to FILE\n"
               "      --junit FILE       write the run as JUnit XML to FILE (one test case)\n"
               "      --metrics FILE     write the run as Prometheus metrics to FILE (for\n"
               "                         node_exporter's textfile collector)\n"
               "      --github           print GitHub Actions ::error/::warning lines on stdout\n"
               "                         for OOM kills, limits hit and pressure\n"
               "      --fail-on LIST     exit 123 when COMMAND exited 0 but a condition of LIST\n"
               "                         was met: oom, high, max, swap, hugetlb, pressure, any,\n"
               "                         or with --baseline a threshold METRIC+MARGIN:\n"
               "                         peak+10%%, peak+64M, stall+1s, duration+20%%, oom+0\n"
               "      --baseline FILE    compare the run with the report FILE of an earlier run\n"
               "                         (read before the command starts; summary on stderr)\n"
               "      --kill-on-pressure SPEC\n"
               "                         end the run when the group stalls: SPEC is KIND\n"
               "                         STALL/WINDOW for DURATION, e.g. 'full 50%%/2s for 30s'\n"
               "                         (SIGTERM, [pressure] kill_grace, then cgroup.kill)\n"
               "      --fork             start COMMAND with fork + cgroup.procs instead of\n"
               "                         clone3(CLONE_INTO_CGROUP) (also MEMCAGE_SPAWN=fork)\n"
               "  -q, --quiet            print only errors\n"
               "  -h, --help             show this help and exit\n"
               "\n"
               "SIZE: bytes, or a number with K, M, G, T (1024-based, optional B or iB),\n"
               "decimals allowed (1.5G), max, or N%% of physical memory.\n"
               "\n"
               "Exit status: COMMAND's own; 128+N when it was killed by signal N;\n"
               "123 when it exited 0 but a --fail-on condition was met; 124 when the\n"
               "pressure kill rule ended it; 125 when memcage\n"
               "fails; 126 when COMMAND cannot be executed; 127 when it is not found.\n");
}

static int add_override(struct cli_run_opts *o, const char *section, const char *key, const char *value,
                        char *owned)
{
        struct cli_run_override *n = realloc(o->overrides, (o->n_overrides + 1) * sizeof(*n));
        if (!n) {
                free(owned);
                cli_error("out of memory");
                return -ENOMEM;
        }
        o->overrides = n;
        o->overrides[o->n_overrides++] = (struct cli_run_override){ section, key, value, owned };
        return 0;
}

/* --set SECTION.KEY=VALUE: the section ends at the first '.', the key at the first '='. */
static int add_set_override(struct cli_run_opts *o, const char *arg)
{
        char *s = strdup(arg);
        if (!s) {
                cli_error("out of memory");
                return -ENOMEM;
        }
        char *dot = strchr(s, '.'), *eq = strchr(s, '=');
        if (!dot || !eq || dot > eq || dot == s || eq == dot + 1) {
                cli_error("--set '%s': expected SECTION.KEY=VALUE, e.g. memory.max=1G", arg);
                free(s);
                return -EINVAL;
        }
        *dot = '\0';
        *eq = '\0';
        return add_override(o, s, dot + 1, eq + 1, s);
}

void cli_run_opts_done(struct cli_run_opts *o)
{
        for (size_t i = 0; i < o->n_overrides; i++)
                free(o->overrides[i].owned);
        free(o->overrides);
}

int cli_run_parse_args(int argc, char **argv, struct cli_run_opts *o)
{
        enum {
                OPT_HIGH = 0x100,
                OPT_SWAP,
                OPT_SET,
                OPT_PARENT,
                OPT_NAME,
                OPT_WAIT_ALL,
                OPT_REPORT,
                OPT_FORK,
                OPT_INTERVAL,
                OPT_EVENTS,
                OPT_EVENTS_APPEND,
                OPT_TEXT,
                OPT_PLOT,
                OPT_GITHUB,
                OPT_FAIL_ON,
                OPT_EVACUATE,
                OPT_JUNIT,
                OPT_METRICS,
                OPT_BASELINE,
                OPT_KILL_ON_PRESSURE,
                OPT_COLOR,
                OPT_STEP_RECLAIM,
        };
        static const struct option options[] = {
                { "profile", required_argument, NULL, 'p' },
                { "max", required_argument, NULL, 'm' },
                { "high", required_argument, NULL, OPT_HIGH },
                { "swap", required_argument, NULL, OPT_SWAP },
                { "set", required_argument, NULL, OPT_SET },
                { "parent", required_argument, NULL, OPT_PARENT },
                { "name", required_argument, NULL, OPT_NAME },
                { "evacuate", no_argument, NULL, OPT_EVACUATE },
                { "wait-all", no_argument, NULL, OPT_WAIT_ALL },
                { "report", required_argument, NULL, OPT_REPORT },
                { "events", required_argument, NULL, OPT_EVENTS },
                { "events-append", required_argument, NULL, OPT_EVENTS_APPEND },
                { "fork", no_argument, NULL, OPT_FORK },
                { "text", required_argument, NULL, OPT_TEXT },
                { "color", required_argument, NULL, OPT_COLOR },
                { "plot", required_argument, NULL, OPT_PLOT },
                { "junit", required_argument, NULL, OPT_JUNIT },
                { "metrics", required_argument, NULL, OPT_METRICS },
                { "github", no_argument, NULL, OPT_GITHUB },
                { "fail-on", required_argument, NULL, OPT_FAIL_ON },
                { "baseline", required_argument, NULL, OPT_BASELINE },
                { "kill-on-pressure", required_argument, NULL, OPT_KILL_ON_PRESSURE },
                { "user", required_argument, NULL, 'u' },
                { "interval", required_argument, NULL, OPT_INTERVAL },
                { "step-reclaim", no_argument, NULL, OPT_STEP_RECLAIM },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *spawn_env = cli_getenv("MEMCAGE_SPAWN");
        int c, r = 0;

        if (spawn_env && streq(spawn_env, "fork"))
                o->method = MC_SPAWN_FORK;

        /* '+': stop at the command, whose own options are not ours. */
        while ((c = getopt_long(argc, argv, "+p:m:u:qh", options, NULL)) >= 0) {
                switch (c) {
                case 'p':
                        o->profile = optarg;
                        break;
                case 'm':
                        r = add_override(o, "memory", "max", optarg, NULL);
                        break;
                case OPT_HIGH:
                        r = add_override(o, "memory", "high", optarg, NULL);
                        break;
                case OPT_SWAP:
                        r = add_override(o, "memory", "swap.max", optarg, NULL);
                        break;
                case OPT_SET:
                        r = add_set_override(o, optarg);
                        break;
                case OPT_PARENT:
                        o->parent = optarg;
                        break;
                case OPT_NAME:
                        o->name = optarg;
                        break;
                case OPT_EVACUATE:
                        o->evacuate = true;
                        break;
                case OPT_WAIT_ALL:
                        o->wait_all = true;
                        break;
                case OPT_REPORT:
                        o->report_path = optarg;
                        break;
                case OPT_EVENTS:
                        o->events_path = optarg;
                        o->events_append = false;
                        break;
                case OPT_EVENTS_APPEND:
                        o->events_path = optarg;
                        o->events_append = true;
                        break;
                case OPT_FORK:
                        o->method = MC_SPAWN_FORK;
                        break;
                case OPT_TEXT:
                        o->text_path = optarg;
                        break;
                case OPT_COLOR:
                        /* Reported with its hint here: not again below. */
                        if (cli_color_option("run", optarg) < 0)
                                return -EINVAL;
                        break;
                case OPT_PLOT:
                        o->plot_path = optarg;
                        break;
                case OPT_JUNIT:
                        o->junit_path = optarg;
                        break;
                case OPT_METRICS:
                        o->metrics_path = optarg;
                        break;
                case OPT_GITHUB:
                        o->github = true;
                        break;
                case OPT_FAIL_ON: {
                        struct mc_error err = { 0 };
                        r = mc_fail_on_parse_list(optarg, &o->fail_on, &o->thresholds, &err);
                        if (r < 0)
                                cli_error("run: %s", err.msg);
                        o->fail_on_arg = optarg;
                        break;
                }
                case OPT_BASELINE:
                        o->baseline = optarg;
                        break;
                case OPT_KILL_ON_PRESSURE:
                        r = add_override(o, "pressure", "kill", optarg, NULL);
                        break;
                case 'u':
                        o->user = optarg;
                        break;
                case OPT_INTERVAL:
                        o->interval = optarg;
                        break;
                case OPT_STEP_RECLAIM:
                        o->step_reclaim = true;
                        break;
                case 'q':
                        o->quiet = true;
                        break;
                case 'h':
                        usage();
                        return 1;
                default:
                        cli_usage_hint("run");
                        return -EINVAL;
                }
                if (r < 0) {
                        cli_usage_hint("run");
                        return r;
                }
        }
        if (o->thresholds.n > 0 && !o->baseline) {
                cli_error("run: --fail-on %s: a threshold is judged against a baseline: add --baseline "
                          "OLD.json",
                          o->fail_on_arg);
                cli_usage_hint("run");
                return -EINVAL;
        }
        if (optind >= argc) {
                cli_error("run: no command given");
                cli_usage_hint("run");
                return -EINVAL;
        }
        o->argv = argv + optind;
        return 0;
}
