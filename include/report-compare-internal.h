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

/*
 * A row of a comparison: {"metric", "unit", "old", "new", "delta", "change",
 * "worse"}, or for a process {"name", "old_pss", "new_pss", ...}; has_old
 * and has_new false for a value a report lacks. NULL when out of memory.
 */
json_t *mc_compare_row(bool process, const char *name, enum mc_compare_unit u, bool has_old, double old,
                       bool has_new, double new);

/* The steps of both reports matched by name into cmp's "steps" (report-compare-steps.c). */
int mc_compare_steps(const json_t *old, const json_t *new, json_t *cmp, struct mc_error *err);

/* Bytes and counts as integers (what a consumer compares exactly), seconds as reals. */
json_t *mc_compare_number(enum mc_compare_unit u, double v);
