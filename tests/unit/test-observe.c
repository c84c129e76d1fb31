/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The observe stage on a temporary directory shaped like a cgroup: the
 * counters it reads before the command and after the group emptied, the
 * deltas, the peak (unknown without memory.peak, as before Linux 5.19), the
 * hugetlb readings and the verdict assembled from them, all into the observation.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake-cgroupfs.h"
#include "observe.h"
#include "profile.h"
#include "util.h"

#define EVENTS(high, max, oom, kill) \
        "low 0\nhigh " #high "\nmax " #max "\noom " #oom "\noom_kill " #kill "\noom_group_kill 0\n"

struct fixture {
        char *base;
        int g;
        int pipefd[2]; /* stands for the command's pidfd */
        struct mc_observation obs;
        struct mc_hugetlb_run hugetlb;
        struct mc_observe ob;
        bool open;
        unsigned warnings;
        char warning[512];
        unsigned events;
};

static void warn(void *userdata, const char *text)
{
        struct fixture *f = userdata;
        f->warnings++;
        snprintf(f->warning, sizeof(f->warning), "%s", text);
}

static void emit(void *userdata, const struct mc_event *ev, const json_t *json)
{
        ((struct fixture *)userdata)->events++;
}

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        char why[256];
        bool xattr;
        if (!f || !(f->base = fake_make_base("observe", &xattr, why, sizeof(why))))
                return -1;
        f->g = open(f->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (f->g < 0 || pipe2(f->pipefd, O_CLOEXEC) < 0)
                return -1;
        fake_memory_group(f->g, EVENTS(3, 0, 0, 0));
        mc_hugetlb_run_init(&f->hugetlb, NULL, NULL);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        if (f->open)
                mc_observe_done(&f->ob);
        close(f->pipefd[0]);
        close(f->pipefd[1]);
        close(f->g);
        rm_rf_at(AT_FDCWD, f->base);
        free(f->base);
        free(f);
        return 0;
}

/* Opens and starts the stage as memcage run does, with sampling at interval_ms. */
static void observe(struct fixture *f, uint64_t interval_ms)
{
        struct mc_error err = { 0 };
        struct mc_observe_opts o = {
                .group_fd = f->g,
                .cgroup = "memcage/x",
                .interval_ms = interval_ms,
                .hugetlb = &f->hugetlb,
                .emit = emit,
                .emit_userdata = f,
                .warn = warn,
                .warn_userdata = f,
        };
        assert_int_equal(mc_observe_open(&f->ob, &o, &err), 0);
        f->open = true;
        struct mc_child child = { .pid = getpid(), .pidfd = f->pipefd[0] };
        mc_observe_start(&f->ob, mc_now_ns(), &child);
}

static void finish(struct fixture *f, bool signaled, int code_or_signal)
{
        struct mc_error err = { 0 };
        struct mc_supervise_result res = { .signaled = signaled };
        if (signaled)
                res.signal = code_or_signal;
        else
                res.exit_code = code_or_signal;
        assert_int_equal(mc_observe_finish(&f->ob, &res, &f->obs, &err), 0);
}

static uint64_t counter(const struct mc_counters *c, const char *name)
{
        uint64_t v = UINT64_MAX;
        assert_true(mc_counters_get(c, name, &v));
        return v;
}

/* An OOM kill by the group's own limit: the deltas, the peak, the verdict, the kill. */
static void test_oom_group_limit(void **state)
{
        struct fixture *f = *state;

        observe(f, 0);
        struct mc_watch *const *watches;
        size_t n;
        mc_observe_get_watches(&f->ob, &watches, &n);
        assert_true(n >= 1);
        assert_string_equal(watches[0]->observer, "memory events");

        write_at(f->g, "memory.events", EVENTS(10, 7, 2, 1));
        write_at(f->g, "memory.events.local", EVENTS(5, 7, 2, 1));
        write_at(f->g, "memory.peak", "67108864\n");
        finish(f, true, SIGKILL);

        struct mc_observation *r = &f->obs;
        assert_true(r->exited);
        assert_int_equal(r->exit_code, 128 + SIGKILL);
        assert_int_equal(r->signal, SIGKILL);
        assert_true(r->has_peak);
        assert_int_equal(r->peak, 67108864);
        assert_true(r->has_events);
        assert_int_equal(counter(&r->events, "high"), 7);
        assert_int_equal(counter(&r->events, "max"), 7);
        assert_int_equal(counter(&r->events, "oom"), 2);
        assert_int_equal(counter(&r->events, "oom_kill"), 1);
        assert_int_equal(counter(&r->events_local, "high"), 2);
        assert_true(r->has_verdict);
        assert_int_equal(r->verdict.code, MC_VERDICT_OOM_KILLED);
        assert_int_equal(r->verdict.cause, MC_OOM_CAUSE_GROUP_LIMIT);
        assert_string_equal(r->verdict.text, "oom-killed (group limit)");
        /* The kill, without a kernel log to name it; the log ends with the exit event. */
        assert_int_equal(r->n_oom_kills, 1);
        assert_false(r->oom_kills[0].known);
        assert_int_equal(r->oom_kills[0].cause, MC_OOM_CAUSE_GROUP_LIMIT);
        assert_non_null(r->log);
        json_t *last = json_array_get(r->log, json_array_size(r->log) - 1);
        assert_string_equal(json_string_value(json_object_get(last, "type")), "exit");
        assert_string_equal(json_string_value(json_object_get(last, "verdict")), "oom-killed (group limit)");
        assert_int_equal(f->events, json_array_size(r->log));
        assert_non_null(r->samples); /* the sampler ran, without a timeline */
        assert_int_equal(f->warnings, 0);
}

