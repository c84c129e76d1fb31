/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The steps in the GitHub annotations, the job summary and the SVG chart. */
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

#include "report-github.h"
#include "report-svg.h"
#include "report-fixture.h"
#include "util.h"

static size_t count(const char *s, const char *needle)
{
        size_t n = 0;
        for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

static char *github(const json_t *j)
{
        struct mc_error err = { 0 };
        char *out = NULL;
        assert_int_equal(mc_report_github(j, &out, &err), 0);
        return out;
}

static char *svg(const json_t *j)
{
        struct mc_error err = { 0 };
        char *out = NULL;
        assert_int_equal(mc_report_svg(j, &out, &err), 0);
        return out;
}

/*
 * Three steps, one named with what Markdown, XML and workflow commands
 * escape: the annotations and the job summary byte for byte.
 */
static void test_github_golden(void **state)
{
        struct mc_error err = { 0 };
        json_t *j = load_fixture("report-steps.json");
        char *want = read_fixture("report-steps.github"), *got = github(j);
        if (!streq(got, want))
                fail_msg("annotations differ from report-steps.github; got:\n%s", got);
        free(got);
        free(want);

        want = read_fixture("report-steps.summary.md");
        assert_int_equal(mc_report_github_summary(j, &got, &err), 0);
        if (!streq(got, want))
                fail_msg("job summary differs from report-steps.summary.md; got:\n%s", got);
        free(got);
        free(want);
        json_decref(j);
}

/* A report of steps a, b, c (starting at 1, 2 and 3 s, the last 1 s long) with the kills given. */
static json_t *three_steps(const char *oom_kills, unsigned kills_a, unsigned kills_b, unsigned kills_c)
{
        char doc[2048];
        snprintf(doc, sizeof(doc),
                 "{\"command\": [\"job\"], \"cgroup\": \"memcage/s\", \"exit\": {\"code\": 137, \"signal\": "
                 "9},"
                 " \"events\": {\"oom\": 1, \"oom_kill\": %u}, \"oom_kills\": %s, \"steps\": ["
                 "{\"name\": \"a\", \"start_s\": 1.0, \"duration_s\": 1.0, \"oom_kills\": %u},"
                 "{\"name\": \"b\", \"start_s\": 2.0, \"duration_s\": 1.0, \"oom_kills\": %u},"
                 "{\"name\": \"c\", \"start_s\": 3.0, \"duration_s\": 1.0, \"oom_kills\": %u}]}",
                 kills_a + kills_b + kills_c, oom_kills, kills_a, kills_b, kills_c);
        return parse_json(doc);
}

/* An OOM kill is named with its step, once; the step's counter has the last word at a boundary. */
static void test_github_kill_in_step(void **state)
{
        static const struct {
                const char *kills;
                unsigned a, b, c;
                const char *want; /* the one ::error ends so */
        } cases[] = {
                /* Inside b. */
                { "[{\"t\": 2.5, \"pid\": 9, \"name\": \"x\"}]", 0, 1, 0,
                  "at 2.50 s in memcage/s in step b\n" },
                /* At b's start: b's. */
                { "[{\"t\": 2.0, \"pid\": 9, \"name\": \"x\"}]", 0, 1, 0,
                  "at 2.00 s in memcage/s in step b\n" },
                /* Noted just after c started, counted in b when memcage read c's line. */
                { "[{\"t\": 3.001, \"pid\": 9, \"name\": \"x\"}]", 0, 1, 0,
                  "at 3.00 s in memcage/s in step b\n" },
                /* In c by its time and by c's counter. */
                { "[{\"t\": 3.001, \"pid\": 9, \"name\": \"x\"}]", 0, 0, 1,
                  "at 3.00 s in memcage/s in step c\n" },
                /* Up to the end of the last step, not after it. */
                { "[{\"t\": 4.0, \"pid\": 9, \"name\": \"x\"}]", 0, 0, 1,
                  "at 4.00 s in memcage/s in step c\n" },
                { "[{\"t\": 4.5, \"pid\": 9, \"name\": \"x\"}]", 0, 0, 0, "at 4.50 s in memcage/s\n" },
                /* Before the first step: no step. */
                { "[{\"t\": 0.5, \"pid\": 9, \"name\": \"x\"}]", 0, 0, 0, "at 0.50 s in memcage/s\n" },
                /* No time: the one step whose counter rose. */
                { "[{\"pid\": 9, \"name\": \"x\"}]", 0, 0, 1, "at 0.00 s in memcage/s in step c\n" },
                /* No time and two steps counted kills: none is guessed. */
                { "[{\"pid\": 9, \"name\": \"x\"}]", 1, 0, 1, "at 0.00 s in memcage/s\n" },
                /* memory.oom.group lists the victim twice: one kill, one annotation. */
                { "[{\"t\": 2.5, \"pid\": 9, \"name\": \"x\"}, {\"t\": 2.5, \"pid\": 9, \"name\": \"x\"}]",
                  0, 2, 0, "at 2.50 s in memcage/s in step b\n" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                json_t *j = three_steps(cases[i].kills, cases[i].a, cases[i].b, cases[i].c);
                char *out = github(j);
                if (count(out, "::error ") != 1 || count(out, " in step ") > 1 ||
                    !strstr(out, cases[i].want) || strstr(out, cases[i].want)[strlen(cases[i].want)] != '\0')
                        fail_msg("case %zu: want one ::error ending \"%s\", got:\n%s", i, cases[i].want,
                                 out);
                free(out);
                json_decref(j);
        }

        /* Two victims in two steps: each annotation names its own. */
        json_t *j = three_steps("[{\"t\": 1.5, \"pid\": 9, \"name\": \"x\", \"cause\": \"group-limit\"},"
                                " {\"t\": 3.5, \"pid\": 10, \"name\": \"y\", \"cause\": \"group-limit\"}]",
                                1, 0, 1);
        char *out = github(j);
        assert_int_equal(count(out, "::error "), 2);
        assert_non_null(strstr(
                out, "oom-killed (group limit): x (pid 9) at 1.50 s in memcage/s in step a; kill 1 of 2\n"));
        assert_non_null(strstr(out, "OOM kill of y (pid 10) at 3.50 s in memcage/s (group-limit) in step c; "
                                    "kill 2 of 2\n"));
        free(out);
        json_decref(j);

        /* A report without the list of kills: the steps' counters. */
        j = three_steps("null", 0, 2, 1);
        out = github(j);
        assert_string_equal(out, "::error title=memcage::job: oom-killed (group limit), 3 OOM kills in "
                                 "memcage/s; 2 in step b, 1 in step c\n");
        free(out);
        json_decref(j);
}

/* memory.high and memory.max events: one annotation each, the steps they rose in, the first few by name. */
static void test_github_events_in_steps(void **state)
{
        json_t *j = parse_json("{\"command\": [\"job\"], \"cgroup\": \"memcage/s\", \"limits\": {\"high\": "
                               "1048576, \"max\": 2097152}, \"exit\": {\"code\": 0, \"signal\": null},"
                               " \"events\": {\"high\": 100, \"max\": 7, \"oom_kill\": 0}, \"steps\": []}");
        json_t *steps = json_object_get(j, "steps");
        for (int i = 0; i < 7; i++) {
                char name[16];
                snprintf(name, sizeof(name), "s%d", i);
                json_array_append_new(steps, json_pack("{s:s, s:f, s:f, s:i, s:{s:i, s:i}}", "name", name,
                                                       "start_s", (double)i, "duration_s", 1.0, "oom_kills",
                                                       0, "events", "high", i == 1 ? 0 : 10 + i, "max",
                                                       i == 3 ? 7 : 0));
        }
        char *out = github(j);
        assert_string_equal(out,
                            "::warning title=memcage::memory.high (1M) exceeded 100 times in memcage/s: the "
                            "command was throttled; 10 in step s0, 12 in step s2, 13 in step s3, 14 in step "
                            "s4, 31 in 2 more steps\n"
                            "::warning title=memcage::memory.max (2M) reached 7 times in memcage/s; 7 in "
                            "step s3\n");
        free(out);

        /* Without steps the annotations are as they were. */
        json_object_del(j, "steps");
        out = github(j);
        assert_non_null(strstr(out, "the command was throttled\n"));
        assert_null(strstr(out, "in step"));
        free(out);
        json_decref(j);
}

/* A report is anyone's file: a step name cannot break an annotation line or a summary cell. */
static void test_github_step_names(void **state)
{
        struct mc_error err = { 0 };
        json_t *j = parse_json(
                "{\"command\": [\"job\"], \"cgroup\": \"memcage/s\", \"exit\": {\"code\": 137, \"signal\": "
                "9},"
                " \"events\": {\"oom\": 1, \"oom_kill\": 1}, \"oom_kills\": [{\"t\": 1.5, \"pid\": 9, "
                "\"name\":"
                " \"x\"}], \"steps\": [{\"name\": \"50% a::b\\n::error::c|d\\u001b[2J\", \"start_s\": 1.0,"
                " \"duration_s\": 1.0, \"peak\": 1048576, \"peak_source\": \"sampled\", \"oom_kills\": "
                "1}]}");
        char *out = github(j);
        assert_string_equal(out,
                            "::error title=memcage::job: oom-killed (group limit): x (pid 9) at 1.50 s in "
                            "memcage/s in step 50%25 a::b%0A::error::c|d\\x1b[2J\n");
        free(out);
        assert_int_equal(mc_report_github_summary(j, &out, &err), 0);
        assert_non_null(strstr(out,
                               "| step | start | duration | peak | swap peak | stall (some) | OOM kills |\n"
                               "|---|--:|--:|--:|--:|--:|--:|\n"
                               "| 50% a::b\\\\x0a::error::c\\|d\\\\x1b\\[2J | 1.00 s | 1.00 s | 1M "
                               "(sampled) | - | ? | ❌ 1 |\n"));
        free(out);

        /* A run that named no step has no steps table. */
        json_object_del(j, "steps");
        assert_int_equal(mc_report_github_summary(j, &out, &err), 0);
        assert_null(strstr(out, "| step |"));
        free(out);
        json_decref(j);
}

/* The steps on the chart: a line at each start, the name escaped, the peak at its height. */
/*
 * --fail-on against a baseline: a matched threshold of the run and of a step
 * each give one ::error, the step's naming it; unmatched ones give none.
 */
static void test_github_thresholds(void **state)
{
        (void)state;
        json_t *j = parse_json(
                "{\"command\": [\"make\", \"check\"], \"cgroup\": \"memcage/ci-1\", \"exit\": {\"code\": 0},"
                " \"fail_on\": {\"conditions\": [], \"matched\": [], \"thresholds\": ["
                "{\"threshold\": \"peak+10%\", \"metric\": \"peak\", \"old\": 104857600, \"new\": 209715200,"
                " \"limit\": 115343360, \"matched\": true},"
                "{\"threshold\": \"stall+1s\", \"metric\": \"stall_some\", \"old\": 0.5, \"new\": 0.6,"
                " \"limit\": 1.5, \"matched\": false}], \"steps\": [\"test\"]},"
                " \"steps\": ["
                "{\"name\": \"build\", \"start_s\": 0.0, \"duration_s\": 1.0, \"fail_on\": {\"thresholds\": "
                "["
                "{\"threshold\": \"peak+10%\", \"metric\": \"peak\", \"old\": 52428800, \"new\": 52428800,"
                " \"limit\": 57671680, \"matched\": false}]}},"
                "{\"name\": \"test\", \"start_s\": 1.0, \"duration_s\": 1.0, \"fail_on\": {\"thresholds\": ["
                "{\"threshold\": \"peak+10%\", \"metric\": \"peak\", \"old\": 104857600, \"new\": 209715200,"
                " \"limit\": 115343360, \"matched\": true}]}},"
                "{\"name\": \"package\", \"start_s\": 2.0, \"duration_s\": 1.0}]}");
        char *got = github(j);

        if (count(got, "::error") != 2 || !strstr(got, "peak+10%25 (200M over 110M) in memcage/ci-1\n"))
                fail_msg("annotations:\n%s", got);
        assert_non_null(strstr(got, "::error title=memcage::make check: --fail-on against the baseline: "
                                    "peak+10%25 (200M over 110M) in memcage/ci-1\n"));
        assert_non_null(strstr(got,
                               "::error title=memcage::make check: --fail-on against the baseline's step "
                               "of the same name: peak+10%25 (200M over 110M) in step test\n"));
        assert_null(strstr(got, "stall+1s"));
        assert_null(strstr(got, "step build"));
        free(got);
        json_decref(j);

        /* Without a baseline, no threshold: nothing. */
        j = parse_json("{\"command\": [\"true\"], \"cgroup\": \"memcage/x\", \"exit\": {\"code\": 0},"
                       " \"steps\": [{\"name\": \"a\", \"start_s\": 0.0, \"duration_s\": 1.0}]}");
        got = github(j);
        assert_null(strstr(got, "--fail-on"));
        free(got);
        json_decref(j);
}

static void test_svg_steps(void **state)
{
        json_t *j = load_fixture("report-steps.json");
        char *out = svg(j);
        assert_int_equal(count(out, "<g class=\"step\">"), 3);
        assert_int_equal(count(out, "class=\"step-name\""), 3);
        assert_int_equal(count(out, "class=\"step-peak\""), 3);
        assert_non_null(
                strstr(out, "<title>step test &lt;a&amp;b&gt; \"q\" 100% a::b: 0.80 s to 3.70 s (2.90 s), "
                            "peak 64M (kernel), swap peak 12M, stall 1.53 s</title>"));
        assert_non_null(strstr(out, ">test &lt;a&amp;b&gt; \"q\" 100% a::b</text>"));
        assert_non_null(strstr(out, "1 OOM kill</title>"));
        /* build: 40M on a scale of 80M over 390 px from y 470; 0.05 s of 4.137 s over 710 px from x 80. */
        assert_non_null(
                strstr(out, "<line class=\"step-peak\" x1=\"88.6\" y1=\"275.0\" x2=\"217.3\" y2=\"275.0\""));
        assert_non_null(strstr(out, "<line x1=\"88.6\" y1=\"80.0\" x2=\"88.6\" y2=\"470.0\""));
        assert_non_null(strstr(out, ">step: start, peak</text>"));
        free(out);

        /* No steps: nothing of them, not in the legend either. */
        json_object_del(j, "steps");
        out = svg(j);
        assert_null(strstr(out, "class=\"step"));
        assert_null(strstr(out, "step: start, peak"));
        free(out);
        json_decref(j);
}

struct label {
        double x, y;
        char text[256];
};

/* The names drawn, in order. */
static size_t labels(const char *s, struct label *ret, size_t max)
{
        size_t n = 0;
        for (const char *p = s; (p = strstr(p, "<text class=\"step-name\" x=\"")) && n < max; n++) {
                assert_int_equal(
                        sscanf(p, "<text class=\"step-name\" x=\"%lf\" y=\"%lf\"", &ret[n].x, &ret[n].y), 2);
                p = strchr(p, '>') + 1;
                size_t len = (size_t)(strstr(p, "</text>") - p);
                assert_true(len < sizeof(ret[n].text));
                memcpy(ret[n].text, p, len);
                ret[n].text[len] = '\0';
        }
        return n;
}

static size_t chars(const char *s)
{
        size_t n = 0;
        for (; *s; s++)
                n += ((unsigned char)*s & 0xc0) != 0x80;
        return n;
}

/*
 * Forty steps 0.1 s apart, every fifth with a long name: each has its line;
 * the names take turns in rows, each cut before the next name of its row
 * and inside the plot, so none overlaps another.
 */
static void test_svg_many_steps(void **state)
{
        json_t *j = load_fixture("report-steps.json");
        json_t *steps = json_array();
        enum { N = 40 };
        for (int i = 0; i < N; i++) {
                char name[64];
                snprintf(name, sizeof(name), i % 5 ? "s%d" : "step-%d-with-a-rather-long-name", i);
                json_array_append_new(steps,
                                      json_pack("{s:s, s:f, s:f, s:i, s:s, s:i}", "name", name, "start_s",
                                                0.1 * i, "duration_s", 0.1, "peak", (20 + i) << 20,
                                                "peak_source", "sampled", "oom_kills", 0));
        }
        /* A name longer than any the FIFO takes (a crafted report), at the end. */
        char longname[400];
        memset(longname, 'z', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = '\0';
        json_array_append_new(
                steps, json_pack("{s:s, s:f, s:f}", "name", longname, "start_s", 4.0, "duration_s", 0.137));
        json_object_set_new(j, "steps", steps);
        char *out = svg(j);
        struct label l[N + 1];
        size_t n = labels(out, l, N + 1);

        assert_int_equal(count(out, "<g class=\"step\">"), N + 1);
        assert_true(n >= N / 2); /* most have a name drawn, the others their tooltip */
        assert_non_null(strstr(out, ">s1</text>"));
        assert_true(count(out, "…</text>") >= N / 5); /* the long names are cut */
        for (size_t a = 0; a < n; a++) {
                /* 6.8 px a character at most: inside the plot (x 80..790). */
                double end = l[a].x + 6.8 * (double)chars(l[a].text);
                if (l[a].x < 80 || end > 790)
                        fail_msg("name %s at %.1f..%.1f leaves the plot", l[a].text, l[a].x, end);
                if (chars(l[a].text) > 24)
                        fail_msg("name %s is not cut", l[a].text);
                for (size_t b = a + 1; b < n; b++)
                        if (l[b].y == l[a].y && l[b].x < end)
                                fail_msg("names %s and %s overlap", l[a].text, l[b].text);
        }
        assert_int_equal(count(out, "</svg>\n"), 1);
        free(out);
        json_decref(j);
}

/* Without a timeline the chart has no time axis, and no steps. */
static void test_svg_steps_no_timeline(void **state)
{
        json_t *j = load_fixture("report-steps.json");
        json_object_set_new(j, "timeline", json_null());
        char *out = svg(j);
        assert_non_null(strstr(out, "no timeline (sampling was off)"));
        assert_null(strstr(out, "class=\"step"));
        free(out);
        json_decref(j);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_github_golden),       cmocka_unit_test(test_github_thresholds),
                cmocka_unit_test(test_github_kill_in_step), cmocka_unit_test(test_github_events_in_steps),
                cmocka_unit_test(test_github_step_names),   cmocka_unit_test(test_svg_steps),
                cmocka_unit_test(test_svg_many_steps),      cmocka_unit_test(test_svg_steps_no_timeline),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
