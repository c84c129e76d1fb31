/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What an observer of a run (the event watch, the sampler, the pressure kill
 * rule) hands the supervision loop: the fds it wants polled. A header of its
 * own, so that the observers depend on this protocol and not on the loop
 * (supervise.h) that sits above them.
 */

#include "error.h"

/* Receives the text of a warning (no prefix, no newline); the CLI prints it. */
typedef void (*mc_warn_fn)(void *userdata, const char *text);

/*
 * Another fd the loop waits on, for the observers of a run (memory events,
 * pressure triggers, the sampler's timer). ready() runs when poll() reports
 * any of the requested events (or POLLERR/POLLHUP). A watch may set *fd to
 * -1 from ready() to stop being polled. An observer never ends a run: when
 * ready() fails, every watch of the same observer is turned off (fd -1),
 * one warning "OBSERVER off: MESSAGE" goes to the warn callback, and the
 * supervision goes on.
 */
struct mc_watch {
        int fd;
        short events;
        int (*ready)(void *userdata, short revents, struct mc_error *err);
        void *userdata;
        const char *observer; /* "memory events", "sampling": names it in the warning */
};
