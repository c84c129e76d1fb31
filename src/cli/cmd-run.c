/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage run: profile -> limits -> group -> command -> report. */
#include "config.h"

#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>

#include "cgroup.h"
#include "cli-events.h"
#include "cli.h"
#include "credentials.h"
#include "events.h"
#include "fail-on.h"
#include "hugetlb-pool.h"
#include "group-limits.h"
#include "profile.h"
#include "report.h"
#include "sampler.h"
#include "size.h"
#include "spawn.h"
#include "supervise.h"
#include "util.h"

/* A value given on the command line, applied on top of the profile in the order given. */
struct override {
        const char *section;
        const char *key;
        const char *value;
        char *owned; /* storage behind section/key for --set */
};

struct run_opts {
        const char *profile;
        const char *parent;
        const char *name;
        const char *report_path;
        const char *user;     /* --user: replaces [run] user */
        const char *interval; /* --interval, NULL for [report] interval or the default */
        const char *events_path;
        const char *text_path; /* --text: the text report, "-" for stderr */
        const char *plot_path; /* --plot: the SVG chart */
        bool github;           /* --github: workflow commands on stdout */
        unsigned fail_on;      /* --fail-on: mask of enum mc_fail_on */
        const char *fail_on_arg;
        bool wait_all;
        bool quiet;
        enum mc_spawn_method method;
        struct override *overrides;
        size_t n_overrides;
        char **argv;
};

static void usage(void)
{
        printf("Usage: memcage run [OPTIONS] [--] COMMAND [ARGS]...\n"
               "\n"
               "Run COMMAND in a new cgroup v2 group with the memory limits of a profile,\n"
               "forward signals to it, remove the group afterwards and return its exit status.\n"
               "\n"
               "Options:\n"
               "  -p, --profile NAME     profile to apply: NAME.ini on the search path, or a\n"
               "                         file when NAME contains '/'\n"
               "  -m, --max SIZE         memory.max (hard limit: OOM kill beyond it)\n"
               "      --high SIZE        memory.high (throttling and reclaim above it)\n"
               "      --swap SIZE        memory.swap.max\n"
               "      --set SECTION.KEY=VALUE\n"
               "                         any profile key, e.g. --set memory.oom.group=1\n"
               "      --parent PATH      parent group, relative to the cgroup2 root\n"
               "                         (default: [cgroup] parent of the profile, or memcage)\n"
               "      --name NAME        name of the group (default: PROFILE-PID)\n"
               "  -u, --user USER        run COMMAND as USER (name or uid), with its primary\n"
               "                         group and groups unless [run] sets them\n"
               "      --wait-all         after COMMAND exits, wait for the processes it left\n"
               "                         instead of killing them\n"
               "      --report FILE      write the JSON report to FILE (on every exit path)\n"
               "      --interval DURATION\n"
               "                         sample memory for the report every DURATION (250ms,\n"
               "                         1s; default: [report] interval of the profile, or\n"
               "                         100ms); 0 turns sampling off\n"
               "      --events FILE      write each memory event to FILE as a JSON line\n"
               "      --text FILE        write the text report to FILE ('-': stderr)\n"
               "      --plot FILE        write an SVG chart of the run to FILE\n"
               "      --github           print GitHub Actions ::error/::warning lines on stdout\n"
               "                         for OOM kills, limits hit and pressure\n"
               "      --fail-on LIST     exit 123 when COMMAND exited 0 but a condition of LIST\n"
               "                         was met: oom, high, max, swap, hugetlb, pressure, any\n"
               "      --fork             start COMMAND with fork + cgroup.procs instead of\n"
               "                         clone3(CLONE_INTO_CGROUP) (also MEMCAGE_SPAWN=fork)\n"
               "  -q, --quiet            print only errors\n"
               "  -h, --help             show this help and exit\n"
               "\n"
               "SIZE: bytes, or a number with K, M, G, T (1024-based, optional B or iB),\n"
               "decimals allowed (1.5G), max, or N%% of physical memory.\n"
               "\n"
               "Exit status: COMMAND's own; 128+N when it was killed by signal N;\n"
               "123 when it exited 0 but a --fail-on condition was met; 125 when memcage\n"
               "fails; 126 when COMMAND cannot be executed; 127 when it is not found.\n");
}

static int add_override(struct run_opts *o, const char *section, const char *key, const char *value,
                        char *owned)
{
        struct override *n = realloc(o->overrides, (o->n_overrides + 1) * sizeof(*n));
        if (!n) {
                free(owned);
                cli_error("out of memory");
                return -ENOMEM;
        }
        o->overrides = n;
        o->overrides[o->n_overrides++] = (struct override){ section, key, value, owned };
        return 0;
}

