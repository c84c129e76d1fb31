/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Helpers shared by the unit tests that run the cgroup stage on a temporary directory shaped like cgroupfs.
 */

#include <stdbool.h>

#include "error.h"

/* Creates or truncates a file relative to dirfd with content (asserts success). */
void write_at(int dirfd, const char *name, const char *content);
/* The content of a file relative to dirfd, malloc'd, or NULL when it cannot be read. */
char *read_at(int dirfd, const char *name);
bool exists_at(int dirfd, const char *path);
/* Removes a file or a directory tree relative to dir_fd, ignoring errors. */
void rm_rf_at(int dir_fd, const char *name);
/*
 * The remove operation of a test backend: rmdir as cgroupfs does it. A
 * populated group (cgroup.events says so) or one with child groups is
 * refused with EBUSY; otherwise its interface files go, then the directory.
 */
int fake_remove(int parent_fd, const char *name, struct mc_error *err);
