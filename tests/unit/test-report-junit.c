/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JUnit XML rendering of a report: its shape, its outcome and its escaping. */
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

#include "escape.h"
#include "report-junit.h"
#include "report-fixture.h"
#include "report-text.h"
#include "util.h"

static char *render(const json_t *j)
{
        struct mc_error err = { 0 };
        char *s = NULL;
        assert_int_equal(mc_report_junit(j, &s, &err), 0);
        assert_non_null(s);
        return s;
}

static char *escape(const char *s, bool attribute)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        assert_non_null(f);
        mc_xml_escape(f, s, attribute);
        assert_int_equal(fclose(f), 0);
        return out;
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

/* The OOM-killed fixture run (with --fail-on oom,pressure matched), byte for byte. */
static void test_golden(void **state)
{
        json_t *j = load_fixture("report-full.json");
        char *got = render(j), *want = read_fixture("report-full.junit.xml");
        if (!streq(got, want))
                fail_msg("JUnit report differs from report-full.junit.xml; got:\n%s", got);
        free(got);
        free(want);
        json_decref(j);
}

/* An ok run passes: no failure, no error, its figures as properties. */
static void test_ok(void **state)
{
        json_t *j = load_fixture("report-ok.json");
        char *s = render(j);
        assert_contains(s,
                        "<testsuite name=\"memcage\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\" "
                        "time=\"12.500\">");
        assert_contains(s, "<testcase name=\"make check\" classname=\"ci\" time=\"12.500\">");
        assert_contains(s, "<property name=\"memcage.verdict\" value=\"ok\"/>");
        assert_contains(s, "<property name=\"memcage.peak_bytes\" value=\"52428800\"/>");
        assert_contains(s, "<property name=\"memcage.swap_peak_bytes\" value=\"0\"/>");
        assert_contains(s, "<property name=\"memcage.pressure.some_stall_seconds\" value=\"0.001500\"/>");
        assert_contains(s, "<property name=\"memcage.oom_kills\" value=\"0\"/>");
        assert_contains(s, "<property name=\"memcage.exit_status\" value=\"0\"/>");
        assert_contains(s, "<system-out>verdict      ok\n");
        assert_lacks(s, "<failure");
        assert_lacks(s, "<error");
        assert_lacks(s, "memcage.fail_on");
        free(s);
        json_decref(j);
}

/* A command that exited 0 but met a --fail-on condition fails, naming the condition. */
static void test_fail_on_only(void **state)
{
        json_t *j = load_fixture("report-ok.json");
        assert_int_equal(json_object_set_new(j, "fail_on",
                                             json_pack("{s:[s,s], s:[s]}", "conditions", "high", "max",
                                                       "matched", "high")),
                         0);
        char *s = render(j);
        assert_contains(s, "failures=\"1\" errors=\"0\"");
        assert_contains(s, "<failure message=\"verdict ok; --fail-on matched: high\" type=\"fail-on\">");
        assert_contains(s, "<property name=\"memcage.fail_on.matched\" value=\"high\"/>");
        free(s);
        json_decref(j);
}

/* A baseline threshold that matched (run --baseline) fails the test case like a condition. */
static void test_fail_on_threshold(void **state)
{
        json_t *j = load_fixture("report-ok.json");
        assert_int_equal(
                json_object_set_new(j, "fail_on",
                                    json_pack("{s:[], s:[], s:[{s:s, s:s, s:b}, {s:s, s:s, s:b}]}",
                                              "conditions", "matched", "thresholds", "threshold", "peak+10%",
                                              "metric", "peak", "matched", 1, "threshold", "duration+20%",
                                              "metric", "duration", "matched", 0)),
                0);
        char *s = render(j);
        assert_contains(s, "failures=\"1\" errors=\"0\"");
        assert_contains(s, "<failure message=\"verdict ok; --fail-on matched: peak+10%\" type=\"fail-on\">");
        assert_lacks(s, "duration+20%\" type");
        free(s);
        json_decref(j);
}

/* exit-nonzero and a verdict this memcage does not know are failures too. */
static void test_other_verdicts(void **state)
{
        json_t *j = load_fixture("report-ok.json");
        json_t *v = json_object_get(j, "verdict");
        assert_int_equal(json_object_set_new(v, "code", json_string("exit-nonzero")), 0);
        assert_int_equal(json_object_set_new(v, "text", json_string("exit-nonzero")), 0);
        char *s = render(j);
        assert_contains(s, "failures=\"1\" errors=\"0\"");
        assert_contains(s, "<failure message=\"verdict exit-nonzero\" type=\"exit-nonzero\">");
        free(s);

        assert_int_equal(json_object_set_new(v, "code", json_string("swap-exhausted")), 0);
        assert_int_equal(json_object_set_new(v, "text", json_string("swap-exhausted")), 0);
        s = render(j);
        assert_contains(s, "<failure message=\"verdict swap-exhausted\" type=\"swap-exhausted\">");
        free(s);
        json_decref(j);
}

