/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Risky but valid profile settings, judged against the facts of one host. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "hugetlb-pool.h"
#include "group-limits.h"
#include "pressure.h"
#include "profile-check.h"
#include "size.h"
#include "util.h"

/* Above this share of max, reclaim at high has too little room before the OOM kill at max. */
#define HIGH_NEAR_MAX_PERCENT 90

struct collector {
        const struct mc_profile *profile;
        struct mc_check_warning *v;
        size_t n;
        int r;
};

static void add(struct collector *c, enum mc_check_level level, enum mc_key key, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void add(struct collector *c, enum mc_check_level level, enum mc_key key, const char *fmt, ...)
{
        const struct mc_setting *s = &c->profile->settings[key];
        struct mc_check_warning w = { .level = level, .key = key, .line = s->line };
        va_list ap;

        if (c->r < 0)
                return;
        va_start(ap, fmt);
        if (vasprintf(&w.message, fmt, ap) < 0)
                w.message = NULL;
        va_end(ap);
        if (s->file)
                w.file = strdup(s->file);
        struct mc_check_warning *nv = realloc(c->v, (c->n + 1) * sizeof(*nv));
        if (!w.message || (s->file && !w.file) || !nv) {
                free(w.message);
                free(w.file);
                if (nv)
                        c->v = nv;
                c->r = -ENOMEM;
                return;
        }
        c->v = nv;
        c->v[c->n++] = w;
}

static bool is_finite(const struct mc_limit_value *v)
{
        return v->set && v->value != MC_SIZE_MAX;
}

static void check_high(struct collector *c, const struct mc_limits *l, const struct mc_host_facts *host)
{
        const struct mc_limit_value *max = &l->v[MC_LIMIT_MAX], *high = &l->v[MC_LIMIT_HIGH];
        const struct mc_limit_value *swap = &l->v[MC_LIMIT_SWAP_MAX];
        char hb[MC_SIZE_STR_MAX], mb[MC_SIZE_STR_MAX];

        if (!is_finite(high))
                return;
        mc_size_format(high->value, hb, sizeof(hb));
        if (!is_finite(max)) {
                add(c, MC_CHECK_WARNING, MC_KEY_MEMORY_HIGH,
                    "high (%s) without max: memory.high only throttles and reclaims, nothing stops the "
                    "group from growing; set max as well",
                    hb);
                return;
        }
        mc_size_format(max->value, mb, sizeof(mb));
        if (high->value >= max->value) {
                add(c, MC_CHECK_WARNING, MC_KEY_MEMORY_HIGH,
                    "high (%s) is not below max (%s): it never takes effect; the group is reclaimed "
                    "and OOM-killed at max without being throttled first",
                    hb, mb);
                return;
        }
        /* The group can swap only when the host has swap and swap.max leaves some. */
        bool can_swap = host->swap_present && !(swap->set && swap->value == 0);
        double pct = (double)high->value * 100.0 / (double)max->value;
        if (can_swap || pct < HIGH_NEAR_MAX_PERCENT)
                return;
        add(c, MC_CHECK_WARNING, MC_KEY_MEMORY_HIGH,
            "high (%s) is %u%% of max (%s) and the group cannot swap (%s): reclaim above high can "
            "throttle the workload for minutes before the OOM kill at max; keep high below %d%% of max "
            "or allow swap",
            hb, (unsigned)pct, mb, !host->swap_present ? "this host has no swap" : "swap.max is 0",
            HIGH_NEAR_MAX_PERCENT);
}

/* max = 0 loads (the kernel takes it), but no workload can live in such a group. */
static void check_zero_max(struct collector *c, const struct mc_limits *l)
{
        const struct mc_limit_value *max = &l->v[MC_LIMIT_MAX];

        if (max->set && max->value == 0)
                add(c, MC_CHECK_WARNING, MC_KEY_MEMORY_MAX,
                    "max is 0: the group can never hold a page, so the command is OOM-killed at its "
                    "first allocation; set the budget it needs (or max for no limit)");
}

static void check_protection(struct collector *c, const struct mc_limits *l)
{
        static const struct {
                enum mc_limit limit;
                enum mc_key key;
        } prot[] = { { MC_LIMIT_MIN, MC_KEY_MEMORY_MIN }, { MC_LIMIT_LOW, MC_KEY_MEMORY_LOW } };
        const struct mc_limit_value *max = &l->v[MC_LIMIT_MAX];
        char pb[MC_SIZE_STR_MAX], mb[MC_SIZE_STR_MAX];

        if (!is_finite(max))
                return;
        mc_size_format(max->value, mb, sizeof(mb));
        for (size_t i = 0; i < ELEMENTSOF(prot); i++) {
                const struct mc_limit_value *v = &l->v[prot[i].limit];
                if (!v->set || v->value <= max->value)
                        continue;
                add(c, MC_CHECK_WARNING, prot[i].key,
                    "%s (%s) is above max (%s): the group can never use that much, so the protection "
                    "is never used in full",
                    mc_limit_name(prot[i].limit), mc_size_format(v->value, pb, sizeof(pb)), mb);
        }
}

static void check_swap(struct collector *c, const struct mc_limits *l, const struct mc_host_facts *host)
{
        const struct mc_limit_value *swap = &l->v[MC_LIMIT_SWAP_MAX];
        char sb[MC_SIZE_STR_MAX];

        if (!is_finite(swap))
                return;
        mc_size_format(swap->value, sb, sizeof(sb));
        switch (host->swap_accounting) {
        case MC_SWAP_ACCOUNTING_UNKNOWN:
                add(c, MC_CHECK_NOTE, MC_KEY_MEMORY_SWAP_MAX,
                    "swap.max (%s): swap accounting check skipped: cgroup v2 memory controller not "
                    "available on this host",
                    sb);
                return;
        case MC_SWAP_ACCOUNTING_NO_GROUPS:
                add(c, MC_CHECK_NOTE, MC_KEY_MEMORY_SWAP_MAX,
                    "swap.max (%s): swap accounting check skipped: no group below the cgroup2 root has "
                    "the memory controller to look at",
                    sb);
                return;
        case MC_SWAP_ACCOUNTING_NO:
                add(c, MC_CHECK_WARNING, MC_KEY_MEMORY_SWAP_MAX,
                    "swap.max (%s) is set but this host has no swap accounting (no memory.swap.max in "
                    "its memory groups; swapaccount=0?): the limit cannot be applied",
                    sb);
                return;
        case MC_SWAP_ACCOUNTING_YES:
                break;
        }
        /*
         * swap.max = 0 on a host without swap says what happens anyway: nothing to say.
         * A bound on swap is no risk where there is none, and a profile meant for many
         * hosts (the shipped ones) sets it for those that swap: a note, not a warning.
         */
        if (!host->swap_present && swap->value > 0)
                add(c, MC_CHECK_NOTE, MC_KEY_MEMORY_SWAP_MAX,
                    "swap.max (%s) is set but this host has no swap (/proc/swaps lists none): it has "
                    "no effect",
                    sb);
}

static void check_ram(struct collector *c, const struct mc_limits *l, const struct mc_host_facts *host)
{
        static const struct {
                enum mc_limit limit;
                enum mc_key key;
                const char *why;
        } sized[] = {
                { MC_LIMIT_MAX, MC_KEY_MEMORY_MAX, "the host runs out of memory before the group does" },
                { MC_LIMIT_HIGH, MC_KEY_MEMORY_HIGH, "the host runs out of memory before the group does" },
                { MC_LIMIT_LOW, MC_KEY_MEMORY_LOW, "it protects more than the host has" },
                { MC_LIMIT_MIN, MC_KEY_MEMORY_MIN, "it protects more than the host has" },
        };
        char vb[MC_SIZE_STR_MAX], rb[MC_SIZE_STR_MAX];

        if (host->ram_bytes == 0)
                return;
        mc_size_format(host->ram_bytes, rb, sizeof(rb));
        for (size_t i = 0; i < ELEMENTSOF(sized); i++) {
                const struct mc_limit_value *v = &l->v[sized[i].limit];
                if (!is_finite(v) || v->value <= host->ram_bytes)
                        continue;
                add(c, MC_CHECK_WARNING, sized[i].key,
                    "%s (%s) is larger than this host's physical memory (%s): %s",
                    mc_limit_name(sized[i].limit), mc_size_format(v->value, vb, sizeof(vb)), rb,
                    sized[i].why);
        }
}

/* [run] keys that do less than they seem to without a user. */
static void check_run(struct collector *c)
{
        const struct mc_setting *s = c->profile->settings;

        if (s[MC_KEY_RUN_USER].value)
                return;
        if (s[MC_KEY_RUN_CAPABILITIES].value)
                add(c, MC_CHECK_WARNING, MC_KEY_RUN_CAPABILITIES,
                    "capabilities without user: a command started by root keeps uid 0 and with it root's "
                    "access to files; set user to run it as an ordinary user");
        if (s[MC_KEY_RUN_ENV_KEEP].value)
                add(c, MC_CHECK_WARNING, MC_KEY_RUN_ENV_KEEP,
                    "env_keep without user has no effect: the command inherits the whole environment");
}

static const struct mc_setting *hugetlb_setting(const struct mc_profile *p, const char *size,
                                                const char *what, enum mc_key *ret_key)
{
        const struct mc_key_info *ki = mc_hugetlb_key(size, what);
        if (!ki)
                return NULL;
        *ret_key = ki->key;
        return &p->settings[ki->key];
}

static bool host_has_size(const struct mc_host_facts *host, const char *size)
{
        for (size_t i = 0; i < host->n_hugetlb_sizes; i++)
                if (streq(host->hugetlb_sizes[i], size))
                        return true;
        return false;
}

static void check_hugetlb(struct collector *c, const struct mc_host_facts *host)
{
        static const char *const what[] = { "max", "rsvd.max", "reserve" };
        char list[128] = "", rb[MC_SIZE_STR_MAX], vb[MC_SIZE_STR_MAX];
        size_t used = 0;
        bool limits_warned = false;

        for (size_t i = 0; i < host->n_hugetlb_sizes; i++) {
                int k = snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "",
                                 host->hugetlb_sizes[i]);
                if (k > 0 && (size_t)k < sizeof(list) - used)
                        used += (size_t)k;
        }
        for (size_t i = 0; i < mc_hugetlb_size_count; i++) {
                const char *size = mc_hugetlb_size_names[i];
                bool size_warned = false;
                for (size_t w = 0; w < ELEMENTSOF(what); w++) {
                        enum mc_key key;
                        const struct mc_setting *s = hugetlb_setting(c->profile, size, what[w], &key);
                        if (!s || !s->value)
                                continue;
                        if (host->hugetlb_sizes_known && !size_warned && !host_has_size(host, size)) {
                                add(c, MC_CHECK_WARNING, key,
                                    "this host has no %s huge pages (it has: %s): memcage run refuses "
                                    "the profile here",
                                    size, used ? list : "none");
                                size_warned = true;
                        }
                        if (w < 2 && !limits_warned &&
                            host->hugetlb_controller == MC_HUGETLB_CONTROLLER_NO) {
                                add(c, MC_CHECK_WARNING, key,
                                    "%s.%s needs the hugetlb controller, which the cgroup2 root does "
                                    "not offer (not in its cgroup.controllers): the group cannot be "
                                    "created",
                                    size, what[w]);
                                limits_warned = true;
                        }
                        uint64_t pages;
                        struct mc_error ignored = { 0 };
                        uint64_t page = mc_hugetlb_page_bytes(size);
                        if (w == 2 && host->ram_bytes > 0 &&
                            mc_hugetlb_parse_reserve(s->value, page, &pages, &ignored) == 0 &&
                            pages > host->ram_bytes / page)
                                add(c, MC_CHECK_WARNING, key,
                                    "%s.reserve (%llu pages, %s) is more than this host's physical "
                                    "memory (%s): the pool cannot grow that far and the run will stop "
                                    "before launch",
                                    size, (unsigned long long)pages,
                                    pages <= UINT64_MAX / page ? mc_size_format(pages * page, vb, sizeof(vb))
                                                               : "too large",
                                    mc_size_format(host->ram_bytes, rb, sizeof(rb)));
                }
        }
}

