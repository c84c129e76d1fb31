/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage step: start a named step of the run this command is part of. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "escape.h"
#include "steps.h"
#include "util.h"

static void usage(void)
{
        printf("Usage: memcage step NAME\n"
               "\n"
               "Start the step NAME of the run this command is part of: the step before it\n"
               "ends, and the run's report gets the peak, swap peak, stall and memory events\n"
               "of each step. `memcage run` puts the path of a FIFO in the command's\n"
               "environment as MEMCAGE_STEP; this writes the line NAME to it, as\n"
               "`echo NAME > \"$MEMCAGE_STEP\"` does, and waits until memcage has started the\n"
               "step (its peak reset, memory reclaimed with --step-reclaim), so that what\n"
               "runs next belongs to it. NAME: up to 128 bytes of printable text.\n"
               "\n"
               "Options:\n"
               "  -h, --help  show this help and exit\n"
               "\n"
               "Exit status: 0 when the step was started, 125 outside `memcage run`\n"
               "(MEMCAGE_STEP unset), when the run has ended, or on bad usage.\n");
}

int cmd_step(int argc, char **argv)
{
        static const struct cli_option options[] = { { 0 } };
        struct mc_error err = { 0 };

        int status = cli_parse_options("step", argc, argv, options, usage);
        if (status >= 0)
                return status;
        if (optind != argc - 1) {
                cli_error(optind >= argc ? "step: missing NAME" : "step: one NAME only");
                return cli_usage_hint("step");
        }
        /* The variable memcage set for its command: any other environment has none. */
        const char *path = getenv(MC_STEPS_ENV);
        if (!path || !path[0]) {
                cli_error("step: not inside memcage run (" MC_STEPS_ENV " is not set)");
                return MC_EXIT_MEMCAGE;
        }
        int r = mc_step_send(path, argv[optind], &err);
        if (r < 0) {
                _cleanup_free_ char *shown = mc_escape_text_dup(err.msg);
                cli_error("step: %s", shown ? shown : err.msg);
                return MC_EXIT_MEMCAGE;
        }
        if (r > 0)
                cli_warning("step: memcage has not read the step within %d s: it starts when it does",
                            MC_STEPS_ACK_TIMEOUT_MS / 1000);
        return MC_EXIT_OK;
}
