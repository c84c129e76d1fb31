#!/bin/bash
# timeout: 420
# The peak of each step (MEMCAGE_STEP, memcage step): a script of three steps
# of 40, 120 and 60 MiB, named by `echo NAME > "$MEMCAGE_STEP"` and by
# `memcage step NAME`, gets each step's peak within a few MiB: exact on 6.12+
# (memory.peak reset through memcage's own fd, "kernel"), the sampler's
# maximum before ("sampled"). Every rendering knows the steps: the SVG chart
# draws a boundary at each step's start, the GitHub job summary has a row a
# step, and the ::error of an OOM kill in a step names that step. The FIFO
# and its directory are gone after the run, and a command run as nobody
# names its steps too.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"

MB=$((1 << 20))
r="$tmpdir/r.json"
# Each step's hog holds its memory 1 s: ten samples at 100 ms.
run_memcage run --name t58 --report "$r" --junit "$tmpdir/j.xml" --text "$tmpdir/t.txt" --metrics "$tmpdir/m.prom" -- sh -c '
        printf "%s\n" "$MEMCAGE_STEP" > "$1"
        echo build > "$MEMCAGE_STEP" && "$HOG" 40 1 || exit
        "$0" step test && "$HOG" 120 1 || exit
        echo package > "$MEMCAGE_STEP" && "$HOG" 60 1' "$MEMCAGE" "$tmpdir/fifo"
assert_eq "$rc" 0 "exit status ($err)"
assert_report_valid "$r"
assert_eq "$(jq -c '[.steps[].name]' "$r")" '["build","test","package"]' "step names"
assert_eq "$(jq .steps_truncated "$r")" false "steps_truncated"

# The kernel resets the peak of one fd since 6.12: a write to memory.peak works there (and resets
# only what this shell's fd sees); before, the open works for root but the write fails.
if (echo reset >"$cg_root/memcage/memory.peak") 2>/dev/null; then
        source=kernel
else
        source=sampled
fi
echo "# peak_source expected: $source ($(uname -r))"
i=0
for mib in 40 120 60; do
        s=".steps[$i]"
        echo "# step $i: $(jq -c "$s | {name, start_s, duration_s, peak, peak_source, oom_kills}" "$r")"
        assert_eq "$(jq -r "$s.peak_source" "$r")" "$source" "step $i peak_source"
        peak=$(jq "$s.peak" "$r")
        # hog's own pages and the shell's come on top: a few MiB.
        assert_ge "$peak" $((mib * MB)) "step $i peak"
        assert_le "$peak" $(((mib + 8) * MB)) "step $i peak"
        assert_ge "$(jq "$s.duration_s * 1000 | floor" "$r")" 1000 "step $i duration in ms"
        assert_eq "$(jq "$s.oom_kills" "$r")" 0 "step $i oom_kills"
        assert_eq "$(jq "$s.events.oom_kill" "$r")" 0 "step $i events.oom_kill"
        i=$((i + 1))
done
# In order, one after the other, within the run.
assert_eq "$(jq '[.steps[] | .start_s] | . == sort' "$r")" true "steps in order"
assert_eq "$(jq '.steps[0].start_s + .steps[0].duration_s <= .steps[1].start_s + 0.00001' "$r")" true \
        "step 0 ends where step 1 starts"
assert_eq "$(jq '.steps[2].start_s + .steps[2].duration_s <= .duration_s + 0.00001' "$r")" true \
        "the last step ends with the run"
# The run's own peak is the largest step's.
assert_ge "$(jq .memory.peak "$r")" "$(jq '[.steps[].peak] | max' "$r")" "run peak vs the steps'"

# JUnit: the run's test case, then one per step, valid against the schema CI servers take.
j=$tmpdir/j.xml
[ -s "$j" ] || fail "--junit wrote nothing"
assert_eq "$(grep -c '<testcase ' "$j")" 4 "JUnit test cases"
assert_contains "$(cat "$j")" 'tests="4" failures="0"' "JUnit counts"
for name in build test package; do
        assert_contains "$(cat "$j")" "<testcase name=\"$name\" classname=\"memcage.steps\"" "JUnit case of $name"
