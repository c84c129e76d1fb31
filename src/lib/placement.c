/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where the run's group goes, and getting that place ready (placement.h says the order). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgroup-backend.h"
#include "cgroup-stale.h"
#include "cgroup.h"
#include "placement-internal.h"
#include "placement.h"
#include "profile.h"
#include "util.h"

static bool xattr_is_one(int fd, const char *name)
{
        char v[8];
        ssize_t k = fgetxattr(fd, name, v, sizeof(v));
        return k == 1 && v[0] == '1';
}

/*
 * systemd marks the cgroup of a unit it delegated (Delegate=yes, user@UID.service)
 * with trusted.delegate (read by root only) and user.delegate. A group below
 * such a one is inside the delegated subtree too. *ret_at gets the marked group.
 */
static int find_delegate_mark(int root_fd, const char *rel, char **ret_at, const char **ret_xattr)
{
        _cleanup_free_ char *path = strdup(rel);
        if (!path)
                return -ENOMEM;
        while (path[0]) {
                _cleanup_close_ int fd = mc_placement_open_group(root_fd, path);
                if (fd >= 0) {
                        const char *names[] = { "trusted.delegate", "user.delegate" };
                        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                                if (xattr_is_one(fd, names[i])) {
                                        *ret_at = TAKE_PTR(path);
                                        *ret_xattr = names[i];
                                        return 1;
                                }
                }
                char *slash = strrchr(path, '/');
                if (!slash)
                        break;
                *slash = '\0';
        }
        return 0;
}

