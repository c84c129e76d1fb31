/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the size parser and its formatter, and the PSI trigger
 * and sampling interval values (the duration forms of profiles and options).
 * Checks what the headers promise: a formatted size parses back, never to
 * more than the value; a parsed trigger stays within the kernel's bounds.
 */
#include "config.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pressure.h"
#include "sampler.h"
#include "size.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct mc_error err = { 0 };
        char *s = malloc(size + 1);
        uint64_t v, back, ms;
        char buf[MC_SIZE_STR_MAX];

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';

        if (mc_size_parse(s, 8ull << 30, &v, &err) == 0) {
                const char *f = mc_size_format(v, buf, sizeof(buf));
                assert(mc_size_parse(f, 0, &back, &err) == 0);
                assert(back <= v);
        } else
                assert(err.msg[0] != '\0');
        /* Percentages need the host's RAM: without it they are an error, never a value. */
        if (mc_size_is_percent(s))
                assert(mc_size_parse(s, 0, &v, &err) < 0);

        for (int k = 0; k < _MC_PSI_KIND_COUNT; k++) {
                struct mc_pressure_trigger t;
                char line[64];
                if (mc_pressure_parse_trigger(s, (enum mc_psi_kind)k, &t, &err) < 0)
                        continue;
                assert(t.window_us >= MC_PSI_WINDOW_MIN_US && t.window_us <= MC_PSI_WINDOW_MAX_US);
                assert(t.stall_us <= t.window_us);
                assert(mc_pressure_trigger_line(&t, line, sizeof(line)) >= 0);
        }

        if (mc_interval_parse(s, &ms, &err) == 0)
                assert(ms == 0 || (ms >= MC_SAMPLER_MIN_INTERVAL_MS && ms <= MC_SAMPLER_MAX_INTERVAL_MS));

        free(s);
        return 0;
}
