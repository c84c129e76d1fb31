/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "report-json.h"
#include "report.h"
#include "sampler.h"
#include "util.h"

static char *argv_oom[] = { "python3", "-c", "x = b'\\x01' * (300 << 20)\n\"quoted\"", NULL };

static void fill_oom_report(struct mc_report *r)
{
        struct mc_error err = { 0 };

        memset(r, 0, sizeof(*r));
        r->argv = argv_oom;
        r->profile = "strict";
        r->profile_path = "/etc/memcage/profiles/strict.ini";
        r->cgroup = "memcage/strict-42";
        r->launch = "clone3";
        r->has_limits = true;
        r->limits.v[MC_LIMIT_MAX] = (struct mc_limit_value){ true, 67108864 };
        r->limits.v[MC_LIMIT_HIGH] = (struct mc_limit_value){ true, UINT64_MAX };
        r->limits.v[MC_LIMIT_SWAP_MAX] = (struct mc_limit_value){ true, 0 };
        r->limits.v[MC_LIMIT_OOM_GROUP] = (struct mc_limit_value){ true, 1 };
        r->obs.exited = true;
        r->obs.exit_code = 137;
        r->obs.signal = 9;
        r->obs.has_peak = true;
        r->obs.peak = 67108864;
        r->obs.has_events = true;
        assert_int_equal(
                mc_counters_parse("low 0\nhigh 0\nmax 53\noom 1\noom_kill 1\n", &r->obs.events, &err), 0);
        assert_int_equal(
                mc_counters_parse("low 0\nhigh 0\nmax 53\noom 1\noom_kill 1\n", &r->obs.events_local, &err),
                0);
        r->obs.duration_s = 1.25;
        r->status = 137;
}

static json_t *parse(const char *s)
{
        json_error_t jerr;
        json_t *j = json_loads(s, 0, &jerr);
        if (!j)
                fail_msg("invalid JSON at line %d: %s\n%s", jerr.line, jerr.text, s);
        return j;
}

static void test_json_oom(void **state)
{
        struct mc_report r;
        struct mc_error err = { 0 };
        char *s = NULL;

        fill_oom_report(&r);
        assert_int_equal(mc_report_to_json(&r, &s, &err), 0);
        assert_true(s[strlen(s) - 1] == '\n');
        json_t *j = parse(s);

        assert_int_equal(json_integer_value(json_object_get(j, "schema")), MC_REPORT_SCHEMA);
        assert_string_equal(json_string_value(json_object_get(j, "version")), PACKAGE_VERSION);
        json_t *cmd = json_object_get(j, "command");
        assert_int_equal(json_array_size(cmd), 3);
        /* Quotes, backslashes and newlines survive the round trip. */
        assert_string_equal(json_string_value(json_array_get(cmd, 2)), argv_oom[2]);
        assert_string_equal(json_string_value(json_object_get(j, "profile")), "strict");
        assert_string_equal(json_string_value(json_object_get(j, "cgroup")), "memcage/strict-42");

        json_t *lim = json_object_get(j, "limits");
        assert_int_equal(json_integer_value(json_object_get(lim, "max")), 67108864);
        assert_true(json_is_null(json_object_get(lim, "high")));
        assert_int_equal(json_integer_value(json_object_get(lim, "swap.max")), 0);
        assert_true(json_is_true(json_object_get(lim, "oom.group")));
        assert_null(json_object_get(lim, "low")); /* not set: absent */

        json_t *exit = json_object_get(j, "exit");
        assert_int_equal(json_integer_value(json_object_get(exit, "code")), 137);
        assert_int_equal(json_integer_value(json_object_get(exit, "signal")), 9);
        assert_true(json_is_false(json_object_get(exit, "core_dumped")));
        assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "memory"), "peak")),
                         67108864);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "events"), "oom_kill")), 1);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "events"), "max")), 53);
        assert_true(json_real_value(json_object_get(j, "duration_s")) == 1.25);
        assert_true(json_is_null(json_object_get(j, "error")));
        assert_int_equal(json_integer_value(json_object_get(j, "status")), 137);

        json_decref(j);
        free(s);
}

