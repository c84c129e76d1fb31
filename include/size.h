/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The one size parser of memcage: "512M", "1.5G", "2GiB", "max", "75%" -> bytes, and back. */

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* "max" and "infinity" parse to this; it is what the kernel files call "max". */
#define MC_SIZE_MAX UINT64_MAX

/*
 * Parses a size. Accepted: decimal bytes ("1048576", "1048576B"), a number with
 * optional decimals followed by K, M, G or T, optionally followed by "B" or
 * "iB" (any case, all 1024-based, as the kernel and systemd use them),
 * "max"/"infinity", and "N%" / "N.N%" (at most 100) of ram_bytes (physical
 * RAM of this host; a percentage with ram_bytes 0 is an error). Blanks around
 * the value and between number and unit are ignored; empty values, junk,
 * negatives, decimals on a plain byte count and overflow are errors, with a
 * message "invalid size 'VALUE': why; use ...". Fractional bytes round down.
 */
int mc_size_parse(const char *s, uint64_t ram_bytes, uint64_t *ret, struct mc_error *err);

/*
 * As mc_size_parse(), for the value of a setting named key: the message is
 * built with it, "invalid size 'VALUE' for KEY: why; use ...". key NULL is
 * mc_size_parse().
 */
int mc_size_parse_for(const char *s, const char *key, uint64_t ram_bytes, uint64_t *ret,
                      struct mc_error *err);

/* True when s is a percentage ("75%"), i.e. depends on the host. */
int mc_size_is_percent(const char *s);

/*
 * Formats bytes for people: "max", "0", "1023B", "4K", "512M", "1.5G", in the
 * largest unit not above the value, with the fewest decimals (none, one or
 * two) that mc_size_parse() reads back to exactly these bytes, so "1.8G" and
 * "1.33G" show as written; otherwise two decimals truncated ("1.00K" for
 * 1025), never overstating the value. Every output parses back.
 * buf of MC_SIZE_STR_MAX bytes always suffices.
 */
#define MC_SIZE_STR_MAX 32
const char *mc_size_format(uint64_t bytes, char *buf, size_t n);

/* Physical RAM of this host in bytes (MemTotal, from sysinfo()); 0 when unknown. */
uint64_t mc_host_ram_bytes(void);
