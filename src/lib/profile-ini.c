/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The inih adapter: one profile file read line by line into its own settings,
 * errors at file:line; and the settings themselves (struct mc_setting), which
 * the loader merges along the inherit chain.
 */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile-internal.h"
#include "profile.h"
#include "util.h"

int mc_setting_replace(struct mc_setting *s, const char *value, const char *file, unsigned line)
{
        char *v = strdup(value);
        char *f = strdup(file);
        if (!v || !f) {
                free(v);
                free(f);
                return -ENOMEM;
        }
        free(s->value);
        free(s->file);
        *s = (struct mc_setting){ .value = v, .file = f, .line = line, .next = s->next };
        return 0;
}

size_t mc_setting_identity_len(const struct mc_key_info *ki, const char *value)
{
        return ki->type == MC_VALUE_ENV ? strcspn(value, "=") : strlen(value);
}

struct mc_setting *mc_setting_find(struct mc_setting *head, const struct mc_key_info *ki, const char *value)
{
        size_t n = mc_setting_identity_len(ki, value);
        for (struct mc_setting *s = head; s && s->value; s = s->next)
                if (mc_setting_identity_len(ki, s->value) == n && strncmp(s->value, value, n) == 0)
                        return s;
        return NULL;
}

int mc_setting_add(struct mc_setting *head, const struct mc_key_info *ki, const char *value,
                   const char *file, unsigned line)
{
        struct mc_setting *s = mc_setting_find(head, ki, value);
        if (s || !head->value)
                return mc_setting_replace(s ? s : head, value, file, line);
        struct mc_setting *last = head;
        while (last->next)
                last = last->next;
        s = calloc(1, sizeof(*s));
        if (!s || mc_setting_replace(s, value, file, line) < 0) {
                free(s);
                return -ENOMEM;
        }
        last->next = s;
        return 0;
}

void mc_settings_free(struct mc_setting settings[_MC_KEY_COUNT])
{
        for (size_t i = 0; i < _MC_KEY_COUNT; i++) {
                for (struct mc_setting *s = settings[i].next, *next; s; s = next) {
                        next = s->next;
                        free(s->value);
                        free(s->file);
                        free(s);
                }
                free(settings[i].value);
                free(settings[i].file);
                settings[i] = (struct mc_setting){};
        }
}

/* One file being parsed: its own values, before inheritance is applied. */
struct parse_state {
        const char *path;
        FILE *f;
        unsigned lineno;
        const struct mc_profile_env *env;
        struct mc_error *err;
        bool failed;
        struct mc_setting *settings; /* _MC_KEY_COUNT of them, the caller's */
        /*
         * A known [section] was seen: the file is meant as a profile. Until
         * then an error quotes nothing of the file but memcage's own words
         * (a well-formed section name, a known key): root may be pointed at
         * any file it can read (memcage show /etc/shadow), and the message
         * must not show it.
         */
        bool in_profile;
        bool quote_ok; /* the error being made quotes only such words */
};

/* Letters, digits, '-', '_', '.': a section or key name as a profile would write it, short. */
static bool is_identifier(const char *s)
{
        size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");
        return n > 0 && n <= 32 && s[n] == '\0';
}

/* Records the first error at the current line; inih keeps going, we stop feeding it lines. */
static void parse_fail(struct parse_state *st)
{
        if (!st->in_profile && !st->quote_ok)
                mc_error_set(
                        st->err, EINVAL,
                        "not a memcage profile: no [section] before this line (the line is not quoted)");
        mc_error_prefix(st->err, "%s:%u", st->path, st->lineno);
        st->failed = true;
}

/* As inih reads a line: the first of chars, an inline comment (';' after a blank), or the end. */
static char *find_chars_or_comment(char *s, const char *chars)
{
        bool was_space = false;
        for (; *s; s++) {
                if (strchr(chars, *s) || (was_space && *s == ';'))
                        break;
                was_space = *s == ' ' || *s == '\t' || *s == '\f' || *s == '\v';
        }
        return s;
}

