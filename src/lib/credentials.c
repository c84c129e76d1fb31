/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "credentials.h"
#include "tty-guard.h"
#include "util.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* What a user's command finds in PATH, as login(1) sets it for ordinary users. */
#define USER_PATH "/usr/local/bin:/usr/bin:/bin"

static const char *const step_names[_MC_CRED_STEP_COUNT] = {
        [MC_CRED_STEP_EXEC] = "exec",
        [MC_CRED_STEP_CLOSE_FDS] = "close inherited file descriptors",
        [MC_CRED_STEP_RLIMIT] = "setrlimit",
        [MC_CRED_STEP_NICE] = "setpriority (nice)",
        [MC_CRED_STEP_OOM_SCORE_ADJ] = "write /proc/self/oom_score_adj",
        [MC_CRED_STEP_SETSID] = "setsid",
        [MC_CRED_STEP_TTY_GUARD] = "seccomp filter against terminal input injection",
        [MC_CRED_STEP_SETGROUPS] = "setgroups",
        [MC_CRED_STEP_SETRESGID] = "setresgid",
        [MC_CRED_STEP_BOUNDING_SET] = "drop capabilities from the bounding set",
        [MC_CRED_STEP_KEEPCAPS] = "prctl(PR_SET_KEEPCAPS)",
        [MC_CRED_STEP_SETRESUID] = "setresuid",
        [MC_CRED_STEP_CAPSET] = "capset",
        [MC_CRED_STEP_AMBIENT] = "raise ambient capabilities",
        [MC_CRED_STEP_NO_NEW_PRIVS] = "prctl(PR_SET_NO_NEW_PRIVS)",
        [MC_CRED_STEP_CHDIR] = "chdir",
};

const char *mc_cred_step_name(enum mc_cred_step step)
{
        if ((unsigned)step >= _MC_CRED_STEP_COUNT)
                return "start";
        return step_names[step];
}

/* "file:line: " of a setting, or the option that replaced it. */
static int setting_error(struct mc_error *err, const struct mc_setting *s, const char *option)
{
        if (option)
                return mc_error_prefix(err, "%s", option);
        if (s && s->line > 0)
                return mc_error_prefix(err, "%s:%u", s->file, s->line);
        return -err->code;
}

static bool is_number(const char *s)
{
        return s[0] != '\0' && strspn(s, "0123456789") == strlen(s);
}

/* A numeric id, refusing the (uid_t)-1 that the set*id calls take for "unchanged". */
static int parse_id(const char *s, unsigned *ret)
{
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (*end != '\0' || errno != 0 || v >= UINT32_MAX)
                return -ERANGE;
        *ret = (unsigned)v;
        return 0;
}

static int resolve_group(const char *name, gid_t *ret, struct mc_error *err)
{
        unsigned id;

        if (is_number(name)) {
                if (parse_id(name, &id) < 0)
                        return mc_error_set(err, ERANGE, "group id %s out of range", name);
                *ret = id;
                return 0;
        }
        errno = 0;
        struct group *g = getgrnam(name);
        if (!g)
                return errno && errno != ENOENT
                               ? mc_error_errno(err, errno, "cannot look up group '%s'", name)
                               : mc_error_set(err, ENOENT, "unknown group '%s'", name);
        *ret = g->gr_gid;
        return 0;
}

struct account {
        char *name, *home, *shell;
        bool has_passwd;
};

static void account_done(struct account *a)
{
        free(a->name);
        free(a->home);
        free(a->shell);
}

static int resolve_user(const char *user, uid_t *ret_uid, gid_t *ret_gid, struct account *a,
                        struct mc_error *err)
{
        struct passwd *pw;
        unsigned id = 0;

