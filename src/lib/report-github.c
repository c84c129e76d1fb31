/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
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

int mc_report_github(const json_t *r, char **ret, struct mc_error *err)
{
        _cleanup_free_ char *s = NULL, *cmd = NULL;
        size_t len = 0;
        char verdict[256], lim[MC_SIZE_STR_MAX];
        json_t *events = mc_rj_obj(r, "events"), *swap = mc_rj_obj(r, "swap_events");
        json_auto_t *victims = mc_rj_oom_victims(r);
        json_t *k;
        json_t *triggers = mc_rj_array(mc_rj_obj(r, "pressure"), "triggers"), *t;
        const char *cg = mc_rj_str(r, "cgroup") ?: "?";
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
                        /* The verdict names the first victim already ("oom-killed (group limit): hog (pid
                         * 7)"). */
                        if (i == 0 && *victim && strstr(verdict, victim))
                                command(f, "error", "%s: %s at %.2f s in %s%s%s", cmd, verdict, when, cg,
                                        max_note, of);
                        else if (i == 0)
                                command(f, "error", "%s: %s; %s at %.2f s in %s%s%s", cmd, verdict, who,
                                        when, cg, max_note, of);
                        else
                                command(f, "error", "%s: %s at %.2f s in %s (%s); kill %zu of %zu", cmd, who,
                                        when, cg, mc_rj_str(k, "cause") ?: "cause unknown", i + 1,
                                        n_victims);
                }
        } else if ((n = mc_rj_oom_kills(r)) > 0) {
                command(f, "error", "%s: %s, %llu OOM kill%s in %s%s", cmd, verdict, (unsigned long long)n,
                        n == 1 ? "" : "s", cg, max_note);
        } else if (pkill_fired(r)) {
                json_t *pk = mc_rj_obj(mc_rj_obj(r, "pressure"), "kill");
                double stall = 0, at = 0;
                bool has_stall = mc_rj_double(pk, "stall_percent", &stall);
                (void)mc_rj_double(pk, "fired_at", &at);
                char measured[64] = "";
                if (has_stall)
                        snprintf(measured, sizeof(measured), ", measured %.0f%%", stall);
                command(f, "error", "%s: pressure-killed at %.2f s in %s: rule %s%s%s", cmd, at, cg,
                        mc_rj_str(pk, "rule") ?: "?", measured,
                        json_is_true(json_object_get(pk, "escalated_to_kill"))
                                ? "; still running after the grace period: cgroup.kill"
                                : "");
        } else if (level == MC_LEVEL_BAD &&
                   (strncmp(verdict, "hugetlb-limit", 13) == 0 || strncmp(verdict, "swap-limit", 10) == 0))
                command(f, "error", "%s: %s in %s", cmd, verdict, cg);
        if ((n = counter(events, "high")) > 0)
                command(f, "warning",
                        "memory.high (%s) exceeded %llu time%s in %s: the command was throttled",
                        limit_str(r, "high", lim), (unsigned long long)n, n == 1 ? "" : "s", cg);
        if ((n = counter(events, "max")) > 0)
                command(f, "warning", "memory.max (%s) reached %llu time%s in %s", limit_str(r, "max", lim),
                        (unsigned long long)n, n == 1 ? "" : "s", cg);
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
        if (fclose(f) != 0)
                return mc_error_errno(err, ENOMEM, "render the GitHub job summary");
        *ret = TAKE_PTR(s);
        return 0;
}
