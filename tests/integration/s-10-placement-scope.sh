#!/bin/bash
# Root on a systemd host, outside any delegated unit (this test's service has
# Delegate=no): memcage asks systemd for a transient scope with Delegate=yes
# and nests in it. What systemd says (the scope's unit, its ControlGroup and
# MemoryCurrent, Delegate) and what the kernel says (the command's cgroup,
# memory.max read back, the OOM kill) agree with the report, and the scope is
# gone afterwards. systemd is reached through sd-bus on the system bus, loaded
# for the scope only.
# timeout: 300
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"

sd_wait_running 120

# While the command runs, it reads what systemd and the kernel say about where it is.
probe='cg=$(cut -d: -f3 /proc/self/cgroup); echo "cgroup $cg"; echo "max $(cat /sys/fs/cgroup$cg/memory.max)";
unit=memcage-run-$PPID.scope; echo "active $(systemctl is-active $unit)";
echo "cg_unit $(systemctl show -P ControlGroup $unit)"; echo "delegate $(systemctl show -P Delegate $unit)";
echo "current $(systemctl show -P MemoryCurrent $unit)"; echo "launcher $(cut -d: -f3 /proc/$PPID/cgroup)"'
run_memcage run --max 64M --report "$tmpdir/r.json" -- sh -c "$probe"
assert_eq "$rc" 0 "exit status ($err)"
field() { sed -n "s/^$1 //p" <<<"$out"; }
pid=$(jq -r '.placement.unit' "$tmpdir/r.json" | sed -n 's/^memcage-run-\([0-9]*\)\.scope$/\1/p')
[ -n "$pid" ] || fail "no memcage-run-PID.scope in the report: $(cat "$tmpdir/r.json")"
unit=memcage-run-$pid.scope
assert_eq "$(field cgroup)" "/memcage.slice/$unit/run-$pid" "the command's cgroup"
assert_eq "$(field max)" 67108864 "memory.max read back from the run's group"
assert_eq "$(field active)" active "the scope while the run lasts"
assert_eq "$(field cg_unit)" "/memcage.slice/$unit" "the scope's ControlGroup (systemctl show)"
assert_eq "$(field delegate)" yes "the scope's Delegate (systemctl show)"
cur=$(field current)
[[ $cur =~ ^[0-9]+$ ]] && [ "$cur" -gt 0 ] || fail "the scope's MemoryCurrent is '$cur': systemd does not account the run"
assert_eq "$(field launcher)" "/memcage.slice/$unit/memcage-launcher" "memcage itself, in the scope's leaf"
assert_eq "$(jq -r .placement.kind "$tmpdir/r.json")" scope "report placement.kind"
assert_eq "$(jq -r .cgroup "$tmpdir/r.json")" "memcage.slice/$unit/run-$pid" "report cgroup"
assert_contains "$err" "memcage: placement scope in $cg_root/memcage.slice/$unit: transient scope $unit with Delegate=yes from the system manager" "stderr"

# An OOM kill inside the scope: 137, counted, reported.
run_memcage run --max 64M --swap 0 --report "$tmpdir/oom.json" -- "$HOG" 300
assert_eq "$rc" 137 "OOM: exit status ($err)"
[ -s "$tmpdir/oom.json" ] || fail "OOM: no report"
assert_eq "$(jq -r .placement.kind "$tmpdir/oom.json")" scope "OOM: placement"
kills=$(jq -r '.events.oom_kill' "$tmpdir/oom.json")
[ "$kills" -ge 1 ] || fail "OOM: events.oom_kill is $kills"
assert_contains "$(jq -r .verdict.code "$tmpdir/oom.json")" oom "OOM: verdict"

# [cgroup] slice names the slice.
printf '[cgroup]\nslice = memcage-batch.slice\n' >"$tmpdir/slice.ini"
run_memcage run -p "$tmpdir/slice.ini" -- cat /proc/self/cgroup
assert_eq "$rc" 0 "slice: exit status ($err)"
[[ $out =~ ^0::/memcage.slice/memcage-batch.slice/memcage-slice-[0-9]+\.scope/slice-[0-9]+$ ]] ||
        fail "slice: the command ran in '$out'"

# ps and gc find a group in its scope: a launcher SIGKILLed mid-run leaves
# its group and command; gc --kill collects them, and then the scope, empty,
# ends.
"$MEMCAGE" run -q --name s10-ps -- sleep 120 &
launcher=$!
unit=memcage-run-$launcher.scope
for ((i = 0; i < 300; i++)); do
        [ -d "$cg_root/memcage.slice/$unit/s10-ps" ] && [ -n "$(cat "$cg_root/memcage.slice/$unit/s10-ps/cgroup.procs")" ] && break
        sleep 0.1
