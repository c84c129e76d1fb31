/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fail-on.h"
#include "report-json.h"
#include "util.h"

static const char *const names[] = { "oom", "high", "max", "swap", "hugetlb", "pressure" };

#define VALID "oom, high, max, swap, hugetlb, pressure, any"

int mc_fail_on_parse_condition(const char *name, unsigned *ret, struct mc_error *err)
{
        if (streq(name, "any")) {
                *ret = MC_FAIL_ON_ALL;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(name, names[i])) {
                        *ret = 1u << i;
                        return 0;
                }
        return mc_error_set(err, EINVAL, "unknown --fail-on condition '%s': use a comma list of %s", name,
                            VALID);
}

static bool counter_positive(const json_t *obj, const char *key)
{
        uint64_t v;
        return mc_rj_u64(obj, key, &v) && v > 0;
}

static bool hugetlb_hit(const json_t *report)
{
        json_t *h = mc_rj_obj(report, "hugetlb");
        const char *size;
        json_t *v;

        if (json_is_true(json_object_get(report, "hugetlb_limit_hit")))
                return true;
        /* One object per page size: "events_max", or an "events" object with "max". */
        json_object_foreach(h, size, v)
        {
                if (counter_positive(v, "events_max") || counter_positive(mc_rj_obj(v, "events"), "max"))
                        return true;
        }
        return false;
}

static bool pressure_fired(const json_t *report)
{
        json_t *triggers = mc_rj_array(mc_rj_obj(report, "pressure"), "triggers");
        size_t i;
        json_t *t;

        json_array_foreach(triggers, i, t)
        {
                if (counter_positive(t, "fired"))
                        return true;
        }
        /* The kill rule fired: the run ended of its pressure. */
        return json_is_true(json_object_get(mc_rj_obj(mc_rj_obj(report, "pressure"), "kill"), "fired"));
}

unsigned mc_fail_on_match(const json_t *report, unsigned mask)
{
        json_t *events = mc_rj_obj(report, "events");
        json_t *swap = mc_rj_obj(report, "swap_events");
        unsigned m = 0;

        if (json_array_size(mc_rj_array(report, "oom_kills")) > 0 || counter_positive(events, "oom_kill"))
                m |= MC_FAIL_ON_OOM;
        if (counter_positive(events, "high"))
                m |= MC_FAIL_ON_HIGH;
        if (counter_positive(events, "max"))
                m |= MC_FAIL_ON_MAX;
        if (counter_positive(swap, "max") || counter_positive(swap, "fail"))
                m |= MC_FAIL_ON_SWAP;
        if (hugetlb_hit(report))
                m |= MC_FAIL_ON_HUGETLB;
        if (pressure_fired(report))
                m |= MC_FAIL_ON_PRESSURE;
        return m & mask;
}

const char *mc_fail_on_format(unsigned mask, char *buf, size_t n)
{
        size_t off = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                if (!(mask & (1u << i)))
                        continue;
                int w = snprintf(buf + off, n - off, "%s%s", off ? ", " : "", names[i]);
                if (w < 0 || (size_t)w >= n - off)
                        break;
                off += (size_t)w;
        }
        return buf;
}

static json_t *names_to_json(unsigned mask)
{
        json_t *a = json_array();
        for (size_t i = 0; a && i < ELEMENTSOF(names); i++)
                if ((mask & (1u << i)) && json_array_append_new(a, json_string(names[i])) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

json_t *mc_fail_on_to_json(unsigned conditions, unsigned matched)
{
        json_t *c = names_to_json(conditions), *m = names_to_json(matched);
        if (!c || !m) {
                json_decref(c);
                json_decref(m);
                return NULL;
        }
        return json_pack("{s:o, s:o}", "conditions", c, "matched", m);
}
