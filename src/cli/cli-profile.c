/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The profile lookup every command shares: the same files for run, show, check and profiles. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "size.h"

const char *cli_getenv(const char *name)
{
        bool elevated = getenv("SUDO_UID") || getuid() != geteuid() || getgid() != getegid();
        return elevated ? NULL : getenv(name);
}

void cli_profile_env(struct mc_profile_env *ret)
{
        *ret = (struct mc_profile_env){
                .profile_path = cli_getenv("MEMCAGE_PROFILE_PATH"),
                .xdg_config_home = cli_getenv("XDG_CONFIG_HOME"),
                .home = cli_getenv("HOME"),
                .sysconfdir = SYSCONFDIR,
                .pkgdatadir = PKGDATADIR,
                /* Root puts a profile's values into groups it creates: only root's files count. */
                .check_owner = geteuid() == 0,
                /* For everyone: a profile in a directory others can write is a trap for its user too. */
                .check_trust = true,
                .ram_bytes = mc_host_ram_bytes(),
        };
}
