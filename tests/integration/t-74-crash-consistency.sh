#!/bin/bash
# timeout: 900
# A launcher SIGKILLed at each stage of a run (crash points of a build
# configured --enable-crash-points, include/crash-point.h) leaves a dirty
# state, shown first; then the next run, and separately `memcage gc --kill`,
# leave no group, no huge page added to the pool, no ledger entry and no
# half-written report: also when it died between the mkdir of its group and
# the mark (no unmarked group left), between the pressure kill's freeze and
# thaw (nothing frozen), while giving huge pages back (the pool back to its
# size, nothing taken twice) and in a delegated group (no leaf, the
# controllers it enabled off again). A build without crash points skips,
# after checking that its binary holds no hook.
. "$(dirname "$0")/lib.sh"

config=$(dirname -- "$MEMCAGE")/config.h
[ -s "$config" ] || fail "no config.h next to $MEMCAGE: cannot tell whether it has crash points"
if ! grep -qx '#define MC_CRASH_POINTS 1' "$config"; then
        # "running" is a word of memcage's messages too; the other names are the points' own.
        for s in MEMCAGE_CRASH_AT leaf-entered pool-pending pool-grown group-unmarked group-made pressure-frozen \
                pool-shrinking pool-shrunk atomic-write; do
                if grep -qaF -- "$s" "$MEMCAGE"; then
                        fail "$MEMCAGE was built without crash points but holds '$s'"
                fi
        done
        skip "built without --enable-crash-points (checked: $MEMCAGE holds no MEMCAGE_CRASH_AT)"
fi
grep -qaF MEMCAGE_CRASH_AT "$MEMCAGE" || fail "config.h says crash points, $MEMCAGE has no MEMCAGE_CRASH_AT"

pool=/sys/kernel/mm/hugepages/hugepages-2048kB
run_dir=/run/memcage
ledger=$run_dir/hugetlb.ledger
require_file $pool
orig=$(cat $pool/nr_hugepages)
on_exit "echo $orig > $pool/nr_hugepages"
echo 0 >$pool/nr_hugepages
assert_eq "$(cat $pool/nr_hugepages)" 0 "pool emptied for the test"
[ ! -s $ledger ] || fail "ledger not empty before the test: $(cat $ledger)"
reserve=(--set hugetlb.2MB.reserve=4)

groups() { # the memcage parent's child groups, one a line
        [ -d "$memcage_parent" ] || return 0
        find "$memcage_parent" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort
}
groups_before=$(groups)

# crash POINT ARGS...: runs memcage ARGS with MEMCAGE_CRASH_AT=POINT; it must
# die of SIGKILL (137 from the shell). Sets launcher to its pid.
crash() {
        local point=$1
        shift
        rc=0
        MEMCAGE_CRASH_AT=$point "$MEMCAGE" "$@" >"$tmpdir/crash.out" 2>"$tmpdir/crash.err" &
        launcher=$!
        wait "$launcher" || rc=$?
        assert_eq "$rc" 137 "exit status of a launcher stopped at $point ($(cat "$tmpdir/crash.err"))"
}

# The ledger's lines of pid, with how many fields each has.
ledger_of() { # PID
        [ -e $ledger ] || return 0
        awk -v p="$1" '$1 == p { print NF ":" $0 }' $ledger
}

# What every recovery must leave: the groups of before, the pool at 0, no ledger entry.
assert_clean() { # WHAT
        assert_eq "$(groups)" "$groups_before" "$1: groups under $memcage_parent"
        assert_eq "$(cat $pool/nr_hugepages)" 0 "$1: nr_hugepages"
        [ ! -s $ledger ] || fail "$1: ledger not empty: $(cat $ledger)"
}

# The next run, reserving as the crashed one did: it sweeps the stale group
# and gives back the dead launcher's pages (a run without [hugetlb] reserve
# does not touch the ledger; see memcage gc).
next_run() { # WHAT
        run_memcage run --name "t74-next" "${reserve[@]}" -- true
        assert_eq "$rc" 0 "$1: the next run ($err)"
}

