#!/bin/bash
# tests/render/t-compare.sh: `memcage report --baseline` on the fixture
# reports: the comparison as text and as JSON, --fail-on thresholds (exit 123,
# the comparison still written), and the usage and baseline errors with their
# exit statuses. Prints TAP; run on the host by tests/run-suite.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
srcdir=${MEMCAGE_SRCDIR:-$here/../..}
memcage=${MEMCAGE:-${MEMCAGE_BUILDDIR:-.}/memcage}
data=$srcdir/tests/unit/data
old=$data/report-baseline.json new=$data/report-full.json
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memcage-compare.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { # WHAT COMMAND...: ok when the command succeeds
        local what=$1
        shift
        if "$@"; then ok "$what"; else not_ok "$what"; fi
}
report() { # ARGS...: rc, out, err
        rc=0
        "$memcage" report "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
}

echo "1..14"

report --baseline "$old" "$new"
check "text: exit 0 without --fail-on (got $rc)" [ "$rc" -eq 0 ]
check "text: the peak line with old, new, change and the mark" \
        grep -qxF "peak                  48M          64M     +33.3%  worse" "$tmp/out"
check "text: processes matched by name" grep -q "^  hog .* 44M .* 61.25M .*+39.2%  worse$" "$tmp/out"

report -b "$old" --format json "$new"
if [ "$rc" -eq 0 ] && [ -s "$tmp/out" ] &&
        [ "$(jq -c '.metrics[] | select(.metric == "peak") | [.old, .new, .delta, .worse]' "$tmp/out")" = \
                "[50331648,67108864,16777216,true]" ]; then
        ok "json: the peak metric"
else
        not_ok "json: exit $rc, $(head -c 300 "$tmp/out")"
fi
check "json: no fail_on without --fail-on" [ "$(jq -c 'has("fail_on")' "$tmp/out")" = false ]

report -b "$old" -f json --fail-on oom,peak+10%,duration+20% "$new"
check "json --fail-on peak+10%: exit 123 (got $rc)" [ "$rc" -eq 123 ]
if [ -s "$tmp/out" ] && [ "$(jq -c '.fail_on | [.matched, [.thresholds[] | [.threshold, .matched, .old, .new]]]' \
        "$tmp/out")" = '[["oom"],[["peak+10%",true,50331648,67108864],["duration+20%",false,3.5,4.137]]]' ]; then
        ok "json --fail-on: the thresholds with old and new in fail_on"
else
        not_ok "json --fail-on: $(jq -c .fail_on "$tmp/out" 2>&1 | head -c 300)"
fi
check "json --fail-on: the match named on stderr" \
        grep -qF "report: --fail-on matched: oom, peak+10% (64M over 52.8M)" "$tmp/err"

report -b "$old" --fail-on peak+64M "$new"
check "--fail-on peak+64M within the margin: exit 0 (got $rc)" [ "$rc" -eq 0 ]

report --fail-on peak+10% "$new"
check "a threshold without --baseline: exit 125 saying so (got $rc)" \
        bash -c '[ '"$rc"' -eq 125 ] && grep -q "judged against a baseline" "$0" && ! [ -s "$1" ]' "$tmp/err" "$tmp/out"
report -b "$old" --fail-on peak+10x "$new"
check "a bad threshold: exit 125 naming it (got $rc)" \
        bash -c '[ '"$rc"' -eq 125 ] && grep -q "threshold .peak+10x." "$0"' "$tmp/err"
report -b "$old" -f svg "$new"
check "--baseline with svg: exit 125 (got $rc)" [ "$rc" -eq 125 ]

report -b "$srcdir/tests/fuzz/regressions/report/negative-limit.json" "$new"
check "a bad baseline: exit 125 naming the file and the field (got $rc)" \
        bash -c '[ '"$rc"' -eq 125 ] && grep -q "baseline .*negative-limit.json: .*limits.max" "$0" && ! [ -s "$1" ]' \
        "$tmp/err" "$tmp/out"
report -b "$tmp/missing.json" "$new"
check "a missing baseline: exit 125 naming it (got $rc)" \
        bash -c '[ '"$rc"' -eq 125 ] && grep -q "missing.json" "$0"' "$tmp/err"
