/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Stale groups: judging the launcher named by memcage's mark (cgroup.h,
 * MC_GROUP_XATTR_LAUNCHER), walking a parent's child groups for those whose
 * launcher is not alive, and sweeping them: empty ones removed, frozen ones
 * thawed, the creation records (MC_GROUP_XATTR_CREATING) of launchers that
 * died between mkdir and mark cleared. Built on cgroup.h, which writes the
 * mark this module reads.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"

struct mc_cgroup_backend;

enum mc_launcher_state {
        MC_LAUNCHER_ALIVE,    /* our pid namespace: the pid runs, with the same start time */
        MC_LAUNCHER_GONE,     /* our pid namespace (or no PIDNS in the mark): pid gone or reused */
        MC_LAUNCHER_OTHER_NS, /* another pid namespace: its pid means nothing here */
        MC_LAUNCHER_UNKNOWN,  /* PIDNS malformed, or our own namespace unreadable: cannot judge */
};

struct mc_launcher {
        pid_t pid;
        unsigned long long starttime;
        uint64_t pidns; /* 0: a mark without PIDNS (or a malformed one) */
        enum mc_launcher_state state;
};

/*
 * Reads memcage's mark of a group and judges its launcher. Only
 * MC_LAUNCHER_GONE allows acting on the group: a launcher whose liveness
 * cannot be judged here (another pid namespace, a mark this version does not
 * understand past PID STARTTIME) counts as possibly alive. -ENODATA when the
 * group has no such mark (not memcage's).
 */
int mc_group_read_launcher(int group_fd, struct mc_launcher *ret);

/* Judges the launcher of a mark as mc_group_read_launcher() does; -ENODATA when it is not a mark. */
int mc_group_judge_mark(const char *mark, struct mc_launcher *ret);

/* The same, our pid namespace given (0: unreadable), for callers that read many groups. */
int mc_group_read_launcher_ns(int group_fd, uint64_t self_pidns, struct mc_launcher *ret);

/* The names of the child groups of a group (NULL-terminated; NULL when none). */
int mc_group_list_children(int parent_fd, char ***ret, struct mc_error *err);

/*
 * Calls fn for each child group of parent_fd that carries memcage's mark and
 * whose launcher is not alive (gone, in another pid namespace, unjudgeable),
 * with the group's fd (borrowed, opened O_NOFOLLOW) and its launcher, judged
 * with our pid namespace self_pidns (0: unreadable). A child that is not a
 * directory, went away meanwhile, has no mark or a live launcher is passed
 * over. fn's failure ends the walk and is returned. What `memcage gc
 * --dry-run` reports and what mc_group_sweep_stale() sweeps are one walk.
 */
typedef int (*mc_group_stale_fn)(void *userdata, const char *name, int fd, const struct mc_launcher *l,
                                 struct mc_error *err);
int mc_group_walk_stale(int parent_fd, uint64_t self_pidns, mc_group_stale_fn fn, void *userdata,
                        struct mc_error *err);

struct mc_stale {
        char *name;
        pid_t launcher;
        /* MC_LAUNCHER_GONE: stale; OTHER_NS, UNKNOWN: left alone, only reported */
        enum mc_launcher_state state;
        uint64_t launcher_pidns;
        bool populated; /* true: left in place and reported, never reused */
        bool thawed;    /* populated and frozen (its launcher died mid pressure kill): thawed */
        bool removed;
        int error; /* 0, or a negative errno: reading or removing failed (-EBUSY: child groups) */
};

/*
 * Looks at the parent's child groups that carry memcage's mark and whose
 * launcher is gone (pid not alive, or alive with another start time):
 * empty ones are removed (through backend; NULL: mc_cgroup_backend_get()),
 * populated ones are thawed when frozen (a launcher killed between the
 * pressure kill's freeze and thaw leaves its group frozen: its processes
 * could neither be signalled to an end nor run on) and reported. Groups
 * without the mark are never touched,
 * nor are groups whose launcher cannot be judged here (another pid
 * namespace, MC_LAUNCHER_OTHER_NS, or a malformed mark, MC_LAUNCHER_UNKNOWN):
 * those are listed with that state, neither removed nor read further.
 * *ret lists only these and stale groups; NULL and 0 when there are none.
 */
int mc_group_sweep_stale(int parent_fd, const struct mc_cgroup_backend *backend, struct mc_stale **ret,
                         size_t *ret_n, struct mc_error *err);
void mc_stale_free(struct mc_stale *s, size_t n);

/* Thaws a group whose cgroup.freeze is 1: 1 when it was frozen, 0 when not, a negative errno. */
int mc_group_thaw_stale(int group_fd);