/* Without memory.peak (before Linux 5.19) the peak stays unknown; a clean exit is ok. */
static void test_no_peak_ok(void **state)
{
        struct fixture *f = *state;

        observe(f, 0);
        finish(f, false, 0);
        struct mc_observation *r = &f->obs;
        assert_false(r->has_peak);
        assert_true(r->has_events);
        assert_int_equal(counter(&r->events, "oom_kill"), 0);
        assert_int_equal(r->verdict.code, MC_VERDICT_OK);
        assert_string_equal(r->verdict.text, "ok");
        assert_int_equal(r->n_oom_kills, 0);
}

/* swap.max hit and the command failed: swap-limit, from memory.swap.events. */
static void test_swap_limit(void **state)
{
        struct fixture *f = *state;

        write_at(f->g, "memory.swap.events", "high 0\nmax 1\nfail 0\n");
        observe(f, 0);
        write_at(f->g, "memory.swap.events", "high 0\nmax 9\nfail 4\n");
        finish(f, false, 1);
        struct mc_observation *r = &f->obs;
        assert_true(r->has_swap_events);
        assert_int_equal(counter(&r->swap_events, "fail"), 4);
        assert_int_equal(counter(&r->swap_events, "max"), 8);
        assert_int_equal(r->verdict.code, MC_VERDICT_SWAP_LIMIT);
}

/* A page size of [hugetlb]: limits read at the start, usage and the fault limit's hits at the end. */
static void test_hugetlb(void **state)
{
        struct fixture *f = *state;

        f->hugetlb.n_sizes = 1;
        snprintf(f->hugetlb.sizes[0].size, sizeof(f->hugetlb.sizes[0].size), "2MB");
        write_at(f->g, "hugetlb.2MB.max", "8388608\n");
        write_at(f->g, "hugetlb.2MB.rsvd.max", "max\n");
        write_at(f->g, "hugetlb.2MB.events", "max 1\n");
        write_at(f->g, "hugetlb.2MB.events.local", "max 1\n");
        write_at(f->g, "hugetlb.2MB.current", "0\n");
        observe(f, 0);

        const struct mc_report_hugetlb *h = &f->hugetlb.sizes[0];
        assert_true(h->has_limits);
        assert_int_equal(h->max, 8388608);
        assert_int_equal(h->rsvd_max, UINT64_MAX);
        assert_false(h->has_usage);

        write_at(f->g, "hugetlb.2MB.events", "max 3\n");
        write_at(f->g, "hugetlb.2MB.current", "4194304\n");
        write_at(f->g, "hugetlb.2MB.rsvd.current", "2097152\n");
        finish(f, true, SIGBUS);
        assert_true(h->has_usage);
        assert_int_equal(h->current, 4194304);
        assert_int_equal(h->rsvd_current, 2097152);
        assert_true(h->has_events);
        assert_int_equal(h->events_max, 2);
        assert_int_equal(f->obs.verdict.code, MC_VERDICT_HUGETLB_LIMIT);
}

/* Sampling on: the sampler's watches join the event watch's, named for their warnings. */
static void test_sampling_watches(void **state)
{
        struct fixture *f = *state;
        char procs[32];
        snprintf(procs, sizeof(procs), "%d\n", (int)getpid());
        write_at(f->g, "cgroup.procs", procs);
        write_at(f->g, "memory.swap.current", "0\n");

        observe(f, 100);
        struct mc_watch *const *watches;
        size_t n;
        mc_observe_get_watches(&f->ob, &watches, &n);
        assert_true(n >= 4);
        assert_string_equal(watches[n - 3]->observer, "sampling");
        assert_string_equal(watches[n - 2]->observer, "sampling");
        assert_int_equal(watches[n - 2]->fd, f->pipefd[0]);
        /* The steps' FIFO, last. */
        assert_string_equal(watches[n - 1]->observer, "steps");
        assert_int_equal(watches[n - 1]->fd, f->ob.steps.fifo_fd);
        write_at(f->g, "memory.peak", "2097152\n");
        finish(f, false, 0);
        assert_non_null(f->obs.samples);
        assert_int_equal(f->warnings, 0);
}

