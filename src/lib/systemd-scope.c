/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one file that talks to systemd. It asks a manager for a transient
 * scope holding memcage, with Delegate=yes, as
 * `systemd-run --scope -p Delegate=yes` does, and waits for the job.
 *
 * The connection goes to the manager's private socket (/run/systemd/private,
 * or $XDG_RUNTIME_DIR/systemd/private of a user manager), the address given
 * by the caller: no dbus-daemon in between, and no bus address from the
 * environment. That socket is peer-to-peer, so there is no Hello and no
 * AddMatch: after the SASL EXTERNAL handshake memcage sends one
 * StartTransientUnit call (dbus-message.c marshals it) and reads what comes
 * back. systemd sends its signals to every private connection without a
 * Subscribe call (src/core/dbus.c, bus_foreach_bus(): "Send to all direct
 * buses, unconditionally"), so the job's JobRemoved arrives on it, possibly
 * before the call's reply.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "dbus-message.h"
#include "placement.h"
#include "util.h"

#define ADDRESS_PREFIX "unix:path="
/* The server's answer to AUTH is one short line ("OK" and a 32-digit GUID). */
#define AUTH_LINE_MAX 512
/* JobRemoved signals of other jobs kept while the reply has not come: far more than a host runs at once. */
#define EARLY_JOBS_MAX 1024

struct conn {
        int fd;
        uint64_t deadline_ns;
        uint8_t *buf; /* received, not yet consumed */
        size_t len, cap;
};

static void conn_done(struct conn *c)
{
        mc_closep(&c->fd);
        free(c->buf);
}

/* Waits for events on the connection until the deadline: -ETIMEDOUT past it. */
static int conn_wait(struct conn *c, short events)
{
        for (;;) {
                uint64_t now = mc_now_ns();
                if (now >= c->deadline_ns)
                        return -ETIMEDOUT;
                struct pollfd p = { .fd = c->fd, .events = events };
                int ms = (int)((c->deadline_ns - now + 999999) / 1000000);
                int n = poll(&p, 1, ms);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n > 0)
                        return 0;
        }
}

