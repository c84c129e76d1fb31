/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "util.h"

/* One "name value" line, the name pointing into the text. */
struct keyed_line {
        const char *name;
        size_t name_len;
        uint64_t value;
};

/*
 * The next line at *p, advancing *p and *lineno: 1 with *ret filled, 0 at
 * the end of the text, a negative errno for a malformed line. Blank lines
 * (the file's last newline) are skipped.
 */
static int keyed_next(const char **p, unsigned *lineno, struct keyed_line *ret, struct mc_error *err)
{
        const char *s = *p;
        const char *eol;

        for (;;) {
                if (!*s) {
                        *p = s;
                        return 0;
                }
                eol = strchrnul(s, '\n');
                ++*lineno;
                if (eol != s)
                        break;
                s = eol + 1; /* a blank line: *eol is its newline */
        }
        const char *sp = memchr(s, ' ', (size_t)(eol - s));
        if (!sp || sp == s)
                return mc_error_set(err, EINVAL, "line %u: expected 'name value'", *lineno);
        const char *num = sp + 1;
        if (num == eol)
                return mc_error_set(err, EINVAL, "line %u: missing value", *lineno);
        uint64_t v;
        const char *q = num;
        int r = mc_parse_u64(&q, &v);
        if (r == -ERANGE)
                return mc_error_set(err, ERANGE, "line %u: value overflows", *lineno);
        if (r < 0 || q != eol)
                return mc_error_set(err, EINVAL, "line %u: value is not a number", *lineno);
        *ret = (struct keyed_line){ .name = s, .name_len = (size_t)(sp - s), .value = v };
        *p = *eol ? eol + 1 : eol;
        return 1;
}

static bool name_is(const struct keyed_line *l, const char *name)
{
        return strlen(name) == l->name_len && memcmp(l->name, name, l->name_len) == 0;
}

int mc_counters_parse(const char *text, struct mc_counters *ret, struct mc_error *err)
{
        struct mc_counters out = { 0 };
        struct keyed_line l;
        unsigned lineno = 0;
        int r;

        while ((r = keyed_next(&text, &lineno, &l, err)) > 0) {
                if (l.name_len >= MC_COUNTER_NAME_MAX)
                        return mc_error_set(err, EINVAL, "line %u: counter name too long", lineno);
                for (size_t i = 0; i < out.n; i++)
                        if (name_is(&l, out.c[i].name))
                                return mc_error_set(err, EINVAL, "line %u: '%s' appears twice", lineno,
                                                    out.c[i].name);
                if (out.n == MC_COUNTERS_MAX)
                        return mc_error_set(err, E2BIG, "more than %d counters", MC_COUNTERS_MAX);
                memcpy(out.c[out.n].name, l.name, l.name_len);
                out.c[out.n].name[l.name_len] = '\0';
                out.c[out.n].value = l.value;
                out.n++;
        }
        if (r < 0)
                return r;
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

int mc_counters_open_at(int dirfd, const char *file, int *ret_fd, struct mc_counters *ret,
                        struct mc_error *err)
{
        _cleanup_close_ int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : mc_error_errno(err, errno, "open %s", file);
        int r = mc_counters_pread(fd, file, ret, err);
        if (r < 0)
                return r;
        *ret_fd = TAKE_FD(fd);
        return 1;
}

int mc_counters_pread(int fd, const char *file, struct mc_counters *ret, struct mc_error *err)
{
        char buf[1024];
        /* pread at 0 re-arms kernfs's POLLPRI for the next change. */
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        if (n < 0)
                return mc_error_errno(err, errno, "read %s", file);
        buf[n] = '\0';
        int r = mc_counters_parse(buf, ret, err);
        return r < 0 ? mc_error_prefix(err, "%s", file) : 0;
}

int mc_memory_events_read_at(int group_fd, bool local, struct mc_counters *ret, struct mc_error *err)
{
        return mc_counters_read_at(group_fd, local ? "memory.events.local" : "memory.events", ret, err);
}

int mc_memory_events_open_at(int group_fd, int *ret_fd, struct mc_counters *ret, struct mc_error *err)
{
        return mc_counters_open_at(group_fd, "memory.events", ret_fd, ret, err);
}

int mc_memory_events_pread(int fd, struct mc_counters *ret, struct mc_error *err)
{
        return mc_counters_pread(fd, "memory.events", ret, err);
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

int mc_keyed_get(const char *text, struct mc_keyed_field *fields, size_t n, struct mc_error *err)
{
        struct keyed_line l;
        unsigned lineno = 0;
        int r;

        for (size_t i = 0; i < n; i++) {
                fields[i].found = false;
                fields[i].value = 0;
        }
        /* The whole text, also after the last wanted key: malformed input fails whatever the keys' order. */
        while ((r = keyed_next(&text, &lineno, &l, err)) > 0)
                for (size_t i = 0; i < n; i++) {
                        if (!name_is(&l, fields[i].name))
                                continue;
                        if (fields[i].found)
                                return mc_error_set(err, EINVAL, "line %u: '%s' appears twice", lineno,
                                                    fields[i].name);
                        fields[i].found = true;
                        fields[i].value = l.value;
                        break;
                }
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (!fields[i].found && !fields[i].optional)
                        return mc_error_set(err, ENXIO, "no '%s' key", fields[i].name);
        return 0;
}

int mc_keyed_read_at(int dirfd, const char *file, struct mc_keyed_field *fields, size_t n,
                     struct mc_error *err)
{
        _cleanup_free_ char *text = NULL;
        int r = mc_read_file_at(dirfd, file, &text, err);
        if (r < 0)
                return r;
        r = mc_keyed_get(text, fields, n, err);
        if (r < 0)
                return mc_error_prefix(err, "%s", file);
        return 0;
}
