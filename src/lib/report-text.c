/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "report-json.h"
#include "report-text.h"
#include "size.h"
#include "util.h"

#define KEY_WIDTH 13

bool mc_color_wanted(int fd)
{
        const char *nc = getenv("NO_COLOR");
        return isatty(fd) && !(nc && *nc);
}

static const char *size_str(uint64_t v, char *buf)
{
        return mc_size_format(v, buf, MC_SIZE_STR_MAX);
}

static void put_key(FILE *f, const char *key)
{
        fprintf(f, "%-*s", KEY_WIDTH, key);
}

/* "1.25 s" or "850 ms". */
static void put_us(FILE *f, uint64_t us)
{
        if (us < 1000000)
                fprintf(f, "%llu ms", (unsigned long long)(us / 1000));
        else if (us % 1000000 == 0)
                fprintf(f, "%llu s", (unsigned long long)(us / 1000000));
        else
                fprintf(f, "%.2f s", (double)us / 1e6);
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
        put_key(f, "verdict");
        fprintf(f, "%s%s%s\n", on, v, off);
}

static int line_command(FILE *f, const json_t *r)
{
        _cleanup_free_ char *cmd = mc_rj_command_line(r);
        if (!cmd)
                return -ENOMEM;
        put_key(f, "command");
        fprintf(f, "%s\n", cmd);
        return 0;
}

