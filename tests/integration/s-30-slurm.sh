#!/bin/bash
# A one-node Slurm 22.05 (slurmctld + slurmd with cgroup/v2, munge) runs
# batch jobs built from `memcage export --to slurm PROFILE`: the job's
# memory.max is what `memcage run -p PROFILE` writes (a MiB multiple), or
# below it (not one: the exporter rounds down to whole MiB). memcage run as
# root inside a job step nests in the step's task group (Slurm's slurmstepd
# scope carries systemd's delegation mark; the task group is a leaf with
# memory available), as the job's last command (exec): beside the batch
# shell it stops with 125 and says so. As the job's own user it stops with
# 125: the task group is root's; the message names Slurm and the way out.
# timeout: 420
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"

sd_wait_running 120
command -v jq >/dev/null || fail "jq not found"

# A: a MiB multiple. B: 100000000 bytes, not one (99999744 after page
# rounding, 95 MiB for Slurm). Both allow no swap.
printf '[memory]\nmax = 96M\nswap.max = 0\n' >"$tmpdir/a.ini"
printf '[memory]\nmax = 100000000\nswap.max = 0\n' >"$tmpdir/b.ini"

# What memcage itself writes for each profile, outside Slurm.
memcage_max() { # PROFILE
        local v
        v=$("$MEMCAGE" run -q -p "$1" -- sh -c 'cat "/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/memory.max"') ||
                fail "memcage run -p $1 failed"
        [[ $v =~ ^[0-9]+$ ]] || fail "memcage run -p $1: memory.max '$v'"
        printf '%s\n' "$v"
}
a_max=$(memcage_max "$tmpdir/a.ini")
b_max=$(memcage_max "$tmpdir/b.ini")
assert_eq "$a_max" 100663296 "memcage's memory.max for 96M"
assert_eq "$b_max" 99999744 "memcage's memory.max for 100000000 (page rounding)"

for p in a b; do
        "$MEMCAGE" export --to slurm "$tmpdir/$p.ini" >"$tmpdir/$p.export" 2>"$tmpdir/$p.export.err" ||
                fail "memcage export --to slurm $p.ini: $(cat "$tmpdir/$p.export.err")"
        [ -s "$tmpdir/$p.export" ] || fail "memcage export --to slurm $p.ini printed nothing"
done
assert_contains "$(cat "$tmpdir/a.export")" "#SBATCH --mem=96M" "export of 96M"
assert_contains "$(cat "$tmpdir/b.export")" "#SBATCH --mem=95M" "export of 100000000 (rounded down)"
# The cgroup.conf settings the exporter names make the node's cgroup.conf.
sed -n 's/^# cgroup\.conf: //p' "$tmpdir/a.export" >"$tmpdir/cgroup.conf"
assert_contains "$(cat "$tmpdir/cgroup.conf")" "ConstrainRAMSpace=yes" "exported cgroup.conf"
assert_eq "$(sed -n 's/^# cgroup\.conf: //p' "$tmpdir/b.export")" "$(cat "$tmpdir/cgroup.conf")" \
        "the cgroup.conf settings of both profiles"

slurm_start 180 "$tmpdir/cgroup.conf"

