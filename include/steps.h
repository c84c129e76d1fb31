/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The steps of a run: the command (or anything it starts) names them by
 * writing a line "NAME\n" to the FIFO whose path memcage puts in
 * $MEMCAGE_STEP; each line ends the current step and starts NAME. Per step
 * the report gets its start, duration, peak, swap peak, stall totals and
 * memory.events increases (docs/report-schema.md, "steps").
 *
 * The FIFO lives in a directory of its own made by mkdtemp() (in
 * /run/user/UID of the user the command runs as, else $TMPDIR or /tmp);
 * for another user the FIFO is theirs, so that the command can write it,
 * and the directory memcage's with mode 0711, so that they reach the FIFO
 * but add nothing beside it. mc_steps_done() removes both. memcage keeps it open read-write and
 * non-blocking itself: a writer never blocks (there is always a reader)
 * and memcage never sees EOF (there is always a writer), so the poll does
 * not spin when the command closes its end.
 *
 * The peaks: since Linux 6.12 a write to an open fd of memory.peak (and
 * memory.swap.peak) resets the peak seen through that fd only, to the
 * current usage. memcage keeps its own fds, writes to them at each step's
 * start and reads them at its end: the step's exact peak ("kernel"). On
 * older kernels the write (or the open for writing) fails and the step's
 * peak is the highest memory.current the sampler saw during the step and
 * at its boundaries ("sampled").
 *
 * Either way a step starts from the usage at its start, page cache that
 * earlier steps read included. With reclaim (memcage run --step-reclaim)
 * memcage first writes the group's usage to memory.reclaim (Linux 5.19+)
 * at each step's start, so that the step starts from what the kernel could
 * not reclaim: the command's anonymous memory (without swap) and what is in
 * use.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "events.h"
#include "pressure.h"
#include "watch.h"

#define MC_STEPS_ENV     "MEMCAGE_STEP"
#define MC_STEP_NAME_MAX 128  /* bytes of a name; a longer line is ignored with a warning */
#define MC_STEPS_MAX     1000 /* steps kept per run; later ones are ignored with a warning */
#define MC_STEPS_FIFO    "step"
/*
 * Beside the FIFO, the number of lines memcage has read from it ("N\n"),
 * rewritten (by rename) once they took effect: mc_step_send() waits for it
 * to pass what it was before its own line, so that `memcage step NAME &&
 * next` starts next inside the step, its peak reset (and memory reclaimed)
 * before. Readable by the command's user; only memcage writes there.
 */
#define MC_STEPS_READ           "read"
#define MC_STEPS_ACK_TIMEOUT_MS 10000
#define MC_STEPS_DIR_TMPL       "memcage-step-XXXXXX"

/*
 * One line read from the FIFO, without its '\n' (a trailing '\r' is
 * dropped too): 1 with the name in ret, 0 for a blank line (ignored),
 * -EINVAL for a name too long or with bytes the report would have to
 * escape (control characters, invalid UTF-8): the message says which.
 */
int mc_step_name_parse(const char *line, size_t len, char ret[MC_STEP_NAME_MAX + 1], struct mc_error *err);

/* What memcage reads of the group at a step boundary; each has_ false: not readable. */
struct mc_step_reading {
        uint64_t t_ns; /* since the command started */
        bool has_current;
        uint64_t current; /* memory.current */
        bool has_swap_current;
        uint64_t swap_current;
        bool has_events;
        struct mc_counters events; /* memory.events */
        bool has_pressure;
        uint64_t pressure_total_us[_MC_PSI_KIND_COUNT];
        /* At a step's end, its fd-local peaks, when the kernel reset them at its start. */
        bool has_kernel_peak, has_kernel_swap_peak;
        uint64_t kernel_peak, kernel_swap_peak;
};

struct mc_step {
        char name[MC_STEP_NAME_MAX + 1];
        uint64_t start_ns, end_ns; /* since the command started */
        bool has_peak;
        uint64_t peak;
        const char *peak_source; /* "kernel" or "sampled" */
        bool has_swap_peak;
        uint64_t swap_peak;
        const char *swap_peak_source;
        bool has_pressure;
        uint64_t pressure_total_us[_MC_PSI_KIND_COUNT]; /* stall during the step */
        bool has_events;
        struct mc_counters events; /* memory.events increases over the step */
        uint64_t oom_kills;        /* the oom_kill increase */
        /* Bookkeeping: the reading at the start. */
        struct mc_step_reading begin;
};

/* The records of a run's steps, apart from any fd, so that their bookkeeping can be tested. */
struct mc_step_list {
        struct mc_step *v;
        size_t n, capacity;
        bool open;      /* v[n - 1] has not ended */
        bool truncated; /* more than MC_STEPS_MAX were named */
};

/*
 * Ends the open step (if any) at now, and starts name at now. 1 when a
 * step started, 0 when ignored because MC_STEPS_MAX are kept already
 * (truncated is set), -ENOMEM.
 */