int mc_check_profile(const struct mc_profile *p, const struct mc_host_facts *host,
                     struct mc_check_warning **ret, size_t *ret_n, struct mc_error *err)
{
        struct mc_limits l;
        struct collector c = { .profile = p };

        int r = mc_limits_from_profile(p, host->ram_bytes, &l, err);
        if (r < 0)
                return r;
        check_zero_max(&c, &l);
        check_high(&c, &l, host);
        check_protection(&c, &l);
        check_swap(&c, &l, host);
        check_ram(&c, &l, host);
        check_run(&c);
        check_hugetlb(&c, host);
        if (c.r < 0) {
                mc_check_warnings_free(c.v, c.n);
                return mc_error_errno(err, -c.r, "check profile");
        }
        *ret = c.v;
        *ret_n = c.n;
        return 0;
}

int mc_check_pressure(const struct mc_profile *p, const struct mc_host_facts *host, uid_t euid,
                      struct mc_check_warning **w, size_t *n, struct mc_error *err)
{
        const struct mc_setting *kill = &p->settings[MC_KEY_PRESSURE_KILL];
        struct collector c = { .profile = p, .v = *w, .n = *n };
        struct mc_limits l;
        char hb[MC_SIZE_STR_MAX];

        if (kill->value) {
                struct mc_pressure_kill_rule rule;
                if (mc_pressure_kill_parse_rule(kill->value, &rule, err) < 0 ||
                    mc_pressure_kill_check_rule(&rule, euid, err) < 0) {
                        if (kill->file && kill->line > 0)
                                return mc_error_prefix(err, "%s:%u: pressure.kill", kill->file, kill->line);
                        return mc_error_prefix(err, "pressure.kill");
                }
        }
        int r = mc_limits_from_profile(p, host->ram_bytes, &l, err);
        if (r < 0)
                return r;
        const struct mc_limit_value *high = &l.v[MC_LIMIT_HIGH], *swap = &l.v[MC_LIMIT_SWAP_MAX];
        bool can_swap = host->swap_present && !(swap->set && swap->value == 0);
        if (!kill->value && is_finite(high) && !can_swap)
                add(&c, MC_CHECK_WARNING, MC_KEY_MEMORY_HIGH,
                    "high (%s) without a [pressure] kill rule and the group cannot swap (%s): a workload "
                    "stuck at high is throttled, never OOM-killed, and can hang for hours; add e.g. kill = "
                    "full 50%%/2s for 30s",
                    mc_size_format(high->value, hb, sizeof(hb)),
                    !host->swap_present ? "this host has no swap" : "swap.max is 0");
        *w = c.v;
        *n = c.n;
        if (c.r < 0)
                return mc_error_errno(err, -c.r, "check profile");
        return 0;
}

