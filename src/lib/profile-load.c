/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading a profile: the file opened (ownership checked for root runs), what
 * it inherits loaded first, cycles and depth refused, values merged so the
 * including file wins. The values themselves (mc_setting_*) belong to the
 * INI adapter, which makes them (profile-ini.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile-internal.h"
#include "profile.h"
#include "util.h"

/* Longer chains are a mistake rather than a design; this also bounds the recursion. */
#define INHERIT_DEPTH_MAX 16

void mc_profile_init(struct mc_profile *p)
{
        *p = (struct mc_profile){};
}

void mc_profile_free(struct mc_profile *p)
{
        free(p->name);
        free(p->path);
        mc_settings_free(p->settings);
        mc_strv_free(p->chain);
        mc_profile_init(p);
}

int mc_profile_set(struct mc_profile *p, const char *section, const char *key, const char *value,
                   const char *file, unsigned line, const struct mc_profile_env *env, struct mc_error *err)
{
        const struct mc_key_info *ki = NULL;

        if (!file)
                file = "command line";
        int r = mc_profile_lookup_key(section, key, &ki, err);
        if (r >= 0)
                r = mc_profile_validate_value(ki, value, env, err);
        if (r < 0)
                return line > 0 ? mc_error_prefix(err, "%s:%u", file, line) : r;
        if (ki->repeatable)
                r = mc_setting_add(&p->settings[ki->key], ki, value, file, line);
        else
                r = mc_setting_replace(&p->settings[ki->key], value, file, line);
        if (r < 0)
                return mc_error_errno(err, ENOMEM, "set %s '%s'", ki->name, value);
        return 0;
}

/*
 * Whose directories a profile may sit in: root and this process's effective
 * uid. The file itself: root's alone when check_owner (a root run: a sudo
 * user's file is not trusted either, so that a sudoers rule naming memcage
 * never lets its user pick a root run's values), else root's or the
 * effective uid's.
 */
struct trusted {
        uid_t uid[2];
        size_t n;
};

static struct trusted trusted_owners(const struct mc_profile_env *env, bool file)
{
        struct trusted t = { .uid = { 0 }, .n = 1 };
        uid_t extra[1] = { file && env->check_owner ? 0 : geteuid() };
        for (size_t i = 0; i < 1; i++) {
                bool seen = false;
                for (size_t j = 0; j < t.n; j++)
                        seen = seen || t.uid[j] == extra[i];
                if (!seen)
                        t.uid[t.n++] = extra[i];
        }
        return t;
}

static bool owner_trusted(const struct trusted *t, uid_t uid)
{
        for (size_t i = 0; i < t->n; i++)
                if (t->uid[i] == uid)
                        return true;
        return false;
}

/* "root", "root or uid 1000", "root, uid 1000 or uid 1001". */
static const char *trusted_names(const struct trusted *t, char *buf, size_t n)
{
        size_t used = (size_t)snprintf(buf, n, "root");
        for (size_t i = 1; i < t->n && used < n; i++)
                used += (size_t)snprintf(buf + used, n - used, "%s uid %u", i + 1 == t->n ? " or" : ",",
                                         (unsigned)t->uid[i]);
        return buf;
}

/*
 * One directory on the way to a profile, as sudo checks the directories
 * above sudoers: whoever can write to it can swap the profile. A sticky
 * directory (/tmp) lets others add entries but not rename or remove ours,
 * so there only the next component's owner matters, and each is checked.
 */
static int check_dir(const char *path, const char *dir, const struct stat *st,
                     const struct mc_profile_env *env, struct mc_error *err)
{
        struct trusted t = trusted_owners(env, false);
        char names[64];
        if (!owner_trusted(&t, st->st_uid))
                return mc_error_set(err, EPERM,
                                    "%s: refusing profile: directory %s is owned by uid %u, not %s "
                                    "(chown root %s, or move the profile)",
                                    path, dir, (unsigned)st->st_uid, trusted_names(&t, names, sizeof(names)),
                                    dir);
        if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_mode & S_ISVTX))
                return mc_error_set(err, EPERM,
                                    "%s: refusing profile: directory %s is writable by group or other "
                                    "(mode %04o, owner uid %u; chmod g-w,o-w %s)",
                                    path, dir, (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid, dir);
        return 0;
}

