/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A report compared with a baseline, and the --fail-on thresholds judged on the comparison. */
#include "config.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "fail-on.h"
#include "report-compare.h"
#include "report-json.h"
#include "report-text.h"
#include "report-fixture.h"
#include "util.h"

static json_t *load_report_fixture(const char *name)
{
        char path[512];
        struct mc_error err = { 0 };
        json_t *j = NULL;
        snprintf(path, sizeof(path), "%s/data/%s", TEST_SRCDIR, name);
        if (mc_compare_load(path, &j, &err) < 0)
                fail_msg("%s", err.msg);
        return j;
}

static json_t *metric(const json_t *cmp, const char *name)
{
        json_t *e;
        size_t i;
        json_array_foreach(mc_rj_array(cmp, "metrics"), i, e)
        {
                if (streq(mc_rj_str(e, "metric"), name))
                        return e;
        }
        fail_msg("no metric %s in the comparison", name);
        return NULL;
}

static void test_threshold_parse(void **state)
{
        struct mc_error err = { 0 };
        struct mc_threshold t;

        assert_int_equal(mc_threshold_parse("peak+10%", &t, &err), 0);
        assert_int_equal(t.metric, MC_COMPARE_PEAK);
        assert_true(t.percent);
        assert_true(t.margin == 10);
        assert_string_equal(t.text, "peak+10%");

        assert_int_equal(mc_threshold_parse("peak+64M", &t, &err), 0);
        assert_false(t.percent);
        assert_true(t.margin == 64 << 20);
        assert_int_equal(mc_threshold_parse("swap-peak+1.5G", &t, &err), 0);
        assert_int_equal(t.metric, MC_COMPARE_SWAP_PEAK);
        assert_true(t.margin == 1536.0 * (1 << 20));
        assert_int_equal(mc_threshold_parse("peak+2.5%", &t, &err), 0);
        assert_true(t.percent && t.margin == 2.5);

        /* "stall" is the full stall; "stall-some" the other, "stall-full" an alias. */
        assert_int_equal(mc_threshold_parse("stall+1s", &t, &err), 0);
        assert_int_equal(t.metric, MC_COMPARE_STALL_FULL);
        assert_true(t.margin == 1.0);
        assert_int_equal(mc_threshold_parse("stall-full+1s", &t, &err), 0);
        assert_int_equal(t.metric, MC_COMPARE_STALL_FULL);
        assert_int_equal(mc_threshold_parse("stall-some+250ms", &t, &err), 0);
        assert_int_equal(t.metric, MC_COMPARE_STALL_SOME);
        assert_true(t.margin == 0.25);
        assert_int_equal(mc_threshold_parse("duration+20%", &t, &err), 0);
        assert_int_equal(t.metric, MC_COMPARE_DURATION);
        assert_int_equal(mc_threshold_parse("cpu+1.5s", &t, &err), 0);
        assert_int_equal(t.metric, MC_COMPARE_CPU);
        assert_true(t.margin == 1.5);
        assert_int_equal(mc_threshold_parse("oom+0", &t, &err), 0);
        assert_int_equal(t.metric, MC_COMPARE_OOM_KILLS);
        assert_true(!t.percent && t.margin == 0);
        assert_int_equal(mc_threshold_parse("high+100", &t, &err), 0);
        assert_int_equal(t.metric, MC_COMPARE_HIGH);
        assert_true(t.margin == 100);
        assert_int_equal(mc_threshold_parse("max+0%", &t, &err), 0);
        assert_int_equal(t.metric, MC_COMPARE_MAX);

        assert_int_equal(mc_threshold_parse("peak", &t, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "METRIC+MARGIN"));
        assert_int_equal(mc_threshold_parse("rss+10%", &t, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "unknown metric 'rss'"));
        assert_non_null(strstr(err.msg, "peak, swap-peak, stall, stall-some"));
        assert_int_equal(mc_threshold_parse("peak+10x", &t, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "'peak+10x': '10x' is not a size"));
        assert_int_equal(mc_threshold_parse("peak+", &t, &err), -EINVAL);
        assert_int_equal(mc_threshold_parse("peak+max", &t, &err), -EINVAL);
        assert_int_equal(mc_threshold_parse("peak+%", &t, &err), -EINVAL);
        assert_int_equal(mc_threshold_parse("peak+-5%", &t, &err), -EINVAL);
        assert_int_equal(mc_threshold_parse("peak+1e3%", &t, &err), -EINVAL);
        /* A duration needs its unit: "stall+1" could be seconds or microseconds. */
        assert_int_equal(mc_threshold_parse("stall+1", &t, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "threshold 'stall+1'"));
        assert_int_equal(mc_threshold_parse("oom+1.5", &t, &err), -EINVAL);
        assert_int_equal(mc_threshold_parse("oom+1M", &t, &err), -EINVAL);
        assert_int_equal(mc_threshold_parse("duration+99999999999999s", &t, &err), -ERANGE);
        assert_int_equal(mc_threshold_parse("peak+99999999999999T", &t, &err), -EINVAL);
        assert_int_equal(mc_threshold_parse("peak+100000000000000000000000000000", &t, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "too long"));
}

