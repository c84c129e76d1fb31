#!/bin/bash
# The "group ...: max=..." line reaches stderr in one write(), so that it
# cannot interleave with another launcher's output on a shared terminal.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || skip "needs strace"
rc=0
# LeakSanitizer cannot run under ptrace: a sanitizer build leaves it out here.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=write -e signal=none -s 512 -o "$tmpdir/strace" \
        "$MEMCAGE" run --max 64M --swap 0 --name t-27 -- true 2>"$tmpdir/.stderr" || rc=$?
err=$(cat -- "$tmpdir/.stderr")
assert_eq "$rc" 0 "run under strace"
assert_contains "$err" "memcage: group memcage/t-27: max=64M swap.max=0" "the limits line"
writes=$(grep -F 'write(2, ' "$tmpdir/strace")
assert_contains "$writes" 'write(2, "memcage: group memcage/t-27: max=64M swap.max=0\n", ' "one write of the whole line"
assert_eq "$(grep -cF 'group memcage/t-27:' <<<"$writes")" 1 "the line is written once"
