/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hugetlb-pool.h"
#include "util.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

/* A temporary tree: sys/ shaped like /sys/kernel/mm/hugepages, run/ for the lock and ledger. */
struct fixture {
        char root[64];
        char sys[96];
        char run[96];
};

static void put(const char *dir, const char *file, const char *value)
{
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs(value, f);
        fclose(f);
}

static void put_u64(const struct fixture *fx, uint64_t kb, const char *file, uint64_t v)
{
        char dir[192], value[32];
        snprintf(dir, sizeof(dir), "%s/hugepages-%" PRIu64 "kB", fx->sys, kb);
        snprintf(value, sizeof(value), "%" PRIu64 "\n", v);
        put(dir, file, value);
}

static uint64_t get_u64(const struct fixture *fx, uint64_t kb, const char *file)
{
        char path[256];
        unsigned long long v = 0;
        snprintf(path, sizeof(path), "%s/hugepages-%" PRIu64 "kB/%s", fx->sys, kb, file);
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        assert_int_equal(fscanf(f, "%llu", &v), 1);
        fclose(f);
        return v;
}

static void add_pool(const struct fixture *fx, uint64_t kb, uint64_t nr, uint64_t free, uint64_t resv)
{
        char dir[192];
        snprintf(dir, sizeof(dir), "%s/hugepages-%" PRIu64 "kB", fx->sys, kb);
        assert_int_equal(mkdir(dir, 0755), 0);
        put_u64(fx, kb, "nr_hugepages", nr);
        put_u64(fx, kb, "free_hugepages", free);
        put_u64(fx, kb, "resv_hugepages", resv);
}

/* free_hugepages follows nr_hugepages, as in an idle kernel pool whose pages nobody uses. */
static void link_free(const struct fixture *fx, uint64_t kb)
{
        char path[256];
        snprintf(path, sizeof(path), "%s/hugepages-%" PRIu64 "kB/free_hugepages", fx->sys, kb);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(symlink("nr_hugepages", path), 0);
}

/* The ledger's text, "" when the file is absent. */
static char *ledger(const struct fixture *fx)
{
        char path[192];
        snprintf(path, sizeof(path), "%s/%s", fx->run, MC_HUGETLB_LEDGER);
        FILE *f = fopen(path, "re");
        char *buf = calloc(1, 4096);
        assert_non_null(buf);
        if (f) {
                size_t n = fread(buf, 1, 4095, f);
                buf[n] = '\0';
                fclose(f);
        }
        return buf;
}

/* This process's pid namespace, as the ledger records it. */
static unsigned long long pidns(void)
{
        struct stat st;
        assert_int_equal(stat("/proc/self/ns/pid", &st), 0);
        return (unsigned long long)st.st_ino;
}

static int setup(void **state)
{
        struct fixture *fx = calloc(1, sizeof(*fx));
        snprintf(fx->root, sizeof(fx->root), "/tmp/memcage-hugetlb-XXXXXX");
        assert_non_null(mkdtemp(fx->root));
        snprintf(fx->sys, sizeof(fx->sys), "%s/sys", fx->root);
        snprintf(fx->run, sizeof(fx->run), "%s/run", fx->root);
        assert_int_equal(mkdir(fx->sys, 0755), 0);
        *state = fx;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *fx = *state;
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->root);
        assert_int_equal(system(cmd), 0);
        free(fx);
        return 0;
}

static void test_sizes(void **state)
{
        char buf[MC_HUGETLB_NAME_MAX];
        assert_int_equal(mc_hugetlb_page_bytes("2MB"), 2 * MiB);
        assert_int_equal(mc_hugetlb_page_bytes("1GB"), GiB);
        assert_int_equal(mc_hugetlb_page_bytes("64KB"), 64 * 1024);
        assert_int_equal(mc_hugetlb_page_bytes("32MB"), 32 * MiB);
        assert_int_equal(mc_hugetlb_page_bytes("3MB"), 0);
        assert_int_equal(mc_hugetlb_page_bytes("2mb"), 0);
        assert_int_equal(mc_hugetlb_page_bytes("MB"), 0);
        assert_int_equal(mc_hugetlb_page_bytes(""), 0);
        assert_string_equal(mc_hugetlb_size_name(2048, buf, sizeof(buf)), "2MB");
        assert_string_equal(mc_hugetlb_size_name(1048576, buf, sizeof(buf)), "1GB");
        assert_string_equal(mc_hugetlb_size_name(64, buf, sizeof(buf)), "64KB");
        assert_string_equal(mc_hugetlb_size_name(32768, buf, sizeof(buf)), "32MB");
        /* Every known name maps to bytes that name it again. */
        for (size_t i = 0; i < mc_hugetlb_size_count; i++) {
                uint64_t b = mc_hugetlb_page_bytes(mc_hugetlb_size_names[i]);
                assert_true(b > 0);
                assert_string_equal(mc_hugetlb_size_name(b >> 10, buf, sizeof(buf)),
                                    mc_hugetlb_size_names[i]);
        }
}

