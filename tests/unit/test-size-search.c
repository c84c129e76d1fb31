/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The search of memcage size against a fake command whose needs are known. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "size-search.h"
#include "util.h"

#define MIB (UINT64_C(1) << 20)

/*
 * A command that is OOM-killed below oom_below, runs slow_factor times
 * slower below slow_below, and otherwise takes base_s (or, for its first
 * runs, the durations in plain[]); its peak without a limit is peak.
 */
struct fake {
        uint64_t oom_below, slow_below, peak, floor;
        bool has_floor;
        double base_s, slow_factor;
        double plain[4]; /* durations of the first runs, when nonzero */
        int plain_exit[4];
        bool fail_always;
        bool stall;          /* the runs report their stall: slow_factor's extra time, all of it */
        double clock_factor; /* when nonzero, runs under a limit take this much longer, without stall */
        double clock_at[16]; /* when nonzero, the duration of run i (0-based), a spike of the host's */
        /* Below hang_below (any limit, with hang_any) it takes hang_s, as one thrashing would. */
        uint64_t hang_below;
        bool hang_any;
        double hang_s;
        int runner_error_at; /* 1-based run at which the runner fails, 0: never */
        unsigned calls;
        unsigned dones;
};

static int fake_run(void *userdata, const struct mc_size_limits *l, struct mc_size_result *ret,
                    struct mc_error *err)
{
        struct fake *f = userdata;
        unsigned i = f->calls++;

        if (f->runner_error_at && (int)f->calls == f->runner_error_at)
                return mc_error_set(err, EIO, "cannot create the group");
        *ret = (struct mc_size_result){ .exited = true, .duration_s = f->base_s, .has_peak = true };
        ret->peak = l->max < f->peak ? l->max : f->peak;
        ret->has_floor = f->has_floor;
        ret->floor = f->floor;
        if (i < ELEMENTSOF(f->plain) && f->plain[i] > 0)
                ret->duration_s = f->plain[i];
        if (i < ELEMENTSOF(f->plain_exit))
                ret->exit_code = f->plain_exit[i];
        if (f->fail_always)
                ret->exit_code = 2;
        if (l->max < f->oom_below) {
                ret->oom_kills = 1;
                ret->exited = true;
                ret->exit_code = 137;
                ret->signal = 9;
                ret->duration_s /= 3;
        } else if (l->max < f->slow_below) {
                ret->stall_some_us = (uint64_t)(ret->duration_s * (f->slow_factor - 1) * 1e6);
                ret->stall_full_us = ret->stall_some_us;
                ret->duration_s *= f->slow_factor;
        }
        if (l->max != MC_SIZE_SEARCH_NO_LIMIT && f->clock_factor > 0)
                ret->duration_s *= f->clock_factor;
        ret->has_stall = f->stall;
        if (i < ELEMENTSOF(f->clock_at) && f->clock_at[i] > 0)
                ret->duration_s = f->clock_at[i];
        if (l->max < f->hang_below || (f->hang_any && l->max != MC_SIZE_SEARCH_NO_LIMIT))
                ret->duration_s = f->hang_s;
        /* Stopped by its time limit as memcage does it: the group killed, a little after. */
        if (l->time_limit_s > 0 && ret->duration_s > l->time_limit_s) {
                ret->duration_s = l->time_limit_s + 0.01;
                ret->timed_out = true;
                ret->exit_code = 137;
                ret->signal = 9;
        }
        return 0;
}

static void fake_done(void *userdata, const struct mc_size_run *run, unsigned index, unsigned max_runs)
{
        struct fake *f = userdata;
        f->dones++;
        assert_int_equal(index, f->dones);
        assert_true(index <= max_runs);
        assert_non_null(run);
}

static struct mc_size_options options(struct fake *f, double slowdown, unsigned max_runs)
{
        return (struct mc_size_options){
                .slowdown = slowdown, .max_runs = max_runs, .run = fake_run, .done = fake_done, .userdata = f
        };
}

