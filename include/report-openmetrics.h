/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A report as metrics for Prometheus, e.g. through node_exporter's textfile
 * collector: memcage_peak_bytes, memcage_swap_peak_bytes,
 * memcage_pressure_stall_seconds{kind}, memcage_oom_kills,
 * memcage_events{event}, memcage_exit_status and memcage_duration_seconds,
 * each labelled with the profile and the command's name (argv[0] without
 * its directory: the arguments would make a new series per argument list).
 *
 * Every value is one run's (the file is replaced by the next run), so every
 * family is a gauge: a counter would promise a value that only grows.
 *
 * The format is the Prometheus text format 0.0.4 (text/plain;
 * version=0.0.4), the one node_exporter's textfile collector and `promtool
 * check metrics` parse, with OpenMetrics' names (base units) and its
 * "# UNIT" and "# EOF" lines, which that format reads as comments. A value
 * the report does not have (null, an older report) is left out with its
 * family. Reads only the JSON.
 */

#include <jansson.h>
#include <stdio.h>

#include "error.h"

/* The command label holds at most this many bytes of the escaped command name, then "...". */
#define MC_OPENMETRICS_COMMAND_MAX 64

/* The exposition (malloc'd, ending in "# EOF\n"). */
int mc_report_openmetrics(const json_t *report, char **ret, struct mc_error *err);

/* Appends s to f as a label value: \ -> \\, " -> \", newline -> \n. */
void mc_openmetrics_escape_label(FILE *f, const char *s);
