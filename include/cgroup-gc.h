/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Collecting stale groups: groups under a parent that carry memcage's mark
 * and whose launcher is gone. Empty ones are removed; populated ones are
 * kept unless asked to kill them, then killed, waited for and removed.
 * Groups without the mark, or whose launcher runs, are never touched; nor
 * are those whose launcher cannot be judged here (another pid namespace, a
 * mark not understood), which are listed as MC_GC_LEFT_ALONE.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup-stale.h"
#include "cgroup.h"
#include "error.h"

struct mc_cgroup_backend;

enum mc_gc_state {
        MC_GC_REMOVED,      /* was empty, removed */
        MC_GC_KILLED,       /* was populated, killed and removed */
        MC_GC_KEPT,         /* populated, left in place (kill not asked) */
        MC_GC_WOULD_REMOVE, /* dry run: empty, would be removed */
        MC_GC_WOULD_KILL,   /* dry run with kill: populated, would be killed and removed */
        MC_GC_FAILED,       /* could not be removed: see error and message */
        MC_GC_LEFT_ALONE,   /* launcher not judged here (launcher_state): may be alive, not stale */
};

struct mc_gc_opts {
        int parent_fd;
        const struct mc_cgroup_backend *backend; /* NULL: mc_cgroup_backend_get() */
        bool kill;                               /* kill populated stale groups, then remove them */
        bool dry_run;                            /* only say what would be done */
        unsigned wait_ms; /* how long a killed group may take to empty; 0: MC_GC_WAIT_MS */
};

#define MC_GC_WAIT_MS 5000

struct mc_gc_result {
        char *name;
        pid_t launcher;
        enum mc_launcher_state launcher_state; /* MC_LAUNCHER_GONE, or why it was left alone */
        uint64_t launcher_pidns;               /* 0: not in the mark */
        enum mc_gc_state state;
        bool thawed;   /* it was frozen (its launcher died mid pressure kill) and is thawed now */
        int error;     /* MC_GC_FAILED: negative errno (-EBUSY: processes or child groups remain) */
        char *message; /* MC_GC_FAILED: what failed, for the user */
};

/*
 * Collects the stale groups of opts->parent_fd. *ret lists every stale group
 * found and what became of it, and the groups left alone, sorted by name; NULL and 0 when there are none.
 * Fails only when the parent cannot be read; a group that cannot be removed
 * is a result with MC_GC_FAILED.
 */
int mc_gc_collect(const struct mc_gc_opts *opts, struct mc_gc_result **ret, size_t *ret_n,
                  struct mc_error *err);
void mc_gc_results_free(struct mc_gc_result *r, size_t n);
