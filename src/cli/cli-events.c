/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Live events on stderr and in the --events file; the verdict into the report. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli-events.h"
#include "cli.h"
#include "size.h"
#include "util.h"

static int add_trigger(struct cli_events *ce, enum mc_psi_kind kind, const char *value, const char *where,
                       struct mc_error *err)
{
        struct mc_pressure_trigger t;
        int r = mc_pressure_parse_trigger(value, kind, &t, err);
        if (r < 0)
                return mc_error_prefix(err, "%spressure.%s = %s", where, mc_psi_kind_name(kind), value);
        /*
         * The kernel takes other windows only from a writer with
         * CAP_SYS_RESOURCE (Linux 6.4+; older kernels take no trigger at all
         * from others): say so before the run rather than fail at it.
         */
        if (geteuid() != 0 && t.window_us % MC_PSI_UNPRIV_WINDOW_US != 0)
                return mc_error_set(err, EPERM,
                                    "%spressure.%s = %s: without root the kernel accepts only windows that "
                                    "are multiples of 2s (e.g. %s/2s)",
                                    where, mc_psi_kind_name(kind), value,
                                    kind == MC_PSI_FULL ? "10%" : "5%");
        ce->triggers[ce->n_triggers++] = t;
        return 0;
}

int cli_events_prepare(struct cli_events *ce, const struct mc_profile *p, const char *events_path,
                       bool quiet, struct mc_error *err)
{
        static const enum mc_key keys[_MC_PSI_KIND_COUNT] = {
                [MC_PSI_SOME] = MC_KEY_PRESSURE_SOME,
                [MC_PSI_FULL] = MC_KEY_PRESSURE_FULL,
        };
        int r;

        *ce = (struct cli_events){ .quiet = quiet, .path = events_path };
        for (int k = 0; k < _MC_PSI_KIND_COUNT; k++) {
                const struct mc_setting *s = &p->settings[keys[k]];
                char where[512] = "";
                if (!s->value)
                        continue;
                if (s->line > 0)
                        snprintf(where, sizeof(where), "%s:%u: ", s->file, s->line);
                else if (s->file)
                        snprintf(where, sizeof(where), "%s: ", s->file);
                r = add_trigger(ce, (enum mc_psi_kind)k, s->value, where, err);
                if (r < 0)
                        return r;
        }
        if (ce->n_triggers == 0) {
                r = add_trigger(ce, CLI_EVENTS_DEFAULT_PRESSURE_KIND, CLI_EVENTS_DEFAULT_PRESSURE, "", err);
                if (r < 0)
                        return r;
                ce->default_trigger = true;
        }
        if (events_path) {
                ce->file = fopen(events_path, "we");
                if (!ce->file)
                        return mc_error_errno(err, errno, "cannot open the events file %s", events_path);
        }
        return 0;
}

/* "47.9M", or "?" when unknown. */
static const char *size_or_unknown(bool has, uint64_t v, char *buf, size_t n)
{
        if (!has)
                return "?";
        return v == UINT64_MAX ? "max" : mc_size_format(v, buf, n);
}

static const char *times(uint64_t n)
{
        return n == 1 ? "time" : "times";
}

/* The stderr line of an event (without prefix); empty for events that have none. */
static void format_event(const struct mc_event *ev, bool again, char *buf, size_t n)
{
        char cur[MC_SIZE_STR_MAX], lim[MC_SIZE_STR_MAX];
        const char *c = size_or_unknown(ev->has_current, ev->current, cur, sizeof(cur));
        const char *l = size_or_unknown(ev->has_limit, ev->limit, lim, sizeof(lim));
        unsigned long long count = (unsigned long long)ev->count;

        buf[0] = '\0';
        switch (ev->type) {
        case MC_EVENT_START:
        case MC_EVENT_EXIT:
                break; /* the limits line and the summary line say it */
        case MC_EVENT_HIGH:
                snprintf(buf, n, "memory.high reached %llu %s: throttled at %s of high %s", count,
                         times(count), c, l);
                break;
        case MC_EVENT_MAX:
                snprintf(buf, n, "memory.max reached %llu %s: reclaiming at %s of max %s", count,
                         times(count), c, l);
                break;
        case MC_EVENT_OOM:
                snprintf(buf, n, "out of memory %llu %s: reclaim failed at %s of max %s", count,
                         times(count), c, l);
                break;
        case MC_EVENT_OOM_GROUP_KILL:
                snprintf(buf, n, "OOM group kill %llu %s: memory.oom.group kills the whole group", count,
                         times(count));
                break;
        case MC_EVENT_OOM_KILL: {
                char who[128], by[64];
                if (ev->name)
                        snprintf(who, sizeof(who), "%s (pid %d)", ev->name, (int)ev->pid);
                else
                        snprintf(who, sizeof(who),
                                 "a process (name unknown: the kernel log is not readable)");
                if (ev->cause == MC_OOM_CAUSE_GROUP_LIMIT)
                        snprintf(by, sizeof(by), "by the group limit (max %s)", l);
                else
                        snprintf(by, sizeof(by), "by a system OOM (the machine or a parent group)");
                if (again)
                        snprintf(buf, n,
                                 "OOM kill: %s again (the kernel counted a second kill, as memory.oom.group "
                                 "does)",
                                 who);
                else
                        snprintf(buf, n, "OOM kill: %s %s", who, by);
                break;
        }
        case MC_EVENT_SWAP_HIGH:
                snprintf(buf, n, "memory.swap.high reached %llu %s: swap %s of high %s", count, times(count),
                         c, l);
                break;
        case MC_EVENT_SWAP_MAX:
                snprintf(buf, n, "memory.swap.max reached %llu %s: swap %s of max %s", count, times(count),
                         c, l);
                break;
        case MC_EVENT_SWAP_FAIL:
                snprintf(buf, n, "swap allocation failed %llu %s: swap %s of max %s", count, times(count), c,
                         l);
                break;
        case MC_EVENT_HUGETLB_MAX:
                snprintf(buf, n, "hugetlb.%s.max reached %llu %s", ev->size, count, times(count));
                break;
        case MC_EVENT_PRESSURE: {
                char avg[32] = "?";
                if (ev->has_avg10)
                        snprintf(avg, sizeof(avg), "%.1f%%", ev->avg10);
                snprintf(buf, n, "pressure %s %s avg10 (trigger %s)", mc_psi_kind_name(ev->trigger->kind),
                         avg, ev->trigger->spec);
                break;
        }
        case _MC_EVENT_TYPE_COUNT:
                break;
        }
}

