/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage's groups wherever they were placed: a walk of the tree for the launcher mark. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "cgroup-find.h"
#include "cgroup.h"
#include "placement.h"
#include "util.h"

struct found {
        char **v;
        size_t n;
        uid_t owner;
};

/* A run's group, or the leaf of a delegated placement (whose group may hold nothing else of memcage's). */
static bool has_mark(int fd)
{
        char mark[128];
        return fgetxattr(fd, MC_GROUP_XATTR_LAUNCHER, mark, sizeof(mark)) >= 0 || errno == ERANGE ||
               fgetxattr(fd, MC_PLACEMENT_XATTR_LEAF, mark, sizeof(mark)) >= 0 || errno == ERANGE;
}

/* A parent with a launcher's creation record (MC_GROUP_XATTR_CREATING): its group may carry no mark. */
static bool has_record(int fd)
{
        char names[4096];
        ssize_t len = flistxattr(fd, names, sizeof(names));
        if (len < 0 && errno == ERANGE)
                return true; /* more than fits: looked at by the sweep, which reads them all */
        for (char *x = names; len > 0 && x < names + len; x += strlen(x) + 1)
                if (strncmp(x, MC_GROUP_XATTR_CREATING, strlen(MC_GROUP_XATTR_CREATING)) == 0)
                        return true;
        return false;
}

static int add_parent(struct found *f, const char *rel)
{
        for (size_t i = 0; i < f->n; i++)
                if (streq(f->v[i], rel))
                        return 0;
        return mc_strv_push(&f->v, &f->n, strdup(rel));
}

static int walk(int dir_fd, const char *rel, unsigned depth, struct found *f)
{
        DIR *d = mc_opendir_at(dir_fd, ".");
        struct dirent *e;
        int r = 0;

        if (!d)
                return 0; /* unreadable: another user's, or gone meanwhile */
        if (has_record(dirfd(d))) {
                struct stat st;
                if (f->owner == (uid_t)-1 || (fstat(dirfd(d), &st) == 0 && st.st_uid == f->owner))
                        r = add_parent(f, rel);
        }
        while (r >= 0 && (e = readdir(d))) {
                if (e->d_type != DT_DIR || e->d_name[0] == '.')
                        continue;
                _cleanup_close_ int fd =
                        openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        continue;
                if (has_mark(fd)) {
                        struct stat st;
                        if (f->owner == (uid_t)-1 || (fstat(fd, &st) == 0 && st.st_uid == f->owner))
                                r = add_parent(f, rel);
                        continue;
                }
                if (depth + 1 >= MC_FIND_MAX_DEPTH)
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name) < 0)
                        r = -ENOMEM;
                else
                        r = walk(fd, sub, depth + 1, f);
        }
        closedir(d);
        return r;
}

static int compare(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int mc_group_find_parents(int root_fd, uid_t owner, char ***ret, struct mc_error *err)
{
        struct found f = { .owner = owner };
        int r = walk(root_fd, "", 0, &f);
        if (r < 0) {
                mc_strv_free(f.v);
                return mc_error_errno(err, -r, "look for memcage's groups");
        }
        if (f.n > 1)
                qsort(f.v, f.n, sizeof(*f.v), compare);
        *ret = f.v;
        return 0;
}
