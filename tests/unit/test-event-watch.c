/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "event-watch.h"
#include "util.h"

#define SEC 1000000000ull

/* ---- one line per type per second ---- */

static void test_rate(void **state)
{
        struct mc_event_rate r = { 0 };
        uint64_t count = 0, due = 0;

        assert_false(mc_event_rate_add(&r, 10 * SEC, 0, &count));
        assert_false(mc_event_rate_deadline(&r, &due));
        /* The first line goes out at once. */
        assert_true(mc_event_rate_add(&r, 10 * SEC, 3, &count));
        assert_int_equal(count, 3);
        assert_false(mc_event_rate_deadline(&r, &due));
        /* Within the second: counts wait for the line due a second after the last. */
        assert_false(mc_event_rate_add(&r, 10 * SEC + 100, 5, &count));
        assert_false(mc_event_rate_add(&r, 10 * SEC + SEC / 2, 7, &count));
        assert_true(mc_event_rate_deadline(&r, &due));
        assert_int_equal(due, 11 * SEC);
        assert_false(mc_event_rate_take(&r, 11 * SEC - 1, false, &count));
        assert_true(mc_event_rate_take(&r, 11 * SEC, false, &count));
        assert_int_equal(count, 12);
        assert_false(mc_event_rate_deadline(&r, &due));
        /* A count after the pause goes out at once with what waited. */
        assert_false(mc_event_rate_add(&r, 11 * SEC + 10, 1, &count));
        assert_true(mc_event_rate_add(&r, 12 * SEC + 10, 2, &count));
        assert_int_equal(count, 3);
        /* force: the end of the run writes what waits. */
        assert_false(mc_event_rate_add(&r, 12 * SEC + 20, 4, &count));
        assert_true(mc_event_rate_take(&r, 12 * SEC + 30, true, &count));
        assert_int_equal(count, 4);
        assert_false(mc_event_rate_take(&r, 12 * SEC + 40, true, &count));
}

/* ---- the kernel log ---- */

static const char *const kmsg_oom[] = {
        "4,1001,10211707,-;hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n",
        "6,1030,10226076,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
        "oom_memcg=/memcage/x,task_memcg=/memcage/x,task=hog,pid=187,uid=0\n",
        "3,1031,10243662,-;Memory cgroup out of memory: Killed process 187 (hog) total-vm:68260kB, "
        "anon-rss:65024kB, file-rss:960kB, shmem-rss:0kB, UID:0 pgtables:172kB oom_score_adj:0\n",
};

static void test_kmsg(void **state)
{
        bool ours = false;
        enum mc_oom_cause cause = MC_OOM_CAUSE_NONE;
        struct mc_oom_kill k;

        assert_int_equal(mc_kmsg_parse_oom(kmsg_oom[0], "/memcage/x", &ours, &cause, &k), 0);
        assert_int_equal(mc_kmsg_parse_oom(kmsg_oom[1], "/memcage/x", &ours, &cause, &k), 0);
        assert_true(ours);
        assert_int_equal(cause, MC_OOM_CAUSE_GROUP_LIMIT);
        assert_int_equal(mc_kmsg_parse_oom(kmsg_oom[2], "/memcage/x", &ours, &cause, &k), 1);
        assert_int_equal(k.pid, 187);
        assert_string_equal(k.name, "hog");
        assert_true(k.known);
        assert_int_equal(k.cause, MC_OOM_CAUSE_GROUP_LIMIT);

        /* Another group's OOM, and a group whose name starts like ours. */
        ours = false;
        assert_int_equal(mc_kmsg_parse_oom(kmsg_oom[1], "/memcage/x2", &ours, &cause, &k), 0);
        assert_false(ours);
        assert_int_equal(mc_kmsg_parse_oom(kmsg_oom[2], "/memcage/x2", &ours, &cause, &k), 0);
        assert_int_equal(mc_kmsg_parse_oom(kmsg_oom[1], "/memcage", &ours, &cause, &k), 0);
        assert_true(ours); /* a child group of ours */

        /* The machine ran out: no oom_memcg, the victim is ours. */
        ours = false;
        assert_int_equal(mc_kmsg_parse_oom("6,5,6,-;oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),"
                                           "cpuset=/,mems_allowed=0,global_oom,task_memcg=/memcage/x/sub,"
                                           "task=a b),c,pid=9,uid=0\n",
                                           "/memcage/x", &ours, &cause, &k),
                         0);
        assert_true(ours);
        assert_int_equal(cause, MC_OOM_CAUSE_SYSTEM);
        assert_int_equal(mc_kmsg_parse_oom("3,6,7,-;Out of memory: Killed process 9 (a b)) total-vm:1kB\n",
                                           "/memcage/x", &ours, &cause, &k),
                         1);
        assert_string_equal(k.name, "a b)");
        assert_int_equal(k.cause, MC_OOM_CAUSE_SYSTEM);

        /* memory.oom.group: the members' kills follow this line. */
        ours = false;
        assert_int_equal(mc_kmsg_parse_oom("6,7,8,-;Tasks in /memcage/x are going to be killed due to "
                                           "memory.oom.group set\n",
                                           "/memcage/x", &ours, &cause, &k),
                         0);
        assert_true(ours);
        assert_int_equal(mc_kmsg_parse_oom("3,8,9,-;Memory cgroup out of memory: Killed process 10 (sh) "
                                           "total-vm:1kB\n",
                                           "/memcage/x", &ours, &cause, &k),
                         1);
        assert_int_equal(k.pid, 10);
        assert_string_equal(k.name, "sh");

        /* Records that are not the OOM killer's, or broken ones. */
        assert_int_equal(
                mc_kmsg_parse_oom("6,9,10,-;random: crng init done\n", "/memcage/x", &ours, &cause, &k), 0);
        assert_int_equal(mc_kmsg_parse_oom("no separator", "/memcage/x", &ours, &cause, &k), 0);
        assert_int_equal(
                mc_kmsg_parse_oom("3,8,9,-;Killed process x (sh)\n", "/memcage/x", &ours, &cause, &k), 0);
}

