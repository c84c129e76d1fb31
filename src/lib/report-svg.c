/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "report-json.h"
#include "report-svg.h"
#include "report-svg-steps.h"
#include "size.h"
#include "util.h"

/*
 * The plot area inside the picture. Right of it: the PSI percentages, then
 * the limit labels at their lines' height, outside the plot so no curve
 * crosses them. Above it: the command, the verdict, the summary line and
 * the event marks.
 */
#define X0            80.0
#define X1            790.0
#define Y0            80.0
#define Y1            470.0
#define X_LIMIT_LABEL (X1 + 50)

#define COLOR_MEM      "#1f77b4"
#define COLOR_SWAP     "#2ca02c"
#define COLOR_SOME     "#9467bd"
#define COLOR_FULL     "#5b2c83"
#define COLOR_OOM      "#d62728"
#define COLOR_PRESSURE "#9467bd"
#define COLOR_MAX      "#b22222"
#define COLOR_HIGH     "#d98200"

struct chart {
        FILE *f;
        double t_max;
        double y_max; /* bytes at the top of the plot */
};

static double px_x(const struct chart *c, double t)
{
        return X0 + (X1 - X0) * (c->t_max > 0 ? t / c->t_max : 0);
}

static double px_y(const struct chart *c, double bytes)
{
        return Y1 - (Y1 - Y0) * (c->y_max > 0 ? bytes / c->y_max : 0);
}

static double px_pct(double pct)
{
        if (pct > 100)
                pct = 100;
        return Y1 - (Y1 - Y0) * (pct < 0 ? 0 : pct) / 100.0;
}

/* A tick step of 1, 2 or 5 times a power of ten giving at most max_ticks intervals. */
static double nice_step(double range, int max_ticks)
{
        double step = 0.001;
        static const double m[] = { 1, 2, 5 };
        for (;;)
                for (size_t i = 0; i < ELEMENTSOF(m); i++) {
                        if (range / (step * m[i]) <= max_ticks)
                                return step * m[i];
                        if (i == ELEMENTSOF(m) - 1)
                                step *= 10;
                }
}

/* A byte step of 1, 2, 4 ... 512 times K, M, G or T, so that every tick label is a round size. */
static double nice_bytes(double range, int max_ticks)
{
        double step = 1024;
        while (range / step > max_ticks)
                step *= 2;
        return step;
}

static double column_value(const json_t *col, size_t i, bool *ok)
{
        json_t *v = json_array_get(col, i);
        *ok = json_is_number(v);
        return *ok ? json_number_value(v) : 0;
}

static void text(const struct chart *c, double x, double y, const char *anchor, const char *extra,
                 const char *s)
{
        fprintf(c->f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s%s>", x, y, anchor, extra ? " " : "",
                extra ? extra : "");
        mc_xml_escape(c->f, s, true);
        fputs("</text>\n", c->f);
}

static void header(FILE *f)
{
        fprintf(f,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
                MC_SVG_WIDTH, MC_SVG_HEIGHT, MC_SVG_WIDTH, MC_SVG_HEIGHT);
}

/*
 * The command (in full as the SVG's <title>, cut on a character boundary to
 * fit the width as the heading) and under it the verdict in its colour.
 */
