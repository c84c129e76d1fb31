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
        /* hugetlb.<size>.max and .rsvd.max, from [hugetlb]; named "hugetlb.2MB.max" in reports. */
        MC_LIMIT_HUGETLB_64KB_MAX,
        MC_LIMIT_HUGETLB_64KB_RSVD_MAX,
        MC_LIMIT_HUGETLB_2MB_MAX,
        MC_LIMIT_HUGETLB_2MB_RSVD_MAX,
        MC_LIMIT_HUGETLB_16MB_MAX,
        MC_LIMIT_HUGETLB_16MB_RSVD_MAX,
        MC_LIMIT_HUGETLB_32MB_MAX,
        MC_LIMIT_HUGETLB_32MB_RSVD_MAX,
        MC_LIMIT_HUGETLB_512MB_MAX,
        MC_LIMIT_HUGETLB_512MB_RSVD_MAX,
        MC_LIMIT_HUGETLB_1GB_MAX,
        MC_LIMIT_HUGETLB_1GB_RSVD_MAX,
        _MC_LIMIT_COUNT,
};

struct mc_limit_value {
        bool set;
        uint64_t value; /* bytes (MC_SIZE_MAX = "max"), or 0/1 for oom.group */
};

struct mc_limits {
        struct mc_limit_value v[_MC_LIMIT_COUNT];
        bool rounded[_MC_LIMIT_COUNT]; /* hugetlb limits rounded down to whole pages by
                                          mc_limits_from_profile() */
};

/* "memory.max" etc. */
const char *mc_limit_file(enum mc_limit l);
/* Short name as in profiles and reports: "max", "swap.max", "oom.group"; "hugetlb.2MB.max". */
const char *mc_limit_name(enum mc_limit l);
/* True for byte sizes, false for oom.group. */
bool mc_limit_is_size(enum mc_limit l);
/* The huge page size of a hugetlb limit in bytes; 0 for the others. */
uint64_t mc_limit_hugetlb_page(enum mc_limit l);

/*
 * Resolves the [memory] and [hugetlb] limit settings (sizes, percentages of
 * ram_bytes, booleans). A hugetlb limit is rounded down to whole pages, as
 * the kernel would, and marked rounded so the CLI can say so.
 */
int mc_limits_from_profile(const struct mc_profile *p, uint64_t ram_bytes, struct mc_limits *ret,
                           struct mc_error *err);

/*
 * The limits set in requested as the kernel kept them (effective, read back
 * by mc_group_read_limits()), for people: " max=64M swap.max=0 oom.group=1",
 * "(not available)" for one the group lacks, " no limits set" for none. Cut
 * to fit buf, never overrun.
 */
const char *mc_limits_describe(const struct mc_limits *requested, const struct mc_limits *effective,
                               char *buf, size_t n);

/* The string the kernel file takes: "max" or decimal. buf of 24 bytes suffices. */
const char *mc_limit_format_kernel(enum mc_limit l, uint64_t value, char *buf, size_t n);
