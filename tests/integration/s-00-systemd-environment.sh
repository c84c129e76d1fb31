#!/bin/bash
# The systemd VM (tests/vm/run-vm --systemd) is what the placement tests
# need, read from what systemd and the kernel say: systemd as PID 1 on the
# unified hierarchy, this test in a service of system.slice, transient
# scopes with a memory limit, a lingering user's manager with a delegated
# cgroup, the delegation mark on a Delegate=yes service (and not on a
# Delegate=no one), crun containers with their own cgroup namespace; and
# today's memcage still runs there.
# timeout: 300
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"

sd_wait_running 120

assert_eq "$(cat /proc/1/comm)" systemd "PID 1 (/proc/1/comm)"
assert_eq "$(stat -f -c %T "$cg_root")" cgroup2fs "file system type of $cg_root"
[[ " $(cat "$cg_root/cgroup.subtree_control") " == *" memory "* ]] ||
        fail "memory not enabled in $cg_root/cgroup.subtree_control ($(cat "$cg_root/cgroup.subtree_control"))"
self=$(cat /proc/self/cgroup)
[[ $self =~ ^0::/system\.slice/[^/]+\.service$ ]] ||
        fail "this test runs in '$self', not in a service of system.slice"

# A transient scope gets its own group with the limit systemd wrote.
out=$(systemd-run -q --scope -p MemoryMax=64M cat /proc/self/cgroup) || fail "systemd-run --scope failed"
[[ $out =~ ^0::/.*/run-[^/]+\.scope$ ]] || fail "systemd-run --scope ran in '$out', not in a run-*.scope"
systemd-run -q --scope --unit=s00-probe -p MemoryMax=64M sleep 60 &
probe_pid=$!
on_exit "systemctl stop s00-probe.scope 2>/dev/null; wait $probe_pid 2>/dev/null"
for ((i = 0; i < 300; i++)); do
        [ "$(systemctl is-active s00-probe.scope 2>/dev/null)" = active ] && break
        sleep 0.1
done
assert_eq "$(systemctl show -P MemoryMax s00-probe.scope)" 67108864 "MemoryMax of s00-probe.scope"
scope_cg=$(sd_unit_cgroup s00-probe.scope)
assert_eq "$(cat "$scope_cg/memory.max")" 67108864 "memory.max of $scope_cg"
systemctl stop s00-probe.scope
wait "$probe_pid" 2>/dev/null || true

# A lingering user's manager is reachable, and its cgroup is delegated to the
# user with the memory controller.
sd_make_linger_user memcage-tester 4242
env_out=$(sd_as_user systemctl --user show-environment) || fail "systemctl --user show-environment failed as $sd_user"
assert_contains "$env_out" "XDG_RUNTIME_DIR=/run/user/$sd_uid" "the user manager's environment"
assert_eq "$(sd_as_user systemctl --user is-system-running --wait)" running "state of user@$sd_uid.service's manager"
ucg=$(sd_unit_cgroup "user@$sd_uid.service")
assert_eq "$ucg" "$cg_root/user.slice/user-$sd_uid.slice/user@$sd_uid.service" "cgroup of user@$sd_uid.service"
assert_eq "$(xattr_of "$ucg" trusted.delegate)" 1 "trusted.delegate of $ucg"
assert_eq "$(xattr_of "$ucg" user.delegate)" 1 "user.delegate of $ucg"
[[ " $(cat "$ucg/cgroup.controllers") " == *" memory "* ]] ||
        fail "no memory in $ucg/cgroup.controllers ($(cat "$ucg/cgroup.controllers"))"
assert_eq "$(stat -c %u "$ucg/cgroup.subtree_control")" "$sd_uid" "owner of $ucg/cgroup.subtree_control"

# A Delegate=yes service's cgroup carries the mark, a Delegate=no one's not.
cat >"$tmpdir/probe" <<'PROBE'
cg=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
echo "cgroup=${cg#/sys/fs/cgroup}"
for x in trusted.delegate user.delegate; do
        echo "$x=$(getfattr --only-values --absolute-names -n "$x" "$cg" 2>/dev/null)"
done
PROBE
out=$(sd_run_service s00-delegated yes bash "$tmpdir/probe") || fail "the Delegate=yes service failed: $out"
assert_contains "$out" "cgroup=/system.slice/s00-delegated.service" "Delegate=yes service"
assert_contains "$out" "trusted.delegate=1" "Delegate=yes service"
assert_contains "$out" "user.delegate=1" "Delegate=yes service"
out=$(sd_run_service s00-plain no bash "$tmpdir/probe") || fail "the Delegate=no service failed: $out"
assert_contains "$out" "cgroup=/system.slice/s00-plain.service" "Delegate=no service"
assert_contains "$out" "trusted.delegate=
" "Delegate=no service"
[[ $out == *"user.delegate=" ]] || fail "the Delegate=no service's cgroup has user.delegate: $out"

# crun: the container's cgroup namespace root is its own group, with its
# limit and its PID 1 in it; the cgroup mount is writable or read-only as
# the bundle says.
# shellcheck disable=SC2016 # expanded in the container
ct_probe='cat /proc/self/cgroup; echo "pid=$$"; echo "procs=$(tr "\n" " " </sys/fs/cgroup/cgroup.procs)";
echo "max=$(cat /sys/fs/cgroup/memory.max)"; echo "mount=$(awk "\$2 == \"/sys/fs/cgroup\" { print \$3, \$4 }" /proc/self/mounts)"'
ct_make_bundle "$tmpdir/ct-rw" rw 67108864
out=$(ct_run "$tmpdir/ct-rw" s00-ct-rw sh -c "$ct_probe") || fail "crun run failed: $out"
assert_eq "$(sed -n 1p <<<"$out")" "0::/" "/proc/self/cgroup in the container"
assert_contains "$out" "pid=1" "the container's shell"
assert_contains "$out" "procs=1 " "cgroup.procs of the container's root"
assert_contains "$out" "max=67108864" "memory.max of the container's root"
assert_contains "$out" "mount=cgroup2 rw," "the container's cgroup mount"
ct_make_bundle "$tmpdir/ct-ro" ro 67108864
out=$(ct_run "$tmpdir/ct-ro" s00-ct-ro sh -c "$ct_probe") || fail "crun run failed: $out"
assert_eq "$(sed -n 1p <<<"$out")" "0::/" "/proc/self/cgroup in the container"
assert_contains "$out" "mount=cgroup2 ro," "the container's cgroup mount"
left=$(find "$cg_root" -type d -name '*s00-ct*')
[ -z "$left" ] || fail "crun left groups: $left"

# Today's memcage runs here as root; its group lies at the root's memcage/,
# outside systemd's tree (what issue 11's placement changes).
run_memcage run --max 64M -- true
assert_eq "$rc" 0 "memcage run --max 64M -- true: exit status (stderr: $err)"
run_memcage run -q --max 64M -- cat /proc/self/cgroup
assert_eq "$rc" 0 "memcage run -- cat /proc/self/cgroup: exit status (stderr: $err)"
echo "memcage's group under systemd: $out"

sd_assert_clean "$memcage_parent"
