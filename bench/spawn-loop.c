/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spawn-loop N COMMAND [ARGS...]: launches COMMAND N times, one after the
 * other (posix_spawn + waitpid, the cheapest launch a caller can do), and
 * prints the mean wall time per launch in microseconds. Any launch that does
 * not exit 0 stops the loop with exit 1, so a benchmark never times failures.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
        if (argc < 3) {
                fprintf(stderr, "usage: spawn-loop N COMMAND [ARGS...]\n");
                return 2;
        }
        long n = strtol(argv[1], NULL, 10);
        struct timespec a, b;
        /* The command's output is not what is measured: send it to /dev/null, as a service manager would. */
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (long i = 0; i < n; i++) {
                pid_t pid;
                int status;
                int r = posix_spawnp(&pid, argv[2], &fa, NULL, argv + 2, environ);
                if (r != 0) {
                        fprintf(stderr, "spawn-loop: %s: %s\n", argv[2], strerror(r));
                        return 1;
                }
                if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                        fprintf(stderr, "spawn-loop: %s failed (status 0x%x) at launch %ld\n", argv[2],
                                status, i);
                        return 1;
                }
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        double us = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e3;
        printf("%.1f\n", us / (double)n);
        return 0;
}
