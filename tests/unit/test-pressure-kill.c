/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <sys/timerfd.h>

#include "pressure-kill.h"
#include "util.h"

static void test_parse_good(void **state)
{
        struct mc_pressure_kill_rule r;
        struct mc_error err = { 0 };

        (void)state;
        assert_int_equal(mc_pressure_kill_parse_rule("full 50%/2s for 30s", &r, &err), 0);
        assert_int_equal(r.trigger.kind, MC_PSI_FULL);
        assert_int_equal(r.trigger.stall_us, 1000000);
        assert_int_equal(r.trigger.window_us, 2000000);
        assert_int_equal(r.duration_us, 30000000);
        assert_int_equal(r.windows, 15);
        assert_string_equal(r.spec, "full 50%/2s for 30s");

        /* Blanks are folded; the count rounds up: 5 s of 2 s windows is 3 windows. */
        assert_int_equal(mc_pressure_kill_parse_rule("  some   150ms/1s\tfor 5s ", &r, &err), 0);
        assert_int_equal(r.trigger.kind, MC_PSI_SOME);
        assert_int_equal(r.trigger.stall_us, 150000);
        assert_int_equal(r.windows, 5);
        assert_string_equal(r.spec, "some 150ms/1s for 5s");
        assert_int_equal(mc_pressure_kill_parse_rule("full 1s/2s for 5s", &r, &err), 0);
        assert_int_equal(r.windows, 3);
        /* DURATION equal to WINDOW: one window is enough. */
        assert_int_equal(mc_pressure_kill_parse_rule("full 10%/10s for 10s", &r, &err), 0);
        assert_int_equal(r.windows, 1);
}

static void expect_bad(const char *spec, int code, const char *msg)
{
        struct mc_pressure_kill_rule r;
        struct mc_error err = { 0 };
        assert_int_equal(mc_pressure_kill_parse_rule(spec, &r, &err), -code);
        if (!strstr(err.msg, msg))
                fail_msg("'%s': message '%s' lacks '%s'", spec, err.msg, msg);
}

static void test_parse_bad(void **state)
{
        (void)state;
        expect_bad("", EINVAL, "empty rule; use KIND STALL/WINDOW for DURATION");
        expect_bad("most 50%/2s for 30s", EINVAL, "unknown kind 'most'");
        expect_bad("full 50%/2s", EINVAL, "expected 'STALL/WINDOW for DURATION' after 'full'");
        expect_bad("full 50%/2s during 30s", EINVAL, "expected 'STALL/WINDOW for DURATION'");
        expect_bad("full 50%/2s for 30s and more", EINVAL, "too many words");
        expect_bad("full 50% for 30s", EINVAL, "missing '/' between stall and window");
        expect_bad("full 50%/20s for 30s", ERANGE, "window '20s' is not between 500ms and 10s");
        expect_bad("full 50%/100ms for 30s", ERANGE, "not between 500ms and 10s");
        expect_bad("full 3s/2s for 30s", ERANGE, "");
        expect_bad("full 50%/2s for 30", EINVAL, "duration '30'");
        expect_bad("full 50%/2s for 1s", ERANGE, "duration '1s' is shorter than the window '2s'");
}

static void test_check_unprivileged(void **state)
{
        struct mc_pressure_kill_rule r;
        struct mc_error err = { 0 };

        (void)state;
        assert_int_equal(mc_pressure_kill_parse_rule("full 50%/1s for 10s", &r, &err), 0);
        assert_int_equal(mc_pressure_kill_check_rule(&r, 0, &err), 0);
        assert_int_equal(mc_pressure_kill_check_rule(&r, 1000, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "without root the kernel arms only windows in multiples of 2s"));
        assert_int_equal(mc_pressure_kill_parse_rule("full 50%/4s for 10s", &r, &err), 0);
        assert_int_equal(mc_pressure_kill_check_rule(&r, 1000, &err), 0);
}

/* Feeds windows ("1" fired, "0" not) and returns the index of the window that reached the count, or -1. */
static int feed(struct mc_pressure_kill_count *c, const char *windows)
{
        for (int i = 0; windows[i]; i++)
                if (mc_pressure_kill_count_window(c, windows[i] == '1'))
                        return i;
        return -1;
}

