/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Cleanup attributes and small file helpers shared by every module. */

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"

static inline void mc_freep(void *p)
{
        free(*(void **)p);
}
static inline void mc_closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
static inline void mc_fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}
void mc_strv_free(char **v);
/* Appends to the text of *len bytes being built in buf of n; text too long for buf is cut, never overruns.
 */
void mc_buf_appendf(char *buf, size_t n, size_t *len, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* Appends s (taken over, freed on failure) to the NULL-terminated vector *v of *n entries; -ENOMEM. */
int mc_strv_push(char ***v, size_t *n, char *s);
static inline void mc_strv_freep(char ***v)
{
        mc_strv_free(*v);
}

#define _cleanup_(f)        __attribute__((cleanup(f)))
#define _cleanup_free_      _cleanup_(mc_freep)
#define _cleanup_close_     _cleanup_(mc_closep)
#define _cleanup_fclose_    _cleanup_(mc_fclosep)
#define _cleanup_strv_free_ _cleanup_(mc_strv_freep)

/* Hands ownership out of a cleanup variable. */
#define TAKE_PTR(p)                     \
        ({                              \
                __typeof__(p) _p = (p); \
                (p) = NULL;             \
                _p;                     \
        })
#define TAKE_FD(fd)             \
        ({                      \
                int _fd = (fd); \
                (fd) = -EBADF;  \
                _fd;            \
        })

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define streq(a, b)   (strcmp((a), (b)) == 0)

/*
 * Reads a whole (small) file relative to a directory fd into a NUL-terminated
 * malloc'd buffer. Cgroup and proc files report a size of 0 or 4096, so this
 * reads until EOF rather than trusting st_size.
 */
int mc_read_file_at(int dirfd, const char *name, char **ret, struct mc_error *err);

/*
 * All of data to fd, resuming short writes and EINTR; a stream set
 * non-blocking by its other users is waited on (poll). 0 or -errno.
 */
int mc_write_all(int fd, const void *data, size_t len);

/* Writes a string to an existing file relative to a directory fd, in one write(). */
int mc_write_file_at(int dirfd, const char *name, const char *value, struct mc_error *err);

/* Six characters for a temporary file name, as mkstemp's: from getrandom, or the clock when it has none. */
void mc_temp_suffix(char s[7]);

/*
 * Replaces name in the directory dirfd with data atomically: a new
 * temporary file beside it ("NAME.XXXXXX", mode minus the umask), fsync,
 * renameat. A reader sees the old file or the whole new one, never half; on
 * failure nothing is left behind. Relative to a directory fd, so that a
 * caller that holds its directory open writes there and nowhere else.
 */
int mc_write_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                            struct mc_error *err);

/* The same for a path (relative to the working directory), mode 0666 minus the umask. */
int mc_write_file_atomic(const char *path, const char *data, size_t len, struct mc_error *err);

/*
 * The decimal digits at *p, advancing *p past them: -EINVAL when there are
 * none (no sign, no blank accepted), -ERANGE when they do not fit 64 bits.
 */
int mc_parse_u64(const char **p, uint64_t *ret);

/* Reads an unsigned integer file ("123\n"); "max" gives UINT64_MAX. */
int mc_read_u64_at(int dirfd, const char *name, uint64_t *ret, struct mc_error *err);

/*
 * Opens path relative to dirfd (".": dirfd itself) as a directory stream of
 * its own, so that reading it never moves dirfd's offset. NULL with errno.
 */
DIR *mc_opendir_at(int dirfd, const char *path);

/* Monotonic clock in nanoseconds. */
uint64_t mc_now_ns(void);
/* Sleeps ms milliseconds, through EINTR. */
void mc_sleep_ms(unsigned ms);

/* Start time of a process in clock ticks since boot (/proc/PID/stat field 22), for pid-reuse checks. */
int mc_proc_starttime(pid_t pid, unsigned long long *ret);

/* A process's command name (/proc/PID/comm) into buf, "?" when it cannot be read. */
void mc_proc_comm(pid_t pid, char *buf, size_t n);

/*
 * A process holding a lock (flock, POSIX or open file description) on the
 * file fd is open on, for a message after a lock wait timed out: the pid
 * /proc/locks gives, else (an OFD lock shows -1 there, a flock the pid that
 * took it, which may have exited since) the first process whose
 * /proc/PID/fdinfo lists a lock on that file, other than this one. 0 when
 * none is found (gone meanwhile, or in another pid namespace).
 */
pid_t mc_lock_holder(int fd);

/*
 * The inode of this process's pid namespace (st_ino of /proc/self/ns/pid): a
 * pid means something only within its namespace, so a record of a pid
 * carries it. Negative errno when it cannot be read.
 */
int mc_pidns_self(uint64_t *ret);
