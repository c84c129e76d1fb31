/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "group-limits.h"
#include "profile.h"
#include "size.h"
#include "util.h"

#define GiB (UINT64_C(1) << 30)
#define MiB (UINT64_C(1) << 20)
#define RAM (16 * GiB)

static const struct mc_profile_env env = { .sysconfdir = "/nonexistent",
                                           .pkgdatadir = "/nonexistent",
                                           .ram_bytes = RAM };

static void test_names_and_files(void **state)
{
        static const struct {
                enum mc_limit l;
                const char *name, *file;
                bool size;
        } want[] = {
                { MC_LIMIT_MAX, "max", "memory.max", true },
                { MC_LIMIT_HIGH, "high", "memory.high", true },
                { MC_LIMIT_LOW, "low", "memory.low", true },
                { MC_LIMIT_MIN, "min", "memory.min", true },
                { MC_LIMIT_SWAP_MAX, "swap.max", "memory.swap.max", true },
                { MC_LIMIT_SWAP_HIGH, "swap.high", "memory.swap.high", true },
                { MC_LIMIT_ZSWAP_MAX, "zswap.max", "memory.zswap.max", true },
                { MC_LIMIT_OOM_GROUP, "oom.group", "memory.oom.group", false },
        };
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                assert_int_equal(want[i].l, i);
                assert_string_equal(mc_limit_name(want[i].l), want[i].name);
                assert_string_equal(mc_limit_file(want[i].l), want[i].file);
                assert_int_equal(mc_limit_is_size(want[i].l), want[i].size);
                assert_int_equal(mc_limit_hugetlb_page(want[i].l), 0);
                /* Every memory limit is a [memory] key of the same name. */
                assert_non_null(mc_key_lookup("memory", want[i].name));
        }
        /* The rest are hugetlb limits, named by their kernel file. */
        for (enum mc_limit l = ELEMENTSOF(want); l < _MC_LIMIT_COUNT; l++) {
                assert_true(mc_limit_is_size(l));
                assert_string_equal(mc_limit_name(l), mc_limit_file(l));
                assert_int_equal(strncmp(mc_limit_name(l), "hugetlb.", 8), 0);
                assert_true(mc_limit_hugetlb_page(l) >= 64 * 1024);
                assert_non_null(mc_key_lookup("hugetlb", mc_limit_name(l) + 8));
        }
        assert_string_equal(mc_limit_name(MC_LIMIT_HUGETLB_2MB_MAX), "hugetlb.2MB.max");
        assert_string_equal(mc_limit_file(MC_LIMIT_HUGETLB_2MB_RSVD_MAX), "hugetlb.2MB.rsvd.max");
        assert_int_equal(mc_limit_hugetlb_page(MC_LIMIT_HUGETLB_2MB_MAX), 2 * MiB);
        assert_int_equal(mc_limit_hugetlb_page(MC_LIMIT_HUGETLB_1GB_RSVD_MAX), GiB);
        assert_int_equal(mc_limit_hugetlb_page(MC_LIMIT_HUGETLB_64KB_MAX), 64 * 1024);
        assert_null(mc_limit_name(_MC_LIMIT_COUNT));
        assert_null(mc_limit_file(_MC_LIMIT_COUNT));
        assert_false(mc_limit_is_size(_MC_LIMIT_COUNT));
}

static void set(struct mc_profile *p, const char *key, const char *value)
{
        struct mc_error err = {};
        if (mc_profile_set(p, "memory", key, value, NULL, 0, &env, &err) < 0)
                fail_msg("set %s = %s: %s", key, value, err.msg);
}

