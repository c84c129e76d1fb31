/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup stage on a temporary directory shaped like cgroupfs: a test
 * backend stands in for the kernel (creates the interface files, enables
 * controllers top-down, refuses rmdir of a populated group).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
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
#include <unistd.h>

#include <cmocka.h>

#include "cgroup-backend.h"
#include "cgroup-stale.h"
#include "cgroup.h"
#include "size.h"
#include "fake-cgroupfs.h"
#include "util.h"

#define ROOT_CONTROLLERS "cpuset cpu io memory hugetlb pids rdma misc\n"

static char *base;          /* mkdtemp'd directory holding one fake root per test */
static bool xattr_ok;       /* user.* xattrs work in base */
static char xattr_why[256]; /* why they do not */

/* ---- helpers ---------------------------------------------------------------------------- */

static char *vstrf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vstrf(const char *fmt, va_list ap)
{
        va_list aq;
        va_copy(aq, ap);
        int n = vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        assert_true(n >= 0);
        char *s = malloc((size_t)n + 1);
        assert_non_null(s);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        return s;
}

/* A formatted, malloc'd string (asprintf without _GNU_SOURCE). */
static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strf(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        char *s = vstrf(fmt, ap);
        va_end(ap);
        return s;
}

static void assert_file(int dirfd, const char *name, const char *expected)
{
        _cleanup_free_ char *s = read_at(dirfd, name);
        assert_non_null(s);
        assert_string_equal(s, expected);
}

static bool list_has(const char *list, const char *word)
{
        return mc_cgroup_list_has(list, word);
}

/* ---- the test backend: a kernel stand-in ------------------------------------------------- */

static const char *fake_omit[4];  /* interface files new groups lack */
static const char *fake_fail_set; /* a file whose write fails with EINVAL */
static bool fake_no_enable;       /* create without enabling controllers */
static unsigned fake_creates;
static unsigned fake_prepares; /* calls of the backend's prepare */
static unsigned fake_removes;  /* calls of the backend's remove */

static int fake_enable(int dir, bool is_root, const char *const *controllers, struct mc_error *err)
{
        _cleanup_free_ char *enabled = read_at(dir, "cgroup.subtree_control");
        _cleanup_free_ char *available = read_at(dir, "cgroup.controllers");
        _cleanup_free_ char *procs = read_at(dir, "cgroup.procs");
        char list[256];
        bool changed = false;

        if (!enabled || !available || !procs)
                return mc_error_set(err, EIO, "fake tree lacks interface files");
        snprintf(list, sizeof(list), "%s", enabled);
        list[strcspn(list, "\n")] = '\0';
        for (const char *const *c = controllers; *c; c++) {
                if (list_has(list, *c))
                        continue;
                if (!list_has(available, *c))
                        return mc_error_set(err, ENOENT, "fake: %s not available", *c);
                if (!is_root && procs[0])
                        return mc_error_set(err, EBUSY, "fake: internal processes");
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", list[0] ? " " : "", *c);
                changed = true;
        }
        if (changed) {
                strcat(list, "\n");
                write_at(dir, "cgroup.subtree_control", list);
                /* The kernel offers them to the existing child groups at once. */
                DIR *d = mc_opendir_at(dir, ".");
                assert_non_null(d);
                for (struct dirent *de; (de = readdir(d));) {
                        struct stat st;
                        if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
                            !S_ISDIR(st.st_mode))
                                continue;
                        int child = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        assert_true(child >= 0);
                        write_at(child, "cgroup.controllers", list);
                        close(child);
                }
                closedir(d);
        }
        return 0;
}

static bool omitted(const char *file)
{
        for (size_t i = 0; i < ELEMENTSOF(fake_omit); i++)
                if (fake_omit[i] && streq(fake_omit[i], file))
                        return true;
        return false;
}

/* What the kernel puts in a new group: interface files, memory's when the parent passes memory down. */
static void fake_populate(int parent_fd, const char *name)
{
        static const char *const memory_files[][2] = {
                { "memory.max", "max\n" },       { "memory.high", "max\n" },
                { "memory.low", "0\n" },         { "memory.min", "0\n" },
                { "memory.swap.max", "max\n" },  { "memory.swap.high", "max\n" },
                { "memory.zswap.max", "max\n" }, { "memory.oom.group", "0\n" },
        };
        int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        _cleanup_free_ char *passed = read_at(parent_fd, "cgroup.subtree_control");
        assert_non_null(passed);

        write_at(fd, "cgroup.controllers", passed);
        write_at(fd, "cgroup.subtree_control", "");
        write_at(fd, "cgroup.procs", "");
        write_at(fd, "cgroup.events", "populated 0\nfrozen 0\n");
        write_at(fd, "cgroup.kill", "");
        if (list_has(passed, "memory"))
                for (size_t i = 0; i < ELEMENTSOF(memory_files); i++)
                        if (!omitted(memory_files[i][0]))
                                write_at(fd, memory_files[i][0], memory_files[i][1]);
        close(fd);
}

static int fake_mkdir(int parent_fd, const char *name, struct mc_error *err)
{
        fake_creates++;
        if (mkdirat(parent_fd, name, 0755) < 0)
                return errno == EEXIST ? mc_error_set(err, EEXIST, "fake: %s exists", name)
                                       : mc_error_errno(err, errno, "fake: mkdir %s", name);
        fake_populate(parent_fd, name);
        return 0;
}

/* Top-down like the kernel wants it: enable in each group, then create or enter the next one. */
static int fake_walk(int root_fd, const char *path, bool create_last, const char *const *controllers,
                     struct mc_error *err)
{
        int dir = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        bool is_root = true;
        int r;

        for (const char *p = path; *p;) {
                if (!fake_no_enable && (r = fake_enable(dir, is_root, controllers, err)) < 0) {
                        close(dir);
                        return r;
                }
                size_t n = strcspn(p, "/");
                char comp[256];
                snprintf(comp, sizeof(comp), "%.*s", (int)n, p);
                p += n;
                if (*p == '/')
                        p++;
                bool last = *p == '\0';
                /* create_last: relpath's parent must exist; else (a parent to prepare) like mkdir -p. */
                if ((create_last && last) || (!create_last && !exists_at(dir, comp))) {
                        r = fake_mkdir(dir, comp, err);
                        if (r < 0) {
                                close(dir);
                                return r;
                        }
                }
                int next = openat(dir, comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                close(dir);
                if (next < 0)
                        return mc_error_errno(err, errno, "fake: open %s", comp);
                dir = next;
                is_root = false;
        }
        r = fake_no_enable || create_last ? 0 : fake_enable(dir, is_root, controllers, err);
        close(dir);
        return r;
}

/* Creates relpath (its parent exists) with the controllers enabled above it, as a launcher of old did. */
static int fake_create(const char *root, int root_fd, const char *relpath, const char *const *controllers,
                       struct mc_error *err)
{
        (void)root;
        return fake_walk(root_fd, relpath, true, controllers, err);
}

static int fake_prepare(const char *root, int root_fd, const char *parent, const char *const *controllers,
                        struct mc_error *err)
{
        (void)root;
        fake_prepares++;
        return fake_walk(root_fd, parent, false, controllers, err);
}

static int fake_write(int group_fd, const char *file, const char *value, struct mc_error *err)
{
        if (fake_fail_set && streq(file, fake_fail_set))
                return mc_error_set(err, EINVAL, "fake: write %s refused", file);
        /* No O_CREAT: like cgroupfs, only existing files take values. */
        _cleanup_close_ int fd = openat(group_fd, file, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0)
                return mc_error_errno(err, errno, "fake: open %s", file);
        char buf[64];
        int len = snprintf(buf, sizeof(buf), "%s\n", value);
        assert_int_equal(write(fd, buf, (size_t)len), len);
        return 0;
}

/* rmdir as cgroupfs does it: EBUSY while populated or with child groups; interface files go along. */
static int fake_remove_counted(int parent_fd, const char *name, struct mc_error *err)
{
        fake_removes++;
        return fake_remove(parent_fd, name, err);
}

static const struct mc_cgroup_backend fake_backend = {
        .name = "test",
        .prepare = fake_prepare,
        .mkdir = fake_mkdir,
        .write = fake_write,
        .remove = fake_remove_counted,
};

/* ---- per-test fake root ------------------------------------------------------------------ */

struct fixture {
        char *root;
        int root_fd;
};

static int setup_root(void **state)
{
        static unsigned counter;
        struct fixture *fx = calloc(1, sizeof(*fx));
        assert_non_null(fx);
        fx->root = strf("%s/root-%u", base, ++counter);
        assert_int_equal(mkdir(fx->root, 0755), 0);
        fx->root_fd = open(fx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fx->root_fd >= 0);
        write_at(fx->root_fd, "cgroup.controllers", ROOT_CONTROLLERS);
        write_at(fx->root_fd, "cgroup.subtree_control", "");
        write_at(fx->root_fd, "cgroup.procs", "1\n"); /* the root is exempt from the rule */
        memset(fake_omit, 0, sizeof(fake_omit));
        fake_fail_set = NULL;
        fake_no_enable = false;
        fake_creates = 0;
        fake_prepares = 0;
        fake_removes = 0;
        *state = fx;
        return 0;
}

static int teardown_root(void **state)
{
        struct fixture *fx = *state;
        close(fx->root_fd);
        rm_rf_at(AT_FDCWD, fx->root);
        free(fx->root);
        free(fx);
        return 0;
}

static struct mc_limits limits_of(uint64_t max, uint64_t high, uint64_t swap_max)
{
        struct mc_limits l = { 0 };
        l.v[MC_LIMIT_MAX] = (struct mc_limit_value){ true, max };
        l.v[MC_LIMIT_HIGH] = (struct mc_limit_value){ true, high };
        l.v[MC_LIMIT_SWAP_MAX] = (struct mc_limit_value){ true, swap_max };
        l.v[MC_LIMIT_OOM_GROUP] = (struct mc_limit_value){ true, 1 };
        return l;
}

static struct mc_group_opts opts_of(struct fixture *fx, const char *parent, const char *name,
                                    const struct mc_limits *limits)
{
        return (struct mc_group_opts){
                .root = fx->root,
                .root_fd = fx->root_fd,
                .parent = parent,
                .name = name,
                .limits = limits,
                .profile = "db",
                .backend = &fake_backend,
        };
}

/* Only the root's own files remain. */
static void assert_root_empty(struct fixture *fx)
{
        DIR *d = opendir(fx->root);
        assert_non_null(d);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.' || strncmp(de->d_name, "cgroup.", 7) == 0)
                        continue;
                print_message("left behind: %s\n", de->d_name);
                fail();
        }
        closedir(d);
}

