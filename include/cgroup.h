/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The cgroup v2 stage: finding the unified hierarchy, creating the parent and
 * the run's group, writing limits and reading them back, killing what is left
 * and removing the group. Sweeping the groups of launchers that died is
 * cgroup-stale.h's.
 *
 * Every file of a group is read or written through the group's directory fd,
 * so unit tests run the same code on a temporary directory shaped like
 * cgroupfs. A parent that is not ready is made ready by a backend
 * (cgroup-backend.h): libcgroup by default, plain mkdirat/openat for
 * delegated trees; the run's group itself is always made with mkdirat.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"
#include "group-limits.h"

struct mc_cgroup_backend;

enum mc_cgroup_layout {
        MC_CGROUP_UNIFIED, /* cgroup2 only (memory available there) */
        MC_CGROUP_HYBRID,  /* v1 hierarchies plus a cgroup2 mount, e.g. /sys/fs/cgroup/unified */
        MC_CGROUP_LEGACY,  /* v1 only */
        MC_CGROUP_NONE,    /* nothing mounted */
};

struct mc_cgroup_mounts {
        enum mc_cgroup_layout layout;
        char *unified;   /* mount point of the cgroup2 hierarchy, NULL if none */
        char *memory_v1; /* mount point of a v1 hierarchy holding the memory controller, NULL if none */
};

/* Parses /proc/self/mountinfo (or a fake one in tests). */
int mc_cgroup_parse_mountinfo(FILE *f, struct mc_cgroup_mounts *ret, struct mc_error *err);
void mc_cgroup_mounts_free(struct mc_cgroup_mounts *m);

/*
 * Opens the cgroup2 root usable for memory work: mountinfo says where it is,
 * and its cgroup.controllers must list "memory". With the real mountinfo
 * (NULL or "/proc/self/mountinfo"), a cgroup2 /sys/fs/cgroup offering memory
 * is taken without reading it. On a hybrid or v1 host, or
 * without memory in cgroup2, fails with -EOPNOTSUPP and a message saying what
 * was found and what is needed.
 */
int mc_cgroup_open_root(const char *mountinfo_path, char **ret_path, int *ret_fd, struct mc_error *err);

/*
 * A group name (one path component): rejects empty, ".", "..", '/', control
 * characters, over-long names and names of kernel files ("cgroup.*",
 * "memory.*" and other controller prefixes).
 */
int mc_cgroup_validate_name(const char *name, struct mc_error *err);
/* A relative path of valid names ("memcage", "ci/memcage"); no leading '/'. */
int mc_cgroup_validate_path(const char *path, struct mc_error *err);

/* True when a blank-separated kernel list (cgroup.controllers, cgroup.subtree_control) holds word. */
bool mc_cgroup_list_has(const char *list, const char *word);

struct mc_group {
        char *root;      /* cgroup2 mount point, "/sys/fs/cgroup" */
        char *parent;    /* relative to root, "memcage" */
        char *name;      /* leaf, "db-1234" */
        char *relpath;   /* "memcage/db-1234" */
        int fd;          /* O_DIRECTORY|O_CLOEXEC of the group, -EBADF when closed */
        int parent_fd;   /* O_DIRECTORY|O_CLOEXEC of the parent */
        char **warnings; /* things the CLI should tell the user (NULL-terminated, may be NULL) */
        const struct mc_cgroup_backend *backend; /* the one that created it, removes it */
};

struct mc_group_opts {
        const char *root; /* cgroup2 mount point */
        int root_fd;
        const char *parent; /* relative path of the parent, "memcage"; NULL or "": the root */
        const char *name;   /* leaf name */
        const struct mc_limits *limits;
        const char *profile;                     /* recorded on the group for ps/gc, may be NULL */
        bool use_hugetlb;                        /* also enable hugetlb along the path */
        const struct mc_cgroup_backend *backend; /* NULL: mc_cgroup_backend_get() */
};

/*
 * Creates the parent (holding only groups: a populated parent is refused,
 * as the no-internal-process rule would make it fail later), enables the
 * controllers top-down (none of this when the parent already enables them),
 * creates the leaf with mkdirat (an existing one is an error, and is left
 * alone: a group is never reused), marks it with the launcher's pid,
 * start time and pid namespace, and writes the limits through its fd. A limit whose kernel file is missing
 * is an error when finite and a warning when "max". On failure nothing is left behind.
 */
int mc_group_create(const struct mc_group_opts *opts, struct mc_group *ret, struct mc_error *err);

/*
 * Reads back the limit files set in which (NULL: every one) that exist on
 * this kernel; the kernel rounds sizes down to pages.
 */
int mc_group_read_limits(int group_fd, const struct mc_limits *which, struct mc_limits *ret,
                         struct mc_error *err);

/* "populated" of cgroup.events. */
int mc_group_is_populated(int group_fd, bool *ret, struct mc_error *err);
/* The same from the text of cgroup.events, for a caller that polls the file itself. */
int mc_group_parse_populated(const char *events, bool *ret, struct mc_error *err);

/* Sends sig to every process in cgroup.procs (sig 0: none) and counts them. */
int mc_group_signal_all(int group_fd, int sig, unsigned *ret_count, struct mc_error *err);

/* Kills every process in the group: cgroup.kill (5.14+), else SIGKILL to each pid in cgroup.procs. */
int mc_group_kill(int group_fd, struct mc_error *err);

/*
 * Removes the group (rmdir relative to parent_fd, through g->backend) and
 * closes its fds. Retries a short, bounded while (about 1 s) on EBUSY, which
 * the kernel reports transiently after a kill while the last tasks finish
 * exiting. A group already gone counts as removed. On failure parent_fd stays
 * open, so the caller may retry; mc_group_done() closes it.
 */
int mc_group_remove(struct mc_group *g, struct mc_error *err);

/* Closes fds and frees strings; does not remove anything. */
void mc_group_done(struct mc_group *g);

/*
 * The mark memcage leaves on each group it creates (an xattr on the
 * directory): "PID STARTTIME PIDNS", PIDNS being the inode of the launcher's
 * pid namespace (/proc/self/ns/pid). Earlier versions of memcage wrote
 * "PID STARTTIME", read as a launcher of our namespace, as they judged it.
 */
#define MC_GROUP_XATTR_LAUNCHER "user.memcage.launcher"
#define MC_GROUP_XATTR_PROFILE  "user.memcage.profile"

/*
 * cgroupfs has no rename, so a group cannot be marked before its name
 * appears: a launcher killed between its mkdir and its mark would leave an
 * empty group nobody could tell from another's. So the parent holds the
 * intent first: before the mkdir the launcher sets, on the parent,
 * MC_GROUP_XATTR_CREATING "PID.STARTTIME.PIDNS" = "PID STARTTIME PIDNS/NAME"
 * (its mark, then the group's name), and removes it once the group is
 * marked (or the creation failed). A sweep that finds such a record of a
 * launcher that is gone removes the group NAME when it is empty and carries
 * no mark, then the record. A record of a live launcher (or one not judged
 * here) is left alone with its group, and a group without mark and without
 * record is never memcage's to touch: the record goes only after the mark
 * is set, so a group being made is always covered by one or the other.
 */
#define MC_GROUP_XATTR_CREATING "user.memcage.creating."

/* This launcher's mark, "PID STARTTIME PIDNS" (in n of 64 bytes), for the marks of other stages. */
int mc_group_launcher_mark(char *mark, size_t n, struct mc_error *err);
