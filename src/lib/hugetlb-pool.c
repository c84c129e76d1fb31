/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Huge page sizes and the host's pools: reservations for a run, recorded in a ledger. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crash-point.h"
#include "hugetlb-ledger.h"
#include "hugetlb-pool.h"
#include "proc-kb.h"
#include "size.h"
#include "util.h"

const char *const mc_hugetlb_size_names[] = { "64KB", "2MB", "16MB", "32MB", "512MB", "1GB" };
const size_t mc_hugetlb_size_count = ELEMENTSOF(mc_hugetlb_size_names);

uint64_t mc_hugetlb_page_bytes(const char *name)
{
        char *end;

        if (!name || name[0] < '0' || name[0] > '9')
                return 0;
        errno = 0;
        unsigned long long v = strtoull(name, &end, 10);
        if (errno || v == 0)
                return 0;
        uint64_t unit = streq(end, "KB")   ? 1ull << 10
                        : streq(end, "MB") ? 1ull << 20
                        : streq(end, "GB") ? 1ull << 30
                                           : 0;
        if (unit == 0 || v > UINT64_MAX / unit)
                return 0;
        for (size_t i = 0; i < mc_hugetlb_size_count; i++)
                if (streq(mc_hugetlb_size_names[i], name))
                        return v * unit;
        return 0;
}

/* As the kernel's hugetlb cgroup names its files (mm/hugetlb_cgroup.c, mem_fmt). */
const char *mc_hugetlb_size_name(uint64_t kb, char *buf, size_t n)
{
        if (kb >= (1ull << 20) && kb % (1ull << 20) == 0)
                snprintf(buf, n, "%" PRIu64 "GB", kb >> 20);
        else if (kb >= (1ull << 10) && kb % (1ull << 10) == 0)
                snprintf(buf, n, "%" PRIu64 "MB", kb >> 10);
        else
                snprintf(buf, n, "%" PRIu64 "KB", kb);
        return buf;
}

int mc_hugetlb_parse_reserve(const char *value, uint64_t page_bytes, uint64_t *ret_pages,
                             struct mc_error *err)
{
        const char *s = value + strspn(value, " \t");
        size_t digits = strspn(s, "0123456789");
        uint64_t bytes;

        if (digits > 0 && s[digits + strspn(s + digits, " \t")] == '\0') {
                errno = 0;
                unsigned long long pages = strtoull(s, NULL, 10);
                if (errno)
                        return mc_error_set(err, ERANGE, "invalid page count '%s': too large", value);
                *ret_pages = pages;
                return 0;
        }
        if (mc_size_is_percent(value) || strstr(value, "max") || strstr(value, "infinity"))
                return mc_error_set(err, EINVAL,
                                    "invalid reserve '%s': use a number of pages (2048) or a size of "
                                    "pages (4G)",
                                    value);
        int r = mc_size_parse(value, 0, &bytes, err);
        if (r < 0)
                return mc_error_prefix(err, "invalid reserve");
        if (page_bytes == 0)
                *ret_pages = 0;
        else
                *ret_pages = bytes / page_bytes + (bytes % page_bytes != 0);
        return 0;
}

