/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Named points where a test build (./configure --enable-crash-points, which
 * defines MC_CRASH_POINTS) kills memcage with SIGKILL when the environment
 * variable MEMCAGE_CRASH_AT names the point: the crash consistency test
 * (tests/integration/t-74-crash-consistency.sh) stops the launcher at each
 * stage of a run and checks that the next run or `memcage gc` leaves nothing
 * behind. Without the option a point is no code at all: a release binary
 * holds neither the hook nor the names.
 *
 * The points, in the order a run reaches them:
 *   leaf-entered    cmd-run.c: a delegated placement made its leaf memcage-launcher, moved
 *                   memcage into it and enabled the controllers; no group yet
 *   pool-pending    hugetlb-pool.c: the growth is in the ledger, nr_hugepages not written yet
 *   pool-grown      hugetlb-run.c: the pools grew, the ledger holds the run, the lock is released
 *   group-unmarked  cgroup.c: the group is made, not marked yet (the parent holds the record)
 *   group-made      cmd-run.c: the group exists with its limits, the command is not started
 *   running         cmd-run.c: the command runs in the group
 *   pressure-frozen pressure-kill.c: the pressure kill froze the group, not thawed yet
 *   pool-shrinking  hugetlb-pool.c: the give-back is in the ledger, nr_hugepages not written yet
 *   pool-shrunk     hugetlb-pool.c: the pool shrank, the entry is still in the ledger
 *   atomic-write    util.c, mc_write_file_atomic_at(): the data is in the temporary file, not
 *                   renamed yet (in a run: the ledger's writes, then --text, --plot, --report)
 */

#ifdef MC_CRASH_POINTS
void mc_crash_point(const char *name);
#else
#define mc_crash_point(name) ((void)0)
#endif
