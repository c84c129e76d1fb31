/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one file that talks to systemd. It asks a manager for a transient
 * scope holding memcage, with Delegate=yes, as
 * `systemd-run --scope -p Delegate=yes` does, and waits for the job.
 *
 * The manager is reached through its public interface, on a bus: the system
 * bus for root (at its fixed address, never one from the environment, which
 * is a caller's under sudo), the user's own bus for a user manager. The
 * client is libsystemd's sd-bus, loaded with dlopen() here and only here: a
 * run placed anywhere else than in a scope never maps it, and memcage does
 * not link it. Before the call memcage adds a match on JobRemoved and calls
 * Subscribe (a manager sends its job signals only to subscribed clients);
 * the reply names the job, and the JobRemoved of that job ends the wait.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "placement.h"
#include "util.h"

#define LIBSYSTEMD    "libsystemd.so.0"
#define MANAGER_NAME  "org.freedesktop.systemd1"
#define MANAGER_PATH  "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"

/* The sd-bus functions memcage calls, looked up in the loaded library. */
struct sd {
        void *dl;
        __typeof__(sd_bus_new) *bus_new;
        __typeof__(sd_bus_set_address) *set_address;
        __typeof__(sd_bus_set_bus_client) *set_bus_client;
        __typeof__(sd_bus_set_method_call_timeout) *set_method_call_timeout;
        __typeof__(sd_bus_start) *start;
        __typeof__(sd_bus_flush_close_unref) *flush_close_unref;
        __typeof__(sd_bus_match_signal) *match_signal;
        __typeof__(sd_bus_call_method) *call_method;
        __typeof__(sd_bus_message_new_method_call) *new_method_call;
        __typeof__(sd_bus_message_append) *append;
        __typeof__(sd_bus_message_open_container) *open_container;
        __typeof__(sd_bus_message_close_container) *close_container;
        __typeof__(sd_bus_call) *call;
        __typeof__(sd_bus_message_read) *read;
        __typeof__(sd_bus_message_unref) *message_unref;
        __typeof__(sd_bus_process) *process;
        __typeof__(sd_bus_wait) *wait;
        __typeof__(sd_bus_error_free) *error_free;
        __typeof__(sd_bus_error_get_errno) *error_get_errno;
};

/*
 * Loads libsystemd and finds each function. The handle is kept for the
 * process's life: sd-bus keeps per-thread state whose destructors live in
 * the library.
 */
static int sd_load(struct sd *sd, struct mc_error *err)
{
        static const struct {
                const char *name;
                size_t offset;
        } syms[] = {
#define SYM(field, name) { #name, offsetof(struct sd, field) }
                SYM(bus_new, sd_bus_new),
                SYM(set_address, sd_bus_set_address),
                SYM(set_bus_client, sd_bus_set_bus_client),
                SYM(set_method_call_timeout, sd_bus_set_method_call_timeout),
                SYM(start, sd_bus_start),
                SYM(flush_close_unref, sd_bus_flush_close_unref),
                SYM(match_signal, sd_bus_match_signal),
                SYM(call_method, sd_bus_call_method),
                SYM(new_method_call, sd_bus_message_new_method_call),
                SYM(append, sd_bus_message_append),
                SYM(open_container, sd_bus_message_open_container),
                SYM(close_container, sd_bus_message_close_container),
                SYM(call, sd_bus_call),
                SYM(read, sd_bus_message_read),
                SYM(message_unref, sd_bus_message_unref),
                SYM(process, sd_bus_process),
                SYM(wait, sd_bus_wait),
                SYM(error_free, sd_bus_error_free),
                SYM(error_get_errno, sd_bus_error_get_errno),
#undef SYM
        };

        *sd = (struct sd){ 0 };
        sd->dl = dlopen(LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);
        if (!sd->dl) {
                const char *why = dlerror();
                return mc_error_set(err, ENOPKG,
                                    "cannot load %s (%s): memcage asks systemd for a scope through it; "
                                    "install libsystemd0, or name a parent group with --parent",
                                    LIBSYSTEMD, why ? why : "unknown reason");
        }
        for (size_t i = 0; i < ELEMENTSOF(syms); i++) {
                void *f = dlsym(sd->dl, syms[i].name);
                if (!f)
                        return mc_error_set(err, ENOPKG,
                                            "%s has no %s: it is too old for memcage (systemd 240 or later)",
                                            LIBSYSTEMD, syms[i].name);
                memcpy((char *)sd + syms[i].offset, &f, sizeof(f));
        }
        return 0;
}

/* Length of the valid UTF-8 sequence at s (1-4 bytes), 0 when none starts there: D-Bus strings are UTF-8. */
static size_t utf8_seq(const unsigned char *s)
{
        unsigned cp = s[0], min;
        size_t n;

        if (cp < 0x80)
                return 1;
        if (cp >= 0xc2 && cp <= 0xdf)
                n = 2, min = 0x80, cp &= 0x1f;
        else if ((cp & 0xf0) == 0xe0)
                n = 3, min = 0x800, cp &= 0x0f;
        else if (cp >= 0xf0 && cp <= 0xf4)
                n = 4, min = 0x10000, cp &= 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80) /* also the terminating NUL */
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        /* Overlong forms, surrogates and noncharacters are refused by the bus as well. */
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0xfdd0 && cp <= 0xfdef) ||
            (cp & 0xfffe) == 0xfffe)
                return 0;
        return n;
}

