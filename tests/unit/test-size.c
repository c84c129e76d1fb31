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

#include "size.h"
#include "util.h"

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define TiB (UINT64_C(1) << 40)

/* The tail of every "invalid size" message: what is accepted. */
#define FORMS                                                                                   \
        "use bytes (4096), K, M, G or T with optional B or iB (512M, 1.5G, 2GiB; 1024-based), " \
        "a percentage of RAM (50%) or max"
#define TOO_LARGE "too large, the largest size is 18446744073709551615 bytes (use max for no limit)"

struct ok_case {
        const char *in;
        uint64_t ram;
        uint64_t want;
};

static const struct ok_case ok_cases[] = {
        /* bytes */
        { "0", 0, 0 },
        { "1", 0, 1 },
        { "4096", 0, 4096 },
        { "1048576", 0, MiB },
        { "007", 0, 7 },
        { "  4096\t", 0, 4096 },
        { "\t 12 \n", 0, 12 },
        { "1000B", 0, 1000 },
        { "1b", 0, 1 },
        { "1000 B", 0, 1000 },
        /* every unit, every spelling, any case */
        { "1K", 0, KiB },
        { "1k", 0, KiB },
        { "1KB", 0, KiB },
        { "1kb", 0, KiB },
        { "1Kb", 0, KiB },
        { "1KiB", 0, KiB },
        { "1kib", 0, KiB },
        { "1KIB", 0, KiB },
        { "512M", 0, 512 * MiB },
        { "512m", 0, 512 * MiB },
        { "512MB", 0, 512 * MiB },
        { "512MiB", 0, 512 * MiB },
        { "512 M", 0, 512 * MiB },
        { "512\tMiB", 0, 512 * MiB },
        { "1G", 0, GiB },
        { "2GiB", 0, 2 * GiB },
        { "2gb", 0, 2 * GiB },
        { "3g", 0, 3 * GiB },
        { "1T", 0, TiB },
        { "1tb", 0, TiB },
        { "1TiB", 0, TiB },
        /* decimals, rounding fractional bytes down */
        { "1.5G", 0, 1610612736 },
        { "3.5G", 0, 3758096384 },
        { "1.8G", 0, 1932735283 }, /* 1932735283.2 */
        { "0.5K", 0, 512 },
        { "1.3K", 0, 1331 }, /* 1331.2 */
        { "1.25M", 0, 1310720 },
        { "0.1T", 0, 109951162777 }, /* 109951162777.6 */
        { "1.0G", 0, GiB },
        { "0.0001K", 0, 0 },
        { "1.999999999999K", 0, 2047 }, /* decimals past the ninth are dropped */
        /* limits of the range */
        { "16777215T", 0, UINT64_C(16777215) << 40 },
        { "17179869183G", 0, UINT64_C(17179869183) << 30 },
        { "18446744073709551615", 0, UINT64_MAX },
        /* no limit */
        { "max", 0, MC_SIZE_MAX },
        { "MAX", 0, MC_SIZE_MAX },
        { " max ", 0, MC_SIZE_MAX },
        { "infinity", 0, MC_SIZE_MAX },
        { "Infinity", 0, MC_SIZE_MAX },
        /* percentages of RAM */
        { "50%", 8 * GiB, 4 * GiB },
        { "12.5%", 8 * GiB, GiB },
        { "100%", 8 * GiB, 8 * GiB },
        { "100.0%", 8 * GiB, 8 * GiB },
        { "100.000000000000%", 8 * GiB, 8 * GiB },
        { "0%", 8 * GiB, 0 },
        { "33.3%", 1000, 333 },
        { "33.33%", 1000, 333 }, /* 333.3 */
        { "50 %", 1000, 500 },
        { " 75% ", 1000, 750 },
        { "0.5%", 1000, 5 },
        { "1%", UINT64_MAX, UINT64_MAX / 100 },
        { "100%", UINT64_MAX, UINT64_MAX },
};

