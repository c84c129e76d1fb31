/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The D-Bus wire format, as much of it as memcage's one conversation with a
 * systemd manager needs (systemd-scope.c): building a method call, and
 * reading the messages that come back. Pure code, no I/O, so unit tests and
 * the fuzzer feed it bytes.
 *
 * Messages memcage builds are little-endian, protocol version 1. Incoming
 * ones may be of either byte order; everything in them is checked against
 * the buffer and the specification's rules (lengths, alignment padding
 * being zero, strings NUL-terminated with no NUL inside and valid UTF-8,
 * signatures and object paths well formed, nesting depth) before it is
 * used. Pointers handed out by the readers point into the caller's buffer.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The specification's limits; memcage reads nothing near them (MC_DBUS_MESSAGE_CAP). */
#define MC_DBUS_MESSAGE_MAX   (UINT32_C(1) << 27) /* 128 MiB */
#define MC_DBUS_ARRAY_MAX     (UINT32_C(1) << 26) /* 64 MiB */
#define MC_DBUS_SIGNATURE_MAX 255
/* The largest message memcage keeps: the replies and signals it reads are a few hundred bytes. */
#define MC_DBUS_MESSAGE_CAP (UINT32_C(1) << 20)
/* The fixed part of a header: endianness, type, flags, version, body length, serial, fields length. */
#define MC_DBUS_FIXED_HEADER 16

enum mc_dbus_type {
        MC_DBUS_METHOD_CALL = 1,
        MC_DBUS_METHOD_RETURN = 2,
        MC_DBUS_ERROR = 3,
        MC_DBUS_SIGNAL = 4,
};

/* Header field codes (the byte of each (yv) entry of the header's field array). */
enum mc_dbus_field {
        MC_DBUS_FIELD_PATH = 1,
        MC_DBUS_FIELD_INTERFACE = 2,
        MC_DBUS_FIELD_MEMBER = 3,
        MC_DBUS_FIELD_ERROR_NAME = 4,
        MC_DBUS_FIELD_REPLY_SERIAL = 5,
        MC_DBUS_FIELD_DESTINATION = 6,
        MC_DBUS_FIELD_SENDER = 7,
        MC_DBUS_FIELD_SIGNATURE = 8,
        MC_DBUS_FIELD_UNIX_FDS = 9,
};

/* The flag of a message that wants no reply. */
#define MC_DBUS_FLAG_NO_REPLY_EXPECTED 0x1

/*
 * A growing little-endian buffer to marshal into. Offsets (and so alignment)
 * count from its start, which is the start of a message or of a body (bodies
 * start 8-aligned). Errors are sticky: the first one (-ENOMEM, -EINVAL for a
 * value D-Bus cannot carry, -E2BIG past the limits) is kept in error and
 * every later append does nothing.
 */
struct mc_dbus_writer {
        uint8_t *data;
        size_t len, cap;
        int error;
};

/* Where an open array's length goes and where its elements start. */
struct mc_dbus_array {
        size_t len_at, start;
};

void mc_dbus_writer_done(struct mc_dbus_writer *w);
void mc_dbus_put_byte(struct mc_dbus_writer *w, uint8_t v);
void mc_dbus_put_bool(struct mc_dbus_writer *w, bool v);
void mc_dbus_put_u32(struct mc_dbus_writer *w, uint32_t v);
/* 's': UTF-8 without NUL; 'o': an object path; 'g': a valid signature. */
void mc_dbus_put_string(struct mc_dbus_writer *w, const char *s);
void mc_dbus_put_object_path(struct mc_dbus_writer *w, const char *s);
void mc_dbus_put_signature(struct mc_dbus_writer *w, const char *s);
/* An array of elements aligned to elem_align (the alignment of its element type: 1, 4 or 8). */
void mc_dbus_open_array(struct mc_dbus_writer *w, unsigned elem_align, struct mc_dbus_array *ret);
void mc_dbus_close_array(struct mc_dbus_writer *w, const struct mc_dbus_array *a);
/* A struct (or dict entry) starts 8-aligned; a variant is its signature, then the value. */
void mc_dbus_open_struct(struct mc_dbus_writer *w);
void mc_dbus_open_variant(struct mc_dbus_writer *w, const char *signature);

struct mc_dbus_call {
        const char *destination; /* NULL: none (a peer-to-peer connection ignores it) */
        const char *path;
        const char *interface;
        const char *member;
        const char *signature; /* of body; NULL or "" for none */
};

/*
 * A whole METHOD_CALL message with serial (non-zero) and body (the bytes of
 * a writer, matching call->signature; NULL for none) into a malloc'd
 * *ret_data of *ret_len bytes.
 */
int mc_dbus_build_call(const struct mc_dbus_call *call, const struct mc_dbus_writer *body, uint32_t serial,
                       uint8_t **ret_data, size_t *ret_len, struct mc_error *err);

