#!/bin/bash
# What users control never reaches root's terminal raw: root's ps and gc list
# a group whose name and profile mark hold terminal sequences escaped, the
# mark as not understood; show and profiles escape a path.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"
command -v jq >/dev/null || skip "jq is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"

esc=$(printf '\033')
bel=$(printf '\007')

# --- root's ps and gc, and a group someone else named and marked ---
mkdir -p "$memcage_parent"
name="x${esc}[2J"
group="$memcage_parent/$name"
mkdir "$group"
on_exit "rmdir '$group' 2>/dev/null || true"
chown nobody "$group" 2>/dev/null || true
# A launcher no pid_max reaches (gone), and a profile mark setting the terminal's title.
python3 - "$group" <<'PY' || skip "cgroupfs takes no user xattrs here"
import os, sys
os.setxattr(sys.argv[1], "user.memcage.launcher", b"99999999 1")
os.setxattr(sys.argv[1], "user.memcage.profile", b"\x1b]0;owned\x07")
PY
run_memcage ps
printf '%s\n' "$out" | cat -v
assert_eq "$rc" 0 "ps exit status ($err)"
assert_not_contains "$out" "$esc" "no raw ESC in ps"
assert_not_contains "$out" "$bel" "no raw BEL in ps"
row=$(grep -F 'x\x1b[2J' <<<"$out") || fail "ps lists the group, escaped: $out"
assert_eq "$(awk '{ print $2 }' <<<"$row")" "?" "ps's PROFILE of a mark not understood"
assert_contains "$row" "gone" "ps's LAUNCHER"

run_memcage ps --json
assert_eq "$rc" 0 "ps --json exit status ($err)"
assert_not_contains "$out" "$esc" "no raw ESC in ps --json"
[ -n "$out" ] || fail "ps --json printed nothing"
assert_eq "$(jq -r --arg n "$name" '.[] | select(.name == $n) | "\(.profile) \(.profile_malformed)"' <<<"$out")" \
        "null true" "ps --json: the group, its mark not understood"

run_memcage gc --dry-run
printf '%s\n' "$out" | cat -v
assert_eq "$rc" 0 "gc --dry-run exit status ($err)"
assert_not_contains "$out" "$esc" "no raw ESC in gc"
assert_contains "$out" 'would remove memcage/x\x1b[2J' "gc --dry-run names the group escaped"
run_memcage gc
assert_eq "$rc" 0 "gc exit status ($err)"
assert_not_contains "$out" "$esc" "no raw ESC in gc"
assert_contains "$out" 'removed memcage/x\x1b[2J' "gc names the group escaped"
[ ! -e "$group" ] || fail "gc left the dead launcher's group"

# --- show and profiles: a path with a terminal sequence ---
dir="$tmpdir/d${esc}]0;owned${bel}"
mkdir "$dir"
printf '[profile]\ndescription = shown\n[memory]\nmax = 64M\n' >"$dir/p.ini"
run_memcage show "$dir/p.ini"
assert_eq "$rc" 0 "show exit status ($err)"
assert_not_contains "$out" "$esc" "no raw ESC in show"
assert_contains "$out" 'd\x1b]0;owned\x07/p.ini' "show names the file escaped"
run_memcage show --json "$dir/p.ini"
assert_eq "$rc" 0 "show --json exit status ($err)"
assert_not_contains "$out" "$esc" "no raw ESC in show --json"
assert_eq "$(jq -r '.path' <<<"$out")" "$dir/p.ini" "show --json keeps the path exact"
MEMCAGE_PROFILE_PATH=$dir run_memcage profiles
assert_eq "$rc" 0 "profiles exit status ($err)"
assert_not_contains "$out" "$esc" "no raw ESC in profiles"
assert_contains "$out" 'd\x1b]0;owned\x07/p.ini' "profiles names the file escaped"

