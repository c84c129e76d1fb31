/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

size_t mc_utf8_decode(const unsigned char *p, uint32_t *ret)
{
        size_t len;
        uint32_t cp, min;

        if (p[0] < 0x80) {
                *ret = p[0];
                return 1;
        }
        if ((p[0] & 0xe0) == 0xc0)
                len = 2, cp = p[0] & 0x1f, min = 0x80;
        else if ((p[0] & 0xf0) == 0xe0)
                len = 3, cp = p[0] & 0x0f, min = 0x800;
        else if ((p[0] & 0xf8) == 0xf0)
                len = 4, cp = p[0] & 0x07, min = 0x10000;
        else
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
                        return 0;
                cp = cp << 6 | (p[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        *ret = cp;
        return len;
}

/*
 * The length of the valid UTF-8 character at s that needs no escape, or 0:
 * an ASCII control or DEL, a C1 control (U+0080..U+009F), or what
 * mc_utf8_decode() refuses.
 */
static size_t printable_char(const unsigned char *s)
{
        uint32_t cp;
        size_t len = mc_utf8_decode(s, &cp);

        if (len == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
                return 0;
        return len;
}

bool mc_text_is_printable(const char *s)
{
        return !mc_text_find_unprintable(s);
}

const char *mc_text_find_unprintable(const char *s)
{
        for (const unsigned char *p = (const unsigned char *)s; *p;) {
                size_t k = printable_char(p);
                if (k == 0)
                        return (const char *)p;
                p += k;
        }
        return NULL;
}

size_t mc_escape_text(const char *s, char *buf, size_t n)
{
        size_t need = 0, used = 0;
        bool cut = false;

        for (const unsigned char *p = (const unsigned char *)s; *p;) {
                char esc[5];
                const char *piece = (const char *)p;
                size_t k = printable_char(p), plen = k;
                if (k == 0) {
                        snprintf(esc, sizeof(esc), "\\x%02x", *p);
                        piece = esc;
                        plen = 4;
                        k = 1;
                }
                /* Whole characters and whole escapes only: a cut never leaves half of one. */
                if (!cut && used + plen < n) {
                        memcpy(buf + used, piece, plen);
                        used += plen;
                } else
                        cut = true;
                need += plen;
                p += k;
        }
        if (n > 0)
                buf[used] = '\0';
        return need;
}

char *mc_escape_text_dup(const char *s)
{
        size_t n = mc_escape_text(s, NULL, 0) + 1;
        char *buf = malloc(n);
        if (buf)
                mc_escape_text(s, buf, n);
        return buf;
}

json_t *mc_json_printable_copy(const json_t *j)
{
        if (json_is_string(j)) {
                const char *s = json_string_value(j);
                if (mc_text_is_printable(s))
                        return json_string(s);
                char *e = mc_escape_text_dup(s);
                json_t *r = e ? json_string(e) : NULL;
                free(e);
                return r;
        }
        if (json_is_array(j)) {
                json_t *a = json_array(), *item;
                size_t i;
                if (!a)
                        return NULL;
                json_array_foreach(j, i,
                                   item) if (json_array_append_new(a, mc_json_printable_copy(item)) < 0)
                {
                        json_decref(a);
                        return NULL;
                }
                return a;
        }
        if (json_is_object(j)) {
                json_t *o = json_object(), *item;
                const char *key;
                if (!o)
                        return NULL;
                json_object_foreach((json_t *)j, key, item)
                {
                        char *ekey = mc_text_is_printable(key) ? NULL : mc_escape_text_dup(key);
                        int r = json_object_set_new(o, ekey ? ekey : key, mc_json_printable_copy(item));
                        free(ekey);
                        if (r < 0) {
                                json_decref(o);
                                return NULL;
                        }
                }
                return o;
        }
        /* Numbers, booleans and null have no text of their own. */
        return json_deep_copy(j);
}

/* Allowed by XML 1.0 (Char) and not a control a viewer would act on. */
static bool xml_shown(uint32_t cp)
{
        if (cp == '\t' || cp == '\n' || cp == '\r')
                return true;
        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
                return false;
        return cp != 0xfffe && cp != 0xffff;
}

void mc_xml_escape(FILE *f, const char *s, bool attribute)
{
        const unsigned char *p = (const unsigned char *)s;
        while (*p) {
                uint32_t cp = 0;
                size_t len = mc_utf8_decode(p, &cp);
                if (len == 0 || !xml_shown(cp)) {
                        for (size_t i = 0; i < (len ? len : 1); i++)
                                fprintf(f, "\\x%02x", p[i]);
                        p += len ? len : 1;
                        continue;
                }
                switch (cp) {
                case '&':
                        fputs("&amp;", f);
                        break;
                case '<':
                        fputs("&lt;", f);
                        break;
                case '>':
                        fputs("&gt;", f);
                        break;
                case '"':
                        fputs(attribute ? "&quot;" : "\"", f);
                        break;
                case '\t':
                case '\n':
                        if (attribute)
                                fprintf(f, "&#%u;", cp);
                        else
                                fputc((int)cp, f);
                        break;
                case '\r':
                        /* Parsers turn a bare \r into \n in text too. */
                        fputs("&#13;", f);
                        break;
                default:
                        fwrite(p, 1, len, f);
                }
                p += len;
        }
}
