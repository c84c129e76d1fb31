/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage gc: remove the groups of launchers that died. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-gc.h"
#include "cgroup.h"
#include "cli.h"
#include "escape.h"
#include "hugetlb-pool.h"
#include "placement.h"
#include "util.h"

static void usage(void)
{
        printf("Usage: memcage gc [OPTIONS]\n"
               "\n"
               "Remove the stale groups under the parent: groups memcage created whose\n"
               "launcher is gone (killed, crashed). Empty ones are removed; ones that still\n"
               "hold processes are listed and left alone unless --kill is given. Groups\n"
               "without memcage's mark and groups whose launcher runs are never touched,\n"
               "nor are groups whose launcher runs in another pid namespace (a container\n"
               "sharing the cgroup tree): its pid means nothing here. These are listed as\n"
               "left alone. Then the huge pages gone launchers added to the host's pools\n"
               "([hugetlb] reserve) are given back and their entries leave the ledger in\n"
               "%s/memcage.\n"
               "\n"
               "Options:\n"
               "      --parent PATH  only the groups in PATH, relative to the cgroup2 root (default:\n"
               "                     every group holding memcage's groups, wherever placed)\n"
               "      --kill         kill the processes of populated stale groups, then remove them\n"
               "  -n, --dry-run      only list what would be done\n"
               "  -h, --help         show this help and exit\n"
               "\n"
               "Exit status: 0 when done, 125 when a group could not be removed, the\n"
               "parent could not be read, or on bad usage.\n",
               RUNSTATEDIR);
}

/* Prints one line; returns 1 when the group is still there against the user's wish. */
static int print_result(const char *parent, const struct mc_gc_result *r)
{
        /* Group names are their owners' to choose, a user's in root's gc: shown escaped. */
        _cleanup_free_ char *path = NULL, *where = NULL;
        if (asprintf(&path, "%s/%s", parent, r->name) < 0 || !(where = mc_escape_text_dup(path))) {
                cli_error("gc: out of memory");
                return 1;
        }
        if (r->thawed)
                printf("thawed %s (launcher %d gone, killed while the group was frozen)\n", where,
                       (int)r->launcher);
        switch (r->state) {
        case MC_GC_REMOVED:
                printf("removed %s (launcher %d gone, empty)\n", where, (int)r->launcher);
                return 0;
        case MC_GC_KILLED:
                printf("killed and removed %s (launcher %d gone)\n", where, (int)r->launcher);
                return 0;
        case MC_GC_KEPT:
                printf("kept %s (launcher %d gone, processes remain; --kill removes it)\n", where,
                       (int)r->launcher);
                return 0;
        case MC_GC_WOULD_REMOVE:
                printf("would remove %s (launcher %d gone, empty)\n", where, (int)r->launcher);
                return 0;
        case MC_GC_WOULD_KILL:
                printf("would kill and remove %s (launcher %d gone)\n", where, (int)r->launcher);
                return 0;
        case MC_GC_LEFT_ALONE:
                if (r->launcher_state == MC_LAUNCHER_OTHER_NS)
                        printf("%s: launcher in another pid namespace (pid:[%" PRIu64 "]), left alone\n",
                               where, r->launcher_pidns);
                else if (r->launcher_pidns == 0)
                        printf("%s: launcher mark not understood (pid %d), left alone\n", where,
                               (int)r->launcher);
                else
                        printf("%s: own pid namespace unreadable, cannot judge launcher %d of "
                               "pid:[%" PRIu64 "], left alone\n",
                               where, (int)r->launcher, r->launcher_pidns);
                return 0;
        case MC_GC_FAILED:
                break;
        }
        cli_error("gc: cannot remove %s (launcher %d gone): %s", where, (int)r->launcher,
                  r->message ? r->message : strerror(-r->error));
        return 1;
}

/*
 * The hugetlb ledger's entries of dead launchers: their pages go back to the
 * pools now rather than at the next run that reserves some. Returns 1 when
 * that failed.
 */
static int recover_hugetlb(bool dry_run)
{
        struct mc_hugetlb_recovery rec;
        struct mc_error err = { 0 };
        char name[MC_HUGETLB_NAME_MAX];

        int r = mc_hugetlb_pool_recover(NULL, NULL, dry_run, &rec, &err);
        for (char **w = rec.warnings; w && *w; w++)
                cli_warning("gc: %s", *w);
        for (size_t i = 0; i < rec.n_given; i++) {
                const struct mc_hugetlb_given *g = &rec.given[i];
                printf("%s %llu %s huge pages of launcher %d (gone%s)\n",
                       dry_run ? "would give back" : "gave back", (unsigned long long)g->pages,
                       mc_hugetlb_size_name(g->kb, name, sizeof(name)), (int)g->pid,
                       g->pending       ? ", killed while growing the pool"
                       : g->giving_back ? ", killed while giving pages back"
                                        : "");
        }
        mc_hugetlb_recovery_done(&rec);
        if (r >= 0)
                return 0;
        /* Only root changes the pools: a user's gc of a delegated parent has no business there. */
        if (r == -EACCES || r == -EPERM) {
                cli_warning("gc: huge page pools left alone: %s", err.msg);
                return 0;
        }
        cli_error("gc: huge page pools: %s", err.msg);
        return 1;
}

