/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "report-json.h"
#include "util.h"
#include "verdict.h"

bool mc_rj_u64(const json_t *obj, const char *key, uint64_t *ret)
{
        json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
        if (json_is_integer(v) && json_integer_value(v) >= 0) {
                *ret = (uint64_t)json_integer_value(v);
                return true;
        }
        /* Converting a double at or above 2^64 to uint64_t is undefined: such a value is no count. */
        if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < MC_RJ_NUMBER_LIMIT) {
                *ret = (uint64_t)json_real_value(v);
                return true;
        }
        return false;
}

bool mc_rj_double(const json_t *obj, const char *key, double *ret)
{
        json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
        if (!json_is_number(v))
                return false;
        *ret = json_number_value(v);
        return true;
}

const char *mc_rj_str(const json_t *obj, const char *key)
{
        return json_is_object(obj) ? json_string_value(json_object_get(obj, key)) : NULL;
}

json_t *mc_rj_obj(const json_t *obj, const char *key)
{
        json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
        return json_is_object(v) ? v : NULL;
}

json_t *mc_rj_array(const json_t *obj, const char *key)
{
        json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
        return json_is_array(v) ? v : NULL;
}

int mc_rj_check_schema(const json_t *root, struct mc_error *err)
{
        if (!json_is_object(root))
                return mc_error_set(err, EINVAL, "not a memcage report: the document is not a JSON object");
        json_t *s = json_object_get(root, "schema");
        if (!json_is_integer(s))
                return mc_error_set(err, EINVAL, "not a memcage report: no integer 'schema' field");
        json_int_t v = json_integer_value(s);
        if (v > MC_REPORT_SCHEMA_READ)
                return mc_error_set(
                        err, EPROTONOSUPPORT,
                        "report schema %lld is newer than this memcage reads (%d): use a newer memcage",
                        (long long)v, MC_REPORT_SCHEMA_READ);
        if (v < 1)
                return mc_error_set(err, EINVAL, "not a memcage report: schema %lld", (long long)v);
        return mc_rj_check_numbers(root, err);
}

/* Appends ".key" or "[i]" to the path of a value for messages; a path too long for buf ends in "...". */
static void path_push(char *buf, size_t n, size_t len, const char *key, size_t index)
{
        int k = key ? snprintf(buf + len, n - len, "%s%s", len ? "." : "", key)
                    : snprintf(buf + len, n - len, "[%zu]", index);
        if (k < 0 || (size_t)k >= n - len)
                snprintf(buf + n - 4, 4, "...");
}

