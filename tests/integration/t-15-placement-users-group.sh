#!/bin/bash
# Root's memcage started in a group another user owns, even one that user
# marked as delegated (user.delegate is the owner's to set), does not nest
# there: the owner may write the cgroup.procs of the group and of all below
# it, so the run could be moved out of its limits. Without a manager it takes
# the root placement, says why, and the command's move into the user's group
# fails. A non-root memcage in its own group nests there as before (t-14).
# timeout: 300
. "$(dirname "$0")/lib.sh"

getent passwd nobody >/dev/null || skip "no user nobody"
command -v setpriv >/dev/null || skip "setpriv is not installed"
command -v setfattr >/dev/null || skip "setfattr (attr) is not installed"
echo +memory >"$cg_root/cgroup.subtree_control"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

g=$cg_root/t15-user
cleanup() {
        local d p
        for d in $(find "$g" -depth -type d); do
                while read -r p; do echo "$p" >"$cg_root/cgroup.procs" 2>/dev/null || true; done <"$d/cgroup.procs"
        done
        for d in $(find "$g" -depth -type d); do rmdir "$d" 2>/dev/null || true; done
}
on_exit cleanup
# Delegated to nobody as a manager would: the directory and the files it writes.
mkdir "$g"
chown nobody "$g" "$g/cgroup.procs" "$g/cgroup.subtree_control" "$g/cgroup.threads"
as_nobody sh -c 'set -e; setfattr -n user.delegate -v 1 "$1"; mkdir "$1/shell" "$1/outside"
echo +memory >"$1/cgroup.subtree_control"' sh "$g" || fail "nobody could not prepare $g"

rc=0
sh -c 'echo $$ >"$1/shell/cgroup.procs"; exec "$2" run --name t15 --max 32M --user nobody --report "$3" -- \
        sh -c "cat /proc/self/cgroup; echo \$\$ >$1/outside/cgroup.procs && echo moved; cat /proc/self/cgroup"' \
        sh "$g" "$MEMCAGE" "$tmpdir/r.json" >"$tmpdir/out" 2>"$tmpdir/err" || rc=$?
err=$(cat "$tmpdir/err")
mapfile -t lines <"$tmpdir/out"
echo "# memcage said: $(grep 'placement' "$tmpdir/err" || true)"
echo "# the command's cgroup before and after: ${lines[0]:-} -> ${lines[${#lines[@]} - 1]:-}"
assert_eq "$rc" 0 "exit status ($err)"
[ -s "$tmpdir/r.json" ] || fail "no report"
assert_eq "$(jq -r .placement.kind "$tmpdir/r.json")" root "placement.kind"
reason=$(jq -r .placement.reason "$tmpdir/r.json")
assert_contains "$reason" "not /t15-user/shell" "placement.reason: where memcage did not stay"
assert_contains "$reason" "writable by uid $(id -u nobody)" "placement.reason: whose group it is"
assert_contains "$err" "memcage: placement root in $cg_root/memcage" "the placement line"
assert_eq "${lines[0]:-}" "0::/memcage/t15" "the command's cgroup"
assert_not_contains "$(cat "$tmpdir/out")" moved "the command's move out of its group"
assert_eq "${lines[${#lines[@]} - 1]}" "0::/memcage/t15" "the command's cgroup after the attempt"
# The kernel's refusal, as the shell reports it.
echo "# $(grep 'echo' "$tmpdir/err" || echo "no error from the command's echo")"
assert_eq "$(cat "$g/outside/cgroup.procs")" "" "nothing reached nobody's group"
[ ! -e "$g/shell/memcage-launcher" ] || fail "memcage made its leaf in nobody's group"
echo "ok"
