#!/bin/bash
# A reader of memcage's stderr that goes away does not end the launcher:
# `memcage run ... 2>&1 | head -c 1` while the command is throttled at
# memory.high (live lines keep coming) still supervises to the end, returns
# the command's status, writes the report and removes the group. The command
# itself starts with SIGPIPE at its default (memcage ignores it only for
# itself).
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"

r=$tmpdir/r.json
{
        "$MEMCAGE" run --name t64 --high 8M --report "$r" -- sh -c '
                grep SigIgn /proc/self/status > "$0"
                "$1" 24 2' "$tmpdir/sigign" "$HOG"
        echo $? >"$tmpdir/rc"
} 2>&1 | head -c 1 >/dev/null
[ -s "$tmpdir/rc" ] || fail "memcage's status was not recorded"
assert_eq "$(cat "$tmpdir/rc")" 0 "memcage's exit status with its stderr reader gone"
[ -s "$r" ] || fail "no report written"
assert_report_valid "$r"
assert_eq "$(jq -r .exit.code "$r")" 0 "report exit.code"
assert_ge "$(jq -r .events.high "$r")" 1 "events.high: the live lines had something to say"
[ ! -e "$cg_root/memcage/t64" ] || fail "group left behind"
# SigIgn is a hex mask; SIGPIPE (13) is bit 12.
[ -s "$tmpdir/sigign" ] || fail "the command did not record its SigIgn"
mask=$(awk '{ print $2 }' "$tmpdir/sigign")
assert_eq "$(( 0x$mask & 0x1000 ))" 0 "SIGPIPE ignored in the command (SigIgn $mask)"
