/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crash-point.h"
#include "kmsg-oom.h"
#include "launch.h"
#include "run.h"
#include "util.h"

void mc_run_init(struct mc_run *run)
{
        *run = (struct mc_run){
                .root_fd = -EBADF,
                .group = { .fd = -EBADF, .parent_fd = -EBADF },
        };
        mc_hugetlb_run_init(&run->plan.hugetlb, NULL, NULL);
}

static void warn(const struct mc_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(const struct mc_run *run, const char *fmt, ...)
{
        char text[1024];
        va_list ap;

        if (!run->req.warn)
                return;
        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        run->req.warn(run->req.userdata, text);
}

static void notify(const struct mc_run *run, enum mc_run_step step)
{
        if (run->req.notify)
                run->req.notify(run->req.userdata, step, run);
}

/* The stages below warn about the run as a whole, unprefixed... */
static void warn_run(void *userdata, const char *text)
{
        warn(userdata, "%s", text);
}

/* ...or about its group, which the warning names. */
static void warn_group(void *userdata, const char *text)
{
        const struct mc_run *run = userdata;
        warn(run, "group %s: %s", run->group.relpath, text);
}

static int strdup_or_null(const char *s, char **ret)
{
        *ret = NULL;
        if (s && !(*ret = strdup(s)))
                return -ENOMEM;
        return 0;
}

int mc_run_plan(struct mc_run *run, const struct mc_run_request *req, const struct mc_profile *p,
                uint64_t ram_bytes, struct mc_error *err)
{
        struct mc_run_plan *plan = &run->plan;
        uid_t euid = geteuid();
        int r;

        run->req = *req;
        run->planned = true;
        run->group_name = req->name ? strdup(req->name) : mc_group_default_name(req->profile_name, getpid());
        if (!run->group_name)
                return mc_error_errno(err, ENOMEM, "the group's name");
        if (mc_cgroup_validate_name(run->group_name, err) < 0)
                return mc_error_prefix(err, "group name '%s'", run->group_name);
        r = mc_limits_from_profile(p, ram_bytes, &plan->limits, err);
        if (r < 0)
                return r;
        if (strdup_or_null(req->parent ? req->parent : p->settings[MC_KEY_CGROUP_PARENT].value,
                           &plan->parent) < 0 ||
            strdup_or_null(p->settings[MC_KEY_CGROUP_SLICE].value, &plan->slice) < 0 ||
            strdup_or_null(p->path, &plan->profile_path) < 0)
                return mc_error_errno(err, ENOMEM, "the run's plan");
        /* Names are resolved now, before there is a group to leave behind. */
        r = mc_credentials_prepare(p, req->user, req->envp, &plan->creds, err);
        if (r < 0)
                return r;
        plan->has_identity = mc_report_run_from_credentials(&plan->creds, &plan->identity);
        r = mc_observe_interval(p, req->interval, &plan->interval_ms, err);
        if (r >= 0)
                r = mc_observe_triggers_from_profile(p, euid, &plan->triggers, err);
        if (r >= 0)
                r = mc_observe_kill_from_profile(p, euid, &plan->kill, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < plan->triggers.n_notices; i++)
                warn(run, "%s", plan->triggers.notices[i]);
        /* The page sizes the profile names must exist on this host. */
        r = mc_hugetlb_run_prepare(&plan->hugetlb, p, &plan->limits, euid, warn_run, run, err);
        if (r < 0)
                return r;
        plan->use_hugetlb = plan->hugetlb.n_sizes > 0;
        return 0;
}

/* Where the group goes (placement.h): a named parent, a delegated group, a systemd scope or the root. */
static int place(struct mc_run *run, struct mc_error *err)
{
        _cleanup_free_ char *unit = NULL, *description = NULL, *user_bus = NULL;
        uid_t euid = geteuid();
        int r;

        r = mc_cgroup_open_root(NULL, &run->root_path, &run->root_fd, err);
        if (r < 0)
                return r;
        /* A user manager is on the user's bus, in the runtime directory; root's is on the system bus. */
        if (euid != 0 && !(user_bus = mc_placement_user_bus(run->req.runtime_dir, euid)))
                return mc_error_errno(err, ENOMEM, "placement");
        if (mc_placement_scope_names(run->req.profile_name, run->req.argv, getpid(), &unit, &description) <
            0)
                return mc_error_errno(err, ENOMEM, "placement");
        struct mc_placement_request preq = {
                .root = run->root_path,
                .root_fd = run->root_fd,
                .parent = run->plan.parent,
                .euid = euid,
                .pid = getpid(),
                .evacuate = run->req.evacuate,
                .use_hugetlb = run->plan.use_hugetlb,
                .system_bus = MC_PLACEMENT_SYSTEM_BUS,
                .user_bus = user_bus,
                .slice = run->plan.slice,
                .unit = unit,
                .description = description,
        };
        r = mc_placement_prepare(&preq, &run->placement, err);
        if (r < 0)
                return mc_error_prefix(err, "placement");
        run->placed = true;
        if (run->placement.moved_self)
                mc_crash_point("leaf-entered");
        notify(run, MC_RUN_PLACED);
        return 0;
}

/* Removes stale groups of dead launchers in the parent; a failure costs the sweep, not the run. */
static void sweep_stale(struct mc_run *run)
{
        const char *parent = run->placement.parent[0] ? run->placement.parent : ".";
        _cleanup_close_ int pfd = openat(run->root_fd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct mc_error err = { 0 };

        if (pfd < 0)
                return; /* no parent yet: nothing can be stale */
        if (mc_group_sweep_stale(pfd, NULL, &run->stale, &run->n_stale, &err) < 0) {
                warn(run, "sweeping stale groups in %s: %s, ignoring", parent, err.msg);
                return;
        }
        notify(run, MC_RUN_SWEPT);
}

static int make_group(struct mc_run *run, struct mc_error *err)
{
        const char *parent = run->placement.parent;
        int r;

        struct mc_group_opts gopts = {
                .root = run->root_path,
                .root_fd = run->root_fd,
                .parent = parent,
                .name = run->group_name,
                .limits = &run->plan.limits,
                .profile = run->req.profile_name,
                .use_hugetlb = run->plan.use_hugetlb,
        };
        r = mc_group_create(&gopts, &run->group, err);
        if (r < 0)
                return mc_error_prefix(err, "cannot create group %s/%s", parent, run->group_name);
        run->group_created = true;
        mc_crash_point("group-made");
        for (char **w = run->group.warnings; w && *w; w++)
                warn(run, "%s", *w);
        r = mc_group_read_limits(run->group.fd, &run->plan.limits, &run->limits_read, err);
        if (r < 0)
                return mc_error_prefix(err, "group %s: read back limits", run->group.relpath);
        run->has_limits = true;
        notify(run, MC_RUN_GROUPED);
        return 0;
}

/* Runs the command and waits for the group to empty. */
static int launch(struct mc_run *run, int *ret_status, struct mc_error *err)
{
        const char *argv0 = run->req.argv[0], *slash = strrchr(argv0, '/');
        struct mc_observe_opts oopts = {
                .group_fd = run->group.fd,
                .cgroup = run->group.relpath,
                .interval_ms = run->plan.interval_ms,
                .triggers = &run->plan.triggers,
                .kmsg_path = MC_KMSG_PATH,
                .hugetlb = &run->plan.hugetlb,
                .kill = &run->plan.kill,
                .command = slash ? slash + 1 : argv0,
                .time_limit_us = run->req.time_limit_us,
                .steps_set_owner = run->plan.creds.set_uid,
                .steps_uid = run->plan.creds.uid,
                .steps_gid = run->plan.creds.set_gid ? run->plan.creds.gid : getegid(),
                .steps_reclaim = run->req.step_reclaim,
                .emit = run->req.emit,
                .emit_userdata = run->req.emit_userdata,
                .warn = warn_group,
                .warn_userdata = run,
        };
        int r = mc_observe_open(&run->observe, &oopts, err);
        if (r < 0)
                return mc_error_prefix(err, "group %s", run->group.relpath);
        run->observing = true;
        /* MEMCAGE_STEP in the environment the command gets, whoever it runs as (steps.h). */
        if (run->observe.stepping) {
                char *const *base = run->plan.creds.envp ? run->plan.creds.envp
                                    : run->req.envp      ? run->req.envp
                                                         : environ;
                r = mc_steps_env(&run->observe.steps, base, err);
                if (r < 0)
                        return r;
        }

        struct mc_spawn_opts sopts = {
                .argv = run->req.argv,
                .cgroup_fd = run->group.fd,
                .method = run->req.method,
                .child_sigmask = run->req.child_sigmask,
                .creds = run->plan.creds.active ? &run->plan.creds : NULL,
                .envp = run->observe.stepping ? run->observe.steps.envp : NULL,
        };
        struct mc_launch_opts lopts = {
                .spawn = &sopts,
                .signal_fd = run->req.signal_fd,
                .wait_all = run->req.wait_all,
                .interrupt_kill_ms = run->req.interrupt_kill_ms,
                .tty_fd = run->req.tty_fd,
                .cgroup = run->group.relpath,
                .warn = warn_group,
                .warn_userdata = run,
        };
        return mc_launch(&run->observe, &lopts, &run->observation, &run->launch, ret_status, err);
}

int mc_run_execute(struct mc_run *run, int *ret_status, struct mc_error *err)
{
        int r;

        *ret_status = MC_SPAWN_EXIT_FAILED;
        r = place(run, err);
        if (r < 0)
                return r;
        sweep_stale(run);
        /* Given back by mc_run_end() on every exit path. */
        r = mc_hugetlb_run_reserve(&run->plan.hugetlb, run->req.signal_fd, warn_run, run, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < run->plan.hugetlb.n_sizes; i++)
                if (run->plan.hugetlb.sizes[i].reserved_pages > 0) {
                        notify(run, MC_RUN_RESERVED);
                        break;
                }
        r = make_group(run, err);
        if (r < 0)
                return r;
        return launch(run, ret_status, err);
}

int mc_run_end(struct mc_run *run, struct mc_error *err)
{
        struct mc_error e = { 0 };
        bool populated = false;
        int ret = 0;

        if (run->group_created) {
                /* A failure before or during the run can leave processes behind: never leave them running.
                 */
                if (mc_group_is_populated(run->group.fd, &populated, &e) >= 0 && populated)
                        (void)mc_group_kill(run->group.fd, &e);
                if (mc_group_remove(&run->group, err) < 0)
                        ret = mc_error_prefix(err, "cannot remove group %s", run->group.relpath);
                else
                        run->group_created = false;
        }
        /* After the group: a delegated group memcage nested in is left as it was found. */
        if (run->placed && mc_placement_restore(&run->placement, run->root_fd, &e) < 0)
                warn(run, "placement: %s, ignoring", e.msg);
        /* After the group: its pages are free again, so the pool can shrink. */
        if (run->planned) {
                int r = mc_hugetlb_run_release(&run->plan.hugetlb, warn_run, run, &e);
                if (r < 0 && ret == 0) {
                        *err = e;
                        ret = r;
                } else if (r < 0)
                        warn(run, "%s", e.msg); /* the first failure is the error */
        }
        return ret;
}

void mc_run_report(const struct mc_run *run, const char *error, int status, struct mc_report *ret)
{
        const struct mc_run_plan *plan = &run->plan;

        *ret = (struct mc_report){
                .argv = run->req.argv,
                .profile = run->req.profile_name,
                .profile_path = plan->profile_path,
                .cgroup = run->group.relpath,
                .placement = run->placed ? &run->placement : NULL,
                .launch = run->launch,
                .run = plan->has_identity ? &plan->identity : NULL,
                .has_limits = run->has_limits,
                .limits = run->limits_read,
                .obs = run->observation,
                .n_hugetlb = plan->hugetlb.n_sizes,
                .error = error,
                .status = status,
        };
        memcpy(ret->hugetlb, plan->hugetlb.sizes, sizeof(ret->hugetlb));
}

void mc_run_done(struct mc_run *run)
{
        if (run->observing)
                mc_observe_done(&run->observe);
        run->observing = false;
        mc_group_done(&run->group);
        mc_placement_done(&run->placement);
        mc_stale_free(run->stale, run->n_stale);
        run->stale = NULL;
        run->n_stale = 0;
        mc_closep(&run->root_fd);
        free(TAKE_PTR(run->root_path));
        free(TAKE_PTR(run->group_name));
        free(TAKE_PTR(run->plan.parent));
        free(TAKE_PTR(run->plan.slice));
        free(TAKE_PTR(run->plan.profile_path));
        mc_credentials_done(&run->plan.creds);
}
