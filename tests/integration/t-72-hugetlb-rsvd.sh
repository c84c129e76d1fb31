#!/bin/bash
# Beyond hugetlb.2MB.rsvd.max the mapping itself fails (mmap and shmget): a
# clean failure the program reports, no SIGBUS. The kernel counts the refused
# charge in the same "max" event as a fault over .max.
. "$(dirname "$0")/lib.sh"

HT=${MEMCAGE_BUILDDIR:-$(dirname -- "$MEMCAGE")}/tests/hugetlb-test
require_file /sys/kernel/mm/hugepages/hugepages-2048kB
grep -qw hugetlb "$cg_root/cgroup.controllers" || skip "no hugetlb controller in $cg_root"

for how in mmap shm; do
        opt=
        [ "$how" = shm ] && opt=--shm
        run_memcage run --name "ht72$how" --set hugetlb.2MB.rsvd.max=2M --report "$tmpdir/$how.json" -- \
                "$HT" $opt 2
        assert_eq "$rc" 1 "$how: exit status of a refused mapping"
        if [ "$how" = mmap ]; then
                assert_contains "$err" "mmap of 2 huge pages failed" "$how: message"
        else
                assert_contains "$err" "shmget of 2 huge pages failed" "$how: message"
        fi
        r=$tmpdir/$how.json
        assert_eq "$(jq -r .exit.code "$r")" 1 "$how: report exit.code"
        assert_eq "$(jq -r .exit.signal "$r")" null "$how: report exit.signal"
        assert_eq "$(jq -r '.limits["hugetlb.2MB.rsvd.max"]' "$r")" 2097152 "$how: report limits"
        assert_ge "$(jq -r '.hugetlb["2MB"].events_max' "$r")" 1 "$how: report events_max"
        assert_eq "$(jq -r '.hugetlb_limit_hit' "$r")" true "$how: report hugetlb_limit_hit"
        [ ! -e "$cg_root/memcage/ht72$how" ] || fail "$how: group left behind"
done

# Within the reservation limit the same program works.
run_memcage run --name ht72ok --set hugetlb.2MB.rsvd.max=4M -- "$HT" --shm 2
assert_eq "$rc" 0 "exit status within rsvd.max"
assert_contains "$out" "touched 2 pages" "output within rsvd.max"