static void test_parse_reserve(void **state)
{
        struct mc_error err = {};
        uint64_t pages;

        /* A plain integer is pages, a size is bytes of pages. */
        assert_int_equal(mc_hugetlb_parse_reserve("2048", 2 * MiB, &pages, &err), 0);
        assert_int_equal(pages, 2048);
        assert_int_equal(mc_hugetlb_parse_reserve("4G", 2 * MiB, &pages, &err), 0);
        assert_int_equal(pages, 2048);
        assert_int_equal(mc_hugetlb_parse_reserve(" 8 ", 2 * MiB, &pages, &err), 0);
        assert_int_equal(pages, 8);
        assert_int_equal(mc_hugetlb_parse_reserve("0", 2 * MiB, &pages, &err), 0);
        assert_int_equal(pages, 0);
        /* Bytes that are not whole pages round up: a reserve is a minimum. */
        assert_int_equal(mc_hugetlb_parse_reserve("3M", 2 * MiB, &pages, &err), 0);
        assert_int_equal(pages, 2);
        assert_int_equal(mc_hugetlb_parse_reserve("1.5G", GiB, &pages, &err), 0);
        assert_int_equal(pages, 2);
        assert_int_equal(mc_hugetlb_parse_reserve("4096B", 2 * MiB, &pages, &err), 0);
        assert_int_equal(pages, 1);
        /* Host-relative and unlimited values make no sense for a pool. */
        assert_int_equal(mc_hugetlb_parse_reserve("50%", 2 * MiB, &pages, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "invalid reserve '50%'"));
        assert_int_equal(mc_hugetlb_parse_reserve("max", 2 * MiB, &pages, &err), -EINVAL);
        assert_true(mc_hugetlb_parse_reserve("-3", 2 * MiB, &pages, &err) < 0);
        assert_true(mc_hugetlb_parse_reserve("", 2 * MiB, &pages, &err) < 0);
        assert_true(mc_hugetlb_parse_reserve("lots", 2 * MiB, &pages, &err) < 0);
        assert_true(mc_hugetlb_parse_reserve("99999999999999999999999", 2 * MiB, &pages, &err) < 0);
}

static void test_arithmetic(void **state)
{
        /* Free pages not promised to mappings count; other runs' reserves do not. */
        struct mc_hugetlb_counts c = { .nr = 0, .free = 0, .resv = 0 };
        assert_int_equal(mc_hugetlb_pages_needed(&c, 8, 0), 8);
        c = (struct mc_hugetlb_counts){ .nr = 32, .free = 32, .resv = 0 };
        assert_int_equal(mc_hugetlb_pages_needed(&c, 8, 0), 0);
        assert_int_equal(mc_hugetlb_pages_needed(&c, 40, 0), 8);
        c = (struct mc_hugetlb_counts){ .nr = 32, .free = 20, .resv = 16 };
        assert_int_equal(mc_hugetlb_pages_needed(&c, 8, 0), 4);
        assert_int_equal(mc_hugetlb_pages_needed(&c, 8, 2), 6);
        assert_int_equal(mc_hugetlb_pages_needed(&c, 8, 100), 8);
        c = (struct mc_hugetlb_counts){ .nr = 8, .free = 2, .resv = 5 }; /* resv > free cannot happen, but */
        assert_int_equal(mc_hugetlb_pages_needed(&c, 3, 0), 3);
        assert_int_equal(mc_hugetlb_pages_needed(&c, 0, 0), 0);

        /* Back by what was added... */
        c = (struct mc_hugetlb_counts){ .nr = 40, .free = 40, .resv = 0 };
        assert_int_equal(mc_hugetlb_shrink_target(&c, 8, 0), 32);
        /* ...but not below pages in use (mapped, or promised to mappings)... */
        c = (struct mc_hugetlb_counts){ .nr = 40, .free = 5, .resv = 0 };
        assert_int_equal(mc_hugetlb_shrink_target(&c, 8, 0), 35);
        c = (struct mc_hugetlb_counts){ .nr = 40, .free = 10, .resv = 4 };
        assert_int_equal(mc_hugetlb_shrink_target(&c, 8, 0), 34);
        /* ...nor below what live runs added... */
        c = (struct mc_hugetlb_counts){ .nr = 10, .free = 10, .resv = 0 };
        assert_int_equal(mc_hugetlb_shrink_target(&c, 8, 6), 6);
        /* ...and never up. */
        c = (struct mc_hugetlb_counts){ .nr = 4, .free = 4, .resv = 0 };
        assert_int_equal(mc_hugetlb_shrink_target(&c, 8, 0), 0);
        assert_int_equal(mc_hugetlb_shrink_target(&c, 0, 16), 4);
        c = (struct mc_hugetlb_counts){ .nr = 4, .free = 0, .resv = 4 };
        assert_int_equal(mc_hugetlb_shrink_target(&c, 4, 0), 4);
}

