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
#include <sys/types.h>

#include "error.h"
#include "events.h"
#include "group-limits.h"
#include "placement.h"
#include "pressure-kill.h"
#include "pressure.h"
#include "verdict.h"

/*
 * The sampler's results (sampler.h), rendered by report.c: the report only
 * points at them, so that its users need not know the sampler.
 */
struct mc_sample_summary;
/* The steps the command named (steps.h). */
struct mc_step;

#define MC_REPORT_SCHEMA 1

/* Who the command ran as, when the [run] section changed it. */
struct mc_report_run {
        const char *user; /* NULL when no user was set */
        uid_t uid;
        bool has_gid;
        gid_t gid;
        bool has_groups;
        const gid_t *groups; /* supplementary group ids */
        size_t n_groups;
        char *const *capabilities; /* NULL-terminated names; NULL when not set */
};

#define MC_REPORT_HUGETLB_MAX 8

/* One huge page size of a run (sizes in bytes). */
struct mc_report_hugetlb {
        char size[16]; /* "2MB" */
        bool has_limits;
        uint64_t max, rsvd_max; /* read back from the group; UINT64_MAX: no limit */
        bool has_usage;
        uint64_t current, rsvd_current; /* when the command had ended (leftovers may still hold pages) */
        bool has_events;
        uint64_t events_max;                  /* increase of hugetlb.<size>.events "max" over the run */
        uint64_t reserved_pages, added_pages; /* [hugetlb] <size>.reserve, and what the pool grew by */
};

/* An OOM kill during the run, as the report shows it. */
struct mc_report_oom_kill {
        double t; /* seconds since the command started */
        pid_t pid;
        char name[64];
        bool known; /* pid and name came from the kernel log */
        enum mc_oom_cause cause;
};

/*
 * What the observers saw of one run, from the command's start to the group
 * emptying: the observe stage's value (observe.h), which the report holds
 * as it is (run.h assembles the report). What it points to stays valid
 * until mc_observe_done().
 */
struct mc_observation {
        bool exited;   /* the command ran and ended */
        int exit_code; /* its status: code, or 128+N */
        int signal;    /* 0 when not killed by a signal */
        bool core_dumped;
        unsigned leftovers_killed;
        double duration_s;         /* start of the command to the end of the group */
        uint64_t signals_received; /* bit N: memcage received signal N during the run (supervise.h) */
        bool time_limited;         /* the run's time limit ended the command: its group was killed */
        double time_limit_s;       /* that limit, 0 for none */

        bool has_peak;
        uint64_t peak; /* memory.peak in bytes */
        bool has_events;
        struct mc_counters events;               /* memory.events deltas (hierarchical) */
        struct mc_counters events_local;         /* memory.events.local deltas */
        const struct mc_sample_summary *samples; /* NULL when not sampled */

        bool has_verdict;
        struct mc_verdict verdict;
        const struct mc_report_oom_kill *oom_kills;
        size_t n_oom_kills;
        bool has_swap_events;
        struct mc_counters swap_events; /* memory.swap.events deltas */
        bool has_pressure;
        uint64_t pressure_total_us[_MC_PSI_KIND_COUNT]; /* stall during the run */
        const struct mc_pressure_trigger *pressure_triggers;
        size_t n_pressure_triggers;
        const struct mc_pressure_trigger *pressure_refused; /* asked for, refused by the kernel */
        size_t n_pressure_refused;
        const struct mc_pressure_kill_result *pressure_kill; /* NULL without a kill rule */
        const json_t *log;                                   /* the events as emitted; NULL: none */
        bool log_truncated;
        const struct mc_step *steps; /* in the order named */
        size_t n_steps;
        bool steps_truncated; /* more were named than kept */
        bool steps_reclaimed; /* memory.reclaim at each step's start (--step-reclaim) */
};
struct mc_report {
        char *const *argv;                    /* the command */
        const char *profile;                  /* name as given, NULL for none */
        const char *profile_path;             /* file loaded */
        const char *cgroup;                   /* relative path of the group, NULL before creation */
        const struct mc_placement *placement; /* where it went and why, NULL before placement */
        const char *launch;                   /* "clone3" or "fork", NULL when not started */
        const struct mc_report_run *run;      /* NULL when [run] sets no identity */

        bool has_limits;
        struct mc_limits limits; /* effective values read back from the group */

        struct mc_observation obs; /* all zero (not exited) when the command did not start or end */

        /* [hugetlb]: one entry per page size the profile names. */
        size_t n_hugetlb;
        struct mc_report_hugetlb hugetlb[MC_REPORT_HUGETLB_MAX];

        const char *error; /* memcage's own failure, NULL when none */
        int status;        /* memcage's exit status */
};

struct mc_credentials;
/* Who the command runs as, from its credentials; false (ret untouched) when they change no identity. */
bool mc_report_run_from_credentials(const struct mc_credentials *c, struct mc_report_run *ret);

/* The report as a jansson object (new reference), NULL when out of memory. */
json_t *mc_report_to_jansson(const struct mc_report *r);

/*
 * A report document as memcage writes it (malloc'd, NUL-terminated, ending
 * in a newline): indented by 2, keys in their order, reals with 15
 * significant digits. The one format of a report file, whether made by run
 * or rendered again by `memcage report --format json`.
 */
int mc_report_json_dump(const json_t *doc, char **ret, struct mc_error *err);

/* The report as a JSON document, by mc_report_json_dump(). */
int mc_report_to_json(const struct mc_report *r, char **ret, struct mc_error *err);

/* Writes the JSON to path as an output (output.h): a file replaced atomically, a FIFO or "-" as a stream. */
int mc_report_write_json(const struct mc_report *r, const char *path, struct mc_error *err);

/*
 * One line for people: "exit 0, peak 12.3M of 64M, 0 OOM kills, 1.23 s".
 * buf of 256 bytes suffices.
 */
const char *mc_report_summary(const struct mc_report *r, char *buf, size_t n);
