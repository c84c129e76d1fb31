/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one event loop of a run: poll() over the command's pidfd, a signalfd
 * and the group's cgroup.events. No threads, no sleeps, no timers: the
 * kernel wakes us for everything we wait for.
 */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spawn.h"
#include "watch.h"

/* The signals forwarded to the command and their mask (mc_signals_block()) are in spawn.h. */

/* The foreground process group of the terminal tty_fd, or -1 when it is not a terminal. */
pid_t mc_terminal_foreground(int tty_fd);

/*
 * An interactive command (a shell) may have taken the terminal's foreground
 * for its own process group: gives it back to fg_at_start when that was
 * ours, so that memcage and the shell that started it are not left in the
 * background.
 */
void mc_terminal_reclaim(int tty_fd, pid_t fg_at_start);

struct mc_supervise_opts {
        int group_fd;
        const struct mc_child *child;
        int signal_fd; /* signalfd of mc_forwarded_signals, which the caller blocked */
        bool wait_all; /* after the command exits, wait for the rest of the group instead of killing it */
        /*
         * After SIGINT, SIGTERM or SIGHUP is forwarded, the group is killed
         * when the command has not ended within this many ms (0: never): the
         * caller stops on its user's interrupt whatever the command does
         * with it (one that ignores it would run on).
         */
        unsigned interrupt_kill_ms;
        struct mc_watch *const *watches; /* each owned by its observer; polled in this order */
        size_t n_watches;
        mc_warn_fn warn; /* an observer turned off; may be NULL */
        void *warn_userdata;
};

struct mc_supervise_result {
        int exit_code; /* the command's exit code, valid when !signaled */
        bool signaled;
        int signal; /* the signal that killed the command */
        bool core_dumped;
        uint64_t exit_ns;   /* CLOCK_MONOTONIC when the command ended */
        unsigned forwarded; /* signals forwarded */
        /*
         * Bit N set: memcage received signal N of mc_forwarded_signals during
         * the run, forwarded or not (the command may have ended already), so
         * that a caller can tell its user's interrupt whatever the command
         * made of it (a shell that catches SIGINT and exits 130).
         */
        uint64_t received;
        unsigned leftovers; /* processes still in the group when the command ended */
        bool killed_leftovers;
        bool interrupt_killed;  /* interrupt_kill_ms ran out: the group was killed */
        unsigned observers_off; /* observers turned off after an error of theirs */
};

/*
 * Waits for the command, forwarding signals, then for the group to empty:
 * leftovers are killed (cgroup.kill) unless wait_all. Returns once the group
 * is unpopulated, so it can be removed.
 */
int mc_supervise(const struct mc_supervise_opts *opts, struct mc_supervise_result *ret,
                 struct mc_error *err);

/* Exit status memcage reports for a supervised command: its code, or 128+N for signal N. */
int mc_supervise_exit_status(const struct mc_supervise_result *r);
