/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The search of `memcage size` (include/size-search.h explains it). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "size-search.h"
#include "util.h"

#define MIB       (UINT64_C(1) << 20)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
/* The bisection stops below this, or below 2% of the interval's top. */
#define RESOLUTION_MIN (4 * MIB)
#define MARGIN_MIN     (4 * MIB)
/*
 * Durations closer than this are the same: a command of a few milliseconds
 * varies by more than any slowdown in relative terms, and observing a run
 * (the sampler, the group's creation) costs about this much.
 */
#define TIME_SLACK_S 0.05

static uint64_t round_up(uint64_t v, uint64_t to)
{
        return v > UINT64_MAX - to ? v : (v + to - 1) / to * to;
}

uint64_t mc_size_recommend_max(uint64_t smallest_pass)
{
        uint64_t margin = smallest_pass / 20;
        if (margin < MARGIN_MIN)
                margin = MARGIN_MIN;
        if (smallest_pass > UINT64_MAX - margin - MIB)
                return smallest_pass;
        return round_up(smallest_pass + margin, MIB);
}

uint64_t mc_size_recommend_high(uint64_t max)
{
        uint64_t high = max / 10 * 9;
        return high >= MIB ? high / MIB * MIB : high;
}

/* High for a probe at max: as the recommendation puts it, to the page. */
static uint64_t probe_high(uint64_t max)
{
        return max / 10 * 9 / 4096 * 4096;
}

static uint64_t resolution(uint64_t top)
{
        return top / 50 > RESOLUTION_MIN ? top / 50 : RESOLUTION_MIN;
}

const char *mc_size_outcome_name(enum mc_size_outcome o)
{
        switch (o) {
        case MC_SIZE_FOUND:
                return "found";
        case MC_SIZE_NOTHING_TO_SIZE:
                return "nothing to size";
        case MC_SIZE_NOT_REPEATABLE:
                return "not repeatable";
        case MC_SIZE_NOT_MEASURABLE:
                return "not measurable";
        case MC_SIZE_NOT_CONFIRMED:
                return "not confirmed";
        }
        return "?";
}

const char *mc_size_role_name(enum mc_size_role r)
{
        switch (r) {
        case MC_SIZE_ROLE_BASELINE:
                return "baseline";
        case MC_SIZE_ROLE_PROBE:
                return "probe";
        case MC_SIZE_ROLE_REPEAT:
                return "repeat";
        case MC_SIZE_ROLE_CONFIRM:
                return "confirm";
        }
        return "?";
}

const char *mc_size_verdict_name(enum mc_size_verdict v)
{
        switch (v) {
        case MC_SIZE_PASS:
                return "pass";
        case MC_SIZE_FAIL_OOM:
                return "oom";
        case MC_SIZE_FAIL_EXIT:
                return "exit";
        case MC_SIZE_FAIL_SLOW:
                return "slow";
        }
        return "?";
}

struct search {
        const struct mc_size_options *o;
        struct mc_size_answer *a;
        double limit_s; /* slower than this is slow; 0 before the baselines */
};

/* How a run ended, slowness aside: a run passes only as the baseline did, which succeeded. */
static enum mc_size_verdict judge_end(const struct mc_size_result *r)
{
        if (r->oom_kills > 0)
                return MC_SIZE_FAIL_OOM;
        if (!r->exited || r->signal != 0 || r->exit_code != 0)
                return MC_SIZE_FAIL_EXIT;
        return MC_SIZE_PASS;
}

static enum mc_size_verdict judge(const struct search *s, const struct mc_size_result *r)
{
        enum mc_size_verdict v = judge_end(r);
        if (v == MC_SIZE_PASS && s->limit_s > 0 && r->duration_s > s->limit_s)
                return MC_SIZE_FAIL_SLOW;
        return v;
}

static unsigned runs_left(const struct search *s)
{
        return s->o->max_runs - s->a->n_runs;
}

static int run_one(struct search *s, enum mc_size_role role, uint64_t max, uint64_t high,
                   const struct mc_size_run **ret, struct mc_error *err)
{
        struct mc_size_run *run = &s->a->runs[s->a->n_runs];

        *run = (struct mc_size_run){ .role = role, .limits = { .max = max, .high = high } };
        int r = s->o->run(s->o->userdata, &run->limits, &run->result, err);
        if (r < 0)
                return r;
        run->verdict = role == MC_SIZE_ROLE_BASELINE ? judge_end(&run->result) : judge(s, &run->result);
        s->a->n_runs++;
        if (s->o->done)
                s->o->done(s->o->userdata, run, s->a->n_runs, s->o->max_runs);
        *ret = run;
        return 0;
}

/*
 * A run at these limits, judged: a run that was only slow is repeated once
 * when the noise is above the slowdown (and reserve runs are left beyond
 * it), and is slow only when the repeat is too.
 */
