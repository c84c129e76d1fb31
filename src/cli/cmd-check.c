/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage check: load profiles as run would, and warn about settings that load but bite. */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cli.h"
#include "profile-check.h"
#include "profile.h"
#include "util.h"

/* check's own statuses: problems found are 1, so a CI step tells them from memcage failing (125). */
#define CHECK_EXIT_PROBLEMS 1

static void usage(void)
{
        printf("Usage: memcage check [OPTIONS] PROFILE...\n"
               "\n"
               "Load each PROFILE (NAME.ini on the search path, or a file when it contains\n"
               "'/', e.g. ./db.ini) as 'memcage run' would, without running anything, and\n"
               "print 'PROFILE: ok' or 'PROFILE: error' on stdout; the errors, warnings\n"
               "and notes themselves go to stderr. Warnings for settings that load but are\n"
               "risky on this host: max of 0; high without max; high of 90%% of max or more\n"
               "when the group cannot swap; min or low above max; swap.max without swap\n"
               "accounting; limits above physical memory; [hugetlb] page sizes this host\n"
               "lacks, reserves above physical memory, hugetlb limits without the hugetlb\n"
               "controller; high without a [pressure] kill rule when the group cannot swap.\n"
               "A kill rule the kernel cannot arm for this user is an error. A note is a\n"
               "check this host cannot make, or a setting that has no effect here.\n"
               "\n"
               "Options:\n"
               "      --json    print one JSON object on stdout instead of the verdicts\n"
               "                (see memcage(1))\n"
               "      --strict  a warning is a problem too (exit 1), for CI\n"
               "  -h, --help    show this help and exit\n"
               "\n"
               "Exit status: 0 when every profile loads without a problem, 1 when one does\n"
               "not load (or, with --strict, has a warning), 125 when memcage itself failed\n"
               "or was misused.\n");
}

static void print_warning(const struct mc_check_warning *w)
{
        const char *level = w->level == MC_CHECK_NOTE ? "note" : "warning";
        if (w->file && w->line > 0)
                fprintf(stderr, "%s: %s:%u: %s\n", level, w->file, w->line, w->message);
        else if (w->file)
                fprintf(stderr, "%s: %s: %s\n", level, w->file, w->message);
        else
                fprintf(stderr, "%s: %s\n", level, w->message);
}

/* A JSON object {"file", "line", "message"}; file and line null when unknown. */
static json_t *json_problem(const char *file, unsigned line, const char *message)
{
        json_t *o = json_object();
        if (!o || json_object_set_new(o, "file", file ? cli_json_text(file) : json_null()) < 0 ||
            json_object_set_new(o, "line", line > 0 ? json_integer(line) : json_null()) < 0 ||
            json_object_set_new(o, "message", cli_json_text(message)) < 0) {
                json_decref(o);
                return NULL;
        }
        return o;
}

/*
 * A load error reads "FILE:LINE: message" when it is about one line of a
 * profile (the file part names a path: it has a '/'), else it is a message
 * alone ("profile 'x' not found in ...").
 */
static json_t *json_load_error(const char *msg)
{
        const char *colon = strchr(msg, ':');
        if (colon && memchr(msg, '/', (size_t)(colon - msg))) {
                char *end;
                unsigned long line = strtoul(colon + 1, &end, 10);
                if (end != colon + 1 && line > 0 && line <= UINT_MAX && strncmp(end, ": ", 2) == 0) {
                        _cleanup_free_ char *file = strndup(msg, (size_t)(colon - msg));
                        return file ? json_problem(file, (unsigned)line, end + 2) : NULL;
                }
        }
        return json_problem(NULL, 0, msg);
}

/* Appends the profile's entry to profiles (NULL: no JSON); -ENOMEM. */
static int json_add(json_t *profiles, const char *name, const char *path, const char *error,
                    const struct mc_check_warning *w, size_t n)
{
        if (!profiles)
                return 0;
        json_t *o = json_object(), *errors = json_array(), *warnings = json_array(), *notes = json_array();
        int r = !o || !errors || !warnings || !notes ? -1 : 0;
        if (r == 0 && error) {
                json_t *e = json_load_error(error);
                r = e ? json_array_append_new(errors, e) : -1;
        }
        for (size_t i = 0; r == 0 && i < n; i++) {
                json_t *e = json_problem(w[i].file, w[i].line, w[i].message);
                r = e ? json_array_append_new(w[i].level == MC_CHECK_NOTE ? notes : warnings, e) : -1;
        }
        if (r == 0 &&
            (json_object_set_new(o, "name", cli_json_text(name)) < 0 ||
             json_object_set_new(o, "path", path ? cli_json_text(path) : json_null()) < 0 ||
             json_object_set(o, "errors", errors) < 0 || json_object_set(o, "warnings", warnings) < 0 ||
             json_object_set(o, "notes", notes) < 0 || json_array_append(profiles, o) < 0))
                r = -1;
        json_decref(errors);
        json_decref(warnings);
        json_decref(notes);
        json_decref(o);
        return r < 0 ? -ENOMEM : 0;
}

