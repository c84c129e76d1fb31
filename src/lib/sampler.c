/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/timerfd.h>

#include "events.h"
#include "pressure.h"
#include "proc-kb.h"
#include "sampler.h"
#include "util.h"

#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_SEC  1000000000ull

/*
 * Snapshots are expensive (a /proc walk): while memory grows, one at most
 * every SNAPSHOT_COST_FACTOR times the last one took (their cost stays under
 * 5% of a CPU), and never more than a second apart. A fixed second missed
 * the peak of every command shorter than that.
 */
#define SNAPSHOT_COST_FACTOR 20
#define SNAPSHOT_MAX_GAP_NS  NSEC_PER_SEC
/* Ticks jitter by a few ms: a tick a hair early still counts as a second later. */
#define SNAPSHOT_SLACK_NS (10 * NSEC_PER_MSEC)
/* Descendant groups deeper than this are not walked for processes. */
#define MAX_GROUP_DEPTH 16

struct hugetlb_file {
        int fd;
};

struct mc_sampler {
        int group_fd; /* borrowed */
        uint64_t interval_ms;
        int timer_fd;
        int current_fd, swap_fd, pressure_fd; /* -EBADF when absent */
        int proc_fd;                          /* /proc, for smaps_rollup and comm */
        struct hugetlb_file hugetlb[MC_HUGETLB_SIZES_MAX];

        uint64_t start_ns;
        struct mc_watch *exit_watch; /* set to -1 once the command's exit was sampled */

        /* Deltas over the run. */
        bool has_stat_start, has_cpu_start;
        uint64_t pgmajfault_start, user_usec_start, system_usec_start;

        /* Peak tracking for snapshots. */
        uint64_t max_current;
        uint64_t swap_max;
        /* The last snapshot's memory.current, or less: what its tick read before memory.stat. */
        uint64_t snapshot_basis;
        bool snapshot_pending;
        uint64_t last_snapshot_ns;
        uint64_t last_snapshot_took_ns;

        struct mc_timeline timeline;
        struct mc_sample_summary summary;
        char buf[512]; /* the tick's reads: memory.current, memory.swap.current, memory.pressure */
};

/* ---- parsing, in place ---- */

/* Digits at *p, advancing it; false when there are none or the value overflows. */
static bool parse_u64(const char **p, uint64_t *ret)
{
        return mc_parse_u64(p, ret) == 0;
}

int mc_memory_stat_parse(const char *text, struct mc_memory_stat *ret, struct mc_error *err)
{
        enum {
                ANON,
                FILE_,
                SHMEM,
                KERNEL,
                KSTACK,
                PAGETABLES,
                SLAB,
                PERCPU,
                SOCK,
                FILE_MAPPED,
                PGMAJFAULT,
                _N
        };
        /* anon, file and shmem are in every memory.stat since cgroup v2 has one. */
        struct mc_keyed_field f[_N] = {
                [ANON] = { .name = "anon" },
                [FILE_] = { .name = "file" },
                [SHMEM] = { .name = "shmem" },
                [KERNEL] = { .name = "kernel", .optional = true },
                [KSTACK] = { .name = "kernel_stack", .optional = true },
                [PAGETABLES] = { .name = "pagetables", .optional = true },
                [SLAB] = { .name = "slab", .optional = true },
                [PERCPU] = { .name = "percpu", .optional = true },
                [SOCK] = { .name = "sock", .optional = true },
                [FILE_MAPPED] = { .name = "file_mapped", .optional = true },
                [PGMAJFAULT] = { .name = "pgmajfault", .optional = true },
        };
        int r = mc_keyed_get(text, f, _N, err);
        if (r < 0)
                return r;

        struct mc_memory_stat s = {
                .anon = f[ANON].value,
                /* file counts shmem too (it lives in the page cache); the breakdown shows them apart. */
                .file = f[FILE_].value >= f[SHMEM].value ? f[FILE_].value - f[SHMEM].value : 0,
                .shmem = f[SHMEM].value,
                /* "kernel" exists since Linux 6.3; before, its main parts. */
                .kernel = f[KERNEL].found
                                  ? f[KERNEL].value
                                  : f[KSTACK].value + f[PAGETABLES].value + f[SLAB].value + f[PERCPU].value,
                .sock = f[SOCK].value,
                .file_mapped = f[FILE_MAPPED].value,
                .pgmajfault = f[PGMAJFAULT].value,
        };
        *ret = s;
        return 0;
}

