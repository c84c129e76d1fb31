/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "report-json.h"
#include "report-openmetrics.h"
#include "util.h"

void mc_openmetrics_escape_label(FILE *f, const char *s)
{
        for (; *s; s++) {
                if (*s == '\\')
                        fputs("\\\\", f);
                else if (*s == '"')
                        fputs("\\\"", f);
                else if (*s == '\n')
                        fputs("\\n", f);
                else
                        fputc(*s, f);
        }
}

/* The command's name: the last part of its argv[0] ("/usr/bin/make" is "make"), "?" when unknown. */
static const char *command_name(const json_t *r)
{
        const char *argv0 = json_string_value(json_array_get(mc_rj_array(r, "command"), 0));
        const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

        if (!argv0 || !*argv0)
                return "?";
        return slash && slash[1] ? slash + 1 : argv0;
}

/*
 * The labels every sample carries, rendered once: profile="...",command="make".
 * The command is its name alone: with its arguments in the label, every
 * new argument list (a date, a temporary path, a seed) would start new
 * series without end.
 */
static char *common_labels(const json_t *r)
{
        _cleanup_free_ char *shown = NULL, *s = NULL;
        const char *profile = mc_rj_str(r, "profile"), *cmd = command_name(r);
        char cut[MC_OPENMETRICS_COMMAND_MAX + 1];
        size_t len = 0;

        /*
         * Control characters and bytes that are not UTF-8 as \xHH (a label
         * value must be UTF-8); a long name is cut at a whole character.
         */
        if (mc_escape_text(cmd, cut, sizeof(cut)) > MC_OPENMETRICS_COMMAND_MAX) {
                if (asprintf(&shown, "%s...", cut) < 0)
                        return NULL;
        } else if (!(shown = strdup(cut)))
                return NULL;
        _cleanup_free_ char *prof = profile ? mc_escape_text_dup(profile) : strdup("");
        FILE *f = open_memstream(&s, &len);
        if (!prof || !f) {
                if (f)
                        fclose(f);
                return NULL;
        }
        fputs("profile=\"", f);
        mc_openmetrics_escape_label(f, prof);
        fputs("\",command=\"", f);
        mc_openmetrics_escape_label(f, shown);
        fputc('"', f);
        if (fclose(f) != 0)
                return NULL;
        return TAKE_PTR(s);
}

static void family(FILE *f, const char *name, const char *type, const char *unit, const char *help)
{
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
        if (unit)
                fprintf(f, "# UNIT %s %s\n", name, unit);
}

static void sample_u64(FILE *f, const char *name, const char *labels, uint64_t v)
{
        fprintf(f, "%s{%s} %llu\n", name, labels, (unsigned long long)v);
}

/* Microseconds as seconds, exact to the microsecond. */
static void sample_us(FILE *f, const char *name, const char *labels, uint64_t us)
{
        fprintf(f, "%s{%s} %llu.%06llu\n", name, labels, (unsigned long long)(us / 1000000),
                (unsigned long long)(us % 1000000));
}

/* A gauge of bytes from obj[key], left out when the report has no value. */
static void gauge_bytes(FILE *f, const char *labels, const char *name, const char *help, const json_t *obj,
                        const char *key)
{
        uint64_t v;
        if (!mc_rj_u64(obj, key, &v))
                return;
        family(f, name, "gauge", "bytes", help);
        sample_u64(f, name, labels, v);
}

/* memcage_events: one series per counter of obj, named prefix + key. */
static void events(FILE *f, const char *labels, const json_t *obj, const char *prefix, bool *any)
{
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)obj, key, v)
        {
                uint64_t n;
                if (!mc_rj_u64(obj, key, &n))
                        continue;
                if (!*any)
                        family(f, "memcage_events", "gauge", NULL,
                               "Increase of the memory.events (and memory.swap.events, as swap_*) counters "
                               "of the run's group over the run.");
                *any = true;
                /* A report handed to `memcage report` names its own keys: escaped as every label is. */
                _cleanup_free_ char *shown = mc_escape_text_dup(key);
                if (!shown)
                        continue;
                fprintf(f, "memcage_events{%s,event=\"%s", labels, prefix);
                mc_openmetrics_escape_label(f, shown);
                fprintf(f, "\"} %llu\n", (unsigned long long)n);
        }
}

/*
 * The steps the command named, a family each, with a step label (its name,
 * escaped) and an index label: two steps of one name stay two series.
 */
