/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A run's huge pages prepared from its profile: the page sizes it names, its reserves, who may have them. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "fake-cgroupfs.h"
#include "hugetlb-run.h"
#include "util.h"

static const struct mc_profile_env env = { .sysconfdir = "/nonexistent",
                                           .pkgdatadir = "/nonexistent",
                                           .ram_bytes = UINT64_C(1) << 34 };

/* A host with 2MB pages only: sys/hugepages-2048kB in a temporary directory. */
struct fixture {
        char *base;
        char sys[256];
        struct mc_profile profile;
        struct mc_limits limits;
        struct mc_hugetlb_run hugetlb;
};

static int setup(void **state)
{
        struct fixture *fx = calloc(1, sizeof(*fx));
        char why[256], dir[300];
        bool xattr;
        if (!fx || !(fx->base = fake_make_base("hugetlb-run", &xattr, why, sizeof(why))))
                return -1;
        snprintf(fx->sys, sizeof(fx->sys), "%s/sys", fx->base);
        snprintf(dir, sizeof(dir), "%s/hugepages-2048kB", fx->sys);
        close(mkdir_p_at(AT_FDCWD, dir));
        mc_profile_init(&fx->profile);
        mc_hugetlb_run_init(&fx->hugetlb, fx->sys, NULL);
        *state = fx;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *fx = *state;
        rm_rf_at(AT_FDCWD, fx->base);
        mc_profile_free(&fx->profile);
        free(fx->base);
        free(fx);
        return 0;
}

static void set(struct fixture *fx, const char *key, const char *value)
{
        struct mc_error err = { 0 };
        if (mc_profile_set(&fx->profile, "hugetlb", key, value, "test.ini", 1, &env, &err) < 0)
                fail_msg("%s = %s: %s", key, value, err.msg);
}

static int prepare(struct fixture *fx, uid_t euid, struct mc_error *err)
{
        assert_int_equal(mc_limits_from_profile(&fx->profile, env.ram_bytes, &fx->limits, err), 0);
        return mc_hugetlb_run_prepare(&fx->hugetlb, &fx->profile, &fx->limits, euid, NULL, NULL, err);
}

/* A reserve grows the host's pool: root's alone, refused before anything is changed. */
static void test_reserve_needs_root(void **state)
{
        struct fixture *fx = *state;
        struct mc_error err = { 0 };

        set(fx, "2MB.max", "8M");
        set(fx, "2MB.reserve", "8M");
        assert_int_equal(prepare(fx, 1000, &err), -EPERM);
        assert_string_equal(err.msg,
                            "[hugetlb] 2MB.reserve needs root: it grows the host's huge page pool; "
                            "run memcage as root, or size the pool beforehand (vm.nr_hugepages) and "
                            "keep only the limits");
        assert_int_equal(fx->hugetlb.n_sizes, 1);
        assert_int_equal(fx->hugetlb.sizes[0].reserved_pages, 4);
        assert_int_equal(fx->hugetlb.sizes[0].added_pages, 0);
}

static void test_reserve_root(void **state)
{
        struct fixture *fx = *state;
        struct mc_error err = { 0 };

        set(fx, "2MB.reserve", "8M");
        assert_int_equal(prepare(fx, 0, &err), 0);
        assert_int_equal(fx->hugetlb.n_sizes, 1);
        assert_string_equal(fx->hugetlb.sizes[0].size, "2MB");
        assert_int_equal(fx->hugetlb.sizes[0].reserved_pages, 4);
}

/* Limits without a reserve leave the pool alone: anyone may set them. */
static void test_limits_any_user(void **state)
{
        struct fixture *fx = *state;
        struct mc_error err = { 0 };

        set(fx, "2MB.max", "8M");
        set(fx, "2MB.rsvd.max", "8M");
        assert_int_equal(prepare(fx, 1000, &err), 0);
        assert_int_equal(fx->hugetlb.n_sizes, 1);
        assert_int_equal(fx->hugetlb.sizes[0].reserved_pages, 0);
}

/* A page size the host lacks is refused first, whoever runs. */
static void test_missing_size(void **state)
{
        struct fixture *fx = *state;
        struct mc_error err = { 0 };

        set(fx, "1GB.reserve", "1G");
        assert_int_equal(prepare(fx, 1000, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.msg, "[hugetlb]: this host has no 1GB huge pages"));
}