static void test_fail_on_list(void **state)
{
        struct mc_error err = { 0 };
        struct mc_thresholds th;
        unsigned mask = 0;
        char list[512] = "";

        assert_int_equal(mc_fail_on_parse_list("oom,peak+10%,duration+20%", &mask, &th, &err), 0);
        assert_int_equal(mask, MC_FAIL_ON_OOM);
        assert_int_equal(th.n, 2);
        assert_int_equal(th.v[0].metric, MC_COMPARE_PEAK);
        assert_int_equal(th.v[1].metric, MC_COMPARE_DURATION);

        assert_int_equal(mc_fail_on_parse_list("high,max", &mask, &th, &err), 0);
        assert_int_equal(mask, MC_FAIL_ON_HIGH | MC_FAIL_ON_MAX);
        assert_int_equal(th.n, 0);
        assert_int_equal(mc_fail_on_parse_list("stall+1s", &mask, &th, &err), 0);
        assert_int_equal(mask, 0);
        assert_int_equal(th.n, 1);
        assert_int_equal(mc_fail_on_parse_list("any,oom+0", &mask, &th, &err), 0);
        assert_int_equal(mask, MC_FAIL_ON_ALL);
        assert_int_equal(th.n, 1);

        mask = 7;
        assert_int_equal(mc_fail_on_parse_list("oom,bogus", &mask, &th, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "'bogus'"));
        assert_int_equal(mask, 7); /* untouched on error */
        assert_int_equal(mc_fail_on_parse_list("peak+10%,", &mask, &th, &err), -EINVAL);
        assert_int_equal(mc_fail_on_parse_list("", &mask, &th, &err), -EINVAL);
        assert_int_equal(mc_fail_on_parse_list("oom,peak+ten", &mask, &th, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "peak+ten"));

        for (int i = 0; i < MC_THRESHOLDS_MAX; i++)
                strcat(list, i ? ",peak+1M" : "peak+1M");
        assert_int_equal(mc_fail_on_parse_list(list, &mask, &th, &err), 0);
        assert_int_equal(th.n, MC_THRESHOLDS_MAX);
        strcat(list, ",cpu+1s");
        assert_int_equal(mc_fail_on_parse_list(list, &mask, &th, &err), -E2BIG);
}

/* The fixtures: a baseline of the same job (48M peak, no OOM kill) and the full report (64M, one kill). */
static void test_compare_fixtures(void **state)
{
        struct mc_error err = { 0 };
        json_t *old = load_report_fixture("report-baseline.json"),
               *new = load_report_fixture("report-full.json");
        json_t *cmp = NULL, *m, *procs;

        assert_int_equal(mc_compare_reports(old, new, &cmp, &err), 0);
        assert_int_equal(json_array_size(mc_rj_array(cmp, "metrics")), MC_COMPARE_N_METRICS);

        m = metric(cmp, "peak");
        assert_string_equal(mc_rj_str(m, "unit"), "bytes");
        assert_int_equal(json_integer_value(json_object_get(m, "old")), 48 << 20);
        assert_int_equal(json_integer_value(json_object_get(m, "new")), 64 << 20);
        assert_int_equal(json_integer_value(json_object_get(m, "delta")), 16 << 20);
        assert_true(json_real_value(json_object_get(m, "change")) > 0.3333 &&
                    json_real_value(json_object_get(m, "change")) < 0.3334);
        assert_true(json_is_true(json_object_get(m, "worse")));

        m = metric(cmp, "swap_peak");
        assert_int_equal(json_integer_value(json_object_get(m, "delta")), 0);
        assert_true(json_is_false(json_object_get(m, "worse")));

        /* Less stall than the baseline: a negative delta, not worse. */
        m = metric(cmp, "stall_some");
        assert_string_equal(mc_rj_str(m, "unit"), "seconds");
        assert_true(json_real_value(json_object_get(m, "old")) == 2.1);
        assert_true(json_real_value(json_object_get(m, "delta")) < 0);
        assert_true(json_is_false(json_object_get(m, "worse")));

        /* From 0: no relative change, the delta says it. */
        m = metric(cmp, "stall_full");
        assert_true(json_is_null(json_object_get(m, "change")));
        assert_true(json_real_value(json_object_get(m, "delta")) == 0.912004);
        assert_true(json_is_true(json_object_get(m, "worse")));

        m = metric(cmp, "oom_kills");
        assert_int_equal(json_integer_value(json_object_get(m, "old")), 0);
        assert_int_equal(json_integer_value(json_object_get(m, "new")), 1);
        m = metric(cmp, "max");
        assert_int_equal(json_integer_value(json_object_get(m, "new")), 61);
        m = metric(cmp, "duration");
        assert_true(json_real_value(json_object_get(m, "old")) == 3.5);
        assert_true(json_real_value(json_object_get(m, "new")) == 4.137);
        m = metric(cmp, "cpu");
        assert_true(json_real_value(json_object_get(m, "old")) == 2.0);
        assert_true(json_real_value(json_object_get(m, "new")) > 2.348 &&
                    json_real_value(json_object_get(m, "new")) < 2.350);

        /* Two "hog" of the baseline summed (40M + 4M); "make" only in the old top, "sh" only in the new. */
        procs = mc_rj_array(cmp, "processes");
        assert_int_equal(json_array_size(procs), 3);
        m = json_array_get(procs, 0);
        assert_string_equal(mc_rj_str(m, "name"), "hog");
        assert_int_equal(json_integer_value(json_object_get(m, "old_pss")), 44 << 20);
        assert_int_equal(json_integer_value(json_object_get(m, "new_pss")), 64225280);
        assert_true(json_is_true(json_object_get(m, "worse")));
        m = json_array_get(procs, 1);
        assert_string_equal(mc_rj_str(m, "name"), "make");
        assert_true(json_is_null(json_object_get(m, "new_pss")));
        assert_true(json_is_null(json_object_get(m, "delta")));
        assert_true(json_is_false(json_object_get(m, "worse")));
        m = json_array_get(procs, 2);
        assert_string_equal(mc_rj_str(m, "name"), "sh");
        assert_true(json_is_null(json_object_get(m, "old_pss")));
        assert_true(json_is_true(json_object_get(m, "worse")));

        assert_string_equal(mc_rj_str(mc_rj_obj(cmp, "old"), "verdict"), "ok");
        assert_non_null(strstr(mc_rj_str(mc_rj_obj(cmp, "new"), "command"), "hog 300"));
        json_decref(cmp);
        json_decref(old);
        json_decref(new);
}