static void test_host_sizes(void **state)
{
        struct fixture *fx = *state;
        struct mc_error err = {};
        char **v = NULL;

        assert_int_equal(mc_hugetlb_host_sizes(fx->sys, &v, &err), 0);
        assert_null(v[0]);
        mc_strv_free(v);
        add_pool(fx, 1048576, 0, 0, 0);
        add_pool(fx, 2048, 32, 32, 0);
        assert_int_equal(mkdir(strcat(strcpy((char[200]){ 0 }, fx->sys), "/other"), 0755), 0);
        assert_int_equal(mc_hugetlb_host_sizes(fx->sys, &v, &err), 0);
        assert_string_equal(v[0], "2MB");
        assert_string_equal(v[1], "1GB");
        assert_null(v[2]);
        mc_strv_free(v);
        assert_int_equal(mc_hugetlb_require_size(fx->sys, "2MB", &err), 0);
        assert_int_equal(mc_hugetlb_require_size(fx->sys, "1GB", &err), 0);
        assert_int_equal(mc_hugetlb_require_size(fx->sys, "64KB", &err), -EOPNOTSUPP);
        char want[256];
        snprintf(want, sizeof(want), "this host has no 64KB huge pages; %s offers: 2MB, 1GB", fx->sys);
        assert_string_equal(err.msg, want);
        /* No hugepages directory at all (a kernel without hugetlbfs): no sizes. */
        char missing[160];
        snprintf(missing, sizeof(missing), "%s/none", fx->root);
        assert_int_equal(mc_hugetlb_host_sizes(missing, &v, &err), 0);
        assert_null(v[0]);
        mc_strv_free(v);
        assert_int_equal(mc_hugetlb_require_size(missing, "2MB", &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.msg, "offers: none (no huge page support)"));
}

static void open_pool(const struct fixture *fx, struct mc_hugetlb_pool *p)
{
        struct mc_error err = {};
        if (mc_hugetlb_pool_open(p, fx->sys, fx->run, &err) < 0)
                fail_msg("open pool: %s", err.msg);
}

static void test_reserve_release(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};
        struct stat st;

        add_pool(fx, 2048, 0, 0, 0);
        open_pool(fx, &p);
        /* The run directory is created as needed. */
        assert_int_equal(stat(fx->run, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0700); /* only root may open the lock in it */

        struct mc_hugetlb_request req = { .kb = 2048, .pages = 8 };
        assert_int_equal(mc_hugetlb_pool_reserve(&p, &req, 1, &err), 0);
        assert_int_equal(req.added, 8);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 8);
        _cleanup_free_ char *l1 = ledger(fx);
        char want[128];
        snprintf(want, sizeof(want), "%d %llu %llu 2048 8 8\n", (int)p.pid, p.starttime, pidns());
        assert_string_equal(l1, want);
        char lock[160];
        snprintf(lock, sizeof(lock), "%s/%s", fx->run, MC_HUGETLB_LOCK);
        assert_int_equal(stat(lock, &st), 0);

        /* The kernel adds the new pages to free; the fake does it by hand. */
        put_u64(fx, 2048, "free_hugepages", 8);
        assert_int_equal(mc_hugetlb_pool_release(&p, &err), 0);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 0);
        _cleanup_free_ char *l2 = ledger(fx);
        assert_string_equal(l2, "");
        /* Releasing twice changes nothing. */
        put_u64(fx, 2048, "nr_hugepages", 3);
        assert_int_equal(mc_hugetlb_pool_release(&p, &err), 0);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 3);
        mc_hugetlb_pool_close(&p);
}

/* A writer killed between fsync and rename leaves hugetlb.ledger.XXXXXX: the next one under the lock removes
 * it. */
static void test_stale_temp_swept(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};
        struct stat st;
        char stale[192], other[192], dir[192];

        add_pool(fx, 2048, 0, 0, 0);
        open_pool(fx, &p);
        snprintf(stale, sizeof(stale), "%s/%s.a1B2c3", fx->run, MC_HUGETLB_LEDGER);
        snprintf(other, sizeof(other), "%s/%s.keep-me", fx->run, MC_HUGETLB_LEDGER);
        snprintf(dir, sizeof(dir), "%s/%s.d1r3ct", fx->run, MC_HUGETLB_LEDGER);
        put(fx->run, MC_HUGETLB_LEDGER ".a1B2c3", "1 2 3 2048 8 8\n");
        put(fx->run, MC_HUGETLB_LEDGER ".keep-me", "not a temporary file\n");
        assert_int_equal(mkdir(dir, 0755), 0);

        struct mc_hugetlb_request req = { .kb = 2048, .pages = 2 };
        assert_int_equal(mc_hugetlb_pool_reserve(&p, &req, 1, &err), 0);
        assert_int_equal(stat(stale, &st), -1);
        assert_int_equal(errno, ENOENT);
        /* Only the six-character temporary names of the ledger go; other files and directories stay. */
        assert_int_equal(stat(other, &st), 0);
        assert_int_equal(stat(dir, &st), 0);
        /* The stale file's content never reached the ledger. */
        _cleanup_free_ char *l = ledger(fx);
        char want[128];
        snprintf(want, sizeof(want), "%d %llu %llu 2048 2 2\n", (int)p.pid, p.starttime, pidns());
        assert_string_equal(l, want);
        put_u64(fx, 2048, "free_hugepages", 2);
        assert_int_equal(mc_hugetlb_pool_release(&p, &err), 0);
        mc_hugetlb_pool_close(&p);
}

