/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dbus-message.h"
#include "util.h"

/*
 * A call of M on interface b.c at /a with one uint32 argument 42, serial 1,
 * worked out by hand from the specification: 16 fixed bytes, the fields
 * array (each (yv) 8-aligned), padding to 8, the body.
 */
static const uint8_t small_call[] = {
        'l', 1,   0,   1,       /* little-endian, METHOD_CALL, no flags, version 1 */
        4,   0,   0,   0,       /* body: 4 bytes */
        1,   0,   0,   0,       /* serial 1 */
        55,  0,   0,   0,       /* fields: bytes 16..70 */
        1,   1,   'o', 0,       /* 16: PATH, variant signature "o" */
        2,   0,   0,   0,       /* 20: length 2 */
        '/', 'a', 0,            /* 24 */
        0,   0,   0,   0, 0,    /* 27: padding to 32 */
        2,   1,   's', 0,       /* 32: INTERFACE, "s" */
        3,   0,   0,   0,       /* 36: length 3 */
        'b', '.', 'c', 0,       /* 40 */
        0,   0,   0,   0,       /* 44: padding to 48 */
        3,   1,   's', 0,       /* 48: MEMBER, "s" */
        1,   0,   0,   0,       /* 52: length 1 */
        'M', 0,                 /* 56 */
        0,   0,   0,   0, 0, 0, /* 58: padding to 64 */
        8,   1,   'g', 0,       /* 64: SIGNATURE, "g" */
        1,   'u', 0,            /* 68: length 1, "u" */
        0,                      /* 71: the header padded to 72 */
        42,  0,   0,   0,       /* 72: the body, uint32 42 */
};

static void expected_small_call(uint8_t *out, size_t *len)
{
        memcpy(out, small_call, sizeof(small_call));
        *len = sizeof(small_call);
}

static void test_build_small_call(void **state)
{
        struct mc_dbus_writer body = { 0 };
        struct mc_error err = { 0 };
        uint8_t *msg = NULL, want[80];
        size_t len = 0, want_len;

        (void)state;
        mc_dbus_put_u32(&body, 42);
        assert_int_equal(mc_dbus_build_call(
                                 &(struct mc_dbus_call){
                                         .path = "/a", .interface = "b.c", .member = "M", .signature = "u" },
                                 &body, 1, &msg, &len, &err),
                         0);
        expected_small_call(want, &want_len);
        assert_int_equal(len, want_len);
        assert_memory_equal(msg, want, want_len);

        /* The parser reads back what the builder wrote. */
        struct mc_dbus_header h;
        assert_int_equal(mc_dbus_parse_header(msg, len, &h, &err), 0);
        assert_int_equal(h.type, MC_DBUS_METHOD_CALL);
        assert_int_equal(h.serial, 1);
        assert_int_equal(h.body_len, 4);
        assert_int_equal(h.body_offset, 72);
        assert_string_equal(h.path, "/a");
        assert_string_equal(h.interface, "b.c");
        assert_string_equal(h.member, "M");
        assert_string_equal(h.signature, "u");
        assert_null(h.destination);
        free(msg);
        mc_dbus_writer_done(&body);
}

/* A message of any type, built with the writer: the header fields given, then the body's bytes. */
struct fields {
        uint8_t type;
        uint32_t serial, reply_serial;
        const char *path, *interface, *member, *error_name, *signature;
};

