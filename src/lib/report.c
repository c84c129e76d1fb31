/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "credentials.h"
#include "json-util.h"
#include "output.h"
#include "report.h"
#include "sampler.h"
#include "size.h"
#include "steps.h"
#include "util.h"

/* jansson signals failure only through NULL/-1; an allocation failure is all it can be here. */
#define JSON_CHECK(expr)             \
        do {                         \
                if ((expr) < 0)      \
                        return NULL; \
        } while (0)

static json_t *counters_to_json(const struct mc_counters *c)
{
        json_t *o = json_object();
        if (!o)
                return NULL;
        for (size_t i = 0; i < c->n; i++)
                if (json_object_set_new(o, c->c[i].name, mc_json_u64(c->c[i].value)) < 0) {
                        json_decref(o);
                        return NULL;
                }
        return o;
}

static json_t *limits_to_json(const struct mc_limits *l)
{
        json_t *o = json_object();
        if (!o)
                return NULL;
        for (int i = 0; i < _MC_LIMIT_COUNT; i++) {
                const struct mc_limit_value *v = &l->v[i];
                json_t *j;
                if (!v->set)
                        continue;
                if (!mc_limit_is_size(i))
                        j = json_boolean(v->value != 0);
                else if (v->value == UINT64_MAX)
                        j = json_null();
                else
                        j = mc_json_u64(v->value);
                if (json_object_set_new(o, mc_limit_name(i), j) < 0) {
                        json_decref(o);
                        return NULL;
                }
        }
        return o;
}

static json_t *bytes_or_null(bool has, uint64_t v)
{
        return has && v != UINT64_MAX ? mc_json_u64(v) : json_null();
}

/*
 * hugetlb has no peak file in cgroup v2: "peak" is the highest
 * hugetlb.<size>.current the sampler saw (null without sampling). A hit of
 * the fault limit (SIGBUS) shows as events_max > 0.
 */
static json_t *hugetlb_peak(const struct mc_report *r, const char *size)
{
        const struct mc_sample_summary *s = r->obs.samples;
        for (size_t i = 0; s && s->timeline && i < s->n_hugetlb; i++)
                if (streq(s->hugetlb[i].size, size))
                        return mc_json_u64(s->hugetlb[i].max);
        return json_null();
}

static json_t *hugetlb_to_json(const struct mc_report *r)
{
        json_auto_t *o = json_object();
        if (!o)
                return NULL;
        for (size_t i = 0; i < r->n_hugetlb; i++) {
                const struct mc_report_hugetlb *h = &r->hugetlb[i];
                json_t *e = json_object();
                JSON_CHECK(json_object_set_new(o, h->size, e));
                JSON_CHECK(json_object_set_new(e, "max", bytes_or_null(h->has_limits, h->max)));
                JSON_CHECK(json_object_set_new(e, "rsvd.max", bytes_or_null(h->has_limits, h->rsvd_max)));
                JSON_CHECK(json_object_set_new(e, "current", bytes_or_null(h->has_usage, h->current)));
                JSON_CHECK(json_object_set_new(e, "peak", hugetlb_peak(r, h->size)));
                JSON_CHECK(json_object_set_new(e, "rsvd_current",
                                               bytes_or_null(h->has_usage, h->rsvd_current)));
                JSON_CHECK(json_object_set_new(e, "events_max",
                                               h->has_events ? mc_json_u64(h->events_max) : json_null()));
                JSON_CHECK(json_object_set_new(e, "reserved_pages", mc_json_u64(h->reserved_pages)));
                JSON_CHECK(json_object_set_new(e, "added_pages", mc_json_u64(h->added_pages)));
        }
        return TAKE_PTR(o);
}

/* true when a hugetlb fault limit was hit during the run, null when unknown or no [hugetlb]. */
static json_t *hugetlb_limit_hit(const struct mc_report *r)
{
        bool known = false, hit = false;
        for (size_t i = 0; i < r->n_hugetlb; i++)
                if (r->hugetlb[i].has_events) {
                        known = true;
                        hit = hit || r->hugetlb[i].events_max > 0;
                }
        return known ? json_boolean(hit) : json_null();
}

/* Seconds rounded to microseconds, the precision of every time in the report. */
static double round_us(double s)
{
        return (double)(int64_t)(s * 1e6 + 0.5) / 1e6;
}

static json_t *string_or_null(const char *s)
{
        return s ? json_string(s) : json_null();
}

