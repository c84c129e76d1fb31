/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The report for people: the verdict first, then one aligned "key  value"
 * line per fact, the top processes and a sparkline of memory.current. Reads
 * only the JSON (docs/report-schema.md); a field the report lacks shows as
 * unknown.
 */

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

enum {
        MC_TEXT_COLOR = 1u << 0, /* ANSI colour for the verdict */
};

/* Renders the report into a malloc'd, NUL-terminated string ending in a newline. */
int mc_report_text(const json_t *report, unsigned flags, char **ret, struct mc_error *err);

/* Whether to colour output on fd: a terminal, and NO_COLOR unset or empty (https://no-color.org). */
bool mc_color_wanted(int fd);
