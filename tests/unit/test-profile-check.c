/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "profile-check.h"
#include "profile.h"
#include "util.h"

#define GiB (UINT64_C(1) << 30)
#define RAM (16 * GiB)

static const struct mc_profile_env env = { .sysconfdir = "/nonexistent",
                                           .pkgdatadir = "/nonexistent",
                                           .ram_bytes = RAM };

/* A host where nothing is in the way: swap, swap accounting, 16G. */
static const struct mc_host_facts good_host = {
        .ram_bytes = RAM,
        .swap_present = true,
        .swap_accounting = MC_SWAP_ACCOUNTING_YES,
};

struct fixture {
        struct mc_profile p;
        struct mc_check_warning *w;
        size_t n;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        mc_profile_init(&f->p);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        mc_check_warnings_free(f->w, f->n);
        mc_profile_free(&f->p);
        free(f);
        return 0;
}

/* Sets memory.KEY on line LINE of "t.ini". */
static void set(struct fixture *f, const char *key, const char *value, unsigned line)
{
        struct mc_error err = {};
        if (mc_profile_set(&f->p, "memory", key, value, "t.ini", line, &env, &err) < 0)
                fail_msg("set %s = %s: %s", key, value, err.msg);
}

static void check(struct fixture *f, const struct mc_host_facts *host)
{
        struct mc_error err = {};
        if (mc_check_profile(&f->p, host, &f->w, &f->n, &err) < 0)
                fail_msg("check: %s", err.msg);
}

static void assert_warning(const struct mc_check_warning *w, enum mc_check_level level, enum mc_key key,
                           unsigned line, const char *message)
{
        assert_int_equal(w->level, level);
        assert_int_equal(w->key, key);
        assert_string_equal(w->file, "t.ini");
        assert_int_equal(w->line, line);
        assert_string_equal(w->message, message);
}

static void set_run(struct fixture *f, const char *key, const char *value, unsigned line)
{
        struct mc_error err = {};
        if (mc_profile_set(&f->p, "run", key, value, "t.ini", line, &env, &err) < 0)
                fail_msg("set %s = %s: %s", key, value, err.msg);
}

static void set_pressure(struct fixture *f, const char *key, const char *value, unsigned line)
{
        struct mc_error err = {};
        if (mc_profile_set(&f->p, "pressure", key, value, "t.ini", line, &env, &err) < 0)
                fail_msg("set pressure.%s = %s: %s", key, value, err.msg);
}

static void check_pressure(struct fixture *f, const struct mc_host_facts *host, uid_t euid)
{
        struct mc_error err = {};
        check(f, host);
        if (mc_check_pressure(&f->p, host, euid, &f->w, &f->n, &err) < 0)
                fail_msg("check pressure: %s", err.msg);
}

static void test_pressure_high_without_kill_no_swap(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts host = good_host;
        host.swap_present = false;
        set(f, "max", "512M", 1);
        set(f, "high", "32M", 2);
        check_pressure(f, &host, 0);
        assert_int_equal(f->n, 1);
        assert_warning(&f->w[0], MC_CHECK_WARNING, MC_KEY_MEMORY_HIGH, 2,
                       "high (32M) without a [pressure] kill rule and the group cannot swap (this host has "
                       "no swap): a workload stuck at high is throttled, never OOM-killed, and can hang for "
                       "hours; add e.g. kill = full 50%/2s for 30s");
}

static void test_pressure_high_without_kill_swap_max_zero(void **state)
{
        struct fixture *f = *state;
        set(f, "max", "512M", 1);
        set(f, "high", "32M", 2);
        set(f, "swap.max", "0", 3);
        check_pressure(f, &good_host, 0);
        assert_int_equal(f->n, 1);
        assert_non_null(strstr(f->w[0].message, "cannot swap (swap.max is 0)"));
}

