/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "duration.h"
#include "pressure.h"
#include "util.h"

const char *mc_psi_kind_name(enum mc_psi_kind k)
{
        return k == MC_PSI_FULL ? "full" : "some";
}

/* A part of a trigger (what: "stall" or "window", s of len bytes) in microseconds. */
static int parse_part(const char *what, const char *s, size_t len, uint64_t *ret_us, struct mc_error *err)
{
        _cleanup_free_ char *t = strndup(s, len);
        if (!t)
                return mc_error_errno(err, ENOMEM, "%s", what);
        if (mc_duration_parse(t, ret_us, err) < 0)
                return mc_error_prefix(err, "%s '%s'", what, t);
        return 0;
}

int mc_pressure_parse_trigger(const char *value, enum mc_psi_kind kind, struct mc_pressure_trigger *ret,
                              struct mc_error *err)
{
        struct mc_pressure_trigger t = { .kind = kind };
        uint64_t window, stall;
        int r;

        const char *slash = strchr(value, '/');
        if (!*value)
                return mc_error_set(err, EINVAL, "empty value");
        if (!slash)
                return mc_error_set(err, EINVAL, "missing '/' between stall and window");
        r = parse_part("window", slash + 1, strlen(slash + 1), &window, err);
        if (r < 0)
                return r;
        if (window < MC_PSI_WINDOW_MIN_US || window > MC_PSI_WINDOW_MAX_US)
                return mc_error_set(err, ERANGE, "window '%s' is not between 500ms and 10s", slash + 1);

        size_t slen = (size_t)(slash - value);
        if (slen > 0 && value[slen - 1] == '%') {
                struct mc_decimal d;
                uint64_t milli; /* thousandths of a percent */
                size_t n = mc_decimal_scan(value, &d);
                if (n == 0 || n != slen - 1 || mc_decimal_scale(&d, 1000, &milli, NULL) < 0)
                        return mc_error_set(err, EINVAL, "stall '%.*s': not a percentage", (int)slen, value);
                if (milli == 0 || milli > 100000)
                        return mc_error_set(err, ERANGE,
                                            "stall '%.*s': a percentage above 0 and at most 100%%",
                                            (int)slen, value);
                stall = window * milli / 100000;
        } else {
                r = parse_part("stall", value, slen, &stall, err);
                if (r < 0)
                        return r;
        }
        if (stall == 0)
                return mc_error_set(err, ERANGE, "stall '%.*s' must be above 0", (int)slen, value);
        if (stall > window)
                return mc_error_set(err, ERANGE, "stall '%.*s' is longer than the window '%s'", (int)slen,
                                    value, slash + 1);
        t.stall_us = stall;
        t.window_us = window;
        snprintf(t.spec, sizeof(t.spec), "%s", value);
        *ret = t;
        return 0;
}

int mc_pressure_trigger_line(const struct mc_pressure_trigger *t, char *buf, size_t n)
{
        int k = snprintf(buf, n, "%s %llu %llu", mc_psi_kind_name(t->kind), (unsigned long long)t->stall_us,
                         (unsigned long long)t->window_us);
        return k < 0 || (size_t)k >= n ? -ENOBUFS : 0;
}

int mc_pressure_parse(const char *text, struct mc_pressure_line ret[_MC_PSI_KIND_COUNT],
                      struct mc_error *err)
{
        struct mc_pressure_line out[_MC_PSI_KIND_COUNT] = {};

        for (const char *p = text; *p;) {
                const char *eol = strchrnul(p, '\n');
                char kind[8];
                double a10, a60, a300;
                unsigned long long total;
                _cleanup_free_ char *line = strndup(p, (size_t)(eol - p));
                if (!line)
                        return mc_error_errno(err, ENOMEM, "memory.pressure");
                if (*line) {
                        if (sscanf(line, "%7s avg10=%lf avg60=%lf avg300=%lf total=%llu", kind, &a10, &a60,
                                   &a300, &total) != 5)
                                return mc_error_set(err, EINVAL, "memory.pressure: unexpected line '%s'",
                                                    line);
                        int k = streq(kind, "some") ? MC_PSI_SOME : streq(kind, "full") ? MC_PSI_FULL : -1;
                        if (k >= 0)
                                out[k] = (struct mc_pressure_line){ .present = true,
                                                                    .avg10 = a10,
                                                                    .total_us = total };
                }
                p = *eol ? eol + 1 : eol;
        }
        memcpy(ret, out, sizeof(out));
        return 0;
}
