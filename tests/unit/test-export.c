/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage export: the common part and each engine's mapping, rounding and warnings. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "export.h"
#include "profile.h"
#include "size.h"
#include "util.h"

#define KiB  (UINT64_C(1) << 10)
#define MiB  (UINT64_C(1) << 20)
#define GiB  (UINT64_C(1) << 30)
#define RAM  (16 * GiB)
#define PAGE (4 * KiB)

static const struct mc_profile_env env = { .sysconfdir = "/nonexistent",
                                           .pkgdatadir = "/nonexistent",
                                           .ram_bytes = RAM };

static void set(struct mc_profile *p, const char *section, const char *key, const char *value)
{
        struct mc_error err = {};
        if (mc_profile_set(p, section, key, value, "t.ini", 1, &env, &err) < 0)
                fail_msg("set [%s] %s = %s: %s", section, key, value, err.msg);
}

/* The export of p for e: the text in *ret_text (caller frees), the warnings in *r. */
static int render(const struct mc_profile *p, enum mc_export_engine e, char **ret_text,
                  struct mc_export_result *r)
{
        struct mc_export_input in;
        struct mc_error err = {};
        char *text = NULL;
        size_t len = 0;
        FILE *f;
        int ret;

        assert_int_equal(mc_export_input_init(p, RAM, PAGE, &in, &err), 0);
        f = open_memstream(&text, &len);
        assert_non_null(f);
        ret = mc_export_render(&in, e, f, r, &err);
        assert_int_equal(fclose(f), 0);
        *ret_text = text;
        return ret;
}

static void assert_contains(const char *text, const char *want)
{
        if (!strstr(text, want))
                fail_msg("'%s' not in:\n%s", want, text);
}

static void assert_lacks(const char *text, const char *unwanted)
{
        if (strstr(text, unwanted))
                fail_msg("'%s' in:\n%s", unwanted, text);
}

static const struct mc_export_warning *warning_of(const struct mc_export_result *r, enum mc_key key)
{
        for (size_t i = 0; i < r->n_warnings; i++)
                if (r->warnings[i].key == key)
                        return &r->warnings[i];
        return NULL;
}

static void test_engine_names(void **state)
{
        enum mc_export_engine e;
        assert_int_equal(mc_export_engine_parse("slurm", &e), 0);
        assert_int_equal(e, MC_EXPORT_SLURM);
        assert_int_equal(mc_export_engine_parse("Nomad", &e), 0);
        assert_int_equal(e, MC_EXPORT_NOMAD);
        assert_int_equal(mc_export_engine_parse("docker", &e), -EINVAL);
        assert_string_equal(mc_export_engine_name(MC_EXPORT_KUBERNETES), "Kubernetes");
        assert_null(mc_export_engine_name(_MC_EXPORT_ENGINE_COUNT));
}

static void test_rounding_helpers(void **state)
{
        assert_int_equal(mc_export_round_page(8191, 4096), 4096);
        assert_int_equal(mc_export_round_page(8192, 4096), 8192);
        assert_true(mc_export_round_page(MC_SIZE_MAX, 4096) == MC_SIZE_MAX);
        assert_int_equal(mc_export_mib_down(MiB - 1), 0);
        assert_int_equal(mc_export_mib_down(2 * MiB + 1), 2);
        assert_int_equal(mc_export_mib_down(3 * MiB), 3);
}

/* Percentages become bytes of this host, byte limits whole pages (down), with the note saying so. */
static void test_input_resolved(void **state)
{
        struct mc_profile p;
        struct mc_export_input in;
        struct mc_error err = {};
        char note[256];

        mc_profile_init(&p);
        set(&p, "memory", "max", "50%");
        set(&p, "memory", "high", "10001");
        set(&p, "memory", "oom.group", "yes");
        set(&p, "hugetlb", "2MB.max", "5M");
        assert_int_equal(mc_export_input_init(&p, RAM, PAGE, &in, &err), 0);
        assert_int_equal(in.limits.v[MC_LIMIT_MAX].value, 8 * GiB);
        assert_int_equal(in.limits.v[MC_LIMIT_HIGH].value, 8192);
        assert_int_equal(in.limits.v[MC_LIMIT_OOM_GROUP].value, 1);
        assert_int_equal(in.limits.v[MC_LIMIT_HUGETLB_2MB_MAX].value, 4 * MiB);
        assert_true(mc_export_percent_note(&in, MC_KEY_MEMORY_MAX, note, sizeof(note)));
        assert_string_equal(note, "max = 50% of this host's 16G RAM = 8589934592 bytes");
        assert_false(mc_export_percent_note(&in, MC_KEY_MEMORY_HIGH, note, sizeof(note)));
        assert_int_equal(mc_export_limit_key(MC_LIMIT_SWAP_MAX), MC_KEY_MEMORY_SWAP_MAX);
        assert_int_equal(mc_export_limit_key(MC_LIMIT_HUGETLB_2MB_RSVD_MAX), MC_KEY_HUGETLB_2MB_RSVD_MAX);
        mc_profile_free(&p);
}

/* memcage's own keys (placement, observation, the pool reservation) are warned for every engine. */
static void test_memcage_only_keys(void **state)
{
        for (enum mc_export_engine e = 0; e < _MC_EXPORT_ENGINE_COUNT; e++) {
                struct mc_profile p;
                struct mc_export_result r = {};
                _cleanup_free_ char *text = NULL;

                if (mc_export_engine_parse(mc_export_engine_name(e), &(enum mc_export_engine){ 0 }) < 0)
                        continue;
                mc_profile_init(&p);
                set(&p, "memory", "max", "1G");
                set(&p, "cgroup", "parent", "ci");
                set(&p, "report", "interval", "1s");
                set(&p, "pressure", "some", "150ms/1s");
                set(&p, "run", "allow_root", "yes");
                set(&p, "hugetlb", "2MB.reserve", "16");
                assert_int_equal(render(&p, e, &text, &r), 0);
                assert_non_null(warning_of(&r, MC_KEY_CGROUP_PARENT));
                assert_non_null(warning_of(&r, MC_KEY_REPORT_INTERVAL));
                assert_non_null(warning_of(&r, MC_KEY_PRESSURE_SOME));
                assert_non_null(warning_of(&r, MC_KEY_RUN_ALLOW_ROOT));
                assert_non_null(warning_of(&r, MC_KEY_HUGETLB_2MB_RESERVE));
                for (size_t i = 0; i < r.n_warnings; i++)
                        assert_int_equal(r.warnings[i].engine, e);
                mc_export_result_free(&r);
                mc_profile_free(&p);
        }
}