static int check_numbers(const json_t *v, char *path, size_t n, struct mc_error *err)
{
        size_t len = strlen(path);
        if (json_is_integer(v) && json_integer_value(v) < 0)
                return mc_error_set(err, ERANGE,
                                    "report field %s: %lld is negative (a report's numbers are counts, "
                                    "bytes and seconds, below 2^64)",
                                    path, (long long)json_integer_value(v));
        if (json_is_real(v) && !(isfinite(json_real_value(v)) && json_real_value(v) >= 0 &&
                                 json_real_value(v) <= MC_RJ_NUMBER_LIMIT))
                return mc_error_set(err, ERANGE,
                                    "report field %s: %g is out of range (a report's numbers are counts, "
                                    "bytes and seconds, below 2^64)",
                                    path, json_real_value(v));
        if (json_is_object(v)) {
                const char *key;
                json_t *item;
                json_object_foreach((json_t *)v, key, item)
                {
                        path_push(path, n, len, key, 0);
                        int r = check_numbers(item, path, n, err);
                        path[len] = '\0';
                        if (r < 0)
                                return r;
                }
        } else if (json_is_array(v)) {
                size_t i;
                json_t *item;
                json_array_foreach(v, i, item)
                {
                        path_push(path, n, len, NULL, i);
                        int r = check_numbers(item, path, n, err);
                        path[len] = '\0';
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int mc_rj_check_numbers(const json_t *root, struct mc_error *err)
{
        char path[256] = "";
        return check_numbers(root, path, sizeof(path), err);
}

/* An earlier entry of kills (before index end) names the victim of k. */
static bool victim_seen(const json_t *kills, size_t end, const json_t *k)
{
        uint64_t pid, other;
        const char *name = mc_rj_str(k, "name");

        if (!mc_rj_u64(k, "pid", &pid))
                return false;
        for (size_t i = 0; i < end; i++) {
                json_t *e = json_array_get(kills, i);
                const char *n = mc_rj_str(e, "name");
                if (mc_rj_u64(e, "pid", &other) && other == pid && (n && name ? streq(n, name) : n == name))
                        return true;
        }
        return false;
}

json_t *mc_rj_oom_victims(const json_t *root)
{
        json_t *kills = mc_rj_array(root, "oom_kills"), *k;
        json_auto_t *a = json_array();
        size_t i;

        if (!a)
                return NULL;
        json_array_foreach(kills, i, k)
        {
                if (!json_is_object(k) || victim_seen(kills, i, k))
                        continue;
                if (json_array_append(a, k) < 0)
                        return NULL;
        }
        return TAKE_PTR(a);
}

uint64_t mc_rj_oom_kills(const json_t *root)
{
        json_t *kills = mc_rj_array(root, "oom_kills");
        uint64_t n = 0;
        if (kills && json_array_size(kills) > 0) {
                json_auto_t *victims = mc_rj_oom_victims(root);
                /* Out of memory: the entries as they are, which count a victim at most twice. */
                return victims ? json_array_size(victims) : json_array_size(kills);
        }
        (void)mc_rj_u64(mc_rj_obj(root, "events"), "oom_kill", &n);
        return n;
}

/* Any hugetlb size whose max event counter moved (see mc_fail_on for the layout accepted). */
static bool hugetlb_max_hit(const json_t *root)
{
        json_t *h = mc_rj_obj(root, "hugetlb");
        const char *size;
        json_t *v;
        uint64_t n;

        if (json_is_true(json_object_get(root, "hugetlb_limit_hit")))
                return true;
        json_object_foreach(h, size, v)
        {
                if ((mc_rj_u64(v, "events_max", &n) && n > 0) ||
                    (mc_rj_u64(mc_rj_obj(v, "events"), "max", &n) && n > 0))
                        return true;
        }
        return false;
}

enum mc_verdict_level mc_rj_verdict(const json_t *root, char *buf, size_t n)
{
        json_t *verdict = mc_rj_obj(root, "verdict");
        json_t *exit = mc_rj_obj(root, "exit");
        const char *code = mc_rj_str(verdict, "code");
        const char *text = mc_rj_str(verdict, "text");
        enum mc_verdict_level level;
        struct mc_verdict v;

        if (!exit && !code) {
                snprintf(buf, n, "unknown (the command did not run)");
                return MC_LEVEL_UNKNOWN;
        }
        if (!code) {
                /* A report from before the verdict field: the one set of rules, on its counters. */
                struct mc_verdict_input in = { 0 };
                uint64_t ec = 0, sig = 0;
                (void)mc_rj_u64(exit, "code", &ec);
                (void)mc_rj_u64(exit, "signal", &sig);
                in.signaled = sig != 0;
                in.signal = (int)sig;
                in.exit_code = (int)ec;
                in.oom_kill = mc_rj_oom_kills(root);
                (void)mc_rj_u64(mc_rj_obj(root, "events"), "oom", &in.oom);
                /* The rules ask only whether a max counter moved, and hugetlb_limit_hit carries no count. */
                in.hugetlb_max = hugetlb_max_hit(root) ? 1 : 0;
                (void)mc_rj_u64(mc_rj_obj(root, "swap_events"), "fail", &in.swap_fail);
                mc_verdict_judge(&in, &v);
                code = mc_verdict_code_name(v.code);
                text = v.text;
        }
        if (!text)
                text = code;
        if (streq(code, "ok"))
                level = MC_LEVEL_GOOD;
        else if (streq(code, "exit-nonzero"))
                level = MC_LEVEL_WARN;
        else
                level = MC_LEVEL_BAD;

        json_t *victim = json_array_get(mc_rj_array(root, "oom_kills"), 0);
        const char *name = mc_rj_str(victim, "name");
        uint64_t pid;
        if (streq(code, "oom-killed") && mc_rj_u64(victim, "pid", &pid))
                snprintf(buf, n, "%s: %s (pid %llu)", text, name ? name : "?", (unsigned long long)pid);
        else
                snprintf(buf, n, "%s", text);
        return level;
}

/* Quotes a word for a POSIX shell when it needs it: 'it'\''s'. */
static int quote_word(FILE *f, const char *w)
{
        if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") ==
                          strlen(w))
                return fputs(w, f);
        fputc('\'', f);
        for (const char *p = w; *p; p++) {
                if (*p == '\'')
                        fputs("'\\''", f);
                else
                        fputc(*p, f);
        }
        return fputc('\'', f);
}

char *mc_rj_command_line(const json_t *root)
{
        json_t *cmd = mc_rj_array(root, "command");
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);
        if (!f)
                return NULL;
        size_t i;
        json_t *w;
        bool any = false;
        json_array_foreach(cmd, i, w)
        {
                if (!json_is_string(w))
                        continue;
                if (any)
                        fputc(' ', f);
                quote_word(f, json_string_value(w));
                any = true;
        }
        if (!any)
                fputc('?', f);
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}
