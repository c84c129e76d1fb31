/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <ftw.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hugetlb-pool.h"
#include "profile.h"
#include "size.h"
#include "util.h"

#define GiB (UINT64_C(1) << 30)

#define SIZE_FORMS                                                                              \
        "use bytes (4096), K, M, G or T with optional B or iB (512M, 1.5G, 2GiB; 1024-based), " \
        "a percentage of RAM (50%) or max"
/* The same, for a printf format. */
#define SIZE_FORMS_F                                                                            \
        "use bytes (4096), K, M, G or T with optional B or iB (512M, 1.5G, 2GiB; 1024-based), " \
        "a percentage of RAM (50%%) or max"
#define NAME_FORMS "use letters, digits, '-', '_' and '.', not starting with '.', or a path containing '/'"
#define CGROUP_FORMS \
        "use a relative path of names made of letters, digits, '-', '_' and '.', such as ci/jobs"

/* Each test gets a fresh directory; profiles are written there so their modes are ours to set. */
static char tmp[256];
static char dir_path1[300], dir_path2[300], dir_xdg[300], dir_home[300], dir_etc[300], dir_share[300];
static char profile_path[700];

static struct mc_profile_env env_default(void)
{
        return (struct mc_profile_env){
                .profile_path = profile_path,
                .xdg_config_home = dir_xdg,
                .home = dir_home,
                .sysconfdir = dir_etc,
                .pkgdatadir = dir_share,
                .ram_bytes = 16 * GiB,
        };
}

static int setup(void **state)
{
        const char *base = getenv("TMPDIR");
        snprintf(tmp, sizeof(tmp), "%s/memcage-test-profile-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tmp))
                return -1;
        snprintf(dir_path1, sizeof(dir_path1), "%s/p1", tmp);
        snprintf(dir_path2, sizeof(dir_path2), "%s/p2", tmp);
        snprintf(dir_xdg, sizeof(dir_xdg), "%s/xdg", tmp);
        snprintf(dir_home, sizeof(dir_home), "%s/home", tmp);
        snprintf(dir_etc, sizeof(dir_etc), "%s/etc", tmp);
        snprintf(dir_share, sizeof(dir_share), "%s/share/memcage", tmp);
        snprintf(profile_path, sizeof(profile_path), "%s:%s", dir_path1, dir_path2);
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
        return nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A path under the test directory; a ring of buffers so a few can be used at once. */
static const char *at(const char *rel)
{
        static char ring[8][512];
        static unsigned next;
        char *b = ring[next++ % ELEMENTSOF(ring)];
        snprintf(b, sizeof(ring[0]), "%s/%s", tmp, rel);
        return b;
}

static void mkdir_parents(const char *path)
{
        char buf[512];
        snprintf(buf, sizeof(buf), "%s", path);
        for (char *s = buf + strlen(tmp) + 1; (s = strchr(s, '/')); s++) {
                *s = '\0';
                if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                        fail_msg("mkdir %s: %m", buf);
                *s = '/';
        }
}

/* Writes tmp/rel with the given mode, creating parent directories; returns the full path. */
static const char *write_file(const char *rel, mode_t mode, const char *content)
{
        const char *path = at(rel);
        mkdir_parents(path);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                fail_msg("open %s: %m", path);
        size_t len = strlen(content);
        assert_int_equal(write(fd, content, len), (ssize_t)len);
        assert_int_equal(fchmod(fd, mode), 0);
        close(fd);
        return path;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
        char *s;
        va_list ap;
        va_start(ap, fmt);
        assert_true(vasprintf(&s, fmt, ap) >= 0);
        va_end(ap);
        return s;
}

static void load_ok(const char *name, const struct mc_profile_env *env, struct mc_profile *p)
{
        struct mc_error err = {};
        if (mc_profile_load(name, env, p, &err) < 0)
                fail_msg("load %s: %s", name, err.msg);
}

/* Loading name fails with -code and exactly the message fmt formats to. */
static void expect_load_error(const char *name, const struct mc_profile_env *env, int code, const char *fmt,
                              ...) __attribute__((format(printf, 4, 5)));
static void expect_load_error(const char *name, const struct mc_profile_env *env, int code, const char *fmt,
                              ...)
{
        struct mc_profile p;
        struct mc_error err = {};
        char *want;
        va_list ap;

        va_start(ap, fmt);
        assert_true(vasprintf(&want, fmt, ap) >= 0);
        va_end(ap);

        /* A failed load leaves *ret alone. */
        memset(&p, 0x5a, sizeof(p));
        int r = mc_profile_load(name, env, &p, &err);
        if (r != -code)
                fail_msg("load %s: r=%d, want %d (%s)", name, r, -code, err.msg);
        if (!streq(err.msg, want))
                fail_msg("load %s:\n got: %s\nwant: %s", name, err.msg, want);
        assert_int_equal(err.code, code);
        assert_int_equal((unsigned char)((char *)&p)[0], 0x5a);
        free(want);
}

static void expect_setting(const struct mc_profile *p, enum mc_key k, const char *value, const char *file,
                           unsigned line)
{
        const struct mc_setting *s = &p->settings[k];
        if (!value) {
                assert_null(s->value);
                return;
        }
        if (!s->value || !streq(s->value, value))
                fail_msg("%s: value '%s', want '%s'", mc_key_info(k)->name, s->value ? s->value : "(null)",
                         value);
        assert_string_equal(s->file, file);
        assert_int_equal(s->line, line);
}

static size_t strv_length(char **v)
{
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

/* ---- the key table ---- */

static void test_key_table(void **state)
{
        for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++) {
                const struct mc_key_info *ki = mc_key_info(k);
                assert_non_null(ki);
                assert_int_equal(ki->key, k);
                assert_ptr_equal(mc_key_lookup(ki->section, ki->name), ki);
                assert_true(mc_section_known(ki->section));
                if (streq(ki->section, "memory") ||
                    (streq(ki->section, "hugetlb") && ki->type == MC_VALUE_SIZE)) {
                        char want[64];
                        snprintf(want, sizeof(want), "%s.%s", ki->section, ki->name);
                        assert_string_equal(ki->kernel_file, want);
                } else
                        assert_null(ki->kernel_file);
        }
        assert_null(mc_key_info(_MC_KEY_COUNT));
        assert_int_equal(mc_key_info(MC_KEY_MEMORY_SWAP_MAX)->type, MC_VALUE_SIZE);
        assert_int_equal(mc_key_info(MC_KEY_MEMORY_OOM_GROUP)->type, MC_VALUE_BOOL);
        assert_int_equal(mc_key_info(MC_KEY_PROFILE_INHERIT)->type, MC_VALUE_PROFILE);
        assert_int_equal(mc_key_info(MC_KEY_PROFILE_DESCRIPTION)->type, MC_VALUE_STRING);
        assert_int_equal(mc_key_info(MC_KEY_CGROUP_PARENT)->type, MC_VALUE_CGROUP_PATH);
        assert_int_equal(mc_key_info(MC_KEY_REPORT_INTERVAL)->type, MC_VALUE_INTERVAL);
        assert_null(mc_key_lookup("memory", "nope"));
        assert_null(mc_key_lookup("profile", "max"));
        assert_null(mc_key_lookup("", "max"));
        assert_null(mc_key_lookup("memory", "MAX"));

        assert_true(mc_section_known("profile"));
        assert_true(mc_section_known("memory"));
        assert_true(mc_section_known("cgroup"));
        assert_true(mc_section_known("run"));
        assert_true(mc_key_lookup("run", "env")->repeatable);
        assert_false(mc_key_lookup("run", "env_keep")->repeatable);
        assert_int_equal(mc_key_info(MC_KEY_RUN_NICE)->min, -20);
        assert_int_equal(mc_key_info(MC_KEY_RUN_NICE)->max, 19);
        assert_true(mc_section_known("report"));
        /* Sections of later work are unknown today. */
        assert_true(mc_section_known("hugetlb"));
        assert_true(mc_section_known("pressure"));
        assert_false(mc_section_known("Memory"));
        assert_false(mc_section_known(""));
}

/* [report] interval: loaded with its origin, and overridden like any key. */
static void test_report_interval(void **state)
{
        struct mc_profile_env env = { .sysconfdir = at("etc") };
        struct mc_profile p;
        struct mc_error err = { 0 };
        const char *f = write_file("i.ini", 0644, "[memory]\nmax = 1G\n[report]\ninterval = 250ms\n");

        load_ok(f, &env, &p);
        expect_setting(&p, MC_KEY_REPORT_INTERVAL, "250ms", f, 4);
        assert_int_equal(mc_profile_set(&p, "report", "interval", "0", NULL, 0, &env, &err), 0);
        expect_setting(&p, MC_KEY_REPORT_INTERVAL, "0", "command line", 0);
        assert_int_equal(mc_profile_set(&p, "report", "interval", "1m", NULL, 0, &env, &err), -EINVAL);
        assert_string_equal(err.msg,
                            "interval: invalid interval '1m': the unit must be ms or s (e.g. 250ms, 1s)");
        assert_int_equal(mc_profile_set(&p, "report", "period", "1s", NULL, 0, &env, &err), -EINVAL);
        assert_string_equal(err.msg, "unknown key 'period' in [report]");
        mc_profile_free(&p);
}

static void test_parse_bool(void **state)
{
        static const char *const yes[] = { "1", "yes", "true", "on", "YES", "True", "ON" };
        static const char *const no[] = { "0", "no", "false", "off", "NO", "False", "Off" };
        static const char *const bad[] = { "", "2", "y", "n", "maybe", "yes ", " 1", "01", "enable" };
        bool b;

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                b = false;
                assert_int_equal(mc_profile_parse_bool(yes[i], &b), 0);
                assert_true(b);
        }
        for (size_t i = 0; i < ELEMENTSOF(no); i++) {
                b = true;
                assert_int_equal(mc_profile_parse_bool(no[i], &b), 0);
                assert_false(b);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(mc_profile_parse_bool(bad[i], &b), -EINVAL);
}

/* ---- parsing one file ---- */

static void test_load_every_key(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        const char *f = write_file("all.ini", 0644,
                                   "[profile]\n"                     /* 1 */
                                   "description = every key, once\n" /* 2 */
                                   "\n"                              /* 3 */
                                   "[memory]\n"                      /* 4 */
                                   "max = 4G\n"                      /* 5 */
                                   "high = 3.5G\n"                   /* 6 */
                                   "low = 1G\n"                      /* 7 */
                                   "min = 256M\n"                    /* 8 */
                                   "swap.max = 25%\n"                /* 9 */
                                   "swap.high = max\n"               /* 10 */
                                   "zswap.max = 0\n"                 /* 11 */
                                   "oom.group = yes\n"               /* 12 */
                                   "[cgroup]\n"                      /* 13 */
                                   "parent = ci/jobs\n");            /* 14 */

        load_ok(f, &env, &p);
        assert_string_equal(p.name, f);
        assert_string_equal(p.path, f);
        assert_int_equal(strv_length(p.chain), 1);
        assert_string_equal(p.chain[0], f);
        expect_setting(&p, MC_KEY_PROFILE_DESCRIPTION, "every key, once", f, 2);
        expect_setting(&p, MC_KEY_PROFILE_INHERIT, NULL, NULL, 0);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "4G", f, 5);
        expect_setting(&p, MC_KEY_MEMORY_HIGH, "3.5G", f, 6);
        expect_setting(&p, MC_KEY_MEMORY_LOW, "1G", f, 7);
        expect_setting(&p, MC_KEY_MEMORY_MIN, "256M", f, 8);
        expect_setting(&p, MC_KEY_MEMORY_SWAP_MAX, "25%", f, 9);
        expect_setting(&p, MC_KEY_MEMORY_SWAP_HIGH, "max", f, 10);
        expect_setting(&p, MC_KEY_MEMORY_ZSWAP_MAX, "0", f, 11);
        expect_setting(&p, MC_KEY_MEMORY_OOM_GROUP, "yes", f, 12);
        expect_setting(&p, MC_KEY_CGROUP_PARENT, "ci/jobs", f, 14);
        mc_profile_free(&p);
}

/* Comments, blank lines, indentation, inline comments, "key: value", CRLF, a BOM. */
static void test_load_tolerated_syntax(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        const char *f = write_file("t.ini", 0644,
                                   "\xEF\xBB\xBF# a comment\r\n"         /* 1 */
                                   "; another\r\n"                       /* 2 */
                                   "\r\n"                                /* 3 */
                                   "  [memory]   ; trailing comment\r\n" /* 4 */
                                   "    max = 2G ; why 2G\r\n"           /* 5 */
                                   "\thigh=1G\r\n"                       /* 6 */
                                   "low: 128M\r\n"                       /* 7 */
                                   "[profile] # also a comment\n"        /* 8 */
                                   "description = a; b stays\n"          /* 9 */
                                   "[memory]\n"                          /* 10 */
                                   "  oom.group = on");                  /* 11, no newline */

        load_ok(f, &env, &p);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "2G", f, 5);
        expect_setting(&p, MC_KEY_MEMORY_HIGH, "1G", f, 6);
        expect_setting(&p, MC_KEY_MEMORY_LOW, "128M", f, 7);
        expect_setting(&p, MC_KEY_PROFILE_DESCRIPTION, "a; b stays", f, 9);
        expect_setting(&p, MC_KEY_MEMORY_OOM_GROUP, "on", f, 11);
        mc_profile_free(&p);
}

