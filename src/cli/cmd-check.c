/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage check: load profiles as run would, and warn about settings that load but bite. */
#include "config.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cli.h"
#include "profile-check.h"
#include "profile.h"
#include "util.h"

static void usage(void)
{
        printf("Usage: memcage check [OPTIONS] PROFILE...\n"
               "\n"
               "Load each PROFILE (NAME.ini on the search path, or a file when it contains\n"
               "'/', e.g. ./db.ini) as 'memcage run' would, without running anything, and\n"
               "print 'PROFILE: ok' or its error. Warnings for settings that load but are\n"
               "risky on this host: high without max; high of 90%% of max or more when the\n"
               "group cannot swap; min or low above max; swap.max without swap or swap\n"
               "accounting; limits above physical memory; [hugetlb] page sizes this host\n"
               "lacks, reserves above physical memory, hugetlb limits without the hugetlb\n"
               "controller; high without a [pressure] kill rule when the group cannot swap.\n"
               "A kill rule the kernel cannot arm for this user is an error.\n"
               "\n"
               "Options:\n"
               "  -h, --help  show this help and exit\n"
               "\n"
               "Exit status: 0 when every profile loads (warnings allowed), 1 when one does\n"
               "not, 125 on bad usage.\n");
}

static void print_warning(const struct mc_check_warning *w)
{
        const char *level = w->level == MC_CHECK_NOTE ? "note" : "warning";
        if (w->file && w->line > 0)
                printf("%s: %s:%u: %s\n", level, w->file, w->line, w->message);
        else if (w->file)
                printf("%s: %s: %s\n", level, w->file, w->message);
        else
                printf("%s: %s\n", level, w->message);
}

/* Returns 0 when the profile loads, 1 when it does not. */
static int check_one(const char *name, const struct mc_profile_env *env, const struct mc_host_facts *host)
{
        _cleanup_(mc_profile_free) struct mc_profile p = {};
        struct mc_check_warning *w = NULL;
        struct mc_error err = { 0 };
        size_t n = 0;

        if (mc_profile_load(name, env, &p, &err) < 0 || mc_check_profile(&p, host, &w, &n, &err) < 0 ||
            mc_check_pressure(&p, host, geteuid(), &w, &n, &err) < 0) {
                printf("%s: error: %s\n", name, err.msg);
                mc_check_warnings_free(w, n);
                return 1;
        }
        for (size_t i = 0; i < n; i++)
                print_warning(&w[i]);
        printf("%s: ok\n", name);
        mc_check_warnings_free(w, n);
        return 0;
}

int cmd_check(int argc, char **argv)
{
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        usage();
                        return MC_EXIT_OK;
                default:
                        cli_usage_hint("check");
                        return MC_EXIT_USAGE;
                }
        }
        if (optind >= argc) {
                cli_error("check: no profile given");
                cli_usage_hint("check");
                return MC_EXIT_USAGE;
        }

        struct mc_profile_env env;
        struct mc_host_facts host;
        _cleanup_free_ char *root_path = NULL;
        _cleanup_close_ int root_fd = -EBADF;
        struct mc_error err = { 0 };
        int status = 0;

        cli_profile_env(&env);
        /* Without a cgroup2 mount the swap accounting check is skipped, and says so. */
        if (mc_cgroup_open_root(NULL, &root_path, &root_fd, &err) < 0)
                root_fd = -EBADF;
        mc_host_facts_read(NULL, root_fd, &host);
        for (int i = optind; i < argc; i++)
                status |= check_one(argv[i], &env, &host);
        if (fflush(stdout) != 0)
                status = MC_EXIT_MEMCAGE;
        return status;
}