/* A run that never started, or ran without sampling: unknown metrics, never worse. */
static void test_compare_unknown(void **state)
{
        struct mc_error err = { 0 };
        json_t *old = parse_json(
                "{\"schema\": 1, \"command\": [\"true\"], \"exit\": null, \"memory\": {\"peak\": null},"
                " \"events\": null, \"duration_s\": null, \"status\": 125}");
        json_t *new = load_report_fixture("report-full.json"), *cmp = NULL, *m;

        assert_int_equal(mc_compare_reports(old, new, &cmp, &err), 0);
        for (int i = 0; i < MC_COMPARE_N_METRICS; i++) {
                m = json_array_get(mc_rj_array(cmp, "metrics"), (size_t)i);
                assert_true(json_is_null(json_object_get(m, "old")));
                assert_true(json_is_number(json_object_get(m, "new")));
                assert_true(json_is_null(json_object_get(m, "delta")));
                assert_true(json_is_null(json_object_get(m, "change")));
                assert_true(json_is_false(json_object_get(m, "worse")));
        }
        assert_string_equal(mc_rj_str(mc_rj_obj(cmp, "old"), "verdict"),
                            "unknown (the command did not run)");
        json_decref(cmp);
        json_decref(old);
        json_decref(new);
}

static json_t *judge(const char *old_json, const char *new_json, const char *list, size_t *ret_matched)
{
        struct mc_error err = { 0 };
        struct mc_thresholds th;
        unsigned mask;
        json_t *old = parse_json(old_json), *new = parse_json(new_json), *cmp = NULL, *judged = NULL;

        assert_int_equal(mc_fail_on_parse_list(list, &mask, &th, &err), 0);
        assert_int_equal(mc_compare_reports(old, new, &cmp, &err), 0);
        assert_int_equal(mc_thresholds_judge(cmp, &th, &judged, ret_matched, &err), 0);
        assert_int_equal(json_array_size(judged), th.n);
        json_decref(cmp);
        json_decref(old);
        json_decref(new);
        return judged;
}

#define PEAK(n) "{\"schema\": 1, \"memory\": {\"peak\": " #n "}}"