/*
 * Opens the directory dir (absolute, symlinks resolved) one component at a
 * time from "/", each with O_PATH|O_NOFOLLOW relative to the last and
 * checked with fstat: the fd returned is the directory checked, whatever is
 * renamed meanwhile. A symlink appearing after realpath() fails the walk.
 */
static int open_trusted_dir(const char *path, const char *dir, const struct mc_profile_env *env, int *ret_fd,
                            struct mc_error *err)
{
        _cleanup_close_ int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *walked = strdup(dir);
        struct stat st;

        if (fd < 0 || !walked)
                return mc_error_errno(err, fd < 0 ? errno : ENOMEM, "%s: cannot open profile", path);
        if (fstat(fd, &st) < 0)
                return mc_error_errno(err, errno, "%s: cannot open profile: stat /", path);
        int r = check_dir(path, "/", &st, env, err);
        if (r < 0)
                return r;
        /* walked is cut at each '/' in turn, so it names the directory just opened. */
        for (char *p = walked + 1; *p;) {
                char *slash = strchr(p, '/');
                if (slash)
                        *slash = '\0';
                _cleanup_close_ int next = openat(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0 && (errno == ELOOP || errno == ENOTDIR))
                        /* realpath() resolved it: a symlink now is a change under our feet. */
                        return mc_error_set(err, EAGAIN,
                                            "%s: cannot open profile: %s changed while it was checked", path,
                                            walked);
                if (next < 0)
                        return mc_error_errno(err, errno, "%s: cannot open profile: %s", path, walked);
                if (fstat(next, &st) < 0)
                        return mc_error_errno(err, errno, "%s: cannot open profile: stat %s", path, walked);
                r = check_dir(path, walked, &st, env, err);
                if (r < 0)
                        return r;
                close(fd);
                fd = TAKE_FD(next);
                if (!slash)
                        break;
                *slash = '/';
                p = slash + 1;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/*
 * Opens a profile the trusted way: the directories from / down to it checked
 * (open_trusted_dir), then the file opened from the last one with
 * O_NOFOLLOW. Symlinks in the path are resolved first with realpath() and
 * the result is walked, rather than each symlink judged by its owner: what
 * is checked is then every directory the file really sits in, whoever made
 * the link. The profile itself may be a symlink only when the file must not
 * be root's (!check_owner): it is resolved too.
 */
static int open_trusted(const char *path, const struct mc_profile_env *env, int flags, int *ret_fd,
                        struct mc_error *err)
{
        _cleanup_free_ char *copy = strdup(path), *real = NULL;
        const char *base = copy;

        if (!copy)
                return mc_error_errno(err, ENOMEM, "%s: cannot open profile", path);
        if (env->check_owner) {
                /* The file's own name stays as given: a symlink there is refused by O_NOFOLLOW. */
                char *slash = strrchr(copy, '/');
                const char *dir = ".";
                if (slash == copy)
                        dir = "/";
                else if (slash)
                        dir = copy;
                if (slash) {
                        *slash = '\0';
                        base = slash + 1;
                }
                real = realpath(dir, NULL);
        } else {
                real = realpath(path, NULL);
                char *slash = real ? strrchr(real, '/') : NULL;
                if (slash) {
                        base = slash + 1;
                        *slash = '\0';
                }
        }
        if (!real)
                return mc_error_errno(err, errno, "%s: cannot open profile", path);

        _cleanup_close_ int dfd = -EBADF;
        int r = open_trusted_dir(path, real[0] ? real : "/", env, &dfd, err);
        if (r < 0)
                return r;
        int fd = openat(dfd, base, flags | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ELOOP && env->check_owner)
                        return mc_error_set(err, EPERM, "%s: refusing profile: it is a symbolic link", path);
                return mc_error_errno(err, errno, "%s: cannot open profile", path);
        }
        *ret_fd = fd;
        return 0;
}

/*
 * Opens a profile file. For root runs (check_owner) only a regular file owned
 * by root and writable by nobody else
 * is read, as sudo does for sudoers: its values end up in a group root
 * creates. With check_trust (every run of the CLI, root or not) the
 * directories from / down to it are checked the same way, and the file's
 * owner and mode too: a profile others can change is a trap for its user.
 * The checks are made on the open fds, so the file read is the file checked.
 */
static int open_profile(const char *path, const struct mc_profile_env *env, FILE **ret_f,
                        struct stat *ret_st, struct mc_error *err)
{
        int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
        /* O_NONBLOCK: a FIFO must not hang the open before fstat() refuses it. */
        if (env->check_owner)
                flags |= O_NOFOLLOW | O_NONBLOCK;

