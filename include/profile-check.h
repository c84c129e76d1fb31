/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Checks of a loaded profile for settings that are valid but risky on a given
 * host. The host facts are passed in, so the checks run the same on any
 * machine (and in unit tests); mc_host_facts_read() gathers them here.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "profile.h"

enum mc_swap_accounting {
        MC_SWAP_ACCOUNTING_UNKNOWN,   /* no cgroup v2 memory controller to look at */
        MC_SWAP_ACCOUNTING_NO_GROUPS, /* memory controller, but no group below the root enables it */
        MC_SWAP_ACCOUNTING_NO,        /* memory groups lack memory.swap.max (swapaccount=0, no MEMCG_SWAP) */
        MC_SWAP_ACCOUNTING_YES,
};

enum mc_hugetlb_controller {
        MC_HUGETLB_CONTROLLER_UNKNOWN, /* no cgroup2 root to look at */
        MC_HUGETLB_CONTROLLER_NO,      /* the root's cgroup.controllers lacks hugetlb */
        MC_HUGETLB_CONTROLLER_YES,
};

#define MC_HOST_HUGETLB_SIZES_MAX 8

struct mc_host_facts {
        uint64_t ram_bytes; /* physical RAM, 0 when unknown */
        bool swap_present;  /* /proc/swaps lists at least one device or file */
        enum mc_swap_accounting swap_accounting;
        /* Huge page sizes of /sys/kernel/mm/hugepages ("2MB"); ignored unless hugetlb_sizes_known. */
        bool hugetlb_sizes_known;
        size_t n_hugetlb_sizes;
        char hugetlb_sizes[MC_HOST_HUGETLB_SIZES_MAX][16];
        enum mc_hugetlb_controller hugetlb_controller;
};

enum mc_check_level {
        MC_CHECK_WARNING,
        MC_CHECK_NOTE, /* a check that could not be made on this host, a setting without effect here */
};

struct mc_check_warning {
        enum mc_check_level level;
        enum mc_key key; /* the setting the warning is about */
        char *file;      /* where that setting was made, NULL when unknown */
        unsigned line;   /* 0 when not from a file */
        char *message;   /* without file, line or level: "high without max: ..." */
};

/*
 * Collects the warnings for p on host, in a fixed order (max of 0, high without max,
 * high close to max without swap, min and low above max, swap.max without
 * swap or swap accounting, limits above physical RAM; then [hugetlb]: a page
 * size the host lacks, a reserve above physical RAM, limits without the
 * hugetlb controller). Errors only for values
 * that do not resolve (a percentage with ram_bytes 0) and allocation.
 */
int mc_check_profile(const struct mc_profile *p, const struct mc_host_facts *host,
                     struct mc_check_warning **ret, size_t *ret_n, struct mc_error *err);

/*
 * The checks of the pressure policy, after mc_check_profile(), appending to
 * its warnings (*w, *n): an error for a [pressure] kill rule the kernel
 * cannot arm for a launcher of effective uid euid (without root, a window
 * not a multiple of 2 s); a warning for high without a kill rule when the
 * group cannot swap, where a workload stuck at high is throttled, never
 * killed. The error message names file:line.
 */
int mc_check_pressure(const struct mc_profile *p, const struct mc_host_facts *host, uid_t euid,
                      struct mc_check_warning **w, size_t *n, struct mc_error *err);

void mc_check_warnings_free(struct mc_check_warning *w, size_t n);

/*
 * Reads the facts of this host: RAM, whether proc_swaps (NULL: "/proc/swaps") lists
 * any swap, whether the memory groups below the cgroup2 root (root_fd,
 * negative when there is no usable cgroup2 mount) have memory.swap.max, the
 * huge page sizes of /sys/kernel/mm/hugepages and whether the root offers
 * hugetlb.
 */
void mc_host_facts_read(const char *proc_swaps, int root_fd, struct mc_host_facts *ret);