        errno = 0;
        if (is_number(user)) {
                if (parse_id(user, &id) < 0)
                        return mc_error_set(err, ERANGE, "user id %s out of range", user);
                pw = getpwuid(id);
        } else
                pw = getpwnam(user);
        if (!pw && errno && errno != ENOENT)
                return mc_error_errno(err, errno, "cannot look up user '%s'", user);
        if (!pw && !is_number(user))
                return mc_error_set(err, ENOENT, "unknown user '%s'", user);
        if (!pw) {
                /* A bare uid is fine, but then nothing says which group it runs with. */
                *ret_uid = id;
                a->name = strdup(user);
                a->home = strdup("/");
                a->shell = strdup("/bin/sh");
                a->has_passwd = false;
        } else {
                *ret_uid = pw->pw_uid;
                *ret_gid = pw->pw_gid;
                a->name = strdup(pw->pw_name);
                a->home = strdup(pw->pw_dir && pw->pw_dir[0] ? pw->pw_dir : "/");
                a->shell = strdup(pw->pw_shell && pw->pw_shell[0] ? pw->pw_shell : "/bin/sh");
                a->has_passwd = true;
        }
        if (!a->name || !a->home || !a->shell)
                return mc_error_errno(err, ENOMEM, "look up user '%s'", user);
        return 0;
}