/* --set SECTION.KEY=VALUE: the section ends at the first '.', the key at the first '='. */
static int add_set_override(struct run_opts *o, const char *arg)
{
        char *s = strdup(arg);
        if (!s) {
                cli_error("out of memory");
                return -ENOMEM;
        }
        char *dot = strchr(s, '.'), *eq = strchr(s, '=');
        if (!dot || !eq || dot > eq || dot == s || eq == dot + 1) {
                cli_error("--set '%s': expected SECTION.KEY=VALUE, e.g. memory.max=1G", arg);
                free(s);
                return -EINVAL;
        }
        *dot = '\0';
        *eq = '\0';
        return add_override(o, s, dot + 1, eq + 1, s);
}

static void run_opts_done(struct run_opts *o)
{
        for (size_t i = 0; i < o->n_overrides; i++)
                free(o->overrides[i].owned);
        free(o->overrides);
}

/* Returns 0 to go on, 1 when --help was shown, negative on a usage error (already reported). */
static int parse_args(int argc, char **argv, struct run_opts *o)
{
        enum {
                OPT_HIGH = 0x100,
                OPT_SWAP,
                OPT_SET,
                OPT_PARENT,
                OPT_NAME,
                OPT_WAIT_ALL,
                OPT_REPORT,
                OPT_FORK,
                OPT_INTERVAL,
                OPT_EVENTS,
                OPT_TEXT,
                OPT_PLOT,
                OPT_GITHUB,
                OPT_FAIL_ON
        };
        static const struct option options[] = {
                { "profile", required_argument, NULL, 'p' },
                { "max", required_argument, NULL, 'm' },
                { "high", required_argument, NULL, OPT_HIGH },
                { "swap", required_argument, NULL, OPT_SWAP },
                { "set", required_argument, NULL, OPT_SET },
                { "parent", required_argument, NULL, OPT_PARENT },
                { "name", required_argument, NULL, OPT_NAME },
                { "wait-all", no_argument, NULL, OPT_WAIT_ALL },
                { "report", required_argument, NULL, OPT_REPORT },
                { "events", required_argument, NULL, OPT_EVENTS },
                { "fork", no_argument, NULL, OPT_FORK },
                { "text", required_argument, NULL, OPT_TEXT },
                { "plot", required_argument, NULL, OPT_PLOT },
                { "github", no_argument, NULL, OPT_GITHUB },
                { "fail-on", required_argument, NULL, OPT_FAIL_ON },
                { "user", required_argument, NULL, 'u' },
                { "interval", required_argument, NULL, OPT_INTERVAL },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *spawn_env = getenv("MEMCAGE_SPAWN");
        int c, r = 0;

        if (spawn_env && streq(spawn_env, "fork"))
                o->method = MC_SPAWN_FORK;

        /* '+': stop at the command, whose own options are not ours. */
        while ((c = getopt_long(argc, argv, "+p:m:u:qh", options, NULL)) >= 0) {
                switch (c) {
                case 'p':
                        o->profile = optarg;
                        break;
                case 'm':
                        r = add_override(o, "memory", "max", optarg, NULL);
                        break;
                case OPT_HIGH:
                        r = add_override(o, "memory", "high", optarg, NULL);
                        break;
                case OPT_SWAP:
                        r = add_override(o, "memory", "swap.max", optarg, NULL);
                        break;
                case OPT_SET:
                        r = add_set_override(o, optarg);
                        break;
                case OPT_PARENT:
                        o->parent = optarg;
                        break;
                case OPT_NAME:
                        o->name = optarg;
                        break;
                case OPT_WAIT_ALL:
                        o->wait_all = true;
                        break;
                case OPT_REPORT:
                        o->report_path = optarg;
                        break;
                case OPT_EVENTS:
                        o->events_path = optarg;
                        break;
                case OPT_FORK:
                        o->method = MC_SPAWN_FORK;
                        break;
                case OPT_TEXT:
                        o->text_path = optarg;
                        break;
                case OPT_PLOT:
                        o->plot_path = optarg;
                        break;
                case OPT_GITHUB:
                        o->github = true;
                        break;
                case OPT_FAIL_ON: {
                        struct mc_error err = { 0 };
                        r = mc_fail_on_parse(optarg, &o->fail_on, &err);
                        if (r < 0)
                                cli_error("run: %s", err.msg);
                        o->fail_on_arg = optarg;
                        break;
                }
                case 'u':
                        o->user = optarg;
                        break;
                case OPT_INTERVAL:
                        o->interval = optarg;
                        break;
                case 'q':
                        o->quiet = true;
                        break;
                case 'h':
                        usage();
                        return 1;
                default:
                        cli_usage_hint("run");
                        return -EINVAL;
                }
                if (r < 0) {
                        cli_usage_hint("run");
                        return r;
                }
        }
        if (optind >= argc) {
                cli_error("run: no command given");
                cli_usage_hint("run");
                return -EINVAL;
        }
        o->argv = argv + optind;
        return 0;
}

/* The profile part of a default group name: "db" for "db", "x" for "./x.ini". */
static char *profile_stem(const char *profile)
{
        if (!profile)
                return strdup("run");
        const char *slash = strrchr(profile, '/');
        const char *base = slash ? slash + 1 : profile;
        size_t len = strlen(base);
        if (len > 4 && streq(base + len - 4, ".ini"))
                len -= 4;
        return strndup(base, len);
}

struct run_state {
        struct run_opts opts;
        struct mc_profile profile;
        struct mc_limits limits;
        struct mc_credentials creds;
        struct mc_report_run report_run;
        char *root_path;
        int root_fd;
        char *group_name;
        struct mc_group group;
        bool group_created;
        int signal_fd;
        sigset_t old_mask;
        struct mc_report report;
        /* [hugetlb]: the sizes named (report.hugetlb[].size), pool reservations, events before. */
        struct mc_hugetlb_pool pool;
        bool pool_open;
        struct mc_counters hugetlb_events[MC_REPORT_HUGETLB_MAX];
        uint64_t interval_ms;       /* sampling interval, 0 for none */
        struct mc_sampler *sampler; /* NULL when it could not start; outlives the report */
        struct cli_events events;
        char *error; /* memcage's own failure, for the report */
};

/* Reports memcage's own failure once: on stderr now, into the report later. */
static int run_fail(struct run_state *s, int status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int run_fail(struct run_state *s, int status, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        free(s->error);
        if (vasprintf(&s->error, fmt, ap) < 0)
                s->error = NULL;
        va_end(ap);
        cli_error("%s", s->error ? s->error : "out of memory");
        return status;
}

/* Appends to a line being built in buf; a line too long for buf is cut, never overrun. */
static void line_append(char *buf, size_t n, size_t *len, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void line_append(char *buf, size_t n, size_t *len, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(buf + *len, n - *len, fmt, ap);
        va_end(ap);
        if (k > 0)
                *len = *len + (size_t)k < n ? *len + (size_t)k : n - 1;
}

/*
 * "group memcage/db-1234: max=64M swap.max=0": the requested limits as the
 * kernel kept them, built whole and written in one write(), so that the
 * lines of launchers sharing a terminal do not interleave.
 */
static void print_limits(const struct run_state *s)
{
        char buf[MC_SIZE_STR_MAX], line[1024];
        size_t len = 0;
        bool any = false;

        line_append(line, sizeof(line), &len, "memcage: group %s:", s->group.relpath);
        for (int i = 0; i < _MC_LIMIT_COUNT; i++) {
                if (!s->limits.v[i].set)
                        continue;
                const struct mc_limit_value *eff = &s->report.limits.v[i];
                const char *val = !eff->set             ? "(not available)"
                                  : mc_limit_is_size(i) ? mc_size_format(eff->value, buf, sizeof(buf))
                                  : eff->value          ? "1"
                                                        : "0";
                line_append(line, sizeof(line), &len, " %s=%s", mc_limit_name(i), val);
                any = true;
        }
        line_append(line, sizeof(line), &len, "%s", any ? "\n" : " no limits set\n");
        line[len - 1] = '\n'; /* a line cut at the buffer's end still ends */
        (void)!write(STDERR_FILENO, line, len);
}

/* Removes stale groups of dead launchers in the parent, reporting populated ones. */
static void sweep_stale(struct run_state *s, const char *parent)
{
        _cleanup_close_ int pfd = openat(s->root_fd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct mc_stale *stale = NULL;
        size_t n = 0;
        struct mc_error err = { 0 };

        if (pfd < 0)
                return; /* no parent yet: nothing can be stale */
        if (mc_group_sweep_stale(pfd, NULL, &stale, &n, &err) < 0) {
                cli_warning("sweeping stale groups in %s: %s, ignoring", parent, err.msg);
                return;
        }
        for (size_t i = 0; i < n; i++)
                if (stale[i].error < 0)
                        cli_warning("stale group %s/%s (launcher %d is gone): %s, ignoring", parent,
                                    stale[i].name, (int)stale[i].launcher, strerror(-stale[i].error));
                else if (stale[i].populated)
                        cli_warning("stale group %s/%s (launcher %d is gone) still has processes; "
                                    "left in place: kill them, then remove it with rmdir",
                                    parent, stale[i].name, (int)stale[i].launcher);
                else if (stale[i].removed && !s->opts.quiet)
                        fprintf(stderr, "memcage: removed stale group %s/%s of launcher %d\n", parent,
                                stale[i].name, (int)stale[i].launcher);
        mc_stale_free(stale, n);
}

/* Blocks the forwarded signals (they arrive through the signalfd) and keeps the old mask for the child. */
static int setup_signals(struct run_state *s, struct mc_error *err)
{
        sigset_t set;
        sigemptyset(&set);
        for (size_t i = 0; i < mc_forwarded_signals_count; i++)
                sigaddset(&set, mc_forwarded_signals[i]);
        if (sigprocmask(SIG_BLOCK, &set, &s->old_mask) < 0)
                return mc_error_errno(err, errno, "block signals");
        s->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (s->signal_fd < 0)
                return mc_error_errno(err, errno, "signalfd");
        return 0;
}

/* A forwarded signal that arrived before the command started, or 0. */
static int pending_signal(void)
{
        sigset_t pending;
        if (sigpending(&pending) < 0)
                return 0;
        for (size_t i = 0; i < mc_forwarded_signals_count; i++)
                if (sigismember(&pending, mc_forwarded_signals[i]))
                        return mc_forwarded_signals[i];
        return 0;
}

/*
 * An interactive command (a shell) may have taken the terminal's foreground
 * for its own process group; take it back so that memcage and the shell that
 * started it are not left in the background.
 */
static void reclaim_terminal(pid_t fg_at_start)
{
        if (fg_at_start <= 0 || fg_at_start != getpgrp() || tcgetpgrp(STDIN_FILENO) == fg_at_start)
                return;
        sigset_t ttou, old;
        sigemptyset(&ttou);
        sigaddset(&ttou, SIGTTOU);
        sigprocmask(SIG_BLOCK, &ttou, &old);
        (void)tcsetpgrp(STDIN_FILENO, fg_at_start);
        sigprocmask(SIG_SETMASK, &old, NULL);
}

static int load_profile(struct run_state *s)
{
        struct mc_error err = { 0 };
        struct mc_profile_env env;
        int r;

        cli_profile_env(&env);

        if (s->opts.profile)
                r = mc_profile_load(s->opts.profile, &env, &s->profile, &err);
        else {
                mc_profile_init(&s->profile);
                r = 0;
        }
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "%s", err.msg);
        for (size_t i = 0; i < s->opts.n_overrides; i++) {
                const struct override *ov = &s->opts.overrides[i];
                r = mc_profile_set(&s->profile, ov->section, ov->key, ov->value, "command line", 0, &env,
                                   &err);
                if (r < 0)
                        return run_fail(s, MC_EXIT_MEMCAGE, "%s", err.msg);
        }
        r = mc_limits_from_profile(&s->profile, env.ram_bytes, &s->limits, &err);
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "%s", err.msg);
        /* Names are resolved now, before there is a group to leave behind. */
        r = mc_credentials_prepare(&s->profile, s->opts.user, environ, &s->creds, &err);
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "%s", err.msg);
        if (s->creds.set_uid || s->creds.set_gid || s->creds.set_caps) {
                s->report_run = (struct mc_report_run){
                        .user = s->creds.set_uid ? s->creds.user : NULL,
                        .uid = s->creds.uid,
                        .has_gid = s->creds.set_gid,
                        .gid = s->creds.gid,
                        .has_groups = s->creds.set_groups,
                        .groups = s->creds.groups,
                        .n_groups = s->creds.n_groups,
                        .capabilities = s->creds.set_caps ? s->creds.cap_names : NULL,
                };
                s->report.run = &s->report_run;
        }

        /* --interval wins over the profile; the profile's value was validated when it was loaded. */
        const struct mc_setting *iv = &s->profile.settings[MC_KEY_REPORT_INTERVAL];
        s->interval_ms = MC_SAMPLER_DEFAULT_INTERVAL_MS;
        if (s->opts.interval) {
                if (mc_interval_parse(s->opts.interval, &s->interval_ms, &err) < 0)
                        return run_fail(s, MC_EXIT_MEMCAGE, "--interval: %s", err.msg);
        } else if (iv->value && mc_interval_parse(iv->value, &s->interval_ms, &err) < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "%s:%u: interval: %s", iv->file, iv->line, err.msg);

        r = cli_events_prepare(&s->events, &s->profile, s->opts.events_path, s->opts.quiet, &err);
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "%s", err.msg);
        return 0;
}

