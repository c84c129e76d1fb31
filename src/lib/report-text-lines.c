/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The text report's cells and its multi-line parts (report-text-lines.h). */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report-json.h"
#include "report-text-lines.h"
#include "size.h"
#include "util.h"

#define KEY_WIDTH 13

const char *mc_text_size(uint64_t v, char *buf)
{
        return mc_size_format(v, buf, MC_SIZE_STR_MAX);
}

void mc_text_key(FILE *f, const char *key)
{
        fprintf(f, "%-*s", KEY_WIDTH, key);
}

/* "1.25 s" or "850 ms". */
void mc_text_us(FILE *f, uint64_t us)
{
        if (us < 1000000)
                fprintf(f, "%llu ms", (unsigned long long)(us / 1000));
        else if (us % 1000000 == 0)
                fprintf(f, "%llu s", (unsigned long long)(us / 1000000));
        else
                fprintf(f, "%.2f s", (double)us / 1e6);
}

void mc_text_processes(FILE *f, const json_t *r)
{
        json_t *p = mc_rj_obj(r, "processes");
        json_t *top = mc_rj_array(p, "top"), *e;
        char b[4][MC_SIZE_STR_MAX];
        double t;
        size_t i;

        mc_text_key(f, "processes");
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
                                mc_text_size(v, b[c]);
                        else
                                strcpy(b[c], "?");
                fprintf(f, "  %7llu  %-16.16s %8s %8s %8s %8s\n", (unsigned long long)pid, name ? name : "?",
                        b[0], b[1], b[2], b[3]);
        }
}

/* The steps the command named: one row each, the name escaped (a report file is anyone's). */
void mc_text_steps(FILE *f, const json_t *r)
{
        json_t *steps = mc_rj_array(r, "steps"), *e;
        char peak[MC_SIZE_STR_MAX], swap[MC_SIZE_STR_MAX], name[25];
        size_t i;

        if (json_array_size(steps) == 0)
                return;
        mc_text_key(f, "steps");
        fprintf(f, "%zu%s%s\n", json_array_size(steps),
                json_is_true(json_object_get(r, "steps_truncated")) ? " (more were named, not recorded)"
                                                                    : "",
                json_is_true(json_object_get(r, "steps_reclaimed")) ? ", page cache reclaimed at each start"
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
                        mc_text_size(v, peak);
                else
                        strcpy(peak, "?");
                if (mc_rj_u64(e, "swap_peak", &v))
                        mc_text_size(v, swap);
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
void mc_text_timeline(FILE *f, const json_t *r)
{
        static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
        json_t *tl = mc_rj_obj(r, "timeline");
        json_t *mem = mc_rj_array(tl, "memory_current"), *ts = mc_rj_array(tl, "t");
        size_t n = json_array_size(mem);
        uint64_t col[MC_SPARK_WIDTH] = { 0 }, top = 0;
        char a[MC_SIZE_STR_MAX];
        double interval, t_end;

        mc_text_key(f, "timeline");
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
        fprintf(f, "  0..%s", mc_text_size(top, a));
        if (json_is_number(json_array_get(ts, n - 1))) {
                t_end = json_number_value(json_array_get(ts, n - 1));
                fprintf(f, " over %.2f s", t_end);
        }
        fprintf(f, ", %zu sample%s", n, n == 1 ? "" : "s");
        if (mc_rj_double(tl, "interval_s", &interval))
                fprintf(f, " every %g s", interval);
        fputc('\n', f);
}