/*
 * A time limit: its timer is one more watch; when it fires the group is
 * killed (cgroup.kill written) and the observation says the limit ended the
 * command, which was still running then.
 */
static void test_time_limit(void **state)
{
        struct fixture *f = *state;
        struct mc_error err = { 0 };
        write_at(f->g, "cgroup.kill", "");
        struct mc_observe_opts o = {
                .group_fd = f->g,
                .cgroup = "memcage/x",
                .hugetlb = &f->hugetlb,
                .time_limit_us = 20000,
                .warn = warn,
                .warn_userdata = f,
        };
        assert_int_equal(mc_observe_open(&f->ob, &o, &err), 0);
        f->open = true;
        struct mc_child child = { .pid = getpid(), .pidfd = f->pipefd[0] };
        uint64_t start = mc_now_ns();
        mc_observe_start(&f->ob, start, &child);

        struct mc_watch *const *watches;
        size_t n;
        struct mc_watch *tw = NULL;
        mc_observe_get_watches(&f->ob, &watches, &n);
        for (size_t i = 0; i < n; i++)
                if (watches[i]->observer && streq(watches[i]->observer, "time limit"))
                        tw = watches[i];
        assert_non_null(tw);
        struct pollfd p = { .fd = tw->fd, .events = tw->events };
        assert_int_equal(poll(&p, 1, 5000), 1);
        /* Not before the limit, counted from the command's start. */
        assert_true(mc_now_ns() - start >= 20000 * 1000ull);
        assert_false(f->ob.timed_out);
        assert_int_equal(tw->ready(tw->userdata, p.revents, &err), 0);
        assert_true(f->ob.timed_out);
        assert_int_equal(tw->fd, -1);
        _cleanup_free_ char *kill = read_at(f->g, "cgroup.kill");
        assert_non_null(kill);
        assert_string_equal(kill, "1");

        struct mc_supervise_result res = {
                .signaled = true, .signal = 9, .exit_ns = mc_now_ns(), .received = UINT64_C(1) << 2
        };
        write_at(f->g, "memory.peak", "2097152\n");
        assert_int_equal(mc_observe_finish(&f->ob, &res, &f->obs, &err), 0);
        assert_true(f->obs.time_limited);
        assert_float_equal(f->obs.time_limit_s, 0.02, 1e-12);
        assert_true(f->obs.signals_received == UINT64_C(1) << 2);
        assert_int_equal(f->warnings, 0);

        /* The command had ended by itself before the limit killed what it left: not ended by the limit. */
        res.exit_ns = f->ob.timed_out_ns - 1;
        assert_int_equal(mc_observe_finish(&f->ob, &res, &f->obs, &err), 0);
        assert_false(f->obs.time_limited);
}

/* Without a time limit: no timer, no watch, and the run was not limited. */
static void test_no_time_limit(void **state)
{
        struct fixture *f = *state;
        observe(f, 0);
        assert_true(f->ob.time_fd < 0);
        struct mc_watch *const *watches;
        size_t n;
        mc_observe_get_watches(&f->ob, &watches, &n);
        for (size_t i = 0; i < n; i++)
                assert_false(watches[i]->observer && streq(watches[i]->observer, "time limit"));
        write_at(f->g, "memory.peak", "2097152\n");
        finish(f, true, 9);
        assert_false(f->obs.time_limited);
        assert_float_equal(f->obs.time_limit_s, 0, 1e-12);
}

/* Without memory.events there is no stage: the run stops before the command starts. */
static void test_no_memory_events(void **state)
{
        struct fixture *f = *state;
        struct mc_error err = { 0 };
        struct mc_observe_opts o = { .group_fd = f->g, .cgroup = "memcage/x" };

        unlinkat(f->g, "memory.events", 0);
        assert_int_equal(mc_observe_open(&f->ob, &o, &err), -ENOENT);
}

