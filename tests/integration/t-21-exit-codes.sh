#!/bin/bash
# memcage returns the command's status: its code, 128+N for signal N,
# 126 when it cannot be executed, 127 when not found, 125 for its own failures.
. "$(dirname "$0")/lib.sh"

run_memcage run -- true
assert_eq "$rc" 0 "true"
run_memcage run -- sh -c 'exit 3'
assert_eq "$rc" 3 "exit 3"
run_memcage run -- sh -c 'kill -TERM $$'
assert_eq "$rc" 143 "killed by SIGTERM"
assert_contains "$err" "killed by SIGTERM (exit 143)" "summary of a signal death"

printf '#!/bin/sh\necho never\n' > "$tmpdir/not-executable"
chmod 0644 "$tmpdir/not-executable"
run_memcage run -- "$tmpdir/not-executable"
assert_eq "$rc" 126 "not executable"
assert_contains "$err" "cannot execute '$tmpdir/not-executable': Permission denied" "126 message"

run_memcage run -- /nonexistent/command
assert_eq "$rc" 127 "not found"
assert_contains "$err" "cannot execute '/nonexistent/command': No such file or directory" "127 message"
run_memcage run -- no-such-command-anywhere
assert_eq "$rc" 127 "not found on PATH"

run_memcage run -p no-such-profile -- true
assert_eq "$rc" 125 "missing profile"
run_memcage run --bogus-option -- true
assert_eq "$rc" 125 "bad option"
assert_contains "$err" "Try 'memcage run --help'" "hint after a bad option"
run_memcage run
assert_eq "$rc" 125 "no command"

# The report is written on failure paths too, and says why.
run_memcage run -p no-such-profile --report "$tmpdir/r.json" -- true
assert_eq "$(jq -r .status "$tmpdir/r.json")" 125 "report status on failure"
assert_contains "$(jq -r .error "$tmpdir/r.json")" "no-such-profile" "report error on failure"
assert_eq "$(jq -r .exit "$tmpdir/r.json")" null "report exit on failure"
run_memcage run --report "$tmpdir/r127.json" -- /nonexistent/command
assert_eq "$(jq -r .status "$tmpdir/r127.json")" 127 "report status when not found"