static size_t make_message(const struct fields *f, const struct mc_dbus_writer *body, uint8_t **ret)
{
        struct mc_dbus_writer w = { 0 };
        struct mc_dbus_array a;

        mc_dbus_put_byte(&w, 'l');
        mc_dbus_put_byte(&w, f->type);
        mc_dbus_put_byte(&w, 0);
        mc_dbus_put_byte(&w, 1);
        mc_dbus_put_u32(&w, body ? (uint32_t)body->len : 0);
        mc_dbus_put_u32(&w, f->serial ? f->serial : 7);
        mc_dbus_open_array(&w, 8, &a);
        if (f->path) {
                mc_dbus_open_struct(&w);
                mc_dbus_put_byte(&w, MC_DBUS_FIELD_PATH);
                mc_dbus_open_variant(&w, "o");
                mc_dbus_put_object_path(&w, f->path);
        }
        const struct {
                uint8_t code;
                const char *value;
        } strs[] = { { MC_DBUS_FIELD_INTERFACE, f->interface },
                     { MC_DBUS_FIELD_MEMBER, f->member },
                     { MC_DBUS_FIELD_ERROR_NAME, f->error_name } };
        for (size_t i = 0; i < ELEMENTSOF(strs); i++) {
                if (!strs[i].value)
                        continue;
                mc_dbus_open_struct(&w);
                mc_dbus_put_byte(&w, strs[i].code);
                mc_dbus_open_variant(&w, "s");
                mc_dbus_put_string(&w, strs[i].value);
        }
        if (f->reply_serial) {
                mc_dbus_open_struct(&w);
                mc_dbus_put_byte(&w, MC_DBUS_FIELD_REPLY_SERIAL);
                mc_dbus_open_variant(&w, "u");
                mc_dbus_put_u32(&w, f->reply_serial);
        }
        if (f->signature) {
                mc_dbus_open_struct(&w);
                mc_dbus_put_byte(&w, MC_DBUS_FIELD_SIGNATURE);
                mc_dbus_open_variant(&w, "g");
                mc_dbus_put_signature(&w, f->signature);
        }
        mc_dbus_close_array(&w, &a);
        mc_dbus_open_struct(&w); /* the padding to the body */
        for (size_t i = 0; body && i < body->len; i++)
                mc_dbus_put_byte(&w, body->data[i]);
        assert_int_equal(w.error, 0);
        *ret = w.data;
        return w.len;
}