/* A file of the fake group, its contents replaced in place (an fd open on it sees the change). */
static void put(int dfd, const char *file, const char *text)
{
        int f = openat(dfd, file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        assert_true(f >= 0);
        assert_int_equal(ftruncate(f, 0), 0);
        assert_int_equal(pwrite(f, text, strlen(text), 0), (ssize_t)strlen(text));
        close(f);
}

/* The one reader of hugetlb.<size>.events: by name, or opened to be polled and read again. */
static void test_events_reader(void **state)
{
        struct fixture *fx = *state;
        struct mc_error err = { 0 };
        struct mc_counters c;
        char dir[300];
        uint64_t v = 0;
        int fd = -EBADF;

        snprintf(dir, sizeof(dir), "%s/group", fx->base);
        int dfd = mkdir_p_at(AT_FDCWD, dir);
        assert_true(dfd >= 0);
        /* No such page size in the group: 0 and no fd for the watch, -ENOENT by name. */
        assert_int_equal(mc_hugetlb_events_open_at(dfd, "2MB", &fd, &c, &err), 0);
        assert_int_equal(fd, -EBADF);
        assert_int_equal(mc_hugetlb_events_read_at(dfd, "2MB", &c, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "'hugetlb.2MB.events'"));

        put(dfd, "hugetlb.2MB.events", "max 1\n");
        put(dfd, "hugetlb.2MB.events.local", "max 9\n");
        assert_int_equal(mc_hugetlb_events_open_at(dfd, "2MB", &fd, &c, &err), 1);
        assert_true(fd >= 0);
        assert_true(mc_counters_get(&c, "max", &v));
        assert_int_equal(v, 1);
        put(dfd, "hugetlb.2MB.events", "max 4\n");
        assert_int_equal(mc_hugetlb_events_pread(fd, "2MB", &c, &err), 0);
        assert_true(mc_counters_get(&c, "max", &v));
        assert_int_equal(v, 4);
        put(dfd, "hugetlb.2MB.events", "max x\n");
        assert_int_equal(mc_hugetlb_events_pread(fd, "2MB", &c, &err), -EINVAL);
        assert_true(strncmp(err.msg, "hugetlb.2MB.events: ", 20) == 0);
        close(fd);
        /* The hierarchical file, never .events.local. */
        put(dfd, "hugetlb.2MB.events", "max 5\n");
        assert_int_equal(mc_hugetlb_events_read_at(dfd, "2MB", &c, &err), 0);
        assert_true(mc_counters_get(&c, "max", &v));
        assert_int_equal(v, 5);
        /* A size too long for a kernel file name is refused, not cut. */
        assert_int_equal(mc_hugetlb_events_read_at(
                                 dfd, "0123456789012345678901234567890123456789012345678901", &c, &err),
                         -ENAMETOOLONG);
        close(dfd);
}

/*
 * The run's baseline of a page size's events is the one handed to it (the
 * event watch's first reading): the run's start does not read the file
 * again, and its end compares against that baseline.
 */
static void test_events_baseline_handed(void **state)
{
        struct fixture *fx = *state;
        struct mc_error err = { 0 };
        struct mc_counters before;
        char dir[300];

        set(fx, "2MB.max", "8M");
        assert_int_equal(prepare(fx, 1000, &err), 0);
        snprintf(dir, sizeof(dir), "%s/group", fx->base);
        int dfd = mkdir_p_at(AT_FDCWD, dir);
        assert_true(dfd >= 0);
        put(dfd, "hugetlb.2MB.max", "8388608\n");
        put(dfd, "hugetlb.2MB.events", "max 7\n");
        put(dfd, "hugetlb.2MB.current", "0\n");
        const struct mc_report_hugetlb *e = &fx->hugetlb.sizes[0];

        /* Nothing handed: no increase at the end, though the file is there. */
        mc_hugetlb_run_start(&fx->hugetlb, dfd);
        assert_true(e->has_limits);
        mc_hugetlb_run_end(&fx->hugetlb, dfd);
        assert_true(e->has_usage);
        assert_false(e->has_events);

        /* Handed "max 2" while the file says 7: the start reads no baseline of its own. */
        assert_int_equal(mc_counters_parse("max 2\n", &before, &err), 0);
        mc_hugetlb_run_start(&fx->hugetlb, dfd);
        mc_hugetlb_run_set_events_before(&fx->hugetlb, "1GB", &before); /* not the run's: ignored */
        assert_false(fx->hugetlb.has_events_before[0]);
        mc_hugetlb_run_set_events_before(&fx->hugetlb, "2MB", &before);
        put(dfd, "hugetlb.2MB.events", "max 10\n");
        mc_hugetlb_run_end(&fx->hugetlb, dfd);
        assert_true(e->has_events);
        assert_int_equal(e->events_max, 8);
        close(dfd);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_reserve_needs_root, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reserve_root, setup, teardown),
                cmocka_unit_test_setup_teardown(test_limits_any_user, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_size, setup, teardown),
                cmocka_unit_test_setup_teardown(test_events_reader, setup, teardown),
                cmocka_unit_test_setup_teardown(test_events_baseline_handed, setup, teardown),
        };
        return cmocka_run_group_tests_name("hugetlb-run", tests, NULL, NULL);
}
