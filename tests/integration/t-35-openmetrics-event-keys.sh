#!/bin/bash
# OpenMetrics escapes an event key that a report handed to `memcage report`
# names, as it escapes every other label: no control character on a line.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"
command -v jq >/dev/null || skip "jq is not installed"

# Control bytes other than the newline that ends a line; prints the first offending line.
assert_no_controls() { # TEXT WHAT
        local bad
        bad=$(LC_ALL=C grep -n "[$(printf '\001-\011\013-\037\177')]" <<<"$1" | head -n 1 | cat -v) || true
        [ -z "$bad" ] || fail "$2: a control character on a line: $bad"
}

# --- OpenMetrics: an event key a report names ---
run_memcage run -q --max 64M --report "$tmpdir/r.json" -- true
assert_eq "$rc" 0 "run for a report ($err)"
jq '.events["x\u001b]0;owned\u0007"] = 3' "$tmpdir/r.json" >"$tmpdir/crafted.json"
[ -s "$tmpdir/crafted.json" ] || fail "could not craft the report"
run_memcage report --format openmetrics "$tmpdir/crafted.json"
assert_eq "$rc" 0 "report --format openmetrics ($err)"
assert_no_controls "$out" "openmetrics"
assert_contains "$out" 'event="x\\x1b]0;owned\\x07"} 3' "the event key, escaped"
