/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "fake-cgroupfs.h"
#include "proc-kb.h"
#include "sampler.h"
#include "util.h"

/* memory.stat of a 6.12 group holding 64 MiB of anonymous memory (abridged: the fields read, and others). */
static const char stat_612[] = "anon 67473408\n"
                               "file 20480\n"
                               "kernel 196608\n"
                               "kernel_stack 16384\n"
                               "pagetables 163840\n"
                               "sec_pagetables 0\n"
                               "percpu 0\n"
                               "sock 4096\n"
                               "vmalloc 0\n"
                               "shmem 4096\n"
                               "zswap 0\n"
                               "file_mapped 8192\n"
                               "file_dirty 0\n"
                               "slab 12288\n"
                               "pgfault 16533\n"
                               "pgmajfault 7\n"
                               "thp_fault_alloc 0\n";

/* Before 6.3 there is no "kernel" line: its main parts are summed. */
static const char stat_61[] = "anon 1048576\n"
                              "file 8192\n"
                              "kernel_stack 16384\n"
                              "pagetables 32768\n"
                              "percpu 240\n"
                              "sock 0\n"
                              "shmem 0\n"
                              "file_mapped 0\n"
                              "slab_reclaimable 1000\n"
                              "slab_unreclaimable 2000\n"
                              "slab 3000\n"
                              "pgmajfault 0\n";

static void test_memory_stat(void **state)
{
        struct mc_memory_stat s;
        struct mc_error err = { 0 };

        assert_int_equal(mc_memory_stat_parse(stat_612, &s, &err), 0);
        assert_int_equal(s.anon, 67473408);
        assert_int_equal(s.file, 20480 - 4096); /* page cache without shmem */
        assert_int_equal(s.shmem, 4096);
        assert_int_equal(s.kernel, 196608);
        assert_int_equal(s.sock, 4096);
        assert_int_equal(s.file_mapped, 8192);
        assert_int_equal(s.pgmajfault, 7);

        assert_int_equal(mc_memory_stat_parse(stat_61, &s, &err), 0);
        assert_int_equal(s.kernel, 16384 + 32768 + 240 + 3000);
        assert_int_equal(s.file, 8192);

        /* A key every memory.stat has is missing: the keyed-file reader's -ENXIO. */
        assert_int_equal(mc_memory_stat_parse("anon 1\nfile 2\n", &s, &err), -ENXIO);
        assert_string_equal(err.msg, "no 'shmem' key");
        assert_int_equal(mc_memory_stat_parse("anon x\nfile 2\nshmem 0\n", &s, &err), -EINVAL);
        assert_string_equal(err.msg, "line 1: value is not a number");
        /* Malformed is malformed in a line the breakdown does not read, too. */
        assert_int_equal(mc_memory_stat_parse("anon 1\nfile 2\nshmem 0\nzswap -1\n", &s, &err), -EINVAL);
        assert_string_equal(err.msg, "line 4: value is not a number");
        /* A name that merely starts like a wanted one is another field. */
        assert_int_equal(mc_memory_stat_parse("anon_thp 5\nanon 1\nfile 2\nshmem 0\n", &s, &err), 0);
        assert_int_equal(s.anon, 1);
}

static const char smaps_rollup[] =
        "55d0c2a4e000-7ffd5b7f6000 ---p 00000000 00:00 0                  [rollup]\n"
        "Rss:               67056 kB\n"
        "Pss:               66362 kB\n"
        "Pss_Dirty:         66004 kB\n"
        "Pss_Anon:          66004 kB\n"
        "Pss_File:            358 kB\n"
        "Pss_Shmem:             0 kB\n"
        "Shared_Clean:        880 kB\n"
        "Shared_Dirty:          0 kB\n"
        "Private_Clean:       172 kB\n"
        "Private_Dirty:     66004 kB\n"
        "Referenced:        67056 kB\n"
        "Anonymous:         66004 kB\n"
        "Swap:                 12 kB\n"
        "SwapPss:              12 kB\n"
        "Locked:                0 kB\n";

