/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one scanner of decimal numbers as people write them in sizes and
 * durations: "512", "1.5", "0.25". No sign, no exponent, no blanks, no hex:
 * strtoull() and strtod() take all of those ("+5", "1e3", " 5", "0x10").
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fraction digits kept; later ones are dropped (rounding down), which keeps the arithmetic in 128 bits. */
#define MC_DECIMAL_FRACTION_DIGITS_MAX 9

struct mc_decimal {
        uint64_t whole;    /* the integer part; meaningless when overflow */
        uint64_t fraction; /* the kept fraction digits as an integer: 0.25 has 25 */
        uint64_t scale;    /* 10 to the number of kept fraction digits: 0.25 has 100; 1 without */
        bool has_fraction; /* a '.' and at least one digit were written */
        bool dropped;      /* a nonzero digit past MC_DECIMAL_FRACTION_DIGITS_MAX was dropped */
        bool overflow;     /* the integer part does not fit 64 bits */
};

/*
 * Scans the longest decimal number at the start of s: digits, then '.' and
 * digits when a digit follows the '.' ("1." scans as "1", leaving "."). The
 * characters taken, 0 when s does not start with a digit (*ret is then
 * zeroed). An overflowing integer part is scanned to its end and flagged,
 * so that the caller decides what "too large" means.
 */
size_t mc_decimal_scan(const char *s, struct mc_decimal *ret);

/*
 * d times mult, rounded down: -ERANGE when the integer part overflowed or
 * the product exceeds UINT64_MAX. ret_exact (may be NULL) says whether
 * nothing was rounded away.
 */
int mc_decimal_scale(const struct mc_decimal *d, uint64_t mult, uint64_t *ret, bool *ret_exact);
