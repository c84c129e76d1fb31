/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The D-Bus wire format (dbus-message.h), written from the specification's
 * "Message Protocol" chapter: a message is a header (byte order, type,
 * flags, version, body length, serial, then an array of (byte code, variant
 * value) fields), padding to 8, and the body. Each value is aligned to its
 * type's size (strings and arrays to 4 for their length, structs and dict
 * entries to 8, variants and signatures to 1), counting from the start of
 * the message.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dbus-message.h"

/* The specification's nesting limits: 32 arrays, 32 structs, 64 containers with variants. */
#define DEPTH_ARRAY_MAX  32
#define DEPTH_STRUCT_MAX 32
#define DEPTH_TOTAL_MAX  64

/* Signatures */

static bool type_is_basic(char c)
{
        return c != '\0' && strchr("ybnqiuxtdsogh", c);
}

/* One complete type at s + *pos, advancing *pos past it. */
static bool parse_complete_type(const char *s, size_t *pos, unsigned arrays, unsigned structs)
{
        char c = s[*pos];

        if (type_is_basic(c) || c == 'v') {
                (*pos)++;
                return true;
        }
        if (c == 'a') {
                if (++arrays > DEPTH_ARRAY_MAX)
                        return false;
                (*pos)++;
                if (s[*pos] != '{')
                        return parse_complete_type(s, pos, arrays, structs);
                /* A dict entry, only as an array's element: a basic key and one value. */
                if (++structs > DEPTH_STRUCT_MAX)
                        return false;
                (*pos)++;
                if (!type_is_basic(s[*pos]))
                        return false;
                (*pos)++;
                if (!parse_complete_type(s, pos, arrays, structs) || s[*pos] != '}')
                        return false;
                (*pos)++;
                return true;
        }
        if (c == '(') {
                if (++structs > DEPTH_STRUCT_MAX)
                        return false;
                (*pos)++;
                if (s[*pos] == ')')
                        return false; /* an empty struct is not a type */
                while (s[*pos] != ')')
                        if (!parse_complete_type(s, pos, arrays, structs))
                                return false;
                (*pos)++;
                return true;
        }
        return false;
}

bool mc_dbus_signature_valid(const char *s)
{
        size_t len = strlen(s), pos = 0;

        if (len > MC_DBUS_SIGNATURE_MAX)
                return false;
        while (pos < len)
                if (!parse_complete_type(s, &pos, 0, 0))
                        return false;
        return true;
}

/* A variant's signature holds exactly one complete type. */
static bool signature_is_single(const char *s)
{
        size_t pos = 0;

        return strlen(s) <= MC_DBUS_SIGNATURE_MAX && parse_complete_type(s, &pos, 0, 0) && s[pos] == '\0';
}

bool mc_dbus_object_path_valid(const char *s)
{
        if (s[0] != '/')
                return false;
        if (s[1] == '\0')
                return true;
        for (const char *p = s + 1;; p++) {
                if (*p == '/' || *p == '\0') {
                        if (p[-1] == '/')
                                return false; /* an empty element, or a trailing '/' */
                        if (*p == '\0')
                                return true;
                } else if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                             (*p >= '0' && *p <= '9') || *p == '_'))
                        return false;
        }
}