/* A non-root user owns what delegation hands over: the directory and the two files it writes. */
static bool owned_by(int fd, uid_t uid)
{
        struct stat st;
        const char *files[] = { "cgroup.procs", "cgroup.subtree_control" };
        if (fstat(fd, &st) < 0 || st.st_uid != uid)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (fstatat(fd, files[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_uid != uid)
                        return false;
        return true;
}

/* "" when neither group nor others may write st, else who may: "uid 4243", "group 100", "every user". */
static const char *other_writer(const struct stat *st, char *buf, size_t n)
{
        if (st->st_uid != 0)
                snprintf(buf, n, "uid %u", (unsigned)st->st_uid);
        else if (st->st_mode & S_IWOTH)
                snprintf(buf, n, "every user (mode %04o)", (unsigned)(st->st_mode & 07777));
        else if (st->st_mode & S_IWGRP)
                snprintf(buf, n, "group %u (mode %04o)", (unsigned)st->st_gid,
                         (unsigned)(st->st_mode & 07777));
        else
                buf[0] = '\0';
        return buf;
}

/*
 * Whether no one but root can move a process into, out of or between the
 * groups below rel. cgroup v2 lets a writer move a process from one group
 * to another when it may write the destination's cgroup.procs and that of
 * the two groups' common ancestor; the kernel judges by the owner and mode
 * bits of the file (cgroupfs has no ACLs). A group whose directory is
 * another user's is theirs too: they make the child groups, files and all.
 * So each group from rel up to the root of the mount memcage sees must have
 * its directory and cgroup.procs owned by uid 0 and writable by neither
 * group nor others. systemd's delegation to a user chowns the directory and
 * cgroup.procs (user@UID.service and all below it): that subtree is the
 * user's, however root-owned its other files. 1: root's alone; 0: not, and
 * *ret_why says which file and who else may write it; negative errno.
 */
static int only_root_moves(const struct mc_placement_request *req, const char *rel, char **ret_why)
{
        _cleanup_free_ char *path = strdup(rel);
        if (!path)
                return -ENOMEM;
        for (;;) {
                _cleanup_close_ int fd = mc_placement_open_group(req->root_fd, path);
                struct stat st;
                char who[64];
                const char *file = NULL;
                if (fd < 0 || fstat(fd, &st) < 0)
                        return -errno;
                if (other_writer(&st, who, sizeof(who))[0])
                        file = "";
                else if (fstatat(fd, "cgroup.procs", &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                else if (other_writer(&st, who, sizeof(who))[0])
                        file = "/cgroup.procs";
                if (file)
                        return asprintf(ret_why, "%s%s%s%s is writable by %s", req->root, path[0] ? "/" : "",
                                        path, file, who) < 0
                                       ? -ENOMEM
                                       : 0;
                if (!path[0])
                        return 1;
                char *slash = strrchr(path, '/');
                *(slash ? slash : path) = '\0';
        }
}

static char *shown_group(const struct mc_placement_request *req, const char *rel)
{
        char *s = NULL;
        if (asprintf(&s, "%s%s%s", req->root, rel[0] ? "/" : "", rel) < 0)
                return NULL;
        return s;
}

/*
 * Whether memcage's own group rel is delegated to it, and why. The real
 * root has no memory.max; the root of a cgroup namespace that is not the real
 * root has one: memcage is in a container and that group is its to use.
 */
static int judge_delegation(const struct mc_placement_request *req, const char *rel,
                            enum mc_placement_kind *ret_kind, char **ret_reason)
{
        _cleanup_free_ char *at = NULL;
        const char *xattr = NULL;
        _cleanup_close_ int fd = mc_placement_open_group(req->root_fd, rel);
        int r;

        if (fd < 0)
                return -errno;
        if (!rel[0]) {
                if (faccessat(fd, "memory.max", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                        return 0;
                *ret_kind = MC_PLACEMENT_CONTAINER;
                return asprintf(ret_reason,
                                "the root of memcage's cgroup namespace, which is not the host's root "
                                "(a container)") < 0
                               ? -ENOMEM
                               : 1;
        }
        r = find_delegate_mark(req->root_fd, rel, &at, &xattr);
        if (r < 0)
                return r;
        if (r > 0 && req->euid != 0 && !owned_by(fd, req->euid)) {
                /*
                 * The mark says systemd handed the subtree to its unit, not to
                 * every uid inside it: Slurm's slurmstepd scope is marked, yet
                 * a job's task group in it is root's. place_not_owned says
                 * whether a scope of the user's own manager may take the run.
                 */
                *ret_reason = TAKE_PTR(at);
                return 2;
        }
        if (r > 0) {
                *ret_kind = MC_PLACEMENT_DELEGATED;
                return asprintf(ret_reason, "delegated by systemd (%s on /%s)", xattr, at) < 0 ? -ENOMEM : 1;
        }
        if (req->euid != 0 && owned_by(fd, req->euid)) {
                *ret_kind = MC_PLACEMENT_DELEGATED;
                return asprintf(ret_reason, "delegated to uid %u (it owns /%s and its cgroup.procs)",
                                (unsigned)req->euid, rel) < 0
                               ? -ENOMEM
                               : 1;
        }
        return 0;
}

static const char *controller_hint(enum mc_placement_kind kind, uid_t euid)
{
        if (kind == MC_PLACEMENT_SCOPE && euid != 0)
                return ": the user manager does not delegate it; a drop-in fixes that: "
                       "/etc/systemd/system/user@.service.d/delegate.conf with "
                       "\"[Service]\\nDelegate=pids memory\", then systemctl daemon-reload and a new login";
        if (kind == MC_PLACEMENT_CONTAINER)
                return ": the container runtime does not pass it down to the container";
        return ": the manager above does not pass it down";
}

/*
 * Nests in the delegated group rel: memcage (and with evacuate, every process
 * there) moves into rel/MC_PLACEMENT_LEAF, then rel enables the controllers
 * and the run's group goes beside the leaf. Undone on failure.
 */
static int nest(const struct mc_placement_request *req, const char *rel, enum mc_placement_kind kind,
                bool in_leaf, struct mc_placement *p, struct mc_error *err)
{
        const char *controllers[] = { "memory", req->use_hugetlb ? "hugetlb" : NULL, NULL };
        _cleanup_free_ char *shown = shown_group(req, rel);
        _cleanup_free_ char *available = NULL;
        _cleanup_free_ char *others = NULL;
        _cleanup_close_ int fd = -EBADF;
        _cleanup_close_ int leaf_fd = -EBADF;
        _cleanup_close_ int lock_fd = -EBADF;
        struct statvfs sv;
        bool leaf_made = false, orphan = false;
        unsigned n_others = 0;
        int r;

        if (!shown)
                return mc_error_errno(err, ENOMEM, "placement");
        fd = mc_placement_open_group(req->root_fd, rel);
        if (fd < 0)
                return mc_error_errno(err, errno, "open group %s", shown);
        if (fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY))
                return mc_error_set(
                        err, EROFS,
                        "%s is on a read-only cgroup mount: memcage cannot create groups. In a "
                        "container, give it a writable cgroup mount (docker run --privileged, or "
                        "podman run --security-opt unmask=/sys/fs/cgroup)",
                        shown);
        r = mc_read_file_at(fd, "cgroup.controllers", &available, err);
        if (r < 0)
                return mc_error_prefix(err, "group %s", shown);
        for (const char *const *c = controllers; *c; c++)
                if (!mc_cgroup_list_has(available, *c)) {
                        available[strcspn(available, "\n")] = '\0';
                        return mc_error_set(err, EOPNOTSUPP,
                                            "%s is delegated to memcage but the %s controller is not "
                                            "available in it (its cgroup.controllers lists %s)%s",
                                            shown, *c, available[0] ? available : "nothing",
                                            streq(*c, "hugetlb") ? ": [hugetlb] needs a placement where "
                                                                   "hugetlb is passed down (run as root "
                                                                   "on the host)"
                                                                 : controller_hint(kind, req->euid));
                }

        if (req->euid == 0) {
                _cleanup_free_ char *why = NULL;
                r = only_root_moves(req, rel, &why);
                if (r < 0)
                        return mc_error_errno(err, -r, "look at the groups above %s", shown);
                if (r == 0)
                        return mc_error_set(err, EACCES,
                                            "%s: a root run is placed only where no one but root can move "
                                            "processes, and %s",
                                            shown, why);
        }
        r = mc_placement_lock_group(req, fd, shown, &lock_fd, err);
        if (r < 0)
                return r;
        r = mc_placement_others_in(fd, req->pid, &others, &n_others, err);
        if (r < 0)
                return mc_error_prefix(err, "group %s", shown);
        if (n_others > 0 && !req->evacuate)
                return mc_error_set(err, EBUSY,
                                    "%s holds %u other process%s besides memcage: %s. cgroup v2 hands "
                                    "controllers to child groups only from a group without processes. "
                                    "Make memcage the entrypoint (exec memcage ...), or pass --evacuate "
                                    "to move them into %s/%s first",
                                    shown, n_others, n_others == 1 ? "" : "es", others, shown,
                                    MC_PLACEMENT_LEAF);

        r = p->backend->mkdir(fd, MC_PLACEMENT_LEAF, err);
        if (r == 0)
                leaf_made = true;
        else if (r != -EEXIST)
                return mc_error_prefix(err, "group %s", shown);
        leaf_fd = openat(fd, MC_PLACEMENT_LEAF, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (leaf_fd < 0) {
                r = mc_error_errno(err, errno, "open group %s/%s", shown, MC_PLACEMENT_LEAF);
                goto undo;
        }
        /*
         * A leaf whose launcher died: this run takes it over with what that
         * launcher enabled, and leaves the group as it was before either came.
         */
        if (!leaf_made) {
                r = mc_placement_leaf_orphan(leaf_fd, &p->enabled, NULL);
                if (r < 0) {
                        r = mc_error_errno(err, -r, "group %s/%s", shown, MC_PLACEMENT_LEAF);
                        goto undo;
                }
                orphan = r > 0;
        }
        if (leaf_made || orphan)
                mc_placement_mark_leaf(fd, leaf_fd, controllers, p->enabled);
        r = req->evacuate ? mc_placement_evacuate(p->backend, fd, leaf_fd, shown, err)
            : in_leaf     ? 0
                          : mc_placement_move_pid(p->backend, leaf_fd, req->pid, err);
        if (r < 0) {
                mc_error_prefix(err, "move memcage into %s/%s", shown, MC_PLACEMENT_LEAF);
                goto undo;
        }
        r = mc_placement_enable_controllers(p->backend, fd, shown, controllers, &p->enabled, err);
        if (r < 0)
                goto undo;

        p->kind = kind;
        p->parent = strdup(rel);
        p->origin = strdup(rel);
        /* Started in a live launcher's leaf: it stays there, where it was; an orphan's is this run's now. */
        p->moved_self = !in_leaf || orphan;
        p->pid = req->pid;
        p->euid = req->euid;
        p->lock_timeout_ms = req->lock_timeout_ms;
        if (!p->parent || !p->origin)
                return mc_error_errno(err, ENOMEM, "placement");
        return 0;

undo:
        /* Back as found: memcage (and whom it moved) into the group again, the leaf it made removed. */
        if (leaf_fd >= 0 && (!in_leaf || req->evacuate)) {
                struct mc_error ignored = { 0 };
                (void)mc_placement_evacuate(p->backend, leaf_fd, fd, shown, &ignored);
        }
        if (leaf_made) {
                struct mc_error ignored = { 0 };
                (void)p->backend->remove(fd, MC_PLACEMENT_LEAF, &ignored);
        }
        return r;
}

static bool is_dir(const char *path)
{
        struct stat st;
        return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Step 3: systemd puts memcage into a transient scope with Delegate=yes; then memcage nests in it. */
static int place_in_scope(const struct mc_placement_request *req, const char *self, struct mc_placement *p,
                          struct mc_error *err)
{
        bool user = req->euid != 0;
        const char *address = user ? req->user_bus : req->system_bus;
        const char *slice = req->slice ? req->slice : user ? NULL : MC_PLACEMENT_DEFAULT_SLICE;
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ char *now = NULL;
        int r;

        if (!address)
                return mc_error_set(err, ENOENT,
                                    "memcage runs as uid %u in /%s, which is not delegated to it, and "
                                    "there is no user manager to ask for a scope (XDG_RUNTIME_DIR is not "
                                    "set): log in through a session, or keep a manager running with "
                                    "loginctl enable-linger",
                                    (unsigned)req->euid, self);
        struct mc_scope_request sr = {
                .address = address,
                .user = user,
                .unit = req->unit,
                .slice = slice,
                .description = req->description,
                .pid = req->pid,
                .timeout_ms = 30000,
        };
        mc_scope_start_fn start = req->start_scope ? req->start_scope : mc_systemd_start_scope;
        r = start(&sr, req->start_scope_userdata, err);
        if (r < 0) {
                if (user && (r == -ENOENT || r == -ECONNREFUSED))
                        return mc_error_prefix(err,
                                               "no user manager answers for uid %u (start one with "
                                               "loginctl enable-linger, or run memcage as root)",
                                               (unsigned)req->euid);
                return mc_error_prefix(err, "ask the %s manager for scope %s", user ? "user" : "system",
                                       req->unit);
        }
        p->kind = MC_PLACEMENT_SCOPE;
        p->unit = strdup(req->unit);
        if (!p->unit)
                return mc_error_errno(err, ENOMEM, "placement");

        r = mc_read_file_at(AT_FDCWD, req->proc_self_cgroup ? req->proc_self_cgroup : "/proc/self/cgroup",
                            &text, err);
        if (r < 0)
                return r;
        r = mc_placement_parse_self(text, &now, err);
        if (r < 0)
                return r;
        const char *base = strrchr(now, '/');
        if (!streq(base ? base + 1 : now, req->unit))
                return mc_error_set(err, EIO, "the %s manager started %s, but memcage is in /%s",
                                    user ? "user" : "system", req->unit, now);
        if (asprintf(&p->reason, "transient scope %s with Delegate=yes from the %s manager", req->unit,
                     user ? "user" : "system") < 0) {
                p->reason = NULL;
                return mc_error_errno(err, ENOMEM, "placement");
        }
        return nest(req, now, MC_PLACEMENT_SCOPE, false, p, err);
}

/*
 * The first memory limit set on a group from rel up to the root, as
 * "memory.max 268435456 on /a/b": 1 with *ret_what, 0 when none is set.
 * A group without the files (memory not enabled above it) limits nothing.
 */
static int limited_above(int root_fd, const char *rel, char **ret_what)
{
        static const char *const files[] = { "memory.max", "memory.high", "memory.swap.max" };
        _cleanup_free_ char *path = strdup(rel);
        if (!path)
                return -ENOMEM;
        while (path[0]) {
                _cleanup_close_ int fd = mc_placement_open_group(root_fd, path);
                if (fd < 0)
                        return -errno;
                for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                        _cleanup_free_ char *v = NULL;
                        struct mc_error ignored = { 0 };
                        if (mc_read_file_at(fd, files[i], &v, &ignored) < 0)
                                continue;
                        v[strcspn(v, "\n")] = '\0';
                        if (!streq(v, "max"))
                                return asprintf(ret_what, "%s %s on /%s", files[i], v, path) < 0 ? -ENOMEM
                                                                                                 : 1;
                }
                char *slash = strrchr(path, '/');
                *(slash ? slash : path) = '\0';
        }
        return 0;
}

/*
 * A user's memcage in a group below a systemd delegation mark that is not
 * the user's (a shell runuser started from root's Delegate=yes service, a
 * Slurm job's task group): it cannot make groups there. The user's own
 * manager gives it a scope, as it gives one to systemd-run --user --scope
 * from the same place, unless a group above sets a memory limit: the scope,
 * in user@UID.service, would be outside it, and memcage does not take a run
 * out of limits someone set for it.
 */
static int place_not_owned(const struct mc_placement_request *req, const char *self, const char *at,
                           struct mc_placement *p, struct mc_error *err)
{
        _cleanup_free_ char *limit = NULL;
        _cleanup_close_ int fd = mc_placement_open_group(req->root_fd, self);
        char *longer = NULL;
        struct stat st;
        int r;

        if (fd < 0 || fstat(fd, &st) < 0)
                return mc_error_errno(err, errno, "look at memcage's own cgroup /%s", self);
        r = limited_above(req->root_fd, self, &limit);
        if (r < 0)
                return mc_error_errno(err, -r, "look at the groups above /%s", self);
        bool managed = is_dir(req->systemd_dir ? req->systemd_dir : "/run/systemd/system");
        if (!managed || limit || !req->user_bus)
                return mc_error_set(
                        err, EACCES,
                        "memcage runs as uid %u in /%s, inside /%s, which systemd delegated to its unit, "
                        "but "
                        "/%s is not uid %u's (it does not own the group and its cgroup.procs): memcage "
                        "cannot create groups there%s%s%s%s",
                        (unsigned)req->euid, self, at, self, (unsigned)req->euid,
                        limit ? ", and a scope of the user's own would leave the limit above it (" : "",
                        limit ? limit : "", limit ? ")" : "",
                        strstr(at, "slurmstepd.scope")
                                ? ". Slurm (22.05, cgroup/v2) makes a job's groups for root and delegates "
                                  "none to the job's user: let the job run memcage as root (a sudoers rule "
                                  "naming the exact profile and command, the profile's [run] user "
                                  "running it as the job's user), or leave the limit to Slurm "
                                  "(memcage export --to slurm)"
                                : ": run memcage as root, or name a group of the user's with --parent");

        r = place_in_scope(req, self, p, err);
        if (r == -ENOENT || r == -ECONNREFUSED) {
                if (p->unit) /* the scope was made: this is not the manager missing */
                        return r;
                return mc_error_set(err, -r,
                                    "memcage runs as uid %u in /%s, which is uid %u's (inside /%s, which "
                                    "systemd delegated to its unit), and no user manager answers for uid %u "
                                    "on %s to give it a scope: start one with loginctl enable-linger, run "
                                    "memcage as root, or name a group of the user's with --parent",
                                    (unsigned)req->euid, self, (unsigned)st.st_uid, at, (unsigned)req->euid,
                                    strncmp(req->user_bus, "unix:path=", 10) == 0 ? req->user_bus + 10
                                                                                  : req->user_bus);
        }
        if (r < 0)
                return r;
        /* The placement line says why memcage did not stay where it was. */
        if (asprintf(&longer,
                     "/%s is uid %u's: transient scope %s with Delegate=yes from uid %u's user manager",
                     self, (unsigned)st.st_uid, p->unit, (unsigned)req->euid) < 0)
                return mc_error_errno(err, ENOMEM, "placement");
        free(p->reason);
        p->reason = longer;
        return 0;
}

int mc_placement_prepare(const struct mc_placement_request *req, struct mc_placement *ret,
                         struct mc_error *err)
{
        struct mc_placement p = { 0 };
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ char *self = NULL;
        _cleanup_free_ char *not_here = NULL;
        enum mc_placement_kind kind = MC_PLACEMENT_DELEGATED;
        char *reason = NULL;
        int r;

        *ret = (struct mc_placement){ 0 };
        p.backend = req->backend ? req->backend : &mc_cgroup_backend_direct;
        if (req->parent) {
                r = mc_cgroup_validate_path(req->parent, err);
                if (r < 0)
                        return mc_error_prefix(err, "parent group '%s'", req->parent);
                p.kind = MC_PLACEMENT_PARENT;
                p.parent = strdup(req->parent);
                if (!p.parent || asprintf(&p.reason, "named parent %s", req->parent) < 0) {
                        mc_placement_done(&p);
                        return mc_error_errno(err, ENOMEM, "placement");
                }
                *ret = p;
                return 0;
        }

        r = mc_read_file_at(AT_FDCWD, req->proc_self_cgroup ? req->proc_self_cgroup : "/proc/self/cgroup",
                            &text, err);
        if (r >= 0)
                r = mc_placement_parse_self(text, &self, err);
        if (r < 0)
                return mc_error_prefix(err, "find memcage's own cgroup");

        /*
         * Started inside a delegated group's leaf (by a process evacuated
         * there, or another launcher's): that group is the place, and
         * memcage is in its leaf already.
         */
        bool in_leaf = false;
        char *base = strrchr(self, '/');
        if (streq(base ? base + 1 : self, MC_PLACEMENT_LEAF)) {
                *(base ? base : self) = '\0';
                in_leaf = true;
        }

        r = judge_delegation(req, self, &kind, &reason);
        if (r < 0)
                return mc_error_errno(err, -r, "look at memcage's own cgroup /%s", self);
        if (r == 2) {
                r = place_not_owned(req, self, reason, &p, err);
                free(reason);
                reason = NULL;
                if (r < 0) {
                        mc_placement_done(&p);
                        return r;
                }
                *ret = p;
                return 0;
        }
        /*
         * Root's run in a subtree another user may move processes in would be
         * theirs to move out of its limits, and root's launcher theirs to
         * freeze: root goes where only root moves processes (a scope, or the
         * root), and says why it did not stay.
         */
        if (r > 0 && req->euid == 0) {
                r = only_root_moves(req, self, &not_here);
                if (r < 0) {
                        free(reason);
                        return mc_error_errno(err, -r, "look at the groups above /%s", self);
                }
                if (r == 0) {
                        free(reason);
                        reason = NULL;
                }
        }
        if (r > 0) {
                p.reason = reason;
                r = nest(req, self, kind, in_leaf, &p, err);
        } else if (is_dir(req->systemd_dir ? req->systemd_dir : "/run/systemd/system"))
                r = place_in_scope(req, self, &p, err);
        else if (req->euid == 0) {
                _cleanup_free_ char *why = NULL;
                p.kind = MC_PLACEMENT_ROOT;
                p.parent = strdup(MC_PLACEMENT_ROOT_PARENT);
                r = only_root_moves(req, "", &why);
                if (r < 0)
                        r = mc_error_errno(err, -r, "look at the cgroup root %s", req->root);
                else if (r == 0)
                        r = mc_error_set(
                                err, EACCES,
                                "memcage runs as root in /%s, and no manager runs here, but the cgroup "
                                "root is not root's alone: %s, and whoever that is could move the "
                                "run out of its limits. Run memcage as root where the cgroup root is "
                                "root's (on the host, or in a container whose cgroup root is)",
                                self, why);
                else if (!p.parent || asprintf(&p.reason, "root on a cgroup tree without a manager") < 0)
                        r = mc_error_errno(err, ENOMEM, "placement");
        } else
                r = mc_error_set(err, EPERM,
                                 "memcage runs as uid %u in /%s, which is not delegated to it (owned by "
                                 "another user, no systemd delegation mark), and no systemd manages this "
                                 "tree: run memcage as root, or from a group delegated to this user",
                                 (unsigned)req->euid, self);
        if (r >= 0 && not_here) {
                /* The placement line and report say why memcage did not stay where it was. */
                char *longer = NULL;
                if (asprintf(&longer,
                             "%s; not /%s, memcage's own group: another user could move the run out of "
                             "its limits there (%s)",
                             p.reason ? p.reason : "?", self, not_here) < 0)
                        r = mc_error_errno(err, ENOMEM, "placement");
                else {
                        free(p.reason);
                        p.reason = longer;
                }
        }
        if (r < 0) {
                mc_placement_done(&p);
                return r;
        }
        *ret = p;
        return 0;
}

void mc_placement_done(struct mc_placement *p)
{
        if (!p)
                return;
        free(p->parent);
        free(p->reason);
        free(p->unit);
        free(p->origin);
        mc_strv_free(p->enabled);
        *p = (struct mc_placement){ 0 };
}
