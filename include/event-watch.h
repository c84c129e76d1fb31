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
#include "events.h"
#include "pressure-kill.h"
#include "pressure.h"
#include "supervise.h"
#include "verdict.h"

enum mc_event_type {
        MC_EVENT_START,
        MC_EVENT_HIGH,
        MC_EVENT_MAX,
        MC_EVENT_OOM,
        MC_EVENT_OOM_KILL,
        MC_EVENT_OOM_GROUP_KILL,
        MC_EVENT_SWAP_HIGH,
        MC_EVENT_SWAP_MAX,
        MC_EVENT_SWAP_FAIL,
        MC_EVENT_HUGETLB_MAX,
        MC_EVENT_PRESSURE,
        MC_EVENT_PRESSURE_KILL,
        MC_EVENT_EXIT,
        _MC_EVENT_TYPE_COUNT,
};

/* "start", "high", ..., the "type" of the JSON line. */
const char *mc_event_type_name(enum mc_event_type t);

struct mc_event {
        enum mc_event_type type;
        double t; /* seconds since the command started */
        uint64_t count;
        bool has_current;
        uint64_t current; /* memory.current, or memory.swap.current for swap_* */
        bool has_limit;
        uint64_t limit;   /* the limit the counter is about (memory.high for high, ...); not in JSON */
        pid_t pid;        /* start, oom_kill; 0 when unknown */
        const char *name; /* oom_kill: the victim, NULL when unknown */
        enum mc_oom_cause cause;
        const char *cgroup; /* start */
        const char *size;   /* hugetlb_max: "2MB" */
        const struct mc_pressure_trigger *trigger;
        bool has_avg10;
        double avg10;
        int code, signal;    /* exit; signal 0 when none */
        const char *verdict; /* exit */
        /* pressure_kill: MC_PRESSURE_KILL_GRACE when SIGTERM went out, _KILLED at cgroup.kill */
        enum mc_pressure_kill_stage stage;
        const struct mc_pressure_kill_result *pkill;
        const char *command; /* pressure_kill: the command's name */
};

/*
 * The text of an event for people, without prefix ("memory.high reached 3
 * times: throttled at 47.9M of high 48M"); empty for the events that have
 * none (start and exit: the limits and summary lines say them). again: an
 * oom_kill of a victim already named (memory.oom.group kills it a second
 * time). Returns buf; 512 bytes suffice.
 */
const char *mc_event_format(const struct mc_event *ev, bool again, char *buf, size_t n);

/* The JSON line of an event (docs/report-schema.md, "Events"); NULL when out of memory. */
json_t *mc_event_to_json(const struct mc_event *ev);

/*
 * One line per type per second at most: kernel counters can move thousands
 * of times a second. Counts arriving within a second of the last line wait
 * and go out together on the next one.
 */
#define MC_EVENT_RATE_NS 1000000000ull

struct mc_event_rate {
        bool emitted; /* a line was written: last_ns is valid */
        uint64_t last_ns;
        uint64_t pending;
};

/* delta kernel events at now: true when a line is due now, with its count (pending included). */
bool mc_event_rate_add(struct mc_event_rate *r, uint64_t now_ns, uint64_t delta, uint64_t *ret_count);
/* True when counts wait, with the time their line is due. */
bool mc_event_rate_deadline(const struct mc_event_rate *r, uint64_t *ret_ns);
/* True when waiting counts are due at now (or force), with their count, which is taken. */
bool mc_event_rate_take(struct mc_event_rate *r, uint64_t now_ns, bool force, uint64_t *ret_count);

/* At most this many OOM kills and log entries are kept (the count goes on in memory.events). */
#define MC_EVENT_KEEP_MAX 1000

struct mc_oom_kill {
        double t;
        pid_t pid; /* 0 when unknown */
        char name[64];
        bool known; /* pid and name came from the kernel log */
        enum mc_oom_cause cause;
        uint64_t counted_ns; /* when memory.events counted it (CLOCK_MONOTONIC) */
};

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
        struct mc_counters events_base, events_last;
        struct mc_event_rate rates[_MC_EVENT_TYPE_COUNT];
        bool has_limit[_MC_EVENT_TYPE_COUNT];
        uint64_t limit[_MC_EVENT_TYPE_COUNT];

        int swap_fd; /* -EBADF without swap accounting */
        struct mc_counters swap_base, swap_last;

        struct mc_hugetlb_events {
                char size[16];
                int fd;
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

/*
 * Parses one /dev/kmsg record ("6,1234,5678,-;message\n...") for the OOM
 * killer's lines about the group path (as the kernel prints it, "/memcage/x"):
 * updates the ours/cause state and returns 1 with a victim in *ret for a
 * "Killed process PID (NAME)" line of the group, 0 otherwise.
 */
int mc_kmsg_parse_oom(const char *record, const char *group, bool *ours, enum mc_oom_cause *cause,
                      struct mc_oom_kill *ret);