        _cleanup_close_ int fd = -EBADF;
        if (env->check_owner || env->check_trust) {
                int r = open_trusted(path, env, flags, &fd, err);
                if (r < 0)
                        return r;
        } else if ((fd = open(path, flags)) < 0)
                return mc_error_errno(err, errno, "%s: cannot open profile", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return mc_error_errno(err, errno, "%s: cannot open profile", path);
        if (S_ISDIR(st.st_mode))
                return mc_error_errno(err, EISDIR, "%s: cannot read profile", path);
        if (env->check_owner && !S_ISREG(st.st_mode))
                return mc_error_set(err, EPERM, "%s: refusing profile: not a regular file", path);
        if ((env->check_owner || env->check_trust) && (st.st_mode & (S_IWGRP | S_IWOTH)))
                return mc_error_set(err, EPERM,
                                    "%s: refusing profile: writable by group or other "
                                    "(chmod go-w %s)",
                                    path, path);
        struct trusted t = trusted_owners(env, true);
        if ((env->check_owner || env->check_trust) && !owner_trusted(&t, st.st_uid)) {
                char names[64];
                return mc_error_set(err, EPERM,
                                    "%s: refusing profile: owned by uid %u, not %s (chown root %s)", path,
                                    (unsigned)st.st_uid, trusted_names(&t, names, sizeof(names)), path);
        }
        FILE *f = fdopen(fd, "r");
        if (!f)
                return mc_error_errno(err, errno, "%s: cannot open profile", path);
        TAKE_FD(fd);
        *ret_f = f;
        *ret_st = st;
        return 0;
}

struct load_frame {
        dev_t dev;
        ino_t ino;
        const char *name; /* as written: the requested name or an inherit value */
};

struct loader {
        const struct mc_profile_env *env;
        struct mc_profile *profile;
        size_t n_chain;
        unsigned depth;
        struct load_frame frames[INHERIT_DEPTH_MAX];
};

static int inherit_cycle_error(const struct loader *l, const char *name, const char *from,
                               unsigned from_line, struct mc_error *err)
{
        char chain[MC_ERROR_MSG_MAX] = "";
        size_t used = 0;

        for (unsigned i = 0; i <= l->depth && used < sizeof(chain); i++) {
                int k = snprintf(chain + used, sizeof(chain) - used, "%s -> ",
                                 i < l->depth ? l->frames[i].name : name);
                if (k > 0)
                        used += (size_t)k;
        }
        if (used >= 4 && used < sizeof(chain))
                chain[used - 4] = '\0';
        return mc_error_set(err, ELOOP, "%s:%u: inherit cycle: %s", from, from_line, chain);
}

/* A name with '/' is relative to the including file, like #include "x.h"; others are searched. */
static int resolve_inherit(const char *value, const char *including, const struct mc_profile_env *env,
                           char **ret, struct mc_error *err)
{
        if (!strchr(value, '/'))
                return mc_profile_find(value, env, ret, err);
        const char *slash = strrchr(including, '/');
        char *p;
        if (value[0] == '/' || !slash)
                p = strdup(value);
        else if (asprintf(&p, "%.*s/%s", (int)(slash - including), including, value) < 0)
                p = NULL;
        if (!p)
                return mc_error_errno(err, ENOMEM, "resolve '%s'", value);
        *ret = p;
        return 0;
}

static int load_file(struct loader *l, const char *path, const char *name, const char *from,
                     unsigned from_line, struct mc_error *err);

/* The profile path:own inherits, if any, loaded into l->profile. */
static int load_inherited(struct loader *l, const char *path, const struct mc_setting *own,
                          struct mc_error *err)
{
        const struct mc_setting *inherit = &own[MC_KEY_PROFILE_INHERIT];
        _cleanup_free_ char *inherited = NULL;

