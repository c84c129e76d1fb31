/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The placement stage on a temporary directory shaped like cgroupfs: groups
 * are directories with their interface files, /proc/self/cgroup is a file of
 * the test's, a directory stands for /run/systemd/system, and a fake manager
 * "starts a scope" by making its group and rewriting that file, as systemd
 * moving memcage would.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>

#include "cgroup-backend.h"
#include "fake-cgroupfs.h"
#include "placement.h"
#include "util.h"

static char *base;
static bool xattr_ok;
static char xattr_why[256];

/* A new group's interface files, as the kernel makes them. */
static int fake_mkdir(int parent_fd, const char *name, struct mc_error *err)
{
        if (mkdirat(parent_fd, name, 0755) < 0)
                return errno == EEXIST ? -EEXIST : mc_error_errno(err, errno, "mkdir %s", name);
        int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        write_at(fd, "cgroup.procs", "");
        write_at(fd, "cgroup.events", "populated 0\nfrozen 0\n");
        write_at(fd, "cgroup.controllers", "memory pids");
        write_at(fd, "cgroup.subtree_control", "");
        close(fd);
        return 0;
}

static int fake_root_fd = -1; /* the fake mount of the current test */

/* Drops pid from every cgroup.procs below dir_fd: a process is in one group only. */
static void remove_pid_everywhere(int dir_fd, long pid)
{
        char *procs = read_at(dir_fd, "cgroup.procs");
        if (procs) {
                char out[4096] = "";
                size_t len = 0;
                for (char *p = procs, *end; *p; p = end) {
                        long v = strtol(p, &end, 10);
                        if (end == p)
                                break;
                        end += strspn(end, " \n");
                        if (v != pid)
                                len += (size_t)snprintf(out + len, sizeof(out) - len, "%ld\n", v);
                }
                write_at(dir_fd, "cgroup.procs", out);
                free(procs);
        }
        DIR *d = mc_opendir_at(dir_fd, ".");
        assert_non_null(d);
        for (struct dirent *e; (e = readdir(d));)
                if (e->d_type == DT_DIR && e->d_name[0] != '.') {
                        int sub = openat(dir_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        assert_true(sub >= 0);
                        remove_pid_everywhere(sub, pid);
                        close(sub);
                }
        closedir(d);
}

static bool same_dir(int a, int b)
{
        struct stat sa, sb;
        return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

/*
 * Writes as cgroupfs takes them: a pid written to cgroup.procs leaves its
 * old group; "+c"/"-c" turn a controller on and off in cgroup.subtree_control,
 * and "+c" fails with EBUSY while a group other than the root holds processes.
 */
static int fake_write(int fd, const char *file, const char *value, struct mc_error *err)
{
        if (streq(file, "cgroup.procs")) {
                long pid = strtol(value, NULL, 10);
                remove_pid_everywhere(fake_root_fd, pid);
                char *procs = read_at(fd, "cgroup.procs");
                char out[4096];
                snprintf(out, sizeof(out), "%s%ld\n", procs ? procs : "", pid);
                write_at(fd, "cgroup.procs", out);
                free(procs);
                return 0;
        }
        if (streq(file, "cgroup.subtree_control") && (value[0] == '+' || value[0] == '-')) {
                char *list = read_at(fd, "cgroup.subtree_control");
                char *procs = read_at(fd, "cgroup.procs");
                char out[256] = "";
                size_t len = 0;
                bool busy = value[0] == '+' && procs && procs[strspn(procs, " \n")] &&
                            !same_dir(fd, fake_root_fd);
                free(procs);
                if (busy) {
                        free(list);
                        return mc_error_set(err, EBUSY, "write '%s' to '%s'", value, file);
                }
                for (char *save = NULL, *w = strtok_r(list, " \n", &save); w;
                     w = strtok_r(NULL, " \n", &save))
                        if (!streq(w, value + 1))
                                len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", len ? " " : "",
                                                        w);
                if (value[0] == '+')
                        snprintf(out + len, sizeof(out) - len, "%s%s", len ? " " : "", value + 1);
                free(list);
                write_at(fd, "cgroup.subtree_control", out);
                return 0;
        }
        return mc_write_file_at(fd, file, value, err);
}

static const struct mc_cgroup_backend fake_backend = {
        .name = "test",
        .mkdir = fake_mkdir,
        .write = fake_write,
        .remove = fake_remove,
};

/* As the kernel answers once systemd removed the scope the group was in: the files are gone. */
static int gone_write(int fd, const char *file, const char *value, struct mc_error *err)
{
        if (streq(file, "cgroup.subtree_control"))
                return mc_error_errno(err, ENOENT, "open '%s'", file);
        return fake_write(fd, file, value, err);
}

static const struct mc_cgroup_backend gone_backend = {
        .name = "test-gone",
        .mkdir = fake_mkdir,
        .write = gone_write,
        .remove = fake_remove,
};

struct fixture {
        char *dir;      /* holds root/, self-cgroup, systemd/ */
        int root_fd;    /* the fake cgroup2 mount */
        char self[600]; /* path of the fake /proc/self/cgroup */
        char sd[600];   /* path standing for /run/systemd/system (made on demand) */
        struct mc_placement_request req;
        /* what the fake manager was asked */
        int scope_calls;
        struct mc_scope_request asked;
        char asked_address[128], asked_slice[64];
        int scope_result;
        const char *scope_controllers;
};

/* A group with its interface files; procs as given. Groups above without a cgroup.procs get an empty one. */
static int make_group(int root_fd, const char *rel, const char *procs, const char *controllers)
{
        int fd = mkdir_p_at(root_fd, rel);
        char up[512];
        snprintf(up, sizeof(up), "%s", rel);
        for (char *slash; (slash = strrchr(up, '/'));) {
                *slash = '\0';
                int a = openat(root_fd, up, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                assert_true(a >= 0);
                if (!exists_at(a, "cgroup.procs"))
                        write_at(a, "cgroup.procs", "");
                close(a);
        }
        write_at(fd, "cgroup.procs", procs);
        write_at(fd, "cgroup.events", procs[0] ? "populated 1\n" : "populated 0\n");
        write_at(fd, "cgroup.controllers", controllers);
        write_at(fd, "cgroup.subtree_control", "");
        return fd;
}

static void set_self(struct fixture *fx, const char *rel)
{
        char text[600];
        snprintf(text, sizeof(text), "0::/%s\n", rel);
        write_at(AT_FDCWD, fx->self, text);
}

static char *self_pid(void)
{
        static char s[32];
        snprintf(s, sizeof(s), "%d\n", (int)getpid());
        return s;
}

/* The fake manager: makes memcage.slice/UNIT with the controllers asked, and moves "memcage" there. */
static int fake_start_scope(const struct mc_scope_request *req, void *userdata, struct mc_error *err)
{
        struct fixture *fx = userdata;
        char rel[300];

        fx->scope_calls++;
        fx->asked = *req;
        snprintf(fx->asked_address, sizeof(fx->asked_address), "%s", req->address ? req->address : "");
        snprintf(fx->asked_slice, sizeof(fx->asked_slice), "%s", req->slice ? req->slice : "(none)");
        if (fx->scope_result < 0)
                return mc_error_set(err, -fx->scope_result, "fake manager refused");
        snprintf(rel, sizeof(rel), "%s/%s", req->slice ? req->slice : "app.slice", req->unit);
        close(make_group(fx->root_fd, rel, self_pid(),
                         fx->scope_controllers ? fx->scope_controllers : "memory pids"));
        set_self(fx, rel);
        return 0;
}

static int setup(void **state)
{
        static unsigned counter;
        struct fixture *fx = calloc(1, sizeof(*fx));
        char dir[512];

        assert_non_null(fx);
        snprintf(dir, sizeof(dir), "%s/t-%u", base, ++counter);
        assert_int_equal(mkdir(dir, 0755), 0);
        fx->dir = strdup(dir);
        snprintf(dir, sizeof(dir), "%s/root", fx->dir);
        assert_int_equal(mkdir(dir, 0755), 0);
        fx->root_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fx->root_fd >= 0);
        fake_root_fd = fx->root_fd;
        write_at(fx->root_fd, "cgroup.procs", "1\n");
        write_at(fx->root_fd, "cgroup.controllers", "memory pids hugetlb");
        write_at(fx->root_fd, "cgroup.subtree_control", "memory pids");
        snprintf(fx->self, sizeof(fx->self), "%s/self-cgroup", fx->dir);
        snprintf(fx->sd, sizeof(fx->sd), "%s/systemd-system", fx->dir);
        set_self(fx, "");
        fx->req = (struct mc_placement_request){
                .root = "/sys/fs/cgroup",
                .root_fd = fx->root_fd,
                .proc_self_cgroup = fx->self,
                .systemd_dir = fx->sd,
                .euid = 0,
                .pid = getpid(),
                .system_bus = MC_PLACEMENT_SYSTEM_BUS,
                .unit = "memcage-db-42.scope",
                .description = "memcage: postgres",
                .start_scope = fake_start_scope,
                .start_scope_userdata = fx,
                .backend = &fake_backend,
        };
        *state = fx;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *fx = *state;
        close(fx->root_fd);
        rm_rf_at(AT_FDCWD, fx->dir);
        free(fx->dir);
        free(fx);
        return 0;
}

/* ---- /proc/self/cgroup and unit names ----------------------------------------------------------------- */

static void test_parse_self(void **state)
{
        struct mc_error err = { 0 };
        char *s = NULL;
        (void)state;
        assert_int_equal(mc_placement_parse_self("0::/system.slice/x.service\n", &s, &err), 0);
        assert_string_equal(s, "system.slice/x.service");
        free(s);
        assert_int_equal(mc_placement_parse_self("0::/\n", &s, &err), 0);
        assert_string_equal(s, "");
        free(s);
        /* hybrid: the v1 lines come first */
        assert_int_equal(
                mc_placement_parse_self("12:memory:/x\n1:name=systemd:/y\n0::/user.slice\n", &s, &err), 0);
        assert_string_equal(s, "user.slice");
        free(s);
        assert_int_equal(mc_placement_parse_self("12:memory:/x\n", &s, &err), -ENOENT);
        assert_int_equal(mc_placement_parse_self("0::/gone (deleted)\n", &s, &err), -ENOENT);
        /* outside the namespace the mount shows */
        assert_int_equal(mc_placement_parse_self("0::/../../x\n", &s, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "not inside"));
}

/* A run's group without --name: the profile's stem and memcage's pid. */
static void test_default_name(void **state)
{
        char *s = mc_group_default_name("./ci.ini", 42);
        assert_string_equal(s, "ci-42");
        free(s);
        s = mc_group_default_name(NULL, 7);
        assert_string_equal(s, "run-7");
        free(s);
}

static void test_scope_name(void **state)
{
        (void)state;
        char *s = mc_placement_scope_name("db", 1234);
        assert_string_equal(s, "memcage-db-1234.scope");
        free(s);
        s = mc_placement_scope_name("my job/ü", 7);
        assert_string_equal(s, "memcage-my_job___-7.scope");
        free(s);
}

/* A run's scope: named for its profile and pid, described by its command line (cut at 200 bytes). */
static void test_scope_names(void **state)
{
        char *argv[] = { "postgres", "-D", "/var/lib/db", NULL }, *unit = NULL, *desc = NULL;
        char long_arg[300];

        assert_int_equal(mc_placement_scope_names("./db.ini", argv, 1234, &unit, &desc), 0);
        assert_string_equal(unit, "memcage-db-1234.scope");
        assert_string_equal(desc, "memcage: postgres -D /var/lib/db");
        free(unit);
        free(desc);
        memset(long_arg, 'x', sizeof(long_arg) - 1);
        long_arg[sizeof(long_arg) - 1] = '\0';
        argv[1] = long_arg;
        assert_int_equal(mc_placement_scope_names(NULL, argv, 7, &unit, &desc), 0);
        assert_string_equal(unit, "memcage-run-7.scope");
        assert_int_equal(strlen(desc), 199);
        assert_true(strncmp(desc, "memcage: postgres xxx", 21) == 0);
        free(unit);
        free(desc);
        assert_int_equal(mc_placement_scope_names("db", NULL, 7, &unit, &desc), 0);
        assert_string_equal(desc, "memcage:");
        free(unit);
        free(desc);
}

/* The user's bus: in an absolute $XDG_RUNTIME_DIR an address holds as is, else where systemd puts it. */
static void test_user_bus(void **state)
{
        static const struct {
                const char *runtime_dir;
                uid_t uid;
                const char *want;
        } cases[] = {
                { "/run/user/1000", 1000, "unix:path=/run/user/1000/bus" },
                { "/tmp/rt", 1000, "unix:path=/tmp/rt/bus" },
                { "relative", 1001, "unix:path=/run/user/1001/bus" },
                { NULL, 1002, "unix:path=/run/user/1002/bus" },
                /* ',' and ';' would start another key or address, '%' an escape. */
                { "/tmp/a,guid=1", 1003, "unix:path=/run/user/1003/bus" },
                { "/tmp/a;unix:path=/x", 1004, "unix:path=/run/user/1004/bus" },
                { "/tmp/a%2f", 1005, "unix:path=/run/user/1005/bus" },
                { "/tmp/a b", 1006, "unix:path=/run/user/1006/bus" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *s = mc_placement_user_bus(cases[i].runtime_dir, cases[i].uid);
                assert_string_equal(s, cases[i].want);
                free(s);
        }
}

/* ---- 1: a named parent ----------------------------------------------------------------------------------
 */

static void test_named_parent(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };

        fx->req.parent = "ci/jobs";
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(p.kind, MC_PLACEMENT_PARENT);
        assert_string_equal(p.parent, "ci/jobs");
        assert_false(p.moved_self);
        assert_int_equal(fx->scope_calls, 0);
        mc_placement_done(&p);

        fx->req.parent = "../etc";
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "parent group '../etc'"));
}

