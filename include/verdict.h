/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one judgement of a run (docs/report-schema.md, "Verdict"): from how
 * the command ended and how the group's counters moved, the first of
 * pressure-killed, oom-killed, hugetlb-limit, swap-limit, killed,
 * exit-nonzero, ok.
 */

#include <stdbool.h>
#include <stdint.h>

#include "kmsg-oom.h"

enum mc_verdict_code {
        MC_VERDICT_OK,
        MC_VERDICT_EXIT_NONZERO,
        MC_VERDICT_KILLED,
        MC_VERDICT_SWAP_LIMIT,
        MC_VERDICT_HUGETLB_LIMIT,
        MC_VERDICT_OOM_KILLED,
        MC_VERDICT_PRESSURE_KILLED,
};

struct mc_verdict_input {
        bool pressure_killed; /* memcage ended the run by its pressure kill rule */
        bool signaled;
        int exit_code; /* when !signaled */
        int signal;    /* when signaled */
        /* increases over the run */
        uint64_t oom_kill;    /* memory.events oom_kill (hierarchical) */
        uint64_t oom;         /* memory.events oom */
        uint64_t hugetlb_max; /* sum of max of every hugetlb.<size>.events */
        uint64_t swap_fail;   /* memory.swap.events fail */
};

struct mc_verdict {
        enum mc_verdict_code code;
        enum mc_oom_cause cause; /* for MC_VERDICT_OOM_KILLED */
        int signal;              /* the signal that ended the command, 0 when it exited */
        char text[32];           /* "oom-killed (group limit)", "killed (signal 15)", ... */
};

void mc_verdict_judge(const struct mc_verdict_input *in, struct mc_verdict *ret);

/* "ok", "exit-nonzero", "oom-killed", "killed", "hugetlb-limit", "swap-limit", "pressure-killed". */
const char *mc_verdict_code_name(enum mc_verdict_code c);
