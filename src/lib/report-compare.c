/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "duration.h"
#include "escape.h"
#include "fail-on.h"
#include "report-compare.h"
#include "report-json.h"
#include "size.h"
#include "util.h"

#define KEY_WIDTH 13

enum unit { UNIT_BYTES, UNIT_SECONDS, UNIT_COUNT };

static const struct {
        const char *name;      /* in the comparison's JSON */
        const char *threshold; /* in a --fail-on threshold */
        const char *label;     /* in the text */
        enum unit unit;
} metrics[MC_COMPARE_N_METRICS] = {
        [MC_COMPARE_PEAK] = { "peak", "peak", "peak", UNIT_BYTES },
        [MC_COMPARE_SWAP_PEAK] = { "swap_peak", "swap-peak", "swap peak", UNIT_BYTES },
        [MC_COMPARE_STALL_SOME] = { "stall_some", "stall-some", "stall some", UNIT_SECONDS },
        [MC_COMPARE_STALL_FULL] = { "stall_full", "stall", "stall full", UNIT_SECONDS },
        [MC_COMPARE_OOM_KILLS] = { "oom_kills", "oom", "oom kills", UNIT_COUNT },
        [MC_COMPARE_HIGH] = { "high", "high", "high events", UNIT_COUNT },
        [MC_COMPARE_MAX] = { "max", "max", "max events", UNIT_COUNT },
        [MC_COMPARE_DURATION] = { "duration", "duration", "duration", UNIT_SECONDS },
        [MC_COMPARE_CPU] = { "cpu", "cpu", "cpu", UNIT_SECONDS },
};

static const char *const unit_names[] = { "bytes", "seconds", "count" };

#define THRESHOLD_METRICS "peak, swap-peak, stall, stall-some, duration, cpu, oom, high or max"

int mc_compare_load(const char *path, json_t **ret, struct mc_error *err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        json_error_t jerr;

        if (fd < 0)
                return mc_error_errno(err, errno, "%s", path);
        json_t *j = json_loadfd(fd, 0, &jerr);
        if (!j)
                return mc_error_set(err, EINVAL, "%s: %s (line %d)", path, jerr.text, jerr.line);
        if (mc_rj_check_schema(j, err) < 0) {
                json_decref(j);
                return mc_error_prefix(err, "%s", path);
        }
        *ret = j;
        return 0;
}

static bool u64_as_double(const json_t *obj, const char *key, double *ret)
{
        uint64_t v;
        if (!mc_rj_u64(obj, key, &v))
                return false;
        *ret = (double)v;
        return true;
}

/* The metric of a report; false when the report does not know it. */
static bool metric_value(const json_t *r, enum mc_compare_metric m, double *ret)
{
        json_t *mem = mc_rj_obj(r, "memory"), *psi = mc_rj_obj(r, "pressure"), *cpu = mc_rj_obj(r, "cpu");
        json_t *events = mc_rj_obj(r, "events");
        double a, b;

        switch (m) {
        case MC_COMPARE_PEAK:
                return u64_as_double(mem, "peak", ret);
        case MC_COMPARE_SWAP_PEAK:
                return u64_as_double(mem, "swap_peak", ret);
        case MC_COMPARE_STALL_SOME:
        case MC_COMPARE_STALL_FULL:
                if (!u64_as_double(psi, m == MC_COMPARE_STALL_SOME ? "some_total_us" : "full_total_us", &a))
                        return false;
                *ret = a / 1e6;
                return true;
        case MC_COMPARE_OOM_KILLS:
                /* Without the counters nor a kill listed, the run was not watched (it never started). */
                if (!events && json_array_size(mc_rj_array(r, "oom_kills")) == 0)
                        return false;
                *ret = (double)mc_rj_oom_kills(r);
                return true;
        case MC_COMPARE_HIGH:
                return u64_as_double(events, "high", ret);
        case MC_COMPARE_MAX:
                return u64_as_double(events, "max", ret);
        case MC_COMPARE_DURATION:
                return mc_rj_double(r, "duration_s", ret);
        case MC_COMPARE_CPU:
                if (!mc_rj_double(cpu, "user_s", &a) || !mc_rj_double(cpu, "system_s", &b))
                        return false;
                *ret = a + b;
                return true;
        default:
                return false;
        }
}

