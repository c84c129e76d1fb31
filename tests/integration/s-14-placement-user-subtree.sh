#!/bin/bash
# Root's memcage started from a shell inside a subtree systemd delegated to a
# user (a Delegate=yes unit of the user's manager, below user@UID.service,
# both marked) does not place its run there: cgroup v2 lets whoever may write
# the common ancestor's cgroup.procs move processes between the groups below
# it, so the user could take the run out of its limits. The run takes a scope
# from the system manager, the placement line and report say why, and the
# command's own move into a group of the user's fails. (A root Delegate=yes
# service's subtree, root's alone, stays the run's place: s-12.)
# timeout: 300
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"

sd_wait_running 120
getent passwd nobody >/dev/null || skip "no user nobody"
sd_make_linger_user memcage-sub 4244

# The user's own unit with Delegate=yes: its group and all below it are the user's.
sd_as_user systemd-run --user -q --unit=s14-sub -p Delegate=yes sleep 600 ||
        fail "systemd-run --user failed"
on_exit "sd_as_user systemctl --user stop s14-sub.service"
cg=$(sd_as_user systemctl --user show -P ControlGroup s14-sub.service)
[ -n "$cg" ] || fail "s14-sub.service has no ControlGroup"
sub=$cg_root$cg
assert_eq "$(stat -c %u "$sub/cgroup.procs")" "$sd_uid" "the unit's cgroup.procs is the user's"

# The user prepares it as anyone could: the sleep in a leaf of its own, memory
# passed down, a shell's group, a group to escape to, and both cgroup.procs on
# the way out (the target and the common ancestor) opened to the command's user.
sd_as_user sh -c 'set -e; cd "$1"; mkdir idle shell outside
for p in $(cat cgroup.procs); do echo "$p" >idle/cgroup.procs; done
echo +memory >cgroup.subtree_control
chmod o+w cgroup.procs outside/cgroup.procs' sh "$sub" || fail "the user could not prepare $sub"

# A root shell inside the user's subtree becomes memcage (what sudo from the user's shell gives);
# the command, as nobody, tries to move itself out of its group into the user's.
rc=0
sh -c 'echo $$ >"$1/shell/cgroup.procs"; exec "$2" run --name s14 --max 32M --user nobody --report "$3" -- \
        sh -c "cat /proc/self/cgroup; echo \$\$ >$1/outside/cgroup.procs && echo moved; cat /proc/self/cgroup"' \
        sh "$sub" "$MEMCAGE" "$tmpdir/r.json" >"$tmpdir/out" 2>"$tmpdir/err" || rc=$?
err=$(cat "$tmpdir/err")
mapfile -t lines <"$tmpdir/out"
echo "# memcage said: $(grep 'placement' "$tmpdir/err" || true)"
echo "# the command's cgroup before and after: ${lines[0]:-} -> ${lines[${#lines[@]} - 1]:-}"
assert_eq "$rc" 0 "exit status ($err)"
[ -s "$tmpdir/r.json" ] || fail "no report"
assert_eq "$(jq -r .placement.kind "$tmpdir/r.json")" scope "placement.kind"
reason=$(jq -r .placement.reason "$tmpdir/r.json")
assert_contains "$reason" "from the system manager" "placement.reason: the scope"
assert_contains "$reason" "not $cg/shell" "placement.reason: where memcage did not stay"
assert_contains "$reason" "writable by uid $sd_uid" "placement.reason: whose subtree it is"
assert_contains "$err" "memcage: placement scope in" "the placement line"
assert_contains "$err" "writable by uid $sd_uid" "the placement line says why"
# What the kernel did: the command ran in the scope, and its move into the user's group was refused.
[[ ${lines[0]:-} =~ ^0::/memcage\.slice/memcage-run-[0-9]+\.scope/s14$ ]] ||
        fail "the command ran in '${lines[0]:-}', not in a scope of the system manager"
assert_not_contains "$(cat "$tmpdir/out")" moved "the command's move out of its group"
assert_eq "${lines[${#lines[@]} - 1]}" "${lines[0]}" "the command's cgroup after the attempt"
# The kernel's refusal, as the shell reports it.
echo "# $(grep 'echo' "$tmpdir/err" || echo "no error from the command's echo")"
assert_eq "$(cat "$sub/outside/cgroup.procs")" "" "nothing reached the user's group"
[ ! -e "$sub/shell/memcage-launcher" ] || fail "memcage made its leaf in the user's subtree"
sd_assert_clean
