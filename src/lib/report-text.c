/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "report-json.h"
#include "report-text-lines.h"
#include "report-text.h"
#include "size.h"
#include "util.h"

bool mc_color_wanted(int fd)
{
        const char *nc = getenv("NO_COLOR");
        return isatty(fd) && !(nc && *nc);
}

static void line_verdict(FILE *f, const json_t *r, unsigned flags)
{
        char v[256];
        enum mc_verdict_level level = mc_rj_verdict(r, v, sizeof(v));
        const char *on = "", *off = "";

        if (flags & MC_TEXT_COLOR) {
                off = "\033[0m";
                switch (level) {
                case MC_LEVEL_GOOD:
                        on = "\033[1;32m";
                        break;
                case MC_LEVEL_WARN:
                        on = "\033[1;33m";
                        break;
                case MC_LEVEL_BAD:
                        on = "\033[1;31m";
                        break;
                default:
                        off = "";
                }
        }
        mc_text_key(f, "verdict");
        fprintf(f, "%s%s%s\n", on, v, off);
}

static int line_command(FILE *f, const json_t *r)
{
        _cleanup_free_ char *cmd = mc_rj_command_line(r);
        if (!cmd)
                return -ENOMEM;
        mc_text_key(f, "command");
        fprintf(f, "%s\n", cmd);
        return 0;
}

static void line_profile(FILE *f, const json_t *r)
{
        const char *p = mc_rj_str(r, "profile"), *path = mc_rj_str(r, "profile_path");
        mc_text_key(f, "profile");
        if (!p)
                fprintf(f, "none\n");
        else if (path)
                fprintf(f, "%s (%s)\n", p, path);
        else
                fprintf(f, "%s\n", p);
}

static void line_cgroup(FILE *f, const json_t *r)
{
        const char *cg = mc_rj_str(r, "cgroup"), *launch = mc_rj_str(r, "launch");
        mc_text_key(f, "cgroup");
        fprintf(f, "%s", cg ? cg : "none (not created)");
        if (launch)
                fprintf(f, " (started by %s)", launch);
        fputc('\n', f);
        json_t *pl = mc_rj_obj(r, "placement");
        const char *kind = mc_rj_str(pl, "kind"), *reason = mc_rj_str(pl, "reason");
        if (kind) {
                mc_text_key(f, "placement");
                fprintf(f, "%s%s%s%s\n", kind, reason ? " (" : "", reason ? reason : "", reason ? ")" : "");
        }
}

/* Who the command ran as, when [run] or --user changed it (no line otherwise). */
static void line_run_as(FILE *f, const json_t *r)
{
        json_t *run = mc_rj_obj(r, "run"), *v;
        const char *user = mc_rj_str(run, "user");
        uint64_t id;
        size_t i;

        if (!run)
                return;
        mc_text_key(f, "run as");
        fprintf(f, "%s", user ? user : "?");
        if (mc_rj_u64(run, "uid", &id))
                fprintf(f, " (uid %llu", (unsigned long long)id);
        else
                fputs(" (uid ?", f);
        if (mc_rj_u64(run, "gid", &id))
                fprintf(f, ", gid %llu", (unsigned long long)id);
        fputc(')', f);
        json_t *groups = mc_rj_array(run, "groups"), *caps = mc_rj_array(run, "capabilities");
        json_array_foreach(groups, i, v)
                fprintf(f, "%s%lld", i ? "," : ", groups ", (long long)json_integer_value(v));
        json_array_foreach(caps, i, v)
                fprintf(f, "%s%s", i ? "," : ", capabilities ", json_string_value(v) ?: "?");
        fputc('\n', f);
}

/*
 * The command's own status, told apart from memcage's (the status line) and
 * from the verdict: a command that exits 0 after the OOM killer took one of
 * its processes gets "0" here and "oom-killed" as verdict.
 */
