/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A run judged against a baseline: two report JSON documents compared
 * metric by metric (`memcage report --baseline`), and the --fail-on
 * thresholds (peak+10%, stall+1s, ...) judged on that comparison, so that
 * `memcage run --baseline` and `memcage report --baseline` judge alike.
 *
 * For every metric more is worse. A metric either report lacks (sampling
 * off, a kernel without PSI, a run that never started) is unknown: shown as
 * such and never judged.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum mc_compare_metric {
        MC_COMPARE_PEAK,       /* memory.peak, bytes */
        MC_COMPARE_SWAP_PEAK,  /* memory.swap_peak, bytes */
        MC_COMPARE_STALL_SOME, /* pressure.some_total_us, as seconds */
        MC_COMPARE_STALL_FULL, /* pressure.full_total_us, as seconds */
        MC_COMPARE_OOM_KILLS,  /* oom_kills, else events.oom_kill */
        MC_COMPARE_HIGH,       /* events.high */
        MC_COMPARE_MAX,        /* events.max */
        MC_COMPARE_DURATION,   /* duration_s */
        MC_COMPARE_CPU,        /* cpu.user_s + cpu.system_s */
        MC_COMPARE_N_METRICS,
};

/* Processes listed in a comparison: those of the top by PSS of either report, matched by name. */
#define MC_COMPARE_TOP 10

/* Reads FILE as a report (mc_rj_check_schema()); every error names FILE (and the field). */
int mc_compare_load(const char *path, json_t **ret, struct mc_error *err);

/*
 * Compares new against old (both checked by mc_rj_check_schema()) into a
 * new JSON document:
 *   {"metrics": [{"metric", "unit", "old", "new", "delta", "change", "worse"}...],
 *    "processes": [{"name", "old_pss", "new_pss", "delta", "change", "worse"}...]}
 * "unit" is bytes, seconds or count; "old"/"new"/"delta" are null when unknown;
 * "change" is delta/old, null when old is 0 or unknown; "worse" is new > old.
 * Processes of the same name are summed (the PSS of the top entries).
 *
 * "steps" compares the steps the commands named (the reports' "steps"):
 *   [{"name", "match", "old_index", "new_index", "metrics": [rows]}...]
 * in the new report's order: each step matched with the baseline's first
 * step of its name ("match": "both", "metrics" as the run's but cpu, which
 * a step does not have); "new" when the baseline has no step of that name;
 * "repeated" for a name's later steps in the new report, not compared (nor
 * judged); then the baseline's names the new report lacks ("old"). The
 * indexes are into each report's "steps", null for the side without.
 */
int mc_compare_reports(const json_t *old, const json_t *new, json_t **ret, struct mc_error *err);

/* The --fail-on thresholds a list holds at most. */
#define MC_THRESHOLDS_MAX 16

/*
 * A threshold METRIC+MARGIN: met when the new value exceeds old + MARGIN,
 * or old * (1 + MARGIN/100) for a percent margin (so any increase from 0).
 * METRIC: peak, swap-peak (margin a size or %), stall (the full stall time),
 * stall-some, duration, cpu (a duration or %), oom, high, max (a count or %).
 */
struct mc_threshold {
        enum mc_compare_metric metric;
        bool percent;
        double margin; /* percent, or in the metric's unit (bytes, seconds, count) */
        char text[32]; /* as written, for messages */
};

struct mc_thresholds {
        struct mc_threshold v[MC_THRESHOLDS_MAX];
        size_t n;
};

/* "peak+10%" -> threshold; the message names the threshold and what is wrong. */
int mc_threshold_parse(const char *s, struct mc_threshold *ret, struct mc_error *err);

/*
 * A --fail-on list: conditions (mc_fail_on_parse_condition()) and thresholds (an item
 * with a '+') mixed, "oom,peak+10%". ret_mask and ret_thresholds are
 * replaced.
 */
int mc_fail_on_parse_list(const char *list, unsigned *ret_mask, struct mc_thresholds *ret_thresholds,
                          struct mc_error *err);

/*
 * Judges the thresholds on a comparison (mc_compare_reports()):
 * ret_json (new reference) is an array, one entry per threshold:
 * {"threshold", "metric", "old", "new", "limit", "matched"} with null values
 * for an unknown metric (then not matched). ret_matched: how many matched.
 */
int mc_thresholds_judge(const json_t *cmp, const struct mc_thresholds *th, json_t **ret_json,
                        size_t *ret_matched, struct mc_error *err);

/*
 * The matched thresholds of a fail_on object (its "thresholds" array) for a
 * message: "peak+10% (130M over 110M), stall+1s (2.10 s over 1.30 s)".
 * buf of MC_THRESHOLDS_STR_MAX bytes suffices.
 */
#define MC_THRESHOLDS_STR_MAX (MC_THRESHOLDS_MAX * 96)
const char *mc_thresholds_format(const json_t *fail_on, char *buf, size_t n);

/*
 * The thresholds judged on each step both reports have ("match": "both" in
 * cmp's "steps"), as on the run: each such entry gets "fail_on":
 * {"thresholds": [...]} (mc_thresholds_judge()), and so does the step
 * new_index of report when report is not NULL; report's "fail_on", when it
 * has one, gets "steps": the names of the steps where one matched.
 * ret_matched: the thresholds matched, over all steps.
 */
int mc_steps_judge(json_t *cmp, const struct mc_thresholds *th, json_t *report, size_t *ret_matched,
                   struct mc_error *err);

/* The steps' matches for a message: "step 'build': peak+10% (130M over 110M); step 'test': ...". */
const char *mc_steps_thresholds_format(const json_t *cmp, char *buf, size_t n);

/* What --fail-on found in a run's report (mc_report_judge()). */
struct mc_judgement {
        unsigned matched;         /* the conditions of the mask the report meets (fail-on.h) */
        size_t n_thresholds;      /* how many thresholds matched, the run's */
        size_t n_step_thresholds; /* and over its steps */
        int status;               /* the run's status once judged */
};

/*
 * `memcage run --fail-on`: judges the report (JSON) of a run that ended with
 * status. cmp is its comparison with the baseline (NULL without one, or when
 * the command never ran: then no threshold is judged); the thresholds judged
 * on it go into cmp as {"fail_on": {"thresholds": [...]}}, for
 * mc_compare_text(), and on each step (mc_steps_judge()): a step's match
 * fails the run as the run's own does. With a mask or thresholds, the report gets its
 * "fail_on" (mc_fail_on_to_json(), with cmp's "thresholds"). A match turns
 * status 0 into MC_FAIL_ON_EXIT_STATUS, the report's "status" too; any other
 * status stays, as the command's own failure says more than the condition.
 * Fails only when out of memory.
 */
int mc_report_judge(json_t *report, unsigned mask, const struct mc_thresholds *th, json_t *cmp, int status,
                    struct mc_judgement *ret, struct mc_error *err);

enum {
        MC_COMPARE_TEXT_SHORT = 1u << 0, /* the metrics only, no processes (memcage run's summary) */
};

/*
 * The comparison for people: one aligned line per metric (old, new, change,
 * "worse" where it grew), the processes, then the judged thresholds when the
 * document has a "fail_on" object with "thresholds". A malloc'd string
 * ending in a newline.
 */
int mc_compare_text(const json_t *cmp, unsigned flags, char **ret, struct mc_error *err);
