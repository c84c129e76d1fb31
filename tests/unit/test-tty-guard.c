/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seccomp filter of tty-guard.h, installed in a child that owns a
 * pseudo-terminal as its controlling terminal: TIOCSTI and TIOCLINUX are
 * refused with EPERM (also with high bits set in the 64-bit argument, which
 * the tty layer drops), other ioctls and system calls work. Without the
 * filter the same TIOCSTI succeeds, so the test shows the filter is what
 * stops it.
 *
 * qemu-user refuses to install any seccomp filter (it would filter qemu's
 * own system calls): there the tests that install one print SKIP with that
 * reason; natively they run.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "tty-guard.h"

enum {
        CHILD_OK = 0,
        CHILD_SETUP = 10,
        CHILD_STI_ALLOWED,
        CHILD_STI_WRONG_ERRNO,
        CHILD_HIGH_BITS,
        CHILD_LINUX,
        CHILD_OTHER_IOCTL,
        CHILD_STI_FAILED,
        CHILD_INPUT,
        CHILD_I386,
        CHILD_X32
};

/* In a child: a new session whose controlling terminal is a fresh pty; returns the terminal's fd. */
static int own_pty(int *ret_master)
{
        int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || setsid() < 0)
                return -1;
        int s = open(ptsname(m), O_RDWR | O_CLOEXEC);
        if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
                return -1;
        *ret_master = m;
        return s;
}

static struct mc_tty_guard filter;

static int child(bool guard)
{
        alarm(10); /* a test that hangs fails instead */
        int m, t = own_pty(&m);
        char c = 'x', got = 0;
        if (t < 0)
                return CHILD_SETUP;
        /* Root installs it with CAP_SYS_ADMIN, as memcage's child does; others need no_new_privs. */
        if (guard && ((geteuid() != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) ||
                      mc_tty_guard_install(&filter) < 0))
                return CHILD_SETUP;
        if (!guard) {
                char nl = '\n', line[8];
                if (ioctl(t, TIOCSTI, &c) < 0 || ioctl(t, TIOCSTI, &nl) < 0)
                        return CHILD_STI_FAILED;
                /* The line is in the terminal's input queue, as if typed (canonical mode: up to the
                 * newline). */
                ssize_t n = read(t, line, sizeof(line));
                got = n == 2 ? line[0] : 0;
                return got == 'x' ? CHILD_OK : CHILD_INPUT;
        }
        if (ioctl(t, TIOCSTI, &c) == 0)
                return CHILD_STI_ALLOWED;
        if (errno != EPERM)
                return CHILD_STI_WRONG_ERRNO;
        if (syscall(SYS_ioctl, t, (unsigned long)TIOCSTI | (1ul << 32), &c) == 0 || errno != EPERM)
                return CHILD_HIGH_BITS;
        char sub = 2; /* TIOCL_SETSEL's neighbour; any subcode: the command is refused first */
        if (ioctl(t, TIOCLINUX, &sub) == 0 || errno != EPERM)
                return CHILD_LINUX;
        struct winsize ws;
        if (ioctl(t, TIOCGWINSZ, &ws) < 0 || getpid() <= 0)
                return CHILD_OTHER_IOCTL;
#if defined(__x86_64__)
        /* The other ABIs of an x86-64 process have their own ioctl numbers: 54 through int $0x80
         * (i386), 514 with the x32 bit. Where the kernel runs i386 calls (getpid answers there),
         * TIOCSTI must be refused through them too; seccomp judges before the kernel looks at the
         * 32-bit pointer, or at whether x32 is enabled at all. */
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory"); /* i386 getpid */
        if (r == getpid()) {
                __asm__ volatile("int $0x80"
                                 : "=a"(r)
                                 : "a"(54L), "b"((long)t), "c"((long)TIOCSTI), "d"(&c)
                                 : "memory");
                if (r != -EPERM)
                        return CHILD_I386;
        }
        if (syscall(0x40000000L | 514L, t, TIOCSTI, &c) == 0 || errno != EPERM)
                return CHILD_X32;
#endif
        return CHILD_OK;
}

static int run_child(bool guard)
{
        pid_t pid = fork();
        int status;
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(child(guard));
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

/*
 * Natively PR_SET_SECCOMP copies the program first and fails with EFAULT for
 * a NULL one; qemu-user answers EINVAL without looking, as does a kernel
 * built without CONFIG_SECCOMP_FILTER. Nothing is installed either way.
 */
static bool seccomp_filters_refused(void)
{
        return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0) < 0 && errno == EINVAL;
}

static void test_without_filter_sti_works(void **state)
{
        /* The control of the filter test, skipped with it: under qemu-user it would test qemu's
         * ioctl translation (7.2 reads TIOCSTI's byte as an int: on s390x a NUL arrives). */
        if (seccomp_filters_refused()) {
                print_message("SKIP: no seccomp filter can be installed here (qemu-user, or a kernel "
                              "without CONFIG_SECCOMP_FILTER): nothing to compare with\n");
                skip();
        }
        int r = run_child(false);
        if (r == CHILD_STI_FAILED)
                skip(); /* a kernel with dev.tty.legacy_tiocsti=0: nothing to guard against here */
        assert_int_equal(r, CHILD_OK);
}

static void test_prepare_builds_program(void **state)
{
        if (!mc_tty_guard_supported()) {
                print_message("SKIP: memcage is built without libseccomp (configure --without-seccomp)\n");
                skip();
        }
        struct mc_tty_guard g = { 0 };
        assert_int_equal(mc_tty_guard_prepare(&g), 0);
        assert_non_null(g.insns);
        /* An arch check, the ioctl number, two argument checks and the returns, at least. */
        assert_true(g.len >= 6);
        const struct sock_filter *last = (const struct sock_filter *)g.insns + g.len - 1;
        assert_int_equal(BPF_CLASS(last->code), BPF_RET);
        mc_tty_guard_done(&g);
        assert_null(g.insns);
        assert_int_equal(g.len, 0);
}

static void test_filter_refuses_sti(void **state)
{
        if (!mc_tty_guard_supported()) {
                print_message("SKIP: memcage is built without libseccomp (configure --without-seccomp)\n");
                skip();
        }
        if (seccomp_filters_refused()) {
                print_message("SKIP: PR_SET_SECCOMP refuses every filter with EINVAL here "
                              "(qemu-user, or a kernel without CONFIG_SECCOMP_FILTER)\n");
                skip();
        }
        assert_int_equal(run_child(true), CHILD_OK);
}

static int setup(void **state)
{
        int r = mc_tty_guard_prepare(&filter);
        return r == 0 || r == -EOPNOTSUPP ? 0 : -1;
}

static int teardown(void **state)
{
        mc_tty_guard_done(&filter);
        return 0;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_without_filter_sti_works),
                cmocka_unit_test(test_prepare_builds_program),
                cmocka_unit_test(test_filter_refuses_sti),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
