/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parent group the operator commands (ps, gc) look into. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "cgroup.h"
#include "cgroup-find.h"
#include "cli.h"
#include "util.h"

int cli_parents(const char *command, const char *parent, char **ret_root_path, int *ret_root_fd,
                char ***ret_parents)
{
        _cleanup_free_ char *root_path = NULL;
        _cleanup_close_ int root_fd = -EBADF;
        struct mc_error err = { 0 };
        char **v = NULL;
        size_t n = 0;

        if (parent) {
                if (mc_cgroup_validate_path(parent, &err) < 0) {
                        cli_error("%s: parent group '%s': %s", command, parent, err.msg);
                        cli_usage_hint(command);
                        return MC_EXIT_USAGE;
                }
                if (mc_strv_push(&v, &n, strdup(parent)) < 0) {
                        cli_error("%s: out of memory", command);
                        return MC_EXIT_MEMCAGE;
                }
        }
        if (mc_cgroup_open_root(NULL, &root_path, &root_fd, &err) < 0) {
                cli_error("%s: %s", command, err.msg);
                mc_strv_free(v);
                return MC_EXIT_MEMCAGE;
        }
        if (!parent &&
            mc_group_find_parents(root_fd, geteuid() == 0 ? (uid_t)-1 : geteuid(), &v, &err) < 0) {
                cli_error("%s: %s", command, err.msg);
                return MC_EXIT_MEMCAGE;
        }
        *ret_parents = v;
        *ret_root_fd = TAKE_FD(root_fd);
        *ret_root_path = TAKE_PTR(root_path);
        return 0;
}