static json_t *run_to_json(const struct mc_report_run *run)
{
        json_auto_t *o = json_object();
        if (!o)
                return NULL;
        JSON_CHECK(json_object_set_new(o, "user", string_or_null(run->user)));
        JSON_CHECK(json_object_set_new(o, "uid", run->user ? json_integer(run->uid) : json_null()));
        JSON_CHECK(json_object_set_new(o, "gid", run->has_gid ? json_integer(run->gid) : json_null()));
        json_t *groups = run->has_groups ? json_array() : json_null();
        JSON_CHECK(json_object_set_new(o, "groups", groups));
        for (size_t i = 0; run->has_groups && i < run->n_groups; i++)
                JSON_CHECK(json_array_append_new(groups, json_integer(run->groups[i])));
        json_t *caps = run->capabilities ? json_array() : json_null();
        JSON_CHECK(json_object_set_new(o, "capabilities", caps));
        for (char *const *c = run->capabilities; c && *c; c++)
                JSON_CHECK(json_array_append_new(caps, json_string(*c)));
        return TAKE_PTR(o);
}

/* Seconds, from the sampler's nanoseconds, to the microsecond like every time of the report. */
static json_t *json_seconds(uint64_t ns)
{
        return json_real(round_us((double)ns / 1e9));
}

/* avg10 in percent, from hundredths. */
static json_t *json_avg10(uint32_t v)
{
        return json_real(v / 100.0);
}

static json_t *breakdown_to_json(const struct mc_snapshot *s)
{
        return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "t", json_seconds(s->t_ns), "current",
                         mc_json_u64(s->current), "anon", mc_json_u64(s->stat.anon), "file",
                         mc_json_u64(s->stat.file), "shmem", mc_json_u64(s->stat.shmem), "kernel",
                         mc_json_u64(s->stat.kernel), "sock", mc_json_u64(s->stat.sock), "file_mapped",
                         mc_json_u64(s->stat.file_mapped));
}

static json_t *processes_to_json(const struct mc_snapshot *s)
{
        json_auto_t *top = json_array();
        if (!top)
                return NULL;
        for (size_t i = 0; i < s->n_top; i++) {
                const struct mc_proc_mem *p = &s->top[i];
                json_t *e = json_pack("{s:i, s:o, s:o, s:o, s:o, s:o}", "pid", (int)p->pid, "name",
                                      p->name[0] ? json_string(p->name) : json_null(), "rss",
                                      mc_json_u64(p->mem.rss), "pss", mc_json_u64(p->mem.pss), "uss",
                                      mc_json_u64(p->mem.uss), "swap", mc_json_u64(p->mem.swap));
                JSON_CHECK(json_array_append_new(top, e));
        }
        return json_pack("{s:o, s:O}", "t", json_seconds(s->t_ns), "top", top);
}

