/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "escape.h"
#include "util.h"

static void test_escape_cases(void **state)
{
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "postgres", "postgres" },
                { "", "" },
                { "tab\there", "tab\\x09here" },
                { "two\nlines", "two\\x0alines" },
                /* xterm's title and clear-screen sequences, and the 8-bit CSI, as bytes and in UTF-8 */
                { "\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07" },
                { "\x1b[2J", "\\x1b[2J" },
                { "a\x9b"
                  "31m",
                  "a\\x9b31m" },
                { "a\xc2\x9b"
                  "31m",
                  "a\\xc2\\x9b31m" },
                { "del\x7f", "del\\x7f" },
                /* Valid UTF-8 passes: é, €, 😀; a backslash stays a backslash. */
                { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
                { "C:\\x1b", "C:\\x1b" },
                /* Invalid: a lone continuation, an overlong '/', a surrogate, a truncated sequence, >
                   U+10FFFF. */
                { "\x80", "\\x80" },
                { "\xc0\xaf", "\\xc0\\xaf" },
                { "\xed\xa0\x80", "\\xed\\xa0\\x80" },
                { "ab\xe2\x82", "ab\\xe2\\x82" },
                { "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char buf[128];
                size_t n = mc_escape_text(cases[i].in, buf, sizeof(buf));
                if (strcmp(buf, cases[i].out) != 0)
                        fail_msg("case %zu: got '%s', want '%s'", i, buf, cases[i].out);
                assert_int_equal(n, strlen(cases[i].out));
                assert_int_equal(mc_text_is_printable(cases[i].in), strcmp(cases[i].in, cases[i].out) == 0);
                char *d = mc_escape_text_dup(cases[i].in);
                assert_string_equal(d, cases[i].out);
                free(d);
        }
}

/* A short buffer is cut at a whole character or escape, and the needed length is still returned. */
static void test_escape_cut(void **state)
{
        char buf[6];
        assert_int_equal(mc_escape_text("ab\x1b"
                                        "cd",
                                        buf, sizeof(buf)),
                         8);
        assert_string_equal(buf, "ab");
        assert_int_equal(mc_escape_text("ab\xc3\xa9\xc3\xa9", buf, sizeof(buf)), 6);
        assert_string_equal(buf, "ab\xc3\xa9");
        assert_int_equal(mc_escape_text("abc", buf, 0), 3);
}

static void test_json_printable_copy(void **state)
{
        json_error_t jerr;
        json_t *j = json_loads(
                "{\"command\": [\"sh\", \"-c\", \"\\u001b]0;x\\u0007\"], \"n\": 3, \"ok\": true,"
                " \"top\": [{\"name\": \"a\\u001b[2Jb\"}], \"h\": {\"2MB\\u001b\": {\"max\": 1}}}",
                0, &jerr);
        assert_non_null(j);
        json_t *c = mc_json_printable_copy(j);
        assert_non_null(c);
        assert_string_equal(json_string_value(json_array_get(json_object_get(c, "command"), 2)),
                            "\\x1b]0;x\\x07");
        assert_string_equal(
                json_string_value(json_object_get(json_array_get(json_object_get(c, "top"), 0), "name")),
                "a\\x1b[2Jb");
        assert_non_null(json_object_get(json_object_get(c, "h"), "2MB\\x1b"));
        assert_int_equal(json_integer_value(json_object_get(c, "n")), 3);
        assert_true(json_is_true(json_object_get(c, "ok")));
        /* The original is untouched. */
        assert_string_equal(json_string_value(json_array_get(json_object_get(j, "command"), 2)),
                            "\x1b]0;x\x07");
        json_decref(c);
        json_decref(j);
}

static void test_utf8_decode(void **state)
{
        (void)state;
        uint32_t cp = 0;
        assert_int_equal(mc_utf8_decode((const unsigned char *)"a", &cp), 1);
        assert_int_equal(cp, 'a');
        assert_int_equal(mc_utf8_decode((const unsigned char *)"\xc3\xa9", &cp), 2);
        assert_int_equal(cp, 0xe9);
        assert_int_equal(mc_utf8_decode((const unsigned char *)"\xe2\x82\xac", &cp), 3);
        assert_int_equal(cp, 0x20ac);
        assert_int_equal(mc_utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", &cp), 4);
        assert_int_equal(cp, 0x1f600);
        /* Overlong, a surrogate, above U+10FFFF, truncated at the NUL, a lone continuation byte. */
        assert_int_equal(mc_utf8_decode((const unsigned char *)"\xc0\xaf", &cp), 0);
        assert_int_equal(mc_utf8_decode((const unsigned char *)"\xe0\x80\xaf", &cp), 0);
        assert_int_equal(mc_utf8_decode((const unsigned char *)"\xed\xa0\x80", &cp), 0);
        assert_int_equal(mc_utf8_decode((const unsigned char *)"\xf4\x90\x80\x80", &cp), 0);
        assert_int_equal(mc_utf8_decode((const unsigned char *)"\xe2\x82", &cp), 0);
        assert_int_equal(mc_utf8_decode((const unsigned char *)"\x80", &cp), 0);
}

static char *xml(const char *s, bool attribute)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        assert_non_null(f);
        mc_xml_escape(f, s, attribute);
        assert_int_equal(fclose(f), 0);
        return out;
}

/* What the SVG chart writes since it shares the JUnit escaper: no U+FFFD, no raw invalid UTF-8. */
static void test_xml_escape(void **state)
{
        (void)state;
        static const struct {
                const char *in, *attribute, *text;
        } cases[] = {
                { "a<b&c>d", "a&lt;b&amp;c&gt;d", "a&lt;b&amp;c&gt;d" },
                { "\"q\" 'a'", "&quot;q&quot; 'a'", "\"q\" 'a'" },
                { "x\x01y\x7f", "x\\x01y\\x7f", "x\\x01y\\x7f" },
                { "bad \xff\xc3(", "bad \\xff\\xc3(", "bad \\xff\\xc3(" },
                { "t\tn\nr\r", "t&#9;n&#10;r&#13;", "t\tn\nr&#13;" },
                { "\xc3\xa9", "\xc3\xa9", "\xc3\xa9" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *a = xml(cases[i].in, true), *t = xml(cases[i].in, false);
                assert_string_equal(a, cases[i].attribute);
                assert_string_equal(t, cases[i].text);
                free(a);
                free(t);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escape_cases),        cmocka_unit_test(test_escape_cut),
                cmocka_unit_test(test_json_printable_copy), cmocka_unit_test(test_utf8_decode),
                cmocka_unit_test(test_xml_escape),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