/*
 * Checks a line the way inih will read it, so that errors come in line order
 * (inih goes on after a syntax error and reports it only at the end), and an
 * unknown section is reported at its header even when no key follows.
 */
static int check_line(struct parse_state *st, char *line)
{
        if (line[0] == '\0' || line[0] == ';' || line[0] == '#')
                return 0;
        if (line[0] != '[') {
                char *sep = find_chars_or_comment(line, "=:");
                if (*sep != '=' && *sep != ':') {
                        st->quote_ok = true; /* quotes nothing of the line */
                        return mc_error_set(st->err, EINVAL,
                                            "syntax error: expected [section], key = value or a comment");
                }
                return 0;
        }
        char *end = find_chars_or_comment(line + 1, "]");
        if (*end != ']') {
                st->quote_ok = true;
                return mc_error_set(st->err, EINVAL, "syntax error: missing ']'");
        }
        const char *tail = end + 1 + strspn(end + 1, " \t");
        *end = '\0';
        int r = 0;
        if (!mc_section_known(line + 1)) {
                st->quote_ok = is_identifier(line + 1);
                r = mc_error_set(st->err, EINVAL, "unknown section [%s]", line + 1);
        } else {
                st->in_profile = true;
                if (*tail != '\0' && *tail != ';' && *tail != '#')
                        r = mc_error_set(st->err, EINVAL, "unexpected text after [%s]: '%s'", line + 1,
                                         tail);
        }
        *end = ']';
        return r;
}