/* A delegated placement's leaf a dead launcher left (placement.h); returns 1 when that failed. */
static int sweep_leaf(int fd, const char *parent)
{
        struct mc_leaf_sweep ls;
        struct mc_error err = { 0 };

        if (mc_placement_sweep_leaf(fd, NULL, &ls, &err) < 0) {
                cli_error("gc: %s/%s: %s", parent, MC_PLACEMENT_LEAF, err.msg);
                return 1;
        }
        if (ls.removed) {
                /* The parent's name and the leaf's record are a delegated user's to write: shown escaped. */
                _cleanup_free_ char *shown = mc_escape_text_dup(parent);
                printf("removed %s%s%s (launcher %d gone", shown ? shown : "?", parent[0] ? "/" : "",
                       MC_PLACEMENT_LEAF, (int)ls.launcher);
                for (char **c = ls.disabled; c && *c; c++) {
                        _cleanup_free_ char *name = mc_escape_text_dup(*c);
                        printf("%s%s", c == ls.disabled ? "; turned off again: " : " ", name ? name : "?");
                }
                printf(")\n");
        }
        mc_strv_free(ls.disabled);
        return 0;
}

int cmd_gc(int argc, char **argv)
{
        enum { OPT_PARENT = 256, OPT_KILL };
        static const struct option options[] = {
                { "parent", required_argument, NULL, OPT_PARENT },
                { "kill", no_argument, NULL, OPT_KILL },
                { "dry-run", no_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct mc_gc_opts opts = { .parent_fd = -EBADF };
        const char *parent = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "nh", options, NULL)) >= 0) {
                switch (c) {
                case OPT_PARENT:
                        parent = optarg;
                        break;
                case OPT_KILL:
                        opts.kill = true;
                        break;
                case 'n':
                        opts.dry_run = true;
                        break;
                case 'h':
                        usage();
                        return MC_EXIT_OK;
                default:
                        cli_usage_hint("gc");
                        return MC_EXIT_USAGE;
                }
        }
        if (cli_refuse_arguments("gc", argc, argv) < 0)
                return MC_EXIT_USAGE;

        _cleanup_free_ char *root_path = NULL;
        _cleanup_close_ int root_fd = -EBADF;
        _cleanup_strv_free_ char **parents = NULL;
        unsigned removed = 0, kept = 0, failed = 0, left = 0, found = 0, errors = 0;

        int status = cli_parents("gc", parent, &root_path, &root_fd, &parents);
        if (status != 0)
                return status;
        for (char **pp = parents; pp && *pp; pp++) {
                struct mc_gc_result *res = NULL;
                struct mc_error err = { 0 };
                size_t n = 0;
                _cleanup_close_ int fd = openat(root_fd, (*pp)[0] ? *pp : ".",
                                                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 && errno == ENOENT) {
                        if (parent) {
                                _cleanup_free_ char *shown = mc_escape_text_dup(*pp);
                                printf("no group %s/%s: nothing to collect\n", root_path,
                                       shown ? shown : "?");
                        }
                        continue;
                }
                opts.parent_fd = fd;
                if (fd < 0 || mc_gc_collect(&opts, &res, &n, &err) < 0) {
                        cli_error("gc: %s/%s: %s", root_path, *pp, fd < 0 ? strerror(errno) : err.msg);
                        errors++;
                        continue;
                }
                for (size_t i = 0; i < n; i++) {
                        failed += (unsigned)print_result(*pp, &res[i]);
                        if (res[i].state == MC_GC_REMOVED || res[i].state == MC_GC_KILLED ||
                            res[i].state == MC_GC_WOULD_REMOVE || res[i].state == MC_GC_WOULD_KILL)
                                removed++;
                        else if (res[i].state == MC_GC_KEPT)
                                kept++;
                        else if (res[i].state == MC_GC_LEFT_ALONE)
                                left++;
                }
                found += (unsigned)n;
                mc_gc_results_free(res, n);
                /* After the groups: a dead launcher's leaf goes once nothing else is beside it. */
                if (!opts.dry_run)
                        failed += (unsigned)sweep_leaf(fd, *pp);
        }
        _cleanup_free_ char *shown_parent = parent ? mc_escape_text_dup(parent) : NULL;
        if (found == left)
                printf("no stale groups%s%s", parent ? " under " : "", shown_parent ? shown_parent : "");
        else
                printf("%s%u stale group%s: %u %sremoved, %u kept, %u failed",
                       opts.dry_run ? "dry run: " : "", removed + kept + failed,
                       removed + kept + failed == 1 ? "" : "s", removed, opts.dry_run ? "would be " : "",
                       kept, failed);
        if (left)
                printf("; %u group%s whose launcher cannot be judged here left alone", left,
                       left == 1 ? "" : "s");
        printf("\n");
        /* After the groups: pages their killed processes held are free now, so the pools can shrink. */
        failed += (unsigned)recover_hugetlb(opts.dry_run);
        if (fflush(stdout) != 0) {
                cli_error("gc: cannot write what was done: %s", strerror(errno));
                return MC_EXIT_MEMCAGE;
        }
        return failed || errors ? MC_EXIT_MEMCAGE : MC_EXIT_OK;
}
