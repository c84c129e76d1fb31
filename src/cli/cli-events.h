/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The CLI side of live events (src/cli/cli-events.c): the --events file
 * and one stderr line per event, fed by the event watch's emit callback
 * (observe.h). What the events mean is the library's; this only talks.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"
#include "event-watch.h"
#include "output.h"

struct cli_events {
        bool quiet;
        const char *path; /* --events FILE, NULL for none */
        struct mc_output out;
        bool opened;
        FILE *file; /* a copy of out's fd */
        bool write_failed;
        /* Victims named so far: memory.oom.group kills the first victim a second time. */
        pid_t oom_pids[16];
        size_t n_oom_pids;
};

/*
 * Before the group exists: the --events file opened (when events_path is
 * set) as an output (output.h): a regular file is written into a temporary
 * file and named when the run ends, or appended to (append, --events-append).
 */
int cli_events_open(struct cli_events *ce, const char *events_path, bool append, bool quiet,
                    struct mc_error *err);

/* The mc_event_emit_fn of a run (userdata: the struct cli_events). */
void cli_events_emit(void *userdata, const struct mc_event *ev, const json_t *json);

/*
 * Closes the file, naming a replaced one when the command started (a run
 * that failed before leaves FILE as it was); returns -EIO (already
 * reported) when writing it failed.
 */
int cli_events_done(struct cli_events *ce, bool started);