/* The kill rule: systemd-oomd's nearest settings, warned; every other engine warns it. */
static void test_pressure_kill(void **state)
{
        for (enum mc_export_engine e = 0; e < _MC_EXPORT_ENGINE_COUNT; e++) {
                struct mc_profile p;
                struct mc_export_result r = {};
                _cleanup_free_ char *text = NULL;

                if (mc_export_engine_parse(mc_export_engine_name(e), &(enum mc_export_engine){ 0 }) < 0)
                        continue;
                mc_profile_init(&p);
                set(&p, "memory", "max", "1G");
                set(&p, "pressure", "kill", "full 1s/3s for 30s");
                set(&p, "pressure", "kill_grace", "5s");
                assert_int_equal(render(&p, e, &text, &r), 0);
                const struct mc_export_warning *w = warning_of(&r, MC_KEY_PRESSURE_KILL);
                assert_non_null(w);
                assert_non_null(warning_of(&r, MC_KEY_PRESSURE_KILL_GRACE));
                if (e == MC_EXPORT_SYSTEMD) {
                        assert_contains(text, "ManagedOOMMemoryPressure=kill\n");
                        /* 1 s of 3 s is 33.333...%: rounded down, so oomd acts no later than the rule. */
                        assert_contains(text, "ManagedOOMMemoryPressureLimit=33.33%\n");
                        assert_contains(w->reason, "10 full windows in a row");
                } else {
                        assert_lacks(text, "ManagedOOM");
                }
                mc_export_result_free(&r);
                mc_profile_free(&p);
        }
}

static void test_slurm(void **state)
{
        struct mc_profile p;
        struct mc_export_result r = {};
        _cleanup_free_ char *text = NULL;

        mc_profile_init(&p);
        set(&p, "memory", "max", "1G");
        set(&p, "memory", "swap.max", "256M");
        set(&p, "memory", "high", "900M");
        set(&p, "memory", "oom.group", "1");
        set(&p, "run", "cwd", "/srv/job");
        set(&p, "run", "env", "A=1");
        set(&p, "run", "env", "B=2");
        set(&p, "run", "user", "nobody");
        set(&p, "hugetlb", "2MB.max", "64M");
        assert_int_equal(render(&p, MC_EXPORT_SLURM, &text, &r), 0);
        assert_contains(text, "\n#SBATCH --mem=1024M\n");
        assert_contains(text, "\n#SBATCH --chdir=/srv/job\n");
        assert_contains(text, "\n#SBATCH --export=ALL,A=1,B=2\n");
        assert_contains(text, "\n# cgroup.conf: ConstrainRAMSpace=yes\n");
        assert_contains(text, "\n# cgroup.conf: ConstrainSwapSpace=yes\n");
        assert_contains(text, "\n# cgroup.conf: AllowedSwapSpace=25.00\n");
        assert_non_null(warning_of(&r, MC_KEY_MEMORY_HIGH));
        assert_non_null(warning_of(&r, MC_KEY_MEMORY_OOM_GROUP));
        assert_non_null(warning_of(&r, MC_KEY_RUN_USER));
        assert_non_null(warning_of(&r, MC_KEY_HUGETLB_2MB_MAX));
        assert_null(warning_of(&r, MC_KEY_MEMORY_MAX));
        /* Exported, and warned: Slurm 22.05 writes memory+swap into memory.swap.max. */
        const struct mc_export_warning *w = warning_of(&r, MC_KEY_MEMORY_SWAP_MAX);
        assert_non_null(w);
        assert_contains(w->reason, "swap out 1024 MiB more than swap.max allows");
        assert_null(warning_of(&r, MC_KEY_RUN_CWD));
        assert_null(warning_of(&r, MC_KEY_RUN_ENV));
        /* The user's two: it is not carried, and neither is the no_new_privs it implies. */
        size_t user_warnings = 0;
        for (size_t i = 0; i < r.n_warnings; i++)
                if (r.warnings[i].key == MC_KEY_RUN_USER)
                        user_warnings++;
        assert_int_equal(user_warnings, 2);
        assert_int_equal(r.n_warnings, 6);
        mc_export_result_free(&r);
        mc_profile_free(&p);
}

/* MiB and the swap percentage round down: Slurm never gets more than the profile allows. */
static void test_slurm_rounding(void **state)
{
        struct mc_profile p;
        struct mc_export_result r = {};
        _cleanup_free_ char *text = NULL;

        mc_profile_init(&p);
        set(&p, "memory", "max", "1048575K"); /* 1 GiB less 1 KiB: 1023 MiB, not 1024 */
        set(&p, "memory", "swap.max", "100M");
        assert_int_equal(render(&p, MC_EXPORT_SLURM, &text, &r), 0);
        assert_contains(text, "\n#SBATCH --mem=1023M\n");
        assert_lacks(text, "--mem=1024M");
        /* 100 MiB of 1023 MiB is 9.775...%: 9.77, not 9.78. */
        assert_contains(text, "\n# cgroup.conf: AllowedSwapSpace=9.77\n");
        /* The one warning: what Slurm 22.05 makes of a swap limit. */
        assert_int_equal(r.n_warnings, 1);
        assert_non_null(warning_of(&r, MC_KEY_MEMORY_SWAP_MAX));
        free(TAKE_PTR(text));
        mc_export_result_free(&r);

        /* Below a MiB there is no --mem: --mem=0 would be the whole node. */
        set(&p, "memory", "max", "1000K");
        assert_int_equal(render(&p, MC_EXPORT_SLURM, &text, &r), 0);
        assert_lacks(text, "#SBATCH --mem");
        assert_non_null(warning_of(&r, MC_KEY_MEMORY_MAX));
        /* and swap as a share of no --mem cannot be said */
        assert_non_null(warning_of(&r, MC_KEY_MEMORY_SWAP_MAX));
        mc_export_result_free(&r);
        mc_profile_free(&p);
}