static bool is_blank(int c)
{
        return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

/*
 * The ini_reader: hands inih one physical line per call, so inih's line
 * numbers are ours, with what inih must not see taken out:
 *  - leading blanks: inih would take an indented line for the continuation
 *    of the previous value;
 *  - comments, by one rule for ';' and '#' alike, in every section and key: a
 *    line whose first non-blank is one of them, and from one preceded by a
 *    blank to the end of the line (inih alone knows only ';' after a value,
 *    and would read "max = 1G # why" as the size "1G # why");
 *  - the blanks before such a comment, and a UTF-8 byte order mark that some
 *    editors start files with.
 * What remains must fit inih's buffer (num bytes, with "\n\0"): a longer
 * line is an error at its file:line rather than silently split. Comments do
 * not count, so they may be as long as their authors like.
 */
static char *read_line(char *str, int num, void *stream)
{
        static const char bom[] = "\xEF\xBB\xBF";
        struct parse_state *st = stream;

        if (st->failed)
                return NULL;
        if (num < 3) {
                mc_error_set(st->err, EINVAL, "%s: cannot parse profile: inih offers %d bytes a line",
                             st->path, num);
                st->failed = true;
                return NULL;
        }
        int c = getc(st->f);
        if (c == EOF) {
                if (ferror(st->f)) {
                        mc_error_errno(st->err, errno, "%s: cannot read profile", st->path);
                        st->failed = true;
                }
                return NULL;
        }
        st->lineno++;

        enum { LEADING, CONTENT, COMMENT } state = LEADING;
        size_t max = (size_t)num - 2, n = 0, end = 0, n_bom = st->lineno == 1 ? 0 : sizeof(bom) - 1;
        bool prev_blank = false;
        for (; c != EOF && c != '\n'; c = getc(st->f)) {
                if (c == '\r') {
                        int next = getc(st->f);
                        if (next == '\n' || next == EOF)
                                break;
                        ungetc(next, st->f);
                }
                if (c == '\0') {
                        mc_error_set(st->err, EINVAL, "NUL byte in line");
                        parse_fail(st);
                        return NULL;
                }
                if (n_bom < sizeof(bom) - 1 && c == (unsigned char)bom[n_bom]) {
                        n_bom++;
                        continue;
                }
                if (n_bom > 0 && n_bom < sizeof(bom) - 1) {
                        /* The start of a mark, not a mark: those bytes are the line's. */
                        memcpy(str, bom, n_bom);
                        n = end = n_bom;
                        state = CONTENT;
                }
                n_bom = sizeof(bom) - 1;
                if (state == COMMENT)
                        continue;
                if ((c == ';' || c == '#') && (state == LEADING || prev_blank)) {
                        state = COMMENT;
                        continue;
                }
                bool blank = is_blank(c);
                prev_blank = blank;
                if (state == LEADING && blank)
                        continue;
                state = CONTENT;
                /* Blanks past the limit count only when more of the value follows them. */
                if (n == max && blank)
                        continue;
                if (n == max) {
                        mc_error_set(st->err, EINVAL,
                                     "line longer than %zu characters (indentation and comments not "
                                     "counted)",
                                     max);
                        st->quote_ok = true; /* quotes nothing of the line */
                        parse_fail(st);
                        return NULL;
                }
                str[n++] = (char)c;
                if (!blank)
                        end = n;
        }
        if (ferror(st->f)) {
                mc_error_errno(st->err, errno, "%s: cannot read profile", st->path);
                st->failed = true;
                return NULL;
        }
        str[end] = '\0';
        if (check_line(st, str) < 0) {
                parse_fail(st);
                return NULL;
        }
        str[end] = '\n';
        str[end + 1] = '\0';
        return str;
}

static bool is_known_key(const char *name)
{
        for (int k = 0; k < _MC_KEY_COUNT; k++)
                if (streq(mc_key_info((enum mc_key)k)->name, name))
                        return true;
        return false;
}

static int handle_value(void *user, const char *section, const char *name, const char *value)
{
        struct parse_state *st = user;
        const struct mc_key_info *ki = NULL;

        if (st->failed)
                return 0;
        /* Only reachable with an inih built to allow keys without '='. */
        if (!value) {
                mc_error_set(st->err, EINVAL, "missing '=' after '%s'", name);
                parse_fail(st);
                return 0;
        }
        /* Before any [section], a key is quoted only when it is one of memcage's ("max": put it in
         * [memory]). */
        if (!st->in_profile && !is_known_key(name)) {
                mc_error_set(st->err, EINVAL,
                             "a key outside of any section (not quoted: no [section] before it)");
                st->quote_ok = true;
                parse_fail(st);
                return 0;
        }
        st->quote_ok = true;
        int r = mc_profile_lookup_key(section, name, &ki, st->err);
        if (r >= 0 && !ki->repeatable && st->settings[ki->key].value)
                r = mc_error_set(st->err, EINVAL, "duplicate key '%s' in [%s] (first set on line %u)", name,
                                 section, st->settings[ki->key].line);
        if (r >= 0)
                r = mc_profile_validate_value(ki, value, st->env, st->err);
        const struct mc_setting *dup =
                r >= 0 && ki->repeatable ? mc_setting_find(&st->settings[ki->key], ki, value) : NULL;
        if (dup)
                r = mc_error_set(st->err, EINVAL, "duplicate %s '%.*s' in [%s] (first set on line %u)", name,
                                 (int)mc_setting_identity_len(ki, value), value, section, dup->line);
        else if (r >= 0 &&
                 (ki->repeatable
                          ? mc_setting_add(&st->settings[ki->key], ki, value, st->path, st->lineno)
                          : mc_setting_replace(&st->settings[ki->key], value, st->path, st->lineno)) < 0)
                r = mc_error_errno(st->err, ENOMEM, "set %s '%s'", name, value);
        if (r < 0) {
                parse_fail(st);
                return 0;
        }
        return 1;
}

int mc_profile_parse_file(const char *path, FILE *f, const struct mc_profile_env *env,
                          struct mc_setting settings[_MC_KEY_COUNT], struct mc_error *err)
{
        struct parse_state state = { .path = path, .f = f, .env = env, .err = err, .settings = settings };
        struct parse_state *st = &state;

        int r = ini_parse_stream(read_line, st, handle_value, st);
        if (st->failed)
                return -st->err->code;
        if (r > 0)
                return mc_error_set(st->err, EINVAL,
                                    "%s:%d: syntax error: expected [section], key = value or a "
                                    "comment",
                                    st->path, r);
        if (r == -2)
                return mc_error_errno(st->err, ENOMEM, "%s: cannot parse profile", st->path);
        if (r < 0)
                return mc_error_set(st->err, EIO, "%s: cannot parse profile", st->path);
        return 0;
}
