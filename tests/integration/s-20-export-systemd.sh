#!/bin/bash
# memcage export --to systemd, checked by systemd itself: the drop-in applied
# to a service (its unit file verified by systemd-analyze first) makes the
# same memory.* files, byte for byte after the kernel's page rounding, as
# `memcage run -p PROFILE` writes into its own group for the same profile.
# timeout: 300
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"

sd_wait_running 120
sd_version=$(systemctl --version | awk 'NR == 1 { print $2 }')
[[ $sd_version =~ ^[0-9]+$ ]] || fail "cannot read systemd's version: $(systemctl --version | head -1)"

files=(memory.max memory.high memory.low memory.min memory.swap.max memory.oom.group)
# high is not a page multiple: both sides must round it the same way (down).
cat >"$tmpdir/p.ini" <<'INI'
[memory]
max = 64M
high = 50000001
low = 8M
min = 4M
swap.max = 16M
oom.group = yes
INI
# zswap.max: only where the kernel has it (CONFIG_ZSWAP) and systemd can set
# it (MemoryZSwapMax=, systemd 253).
zswap=no
if [ -e "$cg_root/system.slice/memory.zswap.max" ]; then
        if [ "$sd_version" -ge 253 ]; then
                zswap=yes
                files+=(memory.zswap.max)
                echo "zswap.max = 8M" >>"$tmpdir/p.ini"
        else
                echo "# zswap.max not compared: systemd $sd_version has no MemoryZSwapMax= (253)"
        fi
else
        echo "# zswap.max not compared: this kernel has no memory.zswap.max"
fi

# The probe prints the files of the cgroup it runs in, one "NAME VALUE" a line.
cat >"$tmpdir/probe.sh" <<EOF_PROBE
cg=\$(cut -d: -f3 /proc/self/cgroup)
for f in ${files[*]}; do echo "\$f \$(cat "$cg_root\$cg/\$f")"; done >"\$1"
EOF_PROBE

run_memcage export --to systemd --strict "$tmpdir/p.ini"
assert_eq "$rc" 0 "export: exit status ($err)"
assert_eq "$err" "" "export: no warning for keys systemd has"
printf '%s\n' "$out" >"$tmpdir/dropin.conf"
[ -s "$tmpdir/dropin.conf" ] || fail "export: empty drop-in"
assert_contains "$out" "MemoryHigh=49999872" "export: high rounded down to a page"
assert_contains "$out" "OOMPolicy=kill" "export: oom.group"

unit=s20-export.service
dir=/run/systemd/system
mkdir -p "$dir/$unit.d"
cat >"$dir/$unit" <<EOF_UNIT
[Unit]
Description=memcage export test (s-20)
[Service]
Type=oneshot
ExecStart=/bin/sh $tmpdir/probe.sh $tmpdir/unit.out
EOF_UNIT
cp -- "$tmpdir/dropin.conf" "$dir/$unit.d/50-memcage.conf"
on_exit "rm -rf -- '$dir/$unit' '$dir/$unit.d'; systemctl daemon-reload"

verify=$(systemd-analyze verify "$dir/$unit" 2>&1) || fail "systemd-analyze verify failed: $verify"
assert_not_contains "$verify" "50-memcage.conf" "systemd-analyze verify: nothing to say about the drop-in"
systemctl daemon-reload
systemctl start "$unit" || fail "systemctl start $unit failed: $(journalctl -u "$unit" --no-pager | tail -5)"
[ -s "$tmpdir/unit.out" ] || fail "the service wrote nothing"

run_memcage run -p "$tmpdir/p.ini" -- sh "$tmpdir/probe.sh" "$tmpdir/memcage.out"
assert_eq "$rc" 0 "memcage run: exit status ($err)"
[ -s "$tmpdir/memcage.out" ] || fail "memcage run: the probe wrote nothing"

