/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Who the command runs as and what it starts with, from the [run] section of
 * a profile. Everything that needs a lookup (user and group names, the
 * environment, the launcher's own capabilities) is resolved in the parent by
 * mc_credentials_prepare(), since NSS is not async-signal-safe; the child
 * applies the plain result with mc_credentials_apply() between clone and
 * exec, with system calls only.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "error.h"
#include "profile.h"
#include "tty-guard.h"

/* The step of mc_credentials_apply() that failed; 0 is exec itself. */
enum mc_cred_step {
        MC_CRED_STEP_EXEC = 0,
        MC_CRED_STEP_CLOSE_FDS,
        MC_CRED_STEP_RLIMIT,
        MC_CRED_STEP_NICE,
        MC_CRED_STEP_OOM_SCORE_ADJ,
        MC_CRED_STEP_SETSID,
        MC_CRED_STEP_TTY_GUARD,
        MC_CRED_STEP_SETGROUPS,
        MC_CRED_STEP_SETRESGID,
        MC_CRED_STEP_BOUNDING_SET,
        MC_CRED_STEP_KEEPCAPS,
        MC_CRED_STEP_SETRESUID,
        MC_CRED_STEP_CAPSET,
        MC_CRED_STEP_AMBIENT,
        MC_CRED_STEP_NO_NEW_PRIVS,
        MC_CRED_STEP_CHDIR,
        _MC_CRED_STEP_COUNT,
};

#define MC_CRED_RLIMITS 3

struct mc_cred_rlimit {
        bool set;
        int resource; /* RLIMIT_MEMLOCK, ... */
        struct rlimit limit;
};

struct mc_credentials {
        bool active; /* anything to apply at all */

        bool set_uid;
        uid_t uid;
        char *user; /* the name (or the number without a passwd entry) */
        bool set_gid;
        gid_t gid;
        bool set_groups;
        gid_t *groups;
        size_t n_groups;

        bool set_caps;
        uint64_t caps;    /* bit N: capability N, kept in every set and the bounding set */
        char **cap_names; /* canonical names, for the report */
        int last_cap;     /* the kernel's highest capability number */
        bool no_new_privs;
        /*
         * Another user's command must not type into the launcher's terminal
         * (tty-guard.h): with a terminal on stdin, the TIOCSTI/TIOCLINUX
         * filter; without one, a session of its own (and the filter too,
         * where the build has it).
         */
        bool tty_guard;
        struct mc_tty_guard guard; /* the filter, built by mc_credentials_prepare() */
        bool new_session;
        bool close_fds;    /* mark fds >= 3 close-on-exec */
        int close_fds_max; /* the fallback loop's end when close_range() is missing */

        char *cwd;
        bool set_umask;
        mode_t umask;
        bool set_nice;
        int nice;
        bool set_oom_score_adj;
        char oom_score_adj[16]; /* as written to /proc/self/oom_score_adj */
        struct mc_cred_rlimit rlimits[MC_CRED_RLIMITS];

        char **envp; /* the command's environment; NULL: memcage's own, unchanged */
};

/*
 * Builds the credentials from the [run] keys of p; user, when not NULL (the
 * --user option), replaces [run] user. caller_env is memcage's environment.
 * Fails with a message naming the setting for an unknown user or group, and
 * for capabilities the launcher does not have in its permitted set.
 * Without any [run] key *ret is inactive and mc_credentials_apply() a no-op.
 * A user to run as also sets tty_guard, and new_session when memcage's
 * stdin (which the command inherits) is not a terminal.
 */
int mc_credentials_prepare(const struct mc_profile *p, const char *user, char *const *caller_env,
                           struct mc_credentials *ret, struct mc_error *err);

/*
 * In the child, between clone and exec: async-signal-safe calls only. Returns
 * 0, or a positive errno with *ret_step saying which step failed. The order
 * is that of KERNEL-NOTES §5, with what needs privileges (rlimits, nice,
 * oom_score_adj, the bounding set) done before the uid changes.
 */
int mc_credentials_apply(const struct mc_credentials *c, enum mc_cred_step *ret_step);

/* "setresuid", "chdir", ... for messages. */
const char *mc_cred_step_name(enum mc_cred_step step);

void mc_credentials_done(struct mc_credentials *c);
