/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * How groups are created and their values written. libcgroup is the
 * production backend and the only code that includes <libcgroup.h>
 * (src/lib/cgroup-libcgroup.c); the direct backend (src/lib/cgroup-direct.c) uses
 * mkdirat/openat on the root fd and serves tests on fake cgroupfs trees.
 */

#include <stddef.h>

#include "error.h"

struct mc_cgroup_kv {
        const char *file;  /* "memory.max" */
        const char *value; /* "67108864" */
};

struct mc_cgroup_backend {
        const char *name;
        /*
         * Creates the group relpath (its parent exists) after enabling each
         * controller in cgroup.subtree_control of every ancestor, from the
         * root down to relpath's parent. Fails with -EEXIST if it exists.
         */
        int (*create)(const char *root, int root_fd, const char *relpath, const char *const *controllers,
                      struct mc_error *err);
        /* Writes values into existing files of the group, in order. */
        int (*set)(const char *root, int root_fd, const char *relpath, const struct mc_cgroup_kv *kv,
                   size_t n, struct mc_error *err);
        /*
         * Removes an empty group: name relative to its parent's fd. -EBUSY
         * while it holds processes or child groups, as the kernel says.
         */
        int (*remove)(int parent_fd, const char *name, struct mc_error *err);
};

extern const struct mc_cgroup_backend mc_cgroup_backend_libcgroup;
extern const struct mc_cgroup_backend mc_cgroup_backend_direct;

/*
 * The backend in use: $MEMCAGE_CGROUP_BACKEND, "libcgroup" (the default when
 * unset or empty) or "direct"; any other value is an error (-EINVAL) for the
 * CLI to report.
 */
int mc_cgroup_backend_get(const struct mc_cgroup_backend **ret, struct mc_error *err);

/* rmdir of a group relative to its parent's fd: the remove of both backends. */
int mc_cgroup_rmdir_at(int parent_fd, const char *name, struct mc_error *err);
