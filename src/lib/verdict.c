/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>

#include "verdict.h"

const char *mc_verdict_code_name(enum mc_verdict_code c)
{
        switch (c) {
        case MC_VERDICT_OK:
                return "ok";
        case MC_VERDICT_EXIT_NONZERO:
                return "exit-nonzero";
        case MC_VERDICT_KILLED:
                return "killed";
        case MC_VERDICT_SWAP_LIMIT:
                return "swap-limit";
        case MC_VERDICT_HUGETLB_LIMIT:
                return "hugetlb-limit";
        case MC_VERDICT_OOM_KILLED:
                return "oom-killed";
        case MC_VERDICT_PRESSURE_KILLED:
                return "pressure-killed";
        }
        return "unknown";
}

void mc_verdict_judge(const struct mc_verdict_input *in, struct mc_verdict *ret)
{
        struct mc_verdict v = { .signal = in->signaled ? in->signal : 0 };
        bool failed = in->signaled || in->exit_code != 0;

        /*
         * memcage's own kill says why the run ended, whatever the command did
         * with its SIGTERM and whatever the kernel killed while it thrashed
         * (an OOM kill stays in the counters and oom_kills).
         */
        if (in->pressure_killed) {
                v.code = MC_VERDICT_PRESSURE_KILLED;
                snprintf(v.text, sizeof(v.text), "pressure-killed");
        }
        /*
         * An OOM kill wins even when the command exited 0: the victim may
         * have been a child whose work is lost while the parent went on.
         */
        else if (in->oom_kill > 0) {
                v.code = MC_VERDICT_OOM_KILLED;
                /* oom counts the group's own memory.max being hit; without it an ancestor or the machine ran
                 * out. */
                v.cause = in->oom > 0 ? MC_OOM_CAUSE_GROUP_LIMIT : MC_OOM_CAUSE_SYSTEM;
                snprintf(v.text, sizeof(v.text), "oom-killed (%s)",
                         v.cause == MC_OOM_CAUSE_GROUP_LIMIT ? "group limit" : "system");
        } else if (in->hugetlb_max > 0 && failed) {
                v.code = MC_VERDICT_HUGETLB_LIMIT;
                snprintf(v.text, sizeof(v.text), "hugetlb-limit");
        } else if (in->swap_fail > 0 && failed) {
                v.code = MC_VERDICT_SWAP_LIMIT;
                snprintf(v.text, sizeof(v.text), "swap-limit");
        } else if (in->signaled) {
                v.code = MC_VERDICT_KILLED;
                snprintf(v.text, sizeof(v.text), "killed (signal %d)", in->signal);
        } else if (in->exit_code != 0) {
                v.code = MC_VERDICT_EXIT_NONZERO;
                snprintf(v.text, sizeof(v.text), "exit-nonzero");
        } else {
                v.code = MC_VERDICT_OK;
                snprintf(v.text, sizeof(v.text), "ok");
        }
        *ret = v;
}
