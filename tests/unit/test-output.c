/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Report outputs (output.c), in a temporary directory: what lands where, and what is never touched. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "output.h"
#include "util.h"

static char dir[64];

static int setup(void **state)
{
        snprintf(dir, sizeof(dir), "/tmp/memcage-test-output-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
}

static char *path_in(const char *name)
{
        char *p;
        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static char *slurp(const char *path)
{
        char *text = NULL;
        struct mc_error err = { 0 };
        assert_int_equal(mc_read_file_at(AT_FDCWD, path, &text, &err), 0);
        return text;
}

static void spit(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        assert_true(fputs(text, f) >= 0);
        assert_int_equal(fclose(f), 0);
}

/* The names in d but . and .., sorted into one string "a b c"; returns how many. */
static int entries(const char *d, char *buf, size_t n)
{
        struct dirent **list;
        int count = scandir(d, &list, NULL, alphasort), shown = 0;
        assert_true(count >= 0);
        buf[0] = '\0';
        for (int i = 0; i < count; i++) {
                if (!streq(list[i]->d_name, ".") && !streq(list[i]->d_name, ".."))
                        snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", shown++ ? " " : "",
                                 list[i]->d_name);
                free(list[i]);
        }
        free(list);
        return shown;
}

static const struct mc_output_opts plain = { .dash_fd = STDOUT_FILENO };

static void test_fd_names(void **state)
{
        int fd = -1;
        assert_true(mc_output_fd_name("/dev/stdout", &fd));
        assert_int_equal(fd, 1);
        assert_true(mc_output_fd_name("/dev/stderr", &fd));
        assert_int_equal(fd, 2);
        assert_true(mc_output_fd_name("/dev/fd/63", &fd));
        assert_int_equal(fd, 63);
        assert_true(mc_output_fd_name("/proc/self/fd/7", &fd));
        assert_int_equal(fd, 7);
        const char *not_fds[] = {
                "/dev/fd/",    "/dev/fd/x",    "/dev/fd/1/", "/dev/fd/-1", "/dev/fd/99999999999",
                "/dev/stdin2", "/proc/1/fd/1", "dev/stdout", "/dev/null",  "-"
        };
        for (size_t i = 0; i < ELEMENTSOF(not_fds); i++)
                assert_false(mc_output_fd_name(not_fds[i], &fd));
}

/* A symbolic link at the name is refused when opened; its target is never written. */
static void test_symlink_refused(void **state)
{
        _cleanup_free_ char *target = path_in("target"), *link = path_in("link");
        struct mc_output o;
        struct mc_error err = { 0 };

        spit(target, "keep\n");
        assert_int_equal(symlink(target, link), 0);
        assert_int_equal(mc_output_open(&o, link, &plain, &err), -ELOOP);
        assert_non_null(strstr(err.msg, "a symbolic link (name the file itself)"));
        assert_non_null(strstr(err.msg, link));
        assert_null(o.path);
        mc_output_done(&o);
        _cleanup_free_ char *t = slurp(target);
        assert_string_equal(t, "keep\n");

        /* A dangling link: refused too, and nothing is created where it points. */
        _cleanup_free_ char *dangling = path_in("dangling"), *nowhere = path_in("nowhere");
        assert_int_equal(symlink(nowhere, dangling), 0);
        assert_int_equal(mc_output_open(&o, dangling, &plain, &err), -ELOOP);
        assert_int_equal(access(nowhere, F_OK), -1);
        unlink(link);
        unlink(dangling);
        unlink(target);
}

/* The directory is pinned when opened: moved away and replaced by a link, the file still lands in it. */
static void test_directory_swapped(void **state)
{
        _cleanup_free_ char *sub = path_in("sub"), *moved = path_in("sub.old"),
                            *elsewhere = path_in("elsewhere"), *file = path_in("sub/report.json"),
                            *in_moved = path_in("sub.old/report.json");
        char names[256];
        struct mc_output o;
        struct mc_error err = { 0 };

        assert_int_equal(mkdir(sub, 0755), 0);
        assert_int_equal(mkdir(elsewhere, 0755), 0);
        assert_int_equal(mc_output_open(&o, file, &plain, &err), 0);
        assert_int_equal(o.kind, MC_OUTPUT_FILE);
        assert_int_equal(rename(sub, moved), 0);
        assert_int_equal(symlink(elsewhere, sub), 0);
        assert_int_equal(mc_output_write(&o, "{}\n", 3, &err), 0);
        mc_output_done(&o);

        _cleanup_free_ char *t = slurp(in_moved);
        assert_string_equal(t, "{}\n");
        assert_int_equal(entries(elsewhere, names, sizeof(names)), 0);
        assert_int_equal(entries(moved, names, sizeof(names)), 1);
        assert_string_equal(names, "report.json");
        unlink(in_moved);
        unlink(sub);
        rmdir(moved);
        rmdir(elsewhere);
}

/* An existing file is replaced whole (a reader holding the old one keeps it), and no temporary file stays.
 */
static void replace_existing(bool no_tmpfile)
{
        _cleanup_free_ char *file = path_in("r.json");
        struct mc_output_opts opts = { .dash_fd = STDOUT_FILENO, .no_tmpfile = no_tmpfile };
        struct mc_output o;
        struct mc_error err = { 0 };
        struct stat before, after;
        char names[256], old_text[16] = "";

        spit(file, "old content\n");
        assert_int_equal(stat(file, &before), 0);
        int keep = open(file, O_RDONLY | O_CLOEXEC);
        assert_true(keep >= 0);

        mode_t um = umask(022);
        assert_int_equal(mc_output_open(&o, file, &opts, &err), 0);
        umask(um);
        assert_int_equal(o.kind, MC_OUTPUT_FILE);
        /* The unnamed file exists from the open on, where O_TMPFILE is used; nothing has a name yet. */
        assert_int_equal(o.fd >= 0, !no_tmpfile);
        assert_int_equal(entries(dir, names, sizeof(names)), 1);
        assert_int_equal(mc_output_write(&o, "new\n", 4, &err), 0);
        /* Once only. */
        assert_int_equal(mc_output_write(&o, "again\n", 6, &err), -EALREADY);
        mc_output_done(&o);

        _cleanup_free_ char *t = slurp(file);
        assert_string_equal(t, "new\n");
        assert_int_equal(stat(file, &after), 0);
        assert_true(after.st_ino != before.st_ino);
        assert_int_equal(after.st_mode & 0777, 0644);
        assert_int_equal(pread(keep, old_text, sizeof(old_text) - 1, 0), 12);
        assert_string_equal(old_text, "old content\n");
        close(keep);
        assert_int_equal(entries(dir, names, sizeof(names)), 1);
        assert_string_equal(names, "r.json");
        unlink(file);
}

static void test_replace_tmpfile(void **state)
{
        replace_existing(false);
}

/* Where O_TMPFILE is missing: a named temporary file, gone afterwards all the same. */
static void test_replace_named(void **state)
{
        replace_existing(true);
}

/* A new file, and one whose rename fails (a directory put at the name meanwhile): nothing left behind. */
static void test_new_and_failed(void **state)
{
        _cleanup_free_ char *file = path_in("new.json");
        char names[256];
        struct mc_error err = { 0 };

        for (int named = 0; named < 2; named++) {
                struct mc_output_opts opts = { .dash_fd = STDOUT_FILENO, .no_tmpfile = named };
                struct mc_output o;
                assert_int_equal(mc_output_open(&o, file, &opts, &err), 0);
                assert_int_equal(mkdir(file, 0755), 0);
                assert_int_equal(mc_output_write(&o, "x\n", 2, &err), -EISDIR);
                assert_non_null(strstr(err.msg, file));
                mc_output_done(&o);
                assert_int_equal(entries(dir, names, sizeof(names)), 1);
                assert_string_equal(names, "new.json");
                assert_int_equal(rmdir(file), 0);

                assert_int_equal(mc_output_open(&o, file, &opts, &err), 0);
                assert_int_equal(entries(dir, names, sizeof(names)), 0);
                assert_int_equal(mc_output_write(&o, "y\n", 2, &err), 0);
                mc_output_done(&o);
                _cleanup_free_ char *t = slurp(file);
                assert_string_equal(t, "y\n");
                assert_int_equal(unlink(file), 0);
        }

        /* Opened and never written (memcage stopped first): nothing appears. */
        struct mc_output o;
        assert_int_equal(mc_output_open(&o, file, &plain, &err), 0);
        mc_output_done(&o);
        assert_int_equal(entries(dir, names, sizeof(names)), 0);
}

/*
 * A live file (run --events): written through its temporary file as the run
 * goes, the name keeps the old content until the commit; never committed
 * (the run failed before its command), the old content stays and no
 * temporary file is left.
 */
static void test_live(void **state)
{
        _cleanup_free_ char *file = path_in("ev.jsonl");
        char names[256];
        struct mc_error err = { 0 };

        for (int named = 0; named < 2; named++) {
                struct mc_output_opts opts = { .dash_fd = -EBADF, .no_tmpfile = named, .live = true };
                struct mc_output o;

                spit(file, "old\n");
                assert_int_equal(mc_output_open(&o, file, &opts, &err), 0);
                assert_int_equal(o.kind, MC_OUTPUT_FILE);
                int fd = mc_output_fd(&o);
                assert_true(fd >= 0);
                assert_int_equal(write(fd, "a\n", 2), 2);
                assert_int_equal(write(fd, "b\n", 2), 2);
                _cleanup_free_ char *t = slurp(file);
                assert_string_equal(t, "old\n");
                assert_int_equal(mc_output_commit(&o, &err), 0);
                mc_output_done(&o);
                _cleanup_free_ char *t2 = slurp(file);
                assert_string_equal(t2, "a\nb\n");
                assert_int_equal(entries(dir, names, sizeof(names)), 1);

                assert_int_equal(mc_output_open(&o, file, &opts, &err), 0);
                assert_int_equal(write(mc_output_fd(&o), "c\n", 2), 2);
                mc_output_done(&o);
                _cleanup_free_ char *t3 = slurp(file);
                assert_string_equal(t3, "a\nb\n");
                assert_int_equal(entries(dir, names, sizeof(names)), 1);
                assert_string_equal(names, "ev.jsonl");
                assert_int_equal(unlink(file), 0);
        }
}

/* Appended to (run --events-append): made when missing, kept and added to when there, never through a link.
 */
static void test_append(void **state)
{
        _cleanup_free_ char *file = path_in("ev.jsonl");
        _cleanup_free_ char *link = path_in("link");
        _cleanup_free_ char *target = path_in("target");
        struct mc_output_opts opts = { .dash_fd = -EBADF, .append = true, .live = true };
        struct mc_output o;
        struct mc_error err = { 0 };

        for (int i = 0; i < 2; i++) {
                assert_int_equal(mc_output_open(&o, file, &opts, &err), 0);
                assert_int_equal(o.kind, MC_OUTPUT_STREAM);
                assert_int_equal(write(mc_output_fd(&o), "x\n", 2), 2);
                assert_int_equal(mc_output_commit(&o, &err), 0);
                mc_output_done(&o);
        }
        _cleanup_free_ char *t = slurp(file);
        assert_string_equal(t, "x\nx\n");

        spit(target, "keep\n");
        assert_int_equal(symlink(target, link), 0);
        assert_int_equal(mc_output_open(&o, link, &opts, &err), -ELOOP);
        _cleanup_free_ char *k = slurp(target);
        assert_string_equal(k, "keep\n");
        unlink(link);
        unlink(target);
        unlink(file);
}

/* A FIFO is a stream: opened when the reader is there, written as it is, never replaced. */
static void test_fifo(void **state)
{
        _cleanup_free_ char *fifo = path_in("fifo");
        struct mc_output o;
        struct mc_error err = { 0 };
        struct stat st;
        char buf[32] = "";

        assert_int_equal(mkfifo(fifo, 0600), 0);
        assert_int_equal(mc_output_open(&o, fifo, &plain, &err), -ENXIO);
        assert_non_null(strstr(err.msg, "a FIFO without a reader"));

        int rd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        assert_true(rd >= 0);
        assert_int_equal(mc_output_open(&o, fifo, &plain, &err), 0);
        assert_int_equal(o.kind, MC_OUTPUT_STREAM);
        assert_int_equal(mc_output_stream_fd(&o), o.fd);
        /* Blocking again once open: a slow reader slows memcage instead of losing the report. */
        assert_int_equal(fcntl(o.fd, F_GETFL) & O_NONBLOCK, 0);
        assert_int_equal(mc_output_write(&o, "through\n", 8, &err), 0);
        mc_output_done(&o);
        assert_int_equal(read(rd, buf, sizeof(buf) - 1), 8);
        assert_string_equal(buf, "through\n");
        close(rd);
        assert_int_equal(lstat(fifo, &st), 0);
        assert_true(S_ISFIFO(st.st_mode));
        unlink(fifo);
}

/* /dev/fd/N writes to the caller's fd N (by name: a pipe here), and "-" to the fd given for it. */
static void test_fd_stream(void **state)
{
        int p[2];
        char name[32], buf[32] = "";
        struct mc_output o;
        struct mc_error err = { 0 };

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        snprintf(name, sizeof(name), "/dev/fd/%d", p[1]);
        assert_int_equal(mc_output_open(&o, name, &plain, &err), 0);
        assert_int_equal(o.kind, MC_OUTPUT_STREAM);
        assert_true(o.fd != p[1] && o.fd >= 3);
        assert_true(fcntl(o.fd, F_GETFD) & FD_CLOEXEC);
        assert_int_equal(mc_output_write(&o, "by fd\n", 6, &err), 0);
        mc_output_done(&o);
        assert_int_equal(read(p[0], buf, sizeof(buf) - 1), 6);
        assert_string_equal(buf, "by fd\n");

        struct mc_output_opts dash = { .dash_fd = p[1] };
        assert_int_equal(mc_output_open(&o, "-", &dash, &err), 0);
        assert_int_equal(mc_output_write(&o, "dash\n", 5, &err), 0);
        mc_output_done(&o);
        memset(buf, 0, sizeof(buf));
        assert_int_equal(read(p[0], buf, sizeof(buf) - 1), 5);
        assert_string_equal(buf, "dash\n");

        /* The reader gone: -EPIPE (memcage ignores SIGPIPE), for the caller to judge. */
        snprintf(name, sizeof(name), "/proc/self/fd/%d", p[1]);
        assert_int_equal(mc_output_open(&o, name, &plain, &err), 0);
        close(p[0]);
        signal(SIGPIPE, SIG_IGN);
        assert_int_equal(mc_output_write(&o, "lost\n", 5, &err), -EPIPE);
        signal(SIGPIPE, SIG_DFL);
        mc_output_done(&o);

        /* The read end of a pipe, and an fd that is not open: refused when opened. */
        int q[2];
        assert_int_equal(pipe2(q, O_CLOEXEC), 0);
        snprintf(name, sizeof(name), "/dev/fd/%d", q[0]);
        assert_int_equal(mc_output_open(&o, name, &plain, &err), -EBADF);
        assert_non_null(strstr(err.msg, "not open for writing"));
        close(q[0]);
        close(q[1]);
        close(p[1]);
        assert_int_equal(mc_output_open(&o, "/dev/fd/987", &plain, &err), -EBADF);
        assert_string_equal(err.msg, "/dev/fd/987: fd 987 is not open");
}

/* A character device is a stream too; a directory, a missing directory, a trailing slash are refused. */
static void test_other_types(void **state)
{
        struct mc_output o;
        struct mc_error err = { 0 };

        assert_int_equal(mc_output_open(&o, "/dev/null", &plain, &err), 0);
        assert_int_equal(o.kind, MC_OUTPUT_STREAM);
        assert_int_equal(mc_output_write(&o, "x", 1, &err), 0);
        mc_output_done(&o);

        assert_int_equal(mc_output_open(&o, dir, &plain, &err), -EISDIR);
        assert_non_null(strstr(err.msg, "is a directory"));
        _cleanup_free_ char *slash = path_in("x/"), *missing = path_in("missing/r.json");
        assert_int_equal(mc_output_open(&o, slash, &plain, &err), -EISDIR);
        assert_int_equal(mc_output_open(&o, missing, &plain, &err), -ENOENT);
        assert_non_null(strstr(err.msg, missing));
        assert_int_equal(mc_output_open(&o, "", &plain, &err), -ENOENT);
        /* "-" only where the caller says which stream it is. */
        const struct mc_output_opts no_dash = { .dash_fd = -EBADF };
        assert_int_equal(mc_output_open(&o, "-", &no_dash, &err), -EINVAL);
        mc_output_done(&o);
}

/* A path without a directory is in the working directory, pinned like any other. */
static void test_relative(void **state)
{
        char cwd[256], names[256];
        struct mc_output o;
        struct mc_error err = { 0 };

        assert_non_null(getcwd(cwd, sizeof(cwd)));
        assert_int_equal(chdir(dir), 0);
        assert_int_equal(mc_output_open(&o, "here.svg", &plain, &err), 0);
        assert_int_equal(chdir("/"), 0);
        assert_int_equal(mc_output_write(&o, "<svg/>\n", 7, &err), 0);
        mc_output_done(&o);
        assert_int_equal(chdir(cwd), 0);
        assert_int_equal(entries(dir, names, sizeof(names)), 1);
        assert_string_equal(names, "here.svg");
        _cleanup_free_ char *file = path_in("here.svg");
        unlink(file);
}

/*
 * The invoking user (sudo) gets the file where they could have made it
 * themselves. As an unprivileged user, only one's own ids can be given:
 * the test asks for them and checks the decision, not fchown's power.
 */
static void test_owner(void **state)
{
        _cleanup_free_ char *file = path_in("owned.json");
        struct mc_output_opts opts = {
                .dash_fd = STDOUT_FILENO, .has_owner = true, .owner_uid = getuid(), .owner_gid = getgid()
        };
        struct mc_output o;
        struct mc_error err = { 0 };
        struct stat st;

        for (int named = 0; named < 2; named++) {
                opts.no_tmpfile = named;
                assert_int_equal(mc_output_open(&o, file, &opts, &err), 0);
                assert_true(o.chown);
                assert_int_equal(mc_output_write(&o, "{}\n", 3, &err), 0);
                mc_output_done(&o);
                assert_int_equal(stat(file, &st), 0);
                assert_int_equal(st.st_uid, getuid());
                assert_int_equal(st.st_gid, getgid());
        }
        /* A directory the user neither owns nor may write in: the file is not theirs to get. */
        opts.owner_uid = getuid() + 4242;
        opts.owner_gid = getgid() + 4242;
        assert_int_equal(mc_output_open(&o, file, &opts, &err), 0);
        assert_false(o.chown);
        mc_output_done(&o);
        unlink(file);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fd_names),
                cmocka_unit_test(test_symlink_refused),
                cmocka_unit_test(test_directory_swapped),
                cmocka_unit_test(test_replace_tmpfile),
                cmocka_unit_test(test_replace_named),
                cmocka_unit_test(test_new_and_failed),
                cmocka_unit_test(test_live),
                cmocka_unit_test(test_append),
                cmocka_unit_test(test_fifo),
                cmocka_unit_test(test_fd_stream),
                cmocka_unit_test(test_other_types),
                cmocka_unit_test(test_relative),
                cmocka_unit_test(test_owner),
        };
        return cmocka_run_group_tests_name("output", tests, setup, teardown);
}
