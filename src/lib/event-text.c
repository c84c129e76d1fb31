/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>

#include "event-text.h"
#include "size.h"

/* "47.9M", or "?" when unknown. */
static const char *size_or_unknown(bool has, uint64_t v, char *buf, size_t n)
{
        if (!has)
                return "?";
        return v == UINT64_MAX ? "max" : mc_size_format(v, buf, n);
}

static const char *times(uint64_t n)
{
        return n == 1 ? "time" : "times";
}

/* The line of a counter event: "memory.high reached 3 times: throttled at 47.9M of high 48M". */
struct counter_text {
        const char *what, *state, *limit;
};
static const struct counter_text counter_texts[_MC_EVENT_TYPE_COUNT] = {
        [MC_EVENT_HIGH] = { "memory.high reached", "throttled at", "high" },
        [MC_EVENT_MAX] = { "memory.max reached", "reclaiming at", "max" },
        [MC_EVENT_OOM] = { "out of memory", "reclaim failed at", "max" },
        [MC_EVENT_SWAP_HIGH] = { "memory.swap.high reached", "swap", "high" },
        [MC_EVENT_SWAP_MAX] = { "memory.swap.max reached", "swap", "max" },
        [MC_EVENT_SWAP_FAIL] = { "swap allocation failed", "swap", "max" },
};

const char *mc_event_format(const struct mc_event *ev, bool again, char *buf, size_t n)
{
        char cur[MC_SIZE_STR_MAX], lim[MC_SIZE_STR_MAX];
        const char *c = size_or_unknown(ev->has_current, ev->current, cur, sizeof(cur));
        const char *l = size_or_unknown(ev->has_limit, ev->limit, lim, sizeof(lim));
        unsigned long long count = (unsigned long long)ev->count;

        buf[0] = '\0';
        switch (ev->type) {
        case MC_EVENT_START:
        case MC_EVENT_EXIT:
                break; /* the limits line and the summary line say it */
        case MC_EVENT_OOM_GROUP_KILL:
                snprintf(buf, n, "OOM group kill %llu %s: memory.oom.group kills the whole group", count,
                         times(count));
                break;
        case MC_EVENT_OOM_KILL: {
                char who[128], by[64];
                if (ev->name)
                        snprintf(who, sizeof(who), "%s (pid %d)", ev->name, (int)ev->pid);
                else
                        snprintf(who, sizeof(who),
                                 "a process (name unknown: the kernel log is not readable)");
                if (ev->cause == MC_OOM_CAUSE_GROUP_LIMIT)
                        snprintf(by, sizeof(by), "by the group limit (max %s)", l);
                else
                        snprintf(by, sizeof(by), "by a system OOM (the machine or a parent group)");
                if (again)
                        snprintf(buf, n,
                                 "OOM kill: %s again (the kernel counted a second kill, as memory.oom.group "
                                 "does)",
                                 who);
                else
                        snprintf(buf, n, "OOM kill: %s %s", who, by);
                break;
        }
        case MC_EVENT_HIGH:
        case MC_EVENT_MAX:
        case MC_EVENT_OOM:
        case MC_EVENT_SWAP_HIGH:
        case MC_EVENT_SWAP_MAX:
        case MC_EVENT_SWAP_FAIL: {
                const struct counter_text *t = &counter_texts[ev->type];
                snprintf(buf, n, "%s %llu %s: %s %s of %s %s", t->what, count, times(count), t->state, c,
                         t->limit, l);
                break;
        }
        case MC_EVENT_HUGETLB_MAX:
                snprintf(buf, n, "hugetlb.%s.max reached %llu %s", ev->size, count, times(count));
                break;
        case MC_EVENT_PRESSURE: {
                char avg[32] = "?";
                if (ev->has_avg10)
                        snprintf(avg, sizeof(avg), "%.1f%%", ev->avg10);
                snprintf(buf, n, "pressure %s %s avg10 (trigger %s)", mc_psi_kind_name(ev->trigger->kind),
                         avg, ev->trigger->spec);
                break;
        }
        case MC_EVENT_PRESSURE_KILL: {
                const struct mc_pressure_kill_result *k = ev->pkill;
                const struct mc_pressure_kill_rule *rule = k->rule;
                char stall[32] = "?", grace[48] = "now";
                if (k->has_stall)
                        snprintf(stall, sizeof(stall), "%.0f%%", k->stall_percent);
                if (k->grace_us > 0)
                        snprintf(grace, sizeof(grace), "in %.3g s", (double)k->grace_us / 1e6);
                if (ev->stage == MC_PRESSURE_KILL_GRACE)
                        snprintf(buf, n,
                                 "%s stall %s for %.3g s (rule %s): stopping %s (SIGTERM), killing the "
                                 "group %s",
                                 mc_psi_kind_name(rule->trigger.kind), stall,
                                 (double)rule->duration_us / 1e6, rule->spec,
                                 ev->command ? ev->command : "the command", grace);
                else
                        snprintf(buf, n,
                                 "%s still running %.3g s after SIGTERM: killing the group (cgroup.kill)",
                                 ev->command ? ev->command : "the command", (double)k->grace_us / 1e6);
                break;
        }
        case _MC_EVENT_TYPE_COUNT:
                break;
        }
        return buf;
}
