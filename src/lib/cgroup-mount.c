/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Finding the cgroup v2 hierarchy, and which group names are safe to create in it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>

#include <linux/magic.h>

#include "cgroup.h"
#include "util.h"

/* mountinfo(5) escapes space, tab, newline and backslash as \NNN (octal); decodes in place. */
static void unescape_octal(char *s)
{
        char *w = s;
        for (char *r = s; *r;) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
                        r += 4;
                } else
                        *w++ = *r++;
        }
        *w = '\0';
}

/* True when the comma-separated option list holds opt as a whole word. */
static bool options_have(const char *options, const char *opt)
{
        size_t len = strlen(opt);
        for (const char *p = options; p;) {
                const char *end = strchr(p, ',');
                size_t n = end ? (size_t)(end - p) : strlen(p);
                if (n == len && strncmp(p, opt, len) == 0)
                        return true;
                p = end ? end + 1 : NULL;
        }
        return false;
}

int mc_cgroup_parse_mountinfo(FILE *f, struct mc_cgroup_mounts *ret, struct mc_error *err)
{
        _cleanup_free_ char *line = NULL;
        _cleanup_free_ char *unified = NULL;
        _cleanup_free_ char *memory_v1 = NULL;
        size_t cap = 0;
        bool have_v1 = false;
        unsigned lineno = 0;
        ssize_t k;

        errno = 0;
        while ((k = getline(&line, &cap, f)) >= 0) {
                char *fields[32];
                size_t n = 0;
                char *save = NULL;

                lineno++;
                if (k > 0 && line[k - 1] == '\n')
                        line[k - 1] = '\0';
                if (line[0] == '\0')
                        continue;
                /* Escaped fields hold no blanks, so splitting on spaces is exact. */
                for (char *t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                        if (n == ELEMENTSOF(fields))
                                return mc_error_set(err, EINVAL, "mountinfo line %u: too many fields",
                                                    lineno);
                        fields[n++] = t;
                }

                /* 6 fixed fields, optional fields ("shared:9"), "-", fstype, source, super options. */
                size_t sep = 6;
                while (sep < n && !streq(fields[sep], "-"))
                        sep++;
                if (sep + 3 >= n)
                        return mc_error_set(err, EINVAL,
                                            "mountinfo line %u: expected 'ID PARENT MAJ:MIN ROOT "
                                            "MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE "
                                            "SUPEROPTIONS'",
                                            lineno);
                const char *fstype = fields[sep + 1];
                const char *super = sep + 3 < n ? fields[sep + 3] : "";
                char *mountpoint = fields[4];

                if (streq(fstype, "cgroup2")) {
                        unescape_octal(mountpoint);
                        /* Several cgroup2 mounts show one hierarchy; prefer the canonical place. */
                        if (!unified || streq(mountpoint, "/sys/fs/cgroup")) {
                                free(unified);
                                unified = strdup(mountpoint);
                                if (!unified)
                                        return mc_error_errno(err, ENOMEM, "parse mountinfo");
                        }
                } else if (streq(fstype, "cgroup")) {
                        have_v1 = true;
                        /* A v1 hierarchy's super options name its controllers: "rw,memory". */
                        if (!memory_v1 && options_have(super, "memory")) {
                                unescape_octal(mountpoint);
                                memory_v1 = strdup(mountpoint);
                                if (!memory_v1)
                                        return mc_error_errno(err, ENOMEM, "parse mountinfo");
                        }
                }
                errno = 0;
        }
        if (errno != 0)
                return mc_error_errno(err, errno, "read mountinfo");

        ret->layout = unified && have_v1 ? MC_CGROUP_HYBRID
                      : unified          ? MC_CGROUP_UNIFIED
                      : have_v1          ? MC_CGROUP_LEGACY
                                         : MC_CGROUP_NONE;
        ret->unified = TAKE_PTR(unified);
        ret->memory_v1 = TAKE_PTR(memory_v1);
        return 0;
}

