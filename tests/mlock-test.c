/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mlock-test MB: maps MB MiB of anonymous memory and locks it, for the tests
 * of [run] capabilities (CAP_IPC_LOCK lifts RLIMIT_MEMLOCK). Prints
 * "mlock NM: ok" and exits 0, or "mlock NM: failed: why" and exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
        char *end;

        if (argc != 2) {
                fprintf(stderr, "usage: mlock-test MB\n");
                return 2;
        }
        unsigned long mb = strtoul(argv[1], &end, 10);
        if (*end != '\0' || mb == 0 || mb > 4096) {
                fprintf(stderr, "mlock-test: bad size '%s'\n", argv[1]);
                return 2;
        }
        size_t len = mb << 20;
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
                printf("mlock %luM: failed: mmap: %s\n", mb, strerror(errno));
                return 1;
        }
        if (mlock(p, len) < 0) {
                printf("mlock %luM: failed: %s\n", mb, strerror(errno));
                return 1;
        }
        printf("mlock %luM: ok\n", mb);
        return 0;
}
