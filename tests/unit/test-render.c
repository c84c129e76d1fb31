/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The renderings of a report's JSON: text, SVG, GitHub annotations, and --fail-on. */
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
#include <fcntl.h>
#include <unistd.h>

#include "fail-on.h"
#include "report-compare.h"
#include "report-github.h"
#include "report-json.h"
#include "report-svg.h"
#include "report-text.h"
#include "report-fixture.h"
#include "util.h"
#include "verdict.h"

/* The whole text report of a report with every field, byte for byte (no colour). */
static void test_text_golden(void **state)
{
        struct mc_error err = { 0 };
        json_t *j = load_fixture("report-full.json");
        char *want = read_fixture("report-full.txt"), *got = NULL;

        assert_int_equal(mc_report_text(j, 0, &got, &err), 0);
        if (!streq(got, want))
                fail_msg("text report differs from report-full.txt; got:\n%s", got);
        free(got);
        free(want);
        json_decref(j);
}

static void test_text_color(void **state)
{
        struct mc_error err = { 0 };
        json_t *j = load_fixture("report-full.json");
        char *got = NULL;

        assert_int_equal(mc_report_text(j, MC_TEXT_COLOR, &got, &err), 0);
        assert_non_null(
                strstr(got, "verdict      \033[1;31moom-killed (group limit): hog (pid 4251)\033[0m\n"));
        free(got);
        json_decref(j);
}

/* Colour on a terminal only, and never with a non-empty NO_COLOR (https://no-color.org). */
static void test_color_wanted(void **state)
{
        int pipefd[2];
        int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
                if (master >= 0)
                        close(master);
                skip(); /* no pseudo-terminals in this sandbox */
        }
        int tty = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
        assert_true(tty >= 0);
        assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);

        unsetenv("NO_COLOR");
        assert_true(mc_color_wanted(tty));
        assert_false(mc_color_wanted(pipefd[1]));
        setenv("NO_COLOR", "", 1);
        assert_true(mc_color_wanted(tty));
        setenv("NO_COLOR", "1", 1);
        assert_false(mc_color_wanted(tty));
        unsetenv("NO_COLOR");

        close(tty);
        close(master);
        close(pipefd[0]);
        close(pipefd[1]);
}

/* A report of schema 1 from before the observation fields, of a run that failed before starting. */
static const char minimal_failed[] =
        "{\"schema\": 1, \"version\": \"0.1.0\", \"command\": [\"true\"], \"profile\": null,"
        " \"profile_path\": null, \"cgroup\": null, \"launch\": null, \"limits\": null, \"exit\": null,"
        " \"memory\": {\"peak\": null}, \"events\": null, \"events_local\": null, \"leftovers_killed\": 0,"
        " \"duration_s\": null, \"error\": \"cannot create group\", \"status\": 125}";

static void test_text_minimal(void **state)
{
        struct mc_error err = { 0 };
        json_t *j = parse_json(minimal_failed);
        char *got = NULL;

        assert_int_equal(mc_report_text(j, 0, &got, &err), 0);
        assert_non_null(strstr(got, "verdict      unknown (the command did not run)\n"));
        assert_non_null(strstr(got, "exit         none (the command did not run)\n"));
        assert_non_null(strstr(got, "peak         unknown\n"));
        assert_non_null(strstr(got, "pressure     unknown\n"));
        assert_non_null(strstr(got, "timeline     none (sampling was off)\n"));
        assert_non_null(strstr(got, "error        cannot create group\n"));
        free(got);
        json_decref(j);
}

