/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The launch stage of a run: the command started in its group (spawn.h),
 * supervised until the group is empty (supervise.h) and observed throughout
 * (observe.h), its end in the report, with the exit status memcage gives
 * for it, also when a step fails.
 */

#include <stdbool.h>

#include "error.h"
#include "observe.h"
#include "spawn.h"
#include "supervise.h"

struct mc_launch_opts {
        const struct mc_spawn_opts *spawn;
        int signal_fd;              /* memcage's signalfd, for mc_supervise() */
        bool wait_all;              /* for mc_supervise() */
        unsigned interrupt_kill_ms; /* for mc_supervise() */
        int tty_fd;                 /* the terminal the command may take over; memcage takes it back */
        const char *cgroup;         /* the group, for messages: "memcage/db-1234" */
        mc_warn_fn warn;            /* an observer turned off; may be NULL */
        void *warn_userdata;
};

/*
 * Runs the command with ob (opened on its group, mc_observe_open()) watching,
 * until the group is empty; ret_obs gets what was observed
 * (mc_observe_finish()) and *ret_method how the command was started,
 * "clone3" or "fork" (NULL when it was not). *ret_status is memcage's exit
 * status, mc_observe_exit_status() of the observation, or on failure: 128+N for signal N pending before the
 * command started (nothing started then), mc_spawn_exit_status() when it could not start (127 or 126 for the
 * exec), MC_SPAWN_EXIT_FAILED when supervising or observing failed ("group NAME: ...").
 */
int mc_launch(struct mc_observe *ob, const struct mc_launch_opts *opts, struct mc_observation *ret_obs,
              const char **ret_method, int *ret_status, struct mc_error *err);
