/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "events.h"
#include "util.h"

int mc_counters_parse(const char *text, struct mc_counters *ret, struct mc_error *err)
{
        struct mc_counters out = { 0 };
        const char *p = text;
        unsigned lineno = 0;

        while (*p) {
                const char *eol = strchrnul(p, '\n');
                lineno++;
                if (eol == p) { /* blank line */
                        p = *eol ? eol + 1 : eol;
                        continue;
                }
                const char *sp = memchr(p, ' ', (size_t)(eol - p));
                if (!sp || sp == p)
                        return mc_error_set(err, EINVAL, "line %u: expected 'name value'", lineno);
                size_t nlen = (size_t)(sp - p);
                if (nlen >= MC_COUNTER_NAME_MAX)
                        return mc_error_set(err, EINVAL, "line %u: counter name too long", lineno);
                if (out.n == MC_COUNTERS_MAX)
                        return mc_error_set(err, E2BIG, "more than %d counters", MC_COUNTERS_MAX);

                const char *num = sp + 1;
                uint64_t v = 0;
                if (num == eol)
                        return mc_error_set(err, EINVAL, "line %u: missing value", lineno);
                for (const char *q = num; q < eol; q++) {
                        if (*q < '0' || *q > '9')
                                return mc_error_set(err, EINVAL, "line %u: value is not a number", lineno);
                        unsigned d = (unsigned)(*q - '0');
                        if (v > (UINT64_MAX - d) / 10)
                                return mc_error_set(err, ERANGE, "line %u: value overflows", lineno);
                        v = v * 10 + d;
                }
                memcpy(out.c[out.n].name, p, nlen);
                out.c[out.n].name[nlen] = '\0';
                out.c[out.n].value = v;
                out.n++;
                p = *eol ? eol + 1 : eol;
        }
        *ret = out;
        return 0;
}

int mc_counters_read_at(int dirfd, const char *file, struct mc_counters *ret, struct mc_error *err)
{
        _cleanup_free_ char *text = NULL;
        int r = mc_read_file_at(dirfd, file, &text, err);
        if (r < 0)
                return r;
        r = mc_counters_parse(text, ret, err);
        if (r < 0)
                return mc_error_prefix(err, "%s", file);
        return 0;
}

bool mc_counters_get(const struct mc_counters *c, const char *name, uint64_t *ret)
{
        for (size_t i = 0; i < c->n; i++)
                if (streq(c->c[i].name, name)) {
                        if (ret)
                                *ret = c->c[i].value;
                        return true;
                }
        return false;
}

void mc_counters_delta(const struct mc_counters *before, const struct mc_counters *after,
                       struct mc_counters *ret)
{
        struct mc_counters out = { .n = after->n };
        for (size_t i = 0; i < after->n; i++) {
                uint64_t b = 0;
                mc_counters_get(before, after->c[i].name, &b);
                out.c[i] = after->c[i];
                out.c[i].value = after->c[i].value >= b ? after->c[i].value - b : 0;
        }
        *ret = out;
}