/* Indented lines are keys of their own, not continuations of the previous value. */
static void test_load_indented_is_not_continuation(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        const char *f = write_file("i.ini", 0644,
                                   "[memory]\n"
                                   "max = 2G\n"
                                   "    high = 1G\n");

        load_ok(f, &env, &p);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "2G", f, 2);
        expect_setting(&p, MC_KEY_MEMORY_HIGH, "1G", f, 3);
        mc_profile_free(&p);
}

static void test_load_empty_file(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        const char *f = write_file("empty.ini", 0644, "");

        load_ok(f, &env, &p);
        for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++)
                assert_null(p.settings[k].value);
        assert_int_equal(strv_length(p.chain), 1);
        mc_profile_free(&p);
}

static void test_hugetlb_keys(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        struct mc_error err = {};
        static const char *const sizes[] = { "64KB", "2MB", "32MB", "1GB" };

        assert_int_equal(mc_hugetlb_key("2MB", "max")->key, MC_KEY_HUGETLB_2MB_MAX);
        assert_int_equal(mc_hugetlb_key("1GB", "rsvd.max")->key, MC_KEY_HUGETLB_1GB_RSVD_MAX);
        assert_int_equal(mc_hugetlb_key("64KB", "reserve")->key, MC_KEY_HUGETLB_64KB_RESERVE);
        assert_null(mc_hugetlb_key("3MB", "max"));
        assert_null(mc_hugetlb_key("2MB", "min"));

        /* The sizes of common architectures are in the table, each with three keys. */
        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                char name[32];
                snprintf(name, sizeof(name), "%s.max", sizes[i]);
                assert_int_equal(mc_key_lookup("hugetlb", name)->type, MC_VALUE_SIZE);
                snprintf(name, sizeof(name), "%s.rsvd.max", sizes[i]);
                assert_int_equal(mc_key_lookup("hugetlb", name)->type, MC_VALUE_SIZE);
                snprintf(name, sizeof(name), "%s.reserve", sizes[i]);
                assert_int_equal(mc_key_lookup("hugetlb", name)->type, MC_VALUE_HUGEPAGES);
                assert_null(mc_key_lookup("hugetlb", name)->kernel_file);
        }
        assert_string_equal(mc_key_info(MC_KEY_HUGETLB_2MB_RSVD_MAX)->kernel_file, "hugetlb.2MB.rsvd.max");
        /* The key table and the page sizes of hugetlb-pool.h name the same sizes. */
        size_t n_reserve = 0;
        for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++)
                n_reserve += mc_key_info(k)->type == MC_VALUE_HUGEPAGES;
        assert_int_equal(n_reserve, mc_hugetlb_size_count);
        for (size_t i = 0; i < mc_hugetlb_size_count; i++) {
                char name[32];
                snprintf(name, sizeof(name), "%s.reserve", mc_hugetlb_size_names[i]);
                assert_non_null(mc_key_lookup("hugetlb", name));
        }
        assert_null(mc_key_lookup("hugetlb", "3MB.max"));
        assert_null(mc_key_lookup("hugetlb", "2mb.max"));

        const char *f = write_file("h.ini", 0644,
                                   "[hugetlb]\n2MB.max = 64M\n2MB.rsvd.max = 32M\n2MB.reserve = 2048\n"
                                   "1GB.reserve = 4G\n");
        assert_int_equal(mc_profile_load(f, &env, &p, &err), 0);
        assert_string_equal(p.settings[MC_KEY_HUGETLB_2MB_MAX].value, "64M");
        assert_string_equal(p.settings[MC_KEY_HUGETLB_2MB_RESERVE].value, "2048");
        assert_string_equal(p.settings[MC_KEY_HUGETLB_1GB_RESERVE].value, "4G");
        assert_int_equal(p.settings[MC_KEY_HUGETLB_2MB_RESERVE].line, 4);
        mc_profile_free(&p);

        f = write_file("h2.ini", 0644, "[hugetlb]\n2MB.reserve = 50%\n");
        assert_int_equal(mc_profile_load(f, &env, &p, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "h2.ini:2: 2MB.reserve: invalid reserve '50%'"));
        f = write_file("h3.ini", 0644, "[hugetlb]\n2MB.reserve = lots\n");
        assert_int_equal(mc_profile_load(f, &env, &p, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "h3.ini:2: 2MB.reserve"));
        f = write_file("h4.ini", 0644, "[hugetlb]\n3MB.max = 1G\n");
        expect_load_error(f, &env, EINVAL, "%s:2: unknown key '3MB.max' in [hugetlb]", f);
}

static void test_unknown_section(void **state)
{
        struct mc_profile_env env = env_default();
        static const char *const sections[] = {
                "Run", "Hugetlb", "Pressure", "cpu", "Memory", "", " memory"
        };

        for (size_t i = 0; i < ELEMENTSOF(sections); i++) {
                char content[128];
                /* Reported at the header, even with no key after it. */
                snprintf(content, sizeof(content), "[memory]\nmax = 1G\n[%s]\n", sections[i]);
                const char *f = write_file("s.ini", 0644, content);
                expect_load_error(f, &env, EINVAL, "%s:3: unknown section [%s]", f, sections[i]);
        }
        const char *f = write_file("s2.ini", 0644, "# x\n[cpu]\nweight = 1\n");
        expect_load_error(f, &env, EINVAL, "%s:2: unknown section [cpu]", f);
}

static void test_unknown_key(void **state)
{
        struct mc_profile_env env = env_default();
        const char *f;

        f = write_file("k.ini", 0644, "[memory]\nmax = 1G\nmaxx = 2G\n");
        expect_load_error(f, &env, EINVAL, "%s:3: unknown key 'maxx' in [memory]", f);
        f = write_file("k.ini", 0644, "[memory]\nmemory.max = 1G\n");
        expect_load_error(f, &env, EINVAL, "%s:2: unknown key 'memory.max' in [memory]", f);
        f = write_file("k.ini", 0644, "[memory]\nMax = 1G\n");
        expect_load_error(f, &env, EINVAL, "%s:2: unknown key 'Max' in [memory]", f);
        f = write_file("k.ini", 0644, "[profile]\n\nmax = 1G\n");
        expect_load_error(f, &env, EINVAL, "%s:3: unknown key 'max' in [profile]", f);
        f = write_file("k.ini", 0644, "[cgroup]\nname = x\n");
        expect_load_error(f, &env, EINVAL, "%s:2: unknown key 'name' in [cgroup]", f);
}

static void test_key_outside_section(void **state)
{
        struct mc_profile_env env = env_default();
        const char *f;

        f = write_file("o.ini", 0644, "max = 1G\n[memory]\n");
        expect_load_error(f, &env, EINVAL, "%s:1: key 'max' outside of any section (it belongs in [memory])",
                          f);
        /* A word that is not memcage's is not quoted before the file shows a [section]: it may be a secret.
         */
        f = write_file("o.ini", 0644, "# c\nfoo = 1\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:2: a key outside of any section (not quoted: no [section] before it)", f);
        f = write_file("o.ini", 0644, "root:$y$j9T$abcdefgh:19000:0:99999:7:::\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:1: a key outside of any section (not quoted: no [section] before it)", f);
        f = write_file("o.ini", 0644, "[s3cr3t value]\nx = 1\n");
        expect_load_error(
                f, &env, EINVAL,
                "%s:1: not a memcage profile: no [section] before this line (the line is not quoted)", f);
}

static void test_duplicate_key(void **state)
{
        struct mc_profile_env env = env_default();
        const char *f;

        f = write_file("d.ini", 0644, "[memory]\nmax = 1G\nhigh = 1G\n\nmax = 2G\n");
        expect_load_error(f, &env, EINVAL, "%s:5: duplicate key 'max' in [memory] (first set on line 2)", f);
        /* Also when the section is opened twice. */
        f = write_file("d.ini", 0644, "[memory]\nmax = 1G\n[profile]\n[memory]\nmax = 1G\n");
        expect_load_error(f, &env, EINVAL, "%s:5: duplicate key 'max' in [memory] (first set on line 2)", f);
        f = write_file("d.ini", 0644, "[profile]\ndescription = a\ndescription = a\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:3: duplicate key 'description' in [profile] (first set on line 2)", f);
}

/*
 * A value is one line of printable text: a bare CR (which systemd ends a
 * line at), a tab, an ESC, a C1 control or a byte that is not UTF-8 is an
 * error at file:line, as is a NUL; from the command line too.
 */
