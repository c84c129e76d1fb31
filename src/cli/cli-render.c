/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Renderings of a report for `memcage report` and `memcage run --text/--plot/--github`. */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "cli.h"
#include "report-github.h"
#include "report-svg.h"
#include "report-text.h"
#include "report.h"
#include "util.h"

int cli_format_parse(const char *s, enum cli_format *ret)
{
        static const char *const names[] = { "text", "json", "svg", "github" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(s, names[i])) {
                        *ret = (enum cli_format)i;
                        return 0;
                }
        return -EINVAL;
}

int cli_render(const json_t *report, enum cli_format format, const char *path, FILE *stream,
               const char *command)
{
        struct mc_error err = { 0 };
        _cleanup_free_ char *out = NULL;
        bool to_stream = !path || streq(path, "-");
        int r;

        switch (format) {
        case CLI_FORMAT_TEXT:
                r = mc_report_text(report, to_stream && mc_color_wanted(fileno(stream)) ? MC_TEXT_COLOR : 0,
                                   &out, &err);
                break;
        case CLI_FORMAT_SVG:
                r = mc_report_svg(report, &out, &err);
                break;
        case CLI_FORMAT_GITHUB:
                r = mc_report_github(report, &out, &err);
                break;
        case CLI_FORMAT_JSON:
        default:
                r = mc_report_json_dump(report, &out, &err);
                break;
        }
        if (r < 0) {
                cli_error("%s: %s", command, err.msg);
                return r;
        }
        if (!to_stream) {
                r = mc_write_file_atomic(path, out, strlen(out), &err);
                if (r < 0)
                        cli_error("%s: %s", command, err.msg);
                return r;
        }
        if (fputs(out, stream) == EOF || fflush(stream) == EOF) {
                /* The reader went away (run ignores SIGPIPE): its choice, not memcage's failure. */
                if (errno == EPIPE) {
                        cli_warning("%s: the reader of the report went away (EPIPE), ignoring", command);
                        return 0;
                }
                cli_error("%s: cannot write the report: %s", command, strerror(errno));
                return -EIO;
        }
        return 0;
}
