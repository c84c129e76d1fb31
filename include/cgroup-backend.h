/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * How the parent of a run's group is made ready, and the kernel operations
 * on a group's directory fd. libcgroup is the default backend and the only
 * code that includes <libcgroup.h> (src/lib/cgroup-libcgroup.c); the direct
 * backend (src/lib/cgroup-direct.c) uses mkdirat/openat alone.
 *
 * Only prepare differs between the two: the leaf is always created with
 * mkdirat in the parent's fd (EEXIST is atomic, so two runs can never both
 * own it), and values are written through the group's fd. mkdir, write and
 * remove are in the table so that unit tests can stand in for the kernel
 * (interface files of a new group, refused writes, EBUSY on rmdir).
 */

#include <stddef.h>

#include "error.h"

struct mc_cgroup_backend {
        const char *name;
        /*
         * Makes the group parent ("" is the root, "memcage", "ci/memcage")
         * exist, creating missing components, with each controller enabled in
         * cgroup.subtree_control of every group from the root down to and
         * including parent, so that a group created in it has them. A
         * component another run creates meanwhile is fine.
         */
        int (*prepare)(const char *root, int root_fd, const char *parent, const char *const *controllers,
                       struct mc_error *err);
        /* Creates the group name in its parent's fd; -EEXIST when it exists. */
        int (*mkdir)(int parent_fd, const char *name, struct mc_error *err);
        /* Writes value into the existing file of the group; -ENOENT when the kernel has no such file. */
        int (*write)(int group_fd, const char *file, const char *value, struct mc_error *err);
        /*
         * Removes an empty group: name relative to its parent's fd. -EBUSY
         * while it holds processes or child groups, as the kernel says.
         */
        int (*remove)(int parent_fd, const char *name, struct mc_error *err);
};

extern const struct mc_cgroup_backend mc_cgroup_backend_libcgroup;
extern const struct mc_cgroup_backend mc_cgroup_backend_direct;

/*
 * Names the backend for this process: "libcgroup" (the default, also for
 * NULL or "") or "direct". The CLI passes MEMCAGE_CGROUP_BACKEND when the
 * caller's environment is to be trusted (cli_getenv()); the library reads
 * no environment. The name is checked by mc_cgroup_backend_get().
 */
void mc_cgroup_backend_choose(const char *name);

/* The backend chosen; an unknown name is an error (-EINVAL) for the CLI to report. */
int mc_cgroup_backend_get(const struct mc_cgroup_backend **ret, struct mc_error *err);

/* The kernel operations both backends use: mkdirat, a write through the group's fd, rmdir. */
int mc_cgroup_mkdir_at(int parent_fd, const char *name, struct mc_error *err);
int mc_cgroup_write_at(int group_fd, const char *file, const char *value, struct mc_error *err);
int mc_cgroup_rmdir_at(int parent_fd, const char *name, struct mc_error *err);

/*
 * Enables each controller in cgroup.subtree_control of the group dir_fd
 * (shown names it in messages) unless already listed there.
 */
int mc_cgroup_enable_at(int dir_fd, const char *shown, const char *const *controllers, struct mc_error *err);

/*
 * Removes a group through backend->remove (NULL: mc_cgroup_rmdir_at),
 * retrying a short, bounded while (MC_CGROUP_REMOVE_TIMEOUT_MS) on EBUSY,
 * which the kernel reports transiently after a kill while the last tasks
 * finish exiting. A group already gone counts as removed. After the
 * timeout, -EBUSY with the backend's last message.
 */
#define MC_CGROUP_REMOVE_TIMEOUT_MS 1000
int mc_cgroup_remove_retry(const struct mc_cgroup_backend *backend, int parent_fd, const char *name,
                           struct mc_error *err);