/* The "Name: N kB" lines of /proc files: smaps_rollup and meminfo alike. */
static void test_proc_kb(void **state)
{
        (void)state;
        static const char *const names[] = { "MemAvailable", "SwapFree" };
        struct mc_error err = { 0 };
        uint64_t v[2] = { 0, 7 };

        assert_int_equal(mc_proc_kb_parse("MemTotal:       16316108 kB\nMemAvailable:   23406 kB\n"
                                          "HugePages_Total:       0\n",
                                          names, 2, v, &err),
                         1);
        assert_int_equal(v[0], 23406ull * 1024);
        assert_int_equal(v[1], 7); /* not there: left alone */
        /* A wanted line that is not "N kB", or whose bytes overflow, is refused (sscanf read these). */
        assert_int_equal(mc_proc_kb_parse("MemAvailable: 12 MB\n", names, 2, v, &err), -EINVAL);
        mc_error_clear(&err);
        assert_int_equal(mc_proc_kb_parse("MemAvailable: 12 kB trailing\n", names, 2, v, &err), -EINVAL);
        mc_error_clear(&err);
        assert_int_equal(mc_proc_kb_parse("MemAvailable: 18014398509481984 kB\n", names, 2, v, &err),
                         -ERANGE);
        mc_error_clear(&err);
        assert_int_equal(mc_proc_kb_parse("MemAvailable: 99999999999999999999 kB\n", names, 2, v, &err),
                         -EINVAL);
        mc_error_clear(&err);
        /* Unwanted lines pass unparsed, whatever they hold. */
        assert_int_equal(mc_proc_kb_parse("header line\nOther: x\n", names, 2, v, &err), 0);
}

static void test_smaps(void **state)
{
        struct mc_smaps m;
        struct mc_error err = { 0 };

        assert_int_equal(mc_smaps_parse(smaps_rollup, &m, &err), 0);
        assert_int_equal(m.rss, 67056ull * 1024);
        assert_int_equal(m.pss, 66362ull * 1024);
        assert_int_equal(m.uss, (172ull + 66004) * 1024);
        assert_int_equal(m.swap, 12ull * 1024); /* not SwapPss */

        /* A kernel thread's or a zombie's rollup is empty. */
        assert_int_equal(mc_smaps_parse("", &m, &err), 0);
        assert_int_equal(m.rss, 0);
        assert_int_equal(m.pss, 0);
        assert_int_equal(mc_smaps_parse("Rss: many kB\n", &m, &err), -EINVAL);
        assert_string_equal(err.msg, "line 1: bad value for Rss");
        /* Every value of smaps_rollup is in kB: without the unit the line is not the kernel's. */
        assert_int_equal(mc_smaps_parse("Rss: 12\n", &m, &err), -EINVAL);
        assert_int_equal(mc_smaps_parse("Pss: 18014398509481984 kB\n", &m, &err), -ERANGE);
}

static void test_interval(void **state)
{
        struct {
                const char *in;
                uint64_t ms;
        } good[] = { { "0", 0 },     { "100ms", 100 },     { "250ms", 250 },
                     { "1s", 1000 }, { "0.5s", 500 },      { "1.25s", 1250 },
                     { "10ms", 10 }, { "3600s", 3600000 }, { "0.010s", 10 } };
        const char *bad[] = { "",    "100",   "ms",      "1m",    "-1s", "1.s", ".5s",
                              "5ms", "3601s", "1.0005s", "0.5ms", "1 s", "0s",  "1e3ms" };
        struct mc_error err = { 0 };
        uint64_t ms;

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                if (mc_interval_parse(good[i].in, &ms, &err) < 0)
                        fail_msg("'%s': %s", good[i].in, err.msg);
                assert_int_equal(ms, good[i].ms);
        }
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (mc_interval_parse(bad[i], &ms, &err) == 0)
                        fail_msg("'%s' accepted as %llu ms", bad[i], (unsigned long long)ms);
        assert_int_equal(mc_interval_parse("5ms", &ms, &err), -ERANGE);
        assert_string_equal(err.msg, "invalid interval '5ms': must be 0 (off) or between 10 ms and 3600 s");
}

