#!/bin/bash
# Swap limits in the events and the report: past memory.swap.high the kernel
# counts "high" in memory.swap.events on every charge it throttles, which the
# report's swap_events and the swap_high lines must match exactly. (Crossing
# swap.max itself is a race between reclaimers that reclaim normally stops
# short of, so its counters are checked for equality with the kernel's, not
# for being non-zero.)
# timeout: 120
. "$(dirname "$0")/lib.sh"

grep -q . <(tail -n +2 /proc/swaps) || skip "no swap on this machine"
cat >"$tmpdir/p.ini" <<'INI'
[memory]
max = 32M
swap.high = 1M
swap.max = 16M
INI
r=$tmpdir/r.json ev=$tmpdir/events.jsonl
# 36M under a 32M limit: at least 4M must go to swap, past swap.high,
# well within swap.max. The command ends by printing its own group's
# counters, as the kernel has them.
# shellcheck disable=SC2016 # expanded by the inner shell
run_memcage run -p "$tmpdir/p.ini" --name ev43 --events "$ev" --report "$r" -- sh -c '
        "$HOG" 36 || exit
        cat "/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/memory.swap.events"'
assert_eq "$rc" 0 "exit status ($err)"
[ "$(jq -r .swap_events "$r")" != null ] || skip "no memory.swap.events (swap accounting off)"
for c in high max fail; do
        k=$(awk -v c=$c '$1 == c { print $2 }' <<<"$out")
        assert_eq "$(jq -r .swap_events.$c "$r")" "$k" "swap_events.$c vs the kernel's"
        assert_eq "$(jq -s "[.[] | select(.type == \"swap_$c\") | .count] | add // 0" "$ev")" "$k" \
                "sum of swap_$c counts in the events file"
done
assert_ge "$(jq -r .swap_events.high "$r")" 1 "swap_events.high"
assert_eq "$(jq -r '.limits["swap.high"]' "$r")" $((1 << 20)) "limits.swap.high"
assert_contains "$err" "memory.swap.high reached" "stderr"
assert_contains "$err" "of high 1M" "stderr"
assert_ge "$(jq -s -r '[.[] | select(.type == "swap_high")][0].swap_current' "$ev")" $((1 << 20)) \
        "swap_current of swap_high"
assert_eq "$(jq -r .verdict.text "$r")" ok "verdict"
assert_ge "$(jq -r .memory.swap_peak "$r")" $((4 << 20)) "memory.swap_peak"
