/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cgroup.h"
#include "supervise.h"
#include "util.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* How long killed leftovers may take to leave the group before we give up on removing it. */
#define MC_KILL_TIMEOUT_MS 10000

pid_t mc_terminal_foreground(int tty_fd)
{
        return isatty(tty_fd) ? tcgetpgrp(tty_fd) : -1;
}

void mc_terminal_reclaim(int tty_fd, pid_t fg_at_start)
{
        if (fg_at_start <= 0 || fg_at_start != getpgrp() || tcgetpgrp(tty_fd) == fg_at_start)
                return;
        /* Changing the foreground from what is now a background group would stop us with SIGTTOU. */
        sigset_t ttou, old;
        sigemptyset(&ttou);
        sigaddset(&ttou, SIGTTOU);
        sigprocmask(SIG_BLOCK, &ttou, &old);
        (void)tcsetpgrp(tty_fd, fg_at_start);
        sigprocmask(SIG_SETMASK, &old, NULL);
}

/* populated of cgroup.events, read through the fd we poll so that the read re-arms POLLPRI. */
static int read_populated(int events_fd, bool *ret, struct mc_error *err)
{
        char buf[256];
        ssize_t k = pread(events_fd, buf, sizeof(buf) - 1, 0);
        if (k < 0)
                return mc_error_errno(err, errno, "read cgroup.events");
        buf[k] = '\0';
        return mc_group_parse_populated(buf, ret, err);
}

/*
 * A signal the terminal sent (SI_KERNEL) went to the whole foreground process
 * group; if the command is still in ours it has it already, and forwarding
 * would deliver it twice (a second ^C can abort what the first began).
 */
static bool should_forward(const struct signalfd_siginfo *si, pid_t child)
{
        if (si->ssi_code != SI_KERNEL)
                return true;
        pid_t pg = getpgid(child);
        return pg < 0 || pg != getpgrp();
}

static void record_exit(const siginfo_t *si, struct mc_supervise_result *res)
{
        res->exit_ns = mc_now_ns();
        if (si->si_code == CLD_EXITED) {
                res->exit_code = si->si_status;
                res->signaled = false;
        } else {
                res->signaled = true;
                res->signal = si->si_status;
                res->core_dumped = si->si_code == CLD_DUMPED;
        }
}

static bool same_observer(const struct mc_watch *a, const struct mc_watch *b)
{
        return a == b || (a->observer && b->observer && streq(a->observer, b->observer));
}

/*
 * An observer's error costs the report that observer, never the run (the
 * command goes on, and the cleanup would kill it): its watches stop being
 * polled, and it is said once.
 */
static void observer_off(const struct mc_supervise_opts *o, struct pollfd *pfd,
                         const struct mc_watch *failed, const struct mc_error *werr)
{
        for (size_t i = 0; i < o->n_watches; i++)
                if (same_observer(o->watches[i], failed)) {
                        o->watches[i]->fd = -1;
                        pfd[i].fd = -1;
                }
        if (o->warn) {
                char text[MC_ERROR_MSG_MAX + 64];
                snprintf(text, sizeof(text), "%s off: %s", failed->observer ? failed->observer : "observer",
                         werr->msg[0] ? werr->msg : "error");
                o->warn(o->warn_userdata, text);
        }
}

