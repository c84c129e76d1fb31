/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Report outputs: opened before the command runs, written once after it (see output.h). */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "crash-point.h"
#include "output.h"
#include "util.h"

/* Created as the tool always did: 0666 less the umask. */
#define OUTPUT_MODE 0666

/* "N" of /dev/fd/N: decimal digits only, an int. */
static bool parse_fd_number(const char *s, int *ret)
{
        uint64_t v;
        if (mc_parse_u64(&s, &v) < 0 || *s != '\0' || v > INT_MAX)
                return false;
        *ret = (int)v;
        return true;
}

bool mc_output_fd_name(const char *path, int *ret_fd)
{
        if (streq(path, "/dev/stdout")) {
                *ret_fd = STDOUT_FILENO;
                return true;
        }
        if (streq(path, "/dev/stderr")) {
                *ret_fd = STDERR_FILENO;
                return true;
        }
        if (strncmp(path, "/dev/fd/", 8) == 0)
                return parse_fd_number(path + 8, ret_fd);
        if (strncmp(path, "/proc/self/fd/", 14) == 0)
                return parse_fd_number(path + 14, ret_fd);
        return false;
}

int mc_output_dup_fd(const char *path, int fd, int *ret_fd, struct mc_error *err)
{
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0)
                return mc_error_set(err, EBADF, "%s: fd %d is not open", path, fd);
        if ((fl & O_PATH) || (fl & O_ACCMODE) == O_RDONLY)
                return mc_error_set(err, EBADF, "%s: fd %d is not open for writing", path, fd);
        /* At 3 or above: the copy must never become the command's stdin, stdout or stderr. */
        int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (copy < 0)
                return mc_error_errno(err, errno, "%s: dup fd %d", path, fd);
        *ret_fd = copy;
        return 0;
}

static void output_reset(struct mc_output *o)
{
        *o = (struct mc_output){ .fd = -EBADF, .dir_fd = -EBADF };
}

void mc_output_done(struct mc_output *o)
{
        if (!o->path)
                return;
        /* A live file never committed: its named temporary file goes, the name keeps what it had. */
        if (o->tmp_name && o->dir_fd >= 0)
                (void)unlinkat(o->dir_fd, o->tmp_name, 0);
        free(o->tmp_name);
        mc_closep(&o->fd);
        mc_closep(&o->dir_fd);
        free(o->path);
        free(o->name);
        output_reset(o);
}

int mc_output_stream_fd(const struct mc_output *o)
{
        return o->path && o->kind == MC_OUTPUT_STREAM ? o->fd : -EBADF;
}

/* A FIFO or character device at name: opened now, never blocking in open() (no reader: an error). */
static int open_stream_at(struct mc_output *o, struct mc_error *err)
{
        _cleanup_close_ int fd =
                openat(o->dir_fd, o->name, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ELOOP)
                        return mc_error_set(err, ELOOP, "%s: a symbolic link (name the file itself)",
                                            o->path);
                if (errno == ENXIO)
                        return mc_error_set(err, ENXIO,
                                            "%s is a FIFO without a reader: start the reader first",
                                            o->path);
                return mc_error_errno(err, errno, "%s", o->path);
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return mc_error_errno(err, errno, "stat %s", o->path);
        /* Swapped between the look and the open: refuse rather than guess what it is now. */
        if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
                return mc_error_set(err, EINVAL, "%s changed while it was being opened", o->path);
        /* Open done: from here a slow reader slows the writer rather than losing the report. */
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
                return mc_error_errno(err, errno, "fcntl %s", o->path);
        o->fd = TAKE_FD(fd);
        o->kind = MC_OUTPUT_STREAM;
        return 0;
}

static int create_named(struct mc_output *o, char *tmp, size_t n, int *ret_fd, struct mc_error *err);

/*
 * The invoking user gets the file when they could have made it there
 * themselves: the directory is theirs, or writable by their group or by
 * everyone. In a directory only root may write (root's shell from
 * `sudo -s` keeps SUDO_UID), the file stays root's.
 */
