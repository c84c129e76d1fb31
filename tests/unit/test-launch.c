/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mc_launch() on the host: a temporary directory stands for the group (the
 * fork path writes cgroup.procs, which a regular file takes; the command
 * marks cgroup.events unpopulated as it exits), a pipe for the signalfd.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake-cgroupfs.h"
#include "launch.h"
#include "util.h"

struct fixture {
        char *base;
        int g;
        int sig[2]; /* stands for memcage's signalfd */
        struct mc_observation obs;
        const char *method; /* how the command started */
        struct mc_hugetlb_run hugetlb;
        struct mc_observe ob;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        char why[256];
        bool xattr;
        if (!f || !(f->base = fake_make_base("launch", &xattr, why, sizeof(why))))
                return -1;
        f->g = open(f->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (f->g < 0 || pipe2(f->sig, O_CLOEXEC) < 0)
                return -1;
        write_at(f->g, "cgroup.procs", "");
        write_at(f->g, "cgroup.events", "populated 1\nfrozen 0\n");
        fake_memory_group(f->g, "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
        mc_hugetlb_run_init(&f->hugetlb, NULL, NULL);
        struct mc_error err = { 0 };
        struct mc_observe_opts o = { .group_fd = f->g, .cgroup = "memcage/x", .hugetlb = &f->hugetlb };
        if (mc_observe_open(&f->ob, &o, &err) < 0)
                return -1;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        mc_observe_done(&f->ob);
        close(f->sig[0]);
        close(f->sig[1]);
        close(f->g);
        rm_rf_at(AT_FDCWD, f->base);
        free(f->base);
        free(f);
        return 0;
}

static int launch(struct fixture *f, char *const *argv, int *ret_status, struct mc_error *err)
{
        struct mc_spawn_opts s = { .argv = argv, .cgroup_fd = f->g, .method = MC_SPAWN_FORK };
        struct mc_launch_opts o = {
                .spawn = &s, .signal_fd = f->sig[0], .tty_fd = -EBADF, .cgroup = "memcage/x"
        };
        return mc_launch(&f->ob, &o, &f->obs, &f->method, ret_status, err);
}

/* The command runs to its end: its status is memcage's, its end is observed. */
static void test_exit_status(void **state)
{
        struct fixture *f = *state;
        struct mc_error err = { 0 };
        char script[512];
        int status = -1;

        snprintf(script, sizeof(script), "printf 'populated 0\\nfrozen 0\\n' > '%s/cgroup.events'; exit 3",
                 f->base);
        char *argv[] = { "/bin/sh", "-c", script, NULL };
        assert_int_equal(launch(f, argv, &status, &err), 0);
        assert_int_equal(status, 3);
        assert_true(f->obs.exited);
        assert_int_equal(f->obs.exit_code, 3);
        assert_string_equal(f->method, "fork");
        assert_true(f->obs.has_verdict);
        assert_int_equal(f->obs.verdict.code, MC_VERDICT_EXIT_NONZERO);
}

/* A command that is not there: 127, as a shell gives, and nothing ran. */
static void test_not_found(void **state)
{
        struct fixture *f = *state;
        struct mc_error err = { 0 };
        char *argv[] = { "memcage-test-no-such-command", NULL };
        int status = -1;

        assert_true(launch(f, argv, &status, &err) < 0);
        assert_int_equal(status, MC_SPAWN_EXIT_NOT_FOUND);
        assert_non_null(strstr(err.msg, "memcage-test-no-such-command"));
        assert_false(f->obs.exited);
        assert_null(f->method);
}

/* A signal that came while memcage prepared the group: 128+N, and the command never starts. */
static void test_signal_before_start(void **state)
{
        struct fixture *f = *state;
        struct mc_error err = { 0 };
        char *argv[] = { "/bin/true", NULL };
        sigset_t usr2, old;
        int status = -1;

        sigemptyset(&usr2);
        sigaddset(&usr2, SIGUSR2);
        assert_int_equal(sigprocmask(SIG_BLOCK, &usr2, &old), 0);
        assert_int_equal(raise(SIGUSR2), 0);
        assert_int_equal(launch(f, argv, &status, &err), -EINTR);
        assert_int_equal(status, 128 + SIGUSR2);
        assert_string_equal(err.msg, "interrupted by SIGUSR2 before the command started");
        assert_null(f->method);
        assert_false(f->obs.exited);
        struct timespec zero = { 0 };
        assert_int_equal(sigtimedwait(&usr2, NULL, &zero), SIGUSR2);
        assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
}

/* Supervising fails (the group's cgroup.events is gone): memcage's own failure, named for the group. */
static void test_supervise_failure(void **state)
{
        struct fixture *f = *state;
        struct mc_error err = { 0 };
        char *argv[] = { "/bin/true", NULL };
        int status = -1;

        assert_int_equal(unlinkat(f->g, "cgroup.events", 0), 0);
        assert_true(launch(f, argv, &status, &err) < 0);
        assert_int_equal(status, MC_SPAWN_EXIT_FAILED);
        assert_true(strncmp(err.msg, "group memcage/x: ", 17) == 0);
        assert_string_equal(f->method, "fork");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_exit_status, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
                cmocka_unit_test_setup_teardown(test_signal_before_start, setup, teardown),
                cmocka_unit_test_setup_teardown(test_supervise_failure, setup, teardown),
        };
        return cmocka_run_group_tests_name("launch", tests, NULL, NULL);
}