/* memcage's own failure, before the command ran, is an error, not a failure. */
static void test_memcage_error(void **state)
{
        json_t *j = load_fixture("report-ok.json");
        assert_int_equal(json_object_set_new(j, "verdict", json_null()), 0);
        assert_int_equal(json_object_set_new(j, "exit", json_null()), 0);
        assert_int_equal(json_object_set_new(j, "status", json_integer(125)), 0);
        assert_int_equal(json_object_set_new(j, "error", json_string("cannot create the group <x>: EACCES")),
                         0);
        char *s = render(j);
        assert_contains(s, "failures=\"0\" errors=\"1\"");
        assert_contains(s, "<error message=\"memcage failed: cannot create the group &lt;x&gt;: EACCES\" "
                           "type=\"memcage-error\">");
        assert_contains(s, "<property name=\"memcage.verdict\" value=\"none\"/>");
        assert_contains(s, "<property name=\"memcage.exit_status\" value=\"125\"/>");
        assert_lacks(s, "<failure");
        free(s);
        json_decref(j);
}

/*
 * A command line with quotes, tab, CR LF, ESC, DEL, C1, U+FFFE and "]]>":
 * nothing XML 1.0 refuses reaches the document, and what an attribute would
 * lose to whitespace normalisation is a character reference.
 */
static void test_crafted_command(void **state)
{
        json_t *j = load_fixture("report-crafted.json");
        char *s = render(j);

        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
                        fail_msg("raw byte 0x%02x at offset %td", *p, (const char *)p - s);
        assert_lacks(s, "\xef\xbf\xbe"); /* U+FFFE is not an XML character */
        assert_contains(s, "<testcase name=\"sh -c 'printf '\\''&quot;a&quot;\\tb\\n'\\'' "
                           "\\x1b[2J&#13;&#10;]]&gt; &amp; \\\\ "
                           "\\xc2\\x85\\x7f\\xef\\xbf\\xbe\xef\xbb\xbf&#9;end' xxx");
        assert_contains(s, "classname=\"p&quot;q\\r&#10;z\"");
        /* The profile's verdict from another memcage: unknown here, a failure all the same. */
        assert_contains(s, "<failure message=\"verdict pressure-killed\" type=\"pressure-killed\">");
        free(s);
        json_decref(j);
}

