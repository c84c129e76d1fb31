/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "cgroup.h"
#include "crash-point.h"
#include "duration.h"
#include "pressure-kill.h"
#include "util.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

bool mc_pressure_kill_count_window(struct mc_pressure_kill_count *c, bool fired)
{
        if (!fired) {
                if (c->consecutive > 0)
                        c->resets++;
                c->consecutive = 0;
                return false;
        }
        c->consecutive++;
        if (c->consecutive > c->longest)
                c->longest = c->consecutive;
        return c->consecutive >= c->needed;
}

/* ---- running ---- */

static double since_start(const struct mc_pressure_kill *k, uint64_t now)
{
        return now > k->start_ns ? (double)(now - k->start_ns) / 1e9 : 0.0;
}

static int timer_arm(struct mc_pressure_kill *k, uint64_t after_us, struct mc_error *err)
{
        struct itimerspec its = { 0 };
        /* A zero it_value disarms: after_us 0 disarms too. */
        its.it_value.tv_sec = (time_t)(after_us / 1000000ull);
        its.it_value.tv_nsec = (long)(after_us % 1000000ull) * 1000;
        if (timerfd_settime(k->timer_fd, 0, &its, NULL) < 0)
                return mc_error_errno(err, errno, "arm the pressure kill timer");
        return 0;
}

