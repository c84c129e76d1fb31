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
#include "report-compare.h"
#include "report-json.h"
#include "report.h"
#include "util.h"

static void usage(void)
{
        printf("Usage: memcage report [OPTIONS] FILE.json\n"
               "       memcage report --baseline OLD.json [OPTIONS] NEW.json\n"
               "\n"
               "Render the JSON report of a run (memcage run --report FILE; '-' reads stdin),\n"
               "or compare it with the report of an earlier run.\n"
               "\n"
               "Options:\n"
               "  -f, --format FORMAT  text (default), json, svg (a chart of the timeline) or\n"
               "                       github (GitHub Actions ::error/::warning lines),\n"
               "                       junit (JUnit XML) or openmetrics (Prometheus text)\n"
               "  -o, --output FILE    write to FILE (atomically; a FIFO, /dev/stdout or\n"
               "                       /dev/fd/N as a stream) instead of stdout\n"
               "      --color WHEN     colour the text report: auto (default: when written\n"
               "                       to a terminal and NO_COLOR is unset or empty),\n"
               "                       always or never\n"
               "  -b, --baseline OLD.json\n"
               "                       compare FILE with OLD.json (text or json): old, new and\n"
               "                       change of peak, swap peak, stalls, OOM kills, high/max\n"
               "                       events, duration, CPU and the top processes by PSS\n"
               "      --fail-on LIST   exit 123 when the report meets a condition of LIST:\n"
               "                       oom, high, max, swap, hugetlb, pressure, any; and\n"
               "                       against the baseline thresholds METRIC+MARGIN: peak+10%%,\n"
               "                       peak+64M, stall+1s, duration+20%%, oom+0 (memcage(1))\n"
               "  -h, --help           show this help and exit\n"
               "\n"
               "Exit status: 0 when rendered; 123 when --fail-on matched (the report is\n"
               "rendered all the same); 125 on bad usage, or when FILE cannot be read, is\n"
               "not a memcage report, has a newer schema than this memcage reads, or the\n"
               "output cannot be written.\n");
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

/* report --baseline: the comparison rendered, --fail-on judged on it (conditions on the new report). */
static int report_compare(const char *baseline, const json_t *j, enum cli_format format, unsigned fail_on,
                          const struct mc_thresholds *thresholds, struct mc_output *out)
{
        struct mc_error err = { 0 };
        json_auto_t *old = NULL, *cmp = NULL;
        _cleanup_free_ char *text = NULL;
        unsigned matched = 0;
        size_t n_matched = 0, n_steps = 0;

        if (mc_compare_load(baseline, &old, &err) < 0) {
                cli_error("report: baseline %s", err.msg);
                return MC_EXIT_MEMCAGE;
        }
        if (mc_compare_reports(old, j, &cmp, &err) < 0) {
                cli_error("report: %s", err.msg);
                return MC_EXIT_MEMCAGE;
        }
        if (fail_on || thresholds->n > 0) {
                json_t *judged = NULL, *fo;
                matched = mc_fail_on_match(j, fail_on);
                if (mc_thresholds_judge(cmp, thresholds, &judged, &n_matched, &err) < 0) {
                        cli_error("report: %s", err.msg);
                        return MC_EXIT_MEMCAGE;
                }
                fo = mc_fail_on_to_json(fail_on, matched);
                if (!fo || json_object_set_new(fo, "thresholds", judged) < 0 ||
                    json_object_set_new(cmp, "fail_on", fo) < 0) {
                        cli_error("report: out of memory");
                        return MC_EXIT_MEMCAGE;
                }
                if (thresholds->n > 0 && mc_steps_judge(cmp, thresholds, NULL, &n_steps, &err) < 0) {
                        cli_error("report: %s", err.msg);
                        return MC_EXIT_MEMCAGE;
                }
        }
        if ((format == CLI_FORMAT_JSON ? mc_report_json_dump(cmp, &text, &err)
                                       : mc_compare_text(cmp, 0, &text, &err)) < 0) {
                cli_error("report: %s", err.msg);
                return MC_EXIT_MEMCAGE;
        }
        if (cli_write_text(text, out, stdout, "report") < 0)
                return MC_EXIT_MEMCAGE;
        if (matched || n_matched > 0 || n_steps > 0) {
                char buf[64], names[MC_THRESHOLDS_STR_MAX], steps[MC_THRESHOLDS_STR_MAX];
                cli_error("report: --fail-on matched: %s%s%s%s%s",
                          mc_fail_on_format(matched, buf, sizeof(buf)), matched && n_matched ? ", " : "",
                          mc_thresholds_format(mc_rj_obj(cmp, "fail_on"), names, sizeof(names)),
                          (matched || n_matched) && n_steps ? "; " : "",
                          mc_steps_thresholds_format(cmp, steps, sizeof(steps)));
                return MC_EXIT_FAIL_ON;
        }
        return MC_EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
        enum { OPT_FAIL_ON = 256, OPT_COLOR };
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                { "baseline", required_argument, NULL, 'b' },
                { "output", required_argument, NULL, 'o' },
                { "fail-on", required_argument, NULL, OPT_FAIL_ON },
                { "color", required_argument, NULL, OPT_COLOR },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct mc_error err = { 0 };
        enum cli_format format = CLI_FORMAT_TEXT;
        const char *output = NULL, *baseline = NULL, *fail_on_arg = NULL;
        struct mc_thresholds thresholds = { 0 };
        unsigned fail_on = 0;
        int c;

        while ((c = getopt_long(argc, argv, "f:o:b:h", options, NULL)) >= 0) {
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
                case 'b':
                        baseline = optarg;
                        break;
                case OPT_FAIL_ON:
                        fail_on_arg = optarg;
                        if (mc_fail_on_parse_list(optarg, &fail_on, &thresholds, &err) < 0) {
                                cli_error("report: %s", err.msg);
                                cli_usage_hint("report");
                                return MC_EXIT_USAGE;
                        }
                        break;
                case OPT_COLOR:
                        if (cli_color_option("report", optarg) < 0)
                                return MC_EXIT_USAGE;
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
        if (thresholds.n > 0 && !baseline) {
                cli_error("report: --fail-on %s: a threshold is judged against a baseline: add --baseline "
                          "OLD.json",
                          fail_on_arg);
                cli_usage_hint("report");
                return MC_EXIT_USAGE;
        }
        if (baseline && format != CLI_FORMAT_TEXT && format != CLI_FORMAT_JSON) {
                cli_error("report: a comparison with --baseline renders as text or json only");
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
        if (baseline)
                return report_compare(baseline, j, format, fail_on, &thresholds, output ? &out : NULL);
        unsigned matched = fail_on ? mc_fail_on_match(j, fail_on) : 0;
        /* The JUnit failure names what --fail-on matched, as for memcage run --junit. */
        if (fail_on && format == CLI_FORMAT_JUNIT &&
            json_object_set_new(j, "fail_on", mc_fail_on_to_json(fail_on, matched)) < 0) {
                cli_error("report: out of memory");
                return MC_EXIT_MEMCAGE;
        }
        if (cli_render(j, format, output ? &out : NULL, stdout, "report") < 0)
                return MC_EXIT_MEMCAGE;
        if (format == CLI_FORMAT_GITHUB && cli_github_step_summary(j, "report") < 0)
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
