/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "steps.h"
#include "util.h"

int mc_step_name_parse(const char *line, size_t len, char ret[MC_STEP_NAME_MAX + 1], struct mc_error *err)
{
        char name[MC_STEP_NAME_MAX + 1];

        if (len > 0 && line[len - 1] == '\r')
                len--; /* a line written on another system's terms */
        if (len == 0)
                return 0;
        if (len > MC_STEP_NAME_MAX)
                return mc_error_errno(err, EINVAL, "step name longer than %d bytes", MC_STEP_NAME_MAX);
        if (memchr(line, '\0', len))
                return mc_error_errno(err, EINVAL, "step name with a NUL byte");
        memcpy(name, line, len);
        name[len] = '\0';
        /* Names go to the report and to terminals as they are: nothing that would need escaping. */
        if (!mc_text_is_printable(name)) {
                _cleanup_free_ char *shown = mc_escape_text_dup(name);
                return mc_error_errno(err, EINVAL, "step name '%s': control characters or invalid UTF-8",
                                      shown ? shown : "?");
        }
        memcpy(ret, name, len + 1);
        return 1;
}

int mc_step_list_begin(struct mc_step_list *l, const char *name, const struct mc_step_reading *now)
{
        mc_step_list_end(l, now);
        if (l->n >= MC_STEPS_MAX) {
                l->truncated = true;
                return 0;
        }
        if (l->n == l->capacity) {
                size_t cap = l->capacity ? l->capacity * 2 : 8;
                struct mc_step *v = reallocarray(l->v, cap, sizeof(*v));
                if (!v)
                        return -ENOMEM;
                l->v = v;
                l->capacity = cap;
        }
        struct mc_step *s = &l->v[l->n++];
        *s = (struct mc_step){ .start_ns = now->t_ns, .begin = *now };
        snprintf(s->name, sizeof(s->name), "%s", name);
        l->open = true;
        return 1;
}

static uint64_t sub0(uint64_t a, uint64_t b)
{
        return a > b ? a - b : 0;
}

void mc_step_list_end(struct mc_step_list *l, const struct mc_step_reading *now)
{
        if (!l->open)
                return;
        struct mc_step *s = &l->v[l->n - 1];
        const struct mc_step_reading *b = &s->begin;

        l->open = false;
        s->end_ns = now->t_ns > s->start_ns ? now->t_ns : s->start_ns;
        if (now->has_kernel_peak) {
                s->has_peak = true;
                s->peak = now->kernel_peak;
                s->peak_source = "kernel";
        } else if (b->has_current || now->has_current) {
                s->has_peak = true;
                s->peak = b->has_current ? b->current : 0;
                if (now->has_current && now->current > s->peak)
                        s->peak = now->current;
                s->peak_source = "sampled";
        }
        if (now->has_kernel_swap_peak) {
                s->has_swap_peak = true;
                s->swap_peak = now->kernel_swap_peak;
                s->swap_peak_source = "kernel";
        } else if (b->has_swap_current || now->has_swap_current) {
                s->has_swap_peak = true;
                s->swap_peak = b->has_swap_current ? b->swap_current : 0;
                if (now->has_swap_current && now->swap_current > s->swap_peak)
                        s->swap_peak = now->swap_current;
                s->swap_peak_source = "sampled";
        }
        if (b->has_pressure && now->has_pressure) {
                s->has_pressure = true;
                for (int k = 0; k < _MC_PSI_KIND_COUNT; k++)
                        s->pressure_total_us[k] = sub0(now->pressure_total_us[k], b->pressure_total_us[k]);
        }
        if (b->has_events && now->has_events) {
                s->has_events = true;
                mc_counters_delta(&b->events, &now->events, &s->events);
                mc_counters_get(&s->events, "oom_kill", &s->oom_kills);
        }
}

void mc_step_list_add_samples(struct mc_step_list *l, const uint64_t *t_ns, const uint64_t *current,
                              const uint64_t *swap, size_t n)
{
        size_t i = 0;

        /* Both are in time order: one pass. */
        for (size_t k = 0; k < l->n; k++) {
                struct mc_step *s = &l->v[k];
                bool ended = !(l->open && k == l->n - 1);
                while (i < n && t_ns[i] < s->start_ns)
                        i++;
                for (size_t j = i; j < n && t_ns[j] <= s->end_ns && ended; j++) {
                        if (s->peak_source && strcmp(s->peak_source, "sampled") == 0 && current[j] > s->peak)
                                s->peak = current[j];
                        if (swap && s->swap_peak_source && strcmp(s->swap_peak_source, "sampled") == 0 &&
                            swap[j] > s->swap_peak)
                                s->swap_peak = swap[j];
                }
        }
}