static void test_control_characters(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        struct mc_error err = {};
        const char *f;

        f = write_file("c.ini", 0644, "[run]\ncwd = /srv\rExecStartPre=/bin/touch /tmp/pwned\n");
        expect_load_error(f, &env, EINVAL, "%s:2: control character 0x0d in the value of cwd (byte 5)", f);
        f = write_file("c.ini", 0644, "[run]\nenv = A=b\tc\n");
        expect_load_error(f, &env, EINVAL, "%s:2: control character 0x09 in the value of env (byte 4)", f);
        f = write_file("c.ini", 0644, "[profile]\ndescription = x\x1b]0;owned\a\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:2: control character 0x1b in the value of description (byte 2)", f);
        f = write_file("c.ini", 0644,
                       "[profile]\ndescription = \xc2\x9b"
                       "2J\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:2: control character U+009B in the value of description (byte 1)", f);
        f = write_file("c.ini", 0644, "[profile]\ndescription = caf\xe9\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:2: byte 0xe9 that is not UTF-8 in the value of description (byte 4)", f);
        /* CRLF line ends, blanks around a value and UTF-8 text stay fine. */
        f = write_file("c.ini", 0644, "[profile]\r\ndescription =\t caf\xc3\xa9 \t\r\n");
        load_ok(f, &env, &p);
        expect_setting(&p, MC_KEY_PROFILE_DESCRIPTION, "caf\xc3\xa9", f, 2);
        assert_int_equal(mc_profile_set(&p, "run", "cwd", "/a\nb", NULL, 0, &env, &err), -EINVAL);
        assert_string_equal(err.msg, "control character 0x0a in the value of cwd (byte 3)");
        mc_profile_free(&p);
}

static void test_invalid_values(void **state)
{
        struct mc_profile_env env = env_default();
        const char *f;

        f = write_file("v.ini", 0644, "[memory]\nhigh = 1G\nmax = abc\n");
        expect_load_error(f, &env, EINVAL, "%s:3: invalid size 'abc' for max: not a number; " SIZE_FORMS_F,
                          f);
        f = write_file("v.ini", 0644, "[memory]\nswap.max = 101%\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:2: invalid size '101%%' for swap.max: more than 100%% of RAM; " SIZE_FORMS_F,
                          f);
        f = write_file("v.ini", 0644, "[memory]\nhigh =\n");
        expect_load_error(f, &env, EINVAL, "%s:2: invalid size '' for high: empty value; " SIZE_FORMS_F, f);
        f = write_file("v.ini", 0644, "[memory]\nmin = 17179869184G\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:2: invalid size '17179869184G' for min: too large, the largest size is "
                          "18446744073709551615 bytes (use max for no limit); " SIZE_FORMS_F,
                          f);
        f = write_file("v.ini", 0644, "[memory]\nlow = -1G\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:2: invalid size '-1G' for low: sizes cannot be negative; " SIZE_FORMS_F, f);
        f = write_file("v.ini", 0644, "[memory]\noom.group = maybe\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:2: invalid boolean 'maybe' for oom.group: use 1/0, yes/no, "
                          "true/false or on/off",
                          f);
        f = write_file("v.ini", 0644, "[profile]\ninherit = .hidden\n");
        expect_load_error(f, &env, EINVAL, "%s:2: invalid profile name '.hidden' for inherit: " NAME_FORMS,
                          f);
        f = write_file("v.ini", 0644, "[profile]\ninherit =\n");
        expect_load_error(f, &env, EINVAL, "%s:2: invalid profile name '' for inherit: " NAME_FORMS, f);
        f = write_file("v.ini", 0644, "[cgroup]\nparent = /system.slice\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:2: invalid cgroup path '/system.slice' for parent: the path must be "
                          "relative; " CGROUP_FORMS,
                          f);
        f = write_file("v.ini", 0644, "[report]\ninterval = 100\n");
        expect_load_error(
                f, &env, EINVAL,
                "%s:2: interval: invalid interval '100': the unit must be ms or s (e.g. 250ms, 1s)", f);
        f = write_file("v.ini", 0644, "[report]\n\ninterval = 5ms\n");
        expect_load_error(
                f, &env, ERANGE,
                "%s:3: interval: invalid interval '5ms': must be 0 (off) or between 10 ms and 3600 s", f);
        /* Percentages are valid whatever the host. */
        f = write_file("v.ini", 0644, "[memory]\nmax = 50%\nhigh = 37.5%\n");
        env.ram_bytes = 0;
        struct mc_profile p;
        load_ok(f, &env, &p);
        expect_setting(&p, MC_KEY_MEMORY_HIGH, "37.5%", f, 3);
        mc_profile_free(&p);
}

static void test_syntax_errors(void **state)
{
        struct mc_profile_env env = env_default();
        const char *f;

        f = write_file("x.ini", 0644, "[memory]\nmax = 1G\nthis is not ini\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:3: syntax error: expected [section], key = value or a comment", f);
        f = write_file("x.ini", 0644, "[memory\nmax = 1G\n");
        expect_load_error(f, &env, EINVAL, "%s:1: syntax error: missing ']'", f);
        /* As for inih, ';' after a blank starts a comment, here before the ']'. */
        f = write_file("x.ini", 0644, "[memory ;]\nmax = 1G\n");
        expect_load_error(f, &env, EINVAL, "%s:1: syntax error: missing ']'", f);
        f = write_file("x.ini", 0644, "[memory]\nmax ; = 1G\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:2: syntax error: expected [section], key = value or a comment", f);
        /* The first error in the file is the one reported. */
        f = write_file("x.ini", 0644, "[memory]\nmax 1G\nhigh = x\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:2: syntax error: expected [section], key = value or a comment", f);
        f = write_file("x.ini", 0644, "[memory]\nhigh = x\nmax 1G\n");
        expect_load_error(f, &env, EINVAL, "%s:2: invalid size 'x' for high: not a number; " SIZE_FORMS_F,
                          f);
        f = write_file("x.ini", 0644, "[memory] max = 1G\n");
        expect_load_error(f, &env, EINVAL, "%s:1: unexpected text after [memory]: 'max = 1G'", f);
        /* write_file() stops at a NUL; this one is written by hand. */
        f = write_file("x.ini", 0644, "");
        int fd = open(f, O_WRONLY | O_TRUNC | O_CLOEXEC);
        assert_true(fd >= 0);
        static const char with_nul[] = "[memory]\nmax = 1G\nhigh\0 = 1G\n";
        assert_int_equal(write(fd, with_nul, sizeof(with_nul) - 1), (ssize_t)sizeof(with_nul) - 1);
        close(fd);
        expect_load_error(f, &env, EINVAL, "%s:3: NUL byte in line", f);
}

/* inih's buffer is INI_MAX_LINE bytes with room for "\n\0": longer lines are errors, not split. */
static void test_line_too_long(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        const size_t longest = INI_MAX_LINE - 2;
        char line[INI_MAX_LINE + 64];
        char content[4 * sizeof(line)];
        const char *f;

        /* Exactly the longest line: accepted whole, with LF and with CRLF. */
        const char *prefix = "description = ";
        memset(line, 'x', sizeof(line));
        memcpy(line, prefix, strlen(prefix));
        line[longest] = '\0';
        snprintf(content, sizeof(content), "[profile]\n%s\n[memory]\nmax = 1G\n", line);
        f = write_file("long.ini", 0644, content);
        load_ok(f, &env, &p);
        assert_int_equal(strlen(p.settings[MC_KEY_PROFILE_DESCRIPTION].value), longest - strlen(prefix));
        expect_setting(&p, MC_KEY_MEMORY_MAX, "1G", f, 4);
        mc_profile_free(&p);
        snprintf(content, sizeof(content), "[profile]\r\n%s\r\n[memory]\r\nmax = 1G\r\n", line);
        f = write_file("long.ini", 0644, content);
        load_ok(f, &env, &p);
        assert_int_equal(strlen(p.settings[MC_KEY_PROFILE_DESCRIPTION].value), longest - strlen(prefix));
        mc_profile_free(&p);

        /* One more character. */
        line[longest] = 'x';
        line[longest + 1] = '\0';
        snprintf(content, sizeof(content), "[profile]\n%s\n[memory]\nmax = 1G\n", line);
        f = write_file("long.ini", 0644, content);
        expect_load_error(f, &env, EINVAL,
                          "%s:2: line longer than %zu characters (indentation and comments not counted)", f,
                          longest);
        /* Also as the last line without a newline, and far longer. */
        memset(line, 'y', sizeof(line) - 1);
        line[sizeof(line) - 1] = '\0';
        snprintf(content, sizeof(content), "[profile]\n\n%s", line);
        f = write_file("long.ini", 0644, content);
        expect_load_error(f, &env, EINVAL,
                          "%s:3: line longer than %zu characters (indentation and comments not counted)", f,
                          longest);
        /* Before any [section] too, and the message quotes nothing of the line. */
        snprintf(content, sizeof(content), "%s\n[memory]\nmax = 1G\n", line);
        f = write_file("long.ini", 0644, content);
        expect_load_error(f, &env, EINVAL,
                          "%s:1: line longer than %zu characters (indentation and comments not counted)", f,
                          longest);

        /* Indentation, blanks before a comment and the comment do not count. */
        memset(line, 'z', sizeof(line));
        memcpy(line, prefix, strlen(prefix));
        line[longest] = '\0';
        snprintf(content, sizeof(content), "[profile]\n\t  %s     # %s\n[memory]\nmax = 1G ; %s\n", line,
                 line, line);
        f = write_file("long.ini", 0644, content);
        load_ok(f, &env, &p);
        assert_int_equal(strlen(p.settings[MC_KEY_PROFILE_DESCRIPTION].value), longest - strlen(prefix));
        expect_setting(&p, MC_KEY_MEMORY_MAX, "1G", f, 4);
        mc_profile_free(&p);
        /* But blanks followed by more of the value do. */
        snprintf(content, sizeof(content), "[profile]\n%s  z\n", line);
        f = write_file("long.ini", 0644, content);
        expect_load_error(f, &env, EINVAL,
                          "%s:2: line longer than %zu characters (indentation and comments not counted)", f,
                          longest);
        /* A comment line of any length. */
        memset(line, '-', sizeof(line) - 1);
        line[0] = '#';
        line[sizeof(line) - 1] = '\0';
        snprintf(content, sizeof(content), "%s\n  ;%s\n[memory]\nmax = 1G\n", line, line);
        f = write_file("long.ini", 0644, content);
        load_ok(f, &env, &p);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "1G", f, 4);
        mc_profile_free(&p);
}

/*
 * One comment rule for ';' and '#', in every section and after every key: at
 * the start of a line, or after a blank. Not after anything else: a value may
 * hold "C#" or "a;b".
 */
