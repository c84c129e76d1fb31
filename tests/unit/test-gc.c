/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memcage gc and ps on a temporary directory shaped like cgroupfs: groups
 * are plain directories holding the interface files, marked with the
 * launcher xattr as a run marks them; a test backend's rmdir refuses a
 * populated group as the kernel does.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup-backend.h"
#include "cgroup-gc.h"
#include "cgroup-ps.h"
#include "cgroup.h"
#include "fake-cgroupfs.h"
#include "pressure.h"
#include "util.h"

static char *base;          /* mkdtemp'd directory holding one fake parent per test */
static bool xattr_ok;       /* user.* xattrs work in base */
static char xattr_why[256]; /* why they do not */

/* ---- helpers ---------------------------------------------------------------------------- */

static void sleep_ms(unsigned ms)
{
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* ---- the test backend: rmdir as cgroupfs does it ----------------------------------------- */

static const struct mc_cgroup_backend fake_backend = {
        .name = "test",
        .remove = fake_remove,
};

/* ---- per-test fake parent ---------------------------------------------------------------- */

struct fixture {
        char *dir;
        int parent_fd;
        char dead_mark[64];     /* a launcher that died */
        char alive_mark[64];    /* this process */
        char other_ns_mark[96]; /* the dead launcher's pid and start time, in another pid namespace */
        char our_ns_mark[96];   /* the same in ours */
        uint64_t pidns;         /* ours */
};

static pid_t fork_sleeper(void)
{
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                for (;;)
                        pause();
        }
        return pid;
}

static int setup_parent(void **state)
{
        static unsigned counter;
        struct fixture *fx = calloc(1, sizeof(*fx));
        unsigned long long start;
        char dir[512];

        assert_non_null(fx);
        snprintf(dir, sizeof(dir), "%s/memcage-%u", base, ++counter);
        assert_int_equal(mkdir(dir, 0755), 0);
        fx->dir = strdup(dir);
        fx->parent_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fx->parent_fd >= 0);
        write_at(fx->parent_fd, "cgroup.procs", "");
        write_at(fx->parent_fd, "cgroup.events", "populated 1\nfrozen 0\n");

        /* A dead launcher: a child's pid and start time, taken before it is reaped. */
        pid_t dead = fork_sleeper();
        assert_int_equal(mc_proc_starttime(dead, &start), 0);
        kill(dead, SIGKILL);
        assert_int_equal(waitpid(dead, NULL, 0), dead);
        snprintf(fx->dead_mark, sizeof(fx->dead_mark), "%d %llu", (int)dead, start);
        assert_int_equal(mc_pidns_self(&fx->pidns), 0);
        snprintf(fx->other_ns_mark, sizeof(fx->other_ns_mark), "%s %" PRIu64, fx->dead_mark, fx->pidns + 1);
        snprintf(fx->our_ns_mark, sizeof(fx->our_ns_mark), "%s %" PRIu64, fx->dead_mark, fx->pidns);
        assert_int_equal(mc_proc_starttime(getpid(), &start), 0);
        snprintf(fx->alive_mark, sizeof(fx->alive_mark), "%d %llu", (int)getpid(), start);
        *state = fx;
        return 0;
}

static int teardown_parent(void **state)
{
        struct fixture *fx = *state;
        close(fx->parent_fd);
        rm_rf_at(AT_FDCWD, fx->dir);
        free(fx->dir);
        free(fx);
        return 0;
}