/* Bytes and counts as integers (what a consumer compares exactly), seconds as reals. */
static json_t *number(enum unit u, double v)
{
        if (u != UNIT_SECONDS && v > -9.0e18 && v < 9.0e18)
                return json_integer((json_int_t)v);
        return json_real(v);
}

static int set(json_t *o, const char *key, json_t *v)
{
        return json_object_set_new(o, key, v);
}

/*
 * One line of the comparison. For a metric, worse is new > old, both known;
 * for a process also a name that entered the top: it took memory the
 * baseline did not see there.
 */
static json_t *row(bool process, const char *name, enum unit u, bool has_old, double old, bool has_new,
                   double new)
{
        bool known = has_old && has_new;
        bool worse = process ? has_new && (!has_old || new > old) : known && new > old;
        json_t *o = json_object();

        if (!o || set(o, process ? "name" : "metric", json_string(name)) < 0 ||
            (!process && set(o, "unit", json_string(unit_names[u])) < 0) ||
            set(o, process ? "old_pss" : "old", has_old ? number(u, old) : json_null()) < 0 ||
            set(o, process ? "new_pss" : "new", has_new ? number(u, new) : json_null()) < 0 ||
            set(o, "delta", known ? number(u, new - old) : json_null()) < 0 ||
            set(o, "change", known && old > 0 ? json_real((new - old) / old) : json_null()) < 0 ||
            set(o, "worse", json_boolean(worse)) < 0) {
                json_decref(o);
                return NULL;
        }
        return o;
}

struct proc {
        const char *name;
        double pss[2];
        bool has[2];
};

/* Adds the top processes of report r (0 old, 1 new) to procs, summed by name. */
static void add_processes(const json_t *r, int which, struct proc *procs, size_t *n)
{
        json_t *top = mc_rj_array(mc_rj_obj(r, "processes"), "top"), *e;
        size_t i, k;

        json_array_foreach(top, i, e)
        {
                const char *name = mc_rj_str(e, "name") ?: "?";
                double pss;
                if (!u64_as_double(e, "pss", &pss))
                        continue;
                for (k = 0; k < *n && !streq(procs[k].name, name); k++)
                        ;
                if (k == *n) {
                        /* The schema caps top at 10; more are ignored rather than trusted. */
                        if (*n >= 2 * MC_COMPARE_TOP)
                                continue;
                        procs[(*n)++] = (struct proc){ .name = name };
                }
                procs[k].pss[which] += pss;
                procs[k].has[which] = true;
        }
}

static double proc_key(const struct proc *p)
{
        double o = p->has[0] ? p->pss[0] : 0, n = p->has[1] ? p->pss[1] : 0;
        return o > n ? o : n;
}

static int proc_cmp(const void *a, const void *b)
{
        const struct proc *x = a, *y = b;
        double kx = proc_key(x), ky = proc_key(y);
        if (kx != ky)
                return kx > ky ? -1 : 1;
        return strcmp(x->name, y->name);
}

static json_t *side(const json_t *r)
{
        char verdict[256];
        _cleanup_free_ char *cmd = mc_rj_command_line(r);
        if (!cmd)
                return NULL;
        (void)mc_rj_verdict(r, verdict, sizeof(verdict));
        return json_pack("{s:s, s:s}", "command", cmd, "verdict", verdict);
}

