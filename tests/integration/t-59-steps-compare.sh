#!/bin/bash
# timeout: 600
# Steps against a baseline, and memory.reclaim between steps.
# 1. A baseline of three steps (build 200 MiB, test 100, package 100) and a
#    run whose test step grew to 180 MiB, the run's own peak unchanged:
#    --fail-on peak+10% fails the run (123) naming that step; the report
#    records the match on the step, JUnit fails that step's test case only
#    (valid against junit.xsd); `memcage report --baseline` judges alike.
# 2. --step-reclaim: step 1 reads a 64 MiB file of an ext4 loop device into
#    the page cache, step 2 allocates 20 MiB. Without the option step 2's
#    peak counts the cache (the reset, or the sampler, starts from usage with
#    it); with it step 2 starts from clean usage and peaks near 20 MiB.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"

MB=$((1 << 20))
# shellcheck disable=SC2016 # expanded by the command's shell
script='
        echo build > "$MEMCAGE_STEP" && "$1" 200 1 || exit
        "$0" step test && "$1" "$2" 1 || exit
        "$0" step package && "$1" 100 1 || exit
        [ -z "$3" ] || "$0" step lint'
run_memcage run --name t59-base --report "$tmpdir/base.json" -- sh -c "$script" "$MEMCAGE" "$HOG" 100 ""
assert_eq "$rc" 0 "exit status of the baseline ($err)"
assert_report_valid "$tmpdir/base.json"
assert_eq "$(jq -c '[.steps[].name]' "$tmpdir/base.json")" '["build","test","package"]' "baseline's steps"
[ "$(jq .memory.peak "$tmpdir/base.json")" != null ] || skip "this kernel has no memory.peak"

r=$tmpdir/r.json
j=$tmpdir/j.xml
run_memcage run --name t59-new --baseline "$tmpdir/base.json" --fail-on oom,peak+10% --report "$r" \
        --junit "$j" -- sh -c "$script" "$MEMCAGE" "$HOG" 180 lint
echo "# base: $(jq -c '[.memory.peak, [.steps[] | [.name, .peak, .peak_source]]]' "$tmpdir/base.json")"
echo "# new:  $(jq -c '[.memory.peak, [.steps[] | [.name, .peak, .peak_source]]]' "$r")"
assert_eq "$rc" 123 "exit status with a step over peak+10% ($err)"
assert_contains "$err" "step 'test': peak+10% (" "the message names the step"
assert_not_contains "$err" "step 'build'" "the message names only the step that grew"
# The comparison on stderr: the steps matched by name, one only in the new run.
assert_contains "$err" "steps        matched by name" "the comparison's steps"
assert_contains "$err" "  lint: only in the new report" "a step only in the new run"
assert_contains "$err" "step test, peak+10%: " "the step's threshold in the comparison"

assert_report_valid "$r"
assert_eq "$(jq .status "$r")" 123 "the report's status"
assert_eq "$(jq -c .fail_on.steps "$r")" '["test"]' "fail_on.steps"
# The run's own peak (the build step's) stayed within its margin.
assert_eq "$(jq '.fail_on.thresholds[0].matched' "$r")" false "the run's own peak+10%"
assert_eq "$(jq '.steps[1].fail_on.thresholds[0] | [.threshold, .matched] | @csv' "$r")" '"\"peak+10%\",true"' \
        "the test step's threshold"
assert_eq "$(jq '.steps[1].fail_on.thresholds[0].old' "$r")" "$(jq '.steps[1].peak' "$tmpdir/base.json")" \
        "the step judged against the baseline's test step"
assert_eq "$(jq '[.steps[0,2].fail_on.thresholds[0].matched]' -c "$r")" '[false,false]' "build and package"
assert_eq "$(jq '.steps[3].fail_on' "$r")" null "lint, without a baseline, not judged"

# GitHub: one ::error for the step that grew, naming it; none for the run's own peak.
run_memcage report --format github "$r"
assert_eq "$rc" 0 "memcage report --format github ($err)"
assert_eq "$(grep -c -- '--fail-on against' <<<"$out")" 1 "GitHub: threshold annotations"
assert_contains "$out" "::error title=memcage::" "GitHub: an error"
assert_contains "$(grep -- '--fail-on against' <<<"$out")" "peak+10%25 (" "GitHub: the threshold, escaped"
assert_contains "$(grep -- '--fail-on against' <<<"$out")" "in step test" "GitHub: the step named"

# JUnit: the run and the test step fail, the other steps pass.
[ -s "$j" ] || fail "--junit wrote nothing"
assert_contains "$(cat "$j")" 'tests="5" failures="2"' "JUnit counts"
testcase() { awk -v n="<testcase name=\"$1\" " 'index($0, n) { on = 1 } on { print } on && /<\/testcase>/ { exit }' "$j"; }
assert_contains "$(testcase test)" '<failure message="--fail-on matched: peak+10% (' "JUnit: the test step failed"
assert_contains "$(testcase test)" 'type="fail-on"' "JUnit: the failure's type"
for name in build package lint; do
        assert_contains "$(testcase "$name")" "classname=\"memcage.steps\"" "JUnit case of $name"
        assert_not_contains "$(testcase "$name")" "<failure" "JUnit: $name passes"