static void test_slurm_no_limit(void **state)
{
        struct mc_profile p;
        struct mc_export_result r = {};
        _cleanup_free_ char *text = NULL;

        mc_profile_init(&p);
        set(&p, "memory", "max", "max");
        set(&p, "memory", "swap.max", "max");
        set(&p, "run", "env", "X=a,b");
        assert_int_equal(render(&p, MC_EXPORT_SLURM, &text, &r), 0);
        assert_lacks(text, "#SBATCH --mem");
        assert_lacks(text, "ConstrainRAMSpace");
        assert_lacks(text, "--export");
        assert_contains(text, "\n# cgroup.conf: ConstrainSwapSpace=no\n");
        const struct mc_export_warning *w = warning_of(&r, MC_KEY_RUN_ENV);
        assert_non_null(w);
        assert_contains(w->reason, "X=a,b");
        assert_int_equal(r.n_warnings, 1);
        mc_export_result_free(&r);
        mc_profile_free(&p);
}

static void test_nomad(void **state)
{
        struct mc_profile p;
        struct mc_export_result r = {};
        _cleanup_free_ char *text = NULL;

        mc_profile_init(&p);
        set(&p, "memory", "max", "2G");
        set(&p, "memory", "low", "512M");
        set(&p, "memory", "high", "1G");
        set(&p, "memory", "swap.max", "0");
        set(&p, "run", "user", "nobody");
        assert_int_equal(render(&p, MC_EXPORT_NOMAD, &text, &r), 0);
        assert_contains(text, "\n  memory = 512\n  memory_max = 2048\n}\n");
        /* memory_max is ignored unless the cluster enables oversubscription: said where it is written. */
        assert_contains(text, "resources {\n  # memory_max takes effect only with memory oversubscription "
                              "enabled");
        assert_non_null(warning_of(&r, MC_KEY_MEMORY_HIGH));
        assert_non_null(warning_of(&r, MC_KEY_MEMORY_SWAP_MAX));
        assert_non_null(warning_of(&r, MC_KEY_RUN_USER));
        assert_null(warning_of(&r, MC_KEY_MEMORY_LOW));
        /* The user is not carried, nor the no_new_privs it implies: two warnings on it. */
        assert_int_equal(r.n_warnings, 4);
        assert_contains(r.warnings[3].reason, "memcage sets no_new_privs");
        assert_contains(r.warnings[3].reason, "no-new-privileges");
        assert_int_equal(r.warnings[3].key, MC_KEY_RUN_USER);
        mc_export_result_free(&r);
        mc_profile_free(&p);
}

/* MiB rounded down for both fields; min before low, low then warned. */
static void test_nomad_rounding(void **state)
{
        struct mc_profile p;
        struct mc_export_result r = {};
        _cleanup_free_ char *text = NULL;

        mc_profile_init(&p);
        set(&p, "memory", "max", "3145727"); /* 3 MiB less a byte */
        set(&p, "memory", "min", "1572864"); /* 1.5 MiB */
        set(&p, "memory", "low", "2M");
        assert_int_equal(render(&p, MC_EXPORT_NOMAD, &text, &r), 0);
        assert_contains(text, "  memory = 1 #");
        assert_contains(text, "  memory_max = 2 #");
        assert_lacks(text, "memory_max = 3");
        assert_non_null(warning_of(&r, MC_KEY_MEMORY_LOW));
        assert_int_equal(r.n_warnings, 1);
        free(TAKE_PTR(text));
        mc_export_result_free(&r);

        /* max only: memory is the hard limit. */
        mc_profile_free(&p);
        mc_profile_init(&p);
        set(&p, "memory", "max", "100M");
        assert_int_equal(render(&p, MC_EXPORT_NOMAD, &text, &r), 0);
        assert_contains(text, "resources {\n  memory = 100\n}\n");
        assert_int_equal(r.n_warnings, 0);
        free(TAKE_PTR(text));
        mc_export_result_free(&r);

        /* No max: memory would become a hard limit the profile does not have. */
        mc_profile_free(&p);
        mc_profile_init(&p);
        set(&p, "memory", "low", "100M");
        assert_int_equal(render(&p, MC_EXPORT_NOMAD, &text, &r), 0);
        assert_lacks(text, "memory =");
        assert_non_null(warning_of(&r, MC_KEY_MEMORY_LOW));
        mc_export_result_free(&r);
        mc_profile_free(&p);
}

/* Every [memory] and [run] key systemd has, by its name; hugetlb and swap.high warned. */
/* True when a line of text holds a control character (a CR or ESC, say) or a byte that is not UTF-8. */
static bool has_control(const char *text)
{
        for (const unsigned char *c = (const unsigned char *)text; *c; c++)
                if ((*c < 0x20 && *c != '\n') || *c == 0x7f ||
                    (c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f))
                        return true;
        return false;
}

/*
 * What a line-based format cannot carry is warned about and left out: a
 * final backslash (systemd continues the line), blanks and quotes in an
 * #SBATCH word; the profile's name in the header comment is escaped.
 */
