/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Live events on stderr and in the --events file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli-events.h"
#include "escape.h"
#include "cli.h"
#include "util.h"

int cli_events_open(struct cli_events *ce, const char *events_path, bool append, bool quiet,
                    struct mc_error *err)
{
        struct mc_output_opts oopts;

        *ce = (struct cli_events){ .quiet = quiet, .path = events_path };
        if (!events_path)
                return 0;
        /* No "-": stdout may carry a report, and the events would mix into it. */
        cli_output_opts(-EBADF, &oopts);
        oopts.live = true;
        oopts.append = append;
        if (mc_output_open(&ce->out, events_path, &oopts, err) < 0) {
                char why[MC_ERROR_MSG_MAX];
                snprintf(why, sizeof(why), "%s", err->msg);
                return mc_error_set(err, err->code, "cannot open the events file %s", why);
        }
        ce->opened = true;
        /* A copy for stdio: the output keeps its own fd, which names the file at the end. */
        int fd = fcntl(mc_output_fd(&ce->out), F_DUPFD_CLOEXEC, 3);
        ce->file = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!ce->file) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                mc_output_done(&ce->out);
                ce->opened = false;
                return mc_error_errno(err, e, "cannot open the events file %s", events_path);
        }
        return 0;
}

void cli_events_emit(void *userdata, const struct mc_event *ev, const json_t *json)
{
        struct cli_events *ce = userdata;

        if (ce->file && !ce->write_failed) {
                _cleanup_free_ char *line = json_dumps(json, JSON_COMPACT | JSON_REAL_PRECISION(15));
                /* One line per event, flushed, so that a reader (tail -f, jq) sees it as it happens. */
                if (!line || fputs(line, ce->file) < 0 || fputc('\n', ce->file) < 0 ||
                    fflush(ce->file) != 0) {
                        cli_warning("cannot write the events file %s: %s", ce->path,
                                    line ? strerror(errno) : "out of memory");
                        ce->write_failed = true;
                }
        }
        if (!ce->quiet) {
                char text[512], shown[512], line[600];
                bool again = false;
                if (ev->type == MC_EVENT_OOM_KILL && ev->name) {
                        for (size_t i = 0; i < ce->n_oom_pids; i++)
                                again = again || ce->oom_pids[i] == ev->pid;
                        if (!again && ce->n_oom_pids < ELEMENTSOF(ce->oom_pids))
                                ce->oom_pids[ce->n_oom_pids++] = ev->pid;
                }
                if (!mc_event_format(ev, again, text, sizeof(text))[0])
                        return;
                /* A victim's name is the command's to choose: the terminal gets it escaped, as every
                 * message. */
                mc_escape_text(text, shown, sizeof(shown));
                int k = snprintf(line, sizeof(line), "memcage: +%.2fs %s\n", ev->t, shown);
                if (k > 0) {
                        size_t n = (size_t)k < sizeof(line) ? (size_t)k : sizeof(line) - 1;
                        line[n - 1] = '\n'; /* a line cut short still ends its line */
                        /* One write: lines of concurrent writers to the terminal do not mix. */
                        ssize_t w = write(STDERR_FILENO, line, n);
                        (void)w;
                }
        }
}

int cli_events_done(struct cli_events *ce, bool started)
{
        struct mc_error err = { 0 };
        int r = 0;
        if (ce->file) {
                if (fclose(ce->file) != 0 && !ce->write_failed) {
                        cli_warning("cannot write the events file %s: %s", ce->path, strerror(errno));
                        ce->write_failed = true;
                }
                ce->file = NULL;
        }
        /* A run that never started its command leaves the file as it was. */
        if (ce->opened && started && mc_output_commit(&ce->out, &err) < 0 && !ce->write_failed) {
                cli_warning("cannot write the events file %s", err.msg);
                ce->write_failed = true;
        }
        if (ce->opened)
                mc_output_done(&ce->out);
        ce->opened = false;
        if (ce->write_failed)
                r = -EIO;
        return r;
}