static void test_thresholds_judge(void **state)
{
        size_t matched = 99;
        json_t *j, *e;

        /* The new value against old + margin, strictly over: exactly 10% more is within peak+10%. */
        j = judge(PEAK(1000), PEAK(1100), "peak+10%", &matched);
        assert_int_equal(matched, 0);
        e = json_array_get(j, 0);
        assert_string_equal(mc_rj_str(e, "threshold"), "peak+10%");
        assert_string_equal(mc_rj_str(e, "metric"), "peak");
        assert_int_equal(json_integer_value(json_object_get(e, "old")), 1000);
        assert_int_equal(json_integer_value(json_object_get(e, "new")), 1100);
        assert_int_equal(json_integer_value(json_object_get(e, "limit")), 1100);
        assert_true(json_is_false(json_object_get(e, "matched")));
        json_decref(j);
        j = judge(PEAK(1000), PEAK(1101), "peak+10%", &matched);
        assert_int_equal(matched, 1);
        assert_true(json_is_true(json_object_get(json_array_get(j, 0), "matched")));
        json_decref(j);

        /* An absolute margin; a smaller new value never matches. */
        j = judge(PEAK(104857600), PEAK(171966464), "peak+64M", &matched);
        assert_int_equal(matched, 0);
        json_decref(j);
        j = judge(PEAK(104857600), PEAK(171966465), "peak+64M,peak+100%", &matched);
        assert_int_equal(matched, 1);
        assert_true(json_is_true(json_object_get(json_array_get(j, 0), "matched")));
        assert_true(json_is_false(json_object_get(json_array_get(j, 1), "matched")));
        json_decref(j);
        j = judge(PEAK(2000), PEAK(1000), "peak+0%,peak+0", &matched);
        assert_int_equal(matched, 0);
        json_decref(j);

        /* A limit past what a report holds is kept at 2^64, so that the report stays readable. */
        j = judge(PEAK(9223372036854775807), PEAK(9223372036854775807), "peak+9999999999%", &matched);
        assert_int_equal(matched, 0);
        assert_true(json_real_value(json_object_get(json_array_get(j, 0), "limit")) == MC_RJ_NUMBER_LIMIT);
        json_decref(j);

        /* A percent of 0 is 0: from a baseline of 0, any increase matches, none does not. */
        j = judge(PEAK(0), PEAK(1), "peak+50%", &matched);
        assert_int_equal(matched, 1);
        json_decref(j);
        j = judge(PEAK(0), PEAK(0), "peak+50%", &matched);
        assert_int_equal(matched, 0);
        json_decref(j);

        /* New OOM kills: oom+0 matches more kills than the baseline had, not as many. */
        j = judge("{\"schema\": 1, \"events\": {\"oom_kill\": 1}}",
                  "{\"schema\": 1, \"events\": {\"oom_kill\": 1}}", "oom+0", &matched);
        assert_int_equal(matched, 0);
        json_decref(j);
        j = judge("{\"schema\": 1, \"events\": {\"oom_kill\": 0}}",
                  "{\"schema\": 1, \"oom_kills\": [{\"pid\": 5}]}", "oom+0", &matched);
        assert_int_equal(matched, 1);
        json_decref(j);

        /* Stall in seconds from the microsecond totals. */
        j = judge("{\"schema\": 1, \"pressure\": {\"full_total_us\": 200000}}",
                  "{\"schema\": 1, \"pressure\": {\"full_total_us\": 1300000, \"some_total_us\": 9000000}}",
                  "stall+1s,stall-some+1s", &matched);
        assert_int_equal(matched, 1);
        e = json_array_get(j, 0);
        assert_true(json_is_true(json_object_get(e, "matched")));
        assert_true(json_real_value(json_object_get(e, "limit")) > 1.1999 &&
                    json_real_value(json_object_get(e, "limit")) < 1.2001);
        /* some_total_us missing from the baseline: not judged, the values null. */
        e = json_array_get(j, 1);
        assert_true(json_is_false(json_object_get(e, "matched")));
        assert_true(json_is_null(json_object_get(e, "old")));
        assert_true(json_is_null(json_object_get(e, "new")));
        assert_true(json_is_null(json_object_get(e, "limit")));
        json_decref(j);
}

/* The whole comparison of the fixtures with thresholds judged, byte for byte. */
static void test_text_golden(void **state)
{
        struct mc_error err = { 0 };
        struct mc_thresholds th;
        unsigned mask;
        size_t matched;
        json_t *old = load_report_fixture("report-baseline.json"),
               *new = load_report_fixture("report-full.json");
        json_t *cmp = NULL, *judged = NULL, *fo;
        char *want = read_fixture("compare-full.txt"), *got = NULL;
        char buf[MC_THRESHOLDS_STR_MAX];

        assert_int_equal(
                mc_fail_on_parse_list("oom,peak+10%,stall+1s,duration+20%,stall-some+1s", &mask, &th, &err),
                0);
        assert_int_equal(mc_compare_reports(old, new, &cmp, &err), 0);
        assert_int_equal(mc_thresholds_judge(cmp, &th, &judged, &matched, &err), 0);
        assert_int_equal(matched, 1);
        fo = mc_fail_on_to_json(mask, mc_fail_on_match(new, mask));
        assert_int_equal(json_object_set_new(fo, "thresholds", judged), 0);
        assert_int_equal(json_object_set_new(cmp, "fail_on", fo), 0);
        assert_string_equal(mc_thresholds_format(fo, buf, sizeof(buf)), "peak+10% (64M over 52.8M)");

        assert_int_equal(mc_compare_text(cmp, 0, &got, &err), 0);
        if (!streq(got, want))
                fail_msg("comparison differs from compare-full.txt; got:\n%s", got);
        free(got);

        /* memcage run's block: the metrics and the thresholds, no processes, no commands. */
        assert_int_equal(mc_compare_text(cmp, MC_COMPARE_TEXT_SHORT, &got, &err), 0);
        assert_null(strstr(got, "processes"));
        assert_null(strstr(got, "baseline"));
        assert_non_null(strstr(got, "peak                  48M          64M     +33.3%  worse\n"));
        assert_non_null(strstr(got, "             peak+10%: 64M over 52.8M (old 48M): matched\n"));
        free(got);
        free(want);
        json_decref(cmp);
        json_decref(old);
        json_decref(new);
}