static void test_start_transient_unit_round_trip(void **state)
{
        struct mc_dbus_writer body = { 0 };
        struct mc_dbus_reader r;
        struct mc_error err = { 0 };
        const char *s, *sig;
        size_t end, pend;
        uint32_t u;
        bool b;

        (void)state;
        mc_dbus_put_start_transient_unit(&body,
                                         &(struct mc_dbus_scope_args){ .unit = "memcage-db-12.scope",
                                                                       .mode = "fail",
                                                                       .description = "memcage: sleep 1",
                                                                       .pid = 12,
                                                                       .slice = "memcage.slice" });
        assert_int_equal(body.error, 0);

        mc_dbus_reader_init(&r, body.data, body.len, false);
        assert_int_equal(mc_dbus_read_string(&r, &s, &err), 0);
        assert_string_equal(s, "memcage-db-12.scope");
        assert_int_equal(mc_dbus_read_string(&r, &s, &err), 0);
        assert_string_equal(s, "fail");
        assert_int_equal(mc_dbus_enter_array(&r, 8, &end, &err), 0);
        const char *names[5];
        size_t n = 0;
        while (r.pos < end) {
                assert_true(n < ELEMENTSOF(names));
                assert_int_equal(mc_dbus_enter_struct(&r, &err), 0);
                assert_int_equal(mc_dbus_read_string(&r, &names[n], &err), 0);
                assert_int_equal(mc_dbus_read_signature(&r, &sig, &err), 0);
                if (streq(names[n], "PIDs")) {
                        assert_string_equal(sig, "au");
                        assert_int_equal(mc_dbus_enter_array(&r, 4, &pend, &err), 0);
                        assert_int_equal(mc_dbus_read_u32(&r, &u, &err), 0);
                        assert_int_equal(u, 12);
                        assert_int_equal(r.pos, pend);
                } else if (streq(names[n], "Delegate")) {
                        assert_string_equal(sig, "b");
                        assert_int_equal(mc_dbus_read_bool(&r, &b, &err), 0);
                        assert_true(b);
                } else {
                        assert_string_equal(sig, "s");
                        assert_int_equal(mc_dbus_read_string(&r, &s, &err), 0);
                        if (streq(names[n], "Description"))
                                assert_string_equal(s, "memcage: sleep 1");
                        else if (streq(names[n], "CollectMode"))
                                assert_string_equal(s, "inactive-or-failed");
                        else
                                assert_string_equal(s, "memcage.slice");
                }
                n++;
        }
        assert_int_equal(n, 5);
        assert_string_equal(names[0], "Description");
        assert_string_equal(names[1], "PIDs");
        assert_string_equal(names[2], "Delegate");
        assert_string_equal(names[3], "CollectMode");
        assert_string_equal(names[4], "Slice");
        assert_int_equal(r.pos, end);
        /* The empty aux array: its length, then padding to 8 even with no element. */
        assert_int_equal(mc_dbus_enter_array(&r, 8, &end, &err), 0);
        assert_int_equal(end, r.pos);
        assert_int_equal(r.pos % 8, 0);
        assert_int_equal(r.pos, body.len);

        /* The generic skipper walks the same bytes by the signature. */
        mc_dbus_reader_init(&r, body.data, body.len, false);
        sig = MC_DBUS_START_TRANSIENT_UNIT_SIGNATURE;
        while (*sig)
                assert_int_equal(mc_dbus_skip_value(&r, &sig, &err), 0);
        assert_int_equal(r.pos, body.len);

        /* Without a slice: four properties. */
        struct mc_dbus_writer w2 = { 0 };
        mc_dbus_put_start_transient_unit(
                &w2, &(struct mc_dbus_scope_args){ .unit = "u.scope", .mode = "fail", .pid = 1 });
        mc_dbus_reader_init(&r, w2.data, w2.len, false);
        sig = MC_DBUS_START_TRANSIENT_UNIT_SIGNATURE;
        while (*sig)
                assert_int_equal(mc_dbus_skip_value(&r, &sig, &err), 0);
        assert_int_equal(r.pos, w2.len);
        assert_true(w2.len < body.len);
        mc_dbus_writer_done(&w2);

        /* A whole call with it parses back. */
        uint8_t *msg;
        size_t len;
        struct mc_dbus_header h;
        assert_int_equal(
                mc_dbus_build_call(
                        &(struct mc_dbus_call){ .destination = "org.freedesktop.systemd1",
                                                .path = "/org/freedesktop/systemd1",
                                                .interface = "org.freedesktop.systemd1.Manager",
                                                .member = "StartTransientUnit",
                                                .signature = MC_DBUS_START_TRANSIENT_UNIT_SIGNATURE },
                        &body, 3, &msg, &len, &err),
                0);
        assert_int_equal(mc_dbus_parse_header(msg, len, &h, &err), 0);
        assert_string_equal(h.destination, "org.freedesktop.systemd1");
        assert_string_equal(h.signature, MC_DBUS_START_TRANSIENT_UNIT_SIGNATURE);
        assert_int_equal(h.body_offset + h.body_len, len);
        assert_memory_equal(msg + h.body_offset, body.data, body.len);
        free(msg);
        mc_dbus_writer_done(&body);
}

static void test_writer_refuses(void **state)
{
        struct mc_dbus_writer w = { 0 };
        struct mc_error err = { 0 };
        uint8_t *msg = NULL;
        size_t len;

        (void)state;
        mc_dbus_put_string(&w, "caf\xc3"); /* a cut UTF-8 sequence */
        assert_int_equal(w.error, -EINVAL);
        assert_int_equal(mc_dbus_build_call(
                                 &(struct mc_dbus_call){
                                         .path = "/a", .interface = "b.c", .member = "M", .signature = "s" },
                                 &w, 1, &msg, &len, &err),
                         -EINVAL);
        assert_null(msg);
        mc_dbus_writer_done(&w);
        assert_int_equal(mc_dbus_build_call(
                                 &(struct mc_dbus_call){ .path = "/a/", .interface = "b.c", .member = "M" },
                                 NULL, 1, &msg, &len, &err),
                         -EINVAL);
        assert_int_equal(
                mc_dbus_build_call(&(struct mc_dbus_call){ .path = "/a", .interface = "b.c", .member = "M" },
                                   NULL, 0, &msg, &len, &err),
                -EINVAL);
}

