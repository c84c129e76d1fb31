/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "crash-point.h"
#include "util.h"

void mc_strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

void mc_buf_appendf(char *buf, size_t n, size_t *len, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(buf + *len, n - *len, fmt, ap);
        va_end(ap);
        if (k > 0)
                *len = *len + (size_t)k < n ? *len + (size_t)k : n - 1;
}

int mc_strv_push(char ***v, size_t *n, char *s)
{
        if (!s)
                return -ENOMEM;
        char **nv = realloc(*v, (*n + 2) * sizeof(char *));
        if (!nv) {
                free(s);
                return -ENOMEM;
        }
        nv[(*n)++] = s;
        nv[*n] = NULL;
        *v = nv;
        return 0;
}

DIR *mc_opendir_at(int dirfd, const char *path)
{
        int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        DIR *d = fdopendir(fd);
        if (!d) {
                int e = errno;
                close(fd);
                errno = e;
        }
        return d;
}

int mc_read_file_at(int dirfd, const char *name, char **ret, struct mc_error *err)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return mc_error_errno(err, errno, "open '%s'", name);

        /*
         * Kernel files (cgroupfs, procfs) hand out their whole content in one
         * read() when the buffer is large enough, and report a meaningless
         * st_size: read once, and only when the buffer came back full read
         * again from the start with a larger one.
         */
        for (size_t cap = 4096;; cap *= 4) {
                _cleanup_free_ char *buf = malloc(cap);
                if (!buf)
                        return mc_error_errno(err, ENOMEM, "read '%s'", name);
                ssize_t k;
                do
                        k = pread(fd, buf, cap - 1, 0);
                while (k < 0 && errno == EINTR);
                if (k < 0)
                        return mc_error_errno(err, errno, "read '%s'", name);
                if ((size_t)k < cap - 1) {
                        buf[k] = '\0';
                        *ret = TAKE_PTR(buf);
                        return 0;
                }
                if (cap >= (16u << 20))
                        return mc_error_set(err, EFBIG, "'%s' is larger than 16M", name);
        }
}

int mc_write_file_at(int dirfd, const char *name, const char *value, struct mc_error *err)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return mc_error_errno(err, errno, "open '%s'", name);
        size_t len = strlen(value);
        /* Cgroup files take one value per write(); a short write is a failure. */
        ssize_t k = write(fd, value, len);
        if (k < 0)
                return mc_error_errno(err, errno, "write '%s' to '%s'", value, name);
        if ((size_t)k != len)
                return mc_error_set(err, EIO, "short write of '%s' to '%s'", value, name);
        return 0;
}

