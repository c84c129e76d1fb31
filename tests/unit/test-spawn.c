/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mc_spawn() on the host: the fork path moves the child by writing
 * cgroup.procs, which a temporary directory can stand for (a regular file
 * takes the write), or lack. Only a failed exec of the command may give 126
 * or 127; every failure of memcage's own spawn machinery gives 125.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "spawn.h"
#include "util.h"

static char dir[64];
static int dfd = -EBADF;

static int setup(void **state)
{
        snprintf(dir, sizeof(dir), "/tmp/memcage-test-spawn-XXXXXX");
        if (!mkdtemp(dir))
                return -1;
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return dfd >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
        unlinkat(dfd, "cgroup.procs", 0);
        unlinkat(dfd, "not-executable", 0);
        close(dfd);
        return rmdir(dir);
}

static void put(const char *name, const char *content, mode_t mode)
{
        int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
        close(fd);
}

static int spawn(int cgroup_fd, enum mc_spawn_method method, char *const *argv, struct mc_child *child,
                 struct mc_error *err)
{
        struct mc_spawn_opts o = { .argv = argv, .cgroup_fd = cgroup_fd, .method = method };
        *child = (struct mc_child){ .pidfd = -EBADF };
        return mc_spawn(&o, child, err);
}

/* The command's own failures: a missing command is 127, one that cannot be executed 126. */
static void test_exec_failures(void **state)
{
        struct mc_child c;
        struct mc_error err = { 0 };
        char path[128];

        put("cgroup.procs", "", 0644);
        char *missing[] = { "/nonexistent/memcage-test-command", NULL };
        int r = spawn(dfd, MC_SPAWN_FORK, missing, &c, &err);
        assert_int_equal(r, -ENOENT);
        assert_true(c.exec_failed);
        assert_int_equal(mc_spawn_exit_status(r, &c), 127);
        assert_string_equal(err.msg,
                            "cannot execute '/nonexistent/memcage-test-command': No such file or directory");

        put("not-executable", "#!/bin/sh\n", 0644);
        snprintf(path, sizeof(path), "%s/not-executable", dir);
        char *noexec[] = { path, NULL };
        r = spawn(dfd, MC_SPAWN_FORK, noexec, &c, &err);
        assert_int_equal(r, -EACCES);
        assert_true(c.exec_failed);
        assert_int_equal(mc_spawn_exit_status(r, &c), 126);

        /* The child was moved first: its pid is what the fork path wrote. */
        _cleanup_free_ char *procs = NULL;
        assert_int_equal(mc_read_file_at(dfd, "cgroup.procs", &procs, &err), 0);
        assert_true(atoi(procs) > 0);
}

/* A group without cgroup.procs: ENOENT from memcage's move, not from exec, so 125 and not 127. */
static void test_move_failure_is_memcage(void **state)
{
        struct mc_child c;
        struct mc_error err = { 0 };
        char *argv[] = { "true", NULL };

        unlinkat(dfd, "cgroup.procs", 0);
        int r = spawn(dfd, MC_SPAWN_FORK, argv, &c, &err);
        assert_int_equal(r, -ENOENT);
        assert_false(c.exec_failed);
        assert_int_equal(c.failed_step, MC_CRED_STEP_EXEC);
        assert_int_equal(mc_spawn_exit_status(r, &c), 125);
        assert_non_null(strstr(err.msg, "move the command into its group"));
}

/* A cgroup fd that is not a directory: clone3 or the fork path fails, and that is memcage's failure. */
static void test_not_a_directory_is_memcage(void **state)
{
        struct mc_child c;
        struct mc_error err = { 0 };
        char *argv[] = { "true", NULL };

        put("cgroup.procs", "", 0644);
        int fd = openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        for (int m = MC_SPAWN_AUTO; m <= MC_SPAWN_FORK; m++) {
                int r = spawn(fd, (enum mc_spawn_method)m, argv, &c, &err);
                assert_true(r < 0);
                assert_false(c.exec_failed);
                assert_int_equal(mc_spawn_exit_status(r, &c), 125);
        }
        close(fd);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_exec_failures),
                cmocka_unit_test(test_move_failure_is_memcage),
                cmocka_unit_test(test_not_a_directory_is_memcage),
        };
        return cmocka_run_group_tests_name("spawn", tests, setup, teardown);
}
