#!/bin/bash
# tests/cli/t-color.sh: --color=auto|always|never beside NO_COLOR, for the
# text report of `memcage report` (the same choice as `run --text`):
# always colours a pipe and a file, never leaves a terminal plain, auto
# colours a terminal only and only while NO_COLOR is unset or empty, and the
# option given on the command line overrides NO_COLOR. The terminal is a pty
# (python3's pty module). Prints TAP; run on the host by tests/run-suite.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
srcdir=${MEMCAGE_SRCDIR:-$here/../..}
memcage=${MEMCAGE:-${MEMCAGE_BUILDDIR:-.}/memcage}
report=$srcdir/tests/unit/data/report-full.json
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memcage-color.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
unset NO_COLOR

n=0
failed=0
esc=$'\033['

# on_pty COMMAND...: runs COMMAND with a pty as its stdin, stdout and stderr; prints what it wrote.
on_pty() {
        python3 -c '
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
_, st = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(st))
' "$@"
}

# expect yes|no WHAT COMMAND...: whether COMMAND's output (stdout) holds an escape sequence.
expect() {
        local want=$1 what=$2 rc=0 got=no
        shift 2
        "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
        if grep -qF -- "$esc" "$tmp/out"; then got=yes; fi
        n=$((n + 1))
        # The report itself must be there: no colour because nothing was written is no pass.
        if [ "$rc" -eq 0 ] && grep -q "verdict" "$tmp/out" && [ "$got" = "$want" ]; then
                echo "ok $n - $what: colour $got"
        else
                failed=$((failed + 1))
                echo "not ok $n - $what: exit $rc, colour $got, expected $want: $(head -c 300 "$tmp/err")"
        fi
}

# A pipe.
expect no "report on a pipe (auto)" "$memcage" report "$report"
expect no "report --color=auto on a pipe" "$memcage" report --color=auto "$report"
expect yes "report --color=always on a pipe" "$memcage" report --color=always "$report"
expect yes "report --color always on a pipe" "$memcage" report --color always "$report"
expect no "report --color=never on a pipe" "$memcage" report --color=never "$report"
expect yes "memcage --color=always report on a pipe" "$memcage" --color=always report "$report"
expect yes "NO_COLOR=1 report --color=always on a pipe" env NO_COLOR=1 "$memcage" report --color=always "$report"
# The last --color wins, memcage's own before the command's.
expect no "memcage --color=always report --color=never" "$memcage" --color=always report --color=never "$report"

# A file.
rm -f "$tmp/r.txt"
expect yes "report --color=always -o FILE" sh -c '"$0" report --color=always -o "$1" "$2" && cat "$1"' \
        "$memcage" "$tmp/r.txt" "$report"
rm -f "$tmp/r.txt"
expect no "report -o FILE (auto)" sh -c '"$0" report -o "$1" "$2" && cat "$1"' "$memcage" "$tmp/r.txt" "$report"

# A terminal.
if python3 -c 'import pty' 2>/dev/null; then
        expect yes "report on a terminal (auto)" on_pty "$memcage" report "$report"
        expect yes "NO_COLOR= (empty) report on a terminal" on_pty env NO_COLOR= "$memcage" report "$report"
        expect no "NO_COLOR=1 report on a terminal (auto)" on_pty env NO_COLOR=1 "$memcage" report "$report"
        expect no "NO_COLOR=1 report --color=auto on a terminal" \
                on_pty env NO_COLOR=1 "$memcage" report --color=auto "$report"
        expect yes "NO_COLOR=1 report --color=always on a terminal" \
                on_pty env NO_COLOR=1 "$memcage" report --color=always "$report"
        expect no "report --color=never on a terminal" on_pty "$memcage" report --color=never "$report"
        expect no "memcage --color=never report on a terminal" on_pty "$memcage" --color=never report "$report"
else
        for i in 1 2 3 4 5 6 7; do
                n=$((n + 1))
                echo "ok $n # SKIP no python3 with the pty module for a terminal"
        done
fi

echo "1..$n"
[ "$failed" -eq 0 ]
