/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The rate limit of the event lines: pure arithmetic on CLOCK_MONOTONIC times. */

#include <stdbool.h>
#include <stdint.h>

/*
 * One line per type per second at most: kernel counters can move thousands
 * of times a second. Counts arriving within a second of the last line wait
 * and go out together on the next one.
 */
#define MC_EVENT_RATE_NS 1000000000ull

struct mc_event_rate {
        bool emitted; /* a line was written: last_ns is valid */
        uint64_t last_ns;
        uint64_t pending;
};

/* delta kernel events at now: true when a line is due now, with its count (pending included). */
bool mc_event_rate_add(struct mc_event_rate *r, uint64_t now_ns, uint64_t delta, uint64_t *ret_count);
/* True when counts wait, with the time their line is due. */
bool mc_event_rate_deadline(const struct mc_event_rate *r, uint64_t *ret_ns);
/* True when waiting counts are due at now (or force), with their count, which is taken. */
bool mc_event_rate_take(struct mc_event_rate *r, uint64_t now_ns, bool force, uint64_t *ret_count);
