/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "report-compare.h"
#include "report-json.h"
#include "report-junit.h"
#include "report-text.h"
#include "util.h"

static void property(FILE *f, const char *name, const char *value)
{
        fprintf(f, "    <property name=\"%s\" value=\"", name);
        mc_xml_escape(f, value, true);
        fputs("\"/>\n", f);
}

static void property_u64(FILE *f, const char *name, const json_t *obj, const char *key)
{
        uint64_t v;
        char buf[32];
        if (!mc_rj_u64(obj, key, &v))
                return;
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
        property(f, name, buf);
}

/* Microseconds of the report as seconds, to the microsecond. */
static void property_us(FILE *f, const char *name, const json_t *obj, const char *key)
{
        uint64_t us;
        char buf[48];
        if (!mc_rj_u64(obj, key, &us))
                return;
        snprintf(buf, sizeof(buf), "%llu.%06llu", (unsigned long long)(us / 1000000),
                 (unsigned long long)(us % 1000000));
        property(f, name, buf);
}

/* "step NAME": a name has at most 128 bytes (steps.h). */
#define MC_STEP_LABEL_MAX (5 + 128 + 1)

static bool append_name(char *buf, size_t n, size_t *len, const char *name)
{
        int k = snprintf(buf + *len, n - *len, "%s%s", *len ? ", " : "", name);
        if (k < 0 || (size_t)k >= n - *len)
                return false;
        *len += (size_t)k;
        return true;
}

/*
 * What --fail-on matched: the conditions of fail_on.matched, then the
 * baseline thresholds of fail_on.thresholds that matched, then the steps
 * where one matched ("oom, peak+10%, step build"); "" when none.
 */
static void fail_on_matched(const json_t *r, char *buf, size_t n)
{
        json_t *fail_on = mc_rj_obj(r, "fail_on"), *m;
        size_t i, len = 0;

        buf[0] = '\0';
        json_array_foreach(mc_rj_array(fail_on, "matched"), i, m)
        {
                if (json_is_string(m) && !append_name(buf, n, &len, json_string_value(m)))
                        return;
        }
        json_array_foreach(mc_rj_array(fail_on, "thresholds"), i, m)
        {
                const char *name = mc_rj_str(m, "threshold");
                if (name && json_is_true(json_object_get(m, "matched")) && !append_name(buf, n, &len, name))
                        return;
        }
        json_array_foreach(mc_rj_array(fail_on, "steps"), i, m)
        {
                char step[MC_STEP_LABEL_MAX];
                if (json_is_string(m)) {
                        snprintf(step, sizeof(step), "step %s", json_string_value(m));
                        if (!append_name(buf, n, &len, step))
                                return;
                }
        }
}

/* A step failed when it saw an OOM kill (its oom_kills, the increase of memory.events oom_kill). */
static uint64_t step_oom_kills(const json_t *step)
{
        uint64_t v = 0;
        return mc_rj_u64(step, "oom_kills", &v) ? v : 0;
}

/* Or when it met a --fail-on threshold against the baseline's step of its name: "peak+10% (64M over 52.8M)".
 */
static const char *step_thresholds(const json_t *step, char *buf, size_t n)
{
        return mc_thresholds_format(mc_rj_obj(step, "fail_on"), buf, n);
}

static bool step_failed(const json_t *step)
{
        char buf[MC_THRESHOLDS_STR_MAX];
        return step_oom_kills(step) > 0 || step_thresholds(step, buf, sizeof(buf))[0];
}

/*
 * One test case per step the command named (the report's steps), after the
 * run's: a CI server then shows which step took the memory.
 */
static void steps_testcases(FILE *f, const json_t *r, const char *profile)
{
        const json_t *step;
        size_t i;

        json_array_foreach(mc_rj_array(r, "steps"), i, step)
        {
                const char *name = mc_rj_str(step, "name");
                uint64_t kills = step_oom_kills(step);
                char matched[MC_THRESHOLDS_STR_MAX], message[MC_THRESHOLDS_STR_MAX + 64];
                double duration = 0;

                if (!mc_rj_double(step, "duration_s", &duration))
                        duration = 0;
                fputs("  <testcase name=\"", f);
                mc_xml_escape(f, name ? name : "?", true);
                fputs("\" classname=\"", f);
                mc_xml_escape(f, profile ? profile : "memcage", true);
                fprintf(f, ".steps\" time=\"%.3f\">\n", duration);
                fputs("    <properties>\n", f);
                property_u64(f, "memcage.peak_bytes", step, "peak");
                if (mc_rj_str(step, "peak_source"))
                        property(f, "memcage.peak_source", mc_rj_str(step, "peak_source"));
                property_u64(f, "memcage.swap_peak_bytes", step, "swap_peak");
                property_us(f, "memcage.pressure.some_stall_seconds", step, "some_total_us");
                property_us(f, "memcage.pressure.full_stall_seconds", step, "full_total_us");
                property_u64(f, "memcage.oom_kills", step, "oom_kills");
                fputs("    </properties>\n", f);
                step_thresholds(step, matched, sizeof(matched));
                if (kills > 0 || matched[0]) {
                        int w = kills > 0
                                        ? snprintf(message, sizeof(message), "%llu OOM kill%s in this step",
                                                   (unsigned long long)kills, kills == 1 ? "" : "s")
                                        : 0;
                        if (w >= 0 && (size_t)w < sizeof(message) && matched[0])
                                snprintf(message + w, sizeof(message) - (size_t)w, "%s--fail-on matched: %s",
                                         w ? "; " : "", matched);
                        fputs("    <failure message=\"", f);
                        mc_xml_escape(f, message, true);
                        fprintf(f, "\" type=\"%s\"/>\n", kills > 0 ? "oom-killed" : "fail-on");
                }
                fputs("  </testcase>\n", f);
        }
}