/* ---- JSON lines ---- */

static void expect_json(const struct mc_event *ev, const char *want)
{
        json_auto_t *j = mc_event_to_json(ev);
        assert_non_null(j);
        _cleanup_free_ char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
        assert_string_equal(s, want);
}

static void test_json(void **state)
{
        struct mc_pressure_trigger trig = { .kind = MC_PSI_FULL, .stall_us = 200000, .window_us = 2000000 };

        expect_json(
                &(struct mc_event){
                        .type = MC_EVENT_START, .t = 0.0000004, .pid = 42, .cgroup = "memcage/x" },
                "{\"t\":0.0,\"type\":\"start\",\"pid\":42,\"cgroup\":\"memcage/x\"}");
        expect_json(&(struct mc_event){ .type = MC_EVENT_HIGH,
                                        .t = 2.3145678,
                                        .count = 240,
                                        .has_current = true,
                                        .current = 50222120 },
                    "{\"t\":2.314568,\"type\":\"high\",\"count\":240,\"current\":50222120}");
        expect_json(
                &(struct mc_event){ .type = MC_EVENT_OOM_KILL,
                                    .t = 1.5,
                                    .pid = 123,
                                    .name = "hog",
                                    .cause = MC_OOM_CAUSE_GROUP_LIMIT },
                "{\"t\":1.5,\"type\":\"oom_kill\",\"pid\":123,\"name\":\"hog\",\"cause\":\"group-limit\"}");
        expect_json(&(struct mc_event){ .type = MC_EVENT_OOM_KILL, .t = 1.5, .cause = MC_OOM_CAUSE_SYSTEM },
                    "{\"t\":1.5,\"type\":\"oom_kill\",\"pid\":null,\"name\":null,\"cause\":\"system\"}");
        /* Above INT64_MAX a count saturates, as in the report: a signed jansson integer would go negative.
         */
        expect_json(&(struct mc_event){ .type = MC_EVENT_MAX,
                                        .t = 1,
                                        .count = UINT64_MAX,
                                        .has_current = true,
                                        .current = (uint64_t)INT64_MAX + 1 },
                    "{\"t\":1.0,\"type\":\"max\",\"count\":9223372036854775807,\"current\":"
                    "9223372036854775807}");
        expect_json(&(struct mc_event){ .type = MC_EVENT_SWAP_MAX, .t = 3, .count = 2 },
                    "{\"t\":3.0,\"type\":\"swap_max\",\"count\":2,\"swap_current\":null}");
        expect_json(&(struct mc_event){ .type = MC_EVENT_HUGETLB_MAX, .t = 3, .count = 1, .size = "2MB" },
                    "{\"t\":3.0,\"type\":\"hugetlb_max\",\"size\":\"2MB\",\"count\":1}");
        expect_json(&(struct mc_event){ .type = MC_EVENT_PRESSURE,
                                        .t = 4,
                                        .trigger = &trig,
                                        .has_avg10 = true,
                                        .avg10 = 12.5 },
                    "{\"t\":4.0,\"type\":\"pressure\",\"kind\":\"full\",\"stall_us\":200000,"
                    "\"window_us\":2000000,\"avg10\":12.5}");
        expect_json(&(struct mc_event){ .type = MC_EVENT_EXIT,
                                        .t = 5,
                                        .code = 137,
                                        .signal = 9,
                                        .verdict = "oom-killed (group limit)" },
                    "{\"t\":5.0,\"type\":\"exit\",\"code\":137,\"signal\":9,\"verdict\":\"oom-killed (group "
                    "limit)\"}");
        expect_json(&(struct mc_event){ .type = MC_EVENT_EXIT, .t = 5 },
                    "{\"t\":5.0,\"type\":\"exit\",\"code\":0,\"signal\":null,\"verdict\":null}");
}

