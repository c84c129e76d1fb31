/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage profiles: what the search path holds, in the order run looks. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stddef.h>
#include <jansson.h>
#include <string.h>

#include "cli.h"
#include "escape.h"
#include "profile.h"
#include "util.h"

struct entry {
        char *name;              /* "db" */
        char *path;              /* "/etc/memcage/profiles/db.ini" */
        char *description;       /* NULL when none */
        const char *shadowed_by; /* the path of the entry that wins, NULL when this one does */
        char *error;             /* why it does not load, NULL when it does */
};

struct listing {
        struct entry *v;
        size_t n;
};

static void usage(void)
{
        printf("Usage: memcage profiles [OPTIONS]\n"
               "\n"
               "List the profiles on the search path in the order they are looked for:\n"
               "$MEMCAGE_PROFILE_PATH, then $XDG_CONFIG_HOME/memcage/profiles (or\n"
               "~/.config/memcage/profiles), then %s/memcage/profiles, then the\n"
               "profiles shipped with memcage, in %s/profiles.\n"
               "A NAME.ini in a later directory is shadowed by the one found first.\n"
               "Profiles that do not load are listed with their error.\n"
               "\n"
               "Options:\n"
               "      --json  print a JSON array instead\n"
               "  -h, --help  show this help and exit\n"
               "\n"
               "Exit status: 0, or 125 when the list cannot be made or on bad usage.\n",
               SYSCONFDIR, PKGDATADIR);
}

static void listing_done(struct listing *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].name);
                free(l->v[i].path);
                free(l->v[i].description);
                free(l->v[i].error);
        }
        free(l->v);
}

