/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_SECCOMP
#include <seccomp.h>
#endif

#include "tty-guard.h"
#include "util.h"

#ifdef HAVE_SECCOMP

bool mc_tty_guard_supported(void)
{
        return true;
}

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

/*
 * The ABIs a process of the native one can also call, each with its own
 * system call numbers: a filter that knew only the native ioctl would let
 * "int $0x80" (or an AArch32 binary) through. Names a libseccomp release
 * does not know yet are left out by the #ifdef.
 */
static int add_compat_arches(scmp_filter_ctx ctx)
{
        uint32_t extra[2] = { 0, 0 };
        switch (seccomp_arch_native()) {
        case SCMP_ARCH_X86_64:
                extra[0] = SCMP_ARCH_X86;
                extra[1] = SCMP_ARCH_X32;
                break;
        case SCMP_ARCH_AARCH64:
                extra[0] = SCMP_ARCH_ARM;
                break;
#ifdef SCMP_ARCH_S390X
        case SCMP_ARCH_S390X:
                extra[0] = SCMP_ARCH_S390;
                break;
#endif
#ifdef SCMP_ARCH_PPC64
        case SCMP_ARCH_PPC64:
                extra[0] = SCMP_ARCH_PPC;
                break;
#endif
#ifdef SCMP_ARCH_MIPS64
        case SCMP_ARCH_MIPS64:
                extra[0] = SCMP_ARCH_MIPS;
                extra[1] = SCMP_ARCH_MIPS64N32;
                break;
        case SCMP_ARCH_MIPSEL64:
                extra[0] = SCMP_ARCH_MIPSEL;
                extra[1] = SCMP_ARCH_MIPSEL64N32;
                break;
#endif
#ifdef SCMP_ARCH_PARISC64
        case SCMP_ARCH_PARISC64:
                extra[0] = SCMP_ARCH_PARISC;
                break;
#endif
        default: /* riscv64, ppc64el, loongarch64, 32-bit machines: the native ABI alone */
                break;
        }
        for (size_t i = 0; i < ELEMENTSOF(extra) && extra[i]; i++) {
                int r = seccomp_arch_add(ctx, extra[i]);
                if (r < 0 && r != -EEXIST)
                        return r;
        }
        return 0;
}

int mc_tty_guard_prepare(struct mc_tty_guard *ret)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        _cleanup_close_ int fd = -EBADF;
        static const unsigned long refused[] = { TIOCSTI, TIOCLINUX };
        struct stat st;
        int r;

        if (!ctx)
                return -ENOMEM;
        r = add_compat_arches(ctx);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                /* The tty layer takes the command as an unsigned int: the high bits of the
                 * 64-bit argument are dropped, so only the low 32 bits are compared. */
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                                     SCMP_A1(SCMP_CMP_MASKED_EQ, UINT32_MAX, refused[i]));
                if (r < 0)
                        return r;
        }

        /* libseccomp 2.5 exports to an fd only: a memfd holds the program until it is read. */
        fd = memfd_create("memcage-tty-guard", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0)
                return -errno;
        size_t size = (size_t)st.st_size;
        if (size == 0 || size % sizeof(struct sock_filter) != 0 ||
            size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return -EPROTO;
        _cleanup_free_ void *insns = malloc(size);
        if (!insns)
                return -ENOMEM;
        ssize_t n = pread(fd, insns, size, 0);
        if (n < 0)
                return -errno;
        if ((size_t)n != size)
                return -EIO;
        ret->len = (unsigned short)(size / sizeof(struct sock_filter));
        ret->insns = TAKE_PTR(insns);
        return 0;
}

#else /* !HAVE_SECCOMP */

bool mc_tty_guard_supported(void)
{
        return false;
}

int mc_tty_guard_prepare(struct mc_tty_guard *ret)
{
        return -EOPNOTSUPP;
}

#endif

int mc_tty_guard_install(const struct mc_tty_guard *g)
{
        if (!g->insns) {
                errno = EOPNOTSUPP;
                return -1;
        }
        const struct sock_fprog prog = {
                .len = g->len,
                .filter = g->insns,
        };
        return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

void mc_tty_guard_done(struct mc_tty_guard *g)
{
        free(g->insns);
        *g = (struct mc_tty_guard){ 0 };
}
