#!/bin/bash
# --fail-on: a condition met turns exit 0 into 123, one not met changes
# nothing, the command's own failure wins, and an unknown name is a usage
# error naming the valid ones. Every judgement is recorded in the report.
# timeout: 240
. "$(dirname "$0")/lib.sh"

# memory.high without an OOM: throttled and reclaimed into swap, exits 0.
run_memcage run --name fo-high --high 8M --fail-on high,oom --github --report "$tmpdir/h.json" -- "$HOG" 24
assert_ge "$(jq -r .events.high "$tmpdir/h.json")" 1 "events.high of a 24M hog over an 8M memory.high"
assert_eq "$(jq -r .exit.code "$tmpdir/h.json")" 0 "exit.code of the throttled hog"
assert_eq "$(jq -r .events.oom_kill "$tmpdir/h.json")" 0 "events.oom_kill of the throttled hog"
assert_eq "$rc" 123 "exit status with --fail-on high after memory.high events"
assert_eq "$(jq -c .fail_on "$tmpdir/h.json")" '{"conditions":["oom","high"],"matched":["high"]}' "fail_on"
assert_eq "$(jq -r .status "$tmpdir/h.json")" 123 "report status"
assert_report_valid "$tmpdir/h.json"
assert_contains "$err" "--fail-on high,oom matched: high" "fail-on line"
# --github: a warning (not an error) for the throttling.
assert_contains "$out" "::warning title=memcage::memory.high (8M) exceeded $(jq -r .events.high "$tmpdir/h.json") times" "run --github"
assert_not_contains "$out" "::error" "run --github of a run without OOM kill"

# The same report judged for other conditions by memcage report. Whether the
# throttling also stalled the group past the default PSI trigger depends on
# how fast the machine runs: the report's own count of firings decides.
run_memcage report --fail-on oom,max "$tmpdir/h.json"
assert_eq "$rc" 0 "memcage report --fail-on oom,max of the throttled run"
fired=$(jq '[.pressure.triggers[]?.fired] | add // 0' "$tmpdir/h.json")
[[ $fired =~ ^[0-9]+$ ]] || fail "pressure.triggers of the throttled run: '$fired'"
run_memcage report --fail-on pressure "$tmpdir/h.json"
assert_eq "$rc" "$([ "$fired" -gt 0 ] && echo 123 || echo 0)" \
        "memcage report --fail-on pressure of a run whose triggers fired $fired times"
run_memcage report --fail-on any "$tmpdir/h.json"
assert_eq "$rc" 123 "memcage report --fail-on any of the throttled run"

# A clean run: nothing matches, nothing changes.
run_memcage run --name fo-clean --max 64M --fail-on any --report "$tmpdir/c.json" -- "$HOG" 4
assert_eq "$rc" 0 "exit status of a clean run with --fail-on any"
assert_eq "$(jq -c .fail_on "$tmpdir/c.json")" \
        '{"conditions":["oom","high","max","swap","hugetlb","pressure"],"matched":[]}' "fail_on of a clean run"
assert_eq "$(jq -r .status "$tmpdir/c.json")" 0 "status of a clean run"

# The command's own failure wins over the condition.
run_memcage run --name fo-own --max 32M --swap 0 --fail-on oom --report "$tmpdir/o.json" -- "$HOG" 200
assert_eq "$rc" 137 "exit status of the OOM-killed command itself"
assert_eq "$(jq -c .fail_on.matched "$tmpdir/o.json")" '["oom"]' "fail_on.matched"
assert_eq "$(jq -r .status "$tmpdir/o.json")" 137 "status"
assert_not_contains "$err" "--fail-on oom matched" "no fail-on line when the command failed itself"

# Unknown condition: a usage error before anything runs.
run_memcage run --name fo-bad --fail-on oom,oops -- touch "$tmpdir/ran"
assert_eq "$rc" 125 "exit status of an unknown --fail-on condition"
assert_contains "$err" "unknown --fail-on condition 'oops'" "usage error"
assert_contains "$err" "oom, high, max, swap, hugetlb, pressure, any" "usage error lists the valid names"
[ ! -e "$tmpdir/ran" ] || fail "the command ran despite the usage error"
for g in fo-high fo-clean fo-own fo-bad; do
        [ ! -e "$cg_root/memcage/$g" ] || fail "group $g left behind"
done
