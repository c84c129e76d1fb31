/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#define RULE_FORM "use KIND STALL/WINDOW for DURATION, e.g. full 50%%/2s for 30s (KIND some or full)"

int mc_pressure_kill_parse_rule(const char *value, struct mc_pressure_kill_rule *ret, struct mc_error *err)
{
        struct mc_pressure_kill_rule rule = { 0 };
        _cleanup_free_ char *copy = strdup(value);
        char *words[5], *save = NULL;
        size_t n = 0;
        enum mc_psi_kind kind;
        int r;

        if (!copy)
                return mc_error_errno(err, ENOMEM, "pressure kill rule");
        for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                if (n == ELEMENTSOF(words))
                        return mc_error_set(err, EINVAL, "too many words; " RULE_FORM);
                words[n++] = w;
        }
        if (n == 0)
                return mc_error_set(err, EINVAL, "empty rule; " RULE_FORM);
        if (streq(words[0], "some"))
                kind = MC_PSI_SOME;
        else if (streq(words[0], "full"))
                kind = MC_PSI_FULL;
        else
                return mc_error_set(err, EINVAL, "unknown kind '%s'; " RULE_FORM, words[0]);
        if (n != 4 || !streq(words[2], "for"))
                return mc_error_set(err, EINVAL,
                                    "expected 'STALL/WINDOW for DURATION' after '%s'; " RULE_FORM, words[0]);
        r = mc_pressure_parse_trigger(words[1], kind, &rule.trigger, err);
        if (r < 0)
                return r;
        r = mc_duration_parse(words[3], &rule.duration_us, err);
        if (r < 0)
                return mc_error_prefix(err, "duration '%s'", words[3]);
        if (rule.duration_us < rule.trigger.window_us)
                return mc_error_set(err, ERANGE, "duration '%s' is shorter than the window '%s'", words[3],
                                    strchr(words[1], '/') + 1);
        uint64_t w = rule.trigger.window_us;
        uint64_t windows = (rule.duration_us + w - 1) / w;
        /* A day of 500 ms windows is far more than anyone asks for; a count must fit. */
        if (windows > 1000000)
                return mc_error_set(err, ERANGE, "duration '%s' is too long", words[3]);
        rule.windows = (unsigned)windows;
        snprintf(rule.spec, sizeof(rule.spec), "%s %s for %s", words[0], words[1], words[3]);
        *ret = rule;
        return 0;
}

int mc_pressure_kill_check_rule(const struct mc_pressure_kill_rule *rule, uid_t euid, struct mc_error *err)
{
        if (euid != 0 && rule->trigger.window_us % MC_PSI_UNPRIV_WINDOW_US != 0)
                return mc_error_set(err, EINVAL,
                                    "'%s': without root the kernel arms only windows in multiples of 2s; "
                                    "use a window of 2s, 4s, 6s, 8s or 10s",
                                    rule->spec);
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

/* ---- the file ---- */

#define PRESSURE_FILE "memory.pressure"

int mc_pressure_read_at(int group_fd, struct mc_pressure_line ret[_MC_PSI_KIND_COUNT], struct mc_error *err)
{
        _cleanup_free_ char *text = NULL;
        int r = mc_read_file_at(group_fd, PRESSURE_FILE, &text, err);
        if (r < 0)
                return r;
        return mc_pressure_parse(text, ret, err);
}

int mc_pressure_open_at(int group_fd, int *ret_fd, struct mc_error *err)
{
        int fd = openat(group_fd, PRESSURE_FILE, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
        if (fd < 0 && errno != ENOENT)
                return mc_error_errno(err, errno, "open '%s'", PRESSURE_FILE);
        *ret_fd = fd < 0 ? -EBADF : fd;
        return 0;
}

int mc_pressure_pread(int fd, char *buf, size_t n, struct mc_pressure_line ret[_MC_PSI_KIND_COUNT],
                      struct mc_error *err)
{
        if (n < 2)
                return mc_error_set(err, ENOBUFS, "read %s: no room", PRESSURE_FILE);
        ssize_t k = pread(fd, buf, n - 1, 0);
        if (k < 0)
                return mc_error_errno(err, errno, "read %s", PRESSURE_FILE);
        if (k == 0)
                return mc_error_set(err, ENODATA, "read %s: empty", PRESSURE_FILE);
        buf[k] = '\0';
        return mc_pressure_parse(buf, ret, err);
}

int mc_pressure_trigger_open(int group_fd, const struct mc_pressure_trigger *t, int *ret_fd,
                             struct mc_error *err)
{
        char line[64];

        if (mc_pressure_trigger_line(t, line, sizeof(line)) < 0)
                return mc_error_set(err, EINVAL, "trigger too long");
        _cleanup_close_ int fd =
                openat(group_fd, PRESSURE_FILE, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return mc_error_errno(err, errno,
                                      errno == ENOENT ? "no PSI on this kernel (%s is missing)" : "open %s",
                                      PRESSURE_FILE);
        /* The kernel takes the line with its NUL (psi_write() copies up to the first one). */
        if (write(fd, line, strlen(line) + 1) < 0)
                return mc_error_errno(err, errno, "register the trigger '%s'", line);
        *ret_fd = TAKE_FD(fd);
        return 0;
}