/* Process names reach a terminal: control characters are escaped. */
static void test_text_control_characters(void **state)
{
        struct mc_error err = { 0 };
        json_t *old = parse_json(
                "{\"schema\": 1, \"processes\": {\"top\": [{\"name\": \"a\\u001b[2Jb\", \"pss\": 4096}]}}");
        json_t *cmp = NULL;
        char *got = NULL;

        assert_int_equal(mc_compare_reports(old, old, &cmp, &err), 0);
        assert_int_equal(mc_compare_text(cmp, 0, &got, &err), 0);
        assert_null(strchr(got, '\033'));
        assert_non_null(strstr(got, "a\\x1b[2Jb"));
        free(got);
        json_decref(cmp);
        json_decref(old);
}

/* The text of a report judged against a baseline lists its thresholds in the fail-on line. */
static void test_report_text_thresholds(void **state)
{
        /* cpu+1s is listed among what was asked, not among what matched. */
        static const char *const cases[][2] = {
                { "\"conditions\": [\"oom\"], \"matched\": []",
                  "fail-on      oom, peak+10%, cpu+1s: matched peak+10%\n" },
                { "\"conditions\": [\"oom\"], \"matched\": [\"oom\"]",
                  "fail-on      oom, peak+10%, cpu+1s: matched oom, peak+10%\n" },
                { "\"conditions\": [], \"matched\": []",
                  "fail-on      peak+10%, cpu+1s: matched peak+10%\n" },
        };
        for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
                struct mc_error err = { 0 };
                char doc[1024], *got = NULL;
                snprintf(doc, sizeof(doc),
                         "{\"schema\": 1, \"fail_on\": {%s, \"thresholds\": [{\"threshold\": \"peak+10%%\","
                         " \"metric\": \"peak\", \"old\": 100, \"new\": 200, \"limit\": 110, \"matched\": "
                         "true},"
                         " {\"threshold\": \"cpu+1s\", \"metric\": \"cpu\", \"old\": 1, \"new\": 1, "
                         "\"limit\": 2,"
                         " \"matched\": false}]}}",
                         cases[k][0]);
                json_t *j = parse_json(doc);
                assert_int_equal(mc_report_text(j, 0, &got, &err), 0);
                if (!strstr(got, cases[k][1]))
                        fail_msg("want '%s' in:\n%s", cases[k][1], got);
                free(got);
                json_decref(j);
        }
}

static void test_load_errors(void **state)
{
        struct mc_error err = { 0 };
        char path[] = "/tmp/memcage-compare-XXXXXX";
        json_t *j = NULL;
        int fd = mkstemp(path);

        assert_true(fd >= 0);
        assert_int_equal(mc_compare_load("/nonexistent/old.json", &j, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "/nonexistent/old.json"));

        assert_int_equal(write(fd, "{\"schema\": 1, \"memory\": {\"peak\": -1}}", 37), 37);
        assert_int_equal(mc_compare_load(path, &j, &err), -ERANGE);
        assert_non_null(strstr(err.msg, path));
        assert_non_null(strstr(err.msg, "memory.peak"));

        assert_int_equal(ftruncate(fd, 0), 0);
        assert_int_equal(pwrite(fd, "{\"schema\": 1", 12, 0), 12);
        assert_int_equal(mc_compare_load(path, &j, &err), -EINVAL);
        assert_non_null(strstr(err.msg, path));
        assert_null(j);
        close(fd);
        unlink(path);
}

/* A run's report judged: its fail_on, the status a match gives, and the comparison's thresholds. */
static json_t *judge_run(const char *report_json, const char *list, bool with_baseline, int status,
                         struct mc_judgement *ret, json_t **ret_cmp)
{
        struct mc_error err = { 0 };
        struct mc_thresholds th = { 0 };
        unsigned mask = 0;
        json_t *report = parse_json(report_json), *cmp = NULL;

        if (list)
                assert_int_equal(mc_fail_on_parse_list(list, &mask, &th, &err), 0);
        if (with_baseline) {
                json_t *old = parse_json("{\"schema\": 1, \"memory\": {\"peak\": 1000}}");
                assert_int_equal(mc_compare_reports(old, report, &cmp, &err), 0);
                json_decref(old);
        }
        assert_int_equal(mc_report_judge(report, mask, &th, cmp, status, ret, &err), 0);
        *ret_cmp = cmp;
        return report;
}

