/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "report-compare.h"
#include "report-github.h"
#include "report-json.h"
#include "size.h"
#include "util.h"

void mc_github_escape_data(FILE *f, const char *msg)
{
        for (const char *p = msg; *p;) {
                size_t run = strcspn(p, "%\r\n");
                if (run > 0) {
                        /* Anything else a terminal or the log viewer would act on (ESC, ...) is escaped. */
                        _cleanup_free_ char *part = strndup(p, run),
                                            *shown = part ? mc_escape_text_dup(part) : NULL;
                        fputs(shown ? shown : "?", f);
                        p += run;
                        continue;
                }
                fputs(*p == '%' ? "%25" : *p == '\r' ? "%0D" : "%0A", f);
                p++;
        }
}

/* One workflow command; the title is a constant without ':' or ',' and needs no property escaping. */
static void command(FILE *f, const char *level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void command(FILE *f, const char *level, const char *fmt, ...)
{
        char msg[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        fprintf(f, "::%s title=memcage::", level);
        mc_github_escape_data(f, msg);
        fputc('\n', f);
}

static uint64_t counter(const json_t *obj, const char *key)
{
        uint64_t v = 0;
        (void)mc_rj_u64(obj, key, &v);
        return v;
}

static const char *limit_str(const json_t *r, const char *key, char *buf)
{
        uint64_t v;
        if (mc_rj_u64(mc_rj_obj(r, "limits"), key, &v))
                return mc_size_format(v, buf, MC_SIZE_STR_MAX);
        return "?";
}

static bool pkill_fired(const json_t *r)
{
        return json_is_true(json_object_get(mc_rj_obj(mc_rj_obj(r, "pressure"), "kill"), "fired"));
}

/* A step's count: its oom_kills (key NULL) or the increase of its memory.events KEY; false when unknown. */
static bool step_count(const json_t *step, const char *key, uint64_t *ret)
{
        return key ? mc_rj_u64(mc_rj_obj(step, "events"), key, ret) : mc_rj_u64(step, "oom_kills", ret);
}

/*
 * The step a kill at *t happened in: the one whose span [start_s, the next
 * step's start) holds t (the last one's up to its end), NULL before the
 * first. For an OOM kill (counted) the step's own counter has the last word
 * at a boundary: memcage reads memory.events when it reads a step's line, and
 * may note a kill (its t) just after it read the next step's line; a step
 * whose oom_kills stayed 0 after one whose did not gives the kill back to that
 * one. Without t, the step is the one step whose oom_kills rose, if only one
 * did.
 */
static const json_t *step_at(const json_t *steps, const double *t, bool counted)
{
        const json_t *found = NULL, *step;
        uint64_t kills;
        double start, next, duration;
        size_t i, n = json_array_size(steps), with_kills = 0;

        if (!t) {
                json_array_foreach(steps, i, step)
                {
                        if (counted && step_count(step, NULL, &kills) && kills > 0) {
                                found = step;
                                with_kills++;
                        }
                }
                return with_kills == 1 ? found : NULL;
        }
        for (i = 0; i < n; i++) {
                step = json_array_get(steps, i);
                if (!mc_rj_double(step, "start_s", &start) || *t < start)
                        break;
                if (i + 1 < n && mc_rj_double(json_array_get(steps, i + 1), "start_s", &next))
                        found = *t < next ? step : NULL;
                else /* the last: times are rounded to the microsecond */
                        found = !mc_rj_double(step, "duration_s", &duration) || *t <= start + duration + 1e-6
                                        ? step
                                        : NULL;
                if (found)
                        break;
        }
        if (found && counted && i > 0 && step_count(found, NULL, &kills) && kills == 0 &&
            step_count(json_array_get(steps, i - 1), NULL, &kills) && kills > 0)
                found = json_array_get(steps, i - 1);
        return found;
}

/* " in step NAME" for a kill in a step (step_at()), "" otherwise. */
static const char *in_step(const json_t *steps, const double *t, bool counted, char *buf, size_t n)
{
        const char *name = mc_rj_str(step_at(steps, t, counted), "name");
        if (!name)
                return "";
        snprintf(buf, n, " in step %s", name);
        return buf;
}

/*
 * "; 3 in step build, 1 in step test" for the steps whose count rose (the
 * first few by name, the others summed); "" when none did or the run named no
 * step.
 */
static void in_steps(const json_t *steps, const char *key, char *buf, size_t n)
{
        enum { NAMED = 4 };
        const json_t *step;
        uint64_t v, rest = 0;
        size_t i, named = 0, others = 0, len;

        *buf = '\0';
        json_array_foreach(steps, i, step)
        {
                if (!step_count(step, key, &v) || v == 0)
                        continue;
                if (named == NAMED) {
                        rest += v;
                        others++;
                        continue;
                }
                len = strlen(buf);
                snprintf(buf + len, n - len, "%s%llu in step %s", named ? ", " : "; ", (unsigned long long)v,
                         mc_rj_str(step, "name") ?: "?");
                named++;
        }
        if (others > 0) {
                len = strlen(buf);
                snprintf(buf + len, n - len, ", %llu in %zu more step%s", (unsigned long long)rest, others,
                         others == 1 ? "" : "s");
        }
}

/*
 * The thresholds --fail-on matched against a baseline: one ::error for the
 * run's and one for each step's, so that the check says which step grew
 * (the conditions are said above, by the facts that met them).
 */
static void thresholds(FILE *f, const json_t *r, const char *cmd, const char *cg)
{
        char matched[MC_THRESHOLDS_STR_MAX];
        const json_t *step;
        size_t i;

        if (*mc_thresholds_format(mc_rj_obj(r, "fail_on"), matched, sizeof(matched)))
                command(f, "error", "%s: --fail-on against the baseline: %s in %s", cmd, matched, cg);
        json_array_foreach(mc_rj_array(r, "steps"), i, step)
        {
                if (*mc_thresholds_format(mc_rj_obj(step, "fail_on"), matched, sizeof(matched)))
                        command(f, "error",
                                "%s: --fail-on against the baseline's step of the same name: %s in step %s",
                                cmd, matched, mc_rj_str(step, "name") ?: "?");
        }
}

int mc_report_github(const json_t *r, char **ret, struct mc_error *err)
{
        _cleanup_free_ char *s = NULL, *cmd = NULL;
        size_t len = 0;
        char verdict[256], lim[MC_SIZE_STR_MAX];
        json_t *events = mc_rj_obj(r, "events"), *swap = mc_rj_obj(r, "swap_events");
        json_auto_t *victims = mc_rj_oom_victims(r);
        json_t *k;
        json_t *triggers = mc_rj_array(mc_rj_obj(r, "pressure"), "triggers"), *t;
        json_t *steps = mc_rj_array(r, "steps");
        const char *cg = mc_rj_str(r, "cgroup") ?: "?";
        char step[256], counts[768]; /* a step name has at most 128 bytes (steps.h) */
        uint64_t n;
        size_t i;

        cmd = mc_rj_command_line(r);
        FILE *f = open_memstream(&s, &len);
        if (!cmd || !f || !victims) {
                if (f)
                        fclose(f);
                return mc_error_errno(err, ENOMEM, "render the GitHub annotations");
        }

        enum mc_verdict_level level = mc_rj_verdict(r, verdict, sizeof(verdict));
        size_t n_victims = json_array_size(victims);
        const char *max = limit_str(r, "max", lim);
        char max_note[MC_SIZE_STR_MAX + 16] = "";
        if (!streq(max, "?"))
                snprintf(max_note, sizeof(max_note), " (memory.max %s)", max);
        if (n_victims > 0) {
                /* One annotation per victim, the first with the verdict: one kill is one ::error. */
                json_array_foreach(victims, i, k)
                {
                        const char *name = mc_rj_str(k, "name");
                        uint64_t pid = 0;
                        double when = 0;
                        char who[128], victim[112] = "", of[48] = "";
                        (void)mc_rj_double(k, "t", &when);
                        if (mc_rj_u64(k, "pid", &pid))
                                snprintf(victim, sizeof(victim), "%s (pid %llu)", name ?: "?",
                                         (unsigned long long)pid);
                        snprintf(who, sizeof(who), "OOM kill of %s",
                                 *victim ? victim : "an unknown process");
                        if (n_victims > 1)
                                snprintf(of, sizeof(of), "; kill 1 of %zu", n_victims);
                        const char *st = in_step(steps, mc_rj_double(k, "t", &when) ? &when : NULL, true,
                                                 step, sizeof(step));
                        /* The verdict names the first victim already ("oom-killed (group limit): hog (pid
                         * 7)"). */
                        if (i == 0 && *victim && strstr(verdict, victim))
                                command(f, "error", "%s: %s at %.2f s in %s%s%s%s", cmd, verdict, when, cg,
                                        max_note, st, of);
                        else if (i == 0)
                                command(f, "error", "%s: %s; %s at %.2f s in %s%s%s%s", cmd, verdict, who,
                                        when, cg, max_note, st, of);
                        else
                                command(f, "error", "%s: %s at %.2f s in %s (%s)%s; kill %zu of %zu", cmd,
                                        who, when, cg, mc_rj_str(k, "cause") ?: "cause unknown", st, i + 1,
                                        n_victims);
                }
        } else if ((n = mc_rj_oom_kills(r)) > 0) {
                in_steps(steps, NULL, counts, sizeof(counts));
                command(f, "error", "%s: %s, %llu OOM kill%s in %s%s%s", cmd, verdict, (unsigned long long)n,
                        n == 1 ? "" : "s", cg, max_note, counts);
        } else if (pkill_fired(r)) {
                json_t *pk = mc_rj_obj(mc_rj_obj(r, "pressure"), "kill");
                double stall = 0, at = 0;
                bool has_stall = mc_rj_double(pk, "stall_percent", &stall);
                bool has_at = mc_rj_double(pk, "fired_at", &at);
                char measured[64] = "";
                if (has_stall)
                        snprintf(measured, sizeof(measured), ", measured %.0f%%", stall);
                /* The step the rule was reached in, by its time alone (no step counts these). */
                command(f, "error", "%s: pressure-killed at %.2f s in %s%s: rule %s%s%s", cmd, at, cg,
                        in_step(steps, has_at ? &at : NULL, false, step, sizeof(step)),
                        mc_rj_str(pk, "rule") ?: "?", measured,
                        json_is_true(json_object_get(pk, "escalated_to_kill"))
                                ? "; still running after the grace period: cgroup.kill"
                                : "");
        } else if (level == MC_LEVEL_BAD &&
                   (strncmp(verdict, "hugetlb-limit", 13) == 0 || strncmp(verdict, "swap-limit", 10) == 0))
                command(f, "error", "%s: %s in %s", cmd, verdict, cg);
        if ((n = counter(events, "high")) > 0) {
                in_steps(steps, "high", counts, sizeof(counts));
                command(f, "warning",
                        "memory.high (%s) exceeded %llu time%s in %s: the command was throttled%s",
                        limit_str(r, "high", lim), (unsigned long long)n, n == 1 ? "" : "s", cg, counts);
        }
        if ((n = counter(events, "max")) > 0) {
                in_steps(steps, "max", counts, sizeof(counts));
                command(f, "warning", "memory.max (%s) reached %llu time%s in %s%s",
                        limit_str(r, "max", lim), (unsigned long long)n, n == 1 ? "" : "s", cg, counts);
        }
        if ((n = counter(swap, "max")) > 0)
                command(f, "warning", "memory.swap.max (%s) reached %llu time%s in %s",
                        limit_str(r, "swap.max", lim), (unsigned long long)n, n == 1 ? "" : "s", cg);
        json_array_foreach(triggers, i, t)
        {
                if ((n = counter(t, "fired")) == 0)
                        continue;
                command(f, "warning",
                        "memory pressure (%s) over %llu ms in %llu ms: fired %llu time%s in %s",
                        mc_rj_str(t, "kind") ?: "?", (unsigned long long)(counter(t, "stall_us") / 1000),
                        (unsigned long long)(counter(t, "window_us") / 1000), (unsigned long long)n,
                        n == 1 ? "" : "s", cg);
        }
        thresholds(f, r, cmd, cg);
        if (fclose(f) != 0)
                return mc_error_errno(err, ENOMEM, "render the GitHub annotations");
        *ret = TAKE_PTR(s);
        return 0;
}

/*
 * Report text in a Markdown table cell: nothing it says is read as markup
 * (emphasis, links, code, HTML, the cell's end) and a line break cannot end
 * the row.
 */
static void md_escape(FILE *f, const char *s)
{
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p < 0x20 || *p == 0x7f)
                        fputc(' ', f);
                else if (*p == '<')
                        fputs("&lt;", f);
                else if (*p == '>')
                        fputs("&gt;", f);
                else if (*p == '&')
                        fputs("&amp;", f);
                else if (strchr("\\`*_[]|~", *p)) { /* inline markup; a cell starts no line */
                        fputc('\\', f);
                        fputc(*p, f);
                } else
                        fputc(*p, f);
        }
}

