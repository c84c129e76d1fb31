/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The steps of two reports compared by name, and --fail-on's thresholds judged on each. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "report-compare-internal.h"
#include "report-json.h"
#include "util.h"

/* The metric of a step; false when the step does not know it (cpu is the run's only). */
static bool step_value(const json_t *s, enum mc_compare_metric m, double *ret)
{
        uint64_t v;
        bool ok;

        switch (m) {
        case MC_COMPARE_PEAK:
                ok = mc_rj_u64(s, "peak", &v);
                break;
        case MC_COMPARE_SWAP_PEAK:
                ok = mc_rj_u64(s, "swap_peak", &v);
                break;
        case MC_COMPARE_STALL_SOME:
        case MC_COMPARE_STALL_FULL:
                if (!mc_rj_u64(s, m == MC_COMPARE_STALL_SOME ? "some_total_us" : "full_total_us", &v))
                        return false;
                *ret = (double)v / 1e6;
                return true;
        case MC_COMPARE_OOM_KILLS:
                ok = mc_rj_u64(s, "oom_kills", &v);
                break;
        case MC_COMPARE_HIGH:
        case MC_COMPARE_MAX:
                ok = mc_rj_u64(mc_rj_obj(s, "events"), m == MC_COMPARE_HIGH ? "high" : "max", &v);
                break;
        case MC_COMPARE_DURATION:
                return mc_rj_double(s, "duration_s", ret);
        default:
                return false;
        }
        if (ok)
                *ret = (double)v;
        return ok;
}

static bool step_metric_exists(enum mc_compare_metric m)
{
        return m != MC_COMPARE_CPU;
}

/* The index of the first step named name, or -1. */
static ssize_t first_named(const json_t *steps, const char *name)
{
        size_t i;
        json_t *e;
        json_array_foreach(steps, i, e)
        {
                const char *n = mc_rj_str(e, "name");
                if (n && streq(n, name))
                        return (ssize_t)i;
        }
        return -1;
}

static json_t *index_or_null(ssize_t i)
{
        return i >= 0 ? json_integer((json_int_t)i) : json_null();
}

static json_t *entry(const char *name, const char *match, ssize_t old_index, ssize_t new_index)
{
        return json_pack("{s:s, s:s, s:o, s:o, s:[]}", "name", name, "match", match, "old_index",
                         index_or_null(old_index), "new_index", index_or_null(new_index), "metrics");
}

/* The rows of a step both reports have, as the run's are. */
static int add_rows(json_t *e, const json_t *so, const json_t *sn)
{
        json_t *rows = mc_rj_array(e, "metrics");

        for (int m = 0; m < MC_COMPARE_N_METRICS; m++) {
                double o = 0, v = 0;
                if (!step_metric_exists(m))
                        continue;
                bool ho = step_value(so, m, &o), hn = step_value(sn, m, &v);
                if (json_array_append_new(rows, mc_compare_row(false, mc_compare_metrics[m].name,
                                                               mc_compare_metrics[m].unit, ho, o, hn, v)) <
                    0)
                        return -ENOMEM;
        }
        return 0;
}

/*
 * Each step of new in its order: matched with the baseline's first step of
 * its name ("both"), or "new" when the baseline has none; a name's later
 * steps are "repeated", not compared (which of them would be the same work
 * is not known). Then the baseline's steps whose name new lacks ("old").
 */