/* org.freedesktop.systemd1.Manager.StartTransientUnit's arguments, for a scope holding one process. */
struct mc_dbus_scope_args {
        const char *unit;        /* "memcage-db-1234.scope" */
        const char *mode;        /* "fail" */
        const char *description; /* Description */
        uint32_t pid;            /* PIDs = [pid] */
        const char *slice;       /* Slice, NULL: none (the manager's default) */
};

#define MC_DBUS_START_TRANSIENT_UNIT_SIGNATURE "ssa(sv)a(sa(sv))"

/* The body (MC_DBUS_START_TRANSIENT_UNIT_SIGNATURE) into w: also Delegate=yes and
 * CollectMode=inactive-or-failed. */
void mc_dbus_put_start_transient_unit(struct mc_dbus_writer *w, const struct mc_dbus_scope_args *a);

/* true when s is a well-formed signature (complete types, at most 255 bytes, nesting within the limits). */
bool mc_dbus_signature_valid(const char *s);
/* true when s is a well-formed object path ("/", or "/a/b_1" without empty or trailing elements). */
bool mc_dbus_object_path_valid(const char *s);
/* true when the len bytes at s are valid UTF-8 (no overlong forms, surrogates or values past U+10FFFF). */
bool mc_dbus_utf8_valid(const char *s, size_t len);

/*
 * From the first MC_DBUS_FIXED_HEADER bytes of a message: the length of its
 * header (fixed part and fields, padded to 8: where the body starts) and its
 * whole length. -EBADMSG for an unknown byte order or protocol version, or
 * lengths past the specification's limits.
 */
int mc_dbus_message_size(const uint8_t *data, size_t len, size_t *ret_header_len, size_t *ret_total,
                         struct mc_error *err);

struct mc_dbus_header {
        bool big_endian;
        uint8_t type, flags;
        uint32_t body_len, serial;
        uint32_t reply_serial; /* 0: none */
        const char *path, *interface, *member, *error_name, *destination, *sender;
        const char *signature; /* "" when absent */
        size_t body_offset;    /* = the header length */
};

/*
 * Parses the header of the message at data: len must reach at least the end
 * of the header (mc_dbus_message_size), and need not hold the body. Checks
 * each field's type and value and the fields each message type must have;
 * unknown fields are skipped, as the specification says. -EBADMSG.
 */
int mc_dbus_parse_header(const uint8_t *data, size_t len, struct mc_dbus_header *ret, struct mc_error *err);

/*
 * A reader over a body (or a message: alignment counts from data, which
 * starts a message or an 8-aligned body). Every read checks the bytes exist
 * and the padding before them is zero; -EBADMSG with err set otherwise.
 */
struct mc_dbus_reader {
        const uint8_t *data;
        size_t len, pos;
        bool big_endian;
};

void mc_dbus_reader_init(struct mc_dbus_reader *r, const uint8_t *data, size_t len, bool big_endian);
int mc_dbus_read_byte(struct mc_dbus_reader *r, uint8_t *ret, struct mc_error *err);
int mc_dbus_read_bool(struct mc_dbus_reader *r, bool *ret, struct mc_error *err);
int mc_dbus_read_u32(struct mc_dbus_reader *r, uint32_t *ret, struct mc_error *err);
int mc_dbus_read_string(struct mc_dbus_reader *r, const char **ret, struct mc_error *err);
int mc_dbus_read_object_path(struct mc_dbus_reader *r, const char **ret, struct mc_error *err);
int mc_dbus_read_signature(struct mc_dbus_reader *r, const char **ret, struct mc_error *err);
/* Reads an array's length and padding; its elements end at *ret_end (read while r->pos < *ret_end). */
int mc_dbus_enter_array(struct mc_dbus_reader *r, unsigned elem_align, size_t *ret_end,
                        struct mc_error *err);
int mc_dbus_enter_struct(struct mc_dbus_reader *r, struct mc_error *err);
/* Skips one value of the single complete type at *sig, advancing *sig past it. */
int mc_dbus_skip_value(struct mc_dbus_reader *r, const char **sig, struct mc_error *err);

/*
 * The bodies memcage reads, from the message at data (len: the whole
 * message) with its parsed header: a method return "o" (the job of
 * StartTransientUnit), an error's message ("s..."; NULL when the body has
 * none) and systemd's JobRemoved signal "uoss" (id, job, unit, result).
 */
int mc_dbus_read_reply_path(const struct mc_dbus_header *h, const uint8_t *data, size_t len,
                            const char **ret, struct mc_error *err);
int mc_dbus_read_error_message(const struct mc_dbus_header *h, const uint8_t *data, size_t len,
                               const char **ret, struct mc_error *err);
struct mc_dbus_job_removed {
        uint32_t id;
        const char *job, *unit, *result;
};
int mc_dbus_read_job_removed(const struct mc_dbus_header *h, const uint8_t *data, size_t len,
                             struct mc_dbus_job_removed *ret, struct mc_error *err);