/* The sampling interval: the option, else the profile, else the default. */
static void test_interval(void **state)
{
        struct mc_profile p;
        struct mc_error err = { 0 };
        uint64_t ms;

        mc_profile_init(&p);
        assert_int_equal(mc_observe_interval(&p, NULL, &ms, &err), 0);
        assert_int_equal(ms, MC_SAMPLER_DEFAULT_INTERVAL_MS);
        assert_int_equal(mc_observe_interval(&p, "250ms", &ms, &err), 0);
        assert_int_equal(ms, 250);
        assert_int_equal(mc_observe_interval(&p, "0", &ms, &err), 0);
        assert_int_equal(ms, 0);
        assert_true(mc_observe_interval(&p, "7 parsecs", &ms, &err) < 0);
        assert_true(strncmp(err.msg, "--interval: ", 12) == 0);
        mc_profile_free(&p);
}

/* Without [pressure]: memcage's default trigger, which the kernel may refuse. */
static void test_default_trigger(void **state)
{
        struct mc_profile p;
        struct mc_error err = { 0 };
        struct mc_observe_triggers t;

        mc_profile_init(&p);
        assert_int_equal(mc_observe_triggers_from_profile(&p, 1000, &t, &err), 0);
        assert_int_equal(t.n, 1);
        assert_true(t.is_default);
        assert_int_equal(t.t[0].kind, MC_PSI_FULL);
        assert_int_equal(t.t[0].window_us, 2000000);
        assert_int_equal(t.t[0].stall_us, 200000);
        mc_profile_free(&p);
}

/* Without root the kernel takes only 2 s multiples: rounded up, the stall's share kept, with a notice. */
static void test_unprivileged_window_rounded(void **state)
{
        struct mc_profile p;
        struct mc_profile_env env = { 0 };
        struct mc_error err = { 0 };
        struct mc_observe_triggers t;

        mc_profile_init(&p);
        assert_int_equal(mc_profile_set(&p, "pressure", "full", "150ms/1s", "test.ini", 3, &env, &err), 0);
        assert_int_equal(mc_profile_set(&p, "pressure", "some", "30%/3s", "test.ini", 4, &env, &err), 0);
        /* root: as written */
        assert_int_equal(mc_observe_triggers_from_profile(&p, 0, &t, &err), 0);
        assert_int_equal(t.n, 2);
        assert_int_equal(t.n_notices, 0);
        assert_false(t.unprivileged);
        for (size_t i = 0; i < t.n; i++)
                assert_int_equal(t.t[i].window_us, t.t[i].kind == MC_PSI_FULL ? 1000000 : 3000000);
        /* a user: 1 s -> 2 s with 300 ms, 3 s -> 4 s with 1.2 s */
        assert_int_equal(mc_observe_triggers_from_profile(&p, 1000, &t, &err), 0);
        assert_true(t.unprivileged);
        assert_int_equal(t.n_notices, 2);
        for (size_t i = 0; i < t.n; i++) {
                bool full = t.t[i].kind == MC_PSI_FULL;
                assert_int_equal(t.t[i].window_us, full ? 2000000 : 4000000);
                assert_int_equal(t.t[i].stall_us, full ? 300000 : 1200000);
        }
        bool seen = false;
        for (size_t i = 0; i < t.n_notices; i++)
                if (strstr(t.notices[i], "test.ini:3: pressure.full = 150ms/1s") &&
                    strstr(t.notices[i], "using 300ms/2s"))
                        seen = true;
        assert_true(seen);
        mc_profile_free(&p);
}

/* memcage's status: the command's, unless memcage's pressure kill rule ended it. */
static void test_exit_status(void **state)
{
        struct mc_observation r = { .exited = true, .exit_code = 137, .has_verdict = true };

        r.verdict.code = MC_VERDICT_OOM_KILLED;
        assert_int_equal(mc_observe_exit_status(&r), 137);
        r.verdict.code = MC_VERDICT_PRESSURE_KILLED;
        assert_int_equal(mc_observe_exit_status(&r), MC_OBSERVE_EXIT_PRESSURE_KILLED);
        assert_int_equal(MC_OBSERVE_EXIT_PRESSURE_KILLED, 124);
        assert_int_equal(r.exit_code, 137);
        r = (struct mc_observation){ .exited = true, .exit_code = 3 };
        assert_int_equal(mc_observe_exit_status(&r), 3);
        r.has_verdict = true;
        r.verdict.code = MC_VERDICT_EXIT_NONZERO;
        assert_int_equal(mc_observe_exit_status(&r), 3);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_oom_group_limit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_peak_ok, setup, teardown),
                cmocka_unit_test_setup_teardown(test_swap_limit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hugetlb, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sampling_watches, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_memory_events, setup, teardown),
                cmocka_unit_test_setup_teardown(test_time_limit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_time_limit, setup, teardown),
                cmocka_unit_test(test_interval),
                cmocka_unit_test(test_default_trigger),
                cmocka_unit_test(test_unprivileged_window_rounded),
                cmocka_unit_test(test_exit_status),
        };
        return cmocka_run_group_tests_name("observe", tests, NULL, NULL);
}