static int kb_of_dirname(const char *name, uint64_t *ret)
{
        char *end;
        if (strncmp(name, "hugepages-", 10) != 0 || name[10] < '0' || name[10] > '9')
                return -EINVAL;
        errno = 0;
        unsigned long long kb = strtoull(name + 10, &end, 10);
        if (errno || !streq(end, "kB") || kb == 0)
                return -EINVAL;
        *ret = kb;
        return 0;
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

int mc_hugetlb_host_sizes(const char *sysfs_dir, char ***ret, struct mc_error *err)
{
        uint64_t kbs[64];
        size_t n = 0;

        if (!sysfs_dir)
                sysfs_dir = MC_HUGETLB_SYSFS_DIR;
        DIR *d = opendir(sysfs_dir);
        if (!d) {
                if (errno != ENOENT)
                        return mc_error_errno(err, errno, "open %s", sysfs_dir);
        } else {
                struct dirent *de;
                while ((de = readdir(d)) && n < ELEMENTSOF(kbs))
                        if (kb_of_dirname(de->d_name, &kbs[n]) == 0)
                                n++;
                closedir(d);
        }
        qsort(kbs, n, sizeof(kbs[0]), cmp_u64);
        char **v = calloc(n + 1, sizeof(char *));
        if (!v)
                return mc_error_errno(err, ENOMEM, "list huge page sizes");
        for (size_t i = 0; i < n; i++) {
                char buf[MC_HUGETLB_NAME_MAX];
                v[i] = strdup(mc_hugetlb_size_name(kbs[i], buf, sizeof(buf)));
                if (!v[i]) {
                        mc_strv_free(v);
                        return mc_error_errno(err, ENOMEM, "list huge page sizes");
                }
        }
        *ret = v;
        return 0;
}

int mc_hugetlb_require_size(const char *sysfs_dir, const char *size, struct mc_error *err)
{
        _cleanup_strv_free_ char **host = NULL;
        char list[256] = "";
        size_t used = 0;

        int r = mc_hugetlb_host_sizes(sysfs_dir, &host, err);
        if (r < 0)
                return r;
        for (char **h = host; *h; h++) {
                if (streq(*h, size))
                        return 0;
                int k = snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "", *h);
                if (k > 0 && (size_t)k < sizeof(list) - used)
                        used += (size_t)k;
        }
        return mc_error_set(err, EOPNOTSUPP, "this host has no %s huge pages; %s offers: %s", size,
                            sysfs_dir ? sysfs_dir : MC_HUGETLB_SYSFS_DIR,
                            used ? list : "none (no huge page support)");
}

uint64_t mc_hugetlb_pages_needed(const struct mc_hugetlb_counts *c, uint64_t reserve,
                                 uint64_t others_reserved)
{
        uint64_t avail = c->free > c->resv ? c->free - c->resv : 0;
        avail = avail > others_reserved ? avail - others_reserved : 0;
        return reserve > avail ? reserve - avail : 0;
}

uint64_t mc_hugetlb_shrink_target(const struct mc_hugetlb_counts *c, uint64_t added, uint64_t others_added)
{
        uint64_t target = c->nr > added ? c->nr - added : 0;
        uint64_t in_use = (c->nr > c->free ? c->nr - c->free : 0) + c->resv;

        if (target < in_use)
                target = in_use;
        if (target < others_added)
                target = others_added;
        return target < c->nr ? target : c->nr;
}

/*
 * MemAvailable of a meminfo file in bytes: what can be allocated without
 * swapping. -ENOENT without the line; a value that is not "N kB" or
 * overflows in bytes is refused, not read as far as it goes.
 */
static int mem_available(const char *meminfo, uint64_t *ret)
{
        static const char *const names[] = { "MemAvailable" };
        struct mc_error ignored = { 0 };
        _cleanup_free_ char *text = NULL;
        int r;

        r = mc_read_file_at(AT_FDCWD, meminfo, &text, &ignored);
        if (r >= 0)
                r = mc_proc_kb_parse(text, names, 1, ret, &ignored);
        if (r < 0)
                return r;
        return r > 0 ? 0 : -ENOENT;
}

/*
 * fd (the run directory or the lock) is memcage's user's and nobody else's:
 * one an earlier memcage made 0755/0644 is narrowed to mode; one of another
 * user's is refused, since whoever owns it can open it and hold the lock.
 */
static int make_private(int fd, mode_t mode, struct mc_error *err)
{
        struct stat st;
        if (fstat(fd, &st) < 0)
                return mc_error_errno(err, errno, "stat");
        if (st.st_uid != geteuid())
                return mc_error_set(err, EPERM, "owned by uid %u, not by memcage's uid %u: remove it",
                                    (unsigned)st.st_uid, (unsigned)geteuid());
        if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0)
                return mc_error_errno(err, errno, "chmod %04o", (unsigned)mode);
        return 0;
}

int mc_hugetlb_pool_open(struct mc_hugetlb_pool *p, const char *sysfs_dir, const char *run_dir,
                         struct mc_error *err)
{
        *p = (struct mc_hugetlb_pool){
                .sysfs_fd = -EBADF,
                .run_fd = -EBADF,
                .pid = getpid(),
                .pidns = mc_hugetlb_own_pidns(),
                .lock_timeout_ms = MC_HUGETLB_LOCK_TIMEOUT_MS,
                .interrupt_fd = -EBADF,
        };
        if (!sysfs_dir) {
                sysfs_dir = MC_HUGETLB_SYSFS_DIR;
                p->meminfo = "/proc/meminfo";
        }
        if (!run_dir)
                run_dir = MC_HUGETLB_RUN_DIR;

