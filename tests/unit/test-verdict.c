/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util.h"
#include "verdict.h"

/* The precedence of docs/report-schema.md, "Verdict", one row per case. */
static const struct {
        const char *what;
        struct mc_verdict_input in;
        enum mc_verdict_code code;
        enum mc_oom_cause cause;
        int signal;
        const char *text;
} cases[] = {
        { "clean exit", { .exit_code = 0 }, MC_VERDICT_OK, MC_OOM_CAUSE_NONE, 0, "ok" },
        { "pressure kill, the command ended by its SIGTERM",
          { .pressure_killed = true, .signaled = true, .signal = 15 },
          MC_VERDICT_PRESSURE_KILLED,
          MC_OOM_CAUSE_NONE,
          15,
          "pressure-killed" },
        { "pressure kill escalated to cgroup.kill",
          { .pressure_killed = true, .signaled = true, .signal = 9 },
          MC_VERDICT_PRESSURE_KILLED,
          MC_OOM_CAUSE_NONE,
          9,
          "pressure-killed" },
        { "pressure kill wins over an OOM kill while thrashing",
          { .pressure_killed = true, .signaled = true, .signal = 9, .oom_kill = 1, .oom = 1 },
          MC_VERDICT_PRESSURE_KILLED,
          MC_OOM_CAUSE_NONE,
          9,
          "pressure-killed" },
        { "pressure kill of a command that exits 0 on SIGTERM",
          { .pressure_killed = true, .exit_code = 0 },
          MC_VERDICT_PRESSURE_KILLED,
          MC_OOM_CAUSE_NONE,
          0,
          "pressure-killed" },
        { "exit 3", { .exit_code = 3 }, MC_VERDICT_EXIT_NONZERO, MC_OOM_CAUSE_NONE, 0, "exit-nonzero" },
        { "SIGTERM",
          { .signaled = true, .signal = 15 },
          MC_VERDICT_KILLED,
          MC_OOM_CAUSE_NONE,
          15,
          "killed (signal 15)" },
        { "SIGKILL without an OOM kill",
          { .signaled = true, .signal = 9 },
          MC_VERDICT_KILLED,
          MC_OOM_CAUSE_NONE,
          9,
          "killed (signal 9)" },
        { "group-limit OOM kill of the command",
          { .signaled = true, .signal = 9, .oom_kill = 1, .oom = 1 },
          MC_VERDICT_OOM_KILLED,
          MC_OOM_CAUSE_GROUP_LIMIT,
          9,
          "oom-killed (group limit)" },
        { "OOM kill of a child, the command exits 0",
          { .exit_code = 0, .oom_kill = 1, .oom = 1 },
          MC_VERDICT_OOM_KILLED,
          MC_OOM_CAUSE_GROUP_LIMIT,
          0,
          "oom-killed (group limit)" },
        { "OOM kill without oom: the system",
          { .signaled = true, .signal = 9, .oom_kill = 1 },
          MC_VERDICT_OOM_KILLED,
          MC_OOM_CAUSE_SYSTEM,
          9,
          "oom-killed (system)" },
        { "OOM kill wins over hugetlb and swap",
          { .exit_code = 1, .oom_kill = 2, .oom = 1, .hugetlb_max = 1, .swap_fail = 5 },
          MC_VERDICT_OOM_KILLED,
          MC_OOM_CAUSE_GROUP_LIMIT,
          0,
          "oom-killed (group limit)" },
        { "hugetlb max and SIGBUS",
          { .signaled = true, .signal = 7, .hugetlb_max = 1 },
          MC_VERDICT_HUGETLB_LIMIT,
          MC_OOM_CAUSE_NONE,
          7,
          "hugetlb-limit" },
        { "hugetlb max but exit 0",
          { .exit_code = 0, .hugetlb_max = 1 },
          MC_VERDICT_OK,
          MC_OOM_CAUSE_NONE,
          0,
          "ok" },
        { "hugetlb wins over swap",
          { .exit_code = 1, .hugetlb_max = 1, .swap_fail = 1 },
          MC_VERDICT_HUGETLB_LIMIT,
          MC_OOM_CAUSE_NONE,
          0,
          "hugetlb-limit" },
        { "swap fail and exit 1",
          { .exit_code = 1, .swap_fail = 3 },
          MC_VERDICT_SWAP_LIMIT,
          MC_OOM_CAUSE_NONE,
          0,
          "swap-limit" },
        { "swap fail and a signal",
          { .signaled = true, .signal = 11, .swap_fail = 3 },
          MC_VERDICT_SWAP_LIMIT,
          MC_OOM_CAUSE_NONE,
          11,
          "swap-limit" },
        { "swap fail but exit 0",
          { .exit_code = 0, .swap_fail = 3 },
          MC_VERDICT_OK,
          MC_OOM_CAUSE_NONE,
          0,
          "ok" },
        { "oom without a kill",
          { .exit_code = 1, .oom = 1 },
          MC_VERDICT_EXIT_NONZERO,
          MC_OOM_CAUSE_NONE,
          0,
          "exit-nonzero" },
};

static void test_table(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct mc_verdict v;
                mc_verdict_judge(&cases[i].in, &v);
                print_message("%s\n", cases[i].what);
                assert_int_equal(v.code, cases[i].code);
                assert_int_equal(v.cause, cases[i].cause);
                assert_int_equal(v.signal, cases[i].signal);
                assert_string_equal(v.text, cases[i].text);
        }
}

static void test_names(void **state)
{
        assert_string_equal(mc_verdict_code_name(MC_VERDICT_OK), "ok");
        assert_string_equal(mc_verdict_code_name(MC_VERDICT_EXIT_NONZERO), "exit-nonzero");
        assert_string_equal(mc_verdict_code_name(MC_VERDICT_KILLED), "killed");
        assert_string_equal(mc_verdict_code_name(MC_VERDICT_OOM_KILLED), "oom-killed");
        assert_string_equal(mc_verdict_code_name(MC_VERDICT_HUGETLB_LIMIT), "hugetlb-limit");
        assert_string_equal(mc_verdict_code_name(MC_VERDICT_SWAP_LIMIT), "swap-limit");
        assert_string_equal(mc_verdict_code_name(MC_VERDICT_PRESSURE_KILLED), "pressure-killed");
        assert_string_equal(mc_oom_cause_name(MC_OOM_CAUSE_GROUP_LIMIT), "group-limit");
        assert_string_equal(mc_oom_cause_name(MC_OOM_CAUSE_SYSTEM), "system");
        assert_null(mc_oom_cause_name(MC_OOM_CAUSE_NONE));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests_name("verdict", tests, NULL, NULL);
}