static void test_escape(void **state)
{
        static const struct {
                const char *in, *attr, *text;
        } cases[] = {
                { "a<b>&c", "a&lt;b&gt;&amp;c", "a&lt;b&gt;&amp;c" },
                { "\"'", "&quot;'", "\"'" },
                { "a\tb\nc\rd", "a&#9;b&#10;c&#13;d", "a\tb\nc&#13;d" },
                { "\x01\x1b\x7f", "\\x01\\x1b\\x7f", "\\x01\\x1b\\x7f" },
                /* C1 control U+009B (CSI), U+FFFE, U+FFFF; U+FFFD and U+10FFFF pass */
                { "\xc2\x9b\xef\xbf\xbe\xef\xbf\xbf\xef\xbf\xbd\xf4\x8f\xbf\xbf",
                  "\\xc2\\x9b\\xef\\xbf\\xbe\\xef\\xbf\\xbf\xef\xbf\xbd\xf4\x8f\xbf\xbf",
                  "\\xc2\\x9b\\xef\\xbf\\xbe\\xef\\xbf\\xbf\xef\xbf\xbd\xf4\x8f\xbf\xbf" },
                /* not UTF-8: a stray continuation, an overlong '/', a surrogate, a cut sequence */
                { "\x80/\xc0\xaf/\xed\xa0\x80/\xe2\x82", "\\x80/\\xc0\\xaf/\\xed\\xa0\\x80/\\xe2\\x82",
                  "\\x80/\\xc0\\xaf/\\xed\\xa0\\x80/\\xe2\\x82" },
                { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3",
                  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *a = escape(cases[i].in, true), *t = escape(cases[i].in, false);
                if (!streq(a, cases[i].attr))
                        fail_msg("case %zu as attribute: got '%s', want '%s'", i, a, cases[i].attr);
                if (!streq(t, cases[i].text))
                        fail_msg("case %zu as text: got '%s', want '%s'", i, t, cases[i].text);
                free(a);
                free(t);
        }
}

static json_t *with_steps(void)
{
        json_t *j = load_fixture("report-ok.json");
        json_error_t e;
        json_t *steps = json_loads(
                "[{\"name\": \"build\", \"start_s\": 0.01, \"duration_s\": 1.2, \"peak\": 43000000, "
                "\"peak_source\": \"kernel\", \"swap_peak\": 0, \"swap_peak_source\": \"kernel\", "
                "\"some_total_us\": 1200, \"full_total_us\": 0, \"oom_kills\": 0, \"events\": "
                "{\"oom_kill\": 0}},"
                " {\"name\": \"t<e>st\", \"start_s\": 1.21, \"duration_s\": 2.5, \"peak\": 130000000, "
                "\"peak_source\": \"sampled\", \"swap_peak\": null, \"swap_peak_source\": null, "
                "\"some_total_us\": null, \"full_total_us\": null, \"oom_kills\": 2, \"events\": "
                "{\"oom_kill\": 2}}]",
                0, &e);
        assert_non_null(steps);
        assert_int_equal(json_object_set_new(j, "steps", steps), 0);
        return j;
}

/* One test case per step after the run's; a step with an OOM kill fails, the others pass. */
static void test_steps(void **state)
{
        json_t *j = with_steps();
        char *s = render(j);
        assert_contains(s, "<testsuite name=\"memcage\" tests=\"3\" failures=\"1\" errors=\"0\"");
        assert_contains(s, "<testcase name=\"build\" classname=\"ci.steps\" time=\"1.200\">\n"
                           "    <properties>\n"
                           "    <property name=\"memcage.peak_bytes\" value=\"43000000\"/>\n"
                           "    <property name=\"memcage.peak_source\" value=\"kernel\"/>\n");
        assert_contains(s, "<testcase name=\"t&lt;e&gt;st\" classname=\"ci.steps\" time=\"2.500\">");
        assert_contains(s, "<property name=\"memcage.peak_source\" value=\"sampled\"/>");
        assert_contains(s, "<failure message=\"2 OOM kills in this step\" type=\"oom-killed\"/>");
        /* The run's own case comes first, and passes. */
        assert_true(strstr(s, "name=\"make check\"") < strstr(s, "name=\"build\""));
        assert_true(strstr(s, "<failure") > strstr(s, "name=\"build\""));
        free(s);
        json_decref(j);
}

/*
 * A step that met a --fail-on threshold against the baseline's step of its
 * name fails with what matched; the run's case fails too, naming the step.
 */
static void test_steps_fail_on(void **state)
{
        json_t *j = with_steps();
        json_error_t e;
        json_t *fo =
                json_loads("{\"thresholds\": [{\"threshold\": \"peak+10%\", \"metric\": \"peak\", "
                           "\"old\": 20971520, \"new\": 43000000, \"limit\": 23068672, \"matched\": true}]}",
                           0, &e);
        assert_non_null(fo);
        assert_int_equal(json_object_set_new(json_array_get(json_object_get(j, "steps"), 0), "fail_on", fo),
                         0);
        assert_int_equal(
                json_object_set_new(j, "fail_on",
                                    json_loads("{\"conditions\": [], \"matched\": [], \"thresholds\": [], "
                                               "\"steps\": [\"build\"]}",
                                               0, &e)),
                0);
        assert_int_equal(json_object_set_new(j, "status", json_integer(123)), 0);
        char *s = render(j);
        assert_contains(s, "tests=\"3\" failures=\"3\"");
        assert_contains(s, "<testcase name=\"build\" classname=\"ci.steps\"");
        assert_contains(s, "<failure message=\"--fail-on matched: peak+10% (41.00M over 22M)\" "
                           "type=\"fail-on\"/>");
        assert_contains(s, "--fail-on matched: step build");
        /* Both at once: one failure saying both. */
        assert_contains(s, "<failure message=\"2 OOM kills in this step\" type=\"oom-killed\"/>");
        free(s);
        json_decref(j);
}

/* The text report's table of steps. */
static void test_steps_text(void **state)
{
        json_t *j = with_steps();
        struct mc_error err = { 0 };
        char *t = NULL;
        assert_int_equal(mc_report_text(j, 0, &t, &err), 0);
        assert_contains(t, "steps        2\n");
        assert_contains(t, "  build                       0.01 s    1.20 s   41.00M kernel         0     "
                           "0.00 s    0\n");
        assert_contains(t, "  t<e>st                      1.21 s    2.50 s  123.97M sampled        -        "
                           "  ?    2\n");
        free(t);
        json_decref(j);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden),
                cmocka_unit_test(test_ok),
                cmocka_unit_test(test_steps_fail_on),
                cmocka_unit_test(test_fail_on_only),
                cmocka_unit_test(test_fail_on_threshold),
                cmocka_unit_test(test_other_verdicts),
                cmocka_unit_test(test_memcage_error),
                cmocka_unit_test(test_crafted_command),
                cmocka_unit_test(test_escape),
                cmocka_unit_test(test_steps),
                cmocka_unit_test(test_steps_text),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
