#!/bin/bash
# The pressure kill rule: a workload stuck at memory.high (max 512M, high
# 32M, swap 0, 100M touched in a loop) under kill = full 50%/2s for 10s ends
# within DURATION + 2 windows + grace with exit 124, verdict
# pressure-killed and nothing left behind; the same workload without the
# rule is still running then; pressure spikes shorter than DURATION never
# end a run.
# timeout: 420
. "$(dirname "$0")/lib.sh"

require_file "$cg_root/memory.pressure"

duration=10 window=2 grace=10
bound=$((duration + 2 * window + grace))
cat >"$tmpdir/stuck.ini" <<'INI'
[memory]
max = 512M
high = 32M
swap.max = 0
INI

# memcage check: the stuck-at-high case is warned about; a rule clears it.
run_memcage check "$tmpdir/stuck.ini"
assert_eq "$rc" 0 "check of the stuck profile"
assert_contains "$err" "warning: $tmpdir/stuck.ini:3: high (32M) without a [pressure] kill rule and the group cannot swap (swap.max is 0)" "check warning (on stderr)"
{ cat "$tmpdir/stuck.ini"; printf '[pressure]\nkill = full 50%%/2s for 10s\n'; } >"$tmpdir/ruled.ini"
run_memcage check "$tmpdir/ruled.ini"
assert_eq "$rc" 0 "check of the profile with a rule"
assert_not_contains "$out$err" "kill rule" "check with a rule"
# A rule the kernel cannot take is refused before anything runs.
run_memcage run --name pk-bad --kill-on-pressure "full 50%/20s for 30s" -- touch "$tmpdir/ran"
assert_eq "$rc" 125 "exit status with a bad rule"
assert_contains "$err" "invalid pressure kill rule 'full 50%/20s for 30s' for kill: window '20s' is not between 500ms and 10s" "stderr"
[ ! -e "$tmpdir/ran" ] || fail "the command ran with a bad rule"

now() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# Without the rule, the same workload, alongside: still running at the bound.
"$MEMCAGE" run -q -p "$tmpdir/stuck.ini" --name pk-norule --report "$tmpdir/norule.json" -- \
        "$HOG" 100 600 touch 2>"$tmpdir/norule.err" &
norule_pid=$!
norule_start=$(now)
on_exit "kill -TERM $norule_pid 2>/dev/null; wait $norule_pid 2>/dev/null"

# With the rule.
r=$tmpdir/r.json ev=$tmpdir/ev.jsonl
start=$(now)
rc=0
# Bounded well past the bound: a rule that never fires fails here with
# memcage's live lines, not at the test's timeout with nothing to read
# (SIGKILL: timeout's own status, 124, is the one expected of memcage).
timeout -s KILL $((bound * 6)) "$MEMCAGE" run -p "$tmpdir/stuck.ini" --name pk-rule \
        --kill-on-pressure "full 50%/${window}s for ${duration}s" \
        --report "$r" --events "$ev" -- "$HOG" 100 600 touch 2>"$tmpdir/err" || rc=$?
took=$(elapsed_since "$start")
err=$(cat "$tmpdir/err")
assert_eq "$rc" 124 "exit status of a run ended by the pressure kill rule (stderr: $err)"
awk -v t="$took" -v b="$bound" 'BEGIN { exit !(t <= b) }' || fail "the run took $took s, more than $bound s"
[ ! -e "$memcage_parent/pk-rule" ] || fail "the group pk-rule is left behind"
[ -s "$r" ] || fail "no report"
assert_report_valid "$r"
assert_eq "$(jq -r .verdict.code "$r")" pressure-killed "verdict.code"
assert_eq "$(jq -r .status "$r")" 124 "status"
# The command itself ended by the SIGTERM (the hog has no handler), within the grace.
assert_eq "$(jq -r .exit.signal "$r")" 15 "exit.signal"
assert_eq "$(jq -r .pressure.kill.rule "$r")" "full 50%/2s for 10s" "pressure.kill.rule"
assert_eq "$(jq -r .pressure.kill.windows "$r")" 5 "pressure.kill.windows"
assert_eq "$(jq -r .pressure.kill.fired "$r")" true "pressure.kill.fired"
assert_eq "$(jq -r .pressure.kill.windows_in_a_row "$r")" 5 "pressure.kill.windows_in_a_row"
assert_eq "$(jq -r .pressure.kill.grace_s "$r")" 10 "pressure.kill.grace_s"
assert_eq "$(jq -r .pressure.kill.escalated_to_kill "$r")" false "pressure.kill.escalated_to_kill"
assert_eq "$(jq -r .pressure.kill.frozen "$r")" true "pressure.kill.frozen"
# Five windows in a row, each of 2 s: not before 4 windows after the first firing.
fired_at=$(jq -r .pressure.kill.fired_at "$r")
awk -v t="$fired_at" -v d="$duration" -v w="$window" 'BEGIN { exit !(t >= d - w) }' ||
        fail "the rule fired at $fired_at s, before $((duration - window)) s"
