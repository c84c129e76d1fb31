/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The groups memcage runs now under a parent: each group with memcage's mark,
 * its profile, launcher, processes, memory use, limits, pressure and OOM
 * kills. Read with one directory listing and, per group, reads relative to
 * its directory fd only, so hundreds of groups take milliseconds.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup-stale.h"
#include "cgroup.h"
#include "error.h"

/* A value the kernel does not provide here (a file missing), or "max" for a limit. */
#define MC_PS_NONE UINT64_MAX

struct mc_ps_entry {
        char *name;
        char *profile;          /* NULL when not recorded or not understood */
        bool profile_malformed; /* the mark is there but not text memcage writes (control characters) */
        pid_t launcher;
        bool launcher_alive;                   /* launcher_state == MC_LAUNCHER_ALIVE */
        enum mc_launcher_state launcher_state; /* OTHER_NS, UNKNOWN: liveness not judged here */
        uint64_t launcher_pidns;               /* 0: not in the mark */
        uint64_t pids;                         /* processes in cgroup.procs */
        uint64_t current;                      /* memory.current, MC_PS_NONE when absent */
        uint64_t peak;                         /* memory.peak (5.19+), MC_PS_NONE when absent */
        uint64_t max;                          /* memory.max, MC_PS_NONE for "max" or absent */
        uint64_t high;                         /* memory.high, likewise */
        uint64_t oom_kill;                     /* oom_kill of memory.events, MC_PS_NONE when absent */
        bool have_psi; /* memory.pressure readable (CONFIG_PSI, not psi=0) and well-formed */
        double psi_some_avg10;
};

/*
 * Lists the marked groups of parent_fd, sorted by name; NULL and 0 when
 * there are none. A group that disappears while it is read is left out; a
 * file missing on this kernel gives MC_PS_NONE. Fails only when the parent
 * cannot be read.
 */
int mc_ps_collect(int parent_fd, struct mc_ps_entry **ret, size_t *ret_n, struct mc_error *err);
void mc_ps_entries_free(struct mc_ps_entry *e, size_t n);
