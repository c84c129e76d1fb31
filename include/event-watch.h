/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Live memory events of a run: memory.events, memory.swap.events,
 * hugetlb.<size>.events and PSI triggers on memory.pressure, each an fd the
 * supervision loop polls (POLLPRI), plus the kernel log (/dev/kmsg) for the
 * names of OOM victims. No timer runs while nothing happens: the only timer
 * is armed while a rate-limited line waits to be written.
 *
 * Every event goes to an emit callback with its JSON object (the line of
 * --events) and is kept, up to a bound, for the report's "log". This module
 * never prints.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "event-model.h"
#include "event-rate.h"
#include "event-text.h"
#include "events.h"
#include "kmsg-oom.h"
#include "pressure-kill.h"
#include "pressure.h"
#include "watch.h"
#include "verdict.h"

/* At most this many OOM kills and log entries are kept (the count goes on in memory.events). */
#define MC_EVENT_KEEP_MAX 1000

/* How long an oom_kill line waits for the kernel log to name its victim. */
#define MC_KMSG_WAIT_NS (250 * 1000000ull)

typedef void (*mc_event_emit_fn)(void *userdata, const struct mc_event *ev, const json_t *json);

struct mc_event_watch_opts {
        int group_fd;
        const char *cgroup; /* the group relative to the cgroup2 root ("memcage/x"), for the kernel log */
        const struct mc_pressure_trigger *triggers;
        size_t n_triggers;
        /* A trigger the kernel refuses is left out rather than an error (memcage's default trigger). */
        bool triggers_optional;
        /*
         * Register the triggers only once the command has run this long (0: before
         * it starts). Closing a trigger costs an RCU grace period in the kernel
         * (psi_trigger_destroy() calls synchronize_rcu()), 10-20 ms of idle time
         * for every run; a run shorter than this never pays it.
         */
        uint64_t triggers_delay_ns;
        const char *kmsg_path; /* "/dev/kmsg"; NULL: no kernel log */
        mc_event_emit_fn emit;
        void *userdata;
};

struct mc_event_source;

struct mc_event_watch {
        struct mc_event_watch_opts o;
        uint64_t start_ns;
        bool started;

        int events_fd;
        /* events_base: the first reading, the run's one baseline of memory.events (observe takes it). */
        struct mc_counters events_base, events_last;
        struct mc_event_rate rates[_MC_EVENT_TYPE_COUNT];
        bool has_limit[_MC_EVENT_TYPE_COUNT];
        uint64_t limit[_MC_EVENT_TYPE_COUNT];

        int swap_fd; /* -EBADF without swap accounting */
        struct mc_counters swap_base, swap_last;

        struct mc_hugetlb_events {
                char size[16];
                int fd;
                /* base: the first reading, the run's one baseline (observe hands it to hugetlb-run). */
                struct mc_counters base, last;
                struct mc_event_rate rate;
        } * hugetlb;
        size_t n_hugetlb;

        struct mc_pressure_trigger *triggers; /* the ones registered */
        int *trigger_fds;
        size_t n_triggers;
        bool triggers_pending; /* triggers_delay_ns: registered at triggers_arm_ns */
        uint64_t triggers_arm_ns;
        size_t trigger_source0; /* the watch of triggers[0]; triggers[i] is the one after */
        /* Optional triggers the kernel refused, and why. */
        struct mc_pressure_trigger refused[4];
        char refused_why[4][256];
        size_t n_refused;

        int kmsg_fd;      /* -EBADF when the kernel log is not readable */
        char *kmsg_group; /* "/memcage/x", as the kernel prints it */
        bool kmsg_ours;   /* the OOM being logged is in the group */
        enum mc_oom_cause kmsg_cause;
        struct mc_oom_kill *victims; /* from the kernel log, in order */
        size_t n_victims;

        int timer_fd;

        struct mc_watch *watches;
        struct mc_event_source *sources;
        size_t n_watches;

        /* Results, complete after mc_event_watch_finish(). */
        struct mc_oom_kill *kills; /* one per oom_kill counted by memory.events */
        size_t n_kills;
        size_t n_kills_emitted; /* oom_kill lines written; the others wait for their name */
        bool has_swap_events;
        struct mc_counters swap_events; /* increase of memory.swap.events */
        uint64_t hugetlb_max;           /* increase of max over every hugetlb.<size>.events */
        bool has_pressure;
        uint64_t pressure_total_us[_MC_PSI_KIND_COUNT];
        json_t *log;
        bool log_truncated;
};

/*
 * Opens the sources of the group and registers the PSI triggers; call before
 * the command starts, so nothing it does is missed. memory.events is needed;
 * every other source is used when present. On failure nothing stays open.
 */
int mc_event_watch_open(struct mc_event_watch *w, const struct mc_event_watch_opts *opts,
                        struct mc_error *err);

/* The fds for mc_supervise_opts.watches; they stay owned by w. */
void mc_event_watch_get_watches(struct mc_event_watch *w, struct mc_watch **ret, size_t *ret_n);

/* The command started at start_ns (CLOCK_MONOTONIC) as pid: the "start" event. */
void mc_event_watch_start(struct mc_event_watch *w, uint64_t start_ns, pid_t pid);

/*
 * After the group emptied: the last counts, the kernel log read to its end
 * (victims logged after their kill was counted get their names), waiting
 * lines written, results computed, fds closed.
 */
int mc_event_watch_finish(struct mc_event_watch *w, struct mc_error *err);

/* An event of another part of the run (the pressure kill policy): t is set here, then as any other. */
void mc_event_watch_emit(struct mc_event_watch *w, struct mc_event *ev);

/* The "exit" event, last. */
void mc_event_watch_exit(struct mc_event_watch *w, int code, int signal, const char *verdict);

void mc_event_watch_done(struct mc_event_watch *w);
