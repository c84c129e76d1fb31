#!/bin/bash
# Beyond hugetlb.2MB.max the faulting task gets SIGBUS: exit 135, and the
# report counts the hit (events_max, hugetlb_limit_hit) and says hugetlb-limit.
. "$(dirname "$0")/lib.sh"

HT=${MEMCAGE_BUILDDIR:-$(dirname -- "$MEMCAGE")}/tests/hugetlb-test
require_file /sys/kernel/mm/hugepages/hugepages-2048kB
grep -qw hugetlb "$cg_root/cgroup.controllers" || skip "no hugetlb controller in $cg_root"
free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)
[ "$free" -ge 2 ] || skip "fewer than 2 free 2MB huge pages ($free)"

run_memcage run --name ht71 --set hugetlb.2MB.max=2M --report "$tmpdir/r.json" -- "$HT" 2
assert_eq "$rc" 135 "exit status of a command killed by SIGBUS"
r=$tmpdir/r.json
assert_eq "$(jq -r .exit.signal "$r")" 7 "report exit.signal (SIGBUS)"
assert_ge "$(jq -r '.hugetlb["2MB"].events_max' "$r")" 1 "report hugetlb.2MB.events_max"
assert_eq "$(jq -r '.hugetlb_limit_hit' "$r")" true "report hugetlb_limit_hit"
assert_eq "$(jq -r '.verdict.text' "$r")" hugetlb-limit "report verdict"
assert_eq "$(jq -r '.limits["hugetlb.2MB.max"]' "$r")" 2097152 "report limits hugetlb.2MB.max"
assert_contains "$err" "killed by SIGBUS (exit 135)" "summary line"
assert_not_contains "$out" "touched 2 pages" "output"
[ ! -e "$cg_root/memcage/ht71" ] || fail "group left behind"
