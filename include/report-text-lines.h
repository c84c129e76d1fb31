/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The text report (report-text.h) is one line a fact, a key then its value;
 * here are its cells (a size, a key padded to the column, a duration) and
 * the parts that take several lines: the processes by PSS, the steps and
 * the timeline's sparkline. Each writes to f from the report's JSON.
 */

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* Width of the sparkline in characters. */
#define MC_SPARK_WIDTH 60

/* A size as memcage writes them ("64M"), in buf of MC_SIZE_STR_MAX bytes. */
const char *mc_text_size(uint64_t v, char *buf);
/* The key of a line, padded to the value column. */
void mc_text_key(FILE *f, const char *key);
/* "1.25 s" or "850 ms". */
void mc_text_us(FILE *f, uint64_t us);

void mc_text_processes(FILE *f, const json_t *r);
void mc_text_steps(FILE *f, const json_t *r);
void mc_text_timeline(FILE *f, const json_t *r);
