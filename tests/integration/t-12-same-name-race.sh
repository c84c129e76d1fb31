#!/bin/bash
# Two launchers with the same --name at the same moment: exactly one creates
# the group and runs its command; the other fails with 125 saying the group
# exists, and leaves the winner's group alone: the winner's command keeps
# running in it, under its limits, until it ends. Three rounds, both backends.
# timeout: 240
. "$(dirname "$0")/lib.sh"

group=$cg_root/memcage/same-name
# A failed assertion must not leave a command waiting at its "hold" fifo.
on_exit 'for f in "$tmpdir"/*/hold; do [ -p "$f" ] && timeout 2 sh -c ": > \"\$1\"" sh "$f"; done; wait'

race_round() { # BACKEND ROUND
        local be=$1 round=$2 d="$tmpdir/$1-$2" i gate winner='' loser='' pid
        mkdir -p "$d"
        gate="$d/gate"
        mkfifo "$gate" "$d/hold"
        for i in 1 2; do
                (
                        # Both wait at the gate, which opens for both at once.
                        read -r _ <"$gate" || true
                        rc=0
                        MEMCAGE_CGROUP_BACKEND=$be "$MEMCAGE" run -q --name same-name --max 64M -- \
                                sh -c "echo \$\$ > $d/pid.$i.tmp; mv $d/pid.$i.tmp $d/pid.$i; read -r _ < $d/hold; exit 0" \
                                >"$d/out.$i" 2>"$d/err.$i" || rc=$?
                        echo "$rc" >"$d/rc.$i"
                ) &
        done
        # Opening the gate for writing releases both readers.
        sleep 0.5
        : >"$gate"

        # The loser fails fast; the winner's command waits at "hold".
        for _ in $(seq 300); do
                for i in 1 2; do
                        [ -e "$d/rc.$i" ] && loser=$i
                        [ -e "$d/pid.$i" ] && winner=$i
                done
                [ -n "$loser" ] && [ -n "$winner" ] && break
                sleep 0.1
        done
        [ -n "$loser" ] || fail "$be round $round: neither launcher failed (both ran: $(cat "$d"/pid.* 2>/dev/null | tr '\n' ' '))"
        [ -n "$winner" ] || fail "$be round $round: no command started; stderr: $(cat "$d"/err.* 2>/dev/null)"
        [ "$winner" != "$loser" ] || fail "$be round $round: launcher $winner both ran its command and ended"
        [ ! -e "$d/pid.$loser" ] || fail "$be round $round: the losing launcher ran its command too"
        assert_eq "$(cat "$d/rc.$loser")" 125 "$be round $round: exit status of the losing launcher"
        assert_contains "$(cat "$d/err.$loser")" "memcage/same-name exists" "$be round $round: the loser's message"

        # The winner's group, after the loser is gone: there, with its command in it and its limit.
        pid=$(cat "$d/pid.$winner")
        [ -d "$group" ] || fail "$be round $round: the winner's group was removed"
        assert_eq "$(cat "/proc/$pid/cgroup")" "0::/memcage/same-name" "$be round $round: /proc/PID/cgroup of the winner's command"
        assert_contains "$(cat "$group/cgroup.procs")" "$pid" "$be round $round: the winner's cgroup.procs"
        assert_eq "$(cat "$group/memory.max")" 67108864 "$be round $round: the winner's memory.max"

        : >"$d/hold"
        wait
        assert_eq "$(cat "$d/rc.$winner")" 0 "$be round $round: exit status of the winning launcher"
        [ ! -e "$group" ] || fail "$be round $round: the winner's group outlived its run"
}

for be in libcgroup direct; do
        for round in 1 2 3; do
                race_round "$be" "$round"
        done
done
