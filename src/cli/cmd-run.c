/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage run: options -> the run (run.h) -> its report. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "cli-events.h"
#include "cli-run.h"
#include "cli.h"
#include "escape.h"
#include "fail-on.h"
#include "output.h"
#include "profile.h"
#include "report-compare.h"
#include "report.h"
#include "run.h"
#include "spawn.h"
#include "util.h"

/* The library judges with memcage's exit statuses. */
_Static_assert(MC_FAIL_ON_EXIT_STATUS == MC_EXIT_FAIL_ON, "--fail-on status");
_Static_assert(MC_OBSERVE_EXIT_PRESSURE_KILLED == MC_EXIT_PRESSURE_KILLED, "pressure kill status");
_Static_assert(MC_SPAWN_EXIT_FAILED == MC_EXIT_MEMCAGE, "memcage's own failure");

struct run_cli {
        struct cli_run_opts opts;
        struct mc_profile profile; /* read by the run's plan alone; what it keeps may point into it */
        struct mc_run run;
        struct cli_events events;
        struct mc_output outputs[CLI_RUN_OUTPUTS]; /* opened before the run */
        char *error;                               /* memcage's own failure, for the report */
        json_t *baseline;                          /* --baseline, read and checked before anything runs */
};

/* Reports memcage's own failure: on stderr now, and the first one into the report later. */
static int fail(struct run_cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct run_cli *c, const char *fmt, ...)
{
        _cleanup_free_ char *text = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&text, fmt, ap) < 0)
                text = NULL;
        va_end(ap);
        cli_error("%s", text ? text : "out of memory");
        if (!c->error)
                c->error = TAKE_PTR(text);
        return MC_EXIT_MEMCAGE;
}

static void warn(void *userdata, const char *text)
{
        cli_warning("%s", text);
}

/* Stale groups of dead launchers in the parent: the removed ones said, the others warned of. */
static void print_swept(const struct mc_run *run, bool quiet)
{
        const char *parent = run->placement.parent[0] ? run->placement.parent : ".";

        for (size_t i = 0; i < run->n_stale; i++) {
                const struct mc_stale *st = &run->stale[i];
                if (st->error < 0)
                        cli_warning("stale group %s/%s (launcher %d is gone): %s, ignoring", parent,
                                    st->name, (int)st->launcher, strerror(-st->error));
                else if (st->populated)
                        cli_warning("stale group %s/%s (launcher %d is gone) still has processes%s; "
                                    "left in place: kill them, then remove it with rmdir",
                                    parent, st->name, (int)st->launcher,
                                    st->thawed ? " (it was frozen: thawed)" : "");
                else if (st->removed && !quiet)
                        fprintf(stderr, "memcage: removed stale group %s/%s of launcher %d\n", parent,
                                st->name, (int)st->launcher);
        }
}

/*
 * "group memcage/db-1234: max=64M swap.max=0": the requested limits as the
 * kernel kept them, built whole and written in one write(), so that the
 * lines of launchers sharing a terminal do not interleave.
 */
static void print_limits(const struct mc_run *run)
{
        char limits[1024], line[1024];
        int k = snprintf(line, sizeof(line), "memcage: group %s:%s\n", run->group.relpath,
                         mc_limits_describe(&run->plan.limits, &run->limits_read, limits, sizeof(limits)));
        size_t len = k < 0 ? 0 : (size_t)k < sizeof(line) ? (size_t)k : sizeof(line) - 1;

        if (len == 0)
                return;
        line[len - 1] = '\n'; /* a line cut at the buffer's end still ends */
        (void)!write(STDERR_FILENO, line, len);
}

/* The run's progress, as it happens: the stale groups always, the rest unless --quiet. */
static void notify(void *userdata, enum mc_run_step step, const struct mc_run *run)
{
        const struct run_cli *c = userdata;

        if (step == MC_RUN_SWEPT) {
                print_swept(run, c->opts.quiet);
                return;
        }
        if (c->opts.quiet)
                return;
        switch (step) {
        case MC_RUN_PLACED: {
                /* Group names come from whoever made them: shown escaped. */
                _cleanup_free_ char *reason = mc_escape_text_dup(run->placement.reason);
                _cleanup_free_ char *where = mc_escape_text_dup(run->placement.parent);
                fprintf(stderr, "memcage: placement %s in %s%s%s: %s\n",
                        mc_placement_kind_name(run->placement.kind), run->root_path,
                        where && where[0] ? "/" : "", where ? where : "?", reason ? reason : "?");
                break;
        }
        case MC_RUN_RESERVED:
                for (size_t i = 0; i < run->plan.hugetlb.n_sizes; i++) {
                        const struct mc_report_hugetlb *e = &run->plan.hugetlb.sizes[i];
                        if (e->reserved_pages > 0)
                                fprintf(stderr,
                                        "memcage: reserved %llu %s huge pages (the pool grew by %llu)\n",
                                        (unsigned long long)e->reserved_pages, e->size,
                                        (unsigned long long)e->added_pages);
                }
                break;
        case MC_RUN_GROUPED:
                print_limits(run);
                break;
        case MC_RUN_SWEPT:
                break;
        }
}

