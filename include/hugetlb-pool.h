/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Huge pages: the page sizes memcage knows, and the host's pools
 * (/sys/kernel/mm/hugepages/hugepages-<kB>kB). A run with [hugetlb]
 * <size>.reserve grows the pool before launch and gives back what it added
 * afterwards. Every change is made under a lock on /run/memcage/hugetlb.lock
 * (a POSIX record lock: the kernel names its holder) and recorded in
 * /run/memcage/hugetlb.ledger, one line per run and size, so that concurrent
 * runs account for each other and the next run gives back what a launcher
 * that died had added:
 *
 *   PID STARTTIME PIDNS KB RESERVED ADDED        a growth made
 *   PID STARTTIME PIDNS KB RESERVED ADDED FROM   a growth being made
 *
 * PIDNS is the inode of the launcher's pid namespace (/proc/self/ns/pid):
 * launchers in other namespaces (containers sharing /run/memcage) are never
 * judged dead by a pid this one cannot see. The second form is written
 * before nr_hugepages is: FROM is the pool's size before the growth, so that
 * a launcher killed between the two writes leaves a line from which the next
 * run learns what was really added (nr_hugepages - FROM, at most ADDED).
 * The way down is the same: before a pool shrinks, the entry becomes a
 * pending line with RESERVED 0, ADDED what goes back and FROM the size the
 * pool shrinks to; only after nr_hugepages is written does it leave the
 * ledger. A launcher killed in between leaves either pages above FROM (given
 * back by the next lock holder) or none (nothing is taken twice).
 * A malformed line is skipped with a warning and never acted on. Both
 * directories are parameters, so unit tests run the same code on a
 * temporary tree.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "hugetlb-ledger.h"

#define MC_HUGETLB_SYSFS_DIR "/sys/kernel/mm/hugepages"
#define MC_HUGETLB_LOCK      "hugetlb.lock"

/* Names as the kernel writes them in hugetlb.<size>.* ("64KB", "2MB", "1GB"). */
#define MC_HUGETLB_NAME_MAX 16

/* The page sizes profiles may name, as Linux offers them on common architectures. */
extern const char *const mc_hugetlb_size_names[];
extern const size_t mc_hugetlb_size_count;

/* Bytes of a page size name ("2MB" -> 2097152); 0 when name is not a known size. */
uint64_t mc_hugetlb_page_bytes(const char *name);

/* The kernel's name of a page size in kB (2048 -> "2MB"). buf of MC_HUGETLB_NAME_MAX bytes. */
const char *mc_hugetlb_size_name(uint64_t kb, char *buf, size_t n);

/*
 * A <size>.reserve value: a plain integer is a number of pages ("2048"), a
 * size with a unit is bytes of pages ("4G" of 2MB pages = 2048 pages),
 * rounded up to whole pages since a reserve is what the run needs at least.
 * Percentages and "max" are refused. page_bytes 0 only checks the form.
 */
int mc_hugetlb_parse_reserve(const char *value, uint64_t page_bytes, uint64_t *ret_pages,
                             struct mc_error *err);

/*
 * The page sizes of this host (NULL-terminated names, caller frees with
 * mc_strv_free), smallest first, from the hugepages-<kB>kB directories of
 * sysfs_dir (NULL: MC_HUGETLB_SYSFS_DIR). An absent directory gives none.
 */
int mc_hugetlb_host_sizes(const char *sysfs_dir, char ***ret, struct mc_error *err);

/*
 * -EOPNOTSUPP unless this host offers the page size (a hugepages-<kB>kB
 * directory in sysfs_dir, NULL: MC_HUGETLB_SYSFS_DIR); the message names the
 * sizes it does offer.
 */
int mc_hugetlb_require_size(const char *sysfs_dir, const char *size, struct mc_error *err);

/* One page size's pool counters (nr_hugepages, free_hugepages, resv_hugepages). */
struct mc_hugetlb_counts {
        uint64_t nr;
        uint64_t free;
        uint64_t resv;
};

/*
 * Pages to add to a pool so that this run's reserve is available: free pages
 * not promised to mappings (free - resv) minus what other live runs reserved
 * are what the run can count on; the rest must be added. Counting the other
 * runs' whole reservations (not knowing how much of it they already use)
 * errs towards a larger pool, never a smaller one.
 */
uint64_t mc_hugetlb_pages_needed(const struct mc_hugetlb_counts *c, uint64_t reserve,
                                 uint64_t others_reserved);

/*
 * The nr_hugepages to go back to when a run that added `added` pages ends:
 * nr - added, but never below the pages in use ((nr - free) + resv: huge
 * pages mapped or promised to mappings, which the kernel would keep anyway
 * as surplus) nor below what live runs still hold added (others_added), and
 * never above nr.
 */