static void test_comments_one_rule(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        const char *f = write_file("c.ini", 0644,
                                   "[profile] # the profile\n"                    /* 1 */
                                   "description = C# and a;b #1 # not #2\n"       /* 2 */
                                   "[memory]\t# the limits\n"                     /* 3 */
                                   "max = 1G # the wall\n"                        /* 4 */
                                   "high = 768M\t#\ttabs\n"                       /* 5 */
                                   "swap.max = 0 ;# both\n"                       /* 6 */
                                   "oom.group = 1 #\n"                            /* 7 */
                                   "[cgroup] ; the place\n"                       /* 8 */
                                   "parent = ci/jobs # where\n"                   /* 9 */
                                   "[run] # who\n"                                /* 10 */
                                   "env = LANG=C # the locale\n"                  /* 11 */
                                   "env = TAG=a#b\n"                              /* 12 */
                                   "umask = 0022 # octal\n"                       /* 13 */
                                   "[report]\n"                                   /* 14 */
                                   "interval = 250ms # sampling\n"                /* 15 */
                                   "[pressure]\n"                                 /* 16 */
                                   "kill = full 50%/2s for 30s # stuck at high\n" /* 17 */
                                   "kill_grace = 5s ; then SIGKILL\n");           /* 18 */

        load_ok(f, &env, &p);
        expect_setting(&p, MC_KEY_PROFILE_DESCRIPTION, "C# and a;b", f, 2);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "1G", f, 4);
        expect_setting(&p, MC_KEY_MEMORY_HIGH, "768M", f, 5);
        expect_setting(&p, MC_KEY_MEMORY_SWAP_MAX, "0", f, 6);
        expect_setting(&p, MC_KEY_MEMORY_OOM_GROUP, "1", f, 7);
        expect_setting(&p, MC_KEY_CGROUP_PARENT, "ci/jobs", f, 9);
        expect_setting(&p, MC_KEY_RUN_ENV, "LANG=C", f, 11);
        assert_non_null(p.settings[MC_KEY_RUN_ENV].next);
        assert_string_equal(p.settings[MC_KEY_RUN_ENV].next->value, "TAG=a#b");
        expect_setting(&p, MC_KEY_RUN_UMASK, "0022", f, 13);
        expect_setting(&p, MC_KEY_REPORT_INTERVAL, "250ms", f, 15);
        expect_setting(&p, MC_KEY_PRESSURE_KILL, "full 50%/2s for 30s", f, 17);
        expect_setting(&p, MC_KEY_PRESSURE_KILL_GRACE, "5s", f, 18);
        mc_profile_free(&p);

        /* A value that is only a comment is empty, whichever the character: the same error. */
        f = write_file("c.ini", 0644, "[memory]\nmax = # 1G\n");
        struct mc_error e1 = {}, e2 = {};
        mc_profile_init(&p);
        assert_true(mc_profile_load(f, &env, &p, &e1) < 0);
        mc_profile_free(&p);
        f = write_file("c.ini", 0644, "[memory]\nmax = ; 1G\n");
        assert_true(mc_profile_load(f, &env, &p, &e2) < 0);
        mc_profile_free(&p);
        assert_string_equal(e1.msg, e2.msg);
        assert_non_null(strstr(e1.msg, ":2: "));
        /* '#' glued to the value is part of it, as ';' is: a size error naming it. */
        f = write_file("c.ini", 0644, "[memory]\nmax = 1G#x\n");
        expect_load_error(f, &env, EINVAL,
                          "%s:2: invalid size '1G#x' for max: unknown unit 'G#x'; " SIZE_FORMS_F, f);
}

/* ---- the search path ---- */

static void expect_dirs(const struct mc_profile_env *env, const char *const *want)
{
        char **dirs = NULL;
        struct mc_error err = {};
        assert_int_equal(mc_profile_search_dirs(env, &dirs, &err), 0);
        size_t n = 0;
        for (; want[n]; n++) {
                if (!dirs[n])
                        fail_msg("missing dir %zu, want %s", n, want[n]);
                assert_string_equal(dirs[n], want[n]);
        }
        assert_null(dirs[n]);
        mc_strv_free(dirs);
}

static void test_search_dirs(void **state)
{
        struct mc_profile_env env = { .profile_path = "/a::/b/:",
                                      .xdg_config_home = "/x",
                                      .home = "/h",
                                      .sysconfdir = "/etc",
                                      .pkgdatadir = "/usr/share/memcage" };

        /* The shipped profiles come last: the administrator's /etc overrides them. */
        expect_dirs(&env, (const char *const[]){ "/a", "/b/", "/x/memcage/profiles", "/etc/memcage/profiles",
                                                 "/usr/share/memcage/profiles", NULL });
        /* XDG_CONFIG_HOME unset, empty or relative: $HOME/.config. */
        env.profile_path = NULL;
        env.xdg_config_home = NULL;
        expect_dirs(&env, (const char *const[]){ "/h/.config/memcage/profiles", "/etc/memcage/profiles",
                                                 "/usr/share/memcage/profiles", NULL });
        env.xdg_config_home = "";
        expect_dirs(&env, (const char *const[]){ "/h/.config/memcage/profiles", "/etc/memcage/profiles",
                                                 "/usr/share/memcage/profiles", NULL });
        env.xdg_config_home = "relative/config";
        expect_dirs(&env, (const char *const[]){ "/h/.config/memcage/profiles", "/etc/memcage/profiles",
                                                 "/usr/share/memcage/profiles", NULL });
        /* Neither: no user directory at all. */
        env.xdg_config_home = NULL;
        env.home = "";
        env.profile_path = "";
        expect_dirs(&env,
                    (const char *const[]){ "/etc/memcage/profiles", "/usr/share/memcage/profiles", NULL });
        env.home = NULL;
        env.profile_path = ":::";
        expect_dirs(&env,
                    (const char *const[]){ "/etc/memcage/profiles", "/usr/share/memcage/profiles", NULL });
        /* Without a sysconfdir or pkgdatadir, the ones memcage was built with. */
        env.sysconfdir = NULL;
        env.pkgdatadir = NULL;
        expect_dirs(&env,
                    (const char *const[]){ SYSCONFDIR "/memcage/profiles", PKGDATADIR "/profiles", NULL });
}

static void expect_found(const char *name, const struct mc_profile_env *env, const char *want)
{
        char *path = NULL;
        struct mc_error err = {};
        if (mc_profile_find(name, env, &path, &err) < 0)
                fail_msg("find %s: %s", name, err.msg);
        assert_string_equal(path, want);
        free(path);
}

static void test_find_order(void **state)
{
        struct mc_profile_env env = env_default();
        const char *in_share = write_file("share/memcage/profiles/x.ini", 0644, "");
        expect_found("x", &env, in_share);
        const char *in_etc = write_file("etc/memcage/profiles/x.ini", 0644, "");
        expect_found("x", &env, in_etc);
        const char *in_xdg = write_file("xdg/memcage/profiles/x.ini", 0644, "");
        expect_found("x", &env, in_xdg);
        const char *in_p2 = write_file("p2/x.ini", 0644, "");
        expect_found("x", &env, in_p2);
        const char *in_p1 = write_file("p1/x.ini", 0644, "");
        expect_found("x", &env, in_p1);

        /* The first directory shadows the others, also when loading. */
        write_file("p1/y.ini", 0644, "[memory]\nmax = 1G\n");
        write_file("p2/y.ini", 0644, "[memory]\nmax = 2G\n");
        write_file("etc/memcage/profiles/y.ini", 0644, "[memory]\nmax = 3G\n");
        struct mc_profile p;
        load_ok("y", &env, &p);
        assert_string_equal(p.name, "y");
        assert_string_equal(p.path, at("p1/y.ini"));
        expect_setting(&p, MC_KEY_MEMORY_MAX, "1G", at("p1/y.ini"), 2);
        mc_profile_free(&p);

        /* A shipped profile loads until the administrator's file of the same name overrides it. */
        write_file("share/memcage/profiles/v.ini", 0644, "[memory]\nmax = 4G\n");
        load_ok("v", &env, &p);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "4G", at("share/memcage/profiles/v.ini"), 2);
        mc_profile_free(&p);
        write_file("etc/memcage/profiles/v.ini", 0644, "[memory]\nmax = 5G\n");
        load_ok("v", &env, &p);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "5G", at("etc/memcage/profiles/v.ini"), 2);
        mc_profile_free(&p);

        /* A dangling symlink still shadows: loading it says what is wrong. */
        assert_int_equal(symlink("nowhere.ini", at("p1/z.ini")), 0);
        write_file("p2/z.ini", 0644, "");
        expect_found("z", &env, at("p1/z.ini"));
}

static void test_find_xdg_and_home(void **state)
{
        struct mc_profile_env env = env_default();
        const char *in_home = write_file("home/.config/memcage/profiles/h.ini", 0644, "");
        const char *in_xdg = write_file("xdg/memcage/profiles/h.ini", 0644, "");
        char *path = NULL;
        struct mc_error err = {};

        expect_found("h", &env, in_xdg);
        env.xdg_config_home = NULL;
        expect_found("h", &env, in_home);
        env.xdg_config_home = "";
        expect_found("h", &env, in_home);
        /* With XDG_CONFIG_HOME set, $HOME/.config is not searched. */
        env.xdg_config_home = dir_xdg;
        assert_int_equal(unlink(in_xdg), 0);
        assert_int_equal(mc_profile_find("h", &env, &path, &err), -ENOENT);
        assert_null(path);
}

static void test_find_not_found(void **state)
{
        struct mc_profile_env env = env_default();
        char *path = NULL;
        struct mc_error err = {};

        assert_int_equal(mc_profile_find("nope", &env, &path, &err), -ENOENT);
        char *want = format("profile 'nope' not found: no nope.ini in %s, %s, %s/memcage/profiles, "
                            "%s/memcage/profiles, %s/profiles",
                            dir_path1, dir_path2, dir_xdg, dir_etc, dir_share);
        assert_string_equal(err.msg, want);
        free(want);
        expect_load_error("nope", &env, ENOENT,
                          "profile 'nope' not found: no nope.ini in %s, %s, %s/memcage/profiles, "
                          "%s/memcage/profiles, %s/profiles",
                          dir_path1, dir_path2, dir_xdg, dir_etc, dir_share);
}

static void test_find_names(void **state)
{
        struct mc_profile_env env = env_default();
        static const char *const bad[] = { "", ".hidden", "..", "a b", "x*", "db.ini\n", "caf\xc3\xa9" };
        char *path = NULL;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct mc_error err = {};
                assert_int_equal(mc_profile_find(bad[i], &env, &path, &err), -EINVAL);
                char *want = format("invalid profile name '%s': " NAME_FORMS, bad[i]);
                assert_string_equal(err.msg, want);
                free(want);
        }
        char longname[300];
        memset(longname, 'a', sizeof(longname));
        longname[252] = '\0';
        struct mc_error err = {};
        assert_int_equal(mc_profile_find(longname, &env, &path, &err), -EINVAL);

        /* Valid names that exist nowhere. */
        static const char *const good[] = { "db", "my-db_2.old", "-x", "A.b" };
        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                assert_int_equal(mc_profile_find(good[i], &env, &path, &err), -ENOENT);
        longname[251] = '\0';
        assert_int_equal(mc_profile_find(longname, &env, &path, &err), -ENOENT);

        /* A name with '/' is a path, used as is, existing or not. */
        expect_found("./x.ini", &env, "./x.ini");
        expect_found("/no/such/file.ini", &env, "/no/such/file.ini");
        expect_found("sub/.hidden", &env, "sub/.hidden");
}