void mc_check_warnings_free(struct mc_check_warning *w, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(w[i].file);
                free(w[i].message);
        }
        free(w);
}

/* /proc/swaps is a header line, then one line per active swap device or file. */
static bool swaps_listed(const char *proc_swaps)
{
        _cleanup_fclose_ FILE *f = fopen(proc_swaps, "re");
        char line[512];
        unsigned n = 0;

        if (!f)
                return false;
        while (fgets(line, sizeof(line), f))
                if (line[0] != '\n')
                        n++;
        return n > 1;
}

/*
 * The memory controller's files appear in a group only when its parent hands
 * memory down; among those groups memory.swap.max exists only with swap
 * accounting (CONFIG_MEMCG_SWAP, and swapaccount=1 before Linux 6.1).
 */
static enum mc_swap_accounting swap_accounting(int root_fd)
{
        enum mc_swap_accounting acc = MC_SWAP_ACCOUNTING_UNKNOWN;

        if (root_fd < 0)
                return acc;
        _cleanup_free_ char *controllers = NULL;
        struct mc_error err = { 0 };
        if (mc_read_file_at(root_fd, "cgroup.controllers", &controllers, &err) < 0 ||
            !mc_cgroup_list_has(controllers, "memory"))
                return acc;
        acc = MC_SWAP_ACCOUNTING_NO_GROUPS;
        int fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return acc;
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return acc;
        }
        struct dirent *de;
        while ((de = readdir(d)) && acc != MC_SWAP_ACCOUNTING_YES) {
                if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
                        continue;
                _cleanup_close_ int cfd = openat(root_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (cfd < 0 || faccessat(cfd, "memory.max", F_OK, 0) < 0)
                        continue;
                acc = faccessat(cfd, "memory.swap.max", F_OK, 0) == 0 ? MC_SWAP_ACCOUNTING_YES
                                                                      : MC_SWAP_ACCOUNTING_NO;
        }
        closedir(d);
        return acc;
}