int mc_supervise(const struct mc_supervise_opts *o, struct mc_supervise_result *ret, struct mc_error *err)
{
        struct mc_supervise_result res = { 0 };
        _cleanup_close_ int events_fd = openat(o->group_fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
        bool child_alive = true, populated = true, killed = false;
        uint64_t kill_deadline = 0, interrupt_deadline = 0;
        int r;

        if (events_fd < 0)
                return mc_error_errno(err, errno, "open cgroup.events");
        /* kernfs signals POLLPRI for changes after the last read: read once to arm. */
        r = read_populated(events_fd, &populated, err);
        if (r < 0)
                return r;

        enum { W_CHILD, W_SIGNAL, W_EVENTS, _W_COUNT };
        size_t n_pfd = _W_COUNT + o->n_watches;
        _cleanup_free_ struct pollfd *pfd = calloc(n_pfd, sizeof(*pfd));
        if (!pfd)
                return mc_error_errno(err, ENOMEM, "poll set");
        pfd[W_CHILD] = (struct pollfd){ .fd = o->child->pidfd, .events = POLLIN };
        pfd[W_SIGNAL] = (struct pollfd){ .fd = o->signal_fd, .events = POLLIN };
        pfd[W_EVENTS] = (struct pollfd){ .fd = events_fd, .events = POLLPRI };
        for (size_t i = 0; i < o->n_watches; i++)
                pfd[_W_COUNT + i] =
                        (struct pollfd){ .fd = o->watches[i]->fd, .events = o->watches[i]->events };

        for (;;) {
                if (!child_alive) {
                        r = read_populated(events_fd, &populated, err);
                        if (r < 0)
                                return r;
                        if (!populated)
                                break;
                        if (!o->wait_all && !killed) {
                                r = mc_group_signal_all(o->group_fd, 0, &res.leftovers, err);
                                if (r < 0)
                                        return r;
                                r = mc_group_kill(o->group_fd, err);
                                if (r < 0)
                                        return mc_error_prefix(err, "kill processes left in the group");
                                killed = res.killed_leftovers = true;
                                kill_deadline = mc_now_ns() + MC_KILL_TIMEOUT_MS * 1000000ull;
                        }
                }

                int timeout = -1;
                if (interrupt_deadline && child_alive) {
                        uint64_t now = mc_now_ns();
                        if (now >= interrupt_deadline) {
                                r = mc_group_kill(o->group_fd, err);
                                if (r < 0)
                                        return mc_error_prefix(err, "kill the group after an interrupt");
                                res.interrupt_killed = true;
                                interrupt_deadline = 0;
                        } else
                                timeout = (int)((interrupt_deadline - now) / 1000000ull) + 1;
                }
                if (killed) {
                        uint64_t now = mc_now_ns();
                        if (now >= kill_deadline)
                                return mc_error_set(
                                        err, ETIMEDOUT,
                                        "processes of the group still alive %d s after being killed",
                                        MC_KILL_TIMEOUT_MS / 1000);
                        timeout = (int)((kill_deadline - now) / 1000000ull) + 1;
                }

                int n = poll(pfd, n_pfd, timeout);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return mc_error_errno(err, errno, "poll");
                }

                if (pfd[W_CHILD].revents & (POLLIN | POLLHUP)) {
                        siginfo_t si = { 0 };
                        if (waitid((idtype_t)P_PIDFD, (id_t)o->child->pidfd, &si, WEXITED | WNOHANG) < 0)
                                return mc_error_errno(err, errno, "wait for the command");
                        if (si.si_pid != 0) {
                                record_exit(&si, &res);
                                child_alive = false;
                                pfd[W_CHILD].fd = -1; /* poll ignores negative fds */
                        }
                }

                if (pfd[W_SIGNAL].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        ssize_t k = read(o->signal_fd, &si, sizeof(si));
                        if (k == sizeof(si)) {
                                int sig = (int)si.ssi_signo;
                                if (sig > 0 && sig < 64)
                                        res.received |= UINT64_C(1) << sig;
                                if (o->interrupt_kill_ms && child_alive && !interrupt_deadline &&
                                    !res.interrupt_killed &&
                                    (sig == SIGINT || sig == SIGTERM || sig == SIGHUP))
                                        interrupt_deadline = mc_now_ns() + o->interrupt_kill_ms * 1000000ull;
                                if (child_alive) {
                                        if (should_forward(&si, o->child->pid) &&
                                            syscall(SYS_pidfd_send_signal, o->child->pidfd, sig, NULL, 0) ==
                                                    0)
                                                res.forwarded++;
                                } else if (o->wait_all) {
                                        /* The command is gone; what remains of the group gets the signal. */
                                        unsigned count;
                                        if (mc_group_signal_all(o->group_fd, sig, &count, err) == 0 &&
                                            count > 0)
                                                res.forwarded++;
                                }
                        }
                }

                /*
                 * kernfs reports a change as POLLPRI|POLLERR until the file is
                 * read again: read it even while the command runs, or poll spins.
                 */
                if (pfd[W_EVENTS].revents & (POLLPRI | POLLERR)) {
                        r = read_populated(events_fd, &populated, err);
                        if (r < 0)
                                return r;
                }

                for (size_t i = 0; i < o->n_watches; i++) {
                        struct mc_watch *w = o->watches[i];
                        short rev = pfd[_W_COUNT + i].revents;
                        if (!rev || pfd[_W_COUNT + i].fd < 0)
                                continue;
                        struct mc_error werr = { 0 };
                        if (w->ready(w->userdata, rev, &werr) < 0) {
                                observer_off(o, pfd + _W_COUNT, w, &werr);
                                res.observers_off++;
                        }
                }
                /* A ready call may open or close any watch of its observer (a trigger registered late). */
                for (size_t i = 0; i < o->n_watches; i++)
                        pfd[_W_COUNT + i].fd = o->watches[i]->fd;
        }

        *ret = res;
        return 0;
}

int mc_supervise_exit_status(const struct mc_supervise_result *r)
{
        return r->signaled ? 128 + r->signal : r->exit_code;
}
