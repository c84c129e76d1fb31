#!/bin/bash
# Over memory.swap.max: the kernel's swap max/fail counts reach the report's
# swap_events and swap_max lines. Reclaim stops swapping just short of the
# limit (MGLRU 64 pages short, so never over it: switched off for the test),
# so one allocator seldom crosses it; several reclaiming at once race over
# it, though not every time: up to three runs.
# timeout: 120
. "$(dirname "$0")/lib.sh"

grep -q . <(tail -n +2 /proc/swaps) || skip "no swap on this machine"
cat >"$tmpdir/p.ini" <<'INI'
[memory]
max = 32M
swap.max = 8M
INI
r=$tmpdir/r.json ev=$tmpdir/events.jsonl
lru_gen=/sys/kernel/mm/lru_gen/enabled
if [ -w "$lru_gen" ]; then
        saved=$(cat "$lru_gen")
        on_exit "echo $saved >$lru_gen"
        echo n >"$lru_gen"
fi
for attempt in 1 2 3; do
        # The command ends by printing its own group's counters, as the kernel has them.
        # shellcheck disable=SC2016 # expanded by the inner shell
        run_memcage run -p "$tmpdir/p.ini" --name ev43 --events "$ev" --report "$r" -- sh -c '
                for i in 1 2 3; do "$HOG" 20 & done; wait
                cat "/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/memory.swap.events"'
        [ "$(jq -r .swap_events "$r")" != null ] || skip "no memory.swap.events (swap accounting off)"
        kmax=$(awk '$1 == "max" { print $2 }' <<<"$out")
        kfail=$(awk '$1 == "fail" { print $2 }' <<<"$out")
        assert_eq "$(jq -r .swap_events.max "$r")" "$kmax" "swap_events.max vs the kernel's (run $attempt)"
        assert_eq "$(jq -r .swap_events.fail "$r")" "$kfail" "swap_events.fail vs the kernel's (run $attempt)"
        [ "$kmax" -gt 0 ] && break
done
assert_ge "$kmax" 1 "memory.swap.events max after $attempt runs"
assert_eq "$(jq -r '.limits["swap.max"]' "$r")" $((8 << 20)) "limits.swap.max"
assert_eq "$(jq -s '[.[] | select(.type == "swap_max") | .count] | add' "$ev")" "$kmax" "sum of swap_max counts"
assert_eq "$(jq -s '[.[] | select(.type == "swap_fail") | .count] | add' "$ev")" "$kfail" "sum of swap_fail counts"
assert_contains "$err" "memory.swap.max reached" "stderr"
assert_contains "$err" "of max 8M" "stderr"
assert_ge "$(jq -s -r '[.[] | select(.type == "swap_max")][0].swap_current' "$ev")" 1 "swap_current of swap_max"