static void test_parse_ok(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(ok_cases); i++) {
                struct mc_error err = {};
                uint64_t v = 42;
                int r = mc_size_parse(ok_cases[i].in, ok_cases[i].ram, &v, &err);
                if (r != 0 || v != ok_cases[i].want)
                        fail_msg("'%s' (ram %" PRIu64 "): r=%d v=%" PRIu64 " want %" PRIu64 ": %s",
                                 ok_cases[i].in, ok_cases[i].ram, r, v, ok_cases[i].want, err.msg);
        }
}

struct bad_case {
        const char *in;
        uint64_t ram;
        const char *msg;
};

static const struct bad_case bad_cases[] = {
        { "", 0, "invalid size '': empty value; " FORMS },
        { "   ", 0, "invalid size '   ': empty value; " FORMS },
        { "abc", 0, "invalid size 'abc': not a number; " FORMS },
        { "+1", 0, "invalid size '+1': not a number; " FORMS },
        { ".5G", 0, "invalid size '.5G': not a number; " FORMS },
        { "maximum", 0, "invalid size 'maximum': not a number; " FORMS },
        /* a unit without its number */
        { "G", 0, "invalid size 'G': a number must come before the unit; " FORMS },
        { "GiB", 0, "invalid size 'GiB': a number must come before the unit; " FORMS },
        { "B", 0, "invalid size 'B': a number must come before the unit; " FORMS },
        { "%", 1000, "invalid size '%': a number must come before the unit; " FORMS },
        /* negatives */
        { "-1", 0, "invalid size '-1': sizes cannot be negative; " FORMS },
        { "-1G", 0, "invalid size '-1G': sizes cannot be negative; " FORMS },
        { "-5%", 1000, "invalid size '-5%': sizes cannot be negative; " FORMS },
        /* trailing garbage and unknown units */
        { "1Q", 0, "invalid size '1Q': unknown unit 'Q'; " FORMS },
        { "1GB extra", 0, "invalid size '1GB extra': unknown unit 'GB extra'; " FORMS },
        { "1 G B", 0, "invalid size '1 G B': unknown unit 'G B'; " FORMS },
        { "1KiBB", 0, "invalid size '1KiBB': unknown unit 'KiBB'; " FORMS },
        { "1iB", 0, "invalid size '1iB': unknown unit 'iB'; " FORMS },
        { "1P", 0, "invalid size '1P': unknown unit 'P'; " FORMS },
        { "1e9", 0, "invalid size '1e9': unknown unit 'e9'; " FORMS },
        { "0x10", 0, "invalid size '0x10': unknown unit 'x10'; " FORMS },
        { "1,5G", 0, "invalid size '1,5G': unknown unit ',5G'; " FORMS },
        { "5%G", 1000, "invalid size '5%G': unknown unit '%G'; " FORMS },
        /* decimals */
        { "1.5", 0, "invalid size '1.5': a byte count cannot have decimals; " FORMS },
        { "1.5B", 0, "invalid size '1.5B': a byte count cannot have decimals; " FORMS },
        { "1.", 0, "invalid size '1.': digits must follow '.'; " FORMS },
        { "1.G", 0, "invalid size '1.G': digits must follow '.'; " FORMS },
        { "1..5G", 0, "invalid size '1..5G': digits must follow '.'; " FORMS },
        { "1.5.3G", 0, "invalid size '1.5.3G': unknown unit '.3G'; " FORMS },
        /* overflow */
        { "17179869184G", 0, "invalid size '17179869184G': " TOO_LARGE "; " FORMS },
        { "16777216T", 0, "invalid size '16777216T': " TOO_LARGE "; " FORMS },
        { "18446744073709551616", 0, "invalid size '18446744073709551616': " TOO_LARGE "; " FORMS },
        { "99999999999999999999", 0, "invalid size '99999999999999999999': " TOO_LARGE "; " FORMS },
        { "99999999999999999999K", 0, "invalid size '99999999999999999999K': " TOO_LARGE "; " FORMS },
        { "16777215.9999999999999T", 0, NULL }, /* fits: the tenth decimal and on are dropped */
        /* percentages */
        { "101%", 1000, "invalid size '101%': more than 100% of RAM; " FORMS },
        { "100.5%", 1000, "invalid size '100.5%': more than 100% of RAM; " FORMS },
        { "100.0000000001%", 1000, "invalid size '100.0000000001%': more than 100% of RAM; " FORMS },
        { "99999999999999999999%", 1000,
          "invalid size '99999999999999999999%': more than 100% of RAM; " FORMS },
        { "50%", 0, "cannot resolve size '50%': size of physical RAM unknown" },
};

