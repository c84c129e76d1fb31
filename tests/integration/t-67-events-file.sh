#!/bin/bash
# The --events file is written like the report: a regular file keeps its old
# lines while the command runs and gets the run's lines whole when it ends
# (a new file renamed over it, no temporary file left); a run that fails
# before its command starts leaves it untouched. --events-append appends to
# it as each event happens. A character device takes the lines as a stream.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"

ev=$tmpdir/ev.jsonl
printf '{"type":"earlier"}\n' >"$ev"
earlier=$(cat "$ev")

# A run that fails before its command starts (a group name the kernel's
# files own is refused after the events file is opened): the file is as it was.
run_memcage run --name cgroup.t67 --events "$ev" -- touch "$tmpdir/ran"
assert_eq "$rc" 125 "exit status with a refused group name"
assert_contains "$err" "group name 'cgroup.t67'" "stderr"
[ ! -e "$tmpdir/ran" ] || fail "the command ran"
assert_eq "$(cat "$ev")" "$earlier" "the events file after a run that never started"

# While the command runs, the name still holds the earlier lines; afterwards the run's own.
inode_before=$(stat -c %i "$ev")
run_memcage run --name t67-a --events "$ev" -- sh -c "cat '$ev' >'$tmpdir/seen'"
assert_eq "$rc" 0 "exit status ($err)"
assert_eq "$(cat "$tmpdir/seen")" "$earlier" "the events file as the command saw it"
[ -s "$ev" ] || fail "the events file is empty after the run"
assert_eq "$(head -n 1 "$ev" | jq -r .type)" start "first line after the run"
assert_eq "$(tail -n 1 "$ev" | jq -r .type)" exit "last line after the run"
assert_not_contains "$(cat "$ev")" earlier "the events file after the run"
[ "$(stat -c %i "$ev")" != "$inode_before" ] || fail "the events file was written in place, not replaced"
assert_eq "$(find "$tmpdir" -maxdepth 1 -name 'ev.jsonl?*' | wc -l)" 0 "temporary files left beside the events file"

# --events-append: the lines of each run follow the earlier ones, and are there while it runs.
printf '{"type":"earlier"}\n' >"$tmpdir/app.jsonl"
run_memcage run --name t67-b --events-append "$tmpdir/app.jsonl" -- sh -c "cat '$tmpdir/app.jsonl' >'$tmpdir/seen'"
assert_eq "$rc" 0 "exit status with --events-append ($err)"
assert_eq "$(head -n 1 "$tmpdir/seen")" "$earlier" "first line the command saw with --events-append"
assert_eq "$(sed -n 2p "$tmpdir/seen" | jq -r .type)" start "second line the command saw with --events-append"
run_memcage run --name t67-c --events-append "$tmpdir/app.jsonl" -- true
assert_eq "$rc" 0 "exit status of the second appending run ($err)"
assert_eq "$(head -n 1 "$tmpdir/app.jsonl")" "$earlier" "the earlier line after two appending runs"
assert_eq "$(jq -s -r '[.[] | select(.type == "start")] | length' "$tmpdir/app.jsonl")" 2 "start lines after two appending runs"
# A missing file is made; a symbolic link is refused, its target untouched.
run_memcage run --name t67-d --events-append "$tmpdir/new.jsonl" -- true
assert_eq "$rc" 0 "exit status with a new file to append to ($err)"
assert_eq "$(head -n 1 "$tmpdir/new.jsonl" | jq -r .type)" start "first line of a new appended file"
echo keep >"$tmpdir/target"
ln -s "$tmpdir/target" "$tmpdir/link"
run_memcage run --name t67-e --events-append "$tmpdir/link" -- touch "$tmpdir/ran"
assert_eq "$rc" 125 "exit status with a symlink to append to"
assert_contains "$err" "cannot open the events file $tmpdir/link: a symbolic link" "stderr"
assert_eq "$(cat "$tmpdir/target")" keep "the symlink's target"
[ ! -e "$tmpdir/ran" ] || fail "the command ran although the events file could not be opened"

# A character device is a stream.
run_memcage run --name t67-f --events /dev/null -- true
assert_eq "$rc" 0 "exit status with /dev/null as events file ($err)"
[ -c /dev/null ] || fail "/dev/null is no longer a character device"

for g in t67-a t67-b t67-c t67-d t67-e t67-f; do
        [ ! -e "$memcage_parent/$g" ] || fail "group $g left behind"
done
