/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"
#include "util.h"

const int mc_forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
const size_t mc_forwarded_signals_count = ELEMENTSOF(mc_forwarded_signals);

/* SIGPIPE's disposition when memcage started: the command gets it back (see mc_signals_block()). */
static struct sigaction sigpipe_before = { .sa_handler = SIG_DFL };

int mc_signals_block(sigset_t *ret_old, int *ret_fd, struct mc_error *err)
{
        /*
         * A reader of memcage's stderr or stdout that goes away (run ... 2>&1 |
         * head -1) must not kill the launcher mid-run: the command would run on
         * unsupervised, its group and huge pages stay, no report is written.
         * Writes fail with EPIPE instead.
         */
        struct sigaction ign = { .sa_handler = SIG_IGN };
        if (sigaction(SIGPIPE, &ign, &sigpipe_before) < 0)
                return mc_error_errno(err, errno, "ignore SIGPIPE");
        sigset_t set;
        sigemptyset(&set);
        for (size_t i = 0; i < mc_forwarded_signals_count; i++)
                sigaddset(&set, mc_forwarded_signals[i]);
        if (sigprocmask(SIG_BLOCK, &set, ret_old) < 0)
                return mc_error_errno(err, errno, "block signals");
        int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (fd < 0)
                return mc_error_errno(err, errno, "signalfd");
        *ret_fd = fd;
        return 0;
}

void mc_signals_restore_child(void)
{
        (void)sigaction(SIGPIPE, &sigpipe_before, NULL);
}

int mc_signal_pending(void)
{
        sigset_t pending;
        if (sigpending(&pending) < 0)
                return 0;
        for (size_t i = 0; i < mc_forwarded_signals_count; i++)
                if (sigismember(&pending, mc_forwarded_signals[i]))
                        return mc_forwarded_signals[i];
        return 0;
}

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* The layout of struct clone_args up to CLONE_ARGS_SIZE_VER2 (Linux 5.7). */
struct mc_clone_args {
        uint64_t flags;
        uint64_t pidfd;
        uint64_t child_tid;
        uint64_t parent_tid;
        uint64_t exit_signal;
        uint64_t stack;
        uint64_t stack_size;
        uint64_t tls;
        uint64_t set_tid;
        uint64_t set_tid_size;
        uint64_t cgroup;
};

/* What a failed child sends through the pipe: the errno, the step that failed, and whether exec did. */
struct exec_failure {
        int err;
        int step;  /* enum mc_cred_step; MC_CRED_STEP_EXEC when no credentials step failed */
        bool exec; /* execve() of the command failed; anything else is memcage's own failure */
};

/*
 * Runs in the child, between clone/fork and exec: only async-signal-safe
 * calls. On failure the errno goes to the parent through the CLOEXEC pipe,
 * which exec closes on success.
 */
static _Noreturn void child_exec(const struct mc_spawn_opts *opts, int err_fd, int go_fd)
{
        enum mc_cred_step step = MC_CRED_STEP_EXEC;
        bool exec = false;
        int e;

        if (go_fd >= 0) {
                /* Fallback path: wait until the parent has moved us into the group. */
                char c;
                ssize_t k;
                do
                        k = read(go_fd, &c, 1);
                while (k < 0 && errno == EINTR);
                if (k != 1) {
                        e = ECHILD;
                        goto fail;
                }
        }
        mc_signals_restore_child();
        if (opts->child_sigmask)
                sigprocmask(SIG_SETMASK, opts->child_sigmask, NULL);
        if (opts->creds) {
                e = mc_credentials_apply(opts->creds, &step);
                if (e != 0)
                        goto fail;
                /* execvp() looks the command up in the PATH of the new environment. */
                if (opts->creds->envp)
                        environ = opts->creds->envp;
        }
        if (opts->envp)
                environ = (char **)opts->envp;
        execvp(opts->argv[0], opts->argv);
        e = errno;
        exec = true;
fail:;
        struct exec_failure f = { .err = e, .step = (int)step, .exec = exec };
        (void)!write(err_fd, &f, sizeof(f));
        _exit(!exec ? 125 : e == ENOENT ? 127 : 126);
}

static pid_t clone3_into_cgroup(int cgroup_fd, int *ret_pidfd)
{
        int pidfd = -EBADF;
        struct mc_clone_args args = {
                .flags = CLONE_INTO_CGROUP | CLONE_PIDFD,
                .pidfd = (uint64_t)(uintptr_t)&pidfd,
                .exit_signal = SIGCHLD,
                .cgroup = (uint64_t)cgroup_fd,
        };
        pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        if (pid > 0)
                *ret_pidfd = pidfd;
        return pid;
}