static void line_exit(FILE *f, const json_t *r)
{
        json_t *e = mc_rj_obj(r, "exit");
        uint64_t code, sig = 0, pid;

        mc_text_key(f, "exit");
        if (!e || !mc_rj_u64(e, "code", &code)) {
                fprintf(f, "none (the command did not run)\n");
                return;
        }
        fprintf(f, "%llu (the command's exit status", (unsigned long long)code);
        if (mc_rj_u64(e, "signal", &sig) && sig > 0) {
                const char *abbrev = sig < 65 ? sigabbrev_np((int)sig) : NULL;
                if (abbrev)
                        fprintf(f, ": killed by SIG%s", abbrev);
                else
                        fprintf(f, ": killed by signal %llu", (unsigned long long)sig);
                fprintf(f, "%s", json_is_true(json_object_get(e, "core_dumped")) ? ", core dumped" : "");
        }
        json_auto_t *victims = mc_rj_oom_victims(r);
        json_t *first = json_array_get(victims, 0);
        size_t n = json_array_size(victims);
        if (first && sig != SIGKILL && mc_rj_u64(first, "pid", &pid)) {
                fprintf(f, "; it outlived the OOM kill of %s, pid %llu", mc_rj_str(first, "name") ?: "?",
                        (unsigned long long)pid);
                if (n > 1)
                        fprintf(f, " and %zu more", n - 1);
        }
        fputs(")\n", f);
}

/* memcage's own exit status, and why it is not the command's when it is not. */
static void line_status(FILE *f, const json_t *r)
{
        json_t *fo = mc_rj_obj(r, "fail_on"), *m = mc_rj_array(fo, "matched"), *v;
        uint64_t status, code;
        size_t i;

        if (!mc_rj_u64(r, "status", &status))
                return;
        mc_text_key(f, "status");
        fprintf(f, "%llu (memcage's exit status", (unsigned long long)status);
        bool ran = mc_rj_u64(mc_rj_obj(r, "exit"), "code", &code);
        if (ran && code == status)
                fputs(": the command's", f);
        else if (ran && code == 0 && (json_array_size(m) > 0 || mc_rj_array(fo, "thresholds"))) {
                fputs(", not the command's 0: --fail-on matched", f);
                json_array_foreach(m, i, v) fprintf(f, "%s%s", i ? ", " : " ", json_string_value(v) ?: "?");
                json_array_foreach(mc_rj_array(fo, "thresholds"), i, v)
                {
                        if (json_is_true(json_object_get(v, "matched")))
                                fprintf(f, " %s", mc_rj_str(v, "threshold") ?: "?");
                }
        } else if (mc_rj_str(r, "error"))
                fputs(": memcage failed, see error", f);
        fputs(")\n", f);
}

static void line_duration(FILE *f, const json_t *r)
{
        double d;
        mc_text_key(f, "duration");
        if (mc_rj_double(r, "duration_s", &d))
                fprintf(f, "%.2f s\n", d);
        else
                fprintf(f, "unknown\n");
}

static void line_limits(FILE *f, const json_t *r)
{
        json_t *l = mc_rj_obj(r, "limits");
        const char *k;
        json_t *v;
        char buf[MC_SIZE_STR_MAX];
        bool any = false;

        mc_text_key(f, "limits");
        if (!l) {
                fprintf(f, "unknown\n");
                return;
        }
        json_object_foreach(l, k, v)
        {
                fprintf(f, "%s%s ", any ? ", " : "", k);
                if (json_is_null(v))
                        fputs("max", f);
                else if (json_is_boolean(v))
                        fputs(json_is_true(v) ? "on" : "off", f);
                else if (json_is_integer(v) && json_integer_value(v) >= 0)
                        fputs(mc_text_size((uint64_t)json_integer_value(v), buf), f);
                else
                        fputs("?", f);
                any = true;
        }
        fprintf(f, "%s\n", any ? "" : "none set (kernel defaults)");
}

static void line_peak(FILE *f, const json_t *r)
{
        json_t *mem = mc_rj_obj(r, "memory");
        uint64_t peak, max;
        char a[MC_SIZE_STR_MAX], b[MC_SIZE_STR_MAX];

        mc_text_key(f, "peak");
        if (!mc_rj_u64(mem, "peak", &peak)) {
                fprintf(f, "unknown\n");
                return;
        }
        fputs(mc_text_size(peak, a), f);
        if (mc_rj_u64(mc_rj_obj(r, "limits"), "max", &max) && max > 0)
                fprintf(f, " (%.0f%% of max %s)", 100.0 * (double)peak / (double)max, mc_text_size(max, b));
        fputc('\n', f);
}

static void line_swap_peak(FILE *f, const json_t *r)
{
        json_t *mem = mc_rj_obj(r, "memory");
        const char *src = mc_rj_str(mem, "swap_peak_source");
        uint64_t v;
        char a[MC_SIZE_STR_MAX];

        mc_text_key(f, "swap peak");
        if (!mc_rj_u64(mem, "swap_peak", &v)) {
                fprintf(f, "unknown\n");
                return;
        }
        fprintf(f, "%s", mc_text_size(v, a));
        if (src && streq(src, "kernel"))
                fputs(" (memory.swap.peak)", f);
        else if (src && streq(src, "sampled"))
                fputs(" (highest sample)", f);
        else if (src)
                fprintf(f, " (%s)", src);
        fputc('\n', f);
}

