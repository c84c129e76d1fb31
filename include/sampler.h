/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The sampler of a run: a timerfd polled by the supervision loop (struct
 * mc_watch) that reads the group's memory.current, memory.swap.current,
 * memory.pressure and hugetlb.<size>.current at a fixed interval, and the
 * reads at the start and end of a run that give the report's observations
 * (docs/report-schema.md, "Fields of the run's observations").
 *
 * A tick is cheap: the files are opened once and read with pread at offset 0
 * into a buffer of the sampler, parsed in place, nothing allocated. The
 * expensive part, a snapshot (memory.stat and /proc/PID/smaps_rollup of every
 * process of the group and its descendants), is taken only when
 * memory.current reaches a new maximum that is at least 1/16 above the last
 * snapshot's, and no sooner after the last snapshot than 20 times what that
 * one took (at most a second): a higher maximum within that gap is
 * remembered and snapshotted at the first sample after it (or at the
 * command's exit, whatever the time), if memory.current is still 1/16 above
 * the last snapshot's then. Snapshots thus cost under 5% of a CPU while
 * memory grows, and nothing while it does not. The report's breakdown is the
 * snapshot of the highest memory.current, read while the processes held it
 * (after the run the group is empty and memory.current is about 0).
 *
 * The timeline keeps MC_TIMELINE_CAPACITY points. When it is full,
 * neighbouring pairs are merged (the larger value of each column, the time of
 * the first) and the interval doubles (the timer is re-armed), so a run of
 * any length fits and keeps its peaks.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "duration.h" /* the interval: mc_interval_parse() */
#include "error.h"
#include "watch.h"

#define MC_SAMPLER_DEFAULT_INTERVAL_MS 100
#define MC_SAMPLER_MIN_INTERVAL_MS     MC_INTERVAL_MIN_MS
#define MC_SAMPLER_MAX_INTERVAL_MS     MC_INTERVAL_MAX_MS
#define MC_TIMELINE_CAPACITY           2048
#define MC_TOP_PROCESSES               10
#define MC_HUGETLB_SIZES_MAX           4
#define MC_HUGETLB_SIZE_NAME_MAX       8  /* "64KB", "2MB", "1GB", "16GB" */
#define MC_PROC_NAME_MAX               16 /* TASK_COMM_LEN */

/* The memory.stat fields of the breakdown, in bytes (file is page cache: file minus shmem). */
struct mc_memory_stat {
        uint64_t anon, file, shmem, kernel, sock, file_mapped;
        uint64_t pgmajfault;
};

/* Parses memory.stat text; kernel falls back to kernel_stack+pagetables+slab+percpu before 6.3. */
int mc_memory_stat_parse(const char *text, struct mc_memory_stat *ret, struct mc_error *err);

/* /proc/PID/smaps_rollup in bytes; uss is Private_Clean + Private_Dirty. */
struct mc_smaps {
        uint64_t rss, pss, uss, swap;
};

/* Parses smaps_rollup text; empty text (a kernel thread, a zombie) gives zeros. */
int mc_smaps_parse(const char *text, struct mc_smaps *ret, struct mc_error *err);

/* The columns of the report's timeline. */
struct mc_timeline_point {
        uint64_t t_ns; /* since the command started */
        uint64_t memory_current;
        uint64_t swap_current;
        uint32_t some_avg10, full_avg10;                /* hundredths of a percent */
        uint64_t hugetlb_current[MC_HUGETLB_SIZES_MAX]; /* in the order of the timeline's hugetlb columns */
};

struct mc_timeline {
        size_t n, capacity;
        uint64_t interval_ns; /* the effective interval: doubled at each merge */
        bool has_swap, has_psi;
        uint64_t *t_ns, *memory_current, *swap_current;
        uint32_t *some_avg10, *full_avg10;
        size_t n_hugetlb; /* hugetlb.<size>.current columns */
        char hugetlb_size[MC_HUGETLB_SIZES_MAX][MC_HUGETLB_SIZE_NAME_MAX];
        uint64_t *hugetlb_current[MC_HUGETLB_SIZES_MAX];
};

/* capacity must be even and >= 2. */
int mc_timeline_init(struct mc_timeline *tl, size_t capacity, uint64_t interval_ns, struct mc_error *err);
/* Adds a hugetlb.<size>.current column; before the first append only. */
int mc_timeline_add_hugetlb(struct mc_timeline *tl, const char *size, struct mc_error *err);
/* Appends; when full, merges neighbouring pairs first and returns 1 (the interval doubled), else 0. */
int mc_timeline_append(struct mc_timeline *tl, const struct mc_timeline_point *p);
void mc_timeline_free(struct mc_timeline *tl);

struct mc_proc_mem {
        pid_t pid;
        char name[MC_PROC_NAME_MAX];
        struct mc_smaps mem;
};

struct mc_snapshot {
        uint64_t t_ns;
        uint64_t current;
        struct mc_memory_stat stat;
        size_t n_top; /* processes, by PSS, largest first */
        struct mc_proc_mem top[MC_TOP_PROCESSES];
};

struct mc_hugetlb_max {
        char size[MC_HUGETLB_SIZE_NAME_MAX]; /* "2MB" */
        uint64_t max;                        /* highest hugetlb.<size>.current sampled */
};

/* What the report takes from the sampler; each has_ false means the report shows null. */
struct mc_sample_summary {
        bool has_swap_peak;
        uint64_t swap_peak;
        const char *swap_peak_source; /* "kernel" or "sampled" */

        bool has_snapshot;
        struct mc_snapshot snapshot; /* at the highest memory.current seen */

        bool has_pgmajfault;
        uint64_t pgmajfault; /* increase over the run */

        bool has_cpu;
        uint64_t user_usec, system_usec;

        bool has_psi; /* sampled, and the group has memory.pressure */
        uint32_t some_avg10_max, full_avg10_max;

        const struct mc_timeline *timeline; /* NULL without sampling */

        size_t n_hugetlb;
        struct mc_hugetlb_max hugetlb[MC_HUGETLB_SIZES_MAX];

        unsigned snapshots;       /* taken during the run */
        uint64_t snapshot_ns_max; /* the longest one, CLOCK_MONOTONIC */
};

struct mc_sampler;

/*
 * Opens the group's files, reads memory.stat and cpu.stat for the deltas and,
 * when interval_ms > 0, creates the timer (not armed yet). The group fd must
 * stay open until mc_sampler_free().
 */
int mc_sampler_new(int group_fd, uint64_t interval_ms, struct mc_sampler **ret, struct mc_error *err);

/*
 * The command was started at start_ns (CLOCK_MONOTONIC): takes the first
 * sample, arms the timer and fills watches[0..1] (the timer, and the
 * command's pidfd for a last sample when it exits, before the leftovers are
 * killed). Returns the number of watches filled: 0 without sampling.
 */
int mc_sampler_start(struct mc_sampler *s, uint64_t start_ns, int child_pidfd, struct mc_watch watches[2],
                     struct mc_error *err);

/*
 * After the group emptied: memory.swap.peak, cpu.stat, the pgmajfault delta.
 * A file that cannot be read leaves its field unknown.
 */
void mc_sampler_finish(struct mc_sampler *s);

/* The results, valid until mc_sampler_free(). */
const struct mc_sample_summary *mc_sampler_summary(const struct mc_sampler *s);

/* Takes a snapshot now (what a new maximum triggers); for benchmarks. */
int mc_sampler_snapshot(struct mc_sampler *s, struct mc_error *err);

void mc_sampler_free(struct mc_sampler *s);