/* A counter above INT64_MAX (which jansson cannot hold) saturates there instead of turning negative. */
static void test_json_counter_near_2_64(void **state)
{
        struct mc_report r;
        struct mc_error err = { 0 };
        char *s = NULL;

        fill_oom_report(&r);
        assert_int_equal(mc_counters_parse("max 18446744073709551615\noom_kill 9223372036854775808\n",
                                           &r.obs.events, &err),
                         0);
        assert_int_equal(mc_report_to_json(&r, &s, &err), 0);
        json_t *j = parse(s);
        json_t *ev = json_object_get(j, "events");
        assert_true(json_integer_value(json_object_get(ev, "max")) == INT64_MAX);
        assert_true(json_integer_value(json_object_get(ev, "oom_kill")) == INT64_MAX);
        assert_int_equal(mc_rj_check_numbers(j, &err), 0);
        json_decref(j);
        free(s);
}

static void test_json_hugetlb(void **state)
{
        struct mc_report r;
        struct mc_error err = { 0 };
        char *s = NULL;

        fill_oom_report(&r);
        /* Without [hugetlb]: both fields null. */
        assert_int_equal(mc_report_to_json(&r, &s, &err), 0);
        json_t *j = parse(s);
        assert_true(json_is_null(json_object_get(j, "hugetlb")));
        assert_true(json_is_null(json_object_get(j, "hugetlb_limit_hit")));
        json_decref(j);
        free(s);

        r.obs.signal = 7;
        r.obs.exit_code = 135;
        r.limits.v[MC_LIMIT_HUGETLB_2MB_MAX] = (struct mc_limit_value){ true, 2097152 };
        r.n_hugetlb = 2;
        r.hugetlb[0] = (struct mc_report_hugetlb){ .size = "2MB",
                                                   .has_limits = true,
                                                   .max = 2097152,
                                                   .rsvd_max = UINT64_MAX,
                                                   .has_usage = true,
                                                   .current = 0,
                                                   .rsvd_current = 0,
                                                   .has_events = true,
                                                   .events_max = 3,
                                                   .reserved_pages = 8,
                                                   .added_pages = 6 };
        r.hugetlb[1] = (struct mc_report_hugetlb){ .size = "1GB" };
        assert_int_equal(mc_report_to_json(&r, &s, &err), 0);
        j = parse(s);
        assert_int_equal(
                json_integer_value(json_object_get(json_object_get(j, "limits"), "hugetlb.2MB.max")),
                2097152);
        json_t *h = json_object_get(json_object_get(j, "hugetlb"), "2MB");
        assert_int_equal(json_integer_value(json_object_get(h, "max")), 2097152);
        assert_true(json_is_null(json_object_get(h, "rsvd.max")));
        assert_int_equal(json_integer_value(json_object_get(h, "current")), 0);
        assert_true(json_is_null(json_object_get(h, "peak")));
        assert_int_equal(json_integer_value(json_object_get(h, "rsvd_current")), 0);
        assert_int_equal(json_integer_value(json_object_get(h, "events_max")), 3);
        assert_int_equal(json_integer_value(json_object_get(h, "reserved_pages")), 8);
        assert_int_equal(json_integer_value(json_object_get(h, "added_pages")), 6);
        /* A size whose group files were never read: unknowns are null. */
        json_t *g = json_object_get(json_object_get(j, "hugetlb"), "1GB");
        assert_true(json_is_null(json_object_get(g, "max")));
        assert_true(json_is_null(json_object_get(g, "current")));
        assert_true(json_is_null(json_object_get(g, "events_max")));
        assert_true(json_is_true(json_object_get(j, "hugetlb_limit_hit")));
        json_decref(j);
        free(s);

        r.hugetlb[0].events_max = 0;
        assert_int_equal(mc_report_to_json(&r, &s, &err), 0);
        j = parse(s);
        assert_true(json_is_false(json_object_get(j, "hugetlb_limit_hit")));
        json_decref(j);
        free(s);
}

