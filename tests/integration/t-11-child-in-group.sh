#!/bin/bash
# The command runs inside its group from its first instruction, on both
# launch paths: clone3(CLONE_INTO_CGROUP) and the fork + cgroup.procs fallback.
. "$(dirname "$0")/lib.sh"

for method in clone3 fork; do
        spawn=auto
        [ "$method" = fork ] && spawn=fork
        MEMCAGE_SPAWN=$spawn run_memcage run --name "in-$method" --max 64M --report "$tmpdir/$method.json" -- cat /proc/self/cgroup
        assert_eq "$rc" 0 "$method: exit status"
        assert_eq "$out" "0::/memcage/in-$method" "$method: /proc/self/cgroup of the command"
        assert_eq "$(jq -r .launch "$tmpdir/$method.json")" "$method" "$method: launch path in the report"
        assert_eq "$(jq -r .cgroup "$tmpdir/$method.json")" "memcage/in-$method" "$method: cgroup in the report"
        [ ! -e "$cg_root/memcage/in-$method" ] || fail "$method: group left behind"
done

# --fork does what MEMCAGE_SPAWN=fork does.
run_memcage run --fork --name in-opt --report "$tmpdir/opt.json" -- cat /proc/self/cgroup
assert_eq "$out" "0::/memcage/in-opt" "--fork: /proc/self/cgroup"
assert_eq "$(jq -r .launch "$tmpdir/opt.json")" "fork" "--fork: launch path"

# The parent holds only groups: no process of the run ever sits in it.
assert_eq "$(cat "$cg_root/memcage/cgroup.procs")" "" "parent cgroup.procs"
assert_contains "$(cat "$cg_root/memcage/cgroup.subtree_control")" "memory" "memory enabled for the parent's children"
