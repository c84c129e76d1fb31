/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sd-bus seam: the one file that talks to systemd. It asks a manager for
 * a transient scope holding memcage, with Delegate=yes, as
 * `systemd-run --scope -p Delegate=yes` does, and waits for the job.
 *
 * libsystemd is loaded with dlopen() when a scope is first needed: linked in,
 * it and the five libraries it needs would be mapped by every launch,
 * including the ones that never talk to systemd. The connection goes to the
 * manager's private socket (/run/systemd/private, or
 * $XDG_RUNTIME_DIR/systemd/private of a user manager), the address given by
 * the caller: no dbus-daemon in between, and no bus address from the
 * environment.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "placement.h"
#include "util.h"

#if HAVE_SYSTEMD_SD_BUS_H
#include <dlfcn.h>
#include <systemd/sd-bus.h>

#define SYSTEMD_SONAME "libsystemd.so.0"

static struct {
        bool loaded;
        int (*bus_new)(sd_bus **ret);
        int (*bus_set_address)(sd_bus *bus, const char *address);
        int (*bus_start)(sd_bus *bus);
        sd_bus *(*bus_flush_close_unref)(sd_bus *bus);
        int (*message_new_method_call)(sd_bus *bus, sd_bus_message **m, const char *destination,
                                       const char *path, const char *interface, const char *member);
        int (*message_append)(sd_bus_message *m, const char *types, ...);
        int (*message_read)(sd_bus_message *m, const char *types, ...);
        sd_bus_message *(*message_unref)(sd_bus_message *m);
        int (*call)(sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error,
                    sd_bus_message **reply);
        int (*match_signal)(sd_bus *bus, sd_bus_slot **ret, const char *sender, const char *path,
                            const char *interface, const char *member, sd_bus_message_handler_t callback,
                            void *userdata);
        sd_bus_slot *(*slot_unref)(sd_bus_slot *slot);
        int (*process)(sd_bus *bus, sd_bus_message **r);
        int (*wait)(sd_bus *bus, uint64_t timeout_usec);
        void (*error_free)(sd_bus_error *e);
} sd;

static int load_libsystemd(struct mc_error *err)
{
        if (sd.loaded)
                return 0;
        void *h = dlopen(SYSTEMD_SONAME, RTLD_LAZY | RTLD_LOCAL);
        if (!h)
                return mc_error_set(err, EOPNOTSUPP, "cannot load %s: %s", SYSTEMD_SONAME, dlerror());
        struct {
                void **fn;
                const char *name;
        } syms[] = {
#define SYM(field, name) { (void **)&sd.field, #name }
                SYM(bus_new, sd_bus_new),
                SYM(bus_set_address, sd_bus_set_address),
                SYM(bus_start, sd_bus_start),
                SYM(bus_flush_close_unref, sd_bus_flush_close_unref),
                SYM(message_new_method_call, sd_bus_message_new_method_call),
                SYM(message_append, sd_bus_message_append),
                SYM(message_read, sd_bus_message_read),
                SYM(message_unref, sd_bus_message_unref),
                SYM(call, sd_bus_call),
                SYM(match_signal, sd_bus_match_signal),
                SYM(slot_unref, sd_bus_slot_unref),
                SYM(process, sd_bus_process),
                SYM(wait, sd_bus_wait),
                SYM(error_free, sd_bus_error_free),
#undef SYM
        };
        for (size_t i = 0; i < ELEMENTSOF(syms); i++) {
                *syms[i].fn = dlsym(h, syms[i].name);
                if (!*syms[i].fn) {
                        /* Kept loaded: its symbols are not used, and dlclose of libsystemd is not safe. */
                        return mc_error_set(err, EOPNOTSUPP, "%s lacks %s", SYSTEMD_SONAME, syms[i].name);
                }
        }
        sd.loaded = true;
        return 0;
}

struct job_wait {
        const char *job; /* the job's object path, once known */
        char *result;    /* "done", "failed", ... from JobRemoved */
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct job_wait *w = userdata;
        const char *path = NULL, *unit = NULL, *result = NULL;
        uint32_t id;

        (void)ret_error;
        if (sd.message_read(m, "uoss", &id, &path, &unit, &result) < 0 || !w->job || !path)
                return 0;
        if (streq(path, w->job) && !w->result)
                w->result = strdup(result ? result : "?");
        return 0;
}

