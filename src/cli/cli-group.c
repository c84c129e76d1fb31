/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parent group the operator commands (ps, gc) look into. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "cgroup.h"
#include "cli.h"
#include "util.h"

int cli_open_parent(const char *command, const char *parent, char **ret_root_path, int *ret_root_fd,
                    int *ret_parent_fd)
{
        _cleanup_free_ char *root_path = NULL;
        _cleanup_close_ int root_fd = -EBADF;
        struct mc_error err = { 0 };

        if (mc_cgroup_validate_path(parent, &err) < 0) {
                cli_error("%s: parent group '%s': %s", command, parent, err.msg);
                cli_usage_hint(command);
                return MC_EXIT_USAGE;
        }
        if (mc_cgroup_open_root("/proc/self/mountinfo", &root_path, &root_fd, &err) < 0) {
                cli_error("%s: %s", command, err.msg);
                return 1;
        }
        int fd = openat(root_fd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        /* No parent: no run ever created it, which is not an error. */
        if (fd < 0 && errno != ENOENT) {
                cli_error("%s: cannot open %s/%s: %s", command, root_path, parent, strerror(errno));
                return 1;
        }
        *ret_parent_fd = fd < 0 ? -EBADF : fd;
        *ret_root_fd = TAKE_FD(root_fd);
        *ret_root_path = TAKE_PTR(root_path);
        return 0;
}
