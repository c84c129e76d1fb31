#!/bin/bash
# timeout: 180
# A launcher in another pid namespace (a container sharing the cgroup tree
# and /run) is never judged dead: its pid means nothing here. gc --kill, ps
# and a run's sweep from the outer namespace leave its group and its command
# alone, and the same holds the other way round.
. "$(dirname "$0")/lib.sh"

command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
command -v jq >/dev/null || skip "jq is not installed"
unshare --pid --fork --mount-proc true 2>/dev/null || skip "unshare --pid --fork --mount-proc fails here"

inner_group=$memcage_parent/t66-inner
outer_group=$memcage_parent/t66-outer
pids=()
stop_all() {
        local g p
        for g in "$inner_group" "$outer_group"; do
                [ -e "$g/cgroup.kill" ] && echo 1 >"$g/cgroup.kill" 2>/dev/null
        done
        for p in "${pids[@]}"; do
                wait "$p" 2>/dev/null || true
        done
        return 0
}
on_exit stop_all

# Waits until GROUP holds exactly one process and prints it.
group_pid() { # GROUP
        local procs=''
        for _ in $(seq 300); do
                procs=$(cat "$1/cgroup.procs" 2>/dev/null || true)
                [ -n "$procs" ] && [ "$(wc -l <<<"$procs")" -eq 1 ] && break
                sleep 0.1
        done
        [ -n "$procs" ] || fail "no process in $1"
        printf '%s\n' "$procs"
}

# --- a run inside a new pid namespace, judged from outside ---
# sh is the namespace's pid 1, memcage its child (pid 2 there).
unshare --pid --fork --mount-proc -- sh -c '
        readlink /proc/self/ns/pid >"$1/inner-ns"
        "$2" run -q --name t66-inner -- sleep 300
        echo $? >"$1/inner-rc"' sh "$tmpdir" "$MEMCAGE" &
pids+=($!)
inner_cmd=$(group_pid "$inner_group")
[ -s "$tmpdir/inner-ns" ] || fail "the inner namespace did not report its pid namespace"
inner_ns=$(cat "$tmpdir/inner-ns")
assert_contains "$inner_ns" "pid:[" "inner pid namespace"
assert_eq "$(readlink "/proc/$inner_cmd/ns/pid")" "$inner_ns" "pid namespace of the inner run's command"
[ "$inner_ns" != "$(readlink /proc/self/ns/pid)" ] || fail "unshare --pid made no new pid namespace"

run_memcage gc --kill
echo "$out"
assert_eq "$rc" 0 "gc --kill (outer) exit status"
assert_contains "$out" "memcage/t66-inner: launcher in another pid namespace ($inner_ns), left alone" \
        "gc --kill (outer)"
assert_eq "$(cat "$inner_group/cgroup.procs")" "$inner_cmd" "the inner run's command after an outer gc --kill"

run_memcage ps
echo "$out"
assert_eq "$rc" 0 "ps (outer) exit status"
row=$(grep '^t66-inner ' <<<"$out" || true)
[ -n "$row" ] || fail "ps (outer) does not list t66-inner"
assert_contains "$row" " other-ns " "ps (outer) row of t66-inner"
assert_not_contains "$row" "gone" "ps (outer) row of t66-inner"
run_memcage ps --json
assert_eq "$(jq -r '.[] | select(.name == "t66-inner") | .launcher_state' <<<"$out")" other-ns "ps --json state"
assert_eq "$(jq -r '.[] | select(.name == "t66-inner") | .launcher_alive' <<<"$out")" null "ps --json launcher_alive"
assert_eq "pid:[$(jq -r '.[] | select(.name == "t66-inner") | .launcher_pidns' <<<"$out")]" "$inner_ns" \
        "ps --json launcher_pidns"

# A second run, whose stale sweep looks at every group of the parent.
run_memcage run --name t66-second -- true
assert_eq "$rc" 0 "a second outer run"
assert_not_contains "$err" "t66-inner" "the second run's sweep"
assert_eq "$(cat "$inner_group/cgroup.procs")" "$inner_cmd" "the inner run's command after an outer run's sweep"

# --- the reverse: an outer run, judged from inside a new pid namespace ---
"$MEMCAGE" run -q --name t66-outer -- sleep 300 &
pids+=($!)
outer_launcher=$!
outer_cmd=$(group_pid "$outer_group")
outer_ns=$(readlink /proc/self/ns/pid)
unshare --pid --fork --mount-proc -- sh -c '
        "$2" gc --kill >"$1/gc-inner.out" 2>&1; echo $? >"$1/gc-inner.rc"
        "$2" ps >"$1/ps-inner.out" 2>&1
        "$2" run --name t66-second -- true 2>"$1/run-inner.err"; echo $? >"$1/run-inner.rc"' \
        sh "$tmpdir" "$MEMCAGE"
[ -s "$tmpdir/gc-inner.rc" ] && [ -s "$tmpdir/run-inner.rc" ] || fail "the inner commands did not run"
cat "$tmpdir/gc-inner.out" "$tmpdir/ps-inner.out"
assert_eq "$(cat "$tmpdir/gc-inner.rc")" 0 "gc --kill (inner) exit status"
assert_contains "$(cat "$tmpdir/gc-inner.out")" \
        "memcage/t66-outer: launcher in another pid namespace ($outer_ns), left alone" "gc --kill (inner)"
row=$(grep '^t66-outer ' "$tmpdir/ps-inner.out" || true)
assert_contains "$row" "$outer_launcher other-ns " "ps (inner) row of t66-outer"
assert_eq "$(cat "$tmpdir/run-inner.rc")" 0 "a run inside the new namespace"
assert_not_contains "$(cat "$tmpdir/run-inner.err")" "t66-outer" "the inner run's sweep"
assert_eq "$(cat "$outer_group/cgroup.procs")" "$outer_cmd" "the outer run's command after an inner gc --kill"
# The first inner run, of yet another pid namespace, is left alone by this one too.
assert_eq "$(cat "$inner_group/cgroup.procs")" "$inner_cmd" "the inner run's command after the inner gc --kill"

# --- stop both: each launcher removes its own group ---
kill -TERM "$inner_cmd" "$outer_cmd"
for p in "${pids[@]}"; do
        wait "$p" 2>/dev/null || true
done
pids=()
[ -s "$tmpdir/inner-rc" ] || fail "the inner launcher did not exit"
assert_eq "$(cat "$tmpdir/inner-rc")" 143 "the inner run's exit status (sleep killed by SIGTERM)"
for g in t66-inner t66-outer t66-second; do
        [ ! -e "$memcage_parent/$g" ] || fail "$g left behind"
done
