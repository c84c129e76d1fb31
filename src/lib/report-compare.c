/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-compare-internal.h"
#include "report-json.h"
#include "util.h"

const struct mc_compare_metric_info mc_compare_metrics[MC_COMPARE_N_METRICS] = {
        [MC_COMPARE_PEAK] = { "peak", "peak", "peak", MC_COMPARE_UNIT_BYTES },
        [MC_COMPARE_SWAP_PEAK] = { "swap_peak", "swap-peak", "swap peak", MC_COMPARE_UNIT_BYTES },
        [MC_COMPARE_STALL_SOME] = { "stall_some", "stall-some", "stall some", MC_COMPARE_UNIT_SECONDS },
        [MC_COMPARE_STALL_FULL] = { "stall_full", "stall", "stall full", MC_COMPARE_UNIT_SECONDS },
        [MC_COMPARE_OOM_KILLS] = { "oom_kills", "oom", "oom kills", MC_COMPARE_UNIT_COUNT },
        [MC_COMPARE_HIGH] = { "high", "high", "high events", MC_COMPARE_UNIT_COUNT },
        [MC_COMPARE_MAX] = { "max", "max", "max events", MC_COMPARE_UNIT_COUNT },
        [MC_COMPARE_DURATION] = { "duration", "duration", "duration", MC_COMPARE_UNIT_SECONDS },
        [MC_COMPARE_CPU] = { "cpu", "cpu", "cpu", MC_COMPARE_UNIT_SECONDS },
};

const char *const mc_compare_unit_names[] = { "bytes", "seconds", "count" };

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
json_t *mc_compare_number(enum mc_compare_unit u, double v)
{
        if (u != MC_COMPARE_UNIT_SECONDS && v > -9.0e18 && v < 9.0e18)
                return json_integer((json_int_t)v);
        return json_real(v);
}

static int set(json_t *o, const char *key, json_t *v)
{
        return json_object_set_new(o, key, v);
}

/*
 * One line of the comparison (report-compare-internal.h). For a metric, worse is new > old, both known;
 * for a process also a name that entered the top: it took memory the
 * baseline did not see there.
 */
json_t *mc_compare_row(bool process, const char *name, enum mc_compare_unit u, bool has_old, double old,
                       bool has_new, double new)
{
        bool known = has_old && has_new;
        bool worse = process ? has_new && (!has_old || new > old) : known && new > old;
        json_t *o = json_object();

        if (!o || set(o, process ? "name" : "metric", json_string(name)) < 0 ||
            (!process && set(o, "unit", json_string(mc_compare_unit_names[u])) < 0) ||
            set(o, process ? "old_pss" : "old", has_old ? mc_compare_number(u, old) : json_null()) < 0 ||
            set(o, process ? "new_pss" : "new", has_new ? mc_compare_number(u, new) : json_null()) < 0 ||
            set(o, "delta", known ? mc_compare_number(u, new - old) : json_null()) < 0 ||
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
                if (json_array_append_new(rows, mc_compare_row(false, mc_compare_metrics[m].name,
                                                               mc_compare_metrics[m].unit, ho, o, hn, v)) <
                    0)
                        return mc_error_errno(err, ENOMEM, "compare the reports");
        }

        add_processes(new, 1, procs, &n);
        add_processes(old, 0, procs, &n);
        qsort(procs, n, sizeof(procs[0]), proc_cmp);
        for (size_t i = 0; i < n && i < MC_COMPARE_TOP; i++)
                if (json_array_append_new(prows, mc_compare_row(true, procs[i].name, MC_COMPARE_UNIT_BYTES,
                                                                procs[i].has[0], procs[i].pss[0],
                                                                procs[i].has[1], procs[i].pss[1])) < 0)
                        return mc_error_errno(err, ENOMEM, "compare the reports");
        if (mc_compare_steps(old, new, doc, err) < 0)
                return -err->code;
        *ret = TAKE_PTR(doc);
        return 0;
}
