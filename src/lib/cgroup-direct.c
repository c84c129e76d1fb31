/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The direct backend: mkdirat and writes through directory fds, nothing else.
 * For delegated trees (MEMCAGE_CGROUP_BACKEND=direct) and fake cgroupfs trees.
 * The kernel operations both backends share live here too.
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

int mc_cgroup_enable_at(int dir_fd, const char *shown, const char *const *controllers, struct mc_error *err)
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

static int direct_prepare(const char *root, int root_fd, const char *parent, const char *const *controllers,
                          struct mc_error *err)
{
        _cleanup_close_ int dir = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *shown = malloc(strlen(root) + strlen(parent) + 2);
        int r;

        if (dir < 0)
                return mc_error_errno(err, errno, "open %s", root);
        if (!shown)
                return mc_error_errno(err, ENOMEM, "prepare parent group %s", parent);
        strcpy(shown, root);

        /* Top-down: a controller can be enabled only where the parent enables it. */
        for (const char *p = parent; *p;) {
                r = mc_cgroup_enable_at(dir, shown, controllers, err);
                if (r < 0)
                        return r;
                size_t n = strcspn(p, "/");
                char comp[NAME_MAX + 1];
                if (n == 0 || n > NAME_MAX)
                        return mc_error_set(err, EINVAL, "bad group path '%s'", parent);
                memcpy(comp, p, n);
                comp[n] = '\0';
                strcat(shown, "/");
                strcat(shown, comp);
                int next = openat(dir, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0 && errno == ENOENT) {
                        /* EEXIST: another run created it meanwhile; it serves this one as well. */
                        if (mkdirat(dir, comp, 0755) < 0 && errno != EEXIST)
                                return mc_error_errno(err, errno, "create group %s", shown);
                        next = openat(dir, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                }
                if (next < 0)
                        return mc_error_errno(err, errno, "open group %s", shown);
                close(dir);
                dir = next;
                p += n;
                if (*p == '/')
                        p++;
        }
        return mc_cgroup_enable_at(dir, shown, controllers, err);
}

int mc_cgroup_mkdir_at(int parent_fd, const char *name, struct mc_error *err)
{
        if (mkdirat(parent_fd, name, 0755) < 0) {
                if (errno == EEXIST)
                        return mc_error_set(err, EEXIST, "group %s exists", name);
                return mc_error_errno(err, errno, "create group %s", name);
        }
        return 0;
}

int mc_cgroup_write_at(int group_fd, const char *file, const char *value, struct mc_error *err)
{
        return mc_write_file_at(group_fd, file, value, err);
}

int mc_cgroup_rmdir_at(int parent_fd, const char *name, struct mc_error *err)
{
        if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0)
                return mc_error_errno(err, errno, "remove group %s", name);
        return 0;
}

const struct mc_cgroup_backend mc_cgroup_backend_direct = {
        .name = "direct",
        .prepare = direct_prepare,
        .mkdir = mc_cgroup_mkdir_at,
        .write = mc_cgroup_write_at,
        .remove = mc_cgroup_rmdir_at,
};