static void test_load_path_errors(void **state)
{
        struct mc_profile_env env = env_default();

        expect_load_error(at("none.ini"), &env, ENOENT, "%s: cannot open profile: No such file or directory",
                          at("none.ini"));
        assert_int_equal(mkdir(at("dir.ini"), 0755), 0);
        expect_load_error(at("dir.ini"), &env, EISDIR, "%s: cannot read profile: Is a directory",
                          at("dir.ini"));
        env.check_owner = true;
        expect_load_error(at("dir.ini"), &env, EISDIR, "%s: cannot read profile: Is a directory",
                          at("dir.ini"));
}

/* ---- inherit ---- */

static void test_inherit_override(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        const char *base = write_file("p2/base.ini", 0644,
                                      "[profile]\n"
                                      "description = the base\n"
                                      "[memory]\n"
                                      "max = 1G\n"
                                      "high = 900M\n"
                                      "low = 100M\n");
        const char *child = write_file("p1/child.ini", 0644,
                                       "[memory]\n"
                                       "max = 2G\n"
                                       "[profile]\n"
                                       "inherit = base\n"
                                       "[memory]\n"
                                       "low = 0\n");

        load_ok("child", &env, &p);
        assert_string_equal(p.name, "child");
        assert_string_equal(p.path, child);
        assert_int_equal(strv_length(p.chain), 2);
        assert_string_equal(p.chain[0], child);
        assert_string_equal(p.chain[1], base);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "2G", child, 2);
        expect_setting(&p, MC_KEY_MEMORY_HIGH, "900M", base, 5);
        expect_setting(&p, MC_KEY_MEMORY_LOW, "0", child, 6);
        expect_setting(&p, MC_KEY_PROFILE_DESCRIPTION, "the base", base, 2);
        expect_setting(&p, MC_KEY_PROFILE_INHERIT, "base", child, 4);
        mc_profile_free(&p);
}

static void test_inherit_chain(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        const char *c = write_file("etc/memcage/profiles/c.ini", 0644,
                                   "[memory]\nmax = 3G\nhigh = 3G\nlow = 3G\nmin = 3G\n");
        const char *b =
                write_file("p2/b.ini", 0644, "[profile]\ninherit = c\n[memory]\nhigh = 2G\nmin = 2G\n");
        const char *a =
                write_file("p1/a.ini", 0644, "[profile]\ninherit = b\n[memory]\nlow = 1G\nmin = 1G\n");

        load_ok("a", &env, &p);
        assert_int_equal(strv_length(p.chain), 3);
        assert_string_equal(p.chain[0], a);
        assert_string_equal(p.chain[1], b);
        assert_string_equal(p.chain[2], c);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "3G", c, 2);
        expect_setting(&p, MC_KEY_MEMORY_HIGH, "2G", b, 4);
        expect_setting(&p, MC_KEY_MEMORY_LOW, "1G", a, 4);
        expect_setting(&p, MC_KEY_MEMORY_MIN, "1G", a, 5);
        expect_setting(&p, MC_KEY_PROFILE_INHERIT, "b", a, 2);
        mc_profile_free(&p);
}

static void test_inherit_paths(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;

        /* Relative to the including file, not to the working directory. */
        write_file("tree/common/base.ini", 0644, "[memory]\nmax = 1G\nhigh = 1G\nlow = 1G\n");
        write_file("tree/sub/mid.ini", 0644,
                   "[profile]\ninherit = ./../common/base.ini\n[memory]\nhigh = 2G\n");
        const char *top =
                write_file("tree/sub/top.ini", 0644, "[profile]\ninherit = ./mid.ini\n[memory]\nlow = 3G\n");
        load_ok(top, &env, &p);
        assert_int_equal(strv_length(p.chain), 3);
        assert_string_equal(p.chain[1], at("tree/sub/./mid.ini"));
        /* Each step is relative to the directory of the file that names it. */
        assert_string_equal(p.chain[2], at("tree/sub/././../common/base.ini"));
        expect_setting(&p, MC_KEY_MEMORY_MAX, "1G", at("tree/sub/././../common/base.ini"), 2);
        expect_setting(&p, MC_KEY_MEMORY_HIGH, "2G", at("tree/sub/./mid.ini"), 4);
        expect_setting(&p, MC_KEY_MEMORY_LOW, "3G", top, 4);
        mc_profile_free(&p);

        /* An absolute path, from a profile found on the search path. */
        char *content = format("[profile]\ninherit = %s\n", at("tree/common/base.ini"));
        write_file("p1/abs.ini", 0644, content);
        free(content);
        load_ok("abs", &env, &p);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "1G", at("tree/common/base.ini"), 2);
        mc_profile_free(&p);

        /* A plain name from a profile loaded by path goes through the search path. */
        write_file("etc/memcage/profiles/sys.ini", 0644, "[memory]\nmax = 5G\n");
        const char *local = write_file("local.ini", 0644, "[profile]\ninherit = sys\n");
        load_ok(local, &env, &p);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "5G", at("etc/memcage/profiles/sys.ini"), 2);
        mc_profile_free(&p);
}

static void test_inherit_cycles(void **state)
{
        struct mc_profile_env env = env_default();

        const char *a = write_file("p1/a.ini", 0644, "[profile]\ninherit = b\n");
        const char *b = write_file("p1/b.ini", 0644, "# b\n[profile]\ninherit = a\n");
        expect_load_error("a", &env, ELOOP, "%s:3: inherit cycle: a -> b -> a", b);
        expect_load_error("b", &env, ELOOP, "%s:2: inherit cycle: b -> a -> b", a);

        const char *self = write_file("p1/self.ini", 0644, "[profile]\ninherit = self\n");
        expect_load_error("self", &env, ELOOP, "%s:2: inherit cycle: self -> self", self);

        /* The same file under another name is the same file. */
        const char *alias = write_file("p1/alias.ini", 0644, "[profile]\ninherit = ./alias.ini\n");
        expect_load_error("alias", &env, ELOOP, "%s:2: inherit cycle: alias -> ./alias.ini", alias);

        /* The chain shown starts at the requested profile. */
        write_file("p1/top.ini", 0644, "[profile]\ninherit = a\n");
        expect_load_error("top", &env, ELOOP, "%s:3: inherit cycle: top -> a -> b -> a", b);
        expect_load_error(a, &env, ELOOP, "%s:3: inherit cycle: %s -> b -> a", b, a);
}

static void test_inherit_depth(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        char name[32], content[64];

        /* d1 -> d2 -> ... -> d17: sixteen files load, the seventeenth is one too many. */
        for (int i = 1; i <= 17; i++) {
                snprintf(name, sizeof(name), "p1/d%d.ini", i);
                if (i < 17)
                        snprintf(content, sizeof(content), "[profile]\ninherit = d%d\n", i + 1);
                else
                        snprintf(content, sizeof(content), "[memory]\nmax = 17G\n");
                write_file(name, 0644, content);
        }
        expect_load_error("d1", &env, ELOOP, "%s:2: inherit chain too deep: more than 16 profiles",
                          at("p1/d16.ini"));
        load_ok("d2", &env, &p);
        assert_int_equal(strv_length(p.chain), 16);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "17G", at("p1/d17.ini"), 2);
        expect_setting(&p, MC_KEY_PROFILE_INHERIT, "d3", at("p1/d2.ini"), 2);
        mc_profile_free(&p);
}

static void test_inherit_errors(void **state)
{
        struct mc_profile_env env = env_default();
        const char *a;

        a = write_file("p1/a.ini", 0644, "[profile]\ninherit = missing\n");
        expect_load_error("a", &env, ENOENT,
                          "%s:2: profile 'missing' not found: no missing.ini in %s, %s, "
                          "%s/memcage/profiles, %s/memcage/profiles, %s/profiles",
                          a, dir_path1, dir_path2, dir_xdg, dir_etc, dir_share);
        a = write_file("p1/a.ini", 0644, "[profile]\ninherit = ./missing.ini\n");
        expect_load_error("a", &env, ENOENT, "%s:2: %s: cannot open profile: No such file or directory", a,
                          at("p1/./missing.ini"));
        /* Errors inside the inherited file name that file. */
        const char *base = write_file("p2/base.ini", 0644, "[memory]\n\nmax = lots\n");
        write_file("p1/a.ini", 0644, "[profile]\ninherit = base\n");
        expect_load_error("a", &env, EINVAL,
                          "%s:3: invalid size 'lots' for max: not a number; " SIZE_FORMS_F, base);
        /* A duplicate is per file: overriding the inherited value is the point. */
        write_file("p2/base.ini", 0644, "[memory]\nmax = 1G\n");
        write_file("p1/a.ini", 0644, "[profile]\ninherit = base\n[memory]\nmax = 2G\n");
        struct mc_profile p;
        load_ok("a", &env, &p);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "2G", at("p1/a.ini"), 4);
        mc_profile_free(&p);
}

/* ---- [run] ---- */

static void test_run_keys(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        const char *f = write_file("run.ini", 0644,
                                   "[run]\n"                                             /* 1 */
                                   "user = nobody\n"                                     /* 2 */
                                   "group = 65534\n"                                     /* 3 */
                                   "groups = adm, video  disk\n"                         /* 4 */
                                   "capabilities = CAP_IPC_LOCK, cap_net_bind_service\n" /* 5 */
                                   "no_new_privs = off\n"                                /* 6 */
                                   "cwd = /tmp\n"                                        /* 7 */
                                   "umask = 027\n"                                       /* 8 */
                                   "env = A=1\n"                                         /* 9 */
                                   "env = B=x=y\n"                                       /* 10 */
                                   "env = EMPTY=\n"                                      /* 11 */
                                   "env_keep = TZ DISPLAY\n"                             /* 12 */
                                   "nice = -5\n"                                         /* 13 */
                                   "oom_score_adj = 500\n"                               /* 14 */
                                   "rlimit_memlock = 64M\n"                              /* 15 */
                                   "rlimit_as = infinity\n"                              /* 16 */
                                   "rlimit_data = 1073741824\n");                        /* 17 */

        load_ok(f, &env, &p);
        expect_setting(&p, MC_KEY_RUN_USER, "nobody", f, 2);
        expect_setting(&p, MC_KEY_RUN_GROUP, "65534", f, 3);
        expect_setting(&p, MC_KEY_RUN_GROUPS, "adm, video  disk", f, 4);
        expect_setting(&p, MC_KEY_RUN_CAPABILITIES, "CAP_IPC_LOCK, cap_net_bind_service", f, 5);
        expect_setting(&p, MC_KEY_RUN_NO_NEW_PRIVS, "off", f, 6);
        expect_setting(&p, MC_KEY_RUN_CWD, "/tmp", f, 7);
        expect_setting(&p, MC_KEY_RUN_UMASK, "027", f, 8);
        expect_setting(&p, MC_KEY_RUN_ENV, "A=1", f, 9);
        assert_non_null(p.settings[MC_KEY_RUN_ENV].next);
        assert_string_equal(p.settings[MC_KEY_RUN_ENV].next->value, "B=x=y");
        assert_int_equal(p.settings[MC_KEY_RUN_ENV].next->line, 10);
        assert_string_equal(p.settings[MC_KEY_RUN_ENV].next->next->value, "EMPTY=");
        assert_null(p.settings[MC_KEY_RUN_ENV].next->next->next);
        expect_setting(&p, MC_KEY_RUN_ENV_KEEP, "TZ DISPLAY", f, 12);
        expect_setting(&p, MC_KEY_RUN_NICE, "-5", f, 13);
        expect_setting(&p, MC_KEY_RUN_OOM_SCORE_ADJ, "500", f, 14);
        expect_setting(&p, MC_KEY_RUN_RLIMIT_MEMLOCK, "64M", f, 15);
        expect_setting(&p, MC_KEY_RUN_RLIMIT_AS, "infinity", f, 16);
        expect_setting(&p, MC_KEY_RUN_RLIMIT_DATA, "1073741824", f, 17);
        /* Non-repeatable keys never get a next. */
        assert_null(p.settings[MC_KEY_RUN_USER].next);
        mc_profile_free(&p);
}