static bool owner_may_create(int dir_fd, const struct mc_output_opts *opts)
{
        struct stat st;
        if (!opts->has_owner || fstat(dir_fd, &st) < 0)
                return false;
        return st.st_uid == opts->owner_uid || (st.st_mode & S_IWOTH) ||
               (st.st_gid == opts->owner_gid && (st.st_mode & S_IWGRP));
}

/* A file to replace: the unnamed file is made now, so that a directory memcage cannot write in fails before
 * the command runs. */
static int prepare_file(struct mc_output *o, const struct mc_output_opts *opts, struct mc_error *err)
{
        o->kind = MC_OUTPUT_FILE;
        o->mode = OUTPUT_MODE;
        o->chown = owner_may_create(o->dir_fd, opts);
        o->owner_uid = opts->owner_uid;
        o->owner_gid = opts->owner_gid;
        if (!opts->no_tmpfile) {
                o->fd = openat(o->dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, o->mode);
                if (o->fd >= 0)
                        return 0;
                /* No O_TMPFILE here (the filesystem, or a kernel older than 3.11): a named temporary file at
                 * the end. */
                if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
                        return mc_error_errno(err, errno, "%s: cannot create a file in its directory",
                                              o->path);
        }
        if (faccessat(o->dir_fd, ".", W_OK | X_OK, AT_EACCESS) < 0)
                return mc_error_errno(err, errno, "%s: cannot create a file in its directory", o->path);
        /* Written as the run goes: the named temporary file is needed now, not at the end. */
        if (opts->live) {
                char tmp[PATH_MAX];
                int r = create_named(o, tmp, sizeof(tmp), &o->fd, err);
                if (r < 0)
                        return r;
                o->tmp_name = strdup(tmp);
                if (!o->tmp_name)
                        return mc_error_errno(err, ENOMEM, "%s", o->path);
        }
        return 0;
}

/*
 * A regular file to append to, at the name in the pinned directory, never
 * through a link; made when missing (O_EXCL: memcage knows it made it, and
 * gives it to the owner as a replaced file would be).
 */
