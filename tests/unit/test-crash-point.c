/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Crash points: SIGKILL at the named point in a test build, nothing at all otherwise. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crash-point.h"

/* How a child that sets MEMCAGE_CRASH_AT to at (NULL: unset) and passes the point name ends. */
static int child_status(const char *at, const char *name)
{
        int status;
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (at)
                        setenv("MEMCAGE_CRASH_AT", at, 1);
                else
                        unsetenv("MEMCAGE_CRASH_AT");
                mc_crash_point(name);
                _exit(7);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return status;
}

static bool exited_7(int status)
{
        return WIFEXITED(status) && WEXITSTATUS(status) == 7;
}

static void test_point(void **state)
{
        int status = child_status("group-made", "group-made");
#ifdef MC_CRASH_POINTS
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGKILL);
#else
        /* A release build has no hook: the variable changes nothing. */
        assert_true(exited_7(status));
#endif
        /* Another point's name, a prefix of it, or no variable: the process goes on. */
        assert_true(exited_7(child_status("running", "group-made")));
        assert_true(exited_7(child_status("group", "group-made")));
        assert_true(exited_7(child_status("", "group-made")));
        assert_true(exited_7(child_status(NULL, "group-made")));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_point),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