bool mc_dbus_utf8_valid(const char *str, size_t len)
{
        const unsigned char *s = (const unsigned char *)str;

        for (size_t i = 0; i < len;) {
                unsigned char c = s[i];
                uint32_t cp;
                size_t n;

                if (c < 0x80) {
                        i++;
                        continue;
                }
                if (c >= 0xc2 && c <= 0xdf) {
                        n = 1;
                        cp = c & 0x1f;
                } else if (c >= 0xe0 && c <= 0xef) {
                        n = 2;
                        cp = c & 0x0f;
                } else if (c >= 0xf0 && c <= 0xf4) {
                        n = 3;
                        cp = c & 0x07;
                } else
                        return false;
                if (len - i - 1 < n)
                        return false;
                for (size_t k = 1; k <= n; k++) {
                        if ((s[i + k] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (s[i + k] & 0x3f);
                }
                if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
                    (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                i += n + 1;
        }
        return true;
}

/* Writing */

static bool writer_reserve(struct mc_dbus_writer *w, size_t n)
{
        if (w->error)
                return false;
        if (n > MC_DBUS_MESSAGE_MAX - w->len) {
                w->error = -E2BIG;
                return false;
        }
        if (w->len + n > w->cap) {
                size_t cap = w->cap ? w->cap : 256;
                while (cap < w->len + n)
                        cap *= 2;
                uint8_t *d = realloc(w->data, cap);
                if (!d) {
                        w->error = -ENOMEM;
                        return false;
                }
                w->data = d;
                w->cap = cap;
        }
        return true;
}

static void writer_append(struct mc_dbus_writer *w, const void *p, size_t n)
{
        /* Nothing to add (padding already aligned) leaves an empty writer's data NULL, for memcpy too. */
        if (n == 0 || !writer_reserve(w, n))
                return;
        memcpy(w->data + w->len, p, n);
        w->len += n;
}

static void writer_pad(struct mc_dbus_writer *w, unsigned align)
{
        static const uint8_t zeros[8];
        size_t n = (align - w->len % align) % align;

        writer_append(w, zeros, n);
}

void mc_dbus_writer_done(struct mc_dbus_writer *w)
{
        free(w->data);
        *w = (struct mc_dbus_writer){ 0 };
}

void mc_dbus_put_byte(struct mc_dbus_writer *w, uint8_t v)
{
        writer_append(w, &v, 1);
}

static void store_u32_le(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
        p[2] = (uint8_t)(v >> 16);
        p[3] = (uint8_t)(v >> 24);
}

void mc_dbus_put_u32(struct mc_dbus_writer *w, uint32_t v)
{
        uint8_t b[4];

        writer_pad(w, 4);
        store_u32_le(b, v);
        writer_append(w, b, sizeof(b));
}

void mc_dbus_put_bool(struct mc_dbus_writer *w, bool v)
{
        mc_dbus_put_u32(w, v ? 1 : 0);
}

static void put_string_unchecked(struct mc_dbus_writer *w, const char *s)
{
        size_t len = strlen(s);

        if (len > MC_DBUS_MESSAGE_MAX) {
                if (!w->error)
                        w->error = -E2BIG;
                return;
        }
        mc_dbus_put_u32(w, (uint32_t)len);
        writer_append(w, s, len + 1);
}

static void writer_refuse(struct mc_dbus_writer *w)
{
        if (!w->error)
                w->error = -EINVAL;
}

void mc_dbus_put_string(struct mc_dbus_writer *w, const char *s)
{
        if (!mc_dbus_utf8_valid(s, strlen(s))) {
                writer_refuse(w);
                return;
        }
        put_string_unchecked(w, s);
}

void mc_dbus_put_object_path(struct mc_dbus_writer *w, const char *s)
{
        if (!mc_dbus_object_path_valid(s)) {
                writer_refuse(w);
                return;
        }
        put_string_unchecked(w, s);
}

void mc_dbus_put_signature(struct mc_dbus_writer *w, const char *s)
{
        if (!mc_dbus_signature_valid(s)) {
                writer_refuse(w);
                return;
        }
        mc_dbus_put_byte(w, (uint8_t)strlen(s));
        writer_append(w, s, strlen(s) + 1);
}

void mc_dbus_open_array(struct mc_dbus_writer *w, unsigned elem_align, struct mc_dbus_array *ret)
{
        mc_dbus_put_u32(w, 0); /* the length, filled in by mc_dbus_close_array() */
        ret->len_at = w->len - 4;
        /* The padding to the first element is there even when there is none, and not counted. */
        writer_pad(w, elem_align);
        ret->start = w->len;
}

void mc_dbus_close_array(struct mc_dbus_writer *w, const struct mc_dbus_array *a)
{
        if (w->error)
                return;
        if (w->len - a->start > MC_DBUS_ARRAY_MAX) {
                w->error = -E2BIG;
                return;
        }
        store_u32_le(w->data + a->len_at, (uint32_t)(w->len - a->start));
}

void mc_dbus_open_struct(struct mc_dbus_writer *w)
{
        writer_pad(w, 8);
}

void mc_dbus_open_variant(struct mc_dbus_writer *w, const char *signature)
{
        if (!signature_is_single(signature)) {
                writer_refuse(w);
                return;
        }
        mc_dbus_put_signature(w, signature);
}

/* One (yv) header field whose value is a string, object path or signature. */
static void put_field_string(struct mc_dbus_writer *w, uint8_t code, const char *type, const char *value)
{
        mc_dbus_open_struct(w);
        mc_dbus_put_byte(w, code);
        mc_dbus_open_variant(w, type);
        if (type[0] == 'o')
                mc_dbus_put_object_path(w, value);
        else if (type[0] == 'g')
                mc_dbus_put_signature(w, value);
        else
                mc_dbus_put_string(w, value);
}

int mc_dbus_build_call(const struct mc_dbus_call *call, const struct mc_dbus_writer *body, uint32_t serial,
                       uint8_t **ret_data, size_t *ret_len, struct mc_error *err)
{
        struct mc_dbus_writer w = { 0 };
        struct mc_dbus_array fields;
        const char *sig = call->signature ? call->signature : "";
        size_t body_len = body ? body->len : 0;

        if (body && body->error)
                return mc_error_errno(err, -body->error, "build the body of %s", call->member);
        if (serial == 0 || !call->member || !call->member[0] || !call->interface || !call->interface[0] ||
            (body_len > 0 && !sig[0]))
                return mc_error_set(err, EINVAL,
                                    "a D-Bus method call needs a member, an interface, a "
                                    "serial, and a signature for its body");
        if (body_len > MC_DBUS_MESSAGE_MAX)
                return mc_error_set(err, E2BIG, "the body of %s is too large for D-Bus", call->member);

        mc_dbus_put_byte(&w, 'l');
        mc_dbus_put_byte(&w, MC_DBUS_METHOD_CALL);
        mc_dbus_put_byte(&w, 0);
        mc_dbus_put_byte(&w, 1); /* protocol version */
        mc_dbus_put_u32(&w, (uint32_t)body_len);
        mc_dbus_put_u32(&w, serial);
        mc_dbus_open_array(&w, 8, &fields);
        put_field_string(&w, MC_DBUS_FIELD_PATH, "o", call->path);
        put_field_string(&w, MC_DBUS_FIELD_INTERFACE, "s", call->interface);
        put_field_string(&w, MC_DBUS_FIELD_MEMBER, "s", call->member);
        if (call->destination)
                put_field_string(&w, MC_DBUS_FIELD_DESTINATION, "s", call->destination);
        if (sig[0])
                put_field_string(&w, MC_DBUS_FIELD_SIGNATURE, "g", sig);
        mc_dbus_close_array(&w, &fields);
        writer_pad(&w, 8);
        if (body_len)
                writer_append(&w, body->data, body_len);
        if (w.error) {
                int r = w.error;
                mc_dbus_writer_done(&w);
                return r == -EINVAL ? mc_error_set(err, EINVAL,
                                                   "%s cannot be sent over D-Bus: a path, name or "
                                                   "signature is not valid",
                                                   call->member)
                                    : mc_error_errno(err, -r, "build the D-Bus call %s", call->member);
        }
        *ret_data = w.data;
        *ret_len = w.len;
        return 0;
}

/* One (sv) of a property list. */
static void put_property_string(struct mc_dbus_writer *w, const char *name, const char *value)
{
        mc_dbus_open_struct(w);
        mc_dbus_put_string(w, name);
        mc_dbus_open_variant(w, "s");
        mc_dbus_put_string(w, value);
}

void mc_dbus_put_start_transient_unit(struct mc_dbus_writer *w, const struct mc_dbus_scope_args *a)
{
        struct mc_dbus_array props, pids, aux;

        mc_dbus_put_string(w, a->unit);
        mc_dbus_put_string(w, a->mode);
        mc_dbus_open_array(w, 8, &props);
        put_property_string(w, "Description", a->description ? a->description : "");
        mc_dbus_open_struct(w);
        mc_dbus_put_string(w, "PIDs");
        mc_dbus_open_variant(w, "au");
        mc_dbus_open_array(w, 4, &pids);
        mc_dbus_put_u32(w, a->pid);
        mc_dbus_close_array(w, &pids);
        mc_dbus_open_struct(w);
        mc_dbus_put_string(w, "Delegate");
        mc_dbus_open_variant(w, "b");
        mc_dbus_put_bool(w, true);
        /* Collected even when it failed: a failed scope would otherwise stay listed until reset. */
        put_property_string(w, "CollectMode", "inactive-or-failed");
        if (a->slice)
                put_property_string(w, "Slice", a->slice);
        mc_dbus_close_array(w, &props);
        /* No auxiliary units. */
        mc_dbus_open_array(w, 8, &aux);
        mc_dbus_close_array(w, &aux);
}

/* Reading */

static int bad(struct mc_error *err, const char *what, size_t at)
{
        return mc_error_set(err, EBADMSG, "malformed D-Bus message: %s at byte %zu", what, at);
}

static uint32_t load_u32(const uint8_t *p, bool big_endian)
{
        if (big_endian)
                return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

void mc_dbus_reader_init(struct mc_dbus_reader *r, const uint8_t *data, size_t len, bool big_endian)
{
        *r = (struct mc_dbus_reader){ .data = data, .len = len, .big_endian = big_endian };
}

/* Skips the padding to align, which must be zero bytes within the buffer. */
static int reader_align(struct mc_dbus_reader *r, unsigned align, struct mc_error *err)
{
        size_t to = r->pos + (align - r->pos % align) % align;

        if (to > r->len)
                return bad(err, "padding past the end", r->pos);
        for (; r->pos < to; r->pos++)
                if (r->data[r->pos] != 0)
                        return bad(err, "non-zero padding", r->pos);
        return 0;
}

/* Aligned to align, n bytes must follow: *ret points at them and the reader moves past. */
static int reader_take(struct mc_dbus_reader *r, unsigned align, size_t n, const uint8_t **ret,
                       struct mc_error *err)
{
        int k = reader_align(r, align, err);
        if (k < 0)
                return k;
        if (n > r->len - r->pos)
                return bad(err, "value past the end", r->pos);
        *ret = r->data + r->pos;
        r->pos += n;
        return 0;
}

int mc_dbus_read_byte(struct mc_dbus_reader *r, uint8_t *ret, struct mc_error *err)
{
        const uint8_t *p = NULL;
        int k = reader_take(r, 1, 1, &p, err);
        if (k < 0)
                return k;
        *ret = *p;
        return 0;
}

int mc_dbus_read_u32(struct mc_dbus_reader *r, uint32_t *ret, struct mc_error *err)
{
        const uint8_t *p = NULL;
        int k = reader_take(r, 4, 4, &p, err);
        if (k < 0)
                return k;
        *ret = load_u32(p, r->big_endian);
        return 0;
}

int mc_dbus_read_bool(struct mc_dbus_reader *r, bool *ret, struct mc_error *err)
{
        uint32_t v;
        int k = mc_dbus_read_u32(r, &v, err);
        if (k < 0)
                return k;
        if (v > 1)
                return bad(err, "boolean neither 0 nor 1", r->pos - 4);
        *ret = v;
        return 0;
}

/* len bytes and a NUL at the reader, with no NUL among them. */
static int read_chars(struct mc_dbus_reader *r, size_t len, const char **ret, struct mc_error *err)
{
        size_t at = r->pos;

        if (len >= r->len - r->pos)
                return bad(err, "string past the end", at);
        if (r->data[at + len] != '\0')
                return bad(err, "string without its NUL", at);
        if (memchr(r->data + at, '\0', len))
                return bad(err, "NUL inside a string", at);
        *ret = (const char *)r->data + at;
        r->pos += len + 1;
        return 0;
}

int mc_dbus_read_string(struct mc_dbus_reader *r, const char **ret, struct mc_error *err)
{
        uint32_t len;
        const char *s;
        int k = mc_dbus_read_u32(r, &len, err);
        if (k < 0)
                return k;
        k = read_chars(r, len, &s, err);
        if (k < 0)
                return k;
        if (!mc_dbus_utf8_valid(s, len))
                return bad(err, "string not valid UTF-8", r->pos - len - 1);
        *ret = s;
        return 0;
}

int mc_dbus_read_object_path(struct mc_dbus_reader *r, const char **ret, struct mc_error *err)
{
        const char *s;
        int k = mc_dbus_read_string(r, &s, err);
        if (k < 0)
                return k;
        if (!mc_dbus_object_path_valid(s))
                return bad(err, "invalid object path", r->pos - strlen(s) - 1);
        *ret = s;
        return 0;
}

int mc_dbus_read_signature(struct mc_dbus_reader *r, const char **ret, struct mc_error *err)
{
        uint8_t len;
        const char *s;
        int k = mc_dbus_read_byte(r, &len, err);
        if (k < 0)
                return k;
        k = read_chars(r, len, &s, err);
        if (k < 0)
                return k;
        if (!mc_dbus_signature_valid(s))
                return bad(err, "invalid signature", r->pos - len - 1);
        *ret = s;
        return 0;
}

int mc_dbus_enter_array(struct mc_dbus_reader *r, unsigned elem_align, size_t *ret_end, struct mc_error *err)
{
        uint32_t len;
        int k = mc_dbus_read_u32(r, &len, err);
        if (k < 0)
                return k;
        if (len > MC_DBUS_ARRAY_MAX)
                return bad(err, "array longer than 64 MiB", r->pos - 4);
        k = reader_align(r, elem_align, err);
        if (k < 0)
                return k;
        if (len > r->len - r->pos)
                return bad(err, "array past the end", r->pos);
        *ret_end = r->pos + len;
        return 0;
}

int mc_dbus_enter_struct(struct mc_dbus_reader *r, struct mc_error *err)
{
        return reader_align(r, 8, err);
}

static unsigned type_alignment(char c)
{
        switch (c) {
        case 'n':
        case 'q':
                return 2;
        case 'b':
        case 'i':
        case 'u':
        case 'h':
        case 's':
        case 'o':
        case 'a':
                return 4;
        case 'x':
        case 't':
        case 'd':
        case '(':
        case '{':
                return 8;
        default: /* y, g, v */
                return 1;
        }
}

static int skip_value(struct mc_dbus_reader *r, const char **sig, unsigned depth, struct mc_error *err)
{
        const uint8_t *p = NULL;
        const char *s;
        char c = **sig;
        int k;

        if (depth > DEPTH_TOTAL_MAX)
                return bad(err, "values nested too deep", r->pos);
        switch (c) {
        case 'y':
        case 'n':
        case 'q':
        case 'i':
        case 'u':
        case 'h':
        case 'x':
        case 't':
        case 'd': {
                unsigned size = type_alignment(c);
                k = reader_take(r, size, size, &p, err);
                break;
        }
        case 'b': {
                bool b;
                k = mc_dbus_read_bool(r, &b, err);
                break;
        }
        case 's':
                k = mc_dbus_read_string(r, &s, err);
                break;
        case 'o':
                k = mc_dbus_read_object_path(r, &s, err);
                break;
        case 'g':
                k = mc_dbus_read_signature(r, &s, err);
                break;
        case 'v': {
                size_t at = r->pos;
                k = mc_dbus_read_signature(r, &s, err);
                if (k < 0)
                        return k;
                if (!signature_is_single(s))
                        return bad(err, "variant signature not one complete type", at);
                k = skip_value(r, &s, depth + 1, err);
                break;
        }
        case 'a': {
                const char *elem = *sig + 1;
                size_t end, pos = 0;
                /* From the 'a': a dict entry is a complete type only as an array's element. */
                if (!parse_complete_type(*sig, &pos, 0, 0))
                        return bad(err, "invalid array signature", r->pos);
                k = mc_dbus_enter_array(r, type_alignment(elem[0]), &end, err);
                while (k >= 0 && r->pos < end) {
                        const char *e = elem;
                        k = skip_value(r, &e, depth + 1, err);
                }
                if (k >= 0 && r->pos != end)
                        return bad(err, "array element past the array's end", r->pos);
                *sig += pos;
                return k;
        }
        case '(':
        case '{': {
                char close = c == '(' ? ')' : '}';
                k = mc_dbus_enter_struct(r, err);
                for ((*sig)++; k >= 0 && **sig != close;) {
                        if (**sig == '\0')
                                return bad(err, "unterminated struct signature", r->pos);
                        k = skip_value(r, sig, depth + 1, err);
                }
                break;
        }
        default:
                return bad(err, "unknown type in a signature", r->pos);
        }
        if (k >= 0)
                (*sig)++;
        return k;
}

int mc_dbus_skip_value(struct mc_dbus_reader *r, const char **sig, struct mc_error *err)
{
        return skip_value(r, sig, 0, err);
}

int mc_dbus_message_size(const uint8_t *data, size_t len, size_t *ret_header_len, size_t *ret_total,
                         struct mc_error *err)
{
        if (len < MC_DBUS_FIXED_HEADER)
                return bad(err, "header cut short", len);
        if (data[0] != 'l' && data[0] != 'B')
                return mc_error_set(err, EBADMSG,
                                    "malformed D-Bus message: byte order 0x%02x is neither "
                                    "'l' nor 'B'",
                                    data[0]);
        if (data[3] != 1)
                return mc_error_set(err, EBADMSG, "D-Bus protocol version %u, not 1", data[3]);
        bool big_endian = data[0] == 'B';
        uint64_t body_len = load_u32(data + 4, big_endian);
        uint64_t fields_len = load_u32(data + 12, big_endian);
        if (fields_len > MC_DBUS_ARRAY_MAX)
                return bad(err, "header fields longer than 64 MiB", 12);
        uint64_t header_len = (MC_DBUS_FIXED_HEADER + fields_len + 7) / 8 * 8;
        if (header_len + body_len > MC_DBUS_MESSAGE_MAX)
                return mc_error_set(err, EBADMSG, "D-Bus message of %llu bytes, more than 128 MiB",
                                    (unsigned long long)(header_len + body_len));
        *ret_header_len = (size_t)header_len;
        *ret_total = (size_t)(header_len + body_len);
        return 0;
}

int mc_dbus_parse_header(const uint8_t *data, size_t len, struct mc_dbus_header *ret, struct mc_error *err)
{
        struct mc_dbus_header h = { 0 };
        struct mc_dbus_reader r;
        size_t header_len = 0, total = 0, end = 0;
        int k;

        k = mc_dbus_message_size(data, len, &header_len, &total, err);
        if (k < 0)
                return k;
        if (len < header_len)
                return bad(err, "header fields past the end", len);
        h.big_endian = data[0] == 'B';
        h.type = data[1];
        h.flags = data[2];
        h.body_len = load_u32(data + 4, h.big_endian);
        h.serial = load_u32(data + 8, h.big_endian);
        h.body_offset = header_len;
        if (h.type == 0)
                return bad(err, "message type 0", 1);
        if (h.serial == 0)
                return bad(err, "serial 0", 8);

        mc_dbus_reader_init(&r, data, header_len, h.big_endian);
        r.pos = 12;
        k = mc_dbus_enter_array(&r, 8, &end, err);
        while (k >= 0 && r.pos < end) {
                static const char expected[] = {
                        [MC_DBUS_FIELD_PATH] = 'o',         [MC_DBUS_FIELD_INTERFACE] = 's',
                        [MC_DBUS_FIELD_MEMBER] = 's',       [MC_DBUS_FIELD_ERROR_NAME] = 's',
                        [MC_DBUS_FIELD_REPLY_SERIAL] = 'u', [MC_DBUS_FIELD_DESTINATION] = 's',
                        [MC_DBUS_FIELD_SENDER] = 's',       [MC_DBUS_FIELD_SIGNATURE] = 'g',
                        [MC_DBUS_FIELD_UNIX_FDS] = 'u'
                };
                const char **str = NULL;
                const char *vsig;
                uint8_t code;
                size_t at;

                k = mc_dbus_enter_struct(&r, err);
                if (k >= 0)
                        k = mc_dbus_read_byte(&r, &code, err);
                at = r.pos;
                if (k >= 0)
                        k = mc_dbus_read_signature(&r, &vsig, err);
                if (k < 0)
                        break;
                if (!signature_is_single(vsig))
                        return bad(err, "variant signature not one complete type", at);
                if (code == 0 || code >= sizeof(expected)) {
                        /* Unknown fields are for later versions: skipped, as the specification says. */
                        k = skip_value(&r, &vsig, 2, err);
                        continue;
                }
                if (vsig[0] != expected[code] || vsig[1] != '\0')
                        return mc_error_set(
                                err, EBADMSG,
                                "malformed D-Bus message: header field %u of type '%s', not '%c'", code,
                                vsig, expected[code]);
                switch (code) {
                case MC_DBUS_FIELD_PATH:
                        if (h.path)
                                return bad(err, "PATH twice", at);
                        k = mc_dbus_read_object_path(&r, &h.path, err);
                        break;
                case MC_DBUS_FIELD_INTERFACE:
                        str = &h.interface;
                        break;
                case MC_DBUS_FIELD_MEMBER:
                        str = &h.member;
                        break;
                case MC_DBUS_FIELD_ERROR_NAME:
                        str = &h.error_name;
                        break;
                case MC_DBUS_FIELD_DESTINATION:
                        str = &h.destination;
                        break;
                case MC_DBUS_FIELD_SENDER:
                        str = &h.sender;
                        break;
                case MC_DBUS_FIELD_SIGNATURE:
                        if (h.signature)
                                return bad(err, "SIGNATURE twice", at);
                        k = mc_dbus_read_signature(&r, &h.signature, err);
                        break;
                case MC_DBUS_FIELD_REPLY_SERIAL:
                        if (h.reply_serial)
                                return bad(err, "REPLY_SERIAL twice", at);
                        k = mc_dbus_read_u32(&r, &h.reply_serial, err);
                        if (k >= 0 && h.reply_serial == 0)
                                return bad(err, "REPLY_SERIAL 0", at);
                        break;
                default: { /* UNIX_FDS: memcage neither asks for nor takes fds */
                        uint32_t n;
                        k = mc_dbus_read_u32(&r, &n, err);
                        break;
                }
                }
                if (k >= 0 && str) {
                        if (*str)
                                return bad(err, "a header field twice", at);
                        k = mc_dbus_read_string(&r, str, err);
                }
        }
        if (k < 0)
                return k;
        if (r.pos != end)
                return bad(err, "header field past the fields' end", r.pos);
        k = reader_align(&r, 8, err);
        if (k < 0)
                return k;

        if (!h.signature)
                h.signature = "";
        if (h.body_len > 0 && !h.signature[0])
                return bad(err, "a body without a signature", 4);
        switch (h.type) {
        case MC_DBUS_METHOD_CALL:
                if (!h.path || !h.member)
                        return bad(err, "method call without PATH or MEMBER", 1);
                break;
        case MC_DBUS_METHOD_RETURN:
                if (!h.reply_serial)
                        return bad(err, "method return without REPLY_SERIAL", 1);
                break;
        case MC_DBUS_ERROR:
                if (!h.reply_serial || !h.error_name)
                        return bad(err, "error without REPLY_SERIAL or ERROR_NAME", 1);
                break;
        case MC_DBUS_SIGNAL:
                if (!h.path || !h.interface || !h.member)
                        return bad(err, "signal without PATH, INTERFACE or MEMBER", 1);
                break;
        default: /* a type of a later version: its sender expects it to be ignored */
                break;
        }
        *ret = h;
        return 0;
}

/* A reader over the body, which must be all there, with the signature required. */
static int body_reader(const struct mc_dbus_header *h, const uint8_t *data, size_t len, const char *sig,
                       struct mc_dbus_reader *r, struct mc_error *err)
{
        if (h->body_offset > len || h->body_len > len - h->body_offset)
                return bad(err, "body past the end", len);
        if (sig && strcmp(h->signature, sig) != 0)
                return mc_error_set(err, EBADMSG, "D-Bus message with body '%s', not '%s'", h->signature,
                                    sig);
        mc_dbus_reader_init(r, data + h->body_offset, h->body_len, h->big_endian);
        return 0;
}

int mc_dbus_read_reply_path(const struct mc_dbus_header *h, const uint8_t *data, size_t len,
                            const char **ret, struct mc_error *err)
{
        struct mc_dbus_reader r;
        int k = body_reader(h, data, len, "o", &r, err);
        if (k >= 0)
                k = mc_dbus_read_object_path(&r, ret, err);
        if (k >= 0 && r.pos != r.len)
                return bad(err, "bytes after the body's values", h->body_offset + r.pos);
        return k;
}

int mc_dbus_read_error_message(const struct mc_dbus_header *h, const uint8_t *data, size_t len,
                               const char **ret, struct mc_error *err)
{
        struct mc_dbus_reader r;
        int k = body_reader(h, data, len, NULL, &r, err);
        if (k < 0)
                return k;
        /* The message is the first argument, when it is a string; what follows is not memcage's to read. */
        if (h->signature[0] != 's') {
                *ret = NULL;
                return 0;
        }
        return mc_dbus_read_string(&r, ret, err);
}

int mc_dbus_read_job_removed(const struct mc_dbus_header *h, const uint8_t *data, size_t len,
                             struct mc_dbus_job_removed *ret, struct mc_error *err)
{
        struct mc_dbus_job_removed j;
        struct mc_dbus_reader r;
        int k = body_reader(h, data, len, "uoss", &r, err);
        if (k >= 0)
                k = mc_dbus_read_u32(&r, &j.id, err);
        if (k >= 0)
                k = mc_dbus_read_object_path(&r, &j.job, err);
        if (k >= 0)
                k = mc_dbus_read_string(&r, &j.unit, err);
        if (k >= 0)
                k = mc_dbus_read_string(&r, &j.result, err);
        if (k >= 0 && r.pos != r.len)
                return bad(err, "bytes after the body's values", h->body_offset + r.pos);
        if (k >= 0)
                *ret = j;
        return k;
}
