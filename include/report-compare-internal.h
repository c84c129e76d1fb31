/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Shared by the modules of the comparison (report-compare.c, comparing;
 * report-threshold.c, parsing --fail-on thresholds; report-judge.c, judging
 * them; report-compare-text.c, the text): the metrics and their units. Not
 * for other callers: they use report-compare.h.
 */

#include <jansson.h>

#include "report-compare.h"

enum mc_compare_unit { MC_COMPARE_UNIT_BYTES, MC_COMPARE_UNIT_SECONDS, MC_COMPARE_UNIT_COUNT };

struct mc_compare_metric_info {
        const char *name;      /* in the comparison's JSON */
        const char *threshold; /* in a --fail-on threshold */
        const char *label;     /* in the text */
        enum mc_compare_unit unit;
};

extern const struct mc_compare_metric_info mc_compare_metrics[MC_COMPARE_N_METRICS];

/* "bytes", "seconds", "count": the "unit" of a comparison's row, by enum mc_compare_unit. */
extern const char *const mc_compare_unit_names[3];

/* Bytes and counts as integers (what a consumer compares exactly), seconds as reals. */
json_t *mc_compare_number(enum mc_compare_unit u, double v);
