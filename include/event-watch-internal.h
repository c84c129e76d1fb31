/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Shared by the modules of the event watch (event-watch.c, the poll loop and
 * its counters; event-triggers.c, the PSI triggers): what a polled fd is,
 * and how an event is written. Not for other callers: they use
 * event-watch.h.
 */

#include <stddef.h>
#include <stdint.h>

#include "event-watch.h"

/* One polled fd of the watch: what it is, for the ready callback. */
struct mc_event_source {
        struct mc_event_watch *w;
        enum { SRC_KMSG, SRC_EVENTS, SRC_SWAP, SRC_HUGETLB, SRC_TRIGGER, SRC_TIMER } kind;
        size_t index; /* of hugetlb or triggers */
};

/* Seconds from the command's start to now (CLOCK_MONOTONIC); 0 before it started. */
double mc_event_watch_since_start(const struct mc_event_watch *w, uint64_t now);

/* Keeps ev in the log (up to MC_EVENT_KEEP_MAX) and hands it to the emit callback. */
int mc_event_watch_log(struct mc_event_watch *w, struct mc_event *ev);

/*
 * Registers the triggers of the options; a refused one is an error unless they
 * are optional, then it is listed in refused. triggers[i] gets the i-th trigger watch.
 */
int mc_event_triggers_register(struct mc_event_watch *w, struct mc_error *err);

/*
 * Trigger i fired: counts it and fills *ret with the "pressure" event at
 * t_since_start, with memory.pressure's avg10 when readable. The watch logs
 * it: the triggers know nothing of the loop that polls them.
 */
void mc_event_triggers_fired(struct mc_event_watch *w, size_t i, double t_since_start, struct mc_event *ret);

/* The total stall of each PSI line of memory.pressure, in microseconds. */
int mc_event_triggers_read_totals(int group_fd, uint64_t ret[_MC_PSI_KIND_COUNT], struct mc_error *err);