int mc_smaps_parse(const char *text, struct mc_smaps *ret, struct mc_error *err)
{
        enum { RSS, PSS, PCLEAN, PDIRTY, SWAP, _N };
        static const char *const names[_N] = { "Rss", "Pss", "Private_Clean", "Private_Dirty", "Swap" };
        uint64_t v[_N] = { 0 };
        int r = mc_proc_kb_parse(text, names, _N, v, err);
        if (r < 0)
                return r;
        *ret = (struct mc_smaps){
                .rss = v[RSS], .pss = v[PSS], .uss = v[PCLEAN] + v[PDIRTY], .swap = v[SWAP]
        };
        return 0;
}

/* ---- timeline ---- */

int mc_timeline_init(struct mc_timeline *tl, size_t capacity, uint64_t interval_ns, struct mc_error *err)
{
        *tl = (struct mc_timeline){ .capacity = capacity, .interval_ns = interval_ns };
        if (capacity < 2 || capacity % 2)
                return mc_error_set(err, EINVAL, "timeline capacity must be even and >= 2");
        tl->t_ns = calloc(capacity, sizeof(uint64_t));
        tl->memory_current = calloc(capacity, sizeof(uint64_t));
        tl->swap_current = calloc(capacity, sizeof(uint64_t));
        tl->some_avg10 = calloc(capacity, sizeof(uint32_t));
        tl->full_avg10 = calloc(capacity, sizeof(uint32_t));
        if (!tl->t_ns || !tl->memory_current || !tl->swap_current || !tl->some_avg10 || !tl->full_avg10) {
                mc_timeline_free(tl);
                return mc_error_errno(err, ENOMEM, "timeline");
        }
        return 0;
}

#define MAX(a, b) ((a) > (b) ? (a) : (b))

int mc_timeline_add_hugetlb(struct mc_timeline *tl, const char *size, struct mc_error *err)
{
        if (tl->n > 0 || tl->n_hugetlb == MC_HUGETLB_SIZES_MAX || strlen(size) >= MC_HUGETLB_SIZE_NAME_MAX)
                return mc_error_set(err, EINVAL, "cannot add a hugetlb column for %s", size);
        tl->hugetlb_current[tl->n_hugetlb] = calloc(tl->capacity, sizeof(uint64_t));
        if (!tl->hugetlb_current[tl->n_hugetlb])
                return mc_error_errno(err, ENOMEM, "timeline");
        strcpy(tl->hugetlb_size[tl->n_hugetlb], size);
        tl->n_hugetlb++;
        return 0;
}

int mc_timeline_append(struct mc_timeline *tl, const struct mc_timeline_point *p)
{
        int merged = 0;
        if (tl->n == tl->capacity) {
                /* Halve the resolution rather than drop the start or the end of the run. */
                for (size_t i = 0; i < tl->n / 2; i++) {
                        size_t a = 2 * i, b = 2 * i + 1;
                        tl->t_ns[i] = tl->t_ns[a];
                        tl->memory_current[i] = MAX(tl->memory_current[a], tl->memory_current[b]);
                        tl->swap_current[i] = MAX(tl->swap_current[a], tl->swap_current[b]);
                        tl->some_avg10[i] = MAX(tl->some_avg10[a], tl->some_avg10[b]);
                        tl->full_avg10[i] = MAX(tl->full_avg10[a], tl->full_avg10[b]);
                        for (size_t h = 0; h < tl->n_hugetlb; h++)
                                tl->hugetlb_current[h][i] =
                                        MAX(tl->hugetlb_current[h][a], tl->hugetlb_current[h][b]);
                }
                tl->n /= 2;
                tl->interval_ns *= 2;
                merged = 1;
        }
        size_t i = tl->n++;
        tl->t_ns[i] = p->t_ns;
        tl->memory_current[i] = p->memory_current;
        tl->swap_current[i] = p->swap_current;
        tl->some_avg10[i] = p->some_avg10;
        tl->full_avg10[i] = p->full_avg10;
        for (size_t h = 0; h < tl->n_hugetlb; h++)
                tl->hugetlb_current[h][i] = p->hugetlb_current[h];
        return merged;
}

