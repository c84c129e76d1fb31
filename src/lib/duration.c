/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "decimal.h"
#include "duration.h"
#include "util.h"

struct unit {
        const char *name;
        uint64_t us;
};

/* "us" and "ms" before "s", which both end in. */
static const struct unit units[] = {
        { "us", 1 },
        { "ms", MC_USEC_PER_MSEC },
        { "s", MC_USEC_PER_SEC },
};

enum problem {
        DURATION_OK,
        DURATION_NO_UNIT,      /* "1", "1m", "xs", "" */
        DURATION_NOT_A_NUMBER, /* "-1ms", "1.2.3s", "1.s" */
        DURATION_TOO_LARGE,
};

struct duration {
        uint64_t us;
        const struct unit *unit; /* set unless DURATION_NO_UNIT */
        bool exact;              /* no fraction of a microsecond was dropped */
};

/* The one parse behind both faces below; they differ only in what they accept and say. */
static enum problem scan_duration(const char *s, struct duration *ret)
{
        size_t len = strlen(s);

        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                const struct unit *u = &units[i];
                size_t ul = strlen(u->name);
                if (len <= ul || !streq(s + len - ul, u->name))
                        continue;
                /* A unit follows a number: "xs" is no number of seconds but a missing unit. */
                char last = s[len - ul - 1];
                if (last != '.' && (last < '0' || last > '9'))
                        continue;
                struct mc_decimal d;
                ret->unit = u;
                if (mc_decimal_scan(s, &d) != len - ul)
                        return DURATION_NOT_A_NUMBER;
                if (mc_decimal_scale(&d, u->us, &ret->us, &ret->exact) < 0)
                        return DURATION_TOO_LARGE;
                return DURATION_OK;
        }
        return DURATION_NO_UNIT;
}

int mc_duration_parse(const char *s, uint64_t *ret_us, struct mc_error *err)
{
        struct duration d;

        switch (scan_duration(s, &d)) {
        case DURATION_OK:
                *ret_us = d.us;
                return 0;
        case DURATION_NO_UNIT:
                return mc_error_set(err, EINVAL, "a duration needs a unit (us, ms or s)");
        case DURATION_NOT_A_NUMBER:
                return mc_error_set(err, EINVAL, "not a duration");
        case DURATION_TOO_LARGE:
                return mc_error_set(err, ERANGE, "duration too large");
        }
        return mc_error_set(err, EINVAL, "not a duration");
}

static int interval_range_error(const char *s, struct mc_error *err)
{
        return mc_error_set(err, ERANGE, "invalid interval '%s': must be 0 (off) or between %d ms and %d s",
                            s, MC_INTERVAL_MIN_MS, MC_INTERVAL_MAX_MS / 1000);
}

int mc_interval_parse(const char *s, uint64_t *ret_ms, struct mc_error *err)
{
        struct mc_decimal number;
        struct duration d;

        if (streq(s, "0")) {
                *ret_ms = 0;
                return 0;
        }
        size_t n = mc_decimal_scan(s, &number);
        if (n == 0)
                return mc_error_set(err, EINVAL, "invalid interval '%s': expected a number with ms or s", s);
        if (s[n] == '.' && !number.has_fraction)
                return mc_error_set(err, EINVAL, "invalid interval '%s': expected digits after '.'", s);
        /* Beyond a microsecond no timer is meant. */
        if (number.scale > MC_USEC_PER_SEC || number.dropped)
                return mc_error_set(err, EINVAL, "invalid interval '%s': too many decimals", s);

        enum problem p = scan_duration(s, &d);
        /* Sampling is never finer than a millisecond: its units are ms and s. */
        if (p == DURATION_NO_UNIT || p == DURATION_NOT_A_NUMBER || d.unit->us < MC_USEC_PER_MSEC)
                return mc_error_set(err, EINVAL,
                                    "invalid interval '%s': the unit must be ms or s (e.g. 250ms, 1s)", s);
        if (p == DURATION_TOO_LARGE)
                return interval_range_error(s, err);
        if (!d.exact || d.us % MC_USEC_PER_MSEC != 0)
                return mc_error_set(err, EINVAL, "invalid interval '%s': not a whole number of milliseconds",
                                    s);
        uint64_t ms = d.us / MC_USEC_PER_MSEC;
        if (ms < MC_INTERVAL_MIN_MS || ms > MC_INTERVAL_MAX_MS)
                return interval_range_error(s, err);
        *ret_ms = ms;
        return 0;
}
