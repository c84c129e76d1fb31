/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "duration.h"
#include "fail-on.h"
#include "report-compare-internal.h"
#include "size.h"
#include "util.h"

#define THRESHOLD_METRICS "peak, swap-peak, stall, stall-some, duration, cpu, oom, high or max"

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
                if (strlen(mc_compare_metrics[m].threshold) == (size_t)(plus - s) &&
                    strncmp(s, mc_compare_metrics[m].threshold, (size_t)(plus - s)) == 0)
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
        } else if (mc_compare_metrics[m].unit == MC_COMPARE_UNIT_BYTES) {
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
        } else if (mc_compare_metrics[m].unit == MC_COMPARE_UNIT_SECONDS) {
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
                        r = mc_fail_on_parse_condition(item, &m, err);
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
