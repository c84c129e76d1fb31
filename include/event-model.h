/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The events of a run (the lines of --events and the report's "log"): their
 * types and their JSON form. Pure data: the watch that makes them is
 * event-watch.h, their text for people event-text.h.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pressure.h"
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

/* The JSON line of an event (docs/report-schema.md, "Events"); NULL when out of memory. */
json_t *mc_event_to_json(const struct mc_event *ev);
