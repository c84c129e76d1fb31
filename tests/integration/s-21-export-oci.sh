#!/bin/bash
# memcage export --to oci, checked by crun itself: a bundle whose config.json
# is crun's base spec with the exported fragment merged in (rootfs: the
# host's root, read-only) runs a probe that reads its own cgroup files
# (cgroupns: its group is /sys/fs/cgroup); each equals the file `memcage run
# -p PROFILE` writes into its own group, hugetlb.2MB.max and .rsvd.max too.
# timeout: 300
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"

sd_wait_running 120
[ -e "$cg_root/cgroup.controllers" ] && grep -qw hugetlb "$cg_root/cgroup.controllers" ||
        skip "no hugetlb controller on this kernel"

files=(memory.max memory.high memory.low memory.min memory.swap.max memory.swap.high memory.oom.group
        hugetlb.2MB.max hugetlb.2MB.rsvd.max)
# high is not a page multiple: both sides round it the same way (down).
cat >"$tmpdir/p.ini" <<'INI'
[memory]
max = 64M
high = 50000001
low = 8M
min = 4M
swap.max = 16M
swap.high = 12M
oom.group = yes
[hugetlb]
2MB.max = 8M
2MB.rsvd.max = 4M
[run]
user = nobody
env = S21=exported
INI
if [ -e "$cg_root/system.slice/memory.zswap.max" ]; then
        files+=(memory.zswap.max)
        sed -i "s/^oom.group = yes\$/&\nzswap.max = 8M/" "$tmpdir/p.ini"
else
        echo "# zswap.max not compared: this kernel has no memory.zswap.max"
fi
probe="cg=\$(cut -d: -f3 /proc/self/cgroup); for f in ${files[*]}; do echo \"\$f \$(cat /sys/fs/cgroup\$cg/\$f)\"; done;
echo \"uid \$(id -u)\"; echo \"env \$S21\"; echo \"nnp \$(awk '/^NoNewPrivs:/ { print \$2 }' /proc/self/status)\""

run_memcage export --to oci --strict "$tmpdir/p.ini"
# One warning, --strict's exit 1: nobody's uid is this host's, which an image may not share.
assert_eq "$rc" 1 "export: exit status ($err)"
assert_contains "$err" "[run] user = nobody: process.user.uid $(id -u nobody) (and process.user.gid $(id -g nobody), its group) is this host's number for 'nobody'" \
        "export: the uid resolved on this host warned"
assert_eq "$(grep -c . <<<"$err")" 2 "export: that warning and --strict's line, nothing else ($err)"
printf '%s\n' "$out" >"$tmpdir/fragment.json"
jq -e . "$tmpdir/fragment.json" >/dev/null || fail "export: not JSON: $out"
# OCI's swap is memory+swap: 64M + 16M.
assert_eq "$(jq -r .linux.resources.memory.swap "$tmpdir/fragment.json")" 83886080 "export: swap = limit + swap.max"

# user implies no_new_privs in memcage run: the fragment carries it.
assert_eq "$(jq -r .process.noNewPrivileges "$tmpdir/fragment.json")" true "export: noNewPrivileges"

# The bundle: crun's spec (ct_make_bundle), the fragment merged over it; the
# environment is added to the base spec's (PATH stays). The base spec's own
# noNewPrivileges goes, so that the fragment alone decides it.
ct_make_bundle "$tmpdir/b" ro 0
jq -s '(.[0] | del(.process.noNewPrivileges)) as $b | .[1] as $f | $b * $f | .process.env = ($b.process.env + ($f.process.env // []))' \
        "$tmpdir/b/config.json" "$tmpdir/fragment.json" >"$tmpdir/b/config.new" 2>"$tmpdir/jq.err" ||
        fail "cannot merge the fragment: $(cat "$tmpdir/jq.err")"
[ -s "$tmpdir/b/config.new" ] || fail "jq wrote an empty config"
mv -- "$tmpdir/b/config.new" "$tmpdir/b/config.json"
rc=0
ct_run "$tmpdir/b" s21-export sh -c "$probe" >"$tmpdir/crun.out" 2>"$tmpdir/crun.err" || rc=$?
assert_eq "$rc" 0 "crun: exit status ($(cat "$tmpdir/crun.err"))"
[ -s "$tmpdir/crun.out" ] || fail "crun: the probe wrote nothing"

# Under the root, as crun's group is: systemd passes no hugetlb down to a scope.
run_memcage run --parent memcage -p "$tmpdir/p.ini" -- sh -c "$probe"
assert_eq "$rc" 0 "memcage run: exit status ($err)"
printf '%s\n' "$out" >"$tmpdir/memcage.out"

value() { awk -v f="$1" '$1 == f { print $2 }' "$2"; }
for f in "${files[@]}" uid env nnp; do
        mine=$(value "$f" "$tmpdir/memcage.out")
        [ -n "$mine" ] || fail "memcage run: no $f in: $(cat "$tmpdir/memcage.out")"
        assert_eq "$(value "$f" "$tmpdir/crun.out")" "$mine" "$f: crun's container vs memcage's group"
done
# The profile's values, not two defaults that agree.
assert_eq "$(value memory.swap.max "$tmpdir/crun.out")" 16777216 "memory.swap.max is the profile's"
assert_eq "$(value memory.high "$tmpdir/crun.out")" 49999872 "memory.high is the profile's"
assert_eq "$(value hugetlb.2MB.max "$tmpdir/crun.out")" 8388608 "hugetlb.2MB.max is the profile's"
assert_eq "$(value hugetlb.2MB.rsvd.max "$tmpdir/crun.out")" 4194304 "hugetlb.2MB.rsvd.max is the profile's"
assert_eq "$(value uid "$tmpdir/crun.out")" "$(id -u nobody)" "process.user is the profile's"
assert_eq "$(value nnp "$tmpdir/crun.out")" 1 "the container process has NoNewPrivs, as memcage's command"

# A finite swap with no finite limit is refused, with the reason, and --strict fails.
printf '[memory]\nswap.max = 16M\n' >"$tmpdir/s.ini"
run_memcage export --to oci --strict "$tmpdir/s.ini"
assert_eq "$rc" 1 "swap without max, --strict: exit status"
assert_contains "$err" "s.ini:2: [memory] swap.max = 16M: OCI's swap is memory+swap" "swap without max: the reason"
assert_eq "$(jq -r '.linux.resources.memory.swap // "none"' <<<"$out")" none "swap without max: not exported"
left=$(find "$cg_root" -type d -name '*s21-*')
[ -z "$left" ] || fail "crun left groups: $left"