static void test_timeline_merge(void **state)
{
        struct mc_timeline tl;
        struct mc_error err = { 0 };

        assert_int_equal(mc_timeline_init(&tl, 3, 100, &err), -EINVAL);
        assert_int_equal(mc_timeline_init(&tl, 4, 100, &err), 0);
        assert_int_equal(mc_timeline_add_hugetlb(&tl, "2MB", &err), 0);
        for (uint64_t i = 0; i < 4; i++) {
                struct mc_timeline_point p = { .t_ns = i * 100,
                                               .memory_current = i == 1 ? 50 : 10 * i,
                                               .swap_current = 3 - i,
                                               .some_avg10 = (uint32_t)i,
                                               .full_avg10 = i == 0 ? 7 : 0,
                                               .hugetlb_current = { i == 2 ? 4 : 0 } };
                assert_int_equal(mc_timeline_append(&tl, &p), 0);
        }
        /* Columns come before the points. */
        assert_int_equal(mc_timeline_add_hugetlb(&tl, "1GB", &err), -EINVAL);
        assert_int_equal(tl.n, 4);

        /* Full: pairs merge to their larger values and the time of the first, the interval doubles. */
        struct mc_timeline_point p = { .t_ns = 400, .memory_current = 5 };
        assert_int_equal(mc_timeline_append(&tl, &p), 1);
        assert_int_equal(tl.n, 3);
        assert_int_equal(tl.interval_ns, 200);
        assert_int_equal(tl.t_ns[0], 0);
        assert_int_equal(tl.t_ns[1], 200);
        assert_int_equal(tl.t_ns[2], 400);
        assert_int_equal(tl.memory_current[0], 50);
        assert_int_equal(tl.memory_current[1], 30);
        assert_int_equal(tl.memory_current[2], 5);
        assert_int_equal(tl.swap_current[0], 3);
        assert_int_equal(tl.swap_current[1], 1);
        assert_int_equal(tl.some_avg10[0], 1);
        assert_int_equal(tl.some_avg10[1], 3);
        assert_int_equal(tl.full_avg10[0], 7);
        assert_int_equal(tl.hugetlb_current[0][0], 0);
        assert_int_equal(tl.hugetlb_current[0][1], 4);

        p.t_ns = 600;
        assert_int_equal(mc_timeline_append(&tl, &p), 0);
        assert_int_equal(tl.n, 4);
        p.t_ns = 800;
        assert_int_equal(mc_timeline_append(&tl, &p), 1);
        assert_int_equal(tl.n, 3);
        assert_int_equal(tl.interval_ns, 400);
        assert_int_equal(tl.memory_current[0], 50);
        assert_int_equal(tl.t_ns[1], 400);
        assert_int_equal(tl.t_ns[2], 800);
        mc_timeline_free(&tl);
        assert_null(tl.t_ns);
}

/* The full capacity: a run of any length stays within it. */
static void test_timeline_long_run(void **state)
{
        struct mc_timeline tl;
        struct mc_error err = { 0 };
        unsigned merges = 0;

        assert_int_equal(mc_timeline_init(&tl, MC_TIMELINE_CAPACITY, 100, &err), 0);
        /* As the timer does: the next point comes one (current) interval later. */
        for (uint64_t t = 0, i = 0; t < 100000 * 100; t += tl.interval_ns, i++) {
                struct mc_timeline_point p = { .t_ns = t, .memory_current = i == 3000 ? 999 : 1 };
                merges += (unsigned)mc_timeline_append(&tl, &p);
        }
        assert_int_equal(merges, 6);
        assert_true(tl.n <= MC_TIMELINE_CAPACITY);
        assert_true(tl.n > MC_TIMELINE_CAPACITY / 2);
        assert_int_equal(tl.interval_ns, 100ull << merges);
        uint64_t max = 0;
        for (size_t i = 0; i < tl.n; i++)
                max = tl.memory_current[i] > max ? tl.memory_current[i] : max;
        assert_int_equal(max, 999); /* the peak survives every merge */
        assert_int_equal(tl.t_ns[0], 0);
        mc_timeline_free(&tl);
}

static void write_u64(int dirfd, const char *name, unsigned long long v)
{
        char buf[32];
        snprintf(buf, sizeof(buf), "%llu\n", v);
        write_at(dirfd, name, buf);
}

/*
 * The sampler on a directory shaped like a group, with this test process in
 * its cgroup.procs: samples, the snapshot rule (a new maximum 1/16 above the
 * last snapshot, at most once a second, the command's exit exempt), the
 * start/end deltas and the sampled swap peak.
 */