static void test_pressure_quiet_cases(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts host = good_host;
        host.swap_present = false;
        /* The group can swap: reclaim makes progress. */
        set(f, "max", "512M", 1);
        set(f, "high", "32M", 2);
        check_pressure(f, &good_host, 0);
        assert_int_equal(f->n, 0);
        /* A kill rule ends a stuck run. */
        set_pressure(f, "kill", "full 50%/2s for 30s", 4);
        check_pressure(f, &host, 1000);
        assert_int_equal(f->n, 0);
}

static void test_pressure_kill_unarmable(void **state)
{
        struct fixture *f = *state;
        struct mc_error err = {};
        set_pressure(f, "kill", "full 50%/1s for 30s", 5);
        check(f, &good_host);
        assert_int_equal(mc_check_pressure(&f->p, &good_host, 0, &f->w, &f->n, &err), 0);
        assert_int_equal(mc_check_pressure(&f->p, &good_host, 1000, &f->w, &f->n, &err), -EINVAL);
        assert_string_equal(err.msg,
                            "t.ini:5: pressure.kill: 'full 50%/1s for 30s': without root the kernel "
                            "arms only windows in multiples of 2s; use a window of 2s, 4s, 6s, 8s "
                            "or 10s");
}

static void test_pressure_kill_bad_rule_refused_at_load(void **state)
{
        struct fixture *f = *state;
        struct mc_error err = {};
        assert_int_equal(
                mc_profile_set(&f->p, "pressure", "kill", "full 50%/20s for 30s", "t.ini", 6, &env, &err),
                -EINVAL);
        assert_non_null(strstr(err.msg, "invalid pressure kill rule 'full 50%/20s for 30s' for kill: window "
                                        "'20s' is not between 500ms and 10s"));
        assert_int_equal(mc_profile_set(&f->p, "pressure", "kill_grace", "ten", "t.ini", 7, &env, &err),
                         -EINVAL);
        assert_int_equal(mc_profile_set(&f->p, "pressure", "kill_grace", "0s", "t.ini", 7, &env, &err), 0);
}

static void test_run_without_user(void **state)
{
        struct fixture *f = *state;
        set_run(f, "capabilities", "CAP_IPC_LOCK", 3);
        set_run(f, "env_keep", "TZ", 4);
        set_run(f, "env", "A=1", 5);
        check(f, &good_host);
        assert_int_equal(f->n, 2);
        assert_warning(&f->w[0], MC_CHECK_WARNING, MC_KEY_RUN_CAPABILITIES, 3,
                       "capabilities without user: a command started by root keeps uid 0 and with it root's "
                       "access to files; set user to run it as an ordinary user");
        assert_warning(&f->w[1], MC_CHECK_WARNING, MC_KEY_RUN_ENV_KEEP, 4,
                       "env_keep without user has no effect: the command inherits the whole environment");
}

static void test_run_with_user(void **state)
{
        struct fixture *f = *state;
        set_run(f, "user", "nobody", 2);
        set_run(f, "capabilities", "CAP_IPC_LOCK", 3);
        set_run(f, "env_keep", "TZ", 4);
        check(f, &good_host);
        assert_int_equal(f->n, 0);
}

static void test_no_warnings(void **state)
{
        struct fixture *f = *state;
        set(f, "max", "1G", 1);
        set(f, "high", "800M", 2);
        set(f, "low", "512M", 3);
        set(f, "min", "1G", 4); /* min = max: allowed */
        set(f, "swap.max", "2G", 5);
        check(f, &good_host);
        assert_int_equal(f->n, 0);
}

static void test_empty_profile(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts bare = { 0 };
        check(f, &bare);
        assert_int_equal(f->n, 0);
}

static void test_high_without_max(void **state)
{
        struct fixture *f = *state;
        set(f, "high", "2G", 7);
        check(f, &good_host);
        assert_int_equal(f->n, 1);
        assert_warning(&f->w[0], MC_CHECK_WARNING, MC_KEY_MEMORY_HIGH, 7,
                       "high (2G) without max: memory.high only throttles and reclaims, nothing stops "
                       "the group from growing; set max as well");
}

