/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static int error_vset(struct mc_error *err, int code, bool with_strerror, const char *fmt, va_list ap)
{
        if (code < 0)
                code = -code;
        /* A caller that lost errno still gets a failure, never a success. */
        if (code == 0)
                code = EIO;
        err->code = code;
        int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        if (with_strerror && n >= 0 && (size_t)n < sizeof(err->msg))
                snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s", strerror(code));
        return -code;
}

int mc_error_set(struct mc_error *err, int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = error_vset(err, code, false, fmt, ap);
        va_end(ap);
        return r;
}

int mc_error_errno(struct mc_error *err, int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = error_vset(err, code, true, fmt, ap);
        va_end(ap);
        return r;
}

int mc_error_prefix(struct mc_error *err, const char *fmt, ...)
{
        char prefix[MC_ERROR_MSG_MAX];
        char old[MC_ERROR_MSG_MAX];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        memcpy(old, err->msg, sizeof(old));
        /* A message cut at MC_ERROR_MSG_MAX still says what failed first. */
        if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) >= (int)sizeof(err->msg))
                err->msg[sizeof(err->msg) - 1] = '\0';
        if (err->code == 0)
                err->code = EIO;
        return -err->code;
}

void mc_error_clear(struct mc_error *err)
{
        err->code = 0;
        err->msg[0] = '\0';
}
