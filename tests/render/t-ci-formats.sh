#!/bin/bash
# tests/render/t-ci-formats.sh: `memcage report -f junit` is valid against
# tests/render/junit.xsd (the JUnit XML Jenkins and GitLab accept) and
# `memcage report -f openmetrics` passes `promtool check metrics`, for the
# fixture reports: an OOM-killed run, an ok run, and a command line full of
# quotes, control characters and newlines. Checks that both validators do
# refuse a broken document, and what --fail-on adds to the JUnit failure. The
# metrics: per-run values typed as gauges, labelled with the profile and the
# command's name (never its arguments), one OOM kill counted once.
# Prints TAP; run on the host by tests/run-suite. Skips what needs xmllint
# (libxml2-utils) or promtool (prometheus) when they are not installed.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
srcdir=${MEMCAGE_SRCDIR:-$here/../..}
memcage=${MEMCAGE:-${MEMCAGE_BUILDDIR:-.}/memcage}
xsd=$srcdir/tests/render/junit.xsd
data=$srcdir/tests/unit/data
# The expected strings hold characters beyond ASCII ($'\ufeff'), which bash
# and xmllint only write as UTF-8 in a UTF-8 locale: rpmbuild's %check runs
# in the C locale, where point 9 failed.
export LC_ALL=C.UTF-8
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memcage-ci-formats.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
have_xmllint=$(command -v xmllint || :)
have_promtool=$(command -v promtool || :)

fixtures=(report-full report-ok report-crafted report-oom-group)
echo "1..$((${#fixtures[@]} * 2 + 5))"

# $1 format, $2 fixture, $3 output; the rendering must succeed and not be empty.
render() {
        local rc=0
        "$memcage" report -f "$1" -o "$3" "$data/$2.json" 2>"$tmp/err" || rc=$?
        if [ "$rc" -ne 0 ] || ! [ -s "$3" ]; then
                not_ok "$2 -f $1: exit $rc, $(wc -c <"$3" 2>/dev/null || echo no) bytes: $(head -c 300 "$tmp/err")"
                return 1
        fi
}

for f in "${fixtures[@]}"; do
        if render junit "$f" "$tmp/$f.xml"; then
                if [ -z "$have_xmllint" ]; then
                        skip "$f -f junit: no xmllint (libxml2-utils)"
                elif xmllint --noout --schema "$xsd" "$tmp/$f.xml" 2>"$tmp/err"; then
                        ok "$f -f junit: valid against junit.xsd"
                else
                        not_ok "$f -f junit: $(head -c 500 "$tmp/err")"
                fi
        fi
        if render openmetrics "$f" "$tmp/$f.prom"; then
                if [ -z "$have_promtool" ]; then
                        skip "$f -f openmetrics: no promtool (prometheus)"
                elif promtool check metrics <"$tmp/$f.prom" >"$tmp/err" 2>&1; then
                        ok "$f -f openmetrics: promtool check metrics passes"
                else
                        not_ok "$f -f openmetrics: $(head -c 500 "$tmp/err")"
                fi
        fi
done

# The validators can fail: a raw control character, an element the schema
# does not know; an unescaped quote in a label value.
if [ -n "$have_xmllint" ] && [ -s "$tmp/report-ok.xml" ]; then
        sed 's/make check/make\x01check/' "$tmp/report-ok.xml" >"$tmp/bad1.xml"
        sed 's|<system-out>|<stdout/><system-out>|' "$tmp/report-ok.xml" >"$tmp/bad2.xml"
        if ! xmllint --noout --schema "$xsd" "$tmp/bad1.xml" 2>/dev/null &&
                ! xmllint --noout --schema "$xsd" "$tmp/bad2.xml" 2>/dev/null; then
                ok "xmllint refuses a control character and an unknown element"
        else
                not_ok "xmllint accepted a broken JUnit document"
        fi
else
        skip "no xmllint, or no JUnit rendering to break"
fi
if [ -n "$have_promtool" ] && [ -s "$tmp/report-ok.prom" ]; then
        sed 's/command="make"/command="ma"ke"/' "$tmp/report-ok.prom" >"$tmp/bad.prom"
        if ! promtool check metrics <"$tmp/bad.prom" >/dev/null 2>&1; then
                ok "promtool refuses an unescaped quote in a label value"
        else
                not_ok "promtool accepted a broken exposition"
        fi
