#!/bin/bash
# Placement without a manager: a group carrying systemd's delegation mark, a
# group owned by a non-root user, and the root of a cgroup namespace (a
# container made with unshare) are memcage's to nest in; other processes there
# are refused by name unless --evacuate; a read-only cgroup mount is explained;
# and each delegated group is left as it was found.
# timeout: 300
. "$(dirname "$0")/lib.sh"

command -v setfattr >/dev/null || skip "setfattr (attr) is not installed"
command -v unshare >/dev/null || skip "unshare is not installed"
# A manager would pass memory down to its units; here the test does.
echo +memory >"$cg_root/cgroup.subtree_control"

# Moves every process of a test group back to the root and removes it, deepest first.
cleanup_group() { # NAME
        local g=$cg_root/$1 d p
        [ -d "$g" ] || return 0
        for d in $(find "$g" -depth -type d); do
                while read -r p; do echo "$p" >"$cg_root/cgroup.procs" 2>/dev/null || true; done <"$d/cgroup.procs"
        done
        for d in $(find "$g" -depth -type d); do rmdir "$d" 2>/dev/null || true; done
}
for g in t14-svc t14-busy t14-user t14-ct; do on_exit "cleanup_group $g"; done

# The report's placement, checked to exist first: jq on an empty file says nothing.
placement() { # REPORT FIELD
        require_file "$1"
        [ -s "$1" ] || fail "empty report $1"
        jq -r ".placement.$2" "$1"
}

# --- a group systemd marked delegated (user.delegate, as on a Delegate=yes unit) ---------------
svc=$cg_root/t14-svc
mkdir "$svc"
setfattr -n user.delegate -v 1 "$svc"
# memcage starts inside the unit's group: a shell moves itself there, then becomes memcage.
rc=0
sh -c 'echo $$ >'"$svc"'/cgroup.procs; exec "$0" run --name d1 --max 64M --report "$1" -- sh -c "cat /proc/self/cgroup; cat '"$svc"'/d1/memory.max; cat /proc/\$PPID/cgroup"' \
        "$MEMCAGE" "$tmpdir/d1.json" >"$tmpdir/d1.out" 2>"$tmpdir/d1.err" || rc=$?
assert_eq "$rc" 0 "delegated: exit status ($(cat "$tmpdir/d1.err"))"
mapfile -t lines <"$tmpdir/d1.out"
assert_eq "${lines[0]}" "0::/t14-svc/d1" "delegated: the command's cgroup"
assert_eq "${lines[1]}" 67108864 "delegated: memory.max of the group beside the leaf"
assert_eq "${lines[2]}" "0::/t14-svc/memcage-launcher" "delegated: memcage moved itself into the leaf"
assert_eq "$(placement "$tmpdir/d1.json" kind)" delegated "delegated: report placement.kind"
assert_eq "$(placement "$tmpdir/d1.json" parent)" t14-svc "delegated: report placement.parent"
assert_contains "$(placement "$tmpdir/d1.json" reason)" "user.delegate on /t14-svc" "delegated: reason"
assert_contains "$(cat "$tmpdir/d1.err")" "memcage: placement delegated in $svc: delegated by systemd" "delegated: stderr line"
# Left as found: no leaf, no group, memory off again.
[ ! -e "$svc/memcage-launcher" ] || fail "delegated: leaf left behind"
[ ! -e "$svc/d1" ] || fail "delegated: group left behind"
assert_eq "$(cat "$svc/cgroup.subtree_control")" "" "delegated: subtree_control restored"

# --- other processes in the delegated group: named, refused; --evacuate moves them -------------
busy=$cg_root/t14-busy
mkdir "$busy"
setfattr -n user.delegate -v 1 "$busy"
rc=0
sh -c 'echo $$ >'"$busy"'/cgroup.procs; sleep 60 & until read c </proc/$!/comm && [ "$c" = sleep ]; do :; done; "$0" run --name b1 -- true; echo "rc=$?"; kill $!' "$MEMCAGE" \
        >"$tmpdir/b1.out" 2>"$tmpdir/b1.err" || rc=$?
assert_eq "$(cat "$tmpdir/b1.out")" "rc=125" "busy: memcage's exit status"
assert_contains "$(cat "$tmpdir/b1.err")" "other processes besides memcage" "busy: the refusal"
assert_contains "$(cat "$tmpdir/b1.err")" "(sleep)" "busy: names the other process"
assert_contains "$(cat "$tmpdir/b1.err")" "--evacuate" "busy: names the fix"
[ ! -e "$busy/memcage-launcher" ] || fail "busy: a leaf was made although refused"
assert_eq "$(cat "$busy/cgroup.subtree_control")" "" "busy: nothing enabled"

sh -c 'echo $$ >'"$busy"'/cgroup.procs; sleep 60 & until read c </proc/$!/comm && [ "$c" = sleep ]; do :; done; "$0" run --evacuate --name b2 -- cat /proc/self/cgroup; echo "rc=$?"; cat /proc/$!/cgroup; kill $!' "$MEMCAGE" \
        >"$tmpdir/b2.out" 2>"$tmpdir/b2.err" || true
mapfile -t lines <"$tmpdir/b2.out"
assert_eq "${lines[0]}" "0::/t14-busy/b2" "evacuate: the command's cgroup ($(cat "$tmpdir/b2.err"))"
assert_eq "${lines[1]}" "rc=0" "evacuate: exit status"
assert_eq "${lines[2]}" "0::/t14-busy/memcage-launcher" "evacuate: the other process was moved into the leaf"
[ ! -e "$busy/b2" ] || fail "evacuate: group left behind"

