#!/bin/bash
# --baseline: a run judged against the report of an earlier one. A bigger
# allocation than the baseline's fails peak+10% (exit 123, the report still
# written with the threshold, its old and new peak), the same allocation
# passes peak+64M; `memcage report --baseline` gives the comparison as JSON;
# a baseline that is no report, or a threshold without one, stops the run
# before the command starts.
# timeout: 240
. "$(dirname "$0")/lib.sh"

# Each hog holds its memory for 1 s, so that the sampler (10 Hz) sees each at
# its full size: a hog that exits at once was missed now and then under ASan,
# and the comparison of processes by PSS had nothing to match.
run_memcage run --name bl-small --max 256M --report "$tmpdir/small.json" -- "$HOG" 32 1
assert_eq "$rc" 0 "exit status of the baseline run"
[ -s "$tmpdir/small.json" ] || fail "the baseline run wrote no report"
old_peak=$(jq -r .memory.peak "$tmpdir/small.json")
[ "$old_peak" != null ] || skip "this kernel has no memory.peak"
assert_ge "$old_peak" $((32 << 20)) "memory.peak of a 32M hog"

# Three times the allocation: far over the baseline's peak + 10%.
run_memcage run --name bl-big --max 256M --baseline "$tmpdir/small.json" --fail-on oom,peak+10% \
        --report "$tmpdir/big.json" -- "$HOG" 96 1
assert_eq "$rc" 123 "exit status of a run over peak+10% of the baseline"
[ -s "$tmpdir/big.json" ] || fail "no report of the run over the threshold"
assert_report_valid "$tmpdir/big.json"
new_peak=$(jq -r .memory.peak "$tmpdir/big.json")
assert_ge "$new_peak" $((96 << 20)) "memory.peak of a 96M hog"
assert_eq "$(jq -r .status "$tmpdir/big.json")" 123 "report status"
assert_eq "$(jq -c .fail_on.matched "$tmpdir/big.json")" '[]' "fail_on.matched (no OOM kill)"
assert_eq "$(jq -c '.fail_on.thresholds[0] | [.threshold, .metric, .matched, .old, .new]' "$tmpdir/big.json")" \
        "[\"peak+10%\",\"peak\",true,$old_peak,$new_peak]" "fail_on.thresholds of the report"
assert_contains "$err" "--fail-on oom,peak+10% matched: peak+10% (" "the match named on stderr"
assert_contains "$err" "against the baseline $tmpdir/small.json:" "the comparison block on stderr"
assert_contains "$err" "peak+10%: " "the threshold in the comparison block"

# The same allocation again: its peak stays well within 64M of the baseline's.
run_memcage run --name bl-same --max 256M --baseline "$tmpdir/small.json" --fail-on oom,peak+64M \
        --report "$tmpdir/same.json" -- "$HOG" 32 1
assert_eq "$rc" 0 "exit status of the same run within peak+64M"
[ -s "$tmpdir/same.json" ] || fail "no report of the run within the threshold"
assert_report_valid "$tmpdir/same.json"
assert_eq "$(jq -c '[.fail_on.conditions, .fail_on.matched, .fail_on.thresholds[0].matched]' "$tmpdir/same.json")" \
        '[["oom"],[],false]' "fail_on of the run within the threshold"
assert_eq "$(jq -r .fail_on.thresholds[0].old "$tmpdir/same.json")" "$old_peak" "the baseline's peak as old"

# The same comparison afterwards, as data.
run_memcage report --baseline "$tmpdir/small.json" --format json --output "$tmpdir/cmp.json" "$tmpdir/big.json"
assert_eq "$rc" 0 "memcage report --baseline"
[ -s "$tmpdir/cmp.json" ] || fail "memcage report --baseline --format json wrote nothing"
assert_eq "$(jq -c '.metrics[] | select(.metric == "peak") | [.old, .new, .delta, .worse]' "$tmpdir/cmp.json")" \
        "[$old_peak,$new_peak,$((new_peak - old_peak)),true]" "the peak metric of the comparison"
assert_eq "$(jq -r '.processes[] | select(.name == "hog") | .worse' "$tmpdir/cmp.json")" true \
        "the hog process matched by name"
run_memcage report --baseline "$tmpdir/small.json" --fail-on peak+10% "$tmpdir/big.json"
assert_eq "$rc" 123 "memcage report --baseline --fail-on peak+10%"
assert_contains "$out" "worse" "the comparison is printed also when a threshold matched"

# A baseline that is not a report, or a threshold without a baseline: nothing runs.
echo '{"schema": 1, "memory": {"peak": -1}}' >"$tmpdir/bad.json"
run_memcage run --name bl-bad --baseline "$tmpdir/bad.json" --report "$tmpdir/bad-run.json" -- touch "$tmpdir/ran"
assert_eq "$rc" 125 "exit status with a bad baseline"
assert_contains "$err" "baseline $tmpdir/bad.json: report field memory.peak" "the error names the baseline and the field"
[ ! -e "$tmpdir/ran" ] || fail "the command ran despite a bad baseline"
[ -s "$tmpdir/bad-run.json" ] || fail "no report of the run refused for its baseline"
assert_contains "$(jq -r .error "$tmpdir/bad-run.json")" "baseline $tmpdir/bad.json" "the report's error"
run_memcage run --name bl-none --fail-on peak+10% -- touch "$tmpdir/ran"
assert_eq "$rc" 125 "exit status of a threshold without --baseline"
assert_contains "$err" "judged against a baseline" "the usage error says why"
[ ! -e "$tmpdir/ran" ] || fail "the command ran despite the usage error"
for g in bl-small bl-big bl-same bl-bad bl-none; do
        [ ! -e "$cg_root/memcage/$g" ] || fail "group $g left behind"
done