/* An old report of an OOM-killed run: the verdict follows the schema's rules from the counters. */
static void test_text_old_oom(void **state)
{
        static const char old[] =
                "{\"schema\": 1, \"command\": [\"hog\", \"300\"], \"limits\": {\"max\": 67108864, "
                "\"swap.max\": 0},"
                " \"exit\": {\"code\": 137, \"signal\": 9, \"core_dumped\": false},"
                " \"memory\": {\"peak\": 67108864}, \"events\": {\"low\": 0, \"high\": 0, \"max\": 37,"
                " \"oom\": 1, \"oom_kill\": 1}, \"leftovers_killed\": 0, \"duration_s\": 0.5,"
                " \"error\": null, \"status\": 137}";
        struct mc_error err = { 0 };
        json_t *j = parse_json(old);
        char *got = NULL;

        assert_int_equal(mc_report_text(j, 0, &got, &err), 0);
        assert_non_null(strstr(got, "verdict      oom-killed (group limit)\n"));
        assert_non_null(strstr(got, "exit         137 (the command's exit status: killed by SIGKILL)\n"));
        assert_non_null(strstr(got, "limits       max 64M, swap.max 0\n"));
        assert_non_null(strstr(got, "peak         64M (100% of max 64M)\n"));
        assert_non_null(strstr(got, "events       max 37, oom 1, oom_kill 1\n"));
        free(got);
        json_decref(j);
}

static void test_verdict_rules(void **state)
{
        static const struct {
                const char *json, *want;
                enum mc_verdict_level level;
        } cases[] = {
                { "{\"exit\": {\"code\": 0, \"signal\": null}, \"events\": {\"oom_kill\": 0}}", "ok",
                  MC_LEVEL_GOOD },
                { "{\"exit\": {\"code\": 3, \"signal\": null}}", "exit-nonzero", MC_LEVEL_WARN },
                { "{\"exit\": {\"code\": 143, \"signal\": 15}}", "killed (signal 15)", MC_LEVEL_BAD },
                { "{\"exit\": {\"code\": 0, \"signal\": null}, \"events\": {\"oom\": 0, \"oom_kill\": 1}}",
                  "oom-killed (system)", MC_LEVEL_BAD },
                { "{\"exit\": {\"code\": 135, \"signal\": 7}, \"hugetlb\": {\"2MB\": {\"events_max\": 1}}}",
                  "hugetlb-limit", MC_LEVEL_BAD },
                { "{\"exit\": {\"code\": 1, \"signal\": null}, \"hugetlb_limit_hit\": true}",
                  "hugetlb-limit", MC_LEVEL_BAD },
                { "{\"exit\": {\"code\": 0, \"signal\": null}, \"hugetlb\": {\"2MB\": {\"events_max\": 1}}}",
                  "ok", MC_LEVEL_GOOD },
                { "{\"exit\": {\"code\": 1, \"signal\": null}, \"swap_events\": {\"fail\": 2}}",
                  "swap-limit", MC_LEVEL_BAD },
                /* The report's own verdict wins over the rules. */
                { "{\"exit\": {\"code\": 0}, \"verdict\": {\"code\": \"exit-nonzero\", \"text\": "
                  "\"exit-nonzero\"}}",
                  "exit-nonzero", MC_LEVEL_WARN },
        };
        char buf[256];
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                json_t *j = parse_json(cases[i].json);
                assert_int_equal(mc_rj_verdict(j, buf, sizeof(buf)), cases[i].level);
                assert_string_equal(buf, cases[i].want);
                json_decref(j);
        }
}

/* A report without the verdict field is judged by mc_verdict_judge itself: the same text for every case. */
static void test_verdict_rules_are_the_judge(void **state)
{
        static const int signals[] = { 0, 7, 9, 15 }, codes[] = { 0, 1, 137 };
        char buf[256];

        for (size_t si = 0; si < ELEMENTSOF(signals); si++)
                for (size_t ci = 0; ci < ELEMENTSOF(codes); ci++)
                        for (unsigned bits = 0; bits < 16; bits++) {
                                struct mc_verdict_input in = {
                                        .signaled = signals[si] != 0,
                                        .signal = signals[si],
                                        .exit_code = codes[ci],
                                        .oom_kill = bits & 1,
                                        .oom = (bits >> 1) & 1,
                                        .hugetlb_max = (bits >> 2) & 1,
                                        .swap_fail = (bits >> 3) & 1,
                                };
                                struct mc_verdict want;
                                mc_verdict_judge(&in, &want);
                                json_t *j = json_pack("{s:{s:i,s:o},s:{s:I,s:I},s:{s:{s:I}},s:{s:I}}",
                                                      "exit", "code", codes[ci], "signal",
                                                      signals[si] ? json_integer(signals[si]) : json_null(),
                                                      "events", "oom_kill", (json_int_t)in.oom_kill, "oom",
                                                      (json_int_t)in.oom, "hugetlb", "2MB", "events_max",
                                                      (json_int_t)in.hugetlb_max, "swap_events", "fail",
                                                      (json_int_t)in.swap_fail);
                                assert_non_null(j);
                                enum mc_verdict_level level = mc_rj_verdict(j, buf, sizeof(buf));
                                assert_string_equal(buf, want.text);
                                enum mc_verdict_level want_level = MC_LEVEL_BAD;
                                if (want.code == MC_VERDICT_OK)
                                        want_level = MC_LEVEL_GOOD;
                                else if (want.code == MC_VERDICT_EXIT_NONZERO)
                                        want_level = MC_LEVEL_WARN;
                                assert_int_equal(level, want_level);
                                json_decref(j);
                        }
}

