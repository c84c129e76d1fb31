/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The placement stage: where in the cgroup2 tree the run's group goes, and
 * getting that place ready, between the limits and the group. In order:
 *
 *  1. a parent named by --parent or [cgroup] parent: there, as given;
 *  2. memcage's own cgroup is delegated to it (systemd's trusted.delegate or
 *     user.delegate xattr on it or above it; or, not being root, the group
 *     and its cgroup.procs and cgroup.subtree_control are owned by memcage's
 *     user; or it is the root of a cgroup namespace that is not the real
 *     root, as in a container): memcage moves itself into a leaf of that
 *     group, enables the controllers there, and the run's group goes beside
 *     the leaf. Being root is not delegation: systemd is the single writer
 *     of the units it did not delegate. Root takes a delegated group only
 *     when no one but root can write the directory or cgroup.procs of it or
 *     of any group above it up to the root (a subtree delegated to a user
 *     is the user's: they could move the run out of its limits); otherwise
 *     it goes on to 3 or 4 and the reason says why it did not stay;
 *  3. systemd is the manager: a transient scope with Delegate=yes is asked
 *     for memcage itself (system manager for root, the user's otherwise),
 *     then as 2;
 *  4. root on a tree without a manager: "memcage" under the root, if the
 *     root is root's alone as in 2;
 *  5. none fits: an error saying what was found and the fix.
 *
 * The leaf memcage moves into is MC_PLACEMENT_LEAF in the delegated group.
 * When the run is over, mc_placement_restore() moves memcage back and removes
 * the leaf (and turns off what it enabled) if nothing else uses them, so that
 * a delegated group is left as it was found.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

struct mc_cgroup_backend;

#define MC_PLACEMENT_LEAF "memcage-launcher"
/* On the leaf: its launcher and the controllers it enables, "PID STARTTIME PIDNS/memory hugetlb". */
#define MC_PLACEMENT_XATTR_LEAF    "user.memcage.leaf"
#define MC_PLACEMENT_DEFAULT_SLICE "memcage.slice"
#define MC_PLACEMENT_ROOT_PARENT   "memcage"
/* The system bus at its documented address: never $DBUS_SYSTEM_BUS_ADDRESS, a caller's under sudo. */
#define MC_PLACEMENT_SYSTEM_BUS "unix:path=/run/dbus/system_bus_socket"

enum mc_placement_kind {
        MC_PLACEMENT_PARENT,    /* named by the caller */
        MC_PLACEMENT_DELEGATED, /* memcage's own, delegated cgroup */
        MC_PLACEMENT_CONTAINER, /* the root of memcage's cgroup namespace */
        MC_PLACEMENT_SCOPE,     /* a transient systemd scope asked for this run */
        MC_PLACEMENT_ROOT,      /* "memcage" under the root of a tree with no manager */
        _MC_PLACEMENT_KIND_COUNT,
};

/* "parent", "delegated", "container", "scope", "root": the report's placement.kind. */
const char *mc_placement_kind_name(enum mc_placement_kind kind);

/* Asking a systemd manager for a transient scope (systemd-scope.c over D-Bus; a fake in tests). */
struct mc_scope_request {
        const char *address;     /* the bus the manager is on: MC_PLACEMENT_SYSTEM_BUS, or a user's */
        bool user;               /* a user manager (for messages) */
        const char *unit;        /* "memcage-db-1234.scope" */
        const char *slice;       /* NULL: the manager's default */
        const char *description; /* the command line */
        pid_t pid;               /* memcage itself */
        unsigned timeout_ms;     /* for the job to finish */
};
typedef int (*mc_scope_start_fn)(const struct mc_scope_request *req, void *userdata, struct mc_error *err);

struct mc_placement_request {
        const char *root; /* cgroup2 mount point, for messages */
        int root_fd;
        const char *parent;           /* --parent or [cgroup] parent: NULL to choose */
        const char *proc_self_cgroup; /* NULL: "/proc/self/cgroup" (a fake one in tests) */
        const char *systemd_dir;      /* exists when systemd is the manager; NULL: "/run/systemd/system" */
        uid_t euid;
        pid_t pid; /* memcage's pid, moved into the leaf */
        bool evacuate;
        bool use_hugetlb;
        /* For a scope (3): */
        const char *system_bus;        /* MC_PLACEMENT_SYSTEM_BUS */
        const char *user_bus;          /* "unix:path=$XDG_RUNTIME_DIR/bus", NULL when unknown */
        const char *slice;             /* [cgroup] slice; NULL: memcage.slice (system manager only) */
        const char *unit;              /* scope name */
        const char *description;       /* the command line */
        mc_scope_start_fn start_scope; /* NULL: mc_systemd_start_scope */
        void *start_scope_userdata;
        const struct mc_cgroup_backend
                *backend;         /* mkdir and remove of the leaf; NULL: plain mkdirat/rmdir */
        unsigned lock_timeout_ms; /* waiting for another launcher in the group; 0: 5 s */
};

struct mc_placement {
        enum mc_placement_kind kind;
        char *parent; /* where the run's group goes, relative to the root ("" is the root) */
        char *reason; /* why, one line: "delegated by systemd (user.delegate on /system.slice/x.service)" */
        char *unit;   /* the transient scope asked for, or NULL */
        bool moved_self; /* memcage moved itself into parent/MC_PLACEMENT_LEAF */
        char *origin;    /* the group memcage was in before, relative to the root */
        char **enabled;  /* controllers memcage enabled in parent (it turns them off again) */
        pid_t pid;
        uid_t euid;
        unsigned lock_timeout_ms;
        const struct mc_cgroup_backend *backend;
};

/*
 * Chooses and prepares the place (steps 1-5 above). On failure nothing was
 * changed except a scope already started (which systemd removes when memcage
 * exits) and err says what was found and what would fix it.
 */
int mc_placement_prepare(const struct mc_placement_request *req, struct mc_placement *ret,
                         struct mc_error *err);

/*
 * After the run's group is gone: when memcage moved itself into the leaf and
 * nothing else is in the leaf or beside it, turns off the controllers it
 * enabled, moves memcage back where it was and removes the leaf. Something
 * else there (another run, evacuated processes) leaves everything as it is:
 * not an error. A step that fails is an error, with what was left.
 */
int mc_placement_restore(const struct mc_placement *p, int root_fd, struct mc_error *err);

void mc_placement_done(struct mc_placement *p);

/* What mc_placement_sweep_leaf() did. */
struct mc_leaf_sweep {
        bool removed;    /* the leaf was removed */
        pid_t launcher;  /* the launcher that is gone */
        char **disabled; /* the controllers turned off again (NULL-terminated, may be NULL) */
};

/*
 * The leaf a launcher that died left in the delegated group group_fd (its
 * mark, MC_PLACEMENT_XATTR_LEAF, names a launcher that is gone): when the
 * leaf is empty and the only group there, the controllers its launcher
 * enabled are turned off and the leaf is removed (through backend; NULL: the
 * direct one), under the lock launchers take to nest there. A leaf without
 * that mark, with a live launcher, with processes or with groups beside it
 * is left alone (0, nothing removed). Free ret->disabled with mc_strv_free().
 * A launcher that nests into such a leaf takes it over instead: its restore
 * turns off what the dead one enabled.
 */
int mc_placement_sweep_leaf(int group_fd, const struct mc_cgroup_backend *backend, struct mc_leaf_sweep *ret,
                            struct mc_error *err);

/*
 * memcage's own cgroup from a /proc/PID/cgroup text: the path of the "0::"
 * line without its leading '/' ("" for the root). -ENOENT without such a line
 * (no cgroup2, or a hybrid host with the unified hierarchy unused).
 */
int mc_placement_parse_self(const char *text, char **ret, struct mc_error *err);

/* A run's group name when none is given: "db-1234", the profile's stem (mc_profile_stem()) and pid; NULL:
 * ENOMEM. */
char *mc_group_default_name(const char *profile, pid_t pid);

/* A unit name from a stem and pid: "memcage-db-1234.scope", other characters than [A-Za-z0-9:_.-] as '_'. */
char *mc_placement_scope_name(const char *stem, pid_t pid);

/*
 * The names of a run's scope: ret_unit "memcage-STEM-PID.scope", STEM the
 * profile's (mc_profile_stem()), and ret_description the command line,
 * "memcage: postgres -D /var/lib/db", cut at 200 bytes. -ENOMEM.
 */
int mc_placement_scope_names(const char *profile, char *const *argv, pid_t pid, char **ret_unit,
                             char **ret_description);

/*
 * The bus of uid's user manager, the user's own bus: in runtime_dir
 * ($XDG_RUNTIME_DIR) when it is absolute and needs no escaping in an
 * address, else in /run/user/UID. NULL when out of memory.
 */
char *mc_placement_user_bus(const char *runtime_dir, uid_t uid);

/*
 * Starts the scope through the manager's public D-Bus interface, with
 * libsystemd's sd-bus, loaded (dlopen) on this path only.
 */
int mc_systemd_start_scope(const struct mc_scope_request *req, void *userdata, struct mc_error *err);