/* ---- 2: delegated ---------------------------------------------------------------------------------------
 */

static void test_delegated_by_xattr_nests(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };

        if (!xattr_ok)
                skip();
        int g = make_group(fx->root_fd, "system.slice/app.service", self_pid(), "memory pids");
        assert_int_equal(fsetxattr(g, "user.delegate", "1", 1, 0), 0);
        set_self(fx, "system.slice/app.service");
        mkdir(fx->sd, 0755); /* systemd runs, but the group is delegated: no scope */

        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(p.kind, MC_PLACEMENT_DELEGATED);
        assert_string_equal(p.parent, "system.slice/app.service");
        assert_non_null(strstr(p.reason, "user.delegate on /system.slice/app.service"));
        assert_int_equal(fx->scope_calls, 0);
        /* memcage moved itself into the leaf, then enabled memory */
        char *procs = read_at(g, MC_PLACEMENT_LEAF "/cgroup.procs");
        assert_non_null(procs);
        assert_int_equal(atoi(procs), getpid());
        free(procs);
        char *sc = read_at(g, "cgroup.subtree_control");
        assert_string_equal(sc, "memory");
        free(sc);
        procs = read_at(g, "cgroup.procs");
        assert_string_equal(procs, "");
        free(procs);
        assert_non_null(p.enabled);
        assert_string_equal(p.enabled[0], "memory");
        assert_null(p.enabled[1]);

        /* restore: memory off again, memcage back, the leaf gone */
        assert_int_equal(mc_placement_restore(&p, fx->root_fd, &err), 0);
        sc = read_at(g, "cgroup.subtree_control");
        assert_string_equal(sc, "");
        free(sc);
        procs = read_at(g, "cgroup.procs");
        assert_int_equal(atoi(procs), getpid());
        free(procs);
        assert_false(exists_at(g, MC_PLACEMENT_LEAF));
        mc_placement_done(&p);
        close(g);
}

