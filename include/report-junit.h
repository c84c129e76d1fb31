/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A report as JUnit XML for CI servers (Jenkins, GitLab): one <testsuite>
 * "memcage" with one <testcase> for the run (name: the command line,
 * classname: the profile), the run's figures as <properties>, a <failure>
 * when the verdict is not ok or --fail-on matched (the report's fail_on), an
 * <error> when memcage itself failed or the command did not run, and the
 * text report in <system-out>. The shape is the one tests/render/junit.xsd
 * describes. Reads only the JSON.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "error.h"

/* The document (malloc'd, UTF-8, ending in a newline). */
int mc_report_junit(const json_t *report, char **ret, struct mc_error *err);