/* The names run can find: NAME.ini with NAME of letters, digits, '-', '_', '.', not starting with '.'. */
static char *profile_name_of(const char *file)
{
        size_t len = strlen(file);
        if (len <= 4 || !streq(file + len - 4, ".ini") || file[0] == '.')
                return NULL;
        for (size_t i = 0; i < len - 4; i++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", file[i]))
                        return NULL;
        return strndup(file, len - 4);
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The profile names of one directory, sorted; none when it does not exist or cannot be read. */
static void list_dir(const char *dir, char ***ret, size_t *ret_n)
{
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        char **names = NULL;
        size_t n = 0;

        *ret = NULL;
        *ret_n = 0;
        if (fd < 0) {
                /* Most search directories do not exist: nobody has profiles of their own. */
                if (errno == ENOENT || errno == ENOTDIR)
                        return;
                cli_warning("cannot read profile directory %s: %s, skipping", dir, strerror(errno));
                return;
        }
        DIR *d = fdopendir(fd);
        if (!d) {
                cli_warning("cannot read profile directory %s: %s, skipping", dir, strerror(errno));
                return;
        }
        TAKE_FD(fd);
        struct dirent *de;
        while ((de = readdir(d))) {
                char *name = profile_name_of(de->d_name);
                if (!name)
                        continue;
                char **nv = realloc(names, (n + 2) * sizeof(*nv));
                if (!nv) {
                        free(name);
                        break;
                }
                names = nv;
                names[n++] = name;
                names[n] = NULL;
        }
        closedir(d);
        if (n > 0)
                qsort(names, n, sizeof(*names), compare_names);
        *ret = names;
        *ret_n = n;
}

static int add_entry(struct listing *l, const char *dir, char *name, const struct mc_profile_env *env)
{
        struct entry *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
        if (!nv) {
                free(name);
                return -ENOMEM;
        }
        l->v = nv;
        struct entry *e = &l->v[l->n++];
        *e = (struct entry){ .name = name };
        if (asprintf(&e->path, "%s/%s.ini", dir, name) < 0) {
                e->path = NULL;
                return -ENOMEM;
        }
        /* Loaded by its path (it has a '/'), so a shadowed file is checked too. */
        _cleanup_(mc_profile_free) struct mc_profile p = {};
        struct mc_error err = { 0 };
        if (mc_profile_load(e->path, env, &p, &err) < 0)
                e->error = strdup(err.msg);
        else if (p.settings[MC_KEY_PROFILE_DESCRIPTION].value)
                e->description = strdup(p.settings[MC_KEY_PROFILE_DESCRIPTION].value);
        return 0;
}

static int make_listing(const struct mc_profile_env *env, struct listing *l)
{
        _cleanup_strv_free_ char **dirs = NULL;
        struct mc_error err = { 0 };

        if (mc_profile_search_dirs(env, &dirs, &err) < 0) {
                cli_error("%s", err.msg);
                return -ENOMEM;
        }
        for (char **d = dirs; *d; d++) {
                _cleanup_strv_free_ char **names = NULL;
                bool seen = false;
                size_t n;
                /* A directory named twice on the path holds no second set of profiles. */
                for (char **e = dirs; e < d && !seen; e++)
                        seen = streq(*e, *d);
                if (seen)
                        continue;
                list_dir(*d, &names, &n);
                for (size_t i = 0; i < n; i++)
                        if (add_entry(l, *d, TAKE_PTR(names[i]), env) < 0) {
                                cli_error("out of memory");
                                return -ENOMEM;
                        }
        }
        return 0;
}

/* shadowed_by points into the array: pointers stay valid only once it stops growing. */
static void fix_shadowing(struct listing *l)
{
        for (size_t i = 0; i < l->n; i++) {
                l->v[i].shadowed_by = NULL;
                for (size_t j = 0; j < i; j++)
                        if (streq(l->v[j].name, l->v[i].name)) {
                                l->v[i].shadowed_by = l->v[j].path;
                                break;
                        }
        }
}

static int width_of(const struct listing *l, size_t field_offset, const char *header)
{
        int w = (int)strlen(header);
        for (size_t i = 0; i < l->n; i++) {
                const char *s = *(char *const *)((const char *)&l->v[i] + field_offset);
                if ((int)strlen(s) > w)
                        w = (int)strlen(s);
        }
        return w;
}

/* Replaces *s with its escaped form (mc_escape_text()); -ENOMEM. */
static int escape_in_place(char **s)
{
        if (!*s || mc_text_is_printable(*s))
                return 0;
        char *e = mc_escape_text_dup(*s);
        if (!e)
                return -ENOMEM;
        free(*s);
        *s = e;
        return 0;
}

/*
 * The text the table shows: a directory of the search path, a description
 * or an error quoting a file can hold control characters, and a terminal
 * must not act on them.
 */
static int escape_listing(struct listing *l)
{
        for (size_t i = 0; i < l->n; i++) {
                struct entry *e = &l->v[i];
                const char *old_path = e->path;
                if (escape_in_place(&e->name) < 0 || escape_in_place(&e->description) < 0 ||
                    escape_in_place(&e->error) < 0 || escape_in_place(&e->path) < 0)
                        return -ENOMEM;
                for (size_t j = 0; e->path != old_path && j < l->n; j++)
                        if (l->v[j].shadowed_by == old_path)
                                l->v[j].shadowed_by = e->path;
        }
        return 0;
}

static void print_text(const struct listing *l)
{
        if (l->n == 0) {
                printf("no profiles found\n");
                return;
        }
        int wn = width_of(l, offsetof(struct entry, name), "NAME");
        int wp = width_of(l, offsetof(struct entry, path), "FILE");
        printf("%-*s  %-*s  %s\n", wn, "NAME", wp, "FILE", "DESCRIPTION");
        for (size_t i = 0; i < l->n; i++) {
                const struct entry *e = &l->v[i];
                printf("%-*s  %-*s  ", wn, e->name, wp, e->path);
                if (e->shadowed_by)
                        printf("(shadowed by %s) ", e->shadowed_by);
                if (e->error)
                        printf("error: %s", e->error);
                else if (e->description)
                        printf("%s", e->description);
                putchar('\n');
        }
}

static int print_json(const struct listing *l)
{
        json_t *a = json_array();
        int r = a ? 0 : -ENOMEM;

        for (size_t i = 0; i < l->n && r == 0; i++) {
                const struct entry *e = &l->v[i];
                /* "s?": a NULL string becomes JSON null. */
                json_t *o = json_pack("{s:o, s:o, s:s?, s:o?, s:o?}", "name", cli_json_text(e->name), "path",
                                      cli_json_text(e->path), "description", e->description, "shadowed_by",
                                      e->shadowed_by ? cli_json_text(e->shadowed_by) : NULL, "error",
                                      e->error ? cli_json_text(e->error) : NULL);
                if (!o || json_array_append_new(a, o) < 0)
                        r = -ENOMEM;
        }
        if (r == 0)
                r = cli_print_json(a, "profiles");
        else
                cli_error("profiles: out of memory");
        json_decref(a);
        return r;
}

int cmd_profiles(int argc, char **argv)
{
        bool json = false;
        const struct cli_option options[] = {
                { "json", 0, &json, NULL },
                {},
        };
        int r = cli_parse_options("profiles", argc, argv, options, usage);

        if (r >= 0)
                return r;
        if (cli_refuse_arguments("profiles", argc, argv) < 0)
                return MC_EXIT_USAGE;

        struct mc_profile_env env;
        _cleanup_(listing_done) struct listing l = {};

        cli_profile_env(&env);
        if (make_listing(&env, &l) < 0)
                return MC_EXIT_MEMCAGE;
        fix_shadowing(&l);
        if (json)
                r = print_json(&l);
        else if (escape_listing(&l) < 0) {
                cli_error("profiles: out of memory");
                r = -ENOMEM;
        } else {
                print_text(&l);
                r = 0;
        }
        if (r == 0 && fflush(stdout) != 0) {
                cli_error("profiles: cannot write the list: %s", strerror(errno));
                r = -EIO;
        }
        return r == 0 ? MC_EXIT_OK : MC_EXIT_MEMCAGE;
}
