/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The CLI side of live events (src/cli/cli-events.c): the PSI triggers of the
 * profile, the --events file, one stderr line per event, and the verdict
 * and observations put into the report. cmd-run.c calls these hooks.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "event-watch.h"
#include "profile.h"
#include "report.h"
#include "supervise.h"

/*
 * Without a [pressure] section: full = 10%/2s. "full" stalls only when every
 * task of the group waits on memory at once (reclaim or memory.high
 * throttling), so it stays silent under ordinary page-cache reclaim; 10% of
 * 2 s is 200 ms lost in a window, which a throttled group exceeds within
 * the first window; and a 2 s window is accepted from unprivileged users too.
 */
#define CLI_EVENTS_DEFAULT_PRESSURE_KIND MC_PSI_FULL
#define CLI_EVENTS_DEFAULT_PRESSURE      "10%/2s"

struct cli_events {
        bool quiet;
        const char *path; /* --events FILE, NULL for none */
        FILE *file;
        bool write_failed;
        struct mc_pressure_trigger triggers[_MC_PSI_KIND_COUNT];
        size_t n_triggers;
        bool default_trigger;
        bool watching;
        struct mc_event_watch watch;
        /* Victims named so far: memory.oom.group kills the first victim a second time. */
        pid_t oom_pids[16];
        size_t n_oom_pids;
};

/*
 * Before the group exists: the triggers from the profile (or the default),
 * checked for this user, and the --events file opened. The message says
 * which file:line or option is wrong.
 */
int cli_events_prepare(struct cli_events *ce, const struct mc_profile *p, const char *events_path,
                       bool quiet, struct mc_error *err);

/* Before the command starts: the watch of the group, whose fds the supervision polls. */
int cli_events_watch(struct cli_events *ce, int group_fd, const char *cgroup, struct mc_watch **ret,
                     size_t *ret_n, struct mc_error *err);

/* The command started. */
void cli_events_start(struct cli_events *ce, uint64_t start_ns, pid_t pid);

/*
 * The command ended and its group is empty (r->exited and the counters in r
 * are set): the last events, the verdict and the exit event; the report gets
 * the observations, which stay valid until cli_events_done().
 */
void cli_events_finish(struct cli_events *ce, struct mc_report *r);

/* Closes everything; returns -EIO (already reported) when writing the events file failed. */
int cli_events_done(struct cli_events *ce);
