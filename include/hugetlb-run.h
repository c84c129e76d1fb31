/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The huge pages of one run, from the [hugetlb] section of its profile to
 * the report's hugetlb entries: which page sizes it names (each must exist
 * on this host), limits the profile gave in other than whole pages, the
 * reserves grown in the host pool (hugetlb-pool.h) before the group exists
 * and given back after it is gone, and the group's hugetlb.<size>.* files
 * read when it starts (limits; the events' baseline is handed over from the
 * event watch, which reads them first) and when the command has ended
 * (usage, how often the fault limit was hit).
 *
 * The pool ledger and lock are the host's concern and stay in hugetlb-pool;
 * this is the run's use of them, so the two have a header each.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "events.h"
#include "group-limits.h"
#include "hugetlb-pool.h"
#include "profile.h"
#include "report.h"
#include "watch.h"

struct mc_hugetlb_run {
        /* One entry per page size the profile names: this stage's value, for the report. */
        struct mc_report_hugetlb sizes[MC_REPORT_HUGETLB_MAX];
        size_t n_sizes;
        const char *sysfs_dir; /* NULL: MC_HUGETLB_SYSFS_DIR */
        const char *run_dir;   /* NULL: MC_HUGETLB_RUN_DIR */
        struct mc_hugetlb_pool pool;
        bool pool_open;
        struct mc_counters events_before[MC_REPORT_HUGETLB_MAX];
        bool has_events_before[MC_REPORT_HUGETLB_MAX];
};

/* Nothing named, nothing reserved yet. */
void mc_hugetlb_run_init(struct mc_hugetlb_run *h, const char *sysfs_dir, const char *run_dir);

/*
 * Before anything else: the page sizes p names (in any of max, rsvd.max,
 * reserve) must exist on this host, the reserves are resolved to pages, and
 * only root (euid 0) may have any: the pool is the host's. Each hugetlb
 * limit of l that was rounded to whole pages is said through warn
 * ("hugetlb.2MB.max = 3M is not a whole number of 2M pages: using 2M").
 */
int mc_hugetlb_run_prepare(struct mc_hugetlb_run *h, const struct mc_profile *p, const struct mc_limits *l,
                           uid_t euid, mc_warn_fn warn, void *warn_userdata, struct mc_error *err);

/*
 * Grows the host's pools for the reserves (a no-op without any), once the
 * cgroup2 root is known to be usable: a host that cannot run the group never
 * sees its pool change. Fills each entry's added_pages. The wait for the
 * pool's lock ends early when interrupt_fd (memcage's signalfd, or -EBADF)
 * becomes readable; malformed ledger lines the pool skipped are said
 * through warn.
 */
int mc_hugetlb_run_reserve(struct mc_hugetlb_run *h, int interrupt_fd, mc_warn_fn warn, void *warn_userdata,
                           struct mc_error *err);

/* After the group exists: the limits as the kernel kept them. */
void mc_hugetlb_run_start(struct mc_hugetlb_run *h, int group_fd);

/*
 * The event counters of page size as the run began, to compare at its end:
 * the event watch's first reading of hugetlb.<size>.events (it opens every
 * size's file to poll, and that reading arms the poll), so the run has one
 * baseline. A size never handed here gets no increase in the report.
 */
void mc_hugetlb_run_set_events_before(struct mc_hugetlb_run *h, const char *size,
                                      const struct mc_counters *before);

/* When the command has ended: usage left, and the increase of the "max" events. */
void mc_hugetlb_run_end(struct mc_hugetlb_run *h, int group_fd);

/*
 * hugetlb.<size>.events of a group is opened and read here and nowhere
 * else (contrib/check-layers.sh holds the others to that): the file is a
 * page size's, and the page sizes of a group are this module's concept.
 * The event watch polls the files through these.
 */

/* Opens hugetlb.<size>.events to be polled and reads it once, as mc_counters_open_at(). */
int mc_hugetlb_events_open_at(int group_fd, const char *size, int *ret_fd, struct mc_counters *ret,
                              struct mc_error *err);

/* hugetlb.<size>.events again through an fd of mc_hugetlb_events_open_at(), as mc_counters_pread(). */
int mc_hugetlb_events_pread(int fd, const char *size, struct mc_counters *ret, struct mc_error *err);

/* Reads hugetlb.<size>.events of the group. */
int mc_hugetlb_events_read_at(int group_fd, const char *size, struct mc_counters *ret, struct mc_error *err);

/*
 * After the group is gone: the pool gives back what this run added (a no-op
 * when nothing was). This wait is not interruptible: pages must go back.
 */
int mc_hugetlb_run_release(struct mc_hugetlb_run *h, mc_warn_fn warn, void *warn_userdata,
                           struct mc_error *err);