/* The answer passes, lies above the need, and within the margin and resolution of it. */
static void assert_answer(const struct mc_size_answer *a, uint64_t need)
{
        assert_int_equal(a->outcome, MC_SIZE_FOUND);
        assert_true(a->recommended.max >= need);
        assert_true(a->smallest_pass >= need);
        /* resolution (2% or 4 MiB) + margin (5% or 4 MiB) + rounding to a MiB */
        assert_true(a->recommended.max <= need + need / 50 + need / 20 + 9 * MIB);
        assert_true(a->recommended.high < a->recommended.max);
        assert_int_equal(a->recommended.high,
                         (a->smallest_pass + (a->recommended.max - a->smallest_pass) / 2 + MIB - 1) / MIB *
                                 MIB);
        assert_int_equal(a->runs[a->n_runs - 1].role, MC_SIZE_ROLE_CONFIRM);
        assert_int_equal(a->runs[a->n_runs - 1].verdict, MC_SIZE_PASS);
        assert_int_equal(a->runs[a->n_runs - 1].limits.max, a->recommended.max);
}

static void test_oom_below_converges(void **state)
{
        (void)state;
        struct fake f = { .oom_below = 100 * MIB, .peak = 140 * MIB, .base_s = 2 };
        struct mc_size_options o = options(&f, 0.10, 8);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_answer(&a, 100 * MIB);
        assert_true(a.n_runs <= 8);
        assert_int_equal(a.n_runs, f.calls);
        assert_int_equal(a.runs[0].role, MC_SIZE_ROLE_BASELINE);
        assert_int_equal(a.runs[0].limits.max, MC_SIZE_SEARCH_NO_LIMIT);
        assert_int_equal(a.runs[1].role, MC_SIZE_ROLE_BASELINE);
        assert_false(a.repeated);
        assert_int_equal(a.peak, 140 * MIB);
        /* Every probe under the need failed by OOM, every one above passed. */
        for (unsigned i = 2; i + 1 < a.n_runs; i++) {
                assert_int_equal(a.runs[i].role, MC_SIZE_ROLE_PROBE);
                assert_int_equal(a.runs[i].verdict,
                                 a.runs[i].limits.max < 100 * MIB ? MC_SIZE_FAIL_OOM : MC_SIZE_PASS);
                assert_int_equal(a.runs[i].limits.high, MC_SIZE_SEARCH_NO_LIMIT);
        }
        assert_true(a.largest_fail < 100 * MIB && a.largest_fail > 0);
}

/* A large peak of page cache, no floor known: still within 8 runs. */
static void test_converges_within_8_from_zero(void **state)
{
        (void)state;
        struct fake f = { .oom_below = 300 * MIB, .peak = 1024 * MIB, .base_s = 5 };
        struct mc_size_options o = options(&f, 0.10, 8);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_int_equal(a.outcome, MC_SIZE_FOUND);
        assert_true(a.n_runs <= 8);
        assert_true(a.recommended.max >= 300 * MIB);
        /* 5 probes halve 1 GiB to 32 MiB: the answer is within that of the need, plus the margin. */
        assert_true(a.recommended.max <= 300 * MIB + 32 * MIB + 300 * MIB / 20 + 5 * MIB);
        assert_true(a.budget_spent);
}

/* The floor (unreclaimable memory at the peak) narrows the interval to start from. */
static void test_floor(void **state)
{
        (void)state;
        struct fake f = {
                .oom_below = 101 * MIB, .peak = 103 * MIB, .floor = 101 * MIB, .has_floor = true, .base_s = 1
        };
        struct mc_size_options o = options(&f, 0.10, 8);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_answer(&a, 101 * MIB);
        assert_int_equal(a.floor, 101 * MIB);
        /* 2 MiB apart, below the resolution: no probe, only the confirmation. */
        assert_int_equal(a.n_runs, 3);
        assert_int_equal(a.smallest_pass, 103 * MIB);
        assert_int_equal(a.recommended.max, 109 * MIB);  /* 103 + 5.15, rounded up */
        assert_int_equal(a.recommended.high, 106 * MIB); /* halfway from 103 to 109 */
}