/* The limits line of memcage run: those requested, as the kernel kept them. */
static void test_describe(void **state)
{
        struct mc_limits req = { 0 }, eff = { 0 };
        char buf[256];

        assert_string_equal(mc_limits_describe(&req, &eff, buf, sizeof(buf)), " no limits set");
        req.v[MC_LIMIT_MAX] = (struct mc_limit_value){ .set = true, .value = 64 << 20 };
        req.v[MC_LIMIT_SWAP_MAX] = (struct mc_limit_value){ .set = true, .value = 0 };
        req.v[MC_LIMIT_OOM_GROUP] = (struct mc_limit_value){ .set = true, .value = 1 };
        req.v[MC_LIMIT_HIGH] = (struct mc_limit_value){ .set = true, .value = 48 << 20 };
        /* The kernel rounded max to pages, kept swap.max and oom.group; high was not read back. */
        eff.v[MC_LIMIT_MAX] = (struct mc_limit_value){ .set = true, .value = (64 << 20) - 4096 };
        eff.v[MC_LIMIT_SWAP_MAX] = (struct mc_limit_value){ .set = true, .value = 0 };
        eff.v[MC_LIMIT_OOM_GROUP] = (struct mc_limit_value){ .set = true, .value = 1 };
        /* A value read back but not requested is not shown. */
        eff.v[MC_LIMIT_LOW] = (struct mc_limit_value){ .set = true, .value = 1 << 20 };
        char want[128], size[MC_SIZE_STR_MAX];
        snprintf(want, sizeof(want), " max=%s high=(not available) swap.max=0 oom.group=1",
                 mc_size_format((64 << 20) - 4096, size, sizeof(size)));
        assert_string_equal(mc_limits_describe(&req, &eff, buf, sizeof(buf)), want);
        eff.v[MC_LIMIT_OOM_GROUP].value = 0;
        assert_non_null(strstr(mc_limits_describe(&req, &eff, buf, sizeof(buf)), " oom.group=0"));
        eff.v[MC_LIMIT_OOM_GROUP].value = 1;
        /* Cut to the buffer, never over it. */
        char small[10];
        want[sizeof(small) - 1] = '\0';
        assert_string_equal(mc_limits_describe(&req, &eff, small, sizeof(small)), want);
}

static void test_empty_profile(void **state)
{
        struct mc_profile p;
        struct mc_limits l;
        struct mc_error err = {};

        mc_profile_init(&p);
        memset(&l, 0xff, sizeof(l));
        assert_int_equal(mc_limits_from_profile(&p, RAM, &l, &err), 0);
        for (size_t i = 0; i < _MC_LIMIT_COUNT; i++) {
                assert_false(l.v[i].set);
                assert_int_equal(l.v[i].value, 0);
        }
        mc_profile_free(&p);
}

static void test_resolve(void **state)
{
        struct mc_profile p;
        struct mc_limits l;
        struct mc_error err = {};

        mc_profile_init(&p);
        set(&p, "max", "4G");
        set(&p, "high", "75%");
        set(&p, "low", "12.5%");
        set(&p, "min", "0");
        set(&p, "swap.max", "max");
        set(&p, "swap.high", "1.5G");
        set(&p, "zswap.max", "512M");
        set(&p, "oom.group", "yes");
        /* A description or parent does not leak into the limits. */
        assert_int_equal(mc_profile_set(&p, "profile", "description", "x", NULL, 0, &env, &err), 0);

        assert_int_equal(mc_limits_from_profile(&p, RAM, &l, &err), 0);
        for (size_t i = 0; i <= MC_LIMIT_OOM_GROUP; i++)
                assert_true(l.v[i].set);
        for (size_t i = MC_LIMIT_OOM_GROUP + 1; i < _MC_LIMIT_COUNT; i++)
                assert_false(l.v[i].set);
        assert_int_equal(l.v[MC_LIMIT_MAX].value, 4 * GiB);
        assert_int_equal(l.v[MC_LIMIT_HIGH].value, 12 * GiB);
        assert_int_equal(l.v[MC_LIMIT_LOW].value, 2 * GiB);
        assert_int_equal(l.v[MC_LIMIT_MIN].value, 0);
        assert_int_equal(l.v[MC_LIMIT_SWAP_MAX].value, MC_SIZE_MAX);
        assert_int_equal(l.v[MC_LIMIT_SWAP_HIGH].value, 1610612736);
        assert_int_equal(l.v[MC_LIMIT_ZSWAP_MAX].value, 512 * MiB);
        assert_int_equal(l.v[MC_LIMIT_OOM_GROUP].value, 1);

        /* The same profile on a smaller host: only percentages move. */
        assert_int_equal(mc_limits_from_profile(&p, 2 * GiB, &l, &err), 0);
        assert_int_equal(l.v[MC_LIMIT_MAX].value, 4 * GiB);
        assert_int_equal(l.v[MC_LIMIT_HIGH].value, 1536 * MiB);
        assert_int_equal(l.v[MC_LIMIT_LOW].value, 256 * MiB);
        mc_profile_free(&p);
}

