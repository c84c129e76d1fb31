#!/bin/bash
# --interval 0 switches the sampler off (timeline, breakdown, processes and
# the PSI maxima are null, the start/end readings stay); [report] interval of
# a profile sets it, --interval wins; the swap peak comes from
# memory.swap.peak where the kernel has it, else from the samples.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"

r="$tmpdir/r.json"
run_memcage run --name t48 --interval 0 --report "$r" -- "$HOG" 16
assert_eq "$rc" 0 "exit status ($err)"
for f in .timeline .memory.breakdown .processes .pressure.some_avg10_max .pressure.full_avg10_max; do
        assert_eq "$(jq -c "$f" "$r")" null "$f with --interval 0"
done
assert_ge "$(jq .memory.peak "$r")" $((16 << 20)) "memory.peak with --interval 0"
assert_eq "$(jq '.cpu.user_s + .cpu.system_s > 0' "$r")" true "cpu with --interval 0"
assert_ge "$(jq .memory.pgmajfault "$r")" 0 "pgmajfault with --interval 0"

# A command shorter than the interval still has a sample at its start and one at its exit.
run_memcage run --name t48 --interval 1s --report "$r" -- true
assert_eq "$rc" 0 "exit status ($err)"
assert_ge "$(jq '.timeline.t | length' "$r")" 2 "timeline points of a short command"
assert_eq "$(jq '.timeline.t | .[0] < .[1]' "$r")" true "start and exit samples in order"

run_memcage run --name t48 --interval 5x -- true
assert_eq "$rc" 125 "exit status of a bad --interval"
assert_contains "$err" "--interval: invalid interval '5x'" "bad --interval message"

printf '[report]\ninterval = 250ms\n' >"$tmpdir/slow.ini"
run_memcage run --name t48 -p "$tmpdir/slow.ini" --report "$r" -- sleep 1
assert_eq "$rc" 0 "exit status ($err)"
assert_eq "$(jq .timeline.interval_s "$r")" 0.25 "interval from the profile"
run_memcage run --name t48 -p "$tmpdir/slow.ini" --interval 0.5s --report "$r" -- true
assert_eq "$(jq .timeline.interval_s "$r")" 0.5 "--interval over the profile"

[ -e "$cg_root/memcage/memory.swap.current" ] || skip "no swap accounting"
grep -q . <(tail -n +2 /proc/swaps) || skip "no swap"
# 64M under a 24M limit with swap allowed: the rest goes to swap and is held for a second.
run_memcage run --name t48 --max 24M --swap max --report "$r" -- "$HOG" 64 1
assert_eq "$rc" 0 "exit status of the swapping run ($err)"
peak=$(jq .memory.swap_peak "$r")
assert_ge "$peak" $((32 << 20)) "memory.swap_peak"
if [ -e "$cg_root/memcage/memory.swap.peak" ]; then
        assert_eq "$(jq -r .memory.swap_peak_source "$r")" kernel "swap_peak_source with memory.swap.peak"
else
        assert_eq "$(jq -r .memory.swap_peak_source "$r")" sampled "swap_peak_source without memory.swap.peak"
        assert_eq "$(jq '.timeline.swap_current | max' "$r")" "$peak" "sampled swap peak vs timeline"
fi
assert_ge "$(jq '.timeline.swap_current | max' "$r")" $((32 << 20)) "timeline swap_current max"
[ ! -e "$cg_root/memcage/t48" ] || fail "group left behind"
