/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "pressure.h"
#include "profile.h"
#include "util.h"

static void expect_trigger(const char *value, uint64_t stall, uint64_t window)
{
        struct mc_pressure_trigger t;
        struct mc_error err = { 0 };
        print_message("%s\n", value);
        assert_int_equal(mc_pressure_parse_trigger(value, MC_PSI_FULL, &t, &err), 0);
        assert_int_equal(t.stall_us, stall);
        assert_int_equal(t.window_us, window);
        assert_int_equal(t.kind, MC_PSI_FULL);
        assert_string_equal(t.spec, value);
}

static void expect_bad(const char *value, const char *msg)
{
        struct mc_pressure_trigger t;
        struct mc_error err = { 0 };
        print_message("%s\n", value);
        assert_true(mc_pressure_parse_trigger(value, MC_PSI_SOME, &t, &err) < 0);
        assert_string_equal(err.msg, msg);
}

static void test_parse_trigger(void **state)
{
        expect_trigger("150ms/1s", 150000, 1000000);
        expect_trigger("10%/2s", 200000, 2000000);
        expect_trigger("100%/500ms", 500000, 500000);
        expect_trigger("0.5%/10s", 50000, 10000000);
        expect_trigger("500000us/1.5s", 500000, 1500000);
        expect_trigger("1s/10000ms", 1000000, 10000000);
        expect_trigger("1us/500000us", 1, 500000);
        expect_trigger("0.25s/0.5s", 250000, 500000);
        expect_trigger("33.333%/1s", 333330, 1000000);
        expect_trigger("1.0000009ms/1s", 1000, 1000000); /* fractional microseconds round down */

        expect_bad("", "empty value");
        expect_bad("150ms", "missing '/' between stall and window");
        expect_bad("150ms/1", "window '1': a duration needs a unit (us, ms or s)");
        expect_bad("150ms/1m", "window '1m': a duration needs a unit (us, ms or s)");
        expect_bad("150ms/xs", "window 'xs': a duration needs a unit (us, ms or s)");
        expect_bad("150ms/1.2.3s", "window '1.2.3s': not a duration");
        expect_bad("100ms/400ms", "window '400ms' is not between 500ms and 10s");
        expect_bad("1s/11s", "window '11s' is not between 500ms and 10s");
        expect_bad("2s/1s", "stall '2s' is longer than the window '1s'");
        expect_bad("0ms/1s", "stall '0ms' must be above 0");
        expect_bad("0%/1s", "stall '0%': a percentage above 0 and at most 100%");
        expect_bad("101%/1s", "stall '101%': a percentage above 0 and at most 100%");
        expect_bad("x%/1s", "stall 'x%': not a percentage");
        expect_bad("%/1s", "stall '%': not a percentage");
        expect_bad("-1ms/1s", "stall '-1ms': not a duration");
        expect_bad("/1s", "stall '': a duration needs a unit (us, ms or s)");
        expect_bad("150/1s", "stall '150': a duration needs a unit (us, ms or s)");
        /* Numbers as sizes take them (mc_decimal_scan): digits first, and digits after a '.'. */
        expect_bad(".5s/1s", "stall '.5s': not a duration");
        expect_bad("1.s/2s", "stall '1.s': not a duration");
        expect_bad("150ms/1.s", "window '1.s': not a duration");
        expect_bad(".5%/1s", "stall '.5%': not a percentage");
        expect_bad("5.%/1s", "stall '5.%': not a percentage");
        expect_bad("150ms/18446744073709551616us", "window '18446744073709551616us': duration too large");
        expect_bad("18446744073709551616us/1s", "stall '18446744073709551616us': duration too large");
        expect_bad("99999999999999999999%/1s", "stall '99999999999999999999%': not a percentage");
}

static void test_trigger_line(void **state)
{
        struct mc_pressure_trigger t;
        struct mc_error err = { 0 };
        char line[64];
        assert_int_equal(mc_pressure_parse_trigger("150ms/1s", MC_PSI_SOME, &t, &err), 0);
        assert_int_equal(mc_pressure_trigger_line(&t, line, sizeof(line)), 0);
        assert_string_equal(line, "some 150000 1000000");
        assert_int_equal(mc_pressure_parse_trigger("10%/2s", MC_PSI_FULL, &t, &err), 0);
        assert_int_equal(mc_pressure_trigger_line(&t, line, sizeof(line)), 0);
        assert_string_equal(line, "full 200000 2000000");
        assert_int_equal(mc_pressure_trigger_line(&t, line, 5), -ENOBUFS);
}