/* The [hugetlb] key of size: "max", "rsvd.max" or "reserve". */
static const struct mc_setting *hugetlb_setting(const struct run_state *s, const char *size,
                                                const char *what)
{
        const struct mc_key_info *ki = mc_hugetlb_key(size, what);
        return ki ? &s->profile.settings[ki->key] : NULL;
}

/*
 * Before anything else: the page sizes the profile names must exist on this
 * host, rounded limits are noted, reserves are resolved to pages.
 */
static int hugetlb_prepare(struct run_state *s)
{
        struct mc_error err = { 0 };

        for (size_t i = 0; i < mc_hugetlb_size_count; i++) {
                const char *size = mc_hugetlb_size_names[i];
                if (!hugetlb_setting(s, size, "max")->value &&
                    !hugetlb_setting(s, size, "rsvd.max")->value &&
                    !hugetlb_setting(s, size, "reserve")->value)
                        continue;
                if (s->report.n_hugetlb == MC_REPORT_HUGETLB_MAX)
                        return run_fail(s, MC_EXIT_MEMCAGE, "[hugetlb]: too many page sizes");
                struct mc_report_hugetlb *h = &s->report.hugetlb[s->report.n_hugetlb++];
                snprintf(h->size, sizeof(h->size), "%s", size);
        }
        if (s->report.n_hugetlb == 0)
                return 0;

        for (size_t i = 0; i < s->report.n_hugetlb; i++)
                if (mc_hugetlb_require_size(NULL, s->report.hugetlb[i].size, &err) < 0)
                        return run_fail(s, MC_EXIT_MEMCAGE, "[hugetlb]: %s", err.msg);

        for (int l = 0; l < _MC_LIMIT_COUNT; l++) {
                char page[MC_SIZE_STR_MAX], got[MC_SIZE_STR_MAX];
                if (!s->limits.rounded[l])
                        continue;
                const struct mc_key_info *ki =
                        mc_key_lookup("hugetlb", mc_limit_name(l) + strlen("hugetlb."));
                cli_warning("%s = %s is not a whole number of %s pages: using %s", mc_limit_name(l),
                            ki ? s->profile.settings[ki->key].value : "?",
                            mc_size_format(mc_limit_hugetlb_page(l), page, sizeof(page)),
                            mc_size_format(s->limits.v[l].value, got, sizeof(got)));
        }

        for (size_t i = 0; i < s->report.n_hugetlb; i++) {
                struct mc_report_hugetlb *h = &s->report.hugetlb[i];
                const struct mc_setting *st = hugetlb_setting(s, h->size, "reserve");
                uint64_t page = mc_hugetlb_page_bytes(h->size);
                if (!st->value)
                        continue;
                if (mc_hugetlb_parse_reserve(st->value, page, &h->reserved_pages, &err) < 0)
                        return run_fail(s, MC_EXIT_MEMCAGE, "[hugetlb] %s.reserve: %s", h->size, err.msg);
        }
        return 0;
}

