/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Building JSON documents (reports, events, exports) with jansson: the few
 * helpers every writer wants alike. Readers of a report use report-json.h.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * An unsigned count as a JSON integer. JSON numbers are doubles in many
 * readers; byte counts fit 2^53 on any real machine. jansson's integers are
 * signed: a value above INT64_MAX would come out negative, so it saturates
 * there. No kernel value gets that far: the event counters are
 * atomic_long_t, and "max" or unknown values are written as null, not as
 * numbers. NULL when out of memory.
 */
json_t *mc_json_u64(uint64_t v);

/* mc_json_u64(v) when has, else null. */
json_t *mc_json_u64_or_null(bool has, uint64_t v);

/* o[key] = v, v's reference taken; -ENOMEM when v is NULL (its allocation failed) or the set fails. */
int mc_json_set_new(json_t *o, const char *key, json_t *v);

/* Gets or makes the object o[key]; NULL when out of memory. */
json_t *mc_json_child(json_t *o, const char *key);