static int steps(FILE *f, const char *labels, const json_t *r)
{
        static const struct {
                const char *name, *type, *unit, *help, *key;
        } fams[] = {
                { "memcage_step_peak_bytes", "gauge", "bytes",
                  "Highest memory use of the run's group during the step (peak_source: kernel or sampled).",
                  "peak" },
                { "memcage_step_duration_seconds", "gauge", "seconds", "Duration of the step.",
                  "duration_s" },
                { "memcage_step_oom_kills", "gauge", NULL,
                  "Increase of memory.events oom_kill during the step.", "oom_kills" },
        };
        json_t *a = mc_rj_array(r, "steps"), *e;
        size_t i;

        if (json_array_size(a) == 0)
                return 0;
        for (size_t k = 0; k < ELEMENTSOF(fams); k++) {
                family(f, fams[k].name, fams[k].type, fams[k].unit, fams[k].help);
                json_array_foreach(a, i, e)
                {
                        _cleanup_free_ char *shown =
                                mc_escape_text_dup(mc_rj_str(e, "name") ? mc_rj_str(e, "name") : "");
                        uint64_t v;
                        double d;
                        if (!shown)
                                return -ENOMEM;
                        bool is_seconds = streq(fams[k].key, "duration_s");
                        if (is_seconds ? !mc_rj_double(e, fams[k].key, &d) : !mc_rj_u64(e, fams[k].key, &v))
                                continue;
                        fprintf(f, "%s{%s,step=\"", fams[k].name, labels);
                        mc_openmetrics_escape_label(f, shown);
                        fprintf(f, "\",index=\"%zu\"} ", i);
                        if (is_seconds)
                                fprintf(f, "%.6f\n", d);
                        else
                                fprintf(f, "%llu\n", (unsigned long long)v);
                }
        }
        return 0;
}

int mc_report_openmetrics(const json_t *r, char **ret, struct mc_error *err)
{
        _cleanup_free_ char *s = NULL, *labels = common_labels(r);
        size_t len = 0;
        json_t *memory = mc_rj_obj(r, "memory"), *pressure = mc_rj_obj(r, "pressure");
        uint64_t v, some, full;
        double d;

        FILE *f = labels ? open_memstream(&s, &len) : NULL;
        if (!f)
                return mc_error_errno(err, ENOMEM, "render the metrics");

        gauge_bytes(f, labels, "memcage_peak_bytes", "Highest memory use of the run's group (memory.peak).",
                    memory, "peak");
        gauge_bytes(f, labels, "memcage_swap_peak_bytes",
                    "Highest swap use of the run's group (memory.swap.peak, else sampled).", memory,
                    "swap_peak");
        bool has_some = mc_rj_u64(pressure, "some_total_us", &some),
             has_full = mc_rj_u64(pressure, "full_total_us", &full);
        if (has_some || has_full) {
                family(f, "memcage_pressure_stall_seconds", "gauge", "seconds",
                       "Time the run's tasks stalled on memory over the run (memory.pressure total), by "
                       "kind.");
                _cleanup_free_ char *some_l = NULL, *full_l = NULL;
                if (asprintf(&some_l, "%s,kind=\"some\"", labels) < 0 ||
                    asprintf(&full_l, "%s,kind=\"full\"", labels) < 0) {
                        fclose(f);
                        return mc_error_errno(err, ENOMEM, "render the metrics");
                }
                if (has_some)
                        sample_us(f, "memcage_pressure_stall_seconds", some_l, some);
                if (has_full)
                        sample_us(f, "memcage_pressure_stall_seconds", full_l, full);
        }
        if (mc_rj_obj(r, "events") || mc_rj_array(r, "oom_kills")) {
                family(f, "memcage_oom_kills", "gauge", NULL,
                       "Processes of the run OOM-killed (each once, also when memory.oom.group counts it "
                       "twice).");
                sample_u64(f, "memcage_oom_kills", labels, mc_rj_oom_kills(r));
        }
        bool any = false;
        events(f, labels, mc_rj_obj(r, "events"), "", &any);
        events(f, labels, mc_rj_obj(r, "swap_events"), "swap_", &any);
        if (mc_rj_u64(r, "status", &v)) {
                family(f, "memcage_exit_status", "gauge", NULL,
                       "memcage's exit status: the command's, 128+N for signal N, 123 for --fail-on, 125 "
                       "when memcage failed.");
                sample_u64(f, "memcage_exit_status", labels, v);
        }
        if (mc_rj_double(r, "duration_s", &d)) {
                family(f, "memcage_duration_seconds", "gauge", "seconds",
                       "From the start of the command until its group was empty.");
                fprintf(f, "memcage_duration_seconds{%s} %.6f\n", labels, d);
        }
        if (steps(f, labels, r) < 0) {
                fclose(f);
                return mc_error_errno(err, ENOMEM, "render the metrics");
        }
        fputs("# EOF\n", f);
        if (fclose(f) != 0)
                return mc_error_errno(err, ENOMEM, "render the metrics");
        *ret = TAKE_PTR(s);
        return 0;
}