static void test_json_run(void **state)
{
        struct mc_report r;
        struct mc_error err = { 0 };
        char *s = NULL;
        static const gid_t groups[] = { 65534, 27 };
        static char *caps[] = { "CAP_IPC_LOCK", NULL };
        struct mc_report_run run = {
                .user = "nobody",
                .uid = 65534,
                .has_gid = true,
                .gid = 65534,
                .has_groups = true,
                .groups = groups,
                .n_groups = 2,
                .capabilities = caps,
        };

        fill_oom_report(&r);
        assert_int_equal(mc_report_to_json(&r, &s, &err), 0);
        json_t *j = parse(s);
        assert_true(json_is_null(json_object_get(j, "run")));
        json_decref(j);
        free(s);

        r.run = &run;
        assert_int_equal(mc_report_to_json(&r, &s, &err), 0);
        j = parse(s);
        json_t *want = json_pack("{s:s, s:i, s:i, s:[i,i], s:[s]}", "user", "nobody", "uid", 65534, "gid",
                                 65534, "groups", 65534, 27, "capabilities", "CAP_IPC_LOCK");
        assert_true(json_equal(json_object_get(j, "run"), want));
        json_decref(want);
        json_decref(j);
        free(s);

        /* Only capabilities: the ids stay null. */
        run = (struct mc_report_run){ .capabilities = caps };
        assert_int_equal(mc_report_to_json(&r, &s, &err), 0);
        j = parse(s);
        want = json_pack("{s:n, s:n, s:n, s:n, s:[s]}", "user", "uid", "gid", "groups", "capabilities",
                         "CAP_IPC_LOCK");
        assert_true(json_equal(json_object_get(j, "run"), want));
        json_decref(want);
        json_decref(j);
        free(s);
}

static void test_json_failure_before_start(void **state)
{
        struct mc_report r = { 0 };
        struct mc_error err = { 0 };
        char *argv[] = { "true", NULL };
        char *s = NULL;

        r.argv = argv;
        r.error = "profile 'nope' not found";
        r.status = 125;
        assert_int_equal(mc_report_to_json(&r, &s, &err), 0);
        json_t *j = parse(s);
        assert_true(json_is_null(json_object_get(j, "exit")));
        assert_true(json_is_null(json_object_get(j, "limits")));
        assert_true(json_is_null(json_object_get(j, "cgroup")));
        assert_true(json_is_null(json_object_get(json_object_get(j, "memory"), "peak")));
        assert_true(json_is_null(json_object_get(j, "events")));
        assert_true(json_is_null(json_object_get(j, "duration_s")));
        assert_string_equal(json_string_value(json_object_get(j, "error")), "profile 'nope' not found");
        assert_int_equal(json_integer_value(json_object_get(j, "status")), 125);
        json_decref(j);
        free(s);
}