/* A group below a delegated one is inside the delegated subtree. */
static void test_delegated_ancestor(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };

        if (!xattr_ok)
                skip();
        int top = make_group(fx->root_fd, "system.slice/app.service", "", "memory pids");
        assert_int_equal(fsetxattr(top, "trusted.delegate", "1", 1, 0) == 0 ||
                                 fsetxattr(top, "user.delegate", "1", 1, 0) == 0,
                         true);
        int g = make_group(fx->root_fd, "system.slice/app.service/supervisor", self_pid(), "memory pids");
        set_self(fx, "system.slice/app.service/supervisor");
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(p.kind, MC_PLACEMENT_DELEGATED);
        assert_string_equal(p.parent, "system.slice/app.service/supervisor");
        assert_non_null(strstr(p.reason, "on /system.slice/app.service)"));
        mc_placement_done(&p);
        close(g);
        close(top);
}

/* Other processes in the group: refused with their names and both fixes, nothing changed. */
static void test_delegated_with_others_refused(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };
        char procs[64];

        if (!xattr_ok)
                skip();
        snprintf(procs, sizeof(procs), "1\n%d\n", (int)getpid());
        int g = make_group(fx->root_fd, "system.slice/app.service", procs, "memory pids");
        assert_int_equal(fsetxattr(g, "user.delegate", "1", 1, 0), 0);
        set_self(fx, "system.slice/app.service");

        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), -EBUSY);
        assert_non_null(strstr(err.msg, "1 other process besides memcage: 1 ("));
        assert_non_null(strstr(err.msg, "exec memcage"));
        assert_non_null(strstr(err.msg, "--evacuate"));
        assert_false(exists_at(g, MC_PLACEMENT_LEAF));
        char *sc = read_at(g, "cgroup.subtree_control");
        assert_string_equal(sc, "");
        free(sc);

        /* --evacuate: every process is moved into the leaf, then memory is enabled */
        fx->req.evacuate = true;
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        char *leaf = read_at(g, MC_PLACEMENT_LEAF "/cgroup.procs");
        assert_string_equal(leaf, procs);
        free(leaf);
        leaf = read_at(g, "cgroup.procs");
        assert_string_equal(leaf, "");
        free(leaf);
        /* restore leaves the leaf when others are in it */
        assert_int_equal(mc_placement_restore(&p, fx->root_fd, &err), 0);
        assert_true(exists_at(g, MC_PLACEMENT_LEAF));
        sc = read_at(g, "cgroup.subtree_control");
        assert_string_equal(sc, "memory");
        free(sc);
        mc_placement_done(&p);
        close(g);
}