static void test_schema(void **state)
{
        struct mc_error err = { 0 };
        json_t *j = parse_json("{\"schema\": 2}");
        assert_int_equal(mc_rj_check_schema(j, &err), -EPROTONOSUPPORT);
        assert_non_null(strstr(err.msg, "schema 2 is newer"));
        json_decref(j);
        j = parse_json("{\"version\": \"0.1.0\"}");
        assert_int_equal(mc_rj_check_schema(j, &err), -EINVAL);
        json_decref(j);
        j = parse_json("[1]");
        assert_int_equal(mc_rj_check_schema(j, &err), -EINVAL);
        json_decref(j);
        j = parse_json(minimal_failed);
        assert_int_equal(mc_rj_check_schema(j, &err), 0);
        json_decref(j);
}

/* Numbers out of a report's range are refused with their path; the SVG renderer checks on its own. */
static void test_schema_numbers(void **state)
{
        static const struct {
                const char *json;
                const char *field;
        } bad[] = {
                { "{\"schema\": 1, \"memory\": {\"peak\": -1}}", "memory.peak: -1 is negative" },
                { "{\"schema\": 1, \"timeline\": {\"t\": [0, 1.7976931348623157e308]}}", "timeline.t[1]" },
                { "{\"schema\": 1, \"processes\": {\"top\": [{\"pss\": 1e20}]}}", "processes.top[0].pss" },
                { "{\"schema\": 1, \"log\": [{\"t\": -0.5}]}", "log[0].t" },
        };
        struct mc_error err = { 0 };
        char *out = NULL;
        uint64_t v;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                json_t *j = parse_json(bad[i].json);
                assert_int_equal(mc_rj_check_schema(j, &err), -ERANGE);
                if (!strstr(err.msg, bad[i].field))
                        fail_msg("case %zu: '%s' does not name %s", i, err.msg, bad[i].field);
                assert_int_equal(mc_report_svg(j, &out, &err), -ERANGE);
                assert_null(out);
                json_decref(j);
        }
        /* A real beyond 2^64 is no count (converting it would be undefined). */
        json_t *j = parse_json("{\"a\": 1e20, \"b\": 18446744073709551616.0, \"c\": 1.5}");
        assert_false(mc_rj_u64(j, "a", &v));
        assert_false(mc_rj_u64(j, "b", &v));
        assert_true(mc_rj_u64(j, "c", &v) && v == 1);
        json_decref(j);
}

static void test_svg_escape(void **state)
{
        static const char doc[] =
                "{\"schema\": 1, \"command\": [\"sh\", \"-c\", \"a <b & \\\"c\\\" > d\\u0001\"],"
                " \"exit\": {\"code\": 0, \"signal\": null}, \"memory\": {\"peak\": 1048576},"
                " \"timeline\": null, \"status\": 0}";
        struct mc_error err = { 0 };
        json_t *j = parse_json(doc);
        char *svg = NULL;

        assert_int_equal(mc_report_svg(j, &svg, &err), 0);
        /*
         * The shell quoting of the title, then XML escaping: no raw <, & or " from the command;
         * a control character is written as \xHH, as on a terminal (U+FFFD said less).
         */
        assert_non_null(strstr(svg, "sh -c 'a &lt;b &amp; &quot;c&quot; &gt; d\\x01'"));
        assert_null(strstr(svg, "\x01"));
        assert_null(strstr(svg, "<b "));
        assert_non_null(strstr(svg, "no timeline (sampling was off)"));
        assert_null(strstr(svg, "<script"));
        assert_null(strstr(svg, "href"));
        free(svg);
        json_decref(j);
}