/* The command line as a description the bus takes: a command line need not be UTF-8, a byte that is not is
 * '?'. */
static char *description_utf8(const char *s)
{
        char *d = strdup(s ? s : "");
        if (!d)
                return NULL;
        for (size_t i = 0; d[i];) {
                size_t n = utf8_seq((const unsigned char *)d + i);
                if (n == 0)
                        d[i++] = '?';
                else
                        i += n;
        }
        return d;
}

struct wait_state {
        const struct sd *sd;
        const char *job; /* the job's object path, once the reply came */
        char *result;    /* its JobRemoved result, once known */
        bool no_memory;
};

/* JobRemoved(u id, o job, s unit, s result): the one of memcage's job ends the wait. */
static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct wait_state *w = userdata;
        uint32_t id;
        const char *job, *unit, *result;

        (void)ret_error;
        /* A signal memcage cannot read is not the one it waits for. */
        if (w->sd->read(m, "uoss", &id, &job, &unit, &result) < 0)
                return 0;
        if (!w->job || w->result || !streq(job, w->job))
                return 0;
        w->result = strdup(result);
        if (!w->result)
                w->no_memory = true;
        return 0;
}

struct bus {
        const struct sd *sd;
        sd_bus *bus;
        sd_bus_message *call, *reply;
        sd_bus_error error;
};

static void bus_done(struct bus *b)
{
        if (!b->sd)
                return;
        b->sd->error_free(&b->error);
        b->sd->message_unref(b->reply);
        b->sd->message_unref(b->call);
        b->sd->flush_close_unref(b->bus);
}

/* The error sd-bus returned (r < 0), with the manager's own message when it sent one. */
static int bus_failed(struct bus *b, int r, struct mc_error *err, const char *what)
{
        if (b->error.name) {
                int code = b->sd->error_get_errno(&b->error);
                return mc_error_set(err, code > 0 ? code : EIO, "%s: %s", what,
                                    b->error.message && b->error.message[0] ? b->error.message
                                                                            : b->error.name);
        }
        return mc_error_errno(err, -r, "%s", what);
}

/* The StartTransientUnit call: the scope holds memcage, delegated, collected even when it failed. */
static int build_call(struct bus *b, const struct mc_scope_request *req, const char *description)
{
        const struct sd *sd = b->sd;
        int r = sd->new_method_call(b->bus, &b->call, MANAGER_NAME, MANAGER_PATH, MANAGER_IFACE,
                                    "StartTransientUnit");
        if (r >= 0)
                r = sd->append(b->call, "ss", req->unit, "fail");
        if (r >= 0)
                r = sd->open_container(b->call, 'a', "(sv)");
        if (r >= 0)
                r = sd->append(b->call, "(sv)(sv)(sv)(sv)", "Description", "s", description, "PIDs", "au", 1,
                               (uint32_t)req->pid, "Delegate", "b", 1, "CollectMode", "s",
                               "inactive-or-failed");
        if (r >= 0 && req->slice)
                r = sd->append(b->call, "(sv)", "Slice", "s", req->slice);
        if (r >= 0)
                r = sd->close_container(b->call);
        /* No auxiliary units. */
        if (r >= 0)
                r = sd->append(b->call, "a(sa(sv))", 0);
        return r;
}

