/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memcage size: the command run several times through the run pipeline
 * (run.h), each time with the limits the search (size-search.h) asks for,
 * quietly: no report files, one evidence line per run, then the answer.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "profile.h"
#include "report.h"
#include "run.h"
#include "sampler.h"
#include "size-search.h"
#include "size.h"
#include "spawn.h"
#include "util.h"

/*
 * After the user's interrupt is forwarded, the command has this long to end
 * (a shell's trap, a make cleaning up) before its group is killed: the search
 * stops whatever the command does with the signal.
 */
#define INTERRUPT_KILL_MS 2000

struct size_cli {
        const char *profile;
        const char *json_path;
        const char *profile_out;
        char **argv;
        struct mc_profile_env env;
        sigset_t old_mask;
        int signal_fd;
        bool tty; /* stderr is a terminal: a progress line per run */
        double started_s;
        int interrupted; /* the user's signal that stopped the search, 0 for none */
};

static void usage(void)
{
        printf("Usage: memcage size [OPTIONS] -- COMMAND [ARG...]\n"
               "\n"
               "Run COMMAND several times, each time in a new group with other limits, and\n"
               "print the smallest memory.max (and a memory.high below it) at which it\n"
               "succeeds without an OOM kill and no more than the slowdown slower than\n"
               "without a limit. COMMAND must be repeatable: each run must do the same work\n"
               "and end the same way. The profile's other settings (swap, user, hugetlb)\n"
               "apply to every run; its max and high are replaced. One line per run shows\n"
               "the evidence: the limits, duration, memory.peak, stall (some/full), OOM\n"
               "kills and exit status; then the answer, and the total time on stderr.\n"
               "How the search goes is in memcage(1), SIZE.\n"
               "\n"
               "Options:\n"
               "  -p, --profile PROFILE  profile to apply to every run\n"
               "      --slowdown PCT     the slowdown allowed, in percent (default 10)\n"
               "      --max-runs N       run COMMAND at most N times (3 to 64, default 8)\n"
               "      --json FILE        write the runs and the answer as JSON to FILE\n"
               "      --profile-out FILE write a profile that inherits PROFILE and sets\n"
               "                         the recommended max and high\n"
               "  -h, --help             show this help and exit\n"
               "\n"
               "A run is slow when it lost more than the slowdown to memory stall (PSI), or\n"
               "by the wall clock beyond the noise of the plain runs, twice. Each run after\n"
               "the plain ones is stopped at twice that clock's bound (at least 1 s), and is\n"
               "then slow.\n"
               "\n"
               "Exit status: 0 with an answer; 1 without one (COMMAND fails without a\n"
               "limit, is not repeatable, its duration too noisy to judge, or the answer\n"
               "failed its confirming run); 128+N when memcage got signal N (SIGINT,\n"
               "SIGTERM, SIGHUP: 130 for SIGINT), whatever COMMAND makes of it (still\n"
               "running 2 s after it was forwarded, it is killed): the search stops,\n"
               "the evidence so far is printed and no file is written;\n"
               "125 when memcage itself failed or was misused.\n");
}

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void warn(void *userdata, const char *text)
{
        cli_warning("%s", text);
}

/* "123456" or "max": what the profile's size keys take. */
static const char *limit_value(uint64_t v, char *buf, size_t n)
{
        if (v == MC_SIZE_SEARCH_NO_LIMIT)
                return "max";
        snprintf(buf, n, "%llu", (unsigned long long)v);
        return buf;
}

static int set_limits(struct size_cli *c, struct mc_profile *p, const struct mc_size_limits *l,
                      struct mc_error *err)
{
        char buf[32];
        if (mc_profile_set(p, "memory", "max", limit_value(l->max, buf, sizeof(buf)), "memcage size", 0,
                           &c->env, err) < 0)
                return -err->code;
        if (mc_profile_set(p, "memory", "high", limit_value(l->high, buf, sizeof(buf)), "memcage size", 0,
                           &c->env, err) < 0)
                return -err->code;
        return 0;
}

/* The unreclaimable part at the peak, when the group could not swap it out. */
static void floor_of(const struct mc_run *run, const struct mc_report *rep, struct mc_size_result *ret)
{
        const struct mc_limit_value *swap = &run->plan.limits.v[MC_LIMIT_SWAP_MAX];
        const struct mc_sample_summary *s = rep->obs.samples;

        if (!s || !s->has_snapshot || !swap->set || swap->value != 0)
                return;
        ret->has_floor = true;
        ret->floor = s->snapshot.stat.anon + s->snapshot.stat.shmem + s->snapshot.stat.kernel;
}

