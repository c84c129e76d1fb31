/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Starting the command inside its group, so that it never runs a single
 * instruction outside: clone3(CLONE_INTO_CGROUP) (Linux 5.7+), or, where
 * clone3 is refused, fork + a write to cgroup.procs while the child waits on
 * a pipe before exec.
 */

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "credentials.h"
#include "error.h"

enum mc_spawn_method {
        MC_SPAWN_AUTO, /* clone3, falling back to fork when refused */
        MC_SPAWN_FORK, /* force the fallback (tests, old kernels) */
};

struct mc_spawn_opts {
        char *const *argv; /* argv[0] is looked up in PATH like execvp */
        int cgroup_fd;     /* O_DIRECTORY fd of the group */
        enum mc_spawn_method method;
        const sigset_t *child_sigmask;      /* the signal mask the command starts with */
        const struct mc_credentials *creds; /* applied in the child before exec; may be NULL */
};

struct mc_child {
        pid_t pid;
        int pidfd; /* -EBADF when none */
        bool via_clone3;
        enum mc_cred_step failed_step; /* set when mc_spawn() fails: exec, or a credentials step */
};

/*
 * Starts the command. Returns once it has executed (or failed to): a failed
 * exec is reaped and returned as its errno (-ENOENT, -EACCES, ...) with a
 * message naming the command, so the CLI can exit 127 or 126. A failed
 * credentials step (ret->failed_step != MC_CRED_STEP_EXEC) is memcage's own
 * failure: the message names the step.
 */
int mc_spawn(const struct mc_spawn_opts *opts, struct mc_child *ret, struct mc_error *err);

void mc_child_done(struct mc_child *c);