static void test_unsafe_values(void **state)
{
        struct mc_profile p;
        struct mc_export_result r = {};
        _cleanup_free_ char *text = NULL;

        mc_profile_init(&p);
        p.name = strdup("./x\x1b]0;owned\a\nExecStartPre=/bin/true.ini");
        assert_non_null(p.name);
        set(&p, "memory", "max", "1G");
        set(&p, "run", "cwd", "/srv/x\\");
        set(&p, "run", "env", "A=two words");
        set(&p, "run", "env", "B=plain");
        assert_int_equal(render(&p, MC_EXPORT_SYSTEMD, &text, &r), 0);
        assert_contains(text,
                        "# memcage profile ./x\\x1b]0;owned\\x07\\x0aExecStartPre=/bin/true.ini, resolved");
        assert_lacks(text, "\nExecStartPre");
        assert_lacks(text, "WorkingDirectory");
        assert_contains(text, "\nEnvironment=\"A=two words\"\nEnvironment=\"B=plain\"\n");
        assert_false(has_control(text));
        assert_non_null(warning_of(&r, MC_KEY_RUN_CWD));
        free(TAKE_PTR(text));
        mc_export_result_free(&r);

        assert_int_equal(render(&p, MC_EXPORT_SLURM, &text, &r), 0);
        assert_lacks(text, "--chdir");
        assert_contains(text, "\n#SBATCH --export=ALL,B=plain\n");
        assert_false(has_control(text));
        assert_non_null(warning_of(&r, MC_KEY_RUN_CWD));
        assert_non_null(warning_of(&r, MC_KEY_RUN_ENV));
        free(TAKE_PTR(text));
        mc_export_result_free(&r);

        assert_int_equal(render(&p, MC_EXPORT_NOMAD, &text, &r), 0);
        assert_false(has_control(text));
        free(TAKE_PTR(text));
        mc_export_result_free(&r);
        mc_profile_free(&p);
}

static void test_systemd(void **state)
{
        struct mc_profile p;
        struct mc_export_result r = {};
        _cleanup_free_ char *text = NULL;

        mc_profile_init(&p);
        set(&p, "memory", "max", "25%");
        set(&p, "memory", "high", "50000001");
        set(&p, "memory", "low", "8M");
        set(&p, "memory", "min", "4M");
        set(&p, "memory", "swap.max", "max");
        set(&p, "memory", "swap.high", "8M");
        set(&p, "memory", "zswap.max", "0");
        set(&p, "memory", "oom.group", "yes");
        set(&p, "cgroup", "slice", "batch.slice");
        set(&p, "hugetlb", "2MB.max", "4M");
        set(&p, "run", "user", "nobody");
        set(&p, "run", "group", "nogroup");
        set(&p, "run", "groups", "daemon,4");
        set(&p, "run", "capabilities", "cap_ipc_lock");
        set(&p, "run", "no_new_privs", "yes");
        set(&p, "run", "cwd", "/srv/100%");
        set(&p, "run", "umask", "27");
        set(&p, "run", "env", "Q=say \"hi\" 5%");
        set(&p, "run", "env_keep", "TERM");
        set(&p, "run", "nice", "-5");
        set(&p, "run", "oom_score_adj", "500");
        set(&p, "run", "rlimit_memlock", "64M");
        set(&p, "run", "rlimit_data", "infinity");
        assert_int_equal(render(&p, MC_EXPORT_SYSTEMD, &text, &r), 0);
        assert_contains(text, "\n# max = 25% of this host's 16G RAM = 4294967296 bytes\n[Service]\n");
        assert_contains(text, "\nSlice=batch.slice\n");
        assert_contains(text, "\nMemoryMax=4294967296\n");
        assert_contains(text, "\nMemoryHigh=49999872\n"); /* a page down, as the kernel keeps it */
        assert_contains(text, "\nMemoryLow=8388608\nMemoryMin=4194304\n");
        assert_contains(text, "\nMemorySwapMax=infinity\n");
        assert_contains(text, "\nMemoryZSwapMax=0\n");
        assert_contains(text, "\nOOMPolicy=kill\n");
        assert_contains(text, "\nUser=nobody\nGroup=nogroup\nSupplementaryGroups=daemon 4\n");
        assert_contains(text, "\nAmbientCapabilities=CAP_IPC_LOCK\nCapabilityBoundingSet=CAP_IPC_LOCK\n");
        assert_contains(text, "\nNoNewPrivileges=yes\n");
        assert_contains(text, "\nWorkingDirectory=/srv/100%%\n");
        assert_contains(text, "\nUMask=0027\n");
        assert_contains(text, "\nEnvironment=\"Q=say \\\"hi\\\" 5%%\"\n");
        assert_contains(text, "\nNice=-5\nOOMScoreAdjust=500\n");
        assert_contains(text, "\nLimitMEMLOCK=67108864\nLimitDATA=infinity\n");
        assert_lacks(text, "hugetlb");
        assert_non_null(warning_of(&r, MC_KEY_HUGETLB_2MB_MAX));
        assert_non_null(warning_of(&r, MC_KEY_MEMORY_SWAP_HIGH));
        assert_non_null(warning_of(&r, MC_KEY_RUN_ENV_KEEP));
        assert_int_equal(r.n_warnings, 3);
        free(TAKE_PTR(text));
        mc_export_result_free(&r);

        /* oom.group off: OOMPolicy=continue, which leaves memory.oom.group 0. */
        set(&p, "memory", "oom.group", "no");
        assert_int_equal(render(&p, MC_EXPORT_SYSTEMD, &text, &r), 0);
        assert_contains(text, "\nOOMPolicy=continue\n");
        mc_export_result_free(&r);
        mc_profile_free(&p);
}

/* A scope drop-in: the limits, and a warning for every [run] key (a scope starts nothing). */
static void test_systemd_scope(void **state)
{
        struct mc_profile p;
        struct mc_export_result r = {};
        struct mc_export_input in;
        struct mc_error err = {};
        char *text = NULL;
        size_t len = 0;

        mc_profile_init(&p);
        set(&p, "memory", "max", "64M");
        set(&p, "run", "env", "A=1");
        set(&p, "run", "nice", "5");
        assert_int_equal(mc_export_input_init(&p, RAM, PAGE, &in, &err), 0);
        in.systemd_scope = true;
        FILE *f = open_memstream(&text, &len);
        assert_int_equal(mc_export_render(&in, MC_EXPORT_SYSTEMD, f, &r, &err), 0);
        fclose(f);
        assert_contains(text, "[Scope]\nMemoryMax=67108864\n");
        assert_lacks(text, "Environment=");
        assert_lacks(text, "Nice=");
        assert_non_null(warning_of(&r, MC_KEY_RUN_ENV));
        assert_non_null(warning_of(&r, MC_KEY_RUN_NICE));
        assert_int_equal(r.n_warnings, 2);
        free(text);
        mc_export_result_free(&r);
        mc_profile_free(&p);
}

