/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Exact values to write into a group: a profile resolved against this host. */

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "profile.h"

enum mc_limit {
        MC_LIMIT_MAX,
        MC_LIMIT_HIGH,
        MC_LIMIT_LOW,
        MC_LIMIT_MIN,
        MC_LIMIT_SWAP_MAX,
        MC_LIMIT_SWAP_HIGH,
        MC_LIMIT_ZSWAP_MAX,
        MC_LIMIT_OOM_GROUP,
        _MC_LIMIT_COUNT,
};

struct mc_limit_value {
        bool set;
        uint64_t value; /* bytes (MC_SIZE_MAX = "max"), or 0/1 for oom.group */
};

struct mc_limits {
        struct mc_limit_value v[_MC_LIMIT_COUNT];
};

/* "memory.max" etc. */
const char *mc_limit_file(enum mc_limit l);
/* Short name as in profiles and reports: "max", "swap.max", "oom.group". */
const char *mc_limit_name(enum mc_limit l);
/* True for byte sizes, false for oom.group. */
bool mc_limit_is_size(enum mc_limit l);

/* Resolves the [memory] settings (sizes, percentages of ram_bytes, booleans). */
int mc_limits_from_profile(const struct mc_profile *p, uint64_t ram_bytes, struct mc_limits *ret,
                           struct mc_error *err);

/* The string the kernel file takes: "max" or decimal. buf of 24 bytes suffices. */
const char *mc_limit_format_kernel(enum mc_limit l, uint64_t value, char *buf, size_t n);
