/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The run's group: create and mark it, write and read its limits, kill, remove it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>

#include "cgroup-backend.h"
#include "cgroup.h"
#include "crash-point.h"
#include "size.h"
#include "util.h"

#define REMOVE_RETRY_MS 10 /* EBUSY after a kill lasts milliseconds */
#define KILL_ROUNDS     20
#define KILL_ROUND_MS   50

static const char *backend_name;

void mc_cgroup_backend_choose(const char *name)
{
        backend_name = name;
}

int mc_cgroup_backend_get(const struct mc_cgroup_backend **ret, struct mc_error *err)
{
        const char *name = backend_name;

        if (!name || name[0] == '\0' || streq(name, "libcgroup"))
                *ret = &mc_cgroup_backend_libcgroup;
        else if (streq(name, "direct"))
                *ret = &mc_cgroup_backend_direct;
        else
                return mc_error_set(err, EINVAL,
                                    "MEMCAGE_CGROUP_BACKEND=%s is not a cgroup backend: use "
                                    "'libcgroup' (the default) or 'direct'",
                                    name);
        return 0;
}

int mc_cgroup_remove_retry(const struct mc_cgroup_backend *backend, int parent_fd, const char *name,
                           struct mc_error *err)
{
        int (*rm)(int, const char *, struct mc_error *) = backend ? backend->remove : mc_cgroup_rmdir_at;
        uint64_t deadline = mc_now_ns() + (uint64_t)MC_CGROUP_REMOVE_TIMEOUT_MS * 1000000ull;

        for (;;) {
                int r = rm(parent_fd, name, err);
                if (r == 0 || r == -ENOENT) {
                        mc_error_clear(err);
                        return 0;
                }
                if (r != -EBUSY || mc_now_ns() >= deadline)
                        return r;
                mc_sleep_ms(REMOVE_RETRY_MS);
        }
}

static char *strdup_vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *strdup_vprintf(const char *fmt, va_list ap)
{
        va_list aq;
        va_copy(aq, ap);
        int n = vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        if (n < 0)
                return NULL;
        char *s = malloc((size_t)n + 1);
        if (s)
                vsnprintf(s, (size_t)n + 1, fmt, ap);
        return s;
}

static char *strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strdup_printf(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        char *s = strdup_vprintf(fmt, ap);
        va_end(ap);
        return s;
}