static void test_slow_below(void **state)
{
        (void)state;
        struct fake f = { .oom_below = 50 * MIB,
                          .slow_below = 200 * MIB,
                          .slow_factor = 1.5,
                          .peak = 400 * MIB,
                          .base_s = 4 };
        struct mc_size_options o = options(&f, 0.10, 10);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_answer(&a, 200 * MIB);
        bool saw_slow = false;
        for (unsigned i = 0; i < a.n_runs; i++)
                saw_slow |= a.runs[i].verdict == MC_SIZE_FAIL_SLOW;
        assert_true(saw_slow);

        /* A slowdown that allows 1.5 times: the OOM bound decides. */
        f = (struct fake){ .oom_below = 50 * MIB,
                           .slow_below = 200 * MIB,
                           .slow_factor = 1.5,
                           .peak = 400 * MIB,
                           .base_s = 4 };
        o = options(&f, 0.60, 10);
        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_answer(&a, 50 * MIB);
        assert_true(a.recommended.max < 200 * MIB);
}

/* Noise above the slowdown: slow runs are repeated, and a noisy slow run passes on its repeat. */
static void test_noise_repeats(void **state)
{
        (void)state;
        /* Baselines 10 s and 11.5 s: 15% noise (less the slack) at a slowdown of 10%. */
        struct fake f = { .oom_below = 100 * MIB,
                          .slow_below = 150 * MIB,
                          .slow_factor = 2,
                          .peak = 300 * MIB,
                          .base_s = 10,
                          .plain = { 10, 11.5 } };
        struct mc_size_options o = options(&f, 0.10, 12);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_true(a.repeated);
        assert_true(a.noise > 0.10 && a.noise < 0.15);
        assert_float_equal(a.reference_s, 11.5, 1e-9);
        assert_answer(&a, 150 * MIB);
        unsigned repeats = 0;
        for (unsigned i = 0; i < a.n_runs; i++)
                if (a.runs[i].role == MC_SIZE_ROLE_REPEAT) {
                        repeats++;
                        /* only a run that was slow is repeated, at the same limits */
                        assert_int_equal(a.runs[i - 1].verdict, MC_SIZE_FAIL_SLOW);
                        assert_int_equal(a.runs[i - 1].limits.max, a.runs[i].limits.max);
                }
        assert_true(repeats > 0);

        /* The same noise at a slowdown of 25%: nothing repeated. */
        f = (struct fake){ .oom_below = 100 * MIB, .peak = 300 * MIB, .base_s = 10, .plain = { 10, 11.5 } };
        o = options(&f, 0.25, 8);
        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_false(a.repeated);
        assert_answer(&a, 100 * MIB);
}

/* The time limit a run after the baselines had: twice the slowdown bound, at least 1 s. */
static double time_limit_of(const struct mc_size_answer *a, double slowdown)
{
        double bound = a->reference_s * (1 + slowdown) + 0.05;
        return 2 * bound > MC_SIZE_SEARCH_TIME_LIMIT_MIN_S ? 2 * bound : MC_SIZE_SEARCH_TIME_LIMIT_MIN_S;
}

/*
 * Below its need the command would take 600 s: each such run is stopped at
 * the time limit, judged slow without a repeat (the noise is above the
 * slowdown, so a run only slow would be repeated), and the search converges
 * on the need as it does on an OOM bound.
 */
static void test_time_limit(void **state)
{
        (void)state;
        struct fake f = {
                .hang_below = 100 * MIB, .hang_s = 600, .peak = 140 * MIB, .base_s = 2, .plain = { 2, 2.3 }
        };
        struct mc_size_options o = options(&f, 0.10, 10);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_true(a.repeated);
        assert_answer(&a, 100 * MIB);
        unsigned stopped = 0;
        for (unsigned i = 0; i < a.n_runs; i++) {
                const struct mc_size_run *run = &a.runs[i];
                if (run->role == MC_SIZE_ROLE_BASELINE) {
                        assert_float_equal(run->limits.time_limit_s, 0, 1e-12);
                        continue;
                }
                assert_float_equal(run->limits.time_limit_s, time_limit_of(&a, 0.10), 1e-9);
                assert_float_equal(run->limits.time_limit_s, 2 * (2.3 * 1.1 + 0.05), 1e-9);
                assert_int_equal(run->result.timed_out, run->limits.max < 100 * MIB);
                if (run->result.timed_out) {
                        stopped++;
                        assert_int_equal(run->verdict, MC_SIZE_FAIL_SLOW);
                        assert_true(run->result.duration_s < 10);
                        /* not repeated: the next run is at another max */
                        assert_true(i + 1 < a.n_runs);
                        assert_int_not_equal(a.runs[i + 1].role, MC_SIZE_ROLE_REPEAT);
                        assert_true(a.runs[i + 1].limits.max != run->limits.max);
                }
        }
        assert_true(stopped >= 2);
        assert_true(a.largest_fail > 0 && a.largest_fail < 100 * MIB);
}

