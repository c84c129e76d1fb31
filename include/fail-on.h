/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * --fail-on: conditions of a run's report that turn a successful command into
 * a failed run (MC_EXIT_FAIL_ON), judged from the report's JSON alone so that
 * `memcage run` and `memcage report` judge alike.
 */

#include <jansson.h>

#include "error.h"

enum mc_fail_on {
        MC_FAIL_ON_OOM = 1u << 0,      /* an OOM kill in the group */
        MC_FAIL_ON_HIGH = 1u << 1,     /* memory.high was exceeded (events.high) */
        MC_FAIL_ON_MAX = 1u << 2,      /* memory.max was reached (events.max) */
        MC_FAIL_ON_SWAP = 1u << 3,     /* swap.max reached or swap allocation failed */
        MC_FAIL_ON_HUGETLB = 1u << 4,  /* a hugetlb limit was hit */
        MC_FAIL_ON_PRESSURE = 1u << 5, /* a PSI trigger fired */
        MC_FAIL_ON_ALL = (1u << 6) - 1,
};

/* The exit status of a run whose command succeeded and met a condition (memcage(1): 123). */
#define MC_FAIL_ON_EXIT_STATUS 123

/*
 * One condition, "oom" or "any" -> mask; an unknown or empty name is an
 * error listing the valid ones. A --fail-on list, conditions and thresholds
 * mixed, is mc_fail_on_parse_list()'s (report-compare.h).
 */
int mc_fail_on_parse_condition(const char *name, unsigned *ret, struct mc_error *err);

/* The conditions of mask met by the report. */
unsigned mc_fail_on_match(const json_t *report, unsigned mask);

/* "oom, high" for a mask, in the order of the enum. buf of 64 bytes suffices. */
const char *mc_fail_on_format(unsigned mask, char *buf, size_t n);

/* {"conditions": [...], "matched": [...]} for the report (new reference), NULL when out of memory. */
json_t *mc_fail_on_to_json(unsigned conditions, unsigned matched);
