/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Helpers shared by the unit tests that run the cgroup stage on a temporary directory shaped like cgroupfs.
 */

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Creates or truncates a file relative to dirfd with content (asserts success). */
void write_at(int dirfd, const char *name, const char *content);
/* The files of a memory group the observation reads, at rest: memory.events (and .local) as given. */
void fake_memory_group(int dirfd, const char *events);
/* The content of a file relative to dirfd, malloc'd, or NULL when it cannot be read. */
char *read_at(int dirfd, const char *name);
bool exists_at(int dirfd, const char *path);
/* mkdir -p of rel below dirfd, and an O_DIRECTORY fd of it (asserts success). */
int mkdir_p_at(int dirfd, const char *rel);
/* Removes a file or a directory tree relative to dir_fd, ignoring errors. */
void rm_rf_at(int dir_fd, const char *name);
/*
 * The remove operation of a test backend: rmdir as cgroupfs does it. A
 * populated group (cgroup.events says so) or one with child groups is
 * refused with EBUSY; otherwise its interface files go, then the directory.
 */
int fake_remove(int parent_fd, const char *name, struct mc_error *err);

/*
 * A new temporary directory "memcage-test-NAME.*" in TMPDIR (or /tmp),
 * /dev/shm or ".", the first where user.* xattrs work (tmpfs has them since
 * 6.6, ext4 always); failing that the first one created, with why saying
 * what each place answered. NULL when none could be created.
 */
char *fake_make_base(const char *name, bool *ret_xattr_ok, char *why, size_t why_len);
