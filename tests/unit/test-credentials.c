/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "credentials.h"
#include "profile.h"
#include "util.h"

static const struct mc_profile_env env = { .sysconfdir = "/nonexistent",
                                           .pkgdatadir = "/nonexistent",
                                           .ram_bytes = UINT64_C(1) << 34 };

static char *caller_env[] = {
        "TERM=xterm", "FOO=caller", "LD_PRELOAD=/evil.so", "LC_ALL=C", "KEEP=kept", "PATH=/caller/bin", NULL,
};

struct fixture {
        struct mc_profile p;
        struct mc_credentials c;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        mc_profile_init(&f->p);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        mc_credentials_done(&f->c);
        mc_profile_free(&f->p);
        free(f);
        return 0;
}

/* Sets run.KEY on line LINE of "t.ini". */
static void set(struct fixture *f, const char *key, const char *value, unsigned line)
{
        struct mc_error err = {};
        if (mc_profile_set(&f->p, "run", key, value, "t.ini", line, &env, &err) < 0)
                fail_msg("set %s = %s: %s", key, value, err.msg);
}

static void prepare_ok(struct fixture *f, const char *user)
{
        struct mc_error err = {};
        if (mc_credentials_prepare(&f->p, user, caller_env, &f->c, &err) < 0)
                fail_msg("prepare: %s", err.msg);
}

static void prepare_fails(struct fixture *f, const char *user, int code, const char *msg)
{
        struct mc_error err = {};
        int r = mc_credentials_prepare(&f->p, user, caller_env, &f->c, &err);
        if (r != -code)
                fail_msg("prepare: r=%d, want %d (%s)", r, -code, err.msg);
        assert_string_equal(err.msg, msg);
        assert_false(f->c.active);
}

