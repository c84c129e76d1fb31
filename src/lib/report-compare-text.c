/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

#include "escape.h"
#include "report-compare-internal.h"
#include "report-json.h"
#include "size.h"
#include "util.h"

#define KEY_WIDTH 13

/* A value of a metric for people: "64M", "1.25 s", "850 ms", "3". */
static void put_value(FILE *f, enum mc_compare_unit u, double v)
{
        char b[MC_SIZE_STR_MAX];
        const char *sign = v < 0 ? "-" : "";

        if (v < 0)
                v = -v;
        /* A sum of process sizes may pass 2^64, which no integer conversion takes. */
        uint64_t whole = v >= MC_RJ_NUMBER_LIMIT ? UINT64_MAX : (uint64_t)v;
        switch (u) {
        case MC_COMPARE_UNIT_BYTES:
                fprintf(f, "%s%s", sign, mc_size_format(whole, b, sizeof(b)));
                break;
        case MC_COMPARE_UNIT_SECONDS:
                if (v < 1)
                        fprintf(f, "%s%llu ms", sign, (unsigned long long)(v * 1000));
                else
                        fprintf(f, "%s%.2f s", sign, v);
                break;
        default:
                fprintf(f, "%s%llu", sign, (unsigned long long)whole);
        }
}

/* Right-aligned in a column of width w: the value, or missing when it is not a number. */
static void put_cell(FILE *f, enum mc_compare_unit u, const json_t *v, const char *missing, int w)
{
        char *s = NULL;
        size_t len = 0;
        FILE *c = open_memstream(&s, &len);

        if (!c)
                return;
        if (json_is_number(v))
                put_value(c, u, json_number_value(v));
        else
                fputs(missing, c);
        if (fclose(c) == 0)
                fprintf(f, "%*s", w, s);
        free(s);
}

/* "+20.0%" against a nonzero old value, else the difference itself ("+12 ms", "0"). */
static void put_change(FILE *f, enum mc_compare_unit u, const json_t *e, int w)
{
        json_t *change = json_object_get(e, "change"), *delta = json_object_get(e, "delta");
        char buf[64];

        if (json_is_number(delta) && json_number_value(delta) == 0)
                fprintf(f, "%*s", w, "0");
        else if (json_is_number(change)) {
                double c = json_number_value(change) * 100;
                snprintf(buf, sizeof(buf), "%s%.1f%%", c > 0 ? "+" : "", c);
                fprintf(f, "%*s", w, buf);
        } else if (json_is_number(delta) && json_number_value(delta) > 0) {
                char *s = NULL;
                size_t len = 0;
                FILE *c = open_memstream(&s, &len);
                if (!c)
                        return;
                fputc('+', c);
                put_value(c, u, json_number_value(delta));
                if (fclose(c) == 0)
                        fprintf(f, "%*s", w, s);
                free(s);
        } else
                put_cell(f, u, delta, "", w);
}

/* The cells of a row after its label: old, new (missing where one is not known), the change, "worse". */
static void put_row(FILE *f, enum mc_compare_unit u, const json_t *e, const char *old_key,
                    const char *new_key, const char *missing)
{
        put_cell(f, u, json_object_get(e, old_key), missing, 12);
        fputc(' ', f);
        put_cell(f, u, json_object_get(e, new_key), missing, 12);
        fputc(' ', f);
        put_change(f, u, e, 10);
        fputs(json_is_true(json_object_get(e, "worse")) ? "  worse\n" : "\n", f);
}

static enum mc_compare_unit unit_of(const json_t *e)
{
        const char *u = mc_rj_str(e, "unit");
        for (size_t i = 0; u && i < ELEMENTSOF(mc_compare_unit_names); i++)
                if (streq(u, mc_compare_unit_names[i]))
                        return (enum mc_compare_unit)i;
        return MC_COMPARE_UNIT_COUNT;
}

static enum mc_compare_unit unit_of_metric(const char *name)
{
        for (int m = 0; name && m < MC_COMPARE_N_METRICS; m++)
                if (streq(mc_compare_metrics[m].name, name))
                        return mc_compare_metrics[m].unit;
        return MC_COMPARE_UNIT_COUNT;
}

static const char *label_of(const char *name)
{
        for (int m = 0; m < MC_COMPARE_N_METRICS; m++)
                if (streq(mc_compare_metrics[m].name, name))
                        return mc_compare_metrics[m].label;
        return name;
}