void mc_cgroup_mounts_free(struct mc_cgroup_mounts *m)
{
        if (!m)
                return;
        free(m->unified);
        free(m->memory_v1);
        m->unified = m->memory_v1 = NULL;
}

/* cgroup.controllers as one line for messages: "hugetlb", or "no controllers". */
static void controllers_line(char *s)
{
        s[strcspn(s, "\n")] = '\0';
}

bool mc_cgroup_list_has(const char *list, const char *word)
{
        size_t len = strlen(word);
        for (const char *p = list; *p;) {
                p += strspn(p, " \t\n");
                size_t n = strcspn(p, " \t\n");
                if (n == len && strncmp(p, word, len) == 0)
                        return true;
                p += n;
        }
        return false;
}

#define NEEDS_UNIFIED                                                                            \
        "memcage needs the unified hierarchy: boot with systemd.unified_cgroup_hierarchy=1 (or " \
        "cgroup_no_v1=memory)"

int mc_cgroup_open_root(const char *mountinfo_path, char **ret_path, int *ret_fd, struct mc_error *err)
{
        struct mc_cgroup_mounts m = { 0 };
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *controllers = NULL;
        int r;

        if (!mountinfo_path)
                mountinfo_path = "/proc/self/mountinfo";
        /*
         * The usual host: cgroup2 at /sys/fs/cgroup offering memory. A
         * controller binds to one hierarchy only, so no v1 mount can hold
         * memory then, and mountinfo would name this very mount: one fstatfs
         * instead of reading mountinfo. Anything else is diagnosed from it.
         */
        if (streq(mountinfo_path, "/proc/self/mountinfo")) {
                struct statfs sfs;
                fd = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0 && fstatfs(fd, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC &&
                    mc_read_file_at(fd, "cgroup.controllers", &controllers, err) == 0 &&
                    mc_cgroup_list_has(controllers, "memory")) {
                        char *path = strdup("/sys/fs/cgroup");
                        if (!path)
                                return mc_error_errno(err, ENOMEM, "open the cgroup2 root");
                        *ret_path = path;
                        *ret_fd = TAKE_FD(fd);
                        return 0;
                }
                mc_error_clear(err);
                free(TAKE_PTR(controllers));
                if (fd >= 0)
                        close(TAKE_FD(fd));
        }
        f = fopen(mountinfo_path, "re");
        if (!f)
                return mc_error_errno(err, errno, "open %s", mountinfo_path);
        r = mc_cgroup_parse_mountinfo(f, &m, err);
        if (r < 0)
                return mc_error_prefix(err, "%s", mountinfo_path);

        if (m.unified) {
                fd = open(m.unified, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        r = mc_error_errno(err, errno, "open the cgroup2 mount %s", m.unified);
                else {
                        r = mc_read_file_at(fd, "cgroup.controllers", &controllers, err);
                        if (r < 0)
                                mc_error_prefix(err, "cgroup2 at %s", m.unified);
                }
                if (r < 0)
                        goto out;
                controllers_line(controllers);
        }

        if (m.memory_v1 && m.unified) {
                /* The kernel binds a controller to one hierarchy; v1 took memory first. */
                r = mc_error_set(err, EOPNOTSUPP,
                                 "cgroup v2 memory controller not available: this host uses the "
                                 "hybrid cgroup layout (memory is bound to cgroup v1 at %s; cgroup2 "
                                 "at %s offers %s%s). " NEEDS_UNIFIED,
                                 m.memory_v1, m.unified, controllers[0] ? "only: " : "no controllers",
                                 controllers);
        } else if (!m.unified && m.layout == MC_CGROUP_LEGACY) {
                r = mc_error_set(err, EOPNOTSUPP,
                                 "cgroup v2 memory controller not available: this host mounts only "
                                 "cgroup v1 hierarchies (%s%s) and no cgroup2. " NEEDS_UNIFIED,
                                 m.memory_v1 ? "memory at " : "none with memory",
                                 m.memory_v1 ? m.memory_v1 : "");
        } else if (!m.unified) {
                r = mc_error_set(err, EOPNOTSUPP,
                                 "cgroup v2 memory controller not available: no cgroup filesystem "
                                 "is mounted (%s lists none). memcage needs the cgroup v2 unified "
                                 "hierarchy: mount -t cgroup2 none /sys/fs/cgroup",
                                 mountinfo_path);
        } else if (!mc_cgroup_list_has(controllers, "memory")) {
                r = mc_error_set(err, EOPNOTSUPP,
                                 "cgroup v2 memory controller not available: cgroup2 at %s offers "
                                 "%s%s in cgroup.controllers. memcage needs memory there: a kernel "
                                 "with CONFIG_MEMCG not booted with cgroup_disable=memory, and in a "
                                 "container a manager that delegates memory",
                                 m.unified, controllers[0] ? "only: " : "no controllers", controllers);
        } else {
                *ret_path = TAKE_PTR(m.unified);
                *ret_fd = TAKE_FD(fd);
                r = 0;
        }
out:
        mc_cgroup_mounts_free(&m);
        return r;
}

/*
 * A group directory shares its namespace with the kernel's interface files:
 * a name like "memory.max" or "cgroup.procs" cannot be created (EEXIST), and
 * one like "memory.foo" may become a kernel file in a later release. Names
 * starting with a controller's prefix are refused for that reason. "irq." is
 * the PSI file of 6.2+, "dmem." the device-memory controller of 6.14+.
 */
static const char *const kernel_prefixes[] = {
        "cgroup.",  "memory.", "cpu.",  "cpuset.", "io.",   "pids.",
        "hugetlb.", "rdma.",   "misc.", "irq.",    "dmem.",
};

int mc_cgroup_validate_name(const char *name, struct mc_error *err)
{
        if (!name || name[0] == '\0')
                return mc_error_set(err, EINVAL, "empty group name");
        if (streq(name, ".") || streq(name, ".."))
                return mc_error_set(err, EINVAL, "'%s' is not a group name", name);
        size_t len = strlen(name);
        if (len > NAME_MAX)
                return mc_error_set(err, EINVAL, "group name longer than %d bytes", NAME_MAX);
        for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
                if (*p == '/')
                        return mc_error_set(err, EINVAL, "group name '%s' contains '/'", name);
                if (*p < 0x20 || *p == 0x7f)
                        return mc_error_set(err, EINVAL, "group name contains the control character 0x%02x",
                                            *p);
        }
        for (size_t i = 0; i < ELEMENTSOF(kernel_prefixes); i++)
                if (strncmp(name, kernel_prefixes[i], strlen(kernel_prefixes[i])) == 0)
                        return mc_error_set(err, EINVAL,
                                            "group name '%s' starts with '%s', the prefix of the "
                                            "kernel's interface files in a cgroup directory",
                                            name, kernel_prefixes[i]);
        return 0;
}

int mc_cgroup_validate_path(const char *path, struct mc_error *err)
{
        if (!path || path[0] == '\0')
                return mc_error_set(err, EINVAL, "empty group path");
        if (path[0] == '/')
                return mc_error_set(err, EINVAL, "group path '%s' must be relative to the cgroup2 root",
                                    path);
        if (strlen(path) >= PATH_MAX)
                return mc_error_set(err, EINVAL, "group path longer than %d bytes", PATH_MAX - 1);

        for (const char *p = path;;) {
                const char *slash = strchr(p, '/');
                size_t n = slash ? (size_t)(slash - p) : strlen(p);
                char comp[NAME_MAX + 2];

                if (n == 0)
                        return mc_error_set(err, EINVAL, "group path '%s' has an empty component", path);
                if (n > NAME_MAX)
                        return mc_error_set(err, EINVAL,
                                            "group path '%s': a component is longer than %d bytes", path,
                                            NAME_MAX);
                memcpy(comp, p, n);
                comp[n] = '\0';
                int r = mc_cgroup_validate_name(comp, err);
                if (r < 0)
                        return mc_error_prefix(err, "group path '%s'", path);
                if (!slash)
                        return 0;
                p = slash + 1;
        }
}