static json_t *parse_json(const char *text)
{
        json_error_t e;
        json_t *j = json_loads(text, 0, &e);
        if (!j)
                fail_msg("not JSON (%s):\n%s", e.text, text);
        return j;
}

static json_int_t int_at(json_t *root, const char *path)
{
        json_t *j = root;
        char buf[256], *save = NULL;
        snprintf(buf, sizeof(buf), "%s", path);
        for (char *k = strtok_r(buf, "/", &save); k && j; k = strtok_r(NULL, "/", &save))
                j = json_object_get(j, k);
        if (!json_is_integer(j))
                fail_msg("no integer at %s", path);
        return json_integer_value(j);
}

static void test_oci(void **state)
{
        struct mc_profile p;
        struct mc_export_result r = {};
        _cleanup_free_ char *text = NULL;

        mc_profile_init(&p);
        set(&p, "memory", "max", "64M");
        set(&p, "memory", "high", "50000001");
        set(&p, "memory", "low", "8M");
        set(&p, "memory", "min", "4M");
        set(&p, "memory", "swap.max", "16M");
        set(&p, "memory", "swap.high", "12M");
        set(&p, "memory", "zswap.max", "max");
        set(&p, "memory", "oom.group", "yes");
        set(&p, "hugetlb", "2MB.max", "5M");
        set(&p, "hugetlb", "2MB.rsvd.max", "4M");
        set(&p, "hugetlb", "1GB.max", "max");
        set(&p, "run", "user", "0");
        set(&p, "run", "groups", "4 5");
        set(&p, "run", "umask", "027");
        set(&p, "run", "capabilities", "cap_ipc_lock");
        set(&p, "run", "no_new_privs", "yes");
        set(&p, "run", "env", "A=1");
        set(&p, "run", "cwd", "/srv");
        set(&p, "run", "oom_score_adj", "-100");
        set(&p, "run", "rlimit_memlock", "64M");
        set(&p, "run", "nice", "3");
        assert_int_equal(render(&p, MC_EXPORT_OCI, &text, &r), 0);
        json_t *j = parse_json(text);
        assert_int_equal(int_at(j, "linux/resources/memory/limit"), 64 * MiB);
        /* OCI's swap is memory+swap. */
        assert_int_equal(int_at(j, "linux/resources/memory/swap"), 80 * MiB);
        assert_int_equal(int_at(j, "linux/resources/memory/reservation"), 8 * MiB);
        json_t *u = json_object_get(json_object_get(json_object_get(j, "linux"), "resources"), "unified");
        assert_string_equal(json_string_value(json_object_get(u, "memory.high")), "49999872");
        assert_string_equal(json_string_value(json_object_get(u, "memory.min")), "4194304");
        assert_string_equal(json_string_value(json_object_get(u, "memory.swap.high")), "12582912");
        assert_string_equal(json_string_value(json_object_get(u, "memory.zswap.max")), "max");
        assert_string_equal(json_string_value(json_object_get(u, "memory.oom.group")), "1");
        assert_string_equal(json_string_value(json_object_get(u, "hugetlb.2MB.rsvd.max")), "4194304");
        json_t *h =
                json_object_get(json_object_get(json_object_get(j, "linux"), "resources"), "hugepageLimits");
        assert_int_equal(json_array_size(h), 2);
        /* 5M is two and a half huge pages: two, as the kernel would take it. */
        assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "pageSize")), "2MB");
        assert_int_equal(json_integer_value(json_object_get(json_array_get(h, 0), "limit")), 4 * MiB);
        assert_string_equal(json_string_value(json_object_get(json_array_get(h, 1), "pageSize")), "1GB");
        assert_int_equal(json_integer_value(json_object_get(json_array_get(h, 1), "limit")), -1);
        json_t *proc = json_object_get(j, "process");
        assert_int_equal(int_at(proc, "user/uid"), 0);
        assert_int_equal(int_at(proc, "user/gid"), 0);
        assert_int_equal(int_at(proc, "user/umask"), 027);
        json_t *gids = json_object_get(json_object_get(proc, "user"), "additionalGids");
        assert_int_equal(json_array_size(gids), 2);
        assert_int_equal(json_integer_value(json_array_get(gids, 1)), 5);
        json_t *caps = json_object_get(proc, "capabilities");
        static const char *const sets[] = { "bounding", "effective", "inheritable", "permitted", "ambient" };
        for (size_t i = 0; i < ELEMENTSOF(sets); i++)
                assert_string_equal(json_string_value(json_array_get(json_object_get(caps, sets[i]), 0)),
                                    "CAP_IPC_LOCK");
        assert_true(json_is_true(json_object_get(proc, "noNewPrivileges")));
        assert_string_equal(json_string_value(json_array_get(json_object_get(proc, "env"), 0)), "A=1");
        assert_string_equal(json_string_value(json_object_get(proc, "cwd")), "/srv");
        assert_int_equal(int_at(proc, "oomScoreAdj"), -100);
        json_t *rl = json_array_get(json_object_get(proc, "rlimits"), 0);
        assert_string_equal(json_string_value(json_object_get(rl, "type")), "RLIMIT_MEMLOCK");
        assert_int_equal(json_integer_value(json_object_get(rl, "hard")), 64 * MiB);
        assert_int_equal(json_integer_value(json_object_get(rl, "soft")), 64 * MiB);
        assert_non_null(warning_of(&r, MC_KEY_RUN_NICE));
        assert_int_equal(r.n_warnings, 1);
        json_decref(j);
        mc_export_result_free(&r);
        mc_profile_free(&p);
}

