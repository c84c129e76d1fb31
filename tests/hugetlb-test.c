/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hugetlb-test: a huge page workload.
 *   hugetlb-test [--shm] [--pool] [--size-kb KB] PAGES [HOLD_SECONDS]
 * Maps PAGES huge pages (mmap MAP_HUGETLB, or shmget SHM_HUGETLB with --shm)
 * of the default size (or KB), touches every page, then sleeps HOLD_SECONDS.
 * --pool prints nr_hugepages of that size first ("nr_hugepages N").
 * A failed mapping exits 1 with the reason: beyond hugetlb.<size>.rsvd.max
 * the mapping itself fails; beyond .max the fault kills the process (SIGBUS).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef SHM_HUGE_SHIFT
#define SHM_HUGE_SHIFT 26
#endif

static int log2u(unsigned long v)
{
        int n = 0;
        while (v > 1) {
                v >>= 1;
                n++;
        }
        return n;
}

int main(int argc, char **argv)
{
        int shm = 0, pool = 0;
        unsigned long kb = 2048;
        int i = 1;

        for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
                if (strcmp(argv[i], "--shm") == 0)
                        shm = 1;
                else if (strcmp(argv[i], "--pool") == 0)
                        pool = 1;
                else if (strcmp(argv[i], "--size-kb") == 0 && i + 1 < argc)
                        kb = strtoul(argv[++i], NULL, 10);
                else
                        break;
        }
        if (i >= argc || argc - i > 2) {
                fprintf(stderr,
                        "usage: hugetlb-test [--shm] [--pool] [--size-kb KB] PAGES [HOLD_SECONDS]\n");
                return 2;
        }
        long pages = strtol(argv[i], NULL, 10);
        long hold = argc - i == 2 ? strtol(argv[i + 1], NULL, 10) : 0;
        size_t len = (size_t)pages * kb * 1024;
        int flag = log2u(kb * 1024);

        if (pool) {
                char path[128];
                unsigned long nr = 0;
                snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%lukB/nr_hugepages", kb);
                FILE *f = fopen(path, "re");
                if (!f || fscanf(f, "%lu", &nr) != 1) {
                        fprintf(stderr, "hugetlb-test: cannot read %s\n", path);
                        return 1;
                }
                fclose(f);
                printf("nr_hugepages %lu\n", nr);
                fflush(stdout);
        }

        char *p;
        if (shm) {
                int id = shmget(IPC_PRIVATE, len, IPC_CREAT | SHM_HUGETLB | (flag << SHM_HUGE_SHIFT) | 0600);
                if (id < 0) {
                        fprintf(stderr, "hugetlb-test: shmget of %ld huge pages failed: %s\n", pages,
                                strerror(errno));
                        return 1;
                }
                p = shmat(id, NULL, 0);
                shmctl(id, IPC_RMID, NULL);
                if (p == (void *)-1) {
                        fprintf(stderr, "hugetlb-test: shmat failed: %s\n", strerror(errno));
                        return 1;
                }
        } else {
                p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (flag << MAP_HUGE_SHIFT), -1, 0);
                if (p == MAP_FAILED) {
                        fprintf(stderr, "hugetlb-test: mmap of %ld huge pages failed: %s\n", pages,
                                strerror(errno));
                        return 1;
                }
        }
        for (long k = 0; k < pages; k++)
                p[(size_t)k * kb * 1024] = 1;
        printf("touched %ld pages\n", pages);
        fflush(stdout);
        if (hold > 0)
                sleep((unsigned)hold);
        return 0;
}