/* ---- mountinfo ---------------------------------------------------------------------------- */

/* This project's build host, verbatim: hybrid, memory bound to v1. */
static const char hybrid_host[] =
        "21 26 0:20 / /proc rw,relatime - proc proc rw\n"
        "22 26 0:21 / /sys rw,relatime - sysfs sysfs rw\n"
        "23 26 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334448k,nr_inodes=3083612,mode=755\n"
        "24 23 0:22 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683620k\n"
        "25 23 0:23 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000\n"
        "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534\n"
        "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
        "33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
        "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
        "36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
        "37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
        "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
        "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
        "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* A systemd host booted unified (optional fields present). */
static const char unified_host[] =
        "22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
        "26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
        "rw,nsdelegate,memory_recursiveprot\n"
        "28 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n";

/* cgroup v1 only (e.g. CentOS 7): memory shares a hierarchy with nothing, cpu with cpuacct. */
static const char legacy_host[] =
        "25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:6 - tmpfs tmpfs ro,mode=755\n"
        "26 25 0:23 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:7 - cgroup "
        "cgroup rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd\n"
        "29 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:10 - "
        "cgroup cgroup rw,cpu,cpuacct\n"
        "33 25 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup "
        "cgroup rw,memory\n";

static const char no_cgroup_host[] = "21 26 0:20 / /proc rw,relatime - proc proc rw\n"
                                     "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n";

static int parse_text(const char *text, struct mc_cgroup_mounts *m, struct mc_error *err)
{
        FILE *f = fmemopen((void *)text, strlen(text), "r");
        assert_non_null(f);
        int r = mc_cgroup_parse_mountinfo(f, m, err);
        fclose(f);
        return r;
}

static void test_mountinfo_hybrid(void **state)
{
        struct mc_cgroup_mounts m = { 0 };
        struct mc_error err = { 0 };
        assert_int_equal(parse_text(hybrid_host, &m, &err), 0);
        assert_int_equal(m.layout, MC_CGROUP_HYBRID);
        assert_string_equal(m.unified, "/sys/fs/cgroup/unified");
        assert_string_equal(m.memory_v1, "/sys/fs/cgroup/memory");
        mc_cgroup_mounts_free(&m);
}

static void test_mountinfo_unified(void **state)
{
        struct mc_cgroup_mounts m = { 0 };
        struct mc_error err = { 0 };
        assert_int_equal(parse_text(unified_host, &m, &err), 0);
        assert_int_equal(m.layout, MC_CGROUP_UNIFIED);
        assert_string_equal(m.unified, "/sys/fs/cgroup");
        assert_null(m.memory_v1);
        mc_cgroup_mounts_free(&m);
}

static void test_mountinfo_legacy(void **state)
{
        struct mc_cgroup_mounts m = { 0 };
        struct mc_error err = { 0 };
        assert_int_equal(parse_text(legacy_host, &m, &err), 0);
        assert_int_equal(m.layout, MC_CGROUP_LEGACY);
        assert_null(m.unified);
        assert_string_equal(m.memory_v1, "/sys/fs/cgroup/memory");
        mc_cgroup_mounts_free(&m);
}

static void test_mountinfo_none(void **state)
{
        struct mc_cgroup_mounts m = { 0 };
        struct mc_error err = { 0 };
        assert_int_equal(parse_text(no_cgroup_host, &m, &err), 0);
        assert_int_equal(m.layout, MC_CGROUP_NONE);
        assert_null(m.unified);
        assert_null(m.memory_v1);
        assert_int_equal(parse_text("", &m, &err), 0);
        assert_int_equal(m.layout, MC_CGROUP_NONE);
}

static void test_mountinfo_escapes(void **state)
{
        /* Octal escapes in mount points; "memory_recursiveprot" is not "memory"; several cgroup2. */
        static const char text[] =
                "40 30 0:37 / /srv/my\\040cgroups\\134x rw - cgroup2 cgroup2 rw\n"
                "41 30 0:37 / /sys/fs/cgroup rw shared:1 master:2 - cgroup2 cgroup2 "
                "rw,memory_recursiveprot\n"
                "42 30 0:38 / /mnt/v1\\011mem rw - cgroup cgroup rw,nosuid,memory\n"
                "43 30 0:39 / /mnt/v1cpu rw - cgroup cgroup rw,cpu,memory_pressure_enabled\n";
        struct mc_cgroup_mounts m = { 0 };
        struct mc_error err = { 0 };
        assert_int_equal(parse_text(text, &m, &err), 0);
        assert_int_equal(m.layout, MC_CGROUP_HYBRID);
        assert_string_equal(m.unified, "/sys/fs/cgroup");
        assert_string_equal(m.memory_v1, "/mnt/v1\tmem");
        mc_cgroup_mounts_free(&m);

        assert_int_equal(parse_text("40 30 0:37 / /srv/my\\040cg\\134x rw - cgroup2 none rw\n", &m, &err),
                         0);
        assert_string_equal(m.unified, "/srv/my cg\\x");
        mc_cgroup_mounts_free(&m);
}

static void test_mountinfo_malformed(void **state)
{
        struct mc_cgroup_mounts m = { 0 };
        struct mc_error err = { 0 };
        assert_int_equal(parse_text("21 26 0:20 / /proc rw,relatime - proc proc rw\n"
                                    "22 26 0:21 / /sys rw,relatime sysfs sysfs rw\n",
                                    &m, &err),
                         -EINVAL);
        assert_non_null(strstr(err.msg, "mountinfo line 2"));
        assert_int_equal(parse_text("22 26 0:21 / /sys rw -\n", &m, &err), -EINVAL);
}