for f in "${files[@]}"; do
        mine=$(awk -v f="$f" '$1 == f { print $2 }' "$tmpdir/memcage.out")
        theirs=$(awk -v f="$f" '$1 == f { print $2 }' "$tmpdir/unit.out")
        [ -n "$mine" ] || fail "memcage run: no $f"
        assert_eq "$theirs" "$mine" "$f: systemd's unit vs memcage's group"
done
# The values are the profile's, not two defaults that happen to agree.
assert_eq "$(awk '$1 == "memory.max" { print $2 }' "$tmpdir/unit.out")" 67108864 "memory.max is the profile's"
assert_eq "$(awk '$1 == "memory.high" { print $2 }' "$tmpdir/unit.out")" 49999872 "memory.high is the profile's"
assert_eq "$(awk '$1 == "memory.oom.group" { print $2 }' "$tmpdir/unit.out")" 1 "memory.oom.group is the profile's"
[ "$zswap" = no ] || assert_eq "$(awk '$1 == "memory.zswap.max" { print $2 }' "$tmpdir/unit.out")" 8388608 \
        "memory.zswap.max is the profile's"

# What systemd cannot express is said, and --strict fails on it.
printf '[memory]\nmax = 64M\n[hugetlb]\n2MB.max = 4M\n' >"$tmpdir/h.ini"
run_memcage export --to systemd --strict "$tmpdir/h.ini"
assert_eq "$rc" 1 "hugetlb, --strict: exit status"
assert_contains "$err" "h.ini:4: [hugetlb] 2MB.max = 4M: systemd cannot express hugetlb.2MB.max" "hugetlb: the warning"
assert_contains "$out" "MemoryMax=67108864" "hugetlb: the rest still exported"
# The pressure kill rule: systemd-oomd's settings, which systemd itself reads
# back from the drop-in; the difference from memcage's rule is warned.
printf '[memory]\nmax = 64M\n[pressure]\nkill = full 1s/3s for 30s\n' >"$tmpdir/k.ini"
run_memcage export --to systemd "$tmpdir/k.ini"
assert_eq "$rc" 0 "kill rule: exit status ($err)"
assert_contains "$err" "k.ini:4: [pressure] kill = full 1s/3s for 30s: systemd-oomd is the nearest" "kill rule: the warning"
kunit=s20-export-kill.service
mkdir -p "$dir/$kunit.d"
printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$dir/$kunit"
printf '%s\n' "$out" >"$dir/$kunit.d/50-memcage.conf"
on_exit "rm -rf -- '$dir/$kunit' '$dir/$kunit.d'; systemctl daemon-reload"
verify=$(systemd-analyze verify "$dir/$kunit" 2>&1) || fail "kill rule: systemd-analyze verify failed: $verify"
assert_not_contains "$verify" "50-memcage.conf" "kill rule: systemd-analyze verify has nothing to say"
systemctl daemon-reload
shown=$(systemctl show -p ManagedOOMMemoryPressure -p ManagedOOMMemoryPressureLimit "$kunit")
[ -n "$shown" ] || fail "kill rule: systemctl show printed nothing"
assert_contains "$shown" "ManagedOOMMemoryPressure=kill" "kill rule: systemd's ManagedOOMMemoryPressure"
# systemd 252 shows the limit as its uint32 scale (2^32-1 is 100%), later ones as a percentage.
limit=$(sed -n 's/^ManagedOOMMemoryPressureLimit=//p' <<<"$shown")
[ -n "$limit" ] || fail "kill rule: no ManagedOOMMemoryPressureLimit in: $shown"
case $limit in
*%) permyriad=$(awk -v v="${limit%\%}" 'BEGIN { printf "%d", v * 100 + 0.5 }') ;;
*) permyriad=$(awk -v v="$limit" 'BEGIN { printf "%d", v * 10000 / 4294967295 + 0.5 }') ;;
esac
assert_eq "$permyriad" 3333 "kill rule: systemd's ManagedOOMMemoryPressureLimit ($limit) in hundredths of a percent"