/* A command of milliseconds gets the floor of 1 s, not twice its bound of about 60 ms. */
static void test_time_limit_floor(void **state)
{
        (void)state;
        struct fake f = { .oom_below = 20 * MIB, .peak = 64 * MIB, .base_s = 0.01 };
        struct mc_size_options o = options(&f, 0.10, 8);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_answer(&a, 20 * MIB);
        for (unsigned i = 2; i < a.n_runs; i++) {
                assert_float_equal(a.runs[i].limits.time_limit_s, MC_SIZE_SEARCH_TIME_LIMIT_MIN_S, 1e-12);
                assert_false(a.runs[i].result.timed_out);
        }
}

/* OOM-killed, then stopped: the OOM kill is the verdict. */
static void test_time_limit_after_oom(void **state)
{
        (void)state;
        struct fake f = { .oom_below = 100 * MIB,
                          .hang_below = 100 * MIB,
                          .hang_s = 600,
                          .peak = 140 * MIB,
                          .base_s = 2 };
        struct mc_size_options o = options(&f, 0.10, 8);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_answer(&a, 100 * MIB);
        bool saw = false;
        for (unsigned i = 2; i < a.n_runs; i++)
                if (a.runs[i].result.timed_out) {
                        saw = true;
                        assert_int_equal(a.runs[i].verdict, MC_SIZE_FAIL_OOM);
                }
        assert_true(saw);
}

/*
 * Every limited run would take 600 s: every probe and the confirmation are
 * stopped, the smallest passing max stays the baselines' peak, and the
 * answer is not confirmed, within the runs asked for.
 */
static void test_time_limit_every_run(void **state)
{
        (void)state;
        struct fake f = { .hang_any = true, .hang_s = 600, .peak = 64 * MIB, .base_s = 1 };
        struct mc_size_options o = options(&f, 0.25, 6);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_int_equal(a.outcome, MC_SIZE_NOT_CONFIRMED);
        assert_int_equal(a.n_runs, 6);
        assert_int_equal(a.smallest_pass, 64 * MIB);
        double total = 0;
        for (unsigned i = 2; i < a.n_runs; i++) {
                assert_true(a.runs[i].result.timed_out);
                assert_int_equal(a.runs[i].verdict, MC_SIZE_FAIL_SLOW);
                total += a.runs[i].result.duration_s;
        }
        assert_int_equal(a.runs[a.n_runs - 1].role, MC_SIZE_ROLE_CONFIRM);
        /* four runs of 2 * (1.25 + 0.05) s each, not of 600 s */
        assert_true(total < 4 * 2.7);
}

/*
 * Noise above the slowdown, with the stall known: the stall judges. A run
 * whose clock is slow within the noise but that did not wait on memory
 * passes, unrepeated; one that waited longer than the slowdown allows is
 * slow, unrepeated; beyond the noise plus the slowdown the clock still
 * counts.
 */