/* Started in a delegated group's leaf (where --evacuate put a shell): the group is the place, memcage stays
 * put. */
static void test_started_in_leaf(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };
        char procs[64];

        if (!xattr_ok)
                skip();
        int g = make_group(fx->root_fd, "system.slice/app.service", "", "memory pids");
        assert_int_equal(fsetxattr(g, "user.delegate", "1", 1, 0), 0);
        snprintf(procs, sizeof(procs), "1\n%d\n", (int)getpid());
        close(make_group(fx->root_fd, "system.slice/app.service/" MC_PLACEMENT_LEAF, procs, "memory pids"));
        set_self(fx, "system.slice/app.service/" MC_PLACEMENT_LEAF);

        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(p.kind, MC_PLACEMENT_DELEGATED);
        assert_string_equal(p.parent, "system.slice/app.service");
        assert_false(p.moved_self);
        char *leaf = read_at(g, MC_PLACEMENT_LEAF "/cgroup.procs");
        assert_string_equal(leaf, procs);
        free(leaf);
        char *sc = read_at(g, "cgroup.subtree_control");
        assert_string_equal(sc, "memory");
        free(sc);
        /* nothing to move back: everything stays where it was */
        assert_int_equal(mc_placement_restore(&p, fx->root_fd, &err), 0);
        assert_true(exists_at(g, MC_PLACEMENT_LEAF));
        mc_placement_done(&p);
        close(g);
}

/* A pid and start time of a process that is gone: a child's, taken before it is reaped. */
static void dead_mark(char *mark, size_t n)
{
        unsigned long long start;
        uint64_t pidns;
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(0);
        assert_int_equal(mc_proc_starttime(pid, &start), 0);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        assert_int_equal(mc_pidns_self(&pidns), 0);
        snprintf(mark, n, "%d %llu %llu", (int)pid, start, (unsigned long long)pidns);
}

/*
 * The leaf carries its launcher and what it enables; a leaf whose launcher
 * died is swept (memory off again, the leaf removed) once nothing is in it
 * or beside it, and a launcher nesting into it takes it over and leaves the
 * group as it was before both.
 */
static void test_orphan_leaf(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_leaf_sweep ls;
        struct mc_error err = { 0 };
        char mark[96], value[160], own[160];
        unsigned long long start;
        uint64_t pidns;

        if (!xattr_ok)
                skip();
        int g = make_group(fx->root_fd, "system.slice/app.service", self_pid(), "memory pids");
        assert_int_equal(fsetxattr(g, "user.delegate", "1", 1, 0), 0);
        set_self(fx, "system.slice/app.service");
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        int leaf = openat(g, MC_PLACEMENT_LEAF, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(leaf >= 0);
        ssize_t k = fgetxattr(leaf, MC_PLACEMENT_XATTR_LEAF, value, sizeof(value) - 1);
        assert_true(k > 0);
        value[k] = '\0';
        assert_int_equal(mc_proc_starttime(getpid(), &start), 0);
        assert_int_equal(mc_pidns_self(&pidns), 0);
        snprintf(own, sizeof(own), "%d %llu %llu/memory", (int)getpid(), start, (unsigned long long)pidns);
        assert_string_equal(value, own);
        /* A live launcher's leaf is left alone. */
        assert_int_equal(mc_placement_sweep_leaf(g, &fake_backend, &ls, &err), 0);
        assert_false(ls.removed);
        mc_placement_done(&p);

        /* Its launcher died: the leaf empties, memory stays enabled. */
        dead_mark(mark, sizeof(mark));
        snprintf(value, sizeof(value), "%s/memory", mark);
        assert_int_equal(fsetxattr(leaf, MC_PLACEMENT_XATTR_LEAF, value, strlen(value), 0), 0);
        write_at(leaf, "cgroup.procs", "");
        /* Another group beside it: left alone. */
        assert_int_equal(mkdirat(g, "other", 0755), 0);
        assert_int_equal(mc_placement_sweep_leaf(g, &fake_backend, &ls, &err), 0);
        assert_false(ls.removed);
        assert_int_equal(unlinkat(g, "other", AT_REMOVEDIR), 0);
        /* The group removed meanwhile by its owner (systemd stops a dead launcher's scope): nothing to do.
         */
        assert_int_equal(mc_placement_sweep_leaf(g, &gone_backend, &ls, &err), 0);
        assert_false(ls.removed);
        assert_int_equal(err.code, 0);
        assert_int_equal(mc_placement_sweep_leaf(g, &fake_backend, &ls, &err), 0);
        assert_true(ls.removed);
        assert_non_null(ls.disabled);
        assert_string_equal(ls.disabled[0], "memory");
        assert_null(ls.disabled[1]);
        mc_strv_free(ls.disabled);
        assert_false(exists_at(g, MC_PLACEMENT_LEAF));
        char *sc = read_at(g, "cgroup.subtree_control");
        assert_string_equal(sc, "");
        free(sc);
        close(leaf);

        /* The same orphan, and the next launcher started inside it: it takes the leaf over. */
        write_at(g, "cgroup.subtree_control", "memory");
        close(make_group(fx->root_fd, "system.slice/app.service/" MC_PLACEMENT_LEAF, self_pid(),
                         "memory pids"));
        leaf = openat(g, MC_PLACEMENT_LEAF, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(fsetxattr(leaf, MC_PLACEMENT_XATTR_LEAF, value, strlen(value), 0), 0);
        set_self(fx, "system.slice/app.service/" MC_PLACEMENT_LEAF);
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_true(p.moved_self);
        assert_non_null(p.enabled);
        assert_string_equal(p.enabled[0], "memory");
        k = fgetxattr(leaf, MC_PLACEMENT_XATTR_LEAF, value, sizeof(value) - 1);
        assert_true(k > 0);
        value[k] = '\0';
        assert_string_equal(value, own);
        /* The fake's moves leave cgroup.events as written: memcage leaves the leaf in restore. */
        write_at(leaf, "cgroup.events", "populated 0\n");
        assert_int_equal(mc_placement_restore(&p, fx->root_fd, &err), 0);
        sc = read_at(g, "cgroup.subtree_control");
        assert_string_equal(sc, "");
        free(sc);
        assert_false(exists_at(g, MC_PLACEMENT_LEAF));
        mc_placement_done(&p);
        close(leaf);
        close(g);
}

/* A non-root user owning its group, cgroup.procs and cgroup.subtree_control has it delegated. */
static void test_delegated_by_ownership(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };

        if (geteuid() != 0)
                skip(); /* chown to another uid needs root */
        int g = make_group(fx->root_fd, "user.slice/user-4242.slice/user@4242.service/app.slice/job.scope",
                           self_pid(), "memory pids");
        set_self(fx, "user.slice/user-4242.slice/user@4242.service/app.slice/job.scope");
        fx->req.euid = 4242;
        /* Not owned yet: not delegated, and no systemd: refused, naming the uid. */
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), -EPERM);
        assert_non_null(strstr(err.msg, "uid 4242"));
        assert_non_null(strstr(err.msg, "not delegated"));

        assert_int_equal(fchown(g, 4242, 4242), 0);
        assert_int_equal(fchownat(g, "cgroup.procs", 4242, 4242, 0), 0);
        assert_int_equal(fchownat(g, "cgroup.subtree_control", 4242, 4242, 0), 0);
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(p.kind, MC_PLACEMENT_DELEGATED);
        assert_non_null(strstr(p.reason, "delegated to uid 4242"));
        mc_placement_done(&p);
        close(g);
}

