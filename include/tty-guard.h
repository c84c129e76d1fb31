/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Keeping a command run as another user away from the launcher's terminal.
 * A process in the terminal's session can push bytes into its input queue
 * with ioctl(TIOCSTI) (and, on a virtual console, paste a selection with
 * TIOCLINUX): typed into root's shell once memcage has exited. The kernel
 * allows TIOCSTI only on the caller's controlling terminal (or with
 * CAP_SYS_ADMIN), so a command in a session of its own cannot; a command
 * that needs the terminal (psql, a shell) keeps the session, and a seccomp
 * filter refuses those two ioctls with EPERM instead. Linux 6.2 can turn
 * TIOCSTI off for everyone (dev.tty.legacy_tiocsti=0); 6.1 cannot, and the
 * default stays on in many builds.
 *
 * libseccomp writes the filter (it knows every architecture's system call
 * numbers, audit arch values and argument layout, big-endian included), in
 * the parent: it allocates, which the child between clone and exec must not.
 * A build without libseccomp (configure --without-seccomp) has no filter.
 */

#include <stdbool.h>

/* The filter as BPF instructions (struct sock_filter), ready for the kernel. */
struct mc_tty_guard {
        void *insns;
        unsigned short len;
};

/* Whether this build can make the filter at all (libseccomp). */
bool mc_tty_guard_supported(void);

/*
 * In the parent: builds the filter for this machine's native ABI and the
 * ones a process can also call (i386 and x32 on x86-64, AArch32 on arm64,
 * 31-bit s390 on s390x, ...). Returns 0, or a negative errno: -EOPNOTSUPP in
 * a build without libseccomp.
 */
int mc_tty_guard_prepare(struct mc_tty_guard *ret);

/*
 * In the child, before the uid changes (installing a filter without
 * no_new_privs needs CAP_SYS_ADMIN): the filter, inherited across exec and
 * by every descendant. System calls only; returns 0 or -1 with errno.
 */
int mc_tty_guard_install(const struct mc_tty_guard *g);

void mc_tty_guard_done(struct mc_tty_guard *g);
