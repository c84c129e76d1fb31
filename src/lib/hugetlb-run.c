/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crash-point.h"
#include "hugetlb-run.h"
#include "size.h"
#include "util.h"

void mc_hugetlb_run_init(struct mc_hugetlb_run *h, const char *sysfs_dir, const char *run_dir)
{
        *h = (struct mc_hugetlb_run){
                .sysfs_dir = sysfs_dir,
                .run_dir = run_dir,
                .pool = { .sysfs_fd = -EBADF, .run_fd = -EBADF },
        };
}

/* The [hugetlb] key of size: "max", "rsvd.max" or "reserve". */
static const struct mc_setting *hugetlb_setting(const struct mc_profile *p, const char *size,
                                                const char *what)
{
        const struct mc_key_info *ki = mc_hugetlb_key(size, what);
        return ki ? &p->settings[ki->key] : NULL;
}

int mc_hugetlb_run_prepare(struct mc_hugetlb_run *h, const struct mc_profile *p, const struct mc_limits *l,
                           uid_t euid, mc_warn_fn warn, void *warn_userdata, struct mc_error *err)
{
        for (size_t i = 0; i < mc_hugetlb_size_count; i++) {
                const char *size = mc_hugetlb_size_names[i];
                if (!hugetlb_setting(p, size, "max")->value &&
                    !hugetlb_setting(p, size, "rsvd.max")->value &&
                    !hugetlb_setting(p, size, "reserve")->value)
                        continue;
                if (h->n_sizes == MC_REPORT_HUGETLB_MAX)
                        return mc_error_set(err, E2BIG, "[hugetlb]: too many page sizes");
                struct mc_report_hugetlb *e = &h->sizes[h->n_sizes++];
                snprintf(e->size, sizeof(e->size), "%s", size);
        }
        if (h->n_sizes == 0)
                return 0;

        for (size_t i = 0; i < h->n_sizes; i++)
                if (mc_hugetlb_require_size(h->sysfs_dir, h->sizes[i].size, err) < 0)
                        return mc_error_prefix(err, "[hugetlb]");

        for (int k = 0; k < _MC_LIMIT_COUNT && warn; k++) {
                char page[MC_SIZE_STR_MAX], got[MC_SIZE_STR_MAX], text[512];
                if (!l->rounded[k])
                        continue;
                const struct mc_key_info *ki =
                        mc_key_lookup("hugetlb", mc_limit_name(k) + strlen("hugetlb."));
                snprintf(text, sizeof(text), "%s = %s is not a whole number of %s pages: using %s",
                         mc_limit_name(k), ki ? p->settings[ki->key].value : "?",
                         mc_size_format(mc_limit_hugetlb_page(k), page, sizeof(page)),
                         mc_size_format(l->v[k].value, got, sizeof(got)));
                warn(warn_userdata, text);
        }

        for (size_t i = 0; i < h->n_sizes; i++) {
                struct mc_report_hugetlb *e = &h->sizes[i];
                const struct mc_setting *st = hugetlb_setting(p, e->size, "reserve");
                if (!st->value)
                        continue;
                if (mc_hugetlb_parse_reserve(st->value, mc_hugetlb_page_bytes(e->size), &e->reserved_pages,
                                             err) < 0)
                        return mc_error_prefix(err, "[hugetlb] %s.reserve", e->size);
        }
        /* The pool is the host's: never asked for and silently not had. */
        for (size_t i = 0; euid != 0 && i < h->n_sizes; i++)
                if (h->sizes[i].reserved_pages > 0)
                        return mc_error_set(err, EPERM,
                                            "[hugetlb] %s.reserve needs root: it grows the host's huge page "
                                            "pool; run memcage as root, or size the pool beforehand "
                                            "(vm.nr_hugepages) and keep only the limits",
                                            h->sizes[i].size);
        return 0;
}

/* The ledger lines the pool skipped, each said once. */
static void pass_warnings(struct mc_hugetlb_pool *pool, mc_warn_fn warn, void *warn_userdata)
{
        for (size_t i = 0; i < pool->n_warnings; i++)
                if (warn)
                        warn(warn_userdata, pool->warnings[i]);
        mc_strv_free(pool->warnings);
        pool->warnings = NULL;
        pool->n_warnings = 0;
}

int mc_hugetlb_run_reserve(struct mc_hugetlb_run *h, int interrupt_fd, mc_warn_fn warn, void *warn_userdata,
                           struct mc_error *err)
{
        struct mc_hugetlb_request req[MC_REPORT_HUGETLB_MAX];
        size_t n_req = 0;
        int r;

        for (size_t i = 0; i < h->n_sizes; i++)
                if (h->sizes[i].reserved_pages > 0)
                        req[n_req++] = (struct mc_hugetlb_request){
                                .kb = mc_hugetlb_page_bytes(h->sizes[i].size) >> 10,
                                .pages = h->sizes[i].reserved_pages,
                        };
        if (n_req == 0)
                return 0;

