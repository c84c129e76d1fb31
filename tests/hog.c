/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hog: a memory-hungry test workload.
 *   hog MB [HOLD_SECONDS]
 * Allocates MB mebibytes in 1 MiB steps, writing every page so that it is
 * charged to the cgroup, then sleeps HOLD_SECONDS (default 0) and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: hog MB [HOLD_SECONDS]\n");
                return 2;
        }
        long mb = strtol(argv[1], NULL, 10);
        long hold = argc == 3 ? strtol(argv[2], NULL, 10) : 0;
        for (long i = 0; i < mb; i++) {
                char *p = malloc(1 << 20);
                if (!p) {
                        fprintf(stderr, "hog: malloc failed after %ld MiB\n", i);
                        return 1;
                }
                memset(p, 0x5a, 1 << 20);
        }
        if (hold > 0)
                sleep((unsigned)hold);
        return 0;
}
