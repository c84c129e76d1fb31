#!/bin/bash
# What another user or a file controls never steers an export or reaches
# root's terminal raw: a profile value holding a bare CR (which systemd ends a
# line at) is an error at file:line, not a second line of the drop-in or the
# #SBATCH script; a path ending in a backslash (systemd's line continuation)
# is left out with a warning; root's ps and gc list a group whose name and
# profile mark hold terminal sequences escaped, the mark as not understood;
# show and profiles escape a path; OpenMetrics escapes an event key a report
# names.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"
command -v jq >/dev/null || skip "jq is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"

esc=$(printf '\033')
bel=$(printf '\007')
cr=$(printf '\r')

# Control bytes other than the newline that ends a line; prints the first offending line.
assert_no_controls() { # TEXT WHAT
        local bad
        bad=$(LC_ALL=C grep -n "[$(printf '\001-\011\013-\037\177')]" <<<"$1" | head -n 1 | cat -v) || true
        [ -z "$bad" ] || fail "$2: a control character on a line: $bad"
}

# --- a profile value with a bare CR ---
printf '[run]\ncwd = /srv\rExecStartPre=/bin/touch /tmp/pwned\n' >"$tmpdir/cr.ini"
run_memcage check "$tmpdir/cr.ini"
assert_eq "$rc" 1 "check of a profile with a CR in a value ($out)"
assert_contains "$out$err" "$tmpdir/cr.ini:2: control character 0x0d in the value of cwd" "check's error"
for engine in systemd slurm; do
        run_memcage export -p "$tmpdir/cr.ini" --to "$engine"
        assert_eq "$rc" 125 "export --to $engine of a profile with a CR in a value"
        assert_not_contains "$out" "ExecStartPre" "export --to $engine"
        assert_not_contains "$out" "$cr" "export --to $engine"
done
run_memcage run -p "$tmpdir/cr.ini" -- true
assert_eq "$rc" 125 "run with a CR in a value"
assert_contains "$err" "$tmpdir/cr.ini:2: control character 0x0d" "run's error"

# --- what a line-based format cannot carry: left out, with a warning ---
printf '[memory]\nmax = 64M\n[run]\ncwd = /srv/a b\\\nenv = A=x "y" 50%%\n' >"$tmpdir/bs.ini"
run_memcage export -p "$tmpdir/bs.ini" --to systemd
assert_eq "$rc" 0 "export --to systemd of a cwd ending in a backslash ($err)"
printf '%s\n' "$out"
assert_not_contains "$out" "WorkingDirectory" "a cwd ending in a backslash"
assert_contains "$err" "WorkingDirectory= cannot carry" "the warning"
assert_contains "$out" 'Environment="A=x \"y\" 50%%"' "Environment= quoted"
# Every line of the drop-in: a comment, the section, or one known setting.
while IFS= read -r line; do
        [[ $line =~ ^(#.*|\[Service\]|(MemoryMax|Environment)=.*)$ ]] || fail "unexpected drop-in line: $line"
done <<<"$out"
run_memcage export -p "$tmpdir/bs.ini" --to systemd --strict
assert_eq "$rc" 1 "export --strict of what systemd cannot carry"
run_memcage export -p "$tmpdir/bs.ini" --to slurm
assert_eq "$rc" 0 "export --to slurm ($err)"
printf '%s\n' "$out"
assert_not_contains "$out" "--chdir" "a cwd with a blank in an #SBATCH line"
assert_not_contains "$out" "--export" "an env value with blanks and quotes in an #SBATCH line"
assert_eq "$(grep -c '^#SBATCH' <<<"$out")" 1 "#SBATCH lines (--mem alone)"

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

# --- OpenMetrics: an event key a report names ---
run_memcage run -q --max 64M --report "$tmpdir/r.json" -- true
assert_eq "$rc" 0 "run for a report ($err)"
jq '.events["x\u001b]0;owned\u0007"] = 3' "$tmpdir/r.json" >"$tmpdir/crafted.json"
[ -s "$tmpdir/crafted.json" ] || fail "could not craft the report"
run_memcage report --format openmetrics "$tmpdir/crafted.json"
assert_eq "$rc" 0 "report --format openmetrics ($err)"
assert_no_controls "$out" "openmetrics"
assert_contains "$out" 'event="x\\x1b]0;owned\\x07"} 3' "the event key, escaped"
