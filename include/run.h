/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * One run of a command under a profile's memory rules, stage by stage:
 *
 *   plan     the profile read once: limits resolved for this host (with
 *            the parent, the slice and whether hugetlb is used), who the
 *            command runs as, the observers' settings, the page sizes;
 *   place    where the group goes (placement.h), stale groups of dead
 *            launchers swept there, huge pages reserved in the host pool;
 *   group    the group made with its limits, and read back;
 *   launch   the command started in it and observed until the group is
 *            empty (launch.h, observe.h);
 *   end      the group removed, the placement undone, the pool given back.
 *
 * Each stage keeps its own value in struct mc_run; none writes into the
 * report, which mc_run_report() assembles from those values once, at the
 * end. Nothing here prints: progress goes to the notify callback, warnings
 * to warn, events to emit.
 *
 * Host paths (the mount table, the launcher's own cgroup, systemd's runtime
 * directory, the kernel log) are the real ones; tests of the stages below
 * give theirs to those stages directly.
 */

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup-stale.h"
#include "cgroup.h"
#include "credentials.h"
#include "error.h"
#include "event-watch.h"
#include "group-limits.h"
#include "hugetlb-run.h"
#include "observe.h"
#include "placement.h"
#include "profile.h"
#include "report.h"
#include "spawn.h"
#include "watch.h"

/* What a run has done so far, for the notify callback. */
enum mc_run_step {
        MC_RUN_PLACED,   /* run->placement is chosen */
        MC_RUN_SWEPT,    /* run->stale lists the stale groups found in the parent */
        MC_RUN_RESERVED, /* run->plan.hugetlb's reserves are in the pool */
        MC_RUN_GROUPED,  /* run->group exists, run->limits_read are its limits as the kernel kept them */
};

struct mc_run;
typedef void (*mc_run_notify_fn)(void *userdata, enum mc_run_step step, const struct mc_run *run);

struct mc_run_request {
        const char *profile_name;   /* as given (-p), for the group's and scope's names; NULL: none */
        char *const *argv;          /* the command */
        char *const *envp;          /* the launcher's environment, for [run] (credentials.h) */
        const char *user;           /* --user: replaces [run] user */
        const char *interval;       /* --interval: replaces [report] interval */
        const char *parent;         /* --parent: replaces [cgroup] parent */
        const char *name;           /* --name of the group; NULL: PROFILE-PID */
        const char *runtime_dir;    /* the caller's $XDG_RUNTIME_DIR, for a user manager's bus */
        bool evacuate;              /* --evacuate */
        bool wait_all;              /* --wait-all */
        bool step_reclaim;          /* --step-reclaim: memory.reclaim at each step's start */
        uint64_t time_limit_us;     /* the group is killed when the command has run this long; 0: never */
        unsigned interrupt_kill_ms; /* ... or this long after an interrupt was forwarded (supervise.h) */
        enum mc_spawn_method method;
        int signal_fd;                 /* memcage's signalfd (mc_signals_block()) */
        const sigset_t *child_sigmask; /* the mask the command gets */
        int tty_fd;                    /* the terminal the command may take over */
        mc_run_notify_fn notify;       /* may be NULL */
        mc_event_emit_fn emit;         /* the run's events; may be NULL */
        void *emit_userdata;
        mc_warn_fn warn; /* may be NULL */
        void *userdata;  /* for notify and warn */
};

/* The plan stage's value: what the profile asks of this host. */
struct mc_run_plan {
        struct mc_limits limits;
        char *parent;     /* --parent, else [cgroup] parent; NULL: placement chooses */
        char *slice;      /* [cgroup] slice; NULL: the default */
        bool use_hugetlb; /* the profile names a page size */
        struct mc_hugetlb_run hugetlb;
        struct mc_credentials creds;
        bool has_identity; /* [run] changes who the command runs as */
        struct mc_report_run identity;
        uint64_t interval_ms; /* sampling interval, 0 for none */
        struct mc_observe_triggers triggers;
        struct mc_observe_kill kill;
        char *profile_path; /* the file loaded, NULL for none */
};

struct mc_run {
        struct mc_run_request req;
        struct mc_run_plan plan;
        bool planned;

        char *root_path; /* the cgroup2 mount */
        int root_fd;
        struct mc_placement placement;
        bool placed;
        struct mc_stale *stale; /* stale groups found in the parent */
        size_t n_stale;

        char *group_name;
        struct mc_group group;
        bool group_created;
        bool has_limits;
        struct mc_limits limits_read; /* the group's limits as the kernel kept them */

        struct mc_observe observe;
        bool observing;
        const char *launch; /* "clone3" or "fork", NULL when the command did not start */
        struct mc_observation observation;
};

void mc_run_init(struct mc_run *run);

/*
 * The plan from p (loaded, with the command line's values applied) for the
 * request, which must outlive the run, and the group's name, checked.
 * Nothing on the host changes. The message names file:line or the option.
 */
int mc_run_plan(struct mc_run *run, const struct mc_run_request *req, const struct mc_profile *p,
                uint64_t ram_bytes, struct mc_error *err);

/*
 * Places, reserves, makes the group and runs the command in it until the
 * group is empty. *ret_status is memcage's exit status: the command's
 * (mc_launch()), or MC_SPAWN_EXIT_FAILED when memcage failed before it.
 * Whatever was done stays for mc_run_end(), on failure too.
 */
int mc_run_execute(struct mc_run *run, int *ret_status, struct mc_error *err);

/*
 * Undoes what the run did, every step even when one fails: the group
 * killed if processes are left and removed, the placement restored (a
 * failure there is a warning), the pool given back. Returns the first
 * failure.
 */
int mc_run_end(struct mc_run *run, struct mc_error *err);

/*
 * The report, assembled from the stages' values: error is memcage's own
 * failure (NULL when none), status the exit status memcage gives. It
 * points into run, which must outlive it.
 */
void mc_run_report(const struct mc_run *run, const char *error, int status, struct mc_report *ret);

void mc_run_done(struct mc_run *run);