# The measured stall is at least the rule's.
stall=$(jq -r .pressure.kill.stall_percent "$r")
awk -v s="$stall" 'BEGIN { exit !(s >= 50 && s <= 100) }' || fail "measured stall $stall% (rule: 50%)"
assert_ge "$(jq -r .pressure.kill.full_total_us "$r")" $(((duration - window) * 500000)) "pressure.kill.full_total_us"
# The snapshot taken while frozen shows the hog holding its memory.
assert_eq "$(jq -r '.processes.top[0].name' "$r")" hog "processes.top[0].name"
assert_ge "$(jq -r '.memory.breakdown.anon' "$r")" $((30 * 1024 * 1024)) "memory.breakdown.anon"
# The live line says what happens and when, and the event stream has both.
assert_contains "$err" "full stall " "stderr"
assert_contains "$err" "for 10 s (rule full 50%/2s for 10s): stopping hog (SIGTERM), killing the group in 10 s" "stderr"
assert_contains "$err" "pressure-killed" "stderr"
[ -s "$ev" ] || fail "no events"
assert_eq "$(jq -s -r '[.[] | select(.type == "pressure_kill")] | map(.stage) | join(",")' "$ev")" term "pressure_kill events"
assert_eq "$(jq -s -r '[.[] | select(.type == "exit")][0].verdict' "$ev")" pressure-killed "exit event verdict"

# The run without the rule is still going at the bound.
while awk -v t="$(elapsed_since "$norule_start")" -v b="$bound" 'BEGIN { exit !(t < b) }'; do
        sleep 1
done
kill -0 "$norule_pid" 2>/dev/null || fail "the run without the rule ended before $bound s: $(cat "$tmpdir/norule.err")"
assert_eq "$(cg_field "$memcage_parent/pk-norule/cgroup.events" populated)" 1 "pk-norule populated"
assert_ge "$(cg_field "$memcage_parent/pk-norule/memory.events" high)" 1 "pk-norule memory.events high"
kill -TERM "$norule_pid"
rc=0
wait "$norule_pid" || rc=$?
assert_eq "$rc" 143 "exit status of the run without the rule, after SIGTERM"
[ -s "$tmpdir/norule.json" ] || fail "no report without the rule"
assert_eq "$(jq -r .verdict.code "$tmpdir/norule.json")" killed "verdict without the rule"
assert_eq "$(jq -r .pressure.kill "$tmpdir/norule.json")" null "pressure.kill without the rule"

# Spikes: memory.high drops to 32M for 3 s, twice, under a churning 48M
# working set; each spike stalls the group (the count moves) but for less than
# DURATION, and the quiet between them resets the count. The quiet is 8 s: the
# stall outlasts a spike (the throttled task's over-high penalty sleeps, up
# to 2 s, count as stall, and the trigger's window still holds them), and
# with 4 s of quiet 6.1 once chained both spikes into the rule's 5 windows.
r=$tmpdir/spike.json
rc=0
"$MEMCAGE" run -q --name pk-spike --swap 0 --kill-on-pressure "full 50%/${window}s for ${duration}s" \
        --report "$r" -- "$HOG" 48 24 touch 2>"$tmpdir/spike.err" &
spike_pid=$!
on_exit "kill -TERM $spike_pid 2>/dev/null; wait $spike_pid 2>/dev/null"
wait_for_file "$memcage_parent/pk-spike/memory.high" 10
for quiet in 4 8; do
        sleep "$quiet"
        echo 32M >"$memcage_parent/pk-spike/memory.high"
        sleep 3
        echo max >"$memcage_parent/pk-spike/memory.high"
done
wait "$spike_pid" || rc=$?
assert_eq "$rc" 0 "exit status with pressure spikes (stderr: $(cat "$tmpdir/spike.err"))"
[ -s "$r" ] || fail "no report of the spikes"
assert_report_valid "$r"
assert_eq "$(jq -r .verdict.code "$r")" ok "verdict with pressure spikes"
assert_eq "$(jq -r .pressure.kill.fired "$r")" false "pressure.kill.fired with spikes"
row=$(jq -r .pressure.kill.windows_in_a_row "$r")
assert_ge "$row" 1 "windows in a row during a spike (the spikes stall the group)"
assert_le "$row" 4 "windows in a row during a spike"
assert_ge "$(jq -r .events.high "$r")" 1 "events.high with spikes"