static void test_stall_judges_under_noise(void **state)
{
        (void)state;
        /*
         * Baselines 10 s and 14 s: 40% noise at a slowdown of 25% (the clock's limit 17.55 s, beyond
         * the noise 23.1 s); every limited run takes 18 s and more by the clock.
         */
        struct fake f = { .oom_below = 60 * MIB,
                          .slow_below = 100 * MIB,
                          .slow_factor = 2,
                          .peak = 300 * MIB,
                          .base_s = 10,
                          .plain = { 10, 14 },
                          .stall = true,
                          .clock_factor = 1.8 };
        struct mc_size_options o = options(&f, 0.25, 10);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_true(a.repeated);
        assert_true(a.by_stall);
        /* The time limit: twice the clock's bound past the noise, the larger one here. */
        assert_float_equal(a.runs[2].limits.time_limit_s, 2 * (14 * (1 + a.noise + 0.25) + 0.05), 1e-9);
        assert_answer(&a, 100 * MIB);
        for (unsigned i = 0; i < a.n_runs; i++) {
                assert_int_not_equal(a.runs[i].role, MC_SIZE_ROLE_REPEAT);
                if (a.runs[i].role == MC_SIZE_ROLE_PROBE && a.runs[i].limits.max >= 60 * MIB)
                        assert_int_equal(a.runs[i].verdict, a.runs[i].limits.max < 100 * MIB
                                                                    ? MC_SIZE_FAIL_SLOW
                                                                    : MC_SIZE_PASS);
        }

        /* Without the stall, the same clock makes every limited run slow, twice: no answer below the peak.
         */
        f.stall = false;
        f.calls = f.dones = 0;
        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_false(a.by_stall);
        assert_true(a.smallest_pass == 300 * MIB);

        /* With the stall, a clock beyond the noise plus the slowdown (24 s) is slow. */
        f = (struct fake){ .oom_below = 60 * MIB,
                           .peak = 300 * MIB,
                           .base_s = 10,
                           .plain = { 10, 14 },
                           .stall = true,
                           .clock_factor = 2.4 };
        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_int_equal(a.outcome, MC_SIZE_NOT_CONFIRMED);
        assert_int_equal(a.smallest_pass, 300 * MIB);
}

/* Low noise: a run that waited on memory longer than the slowdown allows is slow, whatever its clock. */
static void test_stall_over_budget(void **state)
{
        (void)state;
        /* 20% of the time stalled at a slowdown of 10%, the clock hiding it (0.9 * 1.2 = 1.08). */
        struct fake f = { .oom_below = 60 * MIB,
                          .slow_below = 100 * MIB,
                          .slow_factor = 1.2,
                          .peak = 300 * MIB,
                          .base_s = 10,
                          .stall = true,
                          .clock_factor = 0.9 };
        struct mc_size_options o = options(&f, 0.10, 10);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_false(a.repeated);
        assert_answer(&a, 100 * MIB);
        bool saw_slow = false;
        for (unsigned i = 0; i < a.n_runs; i++)
                if (a.runs[i].verdict == MC_SIZE_FAIL_SLOW) {
                        saw_slow = true;
                        assert_true(a.runs[i].result.duration_s < 11);
                }
        assert_true(saw_slow);
}

/*
 * Plain runs that agree (no noise) say nothing of the next run's clock: with
 * the stall known, a run slow by the clock alone is repeated, the probe's and
 * the confirmation's, and passes when its repeat does.
 */
static void test_stall_clock_spike(void **state)
{
        (void)state;
        /* 10 s runs at a slowdown of 10%: the clock's bound 12.05 s; runs 4 and 8 (1-based) take 13 s. */
        struct fake f = { .oom_below = 60 * MIB,
                          .peak = 300 * MIB,
                          .base_s = 10,
                          .stall = true,
                          .clock_at = { [3] = 13, [7] = 13 } };
        struct mc_size_options o = options(&f, 0.10, 10);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_false(a.repeated);
        assert_true(a.by_stall);
        assert_int_equal(a.outcome, MC_SIZE_FOUND);
        assert_true(a.recommended.max >= 60 * MIB);
        assert_int_equal(a.runs[3].verdict, MC_SIZE_FAIL_SLOW);
        assert_int_equal(a.runs[4].role, MC_SIZE_ROLE_REPEAT);
        assert_int_equal(a.runs[4].limits.max, a.runs[3].limits.max);
        assert_int_equal(a.runs[4].verdict, MC_SIZE_PASS);
        /* Within the noise taken as the slowdown (12.05 s), no repeat: 12 s passes. */
        f = (struct fake){ .oom_below = 60 * MIB,
                           .peak = 300 * MIB,
                           .base_s = 10,
                           .stall = true,
                           .clock_at = { [2] = 12 } };
        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_int_equal(a.runs[2].verdict, MC_SIZE_PASS);
        assert_int_equal(a.runs[3].role, MC_SIZE_ROLE_PROBE);

        /* A confirmation slow by the clock once is repeated: two runs were kept for it. */
        f = (struct fake){ .oom_below = 60 * MIB, .peak = 300 * MIB, .base_s = 10, .stall = true };
        o = options(&f, 0.10, 8);
        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        unsigned confirm = a.n_runs - 1;
        assert_true(confirm < 7); /* the last run was left */
        f = (struct fake){ .oom_below = 60 * MIB, .peak = 300 * MIB, .base_s = 10, .stall = true };
        f.clock_at[confirm] = 13;
        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_int_equal(a.outcome, MC_SIZE_FOUND);
        assert_int_equal(a.runs[confirm].role, MC_SIZE_ROLE_CONFIRM);
        assert_int_equal(a.runs[confirm].verdict, MC_SIZE_FAIL_SLOW);
        assert_int_equal(a.runs[confirm + 1].role, MC_SIZE_ROLE_REPEAT);
        assert_int_equal(a.runs[confirm + 1].verdict, MC_SIZE_PASS);
}

