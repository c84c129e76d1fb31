#!/bin/bash
# A failure of memcage's own spawn machinery is 125, whatever its errno; only
# the exec of the command gives 126 or 127 (t-21-exit-codes checks those).
. "$(dirname "$0")/lib.sh"

# In a cgroup namespace rooted at another group, nsdelegate makes the kernel refuse
# the move into the run's group with ENOENT (clone3 and the cgroup.procs write
# alike), which must not read as "command not found".
if ! command -v unshare >/dev/null || ! grep -qE '^[^ ]+ /sys/fs/cgroup cgroup2 [^ ]*nsdelegate' /proc/mounts; then
        skip "the 125-at-spawn check needs unshare and a cgroup2 mount with nsdelegate"
fi
ns_leaf=$cg_root/t-26-ns
mkdir -p "$ns_leaf"
for method in clone3 fork; do
        rc=0
        # The subshell enters the leaf, so the namespace unshare makes is rooted there.
        (
                echo "$BASHPID" >"$ns_leaf/cgroup.procs"
                if [ "$method" = fork ]; then export MEMCAGE_SPAWN=fork; fi
                exec unshare -C "$MEMCAGE" run -- true
        ) >"$tmpdir/.stdout" 2>"$tmpdir/.stderr" || rc=$?
        err=$(cat -- "$tmpdir/.stderr")
        assert_eq "$rc" 125 "spawn refused by the kernel ($method)"
        assert_contains "$err" "No such file or directory" "the kernel's errno ($method)"
        assert_not_contains "$err" "cannot execute" "not reported as the command's failure ($method)"
done
rmdir "$ns_leaf"
