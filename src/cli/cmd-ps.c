/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage ps: the groups memcage runs now, their memory, limits, pressure and OOM kills. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-ps.h"
#include "cgroup.h"
#include "cli.h"
#include "escape.h"
#include "size.h"
#include "util.h"

enum column { C_NAME, C_PROFILE, C_LAUNCHER, C_PIDS, C_CURRENT, C_PEAK, C_MAX, C_HIGH, C_PSI, C_OOM, C__N };

static const char *const headers[C__N] = { "NAME", "PROFILE", "LAUNCHER", "PIDS",  "CURRENT",
                                           "PEAK", "MAX",     "HIGH",     "PSI10", "OOM_KILL" };

#define CELL_MAX 64

static void usage(void)
{
        printf("Usage: memcage ps [OPTIONS]\n"
               "\n"
               "List the groups memcage runs in, wherever they were placed (memcage/, a\n"
               "systemd scope, a delegated unit; root sees all, a user their own): NAME\n"
               "(with its parent when not under memcage/), PROFILE, the\n"
               "LAUNCHER's pid ('gone' when it died: 'memcage gc' collects such groups;\n"
               "'other-ns' when it runs in another pid namespace, '?' when its mark is not\n"
               "understood: neither is judged dead), PROFILE '?' when that mark is not,\n"
               "PIDS in the group, CURRENT and PEAK memory, the MAX and HIGH limits ('-'\n"
               "for none), PSI10 (memory pressure, some avg10, in %%) and OOM_KILL (OOM kills\n"
               "in the group). Groups without memcage's mark are not listed.\n"
               "\n"
               "Options:\n"
               "      --parent PATH  only the groups in PATH, relative to the cgroup2 root\n"
               "      --json         print a JSON array instead (sizes in bytes, null for none)\n"
               "  -h, --help         show this help and exit\n"
               "\n"
               "Exit status: 0, 125 when the groups cannot be read or on bad usage.\n");
}

static void size_cell(uint64_t v, char *cell)
{
        char buf[MC_SIZE_STR_MAX];
        snprintf(cell, CELL_MAX, "%s", v == MC_PS_NONE ? "-" : mc_size_format(v, buf, sizeof(buf)));
}

static void fill_row(const struct mc_ps_entry *e, char cells[C__N][CELL_MAX])
{
        /* Names and marks are their owners' to choose, a user's in root's listing: escaped. */
        mc_escape_text(e->name, cells[C_NAME], CELL_MAX);
        if (e->profile_malformed)
                snprintf(cells[C_PROFILE], CELL_MAX, "?");
        else
                mc_escape_text(e->profile ? e->profile : "-", cells[C_PROFILE], CELL_MAX);
        static const char *const state[] = {
                [MC_LAUNCHER_ALIVE] = "",
                [MC_LAUNCHER_GONE] = " gone",
                [MC_LAUNCHER_OTHER_NS] = " other-ns",
                [MC_LAUNCHER_UNKNOWN] = " ?",
        };
        snprintf(cells[C_LAUNCHER], CELL_MAX, "%d%s", (int)e->launcher, state[e->launcher_state]);
        snprintf(cells[C_PIDS], CELL_MAX, "%llu", (unsigned long long)e->pids);
        size_cell(e->current, cells[C_CURRENT]);
        size_cell(e->peak, cells[C_PEAK]);
        size_cell(e->max, cells[C_MAX]);
        size_cell(e->high, cells[C_HIGH]);
        if (e->have_psi)
                snprintf(cells[C_PSI], CELL_MAX, "%.2f", e->psi_some_avg10);
        else
                snprintf(cells[C_PSI], CELL_MAX, "-");
        if (e->oom_kill == MC_PS_NONE)
                snprintf(cells[C_OOM], CELL_MAX, "-");
        else
                snprintf(cells[C_OOM], CELL_MAX, "%llu", (unsigned long long)e->oom_kill);
}

/* Name and profile to the left, numbers to the right. */
static void print_row(char cells[C__N][CELL_MAX], const int *width)
{
        for (int c = 0; c < C__N; c++) {
                bool left = c == C_NAME || c == C_PROFILE || c == C_LAUNCHER;
                if (c == C__N - 1 && left)
                        printf("%s", cells[c]);
                else
                        printf(left ? "%-*s" : "%*s", width[c], cells[c]);
                putchar(c == C__N - 1 ? '\n' : ' ');
        }
}

static int print_table(const struct mc_ps_entry *v, size_t n)
{
        char(*rows)[C__N][CELL_MAX] = calloc(n + 1, sizeof(*rows));
        int width[C__N] = { 0 };

        if (!rows) {
                cli_error("ps: %s", strerror(ENOMEM));
                return MC_EXIT_MEMCAGE;
        }
        for (int c = 0; c < C__N; c++)
                snprintf(rows[0][c], CELL_MAX, "%s", headers[c]);
        for (size_t i = 0; i < n; i++)
                fill_row(&v[i], rows[i + 1]);
        for (size_t i = 0; i <= n; i++)
                for (int c = 0; c < C__N; c++) {
                        int len = (int)strlen(rows[i][c]);
                        if (len > width[c])
                                width[c] = len;
                }
        for (size_t i = 0; i <= n; i++)
                print_row(rows[i], width);
        free(rows);
        return 0;
}

