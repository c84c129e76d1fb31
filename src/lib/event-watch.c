/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "event-watch-internal.h"
#include "hugetlb-run.h"
#include "util.h"

/* The counters of memory.events and memory.swap.events that become lines of their own. */
static const struct {
        const char *counter;
        enum mc_event_type type;
} memory_counters[] = {
        { "high", MC_EVENT_HIGH },
        { "max", MC_EVENT_MAX },
        { "oom", MC_EVENT_OOM },
        { "oom_group_kill", MC_EVENT_OOM_GROUP_KILL },
}, swap_counters[] = {
        { "high", MC_EVENT_SWAP_HIGH },
        { "max", MC_EVENT_SWAP_MAX },
        { "fail", MC_EVENT_SWAP_FAIL },
};

static void kmsg_stop(struct mc_event_watch *w)
{
        for (size_t i = 0; i < w->n_watches; i++)
                if (w->sources[i].kind == SRC_KMSG)
                        w->watches[i].fd = -1;
        mc_closep(&w->kmsg_fd);
        w->kmsg_fd = -EBADF;
}

/* Reads every record available; victims of the group are appended. */
static int kmsg_drain(struct mc_event_watch *w)
{
        char buf[8192];

        if (w->kmsg_fd < 0)
                return 0;
        for (;;) {
                ssize_t n = read(w->kmsg_fd, buf, sizeof(buf) - 1);
                if (n < 0) {
                        /* EPIPE: records were overwritten before we read them; go on with the next. */
                        if (errno == EPIPE || errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        /* The log is a help for names, not a need: stop reading it rather than fail the run.
                         */
                        kmsg_stop(w);
                        return 0;
                }
                if (n == 0)
                        return 0;
                buf[n] = '\0';
                struct mc_oom_kill v;
                int r = mc_kmsg_parse_oom(buf, w->kmsg_group, &w->kmsg_ours, &w->kmsg_cause, &v);
                if (r < 0)
                        return r;
                if (r > 0 && w->n_victims < MC_EVENT_KEEP_MAX) {
                        struct mc_oom_kill *nv = realloc(w->victims, (w->n_victims + 1) * sizeof(*nv));
                        if (!nv)
                                return -ENOMEM;
                        w->victims = nv;
                        w->victims[w->n_victims++] = v;
                }
        }
}

/* ---- emitting ---- */

double mc_event_watch_since_start(const struct mc_event_watch *w, uint64_t now)
{
        return w->started && now > w->start_ns ? (double)(now - w->start_ns) / 1e9 : 0.0;
}

int mc_event_watch_log(struct mc_event_watch *w, struct mc_event *ev)
{
        json_auto_t *j = mc_event_to_json(ev);
        if (!j)
                return -ENOMEM;
        if (json_array_size(w->log) < MC_EVENT_KEEP_MAX) {
                if (json_array_append(w->log, j) < 0)
                        return -ENOMEM;
        } else
                w->log_truncated = true;
        if (w->o.emit)
                w->o.emit(w->o.userdata, ev, j);
        return 0;
}

static int emit_counter(struct mc_event_watch *w, enum mc_event_type type, uint64_t count, const char *size)
{
        struct mc_error ignored = { 0 };
        uint64_t now = mc_now_ns();
        struct mc_event ev = {
                .type = type,
                .t = mc_event_watch_since_start(w, now),
                .count = count,
                .has_limit = w->has_limit[type],
                .limit = w->limit[type],
                .size = size,
        };
        bool swap = type == MC_EVENT_SWAP_HIGH || type == MC_EVENT_SWAP_MAX || type == MC_EVENT_SWAP_FAIL;
        if (type != MC_EVENT_HUGETLB_MAX &&
            mc_read_u64_at(w->o.group_fd, swap ? "memory.swap.current" : "memory.current", &ev.current,
                           &ignored) >= 0)
                ev.has_current = true;
        return mc_event_watch_log(w, &ev);
}

static int emit_oom_kill(struct mc_event_watch *w, const struct mc_oom_kill *k)
{
        struct mc_event ev = {
                .type = MC_EVENT_OOM_KILL,
                .t = k->t,
                .pid = k->pid,
                .name = k->known ? k->name : NULL,
                .cause = k->cause,
                .has_limit = w->has_limit[MC_EVENT_MAX],
                .limit = w->limit[MC_EVENT_MAX],
        };
        return mc_event_watch_log(w, &ev);
}

/* ---- counters ---- */

static uint64_t counter_delta(const struct mc_counters *before, const struct mc_counters *after,
                              const char *name)
{
        uint64_t b = 0, a = 0;
        mc_counters_get(before, name, &b);
        mc_counters_get(after, name, &a);
        return a > b ? a - b : 0;
}

static int rate_event(struct mc_event_watch *w, struct mc_event_rate *rate, enum mc_event_type type,
                      uint64_t delta, const char *size)
{
        uint64_t count;
        if (mc_event_rate_add(rate, mc_now_ns(), delta, &count))
                return emit_counter(w, type, count, size);
        return 0;
}

/* The victim the kernel log named for kill i, once its line was read. */
static void kill_name(struct mc_event_watch *w, size_t i)
{
        struct mc_oom_kill *k = &w->kills[i];
        if (k->known || i >= w->n_victims)
                return;
        k->pid = w->victims[i].pid;
        k->known = true;
        k->cause = w->victims[i].cause;
        memcpy(k->name, w->victims[i].name, sizeof(k->name));
}

/*
 * Writes the oom_kill lines of counted kills, in order. The kernel counts a
 * kill just before it logs the victim's name: a kill without its log line
 * yet waits for it, at most MC_KMSG_WAIT_NS (or until force), then goes
 * out without a name.
 */
static int kills_emit(struct mc_event_watch *w, bool force)
{
        uint64_t now = mc_now_ns();
        while (w->n_kills_emitted < w->n_kills) {
                struct mc_oom_kill *k = &w->kills[w->n_kills_emitted];
                kill_name(w, w->n_kills_emitted);
                if (!k->known && !force && w->kmsg_fd >= 0 && now < k->counted_ns + MC_KMSG_WAIT_NS)
                        break;
                int r = emit_oom_kill(w, k);
                if (r < 0)
                        return r;
                w->n_kills_emitted++;
        }
        return 0;
}

static int oom_kills_counted(struct mc_event_watch *w, uint64_t delta)
{
        uint64_t now = mc_now_ns(), oom = counter_delta(&w->events_base, &w->events_last, "oom");
        int r = kmsg_drain(w);
        if (r < 0)
                return r;
        for (uint64_t i = 0; i < delta && w->n_kills < MC_EVENT_KEEP_MAX; i++) {
                struct mc_oom_kill *nk = realloc(w->kills, (w->n_kills + 1) * sizeof(*nk));
                if (!nk)
                        return -ENOMEM;
                w->kills = nk;
                w->kills[w->n_kills++] = (struct mc_oom_kill){
                        .t = mc_event_watch_since_start(w, now),
                        .counted_ns = now,
                        /* Without the log: oom counts the group's own limit being hit. */
                        .cause = oom > 0 ? MC_OOM_CAUSE_GROUP_LIMIT : MC_OOM_CAUSE_SYSTEM,
                };
        }
        return kills_emit(w, false);
}

static int events_changed(struct mc_event_watch *w, struct mc_error *err)
{
        struct mc_counters now;
        int r = mc_memory_events_pread(w->events_fd, &now, err);
        if (r < 0)
                return r;
        struct mc_counters prev = w->events_last;
        w->events_last = now;
        for (size_t i = 0; i < ELEMENTSOF(memory_counters); i++) {
                r = rate_event(w, &w->rates[memory_counters[i].type], memory_counters[i].type,
                               counter_delta(&prev, &now, memory_counters[i].counter), NULL);
                if (r < 0)
                        return mc_error_errno(err, -r, "memory event");
                /* The kill after the oom that caused it. */
                if (memory_counters[i].type == MC_EVENT_OOM) {
                        r = oom_kills_counted(w, counter_delta(&prev, &now, "oom_kill"));
                        if (r < 0)
                                return mc_error_errno(err, -r, "OOM kill");
                }
        }
        return 0;
}

static int swap_changed(struct mc_event_watch *w, struct mc_error *err)
{
        struct mc_counters now;
        int r = mc_counters_pread(w->swap_fd, "memory.swap.events", &now, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(swap_counters); i++) {
                r = rate_event(w, &w->rates[swap_counters[i].type], swap_counters[i].type,
                               counter_delta(&w->swap_last, &now, swap_counters[i].counter), NULL);
                if (r < 0)
                        return mc_error_errno(err, -r, "swap event");
        }
        w->swap_last = now;
        return 0;
}

static int hugetlb_changed(struct mc_event_watch *w, size_t i, struct mc_error *err)
{
        struct mc_hugetlb_events *h = &w->hugetlb[i];
        struct mc_counters now;
        int r = mc_hugetlb_events_pread(h->fd, h->size, &now, err);
        if (r < 0)
                return r;
        r = rate_event(w, &h->rate, MC_EVENT_HUGETLB_MAX, counter_delta(&h->last, &now, "max"), h->size);
        if (r < 0)
                return mc_error_errno(err, -r, "hugetlb event");
        h->last = now;
        return 0;
}

/* ---- the timer of waiting lines ---- */

static int flush_rates(struct mc_event_watch *w, bool force)
{
        uint64_t now = mc_now_ns(), count;
        int r;

        for (int t = 0; t < _MC_EVENT_TYPE_COUNT; t++)
                if (mc_event_rate_take(&w->rates[t], now, force, &count) &&
                    (r = emit_counter(w, (enum mc_event_type)t, count, NULL)) < 0)
                        return r;
        for (size_t i = 0; i < w->n_hugetlb; i++)
                if (mc_event_rate_take(&w->hugetlb[i].rate, now, force, &count) &&
                    (r = emit_counter(w, MC_EVENT_HUGETLB_MAX, count, w->hugetlb[i].size)) < 0)
                        return r;
        return 0;
}

/* Armed for the earliest waiting line, disarmed when none waits: no wakeups while idle. */
static int timer_rearm(struct mc_event_watch *w, struct mc_error *err)
{
        uint64_t next = UINT64_MAX, d;
        for (int t = 0; t < _MC_EVENT_TYPE_COUNT; t++)
                if (mc_event_rate_deadline(&w->rates[t], &d) && d < next)
                        next = d;
        for (size_t i = 0; i < w->n_hugetlb; i++)
                if (mc_event_rate_deadline(&w->hugetlb[i].rate, &d) && d < next)
                        next = d;
        if (w->triggers_pending && w->triggers_arm_ns < next)
                next = w->triggers_arm_ns;
        if (w->n_kills_emitted < w->n_kills &&
            w->kills[w->n_kills_emitted].counted_ns + MC_KMSG_WAIT_NS < next)
                next = w->kills[w->n_kills_emitted].counted_ns + MC_KMSG_WAIT_NS;
        struct itimerspec its = { 0 };
        if (next != UINT64_MAX) {
                /* A zero it_value disarms: a deadline already passed is 1 ns. */
                next = next ? next : 1;
                its.it_value.tv_sec = (time_t)(next / 1000000000ull);
                its.it_value.tv_nsec = (long)(next % 1000000000ull);
        }
        if (timerfd_settime(w->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
                return mc_error_errno(err, errno, "arm the event timer");
        return 0;
}

static int source_ready(void *userdata, short revents, struct mc_error *err)
{
        struct mc_event_source *s = userdata;
        struct mc_event_watch *w = s->w;
        int r = 0;

        switch (s->kind) {
        case SRC_KMSG:
                r = kmsg_drain(w);
                if (r >= 0)
                        r = kills_emit(w, false);
                if (r < 0)
                        r = mc_error_errno(err, -r, "read the kernel log");
                break;
        case SRC_EVENTS:
                r = events_changed(w, err);
                break;
        case SRC_SWAP:
                r = swap_changed(w, err);
                break;
        case SRC_HUGETLB:
                r = hugetlb_changed(w, s->index, err);
                break;
        case SRC_TRIGGER:
                /* POLLERR alone: the trigger is gone with its group; stop polling it. */
                if (revents & POLLPRI) {
                        struct mc_event ev;
                        mc_event_triggers_fired(w, s->index, mc_event_watch_since_start(w, mc_now_ns()),
                                                &ev);
                        r = mc_event_watch_log(w, &ev);
                } else if (revents & (POLLERR | POLLHUP | POLLNVAL))
                        w->watches[s - w->sources].fd = -1;
                if (r < 0)
                        r = mc_error_errno(err, -r, "pressure event");
                break;
        case SRC_TIMER: {
                uint64_t expirations;
                if (read(w->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
                        return mc_error_errno(err, errno, "read the event timer");
                if (w->triggers_pending && mc_now_ns() >= w->triggers_arm_ns) {
                        /* Optional triggers only: a refused one is listed, not an error. */
                        r = mc_event_triggers_register(w, err);
                        if (r < 0)
                                return r;
                }
                r = flush_rates(w, false);
                if (r >= 0)
                        r = kills_emit(w, false);
                if (r < 0)
                        r = mc_error_errno(err, -r, "memory event");
                break;
        }
        }
        if (r < 0)
                return r;
        return timer_rearm(w, err);
}

/* ---- setup ---- */

static int add_source(struct mc_event_watch *w, int fd, short events, int kind, size_t index)
{
        size_t n = w->n_watches + 1;
        struct mc_watch *nw = realloc(w->watches, n * sizeof(*nw));
        if (!nw)
                return -ENOMEM;
        w->watches = nw;
        struct mc_event_source *ns = realloc(w->sources, n * sizeof(*ns));
        if (!ns)
                return -ENOMEM;
        w->sources = ns;
        w->sources[w->n_watches] = (struct mc_event_source){ .w = w, .kind = kind, .index = index };
        w->watches[w->n_watches] = (struct mc_watch){ .fd = fd, .events = events, .ready = source_ready };
        w->n_watches = n;
        return 0;
}

static int open_hugetlb(struct mc_event_watch *w, struct mc_error *err)
{
        DIR *d = mc_opendir_at(w->o.group_fd, ".");
        if (!d)
                return mc_error_errno(err, errno, "open the group");
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                /* hugetlb.<size>.events, not .events.local */
                if (strncmp(de->d_name, "hugetlb.", 8) != 0 || len < 16 ||
                    !streq(de->d_name + len - 7, ".events") || len - 15 >= sizeof(w->hugetlb->size))
                        continue;
                struct mc_hugetlb_events *nh = realloc(w->hugetlb, (w->n_hugetlb + 1) * sizeof(*nh));
                if (!nh) {
                        r = mc_error_errno(err, ENOMEM, "hugetlb events");
                        break;
                }
                w->hugetlb = nh;
                struct mc_hugetlb_events *h = &w->hugetlb[w->n_hugetlb];
                *h = (struct mc_hugetlb_events){ .fd = -EBADF };
                snprintf(h->size, sizeof(h->size), "%.*s", (int)(len - 15), de->d_name + 8);
                r = mc_hugetlb_events_open_at(w->o.group_fd, h->size, &h->fd, &h->base, err);
                if (r < 0)
                        break;
                if (r == 0)
                        continue;
                h->last = h->base;
                w->n_hugetlb++;
                r = 0;
        }
        closedir(d);
        return r;
}

/* What a counter is measured against, for the lines: memory.high for high, and so on. */
static void read_limits(struct mc_event_watch *w)
{
        static const struct {
                enum mc_event_type type;
                const char *file;
        } files[] = {
                { MC_EVENT_HIGH, "memory.high" },         { MC_EVENT_MAX, "memory.max" },
                { MC_EVENT_OOM, "memory.max" },           { MC_EVENT_SWAP_HIGH, "memory.swap.high" },
                { MC_EVENT_SWAP_MAX, "memory.swap.max" }, { MC_EVENT_SWAP_FAIL, "memory.swap.max" },
        };
        struct mc_error ignored = { 0 };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                enum mc_event_type t = files[i].type;
                /* Two types measured against one file (max and oom): read it once. */
                if (i > 0 && streq(files[i].file, files[i - 1].file)) {
                        w->has_limit[t] = w->has_limit[files[i - 1].type];
                        w->limit[t] = w->limit[files[i - 1].type];
                        continue;
                }
                w->has_limit[t] = mc_read_u64_at(w->o.group_fd, files[i].file, &w->limit[t], &ignored) >= 0;
        }
}

static void close_fds(struct mc_event_watch *w)
{
        mc_closep(&w->events_fd);
        mc_closep(&w->swap_fd);
        mc_closep(&w->kmsg_fd);
        mc_closep(&w->timer_fd);
        w->events_fd = w->swap_fd = w->kmsg_fd = w->timer_fd = -EBADF;
        for (size_t i = 0; i < w->n_hugetlb; i++) {
                mc_closep(&w->hugetlb[i].fd);
                w->hugetlb[i].fd = -EBADF;
        }
        for (size_t i = 0; i < w->n_triggers; i++) {
                mc_closep(&w->trigger_fds[i]);
                w->trigger_fds[i] = -EBADF;
        }
        for (size_t i = 0; i < w->n_watches; i++)
                w->watches[i].fd = -1;
}

static int watch_open(struct mc_event_watch *w, struct mc_error *err)
{
        int r;

        w->log = json_array();
        if (!w->log)
                return mc_error_errno(err, ENOMEM, "event log");
        read_limits(w);

        if (w->o.kmsg_path && w->o.cgroup) {
                /* Unreadable (not root, dmesg_restrict): victims stay unnamed, kills are still counted. */
                w->kmsg_fd = open(w->o.kmsg_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
                if (w->kmsg_fd >= 0) {
                        /* Only what happens from now on. */
                        if (lseek(w->kmsg_fd, 0, SEEK_END) < 0 ||
                            asprintf(&w->kmsg_group, "/%s", w->o.cgroup) < 0) {
                                w->kmsg_group = NULL;
                                mc_closep(&w->kmsg_fd);
                                w->kmsg_fd = -EBADF;
                        } else if (add_source(w, w->kmsg_fd, POLLIN, SRC_KMSG, 0) < 0)
                                return mc_error_errno(err, ENOMEM, "event watch");
                }
        }

        /* Its first reading is the run's baseline: observe takes it from here (events_base). */
        r = mc_memory_events_open_at(w->o.group_fd, &w->events_fd, &w->events_base, err);
        if (r == 0)
                return mc_error_set(err, ENOENT, "the group has no memory.events");
        if (r < 0)
                return r;
        w->events_last = w->events_base;
        if (add_source(w, w->events_fd, POLLPRI, SRC_EVENTS, 0) < 0)
                return mc_error_errno(err, ENOMEM, "event watch");

        r = mc_counters_open_at(w->o.group_fd, "memory.swap.events", &w->swap_fd, &w->swap_base, err);
        if (r < 0)
                return r;
        w->swap_last = w->swap_base;
        w->has_swap_events = r > 0;
        if (r > 0 && add_source(w, w->swap_fd, POLLPRI, SRC_SWAP, 0) < 0)
                return mc_error_errno(err, ENOMEM, "event watch");

        r = open_hugetlb(w, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < w->n_hugetlb; i++)
                if (add_source(w, w->hugetlb[i].fd, POLLPRI, SRC_HUGETLB, i) < 0)
                        return mc_error_errno(err, ENOMEM, "event watch");

        /* Without PSI (psi=0, CONFIG_PSI off) the file is missing: no pressure, no triggers. */
        w->has_pressure = mc_event_triggers_read_totals(w->o.group_fd, w->pressure_total_us, err) >= 0;
        mc_error_clear(err);
        /* One watch per trigger now: the poll set is fixed once the command runs; -1 until registered. */
        w->trigger_source0 = w->n_watches;
        for (size_t i = 0; w->has_pressure && i < w->o.n_triggers; i++)
                if (add_source(w, -1, POLLPRI, SRC_TRIGGER, i) < 0)
                        return mc_error_errno(err, ENOMEM, "event watch");
        if (w->o.triggers_delay_ns > 0 && w->has_pressure && w->o.n_triggers > 0)
                w->triggers_pending = true;
        else {
                r = mc_event_triggers_register(w, err);
                if (r < 0)
                        return r;
        }

        w->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (w->timer_fd < 0)
                return mc_error_errno(err, errno, "event timer");
        if (add_source(w, w->timer_fd, POLLIN, SRC_TIMER, 0) < 0)
                return mc_error_errno(err, ENOMEM, "event watch");
        return 0;
}

int mc_event_watch_open(struct mc_event_watch *w, const struct mc_event_watch_opts *opts,
                        struct mc_error *err)
{
        *w = (struct mc_event_watch){
                .o = *opts,
                .events_fd = -EBADF,
                .swap_fd = -EBADF,
                .kmsg_fd = -EBADF,
                .timer_fd = -EBADF,
        };
        int r = watch_open(w, err);
        if (r < 0) {
                mc_event_watch_done(w);
                return r;
        }
        return 0;
}

void mc_event_watch_get_watches(struct mc_event_watch *w, struct mc_watch **ret, size_t *ret_n)
{
        /* realloc may have moved sources while they were added: point the watches at them now. */
        for (size_t i = 0; i < w->n_watches; i++)
                w->watches[i].userdata = &w->sources[i];
        *ret = w->watches;
        *ret_n = w->n_watches;
}

void mc_event_watch_start(struct mc_event_watch *w, uint64_t start_ns, pid_t pid)
{
        w->start_ns = start_ns;
        w->started = true;
        if (w->triggers_pending) {
                struct mc_error ignored = { 0 };
                w->triggers_arm_ns = start_ns + w->o.triggers_delay_ns;
                /* Without the timer the triggers would never come: register them now. */
                if (timer_rearm(w, &ignored) < 0)
                        (void)mc_event_triggers_register(w, &ignored);
        }
        struct mc_event ev = {
                .type = MC_EVENT_START,
                .t = mc_event_watch_since_start(w, mc_now_ns()),
                .pid = pid,
                .cgroup = w->o.cgroup,
        };
        (void)mc_event_watch_log(w, &ev);
}

int mc_event_watch_finish(struct mc_event_watch *w, struct mc_error *err)
{
        int r;

        /* Changes the loop had no turn to see before the group emptied. */
        r = events_changed(w, err);
        if (r >= 0 && w->swap_fd >= 0)
                r = swap_changed(w, err);
        for (size_t i = 0; r >= 0 && i < w->n_hugetlb; i++)
                r = hugetlb_changed(w, i, err);
        if (r < 0)
                return r;
        r = flush_rates(w, true);
        /* The group is empty: every kill is logged by now; the lines still waiting go out, named. */
        if (r >= 0)
                r = kmsg_drain(w);
        if (r >= 0)
                r = kills_emit(w, true);
        if (r < 0)
                return mc_error_errno(err, -r, "memory events");
        /* A kill whose line went out unnamed (the wait ran out) still gets its name in the report. */
        for (size_t i = 0; i < w->n_kills; i++)
                kill_name(w, i);

        if (w->has_swap_events)
                mc_counters_delta(&w->swap_base, &w->swap_last, &w->swap_events);
        for (size_t i = 0; i < w->n_hugetlb; i++)
                w->hugetlb_max += counter_delta(&w->hugetlb[i].base, &w->hugetlb[i].last, "max");
        if (w->has_pressure) {
                uint64_t now[_MC_PSI_KIND_COUNT];
                if (mc_event_triggers_read_totals(w->o.group_fd, now, err) >= 0)
                        for (int k = 0; k < _MC_PSI_KIND_COUNT; k++)
                                w->pressure_total_us[k] = now[k] > w->pressure_total_us[k]
                                                                  ? now[k] - w->pressure_total_us[k]
                                                                  : 0;
                else
                        w->has_pressure = false;
                mc_error_clear(err);
        }
        close_fds(w);
        return 0;
}

void mc_event_watch_emit(struct mc_event_watch *w, struct mc_event *ev)
{
        ev->t = mc_event_watch_since_start(w, mc_now_ns());
        (void)mc_event_watch_log(w, ev);
}

void mc_event_watch_exit(struct mc_event_watch *w, int code, int signal, const char *verdict)
{
        struct mc_event ev = {
                .type = MC_EVENT_EXIT,
                .t = mc_event_watch_since_start(w, mc_now_ns()),
                .code = code,
                .signal = signal,
                .verdict = verdict,
        };
        (void)mc_event_watch_log(w, &ev);
}

void mc_event_watch_done(struct mc_event_watch *w)
{
        close_fds(w);
        free(w->hugetlb);
        free(w->triggers);
        free(w->trigger_fds);
        free(w->kmsg_group);
        free(w->victims);
        free(w->kills);
        free(w->watches);
        free(w->sources);
        json_decref(w->log);
        *w = (struct mc_event_watch){
                .events_fd = -EBADF, .swap_fd = -EBADF, .kmsg_fd = -EBADF, .timer_fd = -EBADF
        };
}