static int resolve_group_list(const char *value, gid_t **ret, size_t *ret_n, struct mc_error *err)
{
        _cleanup_strv_free_ char **names = NULL;
        size_t n = 0;

        if (mc_profile_split_list(value, &names) < 0)
                return mc_error_errno(err, ENOMEM, "groups");
        while (names[n])
                n++;
        _cleanup_free_ gid_t *v = calloc(n + 1, sizeof(gid_t));
        if (!v)
                return mc_error_errno(err, ENOMEM, "groups");
        for (size_t i = 0; i < n; i++) {
                int r = resolve_group(names[i], &v[i], err);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

/* The user's groups from the group database, as login(1) would set them. */
static int user_groups(const char *name, gid_t gid, gid_t **ret, size_t *ret_n, struct mc_error *err)
{
        int n = 32;
        for (;;) {
                _cleanup_free_ gid_t *v = calloc((size_t)n, sizeof(gid_t));
                if (!v)
                        return mc_error_errno(err, ENOMEM, "groups of '%s'", name);
                int want = n;
                if (getgrouplist(name, gid, v, &want) >= 0) {
                        *ret = TAKE_PTR(v);
                        *ret_n = (size_t)want;
                        return 0;
                }
                if (want <= n || want > 65536)
                        return mc_error_set(err, EINVAL, "cannot list the groups of '%s'", name);
                n = want;
        }
}

static int prepare_caps(struct mc_credentials *c, const struct mc_setting *s, struct mc_error *err)
{
        _cleanup_strv_free_ char **names = NULL;
        size_t n = 0;

        if (mc_profile_split_list(s->value, &names) < 0)
                return mc_error_errno(err, ENOMEM, "capabilities");
        while (names[n])
                n++;
        c->cap_names = calloc(n + 1, sizeof(char *));
        if (!c->cap_names)
                return mc_error_errno(err, ENOMEM, "capabilities");

        cap_t own = cap_get_proc();
        if (!own)
                return mc_error_errno(err, errno, "read memcage's own capabilities");
        int r = 0;
        for (size_t i = 0; i < n && r >= 0; i++) {
                cap_value_t v;
                cap_flag_value_t have = CAP_CLEAR;
                if (cap_from_name(names[i], &v) < 0 || v < 0 || v > 63) {
                        r = mc_error_set(err, EINVAL, "unknown capability '%s'", names[i]);
                        break;
                }
                char *canon = cap_to_name(v);
                if (canon) {
                        for (char *ch = canon; *ch; ch++)
                                if (*ch >= 'a' && *ch <= 'z')
                                        *ch = (char)(*ch - 'a' + 'A');
                        c->cap_names[i] = strdup(canon);
                        cap_free(canon);
                }
                if (!c->cap_names[i]) {
                        r = mc_error_errno(err, ENOMEM, "capabilities");
                        break;
                }
                /* The child could not raise what memcage does not have: say so now, not after fork. */
                if (cap_get_flag(own, v, CAP_PERMITTED, &have) < 0 || have != CAP_SET)
                        r = mc_error_set(err, EPERM,
                                         "capability %s requested, but memcage does not have it (run it as "
                                         "root)",
                                         c->cap_names[i]);
                c->caps |= UINT64_C(1) << v;
        }
        cap_free(own);
        if (r < 0)
                return setting_error(err, s, NULL);
        c->set_caps = true;
        c->last_cap = (int)cap_max_bits() - 1;
        if (c->last_cap < 0 || c->last_cap > 63)
                c->last_cap = CAP_LAST_CAP;
        return 0;
}

static char *env_entry(const char *name, const char *value)
{
        char *s;
        if (asprintf(&s, "%s=%s", name, value) < 0)
                return NULL;
        return s;
}

/* Sets name=value in the vector, replacing an entry with the same name. */
static int env_set(char ***v, size_t *n, const char *entry)
{
        size_t len = strcspn(entry, "=");
        for (size_t i = 0; i < *n; i++)
                if (strncmp((*v)[i], entry, len) == 0 && (*v)[i][len] == '=') {
                        char *d = strdup(entry);
                        if (!d)
                                return -ENOMEM;
                        free((*v)[i]);
                        (*v)[i] = d;
                        return 0;
                }
        return mc_strv_push(v, n, strdup(entry));
}

static bool env_name_is(const char *entry, const char *name)
{
        size_t len = strlen(name);
        return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

/* What a command started for another user keeps of memcage's environment. */
static bool keep_for_user(const char *entry, char *const *keep)
{
        /* The dynamic linker's variables run code in the user's process: never carried across. */
        if (strncmp(entry, "LD_", 3) == 0)
                return false;
        if (env_name_is(entry, "TERM") || env_name_is(entry, "LANG") || env_name_is(entry, "LANGUAGE") ||
            strncmp(entry, "LC_", 3) == 0)
                return true;
        for (char *const *k = keep; k && *k; k++)
                if (env_name_is(entry, *k))
                        return true;
        return false;
}

static int prepare_env(struct mc_credentials *c, const struct mc_profile *p, const struct account *a,
                       char *const *caller_env, struct mc_error *err)
{
        const struct mc_setting *lines = &p->settings[MC_KEY_RUN_ENV];
        _cleanup_strv_free_ char **keep = NULL;
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        size_t n = 0;
        int r = 0;

        if (!c->set_uid && !lines->value)
                return 0; /* memcage's environment as it is */
        if (!v)
                return mc_error_errno(err, ENOMEM, "environment");
        if (c->set_uid) {
                const char *kv = p->settings[MC_KEY_RUN_ENV_KEEP].value;
                if (kv && mc_profile_split_list(kv, &keep) < 0)
                        return mc_error_errno(err, ENOMEM, "environment");
                r = mc_strv_push(&v, &n, env_entry("HOME", a->home));
                if (r >= 0)
                        r = mc_strv_push(&v, &n, env_entry("USER", a->name));
                if (r >= 0)
                        r = mc_strv_push(&v, &n, env_entry("LOGNAME", a->name));
                if (r >= 0)
                        r = mc_strv_push(&v, &n, env_entry("SHELL", a->shell));
                if (r >= 0)
                        r = mc_strv_push(&v, &n, strdup("PATH=" USER_PATH));
                for (char *const *e = caller_env; r >= 0 && e && *e; e++)
                        if (keep_for_user(*e, keep))
                                r = env_set(&v, &n, *e);
        } else
                for (char *const *e = caller_env; r >= 0 && e && *e; e++)
                        r = mc_strv_push(&v, &n, strdup(*e));
        for (const struct mc_setting *s = lines; r >= 0 && s && s->value; s = s->next)
                r = env_set(&v, &n, s->value);
        if (r < 0)
                return mc_error_errno(err, ENOMEM, "environment");
        c->envp = TAKE_PTR(v);
        return 0;
}

static int prepare_rlimits(struct mc_credentials *c, const struct mc_profile *p, struct mc_error *err)
{
        static const struct {
                enum mc_key key;
                int resource;
        } map[MC_CRED_RLIMITS] = {
                { MC_KEY_RUN_RLIMIT_MEMLOCK, RLIMIT_MEMLOCK },
                { MC_KEY_RUN_RLIMIT_AS, RLIMIT_AS },
                { MC_KEY_RUN_RLIMIT_DATA, RLIMIT_DATA },
        };

        for (size_t i = 0; i < MC_CRED_RLIMITS; i++) {
                const struct mc_setting *s = &p->settings[map[i].key];
                uint64_t v;
                if (!s->value)
                        continue;
                if (mc_profile_parse_rlimit(s->value, &v) < 0) {
                        mc_error_set(err, EINVAL, "invalid limit '%s'", s->value);
                        return setting_error(err, s, NULL);
                }
                rlim_t l = v == UINT64_MAX ? RLIM_INFINITY : (rlim_t)v;
                /* Soft and hard alike: the command cannot raise it again. */
                c->rlimits[i] = (struct mc_cred_rlimit){
                        .set = true,
                        .resource = map[i].resource,
                        .limit = { .rlim_cur = l, .rlim_max = l },
                };
                c->active = true;
        }
        return 0;
}

int mc_credentials_prepare(const struct mc_profile *p, const char *user, char *const *caller_env,
                           struct mc_credentials *ret, struct mc_error *err)
{
        const struct mc_setting *su = &p->settings[MC_KEY_RUN_USER], *sg = &p->settings[MC_KEY_RUN_GROUP];
        const struct mc_setting *sgs = &p->settings[MC_KEY_RUN_GROUPS];
        const struct mc_setting *s;
        _cleanup_(mc_credentials_done) struct mc_credentials c = { 0 };
        _cleanup_(account_done) struct account a = { 0 };
        const char *user_opt = user ? "--user" : NULL;
        int r = 0;

        if (!user)
                user = su->value;
        if (user) {
                r = resolve_user(user, &c.uid, &c.gid, &a, err);
                if (r < 0)
                        return setting_error(err, su, user_opt);
                c.set_uid = true;
                c.set_gid = a.has_passwd;
                c.user = strdup(a.name);
                if (!c.user)
                        return mc_error_errno(err, ENOMEM, "user");
        }
        if (sg->value) {
                r = resolve_group(sg->value, &c.gid, err);
                if (r < 0)
                        return setting_error(err, sg, NULL);
                c.set_gid = true;
        }
        if (c.set_uid && !c.set_gid)
                return mc_error_set(err, EINVAL,
                                    "user %s has no entry in the user database, so no primary group: set "
                                    "[run] group as well",
                                    user);
        if (sgs->value) {
                r = resolve_group_list(sgs->value, &c.groups, &c.n_groups, err);
                if (r < 0)
                        return setting_error(err, sgs, NULL);
                c.set_groups = true;
        } else if (c.set_uid) {
                /* A bare uid has no groups of its own; root's must not stay. */
                if (a.has_passwd)
                        r = user_groups(a.name, c.gid, &c.groups, &c.n_groups, err);
                if (r < 0)
                        return r;
                c.set_groups = true;
        }

        s = &p->settings[MC_KEY_RUN_CAPABILITIES];
        if (s->value && (r = prepare_caps(&c, s, err)) < 0)
                return r;

        /*
         * Capabilities without another user leave the command as uid 0 with a
         * smaller set: it still owns root's 0644 files, its group's memory.max
         * and the root's cgroup.procs among them, so it can lift its limit or
         * leave its group. That takes a profile that says so.
         */
        if (c.set_caps && (c.set_uid ? c.uid : geteuid()) == 0) {
                bool allow = false;
                s = &p->settings[MC_KEY_RUN_ALLOW_ROOT];
                if (s->value && mc_profile_parse_bool(s->value, &allow) < 0) {
                        mc_error_set(err, EINVAL, "invalid boolean '%s'", s->value);
                        return setting_error(err, s, NULL);
                }
                if (!allow) {
                        s = &p->settings[MC_KEY_RUN_CAPABILITIES];
                        mc_error_set(err, EPERM,
                                     "capabilities without a user other than root: the command would run as "
                                     "uid 0, which owns its group's memory.max and can lift its limit or "
                                     "leave its group; set [run] user (or --user), or allow_root = true to "
                                     "accept that");
                        return setting_error(err, s, NULL);
                }
        }

        /* On by default as soon as identity or capabilities change; elsewhere only when asked. */
        bool nnp = c.set_uid || c.set_caps;
        s = &p->settings[MC_KEY_RUN_NO_NEW_PRIVS];
        if (s->value && mc_profile_parse_bool(s->value, &nnp) < 0) {
                mc_error_set(err, EINVAL, "invalid boolean '%s'", s->value);
                return setting_error(err, s, NULL);
        }
        c.no_new_privs = nnp;
        /* A command started for another user must not inherit memcage's files. */
        c.close_fds = c.set_uid || c.set_caps;
        struct rlimit nofile;
        c.close_fds_max = getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < 1048576
                                  ? (int)nofile.rlim_cur
                                  : 1048576;

        s = &p->settings[MC_KEY_RUN_CWD];
        if (s->value && !(c.cwd = strdup(s->value)))
                return mc_error_errno(err, ENOMEM, "cwd");
        s = &p->settings[MC_KEY_RUN_UMASK];
        if (s->value) {
                unsigned m;
                if (mc_profile_parse_umask(s->value, &m) < 0) {
                        mc_error_set(err, EINVAL, "invalid umask '%s'", s->value);
                        return setting_error(err, s, NULL);
                }
                c.set_umask = true;
                c.umask = (mode_t)m;
        }
        s = &p->settings[MC_KEY_RUN_NICE];
        if (s->value) {
                long v;
                if (mc_profile_parse_int(s->value, -20, 19, &v) < 0) {
                        mc_error_set(err, EINVAL, "invalid nice '%s'", s->value);
                        return setting_error(err, s, NULL);
                }
                c.set_nice = true;
                c.nice = (int)v;
        }
        s = &p->settings[MC_KEY_RUN_OOM_SCORE_ADJ];
        if (s->value) {
                long v;
                if (mc_profile_parse_int(s->value, -1000, 1000, &v) < 0) {
                        mc_error_set(err, EINVAL, "invalid oom_score_adj '%s'", s->value);
                        return setting_error(err, s, NULL);
                }
                c.set_oom_score_adj = true;
                snprintf(c.oom_score_adj, sizeof(c.oom_score_adj), "%ld", v);
        }
        r = prepare_rlimits(&c, p, err);
        if (r < 0)
                return r;
        r = prepare_env(&c, p, &a, caller_env, err);
        if (r < 0)
                return r;

        if (c.set_uid) {
                c.tty_guard = true;
                /* Without a terminal on stdin nothing needs memcage's session: leave it. */
                c.new_session = !isatty(STDIN_FILENO);
                r = mc_tty_guard_prepare(&c.guard);
                if (r == -EOPNOTSUPP && c.new_session)
                        /* No libseccomp in this build: the session of its own is the guard, as
                         * the command has no terminal to share. */
                        c.tty_guard = false;
                else if (r == -EOPNOTSUPP)
                        return mc_error_set(
                                err, EOPNOTSUPP,
                                "a command run as another user keeps the terminal only behind "
                                "a seccomp filter, and this memcage is built without libseccomp: "
                                "run it with stdin not a terminal (e.g. </dev/null)");
                else if (r < 0)
                        return mc_error_errno(
                                err, -r, "building the seccomp filter against terminal input injection");
        }
        c.active = c.active || c.set_uid || c.set_gid || c.set_groups || c.set_caps || c.no_new_privs ||
                   c.cwd || c.set_umask || c.set_nice || c.set_oom_score_adj || c.envp;
        *ret = c;
        c = (struct mc_credentials){ 0 };
        return 0;
}

/* ---- the child side: system calls only ---- */

static int fail(enum mc_cred_step step, enum mc_cred_step *ret_step)
{
        int e = errno ? errno : EIO;
        *ret_step = step;
        return e;
}

static int mark_fds_cloexec(const struct mc_credentials *c)
{
        /* Close-on-exec rather than closed: memcage's exec error pipe must live until exec. */
        if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
                return 0;
        if (errno != ENOSYS && errno != EINVAL)
                return -1;
        for (int fd = 3; fd < c->close_fds_max; fd++) {
                int fl = fcntl(fd, F_GETFD);
                if (fl >= 0 && !(fl & FD_CLOEXEC) && fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
                        return -1;
        }
        return 0;
}

static int write_oom_score_adj(const char *value)
{
        int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        size_t len = strlen(value);
        ssize_t k = write(fd, value, len);
        int e = errno;
        close(fd);
        if (k != (ssize_t)len) {
                errno = k < 0 ? e : EIO;
                return -1;
        }
        return 0;
}

static int capset_all(uint64_t caps)
{
        struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct data[2];
        for (int i = 0; i < 2; i++) {
                uint32_t w = (uint32_t)(caps >> (32 * i));
                data[i] =
                        (struct __user_cap_data_struct){ .effective = w, .permitted = w, .inheritable = w };
        }
        return (int)syscall(SYS_capset, &hdr, data);
}

int mc_credentials_apply(const struct mc_credentials *c, enum mc_cred_step *ret_step)
{
        if (!c || !c->active)
                return 0;
        errno = 0;
        if (c->close_fds && mark_fds_cloexec(c) < 0)
                return fail(MC_CRED_STEP_CLOSE_FDS, ret_step);

        /* Raising a limit, lowering nice or oom_score_adj needs the privileges about to be dropped. */
        for (size_t i = 0; i < MC_CRED_RLIMITS; i++)
                if (c->rlimits[i].set && setrlimit(c->rlimits[i].resource, &c->rlimits[i].limit) < 0)
                        return fail(MC_CRED_STEP_RLIMIT, ret_step);
        if (c->set_nice && setpriority(PRIO_PROCESS, 0, c->nice) < 0)
                return fail(MC_CRED_STEP_NICE, ret_step);
        if (c->set_oom_score_adj && write_oom_score_adj(c->oom_score_adj) < 0)
                return fail(MC_CRED_STEP_OOM_SCORE_ADJ, ret_step);

        /* Both before the uid changes: a filter without no_new_privs needs CAP_SYS_ADMIN. */
        if (c->new_session && setsid() < 0)
                return fail(MC_CRED_STEP_SETSID, ret_step);
        if (c->tty_guard && mc_tty_guard_install(&c->guard) < 0)
                return fail(MC_CRED_STEP_TTY_GUARD, ret_step);

        if (c->set_groups && setgroups(c->n_groups, c->groups) < 0)
                return fail(MC_CRED_STEP_SETGROUPS, ret_step);
        if (c->set_gid && setresgid(c->gid, c->gid, c->gid) < 0)
                return fail(MC_CRED_STEP_SETRESGID, ret_step);

        /* Dropping from the bounding set needs CAP_SETPCAP, which the uid change takes away. */
        if (c->set_caps)
                for (int cap = 0; cap <= c->last_cap; cap++)
                        if (!(c->caps & (UINT64_C(1) << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
                                return fail(MC_CRED_STEP_BOUNDING_SET, ret_step);

        if (c->set_uid) {
                /* Without KEEPCAPS the change away from uid 0 clears the permitted set. */
                if (c->set_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                        return fail(MC_CRED_STEP_KEEPCAPS, ret_step);
                if (setresuid(c->uid, c->uid, c->uid) < 0)
                        return fail(MC_CRED_STEP_SETRESUID, ret_step);
        }
        if (c->set_caps) {
                if (capset_all(c->caps) < 0)
                        return fail(MC_CRED_STEP_CAPSET, ret_step);
                /* Ambient: what survives exec of an ordinary binary by a non-root user. */
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                        return fail(MC_CRED_STEP_AMBIENT, ret_step);
                for (int cap = 0; cap <= c->last_cap; cap++)
                        if ((c->caps & (UINT64_C(1) << cap)) &&
                            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
                                return fail(MC_CRED_STEP_AMBIENT, ret_step);
        }
        if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return fail(MC_CRED_STEP_NO_NEW_PRIVS, ret_step);

        if (c->set_umask)
                umask(c->umask);
        /* After the uid change, so that the user's own permissions decide. */
        if (c->cwd && chdir(c->cwd) < 0)
                return fail(MC_CRED_STEP_CHDIR, ret_step);
        return 0;
}

void mc_credentials_done(struct mc_credentials *c)
{
        free(c->user);
        free(c->groups);
        mc_strv_free(c->cap_names);
        free(c->cwd);
        mc_strv_free(c->envp);
        mc_tty_guard_done(&c->guard);
        *c = (struct mc_credentials){ 0 };
}
