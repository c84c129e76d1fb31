/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Finding memcage's groups wherever placement put them (placement.h): under
 * memcage/ at the root, in transient scopes, in delegated units, in a
 * container's namespace root. A group is memcage's when it carries the
 * launcher mark (MC_GROUP_XATTR_LAUNCHER); the walk does not descend into
 * such a group (what its command made below it is the command's).
 */

#include <sys/types.h>

#include "error.h"

/* Deeper than any tree systemd or a container runtime builds. */
#define MC_FIND_MAX_DEPTH 32

/*
 * The parents holding at least one marked group (or a launcher's creation
 * record, MC_GROUP_XATTR_CREATING, or a delegated placement's marked leaf,
 * MC_PLACEMENT_XATTR_LEAF), relative to root_fd ("" for
 * the root itself), sorted, NULL-terminated; NULL when there are none. With
 * owner other than (uid_t)-1 only groups whose directory that uid owns count:
 * a user sees the groups their own runs made. Directories that cannot be read
 * are skipped.
 */
int mc_group_find_parents(int root_fd, uid_t owner, char ***ret, struct mc_error *err);
