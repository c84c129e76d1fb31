#!/bin/bash
# When a launcher dies (SIGKILL), its group stays. The next run reports the
# populated stale group and never reuses it; once empty, the next run removes it.
. "$(dirname "$0")/lib.sh"

ready="$tmpdir/ready"
"$MEMCAGE" run -q --name stale -- sh -c "touch $ready; exec sleep 300" &
launcher=$!
wait_for_file "$ready" 60
kill -KILL "$launcher"
wait "$launcher" || true
[ -d "$cg_root/memcage/stale" ] || fail "the killed launcher's group should still exist"
victim=$(cat "$cg_root/memcage/stale/cgroup.procs")
[ -n "$victim" ] || fail "the orphaned command should still be in its group"

run_memcage run --name other -- true
assert_eq "$rc" 0 "a run next to a populated stale group"
assert_contains "$err" "stale group memcage/stale" "warning about the populated stale group"
[ -d "$cg_root/memcage/stale" ] || fail "a populated stale group must be left in place"

# Never reused: a run asking for the same name fails and leaves it alone.
run_memcage run --name stale -- true
assert_eq "$rc" 125 "reusing a populated group"
assert_eq "$(cat "$cg_root/memcage/stale/cgroup.procs")" "$victim" "stale group untouched"

kill -KILL "$victim"
for _ in $(seq 50); do [ -z "$(cat "$cg_root/memcage/stale/cgroup.procs")" ] && break; sleep 0.1; done
run_memcage run --name other2 -- true
assert_eq "$rc" 0 "a run after the stale group emptied"
assert_contains "$err" "removed stale group memcage/stale" "sweep message"
[ ! -e "$cg_root/memcage/stale" ] || fail "empty stale group not swept"

# Groups memcage did not create are never touched.
mkdir "$cg_root/memcage/foreign"
run_memcage run --name other3 -- true
[ -d "$cg_root/memcage/foreign" ] || fail "sweep removed a group it did not create"
rmdir "$cg_root/memcage/foreign"
