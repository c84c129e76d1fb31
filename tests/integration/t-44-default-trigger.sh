#!/bin/bash
# Without a [pressure] section memcage registers its default PSI trigger
# (full 10%/2s) once the command has run 100 ms: a group throttled at
# memory.high from its start gets it registered (the report lists it), each
# time it fires is a line, and no line comes before the delay plus the stall.
# (Whether 10%/2s fires at all depends on how hard the host's load lets the
# hog stall; t-42 checks a profile's trigger that always does.)
# timeout: 120
. "$(dirname "$0")/lib.sh"

require_file "$cg_root/memory.pressure"
printf '[memory]\nhigh = 32M\nswap.max = 0\n' >"$tmpdir/d.ini"
ev=$tmpdir/events.jsonl r=$tmpdir/r.json
rc=0
timeout --preserve-status -s TERM 6 "$MEMCAGE" run -p "$tmpdir/d.ini" --name ev44 --events "$ev" --report "$r" -- "$HOG" 48 30 \
        2>"$tmpdir/err" || rc=$?
assert_eq "$rc" 143 "exit status after SIGTERM ($(cat "$tmpdir/err"))"
[ -s "$r" ] || fail "no report"
[ -s "$ev" ] || fail "no events"
assert_eq "$(jq -c '.pressure.triggers | map({kind, stall_us, window_us})' "$r")" \
        '[{"kind":"full","stall_us":200000,"window_us":2000000}]' "pressure.triggers (the default)"
assert_eq "$(jq -r '.pressure.triggers_refused | length' "$r")" 0 "no trigger refused"
assert_eq "$(jq -r '.pressure.triggers[0].fired' "$r")" \
        "$(jq -s '[.[] | select(.type == "pressure")] | length' "$ev")" "triggers[0].fired"
first=$(jq -s -r '[.[] | select(.type == "pressure")][0].t // 1' "$ev")
jq -n -e --argjson t "$first" '$t >= 0.3' >/dev/null ||
        fail "a pressure line at +${first}s, before the trigger could be registered and fire"
