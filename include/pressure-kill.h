/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The pressure kill policy ([pressure] kill, --kill-on-pressure): when the
 * group has stalled at least STALL in every WINDOW for DURATION, the run is
 * ended. A PSI trigger of its own (STALL/WINDOW) on memory.pressure counts
 * windows; a timerfd closes each one; nothing polls. At the count: freeze
 * the group, take the final snapshot, thaw, SIGTERM to the command, a grace
 * period, then cgroup.kill. Nothing here prints: what happens goes out as
 * events (event-watch.h).
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "pressure.h"
#include "watch.h"

#define MC_PRESSURE_KILL_GRACE_DEFAULT_US (10 * 1000000ull)
/*
 * How long the freeze may take before the snapshot is taken anyway. A task
 * throttled at memory.high sleeps its penalty (up to 2 s a time) killably,
 * and the freezer's wake-up does not end that sleep: the task freezes only
 * after it, so the wait must outlast one penalty (t-55 saw 1 s fall short).
 */
#define MC_PRESSURE_KILL_FREEZE_WAIT_MS 3000

/*
 * The rule itself (struct mc_pressure_kill_rule, its parser and check) and
 * what it did (struct mc_pressure_kill_result) are in pressure.h.
 */

/*
 * The window count. The kernel signals a trigger at most once per window
 * and only at its own updates (a tenth of the window apart), so firings of
 * a stall that never lets up come a window and a little more apart: fixed
 * windows would miss one now and then. A window therefore opens at each
 * firing and closes MC_PRESSURE_KILL_SLACK_PERCENT of a window after the
 * next one was due; a firing within it counts, a window that closes
 * without one resets the count to 0.
 */
#define MC_PRESSURE_KILL_SLACK_PERCENT 50

struct mc_pressure_kill_count {
        unsigned needed;      /* the rule's windows */
        unsigned consecutive; /* windows in a row with a firing */
        unsigned longest;     /* the longest run seen */
        unsigned resets;      /* windows that closed without a firing after a run began */
};

/* A window ended, with or without a firing: true when the count reached needed. */
bool mc_pressure_kill_count_window(struct mc_pressure_kill_count *c, bool fired);

/* What the kill policy tells: the events "pressure_kill" (stage "term", then "kill"). */
typedef void (*mc_pressure_kill_notify_fn)(void *userdata, enum mc_pressure_kill_stage stage,
                                           const struct mc_pressure_kill_result *res);

struct mc_pressure_kill_opts {
        int group_fd;
        const struct mc_pressure_kill_rule *rule;
        uint64_t grace_us;
        /* Called while the group is frozen: the final snapshot. */
        void (*snapshot)(void *userdata);
        mc_pressure_kill_notify_fn notify;
        void *userdata;
};

struct mc_pressure_kill {
        struct mc_pressure_kill_opts o;
        int trigger_fd, timer_fd;
        int pidfd; /* the command's, not owned */
        uint64_t start_ns;
        enum mc_pressure_kill_stage stage;
        struct mc_pressure_kill_count count;
        bool window_open;
        uint64_t run_first_ns;       /* the first firing of the run being counted */
        uint64_t run_first_total_us; /* the stall total then */
        struct mc_watch watches[2];  /* the trigger, the timer */
        struct mc_pressure_kill_result result;
};

/*
 * Registers the rule's trigger on memory.pressure (its own fd: one trigger
 * per open file) and creates the timer; before the command starts and
 * before privileges are dropped. A trigger the kernel refuses is an error:
 * a rule asked for is never silently absent.
 */
int mc_pressure_kill_open(struct mc_pressure_kill *k, const struct mc_pressure_kill_opts *opts,
                          struct mc_error *err);

/* The command started at start_ns as pidfd; ret gets the two watches for the loop. */
void mc_pressure_kill_start(struct mc_pressure_kill *k, uint64_t start_ns, int pidfd, struct mc_watch **ret,
                            size_t *ret_n);

void mc_pressure_kill_done(struct mc_pressure_kill *k);
