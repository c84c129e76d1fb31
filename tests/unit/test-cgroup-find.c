/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Finding memcage's groups wherever they were placed, on a directory tree shaped like cgroupfs. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup-find.h"
#include "cgroup.h"
#include "fake-cgroupfs.h"
#include "placement.h"
#include "util.h"

static char *base;
static bool xattr_ok;
static char xattr_why[256];

static void make_dir(int root_fd, const char *rel, const char *mark)
{
        int fd = mkdir_p_at(root_fd, rel);
        write_at(fd, "cgroup.procs", "");
        if (mark)
                assert_int_equal(fsetxattr(fd, MC_GROUP_XATTR_LAUNCHER, mark, strlen(mark), 0), 0);
        close(fd);
}

static void test_find_every_placement(void **state)
{
        struct mc_error err = { 0 };
        char **v = NULL;
        (void)state;

        if (!xattr_ok)
                skip();
        char dir[512];
        snprintf(dir, sizeof(dir), "%s/tree", base);
        assert_int_equal(mkdir(dir, 0755), 0);
        int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(root >= 0);

        /* nothing marked yet: nothing found */
        make_dir(root, "system.slice/ssh.service", NULL);
        assert_int_equal(mc_group_find_parents(root, (uid_t)-1, &v, &err), 0);
        assert_null(v);

        make_dir(root, "memcage/db-1", "1 2 3");
        make_dir(root, "memcage/db-2", "4 5 6");
        make_dir(root, "memcage.slice/memcage-ci-7.scope/memcage-launcher", NULL);
        make_dir(root, "memcage.slice/memcage-ci-7.scope/ci-7", "7 8 9");
        /* a command's own groups below a run's group are not looked into */
        make_dir(root, "memcage.slice/memcage-ci-7.scope/ci-7/inner/deeper", "1 1 1");
        make_dir(root, "system.slice/app.service/db-9", "9 9 9");
        assert_int_equal(mc_group_find_parents(root, (uid_t)-1, &v, &err), 0);
        assert_non_null(v);
        assert_string_equal(v[0], "memcage");
        assert_string_equal(v[1], "memcage.slice/memcage-ci-7.scope");
        assert_string_equal(v[2], "system.slice/app.service");
        assert_null(v[3]);
        mc_strv_free(v);

        /* a parent holding a launcher's creation record, or a delegated group holding only an orphan leaf */
        int fd = mkdir_p_at(root, "half");
        assert_int_equal(fsetxattr(fd, MC_GROUP_XATTR_CREATING "1.2.3", "1 2 3/x", 7, 0), 0);
        close(fd);
        fd = mkdir_p_at(root, "deleg/" MC_PLACEMENT_LEAF);
        assert_int_equal(fsetxattr(fd, MC_PLACEMENT_XATTR_LEAF, "1 2 3/memory", 12, 0), 0);
        close(fd);
        assert_int_equal(mc_group_find_parents(root, (uid_t)-1, &v, &err), 0);
        assert_non_null(v);
        assert_string_equal(v[0], "deleg");
        assert_string_equal(v[1], "half");
        assert_string_equal(v[2], "memcage");
        mc_strv_free(v);
        rm_rf_at(root, "half");
        rm_rf_at(root, "deleg");

        /* a user sees only the groups it owns */
        if (geteuid() == 0) {
                int g = openat(root, "system.slice/app.service/db-9", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                assert_int_equal(fchown(g, 4242, 4242), 0);
                close(g);
                assert_int_equal(mc_group_find_parents(root, 4242, &v, &err), 0);
                assert_non_null(v);
                assert_string_equal(v[0], "system.slice/app.service");
                assert_null(v[1]);
                mc_strv_free(v);
        }
        close(root);
        rm_rf_at(AT_FDCWD, dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_find_every_placement),
        };
        base = fake_make_base("find", &xattr_ok, xattr_why, sizeof(xattr_why));
        if (!base)
                return 1;
        if (!xattr_ok)
                fprintf(stderr, "# %s: the test skips\n", xattr_why);
        int failed = cmocka_run_group_tests(tests, NULL, NULL);
        rm_rf_at(AT_FDCWD, base);
        free(base);
        return failed;
}