static void test_run_bad_values(void **state)
{
        struct mc_profile_env env = env_default();
        static const struct {
                const char *line;
                const char *msg;
        } cases[] = {
                { "user = a:b", "invalid user 'a:b' for user: use a user name or a numeric uid" },
                { "user = -x", "invalid user '-x' for user: use a user name or a numeric uid" },
                { "user =", "invalid user '' for user: use a user name or a numeric uid" },
                { "group = a b", "invalid group 'a b' for group: use a group name or a numeric gid" },
                { "groups = adm, x/y", "invalid group 'x/y' for groups: use group names or numeric gids "
                                       "separated by commas" },
                { "capabilities = CAP_IPC_LOCK, CAP_NOPE",
                  "unknown capability 'CAP_NOPE' for capabilities: use names such as CAP_IPC_LOCK, see "
                  "capabilities(7)" },
                { "capabilities = 14", "unknown capability '14' for capabilities: use names such as "
                                       "CAP_IPC_LOCK, see capabilities(7)" },
                { "no_new_privs = maybe", "invalid boolean 'maybe' for no_new_privs: use 1/0, yes/no, "
                                          "true/false or on/off" },
                { "cwd = tmp", "invalid path 'tmp' for cwd: use an absolute path" },
                { "umask = 0800", "invalid umask '0800' for umask: use octal from 0 to 0777, e.g. 027" },
                { "umask = 01000", "invalid umask '01000' for umask: use octal from 0 to 0777, e.g. 027" },
                { "umask = -1", "invalid umask '-1' for umask: use octal from 0 to 0777, e.g. 027" },
                { "env = NOEQUALS",
                  "invalid environment entry 'NOEQUALS' for env: use NAME=VALUE, NAME made "
                  "of letters, digits and '_', not starting with a digit" },
                { "env = 1X=2", "invalid environment entry '1X=2' for env: use NAME=VALUE, NAME made of "
                                "letters, digits and '_', not starting with a digit" },
                { "env = =v",
                  "invalid environment entry '=v' for env: use NAME=VALUE, NAME made of letters, "
                  "digits and '_', not starting with a digit" },
                { "env_keep = TZ, A-B", "invalid variable name 'A-B' for env_keep: use letters, digits and "
                                        "'_', not starting with a digit" },
                { "nice = 20", "invalid value '20' for nice: use an integer from -20 to 19" },
                { "nice = -21", "invalid value '-21' for nice: use an integer from -20 to 19" },
                { "nice = 1.5", "invalid value '1.5' for nice: use an integer from -20 to 19" },
                { "oom_score_adj = 1001",
                  "invalid value '1001' for oom_score_adj: use an integer from -1000 "
                  "to 1000" },
                { "rlimit_memlock = lots",
                  "invalid limit 'lots' for rlimit_memlock: use bytes (4096), K, M, "
                  "G or T (1024-based) or infinity" },
                { "rlimit_as = 50%", "invalid limit '50%' for rlimit_as: use bytes (4096), K, M, G or T "
                                     "(1024-based) or infinity" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char content[256];
                snprintf(content, sizeof(content), "[run]\nuser = root\n%s\n", cases[i].line);
                if (strncmp(cases[i].line, "user", 4) == 0)
                        snprintf(content, sizeof(content), "[run]\ncwd = /\n%s\n", cases[i].line);
                const char *f = write_file("bad.ini", 0644, content);
                expect_load_error(f, &env, EINVAL, "%s:3: %s", f, cases[i].msg);
        }
}

static void test_run_env_duplicates(void **state)
{
        struct mc_profile_env env = env_default();
        const char *f;

        /* One NAME per file; other NAMEs repeat freely. */
        f = write_file("e.ini", 0644, "[run]\nenv = A=1\nenv = B=2\n\nenv = A=3\n");
        expect_load_error(f, &env, EINVAL, "%s:5: duplicate env 'A' in [run] (first set on line 2)", f);
        /* A prefix is another name. */
        f = write_file("e.ini", 0644, "[run]\nenv = AB=1\nenv = A=2\n");
        struct mc_profile p;
        load_ok(f, &env, &p);
        expect_setting(&p, MC_KEY_RUN_ENV, "AB=1", f, 2);
        assert_string_equal(p.settings[MC_KEY_RUN_ENV].next->value, "A=2");
        mc_profile_free(&p);
        /* Non-repeatable [run] keys stay single. */
        f = write_file("e.ini", 0644, "[run]\nuser = a\nuser = b\n");
        expect_load_error(f, &env, EINVAL, "%s:3: duplicate key 'user' in [run] (first set on line 2)", f);
}

static void test_run_env_inherit(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        struct mc_error err = {};
        const char *base = write_file("p2/base.ini", 0644,
                                      "[run]\nenv = A=base\nenv = B=base\nuser = nobody\nenv = C=base\n");
        const char *child = write_file("p1/child.ini", 0644,
                                       "[profile]\ninherit = base\n[run]\nenv = B=child\nenv = D=child\n");

        load_ok("child", &env, &p);
        /* Inherited order, B replaced in place with where it now comes from, D appended. */
        const struct mc_setting *s = &p.settings[MC_KEY_RUN_ENV];
        const char *want[][2] = {
                { "A=base", base }, { "B=child", child }, { "C=base", base }, { "D=child", child }
        };
        const unsigned lines[] = { 2, 4, 5, 5 };
        for (size_t i = 0; i < ELEMENTSOF(want); i++, s = s->next) {
                assert_non_null(s);
                assert_string_equal(s->value, want[i][0]);
                assert_string_equal(s->file, want[i][1]);
                assert_int_equal(s->line, lines[i]);
        }
        assert_null(s);
        expect_setting(&p, MC_KEY_RUN_USER, "nobody", base, 4);

        /* The command line adds and overrides the same way. */
        assert_int_equal(mc_profile_set(&p, "run", "env", "A=cli", NULL, 0, &env, &err), 0);
        assert_int_equal(mc_profile_set(&p, "run", "env", "E=cli", NULL, 0, &env, &err), 0);
        expect_setting(&p, MC_KEY_RUN_ENV, "A=cli", "command line", 0);
        s = p.settings[MC_KEY_RUN_ENV].next->next->next->next;
        assert_string_equal(s->value, "E=cli");
        assert_null(s->next);
        assert_int_equal(mc_profile_set(&p, "run", "env", "bad", NULL, 0, &env, &err), -EINVAL);
        assert_int_equal(mc_profile_set(&p, "run", "capabilities", "CAP_BOGUS", NULL, 0, &env, &err),
                         -EINVAL);
        assert_string_equal(err.msg, "unknown capability 'CAP_BOGUS' for capabilities: use names such as "
                                     "CAP_IPC_LOCK, see capabilities(7)");
        mc_profile_free(&p);
        /* Freed, the profile is init'd and can be freed again. */
        assert_null(p.settings[MC_KEY_RUN_ENV].value);
        assert_null(p.settings[MC_KEY_RUN_ENV].next);
        mc_profile_free(&p);
}

static void test_run_value_parsers(void **state)
{
        char **v = NULL;
        long l;
        unsigned m;
        uint64_t b;

        assert_int_equal(mc_profile_split_list(" a,b  c,,\td, ", &v), 0);
        assert_int_equal(strv_length(v), 4);
        assert_string_equal(v[0], "a");
        assert_string_equal(v[3], "d");
        mc_strv_free(v);
        assert_int_equal(mc_profile_split_list("", &v), 0);
        assert_int_equal(strv_length(v), 0);
        mc_strv_free(v);

        assert_int_equal(mc_profile_parse_int("-20", -20, 19, &l), 0);
        assert_int_equal(l, -20);
        assert_int_equal(mc_profile_parse_int("", -20, 19, &l), -EINVAL);
        assert_int_equal(mc_profile_parse_int("3x", -20, 19, &l), -EINVAL);
        assert_int_equal(mc_profile_parse_umask("0", &m), 0);
        assert_int_equal(m, 0);
        assert_int_equal(mc_profile_parse_umask("777", &m), 0);
        assert_int_equal(m, 0777);
        assert_int_equal(mc_profile_parse_umask("", &m), -EINVAL);
        assert_int_equal(mc_profile_parse_rlimit("unlimited", &b), 0);
        assert_true(b == UINT64_MAX);
        assert_int_equal(mc_profile_parse_rlimit("16M", &b), 0);
        assert_true(b == 16 << 20);
        assert_int_equal(mc_profile_parse_rlimit("10%", &b), -EINVAL);
}

/* ---- ownership checks for root runs ---- */

static bool running_as_root(void)
{
        if (geteuid() == 0)
                return true;
        print_message("SKIP: needs root (files here are owned by uid %u, which root runs refuse)\n",
                      (unsigned)geteuid());
        return false;
}

static void test_owner_accepts_root_file(void **state)
{
        if (!running_as_root()) {
                skip();
                return;
        }
        struct mc_profile_env env = env_default();
        env.check_owner = true;
        struct mc_profile p;
        static const mode_t modes[] = { 0644, 0600, 0444, 0400, 0755 };
        for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                const char *f = write_file("p1/ok.ini", modes[i], "[memory]\nmax = 1G\n");
                load_ok("ok", &env, &p);
                expect_setting(&p, MC_KEY_MEMORY_MAX, "1G", f, 2);
                mc_profile_free(&p);
        }
}