/* A long command: in full in <title>, cut on a character boundary in the heading. */
static void test_svg_long_command(void **state)
{
        char arg[400];
        struct mc_error err = { 0 };
        char *svg = NULL;

        /* "é" is two bytes: a cut in the middle would leave invalid UTF-8. */
        for (size_t i = 0; i + 2 < sizeof(arg); i += 2)
                memcpy(arg + i, "\xc3\xa9", 2);
        arg[sizeof(arg) - 2] = '\0';
        json_t *j = json_pack("{s:i, s:[s, s], s:n}", "schema", 1, "command", "echo", arg, "timeline");
        assert_non_null(j);
        assert_int_equal(mc_report_svg(j, &svg, &err), 0);
        assert_non_null(strstr(svg, arg));
        assert_non_null(strstr(svg, "\xc3\xa9…</text>"));
        /* jansson refuses invalid UTF-8: the whole document loads back only if every cut is clean. */
        json_t *back = json_pack("{s:s}", "svg", svg);
        assert_non_null(back);
        json_decref(back);
        free(svg);
        json_decref(j);
}

static void test_svg_full(void **state)
{
        struct mc_error err = { 0 };
        json_t *j = load_fixture("report-full.json");
        char *svg = NULL;

        assert_int_equal(mc_report_svg(j, &svg, &err), 0);
        assert_true(strncmp(svg, "<?xml", 5) == 0);
        assert_non_null(strstr(svg, "<polyline"));
        assert_non_null(strstr(svg, "memory.max 64M"));
        assert_non_null(strstr(svg, "memory.high 48M"));
        assert_non_null(strstr(svg, "memory.swap.max 32M"));
        assert_non_null(strstr(svg, "OOM kill of hog (pid 4251)"));
        assert_non_null(strstr(svg, "oom-killed (group limit)"));
        assert_non_null(strstr(svg, "PSI avg10"));
        assert_null(strstr(svg, "no timeline"));
        /* The summary as visible text; swap.max events, high and max events told apart. */
        assert_non_null(strstr(svg, ">peak 64M (100% of memory.max 64M), 1 OOM kill: hog (pid 4251), "
                                    "duration 4.14 s</text>"));
        assert_non_null(
                strstr(svg, "<g class=\"mark swap-max\"><title>1.95 s: memory.swap.max reached 12 times"));
        assert_non_null(strstr(svg, "<g class=\"mark high\"><title>0.82 s: memory.high reached 412 times"));
        assert_non_null(strstr(svg, "<g class=\"mark max\"><title>0.95 s: memory.max reached 9 times"));
        assert_non_null(strstr(svg, "</svg>\n"));
        free(svg);
        json_decref(j);
}

static void test_github(void **state)
{
        struct mc_error err = { 0 };
        json_t *j = load_fixture("report-full.json");
        char *out = NULL;

        assert_int_equal(mc_report_github(j, &out, &err), 0);
        /* The one kill in one annotation, with the verdict. */
        assert_non_null(strstr(out, "::error title=memcage::sh -c 'hog 300 && echo \"<done>\" & wait': "
                                    "oom-killed (group limit): hog (pid 4251) at 3.81 s in "
                                    "memcage/ci-4242 (memory.max 64M)\n"));
        assert_null(strstr(strstr(out, "::error") + 1, "::error"));
        assert_non_null(strstr(out, "::warning title=memcage::memory.high (48M) exceeded 1834 times"));
        assert_non_null(strstr(out, "::warning title=memcage::memory.max (64M) reached 61 times"));
        assert_non_null(strstr(
                out, "::warning title=memcage::memory pressure (some) over 150 ms in 1000 ms: fired 2"));
        /* The trigger that did not fire says nothing. */
        assert_null(strstr(out, "(full)"));
        free(out);
        json_decref(j);

        /* A clean run: nothing. */
        j = parse_json(
                "{\"exit\": {\"code\": 0, \"signal\": null}, \"events\": {\"high\": 0, \"oom_kill\": 0}}");
        assert_int_equal(mc_report_github(j, &out, &err), 0);
        assert_string_equal(out, "");
        free(out);
        json_decref(j);
}