static void test_parse_errors(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(bad_cases); i++) {
                struct mc_error err = {};
                uint64_t v = 42;
                int r = mc_size_parse(bad_cases[i].in, bad_cases[i].ram, &v, &err);
                if (!bad_cases[i].msg) {
                        assert_int_equal(r, 0);
                        continue;
                }
                if (r != -EINVAL || err.code != EINVAL)
                        fail_msg("'%s': r=%d, expected -EINVAL", bad_cases[i].in, r);
                if (!streq(err.msg, bad_cases[i].msg))
                        fail_msg("'%s':\n got: %s\nwant: %s", bad_cases[i].in, err.msg, bad_cases[i].msg);
                /* A failed parse leaves the output alone. */
                assert_int_equal(v, 42);
        }
}

/* With a key, every message names it after the value: the same text as without, " for KEY" added. */
static void test_parse_for_key(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(bad_cases); i++) {
                struct mc_error err = {};
                uint64_t v = 42;
                char want[MC_ERROR_MSG_MAX];
                if (!bad_cases[i].msg)
                        continue;
                const char *quote_end = strstr(bad_cases[i].msg, "': ");
                assert_non_null(quote_end);
                snprintf(want, sizeof(want), "%.*s' for swap.max%s", (int)(quote_end - bad_cases[i].msg),
                         bad_cases[i].msg, quote_end + 1);
                int r = mc_size_parse_for(bad_cases[i].in, "swap.max", bad_cases[i].ram, &v, &err);
                if (r != -EINVAL || err.code != EINVAL)
                        fail_msg("'%s': r=%d, expected -EINVAL", bad_cases[i].in, r);
                if (!streq(err.msg, want))
                        fail_msg("'%s':\n got: %s\nwant: %s", bad_cases[i].in, err.msg, want);
                assert_int_equal(v, 42);
        }
        struct mc_error err = {};
        uint64_t v;
        assert_int_equal(mc_size_parse_for("50%", "max", 0, &v, &err), -EINVAL);
        assert_string_equal(err.msg, "cannot resolve size '50%' for max: size of physical RAM unknown");
        /* Without a key, it is mc_size_parse(). */
        assert_int_equal(mc_size_parse_for("1Q", NULL, 0, &v, &err), -EINVAL);
        assert_string_equal(err.msg, "invalid size '1Q': unknown unit 'Q'; " FORMS);
        assert_int_equal(mc_size_parse_for("1.5G", "max", 0, &v, &err), 0);
        assert_int_equal(v, 1610612736);
}

static void test_is_percent(void **state)
{
        assert_true(mc_size_is_percent("75%"));
        assert_true(mc_size_is_percent("12.5%"));
        assert_true(mc_size_is_percent(" 50 % "));
        assert_false(mc_size_is_percent("75"));
        assert_false(mc_size_is_percent("1G"));
        assert_false(mc_size_is_percent("max"));
        assert_false(mc_size_is_percent(""));
        assert_false(mc_size_is_percent("%G"));
}

struct format_case {
        uint64_t bytes;
        const char *want;
};

static const struct format_case format_cases[] = {
        { 0, "0" },
        { 1, "1B" },
        { 1000, "1000B" },
        { 1023, "1023B" },
        { 1024, "1K" },
        { 4096, "4K" },
        { 1536, "1.5K" },
        { 1280, "1.25K" },
        { 1025, "1.00K" },
        { 1331, "1.3K" }, /* what "1.3K" parses to */
        { 1048575, "1023.99K" },
        { 536870912, "512M" },
        { 1000 * MiB, "1000M" },
        { 1073741824, "1G" },
        { 1610612736, "1.5G" },
        { 3758096384, "3.5G" },
        { 1932735283, "1.8G" },  /* what "1.8G" parses to */
        { 1932735284, "1.80G" }, /* one byte more: no longer what "1.8G" reads as */
        { 1428076625, "1.33G" }, /* what "1.33G" parses to */
        { 1431655765, "1.33G" }, /* a third of 4G, truncated */
        { GiB - 1, "1023.99M" },
        { 109951162777, "102.4G" }, /* what "0.1T" parses to: below 1T, so in G */
        { TiB, "1T" },
        { 1024 * TiB, "1024T" },
        { UINT64_MAX - 1, "16777215.99T" },
        { MC_SIZE_MAX, "max" },
};