static int title(FILE *f, const json_t *r)
{
        _cleanup_free_ char *cmd = mc_rj_command_line(r);
        char verdict[256];
        const char *color;
        if (!cmd)
                return -ENOMEM;
        fputs("<title>memcage: ", f);
        mc_xml_escape(f, cmd, true);
        fputs("</title>\n", f);

        /* About 9 px a character at 15 px bold: 100 characters fill the width. */
        size_t len = strlen(cmd);
        if (len > 100) {
                len = 96;
                while (len > 0 && ((unsigned char)cmd[len] & 0xc0) == 0x80)
                        len--;
                strcpy(cmd + len, "…"); /* 3 bytes and the NUL fit: len + 4 <= 100 < strlen + 1 */
        }
        fputs("<text x=\"500\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">", f);
        mc_xml_escape(f, cmd, true);
        fputs("</text>\n", f);

        switch (mc_rj_verdict(r, verdict, sizeof(verdict))) {
        case MC_LEVEL_GOOD:
                color = "#2a7a2a";
                break;
        case MC_LEVEL_WARN:
                color = "#b36b00";
                break;
        case MC_LEVEL_BAD:
                color = COLOR_OOM;
                break;
        default:
                color = "#444444";
        }
        fprintf(f,
                "<text x=\"500\" y=\"41\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\" "
                "fill=\"%s\">",
                color);
        mc_xml_escape(f, verdict, true);
        fputs("</text>\n", f);
        return 0;
}

/*
 * The run in one line under the verdict, for those who read the picture
 * alone: "peak 64M (100% of memory.max 64M), 1 OOM kill: hog (pid 4251),
 * duration 4.14 s".
 */
static void summary(FILE *f, const json_t *r)
{
        char a[MC_SIZE_STR_MAX], b[MC_SIZE_STR_MAX];
        uint64_t peak, max;
        double d;
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        json_auto_t *victims = mc_rj_oom_victims(r);
        uint64_t kills = mc_rj_oom_kills(r);
        FILE *m = open_memstream(&s, &len);

        if (!m)
                return;
        if (mc_rj_u64(mc_rj_obj(r, "memory"), "peak", &peak)) {
                fprintf(m, "peak %s", mc_size_format(peak, a, sizeof(a)));
                if (mc_rj_u64(mc_rj_obj(r, "limits"), "max", &max) && max > 0)
                        fprintf(m, " (%.0f%% of memory.max %s)", 100.0 * (double)peak / (double)max,
                                mc_size_format(max, b, sizeof(b)));
        } else
                fputs("peak unknown", m);
        if (kills == 0)
                fputs(", no OOM kill", m);
        else {
                json_t *k = json_array_get(victims, 0);
                uint64_t pid;
                fprintf(m, ", %llu OOM kill%s", (unsigned long long)kills, kills == 1 ? "" : "s");
                if (kills == 1 && mc_rj_u64(k, "pid", &pid))
                        fprintf(m, ": %s (pid %llu)", mc_rj_str(k, "name") ?: "?", (unsigned long long)pid);
        }
        if (mc_rj_double(r, "duration_s", &d))
                fprintf(m, ", duration %.2f s", d);
        if (fclose(m) != 0)
                return;
        fputs("<text id=\"summary\" x=\"500\" y=\"60\" text-anchor=\"middle\" font-size=\"13\" "
              "fill=\"#222222\">",
              f);
        mc_xml_escape(f, s, true);
        fputs("</text>\n", f);
}

static void no_timeline(FILE *f, const json_t *r)
{
        char peak[MC_SIZE_STR_MAX], line[160];
        uint64_t v;

        fprintf(f,
                "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#f4f4f4\" "
                "stroke=\"#cccccc\"/>\n",
                X0, Y0, X1 - X0, Y1 - Y0);
        fprintf(f,
                "<text x=\"500\" y=\"%.0f\" text-anchor=\"middle\" font-size=\"20\" fill=\"#444444\">"
                "no timeline (sampling was off)</text>\n",
                (Y0 + Y1) / 2);
        if (mc_rj_u64(mc_rj_obj(r, "memory"), "peak", &v)) {
                snprintf(line, sizeof(line), "memory.peak %s", mc_size_format(v, peak, sizeof(peak)));
                fprintf(f,
                        "<text x=\"500\" y=\"%.0f\" text-anchor=\"middle\" font-size=\"14\" "
                        "fill=\"#444444\">%s</text>\n",
                        (Y0 + Y1) / 2 + 28, line);
        }
}

static void axes(const struct chart *c, bool psi)
{
        FILE *f = c->f;
        char buf[MC_SIZE_STR_MAX], lbl[32];

        fprintf(f, "<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n");
        double ystep = nice_bytes(c->y_max, 6);
        for (double y = ystep; y <= c->y_max * 1.0001; y += ystep)
                fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", X0, px_y(c, y), X1,
                        px_y(c, y));
        fputs("</g>\n", f);
        fprintf(f,
                "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
                "stroke=\"#333333\"/>\n",
                X0, Y0, X1 - X0, Y1 - Y0);
        for (double y = 0; y <= c->y_max * 1.0001; y += ystep)
                text(c, X0 - 6, px_y(c, y) + 4, "end", NULL, mc_size_format((uint64_t)y, buf, sizeof(buf)));
        double tstep = nice_step(c->t_max, 10);
        for (int i = 0; i * tstep <= c->t_max * 1.0001; i++) {
                double t = i * tstep;
                /* %g of a product such as 3 * 0.1 prints 0.3, not 0.30000000000000004. */
                snprintf(lbl, sizeof(lbl), "%g", t);
                fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
                        px_x(c, t), Y1, px_x(c, t), Y1 + 5);
                text(c, px_x(c, t), Y1 + 18, "middle", NULL, lbl);
        }
        text(c, (X0 + X1) / 2, Y1 + 36, "middle", NULL, "time (s)");
        fprintf(f,
                "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">memory</text>\n",
                (Y0 + Y1) / 2);
        if (psi) {
                for (int p = 0; p <= 100; p += 25) {
                        snprintf(lbl, sizeof(lbl), "%d%%", p);
                        text(c, X1 + 6, px_pct(p) + 4, "start", "fill=\"" COLOR_SOME "\"", lbl);
                }
                fprintf(f,
                        "<text transform=\"translate(%.1f %.1f) rotate(90)\" text-anchor=\"middle\" "
                        "fill=\"" COLOR_SOME "\">PSI avg10</text>\n",
                        X1 + 40, (Y0 + Y1) / 2);
        }
}

