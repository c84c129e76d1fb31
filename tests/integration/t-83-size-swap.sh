#!/bin/bash
# timeout: 1200
# memcage size on a job with swap and a cold part larger than its working
# set: hog writes 128 MiB once (cold), then writes each page of 32 MiB more
# (hot) 4000 times. Its memory.peak counts both; under a limit the cold part
# goes to swap once and costs little, while a limit below the hot part makes
# the job fault its working set in again and again: it waits on memory (PSI
# stall) and runs far slower. With swap allowed (the VM's zram), memcage size
# finds the answer by the slowdown:
#   - the recommended high (and max) lie well below the job's peak (at most
#     60% of it) and at or above its hot part;
#   - at the answer the slowdown is within the 25% asked for: the time the
#     confirming run lost to memory (its stall, from --json) is within 25% of
#     the time it would have taken without the limit, and a run of the job at
#     the answer, judged from its own report against the test's plain run,
#     succeeds with no OOM kill, with the cold part in swap (swap_peak), and
#     lost no more than that.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"
[ "$(awk 'NR > 1' /proc/swaps | wc -l)" -gt 0 ] || skip "no swap"

MB=$((1 << 20))
job=("$HOG" 128 4000 hot 32)

start=$(date +%s.%N)
run_memcage run --name t83-plain --report "$tmpdir/plain.json" -- "${job[@]}"
plain_s=$(echo "$(date +%s.%N) - $start" | bc)
assert_eq "$rc" 0 "plain run ($err)"
[ -e "$cg_root/memcage/memory.swap.current" ] || skip "no swap accounting"
peak=$(jq .memory.peak "$tmpdir/plain.json")
assert_ge "$peak" $((160 * MB)) "the job's memory.peak counts the cold and the hot part"

start=$(date +%s.%N)
run_memcage size --slowdown 25 --json "$tmpdir/size.json" -- "${job[@]}"
size_s=$(echo "$(date +%s.%N) - $start" | bc)
printf '%s\n%s\n' "$out" "$err" | sed 's/^/# /'
assert_eq "$rc" 0 "memcage size ($err)"
assert_size_found "$tmpdir/size.json" "$out"
max=$(jq .recommendation.max "$tmpdir/size.json")
high=$(jq .recommendation.high "$tmpdir/size.json")
runs=$(jq '.runs | length' "$tmpdir/size.json")
echo "# cold 128 + hot 32 (x4000): peak $((peak / 1024)) KiB, recommended max $((max / 1024)) KiB high $((high / 1024)) KiB;" \
        "$runs runs in $size_s s, $(echo "scale=1; $size_s / $plain_s" | bc) times one plain run ($plain_s s)"
assert_le "$high" $((peak * 6 / 10)) "recommended high vs 60% of the peak"
assert_le "$max" $((peak * 6 / 10)) "recommended max vs 60% of the peak"
assert_ge "$high" $((32 * MB)) "recommended high vs the hot part"
# The slowdown measured at the answer: the time the confirming run lost to memory (its stall beyond
# the plain runs') against 25% of what it would have taken without the limit (the reference, or
# its own time less the loss when longer: the host's load varies between runs), as memcage judged.
[ "$(jq .baseline.stall_some_us "$tmpdir/size.json")" != null ] || fail "no stall in --json (no memory.pressure?)"
lost=$(jq '(.runs[-1].stall_some_us - .baseline.stall_some_us) / 1000000' "$tmpdir/size.json")
echo "# at the answer: $(jq -r '"\(.runs[-1].duration_s) s against \(.baseline.duration_s) s"' "$tmpdir/size.json"), $lost s lost to memory"
assert_eq "$(jq "$lost <= ([.baseline.duration_s, .runs[-1].duration_s - $lost] | max) * 0.25 + 0.05" \
        "$tmpdir/size.json")" true "the confirming run's stall within 25%"

# The job at the answer, judged from its own report against the test's own plain run: no OOM kill,
# the cold part in swap, and the time lost to memory within 25%, as above.
run_memcage run --max "$max" --high "$high" --name t83-at --report "$tmpdir/at.json" -- "${job[@]}"
assert_eq "$rc" 0 "the job at the recommended limits ($err)"
assert_eq "$(jq '.oom_kills | length' "$tmpdir/at.json")" 0 "OOM kills at the recommended limits"
assert_ge "$(jq .memory.swap_peak "$tmpdir/at.json")" $((64 * MB)) "swap used at the recommended limits"
plain_dur=$(jq .duration_s "$tmpdir/plain.json")
plain_durtall=$(jq .pressure.some_total_us "$tmpdir/plain.json")
echo "# the job at the answer: $(jq -r '"\(.duration_s) s, stall \(.pressure.some_total_us) us"' "$tmpdir/at.json");" \
        "the plain run: $plain_dur s, stall $plain_durtall us"
assert_eq "$(jq "((.pressure.some_total_us - $plain_durtall) / 1000000) as \$l |
        \$l <= ([$plain_dur, .duration_s - \$l] | max) * 0.25 + 0.05" "$tmpdir/at.json")" true \
        "the stall at the answer within 25%"