static void line_breakdown(FILE *f, const json_t *r)
{
        static const char *const parts[] = { "anon", "file", "shmem", "kernel", "sock" };
        json_t *b = mc_rj_obj(mc_rj_obj(r, "memory"), "breakdown");
        char a[MC_SIZE_STR_MAX];
        uint64_t v;
        double t;
        bool any = false;

        mc_text_key(f, "breakdown");
        if (!b) {
                fprintf(f, "unknown\n");
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(parts); i++)
                if (mc_rj_u64(b, parts[i], &v)) {
                        fprintf(f, "%s%s %s", any ? ", " : "", parts[i], mc_text_size(v, a));
                        any = true;
                }
        if (mc_rj_u64(b, "file_mapped", &v))
                fprintf(f, " (mapped %s)", mc_text_size(v, a));
        if (mc_rj_double(b, "t", &t))
                fprintf(f, " at %.2f s", t);
        fputc('\n', f);
}

/* The non-zero counters of an object: "high 3, max 1", or "none"; then note, if any. */
static void put_counters(FILE *f, const char *key, const json_t *obj, const char *prefix, const char *note)
{
        const char *k;
        json_t *v;
        bool any = false;

        mc_text_key(f, key);
        if (!obj) {
                fprintf(f, "unknown\n");
                return;
        }
        json_object_foreach((json_t *)obj, k, v)
        {
                if (!json_is_integer(v) || json_integer_value(v) == 0)
                        continue;
                fprintf(f, "%s%s%s %lld", any ? ", " : "", prefix, k, (long long)json_integer_value(v));
                any = true;
        }
        fprintf(f, "%s%s\n", any ? "" : "none", any && note ? note : "");
}

/* One line per victim: memory.oom.group has the kernel kill (and count) the one victim twice. */
static void lines_oom_kills(FILE *f, const json_t *r)
{
        json_auto_t *kills = mc_rj_oom_victims(r);
        json_t *k;
        size_t i;

        json_array_foreach(kills, i, k)
        {
                const char *name = mc_rj_str(k, "name"), *cause = mc_rj_str(k, "cause");
                uint64_t pid;
                double t;
                mc_text_key(f, i == 0 ? "oom kills" : "");
                fprintf(f, "%s", name ? name : "?");
                if (mc_rj_u64(k, "pid", &pid))
                        fprintf(f, " (pid %llu)", (unsigned long long)pid);
                if (mc_rj_double(k, "t", &t))
                        fprintf(f, " at %.2f s", t);
                if (cause)
                        fprintf(f, ", %s", cause);
                fputc('\n', f);
        }
}

static void lines_pressure(FILE *f, const json_t *r)
{
        json_t *p = mc_rj_obj(r, "pressure");
        json_t *triggers = mc_rj_array(p, "triggers"), *t;
        uint64_t us;
        double a;
        size_t i;

        mc_text_key(f, "pressure");
        if (!p) {
                fprintf(f, "unknown\n");
                return;
        }
        /* PSI's "some" and "full" in words: some or all of the group's tasks waited for memory. */
        fputs("waiting for memory: some tasks ", f);
        if (mc_rj_u64(p, "some_total_us", &us))
                mc_text_us(f, us);
        else
                fputs("unknown", f);
        fputs(", all tasks ", f);
        if (mc_rj_u64(p, "full_total_us", &us))
                mc_text_us(f, us);
        else
                fputs("unknown", f);
        if (mc_rj_double(p, "some_avg10_max", &a)) {
                fprintf(f, "; worst 10 s average some %.2f%%", a);
                if (mc_rj_double(p, "full_avg10_max", &a))
                        fprintf(f, ", all %.2f%%", a);
        }
        fputc('\n', f);
        json_array_foreach(triggers, i, t)
        {
                const char *kind = mc_rj_str(t, "kind");
                uint64_t stall = 0, window = 0, fired = 0;
                (void)mc_rj_u64(t, "stall_us", &stall);
                (void)mc_rj_u64(t, "window_us", &window);
                (void)mc_rj_u64(t, "fired", &fired);
                mc_text_key(f, i == 0 ? "triggers" : "");
                if (kind && streq(kind, "some"))
                        fputs("some tasks waited ", f);
                else if (kind && streq(kind, "full"))
                        fputs("all tasks waited ", f);
                else
                        fprintf(f, "%s ", kind ? kind : "?");
                mc_text_us(f, stall);
                fputs(" in ", f);
                mc_text_us(f, window);
                fprintf(f, ": fired %llu time%s\n", (unsigned long long)fired, fired == 1 ? "" : "s");
        }
        json_t *k = mc_rj_obj(p, "kill");
        if (!k)
                return;
        double at = 0, stall = 0, over = 0, grace = 0;
        uint64_t row = 0;
        mc_text_key(f, "kill rule");
        fprintf(f, "%s", mc_rj_str(k, "rule") ?: "?");
        (void)mc_rj_double(k, "grace_s", &grace);
        (void)mc_rj_u64(k, "windows_in_a_row", &row);
        if (!json_is_true(json_object_get(k, "fired"))) {
                fprintf(f, ": not reached (at most %llu window%s in a row)\n", (unsigned long long)row,
                        row == 1 ? "" : "s");
                return;
        }
        (void)mc_rj_double(k, "fired_at", &at);
        fprintf(f, ": reached at %.2f s", at);
        if (mc_rj_double(k, "stall_percent", &stall) && mc_rj_double(k, "stall_over_s", &over))
                fprintf(f, ", stall %.2f%% over %.2f s", stall, over);
        fprintf(f, "; %sSIGTERM, %s\n",
                json_is_true(json_object_get(k, "frozen")) ? "frozen for the snapshot, " : "",
                json_is_true(json_object_get(k, "escalated_to_kill")) ? "cgroup.kill after the grace period"
                                                                      : "ended within the grace period");
}