struct check_opts {
        bool strict;
        json_t *profiles; /* with --json: the array of results */
        const struct mc_profile_env *env;
        const struct mc_host_facts *host;
};

/* Returns 0 when the profile passes, CHECK_EXIT_PROBLEMS when it does not, -ENOMEM. */
static int check_one(const char *name, const struct check_opts *o)
{
        _cleanup_(mc_profile_free) struct mc_profile p = {};
        struct mc_check_warning *w = NULL;
        struct mc_error err = { 0 };
        size_t n = 0, n_warnings = 0;
        int r;

        if (mc_profile_load(name, o->env, &p, &err) < 0 || mc_check_profile(&p, o->host, &w, &n, &err) < 0 ||
            mc_check_pressure(&p, o->host, geteuid(), &w, &n, &err) < 0) {
                fprintf(stderr, "%s: error: %s\n", name, err.msg);
                if (!o->profiles)
                        printf("%s: error\n", name);
                r = json_add(o->profiles, name, p.path, err.msg, NULL, 0);
                mc_check_warnings_free(w, n);
                return r < 0 ? r : CHECK_EXIT_PROBLEMS;
        }
        for (size_t i = 0; i < n; i++) {
                print_warning(&w[i]);
                if (w[i].level == MC_CHECK_WARNING)
                        n_warnings++;
        }
        if (!o->profiles) {
                if (n_warnings == 0)
                        printf("%s: ok\n", name);
                else
                        printf("%s: %s with %zu warning%s%s\n", name, o->strict ? "failed" : "ok",
                               n_warnings, n_warnings == 1 ? "" : "s", o->strict ? " (--strict)" : "");
        }
        r = json_add(o->profiles, name, p.path, NULL, w, n);
        mc_check_warnings_free(w, n);
        if (r < 0)
                return r;
        return o->strict && n_warnings > 0 ? CHECK_EXIT_PROBLEMS : 0;
}

int cmd_check(int argc, char **argv)
{
        enum { OPT_JSON = 0x100, OPT_STRICT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, OPT_JSON },
                { "strict", no_argument, NULL, OPT_STRICT },
                {},
        };
        bool json = false, strict = false;
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        usage();
                        return MC_EXIT_OK;
                case OPT_JSON:
                        json = true;
                        break;
                case OPT_STRICT:
                        strict = true;
                        break;
                default:
                        return cli_usage_hint("check");
                }
        }
        if (optind >= argc) {
                cli_error("check: no profile given");
                return cli_usage_hint("check");
        }

        struct mc_profile_env env;
        struct mc_host_facts host;
        _cleanup_free_ char *root_path = NULL;
        _cleanup_close_ int root_fd = -EBADF;
        struct mc_error err = { 0 };
        int status = MC_EXIT_OK;

        cli_profile_env(&env);
        /* Without a cgroup2 mount the swap accounting check is skipped, and says so. */
        if (mc_cgroup_open_root(NULL, &root_path, &root_fd, &err) < 0)
                root_fd = -EBADF;
        mc_host_facts_read(NULL, root_fd, &host);

        struct check_opts o = { .strict = strict, .env = &env, .host = &host };
        if (json && !(o.profiles = json_array())) {
                cli_error("check: out of memory");
                return MC_EXIT_MEMCAGE;
        }
        for (int i = optind; i < argc; i++) {
                int r = check_one(argv[i], &o);
                if (r < 0) {
                        json_decref(o.profiles);
                        cli_error("check: out of memory");
                        return MC_EXIT_MEMCAGE;
                }
                if (r > 0)
                        status = CHECK_EXIT_PROBLEMS;
        }
        if (json) {
                json_t *root = json_pack("{s:b, s:i, s:o}", "strict", strict, "status", status, "profiles",
                                         o.profiles);
                int r = root ? cli_print_json(root, "check") : (cli_error("check: out of memory"), -ENOMEM);
                json_decref(root);
                return r < 0 ? MC_EXIT_MEMCAGE : status;
        }
        if (fflush(stdout) != 0) {
                cli_error("check: cannot write to stdout");
                return MC_EXIT_MEMCAGE;
        }
        return status;
}