/*
 * A non-root memcage in a group below a systemd delegation mark that it does
 * not own (a Slurm job's task group, root's, in slurmstepd's Delegate=yes
 * scope, below the job's group and its memory.max): refused with EACCES and
 * Slurm's way out, no scope asked for (it would leave the job's limit),
 * nothing changed.
 */
static void test_marked_but_not_owned(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };
        const char *task = "system.slice/n1_slurmstepd.scope/job_7/step_batch/user/task_0";

        if (!xattr_ok || geteuid() != 0)
                skip(); /* user.delegate on a test directory and chown need root */
        int top = make_group(fx->root_fd, "system.slice/n1_slurmstepd.scope", "", "memory pids");
        assert_int_equal(fsetxattr(top, "user.delegate", "1", 1, 0), 0);
        int g = make_group(fx->root_fd, task, self_pid(), "memory pids");
        int job = openat(fx->root_fd, "system.slice/n1_slurmstepd.scope/job_7",
                         O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(job >= 0);
        write_at(job, "memory.max", "104857600\n");
        write_at(g, "memory.max", "max\n");
        close(job);
        set_self(fx, task);
        assert_int_equal(mkdir(fx->sd, 0755), 0); /* a user manager would answer: not asked */
        fx->req.euid = 4242;
        fx->req.user_bus = "unix:path=/run/user/4242/bus";
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), -EACCES);
        assert_non_null(strstr(err.msg, "uid 4242"));
        assert_non_null(strstr(err.msg, "inside /system.slice/n1_slurmstepd.scope,"));
        assert_non_null(strstr(err.msg, "would leave the limit above it (memory.max 104857600 on "
                                        "/system.slice/n1_slurmstepd.scope/job_7)"));
        assert_non_null(strstr(err.msg, "Slurm"));
        assert_non_null(strstr(err.msg, "sudoers"));
        assert_int_equal(fx->scope_calls, 0);
        assert_int_equal(faccessat(g, MC_PLACEMENT_LEAF, F_OK, 0), -1);

        /* Owned by the user (delegated to it): the mark counts, it nests. */
        assert_int_equal(fchown(g, 4242, 4242), 0);
        assert_int_equal(fchownat(g, "cgroup.procs", 4242, 4242, 0), 0);
        assert_int_equal(fchownat(g, "cgroup.subtree_control", 4242, 4242, 0), 0);
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(p.kind, MC_PLACEMENT_DELEGATED);
        assert_non_null(strstr(p.reason, "user.delegate on /system.slice/n1_slurmstepd.scope)"));
        mc_placement_done(&p);
        close(g);
        close(top);
}

/*
 * A user's shell in a group of root's Delegate=yes service (runuser from the
 * service): not the user's to make groups in. Its own manager gives it a
 * scope, as it would to systemd-run --user --scope, and the reason says why;
 * without a manager the error names the ways out; a memory limit on a group
 * above keeps the run there (refused), since a scope of the user's would leave it.
 */
