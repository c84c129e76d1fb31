#!/bin/bash
# A non-root user with a running user manager (linger): memcage asks that
# manager for a transient scope inside user@UID.service, and an OOM kill
# there ends with 137 and a report; [hugetlb] and pool reservations get a
# clear error; pressure windows are rounded up to what the kernel takes from
# a user, and a trigger it refuses is listed as such (6.1 and 6.12 both take it).
# timeout: 300
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"

sd_wait_running 120
sd_make_linger_user memcage-user 4243
chmod 0755 "$tmpdir"
work=$tmpdir/user
mkdir "$work"
chown "$sd_user" "$work"
profiles=${MEMCAGE_SRCDIR:?}/profiles

as_user_memcage() { # ARGS...: sets rc, out, err
        rc=0
        sd_as_user "$MEMCAGE" "$@" >"$work/.out" 2>"$work/.err" || rc=$?
        out=$(cat "$work/.out") err=$(cat "$work/.err")
}

as_user_memcage run -p "$profiles/ci.ini" --max 64M --swap 0 --report "$work/oom.json" -- "$HOG" 300
assert_eq "$rc" 137 "OOM as $sd_user: exit status ($err)"
[ -s "$work/oom.json" ] || fail "OOM as $sd_user: no report"
assert_eq "$(jq -r .placement.kind "$work/oom.json")" scope "placement"
assert_contains "$(jq -r .placement.reason "$work/oom.json")" "from the user manager" "placement reason"
cg=$(jq -r .cgroup "$work/oom.json")
[[ $cg =~ ^user\.slice/user-$sd_uid\.slice/user@$sd_uid\.service/.*memcage-ci-[0-9]+\.scope/ci-[0-9]+$ ]] ||
        fail "the run's group '$cg' is not in a scope of user@$sd_uid.service"
assert_ge "$(jq -r .events.oom_kill "$work/oom.json")" 1 "events.oom_kill"
assert_contains "$(jq -r .verdict.code "$work/oom.json")" oom "verdict"
# The kernel log is root's: the victims come from the counters, without names from the log.
assert_ge "$(jq -r '.oom_kills | length' "$work/oom.json")" 1 "oom_kills listed"

# [hugetlb]: not delegated to users, a pool reservation is root's.
printf '[hugetlb]\n2MB.max = 4M\n' >"$work/h.ini"
chown "$sd_user" "$work/h.ini"
as_user_memcage run -p "$work/h.ini" -- true
assert_eq "$rc" 125 "[hugetlb] max as $sd_user: exit status"
assert_contains "$err" "hugetlb controller is not available" "[hugetlb] max as $sd_user"
printf '[hugetlb]\n2MB.reserve = 2\n' >"$work/r.ini"
chown "$sd_user" "$work/r.ini"
as_user_memcage run -p "$work/r.ini" -- true
assert_eq "$rc" 125 "[hugetlb] reserve as $sd_user: exit status"
assert_contains "$err" "2MB.reserve needs root" "[hugetlb] reserve as $sd_user"

# A pressure window the kernel does not take from a user: rounded up, or refused before 6.4.
printf '[pressure]\nfull = 150ms/1s\n' >"$work/p.ini"
chown "$sd_user" "$work/p.ini"
as_user_memcage run -p "$work/p.ini" --report "$work/p.json" -- true
assert_eq "$rc" 0 "pressure as $sd_user: exit status ($err)"
assert_contains "$err" "using 300ms/2s" "pressure as $sd_user: the rounding is said"
[ -s "$work/p.json" ] || fail "pressure: no report"
# Whether this kernel takes the rounded trigger from a user, the report says which.
case $(jq -r '.pressure.triggers | length' "$work/p.json") in
1)
        assert_eq "$(jq -r '.pressure.triggers[0].window_us' "$work/p.json")" 2000000 "the trigger's window"
        assert_eq "$(jq -r '.pressure.triggers[0].stall_us' "$work/p.json")" 300000 "the trigger's stall"
        assert_eq "$(jq -r '.pressure.triggers_refused | length' "$work/p.json")" 0 "no trigger refused"
        ;;
0)
        assert_eq "$(jq -r '.pressure.triggers_refused[0].window_us' "$work/p.json")" 2000000 "the refused trigger"
        assert_contains "$err" "stall totals" "the fallback is said"
        ;;
*) fail "pressure: $(jq -c .pressure "$work/p.json")" ;;
esac

# Nothing left in the user's manager.
for ((i = 0; i < 50; i++)); do
        units=$(sd_as_user systemctl --user list-units --all --plain --no-legend 'memcage-*.scope')
        [ -z "$units" ] && break
        sleep 0.1
done
[ -z "$units" ] || fail "user scopes left: $units"
