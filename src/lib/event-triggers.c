/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event-watch-internal.h"
#include "util.h"

/* ---- PSI triggers on memory.pressure, and its totals ---- */

void mc_event_triggers_fired(struct mc_event_watch *w, size_t i, double t_since_start, struct mc_event *ret)
{
        struct mc_error ignored = { 0 };
        struct mc_pressure_trigger *t = &w->triggers[i];
        struct mc_pressure_line lines[_MC_PSI_KIND_COUNT];

        *ret = (struct mc_event){
                .type = MC_EVENT_PRESSURE,
                .t = t_since_start,
                .trigger = t,
        };
        t->fired++;
        if (mc_pressure_read_at(w->o.group_fd, lines, &ignored) >= 0 && lines[t->kind].present) {
                ret->has_avg10 = true;
                ret->avg10 = lines[t->kind].avg10;
        }
}

int mc_event_triggers_read_totals(int group_fd, uint64_t ret[_MC_PSI_KIND_COUNT], struct mc_error *err)
{
        struct mc_pressure_line lines[_MC_PSI_KIND_COUNT];
        int r = mc_pressure_read_at(group_fd, lines, err);
        if (r < 0)
                return r;
        for (int k = 0; k < _MC_PSI_KIND_COUNT; k++)
                ret[k] = lines[k].total_us;
        return 0;
}

/* One trigger, one fd (the kernel allows one per open file). */
static int register_trigger(struct mc_event_watch *w, const struct mc_pressure_trigger *t,
                            struct mc_error *err)
{
        _cleanup_close_ int fd = -EBADF;
        if (mc_pressure_trigger_open(w->o.group_fd, t, &fd, err) < 0)
                return mc_error_prefix(err, "pressure trigger %s = %s", mc_psi_kind_name(t->kind), t->spec);
        size_t n = w->n_triggers + 1;
        struct mc_pressure_trigger *nt = realloc(w->triggers, n * sizeof(*nt));
        if (!nt)
                return mc_error_errno(err, ENOMEM, "pressure trigger");
        w->triggers = nt;
        int *nf = realloc(w->trigger_fds, n * sizeof(*nf));
        if (!nf)
                return mc_error_errno(err, ENOMEM, "pressure trigger");
        w->trigger_fds = nf;
        w->triggers[w->n_triggers] = *t;
        w->triggers[w->n_triggers].fired = 0;
        w->trigger_fds[w->n_triggers] = TAKE_FD(fd);
        w->n_triggers = n;
        return 0;
}

/*
 * Registers the triggers of the options; a refused one is an error unless they
 * are optional, then it is listed in refused. triggers[i] gets the i-th trigger watch.
 */
int mc_event_triggers_register(struct mc_event_watch *w, struct mc_error *err)
{
        int r;

        w->triggers_pending = false;
        for (size_t i = 0; i < w->o.n_triggers; i++) {
                r = w->has_pressure
                            ? register_trigger(w, &w->o.triggers[i], err)
                            : mc_error_set(err, EOPNOTSUPP,
                                           "pressure trigger %s = %s: no PSI "
                                           "on this kernel (memory.pressure is missing)",
                                           mc_psi_kind_name(w->o.triggers[i].kind), w->o.triggers[i].spec);
                if (r < 0 && !w->o.triggers_optional)
                        return r;
                if (r < 0 && w->n_refused < ELEMENTSOF(w->refused)) {
                        w->refused[w->n_refused] = w->o.triggers[i];
                        snprintf(w->refused_why[w->n_refused++], sizeof(w->refused_why[0]), "%.250s",
                                 err->msg);
                }
                mc_error_clear(err);
        }
        for (size_t i = 0; i < w->n_triggers && w->trigger_source0 + i < w->n_watches; i++)
                w->watches[w->trigger_source0 + i].fd = w->trigger_fds[i];
        return 0;
}