/* The signals that stop the search: the user's interrupt, forwarded to the command too. */
static bool is_interrupt(int sig)
{
        return sig == SIGINT || sig == SIGTERM || sig == SIGHUP;
}

/* The first interrupt among the signals memcage received during a run (bit N: signal N), or 0. */
static int interrupt_received(uint64_t received)
{
        static const int order[] = { SIGINT, SIGTERM, SIGHUP };
        for (size_t i = 0; i < ELEMENTSOF(order); i++)
                if (received & (UINT64_C(1) << order[i]))
                        return order[i];
        return 0;
}

/*
 * An interrupt that arrived between two runs, held by the block: it stops
 * the search before the next run starts (it would be forwarded to the next
 * command otherwise). Another forwarded signal was meant for a command that
 * is no longer there: dropped, as `memcage run` drops one that arrives after
 * the command ended.
 */
static int pending_interrupt(struct size_cli *c)
{
        int sig;
        while ((sig = mc_signal_pending()) != 0) {
                struct signalfd_siginfo si;
                if (is_interrupt(sig))
                        return sig;
                if (read(c->signal_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
                        break;
        }
        return 0;
}

static int interrupted(struct size_cli *c, int sig, struct mc_error *err)
{
        c->interrupted = sig;
        return mc_error_set(err, EINTR, "interrupted by SIG%s", sigabbrev_np(sig));
}

/* One run through the pipeline, as `memcage run` makes it, with these limits. */
static int run_once(void *userdata, const struct mc_size_limits *limits, struct mc_size_result *ret,
                    struct mc_error *err)
{
        struct size_cli *c = userdata;
        struct mc_profile profile = { 0 };
        struct mc_run run;
        struct mc_report rep;
        struct mc_error end_err = { 0 };
        int status = 0, r, sig;

        sig = pending_interrupt(c);
        if (sig)
                return interrupted(c, sig, err);
        mc_run_init(&run);
        if (c->profile)
                r = mc_profile_load(c->profile, &c->env, &profile, err);
        else {
                mc_profile_init(&profile);
                r = 0;
        }
        if (r >= 0)
                r = set_limits(c, &profile, limits, err);
        if (r >= 0) {
                struct mc_run_request req = {
                        .profile_name = c->profile,
                        .argv = c->argv,
                        .envp = environ,
                        .runtime_dir = cli_getenv("XDG_RUNTIME_DIR"),
                        .method = MC_SPAWN_AUTO,
                        .signal_fd = c->signal_fd,
                        .child_sigmask = &c->old_mask,
                        .tty_fd = STDIN_FILENO,
                        .time_limit_us = (uint64_t)(limits->time_limit_s * 1e6 + 0.5),
                        .interrupt_kill_ms = INTERRUPT_KILL_MS,
                        .warn = warn,
                        .userdata = c,
                };
                r = mc_run_plan(&run, &req, &profile, c->env.ram_bytes, err);
                if (r >= 0)
                        r = mc_run_execute(&run, &status, err);
                /* An interrupt held until the command was about to start: it did not start. */
                if (r == -EINTR && status > 128 && is_interrupt(status - 128))
                        c->interrupted = status - 128;
        }
        /* The group goes whatever happened; its failure is the run's when nothing failed before. */
        if (mc_run_end(&run, &end_err) < 0 && r >= 0) {
                *err = end_err;
                r = -end_err.code;
        }
        if (r >= 0) {
                mc_run_report(&run, NULL, status, &rep);
                *ret = (struct mc_size_result){
                        .exited = rep.obs.exited,
                        .exit_code = rep.obs.exit_code,
                        .signal = rep.obs.signal,
                        .timed_out = rep.obs.time_limited,
                        .oom_kills = (unsigned)rep.obs.n_oom_kills,
                        .duration_s = rep.obs.duration_s,
                        .has_peak = rep.obs.has_peak,
                        .peak = rep.obs.peak,
                        .has_stall = rep.obs.has_pressure,
                        .stall_some_us = rep.obs.pressure_total_us[MC_PSI_SOME],
                        .stall_full_us = rep.obs.pressure_total_us[MC_PSI_FULL],
                };
                floor_of(&run, &rep, ret);
                /*
                 * memcage forwards SIGINT, SIGTERM and SIGHUP to the command, which
                 * may die of them, ignore them or catch them and exit 130 as shells
                 * do: what memcage itself received says the user stopped it.
                 */
                sig = interrupt_received(rep.obs.signals_received);
                if (sig)
                        r = interrupted(c, sig, err);
                else if (!rep.obs.exited)
                        r = mc_error_set(err, EIO, "the command did not run");
        }
        mc_run_done(&run);
        mc_profile_free(&profile);
        return r < 0 ? r : 0;
}

static const char *fmt_limit(uint64_t v, char *buf, size_t n)
{
        return v == MC_SIZE_SEARCH_NO_LIMIT ? "max" : mc_size_format(v, buf, n);
}

/* The evidence line of one run, on stdout, and the progress line cleared. */
static void done(void *userdata, const struct mc_size_run *run, unsigned index, unsigned max_runs)
{
        struct size_cli *c = userdata;
        const struct mc_size_result *r = &run->result;
        char max[MC_SIZE_STR_MAX], high[MC_SIZE_STR_MAX], peak[MC_SIZE_STR_MAX], stall[64], end[32],
                stopped[48] = "";

        if (c->tty)
                fputs("\r\033[K", stderr);
        if (r->has_stall)
                snprintf(stall, sizeof(stall), "%.2f/%.2f s", (double)r->stall_some_us / 1e6,
                         (double)r->stall_full_us / 1e6);
        else
                snprintf(stall, sizeof(stall), "-");
        if (r->signal)
                snprintf(end, sizeof(end), "signal %d", r->signal);
        else
                snprintf(end, sizeof(end), "exit %d", r->exit_code);
        if (r->timed_out)
                snprintf(stopped, sizeof(stopped), " (stopped at %.1f s)", run->limits.time_limit_s);
        printf("run %u/%u %-8s max=%-7s high=%-7s %8.2f s  peak %-7s stall %s  oom %u  %s  %s%s\n", index,
               max_runs, mc_size_role_name(run->role), fmt_limit(run->limits.max, max, sizeof(max)),
               fmt_limit(run->limits.high, high, sizeof(high)), r->duration_s,
               r->has_peak ? mc_size_format(r->peak, peak, sizeof(peak)) : "-", stall, r->oom_kills, end,
               mc_size_verdict_name(run->verdict), stopped);
        fflush(stdout);
        if (c->tty && index < max_runs)
                fprintf(stderr, "memcage: size: run %u of at most %u...", index + 1, max_runs);
}

static json_t *json_limit(uint64_t v)
{
        return v == MC_SIZE_SEARCH_NO_LIMIT ? json_string("max") : json_integer((json_int_t)v);
}

static json_t *json_run(const struct mc_size_run *run)
{
        const struct mc_size_result *r = &run->result;
        json_t *o = json_object();
        if (!o)
                return NULL;
        json_object_set_new(o, "role", json_string(mc_size_role_name(run->role)));
        json_object_set_new(o, "max", json_limit(run->limits.max));
        json_object_set_new(o, "high", json_limit(run->limits.high));
        json_object_set_new(o, "duration_s", json_real(r->duration_s));
        json_object_set_new(o, "peak", r->has_peak ? json_integer((json_int_t)r->peak) : json_null());
        json_object_set_new(o, "stall_some_us",
                            r->has_stall ? json_integer((json_int_t)r->stall_some_us) : json_null());
        json_object_set_new(o, "stall_full_us",
                            r->has_stall ? json_integer((json_int_t)r->stall_full_us) : json_null());
        json_object_set_new(o, "oom_kills", json_integer(r->oom_kills));
        json_object_set_new(o, "exit", json_integer(r->exit_code));
        json_object_set_new(o, "signal", r->signal ? json_integer(r->signal) : json_null());
        json_object_set_new(o, "time_limit_s",
                            run->limits.time_limit_s > 0 ? json_real(run->limits.time_limit_s)
                                                         : json_null());
        json_object_set_new(o, "timed_out", json_boolean(r->timed_out));
        json_object_set_new(o, "verdict", json_string(mc_size_verdict_name(run->verdict)));
        return o;
}

static json_t *json_answer(const struct mc_size_answer *a, double slowdown, double total_s)
{
        json_t *doc = json_object(), *runs = json_array(), *base = json_object(), *rec = json_object();
        if (!doc || !runs || !base || !rec) {
                json_decref(doc);
                json_decref(runs);
                json_decref(base);
                json_decref(rec);
                return NULL;
        }
        json_object_set_new(doc, "outcome", json_string(mc_size_outcome_name(a->outcome)));
        if (a->outcome == MC_SIZE_FOUND) {
                json_object_set_new(rec, "max", json_integer((json_int_t)a->recommended.max));
                json_object_set_new(rec, "high", json_integer((json_int_t)a->recommended.high));
                json_object_set_new(rec, "smallest_pass", json_integer((json_int_t)a->smallest_pass));
                json_object_set_new(rec, "largest_fail",
                                    a->largest_fail ? json_integer((json_int_t)a->largest_fail)
                                                    : json_null());
                json_object_set_new(rec, "resolution_reached", json_boolean(!a->budget_spent));
                json_object_set_new(doc, "recommendation", rec);
        } else {
                json_decref(rec);
                json_object_set_new(doc, "recommendation", json_null());
        }
        json_object_set_new(base, "duration_s", json_real(a->reference_s));
        json_object_set_new(base, "peak", a->has_peak ? json_integer((json_int_t)a->peak) : json_null());
        json_object_set_new(base, "floor", a->floor ? json_integer((json_int_t)a->floor) : json_null());
        json_object_set_new(base, "noise", json_real(a->noise));
        json_object_set_new(base, "repeated", json_boolean(a->repeated));
        json_object_set_new(base, "stall_some_us",
                            a->by_stall ? json_integer((json_int_t)a->baseline_stall_us) : json_null());
        json_object_set_new(base, "clock_limit_s", json_real(a->clock_limit_s));
        json_object_set_new(doc, "baseline", base);
        json_object_set_new(doc, "slowdown", json_real(slowdown));
        for (unsigned i = 0; i < a->n_runs; i++)
                json_array_append_new(runs, json_run(&a->runs[i]));
        json_object_set_new(doc, "runs", runs);
        json_object_set_new(doc, "total_s", json_real(total_s));
        return doc;
}

static int write_json(struct mc_output *out, const json_t *doc, struct mc_error *err)
{
        _cleanup_free_ char *text =
                json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        if (!text)
                return mc_error_set(err, ENOMEM, "cannot render JSON");
        size_t n = strlen(text);
        _cleanup_free_ char *line = malloc(n + 2);
        if (!line)
                return mc_error_set(err, ENOMEM, "cannot render JSON");
        memcpy(line, text, n);
        line[n] = '\n';
        line[n + 1] = '\0';
        return mc_output_write(out, line, n + 1, err);
}

/* A profile that inherits the one given and sets the answer. */
static int write_profile(struct size_cli *c, struct mc_output *out, const struct mc_size_answer *a,
                         struct mc_error *err)
{
        char max[MC_SIZE_STR_MAX], high[MC_SIZE_STR_MAX], peak[MC_SIZE_STR_MAX];
        _cleanup_free_ char *inherit = NULL, *text = NULL;

        /* A path is written whole, since inherit resolves a relative one against this file. */
        if (c->profile && strchr(c->profile, '/')) {
                inherit = realpath(c->profile, NULL);
                if (!inherit)
                        return mc_error_errno(err, errno, "%s", c->profile);
        } else if (c->profile && !(inherit = strdup(c->profile)))
                return mc_error_errno(err, ENOMEM, "profile");
        if (asprintf(&text,
                     "# Written by memcage size: the smallest max at which the command passed\n"
                     "# plus 5%% (at least 4M); high halfway between the two. The unconstrained peak was "
                     "%s.\n"
                     "[profile]\n"
                     "%s%s%s"
                     "description = sized by memcage size\n"
                     "\n"
                     "[memory]\n"
                     "max = %s\n"
                     "high = %s\n",
                     mc_size_format(a->peak, peak, sizeof(peak)), inherit ? "inherit = " : "",
                     inherit ? inherit : "", inherit ? "\n" : "",
                     mc_size_format(a->recommended.max, max, sizeof(max)),
                     mc_size_format(a->recommended.high, high, sizeof(high))) < 0)
                return mc_error_errno(err, ENOMEM, "profile");
        return mc_output_write(out, text, strlen(text), err);
}

static int parse_slowdown(const char *s, double *ret)
{
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (end != s && *end == '%')
                end++;
        if (errno || end == s || *end || !(v >= 0 && v <= 1000)) {
                cli_error("invalid slowdown '%s': use a percentage from 0 to 1000, e.g. 10 or 10%%", s);
                return -EINVAL;
        }
        *ret = v / 100;
        return 0;
}

static int parse_runs(const char *s, unsigned *ret)
{
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-' || v < MC_SIZE_SEARCH_RUNS_MIN ||
            v > MC_SIZE_SEARCH_RUNS_MAX) {
                cli_error("invalid number of runs '%s': use %d to %d", s, MC_SIZE_SEARCH_RUNS_MIN,
                          MC_SIZE_SEARCH_RUNS_MAX);
                return -EINVAL;
        }
        *ret = (unsigned)v;
        return 0;
}

static void print_baseline(const struct mc_size_answer *a, double slowdown)
{
        char peak[MC_SIZE_STR_MAX];

        if (!a->has_peak)
                return;
        printf("baseline: %.2f s, peak %s, noise %.0f%%", a->reference_s,
               mc_size_format(a->peak, peak, sizeof(peak)), a->noise * 100);
        if (a->by_stall)
                printf("; stall %.2f s; a run is slow when it lost more than %.0f%% of its pace to memory"
                       " stall, or above %.2f s by the clock twice\n",
                       (double)a->baseline_stall_us / 1e6, slowdown * 100, a->clock_limit_s);
        else
                printf("; a run is slow above %.2f s%s\n", a->clock_limit_s,
                       a->repeated ? " twice (the noise is above the slowdown)" : "");
}

static void print_answer(const struct mc_size_answer *a, double slowdown)
{
        char max[MC_SIZE_STR_MAX], high[MC_SIZE_STR_MAX], pass[MC_SIZE_STR_MAX];

        print_baseline(a, slowdown);
        switch (a->outcome) {
        case MC_SIZE_FOUND:
                printf("recommended: max=%s high=%s (the smallest passing max %s plus 5%%, at least 4M; "
                       "high halfway up to max)%s\n",
                       mc_size_format(a->recommended.max, max, sizeof(max)),
                       mc_size_format(a->recommended.high, high, sizeof(high)),
                       mc_size_format(a->smallest_pass, pass, sizeof(pass)),
                       a->budget_spent ? "; --max-runs stopped the search before its resolution" : "");
                break;
        case MC_SIZE_NOTHING_TO_SIZE:
                cli_error("nothing to size: the command fails without a limit");
                break;
        case MC_SIZE_NOT_REPEATABLE:
                cli_error("not repeatable: two runs without a limit ended differently");
                break;
        case MC_SIZE_NOT_MEASURABLE:
                cli_error("not measurable: two runs without a limit differ by %.0f%%, more than three "
                          "times the slowdown (%.0f%%); try a larger --slowdown",
                          a->noise * 100, slowdown * 100);
                break;
        case MC_SIZE_NOT_CONFIRMED: {
                const struct mc_size_run *last = &a->runs[a->n_runs - 1];
                bool passed = false;
                for (unsigned i = 0; i + 1 < a->n_runs; i++)
                        passed |= a->runs[i].role != MC_SIZE_ROLE_BASELINE &&
                                  a->runs[i].verdict == MC_SIZE_PASS;
                cli_error("not confirmed: the command failed (%s%s) at max=%s high=%s, %s",
                          mc_size_verdict_name(last->verdict),
                          last->result.timed_out ? ", stopped by the time limit" : "",
                          mc_size_format(a->recommended.max, max, sizeof(max)),
                          mc_size_format(a->recommended.high, high, sizeof(high)),
                          passed ? "which an earlier run passed below; it may not be repeatable"
                                 : "and no run under a limit passed");
                break;
        }
        }
}

int cmd_size(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "profile", required_argument, NULL, 'p' },
                { "slowdown", required_argument, NULL, 's' },
                { "max-runs", required_argument, NULL, 'n' },
                { "json", required_argument, NULL, 'j' },
                { "profile-out", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct size_cli c = { .signal_fd = -EBADF };
        struct mc_size_options o = { .slowdown = MC_SIZE_SEARCH_DEFAULT_SLOWDOWN,
                                     .max_runs = MC_SIZE_SEARCH_DEFAULT_RUNS,
                                     .run = run_once,
                                     .done = done,
                                     .userdata = &c };
        struct mc_output json_out = { 0 }, profile_out = { 0 };
        bool json_open = false, profile_open = false;
        _cleanup_free_ struct mc_size_answer *a = NULL;
        struct mc_error err = { 0 };
        int ch, status = MC_EXIT_MEMCAGE;

        /* '+': the options end at COMMAND, whose own options are its own. */
        while ((ch = getopt_long(argc, argv, "+p:h", longopts, NULL)) >= 0) {
                switch (ch) {
                case 'p':
                        c.profile = optarg;
                        break;
                case 's':
                        if (parse_slowdown(optarg, &o.slowdown) < 0)
                                return cli_usage_hint("size");
                        break;
                case 'n':
                        if (parse_runs(optarg, &o.max_runs) < 0)
                                return cli_usage_hint("size");
                        break;
                case 'j':
                        c.json_path = optarg;
                        break;
                case 'o':
                        c.profile_out = optarg;
                        break;
                case 'h':
                        usage();
                        return MC_EXIT_OK;
                default:
                        return cli_usage_hint("size");
                }
        }
        if (optind >= argc) {
                cli_error("size: no command to size");
                return cli_usage_hint("size");
        }
        c.argv = argv + optind;
        cli_profile_env(&c.env);
        c.tty = isatty(STDERR_FILENO);

        /* The outputs first, as run opens its own: a bad path fails before anything runs. */
        struct mc_output_opts oopts;
        cli_output_opts(STDOUT_FILENO, &oopts);
        if (c.json_path) {
                json_open = true; /* released on every path, opened or not */
                if (mc_output_open(&json_out, c.json_path, &oopts, &err) < 0) {
                        cli_error("%s", err.msg);
                        goto out;
                }
        }
        if (c.profile_out) {
                profile_open = true;
                if (mc_output_open(&profile_out, c.profile_out, &oopts, &err) < 0) {
                        cli_error("%s", err.msg);
                        goto out;
                }
        }
        /* The profile loads now, so that a bad one fails before the first run. */
        if (c.profile) {
                struct mc_profile p = { 0 };
                int r = mc_profile_load(c.profile, &c.env, &p, &err);
                mc_profile_free(&p);
                if (r < 0) {
                        cli_error("%s", err.msg);
                        goto out;
                }
        }
        if (mc_signals_block(&c.old_mask, &c.signal_fd, &err) < 0) {
                cli_error("%s", err.msg);
                goto out;
        }
        a = calloc(1, sizeof(*a));
        if (!a) {
                cli_error("out of memory");
                goto out;
        }

        c.started_s = now_s();
        if (c.tty)
                fprintf(stderr, "memcage: size: run 1 of at most %u...", o.max_runs);
        int r = mc_size_search(&o, a, &err);
        if (c.tty)
                fputs("\r\033[K", stderr);
        double total = now_s() - c.started_s;
        if (r < 0 && c.interrupted) {
                /*
                 * The evidence lines so far are out; the outputs are left
                 * unwritten, so that no file holds half a search.
                 */
                print_baseline(a, o.slowdown);
                fflush(stdout);
                cli_error("size: interrupted by SIG%s after %u runs (%.1f s): no answer, nothing written",
                          sigabbrev_np(c.interrupted), a->n_runs, total);
                status = 128 + c.interrupted;
                goto out;
        }
        if (r < 0) {
                cli_error("%s", err.msg);
                goto out;
        }
        print_answer(a, o.slowdown);
        fflush(stdout);
        double plain = a->reference_s > 0 ? a->reference_s : 0;
        if (plain > 0)
                fprintf(stderr, "memcage: size: %u runs in %.1f s (%.1f times one plain run)\n", a->n_runs,
                        total, total / plain);
        else
                fprintf(stderr, "memcage: size: %u runs in %.1f s\n", a->n_runs, total);
        status = a->outcome == MC_SIZE_FOUND ? MC_EXIT_OK : MC_EXIT_NEGATIVE;

        if (json_open) {
                json_t *doc = json_answer(a, o.slowdown, total);
                if (!doc || write_json(&json_out, doc, &err) < 0) {
                        cli_error("%s", doc ? err.msg : "out of memory");
                        status = MC_EXIT_MEMCAGE;
                }
                json_decref(doc);
        }
        /* A profile only for an answer: without one there is nothing to set. */
        if (profile_open && a->outcome == MC_SIZE_FOUND && write_profile(&c, &profile_out, a, &err) < 0) {
                cli_error("%s", err.msg);
                status = MC_EXIT_MEMCAGE;
        }
out:
        if (json_open)
                mc_output_done(&json_out);
        if (profile_open)
                mc_output_done(&profile_out);
        if (c.signal_fd >= 0)
                close(c.signal_fd);
        return status;
}
