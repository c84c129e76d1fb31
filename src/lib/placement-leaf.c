/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The delegated group's leaf (placement-internal.h): the lock launchers take
 * turns on, moving processes into and out of MC_PLACEMENT_LEAF, the
 * controllers enabled above it, the leaf's mark, and undoing all that
 * (restore, gc's sweep). placement.c decides where to nest and drives these.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgroup-backend.h"
#include "cgroup-stale.h"
#include "cgroup.h"
#include "placement-internal.h"
#include "placement.h"
#include "util.h"

/* How long memcage waits for another launcher busy with the same delegated group. */
#define LOCK_TIMEOUT_MS 5000
/* The kernel may refuse a controller for a moment after the last process left the group. */
#define ENABLE_RETRY_MS 1000
/* Processes forking while they are evacuated: moved again, this many rounds at most. */
#define EVACUATE_ROUNDS 16

int mc_placement_open_group(int root_fd, const char *rel)
{
        return openat(root_fd, rel[0] ? rel : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/*
 * Launchers nesting into or leaving one delegated group take turns, on a
 * flock (cgroupfs supports it). Whoever can open the file can hold such a
 * lock, and the group's directory is open to every user: root locks the
 * group's cgroup.kill instead, which only root can open (0200, Linux 5.14),
 * so no user can stall it. Where that file is missing or not root's alone,
 * the directory. Root and other users never share a group to nest in
 * (only_root_moves(), owned_by()), so the two kinds of lock never meet.
 * *ret_lock_fd holds the lock until it is closed.
 */
int mc_placement_lock_group(const struct mc_placement_request *req, int fd, const char *shown,
                            int *ret_lock_fd, struct mc_error *err)
{
        _cleanup_close_ int lock_fd = -EBADF;
        unsigned timeout_ms = req->lock_timeout_ms ? req->lock_timeout_ms : LOCK_TIMEOUT_MS;
        struct stat st;

        if (req->euid == 0) {
                lock_fd = openat(fd, "cgroup.kill", O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
                if (lock_fd >= 0 && (fstat(lock_fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 0077)))
                        mc_closep(&lock_fd);
        }
        if (lock_fd < 0)
                lock_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (lock_fd < 0)
                return mc_error_errno(err, errno, "lock group %s", shown);
        for (unsigned waited = 0;; waited += 10) {
                if (flock(lock_fd, LOCK_EX | LOCK_NB) == 0)
                        break;
                if (errno != EWOULDBLOCK && errno != EINTR)
                        return mc_error_errno(err, errno, "lock group %s", shown);
                if (waited >= timeout_ms) {
                        pid_t holder = mc_lock_holder(lock_fd);
                        char comm[64];
                        if (holder <= 0)
                                return mc_error_set(err, ETIMEDOUT,
                                                    "group %s stayed locked for %u ms (by a process memcage "
                                                    "cannot see: another pid namespace)",
                                                    shown, timeout_ms);
                        mc_proc_comm(holder, comm, sizeof(comm));
                        return mc_error_set(err, ETIMEDOUT,
                                            "group %s stayed locked by pid %d (%s) for %u ms: another "
                                            "memcage nesting there (or stuck: end it)",
                                            shown, (int)holder, comm, timeout_ms);
                }
                mc_sleep_ms(10);
        }
        *ret_lock_fd = TAKE_FD(lock_fd);
        return 0;
}

/* The pids of a cgroup.procs text other than self, as a string "1 (sh), 27 (sleep)" of at most a few. */
int mc_placement_others_in(int fd, pid_t self, char **ret_list, unsigned *ret_count, struct mc_error *err)
{
        _cleanup_free_ char *procs = NULL;
        char *list = NULL;
        size_t len = 0;
        FILE *f;
        unsigned n = 0;
        int r = mc_read_file_at(fd, "cgroup.procs", &procs, err);
        if (r < 0)
                return r;
        f = open_memstream(&list, &len);
        if (!f)
                return mc_error_errno(err, ENOMEM, "read cgroup.procs");
        for (char *p = procs, *end; *p; p = end) {
                long pid = strtol(p, &end, 10);
                if (end == p)
                        break;
                end += strspn(end, " \n");
                if (pid == self)
                        continue;
                if (n < 5) {
                        char comm[32];
                        mc_proc_comm((pid_t)pid, comm, sizeof(comm));
                        fprintf(f, "%s%ld (%s)", n ? ", " : "", pid, comm);
                } else if (n == 5)
                        fputs(", ...", f);
                n++;
        }
        fclose(f);
        *ret_list = list;
        *ret_count = n;
        return 0;
}

int mc_placement_move_pid(const struct mc_cgroup_backend *backend, int to_fd, long pid, struct mc_error *err)
{
        char v[32];
        snprintf(v, sizeof(v), "%ld", pid);
        return backend->write(to_fd, "cgroup.procs", v, err);
}

/* Moves every process of from_fd into to_fd; new ones forked meanwhile are moved in the next round. */
int mc_placement_evacuate(const struct mc_cgroup_backend *backend, int from_fd, int to_fd, const char *shown,
                          struct mc_error *err)
{
        for (int round = 0; round < EVACUATE_ROUNDS; round++) {
                _cleanup_free_ char *procs = NULL;
                bool any = false;
                int r = mc_read_file_at(from_fd, "cgroup.procs", &procs, err);
                if (r < 0)
                        return r;
                for (char *p = procs, *end; *p; p = end) {
                        long pid = strtol(p, &end, 10);
                        if (end == p)
                                break;
                        end += strspn(end, " \n");
                        any = true;
                        r = mc_placement_move_pid(backend, to_fd, pid, err);
                        if (r == -ESRCH)
                                continue; /* it exited meanwhile */
                        if (r < 0)
                                return mc_error_prefix(err, "evacuate pid %ld from %s", pid, shown);
                }
                if (!any)
                        return 0;
        }
        return mc_error_set(err, EAGAIN, "%s: processes kept appearing while memcage evacuated it", shown);
}

/* Enables what is not enabled yet, retrying the short EBUSY after processes left; records what it enabled.
 */
int mc_placement_enable_controllers(const struct mc_cgroup_backend *backend, int fd, const char *shown,
                                    const char *const *controllers, char ***enabled, struct mc_error *err)
{
        _cleanup_free_ char *list = NULL;
        int r = mc_read_file_at(fd, "cgroup.subtree_control", &list, err);
        if (r < 0)
                return mc_error_prefix(err, "group %s", shown);
        for (const char *const *c = controllers; *c; c++) {
                char v[64];
                if (mc_cgroup_list_has(list, *c))
                        continue;
                snprintf(v, sizeof(v), "+%s", *c);
                for (unsigned waited = 0;; waited += 10) {
                        r = backend->write(fd, "cgroup.subtree_control", v, err);
                        if (r != -EBUSY || waited >= ENABLE_RETRY_MS)
                                break;
                        mc_sleep_ms(10);
                }
                if (r == -EBUSY)
                        return mc_error_set(err, EBUSY,
                                            "cannot enable %s in %s/cgroup.subtree_control: the group still "
                                            "holds processes (no-internal-process rule)",
                                            *c, shown);
                if (r < 0)
                        return mc_error_prefix(err, "enable %s in %s", *c, shown);
                char *dup = strdup(*c);
                size_t n = 0;
                while (*enabled && (*enabled)[n])
                        n++;
                r = mc_strv_push(enabled, &n, dup);
                if (r < 0)
                        return mc_error_errno(err, -r, "enable %s in %s", *c, shown);
        }
        return 0;
}

/*
 * The leaf's mark (MC_PLACEMENT_XATTR_LEAF): "PID STARTTIME PIDNS/CONTROLLERS",
 * the launcher that made (or took over) the leaf and the controllers it
 * enables in the delegated group, blank-separated. Set before anything is
 * enabled, so that a launcher killed at any point after leaves a leaf whose
 * mark says what to turn off again. Refused xattrs only lose that.
 */
void mc_placement_mark_leaf(int fd, int leaf_fd, const char *const *controllers, char *const *adopted)
{
        _cleanup_free_ char *subtree = NULL;
        _cleanup_free_ char *value = NULL;
        struct mc_error ignored = { 0 };
        char mark[64];
        size_t len = 0;
        FILE *f;

        if (mc_group_launcher_mark(mark, sizeof(mark), &ignored) < 0 ||
            mc_read_file_at(fd, "cgroup.subtree_control", &subtree, &ignored) < 0)
                return;
        f = open_memstream(&value, &len);
        if (!f)
                return;
        fprintf(f, "%s/", mark);
        const char *sep = "";
        for (char *const *c = adopted; c && *c; c++, sep = " ")
                fprintf(f, "%s%s", sep, *c);
        for (const char *const *c = controllers; *c; c++)
                if (!mc_cgroup_list_has(subtree, *c)) {
                        fprintf(f, "%s%s", sep, *c);
                        sep = " ";
                }
        if (fclose(f) != 0)
                return;
        (void)fsetxattr(leaf_fd, MC_PLACEMENT_XATTR_LEAF, value, len, 0);
}

/*
 * The controllers of a leaf whose launcher is gone (its mark, see
 * mc_placement_mark_leaf()), NULL-terminated in *ret; 0 when the leaf has no such mark
 * or its launcher runs (or cannot be judged here), 1 when it is an orphan.
 */
int mc_placement_leaf_orphan(int leaf_fd, char ***ret, pid_t *ret_launcher)
{
        char value[256];
        struct mc_launcher l;
        char **v = NULL;
        size_t n = 0;

        *ret = NULL;
        ssize_t k = fgetxattr(leaf_fd, MC_PLACEMENT_XATTR_LEAF, value, sizeof(value) - 1);
        if (k < 0)
                return 0;
        value[k] = '\0';
        char *list = strchr(value, '/');
        if (!list)
                return 0;
        *list++ = '\0';
        if (mc_group_judge_mark(value, &l) < 0 || l.state != MC_LAUNCHER_GONE)
                return 0;
        for (char *save = NULL, *w = strtok_r(list, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                /* Only controller names: the mark is turned into "-NAME" writes. */
                if (strspn(w, "abcdefghijklmnopqrstuvwxyz_") != strlen(w))
                        continue;
                if (mc_strv_push(&v, &n, strdup(w)) < 0) {
                        mc_strv_free(v);
                        return -ENOMEM;
                }
        }
        *ret = v;
        if (ret_launcher)
                *ret_launcher = l.pid;
        return 1;
}

/* True when dir_fd has no child directory other than except. */
static int only_child(int dir_fd, const char *except, bool *ret)
{
        DIR *d = mc_opendir_at(dir_fd, ".");
        struct dirent *e;
        if (!d)
                return -errno;
        *ret = true;
        while ((e = readdir(d)))
                if (e->d_type == DT_DIR && !streq(e->d_name, ".") && !streq(e->d_name, "..") &&
                    !streq(e->d_name, except))
                        *ret = false;
        closedir(d);
        return 0;
}

int mc_placement_restore(const struct mc_placement *p, int root_fd, struct mc_error *err)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_close_ int leaf_fd = -EBADF;
        _cleanup_close_ int lock_fd = -EBADF;
        _cleanup_free_ char *others = NULL;
        unsigned n_others = 0;
        bool alone = false;
        int r;

        /* A scope is systemd's to remove once memcage, its last process, exits. */
        if (!p->moved_self || p->kind == MC_PLACEMENT_SCOPE)
                return 0;
        fd = mc_placement_open_group(root_fd, p->parent);
        if (fd < 0)
                return mc_error_errno(err, errno, "open group /%s", p->parent);
        leaf_fd = openat(fd, MC_PLACEMENT_LEAF, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (leaf_fd < 0)
                return mc_error_errno(err, errno, "open group /%s/%s", p->parent, MC_PLACEMENT_LEAF);
        struct mc_placement_request req = { .euid = p->euid, .lock_timeout_ms = p->lock_timeout_ms };
        r = mc_placement_lock_group(&req, fd, p->parent, &lock_fd, err);
        if (r < 0)
                return r;
        r = mc_placement_others_in(leaf_fd, p->pid, &others, &n_others, err);
        if (r < 0)
                return r;
        r = only_child(fd, MC_PLACEMENT_LEAF, &alone);
        if (r < 0)
                return mc_error_errno(err, -r, "list group /%s", p->parent);
        if (n_others > 0 || !alone)
                return 0; /* another run or evacuated processes use it: theirs to keep */

        for (char **c = p->enabled; c && *c; c++) {
                char v[64];
                snprintf(v, sizeof(v), "-%s", *c);
                r = p->backend->write(fd, "cgroup.subtree_control", v, err);
                if (r < 0)
                        return mc_error_prefix(err, "group /%s: turn %s off again", p->parent, *c);
        }
        r = mc_placement_move_pid(p->backend, fd, p->pid, err);
        if (r < 0)
                return mc_error_prefix(err, "move memcage back into /%s", p->parent);
        r = mc_cgroup_remove_retry(p->backend, fd, MC_PLACEMENT_LEAF, err);
        if (r < 0)
                return mc_error_prefix(err, "remove group /%s/%s", p->parent, MC_PLACEMENT_LEAF);
        return 0;
}

int mc_placement_sweep_leaf(int group_fd, const struct mc_cgroup_backend *backend, struct mc_leaf_sweep *ret,
                            struct mc_error *err)
{
        _cleanup_close_ int fd = openat(group_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int leaf_fd = -EBADF;
        _cleanup_strv_free_ char **enabled = NULL;
        bool alone = false, populated = true;
        pid_t launcher = 0;
        int r;

        *ret = (struct mc_leaf_sweep){ 0 };
        if (!backend)
                backend = &mc_cgroup_backend_direct;
        if (fd < 0)
                return mc_error_errno(err, errno, "open the group");
        leaf_fd = openat(fd, MC_PLACEMENT_LEAF, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (leaf_fd < 0)
                return errno == ENOENT ? 0 : mc_error_errno(err, errno, "open %s", MC_PLACEMENT_LEAF);
        /*
         * Taken before the mark is read: a launcher nesting here takes the leaf
         * over under the same lock, the one its uid takes (mc_placement_lock_group()).
         */
        _cleanup_close_ int lock_fd = -EBADF;
        struct mc_placement_request req = { .euid = geteuid() };
        r = mc_placement_lock_group(&req, fd, MC_PLACEMENT_LEAF, &lock_fd, err);
        if (r < 0)
                return r;
        r = mc_placement_leaf_orphan(leaf_fd, &enabled, &launcher);
        if (r <= 0)
                return r < 0 ? mc_error_errno(err, -r, "read %s", MC_PLACEMENT_LEAF) : 0;
        r = mc_group_is_populated(leaf_fd, &populated, err);
        /*
         * Removed meanwhile by the owner of the group above (systemd stops the
         * scope of a launcher that died, its groups and the leaf with it):
         * nothing left to sweep.
         */
        if (r == -ENOENT || r == -ENODEV) {
                mc_error_clear(err);
                return 0;
        }
        if (r < 0)
                return mc_error_prefix(err, "%s", MC_PLACEMENT_LEAF);
        r = only_child(fd, MC_PLACEMENT_LEAF, &alone);
        if (r == -ENOENT || r == -ENODEV)
                return 0; /* the group above went too (see above) */
        if (r < 0)
                return mc_error_errno(err, -r, "list the group");
        /* Evacuated processes in it, or groups beside it (a run's, a stale one): theirs, left as they are.
         */
        if (populated || !alone)
                return 0;
        for (char **c = enabled; c && *c; c++) {
                char v[64];
                snprintf(v, sizeof(v), "-%s", *c);
                r = backend->write(fd, "cgroup.subtree_control", v, err);
                if (r == -ENOENT || r == -ENODEV) {
                        mc_error_clear(err);
                        return 0; /* the group above went meanwhile (see above) */
                }
                if (r < 0)
                        return mc_error_prefix(err, "turn %s off again", *c);
        }
        r = mc_cgroup_remove_retry(backend, fd, MC_PLACEMENT_LEAF, err);
        if (r == -ENOENT || r == -ENODEV) {
                mc_error_clear(err);
                return 0;
        }
        if (r < 0)
                return mc_error_prefix(err, "remove %s", MC_PLACEMENT_LEAF);
        ret->removed = true;
        ret->launcher = launcher;
        ret->disabled = TAKE_PTR(enabled);
        return 0;
}
