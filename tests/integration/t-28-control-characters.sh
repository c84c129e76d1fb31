#!/bin/bash
# What the caged command controls never reaches the terminal raw: a process
# that names itself with xterm's clear-screen sequence
# (PR_SET_NAME, as /proc/PID/comm then shows it) appears escaped in the text
# report on stderr, and a profile name full of control characters is quoted
# escaped in the error message (xterm's title sequence).
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"

esc=$(printf '\033')
# 15 = PR_SET_NAME: ESC [ 2 J (clear the screen) and "hog", short enough
# escaped for the NAME column of the process table.
run_memcage run --name t26 --text - -- python3 -c '
import ctypes, time
ctypes.CDLL(None).prctl(15, bytes([27]) + b"[2Jhog", 0, 0, 0)
x = bytearray(48 << 20)
time.sleep(1)
'
assert_eq "$rc" 0 "exit status ($err)"
assert_contains "$err" '\x1b[2Jhog' "the process name, escaped, in the text report"
assert_not_contains "$err" "$esc" "no raw ESC on stderr"

run_memcage run -p "$(printf 'x\033]0;owned\007')" -- true
assert_eq "$rc" 125 "exit status for a profile that does not exist"
assert_contains "$err" 'x\x1b]0;owned\x07' "the profile name, escaped, in the error"
assert_not_contains "$err" "$esc" "no raw ESC in the error"
[ ! -e "$cg_root/memcage/t26" ] || fail "group left behind"
