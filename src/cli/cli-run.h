/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The options of memcage run (src/cli/cli-run-opts.c). */

#include <stdbool.h>
#include <stddef.h>

#include "report-compare.h"
#include "spawn.h"

/* A value given on the command line, applied on top of the profile in the order given. */
struct cli_run_override {
        const char *section;
        const char *key;
        const char *value;
        char *owned; /* storage behind section/key for --set */
};

struct cli_run_opts {
        const char *profile;
        const char *parent;
        const char *name;
        const char *report_path;
        const char *user;     /* --user: replaces [run] user */
        const char *interval; /* --interval, NULL for [report] interval or the default */
        const char *events_path;
        bool events_append;    /* --events-append: appended to, not replaced */
        const char *text_path; /* --text: the text report, "-" for stderr */
        const char *plot_path; /* --plot: the SVG chart */
        bool github;           /* --github: workflow commands on stdout */
        unsigned fail_on;      /* --fail-on: mask of enum mc_fail_on */
        const char *fail_on_arg;
        const char *junit_path;          /* --junit: JUnit XML */
        const char *metrics_path;        /* --metrics: Prometheus text (OpenMetrics names) */
        struct mc_thresholds thresholds; /* --fail-on METRIC+MARGIN, judged against the baseline */
        const char *baseline;            /* --baseline: the report to compare the run with */
        bool wait_all;
        bool step_reclaim; /* --step-reclaim */
        bool evacuate;     /* --evacuate: move the other processes of a delegated group into a leaf */
        bool quiet;
        enum mc_spawn_method method;
        struct cli_run_override *overrides;
        size_t n_overrides;
        char **argv;
};

/*
 * Parses argv into o (zeroed by the caller). Returns 0 to go on, 1 when
 * --help was shown, negative on a usage error (already reported).
 */
int cli_run_parse_args(int argc, char **argv, struct cli_run_opts *o);
void cli_run_opts_done(struct cli_run_opts *o);

/* The outputs of memcage run (src/cli/cli-run-report.c): --text, --plot, --report, --junit, --metrics. */
#define CLI_RUN_OUTPUTS 5

struct mc_output;
struct mc_report;

/* Opens those o names into outs (CLI_RUN_OUTPUTS of them); the first that cannot be opened is the error. */
int cli_run_open_outputs(const struct cli_run_opts *o, struct mc_output *outs, struct mc_error *err);

/*
 * The report's renderings, all from its JSON: compared with o->baseline and
 * judged by --fail-on first, then the summary line, the comparison, the
 * outputs and --github. Returns the final status.
 */
int cli_run_report(const struct cli_run_opts *o, const struct mc_report *r, const json_t *baseline,
                   struct mc_output *outs, int status);