static void test_user_scope_from_roots_service(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };
        const char *svc = "system.slice/s.service";

        if (!xattr_ok || geteuid() != 0)
                skip(); /* user.delegate on a test directory, and a group that is not the test's uid */
        int g = make_group(fx->root_fd, svc, self_pid(), "memory pids");
        assert_int_equal(fsetxattr(g, "user.delegate", "1", 1, 0), 0);
        write_at(g, "memory.max", "max\n");
        set_self(fx, svc);
        assert_int_equal(mkdir(fx->sd, 0755), 0);
        fx->req.euid = 4242;

        /* No user bus known: refused, the ways out named, no manager asked. */
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), -EACCES);
        assert_non_null(strstr(err.msg, "is not uid 4242's"));
        assert_non_null(strstr(err.msg, "as root"));
        assert_non_null(strstr(err.msg, "--parent"));
        assert_int_equal(fx->scope_calls, 0);

        /* A bus no manager answers on: both ways out and linger. */
        fx->req.user_bus = "unix:path=/run/user/4242/bus";
        fx->scope_result = -ECONNREFUSED;
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), -ECONNREFUSED);
        assert_non_null(strstr(err.msg, "no user manager answers for uid 4242 on /run/user/4242/bus"));
        assert_non_null(strstr(err.msg, "is uid 0's"));
        assert_non_null(strstr(err.msg, "loginctl enable-linger"));
        assert_non_null(strstr(err.msg, "as root"));
        assert_non_null(strstr(err.msg, "--parent"));
        assert_int_equal(fx->scope_calls, 1);

        /* The user's manager answers: its scope, the reason saying why. */
        fx->scope_result = 0;
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(fx->scope_calls, 2);
        assert_true(fx->asked.user);
        assert_string_equal(fx->asked_address, "unix:path=/run/user/4242/bus");
        assert_string_equal(fx->asked_slice, "(none)");
        assert_int_equal(p.kind, MC_PLACEMENT_SCOPE);
        assert_string_equal(p.parent, "app.slice/memcage-db-42.scope");
        assert_string_equal(p.reason,
                            "/system.slice/s.service is uid 0's: transient scope memcage-db-42.scope "
                            "with Delegate=yes from uid 4242's user manager");
        assert_false(exists_at(g, MC_PLACEMENT_LEAF));
        mc_placement_done(&p);

        /* The service limits memory: a scope of the user's would leave that limit, so none is asked for. */
        set_self(fx, svc);
        write_at(g, "memory.high", "268435456\n");
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), -EACCES);
        assert_non_null(strstr(err.msg, "(memory.high 268435456 on /system.slice/s.service)"));
        assert_int_equal(fx->scope_calls, 2);
        close(g);
}

/* Delegated to uid as systemd does it: the directory and cgroup.procs (and subtree_control) become the
 * user's. */
static void chown_delegated(int root_fd, const char *rel, uid_t uid)
{
        int fd = openat(root_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(fchown(fd, uid, uid), 0);
        assert_int_equal(fchownat(fd, "cgroup.procs", uid, uid, 0), 0);
        if (exists_at(fd, "cgroup.subtree_control"))
                assert_int_equal(fchownat(fd, "cgroup.subtree_control", uid, uid, 0), 0);
        close(fd);
}

/*
 * Root started inside a user's delegated subtree (a shell in a unit of the
 * user's manager, below user@4242.service and its delegation mark): the user
 * may move processes between the groups there, so root's run does not go
 * there. It takes a scope of the system manager, or without one the root
 * placement, the reason saying why; nothing is made in the user's group.
 */
static void test_root_not_in_users_subtree(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };
        const char *user = "user.slice/user-4242.slice/user@4242.service";
        const char *job = "user.slice/user-4242.slice/user@4242.service/app.slice/job.service";

        if (!xattr_ok || geteuid() != 0)
                skip(); /* chown to another uid needs root */
        int top = make_group(fx->root_fd, user, "", "memory pids");
        assert_int_equal(fsetxattr(top, "user.delegate", "1", 1, 0), 0);
        int g = make_group(fx->root_fd, job, self_pid(), "memory pids");
        chown_delegated(fx->root_fd, user, 4242);
        chown_delegated(fx->root_fd, "user.slice/user-4242.slice/user@4242.service/app.slice", 4242);
        chown_delegated(fx->root_fd, job, 4242);
        set_self(fx, job);
        assert_int_equal(mkdir(fx->sd, 0755), 0);

        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(p.kind, MC_PLACEMENT_SCOPE);
        assert_int_equal(fx->scope_calls, 1);
        assert_false(fx->asked.user);
        assert_string_equal(p.parent, "memcage.slice/memcage-db-42.scope");
        assert_non_null(strstr(p.reason, "from the system manager; not /"
                                         "user.slice/user-4242.slice/"));
        assert_non_null(strstr(p.reason, "/sys/fs/cgroup/"
                                         "user.slice/user-4242.slice/user@4242.service/"
                                         "app.slice/job.service is writable by uid 4242"));
        assert_false(exists_at(g, MC_PLACEMENT_LEAF));
        char *sc = read_at(g, "cgroup.subtree_control");
        assert_string_equal(sc, "");
        free(sc);
        mc_placement_done(&p);

        /* Only the user@ group is the user's (a unit's group root made below it): still the user's subtree.
         */
        close(make_group(fx->root_fd, "user.slice/user-4242.slice/user@4242.service/init.scope", self_pid(),
                         "memory pids"));
        set_self(fx, "user.slice/user-4242.slice/user@4242.service/init.scope");
        assert_int_equal(rmdir(fx->sd), 0);
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(p.kind, MC_PLACEMENT_ROOT);
        assert_non_null(strstr(p.reason, "root on a cgroup tree without a manager; not /"));
        assert_non_null(strstr(p.reason, "user@4242.service is writable by uid 4242"));
        mc_placement_done(&p);

        /* A non-root memcage in its own delegated group still nests there. */
        set_self(fx, job);
        fx->req.euid = 4242;
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(p.kind, MC_PLACEMENT_DELEGATED);
        assert_string_equal(p.parent, job);
        mc_placement_done(&p);
        close(g);
        close(top);
}

/*
 * A root Delegate=yes service stays root's place, unless a group above it
 * lets others write: cgroup.procs writable by a group or by everyone, or a
 * directory of another user's; and the root placement is refused when the
 * root itself is not root's alone.
 */