/* The sampler's fields: null without a sampler, filled from its summary with one. */
static void test_json_samples(void **state)
{
        struct mc_report r = { 0 };
        struct mc_error err = { 0 };
        char *argv[] = { "hog", NULL };
        char *s = NULL;
        uint64_t t[] = { 0, 100000000, 250000000 }, cur[] = { 4096, 67108864, 8192 }, swap[] = { 0, 0, 0 };
        uint32_t some[] = { 0, 1250, 50 }, full[] = { 0, 100, 0 };
        uint64_t huge[] = { 0, 2097152, 0 };
        struct mc_timeline tl = { .n = 3,
                                  .capacity = 3,
                                  .interval_ns = 100000000,
                                  .has_psi = true,
                                  .t_ns = t,
                                  .memory_current = cur,
                                  .swap_current = swap,
                                  .some_avg10 = some,
                                  .full_avg10 = full,
                                  .n_hugetlb = 1,
                                  .hugetlb_size = { "2MB" },
                                  .hugetlb_current = { huge } };
        struct mc_sample_summary sum = {
                .has_swap_peak = true,
                .swap_peak = 1024,
                .swap_peak_source = "sampled",
                .has_snapshot = true,
                .snapshot = { .t_ns = 1500000000,
                              .current = 67108864,
                              .stat = { .anon = 60,
                                        .file = 2,
                                        .shmem = 3,
                                        .kernel = 4,
                                        .sock = 5,
                                        .file_mapped = 6 },
                              .n_top = 2,
                              .top = { { .pid = 42, .name = "hog", .mem = { 10, 9, 8, 7 } },
                                       { .pid = 41, .name = "", .mem = { 1, 1, 1, 0 } } } },
                .has_pgmajfault = true,
                .pgmajfault = 3,
                .has_cpu = true,
                .user_usec = 1500000,
                .system_usec = 250000,
                .has_psi = true,
                .some_avg10_max = 1250,
                .full_avg10_max = 100,
                .timeline = &tl,
        };

        r.argv = argv;
        assert_int_equal(mc_report_to_json(&r, &s, &err), 0);
        json_t *j = parse(s);
        json_t *mem = json_object_get(j, "memory");
        static const char *const mem_keys[] = { "swap_peak", "swap_peak_source", "breakdown", "pgmajfault" };
        for (size_t i = 0; i < 4; i++)
                assert_true(json_is_null(json_object_get(mem, mem_keys[i])));
        static const char *const keys[] = { "pressure", "processes", "cpu", "timeline" };
        for (size_t i = 0; i < 4; i++)
                assert_true(json_is_null(json_object_get(j, keys[i])));
        json_decref(j);
        free(s);

        r.obs.samples = &sum;
        r.obs.has_pressure = true; /* the watcher's object, where the sampler's maxima go */
        assert_int_equal(mc_report_to_json(&r, &s, &err), 0);
        j = parse(s);
        mem = json_object_get(j, "memory");
        assert_int_equal(json_integer_value(json_object_get(mem, "swap_peak")), 1024);
        assert_string_equal(json_string_value(json_object_get(mem, "swap_peak_source")), "sampled");
        assert_int_equal(json_integer_value(json_object_get(mem, "pgmajfault")), 3);
        json_t *b = json_object_get(mem, "breakdown");
        assert_true(json_real_value(json_object_get(b, "t")) == 1.5);
        assert_int_equal(json_integer_value(json_object_get(b, "current")), 67108864);
        assert_int_equal(json_integer_value(json_object_get(b, "anon")), 60);
        assert_int_equal(json_integer_value(json_object_get(b, "file")), 2);
        assert_int_equal(json_integer_value(json_object_get(b, "shmem")), 3);
        assert_int_equal(json_integer_value(json_object_get(b, "kernel")), 4);
        assert_int_equal(json_integer_value(json_object_get(b, "sock")), 5);
        assert_int_equal(json_integer_value(json_object_get(b, "file_mapped")), 6);

        json_t *pr = json_object_get(j, "pressure");
        assert_true(json_real_value(json_object_get(pr, "some_avg10_max")) == 12.5);
        assert_true(json_real_value(json_object_get(pr, "full_avg10_max")) == 1.0);

        json_t *procs = json_object_get(j, "processes");
        assert_true(json_real_value(json_object_get(procs, "t")) == 1.5);
        json_t *top = json_object_get(procs, "top");
        assert_int_equal(json_array_size(top), 2);
        json_t *p0 = json_array_get(top, 0);
        assert_int_equal(json_integer_value(json_object_get(p0, "pid")), 42);
        assert_string_equal(json_string_value(json_object_get(p0, "name")), "hog");
        assert_int_equal(json_integer_value(json_object_get(p0, "rss")), 10);
        assert_int_equal(json_integer_value(json_object_get(p0, "pss")), 9);
        assert_int_equal(json_integer_value(json_object_get(p0, "uss")), 8);
        assert_int_equal(json_integer_value(json_object_get(p0, "swap")), 7);
        assert_true(json_is_null(json_object_get(json_array_get(top, 1), "name")));

        json_t *cpu = json_object_get(j, "cpu");
        assert_true(json_real_value(json_object_get(cpu, "user_s")) == 1.5);
        assert_true(json_real_value(json_object_get(cpu, "system_s")) == 0.25);

        json_t *tlj = json_object_get(j, "timeline");
        assert_true(json_real_value(json_object_get(tlj, "interval_s")) == 0.1);
        static const char *const cols[] = { "t", "memory_current", "some_avg10", "full_avg10" };
        for (size_t i = 0; i < 4; i++)
                assert_int_equal(json_array_size(json_object_get(tlj, cols[i])), 3);
        assert_true(json_is_null(json_object_get(tlj, "swap_current"))); /* no swap accounting */
        assert_true(json_real_value(json_array_get(json_object_get(tlj, "t"), 2)) == 0.25);
        assert_int_equal(json_integer_value(json_array_get(json_object_get(tlj, "memory_current"), 1)),
                         67108864);
        assert_true(json_real_value(json_array_get(json_object_get(tlj, "some_avg10"), 1)) == 12.5);
        json_t *h = json_object_get(json_object_get(tlj, "hugetlb_current"), "2MB");
        assert_int_equal(json_array_size(h), 3);
        assert_int_equal(json_integer_value(json_array_get(h, 1)), 2097152);
        tl.n_hugetlb = 0;
        json_decref(j);
        free(s);
        assert_int_equal(mc_report_to_json(&r, &s, &err), 0);
        j = parse(s);
        assert_true(json_is_null(json_object_get(json_object_get(j, "timeline"), "hugetlb_current")));
        json_decref(j);
        free(s);
}