static void test_parse_file(void **state)
{
        struct mc_pressure_line l[_MC_PSI_KIND_COUNT];
        struct mc_error err = { 0 };

        assert_int_equal(mc_pressure_parse("some avg10=12.50 avg60=3.00 avg300=0.61 total=37867584\n"
                                           "full avg10=11.25 avg60=2.00 avg300=0.50 total=3786758\n",
                                           l, &err),
                         0);
        assert_true(l[MC_PSI_SOME].present);
        assert_true(l[MC_PSI_FULL].present);
        assert_true(l[MC_PSI_SOME].avg10 > 12.49 && l[MC_PSI_SOME].avg10 < 12.51);
        assert_int_equal(l[MC_PSI_SOME].total_us, 37867584);
        assert_true(l[MC_PSI_FULL].avg10 > 11.24 && l[MC_PSI_FULL].avg10 < 11.26);
        assert_int_equal(l[MC_PSI_FULL].total_us, 3786758);

        /* /proc/pressure/cpu before 5.13 had only "some". */
        assert_int_equal(mc_pressure_parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n", l, &err), 0);
        assert_true(l[MC_PSI_SOME].present);
        assert_false(l[MC_PSI_FULL].present);

        assert_true(mc_pressure_parse("some avg10=x\n", l, &err) < 0);
        assert_string_equal(err.msg, "memory.pressure: unexpected line 'some avg10=x'");
}

/* avg10 in hundredths for the sampler's timeline, as a double for the events and `memcage ps`. */
static void test_parse_avg10(void **state)
{
        struct mc_pressure_line l[_MC_PSI_KIND_COUNT];
        struct mc_error err = { 0 };

        assert_int_equal(mc_pressure_parse("some avg10=12.34 avg60=0.50 avg300=0.00 total=123456\n"
                                           "full avg10=90.05 avg60=0.00 avg300=0.00 total=1000\n",
                                           l, &err),
                         0);
        assert_int_equal(l[MC_PSI_SOME].avg10_centi, 1234);
        assert_int_equal(l[MC_PSI_FULL].avg10_centi, 9005);
        /* The double is the nearest to the printed decimal, as strtod would give it. */
        assert_true(l[MC_PSI_SOME].avg10 == 12.34);
        assert_true(l[MC_PSI_FULL].avg10 == 90.05);
        assert_int_equal(l[MC_PSI_SOME].total_us, 123456);
        assert_int_equal(mc_pressure_parse("some avg10=100.00 avg60=0.00 avg300=0.00 total=0\n", l, &err),
                         0);
        assert_int_equal(l[MC_PSI_SOME].avg10_centi, 10000);
        assert_false(l[MC_PSI_FULL].present);
        assert_int_equal(l[MC_PSI_FULL].avg10_centi, 0);
        assert_int_equal(mc_pressure_parse("some avg10=0.5 avg60=0.00 avg300=0.00 total=0\n", l, &err), 0);
        assert_int_equal(l[MC_PSI_SOME].avg10_centi, 50);
        assert_int_equal(mc_pressure_parse("some avg10=7 avg60=0.00 avg300=0.00 total=0\n", l, &err), 0);
        assert_int_equal(l[MC_PSI_SOME].avg10_centi, 700);
        /* The order of the lines is not the parser's business. */
        assert_int_equal(mc_pressure_parse("full avg10=1.50 avg60=0.00 avg300=0.00 total=2\n"
                                           "some avg10=2.50 avg60=0.00 avg300=0.00 total=3\n",
                                           l, &err),
                         0);
        assert_int_equal(l[MC_PSI_SOME].avg10_centi, 250);
        assert_int_equal(l[MC_PSI_FULL].avg10_centi, 150);
}

/* Malformed is an error for every caller: the sampler, the events, `memcage ps`. */
static void test_parse_malformed(void **state)
{
        struct mc_pressure_line l[_MC_PSI_KIND_COUNT];
        struct mc_error err = { 0 };
        static const char *const bad[] = {
                "some avg60=1.00 total=0\nfull avg10=1.00\n",
                "some avg10=1.00 avg60=0.00 avg300=0.00\n",
                "some avg10=1.00 avg60=0.00 avg300=0.00 total=\n",
                "some avg10=1.00 avg60=0.00 avg300=0.00 total=1 extra\n",
                "some avg10=1.00  avg60=0.00 avg300=0.00 total=1\n",
                "some avg10=1. avg60=0.00 avg300=0.00 total=1\n",
                "some avg10=1.005 avg60=0.00 avg300=0.00 total=1\n",
                "some avg10=-1.00 avg60=0.00 avg300=0.00 total=1\n",
                "some avg10=1e2 avg60=0.00 avg300=0.00 total=1\n",
                "some avg10=100.01 avg60=0.00 avg300=0.00 total=1\n",
                "some avg10=101.00 avg60=0.00 avg300=0.00 total=1\n",
                "some avg10=1.00 avg60=0.00 avg300=0.00 total=18446744073709551616\n",
                "some avg60=0.00 avg10=1.00 avg300=0.00 total=1\n",
                "partial avg10=1.00 avg60=0.00 avg300=0.00 total=1\n",
                " some avg10=1.00 avg60=0.00 avg300=0.00 total=1\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                assert_int_equal(mc_pressure_parse(bad[i], l, &err), -EINVAL);
                assert_non_null(strstr(err.msg, "memory.pressure: unexpected line '"));
        }
        assert_string_equal(err.msg, "memory.pressure: unexpected line ' some avg10=1.00 avg60=0.00 "
                                     "avg300=0.00 total=1'");

        /* Without "some" (memory.pressure always has it), or with a kind twice, it is not the kernel's text.
         */
        assert_int_equal(mc_pressure_parse("full avg10=1.00 avg60=0.00 avg300=0.00 total=0\n", l, &err),
                         -EINVAL);
        assert_string_equal(err.msg, "memory.pressure: no 'some' line");
        assert_int_equal(mc_pressure_parse("", l, &err), -EINVAL);
        assert_string_equal(err.msg, "memory.pressure: no 'some' line");
        assert_int_equal(mc_pressure_parse("some avg10=1.00 avg60=0.00 avg300=0.00 total=0\n"
                                           "some avg10=2.00 avg60=0.00 avg300=0.00 total=0\n",
                                           l, &err),
                         -EINVAL);
        assert_string_equal(err.msg, "memory.pressure: a second 'some' line");
}

/* [pressure] in a profile: errors carry file:line, as every key's do. */
static void test_profile_keys(void **state)
{
        char dir[] = "/tmp/memcage-test-pressure-XXXXXX";
        char path[128], want[512];
        struct mc_profile p;
        struct mc_error err = { 0 };
        struct mc_profile_env env = { .profile_path = "" };

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/p.ini", dir);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs("[memory]\nmax = 1G\n[pressure]\nsome = 150ms/1s\nfull = 10%/2s\n", f);
        fclose(f);
        assert_int_equal(mc_profile_load(path, &env, &p, &err), 0);
        assert_string_equal(p.settings[MC_KEY_PRESSURE_SOME].value, "150ms/1s");
        assert_int_equal(p.settings[MC_KEY_PRESSURE_SOME].line, 4);
        assert_string_equal(p.settings[MC_KEY_PRESSURE_FULL].value, "10%/2s");
        assert_int_equal(mc_key_info(MC_KEY_PRESSURE_FULL)->type, MC_VALUE_PRESSURE);
        mc_profile_free(&p);

        f = fopen(path, "w");
        assert_non_null(f);
        fputs("[pressure]\n\nfull = 3s/2s\n", f);
        fclose(f);
        assert_true(mc_profile_load(path, &env, &p, &err) < 0);
        snprintf(want, sizeof(want),
                 "%s:3: invalid pressure trigger '3s/2s' for full: stall '3s' is longer than the window "
                 "'2s'; "
                 "use STALL/WINDOW, e.g. 150ms/1s or 10%%/2s (stall in us, ms, s or %% of the window; "
                 "window 500ms to 10s)",
                 path);
        assert_string_equal(err.msg, want);

        f = fopen(path, "w");
        assert_non_null(f);
        fputs("[pressure]\nmedium = 1s/2s\n", f);
        fclose(f);
        assert_true(mc_profile_load(path, &env, &p, &err) < 0);
        snprintf(want, sizeof(want), "%s:2: unknown key 'medium' in [pressure]", path);
        assert_string_equal(err.msg, want);

        /* --set goes through the same validation. */
        mc_profile_init(&p);
        assert_int_equal(mc_profile_set(&p, "pressure", "some", "5%/2s", "command line", 0, &env, &err), 0);
        assert_true(mc_profile_set(&p, "pressure", "some", "5%/20s", "command line", 0, &env, &err) < 0);
        assert_string_equal(
                err.msg, "invalid pressure trigger '5%/20s' for some: window '20s' is not between 500ms and "
                         "10s; use STALL/WINDOW, e.g. 150ms/1s or 10%/2s (stall in us, ms, s or % of the "
                         "window; window 500ms to 10s)");
        mc_profile_free(&p);
        unlink(path);
        rmdir(dir);
}

/* A temporary directory standing for a group, with memory.pressure holding text (NULL: no file). */
static int fake_group(char *dir, const char *text)
{
        assert_non_null(mkdtemp(dir));
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        if (text) {
                int f = openat(dfd, "memory.pressure", O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
                assert_true(f >= 0);
                assert_int_equal(write(f, text, strlen(text)), (ssize_t)strlen(text));
                close(f);
        }
        return dfd;
}

static void fake_group_remove(char *dir, int dfd)
{
        (void)unlinkat(dfd, "memory.pressure", 0);
        (void)unlinkat(dfd, "memory.pressure", AT_REMOVEDIR);
        close(dfd);
        assert_int_equal(rmdir(dir), 0);
}

#define PSI_TEXT                                              \
        "some avg10=1.50 avg60=0.00 avg300=0.00 total=1234\n" \
        "full avg10=0.25 avg60=0.00 avg300=0.00 total=567\n"

/* The one reader of a group's memory.pressure: read and parsed, or why not. */
static void test_read_at(void **state)
{
        char dir[] = "/tmp/test-pressure.XXXXXX";
        struct mc_pressure_line l[_MC_PSI_KIND_COUNT];
        struct mc_error err = { 0 };

        (void)state;
        int dfd = fake_group(dir, PSI_TEXT);
        assert_int_equal(mc_pressure_read_at(dfd, l, &err), 0);
        assert_true(l[MC_PSI_SOME].present);
        assert_int_equal(l[MC_PSI_SOME].avg10_centi, 150);
        assert_int_equal(l[MC_PSI_SOME].total_us, 1234);
        assert_true(l[MC_PSI_FULL].present);
        assert_int_equal(l[MC_PSI_FULL].total_us, 567);

        /* Not the kernel's text: the parser's message. */
        int f = openat(dfd, "memory.pressure", O_WRONLY | O_TRUNC | O_CLOEXEC);
        assert_true(f >= 0);
        assert_int_equal(write(f, "nonsense\n", 9), 9);
        close(f);
        assert_int_equal(mc_pressure_read_at(dfd, l, &err), -EINVAL);
        assert_string_equal(err.msg, "memory.pressure: unexpected line 'nonsense'");

        /* Without PSI the file is missing. */
        assert_int_equal(unlinkat(dfd, "memory.pressure", 0), 0);
        assert_int_equal(mc_pressure_read_at(dfd, l, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "memory.pressure"));
        fake_group_remove(dir, dfd);
}

/* The sampler's way: opened once, read from the start at each tick, into the caller's buffer. */
static void test_open_pread(void **state)
{
        char dir[] = "/tmp/test-pressure.XXXXXX";
        struct mc_pressure_line l[_MC_PSI_KIND_COUNT];
        struct mc_error err = { 0 };
        char buf[256];
        int fd = 0;

        (void)state;
        int dfd = fake_group(dir, NULL);
        /* Missing is no error: no fd. */
        assert_int_equal(mc_pressure_open_at(dfd, &fd, &err), 0);
        assert_int_equal(fd, -EBADF);
        /* A link in its place is not followed: a group's files are never links. */
        assert_int_equal(symlinkat("/proc/pressure/memory", dfd, "memory.pressure"), 0);
        assert_int_equal(mc_pressure_open_at(dfd, &fd, &err), -ELOOP);
        assert_non_null(strstr(err.msg, "open 'memory.pressure'"));
        assert_int_equal(unlinkat(dfd, "memory.pressure", 0), 0);

        int f = openat(dfd, "memory.pressure", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        assert_true(f >= 0);
        assert_int_equal(write(f, PSI_TEXT, strlen(PSI_TEXT)), (ssize_t)strlen(PSI_TEXT));
        assert_int_equal(mc_pressure_open_at(dfd, &fd, &err), 0);
        assert_true(fd >= 0);
        assert_int_equal(mc_pressure_pread(fd, buf, sizeof(buf), l, &err), 0);
        assert_int_equal(l[MC_PSI_SOME].avg10_centi, 150);
        assert_int_equal(l[MC_PSI_FULL].avg10_centi, 25);
        /* The same fd sees the text as it is now, read from its start again. */
        assert_int_equal(pwrite(f, "some avg10=9.00", 15, 0), 15);
        assert_int_equal(mc_pressure_pread(fd, buf, sizeof(buf), l, &err), 0);
        assert_int_equal(l[MC_PSI_SOME].avg10_centi, 900);
        /* A buffer too small cuts the text: the parser says so, nothing past it is read. */
        assert_int_equal(mc_pressure_pread(fd, buf, 20, l, &err), -EINVAL);
        assert_int_equal(mc_pressure_pread(fd, buf, 1, l, &err), -ENOBUFS);
        /* An empty file is not the kernel's. */
        assert_int_equal(ftruncate(f, 0), 0);
        assert_int_equal(mc_pressure_pread(fd, buf, sizeof(buf), l, &err), -ENODATA);
        close(f);
        close(fd);
        fake_group_remove(dir, dfd);
}

/* A trigger: its own fd, the kernel's line written with its NUL, or the step that failed. */
static void test_trigger_open(void **state)
{
        char dir[] = "/tmp/test-pressure.XXXXXX";
        struct mc_pressure_trigger t;
        struct mc_error err = { 0 };
        char got[64] = "";
        int fd = -EBADF, fd2 = -EBADF;

        (void)state;
        assert_int_equal(mc_pressure_parse_trigger("150ms/1s", MC_PSI_SOME, &t, &err), 0);
        int dfd = fake_group(dir, NULL);
        assert_int_equal(mc_pressure_trigger_open(dfd, &t, &fd, &err), -ENOENT);
        assert_string_equal(err.msg, "no PSI on this kernel (memory.pressure is missing): No such file or "
                                     "directory");
        assert_int_equal(fd, -EBADF);

        /* A plain file takes the line as memory.pressure does. */
        int f = openat(dfd, "memory.pressure", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        assert_true(f >= 0);
        close(f);
        assert_int_equal(mc_pressure_trigger_open(dfd, &t, &fd, &err), 0);
        assert_true(fd >= 0);
        assert_true((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
        assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        assert_int_equal(pread(fd, got, sizeof(got), 0), (ssize_t)sizeof("some 150000 1000000"));
        assert_memory_equal(got, "some 150000 1000000", sizeof("some 150000 1000000"));
        /* One trigger per open file: a second one gets an fd of its own. */
        assert_int_equal(mc_pressure_trigger_open(dfd, &t, &fd2, &err), 0);
        assert_true(fd2 >= 0 && fd2 != fd);
        close(fd);
        close(fd2);
        assert_int_equal(unlinkat(dfd, "memory.pressure", 0), 0);

        /* Not openable for writing: the step named for the caller's prefix. */
        assert_int_equal(mkdirat(dfd, "memory.pressure", 0700), 0);
        fd = -EBADF;
        assert_int_equal(mc_pressure_trigger_open(dfd, &t, &fd, &err), -EISDIR);
        assert_string_equal(err.msg, "open memory.pressure: Is a directory");
        assert_int_equal(fd, -EBADF);
        fake_group_remove(dir, dfd);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_trigger),   cmocka_unit_test(test_trigger_line),
                cmocka_unit_test(test_parse_file),      cmocka_unit_test(test_parse_avg10),
                cmocka_unit_test(test_parse_malformed), cmocka_unit_test(test_profile_keys),
                cmocka_unit_test(test_read_at),         cmocka_unit_test(test_open_pread),
                cmocka_unit_test(test_trigger_open),
        };
        return cmocka_run_group_tests_name("pressure", tests, NULL, NULL);
}