done
assert_junit_valid "$j"

# memcage report --baseline judges the saved reports alike.
run_memcage report --baseline "$tmpdir/base.json" --fail-on peak+10% "$r"
assert_eq "$rc" 123 "memcage report --baseline ($err)"
assert_contains "$out" "step test, peak+10%: " "memcage report's comparison"
assert_contains "$err" "step 'test': peak+10% (" "memcage report's message"
run_memcage report --format json --baseline "$tmpdir/base.json" --fail-on peak+10% "$r"
[ -n "$out" ] || fail "memcage report --format json printed nothing"
assert_eq "$(jq -c '[.steps[] | [.name, .match, .fail_on.thresholds[0].matched]]' <<<"$out")" \
        '[["build","both",false],["test","both",true],["package","both",false],["lint","new",null]]' \
        "the comparison's steps as JSON"

# --- 2: --step-reclaim ------------------------------------------------------
make_ext4_file 64
mnt=$tmpdir/mnt
# `memcage step alloc` returns once memcage has read the line (and reclaimed): hog starts inside
# the step, with nothing in between.
# shellcheck disable=SC2016 # expanded by the command's shell
job='echo read > "$MEMCAGE_STEP" && cat "$2" >/dev/null || exit
        "$0" step alloc && "$1" 20 1'
# Each run drops the cache first, so that its read charges the file to its group.
echo 1 >/proc/sys/vm/drop_caches
run_memcage run --name t59-cache --report "$tmpdir/cache.json" -- sh -c "$job" "$MEMCAGE" "$HOG" "$mnt/f"
assert_eq "$rc" 0 "exit status without --step-reclaim ($err)"
echo 1 >/proc/sys/vm/drop_caches
run_memcage run --name t59-reclaim --step-reclaim --report "$tmpdir/reclaim.json" -- sh -c "$job" "$MEMCAGE" \
        "$HOG" "$mnt/f"
assert_eq "$rc" 0 "exit status with --step-reclaim ($err)"
for f in cache reclaim; do
        assert_report_valid "$tmpdir/$f.json"
        echo "# $f: $(jq -c '[.steps_reclaimed, [.steps[] | [.name, .peak, .peak_source, .swap_peak]]]' "$tmpdir/$f.json")"
done
assert_eq "$(jq .steps_reclaimed "$tmpdir/cache.json")" false "steps_reclaimed without the option"
assert_eq "$(jq .steps_reclaimed "$tmpdir/reclaim.json")" true "steps_reclaimed with --step-reclaim"
assert_eq "$(jq -c '[.steps[].name]' "$tmpdir/reclaim.json")" '["read","alloc"]' "the steps with --step-reclaim"
# The read step charged the file to the group, in both runs.
assert_ge "$(jq '.steps[0].peak' "$tmpdir/cache.json")" $((64 * MB)) "the read step's peak"
assert_ge "$(jq '.steps[0].peak' "$tmpdir/reclaim.json")" $((64 * MB)) "the read step's peak, reclaimed"
# Without: the alloc step starts from the cache the read step left.
assert_ge "$(jq '.steps[1].peak' "$tmpdir/cache.json")" $((80 * MB)) "alloc step's peak with the cache"
# With: from clean usage; hog's 20 MiB and the shells' few.
assert_ge "$(jq '.steps[1].peak' "$tmpdir/reclaim.json")" $((20 * MB)) "alloc step's peak, reclaimed"
assert_le "$(jq '.steps[1].peak' "$tmpdir/reclaim.json")" $((32 * MB)) "alloc step's peak, reclaimed"
run_memcage report "$tmpdir/reclaim.json"
assert_contains "$out" "page cache reclaimed at each start" "the text report"

# A kernel that takes "swappiness=0" reclaims page cache only (said for the record).
mkdir "$cg_root/t59-probe" && on_exit "rmdir '$cg_root/t59-probe'"
# An empty group has nothing to reclaim: EAGAIN when the key is taken, EINVAL when it is not.
why=$( (echo "1M swappiness=0" >"$cg_root/t59-probe/memory.reclaim") 2>&1) || :
case $why in
*"Invalid argument"*) echo "# memory.reclaim refuses swappiness=0 on $(uname -r): the size alone" ;;
*) echo "# memory.reclaim takes swappiness=0 on $(uname -r) (${why:-reclaimed})" ;;
esac
for g in t59-base t59-new t59-cache t59-reclaim; do
        [ ! -e "$cg_root/memcage/$g" ] || fail "group $g left behind"
done
