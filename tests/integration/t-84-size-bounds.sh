#!/bin/bash
# timeout: 600
# memcage size is bounded in time per run, and stops on its user's interrupt:
#   - a command that would sleep 600 s whenever its group has a memory.max
#     (it reads its own): every run after the two baselines is stopped at the
#     time limit (twice the clock's bound, at least 1 s), its group killed
#     and judged slow; the search ends in well under a minute, each run says
#     "stopped at", the confirming run is at the baselines' peak plus the
#     margin (no probe passed) and the answer is not confirmed; no group and
#     no sleep are left;
#   - a command that catches SIGINT and exits 130, as shells do: SIGINT to
#     memcage during a probe stops the search there (exit 130, "interrupted
#     by SIGINT after N runs"), with the N evidence lines, no --json file, no
#     group left, and no run started after the one interrupted;
#   - a command that ignores SIGINT, in a baseline (no time limit): 2 s after
#     memcage forwarded it, the group is killed, and the search stops as above.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"

MB=$((1 << 20))
srcdir=${MEMCAGE_SRCDIR:-$(cd -- "$(dirname -- "$0")/../.." && pwd)}
# The groups under memcage's parent now, to compare with what is left after.
groups_now() {
        [ -d "$memcage_parent" ] || return 0
        find "$memcage_parent" -mindepth 1 -maxdepth 1 -type d | sort
}
groups_before=$(groups_now)
# The command's own memory.max, read through its cgroup ("0::/memcage/NAME"), logged to $0.
limit='max=$(cat "/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/memory.max") && echo "$max" >>"$0"'

# --- 1: every limited run would take 600 s -----------------------------------
job=(sh -c "$limit"' && if [ "$max" = max ]; then exec "$1" 40 1; else exec sleep 600; fi' "$tmpdir/runs1" "$HOG")
# Once outside memcage, so that the first baseline does not read hog over 9p: under the
# emulator, on a loaded host, plain runs differ by up to 90% all the same, hence --slowdown 50
# (up to 150% of noise is measurable).
"$HOG" 40 0 >/dev/null
# An unbounded memcage would take 600 s a probe: timeout(1) ends the test's wait instead.
start=$SECONDS
rc=0
timeout 240 "$MEMCAGE" size --slowdown 50 --max-runs 6 --json "$tmpdir/size.json" -- "${job[@]}" \
        >"$tmpdir/out1" 2>"$tmpdir/err1" || rc=$?
took=$((SECONDS - start))
out=$(cat "$tmpdir/out1")
err=$(cat "$tmpdir/err1")
printf '%s\n%s\n' "$out" "$err" | sed 's/^/# /'
[ "$rc" -ne 124 ] || fail "memcage size still running after 240 s: the probes were not stopped ($err)"
assert_eq "$rc" 1 "memcage size without an answer ($err)"
assert_le "$took" 60 "seconds memcage size took"
assert_contains "$err" "not confirmed" "the outcome"
assert_contains "$err" "no run under a limit passed" "the outcome's reason"
[ -s "$tmpdir/size.json" ] || fail "--json wrote no file"
msg=$("$srcdir/tests/validate-report" "$srcdir/docs/size-schema.json" "$tmpdir/size.json" 2>&1) ||
        fail "size.json does not validate against docs/size-schema.json: $msg"
j() { jq -r "$@" "$tmpdir/size.json"; }
assert_eq "$(j .outcome)" "not confirmed" "outcome"
# Two of the six runs were kept for the confirmation (a verdict of the clock alone is repeated); one
# the time limit stopped is not: the last stays unused.
assert_eq "$(j '.runs | length')" 5 "runs"
assert_eq "$(j '.runs | length')" "$(grep -c '^run ' <<<"$out")" "runs in --json vs evidence lines"
assert_eq "$(wc -l <"$tmpdir/runs1")" 5 "commands started"
baselines=$(j '[.runs[] | select(.role == "baseline")] | length')
assert_ge "$baselines" 2 "baselines"
limited=$((5 - baselines))
assert_eq "$(grep -vcx max "$tmpdir/runs1")" "$limited" "commands that ran with a memory.max"
assert_eq "$(j '[.runs[] | select(.role == "baseline" and .time_limit_s == null and .timed_out == false
        and .verdict == "pass")] | length')" "$baselines" "baselines: no time limit, passed"
# Each limited run: stopped at its limit (2 x the bound, at least 1 s), killed, judged slow.
assert_eq "$(j '[.runs[] | select(.role != "baseline" and .timed_out == true and .verdict == "slow"
        and .signal == 9 and .time_limit_s >= 1 and .duration_s >= .time_limit_s
        and .duration_s < .time_limit_s + 10)] | length')" "$limited" "limited runs stopped at their limit"
assert_eq "$(j '[.runs[] | select(.role == "repeat")] | length')" 0 "runs repeated"
assert_eq "$(grep -c 'slow (stopped at ' <<<"$out")" "$limited" "evidence lines that say \"stopped at\""
# The limit is twice the clock's bound, at least 1 s; with the stall known, the bound is the
# reference * (1 + slowdown + the noise, at least the slowdown) + 0.05 s.
assert_eq "$(j '.baseline | (.clock_limit_s - (.duration_s * (1.5 + ([.noise, 0.5] | max)) + 0.05)) | fabs < 0.001')" \
        true "the clock's bound"