static void test_owner_writable(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        static const mode_t modes[] = { 0664, 0646, 0666, 0620, 0602 };

        for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                const char *f = write_file("p1/w.ini", modes[i], "[memory]\nmax = 1G\n");
                env.check_owner = true;
                expect_load_error("w", &env, EPERM,
                                  "%s: refusing profile: writable by group or other (chmod go-w %s)", f, f);
                /* Not a root run: the user's own business. */
                env.check_owner = false;
                load_ok("w", &env, &p);
                mc_profile_free(&p);
        }
}

static void test_owner_symlink(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;

        write_file("real.ini", 0644, "[memory]\nmax = 1G\n");
        mkdir_parents(at("p1/link.ini"));
        assert_int_equal(symlink(at("real.ini"), at("p1/link.ini")), 0);
        env.check_owner = true;
        expect_load_error("link", &env, EPERM, "%s: refusing profile: it is a symbolic link",
                          at("p1/link.ini"));
        expect_load_error(at("p1/link.ini"), &env, EPERM, "%s: refusing profile: it is a symbolic link",
                          at("p1/link.ini"));
        env.check_owner = false;
        load_ok("link", &env, &p);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "1G", at("p1/link.ini"), 2);
        mc_profile_free(&p);
}

static void test_owner_fifo(void **state)
{
        struct mc_profile_env env = env_default();

        mkdir_parents(at("p1/f.ini"));
        assert_int_equal(mkfifo(at("p1/f.ini"), 0644), 0);
        env.check_owner = true;
        /* Refused without blocking on a FIFO nobody writes to. */
        expect_load_error("f", &env, EPERM, "%s: refusing profile: not a regular file", at("p1/f.ini"));
}

static void test_owner_not_root(void **state)
{
        if (!running_as_root()) {
                skip();
                return;
        }
        struct mc_profile_env env = env_default();
        const char *f = write_file("p1/u.ini", 0644, "[memory]\nmax = 1G\n");
        assert_int_equal(chown(f, 1, 1), 0);
        env.check_owner = true;
        expect_load_error("u", &env, EPERM, "%s: refusing profile: owned by uid 1, not root (chown root %s)",
                          f, f);
}

static void test_owner_inherited(void **state)
{
        struct mc_profile_env env = env_default();
        const char *a = write_file("p1/a.ini", 0644, "[profile]\ninherit = b\n");
        const char *b = write_file("p2/b.ini", 0664, "[memory]\nmax = 1G\n");

        env.check_owner = true;
        if (geteuid() == 0)
                expect_load_error("a", &env, EPERM,
                                  "%s:2: %s: refusing profile: writable by group or other "
                                  "(chmod go-w %s)",
                                  a, b, b);
        else
                /* The including file is refused first. */
                expect_load_error("a", &env, EPERM,
                                  "%s: refusing profile: owned by uid %u, not root (chown root %s)", a,
                                  (unsigned)geteuid(), a);
}

/* ---- trusted directories (every run of the CLI sets check_trust) ---- */

/*
 * The test directory itself must pass (its parents: /, TMPDIR): a checkout
 * or TMPDIR in a group-writable directory cannot run these tests, which say
 * so rather than pass.
 */
static bool trust_usable(const struct mc_profile_env *env)
{
        struct mc_profile p;
        struct mc_error err = {};
        write_file("p1/base-ok.ini", 0644, "[memory]\nmax = 1G\n");
        if (mc_profile_load("base-ok", env, &p, &err) == 0) {
                mc_profile_free(&p);
                return true;
        }
        print_message("SKIP: the test directory %s itself is not trusted: %s\n", tmp, err.msg);
        return false;
}

/* tmp/rel with symlinks resolved, as the messages name directories. */
static const char *real_at(const char *rel)
{
        static char ring[4][PATH_MAX];
        static unsigned next;
        char *b = ring[next++ % ELEMENTSOF(ring)];
        if (!realpath(at(rel), b))
                fail_msg("realpath %s: %m", at(rel));
        return b;
}

static void test_trust_writable_dir(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;

        env.check_trust = true;
        if (!trust_usable(&env)) {
                skip();
                return;
        }
        char f[512];
        snprintf(f, sizeof(f), "%s", write_file("p1/sub/w.ini", 0644, "[memory]\nmax = 1G\n"));
        static const mode_t modes[] = { 0775, 0757, 0777, 0770 };
        for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                assert_int_equal(chmod(at("p1/sub"), modes[i]), 0);
                expect_load_error(f, &env, EPERM,
                                  "%s: refusing profile: directory %s is writable by group or other "
                                  "(mode %04o, owner uid %u; chmod g-w,o-w %s)",
                                  f, real_at("p1/sub"), (unsigned)modes[i], (unsigned)geteuid(),
                                  real_at("p1/sub"));
                /* A root run the same. */
                env.check_owner = geteuid() == 0;
                expect_load_error(f, &env, EPERM,
                                  "%s: refusing profile: directory %s is writable by group or other "
                                  "(mode %04o, owner uid %u; chmod g-w,o-w %s)",
                                  f, real_at("p1/sub"), (unsigned)modes[i], (unsigned)geteuid(),
                                  real_at("p1/sub"));
                env.check_owner = false;
        }
        /* The same directory above the search path's profile, found by name; and fixed. */
        assert_int_equal(chmod(at("p1"), 0775), 0);
        write_file("p1/named.ini", 0644, "[memory]\nmax = 1G\n");
        expect_load_error("named", &env, EPERM,
                          "%s: refusing profile: directory %s is writable by group or other "
                          "(mode 0775, owner uid %u; chmod g-w,o-w %s)",
                          at("p1/named.ini"), real_at("p1"), (unsigned)geteuid(), real_at("p1"));
        assert_int_equal(chmod(at("p1"), 0755), 0);
        assert_int_equal(chmod(at("p1/sub"), 0755), 0);
        load_ok(f, &env, &p);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "1G", f, 2);
        mc_profile_free(&p);

        /* The file itself, group-writable, with check_trust alone (a run of a user, not root). */
        char w[512];
        snprintf(w, sizeof(w), "%s", write_file("p1/gw.ini", 0664, "[memory]\nmax = 1G\n"));
        expect_load_error(w, &env, EPERM, "%s: refusing profile: writable by group or other (chmod go-w %s)",
                          w, w);

        /* An inherited profile in such a directory: refused, with the inherit line. */
        char a[512];
        snprintf(a, sizeof(a), "%s", write_file("p1/a.ini", 0644, "[profile]\ninherit = b\n"));
        char b[512];
        snprintf(b, sizeof(b), "%s", write_file("p2/b.ini", 0644, "[memory]\nmax = 1G\n"));
        assert_int_equal(chmod(at("p2"), 0770), 0);
        expect_load_error("a", &env, EPERM,
                          "%s:2: %s: refusing profile: directory %s is writable by group or other "
                          "(mode 0770, owner uid %u; chmod g-w,o-w %s)",
                          a, b, real_at("p2"), (unsigned)geteuid(), real_at("p2"));
}

static void test_trust_sticky_dir(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;

        env.check_trust = true;
        if (!trust_usable(&env)) {
                skip();
                return;
        }
        /* Like /tmp: others may add entries, not replace ours. */
        char f[512];
        snprintf(f, sizeof(f), "%s", write_file("shared/ours.ini", 0644, "[memory]\nmax = 1G\n"));
        assert_int_equal(chmod(at("shared"), 01777), 0);
        load_ok(f, &env, &p);
        mc_profile_free(&p);
        env.check_owner = geteuid() == 0;
        load_ok(f, &env, &p);
        mc_profile_free(&p);
        if (geteuid() != 0) {
                print_message("NOTE: not root: the other-owner cases need chown, skipped\n");
                return;
        }
        /* What another user put there is theirs: a directory, or the file. */
        char g[512];
        snprintf(g, sizeof(g), "%s", write_file("shared/theirs/p.ini", 0644, "[memory]\nmax = 1G\n"));
        assert_int_equal(chown(at("shared/theirs"), 4242, 4242), 0);
        expect_load_error(g, &env, EPERM,
                          "%s: refusing profile: directory %s is owned by uid 4242, not root "
                          "(chown root %s, or move the profile)",
                          g, real_at("shared/theirs"), real_at("shared/theirs"));
        char h[512];
        snprintf(h, sizeof(h), "%s", write_file("shared/theirs.ini", 0644, "[memory]\nmax = 1G\n"));
        assert_int_equal(chown(h, 4242, 4242), 0);
        expect_load_error(h, &env, EPERM,
                          "%s: refusing profile: owned by uid 4242, not root (chown root %s)", h, h);
}

static void test_trust_other_owner(void **state)
{
        if (!running_as_root()) {
                skip();
                return;
        }
        struct mc_profile_env env = env_default();

        env.check_trust = true;
        env.check_owner = true;
        if (!trust_usable(&env)) {
                skip();
                return;
        }
        char f[512];
        snprintf(f, sizeof(f), "%s", write_file("p1/u/x.ini", 0644, "[memory]\nmax = 1G\n"));
        assert_int_equal(chown(f, 4242, 4242), 0);
        expect_load_error(f, &env, EPERM,
                          "%s: refusing profile: owned by uid 4242, not root (chown root %s)", f, f);
        assert_int_equal(chown(f, 0, 0), 0);
        assert_int_equal(chown(at("p1/u"), 4242, 4242), 0);
        expect_load_error(f, &env, EPERM,
                          "%s: refusing profile: directory %s is owned by uid 4242, not root "
                          "(chown root %s, or move the profile)",
                          f, real_at("p1/u"), real_at("p1/u"));
}

/*
 * Symlinks in the path are resolved, then every directory the file really
 * sits in is checked: a link does not lend its own directory's trust.
 */
static void test_trust_symlink(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;

        env.check_trust = true;
        if (!trust_usable(&env)) {
                skip();
                return;
        }
        char real[512];
        snprintf(real, sizeof(real), "%s", write_file("open/inner/x.ini", 0644, "[memory]\nmax = 1G\n"));
        mkdir_parents(at("p1/x"));
        assert_int_equal(symlink(at("open/inner"), at("p1/dirlink")), 0);
        load_ok(at("p1/dirlink/x.ini"), &env, &p);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "1G", at("p1/dirlink/x.ini"), 2);
        mc_profile_free(&p);
        assert_int_equal(chmod(at("open"), 0777), 0);
        expect_load_error(at("p1/dirlink/x.ini"), &env, EPERM,
                          "%s: refusing profile: directory %s is writable by group or other "
                          "(mode 0777, owner uid %u; chmod g-w,o-w %s)",
                          at("p1/dirlink/x.ini"), real_at("open"), (unsigned)geteuid(), real_at("open"));
        /* The profile itself a link (a user's run): its target's directories are what count. */
        assert_int_equal(symlink(real, at("p1/filelink.ini")), 0);
        expect_load_error("filelink", &env, EPERM,
                          "%s: refusing profile: directory %s is writable by group or other "
                          "(mode 0777, owner uid %u; chmod g-w,o-w %s)",
                          at("p1/filelink.ini"), real_at("open"), (unsigned)geteuid(), real_at("open"));
        assert_int_equal(chmod(at("open"), 0755), 0);
        load_ok("filelink", &env, &p);
        mc_profile_free(&p);
        /* A root run still refuses the profile being a link, wherever it points. */
        env.check_owner = true;
        expect_load_error("filelink", &env, EPERM, "%s: refusing profile: it is a symbolic link",
                          at("p1/filelink.ini"));
        if (geteuid() == 0) {
                load_ok(at("p1/dirlink/x.ini"), &env, &p);
                mc_profile_free(&p);
        }
}