/* The fields of the event watcher and the verdict. */
static void test_json_observations(void **state)
{
        struct mc_report r;
        struct mc_error err = { 0 };
        char *s = NULL;
        struct mc_report_oom_kill kills[] = {
                { .t = 0.8312344,
                  .pid = 187,
                  .name = "hog",
                  .known = true,
                  .cause = MC_OOM_CAUSE_GROUP_LIMIT },
                { .t = 0.9, .cause = MC_OOM_CAUSE_SYSTEM },
        };
        struct mc_pressure_trigger trig = {
                .kind = MC_PSI_FULL, .stall_us = 200000, .window_us = 2000000, .fired = 3
        };
        json_t *log = json_pack("[{s:f, s:s}]", "t", 123.456789, "type", "start");

        fill_oom_report(&r);
        r.obs.duration_s = 123.4567891;
        mc_verdict_judge(
                &(struct mc_verdict_input){ .signaled = true, .signal = 9, .oom_kill = 1, .oom = 1 },
                &r.obs.verdict);
        r.obs.has_verdict = true;
        r.obs.oom_kills = kills;
        r.obs.n_oom_kills = 2;
        r.obs.has_swap_events = true;
        assert_int_equal(mc_counters_parse("high 0\nmax 2\nfail 2\n", &r.obs.swap_events, &err), 0);
        r.obs.has_pressure = true;
        r.obs.pressure_total_us[MC_PSI_SOME] = 500;
        r.obs.pressure_total_us[MC_PSI_FULL] = 400;
        r.obs.pressure_triggers = &trig;
        r.obs.n_pressure_triggers = 1;
        r.obs.log = log;
        assert_int_equal(mc_report_to_json(&r, &s, &err), 0);
        json_t *j = parse(s);
        json_t *v = json_object_get(j, "verdict");
        assert_string_equal(json_string_value(json_object_get(v, "code")), "oom-killed");
        assert_string_equal(json_string_value(json_object_get(v, "cause")), "group-limit");
        assert_int_equal(json_integer_value(json_object_get(v, "signal")), 9);
        assert_string_equal(json_string_value(json_object_get(v, "text")), "oom-killed (group limit)");
        json_t *k = json_object_get(j, "oom_kills");
        assert_int_equal(json_array_size(k), 2);
        assert_true(json_real_value(json_object_get(json_array_get(k, 0), "t")) == 0.831234);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(k, 0), "pid")), 187);
        assert_string_equal(json_string_value(json_object_get(json_array_get(k, 0), "name")), "hog");
        assert_true(json_is_null(json_object_get(json_array_get(k, 1), "pid")));
        assert_true(json_is_null(json_object_get(json_array_get(k, 1), "name")));
        assert_string_equal(json_string_value(json_object_get(json_array_get(k, 1), "cause")), "system");
        assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "swap_events"), "fail")), 2);
        json_t *p = json_object_get(j, "pressure");
        assert_int_equal(json_integer_value(json_object_get(p, "some_total_us")), 500);
        assert_int_equal(json_integer_value(json_object_get(p, "full_total_us")), 400);
        assert_true(json_is_null(json_object_get(p, "some_avg10_max")));
        assert_true(json_is_null(json_object_get(p, "full_avg10_max")));
        json_t *t = json_array_get(json_object_get(p, "triggers"), 0);
        assert_string_equal(json_string_value(json_object_get(t, "kind")), "full");
        assert_int_equal(json_integer_value(json_object_get(t, "stall_us")), 200000);
        assert_int_equal(json_integer_value(json_object_get(t, "window_us")), 2000000);
        assert_int_equal(json_integer_value(json_object_get(t, "fired")), 3);
        /* The log as the events file has it, to the microsecond even after minutes. */
        assert_true(json_equal(json_object_get(j, "log"), log));
        assert_true(strstr(s, "123.456789") != NULL);
        assert_true(json_real_value(json_object_get(j, "duration_s")) == 123.456789);
        assert_true(json_is_false(json_object_get(j, "log_truncated")));
        json_decref(j);
        json_decref(log);
        free(s);

        /* A run that did not start: no verdict, no observations, empty lists. */
        struct mc_report none = { .status = 125 };
        assert_int_equal(mc_report_to_json(&none, &s, &err), 0);
        j = parse(s);
        assert_true(json_is_null(json_object_get(j, "verdict")));
        assert_int_equal(json_array_size(json_object_get(j, "oom_kills")), 0);
        assert_true(json_is_null(json_object_get(j, "swap_events")));
        assert_true(json_is_null(json_object_get(j, "pressure")));
        assert_int_equal(json_array_size(json_object_get(j, "log")), 0);
        json_decref(j);
        free(s);
}