# Values systemd reads its own way: an environment value with quotes, a
# backslash, blanks and '%' reaches the service as written; a cwd ending in a
# backslash (a continuation line: it would swallow the next setting) is left
# out with a warning, and the settings after it still apply.
printf '[run]\ncwd = /srv\\\nenv = S20=x "y" \\ 50%%\n' >"$tmpdir/e.ini"
run_memcage export --to systemd "$tmpdir/e.ini"
assert_eq "$rc" 0 "values: exit status ($err)"
eunit=s20-export-env.service
mkdir -p "$dir/$eunit.d"
printf '[Service]\nType=oneshot\nExecStart=/bin/sh -c "printenv S20 >/run/s20-env"\n' >"$dir/$eunit"
printf '%s\n' "$out" >"$dir/$eunit.d/50-memcage.conf"
on_exit "rm -rf -- '$dir/$eunit' '$dir/$eunit.d' /run/s20-env; systemctl daemon-reload"
verify=$(systemd-analyze verify "$dir/$eunit" 2>&1) || fail "values: systemd-analyze verify failed: $verify"
assert_not_contains "$verify" "50-memcage.conf" "values: systemd-analyze verify has nothing to say"
systemctl daemon-reload
systemctl start "$eunit" || fail "values: $eunit failed: $(systemctl status "$eunit" 2>&1 | tail -n 5)"
[ -s /run/s20-env ] || fail "values: the service saw no S20"
assert_eq "$(cat /run/s20-env)" 'x "y" \ 50%' "values: the environment value the service saw"
assert_not_contains "$(systemctl show -p WorkingDirectory "$eunit")" "/srv" "values: no WorkingDirectory"
assert_contains "$err" "WorkingDirectory= cannot carry" "values: the cwd warned"

# A user implies no_new_privs in memcage run (daemon: systemd warns of nobody): the drop-in carries it
# (NoNewPrivileges=yes; systemd does not imply it from User=), and the
# service's process really has it.
printf '[memory]\nmax = 64M\n[run]\nuser = daemon\n' >"$tmpdir/u.ini"
run_memcage export --to systemd --strict "$tmpdir/u.ini"
assert_eq "$rc" 0 "user: exit status ($err)"
assert_contains "$out" "NoNewPrivileges=yes" "user: NoNewPrivileges= in the drop-in"
nunit=s20-export-nnp.service
mkdir -p "$dir/$nunit.d"
printf '[Service]\nType=simple\nExecStart=/bin/sleep 300\n' >"$dir/$nunit"
printf '%s\n' "$out" >"$dir/$nunit.d/50-memcage.conf"
on_exit "systemctl stop $nunit; rm -rf -- '$dir/$nunit' '$dir/$nunit.d'; systemctl daemon-reload"
verify=$(systemd-analyze verify "$dir/$nunit" 2>&1) || fail "user: systemd-analyze verify failed: $verify"
assert_not_contains "$verify" "50-memcage.conf" "user: systemd-analyze verify has nothing to say"
systemctl daemon-reload
systemctl start "$nunit" || fail "user: $nunit failed: $(systemctl status "$nunit" 2>&1 | tail -n 5)"
pid=$(systemctl show -p MainPID --value "$nunit")
[[ $pid =~ ^[1-9][0-9]*$ ]] || fail "user: no main process of $nunit (MainPID '$pid')"
status=$(cat "/proc/$pid/status") || fail "user: cannot read /proc/$pid/status"
assert_eq "$(awk '$1 == "Uid:" { print $2 }' <<<"$status")" "$(id -u daemon)" "user: the service runs as daemon"
assert_eq "$(awk '$1 == "NoNewPrivs:" { print $2 }' <<<"$status")" 1 "user: the service's NoNewPrivs"
# memcage run sets the same for the same profile.
run_memcage run -p "$tmpdir/u.ini" -- awk '$1 == "NoNewPrivs:" { print $2 }' /proc/self/status </dev/null
assert_eq "$rc" 0 "user: memcage run: exit status ($err)"
assert_eq "$out" 1 "user: memcage run's NoNewPrivs"
systemctl stop "$nunit"
sd_assert_clean