static void lines_step_thresholds(FILE *f, const json_t *cmp, bool first);

static void lines_thresholds(FILE *f, const json_t *cmp)
{
        json_t *fo = mc_rj_obj(cmp, "fail_on"), *e;
        json_t *conditions = mc_rj_array(fo, "conditions"), *matched = mc_rj_array(fo, "matched");
        size_t i;
        bool first = true;

        if (json_array_size(conditions) > 0) {
                fprintf(f, "%-*s", KEY_WIDTH, "fail-on");
                json_array_foreach(conditions, i, e)
                        fprintf(f, "%s%s", i ? ", " : "", json_string_value(e) ?: "?");
                if (json_array_size(matched) == 0)
                        fputs(": none matched", f);
                json_array_foreach(matched, i, e)
                        fprintf(f, "%s%s", i ? ", " : ": matched ", json_string_value(e) ?: "?");
                fputc('\n', f);
                first = false;
        }
        json_array_foreach(mc_rj_array(fo, "thresholds"), i, e)
        {
                enum mc_compare_unit u = unit_of_metric(mc_rj_str(e, "metric"));
                fprintf(f, "%-*s%s: ", KEY_WIDTH, first ? "fail-on" : "", mc_rj_str(e, "threshold") ?: "?");
                first = false;
                if (!json_is_number(json_object_get(e, "new"))) {
                        fputs("unknown in one of the reports, not judged\n", f);
                        continue;
                }
                put_cell(f, u, json_object_get(e, "new"), "?", 0);
                fputs(json_is_true(json_object_get(e, "matched")) ? " over " : " within ", f);
                put_cell(f, u, json_object_get(e, "limit"), "?", 0);
                fputs(" (old ", f);
                put_cell(f, u, json_object_get(e, "old"), "?", 0);
                fputs(json_is_true(json_object_get(e, "matched")) ? "): matched\n" : ")\n", f);
        }
        lines_step_thresholds(f, cmp, first);
}

/*
 * The steps: for each step both reports have, its rows known in either
 * (as the run's, indented), then a line for each step only one has.
 */
static void lines_steps(FILE *f, const json_t *cmp)
{
        json_t *steps = mc_rj_array(cmp, "steps"), *e, *m;
        size_t i, k;

        if (json_array_size(steps) == 0)
                return;
        fprintf(f, "%-*smatched by name (a name's first step; later ones are not compared)\n", KEY_WIDTH,
                "steps");
        json_array_foreach(steps, i, e)
        {
                const char *name = mc_rj_str(e, "name") ?: "?", *match = mc_rj_str(e, "match") ?: "?";

                if (streq(match, "new"))
                        fprintf(f, "  %s: only in the new report\n", name);
                else if (streq(match, "old"))
                        fprintf(f, "  %s: only in the baseline\n", name);
                else if (streq(match, "repeated"))
                        fprintf(f, "  %s: repeated, not compared\n", name);
                if (!streq(match, "both"))
                        continue;
                fprintf(f, "  %s\n", name);
                json_array_foreach(mc_rj_array(e, "metrics"), k, m)
                {
                        /* Unknown in both (no swap accounting, sampling off): nothing to say. */
                        if (json_is_null(json_object_get(m, "old")) &&
                            json_is_null(json_object_get(m, "new")))
                                continue;
                        fprintf(f, "    %-*s", KEY_WIDTH - 4, label_of(mc_rj_str(m, "metric") ?: "?"));
                        put_row(f, unit_of(m), m, "old", "new", "unknown");
                }
        }
}

/* The thresholds a step met, one line each, after the run's. */
static void lines_step_thresholds(FILE *f, const json_t *cmp, bool first)
{
        json_t *e, *t;
        size_t i, k, judged = 0;
        bool any = false;

        json_array_foreach(mc_rj_array(cmp, "steps"), i, e)
        {
                json_t *th = mc_rj_array(mc_rj_obj(e, "fail_on"), "thresholds");
                judged += th != NULL;
                json_array_foreach(th, k, t)
                {
                        enum mc_compare_unit u = unit_of_metric(mc_rj_str(t, "metric"));
                        if (!json_is_true(json_object_get(t, "matched")))
                                continue;
                        fprintf(f, "%-*sstep %s, %s: ", KEY_WIDTH, first ? "fail-on" : "",
                                mc_rj_str(e, "name") ?: "?", mc_rj_str(t, "threshold") ?: "?");
                        first = false;
                        put_cell(f, u, json_object_get(t, "new"), "?", 0);
                        fputs(" over ", f);
                        put_cell(f, u, json_object_get(t, "limit"), "?", 0);
                        fputs(" (old ", f);
                        put_cell(f, u, json_object_get(t, "old"), "?", 0);
                        fputs("): matched\n", f);
                        any = true;
                }
        }
        if (judged > 0 && !any)
                fprintf(f, "%-*ssteps: none matched in the %zu compared\n", KEY_WIDTH,
                        first ? "fail-on" : "", judged);
}

