/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The search of `memcage size`: the smallest memory.max (with a memory.high
 * below it) at which a command still succeeds, without an OOM kill and no
 * more than a given slowdown slower than without a limit. It knows nothing
 * of running: it asks a runner "run with max=X, high=Y" and judges what comes
 * back, so that unit tests drive it with a fake runner.
 *
 * The search, run by run (each counts against max_runs):
 *
 *   baseline  two runs without a limit. The first failing (an exit status
 *             other than 0, a signal, an OOM kill) is "nothing to size"; the
 *             two ending differently is "not repeatable". The slower of the
 *             two is the reference duration, their spread the noise. When
 *             that is above three times the slowdown, a third run (a first
 *             run is often slower, the command's files read from disk once):
 *             the two of the three that agree best are then the reference.
 *   slow      a run is slow when it waited on memory longer than the
 *             slowdown allows: its stall "some" (memory.pressure, the time
 *             some task of the group waited on reclaim, swap-in, refaults
 *             or memory.high throttling) beyond the baselines' largest is
 *             the time it lost, and a loss above slowdown * the time it
 *             would have taken without the limit (the reference or its own
 *             duration less the loss, the longer; + slack) is slow; or by
 *             its wall clock. The stall is memory's own share of the time:
 *             a loaded host (or an emulator) stretches it as it stretches
 *             the run, while the clock of one run varies by far more. The clock
 *             also counts what PSI does not see (a
 *             file read again from disk), but the clock of one run varies
 *             by more than any slowdown there, and two plain runs that
 *             agree by chance say nothing of the next. So with the stall
 *             known, a run is slow by the clock only beyond the reference
 *             times 1 + slowdown + noise, the noise taken as at least the
 *             slowdown, and such a verdict is repeated once: slow when both
 *             runs were. Without the stall (no memory.pressure) the clock's
 *             bound is the reference times 1 + slowdown, and a verdict of it
 *             is repeated only when the noise is above the slowdown. Two
 *             runs are kept for the confirmation whenever it may be
 *             repeated.
 *   noise     above three times the slowdown, slowness cannot be told from
 *             noise in two runs: "not measurable".
 *   bisect    between a lower bound (the unreclaimable part at the peak:
 *             anon, shmem and kernel memory, when the runner knows it, else
 *             0) and the baseline's memory.peak, which passed. memory.peak
 *             counts page cache, which the kernel reclaims under a limit, so
 *             the need is lower. Each probe runs with max=X and no high (a
 *             high below the need of a job that cannot swap throttles it
 *             without end); it fails when OOM-killed, when it ends
 *             otherwise than the baseline or when it is slow. The search stops when the
 *             interval is below the resolution (1 MiB or 2% of its top,
 *             whichever is larger) or when only the confirming run is left
 *             of max_runs.
 *   time      every run after the baselines is stopped (its group killed)
 *             when it has run twice the slowdown bound (the reference plus
 *             the slowdown and the slack; under noise, with the stall known,
 *             the larger bound past the noise), or 1 s if that is longer: a probe
 *             below the working set that may swap can thrash for minutes, or
 *             forever, while its verdict was known once it passed the bound.
 *             Twice, so that a run stopped is slow by far more than any noise
 *             the search accepts (at most three times the slowdown, and the
 *             bound already holds the slowdown once): it is judged slow and
 *             not repeated. The floor keeps a command of a few milliseconds,
 *             whose bound is mostly the slack, from being stopped by a
 *             scheduling hiccup of the machine rather than by its own pace.
 *   answer    max: the smallest passing probe plus a margin (5%, at least
 *             4 MiB, rounded up to a MiB), so that the run-to-run variation
 *             of the command's peak fits; high: halfway between that
 *             smallest passing max and max, rounded up to a MiB: reclaim and
 *             throttling start only above what the command was measured to
 *             need, and below max. One run at the
 *             pair confirms it; a failing confirmation is "not confirmed".
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* "No limit", as in size.h. */
#define MC_SIZE_SEARCH_NO_LIMIT UINT64_MAX
/* The most runs a search makes (and the largest max_runs accepted). */
#define MC_SIZE_SEARCH_RUNS_MAX 64
/* The fewest runs a search can answer in: two baselines and a confirmation. */
#define MC_SIZE_SEARCH_RUNS_MIN         3
#define MC_SIZE_SEARCH_DEFAULT_RUNS     8
#define MC_SIZE_SEARCH_DEFAULT_SLOWDOWN 0.10

/* The fewest seconds a run after the baselines is given before it is stopped. */
#define MC_SIZE_SEARCH_TIME_LIMIT_MIN_S 1.0

/* The limits of one run; MC_SIZE_SEARCH_NO_LIMIT for none. */
struct mc_size_limits {
        uint64_t max, high;
        double time_limit_s; /* stop the run (kill its group) after this long; 0: none */
};

/* What one run gave, as the runner saw it. */
struct mc_size_result {
        bool exited;    /* the command ran and ended */
        int exit_code;  /* its status: code, or 128+N */
        int signal;     /* 0 when not killed by a signal */
        bool timed_out; /* the time limit stopped it */
        unsigned oom_kills;
        double duration_s;
        bool has_peak;
        uint64_t peak; /* memory.peak */
        bool has_floor;
        uint64_t floor; /* anon + shmem + kernel at the peak, when sampled */
        bool has_stall;
        uint64_t stall_some_us, stall_full_us;
};

/*
 * Runs the command once with those limits. Returns 0, or a negative errno
 * with err set when memcage itself failed (the search stops there).
 */
typedef int (*mc_size_run_fn)(void *userdata, const struct mc_size_limits *limits,
                              struct mc_size_result *ret, struct mc_error *err);

enum mc_size_role {
        MC_SIZE_ROLE_BASELINE,
        MC_SIZE_ROLE_PROBE,
        MC_SIZE_ROLE_REPEAT, /* a slow probe repeated, noise being above the slowdown */
        MC_SIZE_ROLE_CONFIRM,
};

enum mc_size_verdict {
        MC_SIZE_PASS,
        MC_SIZE_FAIL_OOM,  /* OOM-killed */
        MC_SIZE_FAIL_EXIT, /* ended otherwise than the baseline */
        MC_SIZE_FAIL_SLOW, /* slower than the reference by more than the slowdown, or stopped */
};

/* One run of the search and how it was judged. */
struct mc_size_run {
        enum mc_size_role role;
        struct mc_size_limits limits;
        struct mc_size_result result;
        enum mc_size_verdict verdict;
};

/* Called after each run, for the evidence lines; may be NULL. */
typedef void (*mc_size_done_fn)(void *userdata, const struct mc_size_run *run, unsigned index,
                                unsigned max_runs);

struct mc_size_options {
        double slowdown;    /* 0.10 for 10% */
        unsigned max_runs;  /* MC_SIZE_SEARCH_RUNS_MIN..MC_SIZE_SEARCH_RUNS_MAX */
        mc_size_run_fn run; /* required */
        mc_size_done_fn done;
        void *userdata;
};

enum mc_size_outcome {
        MC_SIZE_FOUND,
        MC_SIZE_NOTHING_TO_SIZE, /* the command fails without a limit */
        MC_SIZE_NOT_REPEATABLE,  /* two plain runs ended differently */
        MC_SIZE_NOT_MEASURABLE,  /* the noise between plain runs is above three times the slowdown */
        MC_SIZE_NOT_CONFIRMED,   /* the confirming run at the answer failed */
};

struct mc_size_answer {
        enum mc_size_outcome outcome;
        struct mc_size_run runs[MC_SIZE_SEARCH_RUNS_MAX];
        unsigned n_runs;

        double reference_s;         /* the slower baseline's duration */
        double noise;               /* (slower - faster) / faster of the baselines */
        bool repeated;              /* noise above the slowdown: a run slow by the clock is repeated */
        bool by_stall;              /* every baseline knew its stall: runs are judged by theirs too */
        uint64_t baseline_stall_us; /* the largest stall (some) of the baselines, with by_stall */
        double clock_limit_s; /* a run slower than this by the clock is slow (and repeated: see above) */
        bool has_peak;
        uint64_t peak;  /* the larger baseline memory.peak */
        uint64_t floor; /* the lower bound the bisection started from */

        uint64_t smallest_pass; /* the smallest max a probe passed at (the baseline's peak if none did) */
        uint64_t largest_fail;  /* the largest max a probe failed at, 0 for none */
        bool budget_spent;      /* stopped by max_runs before the resolution */
        struct mc_size_limits recommended; /* when FOUND (and NOT_CONFIRMED: what failed) */
};

/* The margin added to the smallest passing max, and high below max: see above. */
uint64_t mc_size_recommend_max(uint64_t smallest_pass);
uint64_t mc_size_recommend_high(uint64_t smallest_pass);

/*
 * Searches. Returns 0 with ret->outcome set (the runs made in ret->runs), or
 * a negative errno: bad options, or the runner's failure (the runs so far
 * are kept in ret).
 */
int mc_size_search(const struct mc_size_options *o, struct mc_size_answer *ret, struct mc_error *err);

/* "found", "nothing to size", "not repeatable", "not measurable", "not confirmed". */
const char *mc_size_outcome_name(enum mc_size_outcome o);
/* "baseline", "probe", "repeat", "confirm". */
const char *mc_size_role_name(enum mc_size_role r);
/* "pass", "oom", "exit", "slow". */
const char *mc_size_verdict_name(enum mc_size_verdict v);