int mc_systemd_start_scope(const struct mc_scope_request *req, void *userdata, struct mc_error *err)
{
        uint64_t deadline_ns = 0;
        uint64_t timeout_us = (uint64_t)req->timeout_ms * 1000;
        const char *which = req->user ? "the user's bus" : "the system bus";
        _cleanup_free_ char *description = NULL;
        struct sd sd;
        struct wait_state w = { .sd = &sd };
        /* After w: freed first, so no callback sees w gone. */
        _cleanup_(bus_done) struct bus b = { 0 };
        int r;

        (void)userdata;
        r = sd_load(&sd, err);
        if (r < 0)
                return r;
        b.sd = &sd;
        /* The timeout is systemd's to meet: loading the library (files read, maybe slowly) is not in it. */
        deadline_ns = mc_now_ns() + (uint64_t)req->timeout_ms * 1000000;

        description = description_utf8(req->description);
        if (!description)
                return mc_error_errno(err, ENOMEM, "StartTransientUnit %s", req->unit);

        r = sd.bus_new(&b.bus);
        if (r < 0)
                return mc_error_errno(err, -r, "a D-Bus connection");
        /* A client of a bus (Hello first), at the address given: nothing from the environment. */
        r = sd.set_address(b.bus, req->address);
        if (r >= 0)
                r = sd.set_bus_client(b.bus, 1);
        if (r >= 0)
                r = sd.set_method_call_timeout(b.bus, timeout_us);
        if (r < 0)
                return mc_error_errno(err, -r, "D-Bus address %s", req->address);
        r = sd.start(b.bus);
        if (r < 0) {
                if (!req->user && (r == -ENOENT || r == -ECONNREFUSED))
                        return mc_error_set(err, -r,
                                            "no system bus answers at %s (%s): memcage asks systemd for a "
                                            "scope on it; start dbus, or name a parent group with --parent",
                                            req->address, strerror(-r));
                return mc_error_errno(err, -r, "connect to %s at %s", which, req->address);
        }

        /* The match and Subscribe before the call: the job may end before its reply is read. */
        r = sd.match_signal(b.bus, NULL, MANAGER_NAME, MANAGER_PATH, MANAGER_IFACE, "JobRemoved",
                            on_job_removed, &w);
        if (r < 0)
                return mc_error_errno(err, -r, "add a match for JobRemoved on %s at %s", which,
                                      req->address);
        r = sd.call_method(b.bus, MANAGER_NAME, MANAGER_PATH, MANAGER_IFACE, "Subscribe", &b.error, NULL,
                           "");
        if (r < 0)
                return bus_failed(&b, r, err, "Subscribe");

        r = build_call(&b, req, description);
        if (r < 0)
                return mc_error_errno(err, -r, "StartTransientUnit %s: the call", req->unit);
        uint64_t now = mc_now_ns();
        r = sd.call(b.bus, b.call, now < deadline_ns ? (deadline_ns - now + 999) / 1000 : 1, &b.error,
                    &b.reply);
        if (r == -ETIMEDOUT && !b.error.name)
                return mc_error_set(err, ETIMEDOUT, "StartTransientUnit %s: no reply on %s in %u s",
                                    req->unit, which, req->timeout_ms / 1000);
        if (r < 0) {
                char what[256];
                snprintf(what, sizeof(what), "StartTransientUnit %s", req->unit);
                return bus_failed(&b, r, err, what);
        }
        r = sd.read(b.reply, "o", &w.job);
        if (r < 0)
                return mc_error_errno(err, -r, "the reply of StartTransientUnit %s", req->unit);

        /* Signals that came with the reply are queued: processed now that the job's path is known. */
        while (!w.result && !w.no_memory) {
                r = sd.process(b.bus, NULL);
                if (r < 0)
                        return mc_error_errno(err, -r, "wait for the job of %s on %s", req->unit, which);
                if (r > 0)
                        continue;
                now = mc_now_ns();
                if (now >= deadline_ns)
                        return mc_error_set(err, ETIMEDOUT, "the job starting %s did not finish in %u s",
                                            req->unit, req->timeout_ms / 1000);
                r = sd.wait(b.bus, (deadline_ns - now + 999) / 1000);
                if (r < 0 && r != -EINTR)
                        return mc_error_errno(err, -r, "wait for the job of %s on %s", req->unit, which);
        }
        if (w.no_memory)
                return mc_error_errno(err, ENOMEM, "JobRemoved");
        _cleanup_free_ char *result = w.result;
        if (!streq(result, "done"))
                return mc_error_set(err, EIO, "the job starting %s ended '%s'", req->unit, result);
        return 0;
}