static void test_root_chain_modes(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };

        if (!xattr_ok || geteuid() != 0)
                skip(); /* chown to another uid needs root */
        int g = make_group(fx->root_fd, "system.slice/app.service", self_pid(), "memory pids");
        assert_int_equal(fsetxattr(g, "user.delegate", "1", 1, 0), 0);
        set_self(fx, "system.slice/app.service");
        assert_int_equal(mkdir(fx->sd, 0755), 0);
        int slice = openat(fx->root_fd, "system.slice", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(slice >= 0);

        static const struct {
                const char *file;
                uid_t uid;
                gid_t gid;
                mode_t mode;
                const char *want;
        } cases[] = {
                { "cgroup.procs", 0, 100, 0664,
                  "system.slice/cgroup.procs is writable by group 100 (mode 0664)" },
                { "cgroup.procs", 0, 0, 0646,
                  "system.slice/cgroup.procs is writable by every user (mode 0646)" },
                { ".", 4242, 0, 0755, "system.slice is writable by uid 4242" },
                { "cgroup.procs", 4242, 0, 0644, "system.slice/cgroup.procs is writable by uid 4242" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                assert_int_equal(fchownat(slice, cases[i].file, cases[i].uid, cases[i].gid, 0), 0);
                assert_int_equal(fchmodat(slice, cases[i].file, cases[i].mode, 0), 0);
                fx->scope_calls = 0;
                set_self(fx, "system.slice/app.service");
                assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
                assert_int_equal(p.kind, MC_PLACEMENT_SCOPE);
                if (!strstr(p.reason, cases[i].want))
                        fail_msg("case %zu: '%s' lacks '%s'", i, p.reason, cases[i].want);
                mc_placement_done(&p);
                assert_int_equal(fchownat(slice, cases[i].file, 0, 0, 0), 0);
                assert_int_equal(fchmodat(slice, cases[i].file, cases[i].file[0] == '.' ? 0755 : 0644, 0),
                                 0);
        }

        /* All root's again: the service's group is the place (as s-12 sees it). */
        set_self(fx, "system.slice/app.service");
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(p.kind, MC_PLACEMENT_DELEGATED);
        assert_null(strstr(p.reason, "not /"));
        assert_int_equal(mc_placement_restore(&p, fx->root_fd, &err), 0);
        mc_placement_done(&p);

        /* No manager and a root that is not root's alone: refused, with the reason. */
        assert_int_equal(rmdir(fx->sd), 0);
        assert_int_equal(fchownat(fx->root_fd, "cgroup.procs", 4242, 4242, 0), 0);
        set_self(fx, "");
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), -EACCES);
        assert_non_null(
                strstr(err.msg, "not root's alone: /sys/fs/cgroup/cgroup.procs is writable by uid 4242"));
        close(slice);
        close(g);
}

/*
 * Root locks a delegated group on its cgroup.kill (0200, root's), not on the
 * directory every user may open: a directory flock held by another process
 * does not stall it. A lock on cgroup.kill held past the wait names its holder.
 */
static void test_root_group_lock(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };
        int ready[2];
        char buf[1];

        if (!xattr_ok || geteuid() != 0)
                skip();
        int g = make_group(fx->root_fd, "system.slice/app.service", self_pid(), "memory pids");
        assert_int_equal(fsetxattr(g, "user.delegate", "1", 1, 0), 0);
        write_at(g, "cgroup.kill", "");
        assert_int_equal(fchmodat(g, "cgroup.kill", 0200, 0), 0);
        set_self(fx, "system.slice/app.service");

        for (int lock_kill = 0; lock_kill < 2; lock_kill++) {
                assert_int_equal(pipe(ready), 0);
                pid_t holder = fork();
                assert_true(holder >= 0);
                if (holder == 0) {
                        int fd = lock_kill ? openat(g, "cgroup.kill", O_WRONLY | O_CLOEXEC)
                                           : openat(g, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (fd < 0 || flock(fd, LOCK_EX) < 0)
                                _exit(1);
                        (void)!write(ready[1], "x", 1);
                        pause();
                        _exit(0);
                }
                assert_int_equal(read(ready[0], buf, 1), 1);
                fx->req.lock_timeout_ms = 200;
                int r = mc_placement_prepare(&fx->req, &p, &err);
                if (!lock_kill) {
                        assert_int_equal(r, 0);
                        assert_int_equal(p.kind, MC_PLACEMENT_DELEGATED);
                        assert_int_equal(mc_placement_restore(&p, fx->root_fd, &err), 0);
                        mc_placement_done(&p);
                } else {
                        char want[64];
                        assert_int_equal(r, -ETIMEDOUT);
                        snprintf(want, sizeof(want), "locked by pid %d (", (int)holder);
                        if (!strstr(err.msg, want))
                                fail_msg("'%s' does not name the holder %d", err.msg, (int)holder);
                        assert_false(exists_at(g, MC_PLACEMENT_LEAF));
                }
                kill(holder, SIGKILL);
                assert_int_equal(waitpid(holder, NULL, 0), holder);
                close(ready[0]);
                close(ready[1]);
        }
        close(g);
}

/* The root of a cgroup namespace that has memory.max is a container's: nest there. */
static void test_container_root(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };

        write_at(fx->root_fd, "cgroup.procs", self_pid());
        write_at(fx->root_fd, "cgroup.subtree_control", "");
        write_at(fx->root_fd, "memory.max", "max\n");
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(p.kind, MC_PLACEMENT_CONTAINER);
        assert_string_equal(p.parent, "");
        assert_true(exists_at(fx->root_fd, MC_PLACEMENT_LEAF));
        mc_placement_done(&p);
}

/* A hugetlb run needs hugetlb passed down; a delegated group without it is refused with the reason. */
static void test_delegated_without_hugetlb(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };

        write_at(fx->root_fd, "cgroup.procs", self_pid());
        write_at(fx->root_fd, "memory.max", "max\n");
        write_at(fx->root_fd, "cgroup.controllers", "memory pids");
        fx->req.use_hugetlb = true;
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.msg, "hugetlb controller is not available"));
        assert_non_null(strstr(err.msg, "[hugetlb]"));
        assert_false(exists_at(fx->root_fd, MC_PLACEMENT_LEAF));
}