# --- a non-root user owning its group (what a delegating manager hands over) -------------------
getent passwd nobody >/dev/null || skip "no user nobody"
command -v setpriv >/dev/null || skip "setpriv is not installed"
user=$cg_root/t14-user
mkdir "$user"
chown nobody "$user" "$user/cgroup.procs" "$user/cgroup.subtree_control" "$user/cgroup.threads"
rc=0
sh -c 'echo $$ >'"$user"'/cgroup.procs; exec setpriv --reuid=nobody --regid=nogroup --clear-groups "$0" run --name u1 --max 32M -- cat /proc/self/cgroup' \
        "$MEMCAGE" >"$tmpdir/u1.out" 2>"$tmpdir/u1.err" || rc=$?
assert_eq "$rc" 0 "user: exit status ($(cat "$tmpdir/u1.err"))"
assert_eq "$(cat "$tmpdir/u1.out")" "0::/t14-user/u1" "user: the command's cgroup"
assert_contains "$(cat "$tmpdir/u1.err")" "delegated to uid $(id -u nobody)" "user: the reason"
[ ! -e "$user/memcage-launcher" ] || fail "user: leaf left behind"
# The same user in a group it does not own: refused, with the fix.
mkdir "$user/notmine"
chown root "$user/notmine"
rc=0
sh -c 'echo $$ >'"$user"'/notmine/cgroup.procs; exec setpriv --reuid=nobody --regid=nogroup --clear-groups "$0" run --name u2 -- true' \
        "$MEMCAGE" >"$tmpdir/u2.out" 2>"$tmpdir/u2.err" || rc=$?
assert_eq "$rc" 125 "user, not delegated: exit status"
assert_contains "$(cat "$tmpdir/u2.err")" "not delegated to it" "user, not delegated: the refusal"
assert_contains "$(cat "$tmpdir/u2.err")" "run memcage as root" "user, not delegated: the fix"

# --- the root of a cgroup namespace with its own cgroup2 mount: a container ---------------------
ct=$cg_root/t14-ct
mkdir "$ct"
# Inside: a private mount namespace, /sys/fs/cgroup mounted anew for the new cgroup namespace.
in_container() { # MOUNT_OPTS SCRIPT ARGS...
        local opts=$1 script=$2
        shift 2
        sh -c 'echo $$ >'"$ct"'/cgroup.procs; exec unshare --cgroup --mount --propagation private sh -c "umount -l /sys/fs/cgroup && mount -t cgroup2 -o '"$opts"' none /sys/fs/cgroup && { $0
}" container "$@"' \
                "$script" "$@"
}
rc=0
in_container rw 'exec "$1" run --name c1 --max 48M --report "$2" -- sh -c "cat /proc/self/cgroup; cat /sys/fs/cgroup/c1/memory.max"' \
        "$MEMCAGE" "$tmpdir/c1.json" >"$tmpdir/c1.out" 2>"$tmpdir/c1.err" || rc=$?
assert_eq "$rc" 0 "container: exit status ($(cat "$tmpdir/c1.err"))"
mapfile -t lines <"$tmpdir/c1.out"
assert_eq "${lines[0]}" "0::/c1" "container: the command's cgroup, seen inside"
assert_eq "${lines[1]}" 50331648 "container: memory.max read back inside"
assert_eq "$(placement "$tmpdir/c1.json" kind)" container "container: report placement.kind"
assert_eq "$(placement "$tmpdir/c1.json" parent)" "" "container: the namespace root is the parent"
[ ! -e "$ct/memcage-launcher" ] || fail "container: leaf left behind (seen from the host)"
[ ! -e "$ct/c1" ] || fail "container: group left behind (seen from the host)"

# A second process in the container's root (memcage is not the entrypoint): explained, then --evacuate.
rc=0
in_container rw 'sleep 60 & until read c </proc/$!/comm && [ "$c" = sleep ]; do :; done; "$1" run --name c2 -- true; echo "rc=$?"; kill $!' "$MEMCAGE" \
        >"$tmpdir/c2.out" 2>"$tmpdir/c2.err" || rc=$?
assert_eq "$(cat "$tmpdir/c2.out")" "rc=125" "container, not entrypoint: exit status"
assert_contains "$(cat "$tmpdir/c2.err")" "Make memcage the entrypoint" "container, not entrypoint: the fix"
in_container rw 'sleep 60 & until read c </proc/$!/comm && [ "$c" = sleep ]; do :; done; "$1" run --evacuate --name c3 -- cat /proc/self/cgroup; echo "rc=$?"; kill $!' "$MEMCAGE" \
        >"$tmpdir/c3.out" 2>"$tmpdir/c3.err" || true
mapfile -t lines <"$tmpdir/c3.out"
assert_eq "${lines[0]:-}" "0::/c3" "container, --evacuate: the command's cgroup ($(cat "$tmpdir/c3.err"))"
assert_eq "${lines[1]:-}" "rc=0" "container, --evacuate: exit status"

# The evacuated processes stay in the leaf, which memcage leaves (with memory on) for them.
assert_eq "$(cat "$ct/cgroup.subtree_control")" memory "container, --evacuate: memory stays on for the leaf"
cleanup_group t14-ct
mkdir "$ct"

# A read-only cgroup mount (Docker's default for unprivileged containers): explained.
rc=0
in_container ro 'exec "$1" run --name c4 -- true' "$MEMCAGE" >"$tmpdir/c4.out" 2>"$tmpdir/c4.err" || rc=$?
assert_eq "$rc" 125 "container, read-only: exit status"
assert_contains "$(cat "$tmpdir/c4.err")" "read-only cgroup mount" "container, read-only: the reason"
assert_contains "$(cat "$tmpdir/c4.err")" "unmask=/sys/fs/cgroup" "container, read-only: the fix"
echo "ok"
