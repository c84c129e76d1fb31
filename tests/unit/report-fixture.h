/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Helpers shared by the unit tests of the report renderers: the fixtures of tests/unit/data. */

#include <jansson.h>

/* The JSON of tests/unit/data/NAME (fails the test when it is not JSON). */
json_t *load_fixture(const char *name);
/* The text of tests/unit/data/NAME, malloc'd (fails the test when it cannot be read). */
char *read_fixture(const char *name);
/* s parsed as JSON (fails the test when it is not). */
json_t *parse_json(const char *s);