static void test_high_with_max_max(void **state)
{
        struct fixture *f = *state;
        set(f, "max", "max", 1);
        set(f, "high", "2G", 2);
        check(f, &good_host);
        assert_int_equal(f->n, 1);
        assert_int_equal(f->w[0].key, MC_KEY_MEMORY_HIGH);
        assert_non_null(strstr(f->w[0].message, "without max"));
}

static void test_high_max_is_no_limit(void **state)
{
        struct fixture *f = *state;
        set(f, "high", "max", 2);
        check(f, &good_host);
        assert_int_equal(f->n, 0);
}

static void test_high_near_max_no_swap_on_host(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts host = good_host;
        host.swap_present = false;
        set(f, "max", "1000M", 1);
        set(f, "high", "900M", 2);
        check(f, &host);
        assert_int_equal(f->n, 1);
        assert_warning(&f->w[0], MC_CHECK_WARNING, MC_KEY_MEMORY_HIGH, 2,
                       "high (900M) is 90% of max (1000M) and the group cannot swap (this host has no "
                       "swap): reclaim above high can throttle the workload for minutes before the OOM "
                       "kill at max; keep high below 90% of max or allow swap");
}

static void test_high_near_max_swap_max_zero(void **state)
{
        struct fixture *f = *state;
        set(f, "max", "1G", 1);
        set(f, "high", "1000M", 2);
        set(f, "swap.max", "0", 3);
        check(f, &good_host);
        assert_int_equal(f->n, 1);
        assert_warning(&f->w[0], MC_CHECK_WARNING, MC_KEY_MEMORY_HIGH, 2,
                       "high (1000M) is 97% of max (1G) and the group cannot swap (swap.max is 0): reclaim "
                       "above high can throttle the workload for minutes before the OOM kill at max; keep "
                       "high below 90% of max or allow swap");
}

static void test_high_near_max_with_swap(void **state)
{
        struct fixture *f = *state;
        set(f, "max", "1G", 1);
        set(f, "high", "1000M", 2);
        check(f, &good_host); /* swap.max unset and the host swaps */
        assert_int_equal(f->n, 0);
}

static void test_high_not_below_max(void **state)
{
        struct fixture *f = *state;
        set(f, "max", "1G", 1);
        set(f, "high", "1G", 2);
        check(f, &good_host);
        assert_int_equal(f->n, 1);
        assert_warning(&f->w[0], MC_CHECK_WARNING, MC_KEY_MEMORY_HIGH, 2,
                       "high (1G) is not below max (1G): it never takes effect; the group is reclaimed and "
                       "OOM-killed at max without being throttled first");
}

static void test_high_below_threshold(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts host = good_host;
        host.swap_present = false;
        set(f, "max", "1000M", 1);
        set(f, "high", "899M", 2);
        check(f, &host);
        assert_int_equal(f->n, 0);
}

static void test_min_low_above_max(void **state)
{
        struct fixture *f = *state;
        set(f, "max", "1G", 1);
        set(f, "low", "2G", 2);
        set(f, "min", "1.5G", 3);
        check(f, &good_host);
        assert_int_equal(f->n, 2);
        assert_warning(&f->w[0], MC_CHECK_WARNING, MC_KEY_MEMORY_MIN, 3,
                       "min (1.5G) is above max (1G): the group can never use that much, so the "
                       "protection is never used in full");
        assert_warning(&f->w[1], MC_CHECK_WARNING, MC_KEY_MEMORY_LOW, 2,
                       "low (2G) is above max (1G): the group can never use that much, so the "
                       "protection is never used in full");
}

static void test_min_without_max(void **state)
{
        struct fixture *f = *state;
        set(f, "min", "2G", 1);
        set(f, "low", "max", 2);
        check(f, &good_host);
        assert_int_equal(f->n, 0);
}

