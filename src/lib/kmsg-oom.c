/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg-oom.h"
#include "util.h"

/* True when path (up to a ',' or the end) is group or below it. */
static bool path_within(const char *path, const char *group)
{
        size_t n = strlen(group);
        return strncmp(path, group, n) == 0 &&
               (path[n] == ',' || path[n] == '/' || path[n] == '\0' || path[n] == ' ' || path[n] == '\n');
}

const char *mc_oom_cause_name(enum mc_oom_cause c)
{
        switch (c) {
        case MC_OOM_CAUSE_GROUP_LIMIT:
                return "group-limit";
        case MC_OOM_CAUSE_SYSTEM:
                return "system";
        case MC_OOM_CAUSE_NONE:
                break;
        }
        return NULL;
}

int mc_kmsg_parse_oom(const char *record, const char *group, bool *ours, enum mc_oom_cause *cause,
                      struct mc_oom_kill *ret)
{
        const char *msg = strchr(record, ';');
        if (!msg)
                return 0;
        msg++;
        const char *eol = strchrnul(msg, '\n');
        _cleanup_free_ char *m = strndup(msg, (size_t)(eol - msg));
        if (!m)
                return -ENOMEM;

        /* The one-line summary of an OOM (dump_header(), mm/oom_kill.c); rate limited by the kernel. */
        if (strncmp(m, "oom-kill:", 9) == 0) {
                const char *task = strstr(m, ",task_memcg=");
                const char *memcg = strstr(m, ",oom_memcg=");
                *ours = task && path_within(task + strlen(",task_memcg="), group);
                if (*ours)
                        *cause = memcg && path_within(memcg + strlen(",oom_memcg="), group)
                                         ? MC_OOM_CAUSE_GROUP_LIMIT
                                         : MC_OOM_CAUSE_SYSTEM;
                return 0;
        }
        /* memory.oom.group: mem_cgroup_print_oom_group() before the members are killed. */
        const char *tasks = "Tasks in ";
        if (strncmp(m, tasks, strlen(tasks)) == 0 && strstr(m, " are going to be killed")) {
                if (path_within(m + strlen(tasks), group)) {
                        if (!*ours)
                                *cause = MC_OOM_CAUSE_GROUP_LIMIT;
                        *ours = true;
                }
                return 0;
        }
        /* __oom_kill_process(): one line per kill, the same calls that count oom_kill. */
        const char *k = strstr(m, "Killed process ");
        if (!k || !*ours)
                return 0;
        char *end;
        long pid = strtol(k + strlen("Killed process "), &end, 10);
        if (pid <= 0 || strncmp(end, " (", 2) != 0)
                return 0;
        const char *name = end + 2;
        /* A name may hold ")": the fields after it start with ") total-vm:". */
        const char *close = strstr(name, ") total-vm:");
        if (!close)
                close = strrchr(name, ')');
        if (!close)
                return 0;
        struct mc_oom_kill v = { .pid = (pid_t)pid, .known = true, .cause = *cause };
        snprintf(v.name, sizeof(v.name), "%.*s", (int)(close - name), name);
        *ret = v;
        return 1;
}
