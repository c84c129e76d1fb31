#!/bin/bash
# A command run as another user cannot type into memcage's terminal: under a
# real pty (util-linux script), TIOCSTI from the command fails with EPERM and
# nothing reaches the shell that started memcage, while an interactive
# command still has the terminal (a tty on stdin, input it reads). With
# stdin not a terminal the command gets a session of its own. The kernel's
# own switch (dev.tty.legacy_tiocsti, 6.2+) is held on during the test, so
# that what is shown is memcage's doing.
# timeout: 180
. "$(dirname "$0")/lib.sh"

getent passwd nobody >/dev/null || skip "no user nobody"
command -v script >/dev/null || skip "no script(1) (util-linux)"
knob=/proc/sys/dev/tty/legacy_tiocsti
if [ -e "$knob" ]; then
        old=$(cat "$knob")
        echo 1 >"$knob"
        on_exit "echo $old > $knob"
fi
# The pty's input: the test's own lines, then nothing for a while (script ends with the command).
feed() { # LINE...
        sleep 1
        [ $# -eq 0 ] || printf '%s\n' "$@"
        sleep 4
}

cat >"$tmpdir/inject.sh" <<EOF2
"$MEMCAGE" run -q --user nobody -- python3 -c '
import fcntl, sys, termios
try:
    for b in b"echo INJECTED\n":
        fcntl.ioctl(0, termios.TIOCSTI, bytes([b]))
    print("ioctl: allowed")
except OSError as e:
    print("ioctl:", e.strerror)
'
echo "memcage: \$?"
if read -r -t 2 line; then echo "shell read: [\$line]"; else echo "shell read: [\$line] (nothing)"; fi
EOF2
out=$(feed | script -qec "bash $tmpdir/inject.sh" /dev/null 2>&1) || true
assert_contains "$out" "ioctl: Operation not permitted" "TIOCSTI refused"
assert_not_contains "$out" "ioctl: allowed" "TIOCSTI refused"
assert_contains "$out" "shell read: [] (nothing)" "nothing typed into the shell"
assert_not_contains "$out" "INJECTED" "nothing typed into the shell"

cat >"$tmpdir/interactive.sh" <<EOF2
"$MEMCAGE" run -q --user nobody -- sh -c '[ -t 0 ] && echo "stdin: tty"; read x; echo "got: \$x"; id -un'
EOF2
out=$(feed hello | script -qec "bash $tmpdir/interactive.sh" /dev/null 2>&1) || true
assert_contains "$out" "stdin: tty" "the interactive command has the terminal"
assert_contains "$out" "got: hello" "the interactive command reads its input"
assert_contains "$out" "nobody" "it runs as nobody"

# stdin not a terminal: a session of its own; root's command without --user keeps memcage's.
sid='import os; print("own session" if os.getsid(0) == os.getpid() else "memcage session")'
run_memcage run -q --user nobody -- python3 -c "$sid" </dev/null
assert_eq "$rc" 0 "exit status ($err)"
assert_eq "$out" "own session" "another user's command without a terminal"
run_memcage run -q -- python3 -c "$sid" </dev/null
assert_eq "$out" "memcage session" "root's own command"
