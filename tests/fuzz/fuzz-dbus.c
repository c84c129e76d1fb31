/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the D-Bus reader, on whatever a peer on the manager's
 * socket may send: the size of a message from its first bytes, its header,
 * and the bodies memcage reads (a method return's object path, an error's
 * message, JobRemoved), then every value skipped by the header's signature.
 * A refusal must say why; what is accepted must be within the buffer and
 * what the header said.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "dbus-message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct mc_error err = { 0 };
        struct mc_dbus_header h;
        struct mc_dbus_reader r;
        size_t header_len, total;
        const char *s;

        if (mc_dbus_message_size(data, size, &header_len, &total, &err) < 0) {
                assert(err.msg[0] != '\0');
                return 0;
        }
        assert(header_len >= MC_DBUS_FIXED_HEADER && header_len % 8 == 0 && total >= header_len);
        assert(total <= MC_DBUS_MESSAGE_MAX);
        if (mc_dbus_parse_header(data, size, &h, &err) < 0) {
                assert(err.code == EBADMSG && err.msg[0] != '\0');
                return 0;
        }
        assert(h.body_offset == header_len && h.signature && mc_dbus_signature_valid(h.signature));
        assert(!h.path || mc_dbus_object_path_valid(h.path));
        if (size < total)
                return 0;

        if (mc_dbus_read_reply_path(&h, data, size, &s, &err) == 0)
                assert(mc_dbus_object_path_valid(s) && (const uint8_t *)s >= data + h.body_offset &&
                       (const uint8_t *)s + strlen(s) < data + total);
        if (mc_dbus_read_error_message(&h, data, size, &s, &err) == 0 && s)
                assert((const uint8_t *)s + strlen(s) < data + total);
        struct mc_dbus_job_removed j;
        if (mc_dbus_read_job_removed(&h, data, size, &j, &err) == 0)
                assert(mc_dbus_object_path_valid(j.job) &&
                       (const uint8_t *)j.result + strlen(j.result) < data + total);

        mc_dbus_reader_init(&r, data + h.body_offset, h.body_len, h.big_endian);
        for (const char *sig = h.signature; *sig;)
                if (mc_dbus_skip_value(&r, &sig, &err) < 0)
                        break;
        assert(r.pos <= h.body_len);
        return 0;
}
