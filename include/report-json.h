/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Reading a report back from its JSON (docs/report-schema.md), for the
 * renderers and --fail-on. Every field may be missing or null (older reports,
 * sampling off, a kernel without the file): the getters say so by returning
 * false, and callers show "unknown" rather than guess.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The highest schema this memcage reads. */
#define MC_REPORT_SCHEMA_READ 1

/* obj[key] as a non-negative integer (a real is truncated); false when absent, null or another type. */
bool mc_rj_u64(const json_t *obj, const char *key, uint64_t *ret);
/* obj[key] as a number. */
bool mc_rj_double(const json_t *obj, const char *key, double *ret);
/* obj[key] as a string, NULL otherwise. */
const char *mc_rj_str(const json_t *obj, const char *key);
/* obj[key] when it is an object, NULL otherwise. */
json_t *mc_rj_obj(const json_t *obj, const char *key);
/* obj[key] when it is an array, NULL otherwise. */
json_t *mc_rj_array(const json_t *obj, const char *key);

/* 2^64: every number of a report (counts, bytes, seconds) lies in [0, 2^64] (2^64-1 read as a double is
 * 2^64). */
#define MC_RJ_NUMBER_LIMIT 18446744073709551616.0

/*
 * Checks that root is a report of a schema this memcage reads, and that
 * every number in it is in range (mc_rj_check_numbers()): a report is a
 * file anyone can hand to `memcage report`.
 */
int mc_rj_check_schema(const json_t *root, struct mc_error *err);

/*
 * Every number of the document is finite, non-negative and below 2^64
 * (-ERANGE otherwise, with the path of the first wrong field, e.g.
 * "timeline.memory_current[3]"): the renderers then never see a value they
 * would overflow on.
 */
int mc_rj_check_numbers(const json_t *root, struct mc_error *err);

enum mc_verdict_level {
        MC_LEVEL_UNKNOWN, /* the command did not run */
        MC_LEVEL_GOOD,    /* ok */
        MC_LEVEL_WARN,    /* exit-nonzero */
        MC_LEVEL_BAD,     /* oom-killed, hugetlb-limit, swap-limit, killed */
};

/*
 * The verdict for people: the report's verdict.text, or (for a report
 * without the field) the same judgement by the rules of the schema from
 * exit and the counters; then ": NAME (pid N)" of the first OOM victim when
 * known. Returns the level for colouring. buf of 256 bytes suffices.
 */
enum mc_verdict_level mc_rj_verdict(const json_t *root, char *buf, size_t n);

/*
 * The OOM kills of the report, one per victim: the entries of oom_kills
 * (docs/report-schema.md) without those naming a pid and name already named
 * by an earlier entry. With memory.oom.group = 1 the kernel kills (and
 * counts, and logs) the one victim a second time as a member of its group:
 * oom_kills has it twice. Entries without a pid (the kernel log was not
 * readable) are all kept. A new array (of the report's own entries); NULL
 * when out of memory.
 */
json_t *mc_rj_oom_victims(const json_t *root);

/* The number of OOM kills: the victims of oom_kills (mc_rj_oom_victims), else events.oom_kill, else 0. */
uint64_t mc_rj_oom_kills(const json_t *root);

/* The command as one shell-quoted line (malloc'd), "?" when the report has none; NULL when out of memory. */
char *mc_rj_command_line(const json_t *root);
