/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Text that reaches a terminal from somewhere memcage does not control: a
 * process name (/proc/PID/comm, which the caged command sets), the command
 * line, a report handed to `memcage report`, a file name in an error. A
 * terminal acts on control characters (ESC ] 0 ; title BEL, ESC [ 2 J, the
 * 8-bit CSI), so each is written as \xHH instead: C0 controls and DEL, the
 * C1 controls (U+0080..U+009F, as UTF-8 and as bare bytes) and any byte that
 * is not part of valid UTF-8. Everything else, backslashes included, passes
 * as it is, so an escaped command line still reads as the command.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The length of the valid UTF-8 sequence at p (1..4) and its code point, 0
 * for an invalid one: overlong forms, surrogates and values above U+10FFFF
 * are invalid too, as XML parsers hold them; a truncated sequence stops at
 * the NUL.
 */
size_t mc_utf8_decode(const unsigned char *p, uint32_t *ret);

/* True when s needs no escaping. */
bool mc_text_is_printable(const char *s);
/* The first byte of s that would be escaped, or NULL when there is none. */
const char *mc_text_find_unprintable(const char *s);

/*
 * Writes s escaped into buf (always NUL-terminated when n > 0, cut at a
 * whole character or escape); returns the length the whole escaped text
 * needs, like snprintf.
 */
size_t mc_escape_text(const char *s, char *buf, size_t n);

/* s escaped, malloc'd; NULL when out of memory. */
char *mc_escape_text_dup(const char *s);

/*
 * A deep copy of a JSON document whose every string and object key is
 * escaped, for the renderings meant for terminals and logs; a new
 * reference, NULL when out of memory.
 */
json_t *mc_json_printable_copy(const json_t *j);

/*
 * Appends s to f as XML 1.0 character data: & < > (and " in an attribute)
 * as entities; tab, newline and carriage return as character references in
 * an attribute (a parser would turn them into spaces) and \r in text. A
 * character XML 1.0 does not allow (C0 controls, U+FFFE, U+FFFF), DEL and
 * the C1 controls, and every byte that is not part of valid UTF-8 are
 * written as the text \xHH, byte by byte, as memcage shows them on a
 * terminal: the document stays well-formed whatever the command line holds.
 */
void mc_xml_escape(FILE *f, const char *s, bool attribute);