static int open_append(struct mc_output *o, const struct mc_output_opts *opts, struct mc_error *err)
{
        const int flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;
        bool made = true;
        _cleanup_close_ int fd = openat(o->dir_fd, o->name, flags | O_CREAT | O_EXCL, OUTPUT_MODE);
        if (fd < 0 && errno == EEXIST) {
                made = false;
                fd = openat(o->dir_fd, o->name, flags | O_NONBLOCK);
        }
        if (fd < 0) {
                if (errno == ELOOP)
                        return mc_error_set(err, ELOOP, "%s: a symbolic link (name the file itself)",
                                            o->path);
                return mc_error_errno(err, errno, "%s", o->path);
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return mc_error_errno(err, errno, "stat %s", o->path);
        /* Swapped between the look and the open: refuse rather than guess what it is now. */
        if (!S_ISREG(st.st_mode))
                return mc_error_set(err, EINVAL, "%s changed while it was being opened", o->path);
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
                return mc_error_errno(err, errno, "fcntl %s", o->path);
        if (made && owner_may_create(o->dir_fd, opts) && fchown(fd, opts->owner_uid, opts->owner_gid) < 0)
                return mc_error_errno(err, errno, "%s: give it to uid %u gid %u", o->path,
                                      (unsigned)opts->owner_uid, (unsigned)opts->owner_gid);
        o->fd = TAKE_FD(fd);
        o->kind = MC_OUTPUT_STREAM;
        return 0;
}

int mc_output_open(struct mc_output *o, const char *path, const struct mc_output_opts *opts,
                   struct mc_error *err)
{
        _cleanup_free_ char *dir = NULL;
        struct stat st;
        int n, r;

        output_reset(o);
        if (!path[0])
                return mc_error_set(err, ENOENT, "an empty file name");
        o->path = strdup(path);
        if (!o->path)
                return mc_error_errno(err, ENOMEM, "%s", path);

        if (streq(path, "-") && opts->dash_fd < 0) {
                r = mc_error_set(err, EINVAL, "'-' names no stream here");
                goto fail;
        }
        if (streq(path, "-") || mc_output_fd_name(path, &n)) {
                r = mc_output_dup_fd(path, streq(path, "-") ? opts->dash_fd : n, &o->fd, err);
                if (r < 0)
                        goto fail;
                o->kind = MC_OUTPUT_STREAM;
                return 0;
        }

        const char *slash = strrchr(path, '/');
        const char *name = slash ? slash + 1 : path;
        if (!name[0] || streq(name, ".") || streq(name, "..")) {
                r = mc_error_set(err, EISDIR, "%s names a directory, not a file", path);
                goto fail;
        }
        dir = !slash ? strdup(".") : slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
        o->name = strdup(name);
        if (!dir || !o->name) {
                r = mc_error_errno(err, ENOMEM, "%s", path);
                goto fail;
        }
        /* The directory is resolved now, once: a later swap of any of its components changes nothing. */
        o->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (o->dir_fd < 0) {
                r = mc_error_errno(err, errno, "%s: cannot open its directory %s", path, dir);
                goto fail;
        }
        if (fstatat(o->dir_fd, o->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno != ENOENT) {
                        r = mc_error_errno(err, errno, "stat %s", path);
                        goto fail;
                }
                r = opts->append ? open_append(o, opts, err) : prepare_file(o, opts, err);
        } else if (S_ISLNK(st.st_mode))
                /* A link in /tmp must not make root write where it points. */
                r = mc_error_set(err, ELOOP, "%s: a symbolic link (name the file itself)", path);
        else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
                r = open_stream_at(o, err);
        else if (S_ISREG(st.st_mode))
                r = opts->append ? open_append(o, opts, err) : prepare_file(o, opts, err);
        else if (S_ISDIR(st.st_mode))
                r = mc_error_set(err, EISDIR, "%s is a directory", path);
        else
                r = mc_error_set(err, EINVAL, "%s: neither a regular file, a FIFO nor a character device",
                                 path);
        if (r < 0)
                goto fail;
        return 0;
fail:
        mc_output_done(o);
        return r;
}

/* Content, owner, on disk: everything before the file gets its name. */
static int fill_file(struct mc_output *o, int fd, const char *data, size_t len, struct mc_error *err)
{
        int r = mc_write_all(fd, data, len);
        if (r < 0)
                return mc_error_errno(err, -r, "write %s", o->path);
        if (o->chown && fchown(fd, o->owner_uid, o->owner_gid) < 0)
                return mc_error_errno(err, errno, "%s: give it to uid %u gid %u", o->path,
                                      (unsigned)o->owner_uid, (unsigned)o->owner_gid);
        if (fsync(fd) < 0)
                return mc_error_errno(err, errno, "fsync %s", o->path);
        return 0;
}

/* "NAME.XXXXXX" in tmp (of PATH_MAX). */
static int temp_name(const struct mc_output *o, char *tmp, size_t n, struct mc_error *err)
{
        char suffix[7];
        mc_temp_suffix(suffix);
        if ((size_t)snprintf(tmp, n, "%s.%s", o->name, suffix) >= n)
                return mc_error_set(err, ENAMETOOLONG, "%s: name too long", o->path);
        return 0;
}

/* The unnamed file gets a temporary name (linkat cannot replace), then the real one. */
static int link_tmpfile(struct mc_output *o, char *tmp, size_t n, struct mc_error *err)
{
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
        for (int tries = 0;; tries++) {
                int r = temp_name(o, tmp, n, err);
                if (r < 0)
                        return r;
                if (linkat(AT_FDCWD, proc, o->dir_fd, tmp, AT_SYMLINK_FOLLOW) == 0)
                        return 0;
                /* Without /proc, root can still link the fd itself. */
                if (errno == ENOENT && linkat(o->fd, "", o->dir_fd, tmp, AT_EMPTY_PATH) == 0)
                        return 0;
                if (errno != EEXIST || tries == 99)
                        return mc_error_errno(err, errno, "%s: link the new file into its directory",
                                              o->path);
        }
}

/* Where O_TMPFILE is missing: a file made under a name nobody else has (O_EXCL, never a planted link). */
static int create_named(struct mc_output *o, char *tmp, size_t n, int *ret_fd, struct mc_error *err)
{
        for (int tries = 0;; tries++) {
                int r = temp_name(o, tmp, n, err);
                if (r < 0)
                        return r;
                int fd = openat(o->dir_fd, tmp,
                                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, o->mode);
                if (fd >= 0) {
                        *ret_fd = fd;
                        return 0;
                }
                if (errno != EEXIST || tries == 99)
                        return mc_error_errno(err, errno, "%s: create a temporary file", o->path);
        }
}

static int replace_file(struct mc_output *o, const char *data, size_t len, struct mc_error *err)
{
        char tmp[PATH_MAX];
        bool named = false;
        int r;

        if (o->fd >= 0 && !o->tmp_name) {
                r = fill_file(o, o->fd, data, len, err);
                mc_crash_point("atomic-write");
                if (r >= 0)
                        r = link_tmpfile(o, tmp, sizeof(tmp), err);
                named = r >= 0;
        } else {
                _cleanup_close_ int fd = -EBADF;
                r = create_named(o, tmp, sizeof(tmp), &fd, err);
                named = r >= 0;
                if (r >= 0)
                        r = fill_file(o, fd, data, len, err);
                mc_crash_point("atomic-write");
        }
        /* renameat never follows a link planted at the name meanwhile: it replaces the link. */
        if (r >= 0 && renameat(o->dir_fd, tmp, o->dir_fd, o->name) < 0)
                r = mc_error_errno(err, errno, "write %s", o->path);
        if (r < 0) {
                if (named)
                        unlinkat(o->dir_fd, tmp, 0);
                return r;
        }
        /* The new name itself on disk, not only the file's data. */
        if (fsync(o->dir_fd) < 0)
                return mc_error_errno(err, errno, "fsync the directory of %s", o->path);
        return 0;
}

int mc_output_write(struct mc_output *o, const char *data, size_t len, struct mc_error *err)
{
        if (!o->path)
                return mc_error_set(err, EBADF, "an output that is not open");
        if (o->written)
                return mc_error_set(err, EALREADY, "%s: written already", o->path);
        o->written = true;
        if (o->kind == MC_OUTPUT_FILE)
                return replace_file(o, data, len, err);
        int r = mc_write_all(o->fd, data, len);
        if (r < 0)
                return mc_error_errno(err, -r, "write %s", o->path);
        return 0;
}

int mc_output_fd(const struct mc_output *o)
{
        return o->path ? o->fd : -EBADF;
}

int mc_output_commit(struct mc_output *o, struct mc_error *err)
{
        char tmp[PATH_MAX];
        bool named = o->tmp_name != NULL;

        if (!o->path || o->fd < 0)
                return mc_error_set(err, EBADF, "an output that is not open");
        if (o->kind != MC_OUTPUT_FILE)
                return 0;
        if (o->written)
                return mc_error_set(err, EALREADY, "%s: written already", o->path);
        o->written = true;
        /* The content is in the file already: what is left is what fill_file() does after writing. */
        int r = fill_file(o, o->fd, "", 0, err);
        if (r >= 0 && named)
                snprintf(tmp, sizeof(tmp), "%s", o->tmp_name);
        else if (r >= 0) {
                r = link_tmpfile(o, tmp, sizeof(tmp), err);
                named = r >= 0;
        }
        if (r >= 0 && renameat(o->dir_fd, tmp, o->dir_fd, o->name) < 0)
                r = mc_error_errno(err, errno, "write %s", o->path);
        if (r < 0 && named)
                (void)unlinkat(o->dir_fd, tmp, 0);
        /* Renamed or removed: nothing for mc_output_done() to remove. */
        free(o->tmp_name);
        o->tmp_name = NULL;
        if (r < 0)
                return r;
        if (fsync(o->dir_fd) < 0)
                return mc_error_errno(err, errno, "fsync the directory of %s", o->path);
        return 0;
}
