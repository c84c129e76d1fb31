#!/bin/bash
# timeout: 600
# memcage ps lists 200 live groups in one quick pass (pids, memory, limits);
# memcage gc removes the empty groups of launchers that died, keeps populated
# ones unless --kill, and never touches unmarked groups or live launchers'.
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || skip "jq is not installed"

n=200
# An ASan/UBSan memcage holds megabytes of its own per launcher (a plain one
# under 100 KiB), and hundreds of them starting at once starve the VM: the
# plain build of the suite runs this test.
grep -q __asan_init "$MEMCAGE" &&
        skip "sanitizer build: $n concurrent ASan launchers exhaust the test VM (the plain build runs this test)"
launchers=()
# On failure, leave no group behind: kill what runs in ours, then wait for the launchers.
stop_all() {
        local d p
        for d in "$memcage_parent"/ps-* "$memcage_parent"/gc-*; do
                [ -e "$d/cgroup.kill" ] && echo 1 >"$d/cgroup.kill" 2>/dev/null
        done
        for p in "${launchers[@]}"; do
                wait "$p" 2>/dev/null || true
        done
        for d in "$memcage_parent"/gc-*; do
                [ -d "$d" ] && rmdir "$d" 2>/dev/null
        done
        return 0
}
on_exit stop_all

# --- ps: 200 live groups ---
# Without sampling: 200 launchers sampling at 10 Hz kept both vCPUs busy and
# made the timing below measure them (ps took 16-61 s on a loaded host); ps
# itself reads the same files either way.
for i in $(seq "$n"); do
        "$MEMCAGE" run -q --interval 0 --name "ps-$i" -- sleep 300 &
        launchers+=($!)
done
# Every group created and its command inside: one pid in each cgroup.procs.
for _ in $(seq 600); do
        count=$({ cat "$memcage_parent"/ps-*/cgroup.procs 2>/dev/null || true; } | wc -l)
        [ "$count" -eq "$n" ] && break
        sleep 0.5
done
assert_eq "$count" "$n" "processes in the ps-* groups"

t0=$(date +%s%N)
run_memcage ps --json
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
echo "ps --json of $n groups took $ms ms"
assert_eq "$rc" 0 "ps --json exit status"
assert_eq "$(jq '[.[] | select(.name | startswith("ps-"))] | length' <<<"$out")" "$n" "ps entries"
assert_eq "$(jq '[.[] | select(.name | startswith("ps-")) | select(.pids == 1 and .current > 0
        and .launcher_alive == true and .max == null)] | length' <<<"$out")" "$n" "entries with pids 1, current > 0"
assert_le "$ms" 10000 "ps --json time (ms) for $n groups"

t0=$(date +%s%N)
run_memcage ps
t1=$(date +%s%N)
echo "ps (text) of $n groups took $(( (t1 - t0) / 1000000 )) ms"
assert_eq "$rc" 0 "ps exit status"
head -n 3 <<<"$out"
header=$(head -n1 <<<"$out")
for col in NAME PROFILE LAUNCHER PIDS CURRENT PEAK MAX HIGH PSI10 OOM_KILL; do
        assert_contains "$header" "$col" "ps header"
done
assert_eq "$(grep -c '^ps-' <<<"$out")" "$n" "ps text rows"
# Aligned: the PIDS column ends at the same place on every row.
assert_eq "$(awk '{ print index($0, " 1 ") }' <<<"$(grep '^ps-' <<<"$out")" | sort -u | wc -l)" 1 "PIDS column"

# Stop them cleanly: kill each command, and the launchers remove their groups.
for i in $(seq "$n"); do
        echo 1 >"$memcage_parent/ps-$i/cgroup.kill"
done
for p in "${launchers[@]}"; do
        wait "$p" || true
done
launchers=()
assert_eq "$(find "$memcage_parent" -mindepth 1 -maxdepth 1 -name 'ps-*' | wc -l)" 0 "ps-* groups left"

# --- gc ---
run_memcage gc --parent t31-nosuch
assert_eq "$rc" 0 "gc of a missing parent"
assert_contains "$out" "nothing to collect" "gc of a missing parent"

