/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "events.h"

/* memory.events as Linux 6.12 prints it. */
static const char memory_events_612[] = "low 0\nhigh 11761\nmax 53\noom 1\noom_kill 1\noom_group_kill 0\n";

static void test_parse_kernel_text(void **state)
{
        struct mc_counters c;
        struct mc_error err = { 0 };
        uint64_t v = 99;

        assert_int_equal(mc_counters_parse(memory_events_612, &c, &err), 0);
        assert_int_equal(c.n, 6);
        assert_string_equal(c.c[1].name, "high");
        assert_true(mc_counters_get(&c, "high", &v));
        assert_int_equal(v, 11761);
        assert_true(mc_counters_get(&c, "oom_kill", &v));
        assert_int_equal(v, 1);
        assert_false(mc_counters_get(&c, "sock_throttled", &v));
        assert_true(mc_counters_get(&c, "low", NULL));
}

static void test_parse_big_and_blank(void **state)
{
        struct mc_counters c;
        struct mc_error err = { 0 };
        uint64_t v;

        assert_int_equal(mc_counters_parse("a 18446744073709551615\n\nb 2", &c, &err), 0);
        assert_int_equal(c.n, 2);
        assert_true(mc_counters_get(&c, "a", &v));
        assert_true(v == UINT64_MAX);
        assert_int_equal(mc_counters_parse("", &c, &err), 0);
        assert_int_equal(c.n, 0);
}

static void test_parse_errors(void **state)
{
        struct mc_counters c;
        struct mc_error err = { 0 };

        assert_int_equal(mc_counters_parse("low\n", &c, &err), -EINVAL);
        assert_string_equal(err.msg, "line 1: expected 'name value'");
        assert_int_equal(mc_counters_parse("low 0\nhigh x1\n", &c, &err), -EINVAL);
        assert_string_equal(err.msg, "line 2: value is not a number");
        assert_int_equal(mc_counters_parse("low -1\n", &c, &err), -EINVAL);
        assert_int_equal(mc_counters_parse("low \n", &c, &err), -EINVAL);
        assert_string_equal(err.msg, "line 1: missing value");
        assert_int_equal(mc_counters_parse("a 18446744073709551616\n", &c, &err), -ERANGE);
        assert_int_equal(mc_counters_parse(" 5\n", &c, &err), -EINVAL);

        char many[MC_COUNTERS_MAX * 8 + 16] = "";
        for (int i = 0; i <= MC_COUNTERS_MAX; i++)
                sprintf(many + strlen(many), "k%d 1\n", i);
        assert_int_equal(mc_counters_parse(many, &c, &err), -E2BIG);
}

static void test_delta(void **state)
{
        struct mc_counters before, after, d;
        struct mc_error err = { 0 };
        uint64_t v;

        assert_int_equal(mc_counters_parse("low 1\nhigh 10\nmax 3\noom 0\noom_kill 0\n", &before, &err), 0);
        assert_int_equal(mc_counters_parse(memory_events_612, &after, &err), 0);
        mc_counters_delta(&before, &after, &d);
        assert_int_equal(d.n, after.n);
        assert_true(mc_counters_get(&d, "low", &v));
        assert_int_equal(v, 0); /* went backwards: clamped, not wrapped */
        assert_true(mc_counters_get(&d, "high", &v));
        assert_int_equal(v, 11751);
        assert_true(mc_counters_get(&d, "max", &v));
        assert_int_equal(v, 50);
        assert_true(mc_counters_get(&d, "oom_group_kill", &v)); /* new name counts from 0 */
        assert_int_equal(v, 0);
        assert_true(mc_counters_get(&d, "oom_kill", &v));
        assert_int_equal(v, 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_kernel_text),
                cmocka_unit_test(test_parse_big_and_blank),
                cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_delta),
        };
        return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
