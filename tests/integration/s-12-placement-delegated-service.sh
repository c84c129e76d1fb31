#!/bin/bash
# memcage inside a Delegate=yes service nests under the service's own
# cgroup (systemd marked it with trusted.delegate), so the service's
# accounting and MemoryMax= cover the command; in a Delegate=no service it
# does not write into systemd's group and takes a transient scope instead.
# timeout: 300
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"

sd_wait_running 120

# A script file: systemd would expand $VARIABLES in a command line it is given.
cat >"$tmpdir/probe" <<'PROBE'
cg=$(cut -d: -f3 /proc/self/cgroup)
echo "$cg"
cat "/sys/fs/cgroup$cg/memory.max"
cat "/sys/fs/cgroup${cg%/*}/memory.max"
PROBE
rc=0
sd_run_service s12-yes yes -p MemoryMax=256M "$MEMCAGE" run --name s12 --max 64M --report "$tmpdir/yes.json" -- \
        sh "$tmpdir/probe" >"$tmpdir/yes.out" 2>"$tmpdir/yes.err" || rc=$?
assert_eq "$rc" 0 "Delegate=yes: exit status ($(cat "$tmpdir/yes.err"))"
mapfile -t lines <"$tmpdir/yes.out"
assert_eq "${lines[0]:-}" "/system.slice/s12-yes.service/s12" "Delegate=yes: the command's cgroup, inside the service"
assert_eq "${lines[1]:-}" 67108864 "Delegate=yes: the profile's memory.max"
assert_eq "${lines[2]:-}" 268435456 "Delegate=yes: the service's own MemoryMax= above it"
[ -s "$tmpdir/yes.json" ] || fail "Delegate=yes: no report"
assert_eq "$(jq -r .placement.kind "$tmpdir/yes.json")" delegated "Delegate=yes: placement"
assert_contains "$(jq -r .placement.reason "$tmpdir/yes.json")" "trusted.delegate on /system.slice/s12-yes.service" "Delegate=yes: reason"

rc=0
sd_run_service s12-no no "$MEMCAGE" run --name s12n --report "$tmpdir/no.json" -- cat /proc/self/cgroup \
        >"$tmpdir/no.out" 2>"$tmpdir/no.err" || rc=$?
assert_eq "$rc" 0 "Delegate=no: exit status ($(cat "$tmpdir/no.err"))"
[[ $(cat "$tmpdir/no.out") =~ ^0::/memcage.slice/memcage-run-[0-9]+\.scope/s12n$ ]] ||
        fail "Delegate=no: the command ran in '$(cat "$tmpdir/no.out")', not in a scope of its own"
assert_eq "$(jq -r .placement.kind "$tmpdir/no.json")" scope "Delegate=no: placement"
sd_assert_clean
