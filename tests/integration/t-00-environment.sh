#!/bin/bash
# The machine is what the suite expects (the VM of tests/vm/run-vm): root,
# cgroup2 at /sys/fs/cgroup with the memory controller, swap, a hugepage
# pool, PSI, and a memcage binary. A broken harness fails here, loudly,
# instead of as puzzling failures or skips later.
# timeout: 60
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"

assert_eq "$(id -u)" 0 "uid (the suite runs as root)"

fstype=$(stat -f -c %T "$cg_root")
assert_eq "$fstype" cgroup2fs "file system type of $cg_root"
opts=$(awk -v m="$cg_root" '$2 == m && $3 == "cgroup2" { print $4 }' /proc/mounts)
assert_contains "$opts" nsdelegate "cgroup2 mount options"
assert_contains "$opts" memory_recursiveprot "cgroup2 mount options"

controllers=$(cat "$cg_root/cgroup.controllers")
for c in memory hugetlb; do
        [[ " $controllers " == *" $c "* ]] ||
                fail "no $c controller in $cg_root/cgroup.controllers ($controllers)"
done

# The root cgroup is writable: a group can be created, limited and removed.
# Leave the root's subtree_control as found: enabling memory is memcage's job.
if ! grep -qw memory "$cg_root/cgroup.subtree_control"; then
        echo +memory >"$cg_root/cgroup.subtree_control"
        on_exit "echo -memory >'$cg_root/cgroup.subtree_control'"
fi
probe=$cg_root/memcage-t00.$$
mkdir "$probe"
on_exit "rmdir '$probe' 2>/dev/null"
echo 64M >"$probe/memory.max"
assert_eq "$(cat "$probe/memory.max")" 67108864 "memory.max of a new group"
rmdir "$probe"

swap_kb=$(awk '$1 == "SwapTotal:" { print $2 }' /proc/meminfo)
assert_ge "$swap_kb" 1 "SwapTotal (kB)"
huge=$(cat /proc/sys/vm/nr_hugepages)
assert_ge "$huge" 1 "hugepage pool (vm.nr_hugepages)"
awk '$2 == "/dev/hugepages" && $3 == "hugetlbfs" { f = 1 } END { exit !f }' /proc/mounts ||
        fail "hugetlbfs is not mounted at /dev/hugepages"

[ -r /proc/pressure/memory ] || fail "no /proc/pressure/memory (PSI off: boot with psi=1)"
assert_contains "$(cat /proc/pressure/memory)" "some avg10=" "/proc/pressure/memory"

[ -x "$MEMCAGE" ] || fail "no memcage binary at $MEMCAGE (build it, or set MEMCAGE / MEMCAGE_BUILDDIR)"

echo "kernel $(uname -r): controllers: $controllers; swap ${swap_kb} kB; $huge hugepages"
