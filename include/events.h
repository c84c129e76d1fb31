/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Flat keyed counter files of cgroup v2 ("low 0\nhigh 12\n..."):
 * memory.events, memory.events.local, memory.swap.events,
 * hugetlb.<size>.events. Parsed by name, so counters a newer kernel adds
 * (oom_group_kill since 5.17) pass through.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define MC_COUNTERS_MAX     24
#define MC_COUNTER_NAME_MAX 32

struct mc_counter {
        char name[MC_COUNTER_NAME_MAX];
        uint64_t value;
};

struct mc_counters {
        size_t n;
        struct mc_counter c[MC_COUNTERS_MAX];
};

/* Parses "name value" lines; a malformed line or too many names is an error. */
int mc_counters_parse(const char *text, struct mc_counters *ret, struct mc_error *err);

/* Reads and parses a counter file of a group. */
int mc_counters_read_at(int dirfd, const char *file, struct mc_counters *ret, struct mc_error *err);

/*
 * after - before, by name, in the order of after. A name missing before
 * counts from 0; a counter that went backwards (it cannot in the kernel)
 * gives 0 rather than a huge wrapped value.
 */
void mc_counters_delta(const struct mc_counters *before, const struct mc_counters *after,
                       struct mc_counters *ret);

/* The value of name; false when absent. */
bool mc_counters_get(const struct mc_counters *c, const char *name, uint64_t *ret);
