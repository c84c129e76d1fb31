/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "cgroup.h"
#include "observe.h"
#include "util.h"

static int add_trigger(struct mc_observe_triggers *tr, enum mc_psi_kind kind, const char *value,
                       const char *where, uid_t euid, struct mc_error *err)
{
        struct mc_pressure_trigger t;
        int r = mc_pressure_parse_trigger(value, kind, &t, err);
        if (r < 0)
                return mc_error_prefix(err, "%spressure.%s = %s", where, mc_psi_kind_name(kind), value);
        /*
         * The kernel takes other windows only from a writer with
         * CAP_SYS_RESOURCE (and some kernels no trigger at all
         * from others): round up to what it takes, keeping the stall's share.
         */
        if (euid != 0 && t.window_us % MC_PSI_UNPRIV_WINDOW_US != 0) {
                uint64_t w = (t.window_us / MC_PSI_UNPRIV_WINDOW_US + 1) * MC_PSI_UNPRIV_WINDOW_US;
                if (w > MC_PSI_WINDOW_MAX_US)
                        w = MC_PSI_WINDOW_MAX_US;
                t.stall_us = t.stall_us * w / t.window_us;
                t.window_us = w;
                snprintf(
                        tr->notices[tr->n_notices++], sizeof(tr->notices[0]),
                        "%spressure.%s = %s: without root the kernel takes only windows in multiples of 2s: "
                        "using %llums/%llus, the same share of the window",
                        where, mc_psi_kind_name(kind), value, (unsigned long long)(t.stall_us / 1000),
                        (unsigned long long)(t.window_us / 1000000));
        }
        tr->unprivileged = euid != 0;
        tr->t[tr->n++] = t;
        return 0;
}

int mc_observe_triggers_from_profile(const struct mc_profile *p, uid_t euid, struct mc_observe_triggers *ret,
                                     struct mc_error *err)
{
        static const enum mc_key keys[_MC_PSI_KIND_COUNT] = {
                [MC_PSI_SOME] = MC_KEY_PRESSURE_SOME,
                [MC_PSI_FULL] = MC_KEY_PRESSURE_FULL,
        };
        int r;

        *ret = (struct mc_observe_triggers){ 0 };
        for (int k = 0; k < _MC_PSI_KIND_COUNT; k++) {
                const struct mc_setting *s = &p->settings[keys[k]];
                char where[512] = "";
                if (!s->value)
                        continue;
                if (s->line > 0)
                        snprintf(where, sizeof(where), "%s:%u: ", s->file, s->line);
                else if (s->file)
                        snprintf(where, sizeof(where), "%s: ", s->file);
                r = add_trigger(ret, (enum mc_psi_kind)k, s->value, where, euid, err);
                if (r < 0)
                        return r;
        }
        if (ret->n == 0) {
                r = add_trigger(ret, MC_OBSERVE_DEFAULT_PRESSURE_KIND, MC_OBSERVE_DEFAULT_PRESSURE, "", euid,
                                err);
                if (r < 0)
                        return r;
                ret->is_default = true;
        }
        return 0;
}

int mc_observe_kill_from_profile(const struct mc_profile *p, uid_t euid, struct mc_observe_kill *ret,
                                 struct mc_error *err)
{
        const struct mc_setting *rule = &p->settings[MC_KEY_PRESSURE_KILL];
        const struct mc_setting *grace = &p->settings[MC_KEY_PRESSURE_KILL_GRACE];
        char where[512] = "";

        *ret = (struct mc_observe_kill){ .grace_us = MC_PRESSURE_KILL_GRACE_DEFAULT_US };
        if (!rule->value)
                return 0;
        if (rule->line > 0)
                snprintf(where, sizeof(where), "%s:%u: ", rule->file, rule->line);
        else if (rule->file)
                snprintf(where, sizeof(where), "%s: ", rule->file);
        if (mc_pressure_kill_parse_rule(rule->value, &ret->rule, err) < 0 ||
            mc_pressure_kill_check_rule(&ret->rule, euid, err) < 0)
                return mc_error_prefix(err, "%spressure.kill = %s", where, rule->value);
        if (grace->value && mc_duration_parse(grace->value, &ret->grace_us, err) < 0)
                return mc_error_prefix(err, "%s:%u: pressure.kill_grace = %s", grace->file, grace->line,
                                       grace->value);
        ret->set = true;
        return 0;
}