        if (!inherit->value)
                return 0;
        int r = resolve_inherit(inherit->value, path, l->env, &inherited, err);
        if (r < 0)
                return mc_error_prefix(err, "%s:%u", path, inherit->line);
        return load_file(l, inherited, inherit->value, path, inherit->line, err);
}

static void settings_done(struct mc_setting (*settings)[_MC_KEY_COUNT])
{
        mc_settings_free(*settings);
}

/* Loads path and what it inherits into l->profile; from:from_line is the inherit line, if any. */
static int load_file(struct loader *l, const char *path, const char *name, const char *from,
                     unsigned from_line, struct mc_error *err)
{
        _cleanup_fclose_ FILE *f = NULL;
        struct stat st = { 0 };

        int r = open_profile(path, l->env, &f, &st, err);
        if (r < 0)
                return from ? mc_error_prefix(err, "%s:%u", from, from_line) : r;
        /* Identity by inode, so "a" and "./a.ini" are the same file. */
        for (unsigned i = 0; i < l->depth; i++)
                if (l->frames[i].dev == st.st_dev && l->frames[i].ino == st.st_ino)
                        return inherit_cycle_error(l, name, from, from_line, err);
        if (l->depth == INHERIT_DEPTH_MAX)
                return mc_error_set(err, ELOOP, "%s:%u: inherit chain too deep: more than %d profiles", from,
                                    from_line, INHERIT_DEPTH_MAX);
        if (mc_strv_push(&l->profile->chain, &l->n_chain, strdup(path)) < 0)
                return mc_error_errno(err, ENOMEM, "load profile '%s'", path);

        _cleanup_(settings_done) struct mc_setting own[_MC_KEY_COUNT] = {};
        r = mc_profile_parse_file(path, f, l->env, own, err);
        if (r < 0)
                return r;

        l->frames[l->depth++] = (struct load_frame){ .dev = st.st_dev, .ino = st.st_ino, .name = name };
        r = load_inherited(l, path, own, err);
        l->depth--;
        if (r < 0)
                return r;

        /* Applied after the inherited profile, so this file's values win. */
        for (size_t k = 0; k < _MC_KEY_COUNT; k++) {
                const struct mc_key_info *ki = mc_key_info(k);
                for (const struct mc_setting *s = &own[k]; s && s->value; s = s->next) {
                        r = ki->repeatable ? mc_setting_add(&l->profile->settings[k], ki, s->value, s->file,
                                                            s->line)
                                           : mc_setting_replace(&l->profile->settings[k], s->value, s->file,
                                                                s->line);
                        if (r < 0)
                                return mc_error_errno(err, ENOMEM, "load profile '%s'", path);
                }
        }
        return 0;
}

int mc_profile_load(const char *name, const struct mc_profile_env *env, struct mc_profile *ret,
                    struct mc_error *err)
{
        _cleanup_(mc_profile_free) struct mc_profile p = {};
        _cleanup_free_ char *path = NULL;

        int r = mc_profile_find(name, env, &path, err);
        if (r < 0)
                return r;
        p.name = strdup(name);
        if (!p.name)
                return mc_error_errno(err, ENOMEM, "load profile '%s'", name);

        struct loader l = { .env = env, .profile = &p };
        r = load_file(&l, path, name, NULL, 0, err);
        if (r < 0)
                return r;
        p.path = TAKE_PTR(path);
        *ret = p;
        mc_profile_init(&p);
        return 0;
}
