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
/*
 * The bisection stops below this, or below 2% of the interval's top: a MiB,
 * so that the answer for a command of a few dozen MiB (xz at -3 needs 27)
 * is not a sixth above its need before the margin.
 */
#define RESOLUTION_MIN MIB
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

/*
 * Halfway between the smallest max that passed and the recommended max:
 * reclaim starts above what the job needed, so it is not throttled at its
 * peak (a high at the smallest passing max throttled xz at its working set
 * and made the confirmation slow), and still below max.
 */
uint64_t mc_size_recommend_high(uint64_t smallest_pass)
{
        uint64_t max = mc_size_recommend_max(smallest_pass);
        return max > smallest_pass ? round_up(smallest_pass + (max - smallest_pass) / 2, MIB) : max;
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
        double limit_s;       /* slower than this is slow; 0 before the baselines */
        double stall_clock_s; /* the clock's bound for a run whose stall is known (judge()) */
        bool by_stall;        /* the baselines' stall is known: a run's own stall judges it too */
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

/*
 * Too long a stall: the stall beyond the baselines' is the time the run
 * lost waiting on memory, slow when above the slowdown of the time it would
 * have taken without the limit (+ slack). That time is the reference or the
 * run's own rest (its duration less the loss), whichever is longer: the
 * host's load changes between runs, by a factor of 3 under an emulator, and
 * stretches the stall as it stretches the run, so a run on a busier host
 * than the baselines' is judged against its own pace, and one on a quieter
 * host is not judged against less than the reference.
 */
static bool stalled_too_long(const struct search *s, const struct mc_size_result *r)
{
        double lost_s = r->stall_some_us > s->a->baseline_stall_us
                                ? (double)(r->stall_some_us - s->a->baseline_stall_us) / 1e6
                                : 0;
        double rest_s = r->duration_s > lost_s ? r->duration_s - lost_s : 0;
        return lost_s > MAX(rest_s, s->a->reference_s) * s->o->slowdown + TIME_SLACK_S;
}

/*
 * Slow: the run waited on memory (stall "some") longer than the slowdown
 * allows beyond the baselines' stall, or its wall clock was slower than the
 * reference by more than the slowdown. The stall is the measure: the clock
 * of one run on a loaded host or under an emulator varies by more than any
 * slowdown (1.7 to 10.6 s for the same work in one CI run), and two plain
 * runs that agree by chance say nothing of the next. So a run whose stall is
 * known and within bounds is slow by the clock only beyond the slowdown plus
 * the noise, the noise taken as at least the slowdown, and such a verdict is
 * repeated (slow_by_clock()): the clock still catches what the stall does
 * not see, a file read from disk again.
 */
static enum mc_size_verdict judge(const struct search *s, const struct mc_size_result *r)
{
        /* An OOM kill first: it says more of the limit than the time it then took. */
        if (r->oom_kills == 0 && r->timed_out)
                return MC_SIZE_FAIL_SLOW;
        enum mc_size_verdict v = judge_end(r);
        if (v != MC_SIZE_PASS || s->limit_s <= 0)
                return v;
        bool stall_known = s->by_stall && r->has_stall;
        if (stall_known && stalled_too_long(s, r))
                return MC_SIZE_FAIL_SLOW;
        return r->duration_s > (stall_known ? s->stall_clock_s : s->limit_s) ? MC_SIZE_FAIL_SLOW
                                                                             : MC_SIZE_PASS;
}

/*
 * A slow verdict that a repeat may overturn: one the wall clock alone gave,
 * with the stall known, or under noise without it. A run stopped by the
 * time limit is slow beyond any noise.
 */
static bool slow_by_clock(const struct search *s, const struct mc_size_run *run)
{
        bool stall_known = s->by_stall && run->result.has_stall;
        return run->verdict == MC_SIZE_FAIL_SLOW && !run->result.timed_out &&
               (stall_known || s->a->repeated) && !(stall_known && stalled_too_long(s, &run->result));
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
        /*
         * Twice the clock's bound, at least the floor (size-search.h,
         * "time"); none before the bound is known.
         */
        double bound_s = s->by_stall ? s->stall_clock_s : s->limit_s;
        if (s->limit_s > 0)
                run->limits.time_limit_s = MAX(2 * bound_s, MC_SIZE_SEARCH_TIME_LIMIT_MIN_S);
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
 * A run at these limits, judged: a run slow by the clock alone
 * (slow_by_clock()) is repeated once when reserve runs are left beyond it,
 * and is slow only when the repeat is too.
 */
static int try_limits(struct search *s, enum mc_size_role role, uint64_t max, uint64_t high,
                      unsigned reserve, enum mc_size_verdict *ret, struct mc_error *err)
{
        const struct mc_size_run *run;
        int r = run_one(s, role, max, high, &run, err);
        if (r < 0)
                return r;
        *ret = run->verdict;
        if (!slow_by_clock(s, run) || runs_left(s) <= reserve)
                return 0;
        r = run_one(s, MC_SIZE_ROLE_REPEAT, max, high, &run, err);
        if (r < 0)
                return r;
        *ret = run->verdict;
        return 0;
}

/* The noise of two durations: their difference, less the slack, over the faster. */
static double noise_of(double a, double b)
{
        double fast = MIN(a, b), spread = MAX(a, b) - fast - TIME_SLACK_S;
        return spread > 0 && fast > 0 ? spread / fast : 0;
}

static int baseline(struct search *s, enum mc_size_outcome on_failure, const struct mc_size_run **ret,
                    struct mc_error *err)
{
        int r = run_one(s, MC_SIZE_ROLE_BASELINE, MC_SIZE_SEARCH_NO_LIMIT, MC_SIZE_SEARCH_NO_LIMIT, ret,
                        err);
        if (r < 0)
                return r;
        if ((*ret)->verdict != MC_SIZE_PASS) {
                s->a->outcome = on_failure;
                return 0;
        }
        if (!(*ret)->result.has_peak)
                return mc_error_set(err, ENOTSUP, "the kernel gives no memory.peak (it needs Linux 5.19)");
        return 1;
}

/*
 * Two plain runs, or three when the first two differ by more than three
 * times the slowdown: a first run is often slower than the next (the
 * command's files read from disk once), and two of three that agree measure
 * the command, not its start.
 */
static int baselines(struct search *s, struct mc_error *err)
{
        struct mc_size_answer *a = s->a;
        const struct mc_size_run *b[3];
        int r;

        r = baseline(s, MC_SIZE_NOTHING_TO_SIZE, &b[0], err);
        if (r <= 0)
                return r;
        r = baseline(s, MC_SIZE_NOT_REPEATABLE, &b[1], err);
        if (r <= 0)
                return r;
        size_t n = 2;
        double d0 = b[0]->result.duration_s, d1 = b[1]->result.duration_s;
        a->noise = noise_of(d0, d1);
        a->reference_s = MAX(d0, d1);
        /* A third only when a probe and the confirmation still fit after it. */
        if (a->noise > 3 * s->o->slowdown && runs_left(s) >= 2) {
                r = baseline(s, MC_SIZE_NOT_REPEATABLE, &b[2], err);
                if (r <= 0)
                        return r;
                n = 3;
                double d2 = b[2]->result.duration_s;
                /* The pair that agrees best. */
                const double pairs[3][2] = { { d0, d1 }, { d0, d2 }, { d1, d2 } };
                for (size_t i = 1; i < 3; i++)
                        if (noise_of(pairs[i][0], pairs[i][1]) < a->noise) {
                                a->noise = noise_of(pairs[i][0], pairs[i][1]);
                                a->reference_s = MAX(pairs[i][0], pairs[i][1]);
                        }
        }
        a->has_peak = true;
        bool all_floors = true;
        uint64_t floor = UINT64_MAX;
        for (size_t i = 0; i < n; i++) {
                a->peak = MAX(a->peak, b[i]->result.peak);
                all_floors &= b[i]->result.has_floor;
                floor = MIN(floor, b[i]->result.floor);
        }
        /* The unreclaimable part is a lower bound only when every run knew it. */
        if (all_floors)
                a->floor = floor < a->peak ? floor : 0;
        /* The stall a plain run had anyway (other groups' pressure, the first read of files). */
        bool all_stalls = true;
        for (size_t i = 0; i < n; i++) {
                all_stalls &= b[i]->result.has_stall;
                a->baseline_stall_us = MAX(a->baseline_stall_us, b[i]->result.stall_some_us);
        }
        if (a->noise > 3 * s->o->slowdown) {
                a->outcome = MC_SIZE_NOT_MEASURABLE;
                return 0;
        }
        a->repeated = a->noise > s->o->slowdown;
        s->limit_s = a->reference_s * (1 + s->o->slowdown) + TIME_SLACK_S;
        s->stall_clock_s =
                a->reference_s * (1 + s->o->slowdown + MAX(a->noise, s->o->slowdown)) + TIME_SLACK_S;
        if (all_stalls)
                s->by_stall = true;
        else
                a->baseline_stall_us = 0;
        a->by_stall = s->by_stall;
        a->clock_limit_s = s->by_stall ? s->stall_clock_s : s->limit_s;
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
        /*
         * One run stays for the confirmation, two when a verdict of the wall
         * clock alone is repeated: then it can be, as a probe's is.
         */
        unsigned reserve = s.by_stall || s.a->repeated ? 2 : 1;
        while (hi - lo > resolution(hi) && runs_left(&s) > reserve) {
                uint64_t mid = (lo + (hi - lo) / 2) / 4096 * 4096;
                r = try_limits(&s, MC_SIZE_ROLE_PROBE, mid, MC_SIZE_SEARCH_NO_LIMIT, reserve, &v, err);
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
        ret->recommended.high = mc_size_recommend_high(hi);

        r = try_limits(&s, MC_SIZE_ROLE_CONFIRM, ret->recommended.max, ret->recommended.high, 0, &v, err);
        if (r < 0)
                return r;
        ret->outcome = v == MC_SIZE_PASS ? MC_SIZE_FOUND : MC_SIZE_NOT_CONFIRMED;
        return 0;
}