static size_t count(const char *s, const char *needle)
{
        size_t n = 0;
        for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

/*
 * memory.oom.group = 1: the kernel kills, counts and logs the one victim
 * twice (oom 1, oom_kill 2, oom_group_kill 1; two oom_kills entries, two
 * oom_kill log lines and an oom_group_kill line). Every rendering shows the
 * kill once; the counters stay as the kernel gave them.
 */
static void test_oom_group_one_kill(void **state)
{
        struct mc_error err = { 0 };
        json_t *j = load_fixture("report-oom-group.json");
        char *out = NULL;

        assert_int_equal(json_array_size(json_object_get(j, "oom_kills")), 2);
        assert_int_equal(mc_rj_oom_kills(j), 1);
        json_t *v = mc_rj_oom_victims(j);
        assert_int_equal(json_array_size(v), 1);
        json_decref(v);

        assert_int_equal(mc_report_text(j, 0, &out, &err), 0);
        assert_int_equal(count(out, "hog (pid 4251) at 3.81 s"), 1);
        assert_non_null(strstr(out, "oom_kill 2"));
        free(out);

        assert_int_equal(mc_report_github(j, &out, &err), 0);
        assert_int_equal(count(out, "::error "), 1);
        assert_non_null(strstr(out,
                               "::error title=memcage::hog 300: oom-killed (group limit): hog (pid 4251) "
                               "at 3.81 s in memcage/ci-4242 (memory.max 64M)\n"));
        free(out);

        assert_int_equal(mc_report_svg(j, &out, &err), 0);
        assert_int_equal(count(out, "<g class=\"mark oom\">"), 1);
        assert_int_equal(count(out, "OOM kill of hog (pid 4251)"), 1);
        free(out);

        /* The job summary: one kill in the table. */
        assert_int_equal(mc_report_github_summary(j, &out, &err), 0);
        assert_non_null(strstr(out, "### memcage: hog 300\n\n| | |\n|---|---|\n"));
        assert_non_null(strstr(out, "| verdict | ❌ oom-killed (group limit): hog (pid 4251) |\n"));
        assert_non_null(strstr(out, "| limit | memory.max 64M, memory.high 48M, memory.swap.max 32M |\n"));
        assert_non_null(strstr(out, "| peak | 64M (100% of memory.max 64M) |\n"));
        assert_non_null(strstr(out, "| OOM kills | 1: hog (pid 4251) at 3.81 s |\n"));
        free(out);
        json_decref(j);

        /* Two victims (a pid per kill) stay two, in order; entries without a pid are kept. */
        j = parse_json("{\"exit\": {\"code\": 137, \"signal\": 9}, \"oom_kills\": ["
                       "{\"t\": 1, \"pid\": 10, \"name\": \"a\"}, {\"t\": 1, \"pid\": 10, \"name\": \"a\"},"
                       "{\"t\": 2, \"pid\": 11, \"name\": \"b\"}, {\"t\": 3, \"pid\": null, \"name\": null},"
                       "{\"t\": 3, \"pid\": null, \"name\": null}]}");
        assert_int_equal(mc_rj_oom_kills(j), 4);
        assert_int_equal(mc_report_github(j, &out, &err), 0);
        assert_int_equal(count(out, "::error "), 4);
        assert_non_null(strstr(out, "OOM kill of b (pid 11) at 2.00 s in ? (cause unknown); kill 2 of 4\n"));
        free(out);
        json_decref(j);
}

static void test_github_escape(void **state)
{
        char *s = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&s, &n);
        mc_github_escape_data(f, "50% done\r\nnext: a,b::c");
        fclose(f);
        assert_string_equal(s, "50%25 done%0D%0Anext: a,b::c");
        free(s);

        /* A command with a newline stays on one annotation line. */
        json_t *j = parse_json(
                "{\"command\": [\"sh\", \"-c\", \"x\\ny 100%\"], \"cgroup\": \"memcage/x\","
                " \"exit\": {\"code\": 137, \"signal\": 9}, \"events\": {\"oom\": 1, \"oom_kill\": 1}}");
        struct mc_error err = { 0 };
        assert_int_equal(mc_report_github(j, &s, &err), 0);
        assert_string_equal(
                s, "::error title=memcage::sh -c 'x%0Ay 100%25': oom-killed (group limit), 1 OOM kill "
                   "in memcage/x\n");
        free(s);
        json_decref(j);
}