void mc_timeline_free(struct mc_timeline *tl)
{
        free(tl->t_ns);
        free(tl->memory_current);
        free(tl->swap_current);
        free(tl->some_avg10);
        free(tl->full_avg10);
        for (size_t h = 0; h < tl->n_hugetlb; h++)
                free(tl->hugetlb_current[h]);
        *tl = (struct mc_timeline){ 0 };
}

/* ---- snapshots: memory.stat and the group's processes ---- */

static void top_insert(struct mc_snapshot *snap, const struct mc_proc_mem *p)
{
        size_t n = snap->n_top, i;
        if (n == MC_TOP_PROCESSES && p->mem.pss <= snap->top[n - 1].mem.pss)
                return;
        if (n < MC_TOP_PROCESSES)
                n++;
        /* Shift the smaller ones down; the last falls off when full. */
        for (i = n - 1; i > 0 && snap->top[i - 1].mem.pss < p->mem.pss; i--)
                snap->top[i] = snap->top[i - 1];
        snap->top[i] = *p;
        snap->n_top = n;
}

/* A small /proc file into buf; -errno on failure. */
static int read_small_at(int dirfd, const char *name, char *buf, size_t n)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        ssize_t k = read(fd, buf, n - 1);
        if (k < 0)
                return -errno;
        buf[k] = '\0';
        return 0;
}

/* One process; one that is gone or not ours to read (EACCES) is left out. */
static void snapshot_process(struct mc_sampler *s, pid_t pid, struct mc_snapshot *snap)
{
        char path[64], text[4096];
        struct mc_proc_mem p = { .pid = pid };
        struct mc_error err = { 0 };

        snprintf(path, sizeof(path), "%d/smaps_rollup", (int)pid);
        if (read_small_at(s->proc_fd, path, text, sizeof(text)) < 0 ||
            mc_smaps_parse(text, &p.mem, &err) < 0)
                return;
        snprintf(path, sizeof(path), "%d/comm", (int)pid);
        if (read_small_at(s->proc_fd, path, text, sizeof(text)) == 0) {
                size_t len = strcspn(text, "\n");
                if (len >= sizeof(p.name))
                        len = sizeof(p.name) - 1;
                memcpy(p.name, text, len);
                p.name[len] = '\0';
        }
        top_insert(snap, &p);
}

/* The processes of the group at dirfd and of its descendants. */
static void snapshot_group(struct mc_sampler *s, int dirfd, unsigned depth, struct mc_snapshot *snap)
{
        _cleanup_free_ char *procs = NULL;
        struct mc_error err = { 0 };

        if (mc_read_file_at(dirfd, "cgroup.procs", &procs, &err) == 0)
                for (const char *p = procs; *p;) {
                        uint64_t pid;
                        if (parse_u64(&p, &pid) && pid > 0 && pid <= INT32_MAX)
                                snapshot_process(s, (pid_t)pid, snap);
                        p += strcspn(p, "\n");
                        if (*p)
                                p++;
                }
        if (depth >= MAX_GROUP_DEPTH)
                return;

        DIR *d = mc_opendir_at(dirfd, ".");
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                _cleanup_close_ int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sub >= 0)
                        snapshot_group(s, sub, depth + 1, snap);
        }
        closedir(d);
}

int mc_sampler_snapshot(struct mc_sampler *s, struct mc_error *err)
{
        uint64_t begin = mc_now_ns();
        struct mc_snapshot snap = { .t_ns = begin - s->start_ns };
        _cleanup_free_ char *stat = NULL;
        int r;

        /* memory.stat first, memory.current after it: a snapshot is taken while usage rises
         * (each is 1/16 above the last), and a total read last is then never below the parts
         * it is shown with (read the other way round, a growing hog's anon came out 131 pages
         * above the current read a moment earlier). */
        r = mc_read_file_at(s->group_fd, "memory.stat", &stat, err);
        if (r < 0)
                return r;
        r = mc_memory_stat_parse(stat, &snap.stat, err);
        if (r < 0)
                return mc_error_prefix(err, "memory.stat");
        r = mc_read_u64_at(s->group_fd, "memory.current", &snap.current, err);
        if (r < 0)
                return r;
        if (s->proc_fd >= 0)
                snapshot_group(s, s->group_fd, 0, &snap);

        s->summary.snapshot = snap;
        s->snapshot_basis = snap.current; /* a tick lowers it to what it read before (sample()) */
        s->summary.has_snapshot = true;
        s->summary.snapshots++;
        s->last_snapshot_ns = begin;
        uint64_t took = mc_now_ns() - begin;
        s->last_snapshot_took_ns = took;
        if (took > s->summary.snapshot_ns_max)
                s->summary.snapshot_ns_max = took;
        return 0;
}