/* ---- a watch over a directory shaped like a group ---- */

static char dir[64];
static char seen[4096];

static void put(int dfd, const char *name, const char *text)
{
        int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
}

static void record(void *userdata, const struct mc_event *ev, const json_t *json)
{
        size_t n = strlen(seen);
        snprintf(seen + n, sizeof(seen) - n, "%s:%llu ", mc_event_type_name(ev->type),
                 (unsigned long long)(ev->type == MC_EVENT_START ? (uint64_t)ev->pid : ev->count));
        assert_non_null(json);
        (*(int *)userdata)++;
}

static void test_watch(void **state)
{
        struct mc_event_watch w;
        struct mc_error err = { 0 };
        struct mc_watch *watches;
        size_t n;
        int calls = 0;

        snprintf(dir, sizeof(dir), "/tmp/memcage-test-watch-XXXXXX");
        assert_non_null(mkdtemp(dir));
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        put(dfd, "memory.events", "low 0\nhigh 10\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
        put(dfd, "memory.swap.events", "high 0\nmax 4\nfail 4\n");
        put(dfd, "hugetlb.2MB.events", "max 0\n");
        put(dfd, "hugetlb.2MB.events.local", "max 0\n");
        put(dfd, "memory.current", "1048576\n");
        put(dfd, "memory.max", "67108864\n");
        put(dfd, "memory.high", "max\n");

        struct mc_event_watch_opts o = {
                .group_fd = dfd, .cgroup = "memcage/x", .emit = record, .userdata = &calls
        };
        assert_int_equal(mc_event_watch_open(&w, &o, &err), 0);
        mc_event_watch_get_watches(&w, &watches, &n);
        /* memory.events, memory.swap.events, one hugetlb size, the timer; no kernel log, no PSI. */
        assert_int_equal(n, 4);
        assert_int_equal(w.n_hugetlb, 1);
        assert_string_equal(w.hugetlb[0].size, "2MB");
        assert_false(w.has_pressure);
        mc_event_watch_start(&w, mc_now_ns(), 42);

        /* The kernel moves the counters; the first change of each type is a line at once. */
        put(dfd, "memory.events", "low 0\nhigh 15\nmax 2\noom 1\noom_kill 1\noom_group_kill 0\n");
        assert_int_equal(watches[0].ready(watches[0].userdata, POLLPRI, &err), 0);
        assert_string_equal(seen, "start:42 high:5 max:2 oom:1 oom_kill:0 ");
        /* More within the second waits... */
        put(dfd, "memory.events", "low 0\nhigh 40\nmax 2\noom 1\noom_kill 1\noom_group_kill 0\n");
        assert_int_equal(watches[0].ready(watches[0].userdata, POLLPRI, &err), 0);
        assert_string_equal(seen, "start:42 high:5 max:2 oom:1 oom_kill:0 ");
        /* ...and the end of the run writes it, with the swap and hugetlb counts. */
        put(dfd, "memory.swap.events", "high 0\nmax 6\nfail 7\n");
        put(dfd, "hugetlb.2MB.events", "max 3\n");
        assert_int_equal(mc_event_watch_finish(&w, &err), 0);
        assert_string_equal(seen, "start:42 high:5 max:2 oom:1 oom_kill:0 swap_max:2 swap_fail:3 "
                                  "hugetlb_max:3 high:25 ");
        mc_event_watch_exit(&w, 137, 9, "oom-killed (group limit)");
        assert_int_equal(calls, 10);

        /* Results: the kill without a kernel log has no name; its cause comes from oom. */
        assert_int_equal(w.n_kills, 1);
        assert_false(w.kills[0].known);
        assert_int_equal(w.kills[0].cause, MC_OOM_CAUSE_GROUP_LIMIT);
        assert_true(w.has_swap_events);
        uint64_t v;
        assert_true(mc_counters_get(&w.swap_events, "fail", &v));
        assert_int_equal(v, 3);
        assert_int_equal(w.hugetlb_max, 3);
        assert_int_equal(json_array_size(w.log), 10);
        assert_string_equal(json_string_value(json_object_get(json_array_get(w.log, 9), "type")), "exit");
        assert_false(w.log_truncated);
        mc_event_watch_done(&w);

        /* Without memory.events there is nothing to watch. */
        unlinkat(dfd, "memory.events", 0);
        assert_int_equal(mc_event_watch_open(&w, &o, &err), -ENOENT);
        assert_string_equal(err.msg, "the group has no memory.events");

        const char *files[] = { "memory.swap.events", "hugetlb.2MB.events", "hugetlb.2MB.events.local",
                                "memory.current",     "memory.max",         "memory.high" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                unlinkat(dfd, files[i], 0);
        close(dfd);
        rmdir(dir);
}

/* The first bytes of a file of the group (the fake memory.pressure takes what a trigger writes). */
static void expect_prefix(int dfd, const char *name, const char *want)
{
        char buf[128] = "";
        int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_true(read(fd, buf, sizeof(buf) - 1) >= 0);
        close(fd);
        assert_int_equal(strncmp(buf, want, strlen(want)), 0);
}

/* triggers_delay_ns: the trigger is written only once the command has run that long. */
static void test_watch_deferred_trigger(void **state)
{
        static const char pressure[] = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
                                       "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
        struct mc_pressure_trigger trig = {
                .kind = MC_PSI_FULL, .stall_us = 200000, .window_us = 2000000, .spec = "10%/2s"
        };
        struct mc_event_watch w;
        struct mc_error err = { 0 };
        struct mc_watch *watches;
        size_t n;
        int calls = 0;

        snprintf(dir, sizeof(dir), "/tmp/memcage-test-watch-XXXXXX");
        assert_non_null(mkdtemp(dir));
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        put(dfd, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
        put(dfd, "memory.pressure", pressure);

        struct mc_event_watch_opts o = { .group_fd = dfd,
                                         .cgroup = "memcage/x",
                                         .triggers = &trig,
                                         .n_triggers = 1,
                                         .triggers_optional = true,
                                         .triggers_delay_ns = 100000000ull,
                                         .emit = record,
                                         .userdata = &calls };

        /* A run shorter than the delay: nothing is written, nothing is registered. */
        assert_int_equal(mc_event_watch_open(&w, &o, &err), 0);
        mc_event_watch_get_watches(&w, &watches, &n);
        /* memory.events, the trigger (not open yet), the timer. */
        assert_int_equal(n, 3);
        assert_true(w.triggers_pending);
        assert_int_equal(w.n_triggers, 0);
        assert_int_equal(watches[1].fd, -1);
        mc_event_watch_start(&w, mc_now_ns(), 42);
        assert_int_equal(mc_event_watch_finish(&w, &err), 0);
        assert_int_equal(w.n_triggers, 0);
        assert_int_equal(w.n_refused, 0);
        expect_prefix(dfd, "memory.pressure", "some avg10=0.00");
        mc_event_watch_done(&w);

        /* A run past the delay: the timer's turn registers the trigger and opens its watch. */
        seen[0] = '\0';
        assert_int_equal(mc_event_watch_open(&w, &o, &err), 0);
        mc_event_watch_get_watches(&w, &watches, &n);
        assert_int_equal(watches[1].fd, -1);
        mc_event_watch_start(&w, mc_now_ns() - 200000000ull, 42);
        assert_int_equal(watches[2].ready(watches[2].userdata, POLLIN, &err), 0);
        assert_false(w.triggers_pending);
        assert_int_equal(w.n_triggers, 1);
        assert_true(watches[1].fd >= 0);
        assert_int_equal(watches[1].fd, w.trigger_fds[0]);
        expect_prefix(dfd, "memory.pressure", "full 200000 2000000");
        assert_int_equal(mc_event_watch_finish(&w, &err), 0);
        assert_int_equal(w.triggers[0].fired, 0);
        mc_event_watch_done(&w);

        /* Without a delay the trigger is written before the command starts, as before. */
        put(dfd, "memory.pressure", pressure);
        o.triggers_delay_ns = 0;
        assert_int_equal(mc_event_watch_open(&w, &o, &err), 0);
        mc_event_watch_get_watches(&w, &watches, &n);
        assert_false(w.triggers_pending);
        assert_int_equal(w.n_triggers, 1);
        assert_true(watches[1].fd >= 0);
        expect_prefix(dfd, "memory.pressure", "full 200000 2000000");
        mc_event_watch_done(&w);

        unlinkat(dfd, "memory.events", 0);
        unlinkat(dfd, "memory.pressure", 0);
        close(dfd);
        rmdir(dir);
}

/* The text of the live lines: counts, sizes, the victim; nothing for start and exit. */
static void test_format(void **state)
{
        char buf[512];
        struct mc_event high = { .type = MC_EVENT_HIGH,
                                 .count = 3,
                                 .has_current = true,
                                 .current = 32 << 20,
                                 .has_limit = true,
                                 .limit = 48 << 20 };
        assert_string_equal(mc_event_format(&high, false, buf, sizeof(buf)),
                            "memory.high reached 3 times: throttled at 32M of high 48M");
        high.count = 1;
        high.has_current = false;
        assert_string_equal(mc_event_format(&high, false, buf, sizeof(buf)),
                            "memory.high reached 1 time: throttled at ? of high 48M");
        /* Every counter event, word for word as it was before the table. */
        static const struct {
                enum mc_event_type type;
                const char *text;
        } counters[] = {
                { MC_EVENT_MAX, "memory.max reached 2 times: reclaiming at 32M of max 48M" },
                { MC_EVENT_OOM, "out of memory 2 times: reclaim failed at 32M of max 48M" },
                { MC_EVENT_SWAP_HIGH, "memory.swap.high reached 2 times: swap 32M of high 48M" },
                { MC_EVENT_SWAP_MAX, "memory.swap.max reached 2 times: swap 32M of max 48M" },
                { MC_EVENT_SWAP_FAIL, "swap allocation failed 2 times: swap 32M of max 48M" },
        };
        for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
                struct mc_event ev = { .type = counters[i].type,
                                       .count = 2,
                                       .has_current = true,
                                       .current = 32 << 20,
                                       .has_limit = true,
                                       .limit = 48 << 20 };
                assert_string_equal(mc_event_format(&ev, false, buf, sizeof(buf)), counters[i].text);
        }

        struct mc_event kill = { .type = MC_EVENT_OOM_KILL,
                                 .pid = 42,
                                 .name = "hog",
                                 .cause = MC_OOM_CAUSE_GROUP_LIMIT,
                                 .has_limit = true,
                                 .limit = 64 << 20 };
        assert_string_equal(mc_event_format(&kill, false, buf, sizeof(buf)),
                            "OOM kill: hog (pid 42) by the group limit (max 64M)");
        assert_string_equal(mc_event_format(&kill, true, buf, sizeof(buf)),
                            "OOM kill: hog (pid 42) again (the kernel counted a second kill, as "
                            "memory.oom.group does)");
        kill.name = NULL;
        kill.cause = MC_OOM_CAUSE_SYSTEM;
        assert_string_equal(mc_event_format(&kill, false, buf, sizeof(buf)),
                            "OOM kill: a process (name unknown: the kernel log is not readable) by a "
                            "system OOM (the machine or a parent group)");

        struct mc_event huge = { .type = MC_EVENT_HUGETLB_MAX, .count = 2, .size = "2MB" };
        assert_string_equal(mc_event_format(&huge, false, buf, sizeof(buf)),
                            "hugetlb.2MB.max reached 2 times");

        struct mc_event start = { .type = MC_EVENT_START, .pid = 1 };
        assert_string_equal(mc_event_format(&start, false, buf, sizeof(buf)), "");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rate),
                cmocka_unit_test(test_kmsg),
                cmocka_unit_test(test_json),
                cmocka_unit_test(test_watch),
                cmocka_unit_test(test_watch_deferred_trigger),
                cmocka_unit_test(test_format),
        };
        return cmocka_run_group_tests_name("event-watch", tests, NULL, NULL);
}