/*
 * The caged command controls its process names and its command line: the
 * text report and the annotations never carry a control character from them
 * (the text report's own colour is the only ESC it writes).
 */
static void test_control_characters(void **state)
{
        static const char doc[] =
                "{\"schema\": 1, \"command\": [\"sh\", \"-c\", \"\\u001b]0;owned\\u0007\"],"
                " \"cgroup\": \"memcage/x\", \"exit\": {\"code\": 137, \"signal\": 9},"
                " \"events\": {\"oom\": 1, \"oom_kill\": 1}, \"error\": \"bad \\u001b[2J\","
                " \"oom_kills\": [{\"t\": 0.5, \"pid\": 42, \"name\": \"\\u001b[31mhog\\u009b\", \"cause\": "
                "\"group-limit\"}],"
                " \"processes\": {\"top\": [{\"pid\": 42, \"name\": \"x\\u001b[2J\", \"pss\": 1, \"rss\": "
                "1, \"uss\": 1, \"swap\": 0}]},"
                " \"status\": 137}";
        struct mc_error err = { 0 };
        json_t *j = parse_json(doc);
        char *out = NULL;

        assert_int_equal(mc_report_text(j, 0, &out, &err), 0);
        assert_null(strchr(out, '\x1b'));
        assert_null(strstr(out, "\xc2\x9b"));
        assert_non_null(strstr(out, "\\x1b]0;owned\\x07"));
        assert_non_null(strstr(out, "\\x1b[31mhog\\xc2\\x9b"));
        free(out);
        assert_int_equal(mc_report_text(j, MC_TEXT_COLOR, &out, &err), 0);
        assert_null(strstr(out, "\x1b]0;"));
        assert_null(strstr(out, "\x1b[2J"));
        free(out);
        assert_int_equal(mc_report_github(j, &out, &err), 0);
        assert_null(strchr(out, '\x1b'));
        assert_non_null(strstr(out, "\\x1b]0;owned\\x07"));
        free(out);
        json_decref(j);
}

static void test_fail_on_parse(void **state)
{
        struct mc_error err = { 0 };
        struct mc_thresholds th;
        unsigned m = 0;
        char buf[64];

        assert_int_equal(mc_fail_on_parse_condition("oom", &m, &err), 0);
        assert_int_equal(m, MC_FAIL_ON_OOM);
        assert_int_equal(mc_fail_on_parse_list("high,max,swap", &m, &th, &err), 0);
        assert_int_equal(m, MC_FAIL_ON_HIGH | MC_FAIL_ON_MAX | MC_FAIL_ON_SWAP);
        assert_int_equal(th.n, 0);
        assert_int_equal(mc_fail_on_parse_condition("any", &m, &err), 0);
        assert_int_equal(m, MC_FAIL_ON_ALL);
        assert_string_equal(mc_fail_on_format(m, buf, sizeof(buf)),
                            "oom, high, max, swap, hugetlb, pressure");
        assert_int_equal(mc_fail_on_parse_list("oom,bogus", &m, &th, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "'bogus'"));
        assert_non_null(strstr(err.msg, "oom, high, max, swap, hugetlb, pressure, any"));
        assert_int_equal(mc_fail_on_parse_list("", &m, &th, &err), -EINVAL);
        assert_int_equal(mc_fail_on_parse_list("oom,", &m, &th, &err), -EINVAL);
        assert_int_equal(mc_fail_on_parse_list(",oom", &m, &th, &err), -EINVAL);
        assert_int_equal(mc_fail_on_parse_condition("", &m, &err), -EINVAL);
        assert_int_equal(mc_fail_on_parse_condition("anything", &m, &err), -EINVAL);
        assert_int_equal(mc_fail_on_parse_condition("OOM", &m, &err), -EINVAL);
        assert_int_equal(mc_fail_on_parse_condition("oom,high", &m, &err), -EINVAL);
}

