#!/bin/bash
# timeout: 900
# memcage size on a real program whose authors document its memory use: xz
# compressing at preset -3, single-threaded, which xz(1) lists at 32 MiB
# (CompMem), without swap. The answer lies between 90% and 125% of the
# program's own memory.peak (a plain run) and of the documented 32 MiB, and
# xz succeeds at it with no OOM kill. The input is made before the runs, on
# the guest's tmpfs, so that it is charged to no run; xz's own files are read
# once before the plain run that gives the peak, as the runs of memcage size
# after its first find them in the page cache (a first run's peak counts
# them: 8 MiB more over 9p).
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"
command -v xz >/dev/null || skip "no xz"

MB=$((1 << 20))
documented=$((32 * MB))
printf '[memory]\nswap.max = 0\n' >"$tmpdir/noswap.ini"
seq 1 1200000 >"$tmpdir/in"
job=(xz -T1 -3 -c "$tmpdir/in")

run_memcage run -p "$tmpdir/noswap.ini" --name t82-warm -- sh -c '"$@" >/dev/null' xz "${job[@]}"
assert_eq "$rc" 0 "warm-up run ($err)"
start=$(date +%s.%N)
run_memcage run -p "$tmpdir/noswap.ini" --name t82-plain --report "$tmpdir/plain.json" -- sh -c '"$@" >/dev/null' xz "${job[@]}"
plain_s=$(echo "$(date +%s.%N) - $start" | bc)
assert_eq "$rc" 0 "plain run ($err)"
peak=$(jq .memory.peak "$tmpdir/plain.json")

start=$(date +%s.%N)
run_memcage size -p "$tmpdir/noswap.ini" --slowdown 25 --json "$tmpdir/size.json" -- sh -c '"$@" >/dev/null' xz "${job[@]}"
size_s=$(echo "$(date +%s.%N) - $start" | bc)
assert_eq "$rc" 0 "memcage size ($err)"
printf '%s\n%s\n' "$out" "$err" | sed 's/^/# /'
assert_size_found "$tmpdir/size.json" "$out"
max=$(jq .recommendation.max "$tmpdir/size.json")
high=$(jq .recommendation.high "$tmpdir/size.json")
runs=$(jq '.runs | length' "$tmpdir/size.json")
echo "# xz -3: peak $((peak / 1024)) KiB, documented $((documented / 1024)) KiB, recommended max $((max / 1024)) KiB" \
        "high $((high / 1024)) KiB; $runs runs in $size_s s, $(echo "scale=1; $size_s / $plain_s" | bc) times one plain run ($plain_s s)"
assert_ge "$max" $((peak * 9 / 10)) "recommended max vs 90% of xz's peak"
assert_le "$max" $((peak * 125 / 100)) "recommended max vs 125% of xz's peak"
assert_ge "$max" $((documented * 9 / 10)) "recommended max vs 90% of the documented 32 MiB"
assert_le "$max" $((documented * 125 / 100)) "recommended max vs 125% of the documented 32 MiB"

run_memcage run -p "$tmpdir/noswap.ini" --max "$max" --high "$high" --name t82-at --report "$tmpdir/at.json" \
        -- sh -c '"$@" >/dev/null' xz "${job[@]}"
assert_eq "$rc" 0 "xz at the recommended limits ($err)"
assert_eq "$(jq '.oom_kills | length' "$tmpdir/at.json")" 0 "OOM kills at the recommended limits"
