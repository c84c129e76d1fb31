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
 */

/*
 * In the child, before the uid changes (installing a filter without
 * no_new_privs needs CAP_SYS_ADMIN): the filter, inherited across exec and
 * by every descendant. System calls only; returns 0 or -1 with errno.
 */
int mc_tty_guard_install(void);
