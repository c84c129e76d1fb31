#!/bin/bash
# A group-limit OOM kill seen live: an oom_kill line on stderr naming the
# victim, the --events file as JSON lines (start, oom_kill, exit), and the
# report's verdict and oom_kills with the victim's name and pid.
. "$(dirname "$0")/lib.sh"

# The OOM killer's report on a serial console takes seconds in the VM: keep it in the log only.
if [ -w /proc/sys/kernel/printk ]; then
        printk=$(cat /proc/sys/kernel/printk)
        on_exit "echo '$printk' >/proc/sys/kernel/printk"
        echo 1 >/proc/sys/kernel/printk
fi

ev=$tmpdir/events.jsonl r=$tmpdir/r.json
run_memcage run --name ev40 --max 64M --swap 0 --events "$ev" --report "$r" -- "$HOG" 300
assert_eq "$rc" 137 "exit status of the OOM-killed command"
assert_report_valid "$r"
assert_eq "$(jq -r .verdict.code "$r")" oom-killed "verdict.code"
assert_eq "$(jq -r .verdict.cause "$r")" group-limit "verdict.cause"
assert_eq "$(jq -r .verdict.text "$r")" "oom-killed (group limit)" "verdict.text"
assert_eq "$(jq -r .verdict.signal "$r")" 9 "verdict.signal"

# The kernel counted the kill; the report has one entry per counted kill.
kills=$(jq -r .events.oom_kill "$r")
assert_ge "$kills" 1 "events.oom_kill"
assert_eq "$(jq -r '.oom_kills | length' "$r")" "$kills" "oom_kills entries"
assert_eq "$(jq -r '.oom_kills[0].name' "$r")" hog "oom_kills[0].name"
assert_eq "$(jq -r '.oom_kills[0].cause' "$r")" group-limit "oom_kills[0].cause"
pid=$(jq -r '.log[] | select(.type == "start") | .pid' "$r")
assert_eq "$(jq -r '.oom_kills[0].pid' "$r")" "$pid" "oom_kills[0].pid (the command itself)"
# And the kernel log says the same about that pid.
dmesg | grep -q "Killed process $pid (hog)" || fail "no 'Killed process $pid (hog)' in the kernel log"

assert_contains "$err" "OOM kill: hog (pid $pid) by the group limit (max 64M)" "stderr"
[[ $err =~ memcage:\ \+[0-9]+\.[0-9][0-9]s\ OOM\ kill ]] || fail "the oom_kill line lacks the +T.TTs prefix: $err"

# Every line of the events file is one JSON object.
n=0
while IFS= read -r line; do
        jq -e -c . <<<"$line" >/dev/null || fail "events line $((n + 1)) is not JSON: $line"
        n=$((n + 1))
done <"$ev"
assert_ge "$n" 3 "lines in the events file"
assert_eq "$(head -n1 "$ev" | jq -r .type)" start "first event"
assert_eq "$(head -n1 "$ev" | jq -r .cgroup)" memcage/ev40 "start.cgroup"
assert_eq "$(tail -n1 "$ev" | jq -r .type)" exit "last event"
assert_eq "$(tail -n1 "$ev" | jq -r .verdict)" "oom-killed (group limit)" "exit.verdict"
assert_eq "$(tail -n1 "$ev" | jq -r .code)" 137 "exit.code"
assert_eq "$(jq -s -r '[.[] | select(.type == "oom_kill")][0].name' "$ev")" hog "oom_kill event name"
assert_eq "$(jq -s -r '[.[] | select(.type == "oom_kill")][0].pid' "$ev")" "$pid" "oom_kill event pid"
# The report's log is the events file.
assert_eq "$(jq -c '.log' "$r")" "$(jq -s -c . "$ev")" "report log vs events file"
assert_eq "$(jq -r .log_truncated "$r")" false "log_truncated"

# --quiet silences the lines, not the file.
run_memcage run --quiet --name ev40q --max 64M --swap 0 --events "$ev" -- "$HOG" 300
assert_eq "$rc" 137 "exit status with --quiet"
assert_not_contains "$err" "OOM kill" "stderr with --quiet"
assert_eq "$(jq -s -r '[.[] | select(.type == "oom_kill")] | length' "$ev")" 1 "oom_kill events with --quiet"

# An events file that cannot be opened stops memcage before the command runs.
run_memcage run --name ev40x --max 64M --events "$tmpdir/no/such/dir/e" -- touch "$tmpdir/ran"
assert_eq "$rc" 125 "exit status with an unwritable events file"
assert_contains "$err" "cannot open the events file $tmpdir/no/such/dir/e" "stderr"
[ ! -e "$tmpdir/ran" ] || fail "the command ran although the events file could not be opened"

# The events file as root: never through a symbolic link (the target is
# left whole), a FIFO without a reader is an error at once (no hang), a
# FIFO with a reader gets the lines, a directory is refused.
echo keep >"$tmpdir/target"
ln -s "$tmpdir/target" "$tmpdir/link"
run_memcage run --name ev40l --events "$tmpdir/link" -- touch "$tmpdir/ran"
assert_eq "$rc" 125 "exit status with a symlinked events file"
assert_contains "$err" "cannot open the events file $tmpdir/link: a symbolic link" "stderr"
assert_eq "$(cat "$tmpdir/target")" keep "the symlink's target is untouched"
mkfifo "$tmpdir/fifo"
start=$SECONDS
run_memcage run --name ev40f --events "$tmpdir/fifo" -- touch "$tmpdir/ran"
assert_eq "$rc" 125 "exit status with a FIFO without a reader"
assert_contains "$err" "a FIFO without a reader" "stderr"
assert_le $((SECONDS - start)) 10 "seconds memcage took to refuse a FIFO without a reader"
[ ! -e "$tmpdir/ran" ] || fail "the command ran although the events file could not be opened"
# The reader counts once its open() has begun; until the shell has got cat
# that far, memcage rightly sees no reader: try again for a few seconds.
timeout 60 cat "$tmpdir/fifo" >"$tmpdir/from-fifo" &
reader=$!
for _ in $(seq 50); do
        run_memcage run --name ev40r --events "$tmpdir/fifo" -- true
        [ "$rc" -eq 125 ] && [[ $err == *"a FIFO without a reader"* ]] || break
        sleep 0.1
done
wait "$reader" || fail "the FIFO's reader did not end (status $?)"
assert_eq "$rc" 0 "exit status with a FIFO that has a reader ($err)"
[ -s "$tmpdir/from-fifo" ] || fail "nothing came through the FIFO"
assert_eq "$(head -n 1 "$tmpdir/from-fifo" | jq -r .type)" start "first line through the FIFO"
assert_eq "$(tail -n 1 "$tmpdir/from-fifo" | jq -r .type)" exit "last line through the FIFO"
run_memcage run --name ev40d --events "$tmpdir" -- true
assert_eq "$rc" 125 "exit status with a directory as events file"
for g in ev40l ev40f ev40r ev40d; do
        [ ! -e "$cg_root/memcage/$g" ] || fail "group $g left behind"
done
