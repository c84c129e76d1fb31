/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage report: render a run's JSON report as text, JSON, SVG, GitHub annotations, JUnit or metrics. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <string.h>

#include "cli.h"
#include "fail-on.h"
#include "output.h"
#include "report-json.h"
#include "util.h"

static void usage(void)
{
        printf("Usage: memcage report [OPTIONS] FILE.json\n"
               "\n"
               "Render the JSON report of a run (memcage run --report FILE; '-' reads stdin).\n"
               "\n"
               "Options:\n"
               "  -f, --format FORMAT  text (default), json, svg (a chart of the timeline) or\n"
               "                       github (GitHub Actions ::error/::warning lines),\n"
               "                       junit (JUnit XML) or openmetrics (Prometheus text)\n"
               "  -o, --output FILE    write to FILE (atomically; a FIFO, /dev/stdout or\n"
               "                       /dev/fd/N as a stream) instead of stdout\n"
               "      --fail-on LIST   exit 123 when the report meets a condition of LIST:\n"
               "                       oom, high, max, swap, hugetlb, pressure, any\n"
               "  -h, --help           show this help and exit\n"
               "\n"
               "Exit status: 0 when rendered; 2 on bad usage; 123 when --fail-on matched\n"
               "(the report is rendered all the same); 125 when FILE cannot be read, is not\n"
               "a memcage report, has a newer schema than this memcage reads, or the output\n"
               "cannot be written.\n");
}

static json_t *load(const char *path, struct mc_error *err)
{
        json_error_t jerr;
        json_t *j;

        if (streq(path, "-"))
                j = json_loadf(stdin, 0, &jerr);
        else
                j = json_load_file(path, 0, &jerr);
        if (!j) {
                mc_error_set(err, EINVAL, "%s: %s (line %d)", streq(path, "-") ? "stdin" : path, jerr.text,
                             jerr.line);
                return NULL;
        }
        if (mc_rj_check_schema(j, err) < 0) {
                mc_error_prefix(err, "%s", streq(path, "-") ? "stdin" : path);
                json_decref(j);
                return NULL;
        }
        return j;
}

int cmd_report(int argc, char **argv)
{
        enum { OPT_FAIL_ON = 256 };
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                { "output", required_argument, NULL, 'o' },
                { "fail-on", required_argument, NULL, OPT_FAIL_ON },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct mc_error err = { 0 };
        enum cli_format format = CLI_FORMAT_TEXT;
        const char *output = NULL;
        unsigned fail_on = 0;
        int c;

        while ((c = getopt_long(argc, argv, "f:o:h", options, NULL)) >= 0) {
                switch (c) {
                case 'f':
                        if (cli_format_parse(optarg, &format) < 0) {
                                cli_error("report: unknown format '%s': use text, json, svg, github, junit "
                                          "or openmetrics",
                                          optarg);
                                cli_usage_hint("report");
                                return MC_EXIT_USAGE;
                        }
                        break;
                case 'o':
                        output = optarg;
                        break;
                case OPT_FAIL_ON:
                        if (mc_fail_on_parse(optarg, &fail_on, &err) < 0) {
                                cli_error("report: %s", err.msg);
                                cli_usage_hint("report");
                                return MC_EXIT_USAGE;
                        }
                        break;
                case 'h':
                        usage();
                        return MC_EXIT_OK;
                default:
                        cli_usage_hint("report");
                        return MC_EXIT_USAGE;
                }
        }
        if (optind + 1 != argc) {
                cli_error(optind >= argc ? "report: no report file given"
                                         : "report: more than one report file given");
                cli_usage_hint("report");
                return MC_EXIT_USAGE;
        }

        /* The output first: one that cannot be written is refused before anything is read. */
        _cleanup_(mc_output_done) struct mc_output out = { .fd = -EBADF, .dir_fd = -EBADF };
        if (output) {
                struct mc_output_opts oopts;
                cli_output_opts(STDOUT_FILENO, &oopts);
                if (mc_output_open(&out, output, &oopts, &err) < 0) {
                        cli_error("report: cannot open the output %s", err.msg);
                        return MC_EXIT_MEMCAGE;
                }
        }
        json_auto_t *j = load(argv[optind], &err);
        if (!j) {
                cli_error("report: %s", err.msg);
                return MC_EXIT_MEMCAGE;
        }
        unsigned matched = fail_on ? mc_fail_on_match(j, fail_on) : 0;
        /* The JUnit failure names what --fail-on matched, as for memcage run --junit. */
        if (fail_on && format == CLI_FORMAT_JUNIT &&
            json_object_set_new(j, "fail_on", mc_fail_on_to_json(fail_on, matched)) < 0) {
                cli_error("report: out of memory");
                return MC_EXIT_MEMCAGE;
        }
        if (cli_render(j, format, output ? &out : NULL, stdout, "report") < 0)
                return MC_EXIT_MEMCAGE;
        if (fail_on) {
                char buf[64];
                if (matched) {
                        cli_error("report: --fail-on matched: %s",
                                  mc_fail_on_format(matched, buf, sizeof(buf)));
                        return MC_EXIT_FAIL_ON;
                }
        }
        return MC_EXIT_OK;
}
