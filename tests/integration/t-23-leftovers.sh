#!/bin/bash
# Processes the command leaves behind are killed when it exits, unless --wait-all.
. "$(dirname "$0")/lib.sh"

run_memcage run --name left --report "$tmpdir/r.json" -- sh -c "sleep 300 & echo \$! > $tmpdir/bg.pid; exit 0"
assert_eq "$rc" 0 "exit status of the command"
bg=$(cat "$tmpdir/bg.pid")
# The orphan is reaped by init; it must at least not be running any more.
if [ -d "/proc/$bg" ] && [ "$(awk '{print $3}' "/proc/$bg/stat" 2>/dev/null)" != Z ]; then
        fail "background process $bg still running"
fi
assert_eq "$(jq -r .leftovers_killed "$tmpdir/r.json")" 1 "report leftovers_killed"
[ ! -e "$cg_root/memcage/left" ] || fail "group left behind"

# --wait-all: memcage returns only after the background work finished.
run_memcage run --name waitall --wait-all --report "$tmpdir/w.json" -- sh -c "(sleep 1; touch $tmpdir/done) & exit 5"
assert_eq "$rc" 5 "exit status is the command's, not the leftover's"
[ -e "$tmpdir/done" ] || fail "--wait-all returned before the background process finished"
assert_eq "$(jq -r .leftovers_killed "$tmpdir/w.json")" 0 "nothing killed with --wait-all"
[ ! -e "$cg_root/memcage/waitall" ] || fail "group left behind"
