/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <stdlib.h>
#include <unistd.h>

#include "events.h"
#include "util.h"

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

/* Names the kernel never prints twice: twice is not the kernel's file. */
static void test_parse_duplicate(void **state)
{
        struct mc_counters c;
        struct mc_error err = { 0 };

        assert_int_equal(mc_counters_parse("low 0\nhigh 1\nlow 2\n", &c, &err), -EINVAL);
        assert_string_equal(err.msg, "line 3: 'low' appears twice");
        assert_int_equal(mc_counters_parse("a_name_longer_than_thirty_one_chars 1\n", &c, &err), -EINVAL);
        assert_string_equal(err.msg, "line 1: counter name too long");
}

/* cpu.stat of a 6.12 group with the cpu controller on. */
static const char cpu_stat_612[] = "usage_usec 81021\nuser_usec 52013\nsystem_usec 29008\n"
                                   "core_sched.force_idle_usec 0\nnr_periods 0\nnr_throttled 0\n"
                                   "throttled_usec 0\nnr_bursts 0\nburst_usec 0\n";

static void test_keyed_get(void **state)
{
        struct mc_error err = { 0 };
        struct mc_keyed_field f[] = {
                { .name = "system_usec" },
                { .name = "user_usec" },
                { .name = "usage_usec", .optional = true },
                { .name = "nr_throttled", .optional = true },
                { .name = "absent_here", .optional = true },
        };

        /* Other names (a dotted one included) pass through; the order of the keys is the caller's. */
        assert_int_equal(mc_keyed_get(cpu_stat_612, f, ELEMENTSOF(f), &err), 0);
        assert_true(f[0].found);
        assert_int_equal(f[0].value, 29008);
        assert_true(f[1].found);
        assert_int_equal(f[1].value, 52013);
        assert_true(f[2].found);
        assert_int_equal(f[2].value, 81021);
        assert_true(f[3].found);
        assert_int_equal(f[3].value, 0);
        assert_false(f[4].found);
        assert_int_equal(f[4].value, 0);

        /* A name that only starts like a wanted one is another key. */
        struct mc_keyed_field one[] = { { .name = "anon" } };
        assert_int_equal(mc_keyed_get("anon_thp 5\nanon 1\n", one, 1, &err), 0);
        assert_int_equal(one[0].value, 1);
        assert_int_equal(mc_keyed_get("anon_thp 5\n", one, 1, &err), -ENXIO);
        assert_string_equal(err.msg, "no 'anon' key");
        assert_false(one[0].found);
        assert_int_equal(mc_keyed_get("", one, 1, &err), -ENXIO);
}

static void test_keyed_get_errors(void **state)
{
        struct mc_error err = { 0 };
        struct mc_keyed_field f[] = { { .name = "user_usec" }, { .name = "system_usec" } };

        /* The first missing key is named. */
        assert_int_equal(mc_keyed_get("usage_usec 5\n", f, ELEMENTSOF(f), &err), -ENXIO);
        assert_string_equal(err.msg, "no 'user_usec' key");
        assert_int_equal(mc_keyed_get("user_usec 1\nsystem_usec 2\nuser_usec 3\n", f, ELEMENTSOF(f), &err),
                         -EINVAL);
        assert_string_equal(err.msg, "line 3: 'user_usec' appears twice");
        /* Malformed lines fail after every wanted key was found, and in names nobody wants. */
        assert_int_equal(mc_keyed_get("user_usec 1\nsystem_usec 2\nnr_periods\n", f, ELEMENTSOF(f), &err),
                         -EINVAL);
        assert_string_equal(err.msg, "line 3: expected 'name value'");
        assert_int_equal(mc_keyed_get("user_usec 1\nsystem_usec 2 3\n", f, ELEMENTSOF(f), &err), -EINVAL);
        assert_string_equal(err.msg, "line 2: value is not a number");
        assert_int_equal(
                mc_keyed_get("user_usec 18446744073709551616\nsystem_usec 2\n", f, ELEMENTSOF(f), &err),
                -ERANGE);
        assert_string_equal(err.msg, "line 1: value overflows");
        assert_int_equal(
                mc_keyed_get("user_usec 18446744073709551615\nsystem_usec 0", f, ELEMENTSOF(f), &err), 0);
        assert_true(f[0].value == UINT64_MAX);
}

