/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ledger of the huge page pools: its lines parsed, written, summed, and its temporary files swept. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hugetlb-ledger.h"
#include "util.h"

void mc_hugetlb_ledger_done(struct mc_hugetlb_ledger *l)
{
        free(l->e);
        *l = (struct mc_hugetlb_ledger){};
}

int mc_hugetlb_ledger_push(struct mc_hugetlb_ledger *l, const struct mc_hugetlb_entry *e)
{
        struct mc_hugetlb_entry *ne = realloc(l->e, (l->n + 1) * sizeof(*ne));
        if (!ne)
                return -ENOMEM;
        l->e = ne;
        l->e[l->n++] = *e;
        return 0;
}

/* A ledger field: decimal digits only (no sign, no blanks), without overflow. */
static bool parse_field(const char *s, uint64_t *ret)
{
        uint64_t v = 0;
        if (!*s)
                return false;
        for (; *s; s++) {
                if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
                        return false;
                v = v * 10 + (uint64_t)(*s - '0');
        }
        *ret = v;
        return true;
}

/* One line of the ledger, strictly: 6 or 7 fields (see hugetlb-pool.h). */
static bool parse_entry(char *line, struct mc_hugetlb_entry *ret)
{
        uint64_t f[7];
        size_t n = 0;
        for (char *save = NULL, *w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                if (n == ELEMENTSOF(f) || !parse_field(w, &f[n]))
                        return false;
                n++;
        }
        if ((n != 6 && n != 7) || f[0] == 0 || f[0] > INT_MAX || f[3] == 0)
                return false;
        *ret = (struct mc_hugetlb_entry){
                .pid = (pid_t)f[0],
                .starttime = f[1],
                .pidns = f[2],
                .kb = f[3],
                .reserved = f[4],
                .added = f[5],
                .pending = n == 7,
                .from = n == 7 ? f[6] : 0,
        };
        return true;
}

static void warn(char ***warnings, size_t *n_warnings, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void warn(char ***warnings, size_t *n_warnings, const char *fmt, ...)
{
        char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (msg)
                (void)mc_strv_push(warnings, n_warnings, msg);
}

/*
 * A malformed line (a truncated write by an older memcage, a hand edit) is
 * skipped and reported: acting on a wrong count could shrink a pool that
 * others use; what it recorded stays in the pool.
 */
int mc_hugetlb_ledger_read(int run_fd, char ***warnings, size_t *n_warnings, struct mc_hugetlb_ledger *ret,
                           struct mc_error *err)
{
        _cleanup_free_ char *text = NULL;
        struct mc_hugetlb_ledger l = {};

        int r = mc_read_file_at(run_fd, MC_HUGETLB_LEDGER, &text, err);
        if (r == -ENOENT) {
                mc_error_clear(err);
                *ret = l;
                return 0;
        }
        if (r < 0)
                return mc_error_prefix(err, "hugetlb ledger");
        unsigned lineno = 0;
        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                lineno++;
                if (line[0] == '\0')
                        continue;
                struct mc_hugetlb_entry e;
                char shown[64];
                snprintf(shown, sizeof(shown), "%s", line);
                if (!parse_entry(line, &e)) {
                        warn(warnings, n_warnings,
                             "%s/%s:%u: malformed line '%s%s' skipped (expected PID STARTTIME PIDNS KB "
                             "RESERVED ADDED [FROM]); the pages it recorded, if any, stay in the pool",
                             MC_HUGETLB_RUN_DIR, MC_HUGETLB_LEDGER, lineno, shown,
                             strlen(shown) == sizeof(shown) - 1 ? "..." : "");
                        continue;
                }
                if (mc_hugetlb_ledger_push(&l, &e) < 0) {
                        mc_hugetlb_ledger_done(&l);
                        return mc_error_errno(err, ENOMEM, "hugetlb ledger");
                }
        }
        *ret = l;
        return 0;
}

/* Atomically (mc_write_file_atomic_at); no entries left removes the file. */
int mc_hugetlb_ledger_write(int run_fd, const struct mc_hugetlb_ledger *l, struct mc_error *err)
{
        if (l->n == 0) {
                if (unlinkat(run_fd, MC_HUGETLB_LEDGER, 0) < 0 && errno != ENOENT)
                        return mc_error_errno(err, errno, "remove %s/%s", MC_HUGETLB_RUN_DIR,
                                              MC_HUGETLB_LEDGER);
                return 0;
        }
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
                return mc_error_errno(err, ENOMEM, "hugetlb ledger");
        for (size_t i = 0; i < l->n; i++) {
                const struct mc_hugetlb_entry *e = &l->e[i];
                fprintf(f, "%d %llu %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64, (int)e->pid, e->starttime,
                        e->pidns, e->kb, e->reserved, e->added);
                if (e->pending)
                        fprintf(f, " %" PRIu64, e->from);
                fputc('\n', f);
        }
        if (fclose(f) != 0)
                return mc_error_errno(err, ENOMEM, "hugetlb ledger");
        int r = mc_write_file_atomic_at(run_fd, MC_HUGETLB_LEDGER, text, len, 0600, err);
        if (r < 0)
                return mc_error_prefix(err, "%s", MC_HUGETLB_RUN_DIR);
        return 0;
}

/* The inode of this process's pid namespace: pids in the ledger mean something only within it. */
uint64_t mc_hugetlb_own_pidns(void)
{
        uint64_t ns;
        return mc_pidns_self(&ns) == 0 ? ns : 0;
}

/*
 * A launcher of another pid namespace counts as alive: its pid means
 * nothing here, and a run that may be live is never cleaned up.
 */
bool mc_hugetlb_entry_alive(const struct mc_hugetlb_entry *e, uint64_t pidns)
{
        unsigned long long st;
        if (e->pidns != pidns)
                return true;
        return mc_proc_starttime(e->pid, &st) == 0 && st == e->starttime;
}

bool mc_hugetlb_entry_is(const struct mc_hugetlb_entry *e, pid_t pid, unsigned long long starttime,
                         uint64_t pidns)
{
        return e->pid == pid && e->starttime == starttime && e->pidns == pidns;
}

/*
 * Every ledger write happens under the pool lock, so a temporary
 * "hugetlb.ledger.XXXXXX" present when the lock is taken is one a writer
 * killed between its fsync and its rename left behind: nobody will rename
 * it in, and the ledger it would have replaced is still whole.
 */
void mc_hugetlb_ledger_sweep_temps(int run_fd)
{
        int fd = openat(run_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }
        const size_t prefix = strlen(MC_HUGETLB_LEDGER ".");
        struct dirent *de;
        while ((de = readdir(d)))
                if (de->d_type == DT_REG && strlen(de->d_name) == prefix + 6 &&
                    strncmp(de->d_name, MC_HUGETLB_LEDGER ".", prefix) == 0)
                        (void)unlinkat(run_fd, de->d_name, 0);
        closedir(d);
}

/* Sum of reserved (or added) pages of kb over the entries other than skip. */
uint64_t mc_hugetlb_ledger_sum(const struct mc_hugetlb_ledger *l, uint64_t kb, size_t skip, bool added)
{
        uint64_t sum = 0;
        for (size_t i = 0; i < l->n; i++)
                if (i != skip && l->e[i].kb == kb)
                        sum += added ? l->e[i].added : l->e[i].reserved;
        return sum;
}