static void test_enough_free(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};

        /* 32 free, 20 promised: 12 count, so 16 need 4 more. */
        add_pool(fx, 2048, 32, 32, 20);
        open_pool(fx, &p);
        struct mc_hugetlb_request req = { .kb = 2048, .pages = 16 };
        assert_int_equal(mc_hugetlb_pool_reserve(&p, &req, 1, &err), 0);
        assert_int_equal(req.added, 4);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 36);
        put_u64(fx, 2048, "free_hugepages", 36);
        assert_int_equal(mc_hugetlb_pool_release(&p, &err), 0);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 32);
        mc_hugetlb_pool_close(&p);

        /* A reserve within what is free adds nothing, but is recorded for other runs. */
        open_pool(fx, &p);
        req = (struct mc_hugetlb_request){ .kb = 2048, .pages = 12 };
        assert_int_equal(mc_hugetlb_pool_reserve(&p, &req, 1, &err), 0);
        assert_int_equal(req.added, 0);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 32);
        _cleanup_free_ char *l = ledger(fx);
        assert_non_null(strstr(l, " 2048 12 0\n"));
        assert_int_equal(mc_hugetlb_pool_release(&p, &err), 0);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 32);
        mc_hugetlb_pool_close(&p);
}

/* Two live runs: the second counts the first's reserve, each gives back its own. */
static void test_grow_limit(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};

        /* 4 free, 0 promised; the host can spare 10 pages (7/8 of 23406 kB): 14 is fine, 15 is not. */
        add_pool(fx, 2048, 4, 4, 0);
        open_pool(fx, &p);
        assert_null(p.meminfo); /* a fake tree: no MemAvailable check unless the test names one */
        put(fx->root, "meminfo", "MemTotal: 1000000 kB\nMemAvailable: 23406 kB\n");
        char meminfo[160];
        snprintf(meminfo, sizeof(meminfo), "%s/meminfo", fx->root);
        p.meminfo = meminfo;
        struct mc_hugetlb_request req = { .kb = 2048, .pages = 15 };
        assert_int_equal(mc_hugetlb_pool_reserve(&p, &req, 1, &err), -ENOMEM);
        assert_string_equal(err.msg, "asked for 11 more 2MB pages, this host can spare 10 (7/8 of its "
                                     "available memory): the pool is unchanged");
        assert_int_equal(req.added, 0);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 4);
        _cleanup_free_ char *l = ledger(fx);
        assert_string_equal(l, "");

        req = (struct mc_hugetlb_request){ .kb = 2048, .pages = 14 };
        assert_int_equal(mc_hugetlb_pool_reserve(&p, &req, 1, &err), 0);
        assert_int_equal(req.added, 10);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 14);
        mc_hugetlb_pool_close(&p);
}

static void test_two_runs(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool a, b;
        struct mc_error err = {};

        add_pool(fx, 2048, 0, 0, 0);
        open_pool(fx, &a);
        open_pool(fx, &b);
        /* b stands for another live launcher: the parent of this test. */
        b.pid = getppid();
        assert_int_equal(mc_proc_starttime(b.pid, &b.starttime), 0);

        struct mc_hugetlb_request ra = { .kb = 2048, .pages = 8 }, rb = { .kb = 2048, .pages = 8 };
        assert_int_equal(mc_hugetlb_pool_reserve(&a, &ra, 1, &err), 0);
        put_u64(fx, 2048, "free_hugepages", 8);
        assert_int_equal(mc_hugetlb_pool_reserve(&b, &rb, 1, &err), 0);
        assert_int_equal(ra.added, 8);
        assert_int_equal(rb.added, 8);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 16);
        put_u64(fx, 2048, "free_hugepages", 16);

        /* a ends while b runs: b's pages stay. */
        assert_int_equal(mc_hugetlb_pool_release(&a, &err), 0);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 8);
        put_u64(fx, 2048, "free_hugepages", 8);
        _cleanup_free_ char *l = ledger(fx);
        char want[128];
        snprintf(want, sizeof(want), "%d %llu %llu 2048 8 8\n", (int)b.pid, b.starttime, pidns());
        assert_string_equal(l, want);
        assert_int_equal(mc_hugetlb_pool_release(&b, &err), 0);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 0);
        _cleanup_free_ char *l2 = ledger(fx);
        assert_string_equal(l2, "");
        mc_hugetlb_pool_close(&a);
        mc_hugetlb_pool_close(&b);
}

/* A launcher that died (pid gone, or reused with another start time) is cleaned by the next run. */
static void test_dead_launchers(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};
        char text[256];

        add_pool(fx, 2048, 14, 12, 0);
        open_pool(fx, &p);
        /* 2 pages in use: the dead runs' 12 pages cannot all go. */
        snprintf(text, sizeof(text), "%d %llu %llu 2048 8 8\n%d %llu %llu 2048 4 4\n", 0x3ffffff, 1ull,
                 pidns(), (int)getpid(), p.starttime + 1, pidns());
        put(fx->run, MC_HUGETLB_LEDGER, text);
        assert_int_equal(mc_hugetlb_pool_release(&p, &err), 0);
        /* 14 - 8 = 6, then 6 - 4 = 2 (and 2 are in use). */
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 2);
        _cleanup_free_ char *l = ledger(fx);
        assert_string_equal(l, "");
        mc_hugetlb_pool_close(&p);
}