/*
 * Grows the host's pools for the reserves, once the cgroup2 root is known to
 * be usable (a host that cannot run the group never sees its pool change).
 */
static int hugetlb_reserve(struct run_state *s)
{
        struct mc_hugetlb_request req[MC_REPORT_HUGETLB_MAX];
        struct mc_error err = { 0 };
        size_t n_req = 0;
        int r;

        for (size_t i = 0; i < s->report.n_hugetlb; i++)
                if (s->report.hugetlb[i].reserved_pages > 0)
                        req[n_req++] = (struct mc_hugetlb_request){
                                .kb = mc_hugetlb_page_bytes(s->report.hugetlb[i].size) >> 10,
                                .pages = s->report.hugetlb[i].reserved_pages,
                        };
        if (n_req == 0)
                return 0;

        r = mc_hugetlb_pool_open(&s->pool, NULL, NULL, &err);
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "[hugetlb] reserve: %s", err.msg);
        s->pool_open = true;
        r = mc_hugetlb_pool_reserve(&s->pool, req, n_req, &err);
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "[hugetlb] reserve: %s", err.msg);
        for (size_t i = 0, k = 0; i < s->report.n_hugetlb && k < n_req; i++)
                if (s->report.hugetlb[i].reserved_pages > 0)
                        s->report.hugetlb[i].added_pages = req[k++].added;
        if (!s->opts.quiet)
                for (size_t i = 0; i < s->report.n_hugetlb; i++)
                        if (s->report.hugetlb[i].reserved_pages > 0)
                                fprintf(stderr,
                                        "memcage: reserved %llu %s huge pages (the pool grew by %llu)\n",
                                        (unsigned long long)s->report.hugetlb[i].reserved_pages,
                                        s->report.hugetlb[i].size,
                                        (unsigned long long)s->report.hugetlb[i].added_pages);
        return 0;
}

