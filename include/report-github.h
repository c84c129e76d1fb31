/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * GitHub Actions workflow commands for a report: "::error title=memcage::..."
 * for OOM kills and the verdicts oom-killed, hugetlb-limit and swap-limit,
 * "::warning title=memcage::..." for memory.high / memory.max events, swap.max
 * events and PSI triggers that fired. Reads only the JSON. When the command
 * named steps, an OOM kill names its step and a memory.high / memory.max
 * warning the steps its events rose in (docs/reports.md says how a kill is
 * put in a step).
 */

#include <jansson.h>
#include <stdio.h>

#include "error.h"

/* The lines (malloc'd, each ending in a newline; "" when there is nothing to say). */
int mc_report_github(const json_t *report, char **ret, struct mc_error *err);

/*
 * The job summary of a run in Markdown (for $GITHUB_STEP_SUMMARY): a heading
 * with the command, then a table of verdict, limits, peak, OOM kills (one a
 * victim), the command's exit status, memcage's status and the duration;
 * then a table of the steps, when the command named any.
 * Report strings are escaped: they are never read as Markdown or HTML.
 */
int mc_report_github_summary(const json_t *report, char **ret, struct mc_error *err);

/* Appends msg to f escaped as workflow command data: '%' -> %25, '\r' -> %0D, '\n' -> %0A. */
void mc_github_escape_data(FILE *f, const char *msg);
