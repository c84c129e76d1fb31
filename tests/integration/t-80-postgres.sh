#!/bin/bash
# timeout: 300
# memcage run -p db -- postgres: a PostgreSQL 15 server under a scaled-down
# copy of the shipped db profile runs as postgres with only CAP_IPC_LOCK,
# in its group, its shared buffers in huge pages that the run's reserve put
# into the (empty) pool; pgbench works; SIGTERM through memcage is a clean
# shutdown, and the pool, the ledger and the group are as before. Then two
# ways to start it without enough huge pages: a group reservation limit
# below what it maps (the kernel counts it in hugetlb.2MB.events) and a pool
# reserve below it (nothing in the group counts that).
. "$(dirname "$0")/lib.sh"

pgbin=/usr/lib/postgresql/15/bin
pool=/sys/kernel/mm/hugepages/hugepages-2048kB
ledger=/run/memcage/hugetlb.ledger
srcdir=${MEMCAGE_SRCDIR:-$(cd -- "$(dirname -- "$0")/../.." && pwd)}
[ -x $pgbin/postgres ] && [ -x $pgbin/pgbench ] && [ -x $pgbin/pg_isready ] ||
        skip "no PostgreSQL 15 in $pgbin (Debian package postgresql-15)"
getent passwd postgres >/dev/null || skip "no user postgres"
require_file $pool
IFS=: read -r _ _ pg_uid pg_gid _ < <(getent passwd postgres)

orig=$(cat $pool/nr_hugepages)
on_exit "echo $orig > $pool/nr_hugepages"
# An empty pool: the pages PostgreSQL gets are the ones the reserve added.
echo 0 >$pool/nr_hugepages
assert_eq "$(cat $pool/nr_hugepages)" 0 "pool emptied for the test"

# postgres must reach its data directory and socket under $tmpdir.
chmod 755 "$tmpdir"
data=$tmpdir/data sock=$tmpdir/sock
install -d -o postgres -m 700 "$data" "$sock"
run_memcage run --user postgres --name pg80i -- $pgbin/initdb -D "$data" -A trust --no-sync
assert_eq "$rc" 0 "initdb as postgres (stderr: $err)"

# The shipped profile, scaled down to the VM (3 GiB, 256M swap). PostgreSQL
# 15 with shared_buffers=32MB maps 21 2MB pages (postgres -C
# shared_memory_size_in_huge_pages): 24 reserved, 64M allowed.
scaled() { # RSVD_MAX RESERVE
        cat <<EOP
[profile]
inherit = $srcdir/profiles/db.ini
description = db, scaled down for the test VM
[memory]
max = 384M
high = 320M
low = 64M
swap.max = 64M
[hugetlb]
2MB.reserve = $2
2MB.rsvd.max = $1
2MB.max = 64M
EOP
}
scaled 64M 24 >"$tmpdir/p.ini"

# Starts the server in the background under profile $1 as group $2: $mpid.
start_pg() { # PROFILE NAME REPORT
        "$MEMCAGE" run -p "$1" --name "$2" --report "$3" -- $pgbin/postgres -D "$data" -k "$sock" \
                -c listen_addresses= -c huge_pages=on -c shared_buffers=32MB -c fsync=off \
                >"$tmpdir/$2.out" 2>"$tmpdir/$2.err" &
        mpid=$!
}
stop_pg() { # fast shutdown of a server left running by a failed assertion
        kill -0 "$mpid" 2>/dev/null || return 0
        kill -INT "$mpid"
        wait "$mpid" || true
}
mpid=
on_exit stop_pg

start_pg "$tmpdir/p.ini" pg80 "$tmpdir/r.json"
# Start takes about 2 s in the VM under TCG; allow for a loaded machine.
deadline=$((SECONDS + 120))
until runuser -u postgres -- $pgbin/pg_isready -q -h "$sock"; do
        kill -0 "$mpid" 2>/dev/null || fail "memcage ended before the server was ready: $(cat "$tmpdir/pg80.err")"
        [ $SECONDS -lt $deadline ] || fail "server not ready after 120 s: $(cat "$tmpdir/pg80.err")"
        sleep 0.5
