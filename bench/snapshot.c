/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snapshot CGROUP_DIR [N]: the cost of the sampler's expensive part, a
 * snapshot (memory.stat, then cgroup.procs and smaps_rollup + comm of every
 * process of the group and its descendants), taken N times (default 20).
 * Prints the mean wall and CPU time per snapshot in microseconds and the
 * processes seen.
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sampler.h"

static double now_us(clockid_t clock)
{
        struct timespec ts;
        clock_gettime(clock, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
        struct mc_sampler *s;
        struct mc_error err = { 0 };

        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: snapshot CGROUP_DIR [N]\n");
                return 2;
        }
        int n = argc == 3 ? atoi(argv[2]) : 20;
        int fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return perror(argv[1]), 1;
        if (mc_sampler_new(fd, MC_SAMPLER_DEFAULT_INTERVAL_MS, &s, &err) < 0) {
                fprintf(stderr, "snapshot: %s\n", err.msg);
                return 1;
        }
        double wall = now_us(CLOCK_MONOTONIC), cpu = now_us(CLOCK_PROCESS_CPUTIME_ID);
        for (int i = 0; i < n; i++)
                if (mc_sampler_snapshot(s, &err) < 0) {
                        fprintf(stderr, "snapshot: %s\n", err.msg);
                        return 1;
                }
        wall = now_us(CLOCK_MONOTONIC) - wall;
        cpu = now_us(CLOCK_PROCESS_CPUTIME_ID) - cpu;
        const struct mc_sample_summary *sum = mc_sampler_summary(s);
        printf("snapshot: %d x, %.0f us wall, %.0f us cpu each, %zu processes in the top, current %llu\n", n,
               wall / n, cpu / n, sum->snapshot.n_top, (unsigned long long)sum->snapshot.current);
        mc_sampler_free(s);
        close(fd);
        return 0;
}