#define RUN(peak, oom)                                                 \
        "{\"schema\": 1, \"status\": 0, \"memory\": {\"peak\": " #peak \
        "}, \"events\": {\"oom_kill\": " #oom "}}"

static void assert_names(const json_t *fail_on, const char *key, const char *want)
{
        json_t *a = mc_rj_array(fail_on, key), *e;
        char got[128] = "";
        size_t i, len = 0;
        assert_non_null(a);
        json_array_foreach(a, i, e)
        {
                len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", i ? "," : "",
                                        json_string_value(e));
        }
        assert_string_equal(got, want);
}

static void test_report_judge(void **state)
{
        struct mc_judgement jg;
        json_t *r, *cmp, *fo;

        /* A condition met turns a successful run into 123, recorded in the report. */
        r = judge_run(RUN(900, 2), "oom,high", false, 0, &jg, &cmp);
        assert_int_equal(jg.matched, MC_FAIL_ON_OOM);
        assert_int_equal(jg.n_thresholds, 0);
        assert_int_equal(jg.status, MC_FAIL_ON_EXIT_STATUS);
        assert_int_equal(json_integer_value(json_object_get(r, "status")), 123);
        fo = mc_rj_obj(r, "fail_on");
        assert_names(fo, "conditions", "oom,high");
        assert_names(fo, "matched", "oom");
        assert_null(json_object_get(fo, "thresholds"));
        assert_null(cmp);
        json_decref(r);

        /* None met: the status stays, the report still says what was judged. */
        r = judge_run(RUN(900, 0), "oom", false, 0, &jg, &cmp);
        assert_int_equal(jg.matched, 0);
        assert_int_equal(jg.status, 0);
        assert_int_equal(json_integer_value(json_object_get(r, "status")), 0);
        assert_names(mc_rj_obj(r, "fail_on"), "matched", "");
        json_decref(r);

        /* The command's own failure wins over a condition met. */
        r = judge_run(RUN(900, 1), "oom", false, 137, &jg, &cmp);
        assert_int_equal(jg.matched, MC_FAIL_ON_OOM);
        assert_int_equal(jg.status, 137);
        assert_int_equal(json_integer_value(json_object_get(r, "status")), 0);
        assert_names(mc_rj_obj(r, "fail_on"), "matched", "oom");
        json_decref(r);

        /* Thresholds only: judged on the comparison, which gets them too. */
        r = judge_run(RUN(2000, 1), "peak+10%", true, 0, &jg, &cmp);
        assert_int_equal(jg.matched, 0);
        assert_int_equal(jg.n_thresholds, 1);
        assert_int_equal(jg.status, 123);
        fo = mc_rj_obj(r, "fail_on");
        assert_names(fo, "conditions", "");
        json_t *t = mc_rj_array(fo, "thresholds");
        assert_int_equal(json_array_size(t), 1);
        assert_string_equal(mc_rj_str(json_array_get(t, 0), "threshold"), "peak+10%");
        assert_true(json_is_true(json_object_get(json_array_get(t, 0), "matched")));
        assert_ptr_equal(mc_rj_array(mc_rj_obj(cmp, "fail_on"), "thresholds"), t);
        json_decref(cmp);
        json_decref(r);

        /* Both, one of each met; a threshold within its margin is not. */
        r = judge_run(RUN(1050, 1), "oom,peak+10%,peak+1%", true, 0, &jg, &cmp);
        assert_int_equal(jg.matched, MC_FAIL_ON_OOM);
        assert_int_equal(jg.n_thresholds, 1);
        assert_int_equal(jg.status, 123);
        assert_int_equal(json_array_size(mc_rj_array(mc_rj_obj(r, "fail_on"), "thresholds")), 2);
        json_decref(cmp);
        json_decref(r);
        r = judge_run(RUN(1050, 0), "oom,peak+10%", true, 0, &jg, &cmp);
        assert_int_equal(jg.matched, 0);
        assert_int_equal(jg.n_thresholds, 0);
        assert_int_equal(jg.status, 0);
        json_decref(cmp);
        json_decref(r);

        /* A threshold without a comparison (the command never ran) is not judged. */
        r = judge_run(RUN(2000, 0), "peak+10%", false, 0, &jg, &cmp);
        assert_int_equal(jg.status, 0);
        assert_non_null(mc_rj_obj(r, "fail_on"));
        assert_null(json_object_get(mc_rj_obj(r, "fail_on"), "thresholds"));
        json_decref(r);

        /* No --fail-on: no fail_on in the report, but the comparison still lists its (no) thresholds. */
        r = judge_run(RUN(2000, 3), NULL, true, 0, &jg, &cmp);
        assert_int_equal(jg.status, 0);
        assert_null(json_object_get(r, "fail_on"));
        assert_int_equal(json_array_size(mc_rj_array(mc_rj_obj(cmp, "fail_on"), "thresholds")), 0);
        json_decref(cmp);
        json_decref(r);
}