/* ---- ticks ---- */

static bool pread_u64(int fd, char *buf, size_t n, uint64_t *ret)
{
        ssize_t k = pread(fd, buf, n - 1, 0);
        if (k <= 0)
                return false;
        buf[k] = '\0';
        const char *p = buf;
        return parse_u64(&p, ret);
}

/*
 * One sample. A file that cannot be read skips its part: the sampler
 * observes, and must not end a run over a missed point.
 */
static void sample(struct mc_sampler *s, bool final)
{
        uint64_t now = mc_now_ns();
        struct mc_timeline_point pt = { .t_ns = now - s->start_ns };
        struct mc_sample_summary *sum = &s->summary;

        if (!pread_u64(s->current_fd, s->buf, sizeof(s->buf), &pt.memory_current))
                return;
        if (s->swap_fd >= 0 && pread_u64(s->swap_fd, s->buf, sizeof(s->buf), &pt.swap_current) &&
            pt.swap_current > s->swap_max)
                s->swap_max = pt.swap_current;
        if (s->pressure_fd >= 0) {
                struct mc_pressure_line psi[_MC_PSI_KIND_COUNT];
                struct mc_error err;
                /* A kind without its line (never so for memory.pressure) reads 0. */
                if (mc_pressure_pread(s->pressure_fd, s->buf, sizeof(s->buf), psi, &err) == 0) {
                        pt.some_avg10 = psi[MC_PSI_SOME].avg10_centi;
                        pt.full_avg10 = psi[MC_PSI_FULL].avg10_centi;
                        sum->has_psi = true;
                        sum->some_avg10_max = MAX(sum->some_avg10_max, pt.some_avg10);
                        sum->full_avg10_max = MAX(sum->full_avg10_max, pt.full_avg10);
                }
        }
        for (size_t i = 0; i < sum->n_hugetlb; i++) {
                uint64_t v;
                if (!pread_u64(s->hugetlb[i].fd, s->buf, sizeof(s->buf), &v))
                        continue;
                pt.hugetlb_current[i] = v;
                if (v > sum->hugetlb[i].max)
                        sum->hugetlb[i].max = v;
        }

        if (mc_timeline_append(&s->timeline, &pt) && s->timer_fd >= 0) {
                struct timespec ts = { .tv_sec = (time_t)(s->timeline.interval_ns / NSEC_PER_SEC),
                                       .tv_nsec = (long)(s->timeline.interval_ns % NSEC_PER_SEC) };
                struct itimerspec its = { .it_interval = ts, .it_value = ts };
                (void)timerfd_settime(s->timer_fd, 0, &its, NULL);
        }

        /*
         * A snapshot is worth its cost when memory grew by 1/16 since the last
         * one: since the usage this tick saw before that snapshot began, not
         * the memory.current it read last. A snapshot taken while memory
         * grows fast (a slow memory.stat read, a busy machine) holds parts
         * read before that total; the growth in between gets its own
         * snapshot, with parts that add up to it.
         */
        uint64_t cur = pt.memory_current;
        uint64_t threshold = sum->has_snapshot ? s->snapshot_basis + s->snapshot_basis / 16 : 0;
        if (cur > s->max_current) {
                s->max_current = cur;
                if (!sum->has_snapshot || cur >= threshold)
                        s->snapshot_pending = true;
        }
        uint64_t gap = s->last_snapshot_took_ns * SNAPSHOT_COST_FACTOR;
        if (gap > SNAPSHOT_MAX_GAP_NS)
                gap = SNAPSHOT_MAX_GAP_NS;
        if (s->snapshot_pending &&
            (final || !sum->has_snapshot || now + SNAPSHOT_SLACK_NS - s->last_snapshot_ns >= gap)) {
                s->snapshot_pending = false;
                /* Memory may have dropped since the maximum: then the last snapshot stays the better one. */
                if (!sum->has_snapshot || cur >= threshold) {
                        struct mc_error err;
                        if (mc_sampler_snapshot(s, &err) >= 0 && cur < s->snapshot_basis)
                                s->snapshot_basis = cur;
                }
        }
}