static json_t *json_size(uint64_t v)
{
        return v == MC_PS_NONE ? json_null() : json_integer((json_int_t)v);
}

static int print_json(const struct mc_ps_entry *v, size_t n)
{
        json_t *a = json_array();
        int r = a ? 0 : -ENOMEM;

        for (size_t i = 0; i < n && r == 0; i++) {
                const struct mc_ps_entry *e = &v[i];
                static const char *const state[] = {
                        [MC_LAUNCHER_ALIVE] = "alive",
                        [MC_LAUNCHER_GONE] = "gone",
                        [MC_LAUNCHER_OTHER_NS] = "other-ns",
                        [MC_LAUNCHER_UNKNOWN] = "unknown",
                };
                /* null: not judged here (another pid namespace, a mark not understood). */
                json_t *alive = e->launcher_state == MC_LAUNCHER_ALIVE  ? json_true()
                                : e->launcher_state == MC_LAUNCHER_GONE ? json_false()
                                                                        : json_null();
                json_t *o = json_pack(
                        "{s:o, s:s?, s:b, s:i, s:o, s:s, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "name",
                        cli_json_text(e->name), "profile", e->profile, "profile_malformed",
                        e->profile_malformed, "launcher", (int)e->launcher, "launcher_alive", alive,
                        "launcher_state", state[e->launcher_state], "launcher_pidns",
                        e->launcher_pidns ? json_integer((json_int_t)e->launcher_pidns) : json_null(),
                        "pids", (json_int_t)e->pids, "current", json_size(e->current), "peak",
                        json_size(e->peak), "max", json_size(e->max), "high", json_size(e->high),
                        "psi_some_avg10", e->have_psi ? json_real(e->psi_some_avg10) : json_null(),
                        "oom_kill", json_size(e->oom_kill));
                if (!o || json_array_append_new(a, o) < 0)
                        r = -ENOMEM;
        }
        if (r == 0)
                r = cli_print_json(a, "ps");
        else
                cli_error("ps: cannot build JSON: %s", strerror(-r));
        json_decref(a);
        return r < 0 ? MC_EXIT_MEMCAGE : MC_EXIT_OK;
}

int cmd_ps(int argc, char **argv)
{
        const char *parent = NULL;
        bool json = false;
        const struct cli_option options[] = {
                { "parent", 0, NULL, &parent },
                { "json", 0, &json, NULL },
                {},
        };
        int r = cli_parse_options("ps", argc, argv, options, usage);

        if (r >= 0)
                return r;
        if (cli_refuse_arguments("ps", argc, argv) < 0)
                return MC_EXIT_USAGE;

        _cleanup_free_ char *root_path = NULL;
        _cleanup_close_ int root_fd = -EBADF;
        _cleanup_strv_free_ char **parents = NULL;
        struct mc_ps_entry *v = NULL;
        size_t n = 0;
        int status;

        status = cli_parents("ps", parent, &root_path, &root_fd, &parents);
        if (status != 0)
                return status;
        for (char **pp = parents; pp && *pp; pp++) {
                struct mc_ps_entry *more = NULL;
                struct mc_error err = { 0 };
                size_t k = 0;
                _cleanup_close_ int fd = openat(root_fd, (*pp)[0] ? *pp : ".",
                                                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 && errno == ENOENT)
                        continue; /* no run ever made it, or it went meanwhile */
                if (fd < 0 || mc_ps_collect(fd, &more, &k, &err) < 0) {
                        cli_error("ps: %s/%s: %s", root_path, *pp, fd < 0 ? strerror(errno) : err.msg);
                        mc_ps_entries_free(v, n);
                        return MC_EXIT_MEMCAGE;
                }
                /* Outside memcage/ a name alone does not say where the group is: the path does. */
                for (size_t i = 0; i < k && !streq(*pp, MC_DEFAULT_PARENT); i++) {
                        char *full = NULL;
                        if (asprintf(&full, "%s%s%s", *pp, (*pp)[0] ? "/" : "", more[i].name) >= 0) {
                                free(more[i].name);
                                more[i].name = full;
                        }
                }
                struct mc_ps_entry *nv = k ? realloc(v, (n + k) * sizeof(*v)) : v;
                if (k && !nv) {
                        mc_ps_entries_free(more, k);
                        mc_ps_entries_free(v, n);
                        cli_error("ps: out of memory");
                        return MC_EXIT_MEMCAGE;
                }
                v = nv;
                if (k)
                        memcpy(v + n, more, k * sizeof(*v));
                n += k;
                free(more); /* the entries moved into v */
        }
        status = json ? print_json(v, n) : print_table(v, n);
        mc_ps_entries_free(v, n);
        if (!json && status == MC_EXIT_OK && fflush(stdout) != 0) {
                cli_error("ps: cannot write the list: %s", strerror(errno));
                status = MC_EXIT_MEMCAGE;
        }
        return status;
}
