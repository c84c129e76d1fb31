/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <unistd.h>

#include "fake-cgroupfs.h"
#include "steps.h"
#include "util.h"

#define MiB (1024ull * 1024)

static void test_name_parse(void **state)
{
        char name[MC_STEP_NAME_MAX + 1], long_line[MC_STEP_NAME_MAX + 2];
        struct mc_error err = { 0 };

        assert_int_equal(mc_step_name_parse("build", 5, name, &err), 1);
        assert_string_equal(name, "build");
        /* Only len counts: the reader's buffer is not NUL-terminated. */
        assert_int_equal(mc_step_name_parse("testXYZ", 4, name, &err), 1);
        assert_string_equal(name, "test");
        assert_int_equal(mc_step_name_parse("pack\r", 5, name, &err), 1);
        assert_string_equal(name, "pack");
        assert_int_equal(mc_step_name_parse("unit tests (äöü)", strlen("unit tests (äöü)"), name, &err), 1);
        assert_int_equal(mc_step_name_parse("", 0, name, &err), 0);
        assert_int_equal(mc_step_name_parse("\r", 1, name, &err), 0);
        assert_int_equal(mc_step_name_parse("a\033[2Jb", 6, name, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "\\x1b") ? err.msg : strstr(err.msg, "\\033") ? err.msg : NULL);
        assert_int_equal(mc_step_name_parse("a\tb", 3, name, &err), -EINVAL);
        assert_int_equal(mc_step_name_parse("\xff\xfe", 2, name, &err), -EINVAL);
        assert_int_equal(mc_step_name_parse("a\0b", 3, name, &err), -EINVAL);
        memset(long_line, 'x', sizeof(long_line));
        assert_int_equal(mc_step_name_parse(long_line, MC_STEP_NAME_MAX, name, &err), 1);
        assert_int_equal(strlen(name), MC_STEP_NAME_MAX);
        assert_int_equal(mc_step_name_parse(long_line, MC_STEP_NAME_MAX + 1, name, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "longer than"));
}

static struct mc_step_reading reading(uint64_t t_ms, uint64_t current, uint64_t oom_kill, uint64_t some_us)
{
        struct mc_step_reading r = {
                .t_ns = t_ms * 1000000,
                .has_current = true,
                .current = current,
                .has_events = true,
                .has_pressure = true,
                .pressure_total_us = { some_us, some_us / 2 },
        };
        r.events.n = 2;
        snprintf(r.events.c[0].name, sizeof(r.events.c[0].name), "max");
        r.events.c[0].value = oom_kill * 10;
        snprintf(r.events.c[1].name, sizeof(r.events.c[1].name), "oom_kill");
        r.events.c[1].value = oom_kill;
        return r;
}

static void test_list_bookkeeping(void **state)
{
        struct mc_step_list l = { 0 };
        struct mc_step_reading r;
        uint64_t v = 0;

        r = reading(100, 10 * MiB, 0, 1000);
        assert_int_equal(mc_step_list_begin(&l, "build", &r), 1);
        assert_true(l.open);
        /* The second step's start ends the first, with the kernel's peak when it has one. */
        r = reading(1100, 12 * MiB, 1, 5000);
        r.has_kernel_peak = true;
        r.kernel_peak = 40 * MiB;
        assert_int_equal(mc_step_list_begin(&l, "test", &r), 1);
        r = reading(3100, 20 * MiB, 3, 9000);
        mc_step_list_end(&l, &r);
        assert_false(l.open);
        mc_step_list_end(&l, &r); /* nothing open: nothing changes */
        assert_int_equal(l.n, 2);

        const struct mc_step *a = &l.v[0], *b = &l.v[1];
        assert_string_equal(a->name, "build");
        assert_int_equal(a->start_ns, 100000000);
        assert_int_equal(a->end_ns, 1100000000);
        assert_true(a->has_peak);
        assert_int_equal(a->peak, 40 * MiB);
        assert_string_equal(a->peak_source, "kernel");
        assert_int_equal(a->oom_kills, 1);
        assert_true(mc_counters_get(&a->events, "max", &v));
        assert_int_equal(v, 10);
        assert_int_equal(a->pressure_total_us[0], 4000);
        assert_int_equal(a->pressure_total_us[1], 2000);

        /* Without the kernel's peak: the larger boundary, raised by the samples within the step. */
        assert_string_equal(b->name, "test");
        assert_string_equal(b->peak_source, "sampled");
        assert_int_equal(b->peak, 20 * MiB);
        assert_int_equal(b->oom_kills, 2);
        assert_false(b->has_swap_peak);
        assert_int_equal(b->end_ns - b->start_ns, 2000000000);

        uint64_t t[] = { 50000000, 600000000, 1500000000, 2500000000, 3200000000 };
        uint64_t cur[] = { 500 * MiB, 300 * MiB, 90 * MiB, 120 * MiB, 700 * MiB };
        mc_step_list_add_samples(&l, t, cur, NULL, 5);
        assert_int_equal(l.v[0].peak, 40 * MiB);  /* the kernel's stands */
        assert_int_equal(l.v[1].peak, 120 * MiB); /* samples before and after the step do not count */
        mc_step_list_free(&l);
}