/* A group as a run leaves it: interface files, the launcher mark (NULL: none). */
static int make_group(struct fixture *fx, const char *name, const char *mark, bool populated)
{
        assert_int_equal(mkdirat(fx->parent_fd, name, 0755), 0);
        int fd = openat(fx->parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        write_at(fd, "cgroup.procs", populated ? "4242\n" : "");
        write_at(fd, "cgroup.events", populated ? "populated 1\nfrozen 0\n" : "populated 0\nfrozen 0\n");
        write_at(fd, "cgroup.kill", "");
        write_at(fd, "memory.current", populated ? "1048576\n" : "0\n");
        write_at(fd, "memory.max", "max\n");
        write_at(fd, "memory.high", "max\n");
        if (mark)
                assert_int_equal(fsetxattr(fd, MC_GROUP_XATTR_LAUNCHER, mark, strlen(mark), 0), 0);
        return fd;
}

static void skip_without_xattrs(void)
{
        if (!xattr_ok) {
                print_message("SKIP: %s\n", xattr_why);
                skip();
        }
}

static const struct mc_gc_result *find(const struct mc_gc_result *r, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (streq(r[i].name, name))
                        return &r[i];
        return NULL;
}

/* The usual mix: only dead-empty and dead-busy are memcage's stale groups. */
static void make_mix(struct fixture *fx)
{
        char reused[64];
        unsigned long long start;

        close(make_group(fx, "dead-empty", fx->dead_mark, false));
        close(make_group(fx, "dead-busy", fx->dead_mark, true));
        close(make_group(fx, "alive", fx->alive_mark, true));
        close(make_group(fx, "alive-empty", fx->alive_mark, false));
        close(make_group(fx, "unmarked", NULL, false));
        close(make_group(fx, "unmarked-busy", NULL, true));
        close(make_group(fx, "foreign-mark", "not a mark", false));
        /* This pid, another start time: the pid was reused, the launcher is gone. */
        assert_int_equal(mc_proc_starttime(getpid(), &start), 0);
        snprintf(reused, sizeof(reused), "%d %llu", (int)getpid(), start + 1);
        close(make_group(fx, "pid-reused", reused, false));
}

static void assert_untouched(struct fixture *fx)
{
        assert_true(exists_at(fx->parent_fd, "alive"));
        assert_true(exists_at(fx->parent_fd, "alive-empty"));
        assert_true(exists_at(fx->parent_fd, "unmarked"));
        assert_true(exists_at(fx->parent_fd, "unmarked-busy"));
        assert_true(exists_at(fx->parent_fd, "foreign-mark"));
        _cleanup_free_ char *kill_alive = NULL, *kill_unmarked = NULL;
        struct mc_error err = { 0 };
        assert_int_equal(mc_read_file_at(fx->parent_fd, "alive/cgroup.kill", &kill_alive, &err), 0);
        assert_string_equal(kill_alive, "");
        assert_int_equal(mc_read_file_at(fx->parent_fd, "unmarked-busy/cgroup.kill", &kill_unmarked, &err),
                         0);
        assert_string_equal(kill_unmarked, "");
}

/* ---- gc ----------------------------------------------------------------------------------- */

static void test_gc_dry_run(void **state)
{
        struct fixture *fx = *state;
        struct mc_gc_opts o = { .parent_fd = fx->parent_fd, .backend = &fake_backend, .dry_run = true };
        struct mc_gc_result *r = NULL;
        struct mc_error err = { 0 };
        size_t n = 0;

        skip_without_xattrs();
        make_mix(fx);
        assert_int_equal(mc_gc_collect(&o, &r, &n, &err), 0);
        assert_int_equal(n, 3);
        /* Sorted by name. */
        assert_string_equal(r[0].name, "dead-busy");
        assert_string_equal(r[1].name, "dead-empty");
        assert_string_equal(r[2].name, "pid-reused");
        assert_int_equal(r[0].state, MC_GC_KEPT);
        assert_int_equal(r[1].state, MC_GC_WOULD_REMOVE);
        assert_int_equal(r[2].state, MC_GC_WOULD_REMOVE);
        assert_int_equal(r[2].launcher, getpid());
        mc_gc_results_free(r, n);

        o.kill = true;
        assert_int_equal(mc_gc_collect(&o, &r, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_int_equal(find(r, n, "dead-busy")->state, MC_GC_WOULD_KILL);
        mc_gc_results_free(r, n);

        /* Nothing changed. */
        assert_true(exists_at(fx->parent_fd, "dead-empty"));
        assert_true(exists_at(fx->parent_fd, "dead-busy"));
        assert_true(exists_at(fx->parent_fd, "pid-reused"));
        _cleanup_free_ char *k = NULL;
        assert_int_equal(mc_read_file_at(fx->parent_fd, "dead-busy/cgroup.kill", &k, &err), 0);
        assert_string_equal(k, "");
        assert_untouched(fx);
}

static void test_gc_keeps_populated(void **state)
{
        struct fixture *fx = *state;
        struct mc_gc_opts o = { .parent_fd = fx->parent_fd, .backend = &fake_backend };
        struct mc_gc_result *r = NULL;
        struct mc_error err = { 0 };
        size_t n = 0;

        skip_without_xattrs();
        make_mix(fx);
        assert_int_equal(mc_gc_collect(&o, &r, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_int_equal(find(r, n, "dead-empty")->state, MC_GC_REMOVED);
        assert_int_equal(find(r, n, "pid-reused")->state, MC_GC_REMOVED);
        assert_int_equal(find(r, n, "dead-busy")->state, MC_GC_KEPT);
        mc_gc_results_free(r, n);
        assert_false(exists_at(fx->parent_fd, "dead-empty"));
        assert_false(exists_at(fx->parent_fd, "pid-reused"));
        assert_true(exists_at(fx->parent_fd, "dead-busy"));
        assert_untouched(fx);

        /* Again: only the populated one is left to report. */
        assert_int_equal(mc_gc_collect(&o, &r, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(r[0].state, MC_GC_KEPT);
        mc_gc_results_free(r, n);
}

static void test_gc_kill(void **state)
{
        struct fixture *fx = *state;
        struct mc_gc_opts o = { .parent_fd = fx->parent_fd, .backend = &fake_backend, .kill = true };
        struct mc_gc_result *r = NULL;
        struct mc_error err = { 0 };
        size_t n = 0;

        skip_without_xattrs();
        make_mix(fx);
        /* The kernel's part: the group empties a little after the kill. */
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                sleep_ms(300);
                int fd = openat(fx->parent_fd, "dead-busy", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                write_at(fd, "cgroup.events", "populated 0\nfrozen 0\n");
                _exit(0);
        }
        uint64_t t0 = mc_now_ns();
        assert_int_equal(mc_gc_collect(&o, &r, &n, &err), 0);
        assert_true(mc_now_ns() - t0 < 3000000000ull);
        assert_int_equal(waitpid(child, NULL, 0), child);
        assert_int_equal(n, 3);
        const struct mc_gc_result *e = find(r, n, "dead-busy");
        assert_int_equal(e->state, MC_GC_KILLED);
        assert_int_equal(e->error, 0);
        mc_gc_results_free(r, n);
        assert_false(exists_at(fx->parent_fd, "dead-busy"));
        assert_false(exists_at(fx->parent_fd, "dead-empty"));
        /* Live launchers' and unmarked groups are never killed, populated or not. */
        assert_untouched(fx);
}

/*
 * Launchers of another pid namespace (a container sharing the cgroup tree):
 * their pid, dead here, may be alive there. gc, --kill and the dry run leave
 * their groups and list them; our namespace's dead launcher is collected.
 */
static void test_gc_other_pid_namespace(void **state)
{
        struct fixture *fx = *state;
        struct mc_gc_opts o = { .parent_fd = fx->parent_fd, .backend = &fake_backend, .dry_run = true };
        struct mc_gc_result *r = NULL;
        struct mc_error err = { 0 };
        size_t n = 0;

        skip_without_xattrs();
        close(make_group(fx, "other-ns", fx->other_ns_mark, false));
        close(make_group(fx, "other-ns-busy", fx->other_ns_mark, true));
        close(make_group(fx, "our-ns", fx->our_ns_mark, false));
        close(make_group(fx, "our-ns-busy", fx->our_ns_mark, true));
        char bad[128];
        snprintf(bad, sizeof(bad), "%s what", fx->dead_mark);
        close(make_group(fx, "bad-ns", bad, true));

        for (int round = 0; round < 3; round++) {
                /* A dry run, a dry run with --kill, then --kill for real. */
                o.kill = round > 0;
                o.dry_run = round < 2;
                assert_int_equal(mc_gc_collect(&o, &r, &n, &err), 0);
                assert_int_equal(n, 5);
                const struct mc_gc_result *e = find(r, n, "other-ns");
                assert_int_equal(e->state, MC_GC_LEFT_ALONE);
                assert_int_equal(e->launcher_state, MC_LAUNCHER_OTHER_NS);
                assert_true(e->launcher_pidns == fx->pidns + 1);
                e = find(r, n, "other-ns-busy");
                assert_int_equal(e->state, MC_GC_LEFT_ALONE);
                assert_int_equal(e->launcher_state, MC_LAUNCHER_OTHER_NS);
                e = find(r, n, "bad-ns");
                assert_int_equal(e->state, MC_GC_LEFT_ALONE);
                assert_int_equal(e->launcher_state, MC_LAUNCHER_UNKNOWN);
                assert_true(e->launcher_pidns == 0);
                e = find(r, n, "our-ns");
                assert_int_equal(e->state, round < 2 ? MC_GC_WOULD_REMOVE : MC_GC_REMOVED);
                assert_int_equal(e->launcher_state, MC_LAUNCHER_GONE);
                e = find(r, n, "our-ns-busy");
                if (round == 2) {
                        /* Killed: the fake group never empties, so it fails after the wait. */
                        assert_int_equal(e->state, MC_GC_FAILED);
                        assert_int_equal(e->error, -EBUSY);
                } else
                        assert_int_equal(e->state, round == 0 ? MC_GC_KEPT : MC_GC_WOULD_KILL);
                mc_gc_results_free(r, n);
                if (round == 1)
                        o.wait_ms = 200;
        }
        assert_true(exists_at(fx->parent_fd, "other-ns"));
        assert_true(exists_at(fx->parent_fd, "other-ns-busy"));
        assert_true(exists_at(fx->parent_fd, "bad-ns"));
        assert_false(exists_at(fx->parent_fd, "our-ns"));
        _cleanup_free_ char *k_other = NULL, *k_bad = NULL, *k_ours = NULL;
        assert_int_equal(mc_read_file_at(fx->parent_fd, "other-ns-busy/cgroup.kill", &k_other, &err), 0);
        assert_string_equal(k_other, "");
        assert_int_equal(mc_read_file_at(fx->parent_fd, "bad-ns/cgroup.kill", &k_bad, &err), 0);
        assert_string_equal(k_bad, "");
        assert_int_equal(mc_read_file_at(fx->parent_fd, "our-ns-busy/cgroup.kill", &k_ours, &err), 0);
        assert_string_equal(k_ours, "1");

        /* ps shows them, not as gone. */
        struct mc_ps_entry *v = NULL;
        assert_int_equal(mc_ps_collect(fx->parent_fd, &v, &n, &err), 0);
        assert_int_equal(n, 4);
        assert_string_equal(v[2].name, "other-ns-busy");
        assert_int_equal(v[2].launcher_state, MC_LAUNCHER_OTHER_NS);
        assert_false(v[2].launcher_alive);
        assert_true(v[2].launcher_pidns == fx->pidns + 1);
        assert_string_equal(v[3].name, "our-ns-busy");
        assert_int_equal(v[3].launcher_state, MC_LAUNCHER_GONE);
        assert_int_equal(v[0].launcher_state, MC_LAUNCHER_UNKNOWN);
        mc_ps_entries_free(v, n);
}

static void test_gc_kill_timeout(void **state)
{
        struct fixture *fx = *state;
        struct mc_gc_opts o = {
                .parent_fd = fx->parent_fd, .backend = &fake_backend, .kill = true, .wait_ms = 300
        };
        struct mc_gc_result *r = NULL;
        struct mc_error err = { 0 };
        size_t n = 0;

        skip_without_xattrs();
        close(make_group(fx, "stuck", fx->dead_mark, true));
        uint64_t t0 = mc_now_ns();
        assert_int_equal(mc_gc_collect(&o, &r, &n, &err), 0);
        uint64_t took = mc_now_ns() - t0;
        assert_true(took >= 250000000ull && took < 2000000000ull);
        assert_int_equal(n, 1);
        assert_int_equal(r[0].state, MC_GC_FAILED);
        assert_int_equal(r[0].error, -EBUSY);
        assert_non_null(strstr(r[0].message, "processes remain after 300 ms"));
        mc_gc_results_free(r, n);
        assert_true(exists_at(fx->parent_fd, "stuck"));
        _cleanup_free_ char *k = NULL;
        assert_int_equal(mc_read_file_at(fx->parent_fd, "stuck/cgroup.kill", &k, &err), 0);
        assert_string_equal(k, "1");
}

static void test_gc_child_groups(void **state)
{
        struct fixture *fx = *state;
        struct mc_gc_opts o = { .parent_fd = fx->parent_fd, .backend = &fake_backend };
        struct mc_gc_result *r = NULL;
        struct mc_error err = { 0 };
        size_t n = 0;

        skip_without_xattrs();
        int fd = make_group(fx, "nested", fx->dead_mark, false);
        assert_int_equal(mkdirat(fd, "child", 0755), 0);
        close(fd);
        assert_int_equal(mc_gc_collect(&o, &r, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(r[0].state, MC_GC_FAILED);
        assert_int_equal(r[0].error, -EBUSY);
        assert_non_null(strstr(r[0].message, "child groups"));
        mc_gc_results_free(r, n);
        assert_true(exists_at(fx->parent_fd, "nested"));
}

static void test_gc_nothing(void **state)
{
        struct fixture *fx = *state;
        struct mc_gc_opts o = { .parent_fd = fx->parent_fd, .backend = &fake_backend, .kill = true };
        struct mc_gc_result *r = (struct mc_gc_result *)1;
        struct mc_error err = { 0 };
        size_t n = 7;

        assert_int_equal(mc_gc_collect(&o, &r, &n, &err), 0);
        assert_null(r);
        assert_int_equal(n, 0);
        mc_gc_results_free(NULL, 0);
        o.parent_fd = -EBADF;
        assert_true(mc_gc_collect(&o, &r, &n, &err) < 0);
        assert_non_null(strstr(err.msg, "parent group"));
}

/* ---- ps ----------------------------------------------------------------------------------- */

/* What `memcage ps` shows of memory.pressure: the some line's avg10, by the one PSI parser. */
static void test_ps_parse_psi(void **state)
{
        struct mc_pressure_line l[_MC_PSI_KIND_COUNT];
        struct mc_error err = { 0 };
        (void)state;
        assert_int_equal(mc_pressure_parse("some avg10=12.34 avg60=1.00 avg300=0.00 total=1\n"
                                           "full avg10=99.00 avg60=0.00 avg300=0.00 total=0\n",
                                           l, &err),
                         0);
        double v = l[MC_PSI_SOME].avg10;
        assert_true(v > 12.33 && v < 12.35);
        assert_int_equal(mc_pressure_parse("full avg10=1.00 avg60=0.00\n", l, &err), -EINVAL);
        assert_int_equal(mc_pressure_parse("some avg60=1.00\n", l, &err), -EINVAL);
        assert_int_equal(mc_pressure_parse("some avg10=x\n", l, &err), -EINVAL);
        assert_int_equal(mc_pressure_parse("", l, &err), -EINVAL);
}

static void test_ps_collect(void **state)
{
        struct fixture *fx = *state;
        struct mc_ps_entry *v = NULL;
        struct mc_error err = { 0 };
        size_t n = 0;

        skip_without_xattrs();
        int fd = make_group(fx, "web", fx->alive_mark, true);
        write_at(fd, "cgroup.procs", "4242\n4343\n");
        write_at(fd, "memory.current", "2097152\n");
        write_at(fd, "memory.peak", "3145728\n");
        write_at(fd, "memory.max", "536870912\n");
        write_at(fd, "memory.high", "max\n");
        write_at(fd, "memory.events", "low 0\nhigh 7\nmax 3\noom 1\noom_kill 2\noom_group_kill 0\n");
        write_at(fd, "memory.pressure",
                 "some avg10=1.50 avg60=0.20 avg300=0.00 total=12345\n"
                 "full avg10=0.50 avg60=0.00 avg300=0.00 total=678\n");
        assert_int_equal(fsetxattr(fd, MC_GROUP_XATTR_PROFILE, "db", 2, 0), 0);
        close(fd);
        /* An older kernel: no memory.peak, no PSI, no memory.events yet; no profile recorded. */
        close(make_group(fx, "batch", fx->dead_mark, false));
        close(make_group(fx, "unmarked", NULL, true));
        close(make_group(fx, "foreign-mark", "x", true));
        write_at(fx->parent_fd, "not-a-dir", "");

        assert_int_equal(mc_ps_collect(fx->parent_fd, &v, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(v[0].name, "batch");
        assert_string_equal(v[1].name, "web");

        const struct mc_ps_entry *b = &v[0], *w = &v[1];
        assert_null(b->profile);
        assert_false(b->launcher_alive);
        assert_int_equal(b->pids, 0);
        assert_int_equal(b->current, 0);
        assert_true(b->peak == MC_PS_NONE && b->max == MC_PS_NONE && b->high == MC_PS_NONE);
        assert_true(b->oom_kill == MC_PS_NONE);
        assert_false(b->have_psi);

        assert_string_equal(w->profile, "db");
        assert_int_equal(w->launcher, getpid());
        assert_true(w->launcher_alive);
        assert_int_equal(w->pids, 2);
        assert_int_equal(w->current, 2097152);
        assert_int_equal(w->peak, 3145728);
        assert_int_equal(w->max, 536870912);
        assert_true(w->high == MC_PS_NONE);
        assert_int_equal(w->oom_kill, 2);
        assert_true(w->have_psi && w->psi_some_avg10 > 1.49 && w->psi_some_avg10 < 1.51);
        mc_ps_entries_free(v, n);

        /* ps only reads. */
        assert_true(exists_at(fx->parent_fd, "batch"));
}

static void test_ps_many(void **state)
{
        struct fixture *fx = *state;
        struct mc_ps_entry *v = NULL;
        struct mc_error err = { 0 };
        size_t n = 0;

        skip_without_xattrs();
        for (int i = 0; i < 300; i++) {
                char name[32];
                snprintf(name, sizeof(name), "g-%03d", i);
                close(make_group(fx, name, fx->alive_mark, true));
        }
        assert_int_equal(mc_ps_collect(fx->parent_fd, &v, &n, &err), 0);
        assert_int_equal(n, 300);
        for (size_t i = 0; i < n; i++) {
                char name[32];
                snprintf(name, sizeof(name), "g-%03zu", i);
                assert_string_equal(v[i].name, name);
                assert_int_equal(v[i].pids, 1);
        }
        mc_ps_entries_free(v, n);

        /* Nothing there: NULL and 0; an unreadable parent is an error. */
        assert_int_equal(mc_ps_collect(-EBADF, &v, &n, &err) < 0, 1);
        assert_null(v);
        assert_int_equal(n, 0);
}

/* ---- main ------------------------------------------------------------------------------- */

/* user.* xattrs: tmpfs has them since 6.6, ext4 always; pick a place where they work. */
static int setup_base(void **state)
{
        (void)state;
        base = fake_make_base("gc", &xattr_ok, xattr_why, sizeof(xattr_why));
        if (!base)
                return -1;
        if (!xattr_ok)
                print_message("NOTE: %s; tests that need them are skipped\n", xattr_why);
        return 0;
}

static int teardown_base(void **state)
{
        (void)state;
        if (base)
                rm_rf_at(AT_FDCWD, base);
        free(base);
        return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_parent, teardown_parent)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(test_gc_dry_run),      T(test_gc_keeps_populated),          T(test_gc_kill),
                T(test_gc_kill_timeout), T(test_gc_other_pid_namespace),      T(test_gc_child_groups),
                T(test_gc_nothing),      cmocka_unit_test(test_ps_parse_psi), T(test_ps_collect),
                T(test_ps_many),
        };
        return cmocka_run_group_tests_name("gc", tests, setup_base, teardown_base);
}