gc_kill() { # WHAT
        run_memcage gc --kill
        assert_eq "$rc" 0 "$1: gc --kill ($out $err)"
}

# --- pool-pending: the growth is in the ledger, nr_hugepages not written ---
for recovery in next_run gc_kill; do
        crash pool-pending run --name t74-pp "${reserve[@]}" -- true
        line=$(ledger_of "$launcher")
        assert_eq "${line%%:*}" 7 "pool-pending: a pending ledger line (PID ... ADDED FROM) of $launcher: '$line'"
        assert_eq "$(awk '{ print $6 " " $7 }' <<<"${line#*:}")" "4 0" "pool-pending: ADDED FROM"
        assert_eq "$(cat $pool/nr_hugepages)" 0 "pool-pending: nr_hugepages not written yet"
        [ ! -e "$memcage_parent/t74-pp" ] || fail "pool-pending: a group before the pool grew"
        $recovery "pool-pending, $recovery"
        [ $recovery = next_run ] ||
                assert_contains "$out" "gave back 0 2MB huge pages of launcher $launcher (gone, killed while growing the pool)" "gc"
        assert_clean "pool-pending, $recovery"
done

# --- pool-grown: the pool grew, the ledger holds the run, no group yet ---
for recovery in next_run gc_kill; do
        crash pool-grown run --name t74-pg "${reserve[@]}" -- true
        assert_eq "$(cat $pool/nr_hugepages)" 4 "pool-grown: nr_hugepages"
        line=$(ledger_of "$launcher")
        assert_eq "${line%%:*}" 6 "pool-grown: a ledger line of $launcher: '$line'"
        assert_eq "$(awk '{ print $5 " " $6 }' <<<"${line#*:}")" "4 4" "pool-grown: RESERVED ADDED"
        [ ! -e "$memcage_parent/t74-pg" ] || fail "pool-grown: a group before it was made"
        $recovery "pool-grown, $recovery"
        [ $recovery = next_run ] ||
                assert_contains "$out" "gave back 4 2MB huge pages of launcher $launcher (gone)" "gc"
        assert_clean "pool-grown, $recovery"
done

# --- group-made: the group exists with its limits, the command never started ---
for recovery in next_run gc_kill; do
        crash group-made run --name t74-gm --max 64M "${reserve[@]}" -- sh -c "touch $tmpdir/started"
        [ -d "$memcage_parent/t74-gm" ] || fail "group-made: no group t74-gm"
        assert_eq "$(cat "$memcage_parent/t74-gm/memory.max")" 67108864 "group-made: memory.max"
        assert_eq "$(cat "$memcage_parent/t74-gm/cgroup.procs")" "" "group-made: processes in the group"
        [ ! -e "$tmpdir/started" ] || fail "group-made: the command started"
        assert_eq "$(cat $pool/nr_hugepages)" 4 "group-made: nr_hugepages"
        assert_eq "$(ledger_of "$launcher" | cut -d: -f1)" 6 "group-made: ledger line of $launcher"
        $recovery "group-made, $recovery"
        if [ $recovery = next_run ]; then
                assert_contains "$err" "removed stale group memcage/t74-gm of launcher $launcher" "next run"
        else
                assert_contains "$out" "removed memcage/t74-gm (launcher $launcher gone, empty)" "gc"
                assert_contains "$out" "gave back 4 2MB huge pages of launcher $launcher (gone)" "gc"
        fi
        assert_clean "group-made, $recovery"
done

# --- running: the launcher dies, the command runs on in its group ---
for recovery in next_run gc_kill; do
        rm -f "$tmpdir/cmd.pid"
        crash running run --name t74-run "${reserve[@]}" -- sh -c "echo \$\$ > $tmpdir/cmd.pid; exec sleep 300"
        wait_for_file "$tmpdir/cmd.pid" 60
        cmd=$(cat "$tmpdir/cmd.pid")
        [ -n "$cmd" ] || fail "running: the command wrote no pid"
        on_exit "kill -KILL $cmd 2>/dev/null"
        [ -d "$memcage_parent/t74-run" ] || fail "running: no group t74-run"
        for _ in $(seq 100); do
                [ "$(cat /proc/"$cmd"/comm 2>/dev/null)" = sleep ] && break
                sleep 0.05
        done
        assert_eq "$(cat /proc/"$cmd"/comm)" sleep "running: the command after its launcher died"
        assert_eq "$(cat "$memcage_parent/t74-run/cgroup.procs")" "$cmd" "running: the group's processes"
        assert_eq "$(cat $pool/nr_hugepages)" 4 "running: nr_hugepages"
        assert_eq "$(ledger_of "$launcher" | cut -d: -f1)" 6 "running: ledger line of $launcher"
        if [ $recovery = next_run ]; then
                # A populated group is never taken from its processes by a run: reported, kept.
                next_run "running, next run"
                assert_contains "$err" "stale group memcage/t74-run (launcher $launcher is gone) still has processes" "next run"
                assert_eq "$(cat "$memcage_parent/t74-run/cgroup.procs")" "$cmd" "running: kept by the next run"
                [ ! -s $ledger ] || fail "running: the next run left the dead launcher's entry: $(cat $ledger)"
                # Once the command ends, the next run removes the group.
                kill -KILL "$cmd"
                for _ in $(seq 100); do
                        [ -z "$(cat "$memcage_parent/t74-run/cgroup.procs")" ] && break
                        sleep 0.05
                done
                next_run "running, the run after the command ended"
                assert_contains "$err" "removed stale group memcage/t74-run of launcher $launcher" "next run"
        else
                gc_kill "running, gc --kill"
                assert_contains "$out" "killed and removed memcage/t74-run (launcher $launcher gone)" "gc"
                assert_contains "$out" "gave back 4 2MB huge pages of launcher $launcher (gone)" "gc"
                for _ in $(seq 100); do
                        [ "$(awk '{ print $3 }' /proc/"$cmd"/stat 2>/dev/null)" = S ] || break
                        sleep 0.05
                done
                [ "$(awk '{ print $3 }' /proc/"$cmd"/stat 2>/dev/null || echo gone)" != S ] ||
                        fail "running: the command survived gc --kill"
        fi
        assert_clean "running, $recovery"
done

# --- group-unmarked: the group is made, not marked; the parent holds the record ---
for recovery in next_run gc_kill; do
        crash group-unmarked run --name t74-um --max 64M -- true
        [ -d "$memcage_parent/t74-um" ] || fail "group-unmarked: no group t74-um"
        assert_eq "$(xattr_of "$memcage_parent/t74-um" user.memcage.launcher)" "" "group-unmarked: the group's mark"
        record=$(getfattr --absolute-names -d -m '^user\.memcage\.creating\.' "$memcage_parent" 2>/dev/null | grep -c "t74-um" || true)
        assert_eq "$record" 1 "group-unmarked: creation records of t74-um on the parent"
        $recovery "group-unmarked, $recovery"
        if [ $recovery = next_run ]; then
                assert_contains "$err" "removed stale group memcage/t74-um of launcher $launcher" "next run"
        else
                assert_contains "$out" "removed memcage/t74-um (launcher $launcher gone, empty)" "gc"
        fi
        assert_eq "$(getfattr --absolute-names -d -m '^user\.memcage\.creating\.' "$memcage_parent" 2>/dev/null | grep -c = || true)" 0 \
                "group-unmarked, $recovery: creation records left on the parent"
        assert_clean "group-unmarked, $recovery"
done

# --- pressure-frozen: the pressure kill froze the group, the launcher died before the thaw ---
if [ -e "$cg_root/memory.pressure" ]; then
        for recovery in next_run gc_kill; do
                crash pressure-frozen run --name t74-pf --max 512M --high 32M --swap 0 \
                        --kill-on-pressure "some 10%/1s for 1s" -- "$HOG" 100 600 touch
                [ -d "$memcage_parent/t74-pf" ] || fail "pressure-frozen: no group t74-pf"
                hog=$(tr '\n' ' ' <"$memcage_parent/t74-pf/cgroup.procs")
                [ -n "${hog// /}" ] || fail "pressure-frozen: no process in the group"
                on_exit "kill -KILL $hog 2>/dev/null"
                assert_eq "$(cat "$memcage_parent/t74-pf/cgroup.freeze")" 1 "pressure-frozen: cgroup.freeze"
                assert_eq "$(cg_field "$memcage_parent/t74-pf/cgroup.events" frozen)" 1 "pressure-frozen: frozen"
                if [ $recovery = next_run ]; then
                        next_run "pressure-frozen, next run"
                        assert_contains "$err" "stale group memcage/t74-pf (launcher $launcher is gone) still has processes (it was frozen: thawed)" "next run"
                        assert_eq "$(cat "$memcage_parent/t74-pf/cgroup.freeze")" 0 "pressure-frozen: cgroup.freeze after the next run"
                        for _ in $(seq 100); do
                                [ "$(cg_field "$memcage_parent/t74-pf/cgroup.events" frozen)" = 0 ] && break
                                sleep 0.05
                        done
                        assert_eq "$(cg_field "$memcage_parent/t74-pf/cgroup.events" frozen)" 0 "pressure-frozen: frozen after the next run"
                        kill -KILL $hog
                        for _ in $(seq 100); do
                                [ -z "$(cat "$memcage_parent/t74-pf/cgroup.procs")" ] && break
                                sleep 0.05
                        done
                        next_run "pressure-frozen, the run after the command ended"
                        assert_contains "$err" "removed stale group memcage/t74-pf of launcher $launcher" "next run"
                else
                        gc_kill "pressure-frozen, gc --kill"
                        assert_contains "$out" "thawed memcage/t74-pf (launcher $launcher gone, killed while the group was frozen)" "gc"
                        assert_contains "$out" "killed and removed memcage/t74-pf (launcher $launcher gone)" "gc"
                fi
                assert_clean "pressure-frozen, $recovery"
        done
else
        echo "# pressure-frozen: no PSI on this kernel, the pressure kill cannot fire"
fi

# --- pool-shrinking: the give-back is in the ledger, nr_hugepages not written ---
for recovery in next_run gc_kill; do
        crash pool-shrinking run --name t74-ps "${reserve[@]}" -- true
        assert_eq "$(cat $pool/nr_hugepages)" 4 "pool-shrinking: nr_hugepages not written yet"
        line=$(ledger_of "$launcher")
        assert_eq "${line%%:*}" 7 "pool-shrinking: a pending ledger line of $launcher: '$line'"
        assert_eq "$(awk '{ print $5 " " $6 " " $7 }' <<<"${line#*:}")" "0 4 0" "pool-shrinking: RESERVED ADDED FROM"
        [ ! -e "$memcage_parent/t74-ps" ] || fail "pool-shrinking: the group outlived the run"
        $recovery "pool-shrinking, $recovery"
        [ $recovery = next_run ] ||
                assert_contains "$out" "gave back 4 2MB huge pages of launcher $launcher (gone, killed while giving pages back)" "gc"
        assert_clean "pool-shrinking, $recovery"
done

# --- pool-shrunk: the pool shrank, the entry is still in the ledger ---
# The pool holds 2 pages of the operator's: the run adds 2 and gives them
# back; its recovery must not give back the operator's 2 as well.
for recovery in next_run gc_kill; do
        echo 2 >$pool/nr_hugepages
        assert_eq "$(cat $pool/nr_hugepages)" 2 "pool-shrunk: the operator's pages"
        crash pool-shrunk run --name t74-pk "${reserve[@]}" -- true
        assert_eq "$(cat $pool/nr_hugepages)" 2 "pool-shrunk: nr_hugepages written"
        line=$(ledger_of "$launcher")
        assert_eq "${line%%:*}" 7 "pool-shrunk: a pending ledger line of $launcher: '$line'"
        assert_eq "$(awk '{ print $5 " " $6 " " $7 }' <<<"${line#*:}")" "0 2 2" "pool-shrunk: RESERVED ADDED FROM"
        $recovery "pool-shrunk, $recovery"
        [ $recovery = next_run ] ||
                assert_contains "$out" "gave back 0 2MB huge pages of launcher $launcher (gone, killed while giving pages back)" "gc"
        assert_eq "$(cat $pool/nr_hugepages)" 2 "pool-shrunk, $recovery: the operator's pages"
        echo 0 >$pool/nr_hugepages
        assert_clean "pool-shrunk, $recovery"
done

# --- leaf-entered: a delegated placement's leaf, memory enabled in the delegated group, no group yet ---
# The delegated group is marked as systemd marks a Delegate=yes unit's
# (t-14-placement.sh); memcage starts in it as its only process.
svc=$cg_root/t74-svc
leaf_gone() { # WHAT
        [ ! -e "$svc/memcage-launcher" ] || fail "$1: the leaf memcage-launcher is left"
        assert_eq "$(cat "$svc/cgroup.subtree_control")" "" "$1: the delegated group's subtree_control"
}
if command -v setfattr >/dev/null; then
        echo +memory >"$cg_root/cgroup.subtree_control"
        on_exit "rmdir $svc/memcage-launcher $svc 2>/dev/null"
        mkdir "$svc"
        setfattr -n user.delegate -v 1 "$svc"
        for recovery in next_run gc_kill; do
                rc=0
                MEMCAGE_CRASH_AT=leaf-entered sh -c 'echo $$ >"$1/cgroup.procs"; exec "$0" run --name t74-dl -- true' \
                        "$MEMCAGE" "$svc" >"$tmpdir/crash.out" 2>"$tmpdir/crash.err" || rc=$?
                assert_eq "$rc" 137 "exit status of a launcher stopped at leaf-entered ($(cat "$tmpdir/crash.err"))"
                [ -d "$svc/memcage-launcher" ] || fail "leaf-entered: no leaf memcage-launcher"
                assert_eq "$(cat "$svc/memcage-launcher/cgroup.procs")" "" "leaf-entered: processes in the leaf"
                assert_eq "$(cat "$svc/cgroup.subtree_control")" memory "leaf-entered: subtree_control"
                leaf_mark=$(xattr_of "$svc/memcage-launcher" user.memcage.leaf)
                assert_eq "${leaf_mark#*/}" memory "leaf-entered: what the leaf's mark says its launcher enabled"
                launcher=${leaf_mark%% *}
                if [ $recovery = next_run ]; then
                        # Nothing can join the group now (it hands out memory): the next launcher starts in the leaf.
                        rc=0
                        sh -c 'echo $$ >"$1/memcage-launcher/cgroup.procs"; exec "$0" run --name t74-dl2 -- true' \
                                "$MEMCAGE" "$svc" >"$tmpdir/next.out" 2>"$tmpdir/next.err" || rc=$?
                        assert_eq "$rc" 0 "leaf-entered: the next run in the leaf ($(cat "$tmpdir/next.err"))"
                        [ ! -e "$svc/t74-dl2" ] || fail "leaf-entered: the next run's group is left"
                else
                        gc_kill "leaf-entered, gc --kill"
                        assert_contains "$out" "removed t74-svc/memcage-launcher (launcher $launcher gone; turned off again: memory)" "gc"
                fi
                leaf_gone "leaf-entered, $recovery"
        done
        rmdir "$svc"
else
        echo "# leaf-entered: setfattr (attr) is not installed, no delegated group to place in"
fi

# --- atomic-write: the report's data is in its temporary file, not renamed ---
# In a run without [hugetlb] reserve and with --report alone, the report is
# the only file written atomically. The write path guarantees that the
# report's name never holds a partial report: it is absent or complete. The
# report is written into an unnamed O_TMPFILE, so a writer killed before it
# is linked in leaves nothing; only where O_TMPFILE is missing does the
# named temporary file REPORT.XXXXXX of such a writer stay behind.
assert_report_whole() { # FILE WHAT
        if [ -e "$1" ]; then
                [ -s "$1" ] || fail "$2: $1 is empty"
                jq -e '.schema == 1 and .status == 0 and .exit.code == 0' "$1" >/dev/null ||
                        fail "$2: $1 is not a complete report: $(head -c 300 "$1")"
                assert_report_valid "$1"
        fi
}
temps() { # DIR: the temporary files of report.json in it
        find "$1" -maxdepth 1 -name 'report.json.??????' -printf '%f\n' | sort
}
for recovery in next_run gc_kill; do
        dir=$tmpdir/reports-$recovery
        mkdir "$dir"
        crash atomic-write run -q --name t74-aw --report "$dir/report.json" -- true
        [ ! -e "$dir/report.json" ] || fail "atomic-write: the report was renamed in before the crash point"
        left=$(temps "$dir")
        case $(wc -w <<<"$left") in
        0) ;; # an O_TMPFILE write: nothing has a name before it is linked in
        1)
                # The temporary file holds the whole report: the data was written, only the rename is missing.
                assert_report_whole "$dir/$left" "atomic-write: the temporary file"
                ;;
        *) fail "atomic-write: more than one temporary file: $left" ;;
        esac
        assert_eq "$(groups)" "$groups_before" "atomic-write: the group was removed before the report"
        if [ $recovery = next_run ]; then
                run_memcage run -q --name t74-aw --report "$dir/report.json" -- true
                assert_eq "$rc" 0 "atomic-write: the next run ($err)"
                [ -s "$dir/report.json" ] || fail "atomic-write: the next run wrote no report"
        else
                gc_kill "atomic-write, gc --kill"
        fi
        assert_report_whole "$dir/report.json" "atomic-write, $recovery"
        # The recovery adds no temporary file; the crashed writer's stays (see above).
        assert_eq "$(temps "$dir")" "$left" "atomic-write, $recovery: temporary files"
        [ -z "$left" ] || echo "# atomic-write, $recovery: the killed writer's $left stays in $dir (a known gap of the write path)"
        assert_clean "atomic-write, $recovery"
done

# In a reserving run the ledger is the first file written atomically: a
# launcher killed there has recorded nothing and grown nothing.
ledger_temps() { find $run_dir -maxdepth 1 -name 'hugetlb.ledger.??????' -printf '%f\n' | sort; }
ledger_temps_before=$(ledger_temps)
crash atomic-write run --name t74-awl "${reserve[@]}" -- true
assert_eq "$(cat $pool/nr_hugepages)" 0 "atomic-write of the ledger: nr_hugepages"
[ ! -s $ledger ] || fail "atomic-write of the ledger: an entry was renamed in: $(cat $ledger)"
new=$(comm -13 <(printf '%s\n' "$ledger_temps_before") <(ledger_temps) | grep . || true)
case $(wc -w <<<"$new") in
0 | 1) ;;
*) fail "atomic-write of the ledger: more than one temporary file: $new" ;;
esac
gc_kill "atomic-write of the ledger, gc --kill"
assert_clean "atomic-write of the ledger, gc --kill"
if [ -n "$new" ]; then
        echo "# atomic-write of the ledger: the killed writer's $run_dir/$new stays (a known gap of the write path)"
        rm -f -- "${run_dir:?}/$new"
fi