uint64_t mc_hugetlb_shrink_target(const struct mc_hugetlb_counts *c, uint64_t added, uint64_t others_added);

/* What one run reserves of one page size; added is filled by the reservation. */
struct mc_hugetlb_request {
        uint64_t kb;
        uint64_t pages;
        uint64_t added; /* pages this run added to the pool */
};

struct mc_hugetlb_pool {
        int sysfs_fd; /* /sys/kernel/mm/hugepages */
        int run_fd;   /* /run/memcage */
        /* This run in the ledger: the launcher's pid, start time and pid namespace. */
        pid_t pid;
        unsigned long long starttime;
        uint64_t pidns;
        /*
         * /proc/meminfo on the real sysfs, NULL for other trees: the pools may
         * grow by at most 7/8 of its MemAvailable, read under the lock and
         * counting what the same reservation already added. Asking the kernel
         * for more would turn free memory into huge pages until other
         * processes are OOM-killed, before memcage could give them back.
         */
        const char *meminfo;
        /*
         * The lock is waited for at most lock_timeout_ms (default
         * MC_HUGETLB_LOCK_TIMEOUT_MS); a readable interrupt_fd (memcage's
         * signalfd; -EBADF: none) ends the wait early with -EINTR.
         */
        unsigned lock_timeout_ms;
        int interrupt_fd;
        /* Malformed ledger lines seen and skipped: messages for the CLI (NULL-terminated, may be NULL). */
        char **warnings;
        size_t n_warnings;
};

#define MC_HUGETLB_LOCK_TIMEOUT_MS 30000

/*
 * Opens the pool directories (NULL: the defaults), creating run_dir (0700)
 * when missing, and records the calling process as the run. An existing
 * run_dir of memcage's user is narrowed to 0700, another user's refused: the
 * lock in it must be one nobody else can open.
 * mc_hugetlb_pool_close() frees the warnings too.
 */
int mc_hugetlb_pool_open(struct mc_hugetlb_pool *p, const char *sysfs_dir, const char *run_dir,
                         struct mc_error *err);
void mc_hugetlb_pool_close(struct mc_hugetlb_pool *p);

/*
 * Under the lock: gives back what dead launchers added, then grows each
 * requested pool as mc_hugetlb_pages_needed() says and records the run in the
 * ledger. When the kernel provides fewer pages than asked (fragmented or too
 * little free memory) the pool goes back to its size before and the call
 * fails (-ENOMEM) with "asked for N more 2MB pages, the kernel provided M";
 * pools grown for earlier requests are given back too. A growth beyond 7/8
 * of MemAvailable (see meminfo) is refused (-ENOMEM) without asking the
 * kernel. The lock not had within lock_timeout_ms: -ETIMEDOUT naming the
 * holder.
 */
int mc_hugetlb_pool_reserve(struct mc_hugetlb_pool *p, struct mc_hugetlb_request *req, size_t n,
                            struct mc_error *err);

/*
 * Under the lock: removes the run's ledger entries and shrinks each pool by
 * what the run added (mc_hugetlb_shrink_target()); dead launchers' entries
 * are given back the same way. Each entry leaves the ledger only after its
 * pool shrank, recorded as a pending give-back in between (see above), so a
 * crash at any point neither loses pages from the ledger nor takes them
 * twice. A run without entries only cleans up after dead ones.
 */
int mc_hugetlb_pool_release(struct mc_hugetlb_pool *p, struct mc_error *err);

/* One dead launcher's ledger entry that memcage gc dropped. */
struct mc_hugetlb_given {
        pid_t pid; /* the launcher that is gone */
        uint64_t kb;
        uint64_t pages;   /* given back to the pool (a dry run: would be) */
        bool pending;     /* it died while growing the pool */
        bool giving_back; /* it died while giving pages back */
};

struct mc_hugetlb_recovery {
        struct mc_hugetlb_given *given;
        size_t n_given;
        char **warnings; /* malformed ledger lines skipped (NULL-terminated, may be NULL) */
};

/*
 * For memcage gc, the operator's "clean up everything": under the lock, the
 * entries of dead launchers leave the ledger and the pools give back what
 * they added, as the next reserving run would (mc_hugetlb_pool_reserve()).
 * Without a ledger in run_dir nothing is opened or created. dry_run changes
 * nothing and says what would be given back. *ret lists each entry dropped;
 * free it with mc_hugetlb_recovery_done(), also after a failure.
 */
int mc_hugetlb_pool_recover(const char *sysfs_dir, const char *run_dir, bool dry_run,
                            struct mc_hugetlb_recovery *ret, struct mc_error *err);
void mc_hugetlb_recovery_done(struct mc_hugetlb_recovery *r);
