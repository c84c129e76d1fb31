#!/bin/bash
# The locks root's memcage waits on are ones no other user can take: the
# huge page pool's lock is 0600 in a 0700 /run/memcage (any user could open a
# 0644 one and hold a shared lock, and every reservation would time out), and
# a delegated group is locked on its cgroup.kill (0200) rather than on the
# directory every user may open and flock.
# timeout: 300
. "$(dirname "$0")/lib.sh"

getent passwd nobody >/dev/null || skip "no user nobody"
command -v setpriv >/dev/null || skip "setpriv is not installed"
command -v flock >/dev/null || skip "flock is not installed"
command -v setfattr >/dev/null || skip "setfattr (attr) is not installed"
py=/usr/bin/python3
[ -x $py ] || skip "no $py"
pool=/sys/kernel/mm/hugepages/hugepages-2048kB
run_dir=/run/memcage
require_file $pool
orig=$(cat $pool/nr_hugepages)
on_exit "echo $orig > $pool/nr_hugepages"
echo 0 >$pool/nr_hugepages
chmod 0755 "$tmpdir"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

# What an earlier memcage left (0755, 0644) is narrowed by the next run that reserves.
mkdir -p $run_dir
chmod 0755 $run_dir
touch $run_dir/hugetlb.lock
chmod 0644 $run_dir/hugetlb.lock
run_memcage run -q --name t75a --set hugetlb.2MB.reserve=2 -- true
assert_eq "$rc" 0 "a reserve run ($err)"
echo "# $run_dir: $(stat -c %a $run_dir), hugetlb.lock: $(stat -c %a $run_dir/hugetlb.lock)"
assert_eq "$(stat -c %a $run_dir)" 700 "mode of $run_dir"
assert_eq "$(stat -c %a $run_dir/hugetlb.lock)" 600 "mode of hugetlb.lock"

# nobody cannot open the lock to hold it, shared or otherwise.
rc=0
as_nobody flock -s -n $run_dir/hugetlb.lock true 2>"$tmpdir/flock.err" || rc=$?
[ "$rc" -ne 0 ] || fail "nobody took a shared flock on $run_dir/hugetlb.lock"
# A POSIX read lock, the kind that blocks root's write lock, held for a minute if it can be had.
as_nobody $py -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.lockf(fd, fcntl.LOCK_SH)
print("held", flush=True)
time.sleep(60)' $run_dir/hugetlb.lock >"$tmpdir/holder.out" 2>&1 &
holder=$!
on_exit "kill $holder 2>/dev/null"
for ((i = 0; i < 100; i++)); do
        [ -s "$tmpdir/holder.out" ] && break
        sleep 0.1
done
echo "# nobody's lock attempt: $(head -c 200 "$tmpdir/holder.out" | tail -n 1)"
assert_not_contains "$(cat "$tmpdir/holder.out")" held "nobody holding a lock on hugetlb.lock"
assert_contains "$(cat "$tmpdir/holder.out")" "Permission denied" "nobody's open of hugetlb.lock"
# And root's reserve goes through at once, not after the 30 s wait.
start=$(date +%s)
run_memcage run -q --name t75b --set hugetlb.2MB.reserve=4 -- cat $pool/nr_hugepages
assert_eq "$rc" 0 "a reserve run while nobody tried to hold the lock ($err)"
assert_ge "$out" 4 "nr_hugepages during the run"
assert_le "$(($(date +%s) - start))" 20 "seconds the reserve run took"
assert_eq "$(cat $pool/nr_hugepages)" 0 "nr_hugepages after the run"
kill $holder 2>/dev/null || true

# --- a delegated group's lock: nobody flocks the directory, root's run nests anyway --------------
echo +memory >"$cg_root/cgroup.subtree_control"
svc=$cg_root/t75-svc
on_exit "rmdir $svc 2>/dev/null"
mkdir "$svc"
setfattr -n user.delegate -v 1 "$svc"
as_nobody flock -x "$svc" sh -c 'echo held; sleep 60' >"$tmpdir/dir.out" 2>&1 &
dirholder=$!
on_exit "kill $dirholder 2>/dev/null"
for ((i = 0; i < 100; i++)); do
        [ -s "$tmpdir/dir.out" ] && break
        sleep 0.1
done
assert_eq "$(cat "$tmpdir/dir.out")" held "nobody holds a flock on $svc (the directory is open to all)"
start=$(date +%s)
rc=0
sh -c 'echo $$ >'"$svc"'/cgroup.procs; exec "$0" run --name d75 --max 64M --report "$1" -- cat /proc/self/cgroup' \
        "$MEMCAGE" "$tmpdir/d.json" >"$tmpdir/d.out" 2>"$tmpdir/d.err" || rc=$?
took=$(($(date +%s) - start))
echo "# the delegated run took ${took}s: $(tail -n 1 "$tmpdir/d.err")"
assert_eq "$rc" 0 "delegated run while nobody holds the directory's flock ($(cat "$tmpdir/d.err"))"
assert_eq "$(cat "$tmpdir/d.out")" "0::/t75-svc/d75" "the command's cgroup"
[ -s "$tmpdir/d.json" ] || fail "no report"
assert_eq "$(jq -r .placement.kind "$tmpdir/d.json")" delegated "placement.kind"
assert_le "$took" 4 "seconds the delegated run took (the old lock waited 5 s)"
kill $dirholder 2>/dev/null || true
wait 2>/dev/null || true
while read -r p; do echo "$p" >"$cg_root/cgroup.procs"; done <"$svc/cgroup.procs"
echo "ok"