        int r = mc_proc_starttime(p->pid, &p->starttime);
        if (r < 0)
                return mc_error_errno(err, -r, "read the start time of pid %d", (int)p->pid);
        p->sysfs_fd = open(sysfs_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (p->sysfs_fd < 0)
                return mc_error_errno(err, errno, "open %s", sysfs_dir);
        /* Only memcage's user (root) may open the lock in it: see lock_pool(). */
        if (mkdir(run_dir, 0700) < 0 && errno != EEXIST) {
                r = mc_error_errno(err, errno, "create %s", run_dir);
                mc_hugetlb_pool_close(p);
                return r;
        }
        p->run_fd = open(run_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (p->run_fd < 0) {
                r = mc_error_errno(err, errno, "open %s", run_dir);
                mc_hugetlb_pool_close(p);
                return r;
        }
        r = make_private(p->run_fd, 0700, err);
        if (r < 0) {
                mc_error_prefix(err, "%s", run_dir);
                mc_hugetlb_pool_close(p);
                return r;
        }
        return 0;
}

void mc_hugetlb_pool_close(struct mc_hugetlb_pool *p)
{
        mc_closep(&p->sysfs_fd);
        mc_closep(&p->run_fd);
        mc_strv_free(p->warnings);
        p->warnings = NULL;
        p->n_warnings = 0;
}

static int pool_dir(uint64_t kb, char *buf, size_t n)
{
        snprintf(buf, n, "hugepages-%" PRIu64 "kB", kb);
        return 0;
}

static int read_counts(int sysfs_fd, uint64_t kb, struct mc_hugetlb_counts *ret, struct mc_error *err)
{
        char dir[64];
        pool_dir(kb, dir, sizeof(dir));
        _cleanup_close_ int fd = openat(sysfs_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return mc_error_errno(err, errno, "open %s/%s", MC_HUGETLB_SYSFS_DIR, dir);
        int r = mc_read_u64_at(fd, "nr_hugepages", &ret->nr, err);
        if (r >= 0)
                r = mc_read_u64_at(fd, "free_hugepages", &ret->free, err);
        if (r >= 0)
                r = mc_read_u64_at(fd, "resv_hugepages", &ret->resv, err);
        return r < 0 ? mc_error_prefix(err, "%s/%s", MC_HUGETLB_SYSFS_DIR, dir) : 0;
}

/* Writes nr_hugepages and reads back what the kernel made of it. */
static int write_nr(int sysfs_fd, uint64_t kb, uint64_t nr, uint64_t *ret_nr, struct mc_error *err)
{
        char dir[64], value[24];
        pool_dir(kb, dir, sizeof(dir));
        _cleanup_close_ int fd = openat(sysfs_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return mc_error_errno(err, errno, "open %s/%s", MC_HUGETLB_SYSFS_DIR, dir);
        int len = snprintf(value, sizeof(value), "%" PRIu64 "\n", nr);
        /* O_TRUNC as a shell's '>' would: sysfs ignores it, a plain file in tests needs it. */
        _cleanup_close_ int wfd = openat(fd, "nr_hugepages", O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
        int r = 0;
        if (wfd < 0)
                r = mc_error_errno(err, errno, "open nr_hugepages");
        else {
                ssize_t k = write(wfd, value, (size_t)len);
                if (k < 0)
                        r = mc_error_errno(err, errno, "write %" PRIu64 " to nr_hugepages", nr);
                else if (k != len)
                        r = mc_error_set(err, EIO, "write %" PRIu64 " to nr_hugepages: short write", nr);
        }
        if (r >= 0)
                r = mc_read_u64_at(fd, "nr_hugepages", ret_nr, err);
        return r < 0 ? mc_error_prefix(err, "%s/%s", MC_HUGETLB_SYSFS_DIR, dir) : 0;
}

/*
 * The pid holding a lock that keeps a write lock off fd, 0 when none or
 * unknown: F_GETLK names a POSIX lock's owner in our pid namespace; an open
 * file description lock shows -1 there, /proc says whose it is.
 */
static pid_t lock_holder(int fd)
{
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid > 0)
                return fl.l_pid;
        return mc_lock_holder(fd);
}

/*
 * A POSIX record lock rather than flock(): F_GETLK tells who holds it, for
 * the message when the wait ends. The wait is bounded and ends early when
 * interrupt_fd becomes readable (memcage blocks SIGINT and SIGTERM and reads
 * them from a signalfd, so a plain blocking wait could not be interrupted).
 * The file is 0600 in a 0700 directory: a shared lock needs only a read-only
 * open, and any user who could open it could stall every reservation and
 * give-back.
 */
static int lock_pool(const struct mc_hugetlb_pool *p, int *ret_fd, struct mc_error *err)
{
        _cleanup_close_ int fd = openat(p->run_fd, MC_HUGETLB_LOCK,
                                        O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
        if (fd < 0)
                return mc_error_errno(err, errno, "open %s/%s", MC_HUGETLB_RUN_DIR, MC_HUGETLB_LOCK);
        int r = make_private(fd, 0600, err);
        if (r < 0)
                return mc_error_prefix(err, "%s/%s", MC_HUGETLB_RUN_DIR, MC_HUGETLB_LOCK);
        uint64_t deadline = mc_now_ns() + (uint64_t)p->lock_timeout_ms * 1000000ull;
        int wait_ms = 1;
        for (;;) {
                struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
                if (fcntl(fd, F_SETLK, &fl) == 0)
                        break;
                if (errno != EACCES && errno != EAGAIN && errno != EINTR)
                        return mc_error_errno(err, errno, "lock %s/%s", MC_HUGETLB_RUN_DIR, MC_HUGETLB_LOCK);
                uint64_t now = mc_now_ns();
                if (now >= deadline) {
                        pid_t holder = lock_holder(fd);
                        char comm[64];
                        if (holder > 0) {
                                mc_proc_comm(holder, comm, sizeof(comm));
                                return mc_error_set(
                                        err, ETIMEDOUT,
                                        "%s/%s is held by pid %d (%s) for more than %u ms: another "
                                        "run is changing the huge page pools (or is stuck: end it)",
                                        MC_HUGETLB_RUN_DIR, MC_HUGETLB_LOCK, (int)holder, comm,
                                        p->lock_timeout_ms);
                        }
                        return mc_error_set(err, ETIMEDOUT,
                                            "%s/%s is held by a process of another pid namespace for more "
                                            "than %u ms",
                                            MC_HUGETLB_RUN_DIR, MC_HUGETLB_LOCK, p->lock_timeout_ms);
                }
                uint64_t left_ms = (deadline - now + 999999) / 1000000;
                struct pollfd pfd = { .fd = p->interrupt_fd, .events = POLLIN };
                int k = poll(&pfd, p->interrupt_fd >= 0 ? 1 : 0,
                             (int)(left_ms < (uint64_t)wait_ms ? left_ms : (uint64_t)wait_ms));
                if (k > 0)
                        return mc_error_set(err, EINTR, "interrupted while waiting for %s/%s",
                                            MC_HUGETLB_RUN_DIR, MC_HUGETLB_LOCK);
                if (wait_ms < 50)
                        wait_ms *= 2;
        }
        mc_hugetlb_ledger_sweep_temps(p->run_fd);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* What give_back() did with each entry it dropped, for memcage gc; NULL when nobody asks. */
struct given_list {
        struct mc_hugetlb_given *v;
        size_t n;
};

static int given_add(struct given_list *g, const struct mc_hugetlb_entry *e, uint64_t pages)
{
        if (!g)
                return 0;
        struct mc_hugetlb_given *nv = realloc(g->v, (g->n + 1) * sizeof(*nv));
        if (!nv)
                return -ENOMEM;
        g->v = nv;
        /* RESERVED 0 on a pending line: a give-back under way (see give_back()), not a growth. */
        g->v[g->n++] = (struct mc_hugetlb_given){
                .pid = e->pid,
                .kb = e->kb,
                .pages = pages,
                .pending = e->pending && e->reserved > 0,
                .giving_back = e->pending && e->reserved == 0,
        };
        return 0;
}

/*
 * Gives back what the entries chosen by drop[] added, one entry at a time,
 * the way a growth is made: the give-back goes into the ledger first, as a
 * pending line whose FROM is the size the pool shrinks to (RESERVED 0: the
 * run holds nothing any more), then nr_hugepages is written, then the entry
 * leaves the ledger. A launcher killed before the write leaves pages above
 * FROM, which the next lock holder gives back; killed after it, the pool is
 * at FROM already and nothing is taken twice. A dry run changes nothing and
 * lists what it would give back.
 */
static int give_back(const struct mc_hugetlb_pool *p, struct mc_hugetlb_ledger *l, const bool *drop,
                     bool dry_run, struct given_list *given, struct mc_error *err)
{
        struct mc_hugetlb_ledger cur = {};
        _cleanup_free_ bool *dropping = calloc(l->n + 1, sizeof(bool));
        int r = 0;

        if (!dropping)
                return mc_error_errno(err, ENOMEM, "hugetlb ledger");
        for (size_t i = 0; i < l->n && r >= 0; i++) {
                r = mc_hugetlb_ledger_push(&cur, &l->e[i]);
                dropping[i] = drop[i];
        }
        if (r < 0) {
                mc_hugetlb_ledger_done(&cur);
                return mc_error_errno(err, ENOMEM, "hugetlb ledger");
        }
        for (size_t i = 0; i < cur.n && r >= 0;) {
                if (!dropping[i]) {
                        i++;
                        continue;
                }
                const struct mc_hugetlb_entry e = cur.e[i];
                uint64_t pages = 0;
                if (e.added > 0) {
                        struct mc_hugetlb_counts c;
                        uint64_t added = e.added, others = 0;
                        r = read_counts(p->sysfs_fd, e.kb, &c, err);
                        if (r < 0)
                                break;
                        /*
                         * Pending (a growth, or a give-back, under way when its
                         * launcher died): nobody changed the pool since (the
                         * launcher held the lock), so what the entry still holds
                         * is what the pool holds above FROM.
                         */
                        if (e.pending)
                                added = c.nr > e.from ? c.nr - e.from : 0;
                        if (added > e.added)
                                added = e.added;
                        for (size_t j = 0; j < cur.n; j++)
                                if (!dropping[j] && cur.e[j].kb == e.kb)
                                        others += cur.e[j].added;
                        uint64_t target = mc_hugetlb_shrink_target(&c, added, others);
                        pages = c.nr - target;
                        if (target != c.nr && !dry_run) {
                                uint64_t nr;
                                cur.e[i] = (struct mc_hugetlb_entry){
                                        .pid = e.pid,
                                        .starttime = e.starttime,
                                        .pidns = e.pidns,
                                        .kb = e.kb,
                                        .added = c.nr - target,
                                        .pending = true,
                                        .from = target,
                                };
                                r = mc_hugetlb_ledger_write(p->run_fd, &cur, err);
                                if (r < 0)
                                        break;
                                mc_crash_point("pool-shrinking");
                                r = write_nr(p->sysfs_fd, e.kb, target, &nr, err);
                                if (r < 0)
                                        break;
                                pages = c.nr > nr ? c.nr - nr : 0;
                                mc_crash_point("pool-shrunk");
                        }
                }
                if (given_add(given, &e, pages) < 0) {
                        r = mc_error_errno(err, ENOMEM, "hugetlb ledger");
                        break;
                }
                memmove(&cur.e[i], &cur.e[i + 1], (cur.n - i - 1) * sizeof(cur.e[0]));
                memmove(&dropping[i], &dropping[i + 1], (cur.n - i - 1) * sizeof(dropping[0]));
                cur.n--;
                if (!dry_run)
                        r = mc_hugetlb_ledger_write(p->run_fd, &cur, err);
        }
        if (r >= 0 && !dry_run) {
                mc_hugetlb_ledger_done(l);
                *l = cur;
        } else
                mc_hugetlb_ledger_done(&cur);
        return r;
}

/* Drops the entries of dead launchers (and of this run when self), giving back their pages. */
static int clean(const struct mc_hugetlb_pool *p, struct mc_hugetlb_ledger *l, bool self,
                 struct mc_error *err)
{
        _cleanup_free_ bool *drop = calloc(l->n + 1, sizeof(bool));
        if (!drop)
                return mc_error_errno(err, ENOMEM, "hugetlb ledger");
        for (size_t i = 0; i < l->n; i++)
                drop[i] = mc_hugetlb_entry_is(&l->e[i], p->pid, p->starttime, p->pidns)
                                  ? self
                                  : !mc_hugetlb_entry_alive(&l->e[i], p->pidns);
        return give_back(p, l, drop, false, NULL, err);
}

/*
 * spare: bytes the pools may still grow by in this reservation (7/8 of
 * MemAvailable read under the lock, less what earlier sizes of the same
 * reservation added); UINT64_MAX for a tree without meminfo.
 */
static int reserve_one(const struct mc_hugetlb_pool *p, struct mc_hugetlb_ledger *l,
                       struct mc_hugetlb_request *req, uint64_t *spare, struct mc_error *err)
{
        struct mc_hugetlb_counts c;
        char name[MC_HUGETLB_NAME_MAX];
        uint64_t nr;

        mc_hugetlb_size_name(req->kb, name, sizeof(name));
        req->added = 0;
        int r = read_counts(p->sysfs_fd, req->kb, &c, err);
        if (r < 0)
                return r;
        uint64_t need =
                mc_hugetlb_pages_needed(&c, req->pages, mc_hugetlb_ledger_sum(l, req->kb, SIZE_MAX, false));
        struct mc_hugetlb_entry e = { p->pid,     p->starttime, p->pidns, req->kb,
                                      req->pages, need,         need > 0, c.nr };
        if (need > 0) {
                if (need > UINT64_MAX - c.nr)
                        return mc_error_set(err, ERANGE, "cannot add %" PRIu64 " %s pages", need, name);
                uint64_t page = req->kb * 1024;
                if (need > *spare / page)
                        return mc_error_set(err, ENOMEM,
                                            "asked for %" PRIu64
                                            " more %s pages, this host can spare %" PRIu64
                                            " (7/8 of its available memory): the pool is unchanged",
                                            need, name, *spare / page);
                /* The growth is in the ledger before the kernel sees it: a kill in between leaks nothing. */
                if (mc_hugetlb_ledger_push(l, &e) < 0)
                        return mc_error_errno(err, ENOMEM, "hugetlb ledger");
                r = mc_hugetlb_ledger_write(p->run_fd, l, err);
                if (r < 0)
                        return r;
                mc_crash_point("pool-pending");
                r = write_nr(p->sysfs_fd, req->kb, c.nr + need, &nr, err);
                if (r < 0)
                        return mc_error_prefix(err, "grow the %s huge page pool by %" PRIu64 " pages", name,
                                               need);
                uint64_t got = nr > c.nr ? nr - c.nr : 0;
                if (got < need) {
                        struct mc_error ignored = { 0 };
                        uint64_t back;
                        (void)write_nr(p->sysfs_fd, req->kb, c.nr, &back, &ignored);
                        return mc_error_set(err, ENOMEM,
                                            "asked for %" PRIu64
                                            " more %s pages, the kernel provided %" PRIu64
                                            " (nr_hugepages %" PRIu64 " -> %" PRIu64
                                            "): too little free or too fragmented memory; the pool "
                                            "is back to %" PRIu64 " pages",
                                            need, name, got, c.nr, nr, c.nr);
                }
                *spare -= need * page;
                l->e[l->n - 1].pending = false;
        } else if (mc_hugetlb_ledger_push(l, &e) < 0)
                return mc_error_errno(err, ENOMEM, "hugetlb ledger");
        req->added = need;
        /* Recorded before the next size: a failure later gives this one back through the ledger. */
        return mc_hugetlb_ledger_write(p->run_fd, l, err);
}

/* Reads the ledger (the pool's lock held) and drops the entries of dead launchers, and this run's when self.
 */
static int read_clean(struct mc_hugetlb_pool *p, struct mc_hugetlb_ledger *l, bool self,
                      struct mc_error *err)
{
        int r = mc_hugetlb_ledger_read(p->run_fd, &p->warnings, &p->n_warnings, l, err);
        return r < 0 ? r : clean(p, l, self, err);
}

int mc_hugetlb_pool_reserve(struct mc_hugetlb_pool *p, struct mc_hugetlb_request *req, size_t n,
                            struct mc_error *err)
{
        _cleanup_close_ int lock = -EBADF;
        struct mc_hugetlb_ledger l = {};

        int r = lock_pool(p, &lock, err);
        if (r < 0)
                return r;
        r = read_clean(p, &l, false, err);
        /* Under the lock and after dead runs gave back: what other launchers took is no longer available. */
        uint64_t spare = UINT64_MAX, avail = 0;
        if (r >= 0 && p->meminfo) {
                r = mem_available(p->meminfo, &avail);
                if (r < 0)
                        r = mc_error_errno(err, -r, "read MemAvailable of %s", p->meminfo);
                else
                        spare = avail / 8 * 7;
        }
        for (size_t i = 0; i < n && r >= 0; i++)
                r = reserve_one(p, &l, &req[i], &spare, err);
        if (r < 0) {
                struct mc_error ignored = { 0 };
                /* What this run added so far goes back now: nothing stays without a run. */
                mc_hugetlb_ledger_done(&l);
                (void)read_clean(p, &l, true, &ignored);
                for (size_t i = 0; i < n; i++)
                        req[i].added = 0;
        }
        mc_hugetlb_ledger_done(&l);
        return r;
}

int mc_hugetlb_pool_release(struct mc_hugetlb_pool *p, struct mc_error *err)
{
        _cleanup_close_ int lock = -EBADF;
        struct mc_hugetlb_ledger l = {};

        int r = lock_pool(p, &lock, err);
        if (r < 0)
                return r;
        r = read_clean(p, &l, true, err);
        mc_hugetlb_ledger_done(&l);
        return r;
}

int mc_hugetlb_pool_recover(const char *sysfs_dir, const char *run_dir, bool dry_run,
                            struct mc_hugetlb_recovery *ret, struct mc_error *err)
{
        _cleanup_close_ int dir_fd = -EBADF;
        _cleanup_close_ int lock = -EBADF;
        struct mc_hugetlb_pool p;
        struct mc_hugetlb_ledger l = {};
        struct given_list given = {};

        *ret = (struct mc_hugetlb_recovery){};
        /* No ledger, nothing to give back: a host that never reserved sees nothing created. */
        dir_fd = open(run_dir ? run_dir : MC_HUGETLB_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0 && errno == ENOENT)
                return 0;
        if (dir_fd < 0)
                return mc_error_errno(err, errno, "open %s", run_dir ? run_dir : MC_HUGETLB_RUN_DIR);
        if (faccessat(dir_fd, MC_HUGETLB_LEDGER, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT
                               ? 0
                               : mc_error_errno(err, errno, "%s/%s", MC_HUGETLB_RUN_DIR, MC_HUGETLB_LEDGER);

        int r = mc_hugetlb_pool_open(&p, sysfs_dir, run_dir, err);
        if (r < 0)
                return r;
        r = lock_pool(&p, &lock, err);
        if (r >= 0)
                r = mc_hugetlb_ledger_read(p.run_fd, &p.warnings, &p.n_warnings, &l, err);
        if (r >= 0) {
                _cleanup_free_ bool *drop = calloc(l.n + 1, sizeof(bool));
                if (!drop)
                        r = mc_error_errno(err, ENOMEM, "hugetlb ledger");
                /* gc has no entries of its own: only dead launchers' go. */
                for (size_t i = 0; drop && i < l.n; i++)
                        drop[i] = !mc_hugetlb_entry_alive(&l.e[i], p.pidns);
                if (drop)
                        r = give_back(&p, &l, drop, dry_run, &given, err);
        }
        mc_hugetlb_ledger_done(&l);
        ret->given = given.v;
        ret->n_given = given.n;
        ret->warnings = TAKE_PTR(p.warnings);
        p.n_warnings = 0;
        mc_hugetlb_pool_close(&p);
        return r;
}

void mc_hugetlb_recovery_done(struct mc_hugetlb_recovery *r)
{
        free(r->given);
        mc_strv_free(r->warnings);
        *r = (struct mc_hugetlb_recovery){};
}
