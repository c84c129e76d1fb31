#!/bin/bash
# The sampler on an anonymous-memory workload (hog 64 MiB, held 1 s, then the
# peak read back from inside the group): memory.peak as the group had it, the
# breakdown and the processes at the peak, equal-length timeline columns at
# 100 ms, the group's CPU time, the swap peak.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"

r="$tmpdir/r.json"
# The command reads its own group's memory.peak while the group still exists,
# then makes major faults on purpose (python3's pages, read again over 9p after
# the page cache was dropped) and reads the group's pgmajfault count.
run_memcage run --name t45 --report "$r" -- sh -c '
        "$HOG" 64 1 || exit
        g=/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)
        [ ! -e "$g/memory.peak" ] || cat "$g/memory.peak" > "$0" || exit
        echo 3 > /proc/sys/vm/drop_caches && python3 -c "" || exit
        awk "\$1 == \"pgmajfault\" { print \$2 }" "$g/memory.stat" > "$1"' "$tmpdir/peak" "$tmpdir/majflt"
assert_eq "$rc" 0 "exit status ($err)"
assert_report_valid "$r"

if [ -e "$cg_root/memcage/memory.peak" ]; then
        [ -s "$tmpdir/peak" ] || fail "the command could not read its group's memory.peak"
        assert_eq "$(jq .memory.peak "$r")" "$(cat "$tmpdir/peak")" "report memory.peak vs the group's"
fi

MB=$((1 << 20))
b=$(jq -c .memory.breakdown "$r")
[ "$b" != null ] || fail "no breakdown in the report"
anon=$(jq .memory.breakdown.anon "$r")
file=$(jq .memory.breakdown.file "$r")
assert_ge "$anon" $((60 * MB)) "breakdown anon ($b)"
[ "$anon" -gt "$file" ] || fail "breakdown anon $anon not above file $file"
assert_ge "$(jq .memory.breakdown.current "$r")" "$anon" "breakdown current"
assert_le "$(jq .memory.breakdown.shmem "$r")" $((4 * MB)) "breakdown shmem"

procs=$(jq -c '.processes.top' "$r")
assert_eq "$(jq -r '.processes.top[0].name' "$r")" hog "largest process ($procs)"
assert_ge "$(jq '.processes.top[0].pss' "$r")" $((60 * MB)) "hog's pss"
assert_ge "$(jq '.processes.top[0].rss' "$r")" "$(jq '.processes.top[0].pss' "$r")" "hog's rss >= pss"
assert_ge "$(jq '.processes.top[0].uss' "$r")" $((60 * MB)) "hog's uss"
# Sorted by PSS, largest first.
assert_eq "$(jq '[.processes.top[].pss] | . == (sort | reverse)' "$r")" true "processes sorted by pss"

assert_eq "$(jq .timeline.interval_s "$r")" 0.1 "timeline interval"
n=$(jq '.timeline.t | length' "$r")
assert_ge "$n" 10 "timeline points"
for col in memory_current some_avg10 full_avg10; do
        assert_eq "$(jq ".timeline.$col | length" "$r")" "$n" "length of timeline.$col"
done
if [ -e "$cg_root/memcage/memory.swap.current" ]; then
        assert_eq "$(jq '.timeline.swap_current | length' "$r")" "$n" "length of timeline.swap_current"
fi
for col in $(jq -r '.timeline.hugetlb_current // {} | keys[]' "$r"); do
        assert_eq "$(jq ".timeline.hugetlb_current[\"$col\"] | length" "$r")" "$n" "length of timeline.hugetlb_current.$col"
        assert_eq "$(jq ".timeline.hugetlb_current[\"$col\"] | max" "$r")" 0 "hugetlb_current.$col of hog"
done
if [ -e "$cg_root/memcage/hugetlb.2MB.current" ]; then
        assert_eq "$(jq '.timeline.hugetlb_current | has("2MB")' "$r")" true "timeline.hugetlb_current has 2MB"
fi
# Times rise.
assert_eq "$(jq '.timeline.t | . == sort' "$r")" true "timeline t sorted"
assert_ge "$(jq '.timeline.memory_current | max' "$r")" $((60 * MB)) "timeline memory_current max"
assert_le "$(jq '.timeline.memory_current | max' "$r")" "$(jq .memory.peak "$r")" "timeline max vs peak"

assert_eq "$(jq '.cpu.user_s + .cpu.system_s > 0' "$r")" true "cpu time ($(jq -c .cpu "$r"))"
# The increase over the run covers at least the major faults the group counted
# by the time python3 had run (the group started at 0), and there were some.
[ -s "$tmpdir/majflt" ] || fail "the command could not read its group's pgmajfault"
majflt=$(cat "$tmpdir/majflt")
assert_ge "$majflt" 1 "major faults counted by the group after dropping the page cache"
assert_ge "$(jq .memory.pgmajfault "$r")" "$majflt" "report pgmajfault vs the group's memory.stat"
if [ -e "$cg_root/memcage/memory.swap.peak" ]; then
        assert_eq "$(jq -r .memory.swap_peak_source "$r")" kernel "swap_peak_source"
elif [ -e "$cg_root/memcage/memory.swap.current" ]; then
        assert_eq "$(jq -r .memory.swap_peak_source "$r")" sampled "swap_peak_source"
fi
if [ -e "$cg_root/memcage/memory.pressure" ]; then
        assert_eq "$(jq '.pressure.some_avg10_max >= 0 and .pressure.full_avg10_max >= 0' "$r")" true \
                "pressure maxima"
fi
[ ! -e "$cg_root/memcage/t45" ] || fail "group left behind"