int mc_compare_steps(const json_t *old, const json_t *new, json_t *cmp, struct mc_error *err)
{
        json_t *os = mc_rj_array(old, "steps"), *ns = mc_rj_array(new, "steps"), *s;
        json_t *out = json_array();
        size_t i;

        if (!out || json_object_set_new(cmp, "steps", out) < 0)
                return mc_error_errno(err, ENOMEM, "compare the steps");
        json_array_foreach(ns, i, s)
        {
                const char *name = mc_rj_str(s, "name");
                json_t *e;
                if (!name)
                        continue;
                ssize_t o = first_named(os, name);
                if (first_named(ns, name) != (ssize_t)i)
                        e = entry(name, "repeated", -1, (ssize_t)i);
                else if (o < 0)
                        e = entry(name, "new", -1, (ssize_t)i);
                else
                        e = entry(name, "both", o, (ssize_t)i);
                if (!e || json_array_append_new(out, e) < 0 ||
                    (o >= 0 && streq(mc_rj_str(e, "match"), "both") &&
                     add_rows(e, json_array_get(os, (size_t)o), s) < 0))
                        return mc_error_errno(err, ENOMEM, "compare the steps");
        }
        json_array_foreach(os, i, s)
        {
                const char *name = mc_rj_str(s, "name");
                if (!name || first_named(os, name) != (ssize_t)i || first_named(ns, name) >= 0)
                        continue;
                if (json_array_append_new(out, entry(name, "old", (ssize_t)i, -1)) < 0)
                        return mc_error_errno(err, ENOMEM, "compare the steps");
        }
        return 0;
}

int mc_steps_judge(json_t *cmp, const struct mc_thresholds *th, json_t *report, size_t *ret_matched,
                   struct mc_error *err)
{
        json_t *names = NULL, *e, *rsteps = mc_rj_array(report, "steps");
        size_t i, total = 0;

        if (report && !(names = json_array()))
                return mc_error_errno(err, ENOMEM, "judge the steps");
        json_array_foreach(mc_rj_array(cmp, "steps"), i, e)
        {
                json_t *judged = NULL, *fo;
                size_t matched = 0;
                uint64_t k;

                if (!streq(mc_rj_str(e, "match") ?: "", "both"))
                        continue;
                /* The entry's "metrics" are what mc_thresholds_judge() reads: a step judged as a run. */
                if (mc_thresholds_judge(e, th, &judged, &matched, err) < 0) {
                        json_decref(names);
                        return -err->code;
                }
                fo = json_pack("{s:o}", "thresholds", judged);
                if (!fo || json_object_set(e, "fail_on", fo) < 0)
                        goto oom;
                if (report && mc_rj_u64(e, "new_index", &k) && json_array_get(rsteps, (size_t)k) &&
                    json_object_set(json_array_get(rsteps, (size_t)k), "fail_on", fo) < 0)
                        goto oom;
                json_decref(fo);
                if (matched && names && json_array_append_new(names, json_string(mc_rj_str(e, "name"))) < 0)
                        goto oom;
                total += matched;
                continue;
        oom:
                json_decref(fo);
                json_decref(names);
                return mc_error_errno(err, ENOMEM, "judge the steps");
        }
        json_t *rfo = mc_rj_obj(report, "fail_on");
        if (names && rfo && json_array_size(mc_rj_array(cmp, "steps")) > 0 &&
            json_object_set(rfo, "steps", names) < 0) {
                json_decref(names);
                return mc_error_errno(err, ENOMEM, "judge the steps");
        }
        json_decref(names);
        *ret_matched = total;
        return 0;
}

const char *mc_steps_thresholds_format(const json_t *cmp, char *buf, size_t n)
{
        char one[MC_THRESHOLDS_STR_MAX], name[4 * 128 + 1];
        size_t len = 0, i;
        json_t *e;

        buf[0] = '\0';
        json_array_foreach(mc_rj_array(cmp, "steps"), i, e)
        {
                mc_thresholds_format(mc_rj_obj(e, "fail_on"), one, sizeof(one));
                if (!one[0])
                        continue;
                /* A baseline is anyone's file: its names reach a terminal escaped. */
                mc_escape_text(mc_rj_str(e, "name") ?: "?", name, sizeof(name));
                int w = snprintf(buf + len, n - len, "%sstep '%s': %s", len ? "; " : "", name, one);
                if (w < 0 || (size_t)w >= n - len)
                        break;
                len += (size_t)w;
        }
        return buf;
}
