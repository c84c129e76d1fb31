/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: a report as `memcage report` reads it (any JSON a user
 * may hand over), then every rendering of it: text (plain and coloured),
 * SVG, GitHub annotations, JUnit XML, metrics, --fail-on, the verdict line,
 * and the comparison with a baseline (the report against itself and against
 * an empty one). A report that is refused must say why; one that is accepted
 * must render or fail with a message, never crash, hang or grow without bound
 * (libFuzzer's -timeout and -rss_limit_mb catch the last two).
 */
#include "config.h"

#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "fail-on.h"
#include "report-compare.h"
#include "report-github.h"
#include "report-junit.h"
#include "report-json.h"
#include "report-openmetrics.h"
#include "report-svg.h"
#include "report-text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render(int (*fn)(const json_t *, char **, struct mc_error *), const json_t *j)
{
        struct mc_error err = { 0 };
        char *out = NULL;
        if (fn(j, &out, &err) < 0)
                assert(err.msg[0] != '\0');
        else
                assert(out);
        free(out);
}

static int text_plain(const json_t *j, char **ret, struct mc_error *err)
{
        return mc_report_text(j, 0, ret, err);
}

static int text_color(const json_t *j, char **ret, struct mc_error *err)
{
        return mc_report_text(j, MC_TEXT_COLOR, ret, err);
}

/* The comparison of old and new, its thresholds judged (every metric, by percent and absolutely) and its
 * text. */
static void compare(const json_t *old, const json_t *new)
{
        static const char list[] =
                "peak+10%,swap-peak+0,stall+1s,stall-some+0%,oom+0,high+1,max+0%,duration+1ms,cpu+5%";
        struct mc_error err = { 0 };
        struct mc_thresholds th;
        unsigned mask;
        size_t matched;
        json_t *cmp = NULL, *judged = NULL;
        char *out = NULL, buf[MC_THRESHOLDS_STR_MAX];

        assert(mc_fail_on_parse_list(list, &mask, &th, &err) == 0);
        if (mc_compare_reports(old, new, &cmp, &err) < 0) {
                assert(err.msg[0] != '\0');
                return;
        }
        if (mc_thresholds_judge(cmp, &th, &judged, &matched, &err) == 0) {
                assert(matched <= th.n);
                json_object_set_new(cmp, "fail_on", json_pack("{s:o}", "thresholds", judged));
                (void)mc_thresholds_format(json_object_get(cmp, "fail_on"), buf, sizeof(buf));
        }
        if (mc_compare_text(cmp, 0, &out, &err) < 0)
                assert(err.msg[0] != '\0');
        free(out);
        json_decref(cmp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct mc_error err = { 0 };
        json_error_t jerr;
        json_t *j = json_loadb((const char *)data, size, 0, &jerr);
        char verdict[256];

        if (!j)
                return 0;
        if (mc_rj_check_schema(j, &err) < 0) {
                assert(err.msg[0] != '\0');
                json_decref(j);
                return 0;
        }
        render(text_plain, j);
        render(text_color, j);
        render(mc_report_svg, j);
        render(mc_report_github, j);
        render(mc_report_junit, j);
        render(mc_report_openmetrics, j);
        (void)mc_fail_on_match(j, MC_FAIL_ON_ALL);
        (void)mc_rj_verdict(j, verdict, sizeof(verdict));
        (void)mc_rj_oom_kills(j);
        free(mc_rj_command_line(j));
        json_t *empty = json_pack("{s:i}", "schema", 1);
        if (empty) {
                compare(j, j);
                compare(empty, j);
                compare(j, empty);
                json_decref(empty);
        }
        json_decref(j);
        return 0;
}