static int strv_appendf(char ***v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int strv_appendf(char ***v, const char *fmt, ...)
{
        size_t n = 0;
        while (*v && (*v)[n])
                n++;
        char **nv = realloc(*v, (n + 2) * sizeof(char *));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        va_list ap;
        va_start(ap, fmt);
        nv[n] = strdup_vprintf(fmt, ap);
        va_end(ap);
        nv[n + 1] = NULL;
        return nv[n] ? 0 : -ENOMEM;
}

/* "root/relpath" for messages, "root" alone for an empty relpath. */
static char *group_shown(const char *root, const char *relpath)
{
        return relpath && relpath[0] ? strdup_printf("%s/%s", root, relpath) : strdup(root);
}

/* True when a cgroup.procs text lists a pid; *first gets the first one for messages. */
static bool procs_first(const char *procs, long *first)
{
        const char *p = procs + strspn(procs, " \t\n");
        if (*p == '\0')
                return false;
        *first = strtol(p, NULL, 10);
        return true;
}

/* Removes relpath through the backend, relative to its parent's fd. */
static int remove_relpath(const struct mc_cgroup_backend *backend, int root_fd, const char *relpath,
                          struct mc_error *err)
{
        const char *slash = strrchr(relpath, '/');
        if (!slash)
                return backend->remove(root_fd, relpath, err);
        _cleanup_free_ char *dir = strndup(relpath, (size_t)(slash - relpath));
        if (!dir)
                return mc_error_errno(err, ENOMEM, "remove group %s", relpath);
        _cleanup_close_ int fd = openat(root_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return mc_error_errno(err, errno, "open group %s", dir);
        return backend->remove(fd, slash + 1, err);
}

/* True when dir_fd's cgroup.subtree_control lists every controller. */
static bool enables_all(int dir_fd, const char *const *controllers)
{
        _cleanup_free_ char *list = NULL;
        struct mc_error ignored = { 0 };

        if (mc_read_file_at(dir_fd, "cgroup.subtree_control", &list, &ignored) < 0)
                return false;
        for (const char *const *c = controllers; *c; c++)
                if (!mc_cgroup_list_has(list, *c))
                        return false;
        return true;
}

/*
 * The kernel keeps subtree_control within cgroup.controllers, which is the
 * parent's subtree_control: a controller enabled in the parent is enabled
 * on the whole path from the root.
 */
static int check_enabled(int parent_fd, const char *shown, const char *const *controllers,
                         struct mc_error *err)
{
        _cleanup_free_ char *enabled = NULL;
        _cleanup_free_ char *available = NULL;
        int r = mc_read_file_at(parent_fd, "cgroup.subtree_control", &enabled, err);
        if (r < 0)
                return mc_error_prefix(err, "parent group %s", shown);

        for (const char *const *c = controllers; *c; c++) {
                if (mc_cgroup_list_has(enabled, *c))
                        continue;
                if (mc_read_file_at(parent_fd, "cgroup.controllers", &available, err) < 0)
                        return mc_error_prefix(err, "parent group %s", shown);
                available[strcspn(available, "\n")] = '\0';
                if (!mc_cgroup_list_has(available, *c))
                        return mc_error_set(err, EOPNOTSUPP,
                                            "the %s controller is not available in parent group %s "
                                            "(its cgroup.controllers lists %s): a group above it "
                                            "does not enable %s in cgroup.subtree_control",
                                            *c, shown, available[0] ? available : "nothing", *c);
                return mc_error_set(err, EOPNOTSUPP,
                                    "the %s controller is not enabled in %s/cgroup.subtree_control "
                                    "after preparing the parent",
                                    *c, shown);
        }
        return 0;
}

/*
 * The parent is made ready by the backend: its existing components are
 * checked to hold no processes first, and the missing ones are recorded in
 * *created (outermost first) as this call's to remove on failure. A
 * component another run creates between this walk and the backend's is
 * counted as this call's too; removing it then fails while the other run's
 * group is in it, which keeps it (only a run failing in the instant between
 * the other's prepare and its mkdirat takes the parent away, and that run
 * then fails with ENOENT, leaving nothing behind).
 */
static int prepare_parent(const struct mc_group_opts *opts, const struct mc_cgroup_backend *backend,
                          const char *const *controllers, int *ret_fd, char ***created, struct mc_error *err)
{
        _cleanup_close_ int cur = openat(opts->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        const char *parent = opts->parent ? opts->parent : "";
        bool missing = false;
        int r;

        if (cur < 0)
                return mc_error_errno(err, errno, "open %s", opts->root);

        for (const char *p = parent; *p;) {
                size_t n = strcspn(p, "/");
                size_t plen = (size_t)(p - parent) + n;
                _cleanup_free_ char *comp = strndup(p, n);
                _cleanup_free_ char *prefix = strndup(parent, plen);
                if (!comp || !prefix)
                        return mc_error_errno(err, ENOMEM, "open parent group %s", parent);

                int next = missing ? -EBADF
                                   : openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (missing || (next < 0 && errno == ENOENT)) {
                        missing = true;
                        if (strv_appendf(created, "%s", prefix) < 0)
                                return mc_error_errno(err, ENOMEM, "open parent group %s", parent);
                } else if (next < 0)
                        return mc_error_errno(err, errno, "open parent group %s/%s", opts->root, prefix);
                else {
                        _cleanup_free_ char *procs = NULL;
                        long pid;

                        close(cur);
                        cur = next;
                        r = mc_read_file_at(cur, "cgroup.procs", &procs, err);
                        if (r < 0)
                                return mc_error_prefix(err, "parent group %s/%s", opts->root, prefix);
                        /* The root is exempt from the rule; no other group that hands out controllers is. */
                        if (procs_first(procs, &pid))
                                return mc_error_set(err, EBUSY,
                                                    "parent group %s/%s holds processes of its own "
                                                    "(cgroup.procs lists pid %ld): cgroup v2 lets a group "
                                                    "enable controllers for child groups only while it "
                                                    "holds no processes (the no-internal-process rule), so "
                                                    "memcage needs a parent that holds only groups",
                                                    opts->root, prefix, pid);
                }
                p += n;
                if (*p == '/')
                        p++;
        }

        r = backend->prepare(opts->root, opts->root_fd, parent, controllers, err);
        if (r < 0)
                return mc_error_prefix(err, "%s backend: prepare parent group %s/%s", backend->name,
                                       opts->root, parent);

        _cleanup_close_ int fd = openat(opts->root_fd, parent[0] ? parent : ".",
                                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_free_ char *shown = group_shown(opts->root, parent);
        if (!shown)
                return mc_error_errno(err, ENOMEM, "open parent group %s", parent);
        if (fd < 0)
                return mc_error_errno(err, errno, "open parent group %s", shown);
        r = check_enabled(fd, shown, controllers, err);
        if (r < 0)
                return r;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/*
 * Opens the parent, ready for the run's group. It is ready when it exists
 * and its cgroup.subtree_control lists the controllers: then every group
 * above enables them too (see check_enabled), and a non-root group that
 * enables memory holds no processes (the kernel refuses a process there, and
 * enabling while it has one). That is every run but the first in a parent:
 * one open and one read, and no backend (no libcgroup) at all.
 */
static int open_parent(const struct mc_group_opts *opts, const struct mc_cgroup_backend *backend,
                       const char *const *controllers, int *ret_fd, char ***created, struct mc_error *err)
{
        const char *parent = opts->parent && opts->parent[0] ? opts->parent : ".";
        _cleanup_close_ int fd =
                openat(opts->root_fd, parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd >= 0 && enables_all(fd, controllers)) {
                *ret_fd = TAKE_FD(fd);
                return 0;
        }
        return prepare_parent(opts, backend, controllers, ret_fd, created, err);
}

/* The kernel's value in a new group: a missing file set to it changes nothing. */
static uint64_t limit_default(enum mc_limit l)
{
        switch (l) {
        case MC_LIMIT_LOW:
        case MC_LIMIT_MIN:
        case MC_LIMIT_OOM_GROUP:
                return 0;
        default:
                return MC_SIZE_MAX;
        }
}

static const char *missing_reason(enum mc_limit l)
{
        switch (l) {
        case MC_LIMIT_SWAP_MAX:
                /* Since 6.1 the swap files exist whenever CONFIG_SWAP is set. */
                return "the kernel has no swap accounting: built without CONFIG_SWAP or "
                       "CONFIG_MEMCG_SWAP, or booted with swapaccount=0 (before 6.1)";
        case MC_LIMIT_SWAP_HIGH:
                return "it needs Linux 5.8 or later with swap accounting (CONFIG_SWAP, and before "
                       "6.1 CONFIG_MEMCG_SWAP without swapaccount=0)";
        case MC_LIMIT_ZSWAP_MAX:
                return "the kernel is built without zswap (CONFIG_ZSWAP) or older than 5.19";
        case MC_LIMIT_OOM_GROUP:
                return "it needs Linux 4.19 or later";
        case MC_LIMIT_MIN:
                return "it needs Linux 4.18 or later";
        default:
                if (mc_limit_hugetlb_page(l) > 0)
                        return "the hugetlb controller is not enabled for the group, or the kernel "
                               "has no such huge page size (rsvd.max needs Linux 5.7 or later)";
                return "the memory controller is not enabled for the group";
        }
}

/*
 * A new group is charged nothing, so no write below reclaims; the order only
 * decides which failure is reported first: memory before swap.
 */
static const enum mc_limit write_order[] = {
        MC_LIMIT_OOM_GROUP,
        MC_LIMIT_MIN,
        MC_LIMIT_LOW,
        MC_LIMIT_HIGH,
        MC_LIMIT_MAX,
        MC_LIMIT_SWAP_HIGH,
        MC_LIMIT_SWAP_MAX,
        MC_LIMIT_ZSWAP_MAX,
        /* hugetlb: rsvd.max first, so that a fault limit never exceeds a reservation limit being set. */
        MC_LIMIT_HUGETLB_64KB_RSVD_MAX,
        MC_LIMIT_HUGETLB_64KB_MAX,
        MC_LIMIT_HUGETLB_2MB_RSVD_MAX,
        MC_LIMIT_HUGETLB_2MB_MAX,
        MC_LIMIT_HUGETLB_16MB_RSVD_MAX,
        MC_LIMIT_HUGETLB_16MB_MAX,
        MC_LIMIT_HUGETLB_32MB_RSVD_MAX,
        MC_LIMIT_HUGETLB_32MB_MAX,
        MC_LIMIT_HUGETLB_512MB_RSVD_MAX,
        MC_LIMIT_HUGETLB_512MB_MAX,
        MC_LIMIT_HUGETLB_1GB_RSVD_MAX,
        MC_LIMIT_HUGETLB_1GB_MAX,
};
_Static_assert(ELEMENTSOF(write_order) == _MC_LIMIT_COUNT, "write_order lists every limit");

/*
 * Writes each limit through the group's fd. A file the kernel does not have
 * (-ENOENT on open) fails a finite value and skips, with a warning, a value
 * equal to the kernel's default.
 */
static int write_limits(const struct mc_group_opts *opts, const struct mc_cgroup_backend *backend,
                        struct mc_group *g, struct mc_error *err)
{
        char buf[24];

        if (!opts->limits)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(write_order); i++) {
                enum mc_limit l = write_order[i];
                const struct mc_limit_value *v = &opts->limits->v[l];
                const char *file = mc_limit_file(l);

                if (!v->set)
                        continue;
                const char *value = mc_limit_format_kernel(l, v->value, buf, sizeof(buf));
                int r = backend->write(g->fd, file, value, err);
                if (r == 0)
                        continue;
                if (r != -ENOENT)
                        return mc_error_prefix(err, "group %s: write limits", g->relpath);
                mc_error_clear(err);
                if (v->value != limit_default(l))
                        return mc_error_set(err, EOPNOTSUPP, "cannot set %s to %s: group %s has no %s (%s)",
                                            file, value, g->relpath, file, missing_reason(l));
                if (strv_appendf(&g->warnings,
                                 "group %s has no %s (%s): %s=%s changes nothing there, skipped", g->relpath,
                                 file, missing_reason(l), mc_limit_name(l), value) < 0)
                        return mc_error_errno(err, ENOMEM, "group %s", g->relpath);
        }
        return 0;
}

int mc_group_launcher_mark(char *mark, size_t n, struct mc_error *err)
{
        unsigned long long start;
        pid_t self = getpid();
        uint64_t pidns;

        int r = mc_proc_starttime(self, &start);
        if (r < 0)
                return mc_error_errno(err, -r, "read the start time of pid %d", (int)self);
        /*
         * Without /proc/self/ns/pid (a kernel without CONFIG_PID_NS) there is
         * one pid namespace: the mark without it means just that.
         */
        if (mc_pidns_self(&pidns) == 0)
                snprintf(mark, n, "%d %llu %" PRIu64, (int)self, start, pidns);
        else
                snprintf(mark, n, "%d %llu", (int)self, start);
        return 0;
}

/*
 * The parent's record that this launcher is making name (see
 * MC_GROUP_XATTR_CREATING); *xname is its attribute name, "" when the
 * parent refuses it (no user xattrs, or the kernel's cap on their number):
 * then a kill between mkdir and mark leaves the group, as without a record.
 */
static void record_creating(int parent_fd, const char *mark, const char *name, char *xname, size_t n)
{
        _cleanup_free_ char *value = NULL;
        char key[64];

        xname[0] = '\0';
        snprintf(key, sizeof(key), "%s", mark);
        for (char *c = key; *c; c++)
                if (*c == ' ')
                        *c = '.';
        if (asprintf(&value, "%s/%s", mark, name) < 0)
                return;
        snprintf(xname, n, "%s%s", MC_GROUP_XATTR_CREATING, key);
        if (fsetxattr(parent_fd, xname, value, strlen(value), 0) < 0)
                xname[0] = '\0';
}

static void drop_creating(int parent_fd, const char *xname)
{
        if (xname[0])
                (void)fremovexattr(parent_fd, xname);
}

/*
 * The mark lets a later run tell a stale group (launcher gone) from a live
 * one. A filesystem refusing user.* xattrs (cgroupfs before 5.7) costs only
 * the sweeping, so it is a warning.
 */
static int mark_group(const struct mc_group_opts *opts, struct mc_group *g, const char *mark,
                      struct mc_error *err)
{
        const char *names[2] = { MC_GROUP_XATTR_LAUNCHER, MC_GROUP_XATTR_PROFILE };
        const char *values[2] = { mark, opts->profile };
        for (size_t i = 0; i < 2 && values[i]; i++) {
                if (fsetxattr(g->fd, names[i], values[i], strlen(values[i]), XATTR_CREATE) == 0)
                        continue;
                if (errno != EOPNOTSUPP && errno != EPERM)
                        return mc_error_errno(err, errno, "group %s: set %s", g->relpath, names[i]);
                if (strv_appendf(&g->warnings,
                                 "group %s: the filesystem refuses the extended attribute %s (%s): "
                                 "if this launcher dies, stale-group sweeping will not recognise "
                                 "the group",
                                 g->relpath, names[i], strerror(errno)) < 0)
                        return mc_error_errno(err, ENOMEM, "group %s", g->relpath);
                break;
        }
        return 0;
}

int mc_group_create(const struct mc_group_opts *opts, struct mc_group *ret, struct mc_error *err)
{
        const struct mc_cgroup_backend *backend = opts->backend;
        _cleanup_strv_free_ char **created = NULL;
        const char *controllers[3] = { "memory", NULL, NULL };
        struct mc_group g = { .fd = -EBADF, .parent_fd = -EBADF };
        char mark[64], creating[128] = "";
        bool leaf_created = false;
        int r;

        *ret = (struct mc_group){ .fd = -EBADF, .parent_fd = -EBADF };
        if (opts->use_hugetlb)
                controllers[1] = "hugetlb";
        if (!backend) {
                r = mc_cgroup_backend_get(&backend, err);
                if (r < 0)
                        return r;
        }
        r = mc_cgroup_validate_name(opts->name, err);
        if (r < 0)
                return r;
        if (opts->parent && opts->parent[0]) {
                r = mc_cgroup_validate_path(opts->parent, err);
                if (r < 0)
                        return r;
        }

        g.backend = backend;
        g.root = strdup(opts->root);
        g.parent = strdup(opts->parent ? opts->parent : "");
        g.name = strdup(opts->name);
        g.relpath = opts->parent && opts->parent[0] ? strdup_printf("%s/%s", opts->parent, opts->name)
                                                    : strdup(opts->name);
        if (!g.root || !g.parent || !g.name || !g.relpath) {
                r = mc_error_errno(err, ENOMEM, "create group");
                goto fail;
        }

        r = open_parent(opts, backend, controllers, &g.parent_fd, &created, err);
        if (r < 0)
                goto fail;

        /*
         * mkdirat's EEXIST is atomic: of two runs with the same name exactly
         * one creates the group, and the other leaves it alone (a group is
         * never reused, and never removed by a run that did not create it).
         */
        r = mc_group_launcher_mark(mark, sizeof(mark), err);
        if (r < 0)
                goto fail;
        record_creating(g.parent_fd, mark, g.name, creating, sizeof(creating));
        r = backend->mkdir(g.parent_fd, g.name, err);
        if (r == -EEXIST) {
                r = mc_error_set(err, EEXIST, "group %s/%s exists: memcage never reuses a group", g.root,
                                 g.relpath);
                goto fail;
        }
        if (r < 0) {
                mc_error_prefix(err, "group %s/%s", g.root, g.parent);
                goto fail;
        }
        leaf_created = true;

        g.fd = openat(g.parent_fd, g.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (g.fd < 0) {
                r = mc_error_errno(err, errno, "open group %s/%s", g.root, g.relpath);
                goto fail;
        }
        mc_crash_point("group-unmarked");
        r = mark_group(opts, &g, mark, err);
        if (r < 0)
                goto fail;
        drop_creating(g.parent_fd, creating);
        r = write_limits(opts, backend, &g, err);
        if (r < 0)
                goto fail;

        *ret = g;
        return 0;

fail:
        /* Nothing is left behind: the leaf, then the parents this call created, innermost first. */
        if (g.fd >= 0)
                close(g.fd);
        g.fd = -EBADF;
        if (leaf_created || created) {
                struct mc_error ignored = { 0 };
                size_t n = 0;
                if (leaf_created)
                        (void)backend->remove(g.parent_fd, g.name, &ignored);
                while (created && created[n])
                        n++;
                while (n-- > 0)
                        if (remove_relpath(backend, opts->root_fd, created[n], &ignored) < 0)
                                break; /* in use by another run meanwhile: not empty, keep it */
        }
        if (g.parent_fd >= 0)
                drop_creating(g.parent_fd, creating);
        mc_group_done(&g);
        return r;
}

int mc_group_read_limits(int group_fd, const struct mc_limits *which, struct mc_limits *ret,
                         struct mc_error *err)
{
        *ret = (struct mc_limits){ 0 };
        for (int l = 0; l < _MC_LIMIT_COUNT; l++) {
                const char *file = mc_limit_file(l);
                uint64_t v;

                if (which && !which->v[l].set)
                        continue;
                int r = mc_read_u64_at(group_fd, file, &v, err);
                if (r == -ENOENT)
                        continue; /* not on this kernel: stays unset */
                if (r < 0)
                        return r;
                ret->v[l].set = true;
                ret->v[l].value = v; /* "max" reads as UINT64_MAX, i.e. MC_SIZE_MAX */
        }
        return 0;
}

int mc_group_parse_populated(const char *events, bool *ret, struct mc_error *err)
{
        for (const char *p = events; p && *p;) {
                if (strncmp(p, "populated ", 10) == 0) {
                        *ret = p[10] == '1';
                        return 0;
                }
                p = strchr(p, '\n');
                if (p)
                        p++;
        }
        return mc_error_set(err, EINVAL, "cgroup.events has no 'populated' line");
}

int mc_group_is_populated(int group_fd, bool *ret, struct mc_error *err)
{
        _cleanup_free_ char *events = NULL;
        int r = mc_read_file_at(group_fd, "cgroup.events", &events, err);
        if (r < 0)
                return r;
        return mc_group_parse_populated(events, ret, err);
}

int mc_group_signal_all(int group_fd, int sig, unsigned *ret_count, struct mc_error *err)
{
        _cleanup_free_ char *procs = NULL;
        unsigned n = 0;
        int r = mc_read_file_at(group_fd, "cgroup.procs", &procs, err);
        if (r < 0)
                return r;
        for (char *p = procs, *end; *p; p = end) {
                long pid = strtol(p, &end, 10);
                if (end == p) {
                        end = p + 1;
                        continue;
                }
                if (pid <= 0)
                        continue;
                n++;
                /* ESRCH: it exited since cgroup.procs was read. */
                if (sig > 0 && kill((pid_t)pid, sig) < 0 && errno != ESRCH)
                        return mc_error_errno(err, errno, "signal pid %ld of the group", pid);
        }
        *ret_count = n;
        return 0;
}

int mc_group_kill(int group_fd, struct mc_error *err)
{
        int r = mc_write_file_at(group_fd, "cgroup.kill", "1", err);
        if (r != -ENOENT)
                return r;
        mc_error_clear(err);

        /*
         * cgroup.kill came with 5.14. Before, each pid in cgroup.procs gets
         * SIGKILL, in rounds: a process may fork while the others are killed.
         */
        for (int round = 0; round < KILL_ROUNDS; round++) {
                unsigned n;
                r = mc_group_signal_all(group_fd, SIGKILL, &n, err);
                if (r < 0)
                        return r;
                if (n == 0)
                        return 0;
                mc_sleep_ms(KILL_ROUND_MS);
        }
        return mc_error_set(err, EBUSY,
                            "processes remain in the group after %d rounds of SIGKILL over %d ms",
                            KILL_ROUNDS, KILL_ROUNDS * KILL_ROUND_MS);
}

int mc_group_remove(struct mc_group *g, struct mc_error *err)
{
        if (g->fd >= 0)
                close(g->fd);
        g->fd = -EBADF;
        if (g->parent_fd < 0 || !g->name)
                return mc_error_set(err, EBADF, "group %s is not open", g->relpath ? g->relpath : "?");

        int r = mc_cgroup_remove_retry(g->backend, g->parent_fd, g->name, err);
        if (r == -EBUSY)
                return mc_error_set(err, EBUSY,
                                    "group %s is still busy after %d ms: processes or child groups "
                                    "remain in it",
                                    g->relpath, MC_CGROUP_REMOVE_TIMEOUT_MS);
        if (r < 0)
                return mc_error_prefix(err, "group %s", g->relpath);
        close(g->parent_fd);
        g->parent_fd = -EBADF;
        return 0;
}

void mc_group_done(struct mc_group *g)
{
        if (g->fd >= 0)
                close(g->fd);
        if (g->parent_fd >= 0)
                close(g->parent_fd);
        free(g->root);
        free(g->parent);
        free(g->name);
        free(g->relpath);
        mc_strv_free(g->warnings);
        *g = (struct mc_group){ .fd = -EBADF, .parent_fd = -EBADF };
}
