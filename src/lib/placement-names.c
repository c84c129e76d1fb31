/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names of a placement (placement.h): its kind, memcage's own group read
 * from /proc/self/cgroup, the default group name, the scope's unit name and
 * description, and the user manager's bus. Nothing here touches the cgroup
 * tree; placement.c decides and prepares the place.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "placement.h"
#include "profile.h"
#include "util.h"

static const char *const kind_names[_MC_PLACEMENT_KIND_COUNT] = {
        [MC_PLACEMENT_PARENT] = "parent",       [MC_PLACEMENT_DELEGATED] = "delegated",
        [MC_PLACEMENT_CONTAINER] = "container", [MC_PLACEMENT_SCOPE] = "scope",
        [MC_PLACEMENT_ROOT] = "root",
};

const char *mc_placement_kind_name(enum mc_placement_kind kind)
{
        return kind < _MC_PLACEMENT_KIND_COUNT ? kind_names[kind] : "?";
}

int mc_placement_parse_self(const char *text, char **ret, struct mc_error *err)
{
        for (const char *line = text; line && *line;) {
                const char *end = strchrnul(line, '\n');
                /* cgroup v2 is hierarchy 0 with no controllers listed: "0::/system.slice/x.service". */
                if (strncmp(line, "0::/", 4) == 0) {
                        const char *path = line + 4;
                        char *s = strndup(path, (size_t)(end - path));
                        if (!s)
                                return mc_error_errno(err, ENOMEM, "read own cgroup");
                        /* Deleted groups read "/x (deleted)"; a path outside the namespace starts "/..". */
                        if (strstr(s, " (deleted)") || strncmp(s, "..", 2) == 0) {
                                int r = mc_error_set(err, ENOENT,
                                                     "memcage's own cgroup '/%s' is not inside the cgroup "
                                                     "mount it sees",
                                                     s);
                                free(s);
                                return r;
                        }
                        *ret = s;
                        return 0;
                }
                line = *end ? end + 1 : NULL;
        }
        return mc_error_set(err, ENOENT, "no cgroup v2 line (0::) in /proc/self/cgroup");
}

char *mc_placement_scope_name(const char *stem, pid_t pid)
{
        char *s = NULL;
        if (asprintf(&s, "memcage-%s-%d.scope", stem && stem[0] ? stem : "run", (int)pid) < 0)
                return NULL;
        /* systemd's unit name alphabet; the ".scope" suffix is in it already. */
        for (char *p = s + strlen("memcage-"); *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == ':' || *p == '_' || *p == '.' || *p == '-'))
                        *p = '_';
        return s;
}

char *mc_group_default_name(const char *profile, pid_t pid)
{
        _cleanup_free_ char *stem = mc_profile_stem(profile);
        char *s = NULL;
        if (!stem || asprintf(&s, "%s-%d", stem, (int)pid) < 0)
                return NULL;
        return s;
}

int mc_placement_scope_names(const char *profile, char *const *argv, pid_t pid, char **ret_unit,
                             char **ret_description)
{
        _cleanup_free_ char *stem = mc_profile_stem(profile);
        _cleanup_free_ char *unit = stem ? mc_placement_scope_name(stem, pid) : NULL;
        char buf[200];
        size_t len = 0;

        mc_buf_appendf(buf, sizeof(buf), &len, "memcage:");
        for (char *const *a = argv; a && *a; a++)
                mc_buf_appendf(buf, sizeof(buf), &len, " %s", *a);
        char *description = strdup(buf);
        if (!unit || !description) {
                free(description);
                return -ENOMEM;
        }
        *ret_unit = TAKE_PTR(unit);
        *ret_description = description;
        return 0;
}

/* A path a D-Bus address holds as is: other bytes would need %-escapes, which no runtime directory needs. */
static bool address_plain(const char *path)
{
        return path[strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_/.")] ==
               '\0';
}

char *mc_placement_user_bus(const char *runtime_dir, uid_t uid)
{
        char *s = NULL;
        int k = runtime_dir && runtime_dir[0] == '/' && address_plain(runtime_dir)
                        ? asprintf(&s, "unix:path=%s/bus", runtime_dir)
                        : asprintf(&s, "unix:path=/run/user/%u/bus", (unsigned)uid);
        return k < 0 ? NULL : s;
}