done
run_memcage ps
assert_eq "$rc" 0 "ps: exit status ($err)"
assert_contains "$out" "memcage.slice/$unit/s10-ps" "ps lists the group in its scope"
kill -KILL "$launcher"
wait "$launcher" 2>/dev/null || true
run_memcage gc --kill
assert_eq "$rc" 0 "gc --kill: exit status ($err)"
assert_contains "$out" "killed and removed memcage.slice/$unit/s10-ps" "gc --kill collects the group in its scope"
[ ! -e "$cg_root/memcage.slice/$unit/s10-ps" ] || fail "gc left the group"

# systemd refusing StartTransientUnit: a masked slice. memcage exits 125 with
# systemd's own message, and no scope is left.
systemctl mask --runtime --quiet s10-masked.slice
printf '[cgroup]\nslice = s10-masked.slice\n' >"$tmpdir/masked.ini"
run_memcage run -p "$tmpdir/masked.ini" -- true
systemctl unmask --runtime --quiet s10-masked.slice
assert_eq "$rc" 125 "masked slice: exit status ($err)"
assert_contains "$err" "StartTransientUnit memcage-masked-" "masked slice: the call named"
assert_contains "$err" "Unit s10-masked.slice is masked." "masked slice: systemd's message"

# The client is libsystemd's sd-bus, loaded for a scope only: the scope run
# maps it, a run under a named parent does not.
"$MEMCAGE" run -q --name s10-maps -- sleep 30 &
launcher=$!
for ((i = 0; i < 300; i++)); do
        [ -n "$(cat "$cg_root/memcage.slice/memcage-run-$launcher.scope/s10-maps/cgroup.procs" 2>/dev/null)" ] && break
        sleep 0.1
done
maps=$(cat "/proc/$launcher/maps")
[ -n "$maps" ] || fail "maps: no /proc/$launcher/maps"
assert_contains "$(cut -d: -f3 "/proc/$launcher/cgroup")" "memcage-run-$launcher.scope" "maps: the launcher in its scope"
assert_contains "$maps" "libsystemd.so.0" "maps: the scope launcher's mappings"
kill -TERM "$launcher"
wait "$launcher" 2>/dev/null || true
"$MEMCAGE" run -q --parent memcage --name s10-nomaps -- sleep 30 &
launcher=$!
for ((i = 0; i < 300; i++)); do
        [ -n "$(cat "$cg_root/memcage/s10-nomaps/cgroup.procs" 2>/dev/null)" ] && break
        sleep 0.1
done
[ -n "$(cat "$cg_root/memcage/s10-nomaps/cgroup.procs" 2>/dev/null)" ] || fail "maps: no run in memcage/s10-nomaps"
maps=$(cat "/proc/$launcher/maps")
[ -n "$maps" ] || fail "maps: no /proc/$launcher/maps"
assert_not_contains "$maps" "libsystemd" "maps: the mappings of a launcher under a named parent"
kill -TERM "$launcher"
wait "$launcher" 2>/dev/null || true

# Root reaches systemd on the system bus at its fixed address: a bus address
# in the environment (a caller's, under sudo) is not used ...
DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent run_memcage run -- true
assert_eq "$rc" 0 "DBUS_SYSTEM_BUS_ADDRESS ignored: exit status ($err)"
assert_contains "$err" "placement scope" "DBUS_SYSTEM_BUS_ADDRESS ignored: placement"
# ... and where no system bus answers there, memcage says so and names the way
# out: the system bus socket covered by /dev/null in a mount namespace.
rc=0
unshare -m sh -c 'mount --bind /dev/null /run/dbus/system_bus_socket && exec "$0" run -- true' "$MEMCAGE" \
        >"$tmpdir/nobus.out" 2>"$tmpdir/nobus.err" || rc=$?
err=$(cat "$tmpdir/nobus.err")
assert_eq "$rc" 125 "no system bus: exit status ($err)"
assert_contains "$err" "no system bus answers at unix:path=/run/dbus/system_bus_socket" "no system bus: the message"
assert_contains "$err" "--parent" "no system bus: the way out"

# Gone afterwards: no scope unit, no group of memcage in the slices.
for ((i = 0; i < 50; i++)); do
        [ -z "$(systemctl list-units --all --plain --no-legend 'memcage-*.scope')" ] && break
        sleep 0.1
done
sd_assert_clean
left=$(find "$cg_root/memcage.slice" -mindepth 1 -type d -name '*.scope' 2>/dev/null)
[ -z "$left" ] || fail "scope groups left: $left"
