/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "util.h"

#define NO_UNIT "a duration needs a unit (us, ms or s)"

static void test_parse(void **state)
{
        static const struct {
                const char *in;
                uint64_t us;
        } good[] = {
                { "150ms", 150000 },
                { "1s", 1000000 },
                { "500000us", 500000 },
                { "1.5s", 1500000 },
                { "0.5ms", 500 },
                { "0s", 0 },
                { "10000ms", 10000000 },
                { "007us", 7 },
                { "1.0000005s", 1000000 }, /* fractional microseconds round down */
                { "0.999999999999s", 999999 },
                { "18446744073709551615us", UINT64_MAX },
                { "18446744073709s", 18446744073709000000ull },
        };
        static const struct {
                const char *in;
                int code;
                const char *msg;
        } bad[] = {
                { "", EINVAL, NO_UNIT },
                { "1", EINVAL, NO_UNIT },
                { "150", EINVAL, NO_UNIT },
                { "1m", EINVAL, NO_UNIT },
                { "1h", EINVAL, NO_UNIT },
                { "xs", EINVAL, NO_UNIT },
                { "ms", EINVAL, NO_UNIT },
                { "1 s", EINVAL, NO_UNIT },
                { "1S", EINVAL, NO_UNIT },
                { "1.2.3s", EINVAL, "not a duration" },
                { "-1ms", EINVAL, "not a duration" },
                { "+1ms", EINVAL, "not a duration" },
                { "1.s", EINVAL, "not a duration" },
                { ".5s", EINVAL, "not a duration" },
                { "1e3ms", EINVAL, "not a duration" },
                { " 1s", EINVAL, "not a duration" },
                { "18446744073709551616us", ERANGE, "duration too large" },
                { "18446744073710s", ERANGE, "duration too large" },
                { "99999999999999999999999ms", ERANGE, "duration too large" },
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                struct mc_error err = {};
                uint64_t us = 42;
                if (mc_duration_parse(good[i].in, &us, &err) < 0)
                        fail_msg("'%s': %s", good[i].in, err.msg);
                if (us != good[i].us)
                        fail_msg("'%s': %" PRIu64 " us, want %" PRIu64, good[i].in, us, good[i].us);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct mc_error err = {};
                uint64_t us = 42;
                int r = mc_duration_parse(bad[i].in, &us, &err);
                if (r != -bad[i].code || !streq(err.msg, bad[i].msg))
                        fail_msg("'%s': r=%d '%s', want -%d '%s'", bad[i].in, r, err.msg, bad[i].code,
                                 bad[i].msg);
                assert_int_equal(us, 42);
        }
}

static void test_interval(void **state)
{
        static const struct {
                const char *in;
                uint64_t ms;
        } good[] = {
                { "0", 0 },           { "10ms", 10 },           { "100ms", 100 },      { "250ms", 250 },
                { "1s", 1000 },       { "0.5s", 500 },          { "1.25s", 1250 },     { "0.010s", 10 },
                { "3600s", 3600000 }, { "3600000ms", 3600000 }, { "1.000000s", 1000 }, { "10.0ms", 10 },
        };
        static const struct {
                const char *in;
                int code;
                const char *why;
        } bad[] = {
                { "", EINVAL, "expected a number with ms or s" },
                { "ms", EINVAL, "expected a number with ms or s" },
                { "-1s", EINVAL, "expected a number with ms or s" },
                { ".5s", EINVAL, "expected a number with ms or s" },
                { "1.s", EINVAL, "expected digits after '.'" },
                { "1.0000000s", EINVAL, "too many decimals" },
                { "100", EINVAL, "the unit must be ms or s (e.g. 250ms, 1s)" },
                { "1m", EINVAL, "the unit must be ms or s (e.g. 250ms, 1s)" },
                { "1 s", EINVAL, "the unit must be ms or s (e.g. 250ms, 1s)" },
                { "1e3ms", EINVAL, "the unit must be ms or s (e.g. 250ms, 1s)" },
                { "10000us", EINVAL, "the unit must be ms or s (e.g. 250ms, 1s)" },
                { "99999999999999999999us", EINVAL, "the unit must be ms or s (e.g. 250ms, 1s)" },
                { "0.5ms", EINVAL, "not a whole number of milliseconds" },
                { "1.0005s", EINVAL, "not a whole number of milliseconds" },
                { "0s", ERANGE, "must be 0 (off) or between 10 ms and 3600 s" },
                { "5ms", ERANGE, "must be 0 (off) or between 10 ms and 3600 s" },
                { "3601s", ERANGE, "must be 0 (off) or between 10 ms and 3600 s" },
                { "3600001ms", ERANGE, "must be 0 (off) or between 10 ms and 3600 s" },
                { "99999999999999999999s", ERANGE, "must be 0 (off) or between 10 ms and 3600 s" },
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                struct mc_error err = {};
                uint64_t ms = 42;
                if (mc_interval_parse(good[i].in, &ms, &err) < 0)
                        fail_msg("'%s': %s", good[i].in, err.msg);
                if (ms != good[i].ms)
                        fail_msg("'%s': %" PRIu64 " ms, want %" PRIu64, good[i].in, ms, good[i].ms);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct mc_error err = {};
                char want[MC_ERROR_MSG_MAX];
                uint64_t ms = 42;
                snprintf(want, sizeof(want), "invalid interval '%s': %s", bad[i].in, bad[i].why);
                int r = mc_interval_parse(bad[i].in, &ms, &err);
                if (r != -bad[i].code || !streq(err.msg, want))
                        fail_msg("'%s': r=%d '%s', want -%d '%s'", bad[i].in, r, err.msg, bad[i].code, want);
                assert_int_equal(ms, 42);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_interval),
        };
        return cmocka_run_group_tests_name("duration", tests, NULL, NULL);
}