static void line_cpu(FILE *f, const json_t *r)
{
        json_t *c = mc_rj_obj(r, "cpu");
        double u, s;
        mc_text_key(f, "cpu");
        if (mc_rj_double(c, "user_s", &u) && mc_rj_double(c, "system_s", &s))
                fprintf(f, "user %.2f s, system %.2f s\n", u, s);
        else
                fprintf(f, "unknown\n");
}

/* A hugetlb size or limit: null is "max" in the kernel's words, no limit. */
static void put_hugetlb_size(FILE *f, const char **sep, const char *label, const json_t *v)
{
        char a[MC_SIZE_STR_MAX];
        if (json_is_null(v))
                fprintf(f, "%s%s none", *sep, label);
        else if (json_is_integer(v) && json_integer_value(v) >= 0)
                fprintf(f, "%s%s %s", *sep, label, mc_text_size((uint64_t)json_integer_value(v), a));
        else
                return;
        *sep = ", ";
}

/* One line per page size of the report's hugetlb object (docs/report-schema.md). */
static void lines_hugetlb(FILE *f, const json_t *r)
{
        json_t *h = mc_rj_obj(r, "hugetlb");
        const char *size;
        json_t *o;
        bool first = true;
        char a[MC_SIZE_STR_MAX];
        uint64_t v, added;

        if (!h) {
                mc_text_key(f, "hugetlb");
                fprintf(f, "%s\n",
                        json_is_null(json_object_get(r, "hugetlb")) ? "none ([hugetlb] not set)"
                                                                    : "unknown");
                return;
        }
        json_object_foreach(h, size, o)
        {
                mc_text_key(f, first ? "hugetlb" : "");
                first = false;
                const char *sep = ": ";
                fprintf(f, "%s", size);
                if (json_object_get(o, "max"))
                        put_hugetlb_size(f, &sep, "limit", json_object_get(o, "max"));
                if (json_object_get(o, "rsvd.max"))
                        put_hugetlb_size(f, &sep, "reservation limit", json_object_get(o, "rsvd.max"));
                if (mc_rj_u64(o, "peak", &v)) {
                        fprintf(f, "%speak %s", sep, mc_text_size(v, a));
                        sep = ", ";
                }
                if (mc_rj_u64(o, "events_max", &v)) {
                        fprintf(f, "%slimit hit %llu time%s", sep, (unsigned long long)v, v == 1 ? "" : "s");
                        sep = ", ";
                }
                if (mc_rj_u64(o, "reserved_pages", &v) && v > 0) {
                        fprintf(f, "%s%llu page%s reserved", sep, (unsigned long long)v, v == 1 ? "" : "s");
                        sep = ", ";
                        if (mc_rj_u64(o, "added_pages", &added) && added > 0)
                                fprintf(f, " (%llu added to the pool)", (unsigned long long)added);
                }
                /* Pages still charged after the run are held by something that outlived it. */
                if (mc_rj_u64(o, "current", &v) && v > 0)
                        fprintf(f, "%s%s still in use", sep, mc_text_size(v, a));
                fputc('\n', f);
        }
        if (first) {
                mc_text_key(f, "hugetlb");
                fprintf(f, "none\n");
        }
}

