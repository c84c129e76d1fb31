/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>

#include "decimal.h"

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

size_t mc_decimal_scan(const char *s, struct mc_decimal *ret)
{
        struct mc_decimal d = { .scale = 1 };
        const char *p = s;

        for (; is_digit(*p); p++) {
                unsigned digit = (unsigned)(*p - '0');
                if (d.whole > (UINT64_MAX - digit) / 10)
                        d.overflow = true;
                else
                        d.whole = d.whole * 10 + digit;
        }
        if (p == s) {
                *ret = (struct mc_decimal){ .scale = 1 };
                return 0;
        }
        if (p[0] == '.' && is_digit(p[1])) {
                d.has_fraction = true;
                p++;
                for (unsigned n = 0; is_digit(*p); p++, n++)
                        if (n < MC_DECIMAL_FRACTION_DIGITS_MAX) {
                                d.fraction = d.fraction * 10 + (uint64_t)(*p - '0');
                                d.scale *= 10;
                        } else if (*p != '0')
                                d.dropped = true;
        }
        *ret = d;
        return (size_t)(p - s);
}

int mc_decimal_scale(const struct mc_decimal *d, uint64_t mult, uint64_t *ret, bool *ret_exact)
{
        /* whole < 2^64, mult < 2^64, fraction < 10^9: every product fits 128 bits. */
        unsigned __int128 frac = (unsigned __int128)d->fraction * mult;
        unsigned __int128 v = (unsigned __int128)d->whole * mult + frac / d->scale;

        if (d->overflow || v > UINT64_MAX)
                return -ERANGE;
        *ret = (uint64_t)v;
        if (ret_exact)
                *ret_exact = !d->dropped && frac % d->scale == 0;
        return 0;
}