int mc_observe_interval(const struct mc_profile *p, const char *option, uint64_t *ret_ms,
                        struct mc_error *err)
{
        const struct mc_setting *iv = &p->settings[MC_KEY_REPORT_INTERVAL];

        *ret_ms = MC_SAMPLER_DEFAULT_INTERVAL_MS;
        if (option) {
                if (mc_interval_parse(option, ret_ms, err) < 0)
                        return mc_error_prefix(err, "--interval");
        } else if (iv->value && mc_interval_parse(iv->value, ret_ms, err) < 0)
                return mc_error_prefix(err, "%s:%u: interval", iv->file, iv->line);
        return 0;
}

static void warn(const struct mc_observe *ob, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(const struct mc_observe *ob, const char *fmt, ...)
{
        char text[MC_ERROR_MSG_MAX + 128];
        va_list ap;
        if (!ob->o.warn)
                return;
        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        ob->o.warn(ob->o.warn_userdata, text);
}

/* While the group is frozen by the kill policy: the report's breakdown and processes as they are now. */
static void kill_snapshot(void *userdata)
{
        struct mc_observe *ob = userdata;
        struct mc_error err = { 0 };
        if (ob->sampler && mc_sampler_snapshot(ob->sampler, &err) < 0)
                warn(ob, "snapshot before the pressure kill: %s, ignoring", err.msg);
}

static void kill_notify(void *userdata, enum mc_pressure_kill_stage stage,
                        const struct mc_pressure_kill_result *res)
{
        struct mc_observe *ob = userdata;
        struct mc_event ev = {
                .type = MC_EVENT_PRESSURE_KILL,
                .stage = stage,
                .pkill = res,
                .command = ob->o.command,
        };
        mc_event_watch_emit(&ob->events, &ev);
}

int mc_observe_open(struct mc_observe *ob, const struct mc_observe_opts *o, struct mc_error *err)
{
        int r;

        *ob = (struct mc_observe){ .o = *o, .time_fd = -EBADF };
        if (o->hugetlb)
                mc_hugetlb_run_start(o->hugetlb, o->group_fd);
        /* memory.events' baseline is the event watch's first reading (below): one look, not two. */
        r = mc_memory_events_read_at(o->group_fd, true, &ob->before_local, err);
        if (r < 0)
                return r;

        struct mc_event_watch_opts wo = {
                .group_fd = o->group_fd,
                .cgroup = o->cgroup,
                .triggers = o->triggers ? o->triggers->t : NULL,
                .n_triggers = o->triggers ? o->triggers->n : 0,
                .triggers_optional = o->triggers && (o->triggers->is_default || o->triggers->unprivileged),
                .triggers_delay_ns = o->triggers && o->triggers->is_default
                                             ? MC_OBSERVE_DEFAULT_PRESSURE_DELAY_MS * 1000000ull
                                             : 0,
                .kmsg_path = o->kmsg_path,
                .emit = o->emit,
                .userdata = o->emit_userdata,
        };
        r = mc_event_watch_open(&ob->events, &wo, err);
        if (r < 0)
                return r;
        ob->watching = true;
        ob->before = ob->events.events_base;
        for (size_t i = 0; o->hugetlb && i < ob->events.n_hugetlb; i++)
                mc_hugetlb_run_set_events_before(o->hugetlb, ob->events.hugetlb[i].size,
                                                 &ob->events.hugetlb[i].base);
        /* A kernel taking no trigger from a non-root writer: the stall totals stand for it. */
        for (size_t i = 0; o->triggers && !o->triggers->is_default && i < ob->events.n_refused; i++)
                warn(ob, "%s; the report's stall totals (pressure.*_total_us) stand for it",
                     ob->events.refused_why[i]);

        if (o->kill && o->kill->set) {
                struct mc_pressure_kill_opts ko = {
                        .group_fd = o->group_fd,
                        .rule = &o->kill->rule,
                        .grace_us = o->kill->grace_us,
                        .snapshot = kill_snapshot,
                        .notify = kill_notify,
                        .userdata = ob,
                };
                r = mc_pressure_kill_open(&ob->kill, &ko, err);
                if (r < 0) {
                        mc_event_watch_done(&ob->events);
                        ob->watching = false;
                        return r;
                }
                ob->killing = true;
        }

        /* The sampler observes: a failure to set it up costs the report its observations, not the run. */
        struct mc_error serr = { 0 };
        if (mc_sampler_new(o->group_fd, o->interval_ms, &ob->sampler, &serr) < 0) {
                ob->sampler = NULL;
                warn(ob, "sampling off: %s", serr.msg);
        }
        struct mc_steps_opts so = {
                .group_fd = o->group_fd,
                .set_owner = o->steps_set_owner,
                .uid = o->steps_uid,
                .gid = o->steps_gid,
                .reclaim = o->steps_reclaim,
                .warn = o->warn,
                .warn_userdata = o->warn_userdata,
        };
        serr = (struct mc_error){ 0 };
        if (mc_steps_open(&ob->steps, &so, &serr) < 0) {
                /* Reclaim between steps was asked for: the run stops rather than give other numbers. */
                if (o->steps_reclaim) {
                        mc_observe_done(ob);
                        return mc_error_set(err, serr.code, "--step-reclaim: %s", serr.msg);
                }
                warn(ob, "steps off: %s", serr.msg);
        } else
                ob->stepping = true;

        /* Not an observer that may go: the caller asked for runs to end there. */
        if (o->time_limit_us > 0) {
                ob->time_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
                if (ob->time_fd < 0) {
                        r = mc_error_errno(err, errno, "the time limit's timer");
                        mc_observe_done(ob);
                        return r;
                }
        }
        return 0;
}

/* The time limit is reached: the whole group goes, as a pressure kill's grace ends. */
static int time_limit_ready(void *userdata, short revents, struct mc_error *err)
{
        struct mc_observe *ob = userdata;
        uint64_t expirations;

        (void)revents;
        if (read(ob->time_fd, &expirations, sizeof(expirations)) < 0)
                return errno == EAGAIN ? 0 : mc_error_errno(err, errno, "read the time limit's timer");
        /* It fires once: the group empties now, and the loop ends with it. */
        ob->time_watch.fd = -1;
        uint64_t now = mc_now_ns();
        if (mc_group_kill(ob->o.group_fd, err) < 0)
                return mc_error_prefix(err, "kill the group at the time limit");
        ob->timed_out = true;
        ob->timed_out_ns = now;
        return 0;
}

/* Armed at the command's start, on the clock the duration is measured by. */
static void time_limit_start(struct mc_observe *ob, uint64_t start_ns)
{
        uint64_t at = start_ns + ob->o.time_limit_us * 1000ull;
        struct itimerspec its = {
                .it_value = { .tv_sec = (time_t)(at / 1000000000ull),
                              .tv_nsec = (long)(at % 1000000000ull) },
        };
        if (timerfd_settime(ob->time_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
                warn(ob, "time limit off: arm its timer: %s", strerror(errno));
                return;
        }
        ob->time_watch = (struct mc_watch){
                .fd = ob->time_fd,
                .events = POLLIN,
                .ready = time_limit_ready,
                .userdata = ob,
                .observer = "time limit",
        };
}

void mc_observe_start(struct mc_observe *ob, uint64_t start_ns, const struct mc_child *child)
{
        struct mc_watch *event_watches = NULL, *kill_watches = NULL;
        size_t n_event_watches = 0, n_kill_watches = 0;

        ob->started = true;
        ob->start_ns = start_ns;
        if (ob->sampler) {
                struct mc_error err = { 0 };
                int r = mc_sampler_start(ob->sampler, start_ns, child->pidfd, ob->sampler_watches, &err);
                if (r < 0) {
                        warn(ob, "sampling off: %s", err.msg);
                        mc_sampler_free(TAKE_PTR(ob->sampler));
                } else
                        ob->n_sampler_watches = (size_t)r;
        }
        mc_event_watch_start(&ob->events, start_ns, child->pid);
        struct mc_watch *step_watch = ob->stepping ? mc_steps_start(&ob->steps, start_ns) : NULL;
        if (ob->killing)
                mc_pressure_kill_start(&ob->kill, start_ns, child->pidfd, &kill_watches, &n_kill_watches);
        ob->time_watch.fd = -1;
        if (ob->time_fd >= 0)
                time_limit_start(ob, start_ns);

        /* Each observer keeps its own watches (they switch themselves off): the loop gets pointers. */
        mc_event_watch_get_watches(&ob->events, &event_watches, &n_event_watches);
        free(ob->watches);
        ob->n_watches = 0;
        /* Two more: the steps' and the time limit's. */
        ob->watches =
                calloc(n_event_watches + n_kill_watches + ob->n_sampler_watches + 2, sizeof(*ob->watches));
        if (!ob->watches) {
                /* Without the loop's view the observers still read their counters at the end. */
                warn(ob, "memory events, the pressure kill rule and the time limit off: out of memory");
                return;
        }
        if (ob->time_watch.fd >= 0)
                ob->watches[ob->n_watches++] = &ob->time_watch;
        for (size_t i = 0; i < n_kill_watches; i++)
                ob->watches[ob->n_watches++] = &kill_watches[i];
        for (size_t i = 0; i < n_event_watches; i++) {
                event_watches[i].observer = "memory events";
                ob->watches[ob->n_watches++] = &event_watches[i];
        }
        for (size_t i = 0; i < ob->n_sampler_watches; i++) {
                ob->sampler_watches[i].observer = "sampling";
                ob->watches[ob->n_watches++] = &ob->sampler_watches[i];
        }
        if (step_watch)
                ob->watches[ob->n_watches++] = step_watch;
}

void mc_observe_get_watches(const struct mc_observe *ob, struct mc_watch *const **ret, size_t *ret_n)
{
        *ret = ob->watches;
        *ret_n = ob->n_watches;
}

/* The verdict from the counters of the run; see verdict.h for the rules. */
static void judge(const struct mc_event_watch *w, bool pressure_killed, struct mc_observation *r)
{
        struct mc_verdict_input in = {
                .pressure_killed = pressure_killed,
                .signaled = r->signal != 0,
                .exit_code = r->exit_code,
                .signal = r->signal,
                .hugetlb_max = w->hugetlb_max,
        };
        if (r->has_events) {
                mc_counters_get(&r->events, "oom_kill", &in.oom_kill);
                mc_counters_get(&r->events, "oom", &in.oom);
        }
        if (w->has_swap_events)
                mc_counters_get(&w->swap_events, "fail", &in.swap_fail);
        mc_verdict_judge(&in, &r->verdict);
        r->has_verdict = true;
}

int mc_observe_finish(struct mc_observe *ob, const struct mc_supervise_result *res, struct mc_observation *r,
                      struct mc_error *err)
{
        const struct mc_observe_opts *o = &ob->o;
        struct mc_event_watch *w = &ob->events;
        struct mc_counters after, after_local;
        struct mc_error rerr = { 0 };

        *r = (struct mc_observation){ .exited = true };
        r->exit_code = mc_supervise_exit_status(res);
        r->signal = res->signaled ? res->signal : 0;
        r->core_dumped = res->core_dumped;
        r->leftovers_killed = res->killed_leftovers ? res->leftovers : 0;
        r->signals_received = res->received;
        /*
         * Only when the command was still running: one that ended just
         * before, its leftovers killed at the limit, ended by itself.
         */
        r->time_limited = ob->timed_out && res->exit_ns >= ob->timed_out_ns;
        r->time_limit_s = (double)o->time_limit_us / 1e6;
        uint64_t end_ns = mc_now_ns();
        r->duration_s = (double)(end_ns - ob->start_ns) / 1e9;
        if (o->hugetlb)
                mc_hugetlb_run_end(o->hugetlb, o->group_fd);

        /* memory.peak exists since Linux 5.19; without it the peak stays unknown. */
        if (mc_read_u64_at(o->group_fd, "memory.peak", &r->peak, &rerr) >= 0)
                r->has_peak = true;
        if (mc_memory_events_read_at(o->group_fd, false, &after, &rerr) >= 0 &&
            mc_memory_events_read_at(o->group_fd, true, &after_local, &rerr) >= 0) {
                mc_counters_delta(&ob->before, &after, &r->events);
                mc_counters_delta(&ob->before_local, &after_local, &r->events_local);
                r->has_events = true;
        }
        if (ob->sampler) {
                mc_sampler_finish(ob->sampler);
                r->samples = mc_sampler_summary(ob->sampler);
        }
        if (ob->stepping) {
                const struct mc_timeline *tl = r->samples ? r->samples->timeline : NULL;
                mc_steps_finish(&ob->steps, end_ns);
                if (tl)
                        mc_step_list_add_samples(&ob->steps.list, tl->t_ns, tl->memory_current,
                                                 tl->has_swap ? tl->swap_current : NULL, tl->n);
                r->steps = ob->steps.list.v;
                r->n_steps = ob->steps.list.n;
                r->steps_truncated = ob->steps.list.truncated;
                r->steps_reclaimed = ob->steps.reclaim_fd >= 0;
        }
        if (!ob->watching)
                return 0;

        if (mc_event_watch_finish(w, &rerr) < 0)
                warn(ob, "last memory events: %s, ignoring", rerr.msg);
        if (ob->killing) {
                mc_pressure_kill_done(&ob->kill);
                r->pressure_kill = &ob->kill.result;
        }
        judge(w, ob->killing && ob->kill.result.fired, r);
        mc_event_watch_exit(w, r->exit_code, r->signal, r->verdict.text);

        free(ob->kills);
        ob->kills = NULL;
        if (w->n_kills > 0) {
                ob->kills = calloc(w->n_kills, sizeof(*ob->kills));
                if (!ob->kills)
                        return mc_error_errno(err, ENOMEM, "the run's OOM kills");
                for (size_t i = 0; i < w->n_kills; i++) {
                        const struct mc_oom_kill *k = &w->kills[i];
                        ob->kills[i] = (struct mc_report_oom_kill){
                                .t = k->t, .pid = k->pid, .known = k->known, .cause = k->cause
                        };
                        snprintf(ob->kills[i].name, sizeof(ob->kills[i].name), "%s", k->name);
                }
        }
        r->oom_kills = ob->kills;
        r->n_oom_kills = w->n_kills;
        r->has_swap_events = w->has_swap_events;
        r->swap_events = w->swap_events;
        r->has_pressure = w->has_pressure;
        memcpy(r->pressure_total_us, w->pressure_total_us, sizeof(r->pressure_total_us));
        r->pressure_triggers = w->triggers;
        r->n_pressure_triggers = w->n_triggers;
        r->pressure_refused = w->refused;
        r->n_pressure_refused = w->n_refused;
        r->log = w->log;
        r->log_truncated = w->log_truncated;
        return 0;
}

int mc_observe_exit_status(const struct mc_observation *r)
{
        if (r->has_verdict && r->verdict.code == MC_VERDICT_PRESSURE_KILLED)
                return MC_OBSERVE_EXIT_PRESSURE_KILLED;
        return r->exit_code;
}

void mc_observe_done(struct mc_observe *ob)
{
        if (ob->watching)
                mc_event_watch_done(&ob->events);
        ob->watching = false;
        if (ob->killing)
                mc_pressure_kill_done(&ob->kill);
        ob->killing = false;
        mc_sampler_free(TAKE_PTR(ob->sampler));
        if (ob->stepping)
                mc_steps_done(&ob->steps);
        ob->stepping = false;
        mc_closep(&ob->time_fd);
        ob->time_fd = -EBADF;
        ob->time_watch.fd = -1;
        free(TAKE_PTR(ob->watches));
        free(TAKE_PTR(ob->kills));
        ob->n_watches = 0;
}