static void line_fail_on(FILE *f, const json_t *r)
{
        json_t *fo = mc_rj_obj(r, "fail_on");
        json_t *m = mc_rj_array(fo, "matched"), *c = mc_rj_array(fo, "conditions"), *v;
        json_t *th = mc_rj_array(fo, "thresholds"); /* judged against a baseline (report-compare.h) */
        size_t i, n = json_array_size(c), hits = json_array_size(m);

        if (!fo)
                return;
        mc_text_key(f, "fail-on");
        json_array_foreach(c, i, v) fprintf(f, "%s%s", i ? ", " : "", json_string_value(v) ?: "?");
        json_array_foreach(th, i, v)
        {
                fprintf(f, "%s%s", n++ ? ", " : "", mc_rj_str(v, "threshold") ?: "?");
                hits += json_is_true(json_object_get(v, "matched"));
        }
        if (hits == 0)
                fputs(": none matched", f);
        json_array_foreach(m, i, v) fprintf(f, "%s%s", i ? ", " : ": matched ", json_string_value(v) ?: "?");
        hits = json_array_size(m);
        json_array_foreach(th, i, v)
        {
                if (json_is_true(json_object_get(v, "matched")))
                        fprintf(f, "%s%s", hits++ ? ", " : ": matched ", mc_rj_str(v, "threshold") ?: "?");
        }
        fputc('\n', f);
}

static int render(const json_t *r, unsigned flags, char **ret, struct mc_error *err)
{
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        json_t *mem = mc_rj_obj(r, "memory");
        uint64_t v;
        const char *e;

        FILE *f = open_memstream(&s, &len);
        if (!f)
                return mc_error_errno(err, errno, "render the text report");

        line_verdict(f, r, flags);
        if (line_command(f, r) < 0) {
                fclose(f);
                return mc_error_errno(err, ENOMEM, "render the text report");
        }
        line_profile(f, r);
        line_cgroup(f, r);
        line_run_as(f, r);
        line_exit(f, r);
        line_duration(f, r);
        line_limits(f, r);
        line_peak(f, r);
        line_swap_peak(f, r);
        line_breakdown(f, r);
        if (mc_rj_u64(mem, "pgmajfault", &v)) {
                mc_text_key(f, "majfaults");
                fprintf(f, "%llu\n", (unsigned long long)v);
        }
        uint64_t oom_kill = 0, group_kill = 0;
        (void)mc_rj_u64(mc_rj_obj(r, "events"), "oom_kill", &oom_kill);
        (void)mc_rj_u64(mc_rj_obj(r, "events"), "oom_group_kill", &group_kill);
        /* The counters as the kernel gave them; the one kill it counts twice is said once under oom kills.
         */
        put_counters(f, "events", mc_rj_obj(r, "events"), "",
                     group_kill > 0 && oom_kill > mc_rj_oom_kills(r)
                             ? " (memory.oom.group counts each victim again in oom_kill)"
                             : NULL);
        put_counters(f, "swap events", mc_rj_obj(r, "swap_events"), "", NULL);
        lines_oom_kills(f, r);
        lines_pressure(f, r);
        line_cpu(f, r);
        lines_hugetlb(f, r);
        if (mc_rj_u64(r, "leftovers_killed", &v) && v > 0) {
                mc_text_key(f, "leftovers");
                fprintf(f, "%llu killed after the command exited\n", (unsigned long long)v);
        }
        line_fail_on(f, r);
        if ((e = mc_rj_str(r, "error"))) {
                mc_text_key(f, "error");
                fprintf(f, "%s\n", e);
        }
        line_status(f, r);
        mc_text_timeline(f, r);
        mc_text_processes(f, r);
        mc_text_steps(f, r);
        if (fclose(f) != 0)
                return mc_error_errno(err, ENOMEM, "render the text report");
        *ret = TAKE_PTR(s);
        return 0;
}

int mc_report_text(const json_t *r, unsigned flags, char **ret, struct mc_error *err)
{
        /* Strings of the report (process names, the command) reach a terminal: no control characters. */
        json_auto_t *printable = mc_json_printable_copy(r);
        if (!printable)
                return mc_error_errno(err, ENOMEM, "render the report");
        return render(printable, flags, ret, err);
}
