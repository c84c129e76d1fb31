/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Shared by the modules of the placement (placement.c, where the run's group
 * goes and nesting there; placement-leaf.c, the delegated group's leaf and
 * its lock, mark and undoing): the steps of a nest. Not for other callers:
 * they use placement.h.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "placement.h"

struct mc_cgroup_backend;

/* Opens the group rel (relative to root_fd, "" for root_fd itself) as a directory, -1 with errno. */
int mc_placement_open_group(int root_fd, const char *rel);

/* Takes the lock launchers nesting into or leaving the group fd take turns on; *ret_lock_fd holds it. */
int mc_placement_lock_group(const struct mc_placement_request *req, int fd, const char *shown,
                            int *ret_lock_fd, struct mc_error *err);

/* The pids in fd's cgroup.procs other than self, as "1 (sh), 27 (sleep)" of at most a few, and their count.
 */
int mc_placement_others_in(int fd, pid_t self, char **ret_list, unsigned *ret_count, struct mc_error *err);

/* Writes pid into to_fd's cgroup.procs. */
int mc_placement_move_pid(const struct mc_cgroup_backend *backend, int to_fd, long pid,
                          struct mc_error *err);

/* Moves every process of from_fd into to_fd, also those forked meanwhile. */
int mc_placement_evacuate(const struct mc_cgroup_backend *backend, int from_fd, int to_fd, const char *shown,
                          struct mc_error *err);

/* Enables in fd the controllers not enabled yet, adding each it enabled to *enabled. */
int mc_placement_enable_controllers(const struct mc_cgroup_backend *backend, int fd, const char *shown,
                                    const char *const *controllers, char ***enabled, struct mc_error *err);

/* Marks leaf_fd with this launcher and the controllers it enables in fd (MC_PLACEMENT_XATTR_LEAF). */
void mc_placement_mark_leaf(int fd, int leaf_fd, const char *const *controllers, char *const *adopted);

/* 1 with the controllers of the mark in *ret when leaf_fd's launcher is gone, else 0; -ENOMEM. */
int mc_placement_leaf_orphan(int leaf_fd, char ***ret, pid_t *ret_launcher);