/* One column of the timeline. */
static json_t *column_u64(const uint64_t *v, size_t n)
{
        json_t *a = json_array();
        for (size_t i = 0; a && i < n; i++)
                if (json_array_append_new(a, mc_json_u64(v[i])) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

static json_t *column_avg10(const uint32_t *v, size_t n)
{
        json_t *a = json_array();
        for (size_t i = 0; a && i < n; i++)
                if (json_array_append_new(a, json_avg10(v[i])) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

static json_t *timeline_to_json(const struct mc_timeline *tl)
{
        json_auto_t *t = json_array();
        for (size_t i = 0; t && i < tl->n; i++)
                JSON_CHECK(json_array_append_new(t, json_seconds(tl->t_ns[i])));
        if (!t)
                return NULL;
        /* By page size, {"2MB": [...]}; null where the group has no hugetlb controller. */
        json_auto_t *huge = tl->n_hugetlb ? json_object() : json_null();
        if (!huge)
                return NULL;
        for (size_t h = 0; h < tl->n_hugetlb; h++)
                JSON_CHECK(json_object_set_new(huge, tl->hugetlb_size[h],
                                               column_u64(tl->hugetlb_current[h], tl->n)));
        return json_pack("{s:o, s:O, s:o, s:o, s:o, s:o, s:O}", "interval_s", json_seconds(tl->interval_ns),
                         "t", t, "memory_current", column_u64(tl->memory_current, tl->n), "swap_current",
                         tl->has_swap ? column_u64(tl->swap_current, tl->n) : json_null(), "some_avg10",
                         tl->has_psi ? column_avg10(tl->some_avg10, tl->n) : json_null(), "full_avg10",
                         tl->has_psi ? column_avg10(tl->full_avg10, tl->n) : json_null(), "hugetlb_current",
                         huge);
}

/*
 * The sampler's fields (docs/report-schema.md, "Fields of the run's
 * observations"): memory.swap_peak, .swap_peak_source, .breakdown,
 * .pgmajfault, and pressure (the avg10 maxima), processes, cpu, timeline.
 */
static int add_samples(json_t *root, json_t *mem, const struct mc_sample_summary *s)
{
        static const struct mc_sample_summary none = { 0 };
        if (!s)
                s = &none;
        bool snap = s->has_snapshot;

        if (json_object_set_new(mem, "swap_peak", mc_json_u64_or_null(s->has_swap_peak, s->swap_peak)) < 0 ||
            json_object_set_new(mem, "swap_peak_source", string_or_null(s->swap_peak_source)) < 0 ||
            json_object_set_new(mem, "breakdown", snap ? breakdown_to_json(&s->snapshot) : json_null()) <
                    0 ||
            json_object_set_new(mem, "pgmajfault", mc_json_u64_or_null(s->has_pgmajfault, s->pgmajfault)) <
                    0)
                return -1;

        json_t *cpu = json_null();
        if (s->has_cpu)
                cpu = json_pack("{s:o, s:o}", "user_s", json_real((double)s->user_usec / 1e6), "system_s",
                                json_real((double)s->system_usec / 1e6));
        if (json_object_set_new(root, "processes", snap ? processes_to_json(&s->snapshot) : json_null()) <
                    0 ||
            json_object_set_new(root, "cpu", cpu) < 0 ||
            json_object_set_new(root, "timeline",
                                s->timeline ? timeline_to_json(s->timeline) : json_null()) < 0)
                return -1;
        return 0;
}

static json_t *verdict_to_json(const struct mc_verdict *v)
{
        const char *cause = mc_oom_cause_name(v->cause);
        return json_pack("{s:s, s:o, s:o, s:s}", "code", mc_verdict_code_name(v->code), "cause",
                         cause ? json_string(cause) : json_null(), "signal",
                         v->signal ? json_integer(v->signal) : json_null(), "text", v->text);
}

static json_t *oom_kills_to_json(const struct mc_report *r)
{
        json_auto_t *a = json_array();
        if (!a)
                return NULL;
        for (size_t i = 0; i < r->obs.n_oom_kills; i++) {
                const struct mc_report_oom_kill *k = &r->obs.oom_kills[i];
                const char *cause = mc_oom_cause_name(k->cause);
                json_t *o = json_pack("{s:f, s:o, s:o, s:o}", "t", round_us(k->t), "pid",
                                      k->known ? json_integer(k->pid) : json_null(), "name",
                                      k->known ? json_string(k->name) : json_null(), "cause",
                                      cause ? json_string(cause) : json_null());
                if (json_array_append_new(a, o) < 0)
                        return NULL;
        }
        return TAKE_PTR(a);
}

/* The kill rule and what it did (docs/report-schema.md, pressure.kill). */
static json_t *pressure_kill_to_json(const struct mc_pressure_kill_result *k)
{
        const struct mc_pressure_kill_rule *rule = k->rule;
        return json_pack(
                "{s:s, s:s, s:I, s:I, s:I, s:i, s:f, s:b, s:i, s:o, s:o, s:o, s:b, s:b, s:o, s:o}", "rule",
                rule->spec, "kind", mc_psi_kind_name(rule->trigger.kind), "stall_us",
                (json_int_t)rule->trigger.stall_us, "window_us", (json_int_t)rule->trigger.window_us,
                "duration_us", (json_int_t)rule->duration_us, "windows", (int)rule->windows, "grace_s",
                (double)k->grace_us / 1e6, "fired", k->fired, "windows_in_a_row", (int)k->longest,
                "fired_at", k->fired ? json_real(round_us(k->fired_at)) : json_null(), "stall_percent",
                k->fired && k->has_stall ? json_real((double)(int64_t)(k->stall_percent * 100 + 0.5) / 100)
                                         : json_null(),
                "stall_over_s",
                k->fired && k->has_stall ? json_real(round_us(k->stall_over_s)) : json_null(), "frozen",
                k->frozen, "escalated_to_kill", k->escalated_to_kill, "some_total_us",
                k->fired ? mc_json_u64(k->total_us[MC_PSI_SOME]) : json_null(), "full_total_us",
                k->fired ? mc_json_u64(k->total_us[MC_PSI_FULL]) : json_null());
}

/* The watcher's stall totals and triggers, with the sampler's highest avg10 (null without sampling). */
static json_t *pressure_to_json(const struct mc_report *r)
{
        const struct mc_sample_summary *smp =
                r->obs.samples && r->obs.samples->has_psi ? r->obs.samples : NULL;
        json_auto_t *o = json_object();
        json_t *trig = json_array();
        if (!o ||
            json_object_set_new(o, "some_total_us", mc_json_u64(r->obs.pressure_total_us[MC_PSI_SOME])) <
                    0 ||
            json_object_set_new(o, "full_total_us", mc_json_u64(r->obs.pressure_total_us[MC_PSI_FULL])) <
                    0 ||
            json_object_set_new(o, "some_avg10_max", smp ? json_avg10(smp->some_avg10_max) : json_null()) <
                    0 ||
            json_object_set_new(o, "full_avg10_max", smp ? json_avg10(smp->full_avg10_max) : json_null()) <
                    0 ||
            json_object_set_new(o, "triggers", trig) < 0 ||
            json_object_set_new(o, "kill",
                                r->obs.pressure_kill ? pressure_kill_to_json(r->obs.pressure_kill)
                                                     : json_null()) < 0)
                return NULL;
        json_t *refused = json_array();
        if (json_object_set_new(o, "triggers_refused", refused) < 0)
                return NULL;
        for (size_t i = 0; i < r->obs.n_pressure_refused; i++) {
                const struct mc_pressure_trigger *t = &r->obs.pressure_refused[i];
                if (json_array_append_new(refused,
                                          json_pack("{s:s, s:I, s:I}", "kind", mc_psi_kind_name(t->kind),
                                                    "stall_us", (json_int_t)t->stall_us, "window_us",
                                                    (json_int_t)t->window_us)) < 0)
                        return NULL;
        }
        for (size_t i = 0; i < r->obs.n_pressure_triggers; i++) {
                const struct mc_pressure_trigger *t = &r->obs.pressure_triggers[i];
                if (json_array_append_new(
                            trig, json_pack("{s:s, s:I, s:I, s:i}", "kind", mc_psi_kind_name(t->kind),
                                            "stall_us", (json_int_t)t->stall_us, "window_us",
                                            (json_int_t)t->window_us, "fired", (int)t->fired)) < 0)
                        return NULL;
        }
        return TAKE_PTR(o);
}

static json_t *steps_to_json(const struct mc_report *r)
{
        json_auto_t *a = json_array();
        if (!a)
                return NULL;
        for (size_t i = 0; i < r->obs.n_steps; i++) {
                const struct mc_step *s = &r->obs.steps[i];
                json_t *o = json_object();
                JSON_CHECK(json_array_append_new(a, o));
                JSON_CHECK(json_object_set_new(o, "name", json_string(s->name)));
                JSON_CHECK(json_object_set_new(o, "start_s", json_seconds(s->start_ns)));
                JSON_CHECK(json_object_set_new(o, "duration_s", json_seconds(s->end_ns - s->start_ns)));
                JSON_CHECK(json_object_set_new(o, "peak", mc_json_u64_or_null(s->has_peak, s->peak)));
                JSON_CHECK(json_object_set_new(o, "peak_source", string_or_null(s->peak_source)));
                JSON_CHECK(json_object_set_new(o, "swap_peak",
                                               mc_json_u64_or_null(s->has_swap_peak, s->swap_peak)));
                JSON_CHECK(json_object_set_new(o, "swap_peak_source", string_or_null(s->swap_peak_source)));
                JSON_CHECK(json_object_set_new(
                        o, "some_total_us",
                        mc_json_u64_or_null(s->has_pressure, s->pressure_total_us[MC_PSI_SOME])));
                JSON_CHECK(json_object_set_new(
                        o, "full_total_us",
                        mc_json_u64_or_null(s->has_pressure, s->pressure_total_us[MC_PSI_FULL])));
                JSON_CHECK(json_object_set_new(o, "oom_kills",
                                               mc_json_u64_or_null(s->has_events, s->oom_kills)));
                JSON_CHECK(json_object_set_new(o, "events",
                                               s->has_events ? counters_to_json(&s->events) : json_null()));
        }
        return TAKE_PTR(a);
}

/* The fields of the event watcher and the verdict ("Fields of the run's observations"). */
static int observations_to_json(json_t *root, const struct mc_report *r)
{
        if (json_object_set_new(root, "verdict",
                                r->obs.has_verdict ? verdict_to_json(&r->obs.verdict) : json_null()) < 0 ||
            json_object_set_new(root, "oom_kills", oom_kills_to_json(r)) < 0 ||
            json_object_set_new(root, "swap_events",
                                r->obs.has_swap_events ? counters_to_json(&r->obs.swap_events)
                                                       : json_null()) < 0 ||
            json_object_set_new(root, "pressure", r->obs.has_pressure ? pressure_to_json(r) : json_null()) <
                    0 ||
            json_object_set_new(root, "log", r->obs.log ? json_deep_copy(r->obs.log) : json_array()) < 0 ||
            json_object_set_new(root, "log_truncated", json_boolean(r->obs.log_truncated)) < 0 ||
            json_object_set_new(root, "steps", steps_to_json(r)) < 0 ||
            json_object_set_new(root, "steps_truncated", json_boolean(r->obs.steps_truncated)) < 0 ||
            json_object_set_new(root, "steps_reclaimed", json_boolean(r->obs.steps_reclaimed)) < 0)
                return -1;
        return 0;
}

bool mc_report_run_from_credentials(const struct mc_credentials *c, struct mc_report_run *ret)
{
        if (!c->set_uid && !c->set_gid && !c->set_caps)
                return false;
        *ret = (struct mc_report_run){
                .user = c->set_uid ? c->user : NULL,
                .uid = c->uid,
                .has_gid = c->set_gid,
                .gid = c->gid,
                .has_groups = c->set_groups,
                .groups = c->groups,
                .n_groups = c->n_groups,
                .capabilities = c->set_caps ? c->cap_names : NULL,
        };
        return true;
}

json_t *mc_report_to_jansson(const struct mc_report *r)
{
        json_auto_t *root = json_object();
        if (!root)
                return NULL;
        JSON_CHECK(json_object_set_new(root, "schema", json_integer(MC_REPORT_SCHEMA)));
        JSON_CHECK(json_object_set_new(root, "version", json_string(PACKAGE_VERSION)));
        json_t *cmd = json_array();
        /* root owns cmd from here on; set_new releases it on failure. */
        JSON_CHECK(json_object_set_new(root, "command", cmd));
        for (char *const *a = r->argv; a && *a; a++)
                JSON_CHECK(json_array_append_new(cmd, json_string(*a)));
        JSON_CHECK(json_object_set_new(root, "profile", string_or_null(r->profile)));
        JSON_CHECK(json_object_set_new(root, "profile_path", string_or_null(r->profile_path)));
        JSON_CHECK(json_object_set_new(root, "cgroup", string_or_null(r->cgroup)));
        json_t *placement = json_null();
        if (r->placement) {
                const struct mc_placement *p = r->placement;
                placement = json_pack("{s:s, s:s, s:o, s:o}", "kind", mc_placement_kind_name(p->kind),
                                      "parent", p->parent ? p->parent : "", "unit", string_or_null(p->unit),
                                      "reason", string_or_null(p->reason));
                if (!placement)
                        return NULL;
        }
        JSON_CHECK(json_object_set_new(root, "placement", placement));
        JSON_CHECK(json_object_set_new(root, "launch", string_or_null(r->launch)));
        JSON_CHECK(json_object_set_new(root, "run", r->run ? run_to_json(r->run) : json_null()));
        JSON_CHECK(json_object_set_new(root, "limits",
                                       r->has_limits ? limits_to_json(&r->limits) : json_null()));

        json_t *exit = json_null();
        if (r->obs.exited) {
                exit = json_pack("{s:i, s:o, s:b}", "code", r->obs.exit_code, "signal",
                                 r->obs.signal ? json_integer(r->obs.signal) : json_null(), "core_dumped",
                                 r->obs.core_dumped);
                if (!exit)
                        return NULL;
        }
        JSON_CHECK(json_object_set_new(root, "exit", exit));

        json_t *mem = json_object();
        JSON_CHECK(json_object_set_new(root, "memory", mem));
        JSON_CHECK(
                json_object_set_new(mem, "peak", r->obs.has_peak ? mc_json_u64(r->obs.peak) : json_null()));

        JSON_CHECK(json_object_set_new(root, "events",
                                       r->obs.has_events ? counters_to_json(&r->obs.events) : json_null()));
        JSON_CHECK(json_object_set_new(root, "events_local",
                                       r->obs.has_events ? counters_to_json(&r->obs.events_local)
                                                         : json_null()));
        JSON_CHECK(
                json_object_set_new(root, "hugetlb", r->n_hugetlb > 0 ? hugetlb_to_json(r) : json_null()));
        JSON_CHECK(json_object_set_new(root, "hugetlb_limit_hit", hugetlb_limit_hit(r)));
        JSON_CHECK(add_samples(root, mem, r->obs.samples));
        JSON_CHECK(json_object_set_new(root, "leftovers_killed", json_integer(r->obs.leftovers_killed)));
        JSON_CHECK(json_object_set_new(
                root, "duration_s", r->obs.exited ? json_real(round_us(r->obs.duration_s)) : json_null()));
        JSON_CHECK(json_object_set_new(root, "error", string_or_null(r->error)));
        JSON_CHECK(json_object_set_new(root, "status", json_integer(r->status)));
        JSON_CHECK(observations_to_json(root, r));
        return TAKE_PTR(root);
}

int mc_report_json_dump(const json_t *doc, char **ret, struct mc_error *err)
{
        /*
         * Times are rounded to microseconds where they are made; 15 digits
         * keep them exact at any run length, so that "log" holds the lines
         * of --events as they were written.
         */
        char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        if (!s)
                return mc_error_errno(err, ENOMEM, "format the JSON report");
        size_t len = strlen(s);
        char *t = realloc(s, len + 2);
        if (!t) {
                free(s);
                return mc_error_errno(err, ENOMEM, "format the JSON report");
        }
        t[len] = '\n';
        t[len + 1] = '\0';
        *ret = t;
        return 0;
}

int mc_report_to_json(const struct mc_report *r, char **ret, struct mc_error *err)
{
        json_auto_t *root = mc_report_to_jansson(r);
        if (!root)
                return mc_error_errno(err, ENOMEM, "build the JSON report");
        return mc_report_json_dump(root, ret, err);
}

int mc_report_write_json(const struct mc_report *r, const char *path, struct mc_error *err)
{
        _cleanup_free_ char *json = NULL;
        int r2 = mc_report_to_json(r, &json, err);
        if (r2 < 0)
                return r2;
        /* As `run --report` writes it: never through a symbolic link, a FIFO as a stream. */
        struct mc_output out;
        const struct mc_output_opts opts = { .dash_fd = -EBADF };
        r2 = mc_output_open(&out, path, &opts, err);
        if (r2 >= 0)
                r2 = mc_output_write(&out, json, strlen(json), err);
        mc_output_done(&out);
        if (r2 < 0)
                return mc_error_prefix(err, "report");
        return 0;
}

const char *mc_report_summary(const struct mc_report *r, char *buf, size_t n)
{
        char peak[MC_SIZE_STR_MAX], max[MC_SIZE_STR_MAX], how[64];
        uint64_t ooms = 0;

        if (!r->obs.exited) {
                snprintf(buf, n, "the command did not run");
                return buf;
        }
        if (r->obs.signal) {
                const char *abbrev = sigabbrev_np(r->obs.signal);
                snprintf(how, sizeof(how), "killed by SIG%s (exit %d)", abbrev ? abbrev : "?",
                         r->obs.exit_code);
        } else
                snprintf(how, sizeof(how), "exit %d", r->obs.exit_code);
        /* The command ended because memcage ended it: say so. */
        if (r->obs.pressure_kill && r->obs.pressure_kill->fired) {
                size_t len = strlen(how);
                snprintf(how + len, sizeof(how) - len, ", pressure-killed");
        }
        if (r->obs.has_events)
                mc_counters_get(&r->obs.events, "oom_kill", &ooms);

        const struct mc_limit_value *lim = &r->limits.v[MC_LIMIT_MAX];
        snprintf(buf, n, "%s, peak %s%s%s, %llu OOM kill%s, %.2f s", how,
                 r->obs.has_peak ? mc_size_format(r->obs.peak, peak, sizeof(peak)) : "unknown",
                 r->has_limits && lim->set && lim->value != UINT64_MAX ? " of max " : "",
                 r->has_limits && lim->set && lim->value != UINT64_MAX
                         ? mc_size_format(lim->value, max, sizeof(max))
                         : "",
                 (unsigned long long)ooms, ooms == 1 ? "" : "s", r->obs.duration_s);
        return buf;
}
