/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The direct backend: mkdirat and writes through directory fds, nothing else.
 * For delegated trees (MEMCAGE_CGROUP_BACKEND=direct) and fake cgroupfs trees.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup-backend.h"
#include "cgroup.h"
#include "util.h"

/* Enables each controller in dir's cgroup.subtree_control unless already listed. */
static int enable_controllers(int dir_fd, const char *shown, const char *const *controllers,
                              struct mc_error *err)
{
        _cleanup_free_ char *enabled = NULL;
        int r = mc_read_file_at(dir_fd, "cgroup.subtree_control", &enabled, err);
        if (r < 0)
                return mc_error_prefix(err, "group %s", shown);

        for (const char *const *c = controllers; *c; c++) {
                char value[64];
                if (mc_cgroup_list_has(enabled, *c))
                        continue;
                snprintf(value, sizeof(value), "+%s", *c);
                r = mc_write_file_at(dir_fd, "cgroup.subtree_control", value, err);
                if (r == -ENOENT)
                        return mc_error_set(err, ENOENT,
                                            "cannot enable %s in %s/cgroup.subtree_control: %s is "
                                            "not in its cgroup.controllers (its parent does not "
                                            "pass it down)",
                                            *c, shown, *c);
                if (r == -EBUSY)
                        return mc_error_set(err, EBUSY,
                                            "cannot enable %s in %s/cgroup.subtree_control: the "
                                            "group holds processes of its own, and cgroup v2 lets "
                                            "only groups without processes hand controllers to "
                                            "child groups (no-internal-process rule)",
                                            *c, shown);
                if (r < 0)
                        return mc_error_prefix(err, "enable %s in group %s", *c, shown);
        }
        return 0;
}

static int direct_create(const char *root, int root_fd, const char *relpath, const char *const *controllers,
                         struct mc_error *err)
{
        _cleanup_close_ int dir = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *shown = NULL;
        const char *leaf = relpath;
        int r;

        if (dir < 0)
                return mc_error_errno(err, errno, "open %s", root);
        shown = malloc(strlen(root) + strlen(relpath) + 2);
        if (!shown)
                return mc_error_errno(err, ENOMEM, "create group %s", relpath);
        strcpy(shown, root);

        /* Top-down: a controller can be enabled only where the parent enables it. */
        for (const char *slash; (slash = strchr(leaf, '/')); leaf = slash + 1) {
                r = enable_controllers(dir, shown, controllers, err);
                if (r < 0)
                        return r;
                char comp[NAME_MAX + 1];
                size_t n = (size_t)(slash - leaf);
                if (n == 0 || n > NAME_MAX)
                        return mc_error_set(err, EINVAL, "bad group path '%s'", relpath);
                memcpy(comp, leaf, n);
                comp[n] = '\0';
                int next = openat(dir, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        return mc_error_errno(err, errno, "open group %s/%.*s", root, (int)(slash - relpath),
                                              relpath);
                close(dir);
                dir = next;
                strcat(shown, "/");
                strcat(shown, comp);
        }
        r = enable_controllers(dir, shown, controllers, err);
        if (r < 0)
                return r;

        if (mkdirat(dir, leaf, 0755) < 0) {
                if (errno == EEXIST)
                        return mc_error_set(err, EEXIST, "group %s/%s exists", root, relpath);
                return mc_error_errno(err, errno, "create group %s/%s", root, relpath);
        }
        return 0;
}

static int direct_set(const char *root, int root_fd, const char *relpath, const struct mc_cgroup_kv *kv,
                      size_t n, struct mc_error *err)
{
        _cleanup_close_ int fd = openat(root_fd, relpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return mc_error_errno(err, errno, "open group %s/%s", root, relpath);
        for (size_t i = 0; i < n; i++) {
                int r = mc_write_file_at(fd, kv[i].file, kv[i].value, err);
                if (r < 0)
                        return mc_error_prefix(err, "group %s", relpath);
        }
        return 0;
}

int mc_cgroup_rmdir_at(int parent_fd, const char *name, struct mc_error *err)
{
        if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0)
                return mc_error_errno(err, errno, "remove group %s", name);
        return 0;
}

const struct mc_cgroup_backend mc_cgroup_backend_direct = {
        .name = "direct",
        .create = direct_create,
        .set = direct_set,
        .remove = mc_cgroup_rmdir_at,
};