static void test_swap_no_accounting(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts host = good_host;
        host.swap_accounting = MC_SWAP_ACCOUNTING_NO;
        set(f, "swap.max", "0", 4);
        check(f, &host);
        assert_int_equal(f->n, 1);
        assert_warning(&f->w[0], MC_CHECK_WARNING, MC_KEY_MEMORY_SWAP_MAX, 4,
                       "swap.max (0) is set but this host has no swap accounting (no memory.swap.max in "
                       "its memory groups; swapaccount=0?): the limit cannot be applied");
}

static void test_swap_accounting_unknown(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts host = good_host;
        host.swap_accounting = MC_SWAP_ACCOUNTING_UNKNOWN;
        set(f, "swap.max", "1G", 4);
        check(f, &host);
        assert_int_equal(f->n, 1);
        assert_warning(&f->w[0], MC_CHECK_NOTE, MC_KEY_MEMORY_SWAP_MAX, 4,
                       "swap.max (1G): swap accounting check skipped: cgroup v2 memory controller not "
                       "available on this host");
}

static void test_swap_no_memory_groups(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts host = good_host;
        host.swap_accounting = MC_SWAP_ACCOUNTING_NO_GROUPS;
        set(f, "swap.max", "1G", 4);
        check(f, &host);
        assert_int_equal(f->n, 1);
        assert_warning(&f->w[0], MC_CHECK_NOTE, MC_KEY_MEMORY_SWAP_MAX, 4,
                       "swap.max (1G): swap accounting check skipped: no group below the cgroup2 root has "
                       "the memory controller to look at");
}

static void test_max_zero(void **state)
{
        struct fixture *f = *state;
        set(f, "max", "0", 3);
        check(f, &good_host);
        assert_int_equal(f->n, 1);
        assert_warning(&f->w[0], MC_CHECK_WARNING, MC_KEY_MEMORY_MAX, 3,
                       "max is 0: the group can never hold a page, so the command is OOM-killed at its "
                       "first allocation; set the budget it needs (or max for no limit)");
}

/* A percentage that resolves to 0 bytes is the same empty group. */
static void test_max_zero_percent(void **state)
{
        struct fixture *f = *state;
        set(f, "max", "0%", 2);
        check(f, &good_host);
        assert_int_equal(f->n, 1);
        assert_int_equal(f->w[0].key, MC_KEY_MEMORY_MAX);
        assert_non_null(strstr(f->w[0].message, "max is 0:"));
}

/* The smallest budget is a budget: only 0 is never one. */
static void test_max_one_byte_quiet(void **state)
{
        struct fixture *f = *state;
        set(f, "max", "1", 2);
        check(f, &good_host);
        assert_int_equal(f->n, 0);
}

static void test_swap_without_swap(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts host = good_host;
        host.swap_present = false;
        set(f, "swap.max", "1G", 4);
        check(f, &host);
        assert_int_equal(f->n, 1);
        assert_warning(&f->w[0], MC_CHECK_NOTE, MC_KEY_MEMORY_SWAP_MAX, 4,
                       "swap.max (1G) is set but this host has no swap (/proc/swaps lists none): it has "
                       "no effect");
}

static void test_swap_quiet_cases(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts host = good_host;
        host.swap_present = false;
        set(f, "swap.max", "0", 4); /* says what happens anyway */
        check(f, &host);
        assert_int_equal(f->n, 0);

        set(f, "swap.max", "max", 4); /* no limit: nothing to apply */
        host.swap_accounting = MC_SWAP_ACCOUNTING_NO;
        check(f, &host);
        assert_int_equal(f->n, 0);
}