/* The one dump of a report document: run's file and `memcage report --format json` are alike to the byte. */
static void test_json_dump(void **state)
{
        struct mc_report r;
        struct mc_error err = { 0 };
        char *a = NULL, *b = NULL;

        json_t *j = json_pack("{s:i,s:f,s:f,s:[i,s]}", "z", 1, "third", 1.0 / 3, "t", 0.000123, "a", 2, "x");
        assert_non_null(j);
        assert_int_equal(mc_report_json_dump(j, &a, &err), 0);
        /* Keys in their order, 2 spaces, 15 significant digits, a final newline. */
        assert_string_equal(a, "{\n  \"z\": 1,\n  \"third\": 0.333333333333333,\n  \"t\": 0.000123,\n"
                               "  \"a\": [\n    2,\n    \"x\"\n  ]\n}\n");
        json_decref(j);
        free(a);

        fill_oom_report(&r);
        assert_int_equal(mc_report_to_json(&r, &a, &err), 0);
        j = mc_report_to_jansson(&r);
        assert_non_null(j);
        assert_int_equal(mc_report_json_dump(j, &b, &err), 0);
        assert_string_equal(a, b);
        json_decref(j);
        free(a);
        free(b);
}

static void test_write_atomic(void **state)
{
        char dir[] = "/tmp/memcage-test-report-XXXXXX";
        char path[128], bad[160];
        struct mc_report r;
        struct mc_error err = { 0 };
        struct stat st;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/report.json", dir);
        fill_oom_report(&r);
        mode_t old = umask(022);
        assert_int_equal(mc_report_write_json(&r, path, &err), 0);
        umask(old);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0644);

        char *text = NULL;
        assert_int_equal(mc_read_file_at(AT_FDCWD, path, &text, &err), 0);
        json_decref(parse(text));
        free(text);

        /* A directory that does not exist: an error naming the file, and nothing written. */
        snprintf(bad, sizeof(bad), "%s/missing/report.json", dir);
        assert_true(mc_report_write_json(&r, bad, &err) < 0);
        assert_non_null(strstr(err.msg, bad));

        /* Only the report is left in the directory: no temporary files. */
        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(dir), 0);
}

static void test_summary(void **state)
{
        struct mc_report r;
        char buf[256];

        fill_oom_report(&r);
        assert_string_equal(mc_report_summary(&r, buf, sizeof(buf)),
                            "killed by SIGKILL (exit 137), peak 64M of max 64M, 1 OOM kill, 1.25 s");
        r.obs.signal = 0;
        r.obs.exit_code = 3;
        r.limits.v[MC_LIMIT_MAX].value = UINT64_MAX;
        r.obs.events.n = 0;
        assert_string_equal(mc_report_summary(&r, buf, sizeof(buf)),
                            "exit 3, peak 64M, 0 OOM kills, 1.25 s");
        r.obs.exited = false;
        assert_string_equal(mc_report_summary(&r, buf, sizeof(buf)), "the command did not run");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_json_oom),
                cmocka_unit_test(test_json_run),
                cmocka_unit_test(test_json_hugetlb),
                cmocka_unit_test(test_json_failure_before_start),
                cmocka_unit_test(test_json_samples),
                cmocka_unit_test(test_json_observations),
                cmocka_unit_test(test_write_atomic),
                cmocka_unit_test(test_summary),
                cmocka_unit_test(test_json_counter_near_2_64),
                cmocka_unit_test(test_json_dump),
        };
        return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
