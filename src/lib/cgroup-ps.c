/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage's groups as they are now: one listing of the parent, then reads relative to each group. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "cgroup-ps.h"
#include "cgroup-stale.h"
#include "cgroup.h"
#include "escape.h"
#include "events.h"
#include "pressure.h"
#include "util.h"

/* A u64 file; missing or unreadable gives MC_PS_NONE, as does "max". */
static uint64_t read_u64_or_none(int fd, const char *file)
{
        struct mc_error e = { 0 };
        uint64_t v;
        return mc_read_u64_at(fd, file, &v, &e) < 0 ? MC_PS_NONE : v;
}

static uint64_t count_lines(const char *s)
{
        uint64_t n = 0;
        for (; *s; s++)
                if (*s == '\n')
                        n++;
        return n;
}

/* Fills e from the group's files; -ENODATA when the group is not memcage's, -ENOENT when gone. */
static int read_entry(int fd, struct mc_ps_entry *e)
{
        _cleanup_free_ char *procs = NULL;
        struct mc_error err = { 0 };
        struct mc_counters events;
        struct mc_pressure_line psi[_MC_PSI_KIND_COUNT];
        char profile[256];
        int r;

        struct mc_launcher l;
        r = mc_group_read_launcher(fd, &l);
        if (r < 0)
                return r;
        e->launcher = l.pid;
        e->launcher_state = l.state;
        e->launcher_pidns = l.pidns;
        e->launcher_alive = l.state == MC_LAUNCHER_ALIVE;
        /*
         * Whoever owns the group can set this mark (a user's own groups, which
         * root's ps lists too): only the text memcage writes, a profile as it
         * was named, is taken; anything else is reported as not understood.
         */
        ssize_t k = fgetxattr(fd, MC_GROUP_XATTR_PROFILE, profile, sizeof(profile) - 1);
        if (k >= 0) {
                profile[k] = '\0';
                if ((size_t)k != strlen(profile) || !mc_text_is_printable(profile))
                        e->profile_malformed = true;
                else if (!(e->profile = strdup(profile)))
                        return -ENOMEM;
        } else if (errno == ERANGE)
                e->profile_malformed = true;
        /* cgroup.procs exists in every group: missing means the group went away meanwhile. */
        r = mc_read_file_at(fd, "cgroup.procs", &procs, &err);
        if (r < 0)
                return r == -ENODEV ? -ENOENT : r;
        e->pids = count_lines(procs);
        e->current = read_u64_or_none(fd, "memory.current");
        e->peak = read_u64_or_none(fd, "memory.peak"); /* 5.19+ */
        e->max = read_u64_or_none(fd, "memory.max");
        e->high = read_u64_or_none(fd, "memory.high");
        e->oom_kill = MC_PS_NONE;
        if (mc_memory_events_read_at(fd, false, &events, &err) == 0 &&
            !mc_counters_get(&events, "oom_kill", &e->oom_kill))
                e->oom_kill = MC_PS_NONE;
        /* Absent without CONFIG_PSI, EOPNOTSUPP with psi=0 on the command line. */
        if (mc_pressure_read_at(fd, psi, &err) == 0) {
                e->have_psi = true;
                e->psi_some_avg10 = psi[MC_PSI_SOME].avg10;
        }
        return 0;
}

static void entry_clear(struct mc_ps_entry *e)
{
        free(e->name);
        free(e->profile);
}

static int by_name(const void *a, const void *b)
{
        return strcmp(((const struct mc_ps_entry *)a)->name, ((const struct mc_ps_entry *)b)->name);
}

int mc_ps_collect(int parent_fd, struct mc_ps_entry **ret, size_t *ret_n, struct mc_error *err)
{
        struct mc_ps_entry *v = NULL;
        size_t n = 0, cap = 0;
        int r = 0;

        *ret = NULL;
        *ret_n = 0;
        DIR *d = mc_opendir_at(parent_fd, ".");
        if (!d)
                return mc_error_errno(err, errno, "read the parent group");
        int e = 0;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        e = errno;
                        break;
                }
                if ((de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) || streq(de->d_name, ".") ||
                    streq(de->d_name, ".."))
                        continue;
                _cleanup_close_ int fd =
                        openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        continue; /* not a directory, or gone meanwhile */
                if (n == cap) {
                        size_t ncap = cap ? cap * 2 : 64;
                        struct mc_ps_entry *nv = realloc(v, ncap * sizeof(*v));
                        if (!nv) {
                                r = -ENOMEM;
                                break;
                        }
                        v = nv;
                        cap = ncap;
                }
                v[n] = (struct mc_ps_entry){ .name = strdup(de->d_name) };
                if (!v[n].name) {
                        r = -ENOMEM;
                        break;
                }
                r = read_entry(fd, &v[n]);
                if (r == -ENOMEM) {
                        n++;
                        break;
                }
                if (r < 0) {
                        /* Not memcage's, or removed while it was read: not listed. */
                        entry_clear(&v[n]);
                        r = 0;
                        continue;
                }
                n++;
        }
        closedir(d);
        if (r < 0) {
                mc_ps_entries_free(v, n);
                return mc_error_errno(err, -r, "list the groups");
        }
        if (e != 0) {
                mc_ps_entries_free(v, n);
                return mc_error_errno(err, e, "read the parent group");
        }
        if (n > 1)
                qsort(v, n, sizeof(*v), by_name);
        *ret = v;
        *ret_n = n;
        return 0;
}

void mc_ps_entries_free(struct mc_ps_entry *e, size_t n)
{
        if (!e)
                return;
        for (size_t i = 0; i < n; i++)
                entry_clear(&e[i]);
        free(e);
}
