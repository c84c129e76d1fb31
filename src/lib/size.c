/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/sysinfo.h>

#include "decimal.h"
#include "size.h"
#include "util.h"

#define BLANKS " \t\n"

#define SIZE_FORMS                                                                              \
        "use bytes (4096), K, M, G or T with optional B or iB (512M, 1.5G, 2GiB; 1024-based), " \
        "a percentage of RAM (50%%) or max"

/* "invalid size 'V' for KEY: why; use ...", without " for KEY" when key is NULL. */
static int size_error(struct mc_error *err, const char *s, const char *key, const char *why)
{
        return mc_error_set(err, EINVAL, "invalid size '%s'%s%s: %s; " SIZE_FORMS, s, key ? " for " : "",
                            key ? key : "", why);
}

/* The multiplier of a unit: "", "B", "K", "KB", "KiB", ... (any case). 0 when unknown. */
static uint64_t unit_multiplier(const char *u)
{
        static const char letters[] = "kmgt";

        if (u[0] == '\0' || strcasecmp(u, "b") == 0)
                return 1;
        const char *l = strchr(letters, u[0] | 0x20);
        if (!l)
                return 0;
        const char *rest = u + 1;
        if (rest[0] != '\0' && strcasecmp(rest, "b") != 0 && strcasecmp(rest, "ib") != 0)
                return 0;
        return UINT64_C(1) << (10 * (l - letters + 1));
}

int mc_size_parse_for(const char *s, const char *key, uint64_t ram_bytes, uint64_t *ret,
                      struct mc_error *err)
{
        const char *p = s + strspn(s, BLANKS);
        size_t len = strlen(p);
        while (len > 0 && strchr(BLANKS, p[len - 1]))
                len--;
        _cleanup_free_ char *t = strndup(p, len);
        if (!t)
                return mc_error_errno(err, ENOMEM, "parse size '%s'", s);

        if (t[0] == '\0')
                return size_error(err, s, key, "empty value");
        if (strcasecmp(t, "max") == 0 || strcasecmp(t, "infinity") == 0) {
                *ret = MC_SIZE_MAX;
                return 0;
        }
        if (t[0] == '-')
                return size_error(err, s, key, "sizes cannot be negative");

        struct mc_decimal d;
        const char *q = t + mc_decimal_scan(t, &d);
        if (q == t) {
                if (t[0] == '%' || unit_multiplier(t) != 0)
                        return size_error(err, s, key, "a number must come before the unit");
                return size_error(err, s, key, "not a number");
        }
        if (q[0] == '.' && !d.has_fraction)
                return size_error(err, s, key, "digits must follow '.'");
        q += strspn(q, BLANKS);

        if (streq(q, "%")) {
                if (d.overflow || d.whole > 100 || (d.whole == 100 && (d.fraction > 0 || d.dropped)))
                        return size_error(err, s, key, "more than 100% of RAM");
                if (ram_bytes == 0)
                        return mc_error_set(err, EINVAL,
                                            "cannot resolve size '%s'%s%s: size of physical RAM unknown", s,
                                            key ? " for " : "", key ? key : "");
                unsigned __int128 v = (unsigned __int128)ram_bytes * (d.whole * d.scale + d.fraction);
                *ret = (uint64_t)(v / ((unsigned __int128)100 * d.scale));
                return 0;
        }

        uint64_t mult = unit_multiplier(q);
        if (mult == 0) {
                char why[64 + MC_ERROR_MSG_MAX / 4];
                snprintf(why, sizeof(why), "unknown unit '%.*s'", MC_ERROR_MSG_MAX / 4, q);
                return size_error(err, s, key, why);
        }
        if (mult == 1 && d.has_fraction)
                return size_error(err, s, key, "a byte count cannot have decimals");
        if (mc_decimal_scale(&d, mult, ret, NULL) < 0)
                return size_error(err, s, key,
                                  "too large, the largest size is 18446744073709551615 bytes "
                                  "(use max for no limit)");
        return 0;
}

int mc_size_parse(const char *s, uint64_t ram_bytes, uint64_t *ret, struct mc_error *err)
{
        return mc_size_parse_for(s, NULL, ram_bytes, ret, err);
}

int mc_size_is_percent(const char *s)
{
        size_t len = strlen(s);
        while (len > 0 && strchr(BLANKS, s[len - 1]))
                len--;
        return len > 0 && s[len - 1] == '%';
}

const char *mc_size_format(uint64_t bytes, char *buf, size_t n)
{
        static const char units[] = "KMGT";

        if (bytes == MC_SIZE_MAX) {
                snprintf(buf, n, "max");
                return buf;
        }
        if (bytes == 0) {
                snprintf(buf, n, "0");
                return buf;
        }
        if (bytes < 1024) {
                snprintf(buf, n, "%" PRIu64 "B", bytes);
                return buf;
        }
        unsigned i = 0;
        while (i + 1 < sizeof(units) - 1 && bytes >> (10 * (i + 2)) > 0)
                i++;
        uint64_t unit = UINT64_C(1) << (10 * (i + 1));
        uint64_t whole = bytes / unit, rem = bytes % unit;
        if (rem == 0) {
                snprintf(buf, n, "%" PRIu64 "%c", whole, units[i]);
                return buf;
        }
        /*
         * One or two decimals when they read back to exactly these bytes:
         * mc_size_parse() rounds down, so "1.8G" (1932735283) shows as written.
         */
        uint64_t scale = 10;
        for (int digits = 1; digits <= 2; digits++, scale *= 10) {
                uint64_t d = (rem * scale + unit - 1) / unit;
                if (d < scale && d * unit / scale == rem) {
                        snprintf(buf, n, "%" PRIu64 ".%0*" PRIu64 "%c", whole, digits, d, units[i]);
                        return buf;
                }
        }
        /* Otherwise truncated, so the text never overstates the value. */
        snprintf(buf, n, "%" PRIu64 ".%02" PRIu64 "%c", whole, rem * 100 / unit, units[i]);
        return buf;
}

uint64_t mc_host_ram_bytes(void)
{
        struct sysinfo si;

        /* totalram is what /proc/meminfo reports as MemTotal. */
        if (sysinfo(&si) < 0)
                return 0;
        return (uint64_t)si.totalram * (si.mem_unit ? si.mem_unit : 1);
}