static void test_format(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(format_cases); i++) {
                char buf[MC_SIZE_STR_MAX];
                const char *s = mc_size_format(format_cases[i].bytes, buf, sizeof(buf));
                assert_ptr_equal(s, buf);
                if (!streq(s, format_cases[i].want))
                        fail_msg("%" PRIu64 ": got '%s', want '%s'", format_cases[i].bytes, s,
                                 format_cases[i].want);
        }
}

/* Every output parses back: exactly for values that came from a short form, never above otherwise. */
static void test_format_parses_back(void **state)
{
        static const uint64_t values[] = {
                1,
                1023,
                1024,
                1025,
                4095,
                4096,
                1331,
                1000000,
                1048575,
                1932735283,
                1932735284,
                3 * GiB + 4096,
                GiB - 1,
                TiB + 1,
                UINT64_MAX - 1,
                UINT64_MAX - TiB,
                UINT64_MAX / 3,
        };
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                char buf[MC_SIZE_STR_MAX];
                struct mc_error err = {};
                uint64_t back;
                mc_size_format(values[i], buf, sizeof(buf));
                if (mc_size_parse(buf, 0, &back, &err) < 0)
                        fail_msg("%" PRIu64 " -> '%s' does not parse: %s", values[i], buf, err.msg);
                assert_true(back <= values[i]);
                /* Two decimals are at most a hundredth of the unit off. */
                assert_true(values[i] - back <= values[i] / 100);
        }
        /* Exact round trips for everything users write. */
        static const char *const written[] = { "4K",    "512M",   "1.5G",  "1.8G",      "3.5G",
                                               "1.33G", "102.4G", "2.25G", "16777215T", "1023B" };
        for (size_t i = 0; i < ELEMENTSOF(written); i++) {
                char buf[MC_SIZE_STR_MAX];
                struct mc_error err = {};
                uint64_t v;
                assert_int_equal(mc_size_parse(written[i], 0, &v, &err), 0);
                assert_string_equal(mc_size_format(v, buf, sizeof(buf)), written[i]);
        }
}

static void test_format_fits(void **state)
{
        char buf[MC_SIZE_STR_MAX];
        /* The longest outputs. */
        assert_true(strlen(mc_size_format(UINT64_MAX - 1, buf, sizeof(buf))) < sizeof(buf));
        assert_true(strlen(mc_size_format(1023, buf, sizeof(buf))) < sizeof(buf));
        /* A short buffer truncates rather than overflows. */
        char small[4];
        assert_string_equal(mc_size_format(1610612736, small, sizeof(small)), "1.5");
}

static void test_host_ram(void **state)
{
        uint64_t ram = mc_host_ram_bytes();
        assert_true(ram > 0);

        /* sysinfo() and /proc/meminfo agree on MemTotal. */
        FILE *f = fopen("/proc/meminfo", "re");
        if (!f) {
                print_message("SKIP: /proc/meminfo not readable, cannot compare with sysinfo()\n");
                skip();
                return;
        }
        char line[256];
        unsigned long long kib = 0;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "MemTotal: %llu kB", &kib) == 1)
                        break;
        fclose(f);
        assert_true(kib > 0);
        assert_int_equal(ram, (uint64_t)kib * 1024);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_ok),      cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_parse_for_key), cmocka_unit_test(test_is_percent),
                cmocka_unit_test(test_format),        cmocka_unit_test(test_format_parses_back),
                cmocka_unit_test(test_format_fits),   cmocka_unit_test(test_host_ram),
        };
        return cmocka_run_group_tests_name("size", tests, NULL, NULL);
}