static void test_above_ram(void **state)
{
        struct fixture *f = *state;
        set(f, "max", "32G", 1);
        set(f, "high", "20G", 2);
        set(f, "low", "17G", 3);
        set(f, "min", "16G", 4); /* equal to RAM: fine */
        check(f, &good_host);
        assert_int_equal(f->n, 3);
        assert_warning(&f->w[0], MC_CHECK_WARNING, MC_KEY_MEMORY_MAX, 1,
                       "max (32G) is larger than this host's physical memory (16G): the host runs out of "
                       "memory before the group does");
        assert_warning(&f->w[1], MC_CHECK_WARNING, MC_KEY_MEMORY_HIGH, 2,
                       "high (20G) is larger than this host's physical memory (16G): the host runs out of "
                       "memory before the group does");
        assert_warning(&f->w[2], MC_CHECK_WARNING, MC_KEY_MEMORY_LOW, 3,
                       "low (17G) is larger than this host's physical memory (16G): it protects more than "
                       "the host has");
}

static void test_above_ram_unknown(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts host = good_host;
        host.ram_bytes = 0;
        set(f, "max", "32G", 1);
        check(f, &host);
        assert_int_equal(f->n, 0);
}

static void test_percent_resolved(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts host = good_host;
        host.swap_present = false;
        set(f, "max", "50%", 1);
        set(f, "high", "7.5G", 2);
        check(f, &host);
        /* max is 50% of 16G: 8G; high 7.5G is close to it without swap. */
        assert_int_equal(f->n, 1);
        assert_int_equal(f->w[0].key, MC_KEY_MEMORY_HIGH);
        if (!strstr(f->w[0].message, "high (7.5G) is 93% of max (8G)"))
                fail_msg("%s", f->w[0].message);
}

static void test_percent_without_ram(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts host = good_host;
        struct mc_error err = {};
        host.ram_bytes = 0;
        set(f, "max", "50%", 9);
        assert_int_equal(mc_check_profile(&f->p, &host, &f->w, &f->n, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "t.ini:9: max"));
        assert_null(f->w);
}

static void test_host_facts_read(void **state)
{
        (void)state;
        char path[] = "/tmp/memcage-swaps.XXXXXX";
        struct mc_host_facts h;
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        const char *header = "Filename\tType\tSize\tUsed\tPriority\n";
        assert_int_equal(write(fd, header, strlen(header)), (ssize_t)strlen(header));
        mc_host_facts_read(path, -EBADF, &h);
        assert_false(h.swap_present);
        assert_int_equal(h.swap_accounting, MC_SWAP_ACCOUNTING_UNKNOWN);
        const char *dev = "/dev/vda2\tpartition\t1048572\t0\t-2\n";
        assert_int_equal(write(fd, dev, strlen(dev)), (ssize_t)strlen(dev));
        mc_host_facts_read(path, -EBADF, &h);
        assert_true(h.swap_present);
        close(fd);
        unlink(path);
        mc_host_facts_read("/nonexistent/swaps", -EBADF, &h);
        assert_false(h.swap_present);
}

static void touch(int dirfd, const char *name, const char *content)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
}

/* A temporary directory shaped like cgroupfs stands in for the cgroup2 root. */
static void test_host_swap_accounting(void **state)
{
        (void)state;
        char root[] = "/tmp/memcage-cgroot.XXXXXX";
        struct mc_host_facts h;
        assert_non_null(mkdtemp(root));
        _cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);

        touch(fd, "cgroup.controllers", "cpu io\n");
        mc_host_facts_read("/nonexistent/swaps", fd, &h);
        assert_int_equal(h.swap_accounting, MC_SWAP_ACCOUNTING_UNKNOWN);

        touch(fd, "cgroup.controllers", "cpu memory io\n");
        assert_int_equal(mkdirat(fd, "plain", 0755), 0);
        mc_host_facts_read("/nonexistent/swaps", fd, &h);
        assert_int_equal(h.swap_accounting, MC_SWAP_ACCOUNTING_NO_GROUPS);

        assert_int_equal(mkdirat(fd, "mem", 0755), 0);
        _cleanup_close_ int mem = openat(fd, "mem", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(mem >= 0);
        touch(mem, "memory.max", "max\n");
        mc_host_facts_read("/nonexistent/swaps", fd, &h);
        assert_int_equal(h.swap_accounting, MC_SWAP_ACCOUNTING_NO);

        touch(mem, "memory.swap.max", "max\n");
        mc_host_facts_read("/nonexistent/swaps", fd, &h);
        assert_int_equal(h.swap_accounting, MC_SWAP_ACCOUNTING_YES);

        unlinkat(mem, "memory.max", 0);
        unlinkat(mem, "memory.swap.max", 0);
        unlinkat(fd, "mem", AT_REMOVEDIR);
        unlinkat(fd, "plain", AT_REMOVEDIR);
        unlinkat(fd, "cgroup.controllers", 0);
        assert_int_equal(rmdir(root), 0);
}

