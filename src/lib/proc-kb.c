/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "proc-kb.h"
#include "util.h"

int mc_proc_kb_parse(const char *text, const char *const *names, size_t n, uint64_t *vals,
                     struct mc_error *err)
{
        unsigned lineno = 0;
        int found = 0;

        for (const char *p = text; *p;) {
                const char *eol = strchrnul(p, '\n');
                const char *colon = memchr(p, ':', (size_t)(eol - p));
                lineno++;
                for (size_t i = 0; colon && i < n; i++) {
                        size_t len = (size_t)(colon - p);
                        if (strlen(names[i]) != len || memcmp(p, names[i], len) != 0)
                                continue;
                        const char *v = colon + 1;
                        while (*v == ' ' || *v == '\t')
                                v++;
                        uint64_t x;
                        if (mc_parse_u64(&v, &x) < 0 || strncmp(v, " kB", 3) != 0 || v + 3 != eol)
                                return mc_error_set(err, EINVAL, "line %u: bad value for %s", lineno,
                                                    names[i]);
                        if (x > UINT64_MAX / 1024)
                                return mc_error_set(err, ERANGE, "line %u: value overflows", lineno);
                        vals[i] = x * 1024;
                        found++;
                        break;
                }
                p = *eol ? eol + 1 : eol;
        }
        return found;
}