static void test_dead_and_reserve(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};
        char text[256];

        add_pool(fx, 2048, 4, 4, 0);
        link_free(fx, 2048);
        open_pool(fx, &p);
        snprintf(text, sizeof(text), "%d %llu %llu 2048 4 4\n", 0x3ffffff, 1ull, pidns());
        put(fx->run, MC_HUGETLB_LEDGER, text);
        /* The dead run's 4 pages go first (not counted as free); then this run adds its own 6. */
        struct mc_hugetlb_request req = { .kb = 2048, .pages = 6 };
        assert_int_equal(mc_hugetlb_pool_reserve(&p, &req, 1, &err), 0);
        assert_int_equal(req.added, 6);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 6);
        _cleanup_free_ char *l = ledger(fx);
        snprintf(text, sizeof(text), "%d %llu %llu 2048 6 6\n", (int)p.pid, p.starttime, pidns());
        assert_string_equal(l, text);
        assert_int_equal(mc_hugetlb_pool_release(&p, &err), 0);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 0);
        mc_hugetlb_pool_close(&p);
}

/*
 * Malformed lines are skipped with a warning and never acted on: "-1" is not
 * 2^64-1 (which once shrank a pool to 0), and a truncated line does not stop
 * every later run.
 */
static void test_bad_ledger(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};
        char text[256];

        add_pool(fx, 2048, 16, 16, 0);
        open_pool(fx, &p);
        snprintf(text, sizeof(text), "%d 1 %llu 2048 8 -1\n12 34 5\n%d 1 %llu 2048 +8 8\n", 0x3ffffff,
                 pidns(), 0x3fffffe, pidns());
        put(fx->run, MC_HUGETLB_LEDGER, text);
        struct mc_hugetlb_request req = { .kb = 2048, .pages = 4 };
        assert_int_equal(mc_hugetlb_pool_reserve(&p, &req, 1, &err), 0);
        assert_int_equal(req.added, 0);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 16);
        assert_int_equal(p.n_warnings, 3);
        assert_non_null(strstr(p.warnings[0], "hugetlb.ledger:1: malformed line '67108863 1 "));
        assert_non_null(strstr(p.warnings[1], "hugetlb.ledger:2: malformed line '12 34 5' skipped"));
        assert_non_null(strstr(p.warnings[2], "hugetlb.ledger:3: "));
        _cleanup_free_ char *l = ledger(fx);
        snprintf(text, sizeof(text), "%d %llu %llu 2048 4 0\n", (int)p.pid, p.starttime, pidns());
        assert_string_equal(l, text);
        assert_int_equal(mc_hugetlb_pool_release(&p, &err), 0);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 16);
        mc_hugetlb_pool_close(&p);
}

/*
 * A launcher killed between recording a growth and finishing it: the pending
 * line says the pool's size before, and the next run gives back exactly what
 * the kernel had added, whether the write happened or not.
 */
static void test_pending_entry(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};
        char text[256];

        /* Grown from 10 to 18 before the launcher died. */
        add_pool(fx, 2048, 18, 18, 0);
        open_pool(fx, &p);
        snprintf(text, sizeof(text), "%d 1 %llu 2048 8 8 10\n", 0x3ffffff, pidns());
        put(fx->run, MC_HUGETLB_LEDGER, text);
        assert_int_equal(mc_hugetlb_pool_release(&p, &err), 0);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 10);
        _cleanup_free_ char *l = ledger(fx);
        assert_string_equal(l, "");

        /* Killed before the kernel saw the write: nothing to give back, other pages untouched. */
        put_u64(fx, 2048, "free_hugepages", 10);
        put(fx->run, MC_HUGETLB_LEDGER, text);
        assert_int_equal(mc_hugetlb_pool_release(&p, &err), 0);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 10);
        mc_hugetlb_pool_close(&p);
}

/*
 * A launcher killed while giving pages back: its entry is a pending line with
 * RESERVED 0 and FROM the size the pool was shrinking to. Killed before the
 * write, the next run gives back what is above FROM; killed after it, the
 * pool is at FROM already and nothing is taken twice (the operator's pages
 * below stay).
 */
static void test_giving_back_entry(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_recovery rec;
        struct mc_error err = {};
        char text[256];

        /* The operator's 10 pages, 8 more of the dead run, the shrink to 10 not written yet. */
        add_pool(fx, 2048, 18, 18, 0);
        assert_int_equal(mkdir(fx->run, 0755), 0);
        snprintf(text, sizeof(text), "%d 1 %llu 2048 0 8 10\n", 0x3ffffff, pidns());
        put(fx->run, MC_HUGETLB_LEDGER, text);
        assert_int_equal(mc_hugetlb_pool_recover(fx->sys, fx->run, false, &rec, &err), 0);
        assert_int_equal(rec.n_given, 1);
        assert_int_equal(rec.given[0].pages, 8);
        assert_false(rec.given[0].pending);
        assert_true(rec.given[0].giving_back);
        mc_hugetlb_recovery_done(&rec);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 10);
        _cleanup_free_ char *l1 = ledger(fx);
        assert_string_equal(l1, "");

        /* The shrink written, the entry not dropped yet: the operator's 10 stay. */
        put_u64(fx, 2048, "free_hugepages", 10);
        put(fx->run, MC_HUGETLB_LEDGER, text);
        assert_int_equal(mc_hugetlb_pool_recover(fx->sys, fx->run, false, &rec, &err), 0);
        assert_int_equal(rec.n_given, 1);
        assert_int_equal(rec.given[0].pages, 0);
        mc_hugetlb_recovery_done(&rec);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 10);
        _cleanup_free_ char *l2 = ledger(fx);
        assert_string_equal(l2, "");
}

