#!/bin/bash
# memcage run --junit FILE --metrics FILE for a real run, OOM-killed and ok:
# the JUnit XML is valid against tests/render/junit.xsd and the metrics pass
# `promtool check metrics` (when xmllint and promtool are reachable in the
# VM: the host's root is shared), and every figure in them is the JSON
# report's of the same run: peak, swap peak, OOM kills, events, pressure
# stall, exit status, duration. The metrics file is replaced atomically (a
# new inode, no temporary file left in the directory, as node_exporter's
# textfile collector needs).
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"
srcdir=${MEMCAGE_SRCDIR:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)}
xsd=$srcdir/tests/render/junit.xsd
xmllint=$(command -v xmllint || :)
promtool=$(command -v promtool || :)
[ -n "$xmllint" ] || echo "# no xmllint in the VM: the JUnit files are not validated against junit.xsd"
[ -n "$promtool" ] || echo "# no promtool in the VM: the metrics files are not checked by promtool"

# The value of JUnit property NAME in FILE.
property() { # FILE NAME
        sed -n "s/^ *<property name=\"$2\" value=\"\([^\"]*\)\"\/>\$/\1/p" "$1"
}
# The value of the sample of metric NAME whose labels end in SUFFIX ('}' when none more).
metric() { # FILE NAME SUFFIX
        awk -v n="$2" -v s="$3" 'index($0, n "{") == 1 && index($0, s " ") { print $NF }' "$1"
}

# $1 name, $2 report, $3 JUnit file, $4 metrics file, $5 expected status, $6 the profile label
check_outputs() {
        local what=$1 r=$2 j=$3 m=$4 status=$5 profile=$6 vrc
        [ -s "$r" ] || fail "$what: no report"
        [ -s "$j" ] || fail "$what: --junit wrote nothing"
        [ -s "$m" ] || fail "$what: --metrics wrote nothing"
        assert_report_valid "$r"
        if [ -n "$xmllint" ]; then
                vrc=0
                "$xmllint" --noout --schema "$xsd" "$j" 2>"$tmpdir/xmllint.err" || vrc=$?
                [ "$vrc" -eq 0 ] || fail "$what: $j is not valid JUnit: $(head -c 500 "$tmpdir/xmllint.err")"
        fi
        if [ -n "$promtool" ]; then
                vrc=0
                "$promtool" check metrics <"$m" >"$tmpdir/promtool.out" 2>&1 || vrc=$?
                [ "$vrc" -eq 0 ] || fail "$what: promtool check metrics: $(head -c 500 "$tmpdir/promtool.out")"
        fi
        assert_eq "$(tail -n 1 "$m")" "# EOF" "$what: last line of the metrics"

        local peak swap_peak kills oom_kill some full status_r
        peak=$(jq -r .memory.peak "$r")
        swap_peak=$(jq -r .memory.swap_peak "$r")
        kills=$(jq -r 'if (.oom_kills | length) > 0 then .oom_kills | length else .events.oom_kill end' "$r")
        oom_kill=$(jq -r .events.oom_kill "$r")
        some=$(jq -r '.pressure.some_total_us' "$r")
        full=$(jq -r '.pressure.full_total_us' "$r")
        status_r=$(jq -r .status "$r")
        assert_eq "$status_r" "$status" "$what: report status"
        [[ $peak =~ ^[0-9]+$ ]] || fail "$what: the report has no memory.peak ($peak)"

        assert_eq "$(property "$j" memcage.peak_bytes)" "$peak" "$what: JUnit peak vs report"
        assert_eq "$(property "$j" memcage.swap_peak_bytes)" "${swap_peak/null/}" "$what: JUnit swap peak vs report"
        assert_eq "$(property "$j" memcage.oom_kills)" "$kills" "$what: JUnit OOM kills vs report"
        assert_eq "$(property "$j" memcage.exit_status)" "$status" "$what: JUnit exit status"
        assert_eq "$(property "$j" memcage.verdict)" "$(jq -r .verdict.code "$r")" "$what: JUnit verdict"
        assert_eq "$(property "$j" memcage.pressure.some_stall_seconds)" \
                "$(awk -v us="$some" 'BEGIN { printf "%d.%06d", us / 1000000, us % 1000000 }')" \
                "$what: JUnit some stall vs report"
        assert_eq "$(metric "$m" memcage_peak_bytes '}')" "$peak" "$what: memcage_peak_bytes vs report"
        if [ "$swap_peak" != null ]; then
                assert_eq "$(metric "$m" memcage_swap_peak_bytes '}')" "$swap_peak" "$what: memcage_swap_peak_bytes"
        fi
        assert_eq "$(metric "$m" memcage_oom_kills '}')" "$kills" "$what: memcage_oom_kills"
        assert_eq "$(metric "$m" memcage_events 'event="oom_kill"}')" "$oom_kill" \
                "$what: memcage_events{event=oom_kill}"
        assert_eq "$(metric "$m" memcage_events 'event="max"}')" "$(jq -r .events.max "$r")" \
                "$what: memcage_events{event=max}"
        assert_eq "$(metric "$m" memcage_pressure_stall_seconds 'kind="full"}')" \
                "$(awk -v us="$full" 'BEGIN { printf "%d.%06d", us / 1000000, us % 1000000 }')" \
                "$what: memcage_pressure_stall_seconds{kind=full}"
        assert_eq "$(metric "$m" memcage_exit_status '}')" "$status" "$what: memcage_exit_status"
        assert_eq "$(metric "$m" memcage_duration_seconds '}')" \
                "$(jq -r '.duration_s' "$r" | awk '{ printf "%.6f", $1 }')" "$what: memcage_duration_seconds"
        assert_contains "$(head -n 4 "$m")" "{profile=\"$profile\",command=\"" "$what: labels of the metrics"
}