int mc_step_list_begin(struct mc_step_list *l, const char *name, const struct mc_step_reading *now);

/*
 * Ends the open step, if any, at now: its duration, the increase of the
 * counters and stall totals, the kernel's peaks when now has them, else
 * the larger of the two boundaries' memory.current (the sampled peak, which
 * mc_step_list_add_samples() raises).
 */
void mc_step_list_end(struct mc_step_list *l, const struct mc_step_reading *now);

/*
 * Raises the sampled peaks of the ended steps with the samples taken
 * during each (t_ns since the command started; swap may be NULL).
 */
void mc_step_list_add_samples(struct mc_step_list *l, const uint64_t *t_ns, const uint64_t *current,
                              const uint64_t *swap, size_t n);

void mc_step_list_free(struct mc_step_list *l);

struct mc_steps_opts {
        int group_fd;    /* stays open until mc_steps_done() */
        bool set_owner;  /* the command runs as another user, who must be able to write the FIFO */
        uid_t uid;       /* with set_owner */
        gid_t gid;       /* with set_owner */
        const char *tmp; /* where to make the directory; NULL: /run/user/UID, $TMPDIR, /tmp */
        bool reclaim;    /* memory.reclaim at each step's start; mc_steps_open() fails without it */
        mc_warn_fn warn; /* a name ignored, the kernel's peaks unavailable */
        void *warn_userdata;
};

struct mc_steps {
        struct mc_steps_opts o;
        char *dir;  /* the private directory */
        char *path; /* the FIFO */
        int dir_fd, fifo_fd;
        int peak_fd, swap_peak_fd; /* memory.peak, memory.swap.peak opened for writing; -EBADF: sampled */
        int reclaim_fd;            /* memory.reclaim with opts.reclaim, else -EBADF */
        bool reclaim_plain;        /* the kernel refused "swappiness=0": the size alone */
        char **envp;               /* the command's environment with MEMCAGE_STEP, mc_steps_env() */
        char line[MC_STEP_NAME_MAX + 2];
        size_t len;
        bool discarding; /* the rest of a line too long */
        uint64_t lines;  /* read from the FIFO, as MC_STEPS_READ says once they took effect */
        bool warned_max;
        uint64_t start_ns;
        uint64_t end_ns; /* set by mc_steps_finish() */
        struct mc_watch watch;
        struct mc_step_list list;
};

/*
 * Makes the directory and the FIFO and opens the peak files (and
 * memory.reclaim with opts.reclaim: -ENOENT when the kernel has none, the
 * message says which Linux has it). On failure nothing stays.
 */
int mc_steps_open(struct mc_steps *s, const struct mc_steps_opts *opts, struct mc_error *err);

/*
 * The command's environment: base (NULL-terminated) without any
 * MEMCAGE_STEP, plus MEMCAGE_STEP=PATH; kept in s->envp.
 */
int mc_steps_env(struct mc_steps *s, char *const *base, struct mc_error *err);

/* The command started at start_ns (CLOCK_MONOTONIC): the watch for mc_supervise(). */
struct mc_watch *mc_steps_start(struct mc_steps *s, uint64_t start_ns);

/*
 * The group is empty: the lines left in the FIFO are read and the last step
 * ends at end_ns (CLOCK_MONOTONIC, the run's end).
 */
void mc_steps_finish(struct mc_steps *s, uint64_t end_ns);

/* Closes the fds and removes the FIFO and its directory; the records go too. */
void mc_steps_done(struct mc_steps *s);

/*
 * `memcage step NAME`: writes "NAME\n" to the FIFO at path ($MEMCAGE_STEP)
 * in one write, which a FIFO keeps whole. Never blocks: -ENXIO when no
 * memcage reads it any more (its run has ended), -EINVAL for a name that
 * mc_step_name_parse() refuses or a path that is not a FIFO.
 */
/*
 * Asks the kernel to reclaim the group's whole usage through reclaim_fd
 * (memory.reclaim): "BYTES swappiness=0" first, so that only page cache and
 * kernel memory go, not the command's anonymous memory to swap; a kernel
 * that refuses the key (6.1 does, 6.12 takes it) gets BYTES alone, from then on
 * (*plain set). EAGAIN, less reclaimed than asked, is the normal end: what
 * is left is in use. 0, or a negative errno.
 */
int mc_steps_reclaim(int group_fd, int reclaim_fd, bool *plain);

/*
 * Writes the line NAME to the FIFO at path (a run's MEMCAGE_STEP) and waits
 * until memcage has read it (MC_STEPS_READ), at most MC_STEPS_ACK_TIMEOUT_MS:
 * 0 when it has (or keeps no count to wait on), 1 when the line is written
 * but memcage did not read it in time, a negative errno with err set when it
 * could not be written.
 */
int mc_step_send(const char *path, const char *name, struct mc_error *err);
