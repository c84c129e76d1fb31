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
#include "events.h"
#include "limits.h"
#include "profile.h"
#include "report.h"
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
        const char *events_path;
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
               "      --wait-all         after COMMAND exits, wait for the processes it left\n"
               "                         instead of killing them\n"
               "      --report FILE      write the JSON report to FILE (on every exit path)\n"
               "      --events FILE      write each memory event to FILE as a JSON line\n"
               "      --fork             start COMMAND with fork + cgroup.procs instead of\n"
               "                         clone3(CLONE_INTO_CGROUP) (also MEMCAGE_SPAWN=fork)\n"
               "  -q, --quiet            print only errors\n"
               "  -h, --help             show this help and exit\n"
               "\n"
               "SIZE: bytes, or a number with K, M, G, T (1024-based, optional B or iB),\n"
               "decimals allowed (1.5G), max, or N%% of physical memory.\n"
               "\n"
               "Exit status: COMMAND's own; 128+N when it was killed by signal N;\n"
               "125 when memcage fails; 126 when COMMAND cannot be executed; 127 when it\n"
               "is not found.\n");
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
                OPT_EVENTS,
                OPT_FORK
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
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *spawn_env = getenv("MEMCAGE_SPAWN");
        int c, r = 0;

        if (spawn_env && streq(spawn_env, "fork"))
                o->method = MC_SPAWN_FORK;

        /* '+': stop at the command, whose own options are not ours. */
        while ((c = getopt_long(argc, argv, "+p:m:qh", options, NULL)) >= 0) {
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
        char *root_path;
        int root_fd;
        char *group_name;
        struct mc_group group;
        bool group_created;
        int signal_fd;
        sigset_t old_mask;
        struct mc_report report;
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

/* "group memcage/db-1234: max=64M swap.max=0": the requested limits as the kernel kept them. */
static void print_limits(const struct run_state *s)
{
        char buf[MC_SIZE_STR_MAX];
        bool any = false;

        fprintf(stderr, "memcage: group %s:", s->group.relpath);
        for (int i = 0; i < _MC_LIMIT_COUNT; i++) {
                if (!s->limits.v[i].set)
                        continue;
                const struct mc_limit_value *eff = &s->report.limits.v[i];
                const char *val = !eff->set             ? "(not available)"
                                  : mc_limit_is_size(i) ? mc_size_format(eff->value, buf, sizeof(buf))
                                  : eff->value          ? "1"
                                                        : "0";
                fprintf(stderr, " %s=%s", mc_limit_name(i), val);
                any = true;
        }
        fputs(any ? "\n" : " no limits set\n", stderr);
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
        r = cli_events_prepare(&s->events, &s->profile, s->opts.events_path, s->opts.quiet, &err);
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "%s", err.msg);
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

        struct mc_group_opts gopts = {
                .root = s->root_path,
                .root_fd = s->root_fd,
                .parent = parent,
                .name = s->group_name,
                .limits = &s->limits,
                .profile = s->opts.profile,
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
        if (!s->opts.quiet)
                print_limits(s);
        return 0;
}

/* Runs the command and waits for the group to empty; returns memcage's exit status. */
static int launch_and_supervise(struct run_state *s)
{
        struct mc_error err = { 0 };
        struct mc_counters before = { 0 }, before_local = { 0 }, after, after_local;
        struct mc_child child = { .pidfd = -EBADF };
        struct mc_supervise_result res;
        struct mc_watch *watches = NULL;
        size_t n_watches = 0;
        int r, sig;

        r = mc_counters_read_at(s->group.fd, "memory.events", &before, &err);
        if (r >= 0)
                r = mc_counters_read_at(s->group.fd, "memory.events.local", &before_local, &err);
        if (r >= 0)
                r = cli_events_watch(&s->events, s->group.fd, s->group.relpath, &watches, &n_watches, &err);
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "group %s: %s", s->group.relpath, err.msg);

        sig = pending_signal();
        if (sig)
                return run_fail(s, 128 + sig, "interrupted by SIG%s before the command started",
                                sigabbrev_np(sig));

        pid_t fg = isatty(STDIN_FILENO) ? tcgetpgrp(STDIN_FILENO) : -1;
        struct mc_spawn_opts sopts = {
                .argv = s->opts.argv,
                .cgroup_fd = s->group.fd,
                .method = s->opts.method,
                .child_sigmask = &s->old_mask,
        };
        uint64_t start = mc_now_ns();
        r = mc_spawn(&sopts, &child, &err);
        if (r < 0) {
                /* The command's failures to execute are reported as a shell would. */
                if (r == -ENOENT)
                        return run_fail(s, MC_EXIT_NOT_FOUND, "%s", err.msg);
                if (r == -EACCES || r == -ENOEXEC || r == -EISDIR || r == -ETXTBSY || r == -EPERM ||
                    r == -ELOOP || r == -ENAMETOOLONG || r == -ENOTDIR)
                        return run_fail(s, MC_EXIT_CANNOT_EXEC, "%s", err.msg);
                return run_fail(s, MC_EXIT_MEMCAGE, "%s", err.msg);
        }
        s->report.launch = child.via_clone3 ? "clone3" : "fork";
        cli_events_start(&s->events, start, child.pid);

        struct mc_supervise_opts vopts = {
                .group_fd = s->group.fd,
                .child = &child,
                .signal_fd = s->signal_fd,
                .wait_all = s->opts.wait_all,
                .watches = watches,
                .n_watches = n_watches,
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

        /* memory.peak exists since Linux 5.19; without it the peak stays unknown. */
        if (mc_read_u64_at(s->group.fd, "memory.peak", &s->report.peak, &err) >= 0)
                s->report.has_peak = true;
        if (mc_counters_read_at(s->group.fd, "memory.events", &after, &err) >= 0 &&
            mc_counters_read_at(s->group.fd, "memory.events.local", &after_local, &err) >= 0) {
                mc_counters_delta(&before, &after, &s->report.events);
                mc_counters_delta(&before_local, &after_local, &s->report.events_local);
                s->report.has_events = true;
        }
        cli_events_finish(&s->events, &s->report);
        return s->report.exit_code;
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
                if ((status = create_group(&s)) == 0)
                        status = launch_and_supervise(&s);
        }
        /* A group left behind is a failure, but the command's own status still wins. */
        if (remove_group(&s) < 0 && !s.report.exited)
                status = MC_EXIT_MEMCAGE;

        s.report.error = s.error;
        s.report.status = status;
        if (s.report.exited && !s.opts.quiet) {
                char line[256];
                fprintf(stderr, "memcage: %s: %s\n", s.report.cgroup,
                        mc_report_summary(&s.report, line, sizeof(line)));
        }
        if (s.opts.report_path && mc_report_write_json(&s.report, s.opts.report_path, &err) < 0) {
                cli_error("%s", err.msg);
                if (status == 0)
                        status = MC_EXIT_MEMCAGE;
        }
        if (cli_events_done(&s.events) < 0 && status == 0)
                status = MC_EXIT_MEMCAGE;

        mc_group_done(&s.group);
        mc_closep(&s.root_fd);
        mc_closep(&s.signal_fd);
        free(s.root_path);
        free(s.group_name);
        free(s.error);
        mc_profile_free(&s.profile);
        run_opts_done(&s.opts);
        return status;
}