int mc_compare_reports(const json_t *old, const json_t *new, json_t **ret, struct mc_error *err)
{
        struct proc procs[2 * MC_COMPARE_TOP];
        size_t n = 0;
        json_auto_t *doc = NULL;
        json_t *rows = json_array(), *prows = json_array();

        doc = json_pack("{s:o*, s:o*, s:o*, s:o*}", "old", side(old), "new", side(new), "metrics", rows,
                        "processes", prows);
        if (!doc || !json_is_object(json_object_get(doc, "old")) ||
            !json_is_object(json_object_get(doc, "new")) ||
            !json_is_array(json_object_get(doc, "metrics")) ||
            !json_is_array(json_object_get(doc, "processes")))
                return mc_error_errno(err, ENOMEM, "compare the reports");

        for (int m = 0; m < MC_COMPARE_N_METRICS; m++) {
                double o = 0, v = 0;
                bool ho = metric_value(old, m, &o), hn = metric_value(new, m, &v);
                if (json_array_append_new(rows, row(false, metrics[m].name, metrics[m].unit, ho, o, hn, v)) <
                    0)
                        return mc_error_errno(err, ENOMEM, "compare the reports");
        }

        add_processes(new, 1, procs, &n);
        add_processes(old, 0, procs, &n);
        qsort(procs, n, sizeof(procs[0]), proc_cmp);
        for (size_t i = 0; i < n && i < MC_COMPARE_TOP; i++)
                if (json_array_append_new(prows, row(true, procs[i].name, UNIT_BYTES, procs[i].has[0],
                                                     procs[i].pss[0], procs[i].has[1], procs[i].pss[1])) < 0)
                        return mc_error_errno(err, ENOMEM, "compare the reports");
        *ret = TAKE_PTR(doc);
        return 0;
}

int mc_threshold_parse(const char *s, struct mc_threshold *ret, struct mc_error *err)
{
        const char *plus = strchr(s, '+'), *margin;
        struct mc_threshold t = { 0 };
        int m;

        if (!plus)
                return mc_error_set(err, EINVAL, "threshold '%s': expected METRIC+MARGIN, e.g. peak+10%%",
                                    s);
        if (strlen(s) >= sizeof(t.text))
                return mc_error_set(err, EINVAL, "threshold '%.20s...': too long", s);
        for (m = 0; m < MC_COMPARE_N_METRICS; m++)
                if (strlen(metrics[m].threshold) == (size_t)(plus - s) &&
                    strncmp(s, metrics[m].threshold, (size_t)(plus - s)) == 0)
                        break;
        /* "stall" is the full stall (all tasks waiting), the one that costs throughput; an alias says so. */
        if (m == MC_COMPARE_N_METRICS && plus - s == 10 && strncmp(s, "stall-full", 10) == 0)
                m = MC_COMPARE_STALL_FULL;
        if (m == MC_COMPARE_N_METRICS)
                return mc_error_set(err, EINVAL,
                                    "threshold '%s': unknown metric '%.*s': use " THRESHOLD_METRICS, s,
                                    (int)(plus - s), s);
        t.metric = m;
        margin = plus + 1;
        size_t len = strlen(margin);

        if (len > 0 && margin[len - 1] == '%') {
                struct mc_decimal d;
                if (len == 1 || mc_decimal_scan(margin, &d) != len - 1 || d.overflow)
                        return mc_error_set(err, EINVAL, "threshold '%s': '%s' is not a percentage", s,
                                            margin);
                t.percent = true;
                t.margin = (double)d.whole + (double)d.fraction / (double)d.scale;
        } else if (metrics[m].unit == UNIT_BYTES) {
                uint64_t b;
                /* The size parser's own message would offer a percentage of RAM: not what % means here. */
                if (mc_size_parse(margin, 0, &b, err) < 0)
                        return mc_error_set(
                                err, EINVAL,
                                "threshold '%s': '%s' is not a size (64M, 1.5G) or a percentage (10%%)", s,
                                margin);
                if (b == MC_SIZE_MAX)
                        return mc_error_set(err, EINVAL, "threshold '%s': a margin of max never matches", s);
                t.margin = (double)b;
        } else if (metrics[m].unit == UNIT_SECONDS) {
                uint64_t us;
                if (mc_duration_parse(margin, &us, err) < 0)
                        return mc_error_prefix(err, "threshold '%s': margin '%s'", s, margin);
                t.margin = (double)us / 1e6;
        } else {
                const char *p = margin;
                uint64_t v;
                if (mc_parse_u64(&p, &v) < 0 || *p)
                        return mc_error_set(err, EINVAL,
                                            "threshold '%s': '%s' is not a count or a percentage", s,
                                            margin);
                t.margin = (double)v;
        }
        snprintf(t.text, sizeof(t.text), "%s", s);
        *ret = t;
        return 0;
}

