/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stale groups of launchers that died: remove the empty ones, kill and remove the rest on request. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-backend.h"
#include "cgroup-gc.h"
#include "cgroup-stale.h"
#include "cgroup.h"
#include "util.h"

#define POLL_SLICE_MS 100

static int result_add(struct mc_gc_result **v, size_t *n, const char *name, const struct mc_launcher *l,
                      enum mc_gc_state state, struct mc_gc_result **ret)
{
        struct mc_gc_result *nv = realloc(*v, (*n + 1) * sizeof(**v));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        nv[*n] = (struct mc_gc_result){
                .name = strdup(name),
                .launcher = l->pid,
                .launcher_state = l->state,
                .launcher_pidns = l->pidns,
                .state = l->state == MC_LAUNCHER_GONE ? state : MC_GC_LEFT_ALONE,
        };
        if (!nv[*n].name)
                return -ENOMEM;
        *ret = &nv[(*n)++];
        return 0;
}

static int result_fail(struct mc_gc_result *res, int r, const struct mc_error *e)
{
        res->state = MC_GC_FAILED;
        res->error = r;
        res->message = strdup(e->msg[0] ? e->msg : strerror(-r));
        return res->message ? 0 : -ENOMEM;
}

/*
 * Waits until cgroup.events says "populated 0". POLLPRI wakes on a change in
 * the kernel's file; the bounded slices also cover a file that never
 * notifies (a test tree on a plain filesystem).
 */