# A batch job: the export's #SBATCH lines, then the probe, then BODY.
# The probe prints the job's cgroup, then "GROUP memory.max memory.swap.max"
# for it and each ancestor up to Slurm's scope.
make_job() { # NAME PROFILE BODY
        {
                echo '#!/bin/bash'
                grep '^#SBATCH ' "$tmpdir/$2.export"
                echo "#SBATCH --output=$tmpdir/$1.out"
                cat <<'PROBE'
cg=$(cut -d: -f3 /proc/self/cgroup)
echo "cgroup $cg"
d=$cg
while :; do
        echo "limit $d $(cat "/sys/fs/cgroup$d/memory.max") $(cat "/sys/fs/cgroup$d/memory.swap.max")"
        case $d in */*slurmstepd.scope | "") break ;; esac
        d=${d%/*}
done
PROBE
                printf '%s\n' "$3"
        } >"$tmpdir/$1.sh"
}
run_job() { # NAME
        local rc=0
        timeout 150 sbatch --wait --quiet "$tmpdir/$1.sh" || rc=$?
        [ -s "$tmpdir/$1.out" ] || { slurm_show_logs; fail "job $1 (sbatch exit $rc) wrote no output"; }
        [ "$rc" = 0 ] || { cat "$tmpdir/$1.out" >&2; slurm_show_logs; fail "job $1: sbatch --wait exit $rc"; }
}
# limit_of JOB GROUP: memory.max and memory.swap.max the job's probe printed for GROUP (a pattern).
limit_of() {
        awk -v g="$2" '$1 == "limit" && $2 ~ g { print $3, $4; found = 1 } END { exit !found }' "$tmpdir/$1.out" ||
                fail "job $1: no group matching $2 in: $(cat "$tmpdir/$1.out")"
}

# Job B: not a MiB multiple. Job C: an unprivileged user's job, whose
# step groups are root's. Both are queued first and run beside job A.
make_job b b ''
useradd -M -u 4300 -s /bin/bash slurmjob 2>/dev/null || id slurmjob >/dev/null || fail "useradd slurmjob failed"
chmod 0755 "$tmpdir"
mkdir -m 0755 "$tmpdir/c"
chown slurmjob "$tmpdir/c"
make_job c a "$(
        cat <<BODY
rc=0
"$MEMCAGE" run --max 96M -- true 2>"$tmpdir/c/err" || rc=\$?
echo "user \$rc"
ls "/sys/fs/cgroup\$cg" | grep -c '^memcage' || true
BODY
)"
sed -i "s|^#SBATCH --output=.*|#SBATCH --output=$tmpdir/c/out|" "$tmpdir/c.sh"
chmod 0644 "$tmpdir/c.sh"
timeout 60 sbatch --quiet "$tmpdir/b.sh" || fail "sbatch b failed"
timeout 60 runuser -u slurmjob -- env SLURM_CONF="$SLURM_CONF" sbatch --quiet "$tmpdir/c.sh" ||
        fail "sbatch c (as slurmjob) failed"

# Job A: the limits, then memcage beside the batch shell (refused), then
# exec'd as the job's last command (nests).
make_job a a "$(
        cat <<BODY
rc=0
"$MEMCAGE" run -p "$tmpdir/a.ini" --report "$tmpdir/a1.json" -- true 2>"$tmpdir/a1.err" || rc=\$?
echo "beside \$rc"
exec "$MEMCAGE" run -p "$tmpdir/a.ini" --report "$tmpdir/a2.json" -- \
        sh -c 'c=\$(cut -d: -f3 /proc/self/cgroup); echo "nested \$c \$(cat /sys/fs/cgroup\$c/memory.max)"'
BODY
)"
run_job a
cg=$(awk '$1 == "cgroup" { print $2 }' "$tmpdir/a.out")
[[ $cg =~ ^/system\.slice/[^/]*slurmstepd\.scope/job_([0-9]+)/step_batch/user/task_0$ ]] ||
        fail "job a ran in '$cg', not in a task group of Slurm's step"
job=${BASH_REMATCH[1]}
read -r job_max job_swap <<<"$(limit_of a "/job_$job\$")"
read -r step_max _ <<<"$(limit_of a "/step_batch/user\$")"
assert_eq "$job_max" "$a_max" "job a: the job's memory.max against memcage's"
assert_eq "$step_max" "$a_max" "job a: the step's memory.max against memcage's"
# Slurm 22.05 writes its mem+swap limit (cgroup v1's memsw) into
# memory.swap.max, which v2 counts as swap alone: with AllowedSwapSpace=0 the
# job may still swap out as much as --mem.
assert_eq "$job_swap" "$a_max" "job a: memory.swap.max (Slurm's memsw value)"

assert_eq "$(awk '$1 == "beside" { print $2 }' "$tmpdir/a.out")" 125 "memcage beside the batch shell: exit status"
assert_contains "$(cat "$tmpdir/a1.err")" "(slurm_script)" "memcage beside the batch shell: names it"
assert_contains "$(cat "$tmpdir/a1.err")" "exec memcage" "memcage beside the batch shell: what to do"

read -r _ nested nested_max <<<"$(grep '^nested ' "$tmpdir/a.out")" ||
        fail "job a: memcage's command did not run: $(cat "$tmpdir/a.out")"
[[ $nested =~ ^$cg/a-[0-9]+$ ]] || fail "job a: memcage's command ran in '$nested', not in a group below $cg"
assert_eq "$nested_max" "$a_max" "job a: memory.max of memcage's group in the step"
[ -s "$tmpdir/a2.json" ] || fail "job a: no report from the exec'd memcage"
assert_eq "$(jq -r .placement.kind "$tmpdir/a2.json")" delegated "job a: placement"
assert_eq "$(jq -r .placement.parent "$tmpdir/a2.json")" "${cg#/}" "job a: placement parent"
assert_contains "$(jq -r .placement.reason "$tmpdir/a2.json")" "trusted.delegate on ${cg%/job_*}" "job a: placement reason"

# Jobs B and C: done when the queue is empty.
end=$((SECONDS + 150))
while [ -n "$(timeout 20 squeue -h -o %i 2>&1)" ]; do
        [ $SECONDS -lt $end ] || { slurm_show_logs; fail "jobs still queued: $(squeue 2>&1)"; }
        sleep 1
done

# Job B: Slurm's limit is the exporter's whole MiB, at or below memcage's.
[ -s "$tmpdir/b.out" ] || { slurm_show_logs; fail "job b wrote no output"; }
read -r job_max _ <<<"$(limit_of b "/job_[0-9]+\$")"
assert_eq "$job_max" $((95 * 1024 * 1024)) "job b: the job's memory.max (95 MiB)"
assert_le "$job_max" "$b_max" "job b: the job's memory.max against memcage's"

# Job C: memcage as the job's user cannot create groups in root's task
# group and says why, naming Slurm and what a site can do; it made nothing.
[ -s "$tmpdir/c/out" ] || { slurm_show_logs; fail "job c wrote no output"; }
cp "$tmpdir/c/out" "$tmpdir/c.out"
read -r job_max _ <<<"$(limit_of c "/job_[0-9]+\$")"
assert_eq "$job_max" "$a_max" "job c: the job's memory.max"
assert_eq "$(awk '$1 == "user" { print $2 }' "$tmpdir/c.out")" 125 "job c: memcage's exit status"
c_err=$(cat "$tmpdir/c/err")
assert_contains "$c_err" "runs as uid 4300" "job c: message"
assert_contains "$c_err" "slurmstepd.scope, which systemd delegated" "job c: message"
assert_contains "$c_err" "sudoers rule" "job c: message"
assert_eq "$(tail -n 1 "$tmpdir/c.out")" 0 "job c: memcage groups left in the task group"

slurm_stop