int mc_fail_on_parse_list(const char *list, unsigned *ret_mask, struct mc_thresholds *ret_thresholds,
                          struct mc_error *err)
{
        struct mc_thresholds th = { 0 };
        unsigned mask = 0;
        const char *p = list;

        for (;;) {
                size_t len = strcspn(p, ",");
                _cleanup_free_ char *item = strndup(p, len);
                int r;

                if (!item)
                        return mc_error_errno(err, ENOMEM, "--fail-on");
                if (strchr(item, '+')) {
                        if (th.n >= MC_THRESHOLDS_MAX)
                                return mc_error_set(err, E2BIG, "--fail-on: more than %d thresholds",
                                                    MC_THRESHOLDS_MAX);
                        r = mc_threshold_parse(item, &th.v[th.n++], err);
                } else {
                        unsigned m;
                        r = mc_fail_on_parse(item, &m, err);
                        mask |= m;
                }
                if (r < 0)
                        return r;
                if (!p[len])
                        break;
                p += len + 1;
        }
        *ret_mask = mask;
        *ret_thresholds = th;
        return 0;
}

static json_t *find_metric(const json_t *cmp, const char *name)
{
        json_t *rows = mc_rj_array(cmp, "metrics"), *e;
        size_t i;
        json_array_foreach(rows, i, e)
        {
                const char *n = mc_rj_str(e, "metric");
                if (n && streq(n, name))
                        return e;
        }
        return NULL;
}

int mc_thresholds_judge(const json_t *cmp, const struct mc_thresholds *th, json_t **ret_json,
                        size_t *ret_matched, struct mc_error *err)
{
        json_auto_t *a = json_array();
        size_t matched = 0;

        if (!a)
                return mc_error_errno(err, ENOMEM, "judge the thresholds");
        for (size_t i = 0; i < th->n; i++) {
                const struct mc_threshold *t = &th->v[i];
                json_t *r = find_metric(cmp, metrics[t->metric].name);
                double old, new;
                bool known = mc_rj_double(r, "old", &old) && mc_rj_double(r, "new", &new);
                /* Percent of 0 is 0: from a baseline of 0 any increase matches (documented). */
                double limit = known ? (t->percent ? old * (1 + t->margin / 100) : old + t->margin) : 0;
                /* A limit no value of a report reaches: kept within a report's range
                 * (mc_rj_check_numbers()). */
                if (limit > MC_RJ_NUMBER_LIMIT)
                        limit = MC_RJ_NUMBER_LIMIT;
                bool hit = known && new > limit;

                matched += hit;
                json_t *e = json_pack("{s:s, s:s, s:o, s:o, s:o, s:b}", "threshold", t->text, "metric",
                                      metrics[t->metric].name, "old",
                                      known ? number(metrics[t->metric].unit, old) : json_null(), "new",
                                      known ? number(metrics[t->metric].unit, new) : json_null(), "limit",
                                      known ? number(metrics[t->metric].unit, limit) : json_null(),
                                      "matched", hit);
                if (!e || json_array_append_new(a, e) < 0)
                        return mc_error_errno(err, ENOMEM, "judge the thresholds");
        }
        *ret_json = TAKE_PTR(a);
        *ret_matched = matched;
        return 0;
}

int mc_report_judge(json_t *report, unsigned mask, const struct mc_thresholds *th, json_t *cmp, int status,
                    struct mc_judgement *ret, struct mc_error *err)
{
        json_t *judged = NULL; /* cmp's, once there */
        size_t n_thresholds = 0;
        unsigned matched = 0;