static void emit_event(void *userdata, const struct mc_event *ev, const json_t *json)
{
        struct cli_events *ce = userdata;

        if (ce->file && !ce->write_failed) {
                _cleanup_free_ char *line = json_dumps(json, JSON_COMPACT | JSON_REAL_PRECISION(15));
                /* One line per event, flushed, so that a reader (tail -f, jq) sees it as it happens. */
                if (!line || fputs(line, ce->file) < 0 || fputc('\n', ce->file) < 0 ||
                    fflush(ce->file) != 0) {
                        cli_warning("cannot write the events file %s: %s", ce->path,
                                    line ? strerror(errno) : "out of memory");
                        ce->write_failed = true;
                }
        }
        if (!ce->quiet) {
                char text[512], line[600];
                bool again = false;
                if (ev->type == MC_EVENT_OOM_KILL && ev->name) {
                        for (size_t i = 0; i < ce->n_oom_pids; i++)
                                again = again || ce->oom_pids[i] == ev->pid;
                        if (!again && ce->n_oom_pids < ELEMENTSOF(ce->oom_pids))
                                ce->oom_pids[ce->n_oom_pids++] = ev->pid;
                }
                format_event(ev, again, text, sizeof(text));
                if (!text[0])
                        return;
                int k = snprintf(line, sizeof(line), "memcage: +%.2fs %s\n", ev->t, text);
                if (k > 0) {
                        /* One write: lines of concurrent writers to the terminal do not mix. */
                        ssize_t w = write(STDERR_FILENO, line,
                                          (size_t)k < sizeof(line) ? (size_t)k : sizeof(line) - 1);
                        (void)w;
                }
        }
}

int cli_events_watch(struct cli_events *ce, int group_fd, const char *cgroup, struct mc_watch **ret,
                     size_t *ret_n, struct mc_error *err)
{
        struct mc_event_watch_opts o = {
                .group_fd = group_fd,
                .cgroup = cgroup,
                .triggers = ce->triggers,
                .n_triggers = ce->n_triggers,
                .triggers_optional = ce->default_trigger,
                .kmsg_path = "/dev/kmsg",
                .emit = emit_event,
                .userdata = ce,
        };
        int r = mc_event_watch_open(&ce->watch, &o, err);
        if (r < 0)
                return r;
        ce->watching = true;
        mc_event_watch_get_watches(&ce->watch, ret, ret_n);
        return 0;
}

void cli_events_start(struct cli_events *ce, uint64_t start_ns, pid_t pid)
{
        if (ce->watching)
                mc_event_watch_start(&ce->watch, start_ns, pid);
}

void cli_events_finish(struct cli_events *ce, struct mc_report *r)
{
        struct mc_event_watch *w = &ce->watch;
        struct mc_error err = { 0 };

        if (!ce->watching || !r->exited)
                return;
        if (mc_event_watch_finish(w, &err) < 0)
                cli_warning("group %s: last memory events: %s, ignoring", r->cgroup, err.msg);

        struct mc_verdict_input in = {
                .signaled = r->signal != 0,
                .exit_code = r->exit_code,
                .signal = r->signal,
                .hugetlb_max = w->hugetlb_max,
        };
        if (r->has_events) {
                mc_counters_get(&r->events, "oom_kill", &in.oom_kill);
                mc_counters_get(&r->events, "oom", &in.oom);
        }
        if (w->has_swap_events)
                mc_counters_get(&w->swap_events, "fail", &in.swap_fail);
        mc_verdict_judge(&in, &r->verdict);
        r->has_verdict = true;
        mc_event_watch_exit(w, r->exit_code, r->signal, r->verdict.text);

        r->oom_kills = w->kills;
        r->n_oom_kills = w->n_kills;
        r->has_swap_events = w->has_swap_events;
        r->swap_events = w->swap_events;
        r->has_pressure = w->has_pressure;
        memcpy(r->pressure_total_us, w->pressure_total_us, sizeof(r->pressure_total_us));
        r->pressure_triggers = w->triggers;
        r->n_pressure_triggers = w->n_triggers;
        r->log = w->log;
        r->log_truncated = w->log_truncated;
}

int cli_events_done(struct cli_events *ce)
{
        int r = 0;
        if (ce->watching)
                mc_event_watch_done(&ce->watch);
        ce->watching = false;
        if (ce->file) {
                if (fclose(ce->file) != 0 && !ce->write_failed) {
                        cli_warning("cannot write the events file %s: %s", ce->path, strerror(errno));
                        ce->write_failed = true;
                }
                ce->file = NULL;
        }
        if (ce->write_failed)
                r = -EIO;
        return r;
}