static size_t strv_length(char **v)
{
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The environment, sorted, joined by '|'. */
static char *env_string(char **envp)
{
        size_t n = strv_length(envp);
        char **sorted = calloc(n + 1, sizeof(char *));
        assert_non_null(sorted);
        memcpy(sorted, envp, n * sizeof(char *));
        qsort(sorted, n, sizeof(char *), cmp_str);
        char *s = strdup("");
        for (size_t i = 0; i < n; i++) {
                char *t;
                assert_true(asprintf(&t, "%s%s|", s, sorted[i]) >= 0);
                free(s);
                s = t;
        }
        free(sorted);
        return s;
}

static void test_nothing(void **state)
{
        struct fixture *f = *state;
        prepare_ok(f, NULL);
        assert_false(f->c.active);
        assert_null(f->c.envp);
        assert_false(f->c.no_new_privs);
        assert_int_equal(mc_credentials_apply(&f->c, NULL), 0);
}

static void test_env_without_user(void **state)
{
        struct fixture *f = *state;
        set(f, "env", "FOO=profile", 2);
        set(f, "env", "NEW=1", 3);
        prepare_ok(f, NULL);
        assert_true(f->c.active);
        assert_false(f->c.set_uid);
        /* Only env: memcage's environment and files stay, no_new_privs stays off. */
        assert_false(f->c.no_new_privs);
        assert_false(f->c.close_fds);
        _cleanup_free_ char *s = env_string(f->c.envp);
        assert_string_equal(
                s, "FOO=profile|KEEP=kept|LC_ALL=C|LD_PRELOAD=/evil.so|NEW=1|PATH=/caller/bin|TERM=xterm|");
}

static void test_user_root(void **state)
{
        struct fixture *f = *state;
        struct passwd *pw = getpwnam("root");
        if (!pw)
                skip();
        set(f, "user", "root", 2);
        set(f, "env_keep", "KEEP, LD_PRELOAD", 3);
        set(f, "env", "PATH=/profile/bin", 4);
        prepare_ok(f, NULL);
        assert_true(f->c.active && f->c.set_uid && f->c.set_gid && f->c.set_groups);
        assert_int_equal(f->c.uid, 0);
        assert_int_equal(f->c.gid, pw->pw_gid);
        assert_string_equal(f->c.user, "root");
        assert_true(f->c.no_new_privs);
        assert_true(f->c.close_fds);
        assert_false(f->c.set_caps);
        /* The user's environment; TERM, LC_* and env_keep pass, LD_* never; env lines win. */
        _cleanup_free_ char *want = NULL;
        assert_true(asprintf(&want,
                             "HOME=%s|KEEP=kept|LC_ALL=C|LOGNAME=root|PATH=/profile/"
                             "bin|SHELL=%s|TERM=xterm|USER=root|",
                             pw->pw_dir, pw->pw_shell) >= 0);
        _cleanup_free_ char *s = env_string(f->c.envp);
        assert_string_equal(s, want);
}

static void test_user_override_and_groups(void **state)
{
        struct fixture *f = *state;
        if (!getpwnam("root"))
                skip();
        set(f, "user", "no-such-user-memcage", 2);
        set(f, "group", "0", 3);
        set(f, "groups", "0, 0", 4);
        set(f, "no_new_privs", "off", 5);
        /* --user wins over [run] user; [run] group and groups stay. */
        prepare_ok(f, "0");
        assert_int_equal(f->c.uid, 0);
        assert_int_equal(f->c.gid, 0);
        assert_int_equal(f->c.n_groups, 2);
        assert_false(f->c.no_new_privs);
}

static void test_unknown_names(void **state)
{
        struct fixture *f = *state;
        set(f, "user", "no-such-user-memcage", 2);
        prepare_fails(f, NULL, ENOENT, "t.ini:2: unknown user 'no-such-user-memcage'");
        prepare_fails(f, "no-such-user-memcage", ENOENT, "--user: unknown user 'no-such-user-memcage'");
        mc_profile_free(&f->p);
        set(f, "group", "no-such-group-memcage", 7);
        prepare_fails(f, NULL, ENOENT, "t.ini:7: unknown group 'no-such-group-memcage'");
        mc_profile_free(&f->p);
        set(f, "groups", "0 no-such-group-memcage", 8);
        prepare_fails(f, NULL, ENOENT, "t.ini:8: unknown group 'no-such-group-memcage'");
        mc_profile_free(&f->p);
        /* A uid without a passwd entry has no primary group to take. */
        set(f, "user", "4000000000", 2);
        if (getpwuid(4000000000U))
                skip();
        prepare_fails(
                f, NULL, EINVAL,
                "user 4000000000 has no entry in the user database, so no primary group: set [run] group "
                "as well");
        set(f, "group", "4000000001", 3);
        prepare_ok(f, NULL);
        assert_int_equal(f->c.uid, 4000000000U);
        assert_int_equal(f->c.gid, 4000000001U);
        assert_true(f->c.set_groups);
        assert_int_equal(f->c.n_groups, 0);
}

/* Capabilities for a command that stays root (no user, or user root) need allow_root. */
static void test_capabilities_as_root(void **state)
{
        struct fixture *f = *state;
        const char *msg =
                "t.ini:6: capabilities without a user other than root: the command would run as uid 0, "
                "which owns its group's memory.max and can lift its limit or leave its group; set "
                "[run] user (or --user), or allow_root = true to accept that";
        if (geteuid() != 0)
                skip(); /* memcage's own uid is the command's: the rule is about root */
        set(f, "capabilities", "CAP_IPC_LOCK", 6);
        prepare_fails(f, NULL, EPERM, msg);
        prepare_fails(f, "root", EPERM, msg);
        set(f, "allow_root", "false", 7);
        prepare_fails(f, NULL, EPERM, msg);
        set(f, "allow_root", "true", 7);
        prepare_ok(f, NULL);
        assert_true(f->c.set_caps);
        assert_false(f->c.set_uid);
        mc_credentials_done(&f->c);
        /* Another user needs no such word. */
        mc_profile_free(&f->p);
        mc_profile_init(&f->p);
        set(f, "capabilities", "CAP_IPC_LOCK", 6);
        prepare_ok(f, "nobody");
        assert_true(f->c.set_uid && f->c.uid != 0);
}

static void test_capabilities(void **state)
{
        struct fixture *f = *state;
        set(f, "capabilities", "cap_ipc_lock CAP_NET_BIND_SERVICE", 6);
        set(f, "allow_root", "true", 7);

        cap_t own = cap_get_proc();
        cap_flag_value_t have = CAP_CLEAR;
        assert_non_null(own);
        assert_int_equal(cap_get_flag(own, CAP_IPC_LOCK, CAP_PERMITTED, &have), 0);
        cap_free(own);
        if (have != CAP_SET) {
                prepare_fails(f, NULL, EPERM,
                              "t.ini:6: capability CAP_IPC_LOCK requested, but memcage does not have it "
                              "(run it as "
                              "root)");
                return;
        }
        prepare_ok(f, NULL);
        assert_true(f->c.set_caps);
        assert_true(f->c.caps == ((UINT64_C(1) << CAP_IPC_LOCK) | (UINT64_C(1) << CAP_NET_BIND_SERVICE)));
        assert_int_equal(strv_length(f->c.cap_names), 2);
        assert_string_equal(f->c.cap_names[0], "CAP_IPC_LOCK");
        assert_string_equal(f->c.cap_names[1], "CAP_NET_BIND_SERVICE");
        assert_true(f->c.no_new_privs);
        assert_true(f->c.close_fds);
        assert_true(f->c.last_cap >= CAP_NET_BIND_SERVICE);
        assert_null(f->c.envp);
}

static void test_values(void **state)
{
        struct fixture *f = *state;
        set(f, "umask", "027", 1);
        set(f, "nice", "-3", 2);
        set(f, "oom_score_adj", "-1000", 3);
        set(f, "rlimit_memlock", "16M", 4);
        set(f, "rlimit_as", "infinity", 5);
        set(f, "cwd", "/tmp", 6);
        prepare_ok(f, NULL);
        assert_true(f->c.active);
        assert_int_equal(f->c.umask, 027);
        assert_int_equal(f->c.nice, -3);
        assert_string_equal(f->c.oom_score_adj, "-1000");
        assert_true(f->c.rlimits[0].set);
        assert_int_equal(f->c.rlimits[0].resource, RLIMIT_MEMLOCK);
        assert_true(f->c.rlimits[0].limit.rlim_cur == 16 << 20 &&
                    f->c.rlimits[0].limit.rlim_max == 16 << 20);
        assert_int_equal(f->c.rlimits[1].resource, RLIMIT_AS);
        assert_true(f->c.rlimits[1].limit.rlim_max == RLIM_INFINITY);
        assert_false(f->c.rlimits[2].set);
        assert_string_equal(f->c.cwd, "/tmp");
}

/*
 * Applies c in a child, which then runs verify(); returns verify's status, or
 * -1 with *ret_err and *ret_step when a step failed.
 */
static int apply_in_child(const struct mc_credentials *c, int (*verify)(void), int *ret_err,
                          enum mc_cred_step *ret_step)
{
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                enum mc_cred_step step = MC_CRED_STEP_EXEC;
                int e = mc_credentials_apply(c, &step);
                int msg[2] = { e, (int)step };
                if (e) {
                        (void)!write(fds[1], msg, sizeof(msg));
                        _exit(100);
                }
                _exit(verify());
        }
        close(fds[1]);
        int msg[2] = { 0, 0 }, status;
        ssize_t k = read(fds[0], msg, sizeof(msg));
        close(fds[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == 100) {
                assert_int_equal(k, sizeof(msg));
                *ret_err = msg[0];
                *ret_step = (enum mc_cred_step)msg[1];
                return -1;
        }
        return WEXITSTATUS(status);
}

static int verify_applied(void)
{
        char cwd[64];
        struct rlimit rl;
        mode_t old = umask(0);
        if (old != 077)
                return 1;
        errno = 0;
        if (getpriority(PRIO_PROCESS, 0) != 19)
                return 2;
        if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
                return 3;
        if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 || rl.rlim_cur != (rlim_t)64 << 10 ||
            rl.rlim_max != (rlim_t)64 << 10)
                return 4;
        if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, "/") != 0)
                return 5;
        return 0;
}