static void test_list_bound(void **state)
{
        struct mc_step_list l = { 0 };
        struct mc_step_reading r = reading(0, MiB, 0, 0);

        for (int i = 0; i < MC_STEPS_MAX; i++)
                assert_int_equal(mc_step_list_begin(&l, "s", &r), 1);
        assert_false(l.truncated);
        assert_int_equal(mc_step_list_begin(&l, "one too many", &r), 0);
        assert_true(l.truncated);
        assert_int_equal(l.n, MC_STEPS_MAX);
        assert_false(l.open); /* the last kept step ended there */
        mc_step_list_free(&l);
}

struct warnings {
        int n;
        char last[512];
};

static void on_warn(void *userdata, const char *text)
{
        struct warnings *w = userdata;
        w->n++;
        snprintf(w->last, sizeof(w->last), "%s", text);
}

static void write_fifo(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
}

static char *make_base(const char *name)
{
        bool xattr_ok;
        char why[1024];
        return fake_make_base(name, &xattr_ok, why, sizeof(why));
}

static void read_back(int dir_fd, const char *name, char *buf, size_t n)
{
        int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        ssize_t k = read(fd, buf, n - 1);
        assert_true(k >= 0);
        buf[k] = '\0';
        close(fd);
}

static void test_fifo(void **state)
{
        char *base = make_base("steps");
        assert_non_null(base);
        int base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int group_fd = mkdir_p_at(base_fd, "group");
        fake_memory_group(group_fd, "max 0\noom_kill 0\n");
        int tmp_fd = mkdir_p_at(base_fd, "tmp");
        char tmp[4096];
        snprintf(tmp, sizeof(tmp), "%s/tmp", base);

        struct warnings w = { 0 };
        struct mc_steps_opts o = { .group_fd = group_fd, .tmp = tmp, .warn = on_warn, .warn_userdata = &w };
        struct mc_steps s;
        struct mc_error err = { 0 };
        struct stat st;
        assert_int_equal(mc_steps_open(&s, &o, &err), 0);
        assert_int_equal(stat(s.path, &st), 0);
        assert_true(S_ISFIFO(st.st_mode));
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(stat(s.dir, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0700);
        assert_int_equal(strncmp(s.dir, tmp, strlen(tmp)), 0);
        assert_int_equal(s.peak_fd, -EBADF); /* no memory.peak: sampled */

        char *const base_env[] = { "PATH=/bin", MC_STEPS_ENV "=/somewhere/else", "HOME=/h", NULL };
        assert_int_equal(mc_steps_env(&s, base_env, &err), 0);
        assert_string_equal(s.envp[0], "PATH=/bin");
        assert_string_equal(s.envp[1], "HOME=/h");
        assert_int_equal(strncmp(s.envp[2], MC_STEPS_ENV "=", strlen(MC_STEPS_ENV) + 1), 0);
        assert_string_equal(s.envp[2] + strlen(MC_STEPS_ENV) + 1, s.path);
        assert_null(s.envp[3]);

        struct mc_watch *watch = mc_steps_start(&s, mc_now_ns());
        assert_int_equal(watch->fd, s.fifo_fd);
        /* The count of lines read, for the writers that wait: 0, readable by all. */
        char count[32];
        read_back(s.dir_fd, MC_STEPS_READ, count, sizeof(count));
        assert_string_equal(count, "0\n");
        assert_int_equal(fstatat(s.dir_fd, MC_STEPS_READ, &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st.st_mode & 0777, 0644);

        /* A line in two writes, a blank line, a bad name, two steps in one read. */
        write_fifo(s.path, "bui");
        assert_int_equal(watch->ready(watch->userdata, 0, &err), 0);
        assert_int_equal(s.list.n, 0);
        read_back(s.dir_fd, MC_STEPS_READ, count, sizeof(count));
        assert_string_equal(count, "0\n");
        write_fifo(s.path, "ld\n\n");
        assert_int_equal(watch->ready(watch->userdata, 0, &err), 0);
        assert_int_equal(s.list.n, 1);
        read_back(s.dir_fd, MC_STEPS_READ, count, sizeof(count));
        assert_string_equal(count, "2\n"); /* the blank line counts: it was read */
        write_fifo(s.path, "bad\033name\ntest\n");
        assert_int_equal(watch->ready(watch->userdata, 0, &err), 0);
        assert_int_equal(w.n, 1);
        assert_non_null(strstr(w.last, "ignoring"));
        assert_null(strchr(w.last, '\033'));
        /* Nothing to read: returns at once (the fd is non-blocking, and memcage's own writer keeps EOF
         * away). */
        assert_int_equal(watch->ready(watch->userdata, 0, &err), 0);

        /* A name too long is dropped up to its newline; the next line counts. */
        char big[MC_STEP_NAME_MAX * 3 + 16];
        memset(big, 'y', MC_STEP_NAME_MAX * 3);
        strcpy(big + MC_STEP_NAME_MAX * 3, "\npack");
        write_fifo(s.path, big);
        assert_int_equal(watch->ready(watch->userdata, 0, &err), 0);
        assert_int_equal(w.n, 2);
        assert_int_equal(s.list.n, 2);
        write_fifo(s.path, "age\n");
        assert_int_equal(watch->ready(watch->userdata, 0, &err), 0);
        assert_int_equal(s.list.n, 3);
        write_fifo(s.path, "\n");
        write_at(group_fd, "memory.events", "max 4\noom_kill 1\n");
        write_at(group_fd, "memory.current", "5242880\n");
        mc_steps_finish(&s, mc_now_ns()); /* reads what is left */
        read_back(s.dir_fd, MC_STEPS_READ, count, sizeof(count));
        assert_string_equal(count, "7\n");
        assert_int_equal(s.list.n, 3);
        assert_false(s.list.open);
        assert_string_equal(s.list.v[0].name, "build");
        assert_string_equal(s.list.v[1].name, "test");
        assert_string_equal(s.list.v[2].name, "package");
        assert_string_equal(s.list.v[2].peak_source, "sampled");
        assert_int_equal(s.list.v[2].peak, 5 * MiB);
        assert_int_equal(s.list.v[2].oom_kills, 1);
        assert_int_equal(s.list.v[1].oom_kills, 0);

        /* The FIFO and its directory go. */
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", s.dir);
        mc_steps_done(&s);
        assert_int_equal(stat(dir, &st), -1);
        assert_int_equal(errno, ENOENT);
        assert_int_equal(mc_step_send(dir, "x", &err), -ENOENT);

        close(tmp_fd);
        close(group_fd);
        rm_rf_at(AT_FDCWD, base);
        close(base_fd);
        free(base);
}

/*
 * --step-reclaim: without memory.reclaim the steps do not open (the run
 * stops) and leave nothing; with it, each step's start writes the group's
 * usage with swappiness=0, or the size alone once the kernel refused the key.
 */
static void test_reclaim(void **state)
{
        char *base = make_base("steps-reclaim");
        assert_non_null(base);
        int base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int group_fd = mkdir_p_at(base_fd, "group");
        fake_memory_group(group_fd, "max 0\noom_kill 0\n");
        int tmp_fd = mkdir_p_at(base_fd, "tmp");
        char tmp[4096], got[128];
        snprintf(tmp, sizeof(tmp), "%s/tmp", base);

        struct warnings w = { 0 };
        struct mc_steps_opts o = {
                .group_fd = group_fd, .tmp = tmp, .reclaim = true, .warn = on_warn, .warn_userdata = &w
        };
        struct mc_steps s;
        struct mc_error err = { 0 };
        (void)unlinkat(group_fd, "memory.reclaim", 0);
        assert_int_equal(mc_steps_open(&s, &o, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "memory.reclaim"));
        assert_non_null(strstr(err.msg, "5.19"));
        assert_int_equal(rmdir(tmp), 0); /* empty: no directory was made for the FIFO */
        assert_int_equal(mkdirat(base_fd, "tmp", 0700), 0);

        write_at(group_fd, "memory.reclaim", "");
        write_at(group_fd, "memory.current", "73400320\n");
        assert_int_equal(mc_steps_open(&s, &o, &err), 0);
        assert_true(s.reclaim_fd >= 0);
        struct mc_watch *watch = mc_steps_start(&s, mc_now_ns());
        write_fifo(s.path, "read\n");
        assert_int_equal(watch->ready(watch->userdata, 0, &err), 0);
        assert_int_equal(s.list.n, 1);
        read_back(group_fd, "memory.reclaim", got, sizeof(got));
        assert_string_equal(got, "73400320 swappiness=0");
        assert_int_equal(w.n, 0);

        /* A kernel without the key: the size alone. Nothing in the group: nothing asked. */
        bool plain = true;
        write_at(group_fd, "memory.current", "4096\n");
        assert_int_equal(mc_steps_reclaim(group_fd, s.reclaim_fd, &plain), 0);
        read_back(group_fd, "memory.reclaim", got, sizeof(got));
        assert_string_equal(got, "73400320 swappiness=04096");
        write_at(group_fd, "memory.current", "0\n");
        assert_int_equal(mc_steps_reclaim(group_fd, s.reclaim_fd, &plain), 0);
        read_back(group_fd, "memory.reclaim", got, sizeof(got));
        assert_string_equal(got, "73400320 swappiness=04096");
        mc_steps_done(&s);

        close(tmp_fd);
        close(group_fd);
        rm_rf_at(AT_FDCWD, base);
        close(base_fd);
        free(base);
}

static void test_send(void **state)
{
        char *base = make_base("step-send");
        assert_non_null(base);
        int base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct mc_error err = { 0 };
        char path[4096], buf[256];

        snprintf(path, sizeof(path), "%s/fifo", base);
        assert_int_equal(mkfifo(path, 0600), 0);
        /* No reader: fails at once rather than blocking. */
        assert_int_equal(mc_step_send(path, "build", &err), -ENXIO);
        assert_non_null(strstr(err.msg, "ended"));
        int rd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        assert_true(rd >= 0);
        assert_int_equal(mc_step_send(path, "build", &err), 0);
        assert_int_equal(mc_step_send(path, "two\nlines", &err), -EINVAL);
        assert_int_equal(mc_step_send(path, "", &err), -EINVAL);
        assert_int_equal(mc_step_send(path, "a\033b", &err), -EINVAL);
        ssize_t k = read(rd, buf, sizeof(buf) - 1);
        assert_int_equal(k, 6);
        buf[k] = '\0';
        assert_string_equal(buf, "build\n");
        close(rd);
        /* A regular file is not a step FIFO. */
        write_at(base_fd, "plain", "");
        snprintf(path, sizeof(path), "%s/plain", base);
        assert_int_equal(mc_step_send(path, "build", &err), -EINVAL);
        rm_rf_at(AT_FDCWD, base);
        close(base_fd);
        free(base);
}

/*
 * mc_step_send() returns once memcage has read its line: a reader that
 * counts (as memcage does) 100 ms after the line came keeps it waiting.
 */
static void test_send_waits(void **state)
{
        char *base = make_base("step-wait");
        assert_non_null(base);
        int base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct mc_error err = { 0 };
        char path[4096];

        snprintf(path, sizeof(path), "%s/" MC_STEPS_FIFO, base);
        assert_int_equal(mkfifo(path, 0600), 0);
        write_at(base_fd, MC_STEPS_READ, "3\n");
        int rd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        assert_true(rd >= 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char buf[64];
                struct pollfd p = { .fd = rd, .events = POLLIN };
                if (poll(&p, 1, 5000) != 1 || read(rd, buf, sizeof(buf)) != 6)
                        _exit(1);
                usleep(100 * 1000);
                write_at(base_fd, MC_STEPS_READ ".new", "4\n");
                _exit(renameat(base_fd, MC_STEPS_READ ".new", base_fd, MC_STEPS_READ) == 0 ? 0 : 1);
        }
        uint64_t t0 = mc_now_ns();
        assert_int_equal(mc_step_send(path, "build", &err), 0);
        uint64_t waited_ms = (mc_now_ns() - t0) / 1000000;
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        assert_true(waited_ms >= 100);
        assert_true(waited_ms < 5000);
        close(rd);
        rm_rf_at(AT_FDCWD, base);
        close(base_fd);
        free(base);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_name_parse), cmocka_unit_test(test_list_bookkeeping),
                cmocka_unit_test(test_list_bound), cmocka_unit_test(test_fifo),
                cmocka_unit_test(test_send),       cmocka_unit_test(test_send_waits),
                cmocka_unit_test(test_reclaim),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
