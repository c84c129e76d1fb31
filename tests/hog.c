/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hog: a memory-hungry test workload.
 *   hog MB [HOLD_SECONDS [touch]]
 *   hog MB PASSES hot HOT_MB
 * Allocates MB mebibytes in 1 MiB steps, writing every page so that it is
 * charged to the cgroup, then sleeps HOLD_SECONDS (default 0) and exits 0.
 * With "touch" it does not sleep but, until HOLD_SECONDS after its start,
 * replaces each MiB in turn by a fresh one (munmap, mmap, write): the
 * working set stays resident and is charged to the group again and again,
 * as that of a job that thrashes at memory.high.
 * With "hot" MB is a cold part, written once and never again, and HOT_MB
 * more are the working set: each of its pages is written PASSES times, a
 * fixed amount of work, so that a run whose working set was swapped out or
 * reclaimed takes longer, and a run that kept it does not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 20)

/* mmap, not malloc: glibc would reuse freed chunks, which the group is charged for once only. */
static char *chunk_new(void)
{
        char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return NULL;
        memset(p, 0x5a, CHUNK);
        return p;
}

/* The cold part, written once, then the hot part written passes times. */
static int hot(long cold_mb, long passes, long hot_mb)
{
        long page = sysconf(_SC_PAGESIZE);
        for (long i = 0; i < cold_mb; i++)
                if (!chunk_new()) {
                        fprintf(stderr, "hog: mmap failed\n");
                        return 1;
                }
        size_t n = (size_t)(hot_mb > 0 ? hot_mb : 0) * CHUNK;
        char *p = mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
                fprintf(stderr, "hog: mmap failed\n");
                return 1;
        }
        for (long k = 0; k < passes; k++)
                for (size_t off = 0; off < n; off += (size_t)page)
                        p[off] = (char)(k + 1);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc == 5 && strcmp(argv[3], "hot") == 0)
                return hot(strtol(argv[1], NULL, 10), strtol(argv[2], NULL, 10), strtol(argv[4], NULL, 10));
        if (argc < 2 || argc > 4 || (argc == 4 && strcmp(argv[3], "touch") != 0)) {
                fprintf(stderr, "usage: hog MB [HOLD_SECONDS [touch]]\n"
                                "       hog MB PASSES hot HOT_MB\n");
                return 2;
        }
        long mb = strtol(argv[1], NULL, 10);
        long hold = argc >= 3 ? strtol(argv[2], NULL, 10) : 0;
        if (argc == 4) {
                time_t end = time(NULL) + hold;
                char **chunks = calloc(mb > 0 ? (size_t)mb : 1, sizeof(*chunks));
                if (!chunks)
                        return 1;
                for (long i = 0; time(NULL) < end; i = (i + 1) % (mb > 0 ? mb : 1)) {
                        if (chunks[i])
                                munmap(chunks[i], CHUNK);
                        chunks[i] = chunk_new();
                        if (!chunks[i]) {
                                fprintf(stderr, "hog: mmap failed\n");
                                return 1;
                        }
                }
                return 0;
        }
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