/* The reader of a group's file: through the directory fd, errors named after the file. */
static void test_keyed_read_at(void **state)
{
        char dir[] = "/tmp/memcage-test-keyed-XXXXXX";
        char path[64];
        struct mc_error err = { 0 };
        struct mc_keyed_field f[] = { { .name = "user_usec" }, { .name = "system_usec" } };

        assert_non_null(mkdtemp(dir));
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        snprintf(path, sizeof(path), "%s/cpu.stat", dir);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fputs("usage_usec 9\nuser_usec 7\n", fp);
        fclose(fp);
        assert_int_equal(mc_keyed_read_at(dfd, "cpu.stat", f, ELEMENTSOF(f), &err), -ENXIO);
        assert_string_equal(err.msg, "cpu.stat: no 'system_usec' key");
        assert_true(f[0].found);
        assert_int_equal(f[0].value, 7);
        assert_int_equal(mc_keyed_read_at(dfd, "memory.stat", f, ELEMENTSOF(f), &err), -ENOENT);
        unlink(path);
        close(dfd);
        rmdir(dir);
}

/* A counter file as a group holds it: put text in file of dfd, replacing its contents in place. */
static void put(int dfd, const char *file, const char *text)
{
        int f = openat(dfd, file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        assert_true(f >= 0);
        assert_int_equal(ftruncate(f, 0), 0);
        assert_int_equal(pwrite(f, text, strlen(text), 0), (ssize_t)strlen(text));
        close(f);
}

/*
 * The one reader of memory.events and memory.events.local: by name, or
 * opened once to be polled and read again through its fd.
 */
static void test_memory_events(void **state)
{
        char dir[] = "/tmp/memcage-test-events-XXXXXX";
        struct mc_error err = { 0 };
        struct mc_counters c;
        uint64_t v = 0;
        int fd = -EBADF;

        (void)state;
        assert_non_null(mkdtemp(dir));
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);

        /* A group without the file (no memory controller): 0 and no fd, not an error. */
        assert_int_equal(mc_memory_events_open_at(dfd, &fd, &c, &err), 0);
        assert_int_equal(fd, -EBADF);
        assert_int_equal(mc_memory_events_read_at(dfd, false, &c, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "'memory.events'"));

        put(dfd, "memory.events", memory_events_612);
        put(dfd, "memory.events.local", "low 0\nhigh 2\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
        assert_int_equal(mc_memory_events_read_at(dfd, false, &c, &err), 0);
        assert_true(mc_counters_get(&c, "high", &v));
        assert_int_equal(v, 11761);
        assert_int_equal(mc_memory_events_read_at(dfd, true, &c, &err), 0);
        assert_true(mc_counters_get(&c, "high", &v));
        assert_int_equal(v, 2);

        assert_int_equal(mc_memory_events_open_at(dfd, &fd, &c, &err), 1);
        assert_true(fd >= 0);
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        assert_true(mc_counters_get(&c, "oom_kill", &v));
        assert_int_equal(v, 1);
        /* The same fd reads the counters as they are now. */
        put(dfd, "memory.events", "low 0\nhigh 11761\nmax 53\noom 2\noom_kill 2\noom_group_kill 0\n");
        assert_int_equal(mc_memory_events_pread(fd, &c, &err), 0);
        assert_true(mc_counters_get(&c, "oom_kill", &v));
        assert_int_equal(v, 2);
        /* A malformed text is named after the file. */
        put(dfd, "memory.events", "oom_kill two\n");
        assert_int_equal(mc_memory_events_pread(fd, &c, &err), -EINVAL);
        assert_true(strncmp(err.msg, "memory.events: ", 15) == 0);
        close(fd);

        /* A link in its place is not followed. */
        assert_int_equal(unlinkat(dfd, "memory.events", 0), 0);
        assert_int_equal(symlinkat("memory.events.local", dfd, "memory.events"), 0);
        assert_int_equal(mc_memory_events_open_at(dfd, &fd, &c, &err), -ELOOP);
        assert_string_equal(err.msg, "open memory.events: Too many levels of symbolic links");

        assert_int_equal(unlinkat(dfd, "memory.events", 0), 0);
        assert_int_equal(unlinkat(dfd, "memory.events.local", 0), 0);
        close(dfd);
        assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_kernel_text), cmocka_unit_test(test_parse_big_and_blank),
                cmocka_unit_test(test_parse_errors),      cmocka_unit_test(test_delta),
                cmocka_unit_test(test_parse_duplicate),   cmocka_unit_test(test_keyed_get),
                cmocka_unit_test(test_keyed_get_errors),  cmocka_unit_test(test_keyed_read_at),
                cmocka_unit_test(test_memory_events),
        };
        return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