static int conn_send(struct conn *c, const void *data, size_t len)
{
        const uint8_t *p = data;

        while (len > 0) {
                ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN) {
                        int r = conn_wait(c, POLLOUT);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (n < 0)
                        return -errno;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

/* Reads once into dst (at most len bytes), waiting for data: -ECONNRESET when the manager hung up. */
static int conn_read_some(struct conn *c, void *dst, size_t len, size_t *ret)
{
        for (;;) {
                ssize_t n = read(c->fd, dst, len);
                if (n > 0) {
                        *ret = (size_t)n;
                        return 0;
                }
                if (n == 0)
                        return -ECONNRESET;
                if (errno == EINTR)
                        continue;
                if (errno != EAGAIN)
                        return -errno;
                int r = conn_wait(c, POLLIN);
                if (r < 0)
                        return r;
        }
}

/* Until at least want bytes are buffered. */
static int conn_fill(struct conn *c, size_t want)
{
        if (want > c->cap) {
                /* Room for a few messages at once: one read() takes what systemd sent together. */
                size_t cap = want > 16384 ? want : 16384;
                uint8_t *b = realloc(c->buf, cap);
                if (!b)
                        return -ENOMEM;
                c->buf = b;
                c->cap = cap;
        }
        while (c->len < want) {
                size_t n;
                int r = conn_read_some(c, c->buf + c->len, c->cap - c->len, &n);
                if (r < 0)
                        return r;
                c->len += n;
        }
        return 0;
}

static void conn_consume(struct conn *c, size_t n)
{
        memmove(c->buf, c->buf + n, c->len - n);
        c->len -= n;
}

/* Drops the next n bytes, buffered or not: a message too large to keep, read past by its length. */
static int conn_discard(struct conn *c, size_t n)
{
        size_t have = n < c->len ? n : c->len;
        conn_consume(c, have);
        n -= have;
        while (n > 0) {
                uint8_t scratch[16384];
                size_t got;
                int r = conn_read_some(c, scratch, n < sizeof(scratch) ? n : sizeof(scratch), &got);
                if (r < 0)
                        return r;
                n -= got;
        }
        return 0;
}

/* "unix:path=/run/systemd/private": the only form a systemd manager's private socket has. */
static int parse_address(const char *address, struct sockaddr_un *ret, socklen_t *ret_len,
                         struct mc_error *err)
{
        const char *path = address;

        if (strncmp(path, ADDRESS_PREFIX, strlen(ADDRESS_PREFIX)) != 0 ||
            path[strlen(ADDRESS_PREFIX)] != '/')
                return mc_error_set(err, EINVAL,
                                    "D-Bus address '%s' is not of the form unix:path=/ABSOLUTE/PATH",
                                    address);
        path += strlen(ADDRESS_PREFIX);
        /* Other keys (',') or escapes ('%') are for other transports than a manager's own socket. */
        if (strpbrk(path, ",;%"))
                return mc_error_set(err, EINVAL,
                                    "D-Bus address '%s': only a plain unix:path=... is supported", address);
        size_t len = strlen(path);
        if (len >= sizeof(ret->sun_path))
                return mc_error_set(err, ENAMETOOLONG, "D-Bus address '%s': the path is too long", address);
        *ret = (struct sockaddr_un){ .sun_family = AF_UNIX };
        memcpy(ret->sun_path, path, len + 1);
        *ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
        return 0;
}

/* A line from the peer, for a message: printable ASCII as is, the rest as \xNN. */
static void escape_line(const uint8_t *s, size_t len, char *out, size_t size)
{
        size_t o = 0;
        for (size_t i = 0; i < len && o + 5 < size; i++) {
                if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
                        out[o++] = (char)s[i];
                else
                        o += (size_t)snprintf(out + o, size - o, "\\x%02x", s[i]);
        }
        out[o] = '\0';
}

/*
 * SASL EXTERNAL: the kernel tells the manager who connected (SO_PEERCRED);
 * memcage names the same uid, in hex of its decimal digits. The server
 * answers "OK <guid>"; BEGIN is sent with the call that follows.
 */
static int authenticate(struct conn *c, const char *address, struct mc_error *err)
{
        char uid[16], line[64];
        int n = snprintf(uid, sizeof(uid), "%u", (unsigned)geteuid());
        int len = snprintf(line, sizeof(line), "%cAUTH EXTERNAL ", '\0');
        for (int i = 0; i < n; i++)
                len += snprintf(line + len, sizeof(line) - (size_t)len, "%02x", (unsigned char)uid[i]);
        len += snprintf(line + len, sizeof(line) - (size_t)len, "\r\n");
        int r = conn_send(c, line, (size_t)len);
        if (r < 0)
                return mc_error_errno(err, -r, "authenticate to %s", address);

        uint8_t *eol = NULL;
        while (!(eol = c->len >= 2 ? memmem(c->buf, c->len, "\r\n", 2) : NULL)) {
                if (c->len >= AUTH_LINE_MAX)
                        return mc_error_set(err, EPROTO, "authenticate to %s: no line end in %zu bytes",
                                            address, c->len);
                r = conn_fill(c, c->len + 1);
                if (r < 0)
                        return r == -ETIMEDOUT ? mc_error_set(err, ETIMEDOUT,
                                                              "authenticate to %s: no answer", address)
                                               : mc_error_errno(err, -r, "authenticate to %s", address);
        }
        size_t line_len = (size_t)(eol - c->buf);
        if (line_len < 3 || memcmp(c->buf, "OK ", 3) != 0) {
                char shown[4 * AUTH_LINE_MAX + 1];
                escape_line(c->buf, line_len, shown, sizeof(shown));
                return mc_error_set(err, EACCES, "authenticate to %s as uid %s: the manager answered \"%s\"",
                                    address, uid, shown);
        }
        conn_consume(c, line_len + 2);
        return 0;
}

/* A D-Bus error name as the errno it stands for, for the callers that look (placement.c). */
static int error_name_errno(const char *name)
{
        static const struct {
                const char *name;
                int code;
        } map[] = {
                { "org.freedesktop.DBus.Error.AccessDenied", EACCES },
                { "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", EACCES },
                { "org.freedesktop.DBus.Error.InvalidArgs", EINVAL },
                { "org.freedesktop.DBus.Error.NoMemory", ENOMEM },
                { "org.freedesktop.DBus.Error.UnknownMethod", EOPNOTSUPP },
                { "org.freedesktop.DBus.Error.NotSupported", EOPNOTSUPP },
                { "org.freedesktop.systemd1.UnitExists", EEXIST },
                { "org.freedesktop.systemd1.NoSuchUnit", ENOENT },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (streq(name, map[i].name))
                        return map[i].code;
        return EIO;
}

struct early_job {
        char *job, *result;
};

struct wait_state {
        uint32_t serial;
        char *job;    /* the job's object path, once the reply came */
        char *result; /* its JobRemoved result, once known */
        struct early_job *early;
        size_t n_early;
};

static void wait_state_done(struct wait_state *w)
{
        for (size_t i = 0; i < w->n_early; i++) {
                free(w->early[i].job);
                free(w->early[i].result);
        }
        free(w->early);
        free(w->job);
        free(w->result);
}

/* One whole message: the reply, an error, a JobRemoved; anything else is not memcage's. */
static int handle_message(const struct mc_scope_request *req, struct wait_state *w, const uint8_t *data,
                          size_t len, struct mc_error *err)
{
        struct mc_dbus_header h;
        int r = mc_dbus_parse_header(data, len, &h, err);
        if (r < 0)
                return r;

        if (h.type == MC_DBUS_METHOD_RETURN && h.reply_serial == w->serial) {
                const char *job;
                r = mc_dbus_read_reply_path(&h, data, len, &job, err);
                if (r < 0)
                        return mc_error_prefix(err, "the reply of StartTransientUnit %s", req->unit);
                w->job = strdup(job);
                if (!w->job)
                        return mc_error_errno(err, ENOMEM, "StartTransientUnit %s", req->unit);
                for (size_t i = 0; i < w->n_early; i++)
                        if (streq(w->early[i].job, job)) {
                                w->result = TAKE_PTR(w->early[i].result);
                                break;
                        }
                return 0;
        }
        if (h.type == MC_DBUS_ERROR && h.reply_serial == w->serial) {
                const char *msg;
                r = mc_dbus_read_error_message(&h, data, len, &msg, err);
                if (r < 0)
                        return mc_error_prefix(err, "the error reply of StartTransientUnit %s", req->unit);
                return mc_error_set(err, error_name_errno(h.error_name), "StartTransientUnit %s: %s",
                                    req->unit, msg && msg[0] ? msg : h.error_name);
        }
        if (h.type != MC_DBUS_SIGNAL || !streq(h.member, "JobRemoved") ||
            !streq(h.interface, "org.freedesktop.systemd1.Manager") ||
            !streq(h.path, "/org/freedesktop/systemd1"))
                return 0;

        struct mc_dbus_job_removed j;
        r = mc_dbus_read_job_removed(&h, data, len, &j, err);
        if (r < 0)
                return mc_error_prefix(err, "a JobRemoved signal from %s", req->address);
        if (w->job) {
                if (streq(j.job, w->job) && !w->result) {
                        w->result = strdup(j.result);
                        if (!w->result)
                                return mc_error_errno(err, ENOMEM, "JobRemoved");
                }
                return 0;
        }
        /* Before the reply: any job may be ours, kept by its path until the reply names one. */
        if (w->n_early >= EARLY_JOBS_MAX)
                return mc_error_set(err, EOVERFLOW,
                                    "more than %d jobs ended before StartTransientUnit %s returned",
                                    EARLY_JOBS_MAX, req->unit);
        struct early_job *e = realloc(w->early, (w->n_early + 1) * sizeof(*e));
        if (!e)
                return mc_error_errno(err, ENOMEM, "JobRemoved");
        w->early = e;
        e[w->n_early] = (struct early_job){ strdup(j.job), strdup(j.result) };
        if (!e[w->n_early].job || !e[w->n_early].result) {
                free(e[w->n_early].job);
                free(e[w->n_early].result);
                return mc_error_errno(err, ENOMEM, "JobRemoved");
        }
        w->n_early++;
        return 0;
}

/* A failure to read from the manager, said for the step memcage was at. */
static int read_failed(const struct mc_scope_request *req, const struct wait_state *w, int r,
                       struct mc_error *err)
{
        if (r == -ETIMEDOUT && !w->job)
                return mc_error_set(err, ETIMEDOUT, "StartTransientUnit %s: no reply from %s in %u s",
                                    req->unit, req->address, req->timeout_ms / 1000);
        if (r == -ETIMEDOUT)
                return mc_error_set(err, ETIMEDOUT, "the job starting %s did not finish in %u s", req->unit,
                                    req->timeout_ms / 1000);
        if (r == -ECONNRESET)
                return mc_error_set(err, ECONNRESET,
                                    "%s closed the connection before the job starting %s ended",
                                    req->address, req->unit);
        return mc_error_errno(err, -r, "wait for the job of %s", req->unit);
}

/*
 * The next message into c->buf[0..*ret_total): 1; or 0 when it was too
 * large to keep and was dropped by its length.
 */
static int read_message(const struct mc_scope_request *req, struct conn *c, const struct wait_state *w,
                        size_t *ret_total, struct mc_error *err)
{
        size_t header_len = 0, total = 0;
        int r = conn_fill(c, MC_DBUS_FIXED_HEADER);
        if (r < 0)
                return read_failed(req, w, r, err);
        if (mc_dbus_message_size(c->buf, c->len, &header_len, &total, err) < 0)
                return mc_error_prefix(err, "from %s", req->address);
        if (total <= MC_DBUS_MESSAGE_CAP) {
                r = conn_fill(c, total);
                if (r < 0)
                        return read_failed(req, w, r, err);
                *ret_total = total;
                return 1;
        }
        /* Too large to keep, and to be ours: its header, when small, says whose it is. */
        if (header_len <= MC_DBUS_MESSAGE_CAP) {
                struct mc_dbus_header h;
                r = conn_fill(c, header_len);
                if (r < 0)
                        return read_failed(req, w, r, err);
                if (mc_dbus_parse_header(c->buf, header_len, &h, err) < 0)
                        return mc_error_prefix(err, "from %s", req->address);
                if (h.reply_serial == w->serial)
                        return mc_error_set(err, EMSGSIZE, "StartTransientUnit %s: a reply of %zu bytes",
                                            req->unit, total);
        }
        r = conn_discard(c, total);
        if (r < 0)
                return read_failed(req, w, r, err);
        return 0;
}

/* Reads messages until the reply and the job's JobRemoved have come. */
static int wait_for_job(const struct mc_scope_request *req, struct conn *c, struct wait_state *w,
                        struct mc_error *err)
{
        while (!w->result) {
                size_t total = 0;
                int r = read_message(req, c, w, &total, err);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                r = handle_message(req, w, c->buf, total, err);
                if (r < 0)
                        return r;
                conn_consume(c, total);
        }
        return 0;
}

/* A description systemd takes: D-Bus strings are UTF-8, a command line need not be. */
static char *description_utf8(const char *s)
{
        char *d = strdup(s ? s : "");
        if (!d)
                return NULL;
        for (size_t i = 0; d[i];) {
                size_t n = 1;
                /* The longest valid sequence starting here, at most 4 bytes, else one byte replaced. */
                while (n <= 4 && d[i + n - 1] && !mc_dbus_utf8_valid(d + i, n))
                        n++;
                if (n <= 4 && d[i + n - 1])
                        i += n;
                else
                        d[i++] = '?';
        }
        return d;
}

int mc_systemd_start_scope(const struct mc_scope_request *req, void *userdata, struct mc_error *err)
{
        _cleanup_(conn_done) struct conn c = {
                .fd = -EBADF,
                .deadline_ns = mc_now_ns() + (uint64_t)req->timeout_ms * 1000000,
        };
        _cleanup_(wait_state_done) struct wait_state w = { .serial = 1 };
        _cleanup_free_ char *description = NULL;
        _cleanup_free_ uint8_t *call = NULL;
        struct mc_dbus_writer body = { 0 };
        struct sockaddr_un sa;
        socklen_t sa_len = 0;
        size_t call_len;
        int r;

        (void)userdata;
        r = parse_address(req->address, &sa, &sa_len, err);
        if (r < 0)
                return r;

        description = description_utf8(req->description);
        if (!description)
                return mc_error_errno(err, ENOMEM, "StartTransientUnit %s", req->unit);
        mc_dbus_put_start_transient_unit(&body, &(struct mc_dbus_scope_args){
                                                        .unit = req->unit,
                                                        .mode = "fail",
                                                        .description = description,
                                                        .pid = (uint32_t)req->pid,
                                                        .slice = req->slice,
                                                });
        r = mc_dbus_build_call(
                &(struct mc_dbus_call){
                        .destination = "org.freedesktop.systemd1",
                        .path = "/org/freedesktop/systemd1",
                        .interface = "org.freedesktop.systemd1.Manager",
                        .member = "StartTransientUnit",
                        .signature = MC_DBUS_START_TRANSIENT_UNIT_SIGNATURE,
                },
                &body, w.serial, &call, &call_len, err);
        mc_dbus_writer_done(&body);
        if (r < 0)
                return mc_error_prefix(err, "StartTransientUnit %s", req->unit);

        c.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (c.fd < 0)
                return mc_error_errno(err, errno, "socket for %s", req->address);
        /* A local stream socket connects at once or fails (EAGAIN: its backlog is full). */
        if (connect(c.fd, (struct sockaddr *)&sa, sa_len) < 0)
                return mc_error_errno(err, errno, "connect to %s", req->address);
        r = authenticate(&c, req->address, err);
        if (r < 0)
                return r;
        /* BEGIN and the call in one write: the manager reads the call right after the handshake. */
        static const char begin[] = "BEGIN\r\n";
        _cleanup_free_ uint8_t *out = malloc(strlen(begin) + call_len);
        if (!out)
                return mc_error_errno(err, ENOMEM, "StartTransientUnit %s", req->unit);
        memcpy(out, begin, strlen(begin));
        memcpy(out + strlen(begin), call, call_len);
        r = conn_send(&c, out, strlen(begin) + call_len);
        if (r == -ETIMEDOUT)
                return mc_error_set(err, ETIMEDOUT, "StartTransientUnit %s: %s takes nothing in %u s",
                                    req->unit, req->address, req->timeout_ms / 1000);
        if (r < 0)
                return mc_error_errno(err, -r, "StartTransientUnit %s: send to %s", req->unit, req->address);

        r = wait_for_job(req, &c, &w, err);
        if (r < 0)
                return r;
        if (!streq(w.result, "done"))
                return mc_error_set(err, EIO, "the job starting %s ended '%s'", req->unit, w.result);
        return 0;
}
