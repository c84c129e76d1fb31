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
        struct mc_report report;
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
        mc_hugetlb_run_init(&fx->hugetlb, &fx->report, fx->sys, NULL);
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
        assert_int_equal(fx->report.n_hugetlb, 1);
        assert_int_equal(fx->report.hugetlb[0].reserved_pages, 4);
        assert_int_equal(fx->report.hugetlb[0].added_pages, 0);
}

static void test_reserve_root(void **state)
{
        struct fixture *fx = *state;
        struct mc_error err = { 0 };

        set(fx, "2MB.reserve", "8M");
        assert_int_equal(prepare(fx, 0, &err), 0);
        assert_int_equal(fx->report.n_hugetlb, 1);
        assert_string_equal(fx->report.hugetlb[0].size, "2MB");
        assert_int_equal(fx->report.hugetlb[0].reserved_pages, 4);
}

/* Limits without a reserve leave the pool alone: anyone may set them. */
static void test_limits_any_user(void **state)
{
        struct fixture *fx = *state;
        struct mc_error err = { 0 };

        set(fx, "2MB.max", "8M");
        set(fx, "2MB.rsvd.max", "8M");
        assert_int_equal(prepare(fx, 1000, &err), 0);
        assert_int_equal(fx->report.n_hugetlb, 1);
        assert_int_equal(fx->report.hugetlb[0].reserved_pages, 0);
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

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_reserve_needs_root, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reserve_root, setup, teardown),
                cmocka_unit_test_setup_teardown(test_limits_any_user, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_size, setup, teardown),
        };
        return cmocka_run_group_tests_name("hugetlb-run", tests, NULL, NULL);
}