static void test_count(void **state)
{
        (void)state;
        struct mc_pressure_kill_count c = { .needed = 3 };
        assert_int_equal(feed(&c, "111"), 2);
        assert_int_equal(c.longest, 3);

        /* A window without a firing starts the count over. */
        c = (struct mc_pressure_kill_count){ .needed = 3 };
        assert_int_equal(feed(&c, "1101101"), -1);
        assert_int_equal(c.consecutive, 1);
        assert_int_equal(c.longest, 2);
        assert_int_equal(c.resets, 2);
        assert_int_equal(feed(&c, "11"), 1);

        /* Quiet windows before any firing are no resets. */
        c = (struct mc_pressure_kill_count){ .needed = 2 };
        assert_int_equal(feed(&c, "000011"), 5);
        assert_int_equal(c.resets, 0);

        /* Spikes shorter than the rule never reach it. */
        c = (struct mc_pressure_kill_count){ .needed = 5 };
        assert_int_equal(feed(&c, "1111011110111100001111"), -1);
        assert_int_equal(c.longest, 4);

        c = (struct mc_pressure_kill_count){ .needed = 1 };
        assert_int_equal(feed(&c, "01"), 1);
}

/*
 * poll() may report the timer ready in the same turn as a firing that
 * re-armed it: a timer that has not expired since does nothing (here: the
 * grace period does not end at once).
 */
static void test_timer_rearmed_in_the_same_turn(void **state)
{
        char dir[] = "/tmp/test-pressure-kill.XXXXXX";
        struct mc_pressure_kill_rule rule;
        struct mc_pressure_kill k;
        struct mc_error err = { 0 };
        struct mc_watch *w;
        size_t n;

        (void)state;
        assert_non_null(mkdtemp(dir));
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        /* A plain file takes the trigger line as memory.pressure does. */
        int f = openat(dfd, "memory.pressure", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        assert_true(f >= 0);
        close(f);
        assert_int_equal(mc_pressure_kill_parse_rule("full 50%/2s for 10s", &rule, &err), 0);
        struct mc_pressure_kill_opts o = { .group_fd = dfd, .rule = &rule, .grace_us = 10000000 };
        assert_int_equal(mc_pressure_kill_open(&k, &o, &err), 0);
        mc_pressure_kill_start(&k, 0, -1, &w, &n);
        assert_int_equal(n, 2);

        k.stage = MC_PRESSURE_KILL_GRACE;
        struct itimerspec its = { .it_value = { .tv_sec = 60 } };
        assert_int_equal(timerfd_settime(k.timer_fd, 0, &its, NULL), 0);
        assert_int_equal(w[1].ready(w[1].userdata, POLLIN, &err), 0);
        assert_int_equal(k.stage, MC_PRESSURE_KILL_GRACE);
        assert_false(k.result.escalated_to_kill);

        /* Watching: a stale timer does not close the window the firing opened. */
        k.stage = MC_PRESSURE_KILL_WATCHING;
        k.window_open = true;
        k.count.consecutive = 3;
        assert_int_equal(w[1].ready(w[1].userdata, POLLIN, &err), 0);
        assert_int_equal(k.count.consecutive, 3);

        /* Expired: the window closes without a firing, the count starts over. */
        its = (struct itimerspec){ .it_value = { .tv_nsec = 1000 } };
        assert_int_equal(timerfd_settime(k.timer_fd, 0, &its, NULL), 0);
        struct pollfd p = { .fd = k.timer_fd, .events = POLLIN };
        assert_int_equal(poll(&p, 1, 5000), 1);
        assert_int_equal(w[1].ready(w[1].userdata, POLLIN, &err), 0);
        assert_int_equal(k.count.consecutive, 0);

        mc_pressure_kill_done(&k);
        assert_int_equal(unlinkat(dfd, "memory.pressure", 0), 0);
        close(dfd);
        assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_good),
                cmocka_unit_test(test_parse_bad),
                cmocka_unit_test(test_check_unprivileged),
                cmocka_unit_test(test_count),
                cmocka_unit_test(test_timer_rearmed_in_the_same_turn),
        };
        return cmocka_run_group_tests_name("pressure-kill", tests, NULL, NULL);
}
