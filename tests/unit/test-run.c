/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The run's plan from a profile and the command line, and the report
 * assembled from the stages' values: what the plan keeps for the later
 * stages (parent, slice, limits, the group's name) and which value of which
 * stage ends up where in the report.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "run.h"
#include "util.h"

static char *argv_true[] = { "true", NULL };

static void set(struct mc_profile *p, const char *section, const char *key, const char *value)
{
        struct mc_profile_env env = { .ram_bytes = 1ULL << 34 };
        struct mc_error err = { 0 };
        if (mc_profile_set(p, section, key, value, "test.ini", 3, &env, &err) < 0)
                fail_msg("%s.%s = %s: %s", section, key, value, err.msg);
}

/* The profile's parent and slice go to the placement; --parent wins; limits resolved. */
static void test_plan_from_profile(void **state)
{
        struct mc_profile p;
        struct mc_run run;
        struct mc_error err = { 0 };
        struct mc_run_request req = { .profile_name = "db", .argv = argv_true, .interval = "0" };
        char name[64];

        mc_profile_init(&p);
        set(&p, "memory", "max", "64M");
        set(&p, "cgroup", "parent", "jobs");
        set(&p, "cgroup", "slice", "batch.slice");
        mc_run_init(&run);
        assert_int_equal(mc_run_plan(&run, &req, &p, 1ULL << 34, &err), 0);
        assert_string_equal(run.plan.parent, "jobs");
        assert_string_equal(run.plan.slice, "batch.slice");
        assert_false(run.plan.use_hugetlb);
        assert_int_equal(run.plan.interval_ms, 0);
        assert_true(run.plan.limits.v[MC_LIMIT_MAX].set);
        assert_int_equal(run.plan.limits.v[MC_LIMIT_MAX].value, 64 << 20);
        snprintf(name, sizeof(name), "db-%d", (int)getpid());
        assert_string_equal(run.group_name, name);
        mc_run_done(&run);

        req.parent = "elsewhere";
        req.name = "mine";
        mc_run_init(&run);
        assert_int_equal(mc_run_plan(&run, &req, &p, 1ULL << 34, &err), 0);
        assert_string_equal(run.plan.parent, "elsewhere");
        assert_string_equal(run.group_name, "mine");
        mc_run_done(&run);
        mc_profile_free(&p);
}

/* A group name that is not one directory is refused before anything is made. */
static void test_plan_bad_name(void **state)
{
        struct mc_profile p;
        struct mc_run run;
        struct mc_error err = { 0 };
        struct mc_run_request req = { .argv = argv_true, .name = "../up" };

        mc_profile_init(&p);
        mc_run_init(&run);
        assert_int_equal(mc_run_plan(&run, &req, &p, 1ULL << 34, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "group name '../up'"));
        assert_false(run.placed);
        assert_false(run.group_created);
        mc_run_done(&run);
        mc_profile_free(&p);
}

/* Each field of the report comes from the stage that owns it, once, at the end. */
static void test_report_assembled(void **state)
{
        struct mc_run run;
        struct mc_report r;
        static const struct mc_report_oom_kill kill = { .t = 1.5, .pid = 42, .name = "eat" };

        mc_run_init(&run);
        /* Nothing ran: no group, no placement, no launch; the error and status as given. */
        run.req = (struct mc_run_request){ .profile_name = "ci", .argv = argv_true };
        mc_run_report(&run, "no cgroup2 mount", MC_SPAWN_EXIT_FAILED, &r);
        assert_null(r.cgroup);
        assert_null(r.placement);
        assert_null(r.launch);
        assert_false(r.obs.exited);
        assert_false(r.has_limits);
        assert_string_equal(r.profile, "ci");
        assert_ptr_equal(r.argv, argv_true);
        assert_string_equal(r.error, "no cgroup2 mount");
        assert_int_equal(r.status, MC_SPAWN_EXIT_FAILED);

        /* A run observed to its end. */
        run.placed = true;
        run.group.relpath = (char *)"memcage/ci-1";
        run.has_limits = true;
        run.limits_read.v[MC_LIMIT_MAX] = (struct mc_limit_value){ .set = true, .value = 1 << 20 };
        run.plan.hugetlb.n_sizes = 1;
        snprintf(run.plan.hugetlb.sizes[0].size, sizeof(run.plan.hugetlb.sizes[0].size), "2MB");
        run.plan.hugetlb.sizes[0].events_max = 2;
        run.launch = "clone3";
        run.observation = (struct mc_observation){
                .exited = true,
                .exit_code = 137,
                .signal = 9,
                .has_peak = true,
                .peak = 1 << 20,
                .oom_kills = &kill,
                .n_oom_kills = 1,
                .has_pressure = true,
                .pressure_total_us = { 5, 7 },
        };
        mc_run_report(&run, NULL, 137, &r);
        assert_string_equal(r.cgroup, "memcage/ci-1");
        assert_ptr_equal(r.placement, &run.placement);
        assert_string_equal(r.launch, "clone3");
        assert_true(r.has_limits);
        assert_int_equal(r.limits.v[MC_LIMIT_MAX].value, 1 << 20);
        assert_int_equal(r.n_hugetlb, 1);
        assert_string_equal(r.hugetlb[0].size, "2MB");
        assert_int_equal(r.hugetlb[0].events_max, 2);
        assert_true(r.obs.exited);
        assert_int_equal(r.obs.exit_code, 137);
        assert_int_equal(r.obs.signal, 9);
        assert_int_equal(r.obs.peak, 1 << 20);
        assert_int_equal(r.obs.n_oom_kills, 1);
        assert_int_equal(r.obs.oom_kills[0].pid, 42);
        assert_int_equal(r.obs.pressure_total_us[1], 7);
        assert_null(r.error);
        assert_int_equal(r.status, 137);
        run.group.relpath = NULL; /* not the run's to free */
        mc_run_done(&run);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plan_from_profile),
                cmocka_unit_test(test_plan_bad_name),
                cmocka_unit_test(test_report_assembled),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