/* Reads hugetlb.<size>.<what> of the group. */
static int hugetlb_read(const struct run_state *s, const char *size, const char *what, uint64_t *ret)
{
        char file[64];
        struct mc_error err = { 0 };
        snprintf(file, sizeof(file), "hugetlb.%s.%s", size, what);
        return mc_read_u64_at(s->group.fd, file, ret, &err);
}

/* After the group exists: the limits as the kernel kept them, and the event counters to compare later. */
static void hugetlb_start(struct run_state *s)
{
        for (size_t i = 0; i < s->report.n_hugetlb; i++) {
                struct mc_report_hugetlb *h = &s->report.hugetlb[i];
                char file[64];
                struct mc_error err = { 0 };
                h->rsvd_max = UINT64_MAX;
                /* rsvd.* came with Linux 5.7: without it the limit stays "no limit". */
                h->has_limits = hugetlb_read(s, h->size, "max", &h->max) >= 0;
                if (h->has_limits)
                        (void)hugetlb_read(s, h->size, "rsvd.max", &h->rsvd_max);
                snprintf(file, sizeof(file), "hugetlb.%s.events", h->size);
                if (mc_counters_read_at(s->group.fd, file, &s->hugetlb_events[i], &err) < 0)
                        s->hugetlb_events[i].n = SIZE_MAX; /* unknown: no delta later */
        }
}

