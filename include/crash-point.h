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
 *   pool-pending  hugetlb-pool.c: the growth is in the ledger, nr_hugepages not written yet
 *   pool-grown    hugetlb-run.c: the pools grew, the ledger holds the run, the lock is released
 *   group-made    cmd-run.c: the group exists with its limits, the command is not started
 *   running       cmd-run.c: the command runs in the group
 *   atomic-write  util.c, mc_write_file_atomic_at(): the data is in the temporary file, not
 *                 renamed yet (in a run: the ledger's writes, then --text, --plot, --report)
 */

#ifdef MC_CRASH_POINTS
void mc_crash_point(const char *name);
#else
#define mc_crash_point(name) ((void)0)
#endif
