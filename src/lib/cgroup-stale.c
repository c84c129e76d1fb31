/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stale groups: judge the launcher of memcage's mark, walk a parent's children, sweep the stale ones. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "cgroup-backend.h"
#include "cgroup-stale.h"
#include "cgroup.h"
#include "util.h"

/*
 * Parses "PID STARTTIME [PIDNS]"; false when PID STARTTIME do not parse (then
 * it is not memcage's mark). A third field that is not one decimal inode
 * (or anything after it) gives pidns 0 and *ret_malformed: a mark of memcage
 * this version does not understand, so its launcher is not judged.
 */
static bool parse_mark(const char *s, struct mc_launcher *ret, bool *ret_malformed)
{
        int pid;
        unsigned long long start;
        int end = 0;

        *ret_malformed = false;
        if (sscanf(s, "%d %llu%n", &pid, &start, &end) != 2 || pid <= 0 || (s[end] != '\0' && s[end] != ' '))
                return false;
        *ret = (struct mc_launcher){ .pid = pid, .starttime = start };
        if (s[end] == '\0')
                return true;
        const char *p = s + end + 1;
        uint64_t ns;
        if (mc_parse_u64(&p, &ns) < 0 || *p != '\0' || ns == 0)
                *ret_malformed = true;
        else
                ret->pidns = ns;
        return true;
}

/* Judges the launcher of a mark; -ENODATA when it is not memcage's mark. */
static int judge_mark(const char *mark, uint64_t self_pidns, struct mc_launcher *ret)
{
        unsigned long long now_start;
        bool malformed;

        if (!parse_mark(mark, ret, &malformed))
                return -ENODATA;
        if (malformed || (ret->pidns != 0 && self_pidns == 0))
                ret->state = MC_LAUNCHER_UNKNOWN;
        else if (ret->pidns != 0 && ret->pidns != self_pidns)
                /* Another namespace's pid 4242 may be alive while ours is not: never judged dead. */
                ret->state = MC_LAUNCHER_OTHER_NS;
        else
                /* Same pid and start time: the launcher still runs; a reused pid differs in start time. */
                ret->state = mc_proc_starttime(ret->pid, &now_start) == 0 && now_start == ret->starttime
                                     ? MC_LAUNCHER_ALIVE
                                     : MC_LAUNCHER_GONE;
        return 0;
}

int mc_group_read_launcher_ns(int group_fd, uint64_t self_pidns, struct mc_launcher *ret)
{
        char mark[96];

        ssize_t k = fgetxattr(group_fd, MC_GROUP_XATTR_LAUNCHER, mark, sizeof(mark) - 1);
        if (k < 0)
                return -ENODATA; /* no mark (or no xattrs at all) */
        mark[k] = '\0';
        return judge_mark(mark, self_pidns, ret);
}

int mc_group_judge_mark(const char *mark, struct mc_launcher *ret)
{
        uint64_t ns = 0;
        (void)mc_pidns_self(&ns); /* unreadable: 0, a namespaced mark is then not judged */
        return judge_mark(mark, ns, ret);
}

int mc_group_read_launcher(int group_fd, struct mc_launcher *ret)
{
        uint64_t ns = 0;
        (void)mc_pidns_self(&ns); /* unreadable: 0, a namespaced mark is then not judged */
        return mc_group_read_launcher_ns(group_fd, ns, ret);
}

/* A fresh open, so parent_fd's offset is untouched. */
int mc_group_list_children(int parent_fd, char ***ret, struct mc_error *err)
{
        _cleanup_strv_free_ char **names = NULL;
        size_t n = 0;
        DIR *d = mc_opendir_at(parent_fd, ".");
        if (!d)
                return mc_error_errno(err, errno, "read the parent group");
        struct dirent *de;
        errno = 0;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
                        continue;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (mc_strv_push(&names, &n, strdup(de->d_name)) < 0) {
                        closedir(d);
                        return mc_error_errno(err, ENOMEM, "read the parent group");
                }
                errno = 0;
        }
        int e = errno;
        closedir(d);
        if (e != 0)
                return mc_error_errno(err, e, "read the parent group");
        *ret = TAKE_PTR(names);
        return 0;
}

/*
 * The parent's creation records (MC_GROUP_XATTR_CREATING) of launchers that
 * are gone: the group a record names goes when it is empty and unmarked
 * (its launcher was killed between mkdir and mark), listed as removed;
 * marked, it is the mark's to judge. The record goes either way. Fails only
 * for lack of memory.
 */
static int sweep_unmarked(int parent_fd, const struct mc_cgroup_backend *backend, uint64_t self_pidns,
                          struct mc_stale **stale, size_t *n)
{
        const size_t plen = strlen(MC_GROUP_XATTR_CREATING);
        ssize_t len = flistxattr(parent_fd, NULL, 0);
        if (len <= 0)
                return 0; /* none, or no xattrs here at all */
        _cleanup_free_ char *names = malloc((size_t)len);
        if (!names)
                return -ENOMEM;
        len = flistxattr(parent_fd, names, (size_t)len);
        if (len <= 0)
                return 0; /* changed meanwhile: the next sweep sees it */

