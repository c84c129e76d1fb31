/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "fail-on.h"
#include "report-compare-internal.h"
#include "report-json.h"
#include "util.h"

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
                json_t *r = find_metric(cmp, mc_compare_metrics[t->metric].name);
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
                enum mc_compare_unit u = mc_compare_metrics[t->metric].unit;
                json_t *e = json_pack("{s:s, s:s, s:o, s:o, s:o, s:b}", "threshold", t->text, "metric",
                                      mc_compare_metrics[t->metric].name, "old",
                                      known ? mc_compare_number(u, old) : json_null(), "new",
                                      known ? mc_compare_number(u, new) : json_null(), "limit",
                                      known ? mc_compare_number(u, limit) : json_null(), "matched", hit);
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
        size_t n_thresholds = 0, n_steps = 0;
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
                if (cmp && th->n > 0 && mc_steps_judge(cmp, th, report, &n_steps, err) < 0)
                        return -err->code;
                if ((matched || n_thresholds > 0 || n_steps > 0) && status == 0) {
                        status = MC_FAIL_ON_EXIT_STATUS;
                        if (json_object_set_new(report, "status", json_integer(status)) < 0)
                                return mc_error_errno(err, ENOMEM, "judge the report");
                }
        }
        *ret = (struct mc_judgement){ .matched = matched,
                                      .n_thresholds = n_thresholds,
                                      .n_step_thresholds = n_steps,
                                      .status = status };
        return 0;
}
