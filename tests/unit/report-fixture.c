/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "report-fixture.h"

json_t *load_fixture(const char *name)
{
        char path[512];
        json_error_t jerr;
        snprintf(path, sizeof(path), "%s/data/%s", TEST_SRCDIR, name);
        json_t *j = json_load_file(path, 0, &jerr);
        if (!j)
                fail_msg("%s: %s (line %d)", path, jerr.text, jerr.line);
        return j;
}

char *read_fixture(const char *name)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/data/%s", TEST_SRCDIR, name);
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        char *s = NULL;
        size_t n = 0;
        assert_true(getdelim(&s, &n, '\0', f) > 0);
        fclose(f);
        return s;
}

json_t *parse_json(const char *s)
{
        json_error_t jerr;
        json_t *j = json_loads(s, 0, &jerr);
        if (!j)
                fail_msg("invalid JSON at line %d: %s", jerr.line, jerr.text);
        return j;
}
