/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage run: profile -> limits -> group -> command -> report. */
#include "config.h"

#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <string.h>

#include "cgroup-stale.h"
#include "cgroup.h"
#include "cli-events.h"
#include "cli-run.h"
#include "cli.h"
#include "crash-point.h"
#include "credentials.h"
#include "escape.h"
#include "fail-on.h"
#include "group-limits.h"
#include "hugetlb-run.h"
#include "launch.h"
#include "observe.h"
#include "output.h"
#include "placement.h"
#include "profile.h"
#include "report-compare.h"
#include "report.h"
#include "spawn.h"
#include "supervise.h"
#include "util.h"

/* The library judges with memcage's exit statuses. */
_Static_assert(MC_FAIL_ON_EXIT_STATUS == MC_EXIT_FAIL_ON, "--fail-on status");
_Static_assert(MC_OBSERVE_EXIT_PRESSURE_KILLED == MC_EXIT_PRESSURE_KILLED, "pressure kill status");
_Static_assert(MC_SPAWN_EXIT_FAILED == MC_EXIT_MEMCAGE, "memcage's own failure");

struct run_state {
        struct cli_run_opts opts;
        struct mc_profile profile;
        struct mc_limits limits;
        struct mc_credentials creds;
        struct mc_report_run report_run;
        char *root_path;
        int root_fd;
        char *group_name;
        struct mc_group group;
        bool group_created;
        struct mc_placement placement;
        bool placed;
        int signal_fd;
        sigset_t old_mask;
        struct mc_report report;
        struct mc_hugetlb_run hugetlb; /* [hugetlb]: page sizes, pool reservations, group readings */
        uint64_t interval_ms;          /* sampling interval, 0 for none */
        struct mc_observe_triggers triggers;
        struct mc_observe_kill kill;
        struct mc_observe observe; /* outlives the report, which points into it */
        bool observing;
        struct cli_events events;
        struct mc_output outputs[CLI_RUN_OUTPUTS]; /* opened before the run */
        char *error;                               /* memcage's own failure, for the report */
        json_t *baseline;                          /* --baseline, read and checked before anything runs */
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

/*
 * "group memcage/db-1234: max=64M swap.max=0": the requested limits as the
 * kernel kept them, built whole and written in one write(), so that the
 * lines of launchers sharing a terminal do not interleave.
 */
static void print_limits(const struct run_state *s)
{
        char limits[1024], line[1024];
        int k = snprintf(line, sizeof(line), "memcage: group %s:%s\n", s->group.relpath,
                         mc_limits_describe(&s->limits, &s->report.limits, limits, sizeof(limits)));
        size_t len = k < 0 ? 0 : (size_t)k < sizeof(line) ? (size_t)k : sizeof(line) - 1;

        if (len == 0)
                return;
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
                        cli_warning("stale group %s/%s (launcher %d is gone) still has processes%s; "
                                    "left in place: kill them, then remove it with rmdir",
                                    parent, stale[i].name, (int)stale[i].launcher,
                                    stale[i].thawed ? " (it was frozen: thawed)" : "");
                else if (stale[i].removed && !s->opts.quiet)
                        fprintf(stderr, "memcage: removed stale group %s/%s of launcher %d\n", parent,
                                stale[i].name, (int)stale[i].launcher);
        mc_stale_free(stale, n);
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
                const struct cli_run_override *ov = &s->opts.overrides[i];
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
        if (mc_report_run_from_credentials(&s->creds, &s->report_run))
                s->report.run = &s->report_run;
        r = mc_observe_interval(&s->profile, s->opts.interval, &s->interval_ms, &err);
        if (r >= 0)
                r = mc_observe_triggers_from_profile(&s->profile, geteuid(), &s->triggers, &err);
        if (r >= 0)
                r = mc_observe_kill_from_profile(&s->profile, geteuid(), &s->kill, &err);
        for (size_t i = 0; r >= 0 && i < s->triggers.n_notices; i++)
                cli_warning("%s", s->triggers.notices[i]);
        if (r >= 0)
                r = cli_events_open(&s->events, s->opts.events_path, s->opts.events_append, s->opts.quiet,
                                    &err);
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "%s", err.msg);
        return 0;
}

static void warn(void *userdata, const char *text)
{
        cli_warning("%s", text);
}

