#!/bin/bash
# memcage in a real container (crun, its own cgroup namespace): as the
# entrypoint it nests at the namespace root; as a second process it explains
# the no-internal-process rule, and --evacuate makes it work; with the cgroup
# mount read-only it explains the fix.
# timeout: 300
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"

sd_wait_running 120
bindir=$(dirname -- "$MEMCAGE")

# The bundle's root is the host's root file system: the build tree and the
# test's directory are bound in as they are outside.
bundle() { # DIR ro|rw
        ct_make_bundle "$1" "$2" 268435456
        jq --arg b "$bindir" --arg t "$tmpdir" '.mounts += [
                {"destination": $b, "type": "bind", "source": $b, "options": ["rbind", "ro"]},
                {"destination": $t, "type": "bind", "source": $t, "options": ["rbind", "rw"]}]' \
                "$1/config.json" >"$1/config.new" || fail "cannot edit $1/config.json"
        [ -s "$1/config.new" ] || fail "jq wrote an empty $1/config.new"
        mv -- "$1/config.new" "$1/config.json"
}

bundle "$tmpdir/rw" rw
rc=0
ct_run "$tmpdir/rw" s13-entry "$MEMCAGE" run --name c1 --max 64M --report "$tmpdir/c1.json" -- \
        sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/c1/memory.max' >"$tmpdir/c1.out" 2>"$tmpdir/c1.err" || rc=$?
assert_eq "$rc" 0 "entrypoint: exit status ($(cat "$tmpdir/c1.err"))"
mapfile -t lines <"$tmpdir/c1.out"
assert_eq "${lines[0]:-}" "0::/c1" "entrypoint: the command's cgroup, inside"
assert_eq "${lines[1]:-}" 67108864 "entrypoint: memory.max read back"
[ -s "$tmpdir/c1.json" ] || fail "entrypoint: no report"
assert_eq "$(jq -r .placement.kind "$tmpdir/c1.json")" container "entrypoint: placement"

rc=0
ct_run "$tmpdir/rw" s13-second sh -c 'sleep 30 & until read c </proc/$!/comm && [ "$c" = sleep ]; do :; done; "$0" run --name c2 -- true; echo "rc=$?"; kill $!' "$MEMCAGE" \
        >"$tmpdir/c2.out" 2>"$tmpdir/c2.err" || rc=$?
assert_eq "$(cat "$tmpdir/c2.out")" rc=125 "second process: memcage's exit status"
assert_contains "$(cat "$tmpdir/c2.err")" "(sleep)" "second process: names the other process"
assert_contains "$(cat "$tmpdir/c2.err")" "Make memcage the entrypoint" "second process: the fix"

rc=0
ct_run "$tmpdir/rw" s13-evacuate sh -c 'sleep 30 & until read c </proc/$!/comm && [ "$c" = sleep ]; do :; done; "$0" run --evacuate --name c3 -- cat /proc/self/cgroup; echo "rc=$?"; kill $!' "$MEMCAGE" \
        >"$tmpdir/c3.out" 2>"$tmpdir/c3.err" || rc=$?
mapfile -t lines <"$tmpdir/c3.out"
assert_eq "${lines[0]:-}" "0::/c3" "--evacuate: the command's cgroup ($(cat "$tmpdir/c3.err"))"
assert_eq "${lines[1]:-}" rc=0 "--evacuate: exit status"

bundle "$tmpdir/ro" ro
rc=0
ct_run "$tmpdir/ro" s13-ro "$MEMCAGE" run --name c4 -- true >"$tmpdir/c4.out" 2>"$tmpdir/c4.err" || rc=$?
assert_eq "$rc" 125 "read-only mount: exit status"
assert_contains "$(cat "$tmpdir/c4.err")" "read-only cgroup mount" "read-only mount: the reason"
assert_contains "$(cat "$tmpdir/c4.err")" "--privileged" "read-only mount: the fix"
left=$(find "$cg_root" -type d -name '*s13-*')
[ -z "$left" ] || fail "crun left groups: $left"