static int timer_ready(void *userdata, short revents, struct mc_error *err)
{
        struct mc_sampler *s = userdata;
        uint64_t expirations;

        if (read(s->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN && errno != EINTR)
                return mc_error_errno(err, errno, "read the sampling timer");
        sample(s, false);
        return 0;
}

static int exit_ready(void *userdata, short revents, struct mc_error *err)
{
        struct mc_sampler *s = userdata;

        /* The command is gone, its leftovers are not killed yet: the last look at the group as it ran. */
        sample(s, true);
        if (s->exit_watch)
                s->exit_watch->fd = -1;
        return 0;
}

/* ---- lifetime ---- */

static int open_optional(int dirfd, const char *name, int *ret, struct mc_error *err)
{
        int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 && errno != ENOENT)
                return mc_error_errno(err, errno, "open '%s'", name);
        *ret = fd < 0 ? -EBADF : fd;
        return 0;
}

/* hugetlb.<size>.current (not .rsvd.current) of each page size the group accounts. */
static void open_hugetlb(struct mc_sampler *s)
{
        DIR *d = mc_opendir_at(s->group_fd, ".");
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d)) && s->summary.n_hugetlb < MC_HUGETLB_SIZES_MAX) {
                const char *name = de->d_name;
                size_t len = strlen(name);
                if (strncmp(name, "hugetlb.", 8) != 0 || len < 8 + 8 || !streq(name + len - 8, ".current"))
                        continue;
                size_t size_len = len - 16;
                if (size_len == 0 || size_len >= MC_HUGETLB_SIZE_NAME_MAX || memchr(name + 8, '.', size_len))
                        continue;
                int fd = openat(s->group_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        continue;
                struct mc_hugetlb_max *h = &s->summary.hugetlb[s->summary.n_hugetlb];
                memcpy(h->size, name + 8, size_len);
                h->size[size_len] = '\0';
                s->hugetlb[s->summary.n_hugetlb++].fd = fd;
        }
        closedir(d);
}

/* user_usec and system_usec of cpu.stat (every v2 group has it, with or without the cpu controller). */
static int read_cpu(int group_fd, uint64_t *user, uint64_t *system, struct mc_error *err)
{
        struct mc_keyed_field f[] = { { .name = "user_usec" }, { .name = "system_usec" } };
        int r = mc_keyed_read_at(group_fd, "cpu.stat", f, ELEMENTSOF(f), err);
        if (r < 0)
                return r;
        *user = f[0].value;
        *system = f[1].value;
        return 0;
}

static int read_pgmajfault(int group_fd, uint64_t *ret, struct mc_error *err)
{
        _cleanup_free_ char *text = NULL;
        struct mc_memory_stat st;
        int r = mc_read_file_at(group_fd, "memory.stat", &text, err);
        if (r < 0)
                return r;
        r = mc_memory_stat_parse(text, &st, err);
        if (r < 0)
                return mc_error_prefix(err, "memory.stat");
        *ret = st.pgmajfault;
        return 0;
}

