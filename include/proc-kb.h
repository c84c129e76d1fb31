/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The "Name:   value kB" lines of /proc files (/proc/PID/smaps_rollup,
 * /proc/meminfo): values in KiB. Not a cgroup keyed file (a colon, padding,
 * a unit), so not the events module's parser.
 */

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/*
 * Stores in vals[i] the bytes of each line named names[i] found; other
 * lines, a header included, pass through unparsed. Returns how many wanted
 * lines were found, or a negative errno when one holds anything but
 * "N kB" (EINVAL) or bytes beyond 64 bits (ERANGE).
 */
int mc_proc_kb_parse(const char *text, const char *const *names, size_t n, uint64_t *vals,
                     struct mc_error *err);
