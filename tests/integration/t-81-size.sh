#!/bin/bash
# timeout: 900
# memcage size against jobs whose need is known, without swap (swap.max 0):
#   - hog 100 MiB held 1 s: the answer is checked against the job's own
#     memory.peak (a plain run): the job passes at the recommended max with no
#     OOM kill, through the profile --profile-out wrote (which inherits the one
#     given: its swap.max 0 read back from the group); the answer is at most
#     20% + 8 MiB above that peak; 20% below it the job is OOM-killed.
#   - 64 MiB of page cache read from an ext4 file, then hog 60 MiB: the peak
#     counts the cache, the need does not; the bisection finds an answer below
#     the peak and above the anonymous part, with probes that failed by OOM.
# Both at --slowdown 25 (two plain runs of a few seconds differ by 20% and more
# under the emulator) and within 8 runs; the runs and the time (as a multiple
# of one plain run) are printed, and --json validates against
# docs/size-schema.json.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"

MB=$((1 << 20))
printf '[memory]\nswap.max = 0\n' >"$tmpdir/noswap.ini"

# --- 1: 100 MiB of anonymous memory -----------------------------------------
job=("$HOG" 100 1)
start=$(date +%s.%N)
run_memcage run -p "$tmpdir/noswap.ini" --name t81-plain --report "$tmpdir/plain.json" -- "${job[@]}"
plain_s=$(echo "$(date +%s.%N) - $start" | bc)
assert_eq "$rc" 0 "plain run ($err)"
peak=$(jq .memory.peak "$tmpdir/plain.json")
assert_ge "$peak" $((100 * MB)) "the job's memory.peak"

start=$(date +%s.%N)
run_memcage size -p "$tmpdir/noswap.ini" --slowdown 25 --json "$tmpdir/size.json" --profile-out "$tmpdir/sized.ini" \
        -- "${job[@]}"
size_s=$(echo "$(date +%s.%N) - $start" | bc)
assert_eq "$rc" 0 "memcage size ($err)"
printf '%s\n%s\n' "$out" "$err" | sed 's/^/# /'
assert_size_found "$tmpdir/size.json" "$out"
max=$(jq .recommendation.max "$tmpdir/size.json")
high=$(jq .recommendation.high "$tmpdir/size.json")
runs=$(jq '.runs | length' "$tmpdir/size.json")
echo "# hog 100: peak $((peak / 1024)) KiB, recommended max $((max / 1024)) KiB high $((high / 1024)) KiB;" \
        "$runs runs in $size_s s, $(echo "scale=1; $size_s / $plain_s" | bc) times one plain run ($plain_s s)"
assert_contains "$out" "recommended: max=" "the answer line"
assert_contains "$err" "runs in" "the total time"
assert_ge "$max" "$peak" "recommended max vs the job's peak (no swap: it needs all of it)"
assert_le "$max" $((peak * 12 / 10 + 8 * MB)) "recommended max vs 120% of the peak + 8 MiB"
assert_le "$high" "$max" "high below max"
assert_eq "$(jq '.baseline.peak >= 100 * 1048576' "$tmpdir/size.json")" true "the baselines' peak"
assert_ge "$(jq '[.runs[] | select(.role == "baseline")] | length' "$tmpdir/size.json")" 2 "baselines"
assert_le "$(jq '[.runs[] | select(.role == "baseline")] | length' "$tmpdir/size.json")" 3 "baselines"
grep -q "^max = " "$tmpdir/sized.ini" || fail "--profile-out has no max: $(cat "$tmpdir/sized.ini")"
grep -q "^inherit = $tmpdir/noswap.ini\$" "$tmpdir/sized.ini" ||
        fail "--profile-out does not inherit the profile: $(cat "$tmpdir/sized.ini")"

# The job at the answer, through the profile written: no OOM kill, the limits as recommended.
run_memcage run -p "$tmpdir/sized.ini" --name t81-at --report "$tmpdir/at.json" -- "${job[@]}"
assert_eq "$rc" 0 "the job at the recommended limits ($err)"
assert_eq "$(jq '.oom_kills | length' "$tmpdir/at.json")" 0 "OOM kills at the recommended limits"
assert_eq "$(jq .limits.max "$tmpdir/at.json")" "$max" "memory.max read back"
assert_eq "$(jq .limits.high "$tmpdir/at.json")" "$high" "memory.high read back"
assert_eq "$(jq '.limits["swap.max"]' "$tmpdir/at.json")" 0 "swap.max inherited from the profile given"

# 20% below: OOM-killed.
below=$((max * 8 / 10))
run_memcage run -p "$tmpdir/noswap.ini" --max "$below" --name t81-below --report "$tmpdir/below.json" -- "${job[@]}"
assert_eq "$rc" 137 "the job 20% below the recommendation ($err)"
assert_ge "$(jq '.oom_kills | length' "$tmpdir/below.json")" 1 "OOM kills 20% below the recommendation"

# --- 2: page cache, then 60 MiB of anonymous memory ---------------------------
make_ext4_file 64
mnt=$tmpdir/mnt
# Each run drops the cache first, so that each reads (and is charged for) the file.
job=(sh -c 'echo 1 >/proc/sys/vm/drop_caches && cat "$0" >/dev/null && exec "$1" 60 1' "$mnt/f" "$HOG")
start=$(date +%s.%N)
run_memcage run -p "$tmpdir/noswap.ini" --name t81-plain2 --report "$tmpdir/plain2.json" -- "${job[@]}"
plain_s=$(echo "$(date +%s.%N) - $start" | bc)
assert_eq "$rc" 0 "plain run ($err)"
peak=$(jq .memory.peak "$tmpdir/plain2.json")
assert_ge "$peak" $((110 * MB)) "the job's memory.peak counts the page cache"

start=$(date +%s.%N)
run_memcage size -p "$tmpdir/noswap.ini" --slowdown 25 --json "$tmpdir/size2.json" -- "${job[@]}"
size_s=$(echo "$(date +%s.%N) - $start" | bc)
assert_eq "$rc" 0 "memcage size ($err)"
printf '%s\n%s\n' "$out" "$err" | sed 's/^/# /'
assert_size_found "$tmpdir/size2.json" "$out"
max=$(jq .recommendation.max "$tmpdir/size2.json")
runs=$(jq '.runs | length' "$tmpdir/size2.json")
echo "# cache 64 + hog 60: peak $((peak / 1024)) KiB, recommended max $((max / 1024)) KiB;" \
        "$runs runs in $size_s s, $(echo "scale=1; $size_s / $plain_s" | bc) times one plain run ($plain_s s)"
assert_ge "$max" $((60 * MB)) "recommended max vs the anonymous part"
assert_le "$max" $((peak - 16 * MB)) "recommended max below the peak (the cache is not needed)"
assert_ge "$(jq '[.runs[] | select(.role == "probe")] | length' "$tmpdir/size2.json")" 1 "probes"
run_memcage run -p "$tmpdir/noswap.ini" --max "$max" --high "$(jq .recommendation.high "$tmpdir/size2.json")" \
        --name t81-at2 --report "$tmpdir/at2.json" -- "${job[@]}"
assert_eq "$rc" 0 "the job at the recommended limits ($err)"
assert_eq "$(jq '.oom_kills | length' "$tmpdir/at2.json")" 0 "OOM kills at the recommended limits"
run_memcage run -p "$tmpdir/noswap.ini" --max $((max * 8 / 10)) --name t81-below2 -- "${job[@]}"
assert_eq "$rc" 137 "the job 20% below the recommendation ($err)"
