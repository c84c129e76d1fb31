/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The steps the command named on the SVG chart (report-svg.h): at each
 * step's start a vertical line and its name, the step's peak a short
 * horizontal line over the step, the details in a tooltip. Names sit in
 * rows at the top of the plot, each cut ("…") before the next name of its
 * row; one that has no room left is in the tooltip alone.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* Where the plot is in the picture, and the values at its right and top edges. */
struct mc_svg_plot {
        FILE *f;
        double x0, x1, y0, y1; /* pixels: left, right, top, bottom */
        double t_max;          /* seconds at x1 */
        double y_max;          /* bytes at y0 */
};

/* The highest peak of the report's steps (0 without steps): the chart's scale takes it in. */
double mc_svg_steps_peak(const json_t *report);

/* Draws the report's steps; returns whether there were any (for the legend). */
bool mc_svg_steps(const struct mc_svg_plot *p, const json_t *report);