static void test_sampler_on_fake_group(void **state)
{
        char why[256];
        bool xattr;
        char *base = fake_make_base("sampler", &xattr, why, sizeof(why));
        assert_non_null(base);
        int g = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(g >= 0);
        char procs[32];
        snprintf(procs, sizeof(procs), "%d\n", (int)getpid());
        write_at(g, "cgroup.procs", procs);
        write_at(g, "memory.stat", "anon 1000\nfile 0\nshmem 0\npgmajfault 5\n");
        write_at(g, "cpu.stat", "usage_usec 30\nuser_usec 10\nsystem_usec 20\n");
        write_u64(g, "memory.current", 1 << 20);
        write_u64(g, "memory.swap.current", 0);
        write_at(g, "memory.pressure",
                 "some avg10=1.50 avg60=0.00 avg300=0.00 total=9\n"
                 "full avg10=0.25 avg60=0.00 avg300=0.00 total=3\n");
        write_u64(g, "hugetlb.2MB.current", 0);
        write_u64(g, "hugetlb.2MB.rsvd.current", 0); /* not a page size of its own */

        struct mc_sampler *s;
        struct mc_error err = { 0 };
        struct mc_watch w[2];
        int pipefd[2];
        assert_int_equal(pipe(pipefd), 0); /* stands for the command's pidfd */
        assert_int_equal(mc_sampler_new(g, 100, &s, &err), 0);
        const struct mc_sample_summary *sum = mc_sampler_summary(s);
        assert_int_equal(sum->n_hugetlb, 1);
        assert_string_equal(sum->hugetlb[0].size, "2MB");

        /* The first sample snapshots whatever is there. */
        assert_int_equal(mc_sampler_start(s, mc_now_ns(), pipefd[0], w, &err), 2);
        assert_ptr_equal(w[0].userdata, s);
        assert_int_equal(w[0].events, POLLIN);
        assert_int_equal(w[1].fd, pipefd[0]);
        assert_int_equal(sum->timeline->n, 1);
        assert_int_equal(sum->snapshots, 1);
        assert_int_equal(sum->snapshot.current, 1 << 20);
        assert_int_equal(sum->snapshot.stat.anon, 1000);
        assert_int_equal(sum->snapshot.n_top, 1);
        assert_int_equal(sum->snapshot.top[0].pid, getpid());
        assert_true(sum->snapshot.top[0].mem.rss > 0);
        assert_true(sum->snapshot.top[0].mem.pss > 0);

        /*
         * A higher maximum is snapshotted at the next tick once 20 times the
         * last snapshot's cost has passed (the first one's: microseconds here).
         */
        struct timespec pause = { 0, (long)(20 * sum->snapshot_ns_max + 1000000) };
        nanosleep(&pause, NULL);
        write_u64(g, "memory.current", 4 << 20);
        write_u64(g, "memory.swap.current", 777);
        write_u64(g, "hugetlb.2MB.current", 2 << 20);
        write_at(g, "memory.stat", "anon 4000\nfile 0\nshmem 0\npgmajfault 5\n");
        assert_int_equal(w[0].ready(w[0].userdata, POLLIN, &err), 0);
        assert_int_equal(sum->timeline->n, 2);
        assert_int_equal(sum->timeline->memory_current[1], 4 << 20);
        assert_int_equal(sum->timeline->swap_current[1], 777);
        assert_int_equal(sum->timeline->some_avg10[1], 150);
        assert_int_equal(sum->timeline->full_avg10[1], 25);
        assert_int_equal(sum->timeline->n_hugetlb, 1);
        assert_string_equal(sum->timeline->hugetlb_size[0], "2MB");
        assert_int_equal(sum->timeline->hugetlb_current[0][0], 0);
        assert_int_equal(sum->timeline->hugetlb_current[0][1], 2 << 20);
        assert_int_equal(sum->snapshots, 2);
        assert_int_equal(sum->snapshot.current, 4 << 20);
        assert_int_equal(sum->snapshot.stat.anon, 4000);
        assert_int_equal(sum->hugetlb[0].max, 2 << 20);

        /* The command's exit takes a higher maximum at once, whatever the gap, and stops watching the pidfd.
         */
        write_u64(g, "memory.current", 8 << 20);
        write_at(g, "memory.stat", "anon 8000\nfile 0\nshmem 0\npgmajfault 5\n");
        write_u64(g, "hugetlb.2MB.current", 0);
        assert_int_equal(w[1].ready(w[1].userdata, POLLIN, &err), 0);
        assert_int_equal(w[1].fd, -1);
        assert_int_equal(sum->snapshots, 3);
        assert_int_equal(sum->snapshot.current, 8 << 20);
        assert_int_equal(sum->snapshot.stat.anon, 8000);
        assert_int_equal(sum->hugetlb[0].max, 2 << 20);

        /* Growth below 1/16 of the last snapshot is not worth another. */
        write_u64(g, "memory.current", (8 << 20) + (8 << 20) / 32);
        assert_int_equal(w[1].ready(w[1].userdata, POLLIN, &err), 0);
        assert_int_equal(sum->snapshots, 3);
        assert_int_equal(sum->timeline->n, 4);

        /* The end: deltas since mc_sampler_new, the swap peak from the samples (no memory.swap.peak). */
        write_at(g, "memory.stat", "anon 0\nfile 0\nshmem 0\npgmajfault 12\n");
        write_at(g, "cpu.stat", "usage_usec 1030\nuser_usec 510\nsystem_usec 520\n");
        mc_sampler_finish(s);
        assert_true(sum->has_pgmajfault);
        assert_int_equal(sum->pgmajfault, 7);
        assert_true(sum->has_cpu);
        assert_int_equal(sum->user_usec, 500);
        assert_int_equal(sum->system_usec, 500);
        assert_true(sum->has_swap_peak);
        assert_int_equal(sum->swap_peak, 777);
        assert_string_equal(sum->swap_peak_source, "sampled");
        assert_true(sum->has_psi);
        assert_int_equal(sum->some_avg10_max, 150);

        /* memory.swap.peak, where the kernel has it, wins. */
        write_u64(g, "memory.swap.peak", 4096);
        mc_sampler_finish(s);
        assert_int_equal(sum->swap_peak, 4096);
        assert_string_equal(sum->swap_peak_source, "kernel");

        mc_sampler_free(s);
        close(pipefd[0]);
        close(pipefd[1]);
        close(g);
        rm_rf_at(AT_FDCWD, base);
        free(base);
}

