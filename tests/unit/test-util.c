/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The shared helpers of util.c: number parsing and the atomic file write. */
#include "config.h"

#include <dirent.h>
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

#include "util.h"

static void test_parse_u64(void **state)
{
        const char *p;
        uint64_t v = 7;

        p = "123 rest";
        assert_int_equal(mc_parse_u64(&p, &v), 0);
        assert_int_equal(v, 123);
        assert_string_equal(p, " rest");
        p = "18446744073709551615";
        assert_int_equal(mc_parse_u64(&p, &v), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(*p, '\0');

        /* Failures leave *p and the value alone. */
        v = 7;
        p = "18446744073709551616";
        assert_int_equal(mc_parse_u64(&p, &v), -ERANGE);
        assert_int_equal(v, 7);
        assert_int_equal(*p, '1');
        const char *bad[] = { "", " 1", "-1", "+1", "x1" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                p = bad[i];
                assert_int_equal(mc_parse_u64(&p, &v), -EINVAL);
                assert_ptr_equal(p, bad[i]);
        }
}

/* The names in a directory but . and .., as one string "a b c" (readdir order); returns how many. */
static int entries(const char *dir, char *buf, size_t n)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        int count = 0;
        buf[0] = '\0';
        assert_non_null(d);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", count ? " " : "", de->d_name);
                        count++;
                }
        closedir(d);
        return count;
}

static char *slurp(int dirfd, const char *name)
{
        char *text = NULL;
        struct mc_error err = { 0 };
        assert_int_equal(mc_read_file_at(dirfd, name, &text, &err), 0);
        return text;
}

static void test_write_atomic_at(void **state)
{
        char dir[] = "/tmp/memcage-test-util-XXXXXX";
        char names[256];
        struct mc_error err = { 0 };
        struct stat st;

        assert_non_null(mkdtemp(dir));
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);

        /* Relative to the directory fd, the mode minus the umask. */
        mode_t old = umask(027);
        assert_int_equal(mc_write_file_atomic_at(dfd, "ledger", "one\n", 4, 0644, &err), 0);
        umask(old);
        assert_int_equal(fstatat(dfd, "ledger", &st, 0), 0);
        assert_int_equal(st.st_mode & 0777, 0640);
        char *t = slurp(dfd, "ledger");
        assert_string_equal(t, "one\n");
        free(t);

        /* Replaced whole, by a new inode (a reader holding the old one keeps the old text). */
        ino_t first = st.st_ino;
        int keep = openat(dfd, "ledger", O_RDONLY | O_CLOEXEC);
        assert_true(keep >= 0);
        assert_int_equal(mc_write_file_atomic_at(dfd, "ledger", "two lines\nhere\n", 15, 0644, &err), 0);
        assert_int_equal(fstatat(dfd, "ledger", &st, 0), 0);
        assert_true(st.st_ino != first);
        t = slurp(dfd, "ledger");
        assert_string_equal(t, "two lines\nhere\n");
        free(t);
        char old_text[8] = "";
        assert_int_equal(pread(keep, old_text, sizeof(old_text) - 1, 0), 4);
        assert_string_equal(old_text, "one\n");
        close(keep);

        /* Zero bytes is an empty file, not an error. */
        assert_int_equal(mc_write_file_atomic_at(dfd, "empty", "", 0, 0600, &err), 0);
        assert_int_equal(fstatat(dfd, "empty", &st, 0), 0);
        assert_int_equal(st.st_size, 0);

        /* A rename that fails (a directory in the way) leaves no temporary file behind. */
        assert_int_equal(mkdirat(dfd, "busy", 0755), 0);
        assert_int_equal(mc_write_file_atomic_at(dfd, "busy", "x", 1, 0644, &err), -EISDIR);
        assert_string_equal(err.msg, "write 'busy': Is a directory");
        /* So does one that cannot start (a missing directory). */
        assert_int_equal(mc_write_file_atomic_at(dfd, "missing/file", "x", 1, 0644, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "create a temporary file for 'missing/file'"));
        assert_int_equal(entries(dir, names, sizeof(names)), 3);
        assert_non_null(strstr(names, "ledger"));
        assert_non_null(strstr(names, "empty"));
        assert_non_null(strstr(names, "busy"));

        /* The path form: relative to the working directory, 0666 minus the umask. */
        char path[128];
        snprintf(path, sizeof(path), "%s/report.json", dir);
        old = umask(022);
        assert_int_equal(mc_write_file_atomic(path, "{}\n", 3, &err), 0);
        umask(old);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0644);
        assert_int_equal(entries(dir, names, sizeof(names)), 4);

        assert_int_equal(unlinkat(dfd, "ledger", 0), 0);
        assert_int_equal(unlinkat(dfd, "empty", 0), 0);
        assert_int_equal(unlinkat(dfd, "busy", AT_REMOVEDIR), 0);
        assert_int_equal(unlink(path), 0);
        close(dfd);
        assert_int_equal(rmdir(dir), 0);
}

/* A text built piece by piece is cut at the buffer's end and stays terminated. */
static void test_buf_appendf(void **state)
{
        char buf[12];
        size_t len = 0;

        mc_buf_appendf(buf, sizeof(buf), &len, "memcage:");
        assert_string_equal(buf, "memcage:");
        assert_int_equal(len, 8);
        mc_buf_appendf(buf, sizeof(buf), &len, "%s", "");
        assert_int_equal(len, 8);
        mc_buf_appendf(buf, sizeof(buf), &len, " %s", "make");
        assert_string_equal(buf, "memcage: ma");
        assert_int_equal(len, sizeof(buf) - 1);
        mc_buf_appendf(buf, sizeof(buf), &len, " %d", 42);
        assert_string_equal(buf, "memcage: ma");
        assert_int_equal(len, sizeof(buf) - 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_u64),
                cmocka_unit_test(test_write_atomic_at),
                cmocka_unit_test(test_buf_appendf),
        };
        return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
