#!/bin/bash
# tests/render/t-crafted-reports.sh: `memcage report` on crafted reports (the
# regression inputs of tests/fuzz/regressions/report) refuses each with exit
# 125 and the field that is wrong, within seconds and without a sanitizer
# report, in every format; the fixture report still renders. Prints TAP; run
# on the host by tests/run-suite.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
srcdir=${MEMCAGE_SRCDIR:-$here/../..}
memcage=${MEMCAGE:-${MEMCAGE_BUILDDIR:-.}/memcage}
crafted=$srcdir/tests/fuzz/regressions/report
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memcage-crafted.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }

# file|field the message must name
cases=(
        "timeline-near-dbl-max-svg-loop.json|timeline.memory_current[1]"
        "real-above-2e64-ubsan.json|processes.top[0].pss"
        "negative-limit.json|limits.max"
)
echo "1..$((${#cases[@]} * 6 + 1))"
for c in "${cases[@]}"; do
        file=$crafted/${c%%|*} field=${c#*|}
        [ -s "$file" ] || { not_ok "$file is missing or empty"; continue; }
        for format in text json svg github junit openmetrics; do
                rc=0
                timeout 20 "$memcage" report -f "$format" "$file" >"$tmp/out" 2>"$tmp/err" || rc=$?
                msg=$(head -c 300 "$tmp/err")
                if [ "$rc" -eq 125 ] && grep -qF "report field $field" "$tmp/err" && ! [ -s "$tmp/out" ] &&
                        ! grep -q 'runtime error\|Sanitizer' "$tmp/err"; then
                        ok "${c%%|*} -f $format: exit 125 naming $field"
                else
                        not_ok "${c%%|*} -f $format: exit $rc (want 125 naming $field): $msg"
                fi
        done
done
rc=0
"$memcage" report -f svg "$srcdir/tests/unit/data/report-full.json" >"$tmp/full.svg" 2>"$tmp/err" || rc=$?
if [ "$rc" -eq 0 ] && grep -q '</svg>' "$tmp/full.svg"; then
        ok "the fixture report still renders"
else
        not_ok "the fixture report: exit $rc: $(head -c 300 "$tmp/err")"
fi