/* When the command has ended: usage left, and how often the fault limit was hit. */
static void hugetlb_end(struct run_state *s)
{
        for (size_t i = 0; i < s->report.n_hugetlb; i++) {
                struct mc_report_hugetlb *h = &s->report.hugetlb[i];
                struct mc_counters after, delta;
                struct mc_error err = { 0 };
                char file[64];
                h->has_usage = hugetlb_read(s, h->size, "current", &h->current) >= 0;
                if (h->has_usage && hugetlb_read(s, h->size, "rsvd.current", &h->rsvd_current) < 0)
                        h->rsvd_current = 0; /* before 5.7 there are no reservation counters */
                snprintf(file, sizeof(file), "hugetlb.%s.events", h->size);
                if (s->hugetlb_events[i].n == SIZE_MAX ||
                    mc_counters_read_at(s->group.fd, file, &after, &err) < 0)
                        continue;
                mc_counters_delta(&s->hugetlb_events[i], &after, &delta);
                h->has_events = true;
                h->events_max = 0;
                (void)mc_counters_get(&delta, "max", &h->events_max);
        }
}

/* After the group is gone: the pool gives back what this run added. */
static int hugetlb_release(struct run_state *s)
{
        struct mc_error err = { 0 };
        if (!s->pool_open)
                return 0;
        int r = mc_hugetlb_pool_release(&s->pool, &err);
        mc_hugetlb_pool_close(&s->pool);
        s->pool_open = false;
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "[hugetlb] give back reserved pages: %s", err.msg);
        return 0;
}

static int create_group(struct run_state *s)
{
        struct mc_error err = { 0 };
        const char *parent = s->opts.parent;
        int r;

        if (!parent)
                parent = s->profile.settings[MC_KEY_CGROUP_PARENT].value;
        if (!parent)
                parent = MC_DEFAULT_PARENT;
        if (mc_cgroup_validate_path(parent, &err) < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "parent group '%s': %s", parent, err.msg);

        if (s->opts.name)
                s->group_name = strdup(s->opts.name);
        else {
                _cleanup_free_ char *stem = profile_stem(s->opts.profile);
                if (stem && asprintf(&s->group_name, "%s-%d", stem, (int)getpid()) < 0)
                        s->group_name = NULL;
        }
        if (!s->group_name)
                return run_fail(s, MC_EXIT_MEMCAGE, "out of memory");
        if (mc_cgroup_validate_name(s->group_name, &err) < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "group name '%s': %s", s->group_name, err.msg);

        r = mc_cgroup_open_root("/proc/self/mountinfo", &s->root_path, &s->root_fd, &err);
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "%s", err.msg);

        sweep_stale(s, parent);

        /* Given back by hugetlb_release() on every exit path. */
        r = hugetlb_reserve(s);
        if (r != 0)
                return r;

        struct mc_group_opts gopts = {
                .root = s->root_path,
                .root_fd = s->root_fd,
                .parent = parent,
                .name = s->group_name,
                .limits = &s->limits,
                .profile = s->opts.profile,
                .use_hugetlb = s->report.n_hugetlb > 0,
        };
        r = mc_group_create(&gopts, &s->group, &err);
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "cannot create group %s/%s: %s", parent, s->group_name,
                                err.msg);
        s->group_created = true;
        s->report.cgroup = s->group.relpath;
        for (char **w = s->group.warnings; w && *w; w++)
                cli_warning("%s", *w);

        r = mc_group_read_limits(s->group.fd, &s->limits, &s->report.limits, &err);
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "group %s: read back limits: %s", s->group.relpath,
                                err.msg);
        s->report.has_limits = true;
        hugetlb_start(s);
        if (!s->opts.quiet)
                print_limits(s);
        return 0;
}

/* A warning of the library about the run's group. */
static void warn_group(void *userdata, const char *text)
{
        const struct run_state *s = userdata;
        cli_warning("group %s: %s", s->group.relpath, text);
}