/* A launcher of another pid namespace is never taken for dead: its entry and pages stay. */
static void test_other_pidns(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};
        char text[256];

        add_pool(fx, 2048, 8, 8, 0);
        open_pool(fx, &p);
        snprintf(text, sizeof(text), "%d 1 %llu 2048 8 8\n", 0x3ffffff, pidns() + 1);
        put(fx->run, MC_HUGETLB_LEDGER, text);
        assert_int_equal(mc_hugetlb_pool_release(&p, &err), 0);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 8);
        _cleanup_free_ char *l = ledger(fx);
        assert_string_equal(l, text);
        mc_hugetlb_pool_close(&p);
}

/* Two sizes of one reservation share what the host can spare. */
static void test_grow_limit_two_sizes(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};
        char meminfo[160];

        add_pool(fx, 2048, 0, 0, 0);
        add_pool(fx, 4096, 0, 0, 0);
        link_free(fx, 2048);
        link_free(fx, 4096);
        open_pool(fx, &p);
        /* 7/8 of 23406 kB: 10 pages of 2MB. 6 of 2MB (12M) fit; 3 of 4MB (12M more) do not. */
        put(fx->root, "meminfo", "MemAvailable: 23406 kB\n");
        snprintf(meminfo, sizeof(meminfo), "%s/meminfo", fx->root);
        p.meminfo = meminfo;
        struct mc_hugetlb_request req[2] = { { .kb = 2048, .pages = 6 }, { .kb = 4096, .pages = 3 } };
        assert_int_equal(mc_hugetlb_pool_reserve(&p, req, 2, &err), -ENOMEM);
        assert_non_null(strstr(err.msg, "asked for 3 more 4MB pages, this host can spare 2"));
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 0);
        assert_int_equal(get_u64(fx, 4096, "nr_hugepages"), 0);
        _cleanup_free_ char *l = ledger(fx);
        assert_string_equal(l, "");
        mc_hugetlb_pool_close(&p);
}

/* A MemAvailable in bytes beyond 64 bits is refused: the pool grows by nothing it cannot measure. */
static void test_grow_limit_meminfo_overflow(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};
        char meminfo[160];

        add_pool(fx, 2048, 0, 0, 0);
        link_free(fx, 2048);
        open_pool(fx, &p);
        put(fx->root, "meminfo", "MemAvailable: 18014398509481984 kB\n");
        snprintf(meminfo, sizeof(meminfo), "%s/meminfo", fx->root);
        p.meminfo = meminfo;
        struct mc_hugetlb_request req = { .kb = 2048, .pages = 1 };
        assert_int_equal(mc_hugetlb_pool_reserve(&p, &req, 1, &err), -ERANGE);
        assert_non_null(strstr(err.msg, "read MemAvailable of"));
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 0);
        mc_hugetlb_pool_close(&p);
}

/* The lock is waited for a bounded time, the holder named; an interrupt ends the wait at once. */
static void test_lock_wait(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};
        int ready[2], intr[2];
        char lock[192], buf[1];

        add_pool(fx, 2048, 0, 0, 0);
        open_pool(fx, &p);
        snprintf(lock, sizeof(lock), "%s/%s", fx->run, MC_HUGETLB_LOCK);
        assert_int_equal(pipe(ready), 0);
        pid_t holder = fork();
        assert_true(holder >= 0);
        if (holder == 0) {
                int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
                struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
                if (fd < 0 || fcntl(fd, F_SETLK, &fl) < 0)
                        _exit(1);
                (void)!write(ready[1], "x", 1);
                pause();
                _exit(0);
        }
        assert_int_equal(read(ready[0], buf, 1), 1);

        struct mc_hugetlb_request req = { .kb = 2048, .pages = 1 };
        p.lock_timeout_ms = 200;
        uint64_t t0 = mc_now_ns();
        assert_int_equal(mc_hugetlb_pool_reserve(&p, &req, 1, &err), -ETIMEDOUT);
        uint64_t waited = mc_now_ns() - t0;
        assert_true(waited >= 200000000ull && waited < 5000000000ull);
        char want[64];
        snprintf(want, sizeof(want), "is held by pid %d (", (int)holder);
        if (!strstr(err.msg, want))
                fail_msg("'%s' does not name the holder %d", err.msg, (int)holder);

        assert_int_equal(pipe(intr), 0);
        assert_int_equal(write(intr[1], "x", 1), 1);
        p.interrupt_fd = intr[0];
        p.lock_timeout_ms = 60000;
        t0 = mc_now_ns();
        assert_int_equal(mc_hugetlb_pool_release(&p, &err), -EINTR);
        assert_true(mc_now_ns() - t0 < 5000000000ull);

        kill(holder, SIGKILL);
        assert_int_equal(waitpid(holder, NULL, 0), holder);
        p.interrupt_fd = -EBADF;
        assert_int_equal(mc_hugetlb_pool_reserve(&p, &req, 1, &err), 0);
        assert_int_equal(mc_hugetlb_pool_release(&p, &err), 0);
        for (int i = 0; i < 2; i++) {
                close(ready[i]);
                close(intr[i]);
        }
        mc_hugetlb_pool_close(&p);
}

