#!/bin/bash
# The breakdown's file is page cache: a 64 MiB file of a real filesystem (ext4
# on a loop device, as tmpfs would be shmem) read by a process of the group.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"

make_ext4_file 64
mnt=$tmpdir/mnt
# Out of the page cache, so that the group's read charges it to the group.
echo 1 >/proc/sys/vm/drop_caches

r="$tmpdir/r.json"
run_memcage run --name t47 --report "$r" -- sh -c 'cat "$0" >/dev/null && sleep 1' "$mnt/f"
assert_eq "$rc" 0 "exit status ($err)"

MB=$((1 << 20))
b=$(jq -c .memory.breakdown "$r")
[ "$b" != null ] || fail "no breakdown in the report"
assert_ge "$(jq .memory.breakdown.file "$r")" $((48 * MB)) "breakdown file ($b)"
assert_le "$(jq .memory.breakdown.anon "$r")" $((8 * MB)) "breakdown anon ($b)"
assert_le "$(jq .memory.breakdown.shmem "$r")" $((4 * MB)) "breakdown shmem ($b)"
[ ! -e "$cg_root/memcage/t47" ] || fail "group left behind"
