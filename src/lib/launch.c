/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "crash-point.h"
#include "launch.h"
#include "util.h"

int mc_launch(struct mc_observe *ob, const struct mc_launch_opts *opts, struct mc_observation *ret_obs,
              const char **ret_method, int *ret_status, struct mc_error *err)
{
        struct mc_child child = { .pidfd = -EBADF };
        struct mc_supervise_result res;
        struct mc_watch *const *watches;
        size_t n_watches;
        int k, sig;

        *ret_status = MC_SPAWN_EXIT_FAILED;
        *ret_method = NULL;
        /* A signal held since memcage blocked them: the run ends before the command is started. */
        sig = mc_signal_pending();
        if (sig) {
                *ret_status = 128 + sig;
                return mc_error_set(err, EINTR, "interrupted by SIG%s before the command started",
                                    sigabbrev_np(sig));
        }

        pid_t fg = mc_terminal_foreground(opts->tty_fd);
        uint64_t start = mc_now_ns();
        k = mc_spawn(opts->spawn, &child, err);
        if (k < 0) {
                *ret_status = mc_spawn_exit_status(k, &child);
                return k;
        }
        *ret_method = child.via_clone3 ? "clone3" : "fork";
        mc_observe_start(ob, start, &child);
        mc_crash_point("running");
        mc_observe_get_watches(ob, &watches, &n_watches);

        struct mc_supervise_opts vopts = {
                .group_fd = opts->spawn->cgroup_fd,
                .child = &child,
                .signal_fd = opts->signal_fd,
                .wait_all = opts->wait_all,
                .interrupt_kill_ms = opts->interrupt_kill_ms,
                .watches = watches,
                .n_watches = n_watches,
                .warn = opts->warn,
                .warn_userdata = opts->warn_userdata,
        };
        k = mc_supervise(&vopts, &res, err);
        mc_child_done(&child);
        mc_terminal_reclaim(opts->tty_fd, fg);
        if (k >= 0)
                k = mc_observe_finish(ob, &res, ret_obs, err);
        if (k < 0)
                return mc_error_prefix(err, "group %s", opts->cgroup);
        *ret_status = mc_observe_exit_status(ret_obs);
        return 0;
}