assert_eq "$(j --argjson b "$(j .baseline)" '[.runs[] | select(.role != "baseline")
        | (.time_limit_s - ([2 * $b.clock_limit_s, 1] | max)) | fabs < 0.001]
        | all')" true "time limit vs the baseline"
# No probe passed: the confirming run is at the peak plus the margin (5%, at least 4 MiB, to a MiB).
assert_eq "$(j '.runs[-1].role')" confirm "the last run"
assert_eq "$(j --argjson mb $MB '.baseline.peak as $p | ([($p / 20 | floor), 4 * $mb] | max) as $m
        | (($p + $m + $mb - 1) / $mb | floor) * $mb == .runs[-1].max')" true "the confirming run's max"
assert_ge "$(j .baseline.peak)" $((40 * MB)) "the baselines' peak"
assert_eq "$(groups_now)" "$groups_before" "groups left under $memcage_parent"
pgrep -fx 'sleep 600' >/dev/null && fail "a sleep 600 was left running"

# --- 2: SIGINT during a probe, to a command that catches it -------------------
job=(sh -c 'trap "exit 130" INT; '"$limit"' && if [ "$max" = max ]; then "$1" 40 1; else sleep 600 & wait; fi' \
        "$tmpdir/runs2" "$HOG")
# A background job of a script starts with SIGINT ignored: memcage gets it back as the user's shell has it.
env --default-signal=INT "$MEMCAGE" size --slowdown 100 --json "$tmpdir/int.json" -- "${job[@]}" \
        >"$tmpdir/out2" 2>"$tmpdir/err2" &
mpid=$!
stop_memcage() { kill -0 "$mpid" 2>/dev/null && kill -TERM "$mpid" && wait "$mpid" || true; }
on_exit stop_memcage
deadline=$((SECONDS + 120))
until [ -s "$tmpdir/runs2" ] && grep -qvx max "$tmpdir/runs2"; do
        kill -0 "$mpid" 2>/dev/null || fail "memcage size ended before a probe: $(cat "$tmpdir/err2")"
        [ $SECONDS -lt $deadline ] || fail "no probe after 120 s: $(cat "$tmpdir/out2")"
        sleep 0.1
done
kill -INT "$mpid"
deadline=$((SECONDS + 60))
while kill -0 "$mpid" 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || fail "memcage size still running 60 s after SIGINT: $(cat "$tmpdir/out2")"
        sleep 0.1
done
rc=0
wait "$mpid" || rc=$?
out=$(cat "$tmpdir/out2")
err=$(cat "$tmpdir/err2")
printf '%s\n%s\n' "$out" "$err" | sed 's/^/# /'
assert_eq "$rc" 130 "memcage size's exit status after SIGINT ($err)"
assert_contains "$err" "interrupted by SIGINT after " "the message"
n=$(sed -n 's/.*interrupted by SIGINT after \([0-9]*\) runs.*/\1/p' <<<"$err")
assert_eq "$n" "$(grep -c '^run ' <<<"$out")" "runs in the message vs evidence lines"
assert_ge "$n" 2 "runs before the probe"
assert_eq "$(grep -c '^run .* probe ' <<<"$out")" $((n - 2)) "probes before the one interrupted"
# The probe interrupted had started; none after it.
assert_eq "$(wc -l <"$tmpdir/runs2")" $((n + 1)) "commands started"
sleep 2
assert_eq "$(wc -l <"$tmpdir/runs2")" $((n + 1)) "commands started, 2 s later"
[ ! -e "$tmpdir/int.json" ] || fail "--json written after the interrupt: $(cat "$tmpdir/int.json")"
assert_eq "$(groups_now)" "$groups_before" "groups left under $memcage_parent"
pgrep -fx 'sleep 600' >/dev/null && fail "a sleep 600 was left running"

# --- 3: SIGINT to a command that ignores it, during a baseline ---------------
job=(sh -c 'trap "" INT; echo started >>"$0"; sleep 600 & wait' "$tmpdir/runs3")
env --default-signal=INT "$MEMCAGE" size --json "$tmpdir/ign.json" -- "${job[@]}" >"$tmpdir/out3" 2>"$tmpdir/err3" &
mpid=$!
wait_for_file "$tmpdir/runs3" 120
sleep 0.5
sent=$SECONDS
kill -INT "$mpid"
deadline=$((SECONDS + 60))
while kill -0 "$mpid" 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || fail "memcage size still running 60 s after SIGINT to a command that ignores it"
        sleep 0.1
done
rc=0
wait "$mpid" || rc=$?
err=$(cat "$tmpdir/err3")
printf '%s\n' "$err" | sed 's/^/# /'
assert_eq "$rc" 130 "memcage size's exit status after SIGINT to a command that ignores it ($err)"
assert_contains "$err" "interrupted by SIGINT after 0 runs" "the message"
assert_le $((SECONDS - sent)) 30 "seconds from SIGINT to the end"
assert_eq "$(wc -l <"$tmpdir/runs3")" 1 "commands started"
[ ! -e "$tmpdir/ign.json" ] || fail "--json written after the interrupt"
assert_eq "$(groups_now)" "$groups_before" "groups left under $memcage_parent"
pgrep -fx 'sleep 600' >/dev/null && fail "a sleep 600 was left running"
exit 0