#define STEP(name, peak, dur)                                                                       \
        "{\"name\": \"" name "\", \"start_s\": 0, \"duration_s\": " #dur ", \"peak\": " #peak       \
        ", \"peak_source\": \"kernel\", \"swap_peak\": null, \"swap_peak_source\": null,"           \
        " \"some_total_us\": 0, \"full_total_us\": 0, \"oom_kills\": 0, \"events\": {\"high\": 0, " \
        "\"max\": 0}}"
#define STEPS_RUN(steps) \
        "{\"schema\": 1, \"status\": 0, \"memory\": {\"peak\": 1000}, \"steps\": [" steps "]}"

static json_t *step_entry(const json_t *cmp, size_t i)
{
        json_t *e = json_array_get(mc_rj_array(cmp, "steps"), i);
        assert_non_null(e);
        return e;
}

static void assert_index(const json_t *e, const char *key, json_int_t want)
{
        json_t *v = json_object_get(e, key);
        if (want < 0)
                assert_true(json_is_null(v));
        else
                assert_int_equal(json_integer_value(v), want);
}

/*
 * Steps matched by name, the first of each: "build" in both (compared),
 * "test" twice in the new report (the second repeated), "lint" only new,
 * "pack" only in the baseline; the baseline's own repeat of "build" ignored.
 */
static void test_compare_steps(void **state)
{
        struct mc_error err = { 0 };
        json_t *old = parse_json(STEPS_RUN(STEP("build", 100, 1.0) "," STEP("test", 200, 2.0) "," STEP(
                "build", 900, 1.0) "," STEP("pack", 50, 0.5)));
        json_t *new = parse_json(STEPS_RUN(STEP("build", 150, 1.5) "," STEP("test", 200, 2.0) "," STEP(
                "lint", 10, 0.1) "," STEP("test", 999, 3.0)));
        json_t *cmp = NULL, *e, *m;

        assert_int_equal(mc_compare_reports(old, new, &cmp, &err), 0);
        assert_int_equal(json_array_size(mc_rj_array(cmp, "steps")), 5);

        e = step_entry(cmp, 0);
        assert_string_equal(mc_rj_str(e, "name"), "build");
        assert_string_equal(mc_rj_str(e, "match"), "both");
        assert_index(e, "old_index", 0);
        assert_index(e, "new_index", 0);
        /* The run's metrics but cpu, which a step has not. */
        assert_int_equal(json_array_size(mc_rj_array(e, "metrics")), MC_COMPARE_N_METRICS - 1);
        m = metric(e, "peak");
        assert_int_equal(json_integer_value(json_object_get(m, "old")), 100);
        assert_int_equal(json_integer_value(json_object_get(m, "new")), 150);
        assert_true(json_is_true(json_object_get(m, "worse")));
        m = metric(e, "duration");
        assert_true(json_real_value(json_object_get(m, "new")) == 1.5);
        assert_true(json_is_null(json_object_get(metric(e, "swap_peak"), "old")));

        e = step_entry(cmp, 1);
        assert_string_equal(mc_rj_str(e, "match"), "both");
        assert_index(e, "old_index", 1);
        assert_true(json_is_false(json_object_get(metric(e, "peak"), "worse")));

        e = step_entry(cmp, 2);
        assert_string_equal(mc_rj_str(e, "name"), "lint");
        assert_string_equal(mc_rj_str(e, "match"), "new");
        assert_index(e, "old_index", -1);
        assert_index(e, "new_index", 2);
        assert_int_equal(json_array_size(mc_rj_array(e, "metrics")), 0);

        e = step_entry(cmp, 3);
        assert_string_equal(mc_rj_str(e, "name"), "test");
        assert_string_equal(mc_rj_str(e, "match"), "repeated");
        assert_index(e, "new_index", 3);
        assert_int_equal(json_array_size(mc_rj_array(e, "metrics")), 0);

        e = step_entry(cmp, 4);
        assert_string_equal(mc_rj_str(e, "name"), "pack");
        assert_string_equal(mc_rj_str(e, "match"), "old");
        assert_index(e, "old_index", 3);
        assert_index(e, "new_index", -1);

        json_decref(cmp);
        json_decref(old);
        json_decref(new);

        /* Reports without steps (older versions): an empty list. */
        old = parse_json(PEAK(1));
        assert_int_equal(mc_compare_reports(old, old, &cmp, &err), 0);
        assert_int_equal(json_array_size(mc_rj_array(cmp, "steps")), 0);
        json_decref(cmp);
        json_decref(old);
}

/*
 * --fail-on judges each step against the baseline's of its name: the run's
 * own peak within its margin, one step's grown 50%: the run fails (123),
 * the step records what matched, the report's fail_on names it.
 */