static void test_fail_on_match(void **state)
{
        static const struct {
                const char *json;
                unsigned want;
        } cases[] = {
                { "{}", 0 },
                { "{\"events\": null, \"swap_events\": null, \"pressure\": null, \"hugetlb\": null}", 0 },
                { "{\"events\": {\"high\": 0, \"max\": 0, \"oom\": 0, \"oom_kill\": 0}}", 0 },
                { "{\"events\": {\"oom_kill\": 2}}", MC_FAIL_ON_OOM },
                /* oom_kills listed though the counter was not read */
                { "{\"oom_kills\": [{\"pid\": 1}]}", MC_FAIL_ON_OOM },
                { "{\"oom_kills\": []}", 0 },
                { "{\"events\": {\"high\": 5}}", MC_FAIL_ON_HIGH },
                { "{\"events\": {\"max\": 1, \"oom\": 1}}", MC_FAIL_ON_MAX },
                { "{\"swap_events\": {\"high\": 3, \"max\": 0, \"fail\": 0}}", 0 },
                { "{\"swap_events\": {\"max\": 1}}", MC_FAIL_ON_SWAP },
                { "{\"swap_events\": {\"fail\": 1}}", MC_FAIL_ON_SWAP },
                { "{\"hugetlb\": {\"2MB\": {\"events_max\": 0}, \"1GB\": {\"events_max\": 1}}}",
                  MC_FAIL_ON_HUGETLB },
                { "{\"hugetlb\": {\"2MB\": {\"events\": {\"max\": 4}}}}", MC_FAIL_ON_HUGETLB },
                { "{\"hugetlb\": {\"2MB\": {\"events_max\": 0}}}", 0 },
                { "{\"hugetlb_limit_hit\": true}", MC_FAIL_ON_HUGETLB },
                { "{\"hugetlb_limit_hit\": false, \"hugetlb\": null}", 0 },
                { "{\"pressure\": {\"triggers\": [{\"fired\": 0}, {\"fired\": 3}]}}", MC_FAIL_ON_PRESSURE },
                { "{\"pressure\": {\"triggers\": [{\"fired\": 0}]}}", 0 },
                { "{\"pressure\": {\"triggers\": [], \"kill\": {\"fired\": true}}}", MC_FAIL_ON_PRESSURE },
                { "{\"pressure\": {\"triggers\": [], \"kill\": {\"fired\": false}}}", 0 },
                { "{\"pressure\": {\"triggers\": [], \"kill\": null}}", 0 },
                { "{\"events\": {\"high\": 1, \"max\": 1, \"oom_kill\": 1}, \"swap_events\": {\"fail\": 1}}",
                  MC_FAIL_ON_OOM | MC_FAIL_ON_HIGH | MC_FAIL_ON_MAX | MC_FAIL_ON_SWAP },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                json_t *j = parse_json(cases[i].json);
                if (mc_fail_on_match(j, MC_FAIL_ON_ALL) != cases[i].want)
                        fail_msg("case %zu %s: got %#x, want %#x", i, cases[i].json,
                                 mc_fail_on_match(j, MC_FAIL_ON_ALL), cases[i].want);
                /* Only the conditions asked for. */
                assert_int_equal(mc_fail_on_match(j, MC_FAIL_ON_HIGH), cases[i].want & MC_FAIL_ON_HIGH);
                json_decref(j);
        }
}

