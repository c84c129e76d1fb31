#!/bin/bash
# A grandchild is OOM-killed while the command survives and exits 0: the
# verdict is still oom-killed, and the victim is the grandchild.
. "$(dirname "$0")/lib.sh"

# The OOM killer's report on a serial console takes seconds in the VM: keep it in the log only.
if [ -w /proc/sys/kernel/printk ]; then
        printk=$(cat /proc/sys/kernel/printk)
        on_exit "echo '$printk' >/proc/sys/kernel/printk"
        echo 1 >/proc/sys/kernel/printk
fi

r=$tmpdir/r.json
# shellcheck disable=SC2016 # expanded by the inner shell
run_memcage run --name ev41 --max 64M --swap 0 --report "$r" -- sh -c '"$HOG" 300; echo survived; exit 0'
assert_eq "$rc" 0 "exit status of the surviving command"
assert_contains "$out" survived "stdout"
assert_eq "$(jq -r .exit.code "$r")" 0 "exit.code"
assert_eq "$(jq -r .verdict.code "$r")" oom-killed "verdict.code"
assert_eq "$(jq -r .verdict.text "$r")" "oom-killed (group limit)" "verdict.text"
assert_eq "$(jq -r .verdict.signal "$r")" null "verdict.signal"
assert_ge "$(jq -r .events.oom_kill "$r")" 1 "events.oom_kill"
assert_eq "$(jq -r '.oom_kills[0].name' "$r")" hog "victim name"
pid=$(jq -r '.oom_kills[0].pid' "$r")
cmd=$(jq -r '.log[] | select(.type == "start") | .pid' "$r")
[ "$pid" != "$cmd" ] || fail "the victim is the command itself, not the grandchild"
dmesg | grep -q "Killed process $pid (hog)" || fail "no 'Killed process $pid (hog)' in the kernel log"
assert_contains "$err" "OOM kill: hog (pid $pid) by the group limit" "stderr"
assert_eq "$(jq -r '.log[-1].type' "$r")" exit "last log entry"
assert_eq "$(jq -r '.log[-1].verdict' "$r")" "oom-killed (group limit)" "exit event verdict"

# memory.oom.group: one OOM kills the whole group; every kill the kernel
# counts has its victim from the kernel log, the shell among them.
ev=$tmpdir/events.jsonl
# shellcheck disable=SC2016 # expanded by the inner shell
run_memcage run --name ev41g --max 64M --swap 0 --set memory.oom.group=1 --events "$ev" --report "$r" -- \
        sh -c '"$HOG" 300; echo survived'
assert_eq "$rc" 137 "exit status of a group killed by memory.oom.group"
assert_not_contains "$out" survived "stdout"
assert_ge "$(jq -r .events.oom_group_kill "$r")" 1 "events.oom_group_kill"
kills=$(jq -r .events.oom_kill "$r")
assert_ge "$kills" 2 "events.oom_kill (the hog and the shell)"
assert_eq "$(jq -r '.oom_kills | length' "$r")" "$kills" "oom_kills entries"
assert_eq "$(jq -r '[.oom_kills[] | select(.name == null)] | length' "$r")" 0 "unnamed victims"
cmd=$(jq -r '.log[] | select(.type == "start") | .pid' "$r")
assert_eq "$(jq -r --argjson p "$cmd" '[.oom_kills[] | select(.pid == $p)][0].name' "$r")" sh "the shell's kill"
assert_contains "$err" "OOM kill: sh (pid $cmd) by the group limit" "stderr"
assert_contains "$err" "OOM group kill" "stderr"
assert_ge "$(jq -s '[.[] | select(.type == "oom_group_kill")] | length' "$ev")" 1 "oom_group_kill events"