        for (char *x = names; x < names + len; x += strlen(x) + 1) {
                char value[NAME_MAX + 128];
                struct mc_launcher l;
                struct mc_error e = { 0 };
                bool populated = true;

                if (strncmp(x, MC_GROUP_XATTR_CREATING, plen) != 0)
                        continue;
                ssize_t k = fgetxattr(parent_fd, x, value, sizeof(value) - 1);
                if (k < 0)
                        continue;
                value[k] = '\0';
                char *name = strchr(value, '/');
                if (!name)
                        continue; /* not a record this version understands: left alone */
                *name++ = '\0';
                if (judge_mark(value, self_pidns, &l) < 0 || l.state != MC_LAUNCHER_GONE ||
                    mc_cgroup_validate_name(name, &e) < 0)
                        continue;

                _cleanup_close_ int fd =
                        openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                char mark[8];
                if (fd >= 0 && fgetxattr(fd, MC_GROUP_XATTR_LAUNCHER, mark, sizeof(mark)) < 0 &&
                    errno == ENODATA && mc_group_is_populated(fd, &populated, &e) >= 0 && !populated &&
                    backend->remove(parent_fd, name, &e) >= 0) {
                        struct mc_stale *ns = realloc(*stale, (*n + 1) * sizeof(**stale));
                        if (!ns)
                                return -ENOMEM;
                        *stale = ns;
                        ns[*n] = (struct mc_stale){
                                .name = strdup(name),
                                .launcher = l.pid,
                                .state = l.state,
                                .launcher_pidns = l.pidns,
                                .removed = true,
                        };
                        if (!ns[*n].name)
                                return -ENOMEM;
                        (*n)++;
                }
                (void)fremovexattr(parent_fd, x);
        }
        return 0;
}

int mc_group_thaw_stale(int group_fd)
{
        _cleanup_free_ char *v = NULL;
        struct mc_error e = { 0 };

        /* No cgroup.freeze (before Linux 5.2): nothing was frozen either. */
        if (mc_read_file_at(group_fd, "cgroup.freeze", &v, &e) < 0 || v[0] != '1')
                return 0;
        int r = mc_write_file_at(group_fd, "cgroup.freeze", "0", &e);
        return r < 0 ? r : 1;
}

int mc_group_walk_stale(int parent_fd, uint64_t self_pidns, mc_group_stale_fn fn, void *userdata,
                        struct mc_error *err)
{
        _cleanup_strv_free_ char **names = NULL;
        int r = mc_group_list_children(parent_fd, &names, err);
        if (r < 0)
                return r;
        for (char **name = names; name && *name; name++) {
                _cleanup_close_ int fd =
                        openat(parent_fd, *name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                struct mc_launcher l;

                if (fd < 0)
                        continue; /* not a directory, or gone meanwhile */
                /* No mark (or no xattrs at all): never memcage's to touch. */
                if (mc_group_read_launcher_ns(fd, self_pidns, &l) < 0 || l.state == MC_LAUNCHER_ALIVE)
                        continue;
                r = fn(userdata, *name, fd, &l, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

struct sweep {
        int parent_fd;
        const struct mc_cgroup_backend *backend;
        struct mc_stale *stale;
        size_t n;
};

static int sweep_one(void *userdata, const char *name, int fd, const struct mc_launcher *l,
                     struct mc_error *err)
{
        struct sweep *sw = userdata;
        struct mc_error e = { 0 };
        bool populated = false;

        struct mc_stale *ns = realloc(sw->stale, (sw->n + 1) * sizeof(*ns));
        if (!ns)
                return mc_error_errno(err, ENOMEM, "sweep stale groups");
        sw->stale = ns;
        struct mc_stale *st = &sw->stale[sw->n];
        *st = (struct mc_stale){
                .name = strdup(name),
                .launcher = l->pid,
                .state = l->state,
                .launcher_pidns = l->pidns,
        };
        if (!st->name)
                return mc_error_errno(err, ENOMEM, "sweep stale groups");
        if (l->state != MC_LAUNCHER_GONE) {
                sw->n++; /* may be alive: reported, not touched */
                return 0;
        }
        /* Populated: left in place and reported; a populated group is never reused or removed. */
        int r = mc_group_is_populated(fd, &populated, &e);
        if (r >= 0 && populated) {
                st->populated = true;
                st->thawed = mc_group_thaw_stale(fd) > 0;
        } else if (r >= 0) {
                r = sw->backend->remove(sw->parent_fd, name, &e);
                if (r >= 0)
                        st->removed = true;
        }
        /*
         * ENOENT, ENODEV: the group went away since it was listed (its
         * launcher removed it as it exited): nothing stale is left.
         */
        if (r == -ENOENT || r == -ENODEV) {
                free(st->name);
                return 0;
        }
        if (r < 0)
                st->error = r;
        sw->n++;
        return 0;
}

int mc_group_sweep_stale(int parent_fd, const struct mc_cgroup_backend *backend, struct mc_stale **ret,
                         size_t *ret_n, struct mc_error *err)
{
        struct sweep sw = { .parent_fd = parent_fd, .backend = backend };
        int r;

        *ret = NULL;
        *ret_n = 0;
        if (!sw.backend) {
                r = mc_cgroup_backend_get(&sw.backend, err);
                if (r < 0)
                        return r;
        }
        uint64_t self_pidns = 0;
        (void)mc_pidns_self(&self_pidns); /* unreadable: 0, a namespaced mark is then not judged */
        r = mc_group_walk_stale(parent_fd, self_pidns, sweep_one, &sw, err);
        if (r < 0) {
                mc_stale_free(sw.stale, sw.n);
                return r;
        }
        r = sweep_unmarked(parent_fd, sw.backend, self_pidns, &sw.stale, &sw.n);
        if (r < 0) {
                mc_stale_free(sw.stale, sw.n);
                return mc_error_errno(err, -r, "sweep stale groups");
        }
        *ret = sw.stale;
        *ret_n = sw.n;
        return 0;
}

void mc_stale_free(struct mc_stale *s, size_t n)
{
        if (!s)
                return;
        for (size_t i = 0; i < n; i++)
                free(s[i].name);
        free(s);
}