static void test_apply(void **state)
{
        struct fixture *f = *state;
        /* What any user may do to itself: lower limits, raise nice. */
        set(f, "umask", "077", 1);
        set(f, "nice", "19", 2);
        set(f, "no_new_privs", "on", 3);
        /* Not rlimit_data or rlimit_as: qemu-user (the cross builds' unit tests) keeps those two
         * to itself, and setrlimit() of them succeeds without reaching the kernel. */
        set(f, "rlimit_memlock", "64K", 4); /* at or below every default: lowering it */
        set(f, "cwd", "/", 5);
        prepare_ok(f, NULL);
        int e = 0;
        enum mc_cred_step step = MC_CRED_STEP_EXEC;
        assert_int_equal(apply_in_child(&f->c, verify_applied, &e, &step), 0);

        /* A failed step says which, with its errno. */
        mc_credentials_done(&f->c);
        set(f, "cwd", "/no/such/dir", 5);
        prepare_ok(f, NULL);
        assert_int_equal(apply_in_child(&f->c, verify_applied, &e, &step), -1);
        assert_int_equal(e, ENOENT);
        assert_int_equal(step, MC_CRED_STEP_CHDIR);
}

static void test_step_names(void **state)
{
        assert_string_equal(mc_cred_step_name(MC_CRED_STEP_SETRESUID), "setresuid");
        assert_string_equal(mc_cred_step_name(MC_CRED_STEP_CHDIR), "chdir");
        assert_string_equal(mc_cred_step_name(_MC_CRED_STEP_COUNT), "start");
        for (int s = 0; s < _MC_CRED_STEP_COUNT; s++)
                assert_non_null(mc_cred_step_name((enum mc_cred_step)s));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        const struct CMUnitTest tests[] = {
                T(test_nothing),
                T(test_env_without_user),
                T(test_user_root),
                T(test_user_override_and_groups),
                T(test_unknown_names),
                T(test_capabilities),
                T(test_capabilities_as_root),
                T(test_values),
                T(test_apply),
                cmocka_unit_test(test_step_names),
        };
        return cmocka_run_group_tests_name("credentials", tests, NULL, NULL);
}
