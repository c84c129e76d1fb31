/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Flat keyed files of cgroup v2, "name value" lines: the counters of
 * memory.events, memory.events.local, memory.swap.events and
 * hugetlb.<size>.events, and memory.stat and cpu.stat. One line scanner
 * serves two readers: a whole file into a table (the counters, whose names
 * a newer kernel extends: oom_group_kill since 5.17), and the values of a
 * few wanted keys (systemd's cg_get_keyed_attribute). Both take a file as
 * the kernel prints it or not at all: a line that is not "name value" (one
 * space, a decimal value that fits 64 bits) is an error, as is a name that
 * appears twice where the reader keeps it. Names a reader does not know
 * pass through: kept in the table, skipped by the wanted-key reader.
 *
 * /proc/PID/smaps_rollup ("Rss:      123 kB") is another format and has its
 * own parser (mc_smaps_parse).
 *
 * memory.events and memory.events.local are opened and read here and
 * nowhere else (contrib/check-layers.sh holds the others to that): the
 * run's baseline is one reading, the event watch's, which observe takes.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define MC_COUNTERS_MAX     24
#define MC_COUNTER_NAME_MAX 32

struct mc_counter {
        char name[MC_COUNTER_NAME_MAX];
        uint64_t value;
};

struct mc_counters {
        size_t n;
        struct mc_counter c[MC_COUNTERS_MAX];
};

/* Parses every line into a table; too many names or one too long is an error too. */
int mc_counters_parse(const char *text, struct mc_counters *ret, struct mc_error *err);

/* Reads and parses a counter file of a group. */
int mc_counters_read_at(int dirfd, const char *file, struct mc_counters *ret, struct mc_error *err);

/*
 * Opens a counter file of a group to be polled (POLLPRI when a counter
 * changes) and reads it once, which arms the poll: 1 with *ret_fd and *ret,
 * 0 when the file is missing (a controller or kernel without it).
 */
int mc_counters_open_at(int dirfd, const char *file, int *ret_fd, struct mc_counters *ret,
                        struct mc_error *err);

/* Reads the counters again through fd from its start (which re-arms the poll); file names it in messages. */
int mc_counters_pread(int fd, const char *file, struct mc_counters *ret, struct mc_error *err);

/* memory.events of the group at group_fd (the group and its descendants), or memory.events.local (its own).
 */
int mc_memory_events_read_at(int group_fd, bool local, struct mc_counters *ret, struct mc_error *err);

/* memory.events opened to be polled, as mc_counters_open_at(). */
int mc_memory_events_open_at(int group_fd, int *ret_fd, struct mc_counters *ret, struct mc_error *err);

/* memory.events again through an fd of mc_memory_events_open_at(), as mc_counters_pread(). */
int mc_memory_events_pread(int fd, struct mc_counters *ret, struct mc_error *err);

/*
 * after - before, by name, in the order of after. A name missing before
 * counts from 0; a counter that went backwards (it cannot in the kernel)
 * gives 0 rather than a huge wrapped value.
 */
void mc_counters_delta(const struct mc_counters *before, const struct mc_counters *after,
                       struct mc_counters *ret);

/* The value of name; false when absent. */
bool mc_counters_get(const struct mc_counters *c, const char *name, uint64_t *ret);

/* A key wanted from a keyed file: name and optional in, found and value out. */
struct mc_keyed_field {
        const char *name;
        bool optional; /* absent is no error (a field newer kernels add) */
        bool found;
        uint64_t value; /* 0 when not found */
};

/*
 * Fills the n fields from text. A key that is not optional and absent is
 * -ENXIO, naming the first such key; a malformed line anywhere in the text is
 * -EINVAL (-ERANGE for a value over 64 bits), a wanted key twice -EINVAL.
 */
int mc_keyed_get(const char *text, struct mc_keyed_field *fields, size_t n, struct mc_error *err);

/* Reads file of the group at dirfd and fills the fields; messages start with the file's name. */
int mc_keyed_read_at(int dirfd, const char *file, struct mc_keyed_field *fields, size_t n,
                     struct mc_error *err);