static void hugetlb_facts(int root_fd, struct mc_host_facts *ret)
{
        _cleanup_strv_free_ char **sizes = NULL;
        _cleanup_free_ char *controllers = NULL;
        struct mc_error err = { 0 };

        if (mc_hugetlb_host_sizes(NULL, &sizes, &err) >= 0) {
                ret->hugetlb_sizes_known = true;
                for (char **s = sizes; *s && ret->n_hugetlb_sizes < MC_HOST_HUGETLB_SIZES_MAX; s++)
                        snprintf(ret->hugetlb_sizes[ret->n_hugetlb_sizes++], sizeof(ret->hugetlb_sizes[0]),
                                 "%s", *s);
        }
        if (root_fd >= 0 && mc_read_file_at(root_fd, "cgroup.controllers", &controllers, &err) >= 0)
                ret->hugetlb_controller = mc_cgroup_list_has(controllers, "hugetlb")
                                                  ? MC_HUGETLB_CONTROLLER_YES
                                                  : MC_HUGETLB_CONTROLLER_NO;
}

void mc_host_facts_read(const char *proc_swaps, int root_fd, struct mc_host_facts *ret)
{
        *ret = (struct mc_host_facts){
                .ram_bytes = mc_host_ram_bytes(),
                .swap_present = swaps_listed(proc_swaps ? proc_swaps : "/proc/swaps"),
                .swap_accounting = swap_accounting(root_fd),
        };
        hugetlb_facts(root_fd, ret);
}
