/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Renderings of a report for `memcage report` and `memcage run --text/--plot/--junit/--metrics/--github`. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "report-github.h"
#include "report-junit.h"
#include "report-openmetrics.h"
#include "report-svg.h"
#include "report-text.h"
#include "report.h"
#include "util.h"

static enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER } color = COLOR_AUTO;

int cli_color_option(const char *command, const char *when)
{
        if (streq(when, "auto"))
                color = COLOR_AUTO;
        else if (streq(when, "always"))
                color = COLOR_ALWAYS;
        else if (streq(when, "never"))
                color = COLOR_NEVER;
        else {
                cli_error("%s%s--color '%s': use auto, always or never", command ? command : "",
                          command ? ": " : "", when);
                cli_usage_hint(command);
                return -EINVAL;
        }
        return 0;
}

bool cli_color_wanted(int fd)
{
        /* Asked for on the command line: it overrides NO_COLOR, as https://no-color.org allows. */
        if (color != COLOR_AUTO)
                return color == COLOR_ALWAYS;
        return fd >= 0 && mc_color_wanted(fd);
}

int cli_format_parse(const char *s, enum cli_format *ret)
{
        static const char *const names[] = { "text", "json", "svg", "github", "junit", "openmetrics" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(s, names[i])) {
                        *ret = (enum cli_format)i;
                        return 0;
                }
        return -EINVAL;
}

/* A whole number that fits an id and is not (id_t)-1, which chown() reads as "unchanged". */
static bool parse_id(const char *s, unsigned *ret)
{
        uint64_t v;
        if (!s || mc_parse_u64(&s, &v) < 0 || *s != '\0' || v >= UINT32_MAX)
                return false;
        *ret = (unsigned)v;
        return true;
}

void cli_output_opts(int dash_fd, struct mc_output_opts *ret)
{
        unsigned uid, gid;

        *ret = (struct mc_output_opts){ .dash_fd = dash_fd };
        /* sudo's own variables, read only when memcage really is root (not set-id): cli_getenv() would hide
         * them. */
        if (getuid() != 0 || geteuid() != 0)
                return;
        if (parse_id(getenv("SUDO_UID"), &uid) && parse_id(getenv("SUDO_GID"), &gid)) {
                ret->has_owner = true;
                ret->owner_uid = (uid_t)uid;
                ret->owner_gid = (gid_t)gid;
        }
}

int cli_render(const json_t *report, enum cli_format format, struct mc_output *out, FILE *stream,
               const char *command)
{
        struct mc_error err = { 0 };
        _cleanup_free_ char *text = NULL;
        int color_fd = out ? mc_output_stream_fd(out) : fileno(stream);
        int r;

        switch (format) {
        case CLI_FORMAT_TEXT:
                r = mc_report_text(report, cli_color_wanted(color_fd) ? MC_TEXT_COLOR : 0, &text, &err);
                break;
        case CLI_FORMAT_SVG:
                r = mc_report_svg(report, &text, &err);
                break;
        case CLI_FORMAT_GITHUB:
                r = mc_report_github(report, &text, &err);
                break;
        case CLI_FORMAT_JUNIT:
                r = mc_report_junit(report, &text, &err);
                break;
        case CLI_FORMAT_OPENMETRICS:
                r = mc_report_openmetrics(report, &text, &err);
                break;
        case CLI_FORMAT_JSON:
        default:
                r = mc_report_json_dump(report, &text, &err);
                break;
        }
        if (r < 0) {
                cli_error("%s: %s", command, err.msg);
                return r;
        }
        return cli_write_text(text, out, stream, command);
}

int cli_write_text(const char *text, struct mc_output *out, FILE *stream, const char *command)
{
        struct mc_error err = { 0 };
        int r = 0;

        if (out) {
                /* A stream may share its file with stdout: what stdio holds goes first. */
                fflush(stdout);
                r = mc_output_write(out, text, strlen(text), &err);
        } else if (fputs(text, stream) == EOF || fflush(stream) == EOF)
                r = mc_error_errno(&err, errno, "cannot write the report");
        /* The reader went away (run ignores SIGPIPE): its choice, not memcage's failure. */
        if (r == -EPIPE) {
                cli_warning("%s: the reader of the report went away (EPIPE), ignoring", command);
                return 0;
        }
        if (r < 0)
                cli_error("%s: %s", command, err.msg);
        return r;
}

/*
 * The job summary of run --github and report --format github, appended to
 * the file GitHub Actions made: never created, never through a symbolic
 * link as the last component, a regular file only. Under sudo (sudo
 * --preserve-env=GITHUB_STEP_SUMMARY) only a file of the invoking user's,
 * checked on the open file: root appends where that user could append
 * itself. A set-id memcage does not read the variable.
 */
int cli_github_step_summary(const json_t *j, const char *command)
{
        bool sudo = getenv("SUDO_UID") && getuid() == 0 && geteuid() == 0;
        bool setid = getuid() != geteuid() || getgid() != getegid();
        const char *path = setid ? NULL : getenv("GITHUB_STEP_SUMMARY");
        struct mc_error err = { 0 };
        _cleanup_free_ char *md = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        unsigned uid = 0;
        int r;

        if (!path || !*path)
                return 0;
        if (sudo && !parse_id(getenv("SUDO_UID"), &uid)) {
                cli_error("%s: the job summary: SUDO_UID is not a user id", command);
                return -EINVAL;
        }
        if (mc_report_github_summary(j, &md, &err) < 0) {
                cli_error("%s: %s", command, err.msg);
                return -ENOMEM;
        }
        fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                r = -errno;
        else if (fstat(fd, &st) < 0)
                r = -errno;
        else if (!S_ISREG(st.st_mode))
                r = -EINVAL;
        else if (sudo && st.st_uid != (uid_t)uid)
                r = -EPERM;
        else
                r = mc_write_all(fd, md, strlen(md));
        if (r == -EINVAL)
                cli_error("%s: the job summary: $GITHUB_STEP_SUMMARY (%s) is not a regular file", command,
                          path);
        else if (r == -EPERM)
                cli_error("%s: the job summary: $GITHUB_STEP_SUMMARY (%s) is not the file of the user sudo "
                          "ran "
                          "memcage for (uid %u)",
                          command, path, uid);
        else if (r < 0)
                cli_error("%s: cannot write the job summary to $GITHUB_STEP_SUMMARY (%s): %s", command, path,
                          strerror(-r));
        return r;
}
