#!/bin/bash
# [hugetlb] limits: 2MB.max and 2MB.rsvd.max are written to the group (rsvd.max
# rounded down to whole pages, with a notice), hugetlb is enabled along the
# path, the report reads them back; a page within the limits is usable; a
# page size the host lacks stops the run before anything is created.
. "$(dirname "$0")/lib.sh"

HT=${MEMCAGE_BUILDDIR:-$(dirname -- "$MEMCAGE")}/tests/hugetlb-test
require_file /sys/kernel/mm/hugepages/hugepages-2048kB
grep -qw hugetlb "$cg_root/cgroup.controllers" || skip "no hugetlb controller in $cg_root"

cat >"$tmpdir/p.ini" <<'INI'
[hugetlb]
2MB.max = 2M
2MB.rsvd.max = 5M
INI
g=$cg_root/memcage/ht70
run_memcage run -p "$tmpdir/p.ini" --name ht70 --report "$tmpdir/r.json" -- \
        sh -c "cat $g/hugetlb.2MB.max $g/hugetlb.2MB.rsvd.max; grep -c hugetlb $cg_root/memcage/cgroup.subtree_control; $HT 1 1"
assert_eq "$rc" 0 "exit status"
assert_eq "$(printf '%s\n' "$out" | sed -n 1p)" 2097152 "hugetlb.2MB.max in the group"
assert_eq "$(printf '%s\n' "$out" | sed -n 2p)" 4194304 "hugetlb.2MB.rsvd.max in the group (5M rounded down)"
assert_eq "$(printf '%s\n' "$out" | sed -n 3p)" 1 "hugetlb in the parent's cgroup.subtree_control"
assert_contains "$out" "touched 1 pages" "a page within the limits"
assert_contains "$err" "hugetlb.2MB.rsvd.max = 5M is not a whole number of 2M pages: using 4M" "rounding notice"
assert_contains "$err" "hugetlb.2MB.max=2M" "limits line"

r=$tmpdir/r.json
assert_report_valid "$r"
assert_eq "$(jq -r '.limits["hugetlb.2MB.max"]' "$r")" 2097152 "report limits hugetlb.2MB.max"
assert_eq "$(jq -r '.limits["hugetlb.2MB.rsvd.max"]' "$r")" 4194304 "report limits hugetlb.2MB.rsvd.max"
assert_eq "$(jq -r '.hugetlb["2MB"].max' "$r")" 2097152 "report hugetlb.2MB.max"
assert_eq "$(jq -r '.hugetlb["2MB"]["rsvd.max"]' "$r")" 4194304 "report hugetlb.2MB.rsvd.max"
assert_eq "$(jq -r '.hugetlb["2MB"].current' "$r")" 0 "report hugetlb.2MB.current after the run"
assert_eq "$(jq -r '.hugetlb["2MB"].rsvd_current' "$r")" 0 "report hugetlb.2MB.rsvd_current after the run"
# The page was held for a second: the sampler (10 Hz) saw it.
assert_eq "$(jq -r '.hugetlb["2MB"].peak' "$r")" 2097152 "report hugetlb.2MB.peak (sampled)"
assert_eq "$(jq -r '.hugetlb["2MB"].events_max' "$r")" 0 "report hugetlb.2MB.events_max"
assert_eq "$(jq -r '.hugetlb["2MB"].reserved_pages' "$r")" 0 "report reserved_pages"
assert_eq "$(jq -r '.hugetlb_limit_hit' "$r")" false "report hugetlb_limit_hit"
[ ! -e "$g" ] || fail "group left behind"

# A run without [hugetlb] has no hugetlb object.
run_memcage run --name ht70b --report "$tmpdir/r2.json" -- true
assert_eq "$rc" 0 "plain run"
assert_eq "$(jq -r '.hugetlb' "$tmpdir/r2.json")" null "report hugetlb without [hugetlb]"
assert_report_valid "$tmpdir/r2.json"

# A size this host does not have: exit 125 naming the sizes it has.
missing=
for s in 64KB 16MB 32MB 512MB 1GB; do
        case $s in
        *KB) kb=${s%KB} ;;
        *MB) kb=$(( ${s%MB} * 1024 )) ;;
        *GB) kb=$(( ${s%GB} * 1024 * 1024 )) ;;
        esac
        [ -e "/sys/kernel/mm/hugepages/hugepages-${kb}kB" ] || { missing=$s; break; }
done
[ -n "$missing" ] || skip "this host has every huge page size memcage knows"
run_memcage run --name ht70c --set "hugetlb.$missing.max=1G" -- true
assert_eq "$rc" 125 "exit status with a missing page size"
assert_contains "$err" "this host has no $missing huge pages; /sys/kernel/mm/hugepages offers: 2MB" "message"
[ ! -e "$cg_root/memcage/ht70c" ] || fail "group created for a missing page size"