/* --interval 0: no timer, no timeline; the start/end readings remain. */
static void test_sampler_off(void **state)
{
        char why[256];
        bool xattr;
        char *base = fake_make_base("sampler-off", &xattr, why, sizeof(why));
        assert_non_null(base);
        int g = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(g >= 0);
        write_at(g, "memory.stat", "anon 0\nfile 0\nshmem 0\npgmajfault 0\n");
        write_at(g, "cpu.stat", "user_usec 0\nsystem_usec 0\n");

        struct mc_sampler *s;
        struct mc_error err = { 0 };
        struct mc_watch w[2];
        assert_int_equal(mc_sampler_new(g, 0, &s, &err), 0);
        assert_int_equal(mc_sampler_start(s, mc_now_ns(), -1, w, &err), 0);
        write_at(g, "cpu.stat", "user_usec 3\nsystem_usec 4\n");
        mc_sampler_finish(s);
        const struct mc_sample_summary *sum = mc_sampler_summary(s);
        assert_null(sum->timeline);
        assert_false(sum->has_snapshot);
        assert_false(sum->has_psi);
        assert_false(sum->has_swap_peak);
        assert_true(sum->has_cpu);
        assert_int_equal(sum->user_usec, 3);
        mc_sampler_free(s);
        close(g);
        rm_rf_at(AT_FDCWD, base);
        free(base);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_memory_stat),
                cmocka_unit_test(test_smaps),
                cmocka_unit_test(test_proc_kb),
                cmocka_unit_test(test_interval),
                cmocka_unit_test(test_timeline_merge),
                cmocka_unit_test(test_timeline_long_run),
                cmocka_unit_test(test_sampler_on_fake_group),
                cmocka_unit_test(test_sampler_off),
        };
        return cmocka_run_group_tests_name("sampler", tests, NULL, NULL);
}