static void line_profile(FILE *f, const json_t *r)
{
        const char *p = mc_rj_str(r, "profile"), *path = mc_rj_str(r, "profile_path");
        put_key(f, "profile");
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
        put_key(f, "cgroup");
        fprintf(f, "%s", cg ? cg : "none (not created)");
        if (launch)
                fprintf(f, " (started by %s)", launch);
        fputc('\n', f);
        json_t *pl = mc_rj_obj(r, "placement");
        const char *kind = mc_rj_str(pl, "kind"), *reason = mc_rj_str(pl, "reason");
        if (kind) {
                put_key(f, "placement");
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
        put_key(f, "run as");
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

        put_key(f, "exit");
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
        put_key(f, "status");
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
        put_key(f, "duration");
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

        put_key(f, "limits");
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
                        fputs(size_str((uint64_t)json_integer_value(v), buf), f);
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

        put_key(f, "peak");
        if (!mc_rj_u64(mem, "peak", &peak)) {
                fprintf(f, "unknown\n");
                return;
        }
        fputs(size_str(peak, a), f);
        if (mc_rj_u64(mc_rj_obj(r, "limits"), "max", &max) && max > 0)
                fprintf(f, " (%.0f%% of max %s)", 100.0 * (double)peak / (double)max, size_str(max, b));
        fputc('\n', f);
}

static void line_swap_peak(FILE *f, const json_t *r)
{
        json_t *mem = mc_rj_obj(r, "memory");
        const char *src = mc_rj_str(mem, "swap_peak_source");
        uint64_t v;
        char a[MC_SIZE_STR_MAX];

        put_key(f, "swap peak");
        if (!mc_rj_u64(mem, "swap_peak", &v)) {
                fprintf(f, "unknown\n");
                return;
        }
        fprintf(f, "%s", size_str(v, a));
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

        put_key(f, "breakdown");
        if (!b) {
                fprintf(f, "unknown\n");
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(parts); i++)
                if (mc_rj_u64(b, parts[i], &v)) {
                        fprintf(f, "%s%s %s", any ? ", " : "", parts[i], size_str(v, a));
                        any = true;
                }
        if (mc_rj_u64(b, "file_mapped", &v))
                fprintf(f, " (mapped %s)", size_str(v, a));
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

        put_key(f, key);
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
                put_key(f, i == 0 ? "oom kills" : "");
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

        put_key(f, "pressure");
        if (!p) {
                fprintf(f, "unknown\n");
                return;
        }
        /* PSI's "some" and "full" in words: some or all of the group's tasks waited for memory. */
        fputs("waiting for memory: some tasks ", f);
        if (mc_rj_u64(p, "some_total_us", &us))
                put_us(f, us);
        else
                fputs("unknown", f);
        fputs(", all tasks ", f);
        if (mc_rj_u64(p, "full_total_us", &us))
                put_us(f, us);
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
                put_key(f, i == 0 ? "triggers" : "");
                if (kind && streq(kind, "some"))
                        fputs("some tasks waited ", f);
                else if (kind && streq(kind, "full"))
                        fputs("all tasks waited ", f);
                else
                        fprintf(f, "%s ", kind ? kind : "?");
                put_us(f, stall);
                fputs(" in ", f);
                put_us(f, window);
                fprintf(f, ": fired %llu time%s\n", (unsigned long long)fired, fired == 1 ? "" : "s");
        }
        json_t *k = mc_rj_obj(p, "kill");
        if (!k)
                return;
        double at = 0, stall = 0, over = 0, grace = 0;
        uint64_t row = 0;
        put_key(f, "kill rule");
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
        put_key(f, "cpu");
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
                fprintf(f, "%s%s %s", *sep, label, size_str((uint64_t)json_integer_value(v), a));
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
                put_key(f, "hugetlb");
                fprintf(f, "%s\n",
                        json_is_null(json_object_get(r, "hugetlb")) ? "none ([hugetlb] not set)"
                                                                    : "unknown");
                return;
        }
        json_object_foreach(h, size, o)
        {
                put_key(f, first ? "hugetlb" : "");
                first = false;
                const char *sep = ": ";
                fprintf(f, "%s", size);
                if (json_object_get(o, "max"))
                        put_hugetlb_size(f, &sep, "limit", json_object_get(o, "max"));
                if (json_object_get(o, "rsvd.max"))
                        put_hugetlb_size(f, &sep, "reservation limit", json_object_get(o, "rsvd.max"));
                if (mc_rj_u64(o, "peak", &v)) {
                        fprintf(f, "%speak %s", sep, size_str(v, a));
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
                        fprintf(f, "%s%s still in use", sep, size_str(v, a));
                fputc('\n', f);
        }
        if (first) {
                put_key(f, "hugetlb");
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
        put_key(f, "fail-on");
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

static void lines_processes(FILE *f, const json_t *r)
{
        json_t *p = mc_rj_obj(r, "processes");
        json_t *top = mc_rj_array(p, "top"), *e;
        char b[4][MC_SIZE_STR_MAX];
        double t;
        size_t i;

        put_key(f, "processes");
        if (!p) {
                fprintf(f, "unknown\n");
                return;
        }
        if (json_array_size(top) == 0) {
                fprintf(f, "none seen\n");
                return;
        }
        fprintf(f, "top %zu by PSS", json_array_size(top));
        if (mc_rj_double(p, "t", &t))
                fprintf(f, " at %.2f s", t);
        fputc('\n', f);
        fprintf(f, "  %7s  %-16s %8s %8s %8s %8s\n", "PID", "NAME", "RSS", "PSS", "USS", "SWAP");
        json_array_foreach(top, i, e)
        {
                static const char *const cols[] = { "rss", "pss", "uss", "swap" };
                uint64_t pid = 0, v;
                const char *name = mc_rj_str(e, "name");
                (void)mc_rj_u64(e, "pid", &pid);
                for (size_t c = 0; c < ELEMENTSOF(cols); c++)
                        if (mc_rj_u64(e, cols[c], &v))
                                size_str(v, b[c]);
                        else
                                strcpy(b[c], "?");
                fprintf(f, "  %7llu  %-16.16s %8s %8s %8s %8s\n", (unsigned long long)pid, name ? name : "?",
                        b[0], b[1], b[2], b[3]);
        }
}

/* The steps the command named: one row each, the name escaped (a report file is anyone's). */
static void lines_steps(FILE *f, const json_t *r)
{
        json_t *steps = mc_rj_array(r, "steps"), *e;
        char peak[MC_SIZE_STR_MAX], swap[MC_SIZE_STR_MAX], name[25];
        size_t i;

        if (json_array_size(steps) == 0)
                return;
        put_key(f, "steps");
        fprintf(f, "%zu%s\n", json_array_size(steps),
                json_is_true(json_object_get(r, "steps_truncated")) ? " (more were named, not recorded)"
                                                                    : "");
        fprintf(f, "  %-24s %9s %9s %8s %-7s %8s %10s %4s\n", "STEP", "START", "DURATION", "PEAK", "SOURCE",
                "SWAP", "STALL", "OOM");
        json_array_foreach(steps, i, e)
        {
                const char *src = mc_rj_str(e, "peak_source");
                double start = 0, duration = 0;
                uint64_t v, some = 0, kills = 0;
                bool has_some = mc_rj_u64(e, "some_total_us", &some);

                mc_escape_text(mc_rj_str(e, "name") ? mc_rj_str(e, "name") : "?", name, sizeof(name));
                (void)mc_rj_double(e, "start_s", &start);
                (void)mc_rj_double(e, "duration_s", &duration);
                (void)mc_rj_u64(e, "oom_kills", &kills);
                if (mc_rj_u64(e, "peak", &v))
                        size_str(v, peak);
                else
                        strcpy(peak, "?");
                if (mc_rj_u64(e, "swap_peak", &v))
                        size_str(v, swap);
                else
                        strcpy(swap, "-");
                fprintf(f, "  %-24s %7.2f s %7.2f s %8s %-7s %8s ", name, start, duration, peak,
                        src ? src : "?", swap);
                if (has_some)
                        fprintf(f, "%8.2f s", (double)some / 1e6);
                else
                        fprintf(f, "%10s", "?");
                fprintf(f, " %4llu\n", (unsigned long long)kills);
        }
}

/* memory.current over time in block characters, each column the maximum of its samples. */
static void line_timeline(FILE *f, const json_t *r)
{
        static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
        json_t *tl = mc_rj_obj(r, "timeline");
        json_t *mem = mc_rj_array(tl, "memory_current"), *ts = mc_rj_array(tl, "t");
        size_t n = json_array_size(mem);
        uint64_t col[MC_SPARK_WIDTH] = { 0 }, top = 0;
        char a[MC_SIZE_STR_MAX];
        double interval, t_end;

        put_key(f, "timeline");
        if (!tl) {
                fprintf(f, "none (sampling was off)\n");
                return;
        }
        if (n == 0) {
                fprintf(f, "no samples\n");
                return;
        }
        size_t w = n < MC_SPARK_WIDTH ? n : MC_SPARK_WIDTH;
        for (size_t i = 0; i < n; i++) {
                json_t *v = json_array_get(mem, i);
                uint64_t x = json_is_integer(v) && json_integer_value(v) > 0
                                     ? (uint64_t)json_integer_value(v)
                                     : 0;
                size_t c = i * w / n;
                if (x > col[c])
                        col[c] = x;
                if (x > top)
                        top = x;
        }
        for (size_t c = 0; c < w; c++) {
                /* The top block is the maximum; a column at 0 keeps the lowest block so the line stays
                 * visible. */
                size_t level = top ? (size_t)((col[c] * 8 + top - 1) / top) : 0;
                fputs(blocks[level > 0 ? level - 1 : 0], f);
        }
        fprintf(f, "  0..%s", size_str(top, a));
        if (json_is_number(json_array_get(ts, n - 1))) {
                t_end = json_number_value(json_array_get(ts, n - 1));
                fprintf(f, " over %.2f s", t_end);
        }
        fprintf(f, ", %zu sample%s", n, n == 1 ? "" : "s");
        if (mc_rj_double(tl, "interval_s", &interval))
                fprintf(f, " every %g s", interval);
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
                put_key(f, "majfaults");
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
                put_key(f, "leftovers");
                fprintf(f, "%llu killed after the command exited\n", (unsigned long long)v);
        }
        line_fail_on(f, r);
        if ((e = mc_rj_str(r, "error"))) {
                put_key(f, "error");
                fprintf(f, "%s\n", e);
        }
        line_status(f, r);
        line_timeline(f, r);
        lines_processes(f, r);
        lines_steps(f, r);
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