# --- an OOM kill, under --fail-on oom: failure in the JUnit file ---------------
mkdir "$tmpdir/textfile"
m=$tmpdir/textfile/memcage.prom
echo "stale" >"$m"
before=$(stat -c %i "$m")
# The shell is out of the OOM killer's reach (oom_score_adj -1000, the hog
# back at 0): on 6.1 a second OOM while the killed hog was still exiting once
# took the shell, and the run ended 137 instead of exiting 0.
# shellcheck disable=SC2016 # $HOG is expanded by the inner shell
child='echo -1000 >/proc/self/oom_score_adj; (echo 0 >/proc/self/oom_score_adj; exec "$HOG" 300); exit 0'
run_memcage run -q --name ci-oom --max 64M --swap 0 --fail-on oom --report "$tmpdir/oom.json" \
        --junit "$tmpdir/oom.xml" --metrics "$m" -- sh -c "$child"
assert_eq "$rc" 123 "exit status of an OOM-killed child under --fail-on oom"
check_outputs "OOM run" "$tmpdir/oom.json" "$tmpdir/oom.xml" "$m" 123 ""
assert_ge "$(property "$tmpdir/oom.xml" memcage.oom_kills)" 1 "OOM run: JUnit OOM kills"
assert_contains "$(cat "$tmpdir/oom.xml")" '<testsuite name="memcage" tests="1" failures="1" errors="0"' "OOM run: JUnit counts"
assert_contains "$(cat "$tmpdir/oom.xml")" '<failure message="verdict oom-killed (group limit)' "OOM run: JUnit failure"
assert_contains "$(cat "$tmpdir/oom.xml")" '; --fail-on matched: oom" type="oom-killed">' "OOM run: JUnit failure names --fail-on"
# shellcheck disable=SC2016
assert_contains "$(cat "$tmpdir/oom.xml")" "<testcase name=\"sh -c 'echo -1000 &gt;/proc/self/oom_score_adj; (echo 0 &gt;/proc/self/oom_score_adj; exec &quot;\$HOG&quot; 300); exit 0'\" classname=\"memcage\"" \
        "OOM run: JUnit test case name and class"
assert_contains "$(cat "$tmpdir/oom.xml")" $'<system-out>verdict      oom-killed (group limit)' "OOM run: text report in system-out"
# Replaced, not rewritten in place: a reader of the old file never sees half of the new one.
[ "$(stat -c %i "$m")" != "$before" ] || fail "--metrics rewrote the file in place (same inode)"
assert_eq "$(ls -A "$tmpdir/textfile")" memcage.prom "files in the textfile directory after the run"

# --- an ok run, with a profile: no failure ---------------------------------------
cat >"$tmpdir/ci57.ini" <<'INI'
[memory]
max = 128M
INI
run_memcage run -q -p "$tmpdir/ci57.ini" --name ci-ok --report "$tmpdir/ok.json" --junit "$tmpdir/ok.xml" \
        --metrics "$tmpdir/ok.prom" -- "$HOG" 16
assert_eq "$rc" 0 "exit status of an ok run"
check_outputs "ok run" "$tmpdir/ok.json" "$tmpdir/ok.xml" "$tmpdir/ok.prom" 0 "$tmpdir/ci57.ini"
assert_ge "$(property "$tmpdir/ok.xml" memcage.peak_bytes)" $((16 << 20)) "ok run: JUnit peak of a 16 MiB hog"
assert_eq "$(property "$tmpdir/ok.xml" memcage.oom_kills)" 0 "ok run: JUnit OOM kills"
assert_contains "$(cat "$tmpdir/ok.xml")" 'failures="0" errors="0"' "ok run: JUnit counts"
assert_not_contains "$(cat "$tmpdir/ok.xml")" '<failure' "ok run: JUnit failure"
assert_contains "$(cat "$tmpdir/ok.xml")" "<testcase name=\"$HOG 16\" classname=\"$tmpdir/ci57.ini\"" \
        "ok run: JUnit test case name and class (the profile)"
# The command's name, not its arguments: a label that changes with them makes a new series per run.
assert_contains "$(cat "$tmpdir/ok.prom")" "memcage_exit_status{profile=\"$tmpdir/ci57.ini\",command=\"hog\"} 0" \
        "ok run: metrics labels"
assert_not_contains "$(cat "$tmpdir/ok.prom")" "command=\"$HOG" "ok run: metrics labels without the path"
assert_eq "$(grep '^# TYPE ' "$tmpdir/ok.prom" | awk '$4 != "gauge"' | wc -l)" 0 "ok run: every family a gauge"