/* A finite swap needs a finite limit (runc makes it unlimited otherwise); swap "max" is -1. */
static void test_oci_swap(void **state)
{
        static const char *const no_limit[] = { NULL, "max" };
        for (size_t i = 0; i < ELEMENTSOF(no_limit); i++) {
                struct mc_profile p;
                struct mc_export_result r = {};
                _cleanup_free_ char *text = NULL;

                mc_profile_init(&p);
                if (no_limit[i])
                        set(&p, "memory", "max", no_limit[i]);
                set(&p, "memory", "swap.max", "16M");
                assert_int_equal(render(&p, MC_EXPORT_OCI, &text, &r), 0);
                json_t *j = parse_json(text);
                json_t *m =
                        json_object_get(json_object_get(json_object_get(j, "linux"), "resources"), "memory");
                assert_null(json_object_get(m, "swap"));
                const struct mc_export_warning *w = warning_of(&r, MC_KEY_MEMORY_SWAP_MAX);
                assert_non_null(w);
                assert_contains(w->reason, "memory+swap");
                assert_int_equal(r.n_warnings, 1);
                json_decref(j);
                mc_export_result_free(&r);
                mc_profile_free(&p);
        }

        struct mc_profile p;
        struct mc_export_result r = {};
        _cleanup_free_ char *text = NULL;
        mc_profile_init(&p);
        set(&p, "memory", "max", "10001"); /* two pages and a bit: both limit and swap round down */
        set(&p, "memory", "swap.max", "max");
        assert_int_equal(render(&p, MC_EXPORT_OCI, &text, &r), 0);
        json_t *j = parse_json(text);
        assert_int_equal(int_at(j, "linux/resources/memory/limit"), 8192);
        assert_int_equal(int_at(j, "linux/resources/memory/swap"), -1);
        assert_int_equal(r.n_warnings, 0);
        json_decref(j);
        mc_export_result_free(&r);
        mc_profile_free(&p);
}

static const char *string_at(json_t *root, const char *path)
{
        json_t *j = root;
        char buf[256], *save = NULL;
        snprintf(buf, sizeof(buf), "%s", path);
        for (char *k = strtok_r(buf, "/", &save); k && j; k = strtok_r(NULL, "/", &save))
                j = json_object_get(j, k);
        if (!json_is_string(j))
                fail_msg("no string at %s", path);
        return json_string_value(j);
}

/* A container: exact quantities (bytes a page down, or Mi/Gi when exact), never more than the profile. */
static void test_kubernetes(void **state)
{
        struct mc_profile p;
        struct mc_export_result r = {};
        _cleanup_free_ char *text = NULL;

        mc_profile_init(&p);
        set(&p, "memory", "max", "1048575K");
        set(&p, "memory", "low", "10000000");
        set(&p, "memory", "high", "900M");
        set(&p, "memory", "swap.max", "0");
        set(&p, "memory", "zswap.max", "0");
        set(&p, "memory", "swap.high", "0");
        set(&p, "memory", "oom.group", "yes");
        set(&p, "hugetlb", "2MB.max", "5M");
        set(&p, "hugetlb", "2MB.rsvd.max", "4M");
        set(&p, "hugetlb", "1GB.max", "2G");
        set(&p, "run", "user", "0");
        set(&p, "run", "capabilities", "CAP_IPC_LOCK, cap_sys_nice");
        set(&p, "run", "no_new_privs", "yes");
        set(&p, "run", "groups", "4");
        set(&p, "run", "umask", "077");
        assert_int_equal(render(&p, MC_EXPORT_KUBERNETES, &text, &r), 0);
        json_t *j = parse_json(text);
        /* 1 GiB less 1 KiB, a page down: bytes, never 1Gi */
        assert_string_equal(string_at(j, "resources/limits/memory"), "1073737728");
        assert_string_equal(string_at(j, "resources/requests/memory"), "9998336");
        assert_string_equal(string_at(j, "resources/limits/hugepages-2Mi"), "4Mi");
        assert_string_equal(string_at(j, "resources/requests/hugepages-2Mi"), "4Mi");
        assert_string_equal(string_at(j, "resources/limits/hugepages-1Gi"), "2Gi");
        assert_int_equal(int_at(j, "securityContext/runAsUser"), 0);
        assert_true(json_is_false(
                json_object_get(json_object_get(j, "securityContext"), "allowPrivilegeEscalation")));
        json_t *c = json_object_get(json_object_get(j, "securityContext"), "capabilities");
        assert_string_equal(json_string_value(json_array_get(json_object_get(c, "add"), 0)), "IPC_LOCK");
        assert_string_equal(json_string_value(json_array_get(json_object_get(c, "add"), 1)), "SYS_NICE");
        assert_string_equal(json_string_value(json_array_get(json_object_get(c, "drop"), 0)), "ALL");
        static const enum mc_key warned[] = {
                MC_KEY_MEMORY_HIGH,      MC_KEY_MEMORY_SWAP_MAX,      MC_KEY_MEMORY_ZSWAP_MAX,
                MC_KEY_MEMORY_SWAP_HIGH, MC_KEY_HUGETLB_2MB_RSVD_MAX, MC_KEY_RUN_GROUPS,
                MC_KEY_RUN_UMASK
        };
        for (size_t i = 0; i < ELEMENTSOF(warned); i++)
                if (!warning_of(&r, warned[i]))
                        fail_msg("no warning for %s", mc_key_info(warned[i])->name);
        assert_int_equal(r.n_warnings, ELEMENTSOF(warned));
        /* oom.group=1 is what the kubelet sets anyway; 0 is what it cannot. */
        assert_null(warning_of(&r, MC_KEY_MEMORY_OOM_GROUP));
        json_decref(j);
        free(TAKE_PTR(text));
        mc_export_result_free(&r);

        /* min wins over low; a request above the limit is refused, not exported. */
        set(&p, "memory", "min", "2G");
        set(&p, "memory", "oom.group", "no");
        assert_int_equal(render(&p, MC_EXPORT_KUBERNETES, &text, &r), 0);
        j = parse_json(text);
        assert_null(json_object_get(json_object_get(json_object_get(j, "resources"), "requests"), "memory"));
        assert_non_null(warning_of(&r, MC_KEY_MEMORY_MIN));
        assert_non_null(warning_of(&r, MC_KEY_MEMORY_LOW));
        assert_non_null(warning_of(&r, MC_KEY_MEMORY_OOM_GROUP));
        json_decref(j);
        mc_export_result_free(&r);
        mc_profile_free(&p);
}