static int render(const json_t *cmp, unsigned flags, char **ret, struct mc_error *err)
{
        _cleanup_free_ char *s = NULL;
        size_t len = 0, i;
        json_t *e;
        FILE *f = open_memstream(&s, &len);

        if (!f)
                return mc_error_errno(err, errno, "render the comparison");
        if (!(flags & MC_COMPARE_TEXT_SHORT))
                for (int k = 0; k < 2; k++) {
                        json_t *sd = mc_rj_obj(cmp, k ? "new" : "old");
                        fprintf(f, "%-*s%s: %s\n", KEY_WIDTH, k ? "new" : "baseline",
                                mc_rj_str(sd, "command") ?: "?", mc_rj_str(sd, "verdict") ?: "?");
                }
        fprintf(f, "%-*s%12s %12s %10s\n", KEY_WIDTH, "metric", "old", "new", "change");
        json_array_foreach(mc_rj_array(cmp, "metrics"), i, e)
        {
                enum mc_compare_unit u = unit_of(e);
                fprintf(f, "%-*s", KEY_WIDTH, label_of(mc_rj_str(e, "metric") ?: "?"));
                put_row(f, u, e, "old", "new", "unknown");
        }
        json_t *procs = mc_rj_array(cmp, "processes");
        if (!(flags & MC_COMPARE_TEXT_SHORT) && json_array_size(procs) > 0) {
                fprintf(f, "%-*sby PSS, matched by name (summed), '-' when not in a report's top\n",
                        KEY_WIDTH, "processes");
                fprintf(f, "  %-*s%12s %12s %10s\n", KEY_WIDTH - 2, "NAME", "OLD PSS", "NEW PSS", "CHANGE");
                json_array_foreach(procs, i, e)
                {
                        fprintf(f, "  %-*s", KEY_WIDTH - 2, mc_rj_str(e, "name") ?: "?");
                        put_row(f, MC_COMPARE_UNIT_BYTES, e, "old_pss", "new_pss", "-");
                }
        }
        lines_steps(f, cmp);
        lines_thresholds(f, cmp);
        if (fclose(f) != 0)
                return mc_error_errno(err, ENOMEM, "render the comparison");
        *ret = TAKE_PTR(s);
        return 0;
}

const char *mc_thresholds_format(const json_t *fail_on, char *buf, size_t n)
{
        _cleanup_free_ char *s = NULL;
        size_t len = 0, i, k = 0;
        json_t *e;
        FILE *f = open_memstream(&s, &len);

        buf[0] = '\0';
        if (!f)
                return buf;
        json_array_foreach(mc_rj_array(fail_on, "thresholds"), i, e)
        {
                enum mc_compare_unit u = unit_of_metric(mc_rj_str(e, "metric"));
                if (!json_is_true(json_object_get(e, "matched")))
                        continue;
                fprintf(f, "%s%s (", k++ ? ", " : "", mc_rj_str(e, "threshold") ?: "?");
                put_cell(f, u, json_object_get(e, "new"), "?", 0);
                fputs(" over ", f);
                put_cell(f, u, json_object_get(e, "limit"), "?", 0);
                fputc(')', f);
        }
        if (fclose(f) == 0)
                snprintf(buf, n, "%s", s);
        return buf;
}

int mc_compare_text(const json_t *cmp, unsigned flags, char **ret, struct mc_error *err)
{
        /* Process names and commands come from the reports and reach a terminal: no control characters. */
        json_auto_t *printable = mc_json_printable_copy(cmp);
        if (!printable)
                return mc_error_errno(err, ENOMEM, "render the comparison");
        return render(printable, flags, ret, err);
}
