/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The outputs of memcage run: opened before the command runs, the report rendered into them after it. */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <unistd.h>

#include "cli-run.h"
#include "cli.h"
#include "fail-on.h"
#include "output.h"
#include "report-compare.h"
#include "report-json.h"
#include "report.h"
#include "util.h"

/* The renderings a run writes at its end, in this order; "-" is the stream named. */
static const struct {
        enum cli_format format;
        int dash_fd;
        const char *what;
} run_outputs[] = {
        { CLI_FORMAT_TEXT, STDERR_FILENO, "text report" },
        { CLI_FORMAT_SVG, STDOUT_FILENO, "plot" },
        { CLI_FORMAT_JSON, STDOUT_FILENO, "report" },
        { CLI_FORMAT_JUNIT, STDOUT_FILENO, "JUnit report" },
        { CLI_FORMAT_OPENMETRICS, STDOUT_FILENO, "metrics" },
};

_Static_assert(ELEMENTSOF(run_outputs) == CLI_RUN_OUTPUTS, "one output a rendering");

/*
 * Before anything else, the outputs: a path that cannot be written fails
 * now, before the command runs, and where the report lands no longer
 * depends on what the command does to the path meanwhile. Those that
 * opened still get the report of the failure.
 */
int cli_run_open_outputs(const struct cli_run_opts *o, struct mc_output *outs, struct mc_error *err)
{
        const char *paths[] = { o->text_path, o->plot_path, o->report_path, o->junit_path, o->metrics_path };
        struct mc_output_opts oopts;
        struct mc_error e = { 0 };
        int r = 0;

        for (size_t i = 0; i < ELEMENTSOF(run_outputs); i++) {
                if (!paths[i])
                        continue;
                cli_output_opts(run_outputs[i].dash_fd, &oopts);
                if (mc_output_open(&outs[i], paths[i], &oopts, &e) < 0 && r == 0)
                        r = mc_error_set(err, e.code ? e.code : EIO, "cannot open the %s %s",
                                         run_outputs[i].what, e.msg);
        }
        return r;
}

/* "memcage: memcage/db-1234: exit 0, peak 12.3M of max 64M, 0 OOM kills, 0.41 s", once the command ran. */
static void print_summary(const struct cli_run_opts *o, const struct mc_report *r)
{
        char line[256];
        if (r->obs.exited && !o->quiet)
                fprintf(stderr, "memcage: %s: %s\n", r->cgroup, mc_report_summary(r, line, sizeof(line)));
}

/*
 * The report's renderings, all from its JSON: compared with --baseline and
 * judged by --fail-on first (a match turns a successful run into
 * MC_EXIT_FAIL_ON and is recorded), then the summary line, the comparison,
 * --text, --plot, --report, --junit, --metrics and --github. Returns the
 * final status.
 */
int cli_run_report(const struct cli_run_opts *o, const struct mc_report *r, const json_t *baseline,
                   struct mc_output *outs, int status)
{
        bool wanted = baseline || o->fail_on || o->thresholds.n > 0 || o->github;
        for (size_t i = 0; i < ELEMENTSOF(run_outputs); i++)
                wanted = wanted || outs[i].path;
        /* Nothing reads the JSON (no output, no judgement): the summary comes from the report. */
        if (!wanted) {
                print_summary(o, r);
                return status;
        }

        json_auto_t *j = mc_report_to_jansson(r);
        json_auto_t *cmp = NULL;
        struct mc_error err = { 0 };
        struct mc_judgement judged;

        if (!j) {
                cli_error("run: out of memory building the report");
                return status == 0 ? MC_EXIT_MEMCAGE : status;
        }
        /* A comparison that fails fails the run, but the report is still written. */
        if (baseline && r->obs.exited && mc_compare_reports(baseline, j, &cmp, &err) < 0) {
                cli_error("run: baseline %s: %s", o->baseline, err.msg);
                status = status == 0 ? MC_EXIT_MEMCAGE : status;
        }
        if (mc_report_judge(j, o->fail_on, &o->thresholds, cmp, status, &judged, &err) < 0) {
                cli_error("run: out of memory building the report");
                return status == 0 ? MC_EXIT_MEMCAGE : status;
        }
        if (judged.status != status) {
                char names[64], tnames[MC_THRESHOLDS_STR_MAX], snames[MC_THRESHOLDS_STR_MAX];
                mc_fail_on_format(judged.matched, names, sizeof(names));
                mc_thresholds_format(mc_rj_obj(cmp, "fail_on"), tnames, sizeof(tnames));
                mc_steps_thresholds_format(cmp, snames, sizeof(snames));
                cli_error("run: the command exited 0, but --fail-on %s matched: %s%s%s%s%s (exit status %d)",
                          o->fail_on_arg, names, *names && *tnames ? ", " : "", tnames,
                          (*names || *tnames) && *snames ? "; " : "", snames, judged.status);
                status = judged.status; /* recorded in the JSON by the judgement */
        }
        print_summary(o, r);
        if (cmp && !o->quiet) {
                _cleanup_free_ char *text = NULL;
                if (mc_compare_text(cmp, MC_COMPARE_TEXT_SHORT, &text, &err) < 0)
                        cli_warning("run: baseline %s: %s, ignoring", o->baseline, err.msg);
                else
                        fprintf(stderr, "memcage: against the baseline %s:\n%s", o->baseline, text);
        }

        for (size_t i = 0; i < ELEMENTSOF(run_outputs); i++)
                if (outs[i].path &&
                    cli_render(j, run_outputs[i].format, &outs[i], NULL, run_outputs[i].what) < 0 &&
                    status == 0)
                        status = MC_EXIT_MEMCAGE;
        if (o->github && cli_render(j, CLI_FORMAT_GITHUB, NULL, stdout, "github") < 0 && status == 0)
                status = MC_EXIT_MEMCAGE;
        if (o->github && cli_github_step_summary(j, "run") < 0 && status == 0)
                status = MC_EXIT_MEMCAGE;
        return status;
}
