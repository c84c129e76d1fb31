/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one duration parser of memcage: "150ms", "1.5s", "500us" in
 * microseconds, for PSI triggers ([pressure]) and sampling intervals
 * (--interval, [report] interval).
 */

#include <stdint.h>

#include "error.h"

#define MC_USEC_PER_MSEC 1000ull
#define MC_USEC_PER_SEC  1000000ull

/*
 * Parses a decimal number (as mc_decimal_scan() takes it: "150", "1.5")
 * followed by us, ms or s into microseconds; fractional microseconds round
 * down. -EINVAL, or -ERANGE above UINT64_MAX microseconds. The message says
 * only what is wrong ("not a duration", "a duration needs a unit (us, ms or
 * s)", "duration too large"), for the caller to prefix with what the value
 * is for: mc_error_prefix(err, "window '%s'", s).
 */
int mc_duration_parse(const char *s, uint64_t *ret_us, struct mc_error *err);

/* The sampling intervals memcage takes, 0 aside. */
#define MC_INTERVAL_MIN_MS 10
#define MC_INTERVAL_MAX_MS 3600000

/*
 * A sampling interval (--interval, [report] interval): a duration in ms or s
 * ("250ms", "1s", "0.5s") that is a whole number of milliseconds between
 * MC_INTERVAL_MIN_MS and MC_INTERVAL_MAX_MS, or "0" (no sampling). The
 * message names the value: "invalid interval 'V': why" (-ERANGE when out of
 * range, else -EINVAL).
 */
int mc_interval_parse(const char *s, uint64_t *ret_ms, struct mc_error *err);
