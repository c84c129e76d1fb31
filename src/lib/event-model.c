/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "event-model.h"
#include "json-util.h"
#include "util.h"

static const char *const type_names[_MC_EVENT_TYPE_COUNT] = {
        [MC_EVENT_START] = "start",
        [MC_EVENT_HIGH] = "high",
        [MC_EVENT_MAX] = "max",
        [MC_EVENT_OOM] = "oom",
        [MC_EVENT_OOM_KILL] = "oom_kill",
        [MC_EVENT_OOM_GROUP_KILL] = "oom_group_kill",
        [MC_EVENT_SWAP_HIGH] = "swap_high",
        [MC_EVENT_SWAP_MAX] = "swap_max",
        [MC_EVENT_SWAP_FAIL] = "swap_fail",
        [MC_EVENT_HUGETLB_MAX] = "hugetlb_max",
        [MC_EVENT_PRESSURE] = "pressure",
        [MC_EVENT_PRESSURE_KILL] = "pressure_kill",
        [MC_EVENT_EXIT] = "exit",
};

const char *mc_event_type_name(enum mc_event_type t)
{
        return (unsigned)t < _MC_EVENT_TYPE_COUNT ? type_names[t] : "unknown";
}

json_t *mc_event_to_json(const struct mc_event *ev)
{
        json_auto_t *o = json_object();
        if (!o)
                return NULL;
        /* Microseconds are all a line needs; the rounding keeps the lines short. */
        double t = (double)(int64_t)(ev->t * 1e6 + 0.5) / 1e6;
        if (json_object_set_new(o, "t", json_real(t)) < 0 ||
            json_object_set_new(o, "type", json_string(mc_event_type_name(ev->type))) < 0)
                return NULL;

        int r = 0;
        switch (ev->type) {
        case MC_EVENT_START:
                r = json_object_set_new(o, "pid", json_integer(ev->pid));
                if (r >= 0)
                        r = json_object_set_new(o, "cgroup",
                                                ev->cgroup ? json_string(ev->cgroup) : json_null());
                break;
        case MC_EVENT_HIGH:
        case MC_EVENT_MAX:
        case MC_EVENT_OOM:
        case MC_EVENT_OOM_GROUP_KILL:
                r = json_object_set_new(o, "count", mc_json_u64(ev->count));
                if (r >= 0)
                        r = json_object_set_new(o, "current",
                                                mc_json_u64_or_null(ev->has_current, ev->current));
                break;
        case MC_EVENT_OOM_KILL: {
                const char *cause = mc_oom_cause_name(ev->cause);
                r = json_object_set_new(o, "pid", ev->pid > 0 ? json_integer(ev->pid) : json_null());
                if (r >= 0)
                        r = json_object_set_new(o, "name", ev->name ? json_string(ev->name) : json_null());
                if (r >= 0)
                        r = json_object_set_new(o, "cause", cause ? json_string(cause) : json_null());
                break;
        }
        case MC_EVENT_SWAP_HIGH:
        case MC_EVENT_SWAP_MAX:
        case MC_EVENT_SWAP_FAIL:
                r = json_object_set_new(o, "count", mc_json_u64(ev->count));
                if (r >= 0)
                        r = json_object_set_new(o, "swap_current",
                                                mc_json_u64_or_null(ev->has_current, ev->current));
                break;
        case MC_EVENT_HUGETLB_MAX:
                r = json_object_set_new(o, "size", json_string(ev->size ? ev->size : ""));
                if (r >= 0)
                        r = json_object_set_new(o, "count", mc_json_u64(ev->count));
                break;
        case MC_EVENT_PRESSURE:
                r = json_object_set_new(o, "kind", json_string(mc_psi_kind_name(ev->trigger->kind)));
                if (r >= 0)
                        r = json_object_set_new(o, "stall_us",
                                                json_integer((json_int_t)ev->trigger->stall_us));
                if (r >= 0)
                        r = json_object_set_new(o, "window_us",
                                                json_integer((json_int_t)ev->trigger->window_us));
                if (r >= 0)
                        r = json_object_set_new(o, "avg10",
                                                ev->has_avg10 ? json_real(ev->avg10) : json_null());
                break;
        case MC_EVENT_PRESSURE_KILL: {
                const struct mc_pressure_kill_result *k = ev->pkill;
                r = json_object_set_new(o, "stage",
                                        json_string(ev->stage == MC_PRESSURE_KILL_GRACE ? "term" : "kill"));
                if (r >= 0)
                        r = json_object_set_new(o, "rule", json_string(k->rule->spec));
                if (r >= 0)
                        r = json_object_set_new(o, "stall_percent",
                                                k->has_stall ? json_real(k->stall_percent) : json_null());
                if (r >= 0)
                        r = json_object_set_new(o, "grace_s", json_real((double)k->grace_us / 1e6));
                break;
        }
        case MC_EVENT_EXIT:
                r = json_object_set_new(o, "code", json_integer(ev->code));
                if (r >= 0)
                        r = json_object_set_new(o, "signal",
                                                ev->signal ? json_integer(ev->signal) : json_null());
                if (r >= 0)
                        r = json_object_set_new(o, "verdict",
                                                ev->verdict ? json_string(ev->verdict) : json_null());
                break;
        case _MC_EVENT_TYPE_COUNT:
                break;
        }
        if (r < 0)
                return NULL;
        return TAKE_PTR(o);
}