int mc_systemd_start_scope(const struct mc_scope_request *req, void *userdata, struct mc_error *err)
{
        sd_bus *bus = NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        sd_bus_slot *slot = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        struct job_wait w = { 0 };
        const char *job = NULL;
        int r;

        (void)userdata;
        r = load_libsystemd(err);
        if (r < 0)
                return r;
        r = sd.bus_new(&bus);
        if (r >= 0)
                r = sd.bus_set_address(bus, req->address);
        if (r >= 0)
                r = sd.bus_start(bus);
        if (r < 0) {
                r = mc_error_errno(err, -r, "connect to %s", req->address);
                goto out;
        }
        /* Before the call: the signal may come before the reply is read. */
        r = sd.match_signal(bus, &slot, NULL, "/org/freedesktop/systemd1",
                            "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, &w);
        if (r < 0) {
                r = mc_error_errno(err, -r, "watch for JobRemoved on %s", req->address);
                goto out;
        }
        r = sd.message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                       "org.freedesktop.systemd1.Manager", "StartTransientUnit");
        if (r >= 0)
                r = sd.message_append(m, "ss", req->unit, "fail");
        /* The command line as the description, memcage as the one process, the subtree its own. */
        if (r >= 0 && req->slice)
                r = sd.message_append(m, "a(sv)", 5, "Description", "s",
                                      req->description ? req->description : "", "PIDs", "au", 1,
                                      (uint32_t)req->pid, "Delegate", "b", 1, "CollectMode", "s",
                                      "inactive-or-failed", "Slice", "s", req->slice);
        else if (r >= 0)
                r = sd.message_append(m, "a(sv)", 4, "Description", "s",
                                      req->description ? req->description : "", "PIDs", "au", 1,
                                      (uint32_t)req->pid, "Delegate", "b", 1, "CollectMode", "s",
                                      "inactive-or-failed");
        if (r >= 0)
                r = sd.message_append(m, "a(sa(sv))", 0);
        if (r < 0) {
                r = mc_error_errno(err, -r, "build the StartTransientUnit call");
                goto out;
        }
        r = sd.call(bus, m, (uint64_t)req->timeout_ms * 1000, &e, &reply);
        if (r < 0) {
                r = mc_error_set(err, -r, "StartTransientUnit %s: %s", req->unit,
                                 e.message ? e.message : strerror(-r));
                goto out;
        }
        r = sd.message_read(reply, "o", &job);
        if (r < 0) {
                r = mc_error_errno(err, -r, "read the reply of StartTransientUnit %s", req->unit);
                goto out;
        }
        w.job = job;
        for (uint64_t start = mc_now_ns(); !w.result;) {
                r = sd.process(bus, NULL);
                if (r < 0) {
                        r = mc_error_errno(err, -r, "wait for the job of %s", req->unit);
                        goto out;
                }
                if (r > 0)
                        continue;
                uint64_t spent = (mc_now_ns() - start) / 1000;
                if (spent >= (uint64_t)req->timeout_ms * 1000) {
                        r = mc_error_set(err, ETIMEDOUT, "the job starting %s did not finish in %u s",
                                         req->unit, req->timeout_ms / 1000);
                        goto out;
                }
                r = sd.wait(bus, (uint64_t)req->timeout_ms * 1000 - spent);
                if (r < 0) {
                        r = mc_error_errno(err, -r, "wait for the job of %s", req->unit);
                        goto out;
                }
        }
        r = streq(w.result, "done")
                    ? 0
                    : mc_error_set(err, EIO, "the job starting %s ended '%s'", req->unit, w.result);
out:
        free(w.result);
        sd.error_free(&e);
        if (reply)
                sd.message_unref(reply);
        if (m)
                sd.message_unref(m);
        if (slot)
                sd.slot_unref(slot);
        if (bus)
                sd.bus_flush_close_unref(bus);
        return r;
}

#else

int mc_systemd_start_scope(const struct mc_scope_request *req, void *userdata, struct mc_error *err)
{
        (void)userdata;
        return mc_error_set(err, EOPNOTSUPP,
                            "systemd manages this host, but this memcage was built without libsystemd's "
                            "headers (libsystemd-dev) and cannot ask it for scope %s: rebuild with them, or "
                            "run from a delegated group (systemd-run --scope -p Delegate=yes memcage ...)",
                            req->unit);
}

#endif
