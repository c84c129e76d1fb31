/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The OOM killer's lines in the kernel log (/dev/kmsg records): which kill
 * is the group's, its victim's pid and name, and why it was killed. Pure
 * parsing: the watch (event-watch.c) reads the log.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Why the kernel killed in the group, as its log says: the group's own
 * limit (the OOM's memcg is the group or below it), or something above it
 * (the system, a parent's limit).
 */
enum mc_oom_cause {
        MC_OOM_CAUSE_NONE,
        MC_OOM_CAUSE_GROUP_LIMIT,
        MC_OOM_CAUSE_SYSTEM,
};

/* "group-limit", "system", NULL for none. */
const char *mc_oom_cause_name(enum mc_oom_cause c);

/* The kernel log, where the OOM killer says whom it killed and why. */
#define MC_KMSG_PATH "/dev/kmsg"

struct mc_oom_kill {
        double t;
        pid_t pid; /* 0 when unknown */
        char name[64];
        bool known; /* pid and name came from the kernel log */
        enum mc_oom_cause cause;
        uint64_t counted_ns; /* when memory.events counted it (CLOCK_MONOTONIC) */
};

/*
 * Parses one /dev/kmsg record ("6,1234,5678,-;message\n...") for the OOM
 * killer's lines about the group path (as the kernel prints it, "/memcage/x"):
 * updates the ours/cause state and returns 1 with a victim in *ret for a
 * "Killed process PID (NAME)" line of the group, 0 otherwise.
 */
int mc_kmsg_parse_oom(const char *record, const char *group, bool *ours, enum mc_oom_cause *cause,
                      struct mc_oom_kill *ret);
