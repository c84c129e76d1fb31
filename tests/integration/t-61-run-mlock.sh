#!/bin/bash
# CAP_IPC_LOCK kept for a non-root user lets it lock more than its
# RLIMIT_MEMLOCK; without it the same lock fails.
. "$(dirname "$0")/lib.sh"

getent passwd nobody >/dev/null || skip "no user nobody"
MLOCK=${MEMCAGE_BUILDDIR:-$(dirname -- "$MEMCAGE")}/tests/mlock-test
[ -x "$MLOCK" ] || fail "no $MLOCK (make check builds it)"

printf '[memory]\nmax = 128M\n[run]\nuser = nobody\nrlimit_memlock = 1M\ncapabilities = CAP_IPC_LOCK\n' >"$tmpdir/lock.ini"

run_memcage run -p "$tmpdir/lock.ini" -- "$MLOCK" 16
assert_eq "$rc" 0 "mlock with CAP_IPC_LOCK (stderr: $err, stdout: $out)"
assert_eq "$out" "mlock 16M: ok" "mlock with CAP_IPC_LOCK"

# No capabilities at all: the 1M limit holds.
run_memcage run -p "$tmpdir/lock.ini" --set run.capabilities= -- "$MLOCK" 16
assert_eq "$rc" 1 "mlock without the capability"
assert_contains "$out" "mlock 16M: failed:" "mlock without the capability"

# Another capability instead: still refused.
run_memcage run -p "$tmpdir/lock.ini" --set run.capabilities=CAP_NET_BIND_SERVICE -- "$MLOCK" 16
assert_eq "$rc" 1 "mlock with another capability"
assert_contains "$out" "mlock 16M: failed:" "mlock with another capability"

# Within the limit it works without the capability: the failure above is the limit, not the helper.
run_memcage run -p "$tmpdir/lock.ini" --set run.capabilities= --set run.rlimit_memlock=32M -- "$MLOCK" 16
assert_eq "$rc" 0 "mlock within rlimit_memlock"
