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

#include "report.h"
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
        r->exited = true;
        r->exit_code = 137;
        r->signal = 9;
        r->has_peak = true;
        r->peak = 67108864;
        r->has_events = true;
        assert_int_equal(mc_counters_parse("low 0\nhigh 0\nmax 53\noom 1\noom_kill 1\n", &r->events, &err),
                         0);
        assert_int_equal(
                mc_counters_parse("low 0\nhigh 0\nmax 53\noom 1\noom_kill 1\n", &r->events_local, &err), 0);
        r->duration_s = 1.25;
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

/* The fields of the event watcher and the verdict. */
static void test_json_observations(void **state)
{
        struct mc_report r;
        struct mc_error err = { 0 };
        char *s = NULL;
        struct mc_oom_kill kills[] = {
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
        r.duration_s = 123.4567891;
        mc_verdict_judge(
                &(struct mc_verdict_input){ .signaled = true, .signal = 9, .oom_kill = 1, .oom = 1 },
                &r.verdict);
        r.has_verdict = true;
        r.oom_kills = kills;
        r.n_oom_kills = 2;
        r.has_swap_events = true;
        assert_int_equal(mc_counters_parse("high 0\nmax 2\nfail 2\n", &r.swap_events, &err), 0);
        r.has_pressure = true;
        r.pressure_total_us[MC_PSI_SOME] = 500;
        r.pressure_total_us[MC_PSI_FULL] = 400;
        r.pressure_triggers = &trig;
        r.n_pressure_triggers = 1;
        r.log = log;
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
        r.signal = 0;
        r.exit_code = 3;
        r.limits.v[MC_LIMIT_MAX].value = UINT64_MAX;
        r.events.n = 0;
        assert_string_equal(mc_report_summary(&r, buf, sizeof(buf)),
                            "exit 3, peak 64M, 0 OOM kills, 1.25 s");
        r.exited = false;
        assert_string_equal(mc_report_summary(&r, buf, sizeof(buf)), "the command did not run");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_json_oom),          cmocka_unit_test(test_json_failure_before_start),
                cmocka_unit_test(test_json_observations), cmocka_unit_test(test_write_atomic),
                cmocka_unit_test(test_summary),
        };
        return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