int mc_sampler_new(int group_fd, uint64_t interval_ms, struct mc_sampler **ret, struct mc_error *err)
{
        _cleanup_free_ struct mc_sampler *s = calloc(1, sizeof(*s));
        struct mc_error ignored;
        int r;

        if (!s)
                return mc_error_errno(err, ENOMEM, "sampler");
        s->group_fd = group_fd;
        s->interval_ms = interval_ms;
        s->timer_fd = s->current_fd = s->swap_fd = s->pressure_fd = s->proc_fd = -EBADF;

        /* Counted from the start, so that a group that somehow existed before does not inflate them. */
        s->has_stat_start = read_pgmajfault(group_fd, &s->pgmajfault_start, &ignored) == 0;
        s->has_cpu_start = read_cpu(group_fd, &s->user_usec_start, &s->system_usec_start, &ignored) == 0;
        if (interval_ms == 0) {
                *ret = TAKE_PTR(s);
                return 0;
        }

        r = mc_timeline_init(&s->timeline, MC_TIMELINE_CAPACITY, interval_ms * NSEC_PER_MSEC, err);
        if (r < 0)
                return r;
        s->current_fd = openat(group_fd, "memory.current", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (s->current_fd < 0) {
                r = mc_error_errno(err, errno, "open 'memory.current'");
                goto fail;
        }
        if ((r = open_optional(group_fd, "memory.swap.current", &s->swap_fd, err)) < 0 ||
            (r = mc_pressure_open_at(group_fd, &s->pressure_fd, err)) < 0)
                goto fail;
        s->timeline.has_swap = s->swap_fd >= 0;
        s->timeline.has_psi = s->pressure_fd >= 0;
        /* Without /proc the breakdown still comes from memory.stat; only the processes are missing. */
        s->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->proc_fd < 0)
                s->proc_fd = -EBADF;
        open_hugetlb(s);
        for (size_t i = 0; i < s->summary.n_hugetlb; i++)
                if ((r = mc_timeline_add_hugetlb(&s->timeline, s->summary.hugetlb[i].size, err)) < 0)
                        goto fail;

        s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (s->timer_fd < 0) {
                r = mc_error_errno(err, errno, "timerfd_create");
                goto fail;
        }
        s->summary.timeline = &s->timeline;
        *ret = TAKE_PTR(s);
        return 0;
fail:
        mc_sampler_free(TAKE_PTR(s));
        return r;
}

int mc_sampler_start(struct mc_sampler *s, uint64_t start_ns, int child_pidfd, struct mc_watch watches[2],
                     struct mc_error *err)
{
        s->start_ns = start_ns;
        if (s->interval_ms == 0)
                return 0;

        struct timespec ts = { .tv_sec = (time_t)(s->interval_ms / 1000),
                               .tv_nsec = (long)(s->interval_ms % 1000 * NSEC_PER_MSEC) };
        struct itimerspec its = { .it_interval = ts, .it_value = ts };
        if (timerfd_settime(s->timer_fd, 0, &its, NULL) < 0)
                return mc_error_errno(err, errno, "arm the sampling timer");
        sample(s, false);

        watches[0] = (struct mc_watch){
                .fd = s->timer_fd, .events = POLLIN, .ready = timer_ready, .userdata = s
        };
        if (child_pidfd < 0)
                return 1;
        watches[1] =
                (struct mc_watch){ .fd = child_pidfd, .events = POLLIN, .ready = exit_ready, .userdata = s };
        s->exit_watch = &watches[1];
        return 2;
}

void mc_sampler_finish(struct mc_sampler *s)
{
        struct mc_sample_summary *sum = &s->summary;
        struct mc_error ignored;
        uint64_t v, user, system;

        s->exit_watch = NULL; /* the caller's watches are gone */
        if (mc_read_u64_at(s->group_fd, "memory.swap.peak", &v, &ignored) == 0) {
                sum->has_swap_peak = true;
                sum->swap_peak = v;
                sum->swap_peak_source = "kernel";
        } else if (s->swap_fd >= 0 && s->timeline.n > 0) {
                sum->has_swap_peak = true;
                sum->swap_peak = s->swap_max;
                sum->swap_peak_source = "sampled";
        }
        if (s->has_stat_start && read_pgmajfault(s->group_fd, &v, &ignored) == 0) {
                sum->has_pgmajfault = true;
                sum->pgmajfault = v >= s->pgmajfault_start ? v - s->pgmajfault_start : 0;
        }
        if (s->has_cpu_start && read_cpu(s->group_fd, &user, &system, &ignored) == 0) {
                sum->has_cpu = true;
                sum->user_usec = user >= s->user_usec_start ? user - s->user_usec_start : 0;
                sum->system_usec = system >= s->system_usec_start ? system - s->system_usec_start : 0;
        }
}

const struct mc_sample_summary *mc_sampler_summary(const struct mc_sampler *s)
{
        return &s->summary;
}

void mc_sampler_free(struct mc_sampler *s)
{
        if (!s)
                return;
        mc_closep(&s->timer_fd);
        mc_closep(&s->current_fd);
        mc_closep(&s->swap_fd);
        mc_closep(&s->pressure_fd);
        mc_closep(&s->proc_fd);
        for (size_t i = 0; i < s->summary.n_hugetlb; i++)
                mc_closep(&s->hugetlb[i].fd);
        mc_timeline_free(&s->timeline);
        free(s);
}
