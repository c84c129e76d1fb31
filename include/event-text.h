/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The events of a run as text for people; pure formatting, no I/O. */

#include <stdbool.h>
#include <stddef.h>

#include "event-model.h"

/*
 * The text of an event for people, without prefix ("memory.high reached 3
 * times: throttled at 47.9M of high 48M"); empty for the events that have
 * none (start and exit: the limits and summary lines say them). again: an
 * oom_kill of a victim already named (memory.oom.group kills it a second
 * time). Returns buf; 512 bytes suffice.
 */
const char *mc_event_format(const struct mc_event *ev, bool again, char *buf, size_t n);