/* With a command: a batch/v1 Job, the pod's supplementalGroups, the percentage in an annotation. */
static void test_kubernetes_job(void **state)
{
        struct mc_profile p;
        struct mc_export_result r = {};
        struct mc_export_input in;
        struct mc_error err = {};
        char *text = NULL, *argv[] = { "sh", "-c", "echo hi", NULL };
        size_t len = 0;

        mc_profile_init(&p);
        p.name = strdup("./My_Profile.ini");
        set(&p, "memory", "max", "50%");
        set(&p, "run", "groups", "4");
        assert_int_equal(mc_export_input_init(&p, RAM, PAGE, &in, &err), 0);
        in.command = argv;
        FILE *f = open_memstream(&text, &len);
        /* No image: no Job. */
        assert_int_equal(mc_export_render(&in, MC_EXPORT_KUBERNETES, f, &r, &err), -EINVAL);
        in.image = "debian:12";
        assert_int_equal(mc_export_render(&in, MC_EXPORT_KUBERNETES, f, &r, &err), 0);
        fclose(f);
        json_t *j = parse_json(text);
        assert_string_equal(string_at(j, "kind"), "Job");
        assert_string_equal(string_at(j, "apiVersion"), "batch/v1");
        assert_string_equal(string_at(j, "metadata/name"), "my-profile");
        json_t *a = json_object_get(json_object_get(j, "metadata"), "annotations");
        assert_string_equal(json_string_value(json_object_get(a, "memcage.org/resolved-memory.max")),
                            "max = 50% of this host's 16G RAM = 8589934592 bytes");
        json_t *pod = json_object_get(json_object_get(json_object_get(j, "spec"), "template"), "spec");
        assert_string_equal(string_at(pod, "restartPolicy"), "Never");
        assert_int_equal(
                json_integer_value(json_array_get(
                        json_object_get(json_object_get(pod, "securityContext"), "supplementalGroups"), 0)),
                4);
        json_t *c = json_array_get(json_object_get(pod, "containers"), 0);
        assert_string_equal(string_at(c, "name"), "my-profile");
        assert_string_equal(string_at(c, "image"), "debian:12");
        assert_string_equal(json_string_value(json_array_get(json_object_get(c, "command"), 2)), "echo hi");
        assert_string_equal(string_at(c, "resources/limits/memory"), "8Gi");
        assert_int_equal(r.n_warnings, 0);
        json_decref(j);
        free(text);
        mc_export_result_free(&r);
        mc_profile_free(&p);
}

/* no_new_privs, which a user or capabilities imply in memcage run: every export carries it or says so. */
static void test_no_new_privs_implied(void **state)
{
        static const struct {
                const char *key, *value;
        } cases[] = { { "user", "0" }, { "capabilities", "cap_ipc_lock" } };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct mc_profile p;
                struct mc_export_result r = {};
                char *text = NULL;
                enum mc_key key = streq(cases[i].key, "user") ? MC_KEY_RUN_USER : MC_KEY_RUN_CAPABILITIES;
                enum mc_key cause;

                mc_profile_init(&p);
                set(&p, "memory", "max", "64M");
                set(&p, "run", cases[i].key, cases[i].value);
                if (key == MC_KEY_RUN_CAPABILITIES)
                        set(&p, "run", "allow_root", "yes");
                assert_true(mc_export_no_new_privs(&p, &cause));
                assert_int_equal(cause, key);

                assert_int_equal(render(&p, MC_EXPORT_SYSTEMD, &text, &r), 0);
                assert_contains(text, "\nNoNewPrivileges=yes\n");
                free(TAKE_PTR(text));
                mc_export_result_free(&r);

                assert_int_equal(render(&p, MC_EXPORT_OCI, &text, &r), 0);
                json_t *j = parse_json(text);
                assert_true(json_is_true(json_object_get(json_object_get(j, "process"), "noNewPrivileges")));
                json_decref(j);
                free(TAKE_PTR(text));
                mc_export_result_free(&r);

                assert_int_equal(render(&p, MC_EXPORT_KUBERNETES, &text, &r), 0);
                j = parse_json(text);
                assert_true(json_is_false(
                        json_object_get(json_object_get(j, "securityContext"), "allowPrivilegeEscalation")));
                json_decref(j);
                free(TAKE_PTR(text));
                mc_export_result_free(&r);

                /* Slurm and Nomad have no setting: a warning on the key that implies it. */
                static const enum mc_export_engine lacking[] = { MC_EXPORT_SLURM, MC_EXPORT_NOMAD };
                for (size_t e = 0; e < ELEMENTSOF(lacking); e++) {
                        bool said = false;
                        assert_int_equal(render(&p, lacking[e], &text, &r), 0);
                        assert_lacks(text, "no_new_privs");
                        for (size_t w = 0; w < r.n_warnings; w++)
                                if (r.warnings[w].key == key && strstr(r.warnings[w].reason, "no_new_privs"))
                                        said = true;
                        if (!said)
                                fail_msg("%s: no warning of no_new_privs on [run] %s",
                                         mc_export_engine_name(lacking[e]), cases[i].key);
                        free(TAKE_PTR(text));
                        mc_export_result_free(&r);
                }

                /* The key says no: systemd says no, and Nomad has nothing lost to warn of. */
                set(&p, "run", "no_new_privs", "no");
                assert_false(mc_export_no_new_privs(&p, &cause));
                assert_int_equal(cause, MC_KEY_RUN_NO_NEW_PRIVS);
                assert_int_equal(render(&p, MC_EXPORT_SYSTEMD, &text, &r), 0);
                assert_contains(text, "\nNoNewPrivileges=no\n");
                free(TAKE_PTR(text));
                mc_export_result_free(&r);
                assert_int_equal(render(&p, MC_EXPORT_NOMAD, &text, &r), 0);
                for (size_t w = 0; w < r.n_warnings; w++)
                        assert_null(strstr(r.warnings[w].reason, "no_new_privs"));
                assert_null(warning_of(&r, MC_KEY_RUN_NO_NEW_PRIVS));
                free(TAKE_PTR(text));
                mc_export_result_free(&r);
                mc_profile_free(&p);
        }

        /* Neither: no export sets it. */
        struct mc_profile p;
        struct mc_export_result r = {};
        char *text = NULL;
        enum mc_key cause;
        mc_profile_init(&p);
        set(&p, "memory", "max", "64M");
        set(&p, "run", "nice", "5");
        assert_false(mc_export_no_new_privs(&p, &cause));
        assert_int_equal(cause, _MC_KEY_COUNT);
        assert_int_equal(render(&p, MC_EXPORT_SYSTEMD, &text, &r), 0);
        assert_lacks(text, "NoNewPrivileges");
        free(TAKE_PTR(text));
        mc_export_result_free(&r);
        assert_int_equal(render(&p, MC_EXPORT_KUBERNETES, &text, &r), 0);
        assert_lacks(text, "allowPrivilegeEscalation");
        free(TAKE_PTR(text));
        mc_export_result_free(&r);
        mc_profile_free(&p);
}