void mc_step_list_free(struct mc_step_list *l)
{
        free(l->v);
        *l = (struct mc_step_list){ 0 };
}

static void warn(const struct mc_steps *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(const struct mc_steps *s, const char *fmt, ...)
{
        char text[MC_ERROR_MSG_MAX + 128];
        va_list ap;
        if (!s->o.warn)
                return;
        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        s->o.warn(s->o.warn_userdata, text);
}

/* The directory the private one goes in: the command's user's runtime directory when it has one. */
static const char *tmp_base(const struct mc_steps_opts *o, char *buf, size_t n)
{
        uid_t uid = o->set_owner ? o->uid : geteuid();
        struct stat st;

        if (o->tmp)
                return o->tmp;
        snprintf(buf, n, "/run/user/%u", (unsigned)uid);
        if (lstat(buf, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid)
                return buf;
        /*
         * Another user's command cannot reach into memcage's $TMPDIR: the
         * shared one then. Root takes no directory from its caller's
         * environment (sudo may pass TMPDIR on): the directory is removed by
         * path at the end, so it must be one the caller cannot swap.
         */
        const char *t = o->set_owner || geteuid() == 0 ? NULL : secure_getenv("TMPDIR");
        return t && t[0] == '/' ? t : "/tmp";
}

/* A step peak file opened for the fd-local reset of 6.12; -EBADF when the kernel has none. */
static int open_peak(int group_fd, const char *name)
{
        int fd = openat(group_fd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        return fd >= 0 ? fd : -EBADF;
}

static void publish_lines(struct mc_steps *s);

int mc_steps_open(struct mc_steps *s, const struct mc_steps_opts *o, struct mc_error *err)
{
        char buf[64];
        const char *base = tmp_base(o, buf, sizeof(buf));
        int r;

        *s = (struct mc_steps){ .o = *o,
                                .dir_fd = -EBADF,
                                .fifo_fd = -EBADF,
                                .peak_fd = -EBADF,
                                .swap_peak_fd = -EBADF,
                                .reclaim_fd = -EBADF };
        /* Asked for: without the file the steps would not be what the user asked, so no run. */
        if (o->reclaim) {
                s->reclaim_fd = openat(o->group_fd, "memory.reclaim", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
                if (s->reclaim_fd < 0) {
                        int e = errno;
                        return mc_error_errno(err, e, "memory.reclaim%s",
                                              e == ENOENT ? " (the kernel has none: Linux 5.19+ has it)"
                                                          : "");
                }
        }
        if (asprintf(&s->dir, "%s/" MC_STEPS_DIR_TMPL, base) < 0) {
                s->dir = NULL;
                return mc_error_errno(err, ENOMEM, "steps");
        }
        if (!mkdtemp(s->dir)) {
                r = mc_error_errno(err, errno, "cannot make a directory in %s", base);
                free(TAKE_PTR(s->dir));
                return r;
        }
        if (asprintf(&s->path, "%s/" MC_STEPS_FIFO, s->dir) < 0) {
                s->path = NULL;
                r = mc_error_errno(err, ENOMEM, "steps");
                goto fail;
        }
        s->dir_fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s->dir_fd < 0) {
                r = mc_error_errno(err, errno, "%s", s->dir);
                goto fail;
        }
        if (mkfifoat(s->dir_fd, MC_STEPS_FIFO, 0600) < 0) {
                r = mc_error_errno(err, errno, "cannot make the FIFO %s", s->path);
                goto fail;
        }
        /* Read-write: memcage is a writer too, so no EOF when the command closes its end, and no ENXIO. */
        s->fifo_fd = openat(s->dir_fd, MC_STEPS_FIFO, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
        if (s->fifo_fd < 0) {
                r = mc_error_errno(err, errno, "%s", s->path);
                goto fail;
        }
        /*
         * Another user writes the FIFO, which becomes theirs; the directory
         * stays memcage's, searchable only, so that they can reach the FIFO
         * but put nothing beside it that would keep the directory from going.
         */
        if (o->set_owner && (fchown(s->fifo_fd, o->uid, o->gid) < 0 || fchmod(s->dir_fd, 0711) < 0)) {
                r = mc_error_errno(err, errno, "cannot give %s to uid %u", s->path, (unsigned)o->uid);
                goto fail;
        }
        s->peak_fd = open_peak(o->group_fd, "memory.peak");
        s->swap_peak_fd = open_peak(o->group_fd, "memory.swap.peak");
        publish_lines(s);
        return 0;
fail:
        mc_steps_done(s);
        return r;
}

int mc_steps_env(struct mc_steps *s, char *const *base, struct mc_error *err)
{
        static const char prefix[] = MC_STEPS_ENV "=";
        size_t n = 0, k = 0;
        char **v;

        for (char *const *e = base; e && *e; e++)
                n++;
        v = calloc(n + 2, sizeof(*v));
        if (!v)
                return mc_error_errno(err, ENOMEM, "environment");
        for (char *const *e = base; e && *e; e++)
                if (strncmp(*e, prefix, sizeof(prefix) - 1) != 0 && !(v[k++] = strdup(*e)))
                        goto oom;
        if (asprintf(&v[k], "%s%s", prefix, s->path) < 0) {
                v[k] = NULL;
                goto oom;
        }
        mc_strv_free(s->envp);
        s->envp = v;
        return 0;
oom:
        mc_strv_free(v);
        return mc_error_errno(err, ENOMEM, "environment");
}

static uint64_t since_start(const struct mc_steps *s)
{
        uint64_t now = s->end_ns ? s->end_ns : mc_now_ns();
        return now > s->start_ns ? now - s->start_ns : 0;
}

static bool pread_u64(int fd, uint64_t *ret)
{
        char buf[32];
        ssize_t k = pread(fd, buf, sizeof(buf) - 1, 0);
        if (k <= 0)
                return false;
        buf[k] = '\0';
        const char *p = buf;
        return mc_parse_u64(&p, ret) >= 0;
}

/* What the group shows now; at a step's end, the peaks through memcage's fds too. */
static void read_now(const struct mc_steps *s, bool ending, struct mc_step_reading *ret)
{
        struct mc_pressure_line psi[_MC_PSI_KIND_COUNT];
        struct mc_error e = { 0 };
        int g = s->o.group_fd;

        *ret = (struct mc_step_reading){ .t_ns = since_start(s) };
        ret->has_current = mc_read_u64_at(g, "memory.current", &ret->current, &e) >= 0;
        ret->has_swap_current = mc_read_u64_at(g, "memory.swap.current", &ret->swap_current, &e) >= 0;
        ret->has_events = mc_memory_events_read_at(g, false, &ret->events, &e) >= 0;
        if (mc_pressure_read_at(g, psi, &e) >= 0) {
                ret->has_pressure = true;
                for (int k = 0; k < _MC_PSI_KIND_COUNT; k++)
                        ret->pressure_total_us[k] = psi[k].present ? psi[k].total_us : 0;
        }
        if (ending && s->peak_fd >= 0)
                ret->has_kernel_peak = pread_u64(s->peak_fd, &ret->kernel_peak);
        if (ending && s->swap_peak_fd >= 0)
                ret->has_kernel_swap_peak = pread_u64(s->swap_peak_fd, &ret->kernel_swap_peak);
}

int mc_steps_reclaim(int group_fd, int reclaim_fd, bool *plain)
{
        char buf[64];
        uint64_t current;
        struct mc_error e = { 0 };

        if (mc_read_u64_at(group_fd, "memory.current", &current, &e) < 0)
                return -e.code;
        if (current == 0)
                return 0;
        for (;;) {
                int n = snprintf(buf, sizeof(buf), "%llu%s", (unsigned long long)current,
                                 *plain ? "" : " swappiness=0");
                if (write(reclaim_fd, buf, (size_t)n) == n || errno == EAGAIN)
                        return 0;
                if (errno != EINVAL || *plain)
                        return -errno;
                /* The key is newer than memory.reclaim: the size alone, which may swap out anon too. */
                *plain = true;
        }
}

/*
 * A write resets the peak seen through this fd to the current usage (6.12);
 * before, it fails (EINVAL or another error) and the steps are sampled.
 */
static void reset_peak(int *fd)
{
        if (*fd >= 0 && write(*fd, "reset\n", 6) != 6)
                mc_closep(fd);
}

static void begin(struct mc_steps *s, const char *name)
{
        struct mc_step_reading now;
        int r;

        read_now(s, s->list.open, &now);
        if (s->reclaim_fd >= 0) {
                /* The step before ends at what it left; the new one starts from what reclaim could not take.
                 */
                mc_step_list_end(&s->list, &now);
                r = mc_steps_reclaim(s->o.group_fd, s->reclaim_fd, &s->reclaim_plain);
                if (r < 0)
                        warn(s, "step '%s': memory.reclaim: %s, ignoring", name, strerror(-r));
                read_now(s, false, &now);
        }
        reset_peak(&s->peak_fd);
        reset_peak(&s->swap_peak_fd);
        /* After the reset: usage now is where the new step's peak starts. */
        r = mc_step_list_begin(&s->list, name, &now);
        if (r == -ENOMEM)
                warn(s, "step '%s': out of memory, ignoring", name);
        else if (r == 0 && s->list.n == MC_STEPS_MAX && !s->warned_max) {
                s->warned_max = true;
                warn(s, "more than %d steps: the later ones are not recorded", MC_STEPS_MAX);
        }
}

static void line_done(struct mc_steps *s)
{
        char name[MC_STEP_NAME_MAX + 1];
        struct mc_error e = { 0 };
        int r = mc_step_name_parse(s->line, s->len, name, &e);

        if (r < 0)
                warn(s, "%s, ignoring", e.msg);
        else if (r > 0)
                begin(s, name);
        s->len = 0;
}

/*
 * The count of lines read, for the writers that wait on it: written beside
 * and renamed over, so that a reader sees a whole number; readable by all,
 * whatever the umask, since the command may run as another user.
 */
static void publish_lines(struct mc_steps *s)
{
        char text[32];
        int n = snprintf(text, sizeof(text), "%llu\n", (unsigned long long)s->lines);
        _cleanup_close_ int fd = openat(s->dir_fd, MC_STEPS_READ ".new",
                                        O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 || fchmod(fd, 0644) < 0 || write(fd, text, (size_t)n) != n ||
            renameat(s->dir_fd, MC_STEPS_READ ".new", s->dir_fd, MC_STEPS_READ) < 0) {
                warn(s, "%s: %s: a writer waiting for it gives up after %d s", MC_STEPS_READ,
                     strerror(errno), MC_STEPS_ACK_TIMEOUT_MS / 1000);
                (void)unlinkat(s->dir_fd, MC_STEPS_READ ".new", 0);
        }
}

/* Reads what the FIFO holds; lines complete are steps, a partial one waits for its end. */
static void drain(struct mc_steps *s)
{
        char buf[4096];
        uint64_t lines = s->lines;
        ssize_t k;

        while ((k = read(s->fifo_fd, buf, sizeof(buf))) > 0)
                for (ssize_t i = 0; i < k; i++) {
                        if (buf[i] == '\n') {
                                s->lines++;
                                if (!s->discarding)
                                        line_done(s);
                                s->discarding = false;
                                s->len = 0;
                        } else if (s->discarding)
                                continue;
                        else if (s->len == sizeof(s->line)) {
                                s->discarding = true;
                                s->len = 0;
                                warn(s, "step name longer than %d bytes, ignoring", MC_STEP_NAME_MAX);
                        } else
                                s->line[s->len++] = buf[i];
                }
        if (s->lines != lines)
                publish_lines(s);
}

static int ready(void *userdata, short revents, struct mc_error *err)
{
        (void)revents;
        (void)err;
        drain(userdata);
        return 0;
}

struct mc_watch *mc_steps_start(struct mc_steps *s, uint64_t start_ns)
{
        s->start_ns = start_ns;
        s->watch = (struct mc_watch){
                .fd = s->fifo_fd,
                .events = POLLIN,
                .ready = ready,
                .userdata = s,
                .observer = "steps",
        };
        return &s->watch;
}

void mc_steps_finish(struct mc_steps *s, uint64_t end_ns)
{
        struct mc_step_reading now;

        if (s->fifo_fd < 0)
                return;
        /* The run's end, for the last step and for lines read only now: no step outlasts the run. */
        s->end_ns = end_ns;
        drain(s);
        s->watch.fd = -1;
        if (!s->list.open)
                return;
        read_now(s, true, &now);
        mc_step_list_end(&s->list, &now);
}

void mc_steps_done(struct mc_steps *s)
{
        mc_closep(&s->fifo_fd);
        mc_closep(&s->peak_fd);
        mc_closep(&s->swap_peak_fd);
        mc_closep(&s->reclaim_fd);
        if (s->dir_fd >= 0) {
                (void)unlinkat(s->dir_fd, MC_STEPS_FIFO, 0);
                (void)unlinkat(s->dir_fd, MC_STEPS_READ, 0);
                (void)unlinkat(s->dir_fd, MC_STEPS_READ ".new", 0);
        }
        mc_closep(&s->dir_fd);
        if (s->dir)
                (void)rmdir(s->dir);
        free(TAKE_PTR(s->dir));
        free(TAKE_PTR(s->path));
        mc_strv_free(TAKE_PTR(s->envp));
        mc_step_list_free(&s->list);
}

/* The count of lines memcage read (MC_STEPS_READ beside the FIFO at path); false when it keeps none. */
static bool lines_read(const char *path, uint64_t *ret)
{
        _cleanup_free_ char *dir = strdup(path);
        char text[32], *slash, *end;

        if (!dir)
                return false;
        slash = strrchr(dir, '/');
        if (slash == dir)
                slash[1] = '\0';
        else if (slash)
                *slash = '\0';
        _cleanup_close_ int dir_fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return false;
        _cleanup_close_ int fd = openat(dir_fd, MC_STEPS_READ, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return false;
        ssize_t k = read(fd, text, sizeof(text) - 1);
        if (k <= 0)
                return false;
        text[k] = '\0';
        errno = 0;
        unsigned long long v = strtoull(text, &end, 10);
        if (errno || end == text || *end != '\n')
                return false;
        *ret = v;
        return true;
}

/* Until memcage has read more than before lines: true, or false at the timeout. */
static bool wait_read(const char *path, uint64_t before)
{
        uint64_t now;
        /* 1 ms, doubling to 16 ms: a step starts within a poll of memcage's loop. */
        long waited_us = 0, nap_us = 1000;

        while (waited_us < (long)MC_STEPS_ACK_TIMEOUT_MS * 1000) {
                if (lines_read(path, &now) && now > before)
                        return true;
                struct timespec ts = { .tv_sec = 0, .tv_nsec = nap_us * 1000 };
                (void)nanosleep(&ts, NULL);
                waited_us += nap_us;
                if (nap_us < 16000)
                        nap_us *= 2;
        }
        return false;
}

int mc_step_send(const char *path, const char *name, struct mc_error *err)
{
        uint64_t before = 0;
        char parsed[MC_STEP_NAME_MAX + 1], line[MC_STEP_NAME_MAX + 2];
        size_t len = strlen(name);
        struct stat st;
        int r;

        if (memchr(name, '\n', len))
                return mc_error_errno(err, EINVAL, "step name with a newline");
        r = mc_step_name_parse(name, len, parsed, err);
        if (r == 0)
                return mc_error_errno(err, EINVAL, "empty step name");
        if (r < 0)
                return r;
        /* Non-blocking: without a reader the open fails (ENXIO) rather than waiting for one. */
        _cleanup_close_ int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 && errno == ENXIO)
                return mc_error_errno(err, ENXIO, "%s: no memcage reads it (has its run ended?)", path);
        if (fd < 0)
                return mc_error_errno(err, errno, "%s", path);
        if (fstat(fd, &st) < 0)
                return mc_error_errno(err, errno, "%s", path);
        if (!S_ISFIFO(st.st_mode))
                return mc_error_errno(err, EINVAL, "%s: not memcage's FIFO", path);
        /* Before the line: the count must pass this one, whatever other writers do meanwhile. */
        bool counted = lines_read(path, &before);
        len = (size_t)snprintf(line, sizeof(line), "%s\n", parsed);
        ssize_t k = write(fd, line, len);
        if (k < 0 && errno == EAGAIN)
                return mc_error_errno(err, EAGAIN, "%s: full, memcage is not reading it", path);
        if (k < 0)
                return mc_error_errno(err, errno, "%s", path);
        if ((size_t)k != len)
                return mc_error_errno(err, EIO, "%s: short write", path);
        /* Without the count (a memcage that keeps none) there is nothing to wait for. */
        return !counted || wait_read(path, before) ? 0 : 1;
}