static void test_oom_group_forms(void **state)
{
        static const struct {
                const char *in;
                uint64_t want;
        } cases[] = {
                { "1", 1 },     { "0", 0 },  { "yes", 1 }, { "no", 0 },  { "true", 1 },
                { "false", 0 }, { "on", 1 }, { "off", 0 }, { "YES", 1 }, { "Off", 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct mc_profile p;
                struct mc_limits l;
                struct mc_error err = {};
                mc_profile_init(&p);
                set(&p, "oom.group", cases[i].in);
                assert_int_equal(mc_limits_from_profile(&p, RAM, &l, &err), 0);
                assert_true(l.v[MC_LIMIT_OOM_GROUP].set);
                assert_int_equal(l.v[MC_LIMIT_OOM_GROUP].value, cases[i].want);
                mc_profile_free(&p);
        }
}

static void test_partial(void **state)
{
        struct mc_profile p;
        struct mc_limits l;
        struct mc_error err = {};

        mc_profile_init(&p);
        set(&p, "max", "1G");
        set(&p, "max", "2G"); /* the later value wins */
        assert_int_equal(mc_limits_from_profile(&p, RAM, &l, &err), 0);
        assert_true(l.v[MC_LIMIT_MAX].set);
        assert_int_equal(l.v[MC_LIMIT_MAX].value, 2 * GiB);
        assert_false(l.v[MC_LIMIT_HIGH].set);
        assert_false(l.v[MC_LIMIT_OOM_GROUP].set);
        mc_profile_free(&p);
}

/* Percentages need the host's RAM; without it, the error names where the value came from. */
static void test_percent_without_ram(void **state)
{
        struct mc_profile p;
        struct mc_limits l = {};
        struct mc_error err = {};

        mc_profile_init(&p);
        set(&p, "high", "50%");
        assert_int_equal(mc_limits_from_profile(&p, 0, &l, &err), -EINVAL);
        assert_string_equal(err.msg,
                            "command line: high: cannot resolve size '50%': size of physical RAM unknown");

        assert_int_equal(mc_profile_set(&p, "memory", "high", "50%", "/etc/x.ini", 7, &env, &err), 0);
        assert_int_equal(mc_limits_from_profile(&p, 0, &l, &err), -EINVAL);
        assert_string_equal(err.msg,
                            "/etc/x.ini:7: high: cannot resolve size '50%': size of physical RAM unknown");
        mc_profile_free(&p);
}

/* Values put in place without mc_profile_set() are still checked. */
static void test_unvalidated_values(void **state)
{
        struct mc_profile p;
        struct mc_limits l = {};
        struct mc_error err = {};

        mc_profile_init(&p);
        p.settings[MC_KEY_MEMORY_OOM_GROUP].value = strdup("maybe");
        p.settings[MC_KEY_MEMORY_OOM_GROUP].file = strdup("a.ini");
        p.settings[MC_KEY_MEMORY_OOM_GROUP].line = 3;
        assert_int_equal(mc_limits_from_profile(&p, RAM, &l, &err), -EINVAL);
        assert_string_equal(err.msg, "a.ini:3: oom.group: invalid boolean 'maybe'");
        mc_profile_free(&p);
}

static void test_format_kernel(void **state)
{
        char buf[24];

        assert_string_equal(mc_limit_format_kernel(MC_LIMIT_MAX, MC_SIZE_MAX, buf, sizeof(buf)), "max");
        assert_string_equal(mc_limit_format_kernel(MC_LIMIT_SWAP_MAX, MC_SIZE_MAX, buf, sizeof(buf)), "max");
        assert_string_equal(mc_limit_format_kernel(MC_LIMIT_MAX, 1073741824, buf, sizeof(buf)),
                            "1073741824");
        assert_string_equal(mc_limit_format_kernel(MC_LIMIT_MAX, MC_SIZE_MAX - 1, buf, sizeof(buf)),
                            "18446744073709551614");
        assert_string_equal(mc_limit_format_kernel(MC_LIMIT_HIGH, 0, buf, sizeof(buf)), "0");
        assert_string_equal(mc_limit_format_kernel(MC_LIMIT_OOM_GROUP, 1, buf, sizeof(buf)), "1");
        assert_string_equal(mc_limit_format_kernel(MC_LIMIT_OOM_GROUP, 0, buf, sizeof(buf)), "0");
        assert_ptr_equal(mc_limit_format_kernel(MC_LIMIT_LOW, 5, buf, sizeof(buf)), buf);
}

/* A shipped profile all the way to the values written into the group. */
static void test_shipped_db(void **state)
{
        struct mc_profile p;
        struct mc_limits l;
        struct mc_error err = {};
        char buf[24];

        if (mc_profile_load(TEST_SRCDIR "/../../profiles/db.ini", &env, &p, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(mc_limits_from_profile(&p, RAM, &l, &err), 0);
        assert_string_equal(mc_limit_format_kernel(MC_LIMIT_MAX, l.v[MC_LIMIT_MAX].value, buf, sizeof(buf)),
                            "4294967296");
        assert_string_equal(
                mc_limit_format_kernel(MC_LIMIT_HIGH, l.v[MC_LIMIT_HIGH].value, buf, sizeof(buf)),
                "3758096384");
        assert_int_equal(l.v[MC_LIMIT_LOW].value, GiB);
        assert_int_equal(l.v[MC_LIMIT_SWAP_MAX].value, GiB);
        assert_int_equal(l.v[MC_LIMIT_OOM_GROUP].value, 1);
        assert_false(l.v[MC_LIMIT_MIN].set);
        assert_false(l.v[MC_LIMIT_SWAP_HIGH].set);
        assert_false(l.v[MC_LIMIT_ZSWAP_MAX].set);
        /* 576 2MB pages for PostgreSQL's shared memory, as limit and as reservation limit. */
        assert_int_equal(l.v[MC_LIMIT_HUGETLB_2MB_MAX].value, 576 * 2 * MiB);
        assert_int_equal(l.v[MC_LIMIT_HUGETLB_2MB_RSVD_MAX].value, 576 * 2 * MiB);
        assert_false(l.rounded[MC_LIMIT_HUGETLB_2MB_MAX]);
        mc_profile_free(&p);
}

static void test_hugetlb_rounding(void **state)
{
        struct mc_profile p;
        struct mc_limits l;
        struct mc_error err = {};

        mc_profile_init(&p);
        assert_int_equal(mc_profile_set(&p, "hugetlb", "2MB.max", "64M", NULL, 0, &env, &err), 0);
        assert_int_equal(mc_profile_set(&p, "hugetlb", "2MB.rsvd.max", "5M", NULL, 0, &env, &err), 0);
        assert_int_equal(mc_profile_set(&p, "hugetlb", "1GB.max", "max", NULL, 0, &env, &err), 0);
        assert_int_equal(mc_profile_set(&p, "hugetlb", "64KB.max", "100K", NULL, 0, &env, &err), 0);
        assert_int_equal(mc_profile_set(&p, "hugetlb", "1GB.rsvd.max", "1M", NULL, 0, &env, &err), 0);
        assert_int_equal(mc_limits_from_profile(&p, RAM, &l, &err), 0);
        /* Whole pages stay as they are. */
        assert_true(l.v[MC_LIMIT_HUGETLB_2MB_MAX].set);
        assert_int_equal(l.v[MC_LIMIT_HUGETLB_2MB_MAX].value, 64 * MiB);
        assert_false(l.rounded[MC_LIMIT_HUGETLB_2MB_MAX]);
        /* Others go down to whole pages, marked for the notice. */
        assert_int_equal(l.v[MC_LIMIT_HUGETLB_2MB_RSVD_MAX].value, 4 * MiB);
        assert_true(l.rounded[MC_LIMIT_HUGETLB_2MB_RSVD_MAX]);
        assert_int_equal(l.v[MC_LIMIT_HUGETLB_64KB_MAX].value, 64 * 1024);
        assert_true(l.rounded[MC_LIMIT_HUGETLB_64KB_MAX]);
        /* Less than a page is no page at all. */
        assert_int_equal(l.v[MC_LIMIT_HUGETLB_1GB_RSVD_MAX].value, 0);
        assert_true(l.rounded[MC_LIMIT_HUGETLB_1GB_RSVD_MAX]);
        assert_true(l.v[MC_LIMIT_HUGETLB_1GB_MAX].value == MC_SIZE_MAX);
        assert_false(l.rounded[MC_LIMIT_HUGETLB_1GB_MAX]);
        assert_false(l.v[MC_LIMIT_MAX].set);
        char buf[24];
        assert_string_equal(mc_limit_format_kernel(MC_LIMIT_HUGETLB_1GB_MAX, MC_SIZE_MAX, buf, sizeof(buf)),
                            "max");
        mc_profile_free(&p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names_and_files),
                cmocka_unit_test(test_empty_profile),
                cmocka_unit_test(test_describe),
                cmocka_unit_test(test_resolve),
                cmocka_unit_test(test_oom_group_forms),
                cmocka_unit_test(test_partial),
                cmocka_unit_test(test_percent_without_ram),
                cmocka_unit_test(test_unvalidated_values),
                cmocka_unit_test(test_format_kernel),
                cmocka_unit_test(test_shipped_db),
                cmocka_unit_test(test_hugetlb_rounding),
        };
        return cmocka_run_group_tests_name("limits", tests, NULL, NULL);
}
