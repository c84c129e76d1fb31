#!/bin/bash
# A 300M allocation under a 64M limit without swap is OOM-killed: exit 137,
# oom_kill in the report, peak at the limit, and the group removed.
. "$(dirname "$0")/lib.sh"

run_memcage run --name oom --max 64M --swap 0 --report "$tmpdir/r.json" -- "$HOG" 300
assert_eq "$rc" 137 "exit status of an OOM-killed command"
r="$tmpdir/r.json"
assert_report_valid "$r"
assert_eq "$(jq -r .exit.code "$r")" 137 "report exit.code"
assert_eq "$(jq -r .exit.signal "$r")" 9 "report exit.signal"
assert_ge "$(jq -r .events.oom_kill "$r")" 1 "report events.oom_kill"
assert_ge "$(jq -r .events.max "$r")" 1 "report events.max"
assert_eq "$(jq -r .limits.max "$r")" 67108864 "report limits.max"
assert_eq "$(jq -r '.limits["swap.max"]' "$r")" 0 "report limits.swap.max"
# memory.peak came with Linux 5.19: where the kernel has it, the report must have the peak.
if [ -e "$cg_root/memcage/memory.peak" ]; then
        peak=$(jq -r .memory.peak "$r")
        # The group reached its limit before the kill (give or take a few pages of kernel memory).
        assert_ge "$peak" $((60 << 20)) "report memory.peak"
else
        assert_eq "$(jq -r .memory.peak "$r")" null "report memory.peak without memory.peak"
fi
assert_contains "$err" "killed by SIGKILL (exit 137)" "summary line"
assert_contains "$err" "OOM kill" "summary line"
[ ! -e "$cg_root/memcage/oom" ] || fail "group left behind after OOM"