static void test_not_measurable(void **state)
{
        (void)state;
        /* No two of three plain runs within 30%: not measurable at a slowdown of 10%. */
        struct fake f = { .oom_below = 100 * MIB, .peak = 300 * MIB, .base_s = 10, .plain = { 10, 14, 19 } };
        struct mc_size_options o = options(&f, 0.10, 8);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_int_equal(a.outcome, MC_SIZE_NOT_MEASURABLE);
        assert_int_equal(a.n_runs, 3);
        assert_true(a.noise > 0.3);

        /* Without room for a third baseline (and a probe, and the confirmation) the first two decide. */
        f = (struct fake){ .oom_below = 100 * MIB, .peak = 300 * MIB, .base_s = 10, .plain = { 10, 14 } };
        o = options(&f, 0.10, 3);
        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_int_equal(a.outcome, MC_SIZE_NOT_MEASURABLE);
        assert_int_equal(a.n_runs, 2);

        /* A cold first run, slower by half: a third plain run agrees with the second, and they decide. */
        f = (struct fake){
                .oom_below = 100 * MIB, .peak = 300 * MIB, .base_s = 10, .plain = { 15, 10, 10.2 }
        };
        o = options(&f, 0.10, 8);
        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_int_equal(a.outcome, MC_SIZE_FOUND);
        assert_int_equal(a.runs[2].role, MC_SIZE_ROLE_BASELINE);
        assert_int_equal(a.runs[3].role, MC_SIZE_ROLE_PROBE);
        assert_float_equal(a.reference_s, 10.2, 1e-9);
        assert_false(a.repeated);
        assert_true(a.n_runs <= 8);
        assert_true(a.recommended.max >= 100 * MIB);

        /* Tiny durations differ by less than the slack: no noise. */
        f = (struct fake){
                .oom_below = 10 * MIB, .peak = 30 * MIB, .base_s = 0.01, .plain = { 0.01, 0.03 }
        };
        o = options(&f, 0.10, 8);
        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_int_equal(a.outcome, MC_SIZE_FOUND);
        assert_float_equal(a.noise, 0, 0);
}

static void test_not_repeatable(void **state)
{
        (void)state;
        struct fake f = { .oom_below = 100 * MIB, .peak = 300 * MIB, .base_s = 1, .plain_exit = { 0, 1 } };
        struct mc_size_options o = options(&f, 0.10, 8);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_int_equal(a.outcome, MC_SIZE_NOT_REPEATABLE);
        assert_int_equal(a.n_runs, 2);
        assert_string_equal(mc_size_outcome_name(a.outcome), "not repeatable");
}

static void test_failing_baseline(void **state)
{
        (void)state;
        struct fake f = { .oom_below = 100 * MIB, .peak = 300 * MIB, .base_s = 1, .fail_always = true };
        struct mc_size_options o = options(&f, 0.10, 8);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_int_equal(a.outcome, MC_SIZE_NOTHING_TO_SIZE);
        assert_int_equal(a.n_runs, 1);
        assert_int_equal(a.runs[0].verdict, MC_SIZE_FAIL_EXIT);
        assert_string_equal(mc_size_outcome_name(a.outcome), "nothing to size");
}