done
assert_junit_valid "$j"
# Text: a table row per step.
[ -s "$tmpdir/t.txt" ] || fail "--text wrote nothing"
assert_contains "$(cat "$tmpdir/t.txt")" "steps        3" "text report's steps"
assert_eq "$(grep -cE '^  (build|test|package) +[0-9.]+ s +[0-9.]+ s +[0-9.]+M '"$source"' ' "$tmpdir/t.txt")" 3 \
        "text rows of the steps"

# Metrics: a series per step with its step label, the peak as in the report.
m=$tmpdir/m.prom
[ -s "$m" ] || fail "--metrics wrote nothing"
i=0
for name in build test package; do
        assert_eq "$(sed -n "s/^memcage_step_peak_bytes{.*,step=\"$name\",index=\"$i\"} //p" "$m")" \
                "$(jq ".steps[$i].peak" "$r")" "metrics peak of $name"
        i=$((i + 1))
done
assert_eq "$(tail -n 1 "$m")" "# EOF" "last line of the metrics"
if command -v promtool >/dev/null; then
        promtool check metrics <"$m" >"$tmpdir/promtool.out" 2>&1 ||
                fail "promtool check metrics: $(head -c 500 "$tmpdir/promtool.out")"
fi

# SVG: a boundary a step, at its start on the time axis, its name as the label (read with an XPath).
svg=$tmpdir/r.svg
run_memcage report --format svg -o "$svg" "$r"
assert_eq "$rc" 0 "report --format svg ($err)"
[ -s "$svg" ] || fail "report --format svg wrote nothing"
xmllint --noout "$svg" 2>"$tmpdir/xmllint.err" || fail "the SVG is not well-formed: $(head -c 500 "$tmpdir/xmllint.err")"
step_g="//*[local-name()='g'][@class='step']"
xpath() { xmllint --xpath "$1" "$svg" 2>/dev/null || :; }
assert_eq "$(xpath "count($step_g)")" 3 "step boundaries in the SVG"
# The chart's time axis runs from x 80 to x 790 over the timeline or the run, whichever is longer.
t_max=$(jq '[(.timeline.t | max), .duration_s] | max' "$r")
i=0
for name in build test package; do
        g="($step_g)[$((i + 1))]"
        assert_eq "$(xpath "string($g/*[local-name()='text'][@class='step-name'])")" "$name" "SVG label of step $i"
        assert_contains "$(xpath "string($g/*[local-name()='title'])")" "step $name: " "SVG tooltip of step $i"
        assert_contains "$(xpath "string($g/*[local-name()='title'])")" "($source)" "SVG tooltip of step $i"
        x=$(xpath "string($g/*[local-name()='line'][1]/@x1)")
        want=$(jq -n --argjson s "$(jq ".steps[$i].start_s" "$r")" --argjson m "$t_max" '80 + 710 * $s / $m')
        assert_eq "$(jq -n --argjson x "$x" --argjson w "$want" '($x - $w) | fabs < 0.11')" true \
                "SVG boundary of step $i at x $x (its start: $want)"
        i=$((i + 1))
done
# GitHub: a clean run has no annotation; the job summary has a row a step with its peak and source.
: >"$tmpdir/summary.md"
GITHUB_STEP_SUMMARY=$tmpdir/summary.md run_memcage report --format github "$r"
assert_eq "$rc" 0 "report --format github ($err)"
assert_eq "$out" "" "annotations of a clean run"
for name in build test package; do
        row=$(grep "^| $name | " "$tmpdir/summary.md") || fail "no summary row of step $name: $(cat "$tmpdir/summary.md")"
        echo "# $row"
        # The peak as the text report of the same run shows it (STEP START s DURATION s PEAK SOURCE ...).
        peak=$(awk -v n="$name" '$1 == n { print $6 }' "$tmpdir/t.txt")
        [ -n "$peak" ] || fail "no text row of step $name"
        assert_contains "$row" " | $peak ($source) | " "summary row of $name"
done

[ -s "$tmpdir/fifo" ] || fail "the command saw no MEMCAGE_STEP"
fifo=$(cat "$tmpdir/fifo")
echo "# MEMCAGE_STEP was $fifo"
[ ! -e "$fifo" ] || fail "the FIFO $fifo is left after the run"
[ ! -e "$(dirname "$fifo")" ] || fail "the FIFO's directory $(dirname "$fifo") is left after the run"

# Outside a run: an error, not a hang.
unset MEMCAGE_STEP
run_memcage step build
assert_eq "$rc" 125 "memcage step outside a run"
assert_contains "$err" "not inside memcage run" "memcage step outside a run"
# After the run: nobody reads the FIFO any more.
mkfifo "$tmpdir/dead"
MEMCAGE_STEP=$tmpdir/dead run_memcage step build
assert_eq "$rc" 125 "memcage step without a reader"

# An OOM kill in a step: one ::error, and it names the step; so do the memory.max warnings.
r3=$tmpdir/r3.json
run_memcage run --name t58o --max 64M --swap 0 --report "$r3" -- sh -c '
        echo warm > "$MEMCAGE_STEP" && "$HOG" 20 1 || exit
        echo "boom & <bust>" > "$MEMCAGE_STEP" && "$HOG" 300 1'
assert_eq "$rc" 137 "exit status of the step OOM-killed ($err)"
assert_report_valid "$r3"
assert_eq "$(jq -c '[.steps[] | [.name, .oom_kills]]' "$r3")" '[["warm",0],["boom & <bust>",1]]' "steps and their kills"
run_memcage report --format github "$r3"
assert_eq "$rc" 0 "report --format github of the OOM run ($err)"
echo "$out" | sed 's/^/# /'
assert_eq "$(printf '%s\n' "$out" | grep -c '^::error ')" 1 "::error lines of one OOM kill"
assert_contains "$(printf '%s\n' "$out" | grep '^::error ')" " in memcage/t58o (memory.max 64M) in step boom & <bust>" \
        "the ::error names the step"
assert_contains "$(printf '%s\n' "$out" | grep '^::warning .*memory.max')" "in step boom & <bust>" \
        "the memory.max warning names the step"
assert_not_contains "$out" "in step warm" "annotations of the step without events"
run_memcage report --format svg -o "$tmpdir/r3.svg" "$r3"
assert_eq "$rc" 0 "report --format svg of the OOM run ($err)"
assert_eq "$(xmllint --xpath "string(($step_g)[2]/*[local-name()='text'][@class='step-name'])" "$tmpdir/r3.svg")" \
        "boom & <bust>" "SVG label of the step with the kill, its name escaped and read back"
assert_contains "$(xmllint --xpath "string(($step_g)[2]/*[local-name()='title'])" "$tmpdir/r3.svg")" \
        ", 1 OOM kill" "SVG tooltip of the step with the kill"

# [run] user = nobody: the FIFO is the user's to write.
getent passwd nobody >/dev/null || skip "no user nobody"
cat >"$tmpdir/p.ini" <<EOP
[run]
user = nobody
EOP
step_dirs() { find /tmp /run/user -maxdepth 2 -name 'memcage-step-*' 2>/dev/null | sort || :; }
before=$(step_dirs)
r2="$tmpdir/r2.json"
run_memcage run -p "$tmpdir/p.ini" --name t58u --report "$r2" -- sh -c '
        [ "$(id -u)" != 0 ] || exit 3
        stat -c "fifo %u %a" "$MEMCAGE_STEP" && stat -c "dir %u %a" "${MEMCAGE_STEP%/*}" || exit 6
        echo first > "$MEMCAGE_STEP" || exit 4
        "$0" step second || exit 5
        "$1" 20 1' "$MEMCAGE" "$HOG"
assert_eq "$rc" 0 "exit status as nobody ($err)"
assert_report_valid "$r2"
assert_eq "$(jq -c '[.steps[].name]' "$r2")" '["first","second"]' "step names as nobody"
# The FIFO is the user's; its directory memcage's, which the user may only search.
assert_contains "$out" "fifo $(id -u nobody) 600" "the FIFO's owner and mode"
assert_contains "$out" "dir 0 711" "the directory's owner and mode"
assert_ge "$(jq '.steps[1].peak' "$r2")" $((20 * MB)) "step peak as nobody"
after=$(step_dirs)
assert_eq "$after" "$before" "the FIFO directories after the run as nobody"
[ ! -e "$cg_root/memcage/t58" ] || fail "group left behind"