/* A column as a polyline, optionally closed down to zero as an area. */
static void series(const struct chart *c, const json_t *ts, const json_t *col, bool pct, const char *color,
                   const char *style, bool area)
{
        size_t n = json_array_size(ts);
        bool ok, tok, any = false;

        if (!json_is_array(col))
                return;
        for (int pass = area ? 0 : 1; pass < 2; pass++) {
                if (pass == 0)
                        fprintf(c->f, "<polygon fill=\"%s\" fill-opacity=\"0.18\" stroke=\"none\" points=\"",
                                color);
                else
                        fprintf(c->f, "<polyline fill=\"none\" stroke=\"%s\" %s points=\"", color, style);
                double last_x = X0;
                any = false;
                for (size_t i = 0; i < n; i++) {
                        double t = column_value(ts, i, &tok), v = column_value(col, i, &ok);
                        if (!tok || !ok)
                                continue;
                        double x = px_x(c, t), y = pct ? px_pct(v) : px_y(c, v);
                        if (pass == 0 && !any)
                                fprintf(c->f, "%.1f,%.1f ", x, Y1);
                        fprintf(c->f, "%.1f,%.1f ", x, y);
                        last_x = x;
                        any = true;
                }
                if (pass == 0 && any)
                        fprintf(c->f, "%.1f,%.1f", last_x, Y1);
                fputs("\"/>\n", c->f);
        }
}