static int try_limits(struct search *s, enum mc_size_role role, uint64_t max, uint64_t high,
                      unsigned reserve, enum mc_size_verdict *ret, struct mc_error *err)
{
        const struct mc_size_run *run;
        int r = run_one(s, role, max, high, &run, err);
        if (r < 0)
                return r;
        *ret = run->verdict;
        if (run->verdict != MC_SIZE_FAIL_SLOW || !s->a->repeated || runs_left(s) <= reserve)
                return 0;
        r = run_one(s, MC_SIZE_ROLE_REPEAT, max, high, &run, err);
        if (r < 0)
                return r;
        *ret = run->verdict;
        return 0;
}

static int baselines(struct search *s, struct mc_error *err)
{
        struct mc_size_answer *a = s->a;
        const struct mc_size_run *first, *second;
        int r;

        r = run_one(s, MC_SIZE_ROLE_BASELINE, MC_SIZE_SEARCH_NO_LIMIT, MC_SIZE_SEARCH_NO_LIMIT, &first, err);
        if (r < 0)
                return r;
        if (first->verdict != MC_SIZE_PASS) {
                a->outcome = MC_SIZE_NOTHING_TO_SIZE;
                return 0;
        }
        r = run_one(s, MC_SIZE_ROLE_BASELINE, MC_SIZE_SEARCH_NO_LIMIT, MC_SIZE_SEARCH_NO_LIMIT, &second,
                    err);
        if (r < 0)
                return r;
        if (second->verdict != MC_SIZE_PASS) {
                a->outcome = MC_SIZE_NOT_REPEATABLE;
                return 0;
        }
        if (!first->result.has_peak || !second->result.has_peak)
                return mc_error_set(err, ENOTSUP, "the kernel gives no memory.peak (it needs Linux 5.19)");

        double fast = MIN(first->result.duration_s, second->result.duration_s);
        double slow = MAX(first->result.duration_s, second->result.duration_s);
        double spread = slow - fast - TIME_SLACK_S;
        a->reference_s = slow;
        a->noise = spread > 0 && fast > 0 ? spread / fast : 0;
        a->peak = MAX(first->result.peak, second->result.peak);
        a->has_peak = true;
        /* The unreclaimable part is a lower bound only when both runs agree it is below the peak. */
        if (first->result.has_floor && second->result.has_floor) {
                uint64_t floor = MIN(first->result.floor, second->result.floor);
                a->floor = floor < a->peak ? floor : 0;
        }
        if (a->noise > 3 * s->o->slowdown) {
                a->outcome = MC_SIZE_NOT_MEASURABLE;
                return 0;
        }
        a->repeated = a->noise > s->o->slowdown;
        s->limit_s = slow * (1 + s->o->slowdown) + TIME_SLACK_S;
        return 1;
}

int mc_size_search(const struct mc_size_options *o, struct mc_size_answer *ret, struct mc_error *err)
{
        struct search s = { .o = o, .a = ret };
        enum mc_size_verdict v;
        int r;

        memset(ret, 0, sizeof(*ret));
        if (!o->run || o->max_runs < MC_SIZE_SEARCH_RUNS_MIN || o->max_runs > MC_SIZE_SEARCH_RUNS_MAX)
                return mc_error_set(err, EINVAL, "the runs must be between %d and %d",
                                    MC_SIZE_SEARCH_RUNS_MIN, MC_SIZE_SEARCH_RUNS_MAX);
        if (!(o->slowdown >= 0 && o->slowdown <= 10))
                return mc_error_set(err, EINVAL, "the slowdown must be between 0%% and 1000%%");

        r = baselines(&s, err);
        if (r <= 0)
                return r;

        uint64_t lo = ret->floor, hi = ret->peak;
        /* One run stays for the confirmation. */
        while (hi - lo > resolution(hi) && runs_left(&s) > 1) {
                uint64_t mid = (lo + (hi - lo) / 2) / 4096 * 4096;
                r = try_limits(&s, MC_SIZE_ROLE_PROBE, mid, probe_high(mid), 1, &v, err);
                if (r < 0)
                        return r;
                if (v == MC_SIZE_PASS)
                        hi = mid;
                else {
                        lo = mid;
                        ret->largest_fail = mid;
                }
        }
        ret->budget_spent = hi - lo > resolution(hi);
        ret->smallest_pass = hi;
        ret->recommended.max = mc_size_recommend_max(hi);
        ret->recommended.high = mc_size_recommend_high(ret->recommended.max);

        r = try_limits(&s, MC_SIZE_ROLE_CONFIRM, ret->recommended.max, ret->recommended.high, 0, &v, err);
        if (r < 0)
                return r;
        ret->outcome = v == MC_SIZE_PASS ? MC_SIZE_FOUND : MC_SIZE_NOT_CONFIRMED;
        return 0;
}