/* ---- command-line overrides ---- */

static void test_set(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        struct mc_error err = {};

        mc_profile_init(&p);
        assert_int_equal(mc_profile_set(&p, "memory", "max", "1G", NULL, 0, &env, &err), 0);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "1G", "command line", 0);
        assert_int_equal(mc_profile_set(&p, "memory", "max", "75%", "command line", 0, &env, &err), 0);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "75%", "command line", 0);
        assert_int_equal(mc_profile_set(&p, "memory", "oom.group", "off", "x.ini", 9, &env, &err), 0);
        expect_setting(&p, MC_KEY_MEMORY_OOM_GROUP, "off", "x.ini", 9);
        assert_int_equal(mc_profile_set(&p, "cgroup", "parent", "ci/jobs", NULL, 0, &env, &err), 0);
        expect_setting(&p, MC_KEY_CGROUP_PARENT, "ci/jobs", "command line", 0);

        /* A rejected value leaves the previous one. */
        assert_int_equal(mc_profile_set(&p, "memory", "max", "lots", NULL, 0, &env, &err), -EINVAL);
        assert_string_equal(err.msg, "invalid size 'lots' for max: not a number; " SIZE_FORMS);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "75%", "command line", 0);
        assert_int_equal(mc_profile_set(&p, "memory", "max", "lots", "y.ini", 4, &env, &err), -EINVAL);
        assert_string_equal(err.msg, "y.ini:4: invalid size 'lots' for max: not a number; " SIZE_FORMS);
        assert_int_equal(mc_profile_set(&p, "memory", "maxx", "1G", NULL, 0, &env, &err), -EINVAL);
        assert_string_equal(err.msg, "unknown key 'maxx' in [memory]");
        assert_int_equal(mc_profile_set(&p, "hugetlb", "x", "x", NULL, 0, &env, &err), -EINVAL);
        assert_string_equal(err.msg, "unknown key 'x' in [hugetlb]");
        assert_int_equal(mc_profile_set(&p, "nosuch", "x", "x", NULL, 0, &env, &err), -EINVAL);
        assert_string_equal(err.msg, "unknown section [nosuch]");
        assert_int_equal(mc_profile_set(&p, "memory", "oom.group", "2", NULL, 0, &env, &err), -EINVAL);
        assert_string_equal(err.msg,
                            "invalid boolean '2' for oom.group: use 1/0, yes/no, true/false or on/off");
        expect_setting(&p, MC_KEY_MEMORY_OOM_GROUP, "off", "x.ini", 9);

        /* Overrides on a loaded profile replace what the file said. */
        mc_profile_free(&p);
        const char *f = write_file("p1/o.ini", 0644, "[memory]\nmax = 1G\nhigh = 1G\n");
        load_ok("o", &env, &p);
        assert_int_equal(mc_profile_set(&p, "memory", "max", "2G", NULL, 0, &env, &err), 0);
        expect_setting(&p, MC_KEY_MEMORY_MAX, "2G", "command line", 0);
        expect_setting(&p, MC_KEY_MEMORY_HIGH, "1G", f, 3);
        mc_profile_free(&p);
}

static void test_cgroup_paths(void **state)
{
        struct mc_profile_env env = env_default();
        struct mc_profile p;
        char long_ok[300], long_bad[300];

        memset(long_ok, 'c', sizeof(long_ok));
        long_ok[255] = '\0';
        memset(long_bad, 'c', sizeof(long_bad));
        long_bad[256] = '\0';

        const char *good[] = { "memcage", "ci/jobs", "a/b.c/d-e_f", "x..y", ".hidden", long_ok };
        static const struct {
                const char *in, *why;
        } bad[] = {
                { "", "empty value" },
                { "/abs", "the path must be relative" },
                { "a//b", "empty component" },
                { "a/", "empty component" },
                { ".", "'.' and '..' are not allowed" },
                { "a/../b", "'.' and '..' are not allowed" },
                { "a/./b", "'.' and '..' are not allowed" },
                { "x y", "invalid character ' '" },
                { "a/b:c", "invalid character ':'" },
                { "tab\there", "invalid character 0x09" },
        };

        mc_profile_init(&p);
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                struct mc_error err = {};
                if (mc_profile_set(&p, "cgroup", "parent", good[i], NULL, 0, &env, &err) < 0)
                        fail_msg("'%s': %s", good[i], err.msg);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct mc_error err = {};
                assert_int_equal(mc_profile_set(&p, "cgroup", "parent", bad[i].in, NULL, 0, &env, &err),
                                 -EINVAL);
                char *want = format("invalid cgroup path '%s' for parent: %s; " CGROUP_FORMS, bad[i].in,
                                    bad[i].why);
                assert_string_equal(err.msg, want);
                free(want);
        }
        struct mc_error err = {};
        assert_int_equal(mc_profile_set(&p, "cgroup", "parent", long_bad, NULL, 0, &env, &err), -EINVAL);
        assert_non_null(strstr(err.msg, ": component longer than 255 characters; "));
        mc_profile_free(&p);
}

static void test_profile_free(void **state)
{
        struct mc_profile p;

        memset(&p, 0, sizeof(p));
        mc_profile_free(&p);
        mc_profile_init(&p);
        mc_profile_free(&p);
        mc_profile_free(&p);
        assert_null(p.name);
        assert_null(p.chain);

        struct mc_profile_env env = env_default();
        write_file("p1/f.ini", 0644, "[profile]\ninherit = g\n");
        write_file("p1/g.ini", 0644, "[memory]\nmax = 1G\n");
        load_ok("f", &env, &p);
        mc_profile_free(&p);
        mc_profile_free(&p);
        for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++)
                assert_null(p.settings[k].value);
}

/* ---- the profiles memcage ships ---- */

static void test_shipped_profiles(void **state)
{
        const char *dir = TEST_SRCDIR "/../../profiles";
        struct mc_profile_env env = env_default();
        DIR *d = opendir(dir);
        size_t n = 0;

        assert_non_null(d);
        for (struct dirent *de; (de = readdir(d));) {
                size_t len = strlen(de->d_name);
                if (len < 5 || !streq(de->d_name + len - 4, ".ini"))
                        continue;
                char *path = format("%s/%s", dir, de->d_name);
                struct mc_profile p;
                load_ok(path, &env, &p);
                /* Every shipped profile says what it is for and sets a wall. */
                assert_non_null(p.settings[MC_KEY_PROFILE_DESCRIPTION].value);
                assert_non_null(p.settings[MC_KEY_MEMORY_MAX].value);
                mc_profile_free(&p);
                free(path);
                n++;
        }
        closedir(d);
        assert_true(n >= 4);

        static const struct {
                const char *name;
                const char *max, *high, *low, *swap_max, *oom_group;
        } want[] = {
                { "db", "4G", "3.5G", "1G", "1G", "1" },
                { "ci", "2G", "1.8G", NULL, "512M", "1" },
                { "build", "8G", "6G", NULL, "2G", "0" },
                { "strict", "1G", NULL, NULL, "0", "1" },
        };
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                char *path = format("%s/%s.ini", dir, want[i].name);
                struct mc_profile p;
                load_ok(path, &env, &p);
                const struct {
                        enum mc_key k;
                        const char *v;
                } kv[] = {
                        { MC_KEY_MEMORY_MAX, want[i].max },
                        { MC_KEY_MEMORY_HIGH, want[i].high },
                        { MC_KEY_MEMORY_LOW, want[i].low },
                        { MC_KEY_MEMORY_SWAP_MAX, want[i].swap_max },
                        { MC_KEY_MEMORY_OOM_GROUP, want[i].oom_group },
                };
                for (size_t j = 0; j < ELEMENTSOF(kv); j++) {
                        const char *v = p.settings[kv[j].k].value;
                        if (!kv[j].v)
                                assert_null(v);
                        else if (!v || !streq(v, kv[j].v))
                                fail_msg("%s: %s = %s, want %s", want[i].name, mc_key_info(kv[j].k)->name,
                                         v ? v : "(unset)", kv[j].v);
                }
                mc_profile_free(&p);
                free(path);
        }
}

/* The stem a run's default names take from its profile. */
static void test_stem(void **state)
{
        static const char *const cases[][2] = {
                { "db", "db" },           { "./x.ini", "x" }, { "/etc/memcage/profiles/ci.ini", "ci" },
                { "a.ini.ini", "a.ini" }, { ".ini", ".ini" }, { "dir/", "" },
                { "v1.2", "v1.2" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *s = mc_profile_stem(cases[i][0]);
                assert_string_equal(s, cases[i][1]);
                free(s);
        }
        char *s = mc_profile_stem(NULL);
        assert_string_equal(s, "run");
        free(s);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(test_key_table),
                cmocka_unit_test(test_stem),
                T(test_parse_bool),
                T(test_report_interval),
                T(test_load_every_key),
                T(test_load_tolerated_syntax),
                T(test_load_indented_is_not_continuation),
                T(test_load_empty_file),
                T(test_unknown_section),
                T(test_hugetlb_keys),
                T(test_unknown_key),
                T(test_key_outside_section),
                T(test_duplicate_key),
                T(test_invalid_values),
                T(test_control_characters),
                T(test_syntax_errors),
                T(test_line_too_long),
                T(test_comments_one_rule),
                T(test_search_dirs),
                T(test_find_order),
                T(test_find_xdg_and_home),
                T(test_find_not_found),
                T(test_find_names),
                T(test_load_path_errors),
                T(test_inherit_override),
                T(test_inherit_chain),
                T(test_inherit_paths),
                T(test_inherit_cycles),
                T(test_inherit_depth),
                T(test_inherit_errors),
                T(test_run_keys),
                T(test_run_bad_values),
                T(test_run_env_duplicates),
                T(test_run_env_inherit),
                T(test_run_value_parsers),
                T(test_owner_accepts_root_file),
                T(test_owner_writable),
                T(test_owner_symlink),
                T(test_owner_fifo),
                T(test_owner_not_root),
                T(test_owner_inherited),
                T(test_trust_writable_dir),
                T(test_trust_sticky_dir),
                T(test_trust_other_owner),
                T(test_trust_symlink),
                T(test_set),
                T(test_cgroup_paths),
                T(test_profile_free),
                T(test_shipped_profiles),
        };
        return cmocka_run_group_tests_name("profile", tests, NULL, NULL);
}