        r = mc_hugetlb_pool_open(&h->pool, h->sysfs_dir, h->run_dir, err);
        if (r < 0)
                return mc_error_prefix(err, "[hugetlb] reserve");
        h->pool_open = true;
        h->pool.interrupt_fd = interrupt_fd;
        r = mc_hugetlb_pool_reserve(&h->pool, req, n_req, err);
        h->pool.interrupt_fd = -EBADF;
        pass_warnings(&h->pool, warn, warn_userdata);
        if (r < 0)
                return mc_error_prefix(err, "[hugetlb] reserve");
        mc_crash_point("pool-grown");
        for (size_t i = 0, k = 0; i < h->n_sizes && k < n_req; i++)
                if (h->sizes[i].reserved_pages > 0)
                        h->sizes[i].added_pages = req[k++].added;
        return 0;
}

/* Reads hugetlb.<size>.<what> of the group. */
static int hugetlb_read(int group_fd, const char *size, const char *what, uint64_t *ret)
{
        char file[64];
        struct mc_error err = { 0 };
        snprintf(file, sizeof(file), "hugetlb.%s.%s", size, what);
        return mc_read_u64_at(group_fd, file, ret, &err);
}

void mc_hugetlb_run_start(struct mc_hugetlb_run *h, int group_fd)
{
        for (size_t i = 0; i < h->n_sizes; i++) {
                struct mc_report_hugetlb *e = &h->sizes[i];
                e->rsvd_max = UINT64_MAX;
                /* rsvd.* came with Linux 5.7: without it the limit stays "no limit". */
                e->has_limits = hugetlb_read(group_fd, e->size, "max", &e->max) >= 0;
                if (e->has_limits)
                        (void)hugetlb_read(group_fd, e->size, "rsvd.max", &e->rsvd_max);
        }
}

void mc_hugetlb_run_set_events_before(struct mc_hugetlb_run *h, const char *size,
                                      const struct mc_counters *before)
{
        for (size_t i = 0; i < h->n_sizes; i++)
                if (streq(h->sizes[i].size, size)) {
                        h->events_before[i] = *before;
                        h->has_events_before[i] = true;
                }
}

void mc_hugetlb_run_end(struct mc_hugetlb_run *h, int group_fd)
{
        for (size_t i = 0; i < h->n_sizes; i++) {
                struct mc_report_hugetlb *e = &h->sizes[i];
                struct mc_counters after, delta;
                struct mc_error err = { 0 };
                e->has_usage = hugetlb_read(group_fd, e->size, "current", &e->current) >= 0;
                if (e->has_usage && hugetlb_read(group_fd, e->size, "rsvd.current", &e->rsvd_current) < 0)
                        e->rsvd_current = 0; /* before 5.7 there are no reservation counters */
                /* Unknown before: no delta after. */
                if (!h->has_events_before[i] ||
                    mc_hugetlb_events_read_at(group_fd, e->size, &after, &err) < 0)
                        continue;
                mc_counters_delta(&h->events_before[i], &after, &delta);
                e->has_events = true;
                e->events_max = 0;
                (void)mc_counters_get(&delta, "max", &e->events_max);
        }
}

/* hugetlb.<size>.events, in buf of n bytes. */
static int events_file(const char *size, char *buf, size_t n, struct mc_error *err)
{
        int k = snprintf(buf, n, "hugetlb.%s.events", size);
        if (k < 0 || (size_t)k >= n)
                return mc_error_set(err, ENAMETOOLONG, "hugetlb page size '%s': name too long", size);
        return 0;
}

int mc_hugetlb_events_open_at(int group_fd, const char *size, int *ret_fd, struct mc_counters *ret,
                              struct mc_error *err)
{
        char file[64];
        int r = events_file(size, file, sizeof(file), err);
        return r < 0 ? r : mc_counters_open_at(group_fd, file, ret_fd, ret, err);
}

int mc_hugetlb_events_pread(int fd, const char *size, struct mc_counters *ret, struct mc_error *err)
{
        char file[64];
        int r = events_file(size, file, sizeof(file), err);
        return r < 0 ? r : mc_counters_pread(fd, file, ret, err);
}

int mc_hugetlb_events_read_at(int group_fd, const char *size, struct mc_counters *ret, struct mc_error *err)
{
        char file[64];
        int r = events_file(size, file, sizeof(file), err);
        return r < 0 ? r : mc_counters_read_at(group_fd, file, ret, err);
}

int mc_hugetlb_run_release(struct mc_hugetlb_run *h, mc_warn_fn warn, void *warn_userdata,
                           struct mc_error *err)
{
        if (!h->pool_open)
                return 0;
        int r = mc_hugetlb_pool_release(&h->pool, err);
        pass_warnings(&h->pool, warn, warn_userdata);
        mc_hugetlb_pool_close(&h->pool);
        h->pool_open = false;
        if (r < 0)
                return mc_error_prefix(err, "[hugetlb] give back reserved pages");
        return 0;
}