/* A fake mountinfo naming directories of the fixture. */
static char *write_mountinfo(struct fixture *fx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *write_mountinfo(struct fixture *fx, const char *fmt, ...)
{
        char *path, *text;
        va_list ap;
        va_start(ap, fmt);
        text = vstrf(fmt, ap);
        va_end(ap);
        path = strf("%s/mountinfo", fx->root);
        write_at(AT_FDCWD, path, text);
        free(text);
        return path;
}

static char *make_dir(struct fixture *fx, const char *name, const char *controllers)
{
        char *path = strf("%s/%s", fx->root, name);
        assert_int_equal(mkdir(path, 0755), 0);
        if (controllers) {
                int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                assert_true(fd >= 0);
                write_at(fd, "cgroup.controllers", controllers);
                close(fd);
        }
        return path;
}

static void test_open_root_hybrid(void **state)
{
        struct fixture *fx = *state;
        _cleanup_free_ char *memory = make_dir(fx, "memory", NULL);
        _cleanup_free_ char *unified = make_dir(fx, "unified", "hugetlb\n");
        _cleanup_free_ char *mi = write_mountinfo(fx,
                                                  "30 22 0:27 / %s rw,relatime - tmpfs tmpfs rw,mode=755\n"
                                                  "34 30 0:31 / %s rw,relatime - cgroup cgroup rw,memory\n"
                                                  "40 30 0:37 / %s rw,relatime - cgroup2 cgroup2 rw\n",
                                                  fx->root, memory, unified);
        _cleanup_free_ char *expected = NULL;
        char *path = NULL;
        int fd = -EBADF;
        struct mc_error err = { 0 };

        assert_int_equal(mc_cgroup_open_root(mi, &path, &fd, &err), -EOPNOTSUPP);
        assert_null(path);
        assert_int_equal(fd, -EBADF);
        expected = strf("cgroup v2 memory controller not available: this host uses the hybrid cgroup layout "
                        "(memory is bound to cgroup v1 at %s; cgroup2 at %s offers only: hugetlb). memcage "
                        "needs the unified hierarchy: boot with systemd.unified_cgroup_hierarchy=1 (or "
                        "cgroup_no_v1=memory)",
                        memory, unified);
        assert_string_equal(err.msg, expected);
}

static void test_open_root_unified(void **state)
{
        struct fixture *fx = *state;
        _cleanup_free_ char *unified = make_dir(fx, "unified", "cpuset cpu io memory pids\n");
        _cleanup_free_ char *mi = write_mountinfo(
                fx, "26 22 0:23 / %s rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate\n", unified);
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct mc_error err = { 0 };

        assert_int_equal(mc_cgroup_open_root(mi, &path, &fd, &err), 0);
        assert_string_equal(path, unified);
        assert_true(fd >= 0);
        assert_file(fd, "cgroup.controllers", "cpuset cpu io memory pids\n");
}

static void test_open_root_without_memory(void **state)
{
        struct fixture *fx = *state;
        _cleanup_free_ char *unified = make_dir(fx, "unified", "cpu io pids\n");
        _cleanup_free_ char *mi = write_mountinfo(fx, "26 22 0:23 / %s rw - cgroup2 cgroup2 rw\n", unified);
        char *path = NULL;
        int fd = -EBADF;
        struct mc_error err = { 0 };

        assert_int_equal(mc_cgroup_open_root(mi, &path, &fd, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.msg, "cgroup v2 memory controller not available"));
        assert_non_null(strstr(err.msg, "offers only: cpu io pids in cgroup.controllers"));
        assert_non_null(strstr(err.msg, unified));

        /* An empty cgroup.controllers. */
        int ufd = open(unified, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        write_at(ufd, "cgroup.controllers", "");
        close(ufd);
        assert_int_equal(mc_cgroup_open_root(mi, &path, &fd, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.msg, "offers no controllers"));
}

static void test_open_root_legacy_and_none(void **state)
{
        struct fixture *fx = *state;
        _cleanup_free_ char *mi = write_mountinfo(fx, "%s", legacy_host);
        char *path = NULL;
        int fd = -EBADF;
        struct mc_error err = { 0 };

        assert_int_equal(mc_cgroup_open_root(mi, &path, &fd, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.msg, "only cgroup v1 hierarchies (memory at "
                                        "/sys/fs/cgroup/memory) and no cgroup2"));
        assert_non_null(strstr(err.msg, "systemd.unified_cgroup_hierarchy=1"));

        free(mi);
        mi = write_mountinfo(fx, "%s", no_cgroup_host);
        assert_int_equal(mc_cgroup_open_root(mi, &path, &fd, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.msg, "no cgroup filesystem is mounted"));
        assert_non_null(strstr(err.msg, "mount -t cgroup2"));

        assert_int_equal(mc_cgroup_open_root("/nonexistent/mountinfo", &path, &fd, &err), -ENOENT);
        assert_null(path);
}

/* ---- names and paths ---------------------------------------------------------------------- */

static void test_validate_name(void **state)
{
        char longest[NAME_MAX + 1], too_long[NAME_MAX + 2];
        memset(longest, 'a', NAME_MAX);
        longest[NAME_MAX] = '\0';
        memset(too_long, 'a', NAME_MAX + 1);
        too_long[NAME_MAX + 1] = '\0';

        const char *good[] = { "db-1234", "memcage",      "a",    "a.b",  "memoryhog", "cgroupx", "io",
                               "cpu",     "x.memory.max", "élan", longest };
        const char *bad[] = {
                "",         ".",          "..",           "a/b",          "/",        "a\nb",
                "a\tb",     "del\x7f",    too_long,       "cgroup.procs", "cgroup.x", "memory.max",
                "memory.",  "cpu.weight", "cpuset.cpus",  "io.max",       "pids.max", "hugetlb.2MB.max",
                "rdma.max", "misc.max",   "irq.pressure", "dmem.max",
        };
        struct mc_error err = { 0 };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                if (mc_cgroup_validate_name(good[i], &err) != 0) {
                        print_message("refused '%s': %s\n", good[i], err.msg);
                        fail();
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                if (mc_cgroup_validate_name(bad[i], &err) != -EINVAL) {
                        print_message("accepted '%s'\n", bad[i]);
                        fail();
                }
        }
        assert_int_equal(mc_cgroup_validate_name(NULL, &err), -EINVAL);
        assert_int_equal(mc_cgroup_validate_name("memory.high", &err), -EINVAL);
        assert_non_null(strstr(err.msg, "kernel's interface files"));
}

static void test_validate_path(void **state)
{
        const char *good[] = { "memcage", "ci/memcage", "a/b/c", "system.slice/memcage" };
        const char *bad[] = { "",    "/memcage",      "memcage/",        "a//b", "a/../b", "./a",
                              "a/.", "ci/memory.max", "ci/cgroup.procs", "a/b\n" };
        struct mc_error err = { 0 };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                assert_int_equal(mc_cgroup_validate_path(good[i], &err), 0);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                if (mc_cgroup_validate_path(bad[i], &err) != -EINVAL) {
                        print_message("accepted '%s'\n", bad[i]);
                        fail();
                }
        }
        assert_int_equal(mc_cgroup_validate_path("ci/memory.max", &err), -EINVAL);
        assert_non_null(strstr(err.msg, "ci/memory.max"));
}

/* ---- group creation ---------------------------------------------------------------------- */

static void assert_marked(int fd, const char *profile)
{
        if (!xattr_ok)
                return;
        char buf[128], expected[96];
        unsigned long long start;
        uint64_t pidns;
        ssize_t k = fgetxattr(fd, MC_GROUP_XATTR_LAUNCHER, buf, sizeof(buf) - 1);
        assert_true(k > 0);
        buf[k] = '\0';
        assert_int_equal(mc_proc_starttime(getpid(), &start), 0);
        /* The launcher's pid namespace, as stat(1) shows it: pid:[INODE]. */
        assert_int_equal(mc_pidns_self(&pidns), 0);
        snprintf(expected, sizeof(expected), "%d %llu %" PRIu64, (int)getpid(), start, pidns);
        assert_string_equal(buf, expected);
        k = fgetxattr(fd, MC_GROUP_XATTR_PROFILE, buf, sizeof(buf) - 1);
        assert_true(k > 0);
        buf[k] = '\0';
        assert_string_equal(buf, profile);
}

static void test_create_read_remove(void **state)
{
        struct fixture *fx = *state;
        struct mc_limits lim = limits_of(64ull << 20, 48ull << 20, 0);
        lim.v[MC_LIMIT_MIN] = (struct mc_limit_value){ true, 8ull << 20 };
        struct mc_group_opts o = opts_of(fx, "memcage", "db-1", &lim);
        struct mc_group g;
        struct mc_error err = { 0 };

        assert_int_equal(mc_group_create(&o, &g, &err), 0);
        assert_string_equal(g.root, fx->root);
        assert_string_equal(g.parent, "memcage");
        assert_string_equal(g.name, "db-1");
        assert_string_equal(g.relpath, "memcage/db-1");
        assert_ptr_equal(g.backend, &fake_backend);
        assert_true(g.fd >= 0 && g.parent_fd >= 0);
        if (xattr_ok)
                assert_null(g.warnings);
        else {
                /* Refused xattrs cost only the sweeping: a warning, not a failure. */
                assert_non_null(g.warnings);
                assert_non_null(strstr(g.warnings[0], "stale-group sweeping will not recognise"));
        }
        assert_int_equal(fake_creates, 2); /* the parent, then the leaf */

        /* Controllers enabled top-down; the kernel files hold what was written. */
        assert_file(fx->root_fd, "cgroup.subtree_control", "memory\n");
        assert_file(g.parent_fd, "cgroup.subtree_control", "memory\n");
        assert_file(g.fd, "memory.max", "67108864\n");
        assert_file(g.fd, "memory.high", "50331648\n");
        assert_file(g.fd, "memory.min", "8388608\n");
        assert_file(g.fd, "memory.swap.max", "0\n");
        assert_file(g.fd, "memory.oom.group", "1\n");
        assert_file(g.fd, "memory.low", "0\n"); /* unset: untouched */
        assert_marked(g.fd, "db");

        struct mc_limits back;
        assert_int_equal(mc_group_read_limits(g.fd, NULL, &back, &err), 0);
        for (int l = 0; l <= MC_LIMIT_OOM_GROUP; l++)
                assert_true(back.v[l].set);
        /* The fake group has no hugetlb files: those limits stay unset. */
        assert_false(back.v[MC_LIMIT_HUGETLB_2MB_MAX].set);
        assert_int_equal(back.v[MC_LIMIT_MAX].value, 64ull << 20);
        assert_int_equal(back.v[MC_LIMIT_HIGH].value, 48ull << 20);
        assert_int_equal(back.v[MC_LIMIT_MIN].value, 8ull << 20);
        assert_int_equal(back.v[MC_LIMIT_SWAP_MAX].value, 0);
        assert_true(back.v[MC_LIMIT_SWAP_HIGH].value == MC_SIZE_MAX);
        assert_int_equal(back.v[MC_LIMIT_OOM_GROUP].value, 1);

        bool populated = true;
        assert_int_equal(mc_group_is_populated(g.fd, &populated, &err), 0);
        assert_false(populated);

        assert_int_equal(mc_group_remove(&g, &err), 0);
        assert_int_equal(g.fd, -EBADF);
        assert_int_equal(g.parent_fd, -EBADF);
        assert_false(exists_at(fx->root_fd, "memcage/db-1"));
        assert_true(exists_at(fx->root_fd, "memcage")); /* the parent is shared: it stays */
        mc_group_done(&g);

        /* A second group in the now existing parent: only the leaf is created. */
        fake_creates = 0;
        o.name = "db-2";
        o.profile = NULL;
        o.limits = NULL;
        assert_int_equal(mc_group_create(&o, &g, &err), 0);
        assert_int_equal(fake_creates, 1);
        assert_file(g.fd, "memory.max", "max\n");
        assert_int_equal(mc_group_remove(&g, &err), 0);
        /* Already gone counts as removed. */
        mc_group_done(&g);
}

static void test_create_in_root_and_nested(void **state)
{
        struct fixture *fx = *state;
        struct mc_limits lim = limits_of(1ull << 30, MC_SIZE_MAX, MC_SIZE_MAX);
        struct mc_group_opts o = opts_of(fx, NULL, "top", &lim);
        struct mc_group g;
        struct mc_error err = { 0 };

        /* Directly under the root, whose own processes are allowed. */
        assert_int_equal(mc_group_create(&o, &g, &err), 0);
        assert_string_equal(g.relpath, "top");
        assert_string_equal(g.parent, "");
        assert_file(g.fd, "memory.high", "max\n");
        assert_int_equal(mc_group_remove(&g, &err), 0);
        mc_group_done(&g);

        /* A nested parent, created component by component, with hugetlb along the path. */
        o.parent = "ci/memcage";
        o.name = "job-7";
        o.use_hugetlb = true;
        assert_int_equal(mc_group_create(&o, &g, &err), 0);
        assert_string_equal(g.relpath, "ci/memcage/job-7");
        _cleanup_free_ char *s1 = read_at(fx->root_fd, "cgroup.subtree_control");
        _cleanup_free_ char *s2 = read_at(fx->root_fd, "ci/cgroup.subtree_control");
        _cleanup_free_ char *s3 = read_at(g.parent_fd, "cgroup.subtree_control");
        assert_true(list_has(s1, "memory") && list_has(s1, "hugetlb"));
        assert_true(list_has(s2, "memory") && list_has(s2, "hugetlb"));
        assert_true(list_has(s3, "memory") && list_has(s3, "hugetlb"));
        assert_file(g.fd, "memory.max", "1073741824\n");
        mc_group_done(&g);
}

static void test_create_missing_kernel_files(void **state)
{
        struct fixture *fx = *state;
        struct mc_limits lim = limits_of(64ull << 20, MC_SIZE_MAX, 0);
        struct mc_group_opts o = opts_of(fx, "memcage", "db-1", &lim);
        struct mc_group g;
        struct mc_error err = { 0 };

        /* No memory.swap.max (swap accounting off): a finite value is an error... */
        fake_omit[0] = "memory.swap.max";
        assert_int_equal(mc_group_create(&o, &g, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.msg, "memory.swap.max"));
        assert_non_null(strstr(err.msg, "swap accounting"));
        assert_int_equal(g.fd, -EBADF);
        assert_null(g.relpath);
        assert_root_empty(fx); /* the leaf and the parent this call created are gone */

        /* ...while "max" is a warning and skipped. */
        lim.v[MC_LIMIT_SWAP_MAX].value = MC_SIZE_MAX;
        assert_int_equal(mc_group_create(&o, &g, &err), 0);
        assert_non_null(g.warnings);
        size_t n = 0;
        bool found = false;
        for (; g.warnings[n]; n++)
                if (strstr(g.warnings[n], "memory.swap.max") && strstr(g.warnings[n], "skipped"))
                        found = true;
        assert_true(found);
        assert_false(exists_at(g.fd, "memory.swap.max"));
        assert_file(g.fd, "memory.max", "67108864\n");
        struct mc_limits back;
        assert_int_equal(mc_group_read_limits(g.fd, NULL, &back, &err), 0);
        assert_false(back.v[MC_LIMIT_SWAP_MAX].set);
        assert_true(back.v[MC_LIMIT_MAX].set);
        assert_int_equal(mc_group_remove(&g, &err), 0);
        mc_group_done(&g);

        /* zswap: the reason names the kernel option. The parent exists now and stays. */
        fake_omit[0] = "memory.zswap.max";
        lim.v[MC_LIMIT_ZSWAP_MAX] = (struct mc_limit_value){ true, 16ull << 20 };
        assert_int_equal(mc_group_create(&o, &g, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.msg, "memory.zswap.max"));
        assert_non_null(strstr(err.msg, "zswap"));
        assert_false(exists_at(fx->root_fd, "memcage/db-1"));
        assert_true(exists_at(fx->root_fd, "memcage"));
}

static void test_create_failed_write_leaves_nothing(void **state)
{
        struct fixture *fx = *state;
        struct mc_limits lim = limits_of(64ull << 20, 48ull << 20, 0);
        struct mc_group_opts o = opts_of(fx, "ci/memcage", "db-1", &lim);
        struct mc_group g;
        struct mc_error err = { 0 };

        fake_fail_set = "memory.max";
        assert_int_equal(mc_group_create(&o, &g, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "memory.max"));
        assert_root_empty(fx); /* leaf, ci/memcage and ci all removed */

        /* An existing parent is not this call's to remove. */
        o.parent = "memcage";
        fake_fail_set = NULL;
        o.name = "first";
        assert_int_equal(mc_group_create(&o, &g, &err), 0);
        mc_group_done(&g);
        fake_fail_set = "memory.swap.max";
        o.name = "second";
        assert_int_equal(mc_group_create(&o, &g, &err), -EINVAL);
        assert_false(exists_at(fx->root_fd, "memcage/second"));
        assert_true(exists_at(fx->root_fd, "memcage/first"));
}

static void test_create_refuses_populated_parent(void **state)
{
        struct fixture *fx = *state;
        struct mc_group_opts o = opts_of(fx, "busy", "db-1", NULL);
        struct mc_group g;
        struct mc_error err = { 0 };

        assert_int_equal(
                fake_create(fx->root, fx->root_fd, "busy", (const char *[]){ "memory", NULL }, &err), 0);
        int fd = openat(fx->root_fd, "busy", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        write_at(fd, "cgroup.procs", "4242\n4343\n");
        close(fd);
        fake_creates = 0;

        assert_int_equal(mc_group_create(&o, &g, &err), -EBUSY);
        assert_non_null(strstr(err.msg, "busy"));
        assert_non_null(strstr(err.msg, "pid 4242"));
        assert_non_null(strstr(err.msg, "no-internal-process rule"));
        assert_int_equal(fake_creates, 0);
        assert_false(exists_at(fx->root_fd, "busy/db-1"));
}

static void test_create_refuses_existing_leaf(void **state)
{
        struct fixture *fx = *state;
        struct mc_limits lim = limits_of(64ull << 20, MC_SIZE_MAX, MC_SIZE_MAX);
        struct mc_group_opts o = opts_of(fx, "memcage", "db-1", &lim);
        struct mc_group g, g2;
        struct mc_error err = { 0 };

        assert_int_equal(mc_group_create(&o, &g, &err), 0);
        lim.v[MC_LIMIT_MAX].value = 1ull << 20;
        assert_int_equal(mc_group_create(&o, &g2, &err), -EEXIST);
        assert_non_null(strstr(err.msg, "memcage/db-1 exists: memcage never reuses a group"));
        /* The existing group is untouched. */
        assert_true(exists_at(fx->root_fd, "memcage/db-1"));
        assert_file(g.fd, "memory.max", "67108864\n");
        mc_group_done(&g2);
        mc_group_done(&g);
}

/*
 * Two launchers with the same name: the loser's mkdirat fails with EEXIST,
 * and its cleanup must not touch the winner's group, which looks like any
 * group it could have created (empty, not populated, removable).
 */
static void test_create_loser_leaves_winner(void **state)
{
        struct fixture *fx = *state;
        struct mc_limits lim = limits_of(64ull << 20, MC_SIZE_MAX, MC_SIZE_MAX);
        struct mc_limits other = limits_of(1ull << 20, 1ull << 20, 0);
        struct mc_group_opts o = opts_of(fx, "memcage", "same", &lim);
        struct mc_group winner, loser;
        struct mc_error err = { 0 };
        char mark[64] = "";

        assert_int_equal(mc_group_create(&o, &winner, &err), 0);
        if (xattr_ok) {
                ssize_t k = fgetxattr(winner.fd, MC_GROUP_XATTR_LAUNCHER, mark, sizeof(mark) - 1);
                assert_true(k > 0);
                mark[k] = '\0';
        }
        fake_creates = fake_removes = 0;

        o.limits = &other;
        o.profile = "other";
        assert_int_equal(mc_group_create(&o, &loser, &err), -EEXIST);
        assert_non_null(strstr(err.msg, "memcage/same exists: memcage never reuses a group"));
        assert_int_equal(loser.fd, -EBADF);
        assert_int_equal(fake_creates, 1); /* its one mkdirat, refused */
        assert_int_equal(fake_removes, 0); /* and no rmdir of anything */

        /* The winner's group: still there, its limits and its mark untouched. */
        assert_true(exists_at(fx->root_fd, "memcage/same"));
        assert_file(winner.fd, "memory.max", "67108864\n");
        assert_file(winner.fd, "memory.high", "max\n");
        assert_file(winner.fd, "memory.swap.max", "max\n");
        if (xattr_ok)
                assert_marked(winner.fd, "db");
        if (xattr_ok) {
                char now[64];
                ssize_t k = fgetxattr(winner.fd, MC_GROUP_XATTR_LAUNCHER, now, sizeof(now) - 1);
                assert_true(k > 0);
                now[k] = '\0';
                assert_string_equal(now, mark);
        }
        mc_group_done(&loser);
        assert_int_equal(mc_group_remove(&winner, &err), 0);
        mc_group_done(&winner);
}

/* A parent that exists and enables the controllers needs no backend; one that lacks one does. */
static void test_create_ready_parent(void **state)
{
        struct fixture *fx = *state;
        struct mc_group_opts o = opts_of(fx, "memcage", "first", NULL);
        struct mc_group g;
        struct mc_error err = { 0 };

        assert_int_equal(mc_group_create(&o, &g, &err), 0);
        assert_int_equal(fake_prepares, 1);
        assert_int_equal(fake_creates, 2);
        mc_group_done(&g);

        fake_prepares = fake_creates = 0;
        o.name = "second";
        assert_int_equal(mc_group_create(&o, &g, &err), 0);
        assert_int_equal(fake_prepares, 0);
        assert_int_equal(fake_creates, 1);
        mc_group_done(&g);

        /* hugetlb is not enabled in memcage yet: the backend enables it along the path. */
        o.name = "third";
        o.use_hugetlb = true;
        assert_int_equal(mc_group_create(&o, &g, &err), 0);
        assert_int_equal(fake_prepares, 1);
        _cleanup_free_ char *s1 = read_at(fx->root_fd, "cgroup.subtree_control");
        _cleanup_free_ char *s2 = read_at(g.parent_fd, "cgroup.subtree_control");
        assert_true(list_has(s1, "memory") && list_has(s1, "hugetlb"));
        assert_true(list_has(s2, "memory") && list_has(s2, "hugetlb"));
        mc_group_done(&g);

        /* A parent that is a group in the root, and the root itself, ready alike. */
        fake_prepares = 0;
        o.parent = NULL;
        o.name = "top";
        o.use_hugetlb = false;
        assert_int_equal(mc_group_create(&o, &g, &err), 0);
        assert_int_equal(fake_prepares, 0);
        mc_group_done(&g);
}

static void test_create_controller_not_available(void **state)
{
        struct fixture *fx = *state;
        struct mc_group_opts o = opts_of(fx, NULL, "db-1", NULL);
        struct mc_group g;
        struct mc_error err = { 0 };

        /* A backend that leaves the parent without memory: the create is undone. */
        write_at(fx->root_fd, "cgroup.controllers", "cpu io pids\n");
        fake_no_enable = true;
        assert_int_equal(mc_group_create(&o, &g, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.msg, "memory controller is not available"));
        assert_non_null(strstr(err.msg, "cpu io pids"));
        assert_root_empty(fx);

        write_at(fx->root_fd, "cgroup.controllers", ROOT_CONTROLLERS);
        assert_int_equal(mc_group_create(&o, &g, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.msg, "not enabled in"));
        assert_root_empty(fx);
}

static void test_backend_get(void **state)
{
        const struct mc_cgroup_backend *b = NULL;
        struct mc_error err = { 0 };
        /* The library reads no environment: the CLI chooses. */
        setenv("MEMCAGE_CGROUP_BACKEND", "direct", 1);
        mc_cgroup_backend_choose(NULL);
        assert_int_equal(mc_cgroup_backend_get(&b, &err), 0);
        assert_ptr_equal(b, &mc_cgroup_backend_libcgroup);
        unsetenv("MEMCAGE_CGROUP_BACKEND");
        mc_cgroup_backend_choose("direct");
        assert_int_equal(mc_cgroup_backend_get(&b, &err), 0);
        assert_ptr_equal(b, &mc_cgroup_backend_direct);
        mc_cgroup_backend_choose("libcgroup");
        assert_int_equal(mc_cgroup_backend_get(&b, &err), 0);
        assert_ptr_equal(b, &mc_cgroup_backend_libcgroup);
        mc_cgroup_backend_choose("systemd");
        assert_int_equal(mc_cgroup_backend_get(&b, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "MEMCAGE_CGROUP_BACKEND=systemd"));

        /* mc_group_create reports it when no backend is given. */
        struct mc_group_opts o = { .root = "/nonexistent", .root_fd = -EBADF, .name = "x" };
        struct mc_group g;
        assert_int_equal(mc_group_create(&o, &g, &err), -EINVAL);
        mc_group_done(&g);
        mc_cgroup_backend_choose(NULL);
}

/* ---- the direct and libcgroup backends ---------------------------------------------------- */

static void test_direct_backend(void **state)
{
        struct fixture *fx = *state;
        const char *ctl[] = { "memory", NULL };
        struct mc_error err = { 0 };

        /* It writes "+memory" where memory is not listed (the kernel would then list "memory"). */
        assert_int_equal(mc_cgroup_backend_direct.prepare(fx->root, fx->root_fd, "", ctl, &err), 0);
        assert_file(fx->root_fd, "cgroup.subtree_control", "+memory");
        assert_int_equal(mc_cgroup_backend_direct.mkdir(fx->root_fd, "memcage", &err), 0);
        assert_true(exists_at(fx->root_fd, "memcage"));

        /* Already listed: not written again. */
        write_at(fx->root_fd, "cgroup.subtree_control", "cpu memory\n");
        int pfd = openat(fx->root_fd, "memcage", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        write_at(pfd, "cgroup.subtree_control", "memory\n");
        assert_int_equal(mc_cgroup_backend_direct.prepare(fx->root, fx->root_fd, "memcage", ctl, &err), 0);
        assert_file(fx->root_fd, "cgroup.subtree_control", "cpu memory\n");
        assert_file(pfd, "cgroup.subtree_control", "memory\n");

        /* A missing component is created (mkdir -p); this plain directory then lacks the kernel's files. */
        assert_int_equal(mc_cgroup_backend_direct.prepare(fx->root, fx->root_fd, "memcage/ci", ctl, &err),
                         -ENOENT);
        assert_non_null(strstr(err.msg, "memcage/ci"));
        assert_true(exists_at(pfd, "ci"));
        assert_int_equal(unlinkat(pfd, "ci", AT_REMOVEDIR), 0);

        /* The leaf: mkdirat, EEXIST when it exists. */
        assert_int_equal(mc_cgroup_backend_direct.mkdir(pfd, "db-1", &err), 0);
        assert_int_equal(mc_cgroup_backend_direct.mkdir(pfd, "db-1", &err), -EEXIST);

        int gfd = openat(pfd, "db-1", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        write_at(gfd, "memory.max", "max\n");
        assert_int_equal(mc_cgroup_backend_direct.write(gfd, "memory.max", "1048576", &err), 0);
        assert_file(gfd, "memory.max", "1048576"); /* over "max\n" from offset 0, no newline */
        assert_int_equal(mc_cgroup_backend_direct.write(gfd, "memory.swap.max", "0", &err), -ENOENT);
        assert_non_null(strstr(err.msg, "memory.swap.max"));
        close(gfd);

        /* rmdir: a directory holding files is refused, an empty one goes. */
        assert_true(mc_cgroup_rmdir_at(pfd, "db-1", &err) < 0);
        rm_rf_at(pfd, "db-1");
        assert_int_equal(mkdirat(pfd, "empty", 0755), 0);
        assert_int_equal(mc_cgroup_rmdir_at(pfd, "empty", &err), 0);
        close(pfd);
}

/* Where this host's memory controller is mounted, as libcgroup will find it; NULL when nowhere. */
static char *host_memory_mount(void)
{
        struct mc_cgroup_mounts m = { 0 };
        struct mc_error err = { 0 };
        char *found = NULL;
        FILE *f = fopen("/proc/self/mountinfo", "re");

        if (!f)
                return NULL;
        if (mc_cgroup_parse_mountinfo(f, &m, &err) == 0) {
                _cleanup_free_ char *ctl = NULL;
                int fd = m.unified ? open(m.unified, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -EBADF;
                if (m.memory_v1)
                        found = strdup(m.memory_v1);
                else if (fd >= 0 && mc_read_file_at(fd, "cgroup.controllers", &ctl, &err) == 0 &&
                         list_has(ctl, "memory"))
                        found = strdup(m.unified);
                if (fd >= 0)
                        close(fd);
        }
        fclose(f);
        mc_cgroup_mounts_free(&m);
        return found;
}

static void test_libcgroup_refuses_foreign_root(void **state)
{
        struct fixture *fx = *state;
        const char *ctl[] = { "memory", NULL };
        struct mc_error err = { 0 };
        _cleanup_free_ char *mount = host_memory_mount();

        if (!mount) {
                print_message("SKIP: this host mounts no memory controller for libcgroup to find\n");
                skip();
        }
        /* libcgroup builds paths from its own mount table: a temp tree is never its hierarchy. */
        int r = mc_cgroup_backend_libcgroup.prepare(fx->root, fx->root_fd, "memcage", ctl, &err);
        print_message("libcgroup on a temp tree: %s\n", err.msg);
        assert_int_equal(r, -EXDEV);
        assert_non_null(strstr(err.msg, mount));
        assert_non_null(strstr(err.msg, "MEMCAGE_CGROUP_BACKEND=direct"));
        assert_false(exists_at(fx->root_fd, "memcage"));
}

/* ---- kill, remove, sweep ------------------------------------------------------------------ */

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

static void test_kill(void **state)
{
        struct fixture *fx = *state;
        struct mc_group_opts o = opts_of(fx, "memcage", "db-1", NULL);
        struct mc_group g;
        struct mc_error err = { 0 };

        assert_int_equal(mc_group_create(&o, &g, &err), 0);
        assert_int_equal(mc_group_kill(g.fd, &err), 0);
        assert_file(g.fd, "cgroup.kill", "1");

        /* Before 5.14 (no cgroup.kill): SIGKILL to each pid of cgroup.procs, in bounded rounds. */
        assert_int_equal(unlinkat(g.fd, "cgroup.kill", 0), 0);
        pid_t child = fork_sleeper();
        char procs[32];
        snprintf(procs, sizeof(procs), "%d\n", (int)child);
        write_at(g.fd, "cgroup.procs", procs);
        uint64_t t0 = mc_now_ns();
        /* The fake cgroup.procs never empties, so the rounds run out. */
        assert_int_equal(mc_group_kill(g.fd, &err), -EBUSY);
        assert_true(mc_now_ns() - t0 < 3000000000ull);
        int status;
        assert_int_equal(waitpid(child, &status, 0), child);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

        write_at(g.fd, "cgroup.procs", "");
        assert_int_equal(mc_group_kill(g.fd, &err), 0);
        mc_group_done(&g);
}

static void test_remove_busy(void **state)
{
        struct fixture *fx = *state;
        struct mc_group_opts o = opts_of(fx, "memcage", "db-1", NULL);
        struct mc_group g;
        struct mc_error err = { 0 };
        bool populated = false;

        assert_int_equal(mc_group_create(&o, &g, &err), 0);
        write_at(g.fd, "cgroup.events", "populated 1\nfrozen 0\n");
        assert_int_equal(mc_group_is_populated(g.fd, &populated, &err), 0);
        assert_true(populated);

        int fd = openat(g.parent_fd, "db-1", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        uint64_t t0 = mc_now_ns();
        assert_int_equal(mc_group_remove(&g, &err), -EBUSY);
        uint64_t took = mc_now_ns() - t0;
        assert_true(took >= 900000000ull && took < 3000000000ull);
        assert_non_null(strstr(err.msg, "still busy"));
        assert_true(exists_at(fx->root_fd, "memcage/db-1"));
        assert_true(g.parent_fd >= 0); /* kept for a retry */

        write_at(fd, "cgroup.events", "populated 0\nfrozen 0\n");
        close(fd);
        assert_int_equal(mc_group_remove(&g, &err), 0);
        assert_false(exists_at(fx->root_fd, "memcage/db-1"));
        mc_group_done(&g);

        write_at(fx->root_fd, "memcage/cgroup.events", "junk\n");
        assert_int_equal(mc_group_is_populated(-EBADF, &populated, &err) < 0, 1);
        int pfd = openat(fx->root_fd, "memcage", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(mc_group_is_populated(pfd, &populated, &err), -EINVAL);
        close(pfd);
}

/* A marked group as a launcher would leave it. */
static void make_marked(struct fixture *fx, int parent_fd, const char *name, const char *mark,
                        bool populated)
{
        char relpath[128];
        struct mc_error err = { 0 };
        snprintf(relpath, sizeof(relpath), "memcage/%s", name);
        assert_int_equal(
                fake_create(fx->root, fx->root_fd, relpath, (const char *[]){ "memory", NULL }, &err), 0);
        int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        if (mark)
                assert_int_equal(fsetxattr(fd, MC_GROUP_XATTR_LAUNCHER, mark, strlen(mark), 0), 0);
        if (populated)
                write_at(fd, "cgroup.events", "populated 1\nfrozen 0\n");
        close(fd);
}

static const struct mc_stale *find_stale(const struct mc_stale *s, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (streq(s[i].name, name))
                        return &s[i];
        return NULL;
}

static void test_sweep_stale(void **state)
{
        struct fixture *fx = *state;
        struct mc_error err = { 0 };
        unsigned long long self_start, dead_start;
        char mark[64];

        if (!xattr_ok) {
                print_message("SKIP: %s\n", xattr_why);
                skip();
        }
        assert_int_equal(
                fake_create(fx->root, fx->root_fd, "memcage", (const char *[]){ "memory", NULL }, &err), 0);
        int pfd = openat(fx->root_fd, "memcage", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(pfd >= 0);

        /* A dead launcher: a child's pid and start time, taken before it is reaped. */
        pid_t dead = fork_sleeper();
        assert_int_equal(mc_proc_starttime(dead, &dead_start), 0);
        kill(dead, SIGKILL);
        assert_int_equal(waitpid(dead, NULL, 0), dead);
        assert_int_equal(mc_proc_starttime(getpid(), &self_start), 0);

        snprintf(mark, sizeof(mark), "%d %llu", (int)dead, dead_start);
        make_marked(fx, pfd, "dead", mark, false);
        make_marked(fx, pfd, "dead-busy", mark, true);
        snprintf(mark, sizeof(mark), "%d %llu", (int)getpid(), self_start + 1);
        make_marked(fx, pfd, "pid-reused", mark, false);
        snprintf(mark, sizeof(mark), "%d %llu", (int)getpid(), self_start);
        make_marked(fx, pfd, "alive", mark, false);
        make_marked(fx, pfd, "unmarked", NULL, false);
        make_marked(fx, pfd, "foreign-mark", "not a mark", false);

        struct mc_stale *s = NULL;
        size_t n = 0;
        assert_int_equal(mc_group_sweep_stale(pfd, &fake_backend, &s, &n, &err), 0);
        assert_int_equal(n, 3);

        const struct mc_stale *e = find_stale(s, n, "dead");
        assert_non_null(e);
        assert_int_equal(e->launcher, dead);
        assert_true(e->removed && !e->populated && e->error == 0);
        e = find_stale(s, n, "pid-reused");
        assert_non_null(e);
        assert_true(e->removed && !e->populated);
        e = find_stale(s, n, "dead-busy");
        assert_non_null(e);
        assert_true(e->populated && !e->removed && e->error == 0);
        mc_stale_free(s, n);

        assert_false(exists_at(pfd, "dead"));
        assert_false(exists_at(pfd, "pid-reused"));
        assert_true(exists_at(pfd, "dead-busy"));
        assert_true(exists_at(pfd, "alive"));
        assert_true(exists_at(pfd, "unmarked"));
        assert_true(exists_at(pfd, "foreign-mark"));

        /* A second sweep reports only the populated one; parent_fd is still usable. */
        assert_int_equal(mc_group_sweep_stale(pfd, &fake_backend, &s, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_string_equal(s[0].name, "dead-busy");
        mc_stale_free(s, n);

        /* A stale group with a child group cannot go: reported with the error. */
        int busy = openat(pfd, "dead-busy", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        write_at(busy, "cgroup.events", "populated 0\nfrozen 0\n");
        assert_int_equal(mkdirat(busy, "child", 0755), 0);
        close(busy);
        assert_int_equal(mc_group_sweep_stale(pfd, &fake_backend, &s, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(s[0].error, -EBUSY);
        assert_false(s[0].removed);
        mc_stale_free(s, n);
        close(pfd);
}

/*
 * A launcher killed between mkdir and mark: the parent's creation record
 * names the group, so the sweep removes it when its launcher is gone and
 * it is empty and unmarked, and drops the record. A live launcher's record
 * and group, a populated group and an unmarked group without a record stay.
 * A frozen stale group is thawed.
 */
static void test_sweep_unmarked(void **state)
{
        struct fixture *fx = *state;
        struct mc_error err = { 0 };
        unsigned long long self_start, dead_start;
        uint64_t pidns;
        char mark[64], value[128], xname[128];

        if (!xattr_ok) {
                print_message("SKIP: %s\n", xattr_why);
                skip();
        }
        assert_int_equal(mc_pidns_self(&pidns), 0);
        assert_int_equal(
                fake_create(fx->root, fx->root_fd, "memcage", (const char *[]){ "memory", NULL }, &err), 0);
        int pfd = openat(fx->root_fd, "memcage", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(pfd >= 0);
        pid_t dead = fork_sleeper();
        assert_int_equal(mc_proc_starttime(dead, &dead_start), 0);
        kill(dead, SIGKILL);
        assert_int_equal(waitpid(dead, NULL, 0), dead);
        assert_int_equal(mc_proc_starttime(getpid(), &self_start), 0);

        /* A dead launcher's group, made but not marked; another whose launcher died before its mkdir. */
        make_marked(fx, pfd, "half-made", NULL, false);
        snprintf(mark, sizeof(mark), "%d %llu %" PRIu64, (int)dead, dead_start, pidns);
        snprintf(value, sizeof(value), "%s/half-made", mark);
        snprintf(xname, sizeof(xname), "%s%d.%llu.%" PRIu64, MC_GROUP_XATTR_CREATING, (int)dead, dead_start,
                 pidns);
        assert_int_equal(fsetxattr(pfd, xname, value, strlen(value), 0), 0);
        snprintf(value, sizeof(value), "%s/never-made", mark);
        snprintf(xname, sizeof(xname), "%s%d.%llu.%" PRIu64 "x", MC_GROUP_XATTR_CREATING, (int)dead,
                 dead_start, pidns);
        assert_int_equal(fsetxattr(pfd, xname, value, strlen(value), 0), 0);
        /* A live launcher between its mkdir and its mark. */
        make_marked(fx, pfd, "being-made", NULL, false);
        snprintf(mark, sizeof(mark), "%d %llu %" PRIu64, (int)getpid(), self_start, pidns);
        snprintf(value, sizeof(value), "%s/being-made", mark);
        snprintf(xname, sizeof(xname), "%s%d.%llu.%" PRIu64, MC_GROUP_XATTR_CREATING, (int)getpid(),
                 self_start, pidns);
        assert_int_equal(fsetxattr(pfd, xname, value, strlen(value), 0), 0);
        /* No record: not provably memcage's. */
        make_marked(fx, pfd, "someone-elses", NULL, false);
        /* A dead launcher's frozen group. */
        snprintf(mark, sizeof(mark), "%d %llu %" PRIu64, (int)dead, dead_start, pidns);
        make_marked(fx, pfd, "frozen", mark, true);
        int ffd = openat(pfd, "frozen", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        write_at(ffd, "cgroup.freeze", "1");

        struct mc_stale *s = NULL;
        size_t n = 0;
        assert_int_equal(mc_group_sweep_stale(pfd, &fake_backend, &s, &n, &err), 0);
        assert_int_equal(n, 2);
        const struct mc_stale *e = find_stale(s, n, "half-made");
        assert_non_null(e);
        assert_int_equal(e->launcher, dead);
        assert_true(e->removed && !e->populated);
        e = find_stale(s, n, "frozen");
        assert_non_null(e);
        assert_true(e->populated && e->thawed && !e->removed);
        mc_stale_free(s, n);
        assert_file(ffd, "cgroup.freeze", "0");
        close(ffd);

        assert_false(exists_at(pfd, "half-made"));
        assert_true(exists_at(pfd, "being-made"));
        assert_true(exists_at(pfd, "someone-elses"));
        /* Only the live launcher's record is left. */
        char list[1024];
        ssize_t len = flistxattr(pfd, list, sizeof(list));
        assert_true(len > 0);
        unsigned records = 0;
        for (char *x = list; x < list + len; x += strlen(x) + 1)
                if (strncmp(x, MC_GROUP_XATTR_CREATING, strlen(MC_GROUP_XATTR_CREATING)) == 0) {
                        assert_string_equal(x, xname);
                        records++;
                }
        assert_int_equal(records, 1);
        close(pfd);
}

/* mc_group_create leaves no creation record on the parent, made or failed. */
static void test_create_drops_record(void **state)
{
        struct fixture *fx = *state;
        struct mc_group_opts o = opts_of(fx, "memcage", "db-1", NULL);
        struct mc_group g;
        struct mc_error err = { 0 };
        char list[1024];

        if (!xattr_ok) {
                print_message("SKIP: %s\n", xattr_why);
                skip();
        }
        assert_int_equal(mc_group_create(&o, &g, &err), 0);
        ssize_t len = flistxattr(g.parent_fd, list, sizeof(list));
        for (char *x = list; len > 0 && x < list + len; x += strlen(x) + 1)
                assert_null(strstr(x, "creating"));
        /* The same name again: refused, and no record either. */
        struct mc_group g2;
        assert_int_equal(mc_group_create(&o, &g2, &err), -EEXIST);
        len = flistxattr(g.parent_fd, list, sizeof(list));
        for (char *x = list; len > 0 && x < list + len; x += strlen(x) + 1)
                assert_null(strstr(x, "creating"));
        mc_group_done(&g);
}

/*
 * A pid means something only in its pid namespace: a mark naming another
 * one is never judged dead, whatever that pid is here; our namespace's and
 * the two-field marks of earlier versions are judged as before.
 */
static void test_sweep_pid_namespaces(void **state)
{
        struct fixture *fx = *state;
        struct mc_error err = { 0 };
        unsigned long long dead_start;
        uint64_t ns;
        char mark[96];

        if (!xattr_ok) {
                print_message("SKIP: %s\n", xattr_why);
                skip();
        }
        assert_int_equal(mc_pidns_self(&ns), 0);
        assert_int_equal(
                fake_create(fx->root, fx->root_fd, "memcage", (const char *[]){ "memory", NULL }, &err), 0);
        int pfd = openat(fx->root_fd, "memcage", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(pfd >= 0);
        pid_t dead = fork_sleeper();
        assert_int_equal(mc_proc_starttime(dead, &dead_start), 0);
        kill(dead, SIGKILL);
        assert_int_equal(waitpid(dead, NULL, 0), dead);

        snprintf(mark, sizeof(mark), "%d %llu %" PRIu64, (int)dead, dead_start, ns + 1);
        make_marked(fx, pfd, "other-ns", mark, false);
        make_marked(fx, pfd, "other-ns-busy", mark, true);
        snprintf(mark, sizeof(mark), "%d %llu %" PRIu64, (int)dead, dead_start, ns);
        make_marked(fx, pfd, "our-ns", mark, false);
        snprintf(mark, sizeof(mark), "%d %llu", (int)dead, dead_start);
        make_marked(fx, pfd, "two-fields", mark, false);
        /*
         * A third field that is no inode: a mark of memcage (PID STARTTIME
         * parse) this version does not understand. Its launcher may be alive
         * somewhere; left alone and reported, like another namespace's.
         */
        snprintf(mark, sizeof(mark), "%d %llu pid:[%" PRIu64 "]", (int)dead, dead_start, ns);
        make_marked(fx, pfd, "bad-ns", mark, false);
        snprintf(mark, sizeof(mark), "%d %llu %" PRIu64 " 7", (int)dead, dead_start, ns);
        make_marked(fx, pfd, "four-fields", mark, false);
        snprintf(mark, sizeof(mark), "%d %llu 0", (int)dead, dead_start);
        make_marked(fx, pfd, "zero-ns", mark, false);

        struct mc_stale *s = NULL;
        size_t n = 0;
        assert_int_equal(mc_group_sweep_stale(pfd, &fake_backend, &s, &n, &err), 0);
        assert_int_equal(n, 7);
        const struct mc_stale *e = find_stale(s, n, "other-ns");
        assert_non_null(e);
        assert_int_equal(e->state, MC_LAUNCHER_OTHER_NS);
        assert_int_equal(e->launcher, dead);
        assert_true(e->launcher_pidns == ns + 1);
        assert_true(!e->removed && !e->populated && e->error == 0);
        e = find_stale(s, n, "other-ns-busy");
        assert_non_null(e);
        assert_int_equal(e->state, MC_LAUNCHER_OTHER_NS);
        assert_true(!e->removed && !e->populated && e->error == 0);
        e = find_stale(s, n, "our-ns");
        assert_non_null(e);
        assert_int_equal(e->state, MC_LAUNCHER_GONE);
        assert_true(e->launcher_pidns == ns);
        assert_true(e->removed);
        e = find_stale(s, n, "two-fields");
        assert_non_null(e);
        assert_int_equal(e->state, MC_LAUNCHER_GONE);
        assert_true(e->launcher_pidns == 0);
        assert_true(e->removed);
        for (const char *const *name = (const char *const[]){ "bad-ns", "four-fields", "zero-ns", NULL };
             *name; name++) {
                e = find_stale(s, n, *name);
                assert_non_null(e);
                assert_int_equal(e->state, MC_LAUNCHER_UNKNOWN);
                assert_int_equal(e->launcher, dead);
                assert_true(!e->removed && e->error == 0);
        }
        mc_stale_free(s, n);

        assert_true(exists_at(pfd, "other-ns"));
        assert_true(exists_at(pfd, "other-ns-busy"));
        assert_false(exists_at(pfd, "our-ns"));
        assert_false(exists_at(pfd, "two-fields"));
        assert_true(exists_at(pfd, "bad-ns"));
        assert_true(exists_at(pfd, "four-fields"));
        assert_true(exists_at(pfd, "zero-ns"));

        /* The same judgement read one group at a time; our own live launcher in our namespace. */
        struct mc_launcher l;
        int gfd = openat(pfd, "other-ns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(mc_group_read_launcher(gfd, &l), 0);
        assert_int_equal(l.state, MC_LAUNCHER_OTHER_NS);
        assert_int_equal(l.pid, dead);
        assert_true(l.starttime == dead_start && l.pidns == ns + 1);
        /* Our own namespace unreadable: a namespaced mark cannot be judged either. */
        assert_int_equal(mc_group_read_launcher_ns(gfd, 0, &l), 0);
        assert_int_equal(l.state, MC_LAUNCHER_UNKNOWN);
        close(gfd);
        unsigned long long self_start;
        assert_int_equal(mc_proc_starttime(getpid(), &self_start), 0);
        snprintf(mark, sizeof(mark), "%d %llu %" PRIu64, (int)getpid(), self_start, ns);
        make_marked(fx, pfd, "alive", mark, false);
        gfd = openat(pfd, "alive", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(mc_group_read_launcher(gfd, &l), 0);
        assert_int_equal(l.state, MC_LAUNCHER_ALIVE);
        close(gfd);
        close(pfd);
}

static void test_sweep_empty(void **state)
{
        struct fixture *fx = *state;
        struct mc_stale *s = (struct mc_stale *)1;
        size_t n = 7;
        struct mc_error err = { 0 };

        assert_int_equal(mc_group_sweep_stale(fx->root_fd, &fake_backend, &s, &n, &err), 0);
        assert_null(s);
        assert_int_equal(n, 0);
        mc_stale_free(NULL, 0);
}

/* ---- main ------------------------------------------------------------------------------- */

/* user.* xattrs: tmpfs has them since 6.6, ext4 always; pick a place where they work. */
static int setup_base(void **state)
{
        (void)state;
        base = fake_make_base("cgroup", &xattr_ok, xattr_why, sizeof(xattr_why));
        if (!base)
                return -1;
        if (!xattr_ok)
                print_message("NOTE: %s; xattr checks are skipped\n", xattr_why);
        return 0;
}

static int teardown_base(void **state)
{
        if (base)
                rm_rf_at(AT_FDCWD, base);
        free(base);
        return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_root, teardown_root)

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mountinfo_hybrid),
                cmocka_unit_test(test_mountinfo_unified),
                cmocka_unit_test(test_mountinfo_legacy),
                cmocka_unit_test(test_mountinfo_none),
                cmocka_unit_test(test_mountinfo_escapes),
                cmocka_unit_test(test_mountinfo_malformed),
                T(test_open_root_hybrid),
                T(test_open_root_unified),
                T(test_open_root_without_memory),
                T(test_open_root_legacy_and_none),
                cmocka_unit_test(test_validate_name),
                cmocka_unit_test(test_validate_path),
                T(test_create_read_remove),
                T(test_create_in_root_and_nested),
                T(test_create_missing_kernel_files),
                T(test_create_failed_write_leaves_nothing),
                T(test_create_refuses_populated_parent),
                T(test_create_refuses_existing_leaf),
                T(test_create_loser_leaves_winner),
                T(test_create_ready_parent),
                T(test_create_controller_not_available),
                T(test_backend_get),
                T(test_direct_backend),
                T(test_libcgroup_refuses_foreign_root),
                T(test_kill),
                T(test_remove_busy),
                T(test_sweep_stale),
                T(test_sweep_unmarked),
                T(test_create_drops_record),
                T(test_sweep_pid_namespaces),
                T(test_sweep_empty),
        };
        return cmocka_run_group_tests_name("cgroup", tests, setup_base, teardown_base);
}
