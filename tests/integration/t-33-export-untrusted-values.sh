#!/bin/bash
# A profile value cannot steer an export: a bare CR (which systemd ends a
# line at) is an error at file:line, not a second line of the drop-in or the
# #SBATCH script; a path ending in a backslash (systemd's line continuation)
# or holding blanks and quotes (sbatch's words) is left out with a warning.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"
command -v jq >/dev/null || skip "jq is not installed"

cr=$(printf '\r')

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

