/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The metrics rendering of a report: names, families, values and label escaping. */
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

#include "report-openmetrics.h"
#include "report-fixture.h"
#include "util.h"

static char *render(const json_t *j)
{
        struct mc_error err = { 0 };
        char *s = NULL;
        assert_int_equal(mc_report_openmetrics(j, &s, &err), 0);
        assert_non_null(s);
        return s;
}

#define assert_contains(hay, needle)                                         \
        do {                                                                 \
                if (!strstr((hay), (needle)))                                \
                        fail_msg("'%s' not found in:\n%s", (needle), (hay)); \
        } while (0)
#define assert_lacks(hay, needle)                                                     \
        do {                                                                          \
                if (strstr((hay), (needle)))                                          \
                        fail_msg("'%s' unexpectedly found in:\n%s", (needle), (hay)); \
        } while (0)

/* How many lines of s start with prefix. */
static size_t count_lines(const char *s, const char *prefix)
{
        size_t n = 0, len = strlen(prefix);
        for (const char *p = s; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
                n += strncmp(p, prefix, len) == 0;
        return n;
}

/* The OOM-killed fixture run, byte for byte. */
static void test_golden(void **state)
{
        json_t *j = load_fixture("report-full.json");
        char *got = render(j), *want = read_fixture("report-full.prom");
        if (!streq(got, want))
                fail_msg("metrics differ from report-full.prom; got:\n%s", got);
        free(got);
        free(want);
        json_decref(j);
}

/*
 * Each family once, HELP then TYPE right before its samples; the file ends
 * in "# EOF"; the values are the report's, in base units.
 */
static void test_ok(void **state)
{
        static const char *const families[] = {
                "memcage_peak_bytes gauge",
                "memcage_swap_peak_bytes gauge",
                "memcage_pressure_stall_seconds gauge",
                "memcage_oom_kills gauge",
                "memcage_events gauge",
                "memcage_exit_status gauge",
                "memcage_duration_seconds gauge",
        };
        json_t *j = load_fixture("report-ok.json");
        char *s = render(j);
        const char *l = "{profile=\"ci\",command=\"make\"";

        for (size_t i = 0; i < ELEMENTSOF(families); i++) {
                char type[128], help[128];
                snprintf(type, sizeof(type), "# TYPE %s", families[i]);
                snprintf(help, sizeof(help), "# HELP %.*s ", (int)strcspn(families[i], " "), families[i]);
                assert_int_equal(count_lines(s, type), 1);
                assert_int_equal(count_lines(s, help), 1);
                assert_true(strstr(s, help) < strstr(s, type));
        }
        assert_int_equal(count_lines(s, "# TYPE "), ELEMENTSOF(families));
        assert_true(strlen(s) > 6 && streq(s + strlen(s) - 6, "# EOF\n"));
        assert_int_equal(count_lines(s, "# EOF"), 1);

        char line[256];
        snprintf(line, sizeof(line), "\nmemcage_peak_bytes%s} 52428800\n", l);
        assert_contains(s, line);
        snprintf(line, sizeof(line), "\nmemcage_swap_peak_bytes%s} 0\n", l);
        assert_contains(s, line);
        snprintf(line, sizeof(line), "\nmemcage_pressure_stall_seconds%s,kind=\"some\"} 0.001500\n", l);
        assert_contains(s, line);
        snprintf(line, sizeof(line), "\nmemcage_pressure_stall_seconds%s,kind=\"full\"} 0.000000\n", l);
        assert_contains(s, line);
        snprintf(line, sizeof(line), "\nmemcage_oom_kills%s} 0\n", l);
        assert_contains(s, line);
        snprintf(line, sizeof(line), "\nmemcage_events%s,event=\"oom_kill\"} 0\n", l);
        assert_contains(s, line);
        snprintf(line, sizeof(line), "\nmemcage_events%s,event=\"swap_fail\"} 0\n", l);
        assert_contains(s, line);
        snprintf(line, sizeof(line), "\nmemcage_exit_status%s} 0\n", l);
        assert_contains(s, line);
        snprintf(line, sizeof(line), "\nmemcage_duration_seconds%s} 12.500000\n", l);
        assert_contains(s, line);
        assert_contains(s, "# UNIT memcage_peak_bytes bytes\n");
        assert_contains(s, "# UNIT memcage_duration_seconds seconds\n");
        free(s);
        json_decref(j);
}

/* What the report does not know (sampling off, an old kernel) is absent, family and all, never 0. */
static void test_unknown_left_out(void **state)
{
        json_t *j = load_fixture("report-ok.json");
        json_t *memory = json_object_get(j, "memory");
        assert_int_equal(json_object_set_new(memory, "peak", json_null()), 0);
        assert_int_equal(json_object_del(memory, "swap_peak"), 0);
        assert_int_equal(json_object_set_new(j, "pressure", json_null()), 0);
        assert_int_equal(json_object_set_new(j, "duration_s", json_null()), 0);
        char *s = render(j);
        assert_lacks(s, "memcage_peak_bytes");
        assert_lacks(s, "memcage_swap_peak_bytes");
        assert_lacks(s, "memcage_pressure_stall_seconds");
        assert_lacks(s, "memcage_duration_seconds");
        assert_contains(s, "memcage_exit_status{");
        free(s);
        json_decref(j);
}

/*
 * Quotes, backslashes and newlines escaped in label values, control
 * characters as \xHH; the command label is the command's name alone (the
 * last part of argv[0]), cut after MC_OPENMETRICS_COMMAND_MAX bytes.
 */
static void test_crafted_labels(void **state)
{
        json_t *j = load_fixture("report-crafted.json");
        char *s = render(j);
        const char *line = strstr(s, "\nmemcage_exit_status{");
        assert_non_null(line);
        assert_contains(s, "\nmemcage_exit_status{profile=\"p\\\"q\\\\r\\\\x0az\",command=\"sh\"} 137\n");
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
                        fail_msg("raw byte 0x%02x at offset %td", *p, (const char *)p - s);
        free(s);

        /* A name full of markup and control characters, long, in a directory. */
        char argv0[200] = "/opt/tools/n\"a\\m\x1b";
        memset(argv0 + strlen(argv0), 'y', 150);
        json_t *cmd = json_pack("[s, s]", argv0, "--arg");
        assert_non_null(cmd);
        assert_int_equal(json_object_set_new(j, "command", cmd), 0);
        s = render(j);
        line = strstr(s, "\nmemcage_exit_status{");
        assert_non_null(line);
        line++;
        assert_true(strncmp(line,
                            "memcage_exit_status{profile=\"p\\\"q\\\\r\\\\x0az\",command="
                            "\"n\\\"a\\\\m\\\\x1byyy",
                            strlen("memcage_exit_status{profile=\"p\\\"q\\\\r\\\\x0az\",command="
                                   "\"n\\\"a\\\\m\\\\x1byyy")) == 0);
        size_t len = strcspn(line, "\n");
        assert_true(len > 12 && strncmp(line + len - 12, "yyy...\"} 137", 12) == 0);
        /* Unescaped, the command label holds MC_OPENMETRICS_COMMAND_MAX bytes at most, then "...". */
        const char *c = strstr(line, "command=\"") + strlen("command=\"");
        size_t raw = 0;
        for (const char *p = c; *p != '"'; p++, raw++)
                if (*p == '\\')
                        p++;
        assert_true(raw <= MC_OPENMETRICS_COMMAND_MAX + 3);
        assert_true(raw > MC_OPENMETRICS_COMMAND_MAX - 4);
        assert_lacks(s, "--arg");
        free(s);
        json_decref(j);
}

/* Runs of one command with other arguments are the same series: the labels do not change. */
static void test_labels_without_arguments(void **state)
{
        json_t *a = load_fixture("report-ok.json"), *b = load_fixture("report-ok.json");
        assert_int_equal(
                json_object_set_new(a, "command", json_pack("[s, s, s]", "/usr/bin/make", "-j8", "check")),
                0);
        assert_int_equal(json_object_set_new(b, "command", json_pack("[s, s]", "make", "test-2026-12-07")),
                         0);
        char *sa = render(a), *sb = render(b);
        assert_string_equal(sa, sb);
        assert_contains(sa, "\nmemcage_exit_status{profile=\"ci\",command=\"make\"} 0\n");
        free(sa);
        free(sb);
        json_decref(a);
        json_decref(b);
}

/* Event keys come from the report too: a crafted one is escaped like any label value. */
static void test_crafted_event_keys(void **state)
{
        json_t *j = load_fixture("report-full.json");
        json_t *events = json_object_get(j, "events");
        assert_non_null(events);
        assert_int_equal(json_object_set_new(events, "x\x1b]0;owned\x07\r\"y\\", json_integer(3)), 0);
        char *s = render(j);
        assert_contains(s, ",event=\"x\\\\x1b]0;owned\\\\x07\\\\x0d\\\"y\\\\\"} 3\n");
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
                        fail_msg("raw byte 0x%02x at offset %td", *p, (const char *)p - s);
        free(s);
        json_decref(j);
}

static void test_escape_label(void **state)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        assert_non_null(f);
        mc_openmetrics_escape_label(f, "a\\b\"c\nd\te");
        assert_int_equal(fclose(f), 0);
        assert_string_equal(out, "a\\\\b\\\"c\\nd\te");
        free(out);
}

