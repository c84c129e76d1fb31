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

/*
 * The launcher's signals around the command: which are forwarded, blocked
 * while the command runs and given back in the child before exec. Here
 * beside the spawn that restores them; the loop (supervise.h) reads them.
 */
/* The signals memcage forwards to the command. */
extern const int mc_forwarded_signals[];
extern const size_t mc_forwarded_signals_count;

/*
 * Blocks the forwarded signals, so that they arrive through the signalfd
 * returned in *ret_fd (CLOEXEC, non-blocking) and none can end memcage
 * with a group left behind; *ret_old is the mask before, for the command.
 */
int mc_signals_block(sigset_t *ret_old, int *ret_fd, struct mc_error *err);
/*
 * mc_signals_block() also ignores SIGPIPE, so that a closed stderr reader
 * cannot end the launcher; in the child, before exec, this gives SIGPIPE
 * back the disposition memcage started with (an ignored signal stays
 * ignored across exec). Async-signal-safe.
 */
void mc_signals_restore_child(void);

/* A forwarded signal that arrived (and waits, blocked) before the command started, or 0. */
int mc_signal_pending(void);

struct mc_spawn_opts {
        char *const *argv; /* argv[0] is looked up in PATH like execvp */
        int cgroup_fd;     /* O_DIRECTORY fd of the group */
        enum mc_spawn_method method;
        const sigset_t *child_sigmask;      /* the signal mask the command starts with */
        const struct mc_credentials *creds; /* applied in the child before exec; may be NULL */
        char *const *envp;                  /* the command's environment; NULL: creds', else memcage's */
};

struct mc_child {
        pid_t pid;
        int pidfd; /* -EBADF when none */
        bool via_clone3;
        /*
         * Set when mc_spawn() fails. exec_failed only when the execve() of the
         * command itself failed; any other failure (pipe, clone3, fork,
         * cgroup.procs, a credentials step) is memcage's own. failed_step
         * names the credentials step that failed, MC_CRED_STEP_EXEC when none.
         */
        bool exec_failed;
        enum mc_cred_step failed_step;
};

/*
 * Starts the command. Returns once it has executed (or failed to): a failed
 * exec is reaped and returned as its errno (-ENOENT, -EACCES, ...) with a
 * message naming the command and ret->exec_failed set, so the CLI can exit
 * 127 or 126. Everything else is memcage's own failure: a failed
 * credentials step (the message names it, ret->failed_step too) or the
 * spawn machinery (clone3, fork, cgroup.procs, pipes).
 */
int mc_spawn(const struct mc_spawn_opts *opts, struct mc_child *ret, struct mc_error *err);

/* The exit statuses of a failed start, as a shell gives them. */
#define MC_SPAWN_EXIT_FAILED     125 /* memcage's own failure */
#define MC_SPAWN_EXIT_CANNOT_RUN 126 /* the command exists but cannot be executed */
#define MC_SPAWN_EXIT_NOT_FOUND  127

/*
 * The exit status for r < 0 from mc_spawn(): 127 or 126 only when the
 * command's exec failed (c->exec_failed), 125 for any failure of memcage.
 */
int mc_spawn_exit_status(int r, const struct mc_child *c);

void mc_child_done(struct mc_child *c);