static int wait_empty(int group_fd, unsigned wait_ms, struct mc_error *err)
{
        _cleanup_close_ int fd = openat(group_fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
        uint64_t deadline = mc_now_ns() + (uint64_t)wait_ms * 1000000ull;
        char buf[256];

        if (fd < 0)
                return mc_error_errno(err, errno, "open cgroup.events");
        for (;;) {
                ssize_t k = pread(fd, buf, sizeof(buf) - 1, 0);
                bool populated;
                /*
                 * ENODEV: the group was removed meanwhile, empty, by the owner
                 * of its parent (systemd stops a scope whose last process the
                 * kill ended, and takes the groups below it along).
                 */
                if (k < 0 && errno == ENODEV)
                        return 0;
                if (k < 0)
                        return mc_error_errno(err, errno, "read cgroup.events");
                buf[k] = '\0';
                int r = mc_group_parse_populated(buf, &populated, err);
                if (r < 0)
                        return r;
                if (!populated)
                        return 0;
                uint64_t now = mc_now_ns();
                if (now >= deadline)
                        return mc_error_set(err, EBUSY, "processes remain after %u ms", wait_ms);
                uint64_t left_ms = (deadline - now) / 1000000ull;
                struct pollfd p = { .fd = fd, .events = POLLPRI };
                /* POLLERR: the group is gone, which the next read tells. */
                if (poll(&p, 1, left_ms < POLL_SLICE_MS ? (int)left_ms + 1 : POLL_SLICE_MS) < 0 &&
                    errno != EINTR)
                        return mc_error_errno(err, errno, "poll cgroup.events");
        }
}

/* Kills a populated stale group, waits for it to empty and removes it. */
static int kill_and_remove(const struct mc_gc_opts *opts, const struct mc_cgroup_backend *backend,
                           struct mc_gc_result *res)
{
        _cleanup_close_ int fd =
                openat(opts->parent_fd, res->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct mc_error e = { 0 };
        struct mc_launcher l;
        int r;

        if (fd < 0) {
                /* Removed meanwhile (a run's own sweep): nothing left to do. */
                if (errno == ENOENT) {
                        res->state = MC_GC_KILLED;
                        return 0;
                }
                r = mc_error_errno(&e, errno, "open the group");
                return result_fail(res, r, &e);
        }
        /* Checked again right before killing: only a group whose launcher is gone is killed. */
        r = mc_group_read_launcher(fd, &l);
        if (r < 0 || l.state != MC_LAUNCHER_GONE || l.pid != res->launcher) {
                mc_error_set(&e, ESTALE, "the group's mark changed; left alone");
                return result_fail(res, -ESTALE, &e);
        }
        r = mc_group_kill(fd, &e);
        if (r < 0) {
                mc_error_prefix(&e, "kill");
                return result_fail(res, r, &e);
        }
        r = wait_empty(fd, opts->wait_ms ? opts->wait_ms : MC_GC_WAIT_MS, &e);
        if (r < 0) {
                mc_error_prefix(&e, "killed, but waiting for it to empty");
                return result_fail(res, r, &e);
        }
        r = mc_cgroup_remove_retry(backend, opts->parent_fd, res->name, &e);
        if (r < 0)
                return result_fail(res, r, &e);
        res->state = MC_GC_KILLED;
        return 0;
}

struct scan {
        const struct mc_gc_opts *opts;
        struct mc_gc_result **v;
        size_t *n;
};

static int scan_one(void *userdata, const char *name, int fd, const struct mc_launcher *l,
                    struct mc_error *err)
{
        struct scan *sc = userdata;
        struct mc_gc_result *res;
        struct mc_error e = { 0 };
        bool populated;

        if (result_add(sc->v, sc->n, name, l, MC_GC_WOULD_REMOVE, &res) < 0)
                return mc_error_errno(err, ENOMEM, "collect stale groups");
        if (res->state == MC_GC_LEFT_ALONE)
                return 0;
        int r = mc_group_is_populated(fd, &populated, &e);
        if (r < 0)
                r = result_fail(res, r, &e);
        else if (populated)
                res->state = sc->opts->kill ? MC_GC_WOULD_KILL : MC_GC_KEPT;
        if (r < 0)
                return mc_error_errno(err, ENOMEM, "collect stale groups");
        return 0;
}

/* A dry run: what the sweep would find (the same walk), without removing anything. */
static int scan_stale(const struct mc_gc_opts *opts, struct mc_gc_result **v, size_t *n,
                      struct mc_error *err)
{
        struct scan sc = { .opts = opts, .v = v, .n = n };
        uint64_t self_pidns = 0;
        (void)mc_pidns_self(&self_pidns); /* unreadable: 0, a namespaced mark is then not judged */
        return mc_group_walk_stale(opts->parent_fd, self_pidns, scan_one, &sc, err);
}

static int by_name(const void *a, const void *b)
{
        return strcmp(((const struct mc_gc_result *)a)->name, ((const struct mc_gc_result *)b)->name);
}

int mc_gc_collect(const struct mc_gc_opts *opts, struct mc_gc_result **ret, size_t *ret_n,
                  struct mc_error *err)
{
        const struct mc_cgroup_backend *backend = opts->backend;
        struct mc_gc_result *v = NULL;
        size_t n = 0;
        int r;

        *ret = NULL;
        *ret_n = 0;
        if (!backend) {
                r = mc_cgroup_backend_get(&backend, err);
                if (r < 0)
                        return r;
        }
        if (opts->dry_run) {
                r = scan_stale(opts, &v, &n, err);
                if (r < 0) {
                        mc_gc_results_free(v, n);
                        return r;
                }
        } else {
                struct mc_stale *s = NULL;
                size_t sn = 0;

                /* The empty ones go as a run's own sweep removes them. */
                r = mc_group_sweep_stale(opts->parent_fd, backend, &s, &sn, err);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < sn && r >= 0; i++) {
                        struct mc_gc_result *res;
                        struct mc_error e = { 0 };

                        struct mc_launcher l = {
                                .pid = s[i].launcher,
                                .pidns = s[i].launcher_pidns,
                                .state = s[i].state,
                        };

                        r = result_add(&v, &n, s[i].name, &l, s[i].populated ? MC_GC_KEPT : MC_GC_REMOVED,
                                       &res);
                        if (r < 0)
                                break;
                        if (res->state == MC_GC_LEFT_ALONE)
                                continue;
                        res->thawed = s[i].thawed;
                        if (s[i].error < 0) {
                                mc_error_set(&e, -s[i].error, "%s",
                                             s[i].error == -EBUSY ? "child groups remain in it"
                                                                  : strerror(-s[i].error));
                                r = result_fail(res, s[i].error, &e);
                        } else if (s[i].populated && opts->kill)
                                r = kill_and_remove(opts, backend, res);
                }
                mc_stale_free(s, sn);
                if (r < 0) {
                        mc_gc_results_free(v, n);
                        return mc_error_errno(err, ENOMEM, "collect stale groups");
                }
        }
        if (n > 1)
                qsort(v, n, sizeof(*v), by_name);
        *ret = v;
        *ret_n = n;
        return 0;
}

void mc_gc_results_free(struct mc_gc_result *r, size_t n)
{
        if (!r)
                return;
        for (size_t i = 0; i < n; i++) {
                free(r[i].name);
                free(r[i].message);
        }
        free(r);
}
