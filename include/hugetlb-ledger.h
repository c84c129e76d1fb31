/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The ledger of the huge page pools, RUNSTATEDIR/memcage/hugetlb.ledger
 * (/run/memcage unless configure --runstatedir says otherwise; its lines
 * and why they are written when they are: hugetlb-pool.h): its entries as
 * read, written and summed. Only the pool (hugetlb-pool.c) uses it, always
 * under the pool lock; the ledger knows the file, not the pools, so it sits
 * below them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#ifndef RUNSTATEDIR
#error "RUNSTATEDIR must come from the build system (configure --runstatedir)"
#endif
#define MC_HUGETLB_RUN_DIR RUNSTATEDIR "/memcage"
#define MC_HUGETLB_LEDGER  "hugetlb.ledger"

/* One line of the ledger: a run's reservation of one page size. */
struct mc_hugetlb_entry {
        pid_t pid;
        unsigned long long starttime;
        uint64_t pidns;
        uint64_t kb;
        uint64_t reserved;
        uint64_t added; /* when pending: the growth asked for */
        bool pending;   /* written before nr_hugepages: what was added is nr - from */
        uint64_t from;
};

struct mc_hugetlb_ledger {
        struct mc_hugetlb_entry *e;
        size_t n;
};

void mc_hugetlb_ledger_done(struct mc_hugetlb_ledger *l);
int mc_hugetlb_ledger_push(struct mc_hugetlb_ledger *l, const struct mc_hugetlb_entry *e);

/*
 * The ledger in run_fd (none: no entries). A malformed line is skipped and a
 * message for it pushed to warnings (a NULL-terminated strv of n_warnings).
 */
int mc_hugetlb_ledger_read(int run_fd, char ***warnings, size_t *n_warnings, struct mc_hugetlb_ledger *ret,
                           struct mc_error *err);
int mc_hugetlb_ledger_write(int run_fd, const struct mc_hugetlb_ledger *l, struct mc_error *err);

/* The inode of this process's pid namespace (0: unknown), as entries record it. */
uint64_t mc_hugetlb_own_pidns(void);

/* Whether the entry's launcher still runs; pidns is the caller's pid namespace. */
bool mc_hugetlb_entry_alive(const struct mc_hugetlb_entry *e, uint64_t pidns);

/* Whether the entry is the launcher of pid, starttime and pidns (the caller's run). */
bool mc_hugetlb_entry_is(const struct mc_hugetlb_entry *e, pid_t pid, unsigned long long starttime,
                         uint64_t pidns);

/* Removes the ledger's temporary files left in run_fd; only under the pool lock. */
void mc_hugetlb_ledger_sweep_temps(int run_fd);

uint64_t mc_hugetlb_ledger_sum(const struct mc_hugetlb_ledger *l, uint64_t kb, size_t skip, bool added);
