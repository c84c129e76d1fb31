#!/bin/bash
# tests/render/t-schema.sh: docs/report-schema.json accepts memcage's reports
# and rejects what schema 1 forbids. Validates the full fixture report and a
# report memcage writes here for a run that fails before the command starts,
# then broken copies of the fixture (a wrong type, a missing key, an unknown
# verdict code, ...), each of which must be rejected at the right JSON path.
# Prints TAP; run on the host by tests/run-suite after the unit tests. Skips
# without python3's jsonschema module.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
srcdir=${MEMCAGE_SRCDIR:-$here/../..}
memcage=${MEMCAGE:-${MEMCAGE_BUILDDIR:-.}/memcage}
schema=$srcdir/docs/report-schema.json
validate=$srcdir/tests/validate-report
fixture=$srcdir/tests/unit/data/report-full.json
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memcage-schema.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }

# name|JSON path the error must name|python statement on the document d
broken=(
        "wrong type: memory.peak a string|$.memory.peak|d['memory']['peak'] = '64M'"
        "missing required key: status|\$|del d['status']"
        "missing required key: verdict.text|$.verdict|del d['verdict']['text']"
        "unknown verdict code|$.verdict.code|d['verdict']['code'] = 'oom'"
        "verdict text of another code|$.verdict.text|d['verdict'].update(code='ok', cause=None)"
        "unknown key in verdict|$.verdict|d['verdict']['why'] = 'x'"
        "unknown top-level key|\$|d['memory_peak'] = 1"
        "unknown launch|$.launch|d['launch'] = 'vfork'"
        "byte count as a real|$.events_local.max|d['events_local']['max'] = 1.5"
        "negative counter|$.events.high|d['events']['high'] = -1"
        "unknown log type|$.log[2].type|d['log'][2]['type'] = 'maximum'"
        "log line with a field of another type|$.log[1]|d['log'][1]['swap_current'] = 0"
        "hugetlb size without events_max|$.hugetlb['2MB']|del d['hugetlb']['2MB']['events_max']"
        "unknown swap_peak_source|$.memory.swap_peak_source|d['memory']['swap_peak_source'] = 'guessed'"
        "eleven processes|$.processes.top|d['processes']['top'] = d['processes']['top'] * 6"
        "unknown fail_on condition|$.fail_on.conditions[0]|d['fail_on'] = {'conditions': ['oops'], 'matched': []}"
        "run.uid a string|$.run.uid|d['run'] = {'user': 'nobody', 'uid': '65534', 'gid': None, 'groups': None, 'capabilities': None}"
)

if ! python3 -c 'import jsonschema' 2>/dev/null; then
        echo "1..0 # SKIP python3's jsonschema module is missing (Debian: python3-jsonschema)"
        exit 0
fi
echo "1..$((4 + ${#broken[@]}))"

check_valid() { # WHAT FILE
        local msg
        if msg=$("$validate" "$schema" "$2" 2>&1); then
                ok "$1 validates"
        else
                not_ok "$1 validates"
                printf '  # %s\n' "${msg//$'\n'/$'\n  # '}"
        fi
}

check_valid "the full fixture report" "$fixture"

# A run that fails before the command starts: every observation null.
rc=0
"$memcage" run --report "$tmp/early.json" -p memcage-no-such-profile -- true 2>/dev/null || rc=$?
if [ "$rc" -ne 0 ] && [ -s "$tmp/early.json" ]; then
        check_valid "the report of a run that failed before the start (status $rc)" "$tmp/early.json"
else
        not_ok "memcage run with a missing profile wrote a report and failed (status $rc)"
fi

# The run object and fail_on, as --user and --fail-on write them.
python3 - "$fixture" "$tmp/user.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["run"] = {"user": "nobody", "uid": 65534, "gid": 65534, "groups": [], "capabilities": ["CAP_IPC_LOCK"]}
d["fail_on"] = {"conditions": ["oom", "high", "max", "swap", "hugetlb", "pressure"], "matched": ["oom", "max"]}
d["verdict"] = {"code": "killed", "cause": None, "signal": 9, "text": "killed (signal 9)"}
json.dump(d, open(sys.argv[2], "w"))
PY
check_valid "a report with run, fail_on and a killed verdict" "$tmp/user.json"

# The schema must not be satisfied by anything: an empty object is rejected.
echo '{}' >"$tmp/empty.json"
if ! "$validate" "$schema" "$tmp/empty.json" >/dev/null 2>&1; then
        ok "an empty object is rejected"
else
        not_ok "an empty object is rejected"
fi

for b in "${broken[@]}"; do
        IFS='|' read -r what where code <<<"$b"
        python3 - "$fixture" "$tmp/bad.json" "$code" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
        rc=0
        msg=$("$validate" "$schema" "$tmp/bad.json" 2>&1) || rc=$?
        if [ "$rc" -eq 1 ] && grep -qF -- ": $where: " <<<"$msg"; then
                ok "rejected: $what ($where)"
        else
                not_ok "rejected: $what ($where): status $rc"
                printf '  # %s\n' "${msg//$'\n'/$'\n  # '}"
        fi
done