int mc_parse_u64(const char **p, uint64_t *ret)
{
        const char *q = *p;
        uint64_t v = 0;

        if (*q < '0' || *q > '9')
                return -EINVAL;
        for (; *q >= '0' && *q <= '9'; q++) {
                unsigned d = (unsigned)(*q - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *p = q;
        *ret = v;
        return 0;
}

int mc_read_u64_at(int dirfd, const char *name, uint64_t *ret, struct mc_error *err)
{
        _cleanup_free_ char *s = NULL;
        int r = mc_read_file_at(dirfd, name, &s, err);
        if (r < 0)
                return r;
        s[strcspn(s, "\n")] = '\0';
        if (streq(s, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
                return mc_error_set(err, EINVAL, "'%s' holds '%s', not a number", name, s);
        *ret = v;
        return 0;
}

uint64_t mc_now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void mc_sleep_ms(unsigned ms)
{
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

int mc_proc_starttime(pid_t pid, unsigned long long *ret)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        char buf[1024];
        ssize_t k = read(fd, buf, sizeof(buf) - 1);
        if (k <= 0)
                return k < 0 ? -errno : -EIO;
        buf[k] = '\0';
        /* The command name (field 2) may hold spaces and ')': skip to the last ')'. */
        char *p = strrchr(buf, ')');
        if (!p)
                return -EIO;
        p++;
        /* Fields after comm start at 3; starttime is field 22. */
        for (int field = 3; field < 22; field++) {
                p = strchr(p + 1, ' ');
                if (!p)
                        return -EIO;
        }
        if (sscanf(p, " %llu", ret) != 1)
                return -EIO;
        return 0;
}

void mc_proc_comm(pid_t pid, char *buf, size_t n)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t k = fd >= 0 && n > 1 ? read(fd, buf, n - 1) : -1;
        if (k <= 0) {
                snprintf(buf, n, "?");
                return;
        }
        buf[k] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
}

/*
 * A pid from one line of /proc/locks or a "lock:" line of fdinfo on the file
 * dev:ino ("1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF"; "1: -> ..."
 * is a waiter). 0: another file or a waiter; -1: the lock shows no pid.
 */
static long lock_line_pid(const char *line, struct stat *st)
{
        char type[16], kind[16], mode[16];
        unsigned maj, min;
        unsigned long long ino;
        long pid;
        line += strspn(line, " \t");
        line += strcspn(line, " \t"); /* the "1:" */
        if (strncmp(line + strspn(line, " \t"), "->", 2) == 0)
                return 0;
        if (sscanf(line, " %15s %15s %15s %ld %x:%x:%llu", type, kind, mode, &pid, &maj, &min, &ino) != 7)
                return 0;
        if (ino != (unsigned long long)st->st_ino || maj != major(st->st_dev) || min != minor(st->st_dev))
                return 0;
        return pid > 0 ? pid : -1;
}

static bool pid_alive(long pid)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%ld", pid);
        return access(path, F_OK) == 0;
}

pid_t mc_lock_holder(int fd)
{
        struct stat st;
        _cleanup_fclose_ FILE *f = NULL;
        char line[512];

        if (fstat(fd, &st) < 0)
                return 0;
        f = fopen("/proc/locks", "re");
        while (f && fgets(line, sizeof(line), f)) {
                long pid = lock_line_pid(line, &st);
                if (pid > 0 && pid != getpid() && pid_alive(pid))
                        return (pid_t)pid;
        }
        /* Who has the file open with a lock on it now: fdinfo lists each fd's locks (Linux 4.x+). */
        DIR *proc = opendir("/proc");
        if (!proc)
                return 0;
        pid_t found = 0;
        for (struct dirent *e; !found && (e = readdir(proc));) {
                char *end;
                long pid = strtol(e->d_name, &end, 10);
                if (*end || pid <= 0 || pid == getpid())
                        continue;
                char path[64];
                snprintf(path, sizeof(path), "/proc/%ld/fdinfo", pid);
                DIR *fds = opendir(path);
                for (struct dirent *d; fds && !found && (d = readdir(fds));) {
                        if (d->d_name[0] == '.')
                                continue;
                        char info[384];
                        snprintf(info, sizeof(info), "%s/%s", path, d->d_name);
                        _cleanup_fclose_ FILE *fi = fopen(info, "re");
                        while (fi && fgets(line, sizeof(line), fi))
                                if (strncmp(line, "lock:", 5) == 0 && lock_line_pid(line + 5, &st) != 0) {
                                        found = (pid_t)pid;
                                        break;
                                }
                }
                if (fds)
                        closedir(fds);
        }
        closedir(proc);
        return found;
}

void mc_temp_suffix(char s[7])
{
        static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        uint64_t v;
        if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
                v = mc_now_ns() ^ ((uint64_t)getpid() << 32);
        for (int i = 0; i < 6; i++, v /= sizeof(chars) - 1)
                s[i] = chars[v % (sizeof(chars) - 1)];
        s[6] = '\0';
}

int mc_write_all(int fd, const void *data, size_t len)
{
        size_t off = 0;
        while (off < len) {
                ssize_t k = write(fd, (const char *)data + off, len - off);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                struct pollfd p = { .fd = fd, .events = POLLOUT };
                                if (poll(&p, 1, -1) < 0 && errno != EINTR)
                                        return -errno;
                                continue;
                        }
                        return -errno;
                }
                off += (size_t)k;
        }
        return 0;
}

int mc_write_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                            struct mc_error *err)
{
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        char suffix[7];

        if (asprintf(&tmp, "%s.XXXXXX", name) < 0) {
                tmp = NULL;
                return mc_error_errno(err, ENOMEM, "write '%s'", name);
        }
        /* O_EXCL: a name someone else made (a file, a planted symlink) is never opened; try another. */
        for (int tries = 0; fd < 0; tries++) {
                mc_temp_suffix(suffix);
                memcpy(tmp + strlen(name) + 1, suffix, 6);
                fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
                            mode);
                if (fd < 0 && (errno != EEXIST || tries == 99))
                        return mc_error_errno(err, errno, "create a temporary file for '%s'", name);
        }

        int e = -mc_write_all(fd, data, len);
        if (!e && fsync(fd) < 0)
                e = errno;
        mc_crash_point("atomic-write");
        if (!e && renameat(dirfd, tmp, dirfd, name) < 0)
                e = errno;
        if (e) {
                unlinkat(dirfd, tmp, 0);
                return mc_error_errno(err, e, "write '%s'", name);
        }
        return 0;
}

int mc_write_file_atomic(const char *path, const char *data, size_t len, struct mc_error *err)
{
        return mc_write_file_atomic_at(AT_FDCWD, path, data, len, 0666, err);
}

int mc_pidns_self(uint64_t *ret)
{
        struct stat st;
        if (stat("/proc/self/ns/pid", &st) < 0)
                return -errno;
        *ret = (uint64_t)st.st_ino;
        return 0;
}