done

pid=$(head -n 1 "$data/postmaster.pid")
st=$(cat /proc/"$pid"/status)
field() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' <<<"$st"; }
assert_eq "$(field Uid:)" "$pg_uid $pg_uid $pg_uid $pg_uid" "postmaster Uid"
assert_eq "$(field Gid:)" "$pg_gid $pg_gid $pg_gid $pg_gid" "postmaster Gid"
# CAP_IPC_LOCK is capability 14; every other one is gone, bounding set included.
for set in CapPrm CapEff CapAmb CapBnd; do
        assert_eq "$(field "$set:")" 0000000000004000 "postmaster $set"
done
assert_eq "$(field NoNewPrivs:)" 1 "postmaster NoNewPrivs"
assert_eq "$(cat /proc/"$pid"/cgroup)" "0::/memcage/pg80" "postmaster cgroup"

g=$memcage_parent/pg80
assert_eq "$(cat $g/hugetlb.2MB.max)" $((64 << 20)) "hugetlb.2MB.max"
assert_ge "$(cat $g/hugetlb.2MB.current)" $((2 << 20)) "hugetlb.2MB.current while running"
assert_ge "$(cat $g/hugetlb.2MB.rsvd.current)" $((2 << 20)) "hugetlb.2MB.rsvd.current while running"
assert_ge "$(cat $pool/nr_hugepages)" 24 "nr_hugepages while running"
assert_ge "$(awk '$1 == "HugePages_Rsvd:" { print $2 }' /proc/meminfo)" 1 "HugePages_Rsvd while running"

# A little work: 100000 rows, then 5 s of TPC-B-like transactions.
bench_out=$(runuser -u postgres -- $pgbin/pgbench -h "$sock" -i -s 1 postgres 2>&1) ||
        fail "pgbench -i: $bench_out"
bench_out=$(runuser -u postgres -- $pgbin/pgbench -h "$sock" -T 5 postgres 2>&1) ||
        fail "pgbench -T 5: $bench_out"
assert_contains "$bench_out" "number of failed transactions: 0" "pgbench"
assert_contains "$bench_out" "number of transactions actually processed: " "pgbench"

# SIGTERM to memcage reaches the postmaster: a smart shutdown, exit 0.
kill -TERM "$mpid"
rc=0
wait "$mpid" || rc=$?
assert_eq "$rc" 0 "memcage exit status after SIGTERM ($(cat "$tmpdir/pg80.err"))"
r=$tmpdir/r.json
assert_eq "$(jq -r .exit.code "$r")" 0 "report exit.code"
assert_ge "$(jq -r .memory.peak "$r")" 1 "report memory.peak"
jq -e '.hugetlb["2MB"] | has("max") and has("rsvd.max") and has("current") and has("rsvd_current")
        and has("events_max") and has("reserved_pages") and has("added_pages")' "$r" >/dev/null ||
        fail "report hugetlb: $(jq -c .hugetlb "$r")"
assert_eq "$(jq -r '.hugetlb["2MB"].max' "$r")" $((64 << 20)) "report hugetlb max"
assert_eq "$(jq -r '.hugetlb["2MB"].reserved_pages' "$r")" 24 "report reserved_pages"
assert_ge "$(jq -r '.hugetlb["2MB"].added_pages' "$r")" 1 "report added_pages"
assert_eq "$(jq -r '.hugetlb["2MB"].events_max' "$r")" 0 "report events_max"
assert_eq "$(jq -r .hugetlb_limit_hit "$r")" false "report hugetlb_limit_hit"
assert_eq "$(jq -r .run.user "$r")" postgres "report run.user"
assert_eq "$(jq -c .run.capabilities "$r")" '["CAP_IPC_LOCK"]' "report run.capabilities"
assert_eq "$(jq -r .verdict.text "$r")" ok "report verdict"
# The sampler saw the server's huge pages (shared buffers are touched at start).
assert_ge "$(jq -r '.hugetlb["2MB"].peak' "$r")" $((2 << 20)) "report hugetlb peak"
assert_eq "$(cat $pool/nr_hugepages)" 0 "nr_hugepages after the run"
[ ! -s $ledger ] || fail "ledger not empty after the run: $(cat $ledger)"
[ ! -e "$g" ] || fail "group $g left behind"

