/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A self-contained SVG chart of a run (no scripts, no external resources):
 * memory.current and memory.swap.current over time, the limits as dashed
 * lines, PSI avg10 on a second axis, the events of the log as markers. Reads
 * only the JSON; a report without a timeline gives a chart saying so.
 */

#include <jansson.h>
#include <stdio.h>

#include "error.h"

#define MC_SVG_WIDTH  1000
#define MC_SVG_HEIGHT 600

/* Renders the chart into a malloc'd, NUL-terminated string. */
int mc_report_svg(const json_t *report, char **ret, struct mc_error *err);
