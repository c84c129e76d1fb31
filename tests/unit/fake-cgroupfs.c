/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the unit tests that run the cgroup stage on a temporary directory shaped like cgroupfs.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake-cgroupfs.h"
#include "util.h"

void write_at(int dirfd, const char *name, const char *content)
{
        int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        size_t len = strlen(content);
        assert_int_equal(write(fd, content, len), (ssize_t)len);
        close(fd);
}

void fake_memory_group(int dirfd, const char *events)
{
        write_at(dirfd, "memory.events", events);
        write_at(dirfd, "memory.events.local", events);
        write_at(dirfd, "memory.stat", "anon 0\nfile 0\nshmem 0\npgmajfault 0\n");
        write_at(dirfd, "cpu.stat", "user_usec 0\nsystem_usec 0\n");
        write_at(dirfd, "memory.current", "1048576\n");
        write_at(dirfd, "memory.max", "67108864\n");
}

char *read_at(int dirfd, const char *name)
{
        char *s = NULL;
        struct mc_error err = { 0 };
        if (mc_read_file_at(dirfd, name, &s, &err) < 0)
                return NULL;
        return s;
}

int mkdir_p_at(int dirfd, const char *rel)
{
        char path[512];
        snprintf(path, sizeof(path), "%s", rel);
        for (char *p = path; (p = strchr(p, '/')); p++) {
                *p = '\0';
                (void)mkdirat(dirfd, path, 0755);
                *p = '/';
        }
        assert_true(mkdirat(dirfd, path, 0755) == 0 || errno == EEXIST);
        int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        return fd;
}

bool exists_at(int dirfd, const char *path)
{
        struct stat st;
        return fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

void rm_rf_at(int dir_fd, const char *name)
{
        int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                unlinkat(dir_fd, name, 0);
                return;
        }
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }
        struct dirent *de;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        rm_rf_at(dirfd(d), de->d_name);
        closedir(d);
        unlinkat(dir_fd, name, AT_REMOVEDIR);
}

int fake_remove(int parent_fd, const char *name, struct mc_error *err)
{
        int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return mc_error_errno(err, errno, "fake: open %s", name);
        _cleanup_free_ char *events = read_at(fd, "cgroup.events");
        if (events && strstr(events, "populated 1")) {
                close(fd);
                return mc_error_set(err, EBUSY, "fake: %s populated", name);
        }
        DIR *d = fdopendir(fd);
        assert_non_null(d);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                struct stat st;
                assert_int_equal(fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW), 0);
                if (S_ISDIR(st.st_mode)) {
                        closedir(d);
                        return mc_error_set(err, EBUSY, "fake: %s has child groups", name);
                }
        }
        rewinddir(d);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
        if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0)
                return mc_error_errno(err, errno, "fake: rmdir %s", name);
        return 0;
}

char *fake_make_base(const char *name, bool *ret_xattr_ok, char *why, size_t why_len)
{
        const char *tmpdir = getenv("TMPDIR");
        const char *candidates[] = { tmpdir && tmpdir[0] ? tmpdir : "/tmp", "/dev/shm", "." };
        char *first = NULL;

        *ret_xattr_ok = false;
        why[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++) {
                char dir[512];
                snprintf(dir, sizeof(dir), "%s/memcage-test-%s.XXXXXX", candidates[i], name);
                const char *sep = why[0] ? "; " : "no temp directory with user.* xattrs: ";
                if (!mkdtemp(dir)) {
                        snprintf(why + strlen(why), why_len - strlen(why), "%s%s: mkdtemp: %s", sep,
                                 candidates[i], strerror(errno));
                        continue;
                }
                if (setxattr(dir, "user.memcage.probe", "1", 1, 0) == 0) {
                        if (first) {
                                rmdir(first);
                                free(first);
                        }
                        *ret_xattr_ok = true;
                        return strdup(dir);
                }
                snprintf(why + strlen(why), why_len - strlen(why), "%s%s: %s", sep, candidates[i],
                         strerror(errno));
                if (!first)
                        first = strdup(dir);
                else
                        rmdir(dir);
        }
        return first;
}
