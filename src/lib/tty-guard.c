/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "tty-guard.h"
#include "util.h"

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
/* x32 shares the x86_64 arch value; its ioctl is 514 with the x32 bit. */
#define X32_NR_IOCTL (0x40000000u | 514u)
#elif defined(__aarch64__)
#define NATIVE_ARCH  AUDIT_ARCH_AARCH64
#define X32_NR_IOCTL 0xffffffffu /* no such ABI: a number no system call has */
#else
#error "tty-guard.c: add this architecture's AUDIT_ARCH and ioctl numbers"
#endif
/* The 32-bit ABI a 64-bit process can also call (int $0x80, or AArch32): ioctl is 54 in both. */
#if defined(__x86_64__)
#define COMPAT_ARCH AUDIT_ARCH_I386
#else
#define COMPAT_ARCH AUDIT_ARCH_ARM
#endif
#define COMPAT_NR_IOCTL 54u

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "tty-guard.c: the low word of args[1] is at +4 on big-endian machines"
#endif
/* The low word of seccomp_data.args[1]: the tty layer takes the command as an unsigned int. */
#define ARG1_LO offsetof(struct seccomp_data, args[1])

#define LOAD(off)      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, jt, jf) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (jt), (jf))
#define RETURN(v)      BPF_STMT(BPF_RET | BPF_K, (v))
#define ALLOW          RETURN(SECCOMP_RET_ALLOW)
#define DENY           RETURN(SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))

/* Jumps count the instructions skipped: the index of each is on its line. */
static const struct sock_filter filter[] = {
        LOAD(offsetof(struct seccomp_data, arch)), /* 0 */
        JEQ(NATIVE_ARCH, 0, 4),                    /* 1: native -> 2, else -> 6 */
        LOAD(offsetof(struct seccomp_data, nr)),   /* 2 */
        JEQ(__NR_ioctl, 6, 0),                     /* 3: ioctl -> 10 */
        JEQ(X32_NR_IOCTL, 5, 0),                   /* 4: x32 ioctl -> 10 */
        ALLOW,                                     /* 5 */
        JEQ(COMPAT_ARCH, 0, 2),                    /* 6: compat -> 7, else -> 9 */
        LOAD(offsetof(struct seccomp_data, nr)),   /* 7 */
        JEQ(COMPAT_NR_IOCTL, 1, 0),                /* 8: ioctl -> 10 */
        ALLOW,                                     /* 9 */
        LOAD(ARG1_LO),                             /* 10 */
        JEQ(TIOCSTI, 2, 0),                        /* 11 -> 14 */
        JEQ(TIOCLINUX, 1, 0),                      /* 12 -> 14 */
        ALLOW,                                     /* 13 */
        DENY,                                      /* 14 */
};

int mc_tty_guard_install(void)
{
        const struct sock_fprog prog = {
                .len = (unsigned short)ELEMENTSOF(filter),
                .filter = (struct sock_filter *)filter,
        };
        return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}