/*
 * The lock is one nobody else can open: a run directory and lock an earlier
 * memcage made 0755 and 0644 are narrowed to 0700 and 0600; a run directory
 * of another user is refused, naming its owner.
 */
static void test_lock_private(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};
        struct stat st;
        char lock[192];

        add_pool(fx, 2048, 0, 0, 0);
        assert_int_equal(mkdir(fx->run, 0755), 0);
        assert_int_equal(chmod(fx->run, 0755), 0);
        snprintf(lock, sizeof(lock), "%s/%s", fx->run, MC_HUGETLB_LOCK);
        put(fx->run, MC_HUGETLB_LOCK, "");
        assert_int_equal(chmod(lock, 0644), 0);
        open_pool(fx, &p);
        assert_int_equal(stat(fx->run, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
        struct mc_hugetlb_request req = { .kb = 2048, .pages = 1 };
        assert_int_equal(mc_hugetlb_pool_reserve(&p, &req, 1, &err), 0);
        assert_int_equal(stat(lock, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        put_u64(fx, 2048, "free_hugepages", 1);
        assert_int_equal(mc_hugetlb_pool_release(&p, &err), 0);
        mc_hugetlb_pool_close(&p);

        if (geteuid() != 0)
                skip(); /* chown to another uid needs root */
        assert_int_equal(chown(fx->run, 4242, 4242), 0);
        assert_int_equal(mc_hugetlb_pool_open(&p, fx->sys, fx->run, &err), -EPERM);
        assert_non_null(strstr(err.msg, "owned by uid 4242"));
}

/*
 * A shared open-file-description lock (F_GETLK shows no pid for it) held past
 * the wait: the message still names the holder, from /proc.
 */
static void test_lock_wait_ofd_holder(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};
        int ready[2];
        char lock[192], buf[1];

        add_pool(fx, 2048, 0, 0, 0);
        open_pool(fx, &p);
        snprintf(lock, sizeof(lock), "%s/%s", fx->run, MC_HUGETLB_LOCK);
        put(fx->run, MC_HUGETLB_LOCK, "");
        assert_int_equal(pipe(ready), 0);
        pid_t holder = fork();
        assert_true(holder >= 0);
        if (holder == 0) {
                int fd = open(lock, O_RDONLY | O_CLOEXEC);
                struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
                if (fd < 0 || fcntl(fd, F_OFD_SETLK, &fl) < 0)
                        _exit(1);
                (void)!write(ready[1], "x", 1);
                pause();
                _exit(0);
        }
        assert_int_equal(read(ready[0], buf, 1), 1);
        struct mc_hugetlb_request req = { .kb = 2048, .pages = 1 };
        p.lock_timeout_ms = 200;
        assert_int_equal(mc_hugetlb_pool_reserve(&p, &req, 1, &err), -ETIMEDOUT);
        char want[64];
        snprintf(want, sizeof(want), "is held by pid %d (", (int)holder);
        if (!strstr(err.msg, want))
                fail_msg("'%s' does not name the holder %d", err.msg, (int)holder);
        kill(holder, SIGKILL);
        assert_int_equal(waitpid(holder, NULL, 0), holder);
        for (int i = 0; i < 2; i++)
                close(ready[i]);
        mc_hugetlb_pool_close(&p);
}

/* A size missing from sysfs fails after the first size was grown: that one goes back. */
static void test_failure_gives_back(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_pool p;
        struct mc_error err = {};

        add_pool(fx, 2048, 0, 0, 0);
        link_free(fx, 2048);
        open_pool(fx, &p);
        struct mc_hugetlb_request req[2] = { { .kb = 2048, .pages = 8 }, { .kb = 1048576, .pages = 1 } };
        assert_true(mc_hugetlb_pool_reserve(&p, req, 2, &err) < 0);
        assert_non_null(strstr(err.msg, "hugepages-1048576kB"));
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 0);
        assert_int_equal(req[0].added, 0);
        _cleanup_free_ char *l = ledger(fx);
        assert_string_equal(l, "");
        mc_hugetlb_pool_close(&p);
}

/*
 * memcage gc: dead launchers' entries leave the ledger and their pages go
 * back, a live run's stay; a dry run changes nothing; without a ledger
 * nothing is created.
 */
static void test_recover(void **state)
{
        struct fixture *fx = *state;
        struct mc_hugetlb_recovery rec;
        struct mc_error err = {};
        unsigned long long self_start;
        char text[256], live[128], path[192];
        struct stat st;

        add_pool(fx, 2048, 16, 16, 0);
        assert_int_equal(mc_hugetlb_pool_recover(fx->sys, fx->run, false, &rec, &err), 0);
        assert_int_equal(rec.n_given, 0);
        mc_hugetlb_recovery_done(&rec);
        assert_int_equal(stat(fx->run, &st), -1);
        assert_int_equal(mkdir(fx->run, 0755), 0);
        assert_int_equal(mc_hugetlb_pool_recover(fx->sys, fx->run, false, &rec, &err), 0);
        assert_int_equal(rec.n_given, 0);
        mc_hugetlb_recovery_done(&rec);
        snprintf(path, sizeof(path), "%s/%s", fx->run, MC_HUGETLB_LOCK);
        assert_int_equal(stat(path, &st), -1);

        /* A dead run that added 8, this (live) process's 4, a dead run that added none. */
        assert_int_equal(mc_proc_starttime(getpid(), &self_start), 0);
        snprintf(live, sizeof(live), "%d %llu %llu 2048 4 4\n", (int)getpid(), self_start, pidns());
        snprintf(text, sizeof(text), "%d 1 %llu 2048 8 8\n%s%d 1 %llu 2048 2 0\n", 0x3ffffff, pidns(), live,
                 0x3fffffe, pidns());
        put(fx->run, MC_HUGETLB_LEDGER, text);

        assert_int_equal(mc_hugetlb_pool_recover(fx->sys, fx->run, true, &rec, &err), 0);
        assert_int_equal(rec.n_given, 2);
        assert_int_equal(rec.given[0].pid, 0x3ffffff);
        assert_int_equal(rec.given[0].kb, 2048);
        assert_int_equal(rec.given[0].pages, 8);
        assert_false(rec.given[0].pending);
        assert_int_equal(rec.given[1].pid, 0x3fffffe);
        assert_int_equal(rec.given[1].pages, 0);
        mc_hugetlb_recovery_done(&rec);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 16);
        _cleanup_free_ char *l1 = ledger(fx);
        assert_string_equal(l1, text);

        assert_int_equal(mc_hugetlb_pool_recover(fx->sys, fx->run, false, &rec, &err), 0);
        assert_int_equal(rec.n_given, 2);
        assert_int_equal(rec.given[0].pages, 8);
        mc_hugetlb_recovery_done(&rec);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 8);
        _cleanup_free_ char *l2 = ledger(fx);
        assert_string_equal(l2, live);

        /* Killed mid-growth from 8 by 6 (the kernel made 6): the pending line's FROM says so. */
        put_u64(fx, 2048, "nr_hugepages", 14);
        put_u64(fx, 2048, "free_hugepages", 14);
        snprintf(text, sizeof(text), "%s%d 1 %llu 2048 6 6 8\n", live, 0x3ffffff, pidns());
        put(fx->run, MC_HUGETLB_LEDGER, text);
        assert_int_equal(mc_hugetlb_pool_recover(fx->sys, fx->run, false, &rec, &err), 0);
        assert_int_equal(rec.n_given, 1);
        assert_int_equal(rec.given[0].pages, 6);
        assert_true(rec.given[0].pending);
        mc_hugetlb_recovery_done(&rec);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 8);
        _cleanup_free_ char *l3 = ledger(fx);
        assert_string_equal(l3, live);

        /* Malformed lines are passed on as warnings and left alone. */
        put(fx->run, MC_HUGETLB_LEDGER, "1 2 3\n");
        assert_int_equal(mc_hugetlb_pool_recover(fx->sys, fx->run, false, &rec, &err), 0);
        assert_int_equal(rec.n_given, 0);
        assert_non_null(rec.warnings);
        assert_non_null(strstr(rec.warnings[0], "hugetlb.ledger:1: malformed line '1 2 3'"));
        assert_null(rec.warnings[1]);
        mc_hugetlb_recovery_done(&rec);
        assert_int_equal(get_u64(fx, 2048, "nr_hugepages"), 8);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sizes),
                cmocka_unit_test(test_parse_reserve),
                cmocka_unit_test(test_arithmetic),
                cmocka_unit_test_setup_teardown(test_host_sizes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reserve_release, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stale_temp_swept, setup, teardown),
                cmocka_unit_test_setup_teardown(test_enough_free, setup, teardown),
                cmocka_unit_test_setup_teardown(test_grow_limit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_two_runs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dead_launchers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dead_and_reserve, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_ledger, setup, teardown),
                cmocka_unit_test_setup_teardown(test_giving_back_entry, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pending_entry, setup, teardown),
                cmocka_unit_test_setup_teardown(test_other_pidns, setup, teardown),
                cmocka_unit_test_setup_teardown(test_grow_limit_two_sizes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_grow_limit_meminfo_overflow, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lock_wait, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lock_private, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lock_wait_ofd_holder, setup, teardown),
                cmocka_unit_test_setup_teardown(test_failure_gives_back, setup, teardown),
                cmocka_unit_test_setup_teardown(test_recover, setup, teardown),
        };
        return cmocka_run_group_tests_name("hugetlb-pool", tests, NULL, NULL);
}
