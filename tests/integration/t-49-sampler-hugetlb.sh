#!/bin/bash
# Where the group has the hugetlb controller, the timeline has a
# hugetlb_current column per page size: 8 MiB of 2 MB pages held for a second.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"
require_file /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages
grep -qw hugetlb "$cg_root/cgroup.controllers" || skip "no hugetlb controller"
[ "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)" -ge 4 ] || skip "fewer than 4 free 2 MB pages"
command -v python3 >/dev/null || skip "no python3"

# A parent of our own that hands out memory and hugetlb (memcage's default parent may not).
grep -qw hugetlb "$cg_root/cgroup.subtree_control" || echo +hugetlb >"$cg_root/cgroup.subtree_control"
grep -qw memory "$cg_root/cgroup.subtree_control" || echo +memory >"$cg_root/cgroup.subtree_control"
parent=$cg_root/memcage-t49
mkdir "$parent"
on_exit "rmdir '$parent'"
echo "+memory +hugetlb" >"$parent/cgroup.subtree_control"

r="$tmpdir/r.json"
# MAP_HUGETLB is 0x40000 on x86 and arm64.
run_memcage run --parent memcage-t49 --name t49 --report "$r" -- python3 -c '
import mmap, time
m = mmap.mmap(-1, 8 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | 0x40000)
m.write(b"x" * (8 << 20))
time.sleep(1)'
assert_eq "$rc" 0 "exit status ($err)"

n=$(jq '.timeline.t | length' "$r")
assert_ge "$n" 5 "timeline points"
assert_eq "$(jq '.timeline.hugetlb_current["2MB"] | length' "$r")" "$n" "length of hugetlb_current.2MB"
assert_ge "$(jq '.timeline.hugetlb_current["2MB"] | max' "$r")" $((8 << 20)) "hugetlb_current.2MB max"
# At the end the pages are released: the last sample, at the command's exit, shows none.
assert_eq "$(jq '.timeline.hugetlb_current["2MB"] | last' "$r")" 0 "hugetlb_current.2MB at exit"
[ ! -e "$parent/t49" ] || fail "group left behind"
