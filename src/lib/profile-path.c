/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where profiles are: the search path and the file a profile name resolves to. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "profile-internal.h"
#include "profile.h"
#include "util.h"

#if !defined(SYSCONFDIR) || !defined(PKGDATADIR)
#error "SYSCONFDIR and PKGDATADIR must come from the build system"
#endif

static char *path_join(const char *dir, const char *name)
{
        char *p;
        if (asprintf(&p, "%s/%s", dir, name) < 0)
                return NULL;
        return p;
}

int mc_profile_search_dirs(const struct mc_profile_env *env, char ***ret, struct mc_error *err)
{
        _cleanup_strv_free_ char **dirs = NULL;
        size_t n = 0;
        int r = 0;

        for (const char *p = env->profile_path; p && *p && r >= 0;) {
                size_t len = strcspn(p, ":");
                if (len > 0)
                        r = mc_strv_push(&dirs, &n, strndup(p, len));
                p += len + (p[len] == ':');
        }
        /* Per the XDG base directory spec a relative XDG_CONFIG_HOME is invalid: fall back. */
        if (r >= 0 && env->xdg_config_home && env->xdg_config_home[0] == '/')
                r = mc_strv_push(&dirs, &n, path_join(env->xdg_config_home, "memcage/profiles"));
        else if (r >= 0 && env->home && env->home[0] != '\0')
                r = mc_strv_push(&dirs, &n, path_join(env->home, ".config/memcage/profiles"));
        if (r >= 0)
                r = mc_strv_push(
                        &dirs, &n,
                        path_join(env->sysconfdir ? env->sysconfdir : SYSCONFDIR, "memcage/profiles"));
        /* Last, so that the administrator's file of the same name overrides the shipped one. */
        if (r >= 0)
                r = mc_strv_push(&dirs, &n,
                                 path_join(env->pkgdatadir ? env->pkgdatadir : PKGDATADIR, "profiles"));
        if (r < 0)
                return mc_error_errno(err, ENOMEM, "list profile directories");
        *ret = TAKE_PTR(dirs);
        return 0;
}

int mc_profile_find(const char *name, const struct mc_profile_env *env, char **ret_path,
                    struct mc_error *err)
{
        if (strchr(name, '/')) {
                char *p = strdup(name);
                if (!p)
                        return mc_error_errno(err, ENOMEM, "find profile '%s'", name);
                *ret_path = p;
                return 0;
        }
        if (!mc_profile_name_is_valid(name))
                return mc_error_set(err, EINVAL, "invalid profile name '%s': " MC_PROFILE_NAME_FORMS, name);

        _cleanup_strv_free_ char **dirs = NULL;
        int r = mc_profile_search_dirs(env, &dirs, err);
        if (r < 0)
                return r;

        char looked[MC_ERROR_MSG_MAX] = "";
        size_t used = 0;
        for (char **d = dirs; *d; d++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s.ini", *d, name) < 0)
                        return mc_error_errno(err, ENOMEM, "find profile '%s'", name);
                /* lstat(): a dangling symlink still shadows later directories, and loading says why
                 * it fails. */
                struct stat st;
                if (lstat(p, &st) == 0) {
                        *ret_path = TAKE_PTR(p);
                        return 0;
                }
                /* Missing directories are normal: most users have no profiles of their own. */
                if (errno != ENOENT && errno != ENOTDIR)
                        return mc_error_errno(err, errno, "cannot look for profile '%s' in %s", name, *d);
                if (used < sizeof(looked)) {
                        int k = snprintf(looked + used, sizeof(looked) - used, "%s%s", used > 0 ? ", " : "",
                                         *d);
                        if (k > 0)
                                used += (size_t)k;
                }
        }
        return mc_error_set(err, ENOENT, "profile '%s' not found: no %s.ini in %s", name, name, looked);
}

char *mc_profile_stem(const char *name)
{
        if (!name)
                return strdup("run");
        const char *slash = strrchr(name, '/');
        const char *base = slash ? slash + 1 : name;
        size_t len = strlen(base);
        if (len > 4 && streq(base + len - 4, ".ini"))
                len -= 4;
        return strndup(base, len);
}
