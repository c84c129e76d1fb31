#!/bin/bash
# memory.high without memory.max throttles and never OOM-kills: high lines
# (at most one a second, the counts summed) and a PSI trigger of the
# profile's [pressure] section fire within seconds; the stall shows in the
# report. The throttled command is stopped with SIGTERM after a few seconds.
# timeout: 120
. "$(dirname "$0")/lib.sh"

require_file "$cg_root/memory.pressure"
cat >"$tmpdir/p.ini" <<'INI'
[memory]
high = 32M
swap.max = 0
[pressure]
some = 100ms/1s
INI
ev=$tmpdir/events.jsonl r=$tmpdir/r.json
rc=0
timeout --preserve-status -s TERM 6 "$MEMCAGE" run -p "$tmpdir/p.ini" --name ev42 --events "$ev" --report "$r" -- "$HOG" 48 30 \
        2>"$tmpdir/err" || rc=$?
err=$(cat "$tmpdir/err")
# SIGTERM forwarded to the throttled hog: it ends by that signal, not by an OOM kill.
assert_eq "$rc" 143 "exit status after SIGTERM"
assert_eq "$(jq -r .verdict.text "$r")" "killed (signal 15)" "verdict.text"
assert_eq "$(jq -r .events.oom_kill "$r")" 0 "events.oom_kill"
assert_eq "$(jq -r '.oom_kills | length' "$r")" 0 "oom_kills"
high=$(jq -r .events.high "$r")
assert_ge "$high" 1 "events.high"

assert_contains "$err" "memory.high reached" "stderr"
assert_contains "$err" "of high 32M" "stderr"
assert_contains "$err" "pressure some" "stderr"
assert_contains "$err" "(trigger 100ms/1s)" "stderr"

# The high lines add up to the kernel's count and are a second apart at least
# (but the last: what waits when the group has emptied is written at once).
assert_eq "$(jq -s '[.[] | select(.type == "high") | .count] | add' "$ev")" "$high" "sum of high counts"
assert_ge "$(jq -s '[.[] | select(.type == "high")] | length' "$ev")" 3 "high lines in 6 s"
jq -s -e '[.[] | select(.type == "high") | .t][:-1] | . as $t | [range(1; length) | $t[.] - $t[. - 1]] | all(. >= 0.99)' \
        "$ev" >/dev/null || fail "high lines closer than a second: $(jq -s -c '[.[] | select(.type == "high") | .t]' "$ev")"
assert_ge "$(jq -s '[.[] | select(.type == "pressure" and .kind == "some")] | length' "$ev")" 1 "pressure events"
assert_eq "$(jq -s -r '[.[] | select(.type == "pressure")][0].window_us' "$ev")" 1000000 "pressure window_us"
assert_eq "$(jq -s -r '[.[] | select(.type == "pressure")][0].stall_us' "$ev")" 100000 "pressure stall_us"
# avg10 is read from memory.pressure when the trigger fires (a 10 s average: small at first).
assert_eq "$(jq -s -r '[.[] | select(.type == "pressure")][0].avg10 | type' "$ev")" number "avg10 of a pressure event"

# The report: the registered trigger, how often it fired, the stall time.
assert_eq "$(jq -c '.pressure.triggers | map({kind, stall_us, window_us})' "$r")" \
        '[{"kind":"some","stall_us":100000,"window_us":1000000}]' "pressure.triggers"
assert_eq "$(jq -r '.pressure.triggers[0].fired' "$r")" \
        "$(jq -s '[.[] | select(.type == "pressure")] | length' "$ev")" "triggers[0].fired"
assert_ge "$(jq -r .pressure.some_total_us "$r")" 100000 "pressure.some_total_us"
# The sampler's highest avg10 of the same throttling.
assert_eq "$(jq -r '.pressure.some_avg10_max > 0' "$r")" true "pressure.some_avg10_max (sampled)"

# A trigger that cannot be right is refused before anything runs.
run_memcage run --name ev42x --set pressure.some=2s/1s -- touch "$tmpdir/ran"
assert_eq "$rc" 125 "exit status with a stall longer than its window"
assert_contains "$err" "invalid pressure trigger '2s/1s' for some" "stderr"
[ ! -e "$tmpdir/ran" ] || fail "the command ran with an invalid trigger"
