/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The report of one run: what was asked, what the kernel did, how it ended.
 * Filled by the run as it goes, so that a report exists on every exit path
 * (fields not reached stay unknown and render as null). Rendered as JSON
 * (docs/report-schema.md) and as a short summary line for stderr.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "event-watch.h"
#include "events.h"
#include "limits.h"
#include "pressure.h"
#include "verdict.h"

#define MC_REPORT_SCHEMA 1

struct mc_report {
        char *const *argv;        /* the command */
        const char *profile;      /* name as given, NULL for none */
        const char *profile_path; /* file loaded */
        const char *cgroup;       /* relative path of the group, NULL before creation */
        const char *launch;       /* "clone3" or "fork", NULL when not started */

        bool has_limits;
        struct mc_limits limits; /* effective values read back from the group */

        bool exited;   /* the command ran and ended */
        int exit_code; /* the status memcage returns: code, or 128+N */
        int signal;    /* 0 when not killed by a signal */
        bool core_dumped;

        bool has_peak;
        uint64_t peak; /* memory.peak in bytes */

        bool has_events;
        struct mc_counters events;       /* memory.events deltas (hierarchical) */
        struct mc_counters events_local; /* memory.events.local deltas */

        unsigned leftovers_killed;
        double duration_s; /* start of the command to the end of the group */

        const char *error; /* memcage's own failure, NULL when none */
        int status;        /* memcage's exit status */

        /* Observations of the event watcher (event-watch.h) and the verdict (verdict.h). */
        bool has_verdict;
        struct mc_verdict verdict;
        const struct mc_oom_kill *oom_kills;
        size_t n_oom_kills;
        bool has_swap_events;
        struct mc_counters swap_events; /* memory.swap.events deltas */
        bool has_pressure;
        uint64_t pressure_total_us[_MC_PSI_KIND_COUNT]; /* stall during the run */
        bool has_pressure_avg10_max;                    /* the sampler's, when it ran */
        double pressure_avg10_max[_MC_PSI_KIND_COUNT];
        const struct mc_pressure_trigger *pressure_triggers;
        size_t n_pressure_triggers;
        const json_t *log; /* the events as written by --events; NULL: none */
        bool log_truncated;
};

/* The report as a jansson object (new reference), NULL when out of memory. */
json_t *mc_report_to_jansson(const struct mc_report *r);

/* The report as a JSON document (malloc'd, NUL-terminated, ending in a newline). */
int mc_report_to_json(const struct mc_report *r, char **ret, struct mc_error *err);

/* Writes the JSON atomically: a temporary file beside path, fsync, rename. */
int mc_report_write_json(const struct mc_report *r, const char *path, struct mc_error *err);

/*
 * One line for people: "exit 0, peak 12.3M of 64M, 0 OOM kills, 1.23 s".
 * buf of 256 bytes suffices.
 */
const char *mc_report_summary(const struct mc_report *r, char *buf, size_t n);
