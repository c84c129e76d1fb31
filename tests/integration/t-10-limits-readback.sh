#!/bin/bash
# Every [memory] key of a profile lands in the group's kernel file; memcage
# shows the read-back value, and the command sees the same values from inside.
. "$(dirname "$0")/lib.sh"

cat > "$tmpdir/all.ini" <<'INI'
[memory]
max = 100M
high = 90M
low = 8M
min = 4M
swap.max = 50M
swap.high = 40M
oom.group = yes
INI
# The command prints its own group's files, read from inside the group.
probe='g=$(sed -n "s/^0:://p" /proc/self/cgroup); cd /sys/fs/cgroup$g && for f in memory.max memory.high memory.low memory.min memory.swap.max memory.swap.high memory.oom.group; do echo "$f=$(cat $f)"; done'
run_memcage run -p "$tmpdir/all.ini" -- sh -c "$probe"
assert_eq "$rc" 0 "exit status"
assert_contains "$out" "memory.max=104857600" "memory.max"
assert_contains "$out" "memory.high=94371840" "memory.high"
assert_contains "$out" "memory.low=8388608" "memory.low"
assert_contains "$out" "memory.min=4194304" "memory.min"
assert_contains "$out" "memory.swap.max=52428800" "memory.swap.max"
assert_contains "$out" "memory.swap.high=41943040" "memory.swap.high"
assert_contains "$out" "memory.oom.group=1" "memory.oom.group"
assert_contains "$err" "max=100M high=90M low=8M min=4M swap.max=50M swap.high=40M oom.group=1" "limits shown"

# The kernel rounds to whole pages; memcage shows what the kernel kept, not what was asked.
run_memcage run --name round --max 1000000 --report "$tmpdir/r.json" -- cat /sys/fs/cgroup/memcage/round/memory.max
assert_eq "$rc" 0 "exit status (rounded)"
page=$(getconf PAGESIZE)
expected=$(( 1000000 / page * page ))
assert_eq "$out" "$expected" "memory.max rounded down to pages"
assert_eq "$(jq -r .limits.max "$tmpdir/r.json")" "$expected" "report limits.max"
assert_eq "$(jq -r '.limits | has("high")' "$tmpdir/r.json")" false "report: a limit memcage did not set is not listed"

# max reads back as null in the report.
run_memcage run --name unlimited --max max --report "$tmpdir/m.json" -- true
assert_eq "$(jq -r '.limits | has("max")' "$tmpdir/m.json")" true "report: max listed"
assert_eq "$(jq -r '.limits.max' "$tmpdir/m.json")" null "report: max as null"
