/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Crash points of a test build (--enable-crash-points): see crash-point.h. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* Nothing of util.h: util.c's atomic write has a crash point, and the hook sits below it. */
#include "crash-point.h"

void mc_crash_point(const char *name)
{
        /*
         * The library is handed what it needs of the environment by the CLI,
         * which decides what to trust (cgroup-backend.h); mc_color_wanted()'s
         * NO_COLOR is the other exception. A crash point must stop the process
         * where it stands, deep inside a library call with no caller on the
         * way to pass a flag down, and it exists only in a test build.
         */
        const char *at = getenv("MEMCAGE_CRASH_AT");

        /* SIGKILL: no handler, no atexit, no flush; what a kill -9 or the OOM killer leaves. */
        if (at && strcmp(at, name) == 0)
                raise(SIGKILL);
}