/* Each step a series with a step label (escaped) and its index; two steps of one name stay apart. */
static void test_steps(void **state)
{
        json_t *j = load_fixture("report-ok.json");
        json_error_t e;
        json_t *steps = json_loads(
                "[{\"name\": \"build\", \"start_s\": 0, \"duration_s\": 1.25, \"peak\": 43000000, "
                "\"oom_kills\": 0}, {\"name\": \"te\\\"st\", \"start_s\": 1.25, \"duration_s\": 2, "
                "\"peak\": 130000000, \"oom_kills\": 1}, {\"name\": \"build\", \"start_s\": 3.25, "
                "\"duration_s\": 0.5, \"peak\": null, \"oom_kills\": 0}]",
                0, &e);
        assert_non_null(steps);
        assert_int_equal(json_object_set_new(j, "steps", steps), 0);
        char *s = render(j);
        assert_contains(
                s, "# TYPE memcage_step_peak_bytes gauge\n# UNIT memcage_step_peak_bytes bytes\n"
                   "memcage_step_peak_bytes{profile=\"ci\",command=\"make\",step=\"build\",index=\"0\"} "
                   "43000000\nmemcage_step_peak_bytes{profile=\"ci\",command=\"make\",step=\"te\\\"st\","
                   "index=\"1\"} 130000000\n# HELP");
        assert_contains(
                s,
                "memcage_step_duration_seconds{profile=\"ci\",command=\"make\",step=\"build\",index=\"2\"} "
                "0.500000\n");
        assert_contains(
                s,
                "memcage_step_oom_kills{profile=\"ci\",command=\"make\",step=\"te\\\"st\",index=\"1\"} 1\n");
        assert_contains(s, "\n# EOF\n");
        free(s);
        json_decref(j);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_steps),
                cmocka_unit_test(test_golden),
                cmocka_unit_test(test_ok),
                cmocka_unit_test(test_unknown_left_out),
                cmocka_unit_test(test_crafted_labels),
                cmocka_unit_test(test_escape_label),
                cmocka_unit_test(test_crafted_event_keys),
                cmocka_unit_test(test_labels_without_arguments),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