/* "frozen 1" in cgroup.events, waited for at most MC_PRESSURE_KILL_FREEZE_WAIT_MS. */
static bool wait_frozen(int group_fd)
{
        _cleanup_close_ int fd = openat(group_fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
        uint64_t deadline = mc_now_ns() + MC_PRESSURE_KILL_FREEZE_WAIT_MS * 1000000ull;
        char buf[256];

        if (fd < 0)
                return false;
        for (;;) {
                /* pread at 0 also re-arms POLLPRI for the next change. */
                ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
                if (n < 0)
                        return false;
                buf[n] = '\0';
                if (strstr(buf, "frozen 1"))
                        return true;
                uint64_t now = mc_now_ns();
                if (now >= deadline)
                        return false;
                struct pollfd p = { .fd = fd, .events = POLLPRI };
                if (poll(&p, 1, (int)((deadline - now) / 1000000ull) + 1) < 0 && errno != EINTR)
                        return false;
        }
}

/*
 * The rule's count is reached: freeze the group so that the snapshot shows
 * it as it was thrashing (nothing exits or frees while it is read), thaw,
 * SIGTERM to the command, then the grace timer (cgroup.kill when it runs
 * out). A group without cgroup.freeze (before Linux 5.2) is snapshotted
 * unfrozen.
 */
static int end_run(struct mc_pressure_kill *k, uint64_t now, struct mc_error *err)
{
        struct mc_pressure_kill_result *res = &k->result;
        struct mc_pressure_line lines[_MC_PSI_KIND_COUNT];
        struct mc_error ignored = { 0 };
        enum mc_psi_kind kind = k->o.rule->trigger.kind;

        res->fired = true;
        res->fired_at = since_start(k, now);
        if (mc_pressure_read_at(k->o.group_fd, lines, &ignored) >= 0) {
                for (int i = 0; i < _MC_PSI_KIND_COUNT; i++)
                        res->total_us[i] = lines[i].total_us;
                if (now > k->run_first_ns && k->o.rule->windows > 1 &&
                    lines[kind].total_us >= k->run_first_total_us) {
                        /* Over the windows counted after the first firing: the stall the rule saw. */
                        res->stall_over_s = (double)(now - k->run_first_ns) / 1e9;
                        res->stall_percent = (double)(lines[kind].total_us - k->run_first_total_us) / 1e4 /
                                             res->stall_over_s;
                } else {
                        /* One window: the kernel's 10 s average is the measure at hand. */
                        res->stall_over_s = 10.0;
                        res->stall_percent = lines[kind].avg10;
                }
                res->has_stall = lines[kind].present;
        }

        bool freezing = mc_write_file_at(k->o.group_fd, "cgroup.freeze", "1", &ignored) >= 0;
        res->frozen = freezing && wait_frozen(k->o.group_fd);
        if (k->o.snapshot)
                k->o.snapshot(k->o.userdata);
        /* Killed here, the group stays frozen: the next run's sweep and memcage gc thaw it. */
        if (freezing)
                mc_crash_point("pressure-frozen");
        /* A frozen task cannot act on SIGTERM (it is delivered only after the thaw): thaw first. */
        if (freezing)
                (void)mc_write_file_at(k->o.group_fd, "cgroup.freeze", "0", &ignored);

        if (syscall(SYS_pidfd_send_signal, k->pidfd, SIGTERM, NULL, 0) < 0 && errno != ESRCH)
                return mc_error_errno(err, errno, "send SIGTERM to the command");
        k->stage = MC_PRESSURE_KILL_GRACE;
        if (k->o.notify)
                k->o.notify(k->o.userdata, MC_PRESSURE_KILL_GRACE, res);
        /* No grace: the kill follows at once, from the timer's turn of the loop. */
        return timer_arm(k, k->o.grace_us ? k->o.grace_us : 1, err);
}

static int trigger_ready(void *userdata, short revents, struct mc_error *err)
{
        struct mc_pressure_kill *k = userdata;
        struct mc_error ignored = { 0 };

        /* POLLERR alone: the trigger went with its group; stop polling it. */
        if (!(revents & POLLPRI)) {
                k->watches[0].fd = -1;
                return 0;
        }
        if (k->stage != MC_PRESSURE_KILL_WATCHING)
                return 0;
        uint64_t now = mc_now_ns();
        bool reached = mc_pressure_kill_count_window(&k->count, true);
        k->result.longest = k->count.longest;
        if (k->count.consecutive == 1) {
                struct mc_pressure_line lines[_MC_PSI_KIND_COUNT];
                k->run_first_ns = now;
                k->run_first_total_us = mc_pressure_read_at(k->o.group_fd, lines, &ignored) >= 0
                                                ? lines[k->o.rule->trigger.kind].total_us
                                                : 0;
        }
        if (reached)
                return end_run(k, now, err);
        /* The next window: it closes a slack after the next firing is due. */
        uint64_t w = k->o.rule->trigger.window_us;
        k->window_open = true;
        return timer_arm(k, w + w * MC_PRESSURE_KILL_SLACK_PERCENT / 100, err);
}

static int timer_ready(void *userdata, short revents, struct mc_error *err)
{
        struct mc_pressure_kill *k = userdata;
        uint64_t expirations;

        (void)revents;
        /*
         * Nothing to read: the timer was re-armed after poll() saw it expire
         * (a firing in the same turn of the loop closed the window, or
         * started the grace period). timerfd_settime() clears the expiry.
         */
        if (read(k->timer_fd, &expirations, sizeof(expirations)) < 0)
                return errno == EAGAIN ? 0 : mc_error_errno(err, errno, "read the pressure kill timer");
        switch (k->stage) {
        case MC_PRESSURE_KILL_WATCHING:
                /* A window without a firing: the count starts over, and no timer runs until the next. */
                if (k->window_open)
                        (void)mc_pressure_kill_count_window(&k->count, false);
                k->window_open = false;
                return 0;
        case MC_PRESSURE_KILL_GRACE:
                if (mc_group_kill(k->o.group_fd, err) < 0)
                        return mc_error_prefix(err, "kill the group after the grace period");
                k->stage = MC_PRESSURE_KILL_KILLED;
                k->result.escalated_to_kill = true;
                if (k->o.notify)
                        k->o.notify(k->o.userdata, MC_PRESSURE_KILL_KILLED, &k->result);
                return 0;
        case MC_PRESSURE_KILL_KILLED:
                break;
        }
        return 0;
}

int mc_pressure_kill_open(struct mc_pressure_kill *k, const struct mc_pressure_kill_opts *opts,
                          struct mc_error *err)
{
        *k = (struct mc_pressure_kill){
                .o = *opts,
                .trigger_fd = -EBADF,
                .timer_fd = -EBADF,
                .pidfd = -EBADF,
                .count = { .needed = opts->rule->windows },
                .result = { .rule = opts->rule, .grace_us = opts->grace_us },
        };
        _cleanup_close_ int fd = -EBADF;
        if (mc_pressure_trigger_open(opts->group_fd, &opts->rule->trigger, &fd, err) < 0)
                return mc_error_prefix(err, "pressure kill rule '%s'", opts->rule->spec);
        int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (tfd < 0)
                return mc_error_errno(err, errno, "pressure kill timer");
        k->trigger_fd = TAKE_FD(fd);
        k->timer_fd = tfd;
        return 0;
}

void mc_pressure_kill_start(struct mc_pressure_kill *k, uint64_t start_ns, int pidfd, struct mc_watch **ret,
                            size_t *ret_n)
{
        k->start_ns = start_ns;
        k->pidfd = pidfd;
        k->watches[0] = (struct mc_watch){
                .fd = k->trigger_fd,
                .events = POLLPRI,
                .ready = trigger_ready,
                .userdata = k,
                .observer = "pressure kill",
        };
        k->watches[1] = (struct mc_watch){
                .fd = k->timer_fd,
                .events = POLLIN,
                .ready = timer_ready,
                .userdata = k,
                .observer = "pressure kill",
        };
        *ret = k->watches;
        *ret_n = ELEMENTSOF(k->watches);
}

void mc_pressure_kill_done(struct mc_pressure_kill *k)
{
        mc_closep(&k->trigger_fd);
        mc_closep(&k->timer_fd);
        k->trigger_fd = k->timer_fd = -EBADF;
        k->watches[0].fd = k->watches[1].fd = -1;
}
