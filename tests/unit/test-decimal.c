/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>

#include "decimal.h"
#include "util.h"

struct scan_case {
        const char *in;
        size_t taken;
        uint64_t whole, fraction, scale;
        bool has_fraction, dropped, overflow;
};

static const struct scan_case scan_cases[] = {
        { "0", 1, 0, 0, 1, false, false, false },
        { "512", 3, 512, 0, 1, false, false, false },
        { "512M", 3, 512, 0, 1, false, false, false },
        { "007", 3, 7, 0, 1, false, false, false },
        { "1.25s", 4, 1, 25, 100, true, false, false },
        { "0.010", 5, 0, 10, 1000, true, false, false },
        { "1.0", 3, 1, 0, 10, true, false, false },
        /* a '.' without a digit after it is not part of the number */
        { "1.", 1, 1, 0, 1, false, false, false },
        { "1.s", 1, 1, 0, 1, false, false, false },
        { "1.5.3", 3, 1, 5, 10, true, false, false },
        /* nine fraction digits are kept, nonzero ones after are flagged */
        { "0.123456789", 11, 0, 123456789, 1000000000, true, false, false },
        { "0.1234567891", 12, 0, 123456789, 1000000000, true, true, false },
        { "0.1234567890000", 15, 0, 123456789, 1000000000, true, false, false },
        /* the largest integer part, and one more, scanned to its end */
        { "18446744073709551615", 20, UINT64_MAX, 0, 1, false, false, false },
        { "18446744073709551616", 20, 0, 0, 1, false, false, true },
        { "99999999999999999999.5x", 22, 0, 5, 10, true, false, true },
        /* what strtoull() and strtod() would take */
        { "", 0, 0, 0, 1, false, false, false },
        { ".5", 0, 0, 0, 1, false, false, false },
        { "+5", 0, 0, 0, 1, false, false, false },
        { "-5", 0, 0, 0, 1, false, false, false },
        { " 5", 0, 0, 0, 1, false, false, false },
        { "inf", 0, 0, 0, 1, false, false, false },
        { "0x10", 1, 0, 0, 1, false, false, false },
        { "1e3", 1, 1, 0, 1, false, false, false },
};

static void test_scan(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(scan_cases); i++) {
                const struct scan_case *c = &scan_cases[i];
                struct mc_decimal d;
                size_t n = mc_decimal_scan(c->in, &d);
                print_message("'%s'\n", c->in);
                assert_int_equal(n, c->taken);
                assert_int_equal(d.overflow, c->overflow);
                if (!c->overflow)
                        assert_int_equal(d.whole, c->whole);
                assert_int_equal(d.fraction, c->fraction);
                assert_int_equal(d.scale, c->scale);
                assert_int_equal(d.has_fraction, c->has_fraction);
                assert_int_equal(d.dropped, c->dropped);
        }
}

static uint64_t scaled(const char *s, uint64_t mult, bool *exact)
{
        struct mc_decimal d;
        uint64_t v = 42;
        assert_true(mc_decimal_scan(s, &d) > 0);
        assert_int_equal(mc_decimal_scale(&d, mult, &v, exact), 0);
        return v;
}

static void test_scale(void **state)
{
        bool exact;

        assert_int_equal(scaled("1.5", 1000, &exact), 1500);
        assert_true(exact);
        assert_int_equal(scaled("1.5", 1, &exact), 1); /* rounded down */
        assert_false(exact);
        assert_int_equal(scaled("1.0005", 1000, &exact), 1000);
        assert_false(exact);
        assert_int_equal(scaled("0.000001", 1000000, &exact), 1);
        assert_true(exact);
        /* a dropped digit is a rounding too */
        assert_int_equal(scaled("1.0000000001", 1000000000, &exact), 1000000000);
        assert_false(exact);
        assert_int_equal(scaled("1.8", UINT64_C(1) << 30, NULL), 1932735283);
        assert_int_equal(scaled("18446744073709551615", 1, &exact), UINT64_MAX);
        assert_true(exact);
        assert_int_equal(scaled("16777215.9999999999999", UINT64_C(1) << 40, NULL),
                         (UINT64_C(16777215) << 40) + 1099511626676ull);

        /* above 64 bits, from the integer part, the product or the fraction */
        struct mc_decimal d;
        uint64_t v = 42;
        mc_decimal_scan("18446744073709551616", &d);
        assert_int_equal(mc_decimal_scale(&d, 1, &v, NULL), -ERANGE);
        mc_decimal_scan("18446744073709551615", &d);
        assert_int_equal(mc_decimal_scale(&d, 2, &v, NULL), -ERANGE);
        mc_decimal_scan("18446744073709551615.5", &d);
        assert_int_equal(mc_decimal_scale(&d, 2, &v, NULL), -ERANGE);
        mc_decimal_scan("18446744073709551614.5", &d);
        assert_int_equal(mc_decimal_scale(&d, 1, &v, NULL), 0);
        assert_int_equal(v, UINT64_MAX - 1);
        mc_decimal_scan("9223372036854775807.5", &d);
        assert_int_equal(mc_decimal_scale(&d, 2, &v, NULL), 0);
        assert_int_equal(v, UINT64_MAX);
        /* .6 of 2 is 1.2: the product rounds down to the largest value */
        mc_decimal_scan("9223372036854775807.6", &d);
        assert_int_equal(mc_decimal_scale(&d, 2, &v, NULL), 0);
        assert_int_equal(v, UINT64_MAX);
        mc_decimal_scan("9223372036854775808", &d);
        assert_int_equal(mc_decimal_scale(&d, 2, &v, NULL), -ERANGE);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_scan),
                cmocka_unit_test(test_scale),
        };
        return cmocka_run_group_tests_name("decimal", tests, NULL, NULL);
}
