/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The steps on the SVG chart (report-svg-steps.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "report-json.h"
#include "report-svg-steps.h"
#include "size.h"
#include "util.h"

#define COLOR_STEP "#444444"
#define ROWS       3    /* rows of names at the top of the plot */
#define ROW_H      13.0 /* px between rows, at font-size 11 */
#define CHAR_W     6.8  /* px a character at font-size 11, a little more than most take */
#define NAME_CHARS 24   /* a longer name is cut: the tooltip has it whole */

static double px_x(const struct mc_svg_plot *p, double t)
{
        if (t > p->t_max)
                t = p->t_max;
        return p->x0 + (p->x1 - p->x0) * (p->t_max > 0 && t > 0 ? t / p->t_max : 0);
}

static double px_y(const struct mc_svg_plot *p, double bytes)
{
        if (bytes > p->y_max)
                bytes = p->y_max;
        return p->y1 - (p->y1 - p->y0) * (p->y_max > 0 ? bytes / p->y_max : 0);
}

double mc_svg_steps_peak(const json_t *r)
{
        json_t *e;
        size_t i;
        uint64_t v;
        double top = 0;
        json_array_foreach(mc_rj_array(r, "steps"), i, e)
        {
                if (mc_rj_u64(e, "peak", &v) && (double)v > top)
                        top = (double)v;
        }
        return top;
}

/*
 * The label of a name of valid UTF-8 (escaped): the name when it has at most
 * n characters (n >= 2), else its first n - 1 and "…". buf holds n * 4 + 4
 * bytes. Returns its characters.
 */
static size_t label_of(const char *s, size_t n, char *buf)
{
        size_t chars = 0, i = 0, keep = 0;
        uint32_t cp;
        while (s[i]) {
                size_t len = mc_utf8_decode((const unsigned char *)s + i, &cp);
                i += len ? len : 1;
                if (++chars == n - 1)
                        keep = i;
        }
        if (chars <= n) {
                memcpy(buf, s, i + 1);
                return chars;
        }
        memcpy(buf, s, keep);
        strcpy(buf + keep, "…");
        return n;
}

/* "step NAME: 0.80 s to 3.70 s (2.90 s), peak 64M (kernel), swap peak 0, stall 0.01 s, 1 OOM kill". */
static void tooltip(FILE *f, const json_t *e, const char *name, double start)
{
        char a[MC_SIZE_STR_MAX];
        const char *src = mc_rj_str(e, "peak_source");
        uint64_t v;
        double d;

        fputs("<title>step ", f);
        mc_xml_escape(f, name, false);
        fprintf(f, ": %.2f s", start);
        if (mc_rj_double(e, "duration_s", &d))
                fprintf(f, " to %.2f s (%.2f s)", start + d, d);
        if (mc_rj_u64(e, "peak", &v)) {
                fprintf(f, ", peak %s", mc_size_format(v, a, sizeof(a)));
                if (src) {
                        _cleanup_free_ char *shown = mc_escape_text_dup(src);
                        fputs(" (", f);
                        mc_xml_escape(f, shown ? shown : "?", false);
                        fputs(")", f);
                }
        } else
                fputs(", peak unknown", f);
        if (mc_rj_u64(e, "swap_peak", &v))
                fprintf(f, ", swap peak %s", mc_size_format(v, a, sizeof(a)));
        if (mc_rj_u64(e, "some_total_us", &v))
                fprintf(f, ", stall %.2f s", (double)v / 1e6);
        if (mc_rj_u64(e, "oom_kills", &v) && v > 0)
                fprintf(f, ", %llu OOM kill%s", (unsigned long long)v, v == 1 ? "" : "s");
        fputs("</title>", f);
}

bool mc_svg_steps(const struct mc_svg_plot *p, const json_t *r)
{
        json_t *steps = mc_rj_array(r, "steps"), *e;
        size_t n = json_array_size(steps), i;
        double row_end[ROWS];
        FILE *f = p->f;

        for (size_t k = 0; k < ROWS; k++)
                row_end[k] = p->x0;
        json_array_foreach(steps, i, e)
        {
                _cleanup_free_ char *name = mc_escape_text_dup(mc_rj_str(e, "name") ?: "?");
                double start = 0, d, limit = p->x1 - 3, after;
                uint64_t peak;
                if (!name)
                        continue;
                (void)mc_rj_double(e, "start_s", &start);
                double x = px_x(p, start), lx = x + 3;

                fputs("<g class=\"step\">", f);
                tooltip(f, e, name, start);
                fprintf(f,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" COLOR_STEP "\" "
                        "stroke-width=\"1\" stroke-dasharray=\"3 3\"/>",
                        x, p->y0, x, p->y1);
                if (mc_rj_u64(e, "peak", &peak)) {
                        double x2 = mc_rj_double(e, "duration_s", &d) ? px_x(p, start + d) : x + 12;
                        if (x2 < x + 6) /* a short step's mark stays visible */
                                x2 = x + 6;
                        if (x2 > p->x1)
                                x2 = p->x1;
                        fprintf(f,
                                "<line class=\"step-peak\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                "stroke=\"" COLOR_STEP "\" stroke-width=\"2\" stroke-opacity=\"0.7\"/>",
                                x, px_y(p, (double)peak), x2, px_y(p, (double)peak));
                }
                /*
                 * A name ends before the start of the step ROWS later, the next one its
                 * row can hold: of the names drawn before this one, at most ROWS - 1 still
                 * reach this far, so a row is always free.
                 */
                if (i + ROWS < n && mc_rj_double(json_array_get(steps, i + ROWS), "start_s", &after) &&
                    px_x(p, after) - 3 < limit)
                        limit = px_x(p, after) - 3;
                size_t row = 0;
                while (row < ROWS && row_end[row] > lx)
                        row++;
                size_t room = limit > lx ? (size_t)((limit - lx) / CHAR_W) : 0;
                if (room > NAME_CHARS)
                        room = NAME_CHARS;
                if (row < ROWS && room >= 2) {
                        char label[NAME_CHARS * 4 + 4];
                        size_t chars = label_of(name, room, label);
                        row_end[row] = lx + (double)chars * CHAR_W + 3;
                        fprintf(f,
                                "<text class=\"step-name\" x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
                                "fill=\"" COLOR_STEP "\" stroke=\"#ffffff\" stroke-width=\"3\" "
                                "paint-order=\"stroke\">",
                                lx, p->y0 + 12 + ROW_H * (double)row);
                        mc_xml_escape(f, label, false);
                        fputs("</text>", f);
                }
                fputs("</g>\n", f);
        }
        return n > 0;
}