/* Before anything else: the page sizes the profile names must exist on this host. */
static int hugetlb_prepare(struct run_state *s)
{
        struct mc_error err = { 0 };
        mc_hugetlb_run_init(&s->hugetlb, &s->report, NULL, NULL);
        if (mc_hugetlb_run_prepare(&s->hugetlb, &s->profile, &s->limits, geteuid(), warn, NULL, &err) < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "%s", err.msg);
        return 0;
}

/* Grows the host's pools for the reserves; given back by mc_hugetlb_run_release() on every exit path. */
static int hugetlb_reserve(struct run_state *s)
{
        struct mc_error err = { 0 };
        if (mc_hugetlb_run_reserve(&s->hugetlb, s->signal_fd, warn, NULL, &err) < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "%s", err.msg);
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

/* After the group is gone: the pool gives back what this run added. */
static int hugetlb_release(struct run_state *s)
{
        struct mc_error err = { 0 };
        if (mc_hugetlb_run_release(&s->hugetlb, warn, NULL, &err) < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "%s", err.msg);
        return 0;
}

/* Where the group goes (placement.h): a named parent, a delegated group, a systemd scope or the root. */
static int place_group(struct run_state *s)
{
        struct mc_error err = { 0 };
        _cleanup_free_ char *unit = NULL, *description = NULL;
        const char *parent = s->opts.parent;
        uid_t euid = geteuid();
        /* A user manager is on the user's bus, in the runtime directory; root's is on the system bus. */
        _cleanup_free_ char *user_bus =
                euid != 0 ? mc_placement_user_bus(cli_getenv("XDG_RUNTIME_DIR"), euid) : NULL;

        if (!parent)
                parent = s->profile.settings[MC_KEY_CGROUP_PARENT].value;
        if (mc_placement_scope_names(s->opts.profile, s->opts.argv, getpid(), &unit, &description) < 0 ||
            (euid != 0 && !user_bus))
                return run_fail(s, MC_EXIT_MEMCAGE, "out of memory");
        struct mc_placement_request req = {
                .root = s->root_path,
                .root_fd = s->root_fd,
                .parent = parent,
                .proc_self_cgroup = "/proc/self/cgroup",
                .systemd_dir = "/run/systemd/system",
                .euid = euid,
                .pid = getpid(),
                .evacuate = s->opts.evacuate,
                .use_hugetlb = s->report.n_hugetlb > 0,
                .system_bus = MC_PLACEMENT_SYSTEM_BUS,
                .user_bus = user_bus,
                .slice = s->profile.settings[MC_KEY_CGROUP_SLICE].value,
                .unit = unit,
                .description = description,
        };
        if (mc_placement_prepare(&req, &s->placement, &err) < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "placement: %s", err.msg);
        s->placed = true;
        if (s->placement.moved_self)
                mc_crash_point("leaf-entered");
        s->report.placement = &s->placement;
        if (!s->opts.quiet) {
                /* Group names come from whoever made them: shown escaped. */
                _cleanup_free_ char *reason = mc_escape_text_dup(s->placement.reason);
                _cleanup_free_ char *where = mc_escape_text_dup(s->placement.parent);
                fprintf(stderr, "memcage: placement %s in %s%s%s: %s\n",
                        mc_placement_kind_name(s->placement.kind), s->root_path,
                        where && where[0] ? "/" : "", where ? where : "?", reason ? reason : "?");
        }
        return 0;
}

static int create_group(struct run_state *s)
{
        struct mc_error err = { 0 };
        int r;

        s->group_name =
                s->opts.name ? strdup(s->opts.name) : mc_group_default_name(s->opts.profile, getpid());
        if (!s->group_name)
                return run_fail(s, MC_EXIT_MEMCAGE, "out of memory");
        if (mc_cgroup_validate_name(s->group_name, &err) < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "group name '%s': %s", s->group_name, err.msg);

        r = mc_cgroup_open_root("/proc/self/mountinfo", &s->root_path, &s->root_fd, &err);
        if (r < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "%s", err.msg);
        r = place_group(s);
        if (r != 0)
                return r;
        const char *parent = s->placement.parent;

        sweep_stale(s, parent[0] ? parent : ".");

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
        mc_crash_point("group-made");
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
        int status;

        struct mc_observe_opts oopts = {
                .group_fd = s->group.fd,
                .cgroup = s->group.relpath,
                .interval_ms = s->interval_ms,
                .triggers = &s->triggers,
                .kmsg_path = "/dev/kmsg",
                .hugetlb = &s->hugetlb,
                .kill = &s->kill,
                .command =
                        strrchr(s->opts.argv[0], '/') ? strrchr(s->opts.argv[0], '/') + 1 : s->opts.argv[0],
                .emit = cli_events_emit,
                .emit_userdata = &s->events,
                .warn = warn_group,
                .warn_userdata = s,
        };
        if (mc_observe_open(&s->observe, &oopts, &err) < 0)
                return run_fail(s, MC_EXIT_MEMCAGE, "group %s: %s", s->group.relpath, err.msg);
        s->observing = true;

        struct mc_spawn_opts sopts = {
                .argv = s->opts.argv,
                .cgroup_fd = s->group.fd,
                .method = s->opts.method,
                .child_sigmask = &s->old_mask,
                .creds = s->creds.active ? &s->creds : NULL,
        };
        struct mc_launch_opts lopts = {
                .spawn = &sopts,
                .signal_fd = s->signal_fd,
                .wait_all = s->opts.wait_all,
                .tty_fd = STDIN_FILENO,
                .cgroup = s->group.relpath,
                .warn = warn_group,
                .warn_userdata = s,
        };
        if (mc_launch(&s->observe, &lopts, &s->report, &status, &err) < 0)
                return run_fail(s, status, "%s", err.msg);
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
                .hugetlb = { .pool = { .sysfs_fd = -EBADF, .run_fd = -EBADF } },
                .root_fd = -EBADF,
                .signal_fd = -EBADF,
                .group = { .fd = -EBADF, .parent_fd = -EBADF },
        };
        struct mc_error err = { 0 };
        int status, r;

        r = cli_run_parse_args(argc, argv, &s.opts);
        if (r != 0) {
                cli_run_opts_done(&s.opts);
                return r > 0 ? MC_EXIT_OK : MC_EXIT_MEMCAGE;
        }
        s.report.argv = s.opts.argv;
        s.report.profile = s.opts.profile;

        /* First: /dev/fd/N names the caller's fd N, before memcage has fds of its own. */
        status = cli_run_open_outputs(&s.opts, s.outputs, &err) < 0
                         ? run_fail(&s, MC_EXIT_MEMCAGE, "%s", err.msg)
                         : 0;
        /* Signals are held from here on, so that no SIGTERM can leave a group behind. */
        if (status != 0)
                ; /* reported, and in the report */
        /* Before anything runs: a baseline that cannot be judged against fails the run at once. */
        else if (s.opts.baseline && mc_compare_load(s.opts.baseline, &s.baseline, &err) < 0)
                status = run_fail(&s, MC_EXIT_MEMCAGE, "baseline %s", err.msg);
        else if (mc_signals_block(&s.old_mask, &s.signal_fd, &err) < 0)
                status = run_fail(&s, MC_EXIT_MEMCAGE, "%s", err.msg);
        else if ((status = load_profile(&s)) == 0) {
                s.report.profile_path = s.profile.path;
                if ((status = hugetlb_prepare(&s)) == 0 && (status = create_group(&s)) == 0)
                        status = launch_and_supervise(&s);
        }
        /* A group left behind is a failure, but the command's own status still wins. */
        if (remove_group(&s) < 0 && !s.report.exited)
                status = MC_EXIT_MEMCAGE;
        /* After the group: a delegated group memcage nested in is left as it was found. */
        if (s.placed) {
                if (mc_placement_restore(&s.placement, s.root_fd, &err) < 0)
                        cli_warning("placement: %s, ignoring", err.msg);
        }
        /* After the group: its pages are free again, so the pool can shrink. */
        if (hugetlb_release(&s) < 0 && !s.report.exited)
                status = MC_EXIT_MEMCAGE;

        s.report.error = s.error;
        s.report.status = status;
        status = cli_run_report(&s.opts, &s.report, s.baseline, s.outputs, status);
        if (cli_events_done(&s.events, s.report.launch != NULL) < 0 && status == 0)
                status = MC_EXIT_MEMCAGE;

        if (s.observing)
                mc_observe_done(&s.observe);
        mc_group_done(&s.group);
        for (size_t i = 0; i < ELEMENTSOF(s.outputs); i++)
                mc_output_done(&s.outputs[i]);
        mc_placement_done(&s.placement);
        mc_closep(&s.root_fd);
        mc_closep(&s.signal_fd);
        free(s.root_path);
        free(s.group_name);
        free(s.error);
        mc_profile_free(&s.profile);
        json_decref(s.baseline);
        mc_credentials_done(&s.creds);
        cli_run_opts_done(&s.opts);
        return status;
}
