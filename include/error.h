/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Errors travel up from library code as a negative errno return value plus a
 * struct mc_error carrying the message. Library code never prints: only the
 * CLI layer (src/cli/) reports, once, with the context it adds.
 */

#include <stdarg.h>
#include <stddef.h>

#define MC_ERROR_MSG_MAX 1024

struct mc_error {
        int code; /* positive errno value, 0 when no error */
        char msg[MC_ERROR_MSG_MAX];
};

/* Sets the message (printf format) and code; returns -code. */
int mc_error_set(struct mc_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Like mc_error_set() but appends ": strerror(code)". */
int mc_error_errno(struct mc_error *err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Prepends context ("context: previous message"); returns -err->code. */
int mc_error_prefix(struct mc_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void mc_error_clear(struct mc_error *err);