static void test_steps_judge(void **state)
{
        struct mc_error err = { 0 };
        struct mc_thresholds th = { 0 };
        struct mc_judgement jg;
        unsigned mask = 0;
        json_t *old = parse_json(STEPS_RUN(STEP("build", 100, 1.0) "," STEP("test", 200, 2.0)));
        json_t *report = parse_json(STEPS_RUN(STEP("build", 150, 1.0) "," STEP("test", 210, 2.0) "," STEP(
                "test", 900, 2.0) "," STEP("lint", 999, 1.0)));
        json_t *cmp = NULL, *fo, *t, *step;
        char buf[MC_THRESHOLDS_STR_MAX];
        _cleanup_free_ char *text = NULL;

        assert_int_equal(mc_fail_on_parse_list("peak+10%,cpu+1s", &mask, &th, &err), 0);
        assert_int_equal(mc_compare_reports(old, report, &cmp, &err), 0);
        assert_int_equal(mc_report_judge(report, mask, &th, cmp, 0, &jg, &err), 0);
        assert_int_equal(jg.n_thresholds, 0);
        assert_int_equal(jg.n_step_thresholds, 1);
        assert_int_equal(jg.status, MC_FAIL_ON_EXIT_STATUS);
        assert_int_equal(json_integer_value(json_object_get(report, "status")), 123);
        assert_names(mc_rj_obj(report, "fail_on"), "steps", "build");

        /* build: peak 150 over 110; cpu, which a step lacks, not judged. */
        step = json_array_get(mc_rj_array(report, "steps"), 0);
        fo = mc_rj_obj(step, "fail_on");
        assert_non_null(fo);
        assert_int_equal(json_array_size(mc_rj_array(fo, "thresholds")), 2);
        t = json_array_get(mc_rj_array(fo, "thresholds"), 0);
        assert_true(json_is_true(json_object_get(t, "matched")));
        assert_int_equal(json_integer_value(json_object_get(t, "limit")), 110);
        t = json_array_get(mc_rj_array(fo, "thresholds"), 1);
        assert_true(json_is_false(json_object_get(t, "matched")));
        assert_true(json_is_null(json_object_get(t, "new")));
        assert_string_equal(mc_thresholds_format(fo, buf, sizeof(buf)), "peak+10% (150B over 110B)");

        /* test: within 10%; its repeat and lint (no baseline) not judged. */
        step = json_array_get(mc_rj_array(report, "steps"), 1);
        assert_false(json_is_true(json_object_get(
                json_array_get(mc_rj_array(mc_rj_obj(step, "fail_on"), "thresholds"), 0), "matched")));
        assert_null(json_object_get(json_array_get(mc_rj_array(report, "steps"), 2), "fail_on"));
        assert_null(json_object_get(json_array_get(mc_rj_array(report, "steps"), 3), "fail_on"));

        assert_string_equal(mc_steps_thresholds_format(cmp, buf, sizeof(buf)),
                            "step 'build': peak+10% (150B over 110B)");
        assert_int_equal(mc_compare_text(cmp, MC_COMPARE_TEXT_SHORT, &text, &err), 0);
        assert_non_null(strstr(text, "steps        matched by name"));
        assert_non_null(strstr(text, "  build\n    peak"));
        assert_non_null(strstr(text, "  test: repeated, not compared\n"));
        assert_non_null(strstr(text, "  lint: only in the new report\n"));
        assert_non_null(strstr(text, "step build, peak+10%: 150B over 110B (old 100B): matched\n"));

        json_decref(cmp);
        json_decref(report);

        /* Every step within: the run passes, the text says none matched. */
        report = parse_json(STEPS_RUN(STEP("build", 105, 1.0) "," STEP("test", 200, 2.0)));
        assert_int_equal(mc_compare_reports(old, report, &cmp, &err), 0);
        assert_int_equal(mc_report_judge(report, mask, &th, cmp, 0, &jg, &err), 0);
        assert_int_equal(jg.n_step_thresholds, 0);
        assert_int_equal(jg.status, 0);
        assert_names(mc_rj_obj(report, "fail_on"), "steps", "");
        free(TAKE_PTR(text));
        assert_int_equal(mc_compare_text(cmp, 0, &text, &err), 0);
        assert_non_null(strstr(text, "steps: none matched in the 2 compared\n"));
        json_decref(cmp);
        json_decref(report);
        json_decref(old);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_threshold_parse),         cmocka_unit_test(test_fail_on_list),
                cmocka_unit_test(test_compare_fixtures),        cmocka_unit_test(test_compare_unknown),
                cmocka_unit_test(test_thresholds_judge),        cmocka_unit_test(test_text_golden),
                cmocka_unit_test(test_text_control_characters), cmocka_unit_test(test_load_errors),
                cmocka_unit_test(test_report_text_thresholds),  cmocka_unit_test(test_report_judge),
                cmocka_unit_test(test_compare_steps),           cmocka_unit_test(test_steps_judge),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
