/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mc_supervise() on the host: a real child (its pidfd), a temporary
 * directory for the group (cgroup.events, which the child marks unpopulated
 * as it exits), pipes for the signalfd and the observers' watches.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "supervise.h"
#include "util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

struct calls {
        unsigned failing, sibling, other;
        int other_fd;
        unsigned warnings;
        char warning[256];
};

static int failing_ready(void *userdata, short revents, struct mc_error *err)
{
        ((struct calls *)userdata)->failing++;
        return mc_error_set(err, EIO, "it broke");
}

static int sibling_ready(void *userdata, short revents, struct mc_error *err)
{
        ((struct calls *)userdata)->sibling++;
        return 0;
}

/* Another observer: drains its pipe and counts, so it is polled until the end. */
static int other_ready(void *userdata, short revents, struct mc_error *err)
{
        struct calls *c = userdata;
        char byte;
        c->other++;
        return read(c->other_fd, &byte, 1) < 0 && errno != EAGAIN ? mc_error_errno(err, errno, "read") : 0;
}

static void warn(void *userdata, const char *text)
{
        struct calls *c = userdata;
        c->warnings++;
        snprintf(c->warning, sizeof(c->warning), "%s", text);
}

static void put(int dfd, const char *name, const char *content)
{
        int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
        close(fd);
}

/* An observer whose ready() fails is turned off with one warning; the command runs to its end. */
static void test_observer_error_keeps_supervising(void **state)
{
        char dir[64];
        snprintf(dir, sizeof(dir), "/tmp/memcage-test-supervise-XXXXXX");
        assert_non_null(mkdtemp(dir));
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        put(dfd, "cgroup.events", "populated 1\nfrozen 0\n");

        int sig[2], a[2], b[2], c[2];
        assert_int_equal(pipe2(sig, O_CLOEXEC), 0);
        assert_int_equal(pipe2(a, O_CLOEXEC), 0);
        assert_int_equal(pipe2(b, O_CLOEXEC), 0);
        assert_int_equal(pipe2(c, O_CLOEXEC | O_NONBLOCK), 0);
        /* Both watches of the failing observer are readable from the start, the other one too. */
        assert_int_equal(write(a[1], "x", 1), 1);
        assert_int_equal(write(b[1], "x", 1), 1);
        assert_int_equal(write(c[1], "x", 1), 1);

        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* The command: runs on for a while after the observer failed, then empties the group. */
                struct timespec ts = { .tv_nsec = 200 * 1000000L };
                nanosleep(&ts, NULL);
                int fd = openat(dfd, "cgroup.events", O_WRONLY | O_TRUNC);
                (void)!write(fd, "populated 0\nfrozen 0\n", 21);
                _exit(7);
        }
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        assert_true(pidfd >= 0);
        struct mc_child child = { .pid = pid, .pidfd = pidfd };

        struct calls calls = { .other_fd = c[0] };
        struct mc_watch wa = { .fd = a[0],
                               .events = POLLIN,
                               .ready = failing_ready,
                               .userdata = &calls,
                               .observer = "test observer" };
        struct mc_watch wb = { .fd = b[0],
                               .events = POLLIN,
                               .ready = sibling_ready,
                               .userdata = &calls,
                               .observer = "test observer" };
        struct mc_watch wc = {
                .fd = c[0], .events = POLLIN, .ready = other_ready, .userdata = &calls, .observer = "other"
        };
        struct mc_watch *watches[] = { &wa, &wb, &wc };
        struct mc_supervise_opts o = {
                .group_fd = dfd,
                .child = &child,
                .signal_fd = sig[0],
                .watches = watches,
                .n_watches = ELEMENTSOF(watches),
                .warn = warn,
                .warn_userdata = &calls,
        };
        struct mc_supervise_result res;
        struct mc_error err = { 0 };
        uint64_t t0 = mc_now_ns();

        assert_int_equal(mc_supervise(&o, &res, &err), 0);
        assert_false(res.signaled);
        assert_int_equal(mc_supervise_exit_status(&res), 7);
        assert_true(mc_now_ns() - t0 >= 150 * 1000000ull); /* waited for the command, did not end early */
        assert_false(res.killed_leftovers);

        assert_int_equal(res.observers_off, 1);
        assert_int_equal(calls.failing, 1);
        assert_int_equal(calls.sibling, 0); /* turned off with its observer before it was served */
        assert_true(calls.other >= 1);
        assert_int_equal(wa.fd, -1);
        assert_int_equal(wb.fd, -1);
        assert_int_equal(wc.fd, c[0]);
        assert_int_equal(calls.warnings, 1);
        assert_string_equal(calls.warning, "test observer off: it broke");

        int fds[] = { pidfd, sig[0], sig[1], a[0], a[1], b[0], b[1], c[0], c[1] };
        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                close(fds[i]);
        unlinkat(dfd, "cgroup.events", 0);
        close(dfd);
        rmdir(dir);
}

static int child_dfd = -1;

/* The command's SIGINT handler, as `trap "exit 130" INT` in a shell: it empties the group and exits 130. */
static void exit_130(int sig)
{
        int fd = openat(child_dfd, "cgroup.events", O_WRONLY | O_TRUNC);
        (void)sig;
        (void)!write(fd, "populated 0\nfrozen 0\n", 21);
        _exit(130);
}

/*
 * A SIGINT memcage receives is forwarded and recorded, though the command
 * catches it and exits 130 rather than dying of it: the caller can tell its
 * user's interrupt from a command that failed.
 */
