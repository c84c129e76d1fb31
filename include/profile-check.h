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

#include "error.h"
#include "profile.h"

enum mc_swap_accounting {
        MC_SWAP_ACCOUNTING_UNKNOWN,   /* no cgroup v2 memory controller to look at */
        MC_SWAP_ACCOUNTING_NO_GROUPS, /* memory controller, but no group below the root enables it */
        MC_SWAP_ACCOUNTING_NO,        /* memory groups lack memory.swap.max (swapaccount=0, no MEMCG_SWAP) */
        MC_SWAP_ACCOUNTING_YES,
};

struct mc_host_facts {
        uint64_t ram_bytes; /* physical RAM, 0 when unknown */
        bool swap_present;  /* /proc/swaps lists at least one device or file */
        enum mc_swap_accounting swap_accounting;
};

enum mc_check_level {
        MC_CHECK_WARNING,
        MC_CHECK_NOTE, /* a check that could not be made on this host */
};

struct mc_check_warning {
        enum mc_check_level level;
        enum mc_key key; /* the setting the warning is about */
        char *file;      /* where that setting was made, NULL when unknown */
        unsigned line;   /* 0 when not from a file */
        char *message;   /* without file, line or level: "high without max: ..." */
};

/*
 * Collects the warnings for p on host, in a fixed order (high without max,
 * high close to max without swap, min and low above max, swap.max without
 * swap or swap accounting, limits above physical RAM). Errors only for values
 * that do not resolve (a percentage with ram_bytes 0) and allocation.
 */
int mc_check_profile(const struct mc_profile *p, const struct mc_host_facts *host,
                     struct mc_check_warning **ret, size_t *ret_n, struct mc_error *err);

void mc_check_warnings_free(struct mc_check_warning *w, size_t n);

/*
 * Reads the facts of this host: RAM, whether proc_swaps ("/proc/swaps") lists
 * any swap, and whether the memory groups below the cgroup2 root (root_fd,
 * negative when there is no usable cgroup2 mount) have memory.swap.max.
 */
void mc_host_facts_read(const char *proc_swaps, int root_fd, struct mc_host_facts *ret);