/* A name becomes this host's number, which an image may not share: warned; a number is taken as meant. */
static void test_host_ids(void **state)
{
        static const enum mc_export_engine engines[] = { MC_EXPORT_OCI, MC_EXPORT_KUBERNETES };

        for (size_t e = 0; e < ELEMENTSOF(engines); e++) {
                struct mc_profile p;
                struct mc_export_result r = {};
                char *text = NULL;
                const struct mc_export_warning *w;

                mc_profile_init(&p);
                set(&p, "run", "user", "root");
                set(&p, "run", "group", "root");
                assert_int_equal(render(&p, engines[e], &text, &r), 0);
                w = warning_of(&r, MC_KEY_RUN_USER);
                assert_non_null(w);
                assert_contains(w->reason, " 0 is this host's number for 'root'");
                w = warning_of(&r, MC_KEY_RUN_GROUP);
                assert_non_null(w);
                assert_contains(w->reason, " 0 is this host's number for 'root'");
                free(TAKE_PTR(text));
                mc_export_result_free(&r);

                set(&p, "run", "user", "0");
                set(&p, "run", "group", "0");
                assert_int_equal(render(&p, engines[e], &text, &r), 0);
                assert_null(warning_of(&r, MC_KEY_RUN_USER));
                assert_null(warning_of(&r, MC_KEY_RUN_GROUP));
                free(TAKE_PTR(text));
                mc_export_result_free(&r);
                mc_profile_free(&p);

                /* Without [run] group the user's group comes from this host's passwd entry too. */
                mc_profile_init(&p);
                set(&p, "run", "user", "root");
                assert_int_equal(render(&p, engines[e], &text, &r), 0);
                w = warning_of(&r, MC_KEY_RUN_USER);
                assert_non_null(w);
                assert_contains(w->reason,
                                e == 0 ? "process.user.uid 0 (and process.user.gid 0, its group) is"
                                       : "runAsUser 0 (and runAsGroup 0, its group) is");
                free(TAKE_PTR(text));
                mc_export_result_free(&r);
                mc_profile_free(&p);
        }
}

/*
 * A user this host cannot resolve exports no runAsUser, and then no warning
 * about a non-root runAsUser either: "123abc" is not uid 123.
 */
static void test_kubernetes_unresolved_user(void **state)
{
        struct mc_profile p;
        struct mc_export_result r = {};
        char *text = NULL;
        uint64_t uid = 7, gid = 7;

        assert_int_equal(mc_export_resolve_user("123abc", &uid, &gid), -ENOENT);
        assert_int_equal(uid, 7);
        assert_int_equal(mc_export_resolve_group("123abc", &gid), -ENOENT);
        assert_int_equal(gid, 7);

        mc_profile_init(&p);
        set(&p, "run", "user", "123abc");
        set(&p, "run", "capabilities", "cap_ipc_lock");
        assert_int_equal(render(&p, MC_EXPORT_KUBERNETES, &text, &r), 0);
        json_t *j = parse_json(text);
        assert_null(json_object_get(json_object_get(j, "securityContext"), "runAsUser"));
        const struct mc_export_warning *w = warning_of(&r, MC_KEY_RUN_USER);
        assert_non_null(w);
        assert_contains(w->reason, "this host has no user '123abc'");
        assert_null(warning_of(&r, MC_KEY_RUN_CAPABILITIES));
        assert_int_equal(r.n_warnings, 1);
        json_decref(j);
        free(TAKE_PTR(text));
        mc_export_result_free(&r);

        /* A real non-root uid still gets it. */
        set(&p, "run", "user", "123");
        assert_int_equal(render(&p, MC_EXPORT_KUBERNETES, &text, &r), 0);
        assert_non_null(warning_of(&r, MC_KEY_RUN_CAPABILITIES));
        free(text);
        mc_export_result_free(&r);
        mc_profile_free(&p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_engine_names),
                cmocka_unit_test(test_rounding_helpers),
                cmocka_unit_test(test_input_resolved),
                cmocka_unit_test(test_memcage_only_keys),
                cmocka_unit_test(test_pressure_kill),
                cmocka_unit_test(test_slurm),
                cmocka_unit_test(test_slurm_rounding),
                cmocka_unit_test(test_slurm_no_limit),
                cmocka_unit_test(test_nomad),
                cmocka_unit_test(test_nomad_rounding),
                cmocka_unit_test(test_systemd),
                cmocka_unit_test(test_systemd_scope),
                cmocka_unit_test(test_oci),
                cmocka_unit_test(test_oci_swap),
                cmocka_unit_test(test_kubernetes),
                cmocka_unit_test(test_kubernetes_job),
                cmocka_unit_test(test_unsafe_values),
                cmocka_unit_test(test_no_new_privs_implied),
                cmocka_unit_test(test_host_ids),
                cmocka_unit_test(test_kubernetes_unresolved_user),
        };
        return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