static void set_hugetlb(struct fixture *f, const char *key, const char *value, unsigned line)
{
        struct mc_error err = {};
        if (mc_profile_set(&f->p, "hugetlb", key, value, "t.ini", line, &env, &err) < 0)
                fail_msg("set %s = %s: %s", key, value, err.msg);
}

static void test_hugetlb_fine(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts host = good_host;
        host.hugetlb_sizes_known = true;
        host.n_hugetlb_sizes = 2;
        strcpy(host.hugetlb_sizes[0], "2MB");
        strcpy(host.hugetlb_sizes[1], "1GB");
        host.hugetlb_controller = MC_HUGETLB_CONTROLLER_YES;
        set_hugetlb(f, "2MB.max", "1G", 2);
        set_hugetlb(f, "2MB.reserve", "4G", 3);
        set_hugetlb(f, "1GB.reserve", "16", 4);
        check(f, &host);
        assert_int_equal(f->n, 0);
}

static void test_hugetlb_warnings(void **state)
{
        struct fixture *f = *state;
        struct mc_host_facts host = good_host;
        host.hugetlb_sizes_known = true;
        host.n_hugetlb_sizes = 1;
        strcpy(host.hugetlb_sizes[0], "2MB");
        host.hugetlb_controller = MC_HUGETLB_CONTROLLER_NO;
        set_hugetlb(f, "1GB.rsvd.max", "2G", 2);
        set_hugetlb(f, "1GB.max", "2G", 3);
        set_hugetlb(f, "2MB.reserve", "9000", 4);
        check(f, &host);
        assert_int_equal(f->n, 3);
        assert_warning(&f->w[0], MC_CHECK_WARNING, MC_KEY_HUGETLB_2MB_RESERVE, 4,
                       "2MB.reserve (9000 pages, 17.57G) is more than this host's physical memory (16G): "
                       "the pool cannot grow that far and the run will stop before launch");
        assert_warning(&f->w[1], MC_CHECK_WARNING, MC_KEY_HUGETLB_1GB_MAX, 3,
                       "this host has no 1GB huge pages (it has: 2MB): memcage run refuses the "
                       "profile here");
        assert_warning(&f->w[2], MC_CHECK_WARNING, MC_KEY_HUGETLB_1GB_MAX, 3,
                       "1GB.max needs the hugetlb controller, which the cgroup2 root does not offer "
                       "(not in "
                       "its cgroup.controllers): the group cannot be created");

        /* Facts not known: no hugetlb warnings at all. */
        mc_check_warnings_free(f->w, f->n);
        f->w = NULL;
        check(f, &good_host);
        assert_int_equal(f->n, 1); /* the reserve above RAM needs only RAM */
        assert_int_equal(f->w[0].key, MC_KEY_HUGETLB_2MB_RESERVE);
}

/*
 * Every profile memcage ships passes its own check (what check --strict
 * asks: no warning, no error) on a host without swap and on one with swap,
 * for root and for an ordinary user (who arms only 2s-multiple windows).
 * Notes are allowed: they are not problems.
 */