else
        skip "no promtool, or no metrics to break"
fi

# What the XML says, read back by a parser: the command line, the profile, the outcome.
if [ -n "$have_xmllint" ] && [ -s "$tmp/report-crafted.xml" ] && [ -s "$tmp/report-ok.xml" ]; then
        name=$(xmllint --xpath 'string(/testsuite/testcase/@name)' "$tmp/report-crafted.xml")
        class=$(xmllint --xpath 'string(/testsuite/testcase/@classname)' "$tmp/report-crafted.xml")
        type=$(xmllint --xpath 'string(/testsuite/testcase/failure/@type)' "$tmp/report-crafted.xml")
        want_name=$'sh -c \'printf \'\\\'\'"a"\\tb\\n\'\\\'\' \\x1b[2J\r\n]]> & \\\\ \\xc2\\x85\\x7f\\xef\\xbf\\xbe\ufeff\tend\' '
        if [ "${name:0:${#want_name}}" = "$want_name" ] && [ "$class" = $'p"q\\r\nz' ] &&
                [ "$type" = pressure-killed ] &&
                [ "$(xmllint --xpath 'count(//failure)' "$tmp/report-ok.xml")" = 0 ]; then
                ok "the crafted command line and profile read back as escaped; an unknown verdict fails"
        else
                not_ok "read back: name '${name:0:80}', classname '$class', failure type '$type'"
        fi
else
        skip "no xmllint, or no JUnit renderings"
fi

# --fail-on: the matched conditions in the failure, exit 123; no match, no failure.
rc=0
"$memcage" report -f junit --fail-on any "$data/report-full.json" >"$tmp/fo.xml" 2>"$tmp/err" || rc=$?
rc2=0
"$memcage" report -f junit --fail-on oom "$data/report-ok.json" >"$tmp/fo2.xml" 2>"$tmp/err2" || rc2=$?
if [ "$rc" -eq 123 ] && [ "$rc2" -eq 0 ] &&
        grep -qF 'message="verdict oom-killed (group limit): hog (pid 4251); --fail-on matched: oom, high, max, swap, pressure"' "$tmp/fo.xml" &&
        grep -qF 'failures="0" errors="0"' "$tmp/fo2.xml" && ! grep -q '<failure' "$tmp/fo2.xml"; then
        ok "--fail-on any: exit 123, the failure names oom, high, max, swap, pressure; no match on an ok run"
else
        not_ok "--fail-on: exit $rc/$rc2: $(grep -o '<failure[^>]*>' "$tmp/fo.xml" || :) $(head -c 200 "$tmp/err")"
fi

# The metrics of every fixture: gauges only (one run's values, replaced by the next run's), labels the
# profile and the command's name; memory.oom.group's victim counted twice is one OOM kill.
bad=""
for f in "${fixtures[@]}"; do
        [ -s "$tmp/$f.prom" ] || { bad+=" $f: no metrics;"; continue; }
        types=$(grep '^# TYPE ' "$tmp/$f.prom" | awk '$4 != "gauge" { print $3 }')
        [ -z "$types" ] || bad+=" $f: not gauges: $types;"
        labels=$(grep -v '^#' "$tmp/$f.prom" | grep -o 'command="[^"]*"' | sort -u)
        [ "$(printf '%s\n' "$labels" | grep -c .)" = 1 ] || bad+=" $f: command labels: $labels;"
        ! grep -q '_total{' "$tmp/$f.prom" || bad+=" $f: a _total name;"
done
grep -qxF 'memcage_exit_status{profile="ci",command="make"} 0' "$tmp/report-ok.prom" || bad+=" report-ok: labels;"
grep -qxF 'memcage_exit_status{profile="ci",command="sh"} 123' "$tmp/report-full.prom" || bad+=" report-full: labels;"
grep -qxF 'memcage_oom_kills{profile="ci",command="hog"} 1' "$tmp/report-oom-group.prom" &&
        grep -qxF 'memcage_events{profile="ci",command="hog",event="oom_kill"} 2' "$tmp/report-oom-group.prom" ||
        bad+=" report-oom-group: OOM kills;"
if [ -z "$bad" ]; then
        ok "metrics: gauges, labelled with the profile and the command's name; one OOM kill counted once"
else
        not_ok "metrics:$bad"
fi
