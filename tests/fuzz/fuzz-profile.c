/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the profile loader with inheritance. The input is up to
 * three profile files separated by lines "%%": main.ini, then base.ini and
 * more.ini, which main may inherit (and they each other, cycles included).
 * A loaded profile is resolved to limits and checked as `memcage check`
 * does; a refused one must say why.
 */
#include "config.h"

#include <assert.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "group-limits.h"
#include "profile-check.h"
#include "profile.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/memcage-fuzz-profile.XXXXXX";
static int dir_fd = -EBADF;

static void write_part(const char *name, const uint8_t *p, size_t n)
{
        int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        assert(fd >= 0);
        assert(n == 0 || write(fd, p, n) == (ssize_t)n);
        close(fd);
}

static void remove_dir(void)
{
        static const char *const names[] = { "main.ini", "base.ini", "more.ini" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                (void)unlinkat(dir_fd, names[i], 0);
        (void)rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const names[] = { "main.ini", "base.ini", "more.ini" };
        const struct mc_host_facts host = {
                .ram_bytes = 8ull << 30,
                .swap_present = true,
                .swap_accounting = MC_SWAP_ACCOUNTING_YES,
                .hugetlb_sizes_known = true,
                .n_hugetlb_sizes = 2,
                .hugetlb_sizes = { "2MB", "1GB" },
                .hugetlb_controller = MC_HUGETLB_CONTROLLER_YES,
        };
        struct mc_profile_env env = { .profile_path = dir, .ram_bytes = host.ram_bytes };
        struct mc_profile p;
        struct mc_error err = { 0 };
        const uint8_t *start = data, *end = data + size;

        if (dir_fd < 0) {
                assert(mkdtemp(dir));
                dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                assert(dir_fd >= 0);
                atexit(remove_dir);
        }
        /* Each part but the last ends at a line "%%" (its newline stays in the part). */
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                const uint8_t *stop = end, *next = end;
                for (const uint8_t *q = start; i + 1 < ELEMENTSOF(names) && q + 4 <= end; q++)
                        if (memcmp(q, "\n%%\n", 4) == 0) {
                                stop = q + 1;
                                next = q + 4;
                                break;
                        }
                write_part(names[i], start, (size_t)(stop - start));
                start = next;
        }

        if (mc_profile_load("main", &env, &p, &err) < 0) {
                assert(err.code > 0 && err.msg[0] != '\0');
                return 0;
        }
        struct mc_limits limits;
        if (mc_limits_from_profile(&p, host.ram_bytes, &limits, &err) < 0)
                assert(err.msg[0] != '\0');
        struct mc_check_warning *w = NULL;
        size_t n = 0;
        if (mc_check_profile(&p, &host, &w, &n, &err) == 0)
                mc_check_warnings_free(w, n);
        mc_profile_free(&p);
        return 0;
}