# Waits for the background memcage, which must end on its own: sets rc.
wait_pg() { # NAME
        local deadline=$((SECONDS + 120))
        while kill -0 "$mpid" 2>/dev/null; do
                [ $SECONDS -lt $deadline ] || fail "$1: server still running after 120 s"
                sleep 0.5
        done
        rc=0
        wait "$mpid" || rc=$?
}

# The group may reserve 8 pages, PostgreSQL maps 21: mmap fails with ENOMEM,
# the server stops at once with status 1, and the kernel counts the refusal
# in hugetlb.2MB.events max.
scaled 16M 24 >"$tmpdir/p16.ini"
start_pg "$tmpdir/p16.ini" pg80r "$tmpdir/r16.json"
wait_pg pg80r
assert_eq "$rc" 1 "memcage exit status with 2MB.rsvd.max = 16M"
assert_contains "$(cat "$tmpdir/pg80r.err")" "could not map anonymous shared memory" "postgres log"
r=$tmpdir/r16.json
assert_eq "$(jq -r .exit.code "$r")" 1 "report exit.code (rsvd.max)"
assert_eq "$(jq -r '.hugetlb["2MB"]["rsvd.max"]' "$r")" $((16 << 20)) "report rsvd.max"
assert_ge "$(jq -r '.hugetlb["2MB"].events_max' "$r")" 1 "report events_max (rsvd.max)"
assert_eq "$(jq -r .hugetlb_limit_hit "$r")" true "report hugetlb_limit_hit (rsvd.max)"
assert_eq "$(jq -r .verdict.text "$r")" hugetlb-limit "report verdict (rsvd.max)"
assert_eq "$(cat $pool/nr_hugepages)" 0 "nr_hugepages after the rsvd.max run"
[ ! -e "$memcage_parent/pg80r" ] || fail "group pg80r left behind"

# The group may reserve 64M but the pool holds only the 8 pages reserved:
# mmap fails the same way, from the pool. No group counter moves, so the
# report cannot tell this from any other exit 1 (postgres's log can).
scaled 64M 8 >"$tmpdir/p8.ini"
start_pg "$tmpdir/p8.ini" pg80p "$tmpdir/r8.json"
wait_pg pg80p
assert_eq "$rc" 1 "memcage exit status with 2MB.reserve = 8"
assert_contains "$(cat "$tmpdir/pg80p.err")" "could not map anonymous shared memory" "postgres log (pool)"
r=$tmpdir/r8.json
assert_eq "$(jq -r .exit.code "$r")" 1 "report exit.code (pool)"
assert_eq "$(jq -r '.hugetlb["2MB"].reserved_pages' "$r")" 8 "report reserved_pages (pool)"
assert_eq "$(jq -r '.hugetlb["2MB"].added_pages' "$r")" 8 "report added_pages (pool)"
assert_eq "$(jq -r '.hugetlb["2MB"].events_max' "$r")" 0 "report events_max (pool)"
assert_eq "$(jq -r .hugetlb_limit_hit "$r")" false "report hugetlb_limit_hit (pool)"
assert_eq "$(jq -r .verdict.text "$r")" exit-nonzero "report verdict (pool)"
assert_eq "$(cat $pool/nr_hugepages)" 0 "nr_hugepages after the pool run"
[ ! -s $ledger ] || fail "ledger not empty after the pool run: $(cat $ledger)"
[ ! -e "$memcage_parent/pg80p" ] || fail "group pg80p left behind"