        if (cmp && mc_thresholds_judge(cmp, th, &judged, &n_thresholds, err) < 0)
                return -err->code;
        if (cmp && json_object_set_new(cmp, "fail_on", json_pack("{s:o}", "thresholds", judged)) < 0)
                return mc_error_errno(err, ENOMEM, "judge the report");
        if (mask || th->n > 0) {
                matched = mc_fail_on_match(report, mask);
                json_t *fo = mc_fail_on_to_json(mask, matched);
                if (fo && judged && json_object_set(fo, "thresholds", judged) < 0)
                        fo = (json_decref(fo), NULL);
                if (!fo || json_object_set_new(report, "fail_on", fo) < 0)
                        return mc_error_errno(err, ENOMEM, "judge the report");
                if ((matched || n_thresholds > 0) && status == 0) {
                        status = MC_FAIL_ON_EXIT_STATUS;
                        if (json_object_set_new(report, "status", json_integer(status)) < 0)
                                return mc_error_errno(err, ENOMEM, "judge the report");
                }
        }
        *ret = (struct mc_judgement){ .matched = matched, .n_thresholds = n_thresholds, .status = status };
        return 0;
}

/* A value of a metric for people: "64M", "1.25 s", "850 ms", "3". */
static void put_value(FILE *f, enum unit u, double v)
{
        char b[MC_SIZE_STR_MAX];
        const char *sign = v < 0 ? "-" : "";

        if (v < 0)
                v = -v;
        /* A sum of process sizes may pass 2^64, which no integer conversion takes. */
        uint64_t whole = v >= MC_RJ_NUMBER_LIMIT ? UINT64_MAX : (uint64_t)v;
        switch (u) {
        case UNIT_BYTES:
                fprintf(f, "%s%s", sign, mc_size_format(whole, b, sizeof(b)));
                break;
        case UNIT_SECONDS:
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
static void put_cell(FILE *f, enum unit u, const json_t *v, const char *missing, int w)
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
static void put_change(FILE *f, enum unit u, const json_t *e, int w)
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

static enum unit unit_of(const json_t *e)
{
        const char *u = mc_rj_str(e, "unit");
        for (size_t i = 0; u && i < ELEMENTSOF(unit_names); i++)
                if (streq(u, unit_names[i]))
                        return (enum unit)i;
        return UNIT_COUNT;
}

static enum unit unit_of_metric(const char *name)
{
        for (int m = 0; name && m < MC_COMPARE_N_METRICS; m++)
                if (streq(metrics[m].name, name))
                        return metrics[m].unit;
        return UNIT_COUNT;
}

static const char *label_of(const char *name)
{
        for (int m = 0; m < MC_COMPARE_N_METRICS; m++)
                if (streq(metrics[m].name, name))
                        return metrics[m].label;
        return name;
}

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
                enum unit u = unit_of_metric(mc_rj_str(e, "metric"));
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
                enum unit u = unit_of(e);
                fprintf(f, "%-*s", KEY_WIDTH, label_of(mc_rj_str(e, "metric") ?: "?"));
                put_cell(f, u, json_object_get(e, "old"), "unknown", 12);
                fputc(' ', f);
                put_cell(f, u, json_object_get(e, "new"), "unknown", 12);
                fputc(' ', f);
                put_change(f, u, e, 10);
                fputs(json_is_true(json_object_get(e, "worse")) ? "  worse\n" : "\n", f);
        }
        json_t *procs = mc_rj_array(cmp, "processes");
        if (!(flags & MC_COMPARE_TEXT_SHORT) && json_array_size(procs) > 0) {
                fprintf(f, "%-*sby PSS, matched by name (summed), '-' when not in a report's top\n",
                        KEY_WIDTH, "processes");
                fprintf(f, "  %-*s%12s %12s %10s\n", KEY_WIDTH - 2, "NAME", "OLD PSS", "NEW PSS", "CHANGE");
                json_array_foreach(procs, i, e)
                {
                        fprintf(f, "  %-*s", KEY_WIDTH - 2, mc_rj_str(e, "name") ?: "?");
                        put_cell(f, UNIT_BYTES, json_object_get(e, "old_pss"), "-", 12);
                        fputc(' ', f);
                        put_cell(f, UNIT_BYTES, json_object_get(e, "new_pss"), "-", 12);
                        fputc(' ', f);
                        put_change(f, UNIT_BYTES, e, 10);
                        fputs(json_is_true(json_object_get(e, "worse")) ? "  worse\n" : "\n", f);
                }
        }
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
                enum unit u = unit_of_metric(mc_rj_str(e, "metric"));
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
