#!/bin/bash
# The breakdown tells tmpfs (shmem) apart from anonymous memory and page
# cache: 64 MiB written to a tmpfs file by a process of the group.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"

shm=/dev/shm
if [ "$(stat -f -c %T "$shm" 2>/dev/null)" != tmpfs ]; then
        shm=$tmpdir/shm
        mkdir "$shm"
        mount -t tmpfs -o size=100M none "$shm" || skip "no tmpfs to write to"
        on_exit "umount '$shm'"
fi
f=$shm/memcage-t46
on_exit "rm -f '$f'"

r="$tmpdir/r.json"
run_memcage run --name t46 --report "$r" -- sh -c 'dd if=/dev/zero of="$0" bs=1M count=64 status=none && sleep 2' "$f"
assert_eq "$rc" 0 "exit status ($err)"

MB=$((1 << 20))
b=$(jq -c .memory.breakdown "$r")
[ "$b" != null ] || fail "no breakdown in the report"
assert_ge "$(jq .memory.breakdown.shmem "$r")" $((60 * MB)) "breakdown shmem ($b)"
assert_le "$(jq .memory.breakdown.anon "$r")" $((8 * MB)) "breakdown anon ($b)"
assert_le "$(jq .memory.breakdown.file "$r")" $((8 * MB)) "breakdown file, without shmem ($b)"
assert_ge "$(jq .memory.breakdown.current "$r")" $((60 * MB)) "breakdown current ($b)"
# The file outlives its writer: none of the group's processes maps it.
assert_le "$(jq '[.processes.top[].pss] | max // 0' "$r")" $((8 * MB)) "largest pss"
assert_ge "$(jq '.timeline.memory_current | max' "$r")" $((60 * MB)) "timeline memory_current max"
[ ! -e "$cg_root/memcage/t46" ] || fail "group left behind"