static void test_received_signals(void **state)
{
        char dir[64];
        snprintf(dir, sizeof(dir), "/tmp/memcage-test-supervise-XXXXXX");
        assert_non_null(mkdtemp(dir));
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        put(dfd, "cgroup.events", "populated 1\nfrozen 0\n");

        int sig[2], ready[2];
        assert_int_equal(pipe2(sig, O_CLOEXEC), 0);
        assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                child_dfd = dfd;
                struct sigaction sa = { .sa_handler = exit_130 };
                sigaction(SIGINT, &sa, NULL);
                (void)!write(ready[1], "r", 1);
                for (;;)
                        pause();
        }
        char byte;
        assert_int_equal(read(ready[0], &byte, 1), 1);
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        assert_true(pidfd >= 0);
        struct mc_child child = { .pid = pid, .pidfd = pidfd };

        /* What the signalfd gives for a kill(1) of memcage. */
        struct signalfd_siginfo si = { .ssi_signo = SIGINT, .ssi_code = SI_USER };
        assert_int_equal(write(sig[1], &si, sizeof(si)), (ssize_t)sizeof(si));
        struct mc_supervise_opts o = { .group_fd = dfd, .child = &child, .signal_fd = sig[0] };
        struct mc_supervise_result res;
        struct mc_error err = { 0 };

        assert_int_equal(mc_supervise(&o, &res, &err), 0);
        assert_false(res.signaled);
        assert_int_equal(mc_supervise_exit_status(&res), 130);
        assert_int_equal(res.forwarded, 1);
        assert_true(res.received == UINT64_C(1) << SIGINT);

        int fds[] = { pidfd, sig[0], sig[1], ready[0], ready[1] };
        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                close(fds[i]);
        unlinkat(dfd, "cgroup.events", 0);
        close(dfd);
        rmdir(dir);
}

/* A command that ignores SIGINT: interrupt_kill_ms after it was forwarded, the group is killed. */
static void test_interrupt_kill(void **state)
{
        char dir[64];
        snprintf(dir, sizeof(dir), "/tmp/memcage-test-supervise-XXXXXX");
        assert_non_null(mkdtemp(dir));
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        put(dfd, "cgroup.events", "populated 1\nfrozen 0\n");
        put(dfd, "cgroup.kill", "");

        int sig[2], ready[2];
        assert_int_equal(pipe2(sig, O_CLOEXEC), 0);
        assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* The directory's cgroup.kill kills nothing: the command ends by itself, later. */
                signal(SIGINT, SIG_IGN);
                (void)!write(ready[1], "r", 1);
                struct timespec ts = { .tv_nsec = 600 * 1000000L };
                nanosleep(&ts, NULL);
                int fd = openat(dfd, "cgroup.events", O_WRONLY | O_TRUNC);
                (void)!write(fd, "populated 0\nfrozen 0\n", 21);
                _exit(0);
        }
        char byte;
        assert_int_equal(read(ready[0], &byte, 1), 1);
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        assert_true(pidfd >= 0);
        struct mc_child child = { .pid = pid, .pidfd = pidfd };

        struct signalfd_siginfo si = { .ssi_signo = SIGINT, .ssi_code = SI_USER };
        assert_int_equal(write(sig[1], &si, sizeof(si)), (ssize_t)sizeof(si));
        struct mc_supervise_opts o = {
                .group_fd = dfd, .child = &child, .signal_fd = sig[0], .interrupt_kill_ms = 100
        };
        struct mc_supervise_result res;
        struct mc_error err = { 0 };

        assert_int_equal(mc_supervise(&o, &res, &err), 0);
        assert_true(res.interrupt_killed);
        assert_true(res.received == UINT64_C(1) << SIGINT);
        int fd = openat(dfd, "cgroup.kill", O_RDONLY | O_CLOEXEC);
        char buf[8] = "";
        assert_true(fd >= 0);
        assert_int_equal(read(fd, buf, sizeof(buf) - 1), 1);
        assert_string_equal(buf, "1");
        close(fd);

        /* Without interrupt_kill_ms the command is left to end as it will. */
        put(dfd, "cgroup.events", "populated 1\nfrozen 0\n");
        put(dfd, "cgroup.kill", "");
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                signal(SIGINT, SIG_IGN);
                (void)!write(ready[1], "r", 1);
                struct timespec ts = { .tv_nsec = 300 * 1000000L };
                nanosleep(&ts, NULL);
                int efd = openat(dfd, "cgroup.events", O_WRONLY | O_TRUNC);
                (void)!write(efd, "populated 0\nfrozen 0\n", 21);
                _exit(0);
        }
        assert_int_equal(read(ready[0], &byte, 1), 1);
        close(pidfd);
        pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        assert_true(pidfd >= 0);
        child = (struct mc_child){ .pid = pid, .pidfd = pidfd };
        assert_int_equal(write(sig[1], &si, sizeof(si)), (ssize_t)sizeof(si));
        o.interrupt_kill_ms = 0;
        assert_int_equal(mc_supervise(&o, &res, &err), 0);
        assert_false(res.interrupt_killed);
        fd = openat(dfd, "cgroup.kill", O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(read(fd, buf, sizeof(buf) - 1), 0);
        close(fd);

        int fds[] = { pidfd, sig[0], sig[1], ready[0], ready[1] };
        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                close(fds[i]);
        unlinkat(dfd, "cgroup.events", 0);
        unlinkat(dfd, "cgroup.kill", 0);
        close(dfd);
        rmdir(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_observer_error_keeps_supervising),
                cmocka_unit_test(test_received_signals),
                cmocka_unit_test(test_interrupt_kill),
        };
        return cmocka_run_group_tests_name("supervise", tests, NULL, NULL);
}