/* Runs the command and waits for the group to empty; returns memcage's exit status. */
static int launch_and_supervise(struct run_state *s)
{
        struct mc_error err = { 0 };
        struct mc_counters before = { 0 }, before_local = { 0 }, after, after_local;
        struct mc_child child = { .pidfd = -EBADF };
        struct mc_supervise_result res;
        struct mc_watch *event_watches = NULL, sampler_watches[2];
        size_t n_event_watches = 0, n_sampler_watches = 0;
        int r, sig;

        r = mc_counters_read_at(s->group.fd, "memory.events", &before, &err);
        if (r >= 0)
                r = mc_counters_read_at(s->group.fd, "memory.events.local", &before_local, &err);
        if (r >= 0)
                r = cli_events_watch(&s->events, s->group.fd, s->group.relpath, &event_watches,
                                     &n_event_watches, &err);
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "group %s: %s", s->group.relpath, err.msg);

        sig = pending_signal();
        if (sig)
                return run_fail(s, 128 + sig, "interrupted by SIG%s before the command started",
                                sigabbrev_np(sig));

        /* The sampler observes: a failure to set it up costs the report its observations, not the run. */
        if (mc_sampler_new(s->group.fd, s->interval_ms, &s->sampler, &err) < 0)
                cli_warning("group %s: sampling off: %s", s->group.relpath, err.msg);
        size_t n_watches = 0;
        _cleanup_free_ struct mc_watch **watches =
                calloc(n_event_watches + ELEMENTSOF(sampler_watches), sizeof(*watches));
        if (!watches)
                return run_fail(s, MC_EXIT_MEMCAGE, "out of memory");

        pid_t fg = isatty(STDIN_FILENO) ? tcgetpgrp(STDIN_FILENO) : -1;
        struct mc_spawn_opts sopts = {
                .argv = s->opts.argv,
                .cgroup_fd = s->group.fd,
                .method = s->opts.method,
                .child_sigmask = &s->old_mask,
                .creds = s->creds.active ? &s->creds : NULL,
        };
        uint64_t start = mc_now_ns();
        r = mc_spawn(&sopts, &child, &err);
        if (r < 0)
                return run_fail(s, mc_spawn_exit_status(r, &child), "%s", err.msg);
        s->report.launch = child.via_clone3 ? "clone3" : "fork";
        if (s->sampler) {
                r = mc_sampler_start(s->sampler, start, child.pidfd, sampler_watches, &err);
                if (r < 0) {
                        cli_warning("group %s: sampling off: %s", s->group.relpath, err.msg);
                        mc_sampler_free(TAKE_PTR(s->sampler));
                } else
                        n_sampler_watches = (size_t)r;
        }
        cli_events_start(&s->events, start, child.pid);

        /* Each observer keeps its own watches (they switch themselves off): the loop gets pointers. */
        for (size_t i = 0; i < n_event_watches; i++) {
                event_watches[i].observer = "memory events";
                watches[n_watches++] = &event_watches[i];
        }
        for (size_t i = 0; i < n_sampler_watches; i++) {
                sampler_watches[i].observer = "sampling";
                watches[n_watches++] = &sampler_watches[i];
        }

        struct mc_supervise_opts vopts = {
                .group_fd = s->group.fd,
                .child = &child,
                .signal_fd = s->signal_fd,
                .wait_all = s->opts.wait_all,
                .watches = watches,
                .n_watches = n_watches,
                .warn = warn_group,
                .warn_userdata = s,
        };
        r = mc_supervise(&vopts, &res, &err);
        mc_child_done(&child);
        reclaim_terminal(fg);
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "group %s: %s", s->group.relpath, err.msg);

        s->report.exited = true;
        s->report.exit_code = mc_supervise_exit_status(&res);
        s->report.signal = res.signaled ? res.signal : 0;
        s->report.core_dumped = res.core_dumped;
        s->report.leftovers_killed = res.killed_leftovers ? res.leftovers : 0;
        s->report.duration_s = (double)(mc_now_ns() - start) / 1e9;
        hugetlb_end(s);

        /* memory.peak exists since Linux 5.19; without it the peak stays unknown. */
        if (mc_read_u64_at(s->group.fd, "memory.peak", &s->report.peak, &err) >= 0)
                s->report.has_peak = true;
        if (mc_counters_read_at(s->group.fd, "memory.events", &after, &err) >= 0 &&
            mc_counters_read_at(s->group.fd, "memory.events.local", &after_local, &err) >= 0) {
                mc_counters_delta(&before, &after, &s->report.events);
                mc_counters_delta(&before_local, &after_local, &s->report.events_local);
                s->report.has_events = true;
        }
        if (s->sampler) {
                mc_sampler_finish(s->sampler);
                s->report.samples = mc_sampler_summary(s->sampler);
        }
        cli_events_finish(&s->events, &s->report);
        return s->report.exit_code;
}

/*
 * The report's renderings, all from its JSON: --fail-on judges it first (a
 * match turns a successful run into MC_EXIT_FAIL_ON and is recorded), then
 * the summary line, --text, --plot, --report and --github. Returns the final
 * status.
 */