static void md_row(FILE *f, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void md_row(FILE *f, const char *key, const char *fmt, ...)
{
        char cell[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cell, sizeof(cell), fmt, ap);
        va_end(ap);
        fprintf(f, "| %s | ", key);
        md_escape(f, cell);
        fputs(" |\n", f);
}

/* A report string in a cell: escaped as the terminal shows it (report-text), then for Markdown. */
static void md_text(FILE *f, const char *s)
{
        _cleanup_free_ char *shown = mc_escape_text_dup(s);
        md_escape(f, shown ? shown : "?");
}

/*
 * The steps the command named, a row each under the run's table: where the
 * memory went, step by step.
 */
static void summary_steps(FILE *f, const json_t *r)
{
        json_t *steps = mc_rj_array(r, "steps"), *e;
        char a[MC_SIZE_STR_MAX];
        size_t i;

        if (json_array_size(steps) == 0)
                return;
        fputs("| step | start | duration | peak | swap peak | stall (some) | OOM kills |\n"
              "|---|--:|--:|--:|--:|--:|--:|\n",
              f);
        json_array_foreach(steps, i, e)
        {
                uint64_t v;
                double d;
                fputs("| ", f);
                md_text(f, mc_rj_str(e, "name") ?: "?");
                fputs(" | ", f);
                if (mc_rj_double(e, "start_s", &d))
                        fprintf(f, "%.2f s", d);
                else
                        fputs("?", f);
                fputs(" | ", f);
                if (mc_rj_double(e, "duration_s", &d))
                        fprintf(f, "%.2f s", d);
                else
                        fputs("?", f);
                fputs(" | ", f);
                if (mc_rj_u64(e, "peak", &v)) {
                        fprintf(f, "%s", mc_size_format(v, a, sizeof(a)));
                        if (mc_rj_str(e, "peak_source")) {
                                fputs(" (", f);
                                md_text(f, mc_rj_str(e, "peak_source"));
                                fputs(")", f);
                        }
                } else
                        fputs("unknown", f);
                fputs(" | ", f);
                fputs(mc_rj_u64(e, "swap_peak", &v) ? mc_size_format(v, a, sizeof(a)) : "-", f);
                fputs(" | ", f);
                if (mc_rj_u64(e, "some_total_us", &v))
                        fprintf(f, "%.2f s", (double)v / 1e6);
                else
                        fputs("?", f);
                fputs(" | ", f);
                if (mc_rj_u64(e, "oom_kills", &v))
                        fprintf(f, "%s%llu", v > 0 ? "❌ " : "", (unsigned long long)v);
                else
                        fputs("?", f);
                fputs(" |\n", f);
        }
        if (json_is_true(json_object_get(r, "steps_truncated")))
                fputs("\nMore steps were named than the report keeps.\n", f);
        fputc('\n', f);
}

int mc_report_github_summary(const json_t *r, char **ret, struct mc_error *err)
{
        _cleanup_free_ char *s = NULL, *cmd = mc_rj_command_line(r);
        size_t len = 0;
        char verdict[256], a[MC_SIZE_STR_MAX], b[MC_SIZE_STR_MAX], limits[512] = "";
        json_auto_t *victims = mc_rj_oom_victims(r);
        json_t *k;
        uint64_t v, max, code;
        double d;
        size_t i;

        FILE *f = open_memstream(&s, &len);
        if (!cmd || !f || !victims) {
                if (f)
                        fclose(f);
                return mc_error_errno(err, ENOMEM, "render the GitHub job summary");
        }
        enum mc_verdict_level level = mc_rj_verdict(r, verdict, sizeof(verdict));
        fputs("### memcage: ", f);
        md_escape(f, cmd);
        fputs("\n\n| | |\n|---|---|\n", f);
        md_row(f, "verdict", "%s %s",
               level == MC_LEVEL_GOOD   ? "✅"
               : level == MC_LEVEL_WARN ? "⚠️"
               : level == MC_LEVEL_BAD  ? "❌"
                                        : "❔",
               verdict);

        json_t *lim = mc_rj_obj(r, "limits");
        static const char *const keys[] = { "max", "high", "swap.max" };
        for (i = 0; i < ELEMENTSOF(keys); i++)
                if (mc_rj_u64(lim, keys[i], &v)) {
                        size_t n = strlen(limits);
                        snprintf(limits + n, sizeof(limits) - n, "%smemory.%s %s", n ? ", " : "", keys[i],
                                 mc_size_format(v, a, sizeof(a)));
                }
        md_row(f, "limit", "%s", *limits ? limits : "none set");

        if (!mc_rj_u64(mc_rj_obj(r, "memory"), "peak", &v))
                md_row(f, "peak", "unknown");
        else if (mc_rj_u64(lim, "max", &max) && max > 0)
                md_row(f, "peak", "%s (%.0f%% of memory.max %s)", mc_size_format(v, a, sizeof(a)),
                       100.0 * (double)v / (double)max, mc_size_format(max, b, sizeof(b)));
        else
                md_row(f, "peak", "%s", mc_size_format(v, a, sizeof(a)));

        /* One row for the kills, one entry a victim (memory.oom.group counts one victim twice). */
        uint64_t kills = mc_rj_oom_kills(r);
        _cleanup_free_ char *list = NULL;
        size_t list_len = 0;
        FILE *l = open_memstream(&list, &list_len);
        if (!l) {
                fclose(f);
                return mc_error_errno(err, ENOMEM, "render the GitHub job summary");
        }
        fprintf(l, "%llu", (unsigned long long)kills);
        json_array_foreach(victims, i, k)
        {
                uint64_t pid;
                double t = 0;
                (void)mc_rj_double(k, "t", &t);
                fprintf(l, "%s", i ? "; " : ": ");
                if (mc_rj_u64(k, "pid", &pid))
                        fprintf(l, "%s (pid %llu)", mc_rj_str(k, "name") ?: "?", (unsigned long long)pid);
                else
                        fputs("unknown process", l);
                fprintf(l, " at %.2f s", t);
        }
        if (fclose(l) != 0) {
                fclose(f);
                return mc_error_errno(err, ENOMEM, "render the GitHub job summary");
        }
        md_row(f, "OOM kills", "%s", list);

        if (mc_rj_u64(mc_rj_obj(r, "exit"), "code", &code))
                md_row(f, "exit", "%llu (the command's)", (unsigned long long)code);
        if (mc_rj_u64(r, "status", &v))
                md_row(f, "status", "%llu (memcage's)", (unsigned long long)v);
        if (mc_rj_double(r, "duration_s", &d))
                md_row(f, "duration", "%.2f s", d);
        fputc('\n', f);
        summary_steps(f, r);
        if (fclose(f) != 0)
                return mc_error_errno(err, ENOMEM, "render the GitHub job summary");
        *ret = TAKE_PTR(s);
        return 0;
}