/* ---- 3: a systemd scope ---------------------------------------------------------------------------------
 */

static void test_root_scope(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };

        close(make_group(fx->root_fd, "system.slice/ssh.service", self_pid(), "memory pids"));
        set_self(fx, "system.slice/ssh.service"); /* not delegated: systemd's to write */
        assert_int_equal(mkdir(fx->sd, 0755), 0);
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(fx->scope_calls, 1);
        assert_string_equal(fx->asked_address, MC_PLACEMENT_SYSTEM_BUS);
        assert_string_equal(fx->asked_slice, MC_PLACEMENT_DEFAULT_SLICE);
        assert_false(fx->asked.user);
        assert_int_equal(fx->asked.pid, getpid());
        assert_int_equal(p.kind, MC_PLACEMENT_SCOPE);
        assert_string_equal(p.unit, "memcage-db-42.scope");
        assert_string_equal(p.parent, "memcage.slice/memcage-db-42.scope");
        assert_non_null(strstr(p.reason, "from the system manager"));
        /* the service's group was not written to */
        int svc = openat(fx->root_fd, "system.slice/ssh.service", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_false(exists_at(svc, MC_PLACEMENT_LEAF));
        close(svc);
        /* a scope is systemd's to remove: restore leaves it */
        assert_int_equal(mc_placement_restore(&p, fx->root_fd, &err), 0);
        int sc = openat(fx->root_fd, p.parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(exists_at(sc, MC_PLACEMENT_LEAF));
        close(sc);
        mc_placement_done(&p);
}

static void test_user_scope(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };

        close(make_group(fx->root_fd, "user.slice/user-4242.slice/session-3.scope", self_pid(),
                         "memory pids"));
        set_self(fx, "user.slice/user-4242.slice/session-3.scope");
        assert_int_equal(mkdir(fx->sd, 0755), 0);
        fx->req.euid = 4242;

        /* no user bus known */
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "loginctl enable-linger"));
        assert_int_equal(fx->scope_calls, 0);

        /* a bus nobody answers on */
        fx->req.user_bus = "unix:path=/run/user/4242/bus";
        fx->scope_result = -ECONNREFUSED;
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), -ECONNREFUSED);
        assert_non_null(strstr(err.msg, "no user manager answers for uid 4242"));

        /* a user manager not delegating memory: the drop-in */
        fx->scope_result = 0;
        fx->scope_controllers = "pids";
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.msg, "user@.service.d"));
        assert_string_equal(fx->asked_slice, "(none)"); /* the user manager's default slice */
        assert_true(fx->asked.user);

        fx->scope_controllers = NULL;
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(p.kind, MC_PLACEMENT_SCOPE);
        assert_string_equal(fx->asked_address, "unix:path=/run/user/4242/bus");
        assert_non_null(strstr(p.reason, "from the user manager"));
        mc_placement_done(&p);
}

/* ---- 4 and 5 --------------------------------------------------------------------------------------------
 */

static void test_root_without_manager(void **state)
{
        struct fixture *fx = *state;
        struct mc_placement p;
        struct mc_error err = { 0 };

        /* the real root: no memory.max */
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), 0);
        assert_int_equal(p.kind, MC_PLACEMENT_ROOT);
        assert_string_equal(p.parent, MC_PLACEMENT_ROOT_PARENT);
        assert_false(p.moved_self);
        assert_false(exists_at(fx->root_fd, MC_PLACEMENT_LEAF));
        mc_placement_done(&p);

        fx->req.euid = 4242;
        assert_int_equal(mc_placement_prepare(&fx->req, &p, &err), -EPERM);
        assert_non_null(strstr(err.msg, "run memcage as root"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_self),
                cmocka_unit_test(test_default_name),
                cmocka_unit_test(test_scope_name),
                cmocka_unit_test(test_scope_names),
                cmocka_unit_test(test_user_bus),
                cmocka_unit_test_setup_teardown(test_named_parent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_delegated_by_xattr_nests, setup, teardown),
                cmocka_unit_test_setup_teardown(test_delegated_ancestor, setup, teardown),
                cmocka_unit_test_setup_teardown(test_delegated_with_others_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_started_in_leaf, setup, teardown),
                cmocka_unit_test_setup_teardown(test_orphan_leaf, setup, teardown),
                cmocka_unit_test_setup_teardown(test_delegated_by_ownership, setup, teardown),
                cmocka_unit_test_setup_teardown(test_marked_but_not_owned, setup, teardown),
                cmocka_unit_test_setup_teardown(test_user_scope_from_roots_service, setup, teardown),
                cmocka_unit_test_setup_teardown(test_root_not_in_users_subtree, setup, teardown),
                cmocka_unit_test_setup_teardown(test_root_chain_modes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_root_group_lock, setup, teardown),
                cmocka_unit_test_setup_teardown(test_container_root, setup, teardown),
                cmocka_unit_test_setup_teardown(test_delegated_without_hugetlb, setup, teardown),
                cmocka_unit_test_setup_teardown(test_root_scope, setup, teardown),
                cmocka_unit_test_setup_teardown(test_user_scope, setup, teardown),
                cmocka_unit_test_setup_teardown(test_root_without_manager, setup, teardown),
        };
        base = fake_make_base("placement", &xattr_ok, xattr_why, sizeof(xattr_why));
        if (!base) {
                fprintf(stderr, "cannot create a temporary directory: %s\n", xattr_why);
                return 1;
        }
        if (!xattr_ok)
                fprintf(stderr, "# %s: the xattr cases skip\n", xattr_why);
        int failed = cmocka_run_group_tests(tests, NULL, NULL);
        rm_rf_at(AT_FDCWD, base);
        free(base);
        return failed;
}
