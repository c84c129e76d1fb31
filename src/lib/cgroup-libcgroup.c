/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The default backend: libcgroup (2.0.2 in Debian 12) makes the parent of the
 * run's group ready when it is not already. This is the only file that
 * includes <libcgroup.h>.
 *
 * What libcgroup 2.0.2 does on cgroup v2, read from its src/api.c (unchanged
 * in 3.x) and checked in the VM on 6.1 and 6.12:
 * - cgroup_create_cgroup() writes "+CONTROLLER" to cgroup.subtree_control of
 *   every directory from the first level below the root down to the parent,
 *   creating missing ones like mkdir -p; it writes the root's file only when
 *   the parent is the root itself. So "a/b" with memory off in the root fails
 *   with ENOENT and leaves "a" behind: memcage creates one level per call.
 * - It accepts a group that exists (mkdir's EEXIST is "not fatal"), so it
 *   cannot tell two runs apart: memcage creates the run's group itself with
 *   mkdirat, and uses libcgroup only to make the parent ready (mkdir -p of
 *   the parent path, controllers enabled above it), and only when the parent
 *   is not ready already (see mc_group_create).
 * - Each call parses /proc/mounts again (cgroup_init() also reads
 *   /proc/cgroups), and mkdir()s each directory of the path from "/" down,
 *   existing or not: a call costs a launch a few dozen system calls.
 * - Its error codes are its own (ECG*, 50000+); ECGOTHER means "see
 *   cgroup_get_last_errno()". cgroup_strerror(0) reads like a failure, so
 *   only codes are tested.
 * - cgroup_delete_cgroup() moves the group's tasks into the parent first
 *   (without CGFLAG_DELETE_EMPTY_ONLY), which memcage must never do: the
 *   parent holds only groups. Removal is a plain rmdir.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-backend.h"
#include "cgroup.h"
#include "util.h"

static void cgroup_freep(struct cgroup **cg)
{
        if (*cg)
                cgroup_free(cg);
}
#define _cleanup_cgroup_ _cleanup_(cgroup_freep)

/* Turns a libcgroup code into a negative errno and a message after what. */
static int libcgroup_error(struct mc_error *err, int code, const char *what)
{
        int e;

        switch (code) {
        case ECGOTHER:
                e = cgroup_get_last_errno();
                return mc_error_errno(err, e > 0 ? e : EIO, "%s", what);
        case ECGROUPNOTEXIST:
        case ECGROUPVALUENOTEXIST: /* any failed open() of a value file but EPERM */
                e = ENOENT;
                break;
        case ECGROUPNOTOWNER:
                e = EPERM;
                break;
        case ECGROUPNOTALLOWED:
                e = EACCES;
                break;
        case ECGROUPNOTMOUNTED:
        case ECGROUPSUBSYSNOTMOUNTED:
                e = EOPNOTSUPP;
                break;
        case ECGINVAL:
                e = EINVAL;
                break;
        default:
                e = EIO;
                break;
        }
        return mc_error_set(err, e, "%s: %s (libcgroup error %d)", what, cgroup_strerror(code), code);
}

/*
 * cgroup_init() reads /proc/mounts once; libcgroup then builds every path
 * from its own table, so the hierarchy it found must be the one memcage
 * opened (a test tree or another mount cannot be handled by libcgroup).
 */
static int libcgroup_init(const char *root, struct mc_error *err)
{
        static bool initialised;
        int code;

        if (!initialised) {
                code = cgroup_init();
                if (code != 0)
                        return libcgroup_error(err, code, "libcgroup: cgroup_init");
                initialised = true;
        }

        _cleanup_free_ char *mount = NULL;
        code = cgroup_get_subsys_mount_point("memory", &mount);
        if (code != 0)
                return libcgroup_error(err, code, "libcgroup finds no memory controller");
        if (!streq(mount, root))
                return mc_error_set(err, EXDEV,
                                    "libcgroup finds the memory controller at %s, memcage uses "
                                    "cgroup2 at %s: set MEMCAGE_CGROUP_BACKEND=direct",
                                    mount, root);
        return 0;
}

static int create_one(const char *root, const char *relpath, const char *const *controllers,
                      struct mc_error *err)
{
        _cleanup_cgroup_ struct cgroup *cg = cgroup_new_cgroup(relpath);
        char what[FILENAME_MAX + 512];

        if (!cg)
                return mc_error_errno(err, ENOMEM, "create group %s/%s", root, relpath);
        for (const char *const *c = controllers; *c; c++)
                if (!cgroup_add_controller(cg, *c))
                        return mc_error_set(err, EINVAL, "libcgroup: cannot add controller %s to group %s",
                                            *c, relpath);
        /* 1: no chown; with 0 it would chown every file to the caller's own uid and gid. */
        int code = cgroup_create_cgroup(cg, 1);
        if (code != 0) {
                snprintf(what, sizeof(what),
                         "libcgroup: create group %s/%s (or enable its controllers in the parent)", root,
                         relpath);
                return libcgroup_error(err, code, what);
        }
        return 0;
}

/* True when the root's cgroup.subtree_control already lists every controller. */
static bool root_enables(int root_fd, const char *const *controllers)
{
        _cleanup_free_ char *list = NULL;
        struct mc_error ignored;

        if (mc_read_file_at(root_fd, "cgroup.subtree_control", &list, &ignored) < 0)
                return false;
        for (const char *const *c = controllers; *c; c++)
                if (!mc_cgroup_list_has(list, *c))
                        return false;
        return true;
}

static int libcgroup_prepare(const char *root, int root_fd, const char *parent,
                             const char *const *controllers, struct mc_error *err)
{
        int r;

        if (parent[0]) {
                if (strlen(parent) >= FILENAME_MAX) /* libcgroup truncates longer names silently */
                        return mc_error_set(err, ENAMETOOLONG, "group path %s is too long", parent);
                r = libcgroup_init(root, err);
                if (r < 0)
                        return r;

                /*
                 * For "a/b" libcgroup enables the controllers in a but not in
                 * the root. Creating the existing "a" through libcgroup too
                 * has it write the root's cgroup.subtree_control; where the
                 * root already enables them, that call is skipped.
                 */
                const char *slash = strchr(parent, '/');
                if (slash && !root_enables(root_fd, controllers)) {
                        char first[NAME_MAX + 1];
                        size_t n = (size_t)(slash - parent);
                        if (n == 0 || n >= sizeof(first))
                                return mc_error_set(err, EINVAL, "bad group path '%s'", parent);
                        memcpy(first, parent, n);
                        first[n] = '\0';
                        r = create_one(root, first, controllers, err);
                        if (r < 0)
                                return r;
                }
                /* mkdir -p of the parent, with the controllers enabled above it. */
                r = create_one(root, parent, controllers, err);
                if (r < 0)
                        return r;
        }

        /*
         * libcgroup writes a group's own cgroup.subtree_control only when it
         * creates a child there, and the run's group is memcage's own mkdirat:
         * the parent's list (the root's, for groups in the root) is written
         * through its fd.
         */
        _cleanup_close_ int fd =
                openat(root_fd, parent[0] ? parent : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        size_t len = strlen(root) + strlen(parent) + 2;
        _cleanup_free_ char *shown = malloc(len);
        if (!shown)
                return mc_error_errno(err, ENOMEM, "prepare parent group %s", parent);
        snprintf(shown, len, "%s%s%s", root, parent[0] ? "/" : "", parent);
        if (fd < 0)
                return mc_error_errno(err, errno, "open group %s", shown);
        return mc_cgroup_enable_at(fd, shown, controllers, err);
}

const struct mc_cgroup_backend mc_cgroup_backend_libcgroup = {
        .name = "libcgroup",
        .prepare = libcgroup_prepare,
        .mkdir = mc_cgroup_mkdir_at,
        .write = mc_cgroup_write_at,
        .remove = mc_cgroup_rmdir_at,
};
