/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>

#include "report.h"
#include "size.h"
#include "util.h"

/* jansson signals failure only through NULL/-1; an allocation failure is all it can be here. */
#define JSON_CHECK(expr)             \
        do {                         \
                if ((expr) < 0)      \
                        return NULL; \
        } while (0)

static json_t *json_u64(uint64_t v)
{
        /* JSON numbers are doubles in many readers; byte counts fit 2^53 on any real machine. */
        return json_integer((json_int_t)v);
}

static json_t *counters_to_json(const struct mc_counters *c)
{
        json_t *o = json_object();
        if (!o)
                return NULL;
        for (size_t i = 0; i < c->n; i++)
                if (json_object_set_new(o, c->c[i].name, json_u64(c->c[i].value)) < 0) {
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
                        j = json_u64(v->value);
                if (json_object_set_new(o, mc_limit_name(i), j) < 0) {
                        json_decref(o);
                        return NULL;
                }
        }
        return o;
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
        for (size_t i = 0; i < r->n_oom_kills; i++) {
                const struct mc_oom_kill *k = &r->oom_kills[i];
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

static json_t *pressure_to_json(const struct mc_report *r)
{
        json_auto_t *o = json_object();
        json_t *trig = json_array();
        if (!o || json_object_set_new(o, "some_total_us", json_u64(r->pressure_total_us[MC_PSI_SOME])) < 0 ||
            json_object_set_new(o, "full_total_us", json_u64(r->pressure_total_us[MC_PSI_FULL])) < 0)
                return NULL;
        for (int k = 0; k < _MC_PSI_KIND_COUNT; k++) {
                char key[32];
                snprintf(key, sizeof(key), "%s_avg10_max", mc_psi_kind_name(k));
                if (json_object_set_new(o, key,
                                        r->has_pressure_avg10_max ? json_real(r->pressure_avg10_max[k])
                                                                  : json_null()) < 0)
                        return NULL;
        }
        if (json_object_set_new(o, "triggers", trig) < 0)
                return NULL;
        for (size_t i = 0; i < r->n_pressure_triggers; i++) {
                const struct mc_pressure_trigger *t = &r->pressure_triggers[i];
                if (json_array_append_new(
                            trig, json_pack("{s:s, s:I, s:I, s:i}", "kind", mc_psi_kind_name(t->kind),
                                            "stall_us", (json_int_t)t->stall_us, "window_us",
                                            (json_int_t)t->window_us, "fired", (int)t->fired)) < 0)
                        return NULL;
        }
        return TAKE_PTR(o);
}

/* The fields of the event watcher and the verdict ("Fields of the run's observations"). */
static int observations_to_json(json_t *root, const struct mc_report *r)
{
        if (json_object_set_new(root, "verdict",
                                r->has_verdict ? verdict_to_json(&r->verdict) : json_null()) < 0 ||
            json_object_set_new(root, "oom_kills", oom_kills_to_json(r)) < 0 ||
            json_object_set_new(root, "swap_events",
                                r->has_swap_events ? counters_to_json(&r->swap_events) : json_null()) < 0 ||
            json_object_set_new(root, "pressure", r->has_pressure ? pressure_to_json(r) : json_null()) < 0 ||
            json_object_set_new(root, "log", r->log ? json_deep_copy(r->log) : json_array()) < 0 ||
            json_object_set_new(root, "log_truncated", json_boolean(r->log_truncated)) < 0)
                return -1;
        return 0;
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
        JSON_CHECK(json_object_set_new(root, "launch", string_or_null(r->launch)));
        JSON_CHECK(json_object_set_new(root, "limits",
                                       r->has_limits ? limits_to_json(&r->limits) : json_null()));

        json_t *exit = json_null();
        if (r->exited) {
                exit = json_pack("{s:i, s:o, s:b}", "code", r->exit_code, "signal",
                                 r->signal ? json_integer(r->signal) : json_null(), "core_dumped",
                                 r->core_dumped);
                if (!exit)
                        return NULL;
        }
        JSON_CHECK(json_object_set_new(root, "exit", exit));

        json_t *mem = json_object();
        JSON_CHECK(json_object_set_new(root, "memory", mem));
        JSON_CHECK(json_object_set_new(mem, "peak", r->has_peak ? json_u64(r->peak) : json_null()));

        JSON_CHECK(json_object_set_new(root, "events",
                                       r->has_events ? counters_to_json(&r->events) : json_null()));
        JSON_CHECK(json_object_set_new(root, "events_local",
                                       r->has_events ? counters_to_json(&r->events_local) : json_null()));
        JSON_CHECK(json_object_set_new(root, "leftovers_killed", json_integer(r->leftovers_killed)));
        JSON_CHECK(json_object_set_new(root, "duration_s",
                                       r->exited ? json_real(round_us(r->duration_s)) : json_null()));
        JSON_CHECK(json_object_set_new(root, "error", string_or_null(r->error)));
        JSON_CHECK(json_object_set_new(root, "status", json_integer(r->status)));
        JSON_CHECK(observations_to_json(root, r));
        return TAKE_PTR(root);
}

int mc_report_to_json(const struct mc_report *r, char **ret, struct mc_error *err)
{
        json_auto_t *root = mc_report_to_jansson(r);
        if (!root)
                return mc_error_errno(err, ENOMEM, "build the JSON report");
        /*
         * Times are rounded to microseconds where they are made; 15 digits
         * keep them exact at any run length, so that "log" holds the lines
         * of --events as they were written.
         */
        char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
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

int mc_report_write_json(const struct mc_report *r, const char *path, struct mc_error *err)
{
        _cleanup_free_ char *json = NULL;
        int r2 = mc_report_to_json(r, &json, err);
        if (r2 < 0)
                return r2;
        r2 = mc_write_file_atomic(path, json, strlen(json), err);
        if (r2 < 0)
                return mc_error_prefix(err, "report");
        return 0;
}

const char *mc_report_summary(const struct mc_report *r, char *buf, size_t n)
{
        char peak[MC_SIZE_STR_MAX], max[MC_SIZE_STR_MAX], how[64];
        uint64_t ooms = 0;

        if (!r->exited) {
                snprintf(buf, n, "the command did not run");
                return buf;
        }
        if (r->signal) {
                const char *abbrev = sigabbrev_np(r->signal);
                snprintf(how, sizeof(how), "killed by SIG%s (exit %d)", abbrev ? abbrev : "?", r->exit_code);
        } else
                snprintf(how, sizeof(how), "exit %d", r->exit_code);
        if (r->has_events)
                mc_counters_get(&r->events, "oom_kill", &ooms);

        const struct mc_limit_value *lim = &r->limits.v[MC_LIMIT_MAX];
        snprintf(buf, n, "%s, peak %s%s%s, %llu OOM kill%s, %.2f s", how,
                 r->has_peak ? mc_size_format(r->peak, peak, sizeof(peak)) : "unknown",
                 r->has_limits && lim->set && lim->value != UINT64_MAX ? " of max " : "",
                 r->has_limits && lim->set && lim->value != UINT64_MAX
                         ? mc_size_format(lim->value, max, sizeof(max))
                         : "",
                 (unsigned long long)ooms, ooms == 1 ? "" : "s", r->duration_s);
        return buf;
}