int mc_report_junit(const json_t *r, char **ret, struct mc_error *err)
{
        _cleanup_free_ char *s = NULL, *cmd = NULL, *text = NULL;
        size_t len = 0;
        char verdict[256], matched[256], message[600];
        const char *code = mc_rj_str(mc_rj_obj(r, "verdict"), "code");
        const char *profile = mc_rj_str(r, "profile"), *error = mc_rj_str(r, "error");
        double duration = 0;
        int k;

        k = mc_report_text(r, 0, &text, err);
        if (k < 0)
                return k;
        cmd = mc_rj_command_line(r);
        FILE *f = open_memstream(&s, &len);
        if (!cmd || !f) {
                if (f)
                        fclose(f);
                return mc_error_errno(err, ENOMEM, "render the JUnit report");
        }

        /*
         * One outcome for the one test case: memcage's own failure (or a
         * command that never ran) is an error, a verdict other than ok
         * (exit-nonzero, oom-killed, a verdict this memcage does not know)
         * or a --fail-on match a failure.
         */
        enum mc_verdict_level level = mc_rj_verdict(r, verdict, sizeof(verdict));
        fail_on_matched(r, matched, sizeof(matched));
        bool is_error = error || level == MC_LEVEL_UNKNOWN;
        bool is_failure = !is_error && (level != MC_LEVEL_GOOD || matched[0]);
        if (is_error)
                snprintf(message, sizeof(message), "memcage failed: %s%s%s", error ? error : verdict,
                         level == MC_LEVEL_UNKNOWN ? "" : "; verdict ",
                         level == MC_LEVEL_UNKNOWN ? "" : verdict);
        else if (matched[0])
                snprintf(message, sizeof(message), "verdict %s; --fail-on matched: %s", verdict, matched);
        else
                snprintf(message, sizeof(message), "verdict %s", verdict);
        if (!mc_rj_double(r, "duration_s", &duration))
                duration = 0;
        const json_t *step;
        size_t i, n_steps = 0, step_failures = 0;
        json_array_foreach(mc_rj_array(r, "steps"), i, step)
        {
                n_steps++;
                step_failures += step_failed(step);
        }

        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
        fprintf(f,
                "<testsuite name=\"memcage\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\" skipped=\"0\" "
                "time=\"%.3f\">\n",
                1 + n_steps, (size_t)is_failure + step_failures, is_error, duration);
        fputs("  <properties>\n", f);
        property(f, "memcage.verdict", code ? code : level == MC_LEVEL_UNKNOWN ? "none" : verdict);
        property_u64(f, "memcage.exit_status", r, "status");
        property_u64(f, "memcage.peak_bytes", mc_rj_obj(r, "memory"), "peak");
        property_u64(f, "memcage.swap_peak_bytes", mc_rj_obj(r, "memory"), "swap_peak");
        property_us(f, "memcage.pressure.some_stall_seconds", mc_rj_obj(r, "pressure"), "some_total_us");
        property_us(f, "memcage.pressure.full_stall_seconds", mc_rj_obj(r, "pressure"), "full_total_us");
        if (mc_rj_obj(r, "events") || mc_rj_array(r, "oom_kills")) {
                char buf[32];
                snprintf(buf, sizeof(buf), "%llu", (unsigned long long)mc_rj_oom_kills(r));
                property(f, "memcage.oom_kills", buf);
        }
        if (mc_rj_obj(r, "fail_on"))
                property(f, "memcage.fail_on.matched", matched);
        if (mc_rj_str(r, "cgroup"))
                property(f, "memcage.cgroup", mc_rj_str(r, "cgroup"));
        fputs("  </properties>\n", f);

        fputs("  <testcase name=\"", f);
        mc_xml_escape(f, cmd, true);
        fputs("\" classname=\"", f);
        mc_xml_escape(f, profile ? profile : "memcage", true);
        fprintf(f, "\" time=\"%.3f\">\n", duration);
        if (is_error || is_failure) {
                const char *el = is_error ? "error" : "failure";
                fprintf(f, "    <%s message=\"", el);
                mc_xml_escape(f, message, true);
                fputs("\" type=\"", f);
                mc_xml_escape(f,
                              is_error                 ? "memcage-error"
                              : level == MC_LEVEL_GOOD ? "fail-on"
                              : code                   ? code
                                                       : "verdict",
                              true);
                fputs("\">", f);
                mc_xml_escape(f, message, false);
                fprintf(f, "</%s>\n", el);
        }
        fputs("    <system-out>", f);
        mc_xml_escape(f, text, false);
        fputs("</system-out>\n  </testcase>\n", f);
        steps_testcases(f, r, profile);
        fputs("</testsuite>\n", f);
        if (fclose(f) != 0)
                return mc_error_errno(err, ENOMEM, "render the JUnit report");
        *ret = TAKE_PTR(s);
        return 0;
}