static void test_fail_on_json(void **state)
{
        json_t *j = mc_fail_on_to_json(MC_FAIL_ON_OOM | MC_FAIL_ON_PRESSURE, MC_FAIL_ON_OOM);
        char *s = json_dumps(j, JSON_COMPACT);
        assert_string_equal(s, "{\"conditions\":[\"oom\",\"pressure\"],\"matched\":[\"oom\"]}");
        free(s);
        json_decref(j);
}

/* A run the pressure kill rule ended: the annotation, the text report's lines, the summary of the rule. */
static void test_pressure_kill(void **state)
{
        static const char doc[] =
                "{\"schema\": 1, \"command\": [\"hog\", \"100\"], \"cgroup\": \"memcage/pk\","
                " \"exit\": {\"code\": 143, \"signal\": 15, \"core_dumped\": false},"
                " \"verdict\": {\"code\": \"pressure-killed\", \"cause\": null, \"signal\": 15,"
                " \"text\": \"pressure-killed\"}, \"events\": {\"high\": 0, \"oom_kill\": 0},"
                " \"pressure\": {\"some_total_us\": 9000000, \"full_total_us\": 8900000, \"triggers\": [],"
                " \"kill\": {\"rule\": \"full 50%/2s for 10s\", \"kind\": \"full\", \"stall_us\": 1000000,"
                " \"window_us\": 2000000, \"duration_us\": 10000000, \"windows\": 5, \"grace_s\": 10.0,"
                " \"fired\": true, \"windows_in_a_row\": 5, \"fired_at\": 11.16, \"stall_percent\": 98.6,"
                " \"stall_over_s\": 8.4, \"frozen\": true, \"escalated_to_kill\": false,"
                " \"some_total_us\": 9000000, \"full_total_us\": 8900000}},"
                " \"status\": 124}";
        struct mc_error err = { 0 };
        char *out = NULL;
        json_t *j = parse_json(doc);
        assert_int_equal(mc_report_github(j, &out, &err), 0);
        assert_string_equal(out,
                            "::error title=memcage::hog 100: pressure-killed at 11.16 s in memcage/pk: rule "
                            "full 50%25/2s for 10s, measured 99%25\n");
        free(out);
        assert_int_equal(mc_report_text(j, 0, &out, &err), 0);
        assert_non_null(strstr(out, "pressure-killed"));
        assert_non_null(strstr(out,
                               "full 50%/2s for 10s: reached at 11.16 s, stall 98.60% over 8.40 s; frozen "
                               "for the snapshot, SIGTERM, ended within the grace period\n"));
        free(out);
        assert_int_equal(mc_fail_on_match(j, MC_FAIL_ON_PRESSURE), MC_FAIL_ON_PRESSURE);

        /* The grace ran out. */
        json_object_set_new(json_object_get(json_object_get(j, "pressure"), "kill"), "escalated_to_kill",
                            json_true());
        assert_int_equal(mc_report_github(j, &out, &err), 0);
        assert_non_null(strstr(out, "measured 99%25; still running after the grace period: cgroup.kill\n"));
        free(out);
        assert_int_equal(mc_report_text(j, 0, &out, &err), 0);
        assert_non_null(strstr(out, "SIGTERM, cgroup.kill after the grace period\n"));
        free(out);
        json_decref(j);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_text_golden),   cmocka_unit_test(test_text_color),
                cmocka_unit_test(test_color_wanted),  cmocka_unit_test(test_text_minimal),
                cmocka_unit_test(test_text_old_oom),  cmocka_unit_test(test_verdict_rules),
                cmocka_unit_test(test_schema),        cmocka_unit_test(test_schema_numbers),
                cmocka_unit_test(test_svg_escape),    cmocka_unit_test(test_svg_long_command),
                cmocka_unit_test(test_svg_full),      cmocka_unit_test(test_github),
                cmocka_unit_test(test_github_escape), cmocka_unit_test(test_control_characters),
                cmocka_unit_test(test_fail_on_parse), cmocka_unit_test(test_fail_on_match),
                cmocka_unit_test(test_fail_on_json),  cmocka_unit_test(test_verdict_rules_are_the_judge),
                cmocka_unit_test(test_pressure_kill), cmocka_unit_test(test_oom_group_one_kill),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