# A populated stale group: its launcher SIGKILLed, its command still running.
"$MEMCAGE" run -q --name gc-busy -- sh -c "touch $tmpdir/busy; exec sleep 300" &
busy_launcher=$!
# An empty stale group: launcher SIGKILLed, then its command killed too.
"$MEMCAGE" run -q --name gc-empty -- sh -c "touch $tmpdir/empty; exec sleep 300" &
empty_launcher=$!
# A live launcher's group, which gc never touches.
"$MEMCAGE" run -q --name gc-live -- sh -c "touch $tmpdir/live; exec sleep 300" &
launchers+=($!)
wait_for_file "$tmpdir/busy" 60
wait_for_file "$tmpdir/empty" 60
wait_for_file "$tmpdir/live" 60
kill -KILL "$busy_launcher" "$empty_launcher"
wait "$busy_launcher" || true
wait "$empty_launcher" || true
victim=$(cat "$memcage_parent/gc-busy/cgroup.procs")
[ -n "$victim" ] || fail "the orphaned command should still be in gc-busy"
kill -KILL "$(cat "$memcage_parent/gc-empty/cgroup.procs")"
for _ in $(seq 100); do
        [ -z "$(cat "$memcage_parent/gc-empty/cgroup.procs")" ] && break
        sleep 0.1
done
# A group memcage did not create.
mkdir "$memcage_parent/gc-unmarked"

run_memcage ps --json
assert_eq "$(jq -r '.[] | select(.name == "gc-busy") | .launcher_alive' <<<"$out")" false "gc-busy launcher"
assert_eq "$(jq -r '.[] | select(.name == "gc-live") | .launcher_alive' <<<"$out")" true "gc-live launcher"
assert_eq "$(jq '[.[] | select(.name == "gc-unmarked")] | length' <<<"$out")" 0 "unmarked group in ps"

run_memcage gc --dry-run
assert_eq "$rc" 0 "gc --dry-run exit status"
assert_contains "$out" "would remove memcage/gc-empty" "gc --dry-run"
assert_contains "$out" "kept memcage/gc-busy" "gc --dry-run"
[ -d "$memcage_parent/gc-empty" ] || fail "gc --dry-run removed a group"

run_memcage gc
echo "$out"
assert_eq "$rc" 0 "gc exit status"
assert_contains "$out" "removed memcage/gc-empty" "gc"
assert_contains "$out" "kept memcage/gc-busy" "gc"
assert_not_contains "$out" "gc-live" "gc"
assert_not_contains "$out" "gc-unmarked" "gc"
[ ! -e "$memcage_parent/gc-empty" ] || fail "gc left the empty stale group"
[ -d "$memcage_parent/gc-busy" ] || fail "gc removed a populated stale group without --kill"
assert_eq "$(cat "$memcage_parent/gc-busy/cgroup.procs")" "$victim" "gc-busy untouched"

run_memcage gc --kill
echo "$out"
assert_eq "$rc" 0 "gc --kill exit status"
assert_contains "$out" "killed and removed memcage/gc-busy" "gc --kill"
[ ! -e "$memcage_parent/gc-busy" ] || fail "gc --kill left the populated stale group"
! kill -0 "$victim" 2>/dev/null || [ "$(awk '{ print $3 }' "/proc/$victim/stat" 2>/dev/null)" = Z ] ||
        fail "the stale group's process survived gc --kill"
[ -d "$memcage_parent/gc-unmarked" ] || fail "gc removed an unmarked group"
[ -d "$memcage_parent/gc-live" ] || fail "gc removed a live launcher's group"
[ -n "$(cat "$memcage_parent/gc-live/cgroup.procs")" ] || fail "gc killed a live launcher's command"

run_memcage gc
assert_eq "$rc" 0 "gc with nothing stale"
assert_contains "$out" "no stale groups" "gc with nothing stale"

rmdir "$memcage_parent/gc-unmarked"
echo 1 >"$memcage_parent/gc-live/cgroup.kill"
for p in "${launchers[@]}"; do
        wait "$p" || true
done
launchers=()
[ ! -e "$memcage_parent/gc-live" ] || fail "the live launcher did not remove its group"