/* Collects the exec result: 0 once exec happened, else the child's errno (child reaped). */
static int await_exec(int err_fd, pid_t pid, enum mc_cred_step *ret_step, bool *ret_exec)
{
        struct exec_failure f = { 0 };
        ssize_t k;
        do
                k = read(err_fd, &f, sizeof(f));
        while (k < 0 && errno == EINTR);
        if (k == 0)
                return 0;
        /* A short or garbled report is memcage's failure, not the command's. */
        if (k != sizeof(f) || f.err <= 0 || f.step < 0 || f.step >= _MC_CRED_STEP_COUNT)
                f = (struct exec_failure){ .err = EIO, .step = MC_CRED_STEP_EXEC };
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        *ret_step = (enum mc_cred_step)f.step;
        *ret_exec = f.exec;
        return f.err;
}

int mc_spawn(const struct mc_spawn_opts *opts, struct mc_child *ret, struct mc_error *err)
{
        _cleanup_close_ int err_r = -EBADF, err_w = -EBADF, go_r = -EBADF, go_w = -EBADF;
        _cleanup_close_ int pidfd = -EBADF;
        int fds[2];
        pid_t pid = -1;
        bool via_clone3 = false;

        /* Until the child reports a failed exec, any failure is memcage's own. */
        ret->exec_failed = false;
        ret->failed_step = MC_CRED_STEP_EXEC;
        if (pipe2(fds, O_CLOEXEC) < 0)
                return mc_error_errno(err, errno, "pipe");
        err_r = fds[0];
        err_w = fds[1];

        if (opts->method == MC_SPAWN_AUTO) {
                pid = clone3_into_cgroup(opts->cgroup_fd, &pidfd);
                if (pid == 0)
                        child_exec(opts, err_w, -EBADF);
                if (pid > 0)
                        via_clone3 = true;
                /*
                 * ENOSYS: kernel < 5.3; E2BIG: < 5.7 (no cgroup field); EPERM:
                 * a seccomp filter refusing clone3. Anything else is real.
                 */
                else if (errno != ENOSYS && errno != E2BIG && errno != EPERM)
                        return mc_error_errno(err, errno, "clone3 into the group");
        }

        if (pid < 0) {
                if (pipe2(fds, O_CLOEXEC) < 0)
                        return mc_error_errno(err, errno, "pipe");
                go_r = fds[0];
                go_w = fds[1];
                pid = fork();
                if (pid < 0)
                        return mc_error_errno(err, errno, "fork");
                if (pid == 0) {
                        /* Our copy of the write end would keep us waiting if the parent died. */
                        close(go_w);
                        child_exec(opts, err_w, go_r);
                }
                close(TAKE_FD(go_r));

                char buf[24];
                snprintf(buf, sizeof(buf), "%d", (int)pid);
                struct mc_error werr;
                int r = mc_write_file_at(opts->cgroup_fd, "cgroup.procs", buf, &werr);
                if (r < 0) {
                        /* Never let it run outside: it is still waiting on go_r. */
                        kill(pid, SIGKILL);
                        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                                ;
                        *err = werr;
                        return mc_error_prefix(err, "move the command into its group");
                }
                pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
                if (pidfd < 0) {
                        int e = errno;
                        kill(pid, SIGKILL);
                        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                                ;
                        return mc_error_errno(err, e, "pidfd_open");
                }
                if (write(go_w, "g", 1) != 1) {
                        int e = errno;
                        kill(pid, SIGKILL);
                        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                                ;
                        return mc_error_errno(err, e, "release the command");
                }
        }

        /* Only the child may hold the write end now, so EOF means exec happened. */
        close(TAKE_FD(err_w));
        enum mc_cred_step step = MC_CRED_STEP_EXEC;
        bool exec = false;
        int e = await_exec(err_r, pid, &step, &exec);
        ret->failed_step = step;
        ret->exec_failed = e != 0 && exec;
        if (e != 0 && step != MC_CRED_STEP_EXEC)
                return mc_error_errno(err, e, "cannot start '%s': %s", opts->argv[0],
                                      mc_cred_step_name(step));
        if (e != 0 && !exec)
                return mc_error_errno(err, e, "cannot start '%s': wait to be moved into the group",
                                      opts->argv[0]);
        if (e != 0)
                return mc_error_errno(err, e, "cannot execute '%s'", opts->argv[0]);

        ret->pid = pid;
        ret->pidfd = TAKE_FD(pidfd);
        ret->via_clone3 = via_clone3;
        return 0;
}

int mc_spawn_exit_status(int r, const struct mc_child *c)
{
        if (r >= 0 || !c->exec_failed)
                return MC_SPAWN_EXIT_FAILED;
        /* The command's failures to execute are reported as a shell would. */
        switch (-r) {
        case ENOENT:
                return MC_SPAWN_EXIT_NOT_FOUND;
        case EACCES:
        case ENOEXEC:
        case EISDIR:
        case ETXTBSY:
        case EPERM:
        case ELOOP:
        case ENAMETOOLONG:
        case ENOTDIR:
                return MC_SPAWN_EXIT_CANNOT_RUN;
        default:
                return MC_SPAWN_EXIT_FAILED;
        }
}

void mc_child_done(struct mc_child *c)
{
        mc_closep(&c->pidfd);
        c->pidfd = -EBADF;
}
