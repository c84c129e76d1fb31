/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Where a rendering of the report goes (run --report/--text/--plot, report
 * -o). An output is opened when the run starts, before the command exists,
 * and written once when it ends, so that nothing the command does in
 * between (a directory of the path swapped for a symbolic link, a file
 * planted at the name) changes where the bytes land:
 *
 *   "-"                                 the fd given for it, as a stream
 *   /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N
 *                                       a dup of the caller's own fd N, as a
 *                                       stream (by name: no /dev/fd needed,
 *                                       nothing created or replaced)
 *   a FIFO or a character device        opened now, written as a stream
 *   a regular file, or nothing          replaced atomically in the directory
 *                                       pinned now (O_TMPFILE, else a named
 *                                       temporary file), file and directory
 *                                       fsync'ed; or appended to (opts.append)
 *   a symbolic link, a directory, anything else: refused.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct mc_output_opts {
        int dash_fd; /* the fd "-" names (the CLI passes 1, or 2 for the text report); -EBADF: none */
        /*
         * Under sudo, the invoking user: a file created in a directory that
         * user may write to (or owns) is given to them before it appears.
         */
        bool has_owner;
        uid_t owner_uid;
        gid_t owner_gid;
        /* Test hook: behave as on a filesystem without O_TMPFILE (a named temporary file). */
        bool no_tmpfile;
        /*
         * Written as the run goes (run --events): a file to replace gets its
         * temporary file now (mc_output_fd()), named at mc_output_commit();
         * a stream is written as always.
         */
        bool live;
        /*
         * Appended to (run --events-append): a regular file is opened with
         * O_APPEND (made when missing, given to the owner as above) and
         * written as a stream; FIFOs, character devices and fds by name as
         * always. Implies live.
         */
        bool append;
};

enum mc_output_kind {
        MC_OUTPUT_STREAM, /* fd is written as it is */
        MC_OUTPUT_FILE,   /* dir_fd/name is replaced */
};

struct mc_output {
        char *path; /* as given, for messages */
        enum mc_output_kind kind;
        int fd;     /* the stream, or the O_TMPFILE of a file (-EBADF until made) */
        int dir_fd; /* the directory of a file, pinned when opened */
        char *name; /* the last component of the path, in dir_fd */
        mode_t mode;
        bool chown; /* give the new file to owner_uid:owner_gid */
        uid_t owner_uid;
        gid_t owner_gid;
        bool written;
        char *tmp_name; /* live, without O_TMPFILE: fd is this named temporary file in dir_fd */
};

/*
 * Recognises the names of the caller's own fds: /dev/stdout (1),
 * /dev/stderr (2), /dev/fd/N and /proc/self/fd/N. True and *ret_fd when
 * path is one of them; by name alone, never through the filesystem.
 */
bool mc_output_fd_name(const char *path, int *ret_fd);

/* The caller's fd N as a stream: a CLOEXEC dup of it, refused when N is not open for writing. */
int mc_output_dup_fd(const char *path, int fd, int *ret_fd, struct mc_error *err);

/*
 * Opens path (see above) into *o (initialised here; release with
 * mc_output_done() on every path). Every error names path.
 */
int mc_output_open(struct mc_output *o, const char *path, const struct mc_output_opts *opts,
                   struct mc_error *err);

/* The fd of a stream (colour is for terminals), -EBADF for a file. */
int mc_output_stream_fd(const struct mc_output *o);

/*
 * Writes data, once: all of it to a stream (-EPIPE when its reader has
 * gone), or as the whole new content of the file, which appears at its
 * name complete or not at all and leaves no temporary file behind.
 */
int mc_output_write(struct mc_output *o, const char *data, size_t len, struct mc_error *err);

/* The fd a live output is written through (a stream's, or the temporary file of a file). */
int mc_output_fd(const struct mc_output *o);

/*
 * Names the temporary file of a live file output (opts.live) once it has
 * all its content: synced, given to the owner, then renamed over the name
 * as mc_output_write() does. Nothing for a stream. Not called, the name
 * keeps what it had.
 */
int mc_output_commit(struct mc_output *o, struct mc_error *err);

/* Closes the fds; idempotent. An unwritten file leaves nothing behind. */
void mc_output_done(struct mc_output *o);
