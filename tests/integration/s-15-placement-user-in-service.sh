#!/bin/bash
# A user's memcage started by runuser inside root's Delegate=yes service:
# the service's group is root's (systemd delegated it to the service, not to
# the user), so memcage cannot make groups there. Where systemd-run --user
# --scope works, memcage works: it asks the user's manager (linger) for a
# scope in user@UID.service, with XDG_RUNTIME_DIR set and without it, and
# says why on the placement line; the group is gone after. Without a user
# manager the error names the ways out; below a service with MemoryMax= it
# refuses, since a scope of the user's would leave that limit.
# timeout: 300
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"

sd_wait_running 120
sd_make_linger_user memcage-svc 4245
chmod 0755 "$tmpdir"
work=$tmpdir/user
mkdir "$work"
chown "$sd_user" "$work"
runtime=/run/user/$sd_uid

cat >"$tmpdir/probe" <<'PROBE'
cg=$(cut -d: -f3 /proc/self/cgroup)
echo "$cg"
cat "/sys/fs/cgroup$cg/memory.max"
PROBE

# What the user's shell in the service can do without memcage: a scope from its own manager.
rc=0
sd_run_service s15-ctl yes runuser -u "$sd_user" -- env XDG_RUNTIME_DIR="$runtime" \
        systemd-run --user --scope -q cat /proc/self/cgroup >"$tmpdir/ctl.out" 2>"$tmpdir/ctl.err" || rc=$?
assert_eq "$rc" 0 "systemd-run --user --scope from the service ($(cat "$tmpdir/ctl.err"))"
[[ $(cat "$tmpdir/ctl.out") =~ ^0::/user\.slice/user-$sd_uid\.slice/user@$sd_uid\.service/app\.slice/run-.*\.scope$ ]] ||
        fail "systemd-run --user --scope ran in '$(cat "$tmpdir/ctl.out")'"

# ENV...: memcage run as the user, from a shell runuser started in root's Delegate=yes service s15-NAME.
as_user_in_service() { # NAME DELEGATE-PROPERTIES ENV...: sets rc, out, err, json
        local name=$1 props=$2
        shift 2
        json=$work/$name.json
        rc=0
        # shellcheck disable=SC2086 # props: zero or more -p options
        sd_run_service "s15-$name" yes $props runuser -u "$sd_user" -- env "$@" "$MEMCAGE" run --name s15 \
                --max 32M --report "$json" -- sh "$tmpdir/probe" >"$tmpdir/$name.out" 2>"$tmpdir/$name.err" ||
                rc=$?
        out=$(cat "$tmpdir/$name.out") err=$(cat "$tmpdir/$name.err")
}

user_units() {
        sd_as_user systemctl --user list-units --all --plain --no-legend 'memcage-*.scope'
}

for env in "XDG_RUNTIME_DIR=$runtime" "XDG_RUNTIME_DIR="; do
        name=env${env#XDG_RUNTIME_DIR=}
        name=${name//\//-}
        as_user_in_service "$name" "" "$env"
        echo "# $env: $(grep placement "$tmpdir/$name.err" || true)"
        assert_eq "$rc" 0 "$env: exit status ($err)"
        mapfile -t lines <<<"$out"
        [[ ${lines[0]:-} =~ ^/user\.slice/user-$sd_uid\.slice/user@$sd_uid\.service/.*memcage-run-[0-9]+\.scope/s15$ ]] ||
                fail "$env: the command ran in '${lines[0]:-}', not in a scope of user@$sd_uid.service"
        assert_eq "${lines[1]:-}" 33554432 "$env: memory.max read back in the command's group"
        assert_contains "$err" "memcage: placement scope in" "$env: the placement line"
        assert_contains "$err" "/system.slice/s15-$name.service is uid 0's" "$env: the placement line says why"
        [ -s "$json" ] || fail "$env: no report"
        assert_eq "$(jq -r .placement.kind "$json")" scope "$env: placement.kind"
        assert_contains "$(jq -r .placement.reason "$json")" "from uid $sd_uid's user manager" "$env: placement.reason"
        # The group and its scope are gone.
        scope=${lines[0]%/s15}
        [ ! -e "$cg_root$scope" ] || fail "$env: $cg_root$scope left"
        for ((i = 0; i < 50; i++)); do
                units=$(user_units)
                [ -z "$units" ] && break
                sleep 0.1
        done
        [ -z "$units" ] || fail "$env: user scopes left: $units"
done

# A service with a memory limit: a scope of the user's would leave it; refused, nothing asked for.
as_user_in_service limited "-p MemoryMax=256M" "XDG_RUNTIME_DIR=$runtime"
assert_eq "$rc" 125 "below MemoryMax=: exit status"
assert_contains "$err" "would leave the limit above it (memory.max 268435456 on /system.slice/s15-limited.service)" \
        "below MemoryMax=: why"
assert_eq "$out" "" "below MemoryMax=: the command did not run"

# A user without a manager (no linger): the ways out, named.
if ! id -u memcage-nol >/dev/null 2>&1; then
        useradd -M -u 4246 -s /bin/bash memcage-nol || fail "useradd memcage-nol failed"
fi
[ ! -e /run/user/4246/bus ] || fail "memcage-nol has a user manager"
rc=0
sd_run_service s15-nol yes runuser -u memcage-nol -- "$MEMCAGE" run --max 32M -- true \
        >"$tmpdir/nol.out" 2>"$tmpdir/nol.err" || rc=$?
err=$(cat "$tmpdir/nol.err")
assert_eq "$rc" 125 "no user manager: exit status"
assert_contains "$err" "no user manager answers for uid 4246 on /run/user/4246/bus" "no user manager: message"
assert_contains "$err" "loginctl enable-linger" "no user manager: linger"
assert_contains "$err" "run memcage as root" "no user manager: root"
assert_contains "$err" "--parent" "no user manager: --parent"
sd_assert_clean