static void limit_line(const struct chart *c, const json_t *r, const char *key, const char *label,
                       const char *color, double *label_y)
{
        uint64_t v;
        char buf[MC_SIZE_STR_MAX], s[64], style[96];
        if (!mc_rj_u64(mc_rj_obj(r, "limits"), key, &v))
                return;
        double y = px_y(c, (double)v);
        fprintf(c->f,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\" "
                "stroke-dasharray=\"8 5\"/>\n",
                X0, y, X1, y, color);
        /* At the line's height right of the plot; labels of limits close together (max 64M, swap.max 0
         * next to zero) must not overlap. */
        double ly = y + 4;
        if (*label_y - ly < 14 && *label_y - ly > -14)
                ly = *label_y - 14;
        if (ly < Y0 + 4)
                ly = *label_y + 14;
        *label_y = ly;
        snprintf(s, sizeof(s), "%s %s", label, mc_size_format(v, buf, sizeof(buf)));
        /* A white halo keeps the label readable over the curves. */
        snprintf(style, sizeof(style),
                 "fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"", color);
        text(c, X_LIMIT_LABEL, ly, "start", style, s);
}

/* The marks of the log's events, each in the colour of what it is about (the limit's line). */
enum {
        MARK_OOM = 1u << 0,
        MARK_HIGH = 1u << 1,
        MARK_MAX = 1u << 2,
        MARK_SWAP_MAX = 1u << 3,
        MARK_PRESSURE = 1u << 4,
};

static const struct mark_kind {
        const char *type; /* of the log line */
        unsigned kind;
        const char *cls, *color, *radius, *what;
} mark_kinds[] = {
        { "oom_kill", MARK_OOM, "oom", COLOR_OOM, "5", "OOM kill" },
        { "oom", MARK_OOM, "oom", COLOR_OOM, "5", "OOM" },
        { "high", MARK_HIGH, "high", COLOR_HIGH, "3.5", "memory.high reached" },
        { "max", MARK_MAX, "max", COLOR_MAX, "3.5", "memory.max reached" },
        { "swap_max", MARK_SWAP_MAX, "swap-max", COLOR_SWAP, "3.5", "memory.swap.max reached" },
        { "swap_fail", MARK_SWAP_MAX, "swap-max", COLOR_SWAP, "3.5", "swap allocation failed" },
        { "pressure", MARK_PRESSURE, "pressure", COLOR_PRESSURE, "3.5", "pressure trigger" },
};

static const struct mark_kind *marker_kind(const char *type)
{
        for (size_t i = 0; i < ELEMENTSOF(mark_kinds); i++)
                if (streq(type, mark_kinds[i].type))
                        return &mark_kinds[i];
        return NULL;
}

/*
 * A thin vertical line and a dot on top of the plot, the details as a
 * tooltip; class "mark oom" (high, max, swap-max, pressure) for scripts.
 */
static void marker(const struct chart *c, double t, const char *cls, const char *color, const char *radius,
                   const char *tip)
{
        double x = px_x(c, t);
        fprintf(c->f, "<g class=\"mark %s\"><title>", cls);
        mc_xml_escape(c->f, tip, true);
        fprintf(c->f,
                "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"1\" stroke-opacity=\"0.6\"/>"
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"/></g>\n",
                x, Y0, x, Y1, color, x, Y0 - 6, radius, color);
}

/*
 * The OOM kills, one mark per victim (mc_rj_oom_victims): the oom,
 * oom_group_kill and repeated oom_kill lines of the log are the same kill
 * counted again. Returns whether any was drawn.
 */
static bool oom_markers(const struct chart *c, const json_t *victims)
{
        json_t *k;
        size_t i;
        bool any = false;

        json_array_foreach(victims, i, k)
        {
                char tip[256];
                uint64_t pid;
                double t;
                if (!mc_rj_double(k, "t", &t))
                        continue;
                if (mc_rj_u64(k, "pid", &pid))
                        snprintf(tip, sizeof(tip), "%.2f s: OOM kill of %s (pid %llu)", t,
                                 mc_rj_str(k, "name") ?: "?", (unsigned long long)pid);
                else
                        snprintf(tip, sizeof(tip), "%.2f s: OOM kill", t);
                marker(c, t, "oom", COLOR_OOM, "5", tip);
                any = true;
        }
        return any;
}

/* The log's events as marks; OOM lines only when the report lists no kill (a report of an older memcage). */
static unsigned markers(const struct chart *c, const json_t *r)
{
        json_t *log = mc_rj_array(r, "log"), *e;
        json_auto_t *victims = mc_rj_oom_victims(r);
        size_t i;
        unsigned kinds = oom_markers(c, victims) ? MARK_OOM : 0;
        bool oom_drawn = kinds & MARK_OOM;

        json_array_foreach(log, i, e)
        {
                const char *type = mc_rj_str(e, "type");
                const struct mark_kind *k = type ? marker_kind(type) : NULL;
                double t;
                uint64_t count = 0, pid;
                char tip[256];
                if (!k || !mc_rj_double(e, "t", &t) || (k->kind == MARK_OOM && oom_drawn))
                        continue;
                kinds |= k->kind;
                if (streq(type, "oom_kill") && mc_rj_u64(e, "pid", &pid))
                        snprintf(tip, sizeof(tip), "%.2f s: OOM kill of %s (pid %llu)", t,
                                 mc_rj_str(e, "name") ?: "?", (unsigned long long)pid);
                else if (streq(type, "pressure"))
                        snprintf(tip, sizeof(tip), "%.2f s: %s (%s)", t, k->what,
                                 mc_rj_str(e, "kind") ?: "?");
                else if (mc_rj_u64(e, "count", &count))
                        snprintf(tip, sizeof(tip), "%.2f s: %s %llu time%s", t, k->what,
                                 (unsigned long long)count, count == 1 ? "" : "s");
                else
                        snprintf(tip, sizeof(tip), "%.2f s: %s", t, k->what);
                marker(c, t, k->cls, k->color, k->radius, tip);
        }
        return kinds;
}

static void legend(const struct chart *c, bool swap, bool psi, bool steps, unsigned kinds)
{
        struct item {
                const char *label, *color;
                bool line, dashed, show;
        } items[] = {
                { "memory.current", COLOR_MEM, true, false, true },
                { "memory.swap.current", COLOR_SWAP, true, false, swap },
                { "PSI some avg10", COLOR_SOME, true, true, psi },
                { "PSI full avg10", COLOR_FULL, true, true, psi },
                { "limits (labelled)", "#555555", true, true, true },
                { "step: start, peak", "#444444", true, false, steps },
                { "OOM kill", COLOR_OOM, false, false, kinds & MARK_OOM },
                { "memory.high reached", COLOR_HIGH, false, false, kinds & MARK_HIGH },
                { "memory.max reached", COLOR_MAX, false, false, kinds & MARK_MAX },
                { "memory.swap.max reached", COLOR_SWAP, false, false, kinds & MARK_SWAP_MAX },
                { "pressure trigger", COLOR_PRESSURE, false, false, kinds & MARK_PRESSURE },
        };
        double x = X0, y = Y1 + 66;

        for (size_t i = 0; i < ELEMENTSOF(items); i++) {
                /* About 7 px a character at 12 px; a second row when this one is full. */
                double w = 28 + 7 * (double)strlen(items[i].label);
                if (!items[i].show)
                        continue;
                if (x + w > X1) {
                        x = X0;
                        y += 20;
                }
                if (items[i].line)
                        fprintf(c->f,
                                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                                "stroke-width=\"2\"%s/>\n",
                                x, y - 4, x + 22, y - 4, items[i].color,
                                items[i].dashed ? " stroke-dasharray=\"5 3\"" : "");
                else
                        fprintf(c->f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>\n", x + 11,
                                y - 4, items[i].color);
                text(c, x + 28, y, "start", NULL, items[i].label);
                x += w + 18;
        }
}

static double column_max(const json_t *col)
{
        double m = 0;
        size_t i;
        json_t *v;
        json_array_foreach(col, i, v) if (json_is_number(v) && json_number_value(v) > m) m =
                json_number_value(v);
        return m;
}

static int chart(FILE *f, const json_t *r, const json_t *tl)
{
        struct chart c = { .f = f };
        json_t *ts = mc_rj_array(tl, "t");
        json_t *mem = mc_rj_array(tl, "memory_current"), *swap = mc_rj_array(tl, "swap_current");
        json_t *some = mc_rj_array(tl, "some_avg10"), *full = mc_rj_array(tl, "full_avg10");
        json_t *limits = mc_rj_obj(r, "limits");
        double d;
        uint64_t v;

        c.t_max = column_max(ts);
        if (mc_rj_double(r, "duration_s", &d) && d > c.t_max)
                c.t_max = d;
        if (c.t_max <= 0)
                c.t_max = 1;
        double top = column_max(mem);
        if (column_max(swap) > top)
                top = column_max(swap);
        if (mc_svg_steps_peak(r) > top) /* a step's peak by the kernel may lie between two samples */
                top = mc_svg_steps_peak(r);
        static const char *const lims[] = { "max", "high", "swap.max" };
        for (size_t i = 0; i < ELEMENTSOF(lims); i++)
                if (mc_rj_u64(limits, lims[i], &v) && (double)v > top)
                        top = (double)v;
        if (top <= 0)
                top = 1 << 20;
        double step = nice_bytes(top * 1.05, 6);
        c.y_max = step;
        while (c.y_max < top * 1.05)
                c.y_max += step;

        bool psi = some || full;
        axes(&c, psi);
        series(&c, ts, mem, false, COLOR_MEM, "stroke-width=\"2\"", true);
        series(&c, ts, swap, false, COLOR_SWAP, "stroke-width=\"2\"", true);
        series(&c, ts, some, true, COLOR_SOME, "stroke-width=\"1.2\" stroke-dasharray=\"4 3\"", false);
        series(&c, ts, full, true, COLOR_FULL, "stroke-width=\"1.2\" stroke-dasharray=\"2 2\"", false);
        double label_y = 1e9;
        limit_line(&c, r, "max", "memory.max", COLOR_MAX, &label_y);
        limit_line(&c, r, "high", "memory.high", COLOR_HIGH, &label_y);
        limit_line(&c, r, "swap.max", "memory.swap.max", COLOR_SWAP, &label_y);
        struct mc_svg_plot plot = {
                .f = f, .x0 = X0, .x1 = X1, .y0 = Y0, .y1 = Y1, .t_max = c.t_max, .y_max = c.y_max
        };
        bool steps = mc_svg_steps(&plot, r);
        unsigned kinds = markers(&c, r);
        legend(&c, swap != NULL, psi, steps, kinds);
        return 0;
}

int mc_report_svg(const json_t *r, char **ret, struct mc_error *err)
{
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        json_t *tl = mc_rj_obj(r, "timeline");

        /* The axes step through the value range: a value near DBL_MAX would never end the loop. */
        if (mc_rj_check_numbers(r, err) < 0)
                return mc_error_prefix(err, "render the SVG chart");
        FILE *f = open_memstream(&s, &len);
        if (!f)
                return mc_error_errno(err, errno, "render the SVG chart");
        header(f);
        int rr = title(f, r);
        if (rr >= 0) {
                summary(f, r);
                if (tl && json_array_size(mc_rj_array(tl, "t")) > 0)
                        rr = chart(f, r, tl);
                else
                        no_timeline(f, r);
        }
        fputs("</svg>\n", f);
        if (fclose(f) != 0 || rr < 0)
                return mc_error_errno(err, ENOMEM, "render the SVG chart");
        *ret = TAKE_PTR(s);
        return 0;
}
