/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The observations of a run, one stage between the child and the report:
 * opened on the group before the command starts (memory.events and
 * memory.events.local as they were, the hugetlb counters, the event watch
 * with its PSI triggers, the sampler), started with the child, polled by
 * mc_supervise() through its watches, and finished once the group is empty
 * (memory.peak, the counters' increase, the hugetlb readings, the sampler's
 * and the event watch's results, the verdict) into the report model.
 *
 * Nothing here prints: events go to the emit callback, warnings (an
 * observer that cannot run, which costs the report its observations but
 * never the run) to the warn callback, as text.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "event-watch.h"
#include "events.h"
#include "hugetlb-run.h"
#include "pressure-kill.h"
#include "pressure.h"
#include "profile.h"
#include "report.h"
#include "sampler.h"
#include "spawn.h"
#include "steps.h"
#include "supervise.h"

/*
 * Without a [pressure] section: full = 10%/2s. "full" stalls only when every
 * task of the group waits on memory at once (reclaim or memory.high
 * throttling), so it stays silent under ordinary page-cache reclaim; 10% of
 * 2 s is 200 ms lost in a window, which a throttled group exceeds within
 * the first window; and a 2 s window is accepted from unprivileged users too.
 */
#define MC_OBSERVE_DEFAULT_PRESSURE_KIND MC_PSI_FULL
#define MC_OBSERVE_DEFAULT_PRESSURE      "10%/2s"
/*
 * The default trigger is registered once the command has run this long: a
 * shorter run could not stall 200 ms, and skips the RCU grace period that
 * closing a trigger costs (10-20 ms, more than a short launch itself). A
 * stall from the start fires it at most this much later.
 */
#define MC_OBSERVE_DEFAULT_PRESSURE_DELAY_MS 100

/* The PSI triggers of a run. */
struct mc_observe_triggers {
        struct mc_pressure_trigger t[_MC_PSI_KIND_COUNT];
        size_t n;
        bool is_default;   /* memcage's own: left out when the kernel refuses it */
        bool unprivileged; /* a non-root launcher: a refused trigger falls back to the stall totals */
        char notices[_MC_PSI_KIND_COUNT][256]; /* windows rounded up for the kernel, for the CLI to say */
        size_t n_notices;
};

/*
 * The [pressure] triggers of p, or the default without any, for a launcher
 * of effective uid euid. Without root the kernel takes only windows that are
 * multiples of 2 s (some kernels none at all): a window is
 * rounded up to the next multiple and the stall scaled with it (the same
 * share of the window), with a notice; a trigger the kernel then refuses is
 * left out and the report's stall totals stand for it. The message names
 * file:line.
 */
int mc_observe_triggers_from_profile(const struct mc_profile *p, uid_t euid, struct mc_observe_triggers *ret,
                                     struct mc_error *err);

/* The pressure kill policy of a run: [pressure] kill and kill_grace (--kill-on-pressure sets kill). */
struct mc_observe_kill {
        bool set;
        struct mc_pressure_kill_rule rule;
        uint64_t grace_us;
};

/*
 * The kill rule of p, if any, for a launcher of effective uid euid: a rule
 * the kernel cannot arm for it (a window not a multiple of 2 s without
 * root) is an error, not rounded: the user asked for that rule to end runs.
 * The message names file:line.
 */
int mc_observe_kill_from_profile(const struct mc_profile *p, uid_t euid, struct mc_observe_kill *ret,
                                 struct mc_error *err);

/*
 * The sampling interval: option (--interval) wins over [report] interval of
 * p, and without either MC_SAMPLER_DEFAULT_INTERVAL_MS; 0 is no sampling.
 * The message names the option or file:line.
 */
int mc_observe_interval(const struct mc_profile *p, const char *option, uint64_t *ret_ms,
                        struct mc_error *err);

struct mc_observe_opts {
        int group_fd;                               /* stays open until mc_observe_done() */
        const char *cgroup;                         /* relative to the cgroup2 root, "memcage/x" */
        uint64_t interval_ms;                       /* sampling interval, 0 for none */
        const struct mc_observe_triggers *triggers; /* NULL: none */
        const char *kmsg_path;                      /* "/dev/kmsg"; NULL: no kernel log */
        struct mc_hugetlb_run *hugetlb;             /* the run's page sizes; NULL: none */
        const struct mc_observe_kill *kill;         /* the pressure kill rule; NULL or !set: none */
        const char *command;                        /* the command's name, for the kill's lines */
        /*
         * The group is killed when the command has run this long (0: no
         * limit): a run whose result is known to be worthless past it (a
         * probe of memcage size already too slow) ends there.
         */
        uint64_t time_limit_us;
        bool steps_set_owner; /* the command runs as steps_uid:steps_gid */
        uid_t steps_uid;
        gid_t steps_gid;
        bool steps_reclaim; /* memory.reclaim at each step's start (steps.h); an error without it */
        mc_event_emit_fn emit;
        void *emit_userdata;
        mc_warn_fn warn;
        void *warn_userdata;
};

struct mc_observe {
        struct mc_observe_opts o;
        struct mc_counters before, before_local;
        bool watching;
        struct mc_event_watch events;
        bool killing; /* a pressure kill rule is armed */
        struct mc_pressure_kill kill;
        struct mc_sampler *sampler; /* NULL when sampling is off or could not run */
        struct mc_watch sampler_watches[2];
        size_t n_sampler_watches;
        int time_fd; /* the time limit's timerfd, -EBADF without a limit */
        struct mc_watch time_watch;
        bool timed_out;            /* the time limit killed the group */
        uint64_t timed_out_ns;     /* when */
        struct mc_watch **watches; /* for mc_supervise(): the event watch's, then the sampler's */
        size_t n_watches;
        bool started;
        uint64_t start_ns;
        struct mc_report_oom_kill *kills; /* the observation's copy of the event watch's */
        bool stepping;                    /* the steps' FIFO is there (steps.h) */
        struct mc_steps steps;
};

/*
 * Before the command starts, so that nothing it does is missed. The group
 * must have memory.events and memory.events.local; the time limit's timer
 * too, when there is one (it was asked for); the sampler is optional
 * (a warning "sampling off: ..." when it cannot run). On failure nothing
 * stays open. The steps' FIFO is optional too ("steps off: ..."): its
 * path is in ob->steps.path while ob->stepping.
 */
int mc_observe_open(struct mc_observe *ob, const struct mc_observe_opts *opts, struct mc_error *err);

/*
 * The command started at start_ns (CLOCK_MONOTONIC) as child: the first
 * sample, the "start" event, and the time limit counted from start_ns.
 */
void mc_observe_start(struct mc_observe *ob, uint64_t start_ns, const struct mc_child *child);

/* The watches for mc_supervise_opts, after mc_observe_start(); they stay owned by ob. */
void mc_observe_get_watches(const struct mc_observe *ob, struct mc_watch *const **ret, size_t *ret_n);

/*
 * The group is empty after res: ret gets the command's end, the duration,
 * the counters' increase, memory.peak (unknown before Linux 5.19), the
 * samples, the OOM kills, the verdict, whether the time limit ended the run
 * and the signals memcage received, and the hugetlb run its end readings;
 * the "exit" event is emitted last. What ret points to stays valid until
 * mc_observe_done(). -ENOMEM only when the copy of the kills cannot be made.
 */
int mc_observe_finish(struct mc_observe *ob, const struct mc_supervise_result *res,
                      struct mc_observation *ret, struct mc_error *err);

/* The exit status of a run the pressure kill rule ended (memcage(1): 124, as timeout(1) gives). */
#define MC_OBSERVE_EXIT_PRESSURE_KILLED 124

/*
 * memcage's exit status for a command observed to its end (mc_observe_finish()):
 * the command's, but MC_OBSERVE_EXIT_PRESSURE_KILLED when memcage's kill rule
 * ended it, as memcage did that; the command's own stays in its exit_code.
 */
int mc_observe_exit_status(const struct mc_observation *o);

void mc_observe_done(struct mc_observe *ob);
