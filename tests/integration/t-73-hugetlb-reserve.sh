#!/bin/bash
# timeout: 300
# [hugetlb] 2MB.reserve grows the host pool before the command and gives it
# back afterwards; concurrent runs account for each other; an entry of a dead
# launcher is given back by the next run; a pool the kernel cannot grow stops
# the run before launch and leaves the pool as it was.
. "$(dirname "$0")/lib.sh"

pool=/sys/kernel/mm/hugepages/hugepages-2048kB
ledger=/run/memcage/hugetlb.ledger
require_file $pool
orig=$(cat $pool/nr_hugepages)
on_exit "echo $orig > $pool/nr_hugepages"
echo 0 >$pool/nr_hugepages
assert_eq "$(cat $pool/nr_hugepages)" 0 "pool emptied for the test"

show='cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages'
run_memcage run --name ht73 --set hugetlb.2MB.reserve=8 --report "$tmpdir/r.json" -- sh -c "$show"
assert_eq "$rc" 0 "exit status"
assert_ge "$out" 8 "nr_hugepages during the run"
assert_eq "$(cat $pool/nr_hugepages)" 0 "nr_hugepages after the run"
[ ! -s $ledger ] || fail "ledger not empty after the run: $(cat $ledger)"
assert_eq "$(jq -r '.hugetlb["2MB"].reserved_pages' "$tmpdir/r.json")" 8 "report reserved_pages"
assert_eq "$(jq -r '.hugetlb["2MB"].added_pages' "$tmpdir/r.json")" 8 "report added_pages"
assert_report_valid "$tmpdir/r.json"
assert_eq "$(jq -r '.limits["hugetlb.2MB.max"] // "unset"' "$tmpdir/r.json")" unset "no limit set by a reserve"
assert_contains "$err" "reserved 8 2MB huge pages (the pool grew by 8)" "message"

# The same reserve as a size: 16M of 2MB pages.
run_memcage run --name ht73s --set hugetlb.2MB.reserve=16M -- sh -c "$show"
assert_eq "$rc" 0 "exit status (size)"
assert_eq "$out" 8 "nr_hugepages during the run (16M)"
assert_eq "$(cat $pool/nr_hugepages)" 0 "nr_hugepages after the run (16M)"

# Two runs at once, each holding its pages a moment: both reserves are added.
"$MEMCAGE" run -q --name ht73a --set hugetlb.2MB.reserve=8 -- sh -c "$show; sleep 2" >"$tmpdir/a" 2>&1 &
a=$!
"$MEMCAGE" run -q --name ht73b --set hugetlb.2MB.reserve=8 -- sh -c "$show; sleep 2" >"$tmpdir/b" 2>&1 &
b=$!
rca=0 rcb=0
wait $a || rca=$?
wait $b || rcb=$?
assert_eq "$rca" 0 "first concurrent run: $(cat "$tmpdir/a")"
assert_eq "$rcb" 0 "second concurrent run: $(cat "$tmpdir/b")"
na=$(cat "$tmpdir/a") nb=$(cat "$tmpdir/b")
assert_ge "$na" 8 "nr_hugepages seen by the first run"
assert_ge "$nb" 8 "nr_hugepages seen by the second run"
# Whichever started second saw both reserves in the pool, unless the first had already ended.
assert_eq "$(cat $pool/nr_hugepages)" 0 "nr_hugepages after both runs"
[ ! -s $ledger ] || fail "ledger not empty after both runs: $(cat $ledger)"

# A launcher that died leaving 4 added pages: the next run gives them back.
# Ledger lines: PID STARTTIME PIDNS KB RESERVED ADDED [FROM] (hugetlb-pool.h).
pidns=$(stat -L -c %i /proc/self/ns/pid)
echo 4 >$pool/nr_hugepages
echo "4194000 1 $pidns 2048 4 4" >$ledger
run_memcage run --name ht73d --set hugetlb.2MB.reserve=2 -- sh -c "$show"
assert_eq "$rc" 0 "exit status after a dead launcher"
assert_eq "$out" 2 "nr_hugepages: the dead launcher's pages went back, this run's 2 added"
assert_eq "$(cat $pool/nr_hugepages)" 0 "nr_hugepages after cleaning a dead launcher"
[ ! -s $ledger ] || fail "ledger not empty after cleaning: $(cat $ledger)"

# Killed between recording a growth of 4 from 0 and finishing it: the kernel
# had made the pages; the next run finds them through FROM and gives them back.
echo 4 >$pool/nr_hugepages
echo "4194000 1 $pidns 2048 4 4 0" >$ledger
run_memcage run --name ht73p --set hugetlb.2MB.reserve=2 -- sh -c "$show"
assert_eq "$rc" 0 "exit status after a launcher killed mid-growth"
assert_eq "$out" 2 "nr_hugepages: the killed launcher's growth went back, this run's 2 added"
assert_eq "$(cat $pool/nr_hugepages)" 0 "nr_hugepages after a launcher killed mid-growth"
[ ! -s $ledger ] || fail "ledger not empty: $(cat $ledger)"

# A malformed line ("-1" pages, a truncated line) is skipped with a warning,
# never acted on: the pool keeps its 4 pages, the run works.
echo 4 >$pool/nr_hugepages
printf '4194000 1 %s 2048 4 -1\n4194000 1 2\n' "$pidns" >$ledger
run_memcage run --name ht73m --set hugetlb.2MB.reserve=2 -- true
assert_eq "$rc" 0 "exit status with a malformed ledger ($err)"
assert_contains "$err" "hugetlb.ledger:1: malformed line" "warning for line 1"
assert_contains "$err" "hugetlb.ledger:2: malformed line" "warning for line 2"
assert_eq "$(cat $pool/nr_hugepages)" 4 "nr_hugepages: a malformed line shrinks nothing"
[ ! -s $ledger ] || fail "ledger not empty: $(cat $ledger)"
echo 0 >$pool/nr_hugepages

# More than the VM has: refused before the kernel is asked (growing the pool
# that far would OOM-kill processes before memcage could give the pages back),
# the command never starts, the pool is unchanged.
run_memcage run --name ht73x --set hugetlb.2MB.reserve=100000 --report "$tmpdir/x.json" -- \
        sh -c 'echo started'
assert_eq "$rc" 125 "exit status of an impossible reserve"
assert_not_contains "$out" "started" "command output"
assert_contains "$err" "asked for 100000 more 2MB pages, this host can spare" "message"
assert_eq "$(cat $pool/nr_hugepages)" 0 "nr_hugepages after an impossible reserve"
[ ! -s $ledger ] || fail "ledger not empty after a failed reserve: $(cat $ledger)"
assert_eq "$(jq -r .exit "$tmpdir/x.json")" null "report exit of a run that did not start"
assert_report_valid "$tmpdir/x.json"
assert_contains "$(jq -r .error "$tmpdir/x.json")" "asked for 100000 more 2MB pages" "report error"
[ ! -e "$cg_root/memcage/ht73x" ] || fail "group left behind"
