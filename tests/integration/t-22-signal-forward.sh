#!/bin/bash
# SIGTERM/SIGINT/SIGUSR1 sent to memcage reach the command, once.
. "$(dirname "$0")/lib.sh"

for sig in TERM USR1 HUP; do
        ready="$tmpdir/ready-$sig"
        # The command counts the signals it gets, and exits 40 + count after a pause.
        "$MEMCAGE" run -q --name "sig-$sig" -- sh -c "n=0; trap 'n=\$((n+1))' $sig; touch $ready; i=0; while [ \$n -eq 0 ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i+1)); done; sleep 0.5; exit \$((40 + n))" &
        pid=$!
        wait_for_file "$ready" 60
        kill -"$sig" "$pid"
        set +e
        wait "$pid"
        rc=$?
        set -e
        assert_eq "$rc" 41 "SIG$sig forwarded exactly once"
done

# A command that dies of the forwarded signal makes memcage report 128+N.
ready="$tmpdir/ready-int"
"$MEMCAGE" run -q --name sig-term-default -- sh -c "touch $ready; exec sleep 120" &
pid=$!
wait_for_file "$ready" 60
sleep 0.3
kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
assert_eq "$rc" 143 "command killed by the forwarded SIGTERM"
