/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "event-rate.h"

bool mc_event_rate_add(struct mc_event_rate *r, uint64_t now_ns, uint64_t delta, uint64_t *ret_count)
{
        if (delta == 0)
                return false;
        r->pending += delta;
        return mc_event_rate_take(r, now_ns, false, ret_count);
}

bool mc_event_rate_deadline(const struct mc_event_rate *r, uint64_t *ret_ns)
{
        if (r->pending == 0)
                return false;
        *ret_ns = r->emitted ? r->last_ns + MC_EVENT_RATE_NS : 0;
        return true;
}

bool mc_event_rate_take(struct mc_event_rate *r, uint64_t now_ns, bool force, uint64_t *ret_count)
{
        uint64_t due;
        if (!mc_event_rate_deadline(r, &due) || (!force && now_ns < due))
                return false;
        *ret_count = r->pending;
        r->pending = 0;
        r->emitted = true;
        r->last_ns = now_ns;
        return true;
}
