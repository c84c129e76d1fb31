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

/* "12.34" (also "12.3", "12") at *p in hundredths, at most 100.00, advancing *p. */
static int parse_centi(const char **p, uint32_t *ret)
{
        struct mc_decimal d;
        size_t n = mc_decimal_scan(*p, &d);
        /* The kernel prints two decimals ("%lu.%02lu"): more are not its text. */
        if (n == 0 || d.scale > 100)
                return -EINVAL;
        if (d.overflow || d.whole > 100 || d.whole * 100 + d.fraction * (100 / d.scale) > 10000)
                return -ERANGE;
        *p += n;
        *ret = (uint32_t)(d.whole * 100 + d.fraction * (100 / d.scale));
        return 0;
}

/* The literal word at *p, advancing *p past it. */
static bool skip_word(const char **p, const char *word)
{
        size_t n = strlen(word);
        if (strncmp(*p, word, n) != 0)
                return false;
        *p += n;
        return true;
}

/* One line of [s, eol): the kernel's "%s avg10=%lu.%02lu avg60=... avg300=... total=%llu". */
static int parse_psi_line(const char *s, const char *eol, int *ret_kind, struct mc_pressure_line *ret)
{
        uint32_t avg10, avg60, avg300;
        uint64_t total;
        int kind;

        if (skip_word(&s, "some "))
                kind = MC_PSI_SOME;
        else if (skip_word(&s, "full "))
                kind = MC_PSI_FULL;
        else
                return -EINVAL;
        if (!skip_word(&s, "avg10=") || parse_centi(&s, &avg10) < 0 || !skip_word(&s, " avg60=") ||
            parse_centi(&s, &avg60) < 0 || !skip_word(&s, " avg300=") || parse_centi(&s, &avg300) < 0 ||
            !skip_word(&s, " total=") || mc_parse_u64(&s, &total) < 0 || s != eol)
                return -EINVAL;
        *ret_kind = kind;
        *ret = (struct mc_pressure_line){
                .present = true, .avg10 = avg10 / 100.0, .avg10_centi = avg10, .total_us = total
        };
        return 0;
}

int mc_pressure_parse(const char *text, struct mc_pressure_line ret[_MC_PSI_KIND_COUNT],
                      struct mc_error *err)
{
        struct mc_pressure_line out[_MC_PSI_KIND_COUNT] = {};

        for (const char *p = text; *p;) {
                const char *eol = strchrnul(p, '\n');
                struct mc_pressure_line line;
                int kind;
                if (eol != p) {
                        if (parse_psi_line(p, eol, &kind, &line) < 0)
                                return mc_error_set(err, EINVAL, "memory.pressure: unexpected line '%.*s'",
                                                    (int)(eol - p), p);
                        if (out[kind].present)
                                return mc_error_set(err, EINVAL, "memory.pressure: a second '%s' line",
                                                    mc_psi_kind_name(kind));
                        out[kind] = line;
                }
                p = *eol ? eol + 1 : eol;
        }
        /* Every PSI file memcage reads has it; without it the text is not the kernel's. */
        if (!out[MC_PSI_SOME].present)
                return mc_error_set(err, EINVAL, "memory.pressure: no 'some' line");
        memcpy(ret, out, sizeof(out));
        return 0;
}