static void test_read_replies(void **state)
{
        struct mc_error err = { 0 };
        struct mc_dbus_header h;
        uint8_t *msg;
        size_t len;
        const char *s;

        (void)state;
        /* The reply of StartTransientUnit: the job. */
        struct mc_dbus_writer b = { 0 };
        mc_dbus_put_object_path(&b, "/org/freedesktop/systemd1/job/42");
        len = make_message(
                &(struct fields){ .type = MC_DBUS_METHOD_RETURN, .reply_serial = 1, .signature = "o" }, &b,
                &msg);
        mc_dbus_writer_done(&b);
        assert_int_equal(mc_dbus_parse_header(msg, len, &h, &err), 0);
        assert_int_equal(h.reply_serial, 1);
        assert_int_equal(mc_dbus_read_reply_path(&h, msg, len, &s, &err), 0);
        assert_string_equal(s, "/org/freedesktop/systemd1/job/42");
        /* The body cut short. */
        assert_int_equal(mc_dbus_read_reply_path(&h, msg, len - 1, &s, &err), -EBADMSG);
        free(msg);

        /* An error: its name and message. */
        mc_dbus_put_string(&b, "Unit name x is not valid.");
        len = make_message(&(struct fields){ .type = MC_DBUS_ERROR,
                                             .reply_serial = 1,
                                             .error_name = "org.freedesktop.DBus.Error.InvalidArgs",
                                             .signature = "s" },
                           &b, &msg);
        mc_dbus_writer_done(&b);
        assert_int_equal(mc_dbus_parse_header(msg, len, &h, &err), 0);
        assert_string_equal(h.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
        assert_int_equal(mc_dbus_read_error_message(&h, msg, len, &s, &err), 0);
        assert_string_equal(s, "Unit name x is not valid.");
        /* Not the "o" of a method return. */
        assert_int_equal(mc_dbus_read_reply_path(&h, msg, len, &s, &err), -EBADMSG);
        free(msg);

        /* JobRemoved. */
        mc_dbus_put_u32(&b, 42);
        mc_dbus_put_object_path(&b, "/org/freedesktop/systemd1/job/42");
        mc_dbus_put_string(&b, "memcage-db-1.scope");
        mc_dbus_put_string(&b, "done");
        len = make_message(&(struct fields){ .type = MC_DBUS_SIGNAL,
                                             .path = "/org/freedesktop/systemd1",
                                             .interface = "org.freedesktop.systemd1.Manager",
                                             .member = "JobRemoved",
                                             .signature = "uoss" },
                           &b, &msg);
        mc_dbus_writer_done(&b);
        struct mc_dbus_job_removed j;
        assert_int_equal(mc_dbus_parse_header(msg, len, &h, &err), 0);
        assert_string_equal(h.member, "JobRemoved");
        assert_int_equal(mc_dbus_read_job_removed(&h, msg, len, &j, &err), 0);
        assert_int_equal(j.id, 42);
        assert_string_equal(j.job, "/org/freedesktop/systemd1/job/42");
        assert_string_equal(j.unit, "memcage-db-1.scope");
        assert_string_equal(j.result, "done");
        /* The job path's NUL replaced: its string runs into the next length. */
        size_t at = h.body_offset + 8 + strlen("/org/freedesktop/systemd1/job/42");
        assert_int_equal(msg[at], 0);
        msg[at] = 'x';
        assert_int_equal(mc_dbus_read_job_removed(&h, msg, len, &j, &err), -EBADMSG);
        assert_non_null(strstr(err.msg, "NUL"));
        free(msg);

        /* A signal must have PATH, INTERFACE and MEMBER. */
        len = make_message(&(struct fields){ .type = MC_DBUS_SIGNAL, .path = "/", .member = "X" }, NULL,
                           &msg);
        assert_int_equal(mc_dbus_parse_header(msg, len, &h, &err), -EBADMSG);
        free(msg);
}

/* The same reply in big-endian byte order, by hand. */
static void test_big_endian(void **state)
{
        static const uint8_t m[] = {
                'B', 2, 0,   1, 0,   0,   0,   9,   0,
                0,   0, 7,   0, 0,   0,   15,          /* body 9, serial 7, fields 16..30 */
                5,   1, 'u', 0, 0,   0,   0,   1,      /* REPLY_SERIAL 1 */
                8,   1, 'g', 0, 1,   'o', 0,           /* SIGNATURE "o" */
                0,                                     /* padding to 32 */
                0,   0, 0,   4, '/', 'j', '/', '1', 0, /* "/j/1" */
        };
        struct mc_error err = { 0 };
        struct mc_dbus_header h;
        const char *s;

        (void)state;
        assert_int_equal(mc_dbus_parse_header(m, sizeof(m), &h, &err), 0);
        assert_true(h.big_endian);
        assert_int_equal(h.serial, 7);
        assert_int_equal(h.reply_serial, 1);
        assert_int_equal(mc_dbus_read_reply_path(&h, m, sizeof(m), &s, &err), 0);
        assert_string_equal(s, "/j/1");
}

static void expect_refused(const uint8_t *m, size_t len, const char *why)
{
        struct mc_error err = { 0 };
        struct mc_dbus_header h;

        assert_int_equal(mc_dbus_parse_header(m, len, &h, &err), -EBADMSG);
        assert_int_equal(err.code, EBADMSG);
        if (!strstr(err.msg, why))
                fail_msg("refused for '%s', expected '%s'", err.msg, why);
}

static void test_refusals(void **state)
{
        uint8_t m[80];
        size_t len;
        size_t hl, total;
        struct mc_error err = { 0 };

        (void)state;
        expected_small_call(m, &len);
        expect_refused(m, 10, "header cut short");
        expect_refused(m, 40, "header fields past the end");
        /* The fields' length past the buffer. */
        m[12] = 200;
        expect_refused(m, len, "past the end");
        expected_small_call(m, &len);
        /* Padding not zero, between PATH and INTERFACE. */
        m[28] = 1;
        expect_refused(m, len, "non-zero padding");
        expected_small_call(m, &len);
        /* "/a" without its NUL. */
        m[26] = 'x';
        expect_refused(m, len, "string without its NUL");
        expected_small_call(m, &len);
        /* A NUL inside "b.c". */
        m[41] = 0;
        expect_refused(m, len, "NUL inside a string");
        expected_small_call(m, &len);
        /* An invalid signature value, and a variant that is not one type. */
        m[69] = 'z';
        expect_refused(m, len, "invalid signature");
        expected_small_call(m, &len);
        m[18] = 's';
        expect_refused(m, len, "header field 1 of type 's'");
        expected_small_call(m, &len);
        /* An object path with an empty element. */
        m[25] = '/';
        expect_refused(m, len, "invalid object path");
        expected_small_call(m, &len);
        /* Neither byte order, another version, type 0, serial 0. */
        m[0] = 'x';
        expect_refused(m, len, "byte order");
        expected_small_call(m, &len);
        m[3] = 2;
        expect_refused(m, len, "version 2");
        expected_small_call(m, &len);
        m[1] = 0;
        expect_refused(m, len, "type 0");
        expected_small_call(m, &len);
        m[8] = 0;
        expect_refused(m, len, "serial 0");
        expected_small_call(m, &len);
        /* A body length past 128 MiB, fields past 64 MiB. */
        m[4] = 0, m[5] = 0, m[6] = 0, m[7] = 0x08;
        assert_int_equal(mc_dbus_message_size(m, len, &hl, &total, &err), -EBADMSG);
        assert_non_null(strstr(err.msg, "more than 128 MiB"));
        expected_small_call(m, &len);
        m[12] = 1, m[13] = 0, m[14] = 0, m[15] = 0x04;
        expect_refused(m, len, "longer than 64 MiB");
        expected_small_call(m, &len);
        /* The body's length within the limits: the header still parses, the body is then checked. */
        m[4] = 0, m[5] = 0, m[6] = 0x10;
        assert_int_equal(mc_dbus_message_size(m, len, &hl, &total, &err), 0);
        assert_int_equal(hl, 72);
        assert_int_equal(total, 72 + 0x100000);
        assert_true(total > MC_DBUS_MESSAGE_CAP); /* what systemd-scope.c drops by its length */
}

static void test_validators(void **state)
{
        (void)state;
        assert_true(mc_dbus_signature_valid(""));
        assert_true(mc_dbus_signature_valid("ssa(sv)a(sa(sv))"));
        assert_true(mc_dbus_signature_valid("a{sv}"));
        assert_false(mc_dbus_signature_valid("a"));
        assert_false(mc_dbus_signature_valid("()"));
        assert_false(mc_dbus_signature_valid("(s"));
        assert_false(mc_dbus_signature_valid("{sv}"));
        assert_false(mc_dbus_signature_valid("a{vs}"));
        assert_false(mc_dbus_signature_valid("a{ss"));
        assert_false(mc_dbus_signature_valid("z"));
        char deep[40];
        memset(deep, 'a', 33);
        strcpy(deep + 33, "y");
        assert_false(mc_dbus_signature_valid(deep));
        strcpy(deep + 32, "y");
        assert_true(mc_dbus_signature_valid(deep + 1));

        assert_true(mc_dbus_object_path_valid("/"));
        assert_true(mc_dbus_object_path_valid("/org/freedesktop/systemd1/job/42"));
        assert_false(mc_dbus_object_path_valid(""));
        assert_false(mc_dbus_object_path_valid("//"));
        assert_false(mc_dbus_object_path_valid("/a/"));
        assert_false(mc_dbus_object_path_valid("/a-b"));
        assert_false(mc_dbus_object_path_valid("a"));

        assert_true(mc_dbus_utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14));
        assert_false(mc_dbus_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
        assert_false(mc_dbus_utf8_valid("\xed\xa0\x80", 3));     /* a surrogate */
        assert_false(mc_dbus_utf8_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
        assert_false(mc_dbus_utf8_valid("\xe2\x82", 2));         /* cut short */
        assert_false(mc_dbus_utf8_valid("\xff", 1));
}

/* A{sv} (PropertiesChanged's), skipped by its signature: a dict entry is a type only inside an array. */
static void test_skip_dict(void **state)
{
        struct mc_dbus_writer w = { 0 };
        struct mc_dbus_array a;
        struct mc_dbus_reader r;
        struct mc_error err = { 0 };
        const char *sig = "a{sv}y";

        (void)state;
        mc_dbus_open_array(&w, 8, &a);
        mc_dbus_open_struct(&w);
        mc_dbus_put_string(&w, "ActiveState");
        mc_dbus_open_variant(&w, "s");
        mc_dbus_put_string(&w, "active");
        mc_dbus_close_array(&w, &a);
        mc_dbus_put_byte(&w, 7);
        mc_dbus_reader_init(&r, w.data, w.len, false);
        assert_int_equal(mc_dbus_skip_value(&r, &sig, &err), 0);
        assert_string_equal(sig, "y");
        assert_int_equal(mc_dbus_skip_value(&r, &sig, &err), 0);
        assert_int_equal(r.pos, w.len);
        /* The array's length one short: its element runs past it. */
        w.data[0]--;
        mc_dbus_reader_init(&r, w.data, w.len, false);
        sig = "a{sv}";
        assert_int_equal(mc_dbus_skip_value(&r, &sig, &err), -EBADMSG);
        mc_dbus_writer_done(&w);
}

/* A variant inside a variant, 70 levels deep: refused at the specification's 64, not a deep recursion. */
static void test_nesting_limit(void **state)
{
        struct mc_dbus_writer w = { 0 };
        struct mc_dbus_reader r;
        struct mc_error err = { 0 };
        const char *sig = "v";

        (void)state;
        for (int i = 0; i < 70; i++)
                mc_dbus_put_signature(&w, "v");
        mc_dbus_put_signature(&w, "y");
        mc_dbus_put_byte(&w, 1);
        mc_dbus_reader_init(&r, w.data, w.len, false);
        assert_int_equal(mc_dbus_skip_value(&r, &sig, &err), -EBADMSG);
        assert_non_null(strstr(err.msg, "nested too deep"));
        mc_dbus_writer_done(&w);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_build_small_call),
                cmocka_unit_test(test_start_transient_unit_round_trip),
                cmocka_unit_test(test_writer_refuses),
                cmocka_unit_test(test_read_replies),
                cmocka_unit_test(test_big_endian),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_validators),
                cmocka_unit_test(test_skip_dict),
                cmocka_unit_test(test_nesting_limit),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