static void test_shipped_profiles_pass(void **state)
{
        (void)state;
        const char *dir = TEST_SRCDIR "/../../profiles";
        struct mc_host_facts hosts[2] = { good_host, good_host };
        hosts[0].swap_present = false;
        for (size_t h = 0; h < ELEMENTSOF(hosts); h++) {
                hosts[h].hugetlb_sizes_known = true;
                hosts[h].n_hugetlb_sizes = 2;
                snprintf(hosts[h].hugetlb_sizes[0], sizeof(hosts[h].hugetlb_sizes[0]), "2MB");
                snprintf(hosts[h].hugetlb_sizes[1], sizeof(hosts[h].hugetlb_sizes[1]), "1GB");
                hosts[h].hugetlb_controller = MC_HUGETLB_CONTROLLER_YES;
        }
        static const uid_t euids[] = { 0, 1000 };
        DIR *d = opendir(dir);
        size_t n = 0;

        assert_non_null(d);
        for (struct dirent *de; (de = readdir(d));) {
                size_t len = strlen(de->d_name);
                if (len < 5 || !streq(de->d_name + len - 4, ".ini"))
                        continue;
                char path[4096];
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                for (size_t h = 0; h < ELEMENTSOF(hosts); h++) {
                        for (size_t u = 0; u < ELEMENTSOF(euids); u++) {
                                struct mc_profile p;
                                struct mc_check_warning *w = NULL;
                                struct mc_error err = {};
                                size_t nw = 0;
                                mc_profile_init(&p);
                                if (mc_profile_load(path, &env, &p, &err) < 0 ||
                                    mc_check_profile(&p, &hosts[h], &w, &nw, &err) < 0 ||
                                    mc_check_pressure(&p, &hosts[h], euids[u], &w, &nw, &err) < 0)
                                        fail_msg("%s (%s, euid %u): %s", de->d_name,
                                                 hosts[h].swap_present ? "swap" : "no swap",
                                                 (unsigned)euids[u], err.msg);
                                for (size_t i = 0; i < nw; i++)
                                        if (w[i].level == MC_CHECK_WARNING)
                                                fail_msg("%s (%s, euid %u): warning: %s:%u: %s", de->d_name,
                                                         hosts[h].swap_present ? "swap" : "no swap",
                                                         (unsigned)euids[u], w[i].file, w[i].line,
                                                         w[i].message);
                                mc_check_warnings_free(w, nw);
                                mc_profile_free(&p);
                        }
                }
                n++;
        }
        closedir(d);
        assert_true(n >= 4);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        const struct CMUnitTest tests[] = {
                T(test_no_warnings),
                T(test_empty_profile),
                T(test_pressure_high_without_kill_no_swap),
                T(test_pressure_high_without_kill_swap_max_zero),
                T(test_pressure_quiet_cases),
                T(test_pressure_kill_unarmable),
                T(test_pressure_kill_bad_rule_refused_at_load),
                T(test_high_without_max),
                T(test_high_with_max_max),
                T(test_high_max_is_no_limit),
                T(test_high_near_max_no_swap_on_host),
                T(test_high_near_max_swap_max_zero),
                T(test_high_near_max_with_swap),
                T(test_high_not_below_max),
                T(test_high_below_threshold),
                T(test_min_low_above_max),
                T(test_min_without_max),
                T(test_swap_no_accounting),
                T(test_swap_accounting_unknown),
                T(test_swap_no_memory_groups),
                T(test_max_zero),
                T(test_max_zero_percent),
                T(test_max_one_byte_quiet),
                T(test_swap_without_swap),
                T(test_swap_quiet_cases),
                T(test_above_ram),
                T(test_above_ram_unknown),
                T(test_percent_resolved),
                T(test_percent_without_ram),
                T(test_run_without_user),
                T(test_run_with_user),
                T(test_hugetlb_fine),
                T(test_hugetlb_warnings),
                cmocka_unit_test(test_shipped_profiles_pass),
                cmocka_unit_test(test_host_facts_read),
                cmocka_unit_test(test_host_swap_accounting),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