static int finish_report(struct run_state *s, int status)
{
        json_auto_t *j = mc_report_to_jansson(&s->report);
        char line[256];

        if (!j) {
                cli_error("run: out of memory building the report");
                return status == 0 ? MC_EXIT_MEMCAGE : status;
        }
        if (s->opts.fail_on) {
                unsigned matched = mc_fail_on_match(j, s->opts.fail_on);
                json_t *fo = mc_fail_on_to_json(s->opts.fail_on, matched);
                if (!fo || json_object_set_new(j, "fail_on", fo) < 0) {
                        cli_error("run: out of memory building the report");
                        return status == 0 ? MC_EXIT_MEMCAGE : status;
                }
                /* The command's own failure says more than the condition: it wins. */
                if (matched && status == 0) {
                        char names[64];
                        cli_error("run: the command exited 0, but --fail-on %s matched: %s (exit status %d)",
                                  s->opts.fail_on_arg, mc_fail_on_format(matched, names, sizeof(names)),
                                  MC_EXIT_FAIL_ON);
                        status = s->report.status = MC_EXIT_FAIL_ON;
                        json_object_set_new(j, "status", json_integer(status));
                }
        }
        if (s->report.exited && !s->opts.quiet)
                fprintf(stderr, "memcage: %s: %s\n", s->report.cgroup,
                        mc_report_summary(&s->report, line, sizeof(line)));

        const struct {
                const char *path;
                enum cli_format format;
                FILE *stream;
                const char *what;
        } outputs[] = {
                { s->opts.text_path, CLI_FORMAT_TEXT, stderr, "text report" },
                { s->opts.plot_path, CLI_FORMAT_SVG, stdout, "plot" },
                { s->opts.report_path, CLI_FORMAT_JSON, stdout, "report" },
        };
        for (size_t i = 0; i < ELEMENTSOF(outputs); i++)
                if (outputs[i].path &&
                    cli_render(j, outputs[i].format, outputs[i].path, outputs[i].stream, outputs[i].what) <
                            0 &&
                    status == 0)
                        status = MC_EXIT_MEMCAGE;
        if (s->opts.github && cli_render(j, CLI_FORMAT_GITHUB, NULL, stdout, "github") < 0 && status == 0)
                status = MC_EXIT_MEMCAGE;
        return status;
}

static int remove_group(struct run_state *s)
{
        struct mc_error err = { 0 };
        bool populated = false;

        if (!s->group_created)
                return 0;
        /* A failure before or during the run can leave processes behind: never leave them running. */
        if (mc_group_is_populated(s->group.fd, &populated, &err) >= 0 && populated)
                (void)mc_group_kill(s->group.fd, &err);
        if (mc_group_remove(&s->group, &err) < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "cannot remove group %s: %s", s->group.relpath, err.msg);
        s->group_created = false;
        return 0;
}

int cmd_run(int argc, char **argv)
{
        struct run_state s = {
                .pool = { .sysfs_fd = -EBADF, .run_fd = -EBADF },
                .root_fd = -EBADF,
                .signal_fd = -EBADF,
                .group = { .fd = -EBADF, .parent_fd = -EBADF },
        };
        struct mc_error err = { 0 };
        int status, r;

        r = parse_args(argc, argv, &s.opts);
        if (r != 0) {
                run_opts_done(&s.opts);
                return r > 0 ? MC_EXIT_OK : MC_EXIT_MEMCAGE;
        }
        s.report.argv = s.opts.argv;
        s.report.profile = s.opts.profile;

        /* Signals are held from here on, so that no SIGTERM can leave a group behind. */
        if (setup_signals(&s, &err) < 0)
                status = run_fail(&s, MC_EXIT_MEMCAGE, "%s", err.msg);
        else if ((status = load_profile(&s)) == 0) {
                s.report.profile_path = s.profile.path;
                if ((status = hugetlb_prepare(&s)) == 0 && (status = create_group(&s)) == 0)
                        status = launch_and_supervise(&s);
        }
        /* A group left behind is a failure, but the command's own status still wins. */
        if (remove_group(&s) < 0 && !s.report.exited)
                status = MC_EXIT_MEMCAGE;
        /* After the group: its pages are free again, so the pool can shrink. */
        if (hugetlb_release(&s) < 0 && !s.report.exited)
                status = MC_EXIT_MEMCAGE;

        s.report.error = s.error;
        s.report.status = status;
        status = finish_report(&s, status);
        if (cli_events_done(&s.events) < 0 && status == 0)
                status = MC_EXIT_MEMCAGE;

        mc_sampler_free(s.sampler);
        mc_group_done(&s.group);
        mc_closep(&s.root_fd);
        mc_closep(&s.signal_fd);
        free(s.root_path);
        free(s.group_name);
        free(s.error);
        mc_profile_free(&s.profile);
        mc_credentials_done(&s.creds);
        run_opts_done(&s.opts);
        return status;
}