/* The profile, with the command line's values on top, planned into a run. */
static int plan(struct run_cli *c, const sigset_t *old_mask, int signal_fd)
{
        struct mc_profile *profile = &c->profile;
        struct mc_error err = { 0 };
        struct mc_profile_env env;

        cli_profile_env(&env);
        if (c->opts.profile && mc_profile_load(c->opts.profile, &env, profile, &err) < 0)
                return fail(c, "%s", err.msg);
        if (!c->opts.profile)
                mc_profile_init(profile);
        for (size_t i = 0; i < c->opts.n_overrides; i++) {
                const struct cli_run_override *ov = &c->opts.overrides[i];
                if (mc_profile_set(profile, ov->section, ov->key, ov->value, "command line", 0, &env, &err) <
                    0)
                        return fail(c, "%s", err.msg);
        }
        struct mc_run_request req = {
                .profile_name = c->opts.profile,
                .argv = c->opts.argv,
                .envp = environ,
                .user = c->opts.user,
                .interval = c->opts.interval,
                .parent = c->opts.parent,
                .name = c->opts.name,
                .runtime_dir = cli_getenv("XDG_RUNTIME_DIR"),
                .evacuate = c->opts.evacuate,
                .wait_all = c->opts.wait_all,
                .step_reclaim = c->opts.step_reclaim,
                .method = c->opts.method,
                .signal_fd = signal_fd,
                .child_sigmask = old_mask,
                .tty_fd = STDIN_FILENO,
                .notify = notify,
                .emit = cli_events_emit,
                .emit_userdata = &c->events,
                .warn = warn,
                .userdata = c,
        };
        if (mc_run_plan(&c->run, &req, profile, env.ram_bytes, &err) < 0)
                return fail(c, "%s", err.msg);
        return 0;
}
int cmd_run(int argc, char **argv)
{
        struct run_cli c = { 0 };
        _cleanup_close_ int signal_fd = -EBADF;
        struct mc_error err = { 0 };
        struct mc_report report;
        sigset_t old_mask;
        int status = 0, r;

        mc_run_init(&c.run);
        r = cli_run_parse_args(argc, argv, &c.opts);
        if (r != 0) {
                cli_run_opts_done(&c.opts);
                return r > 0 ? MC_EXIT_OK : MC_EXIT_MEMCAGE;
        }
        /* First: /dev/fd/N names the caller's fd N, before memcage has fds of its own. */
        if (cli_run_open_outputs(&c.opts, c.outputs, &err) < 0)
                status = fail(&c, "%s", err.msg);
        /* Before anything runs: a baseline that cannot be judged against fails the run at once. */
        else if (c.opts.baseline && mc_compare_load(c.opts.baseline, &c.baseline, &err) < 0)
                status = fail(&c, "baseline %s", err.msg);
        /* Signals are held from here on, so that no SIGTERM can leave a group behind. */
        else if (mc_signals_block(&old_mask, &signal_fd, &err) < 0)
                status = fail(&c, "%s", err.msg);
        else if ((status = plan(&c, &old_mask, signal_fd)) == 0) {
                if (cli_events_open(&c.events, c.opts.events_path, c.opts.events_append, c.opts.quiet,
                                    &err) < 0)
                        status = fail(&c, "%s", err.msg);
                else if (mc_run_execute(&c.run, &status, &err) < 0)
                        (void)fail(&c, "%s", err.msg);
        }
        /* A group left behind is a failure, but the command's own status still wins. */
        if (mc_run_end(&c.run, &err) < 0) {
                (void)fail(&c, "%s", err.msg);
                if (!c.run.observation.exited)
                        status = MC_EXIT_MEMCAGE;
        }

        mc_run_report(&c.run, c.error, status, &report);
        status = cli_run_report(&c.opts, &report, c.baseline, c.outputs, status);
        if (cli_events_done(&c.events, report.launch != NULL) < 0 && status == 0)
                status = MC_EXIT_MEMCAGE;

        mc_run_done(&c.run);
        for (size_t i = 0; i < ELEMENTSOF(c.outputs); i++)
                mc_output_done(&c.outputs[i]);
        mc_profile_free(&c.profile);
        free(c.error);
        json_decref(c.baseline);
        cli_run_opts_done(&c.opts);
        return status;
}