/* max_runs bounds the search, whatever the interval; the answer is still one that passed. */
static void test_max_runs(void **state)
{
        (void)state;
        for (unsigned n = MC_SIZE_SEARCH_RUNS_MIN; n <= 12; n++) {
                struct fake f = { .oom_below = 10 * MIB, .peak = 4096 * MIB, .base_s = 1 };
                struct mc_size_options o = options(&f, 0.10, n);
                struct mc_size_answer a;
                struct mc_error err = { 0 };

                assert_int_equal(mc_size_search(&o, &a, &err), 0);
                assert_int_equal(a.outcome, MC_SIZE_FOUND);
                assert_true(a.n_runs <= n);
                assert_int_equal(f.calls, a.n_runs);
                assert_true(a.budget_spent);
                assert_true(a.recommended.max >= 10 * MIB);
        }
        struct fake f = { 0 };
        struct mc_size_options o = options(&f, 0.10, 2);
        struct mc_size_answer a;
        struct mc_error err = { 0 };
        assert_int_equal(mc_size_search(&o, &a, &err), -EINVAL);
        o = options(&f, 0.10, MC_SIZE_SEARCH_RUNS_MAX + 1);
        assert_int_equal(mc_size_search(&o, &a, &err), -EINVAL);
        o = options(&f, -0.1, 8);
        assert_int_equal(mc_size_search(&o, &a, &err), -EINVAL);
        assert_int_equal(f.calls, 0);
}

/* A confirmation that fails (the need moved up between runs) is said, not hidden. */
static void test_not_confirmed(void **state)
{
        (void)state;
        /* Passes at its peak, but is slow at anything below: the answer is the peak plus a margin. */
        struct fake f = {
                .oom_below = 0, .slow_below = UINT64_MAX, .slow_factor = 2, .peak = 100 * MIB, .base_s = 1
        };
        struct mc_size_options o = options(&f, 0.10, 8);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), 0);
        assert_int_equal(a.outcome, MC_SIZE_NOT_CONFIRMED);
        assert_int_equal(a.runs[a.n_runs - 1].verdict, MC_SIZE_FAIL_SLOW);
}

static void test_runner_failure(void **state)
{
        (void)state;
        struct fake f = { .oom_below = 100 * MIB, .peak = 300 * MIB, .base_s = 1, .runner_error_at = 3 };
        struct mc_size_options o = options(&f, 0.10, 8);
        struct mc_size_answer a;
        struct mc_error err = { 0 };

        assert_int_equal(mc_size_search(&o, &a, &err), -EIO);
        assert_string_equal(err.msg, "cannot create the group");
        assert_int_equal(a.n_runs, 2);
}

static void test_recommend(void **state)
{
        (void)state;
        assert_int_equal(mc_size_recommend_max(100 * MIB), 105 * MIB);
        assert_int_equal(mc_size_recommend_max(10 * MIB), 14 * MIB);
        assert_int_equal(mc_size_recommend_max(1000 * MIB), 1050 * MIB);
        assert_int_equal(mc_size_recommend_high(100 * MIB), 103 * MIB);     /* halfway to 105, rounded up */
        assert_int_equal(mc_size_recommend_high(100 * MIB + 1), 103 * MIB); /* halfway to 106, rounded up */
        /* high stays below max: the margin is at least 4 MiB */
        for (uint64_t v = MIB; v < 2048 * MIB; v = v * 3 / 2 + 4095)
                assert_true(mc_size_recommend_high(v) < mc_size_recommend_max(v));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_oom_below_converges),
                cmocka_unit_test(test_converges_within_8_from_zero),
                cmocka_unit_test(test_floor),
                cmocka_unit_test(test_slow_below),
                cmocka_unit_test(test_noise_repeats),
                cmocka_unit_test(test_stall_judges_under_noise),
                cmocka_unit_test(test_stall_over_budget),
                cmocka_unit_test(test_stall_clock_spike),
                cmocka_unit_test(test_time_limit),
                cmocka_unit_test(test_time_limit_floor),
                cmocka_unit_test(test_time_limit_after_oom),
                cmocka_unit_test(test_time_limit_every_run),
                cmocka_unit_test(test_not_measurable),
                cmocka_unit_test(test_not_repeatable),
                cmocka_unit_test(test_failing_baseline),
                cmocka_unit_test(test_max_runs),
                cmocka_unit_test(test_not_confirmed),
                cmocka_unit_test(test_runner_failure),
                cmocka_unit_test(test_recommend),
        };
        return cmocka_run_group_tests_name("size-search", tests, NULL, NULL);
}
