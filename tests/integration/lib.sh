# shellcheck shell=bash
# Sourced by every tests/integration/t-*.sh. Tests run as root on a machine
# with a writable cgroup v2 memory controller (the VM of tests/vm/run-vm).
#
# Protocol with tests/integration/run: exit 0 = pass, exit 77 after a last
# stdout line "SKIP: reason" = skip, anything else = failure. Header lines
# "# timeout: SECS" and "# keeps-groups: NAME..." (groups under
# /sys/fs/cgroup/memcage the test may leave behind) are read by the runner.
# shellcheck disable=SC2034 # variables set here are for the tests
set -euo pipefail

cg_root=/sys/fs/cgroup
memcage_parent=$cg_root/memcage
test_name=$(basename -- "$0" .sh)

# Same lookup as the runner, for a test started by hand.
if [ -z "${MEMCAGE:-}" ]; then
        if [ -n "${MEMCAGE_BUILDDIR:-}" ]; then
                MEMCAGE=$MEMCAGE_BUILDDIR/memcage
        else
                MEMCAGE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)/memcage
        fi
fi
export MEMCAGE
# The memory workload (tests/hog.c), built next to memcage.
HOG=${HOG:-${MEMCAGE_BUILDDIR:-$(dirname -- "$MEMCAGE")}/tests/hog}
export HOG

skip() {
        printf 'SKIP: %s\n' "$*"
        exit 77
}

fail() {
        printf 'FAIL: %s\n' "$*" >&2
        exit 1
}

assert_eq() { # ACTUAL EXPECTED WHAT
        [ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"
}

_is_int() { [[ $1 =~ ^-?[0-9]+$ ]]; }

assert_ge() { # ACTUAL MIN WHAT
        _is_int "$1" || fail "${3:-value}: '$1' is not an integer"
        _is_int "$2" || fail "${3:-value}: bound '$2' is not an integer"
        [ "$1" -ge "$2" ] || fail "${3:-value}: expected >= $2, got $1"
}

assert_le() { # ACTUAL MAX WHAT
        _is_int "$1" || fail "${3:-value}: '$1' is not an integer"
        _is_int "$2" || fail "${3:-value}: bound '$2' is not an integer"
        [ "$1" -le "$2" ] || fail "${3:-value}: expected <= $2, got $1"
}

assert_contains() { # HAYSTACK NEEDLE WHAT
        if [[ $1 != *"$2"* ]]; then
                printf '%s: no "%s" in:\n' "${3:-output}" "$2" >&2
                printf '%s\n' "$1" | sed 's/^/    /' >&2
                fail "${3:-output} lacks \"$2\""
        fi
}

assert_not_contains() { # HAYSTACK NEEDLE WHAT
        if [[ $1 == *"$2"* ]]; then
                printf '%s: unexpected "%s" in:\n' "${3:-output}" "$2" >&2
                printf '%s\n' "$1" | sed 's/^/    /' >&2
                fail "${3:-output} contains \"$2\""
        fi
}

# The report FILE validates against docs/report-schema.json (every error is
# printed with its JSON path). Needs python3's jsonschema module, from the
# host's root filesystem: without it the test fails rather than pass unchecked.
assert_report_valid() { # FILE
        local srcdir=${MEMCAGE_SRCDIR:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)}
        local msg vrc=0
        msg=$("$srcdir/tests/validate-report" "$srcdir/docs/report-schema.json" "$1" 2>&1) || vrc=$?
        [ "$vrc" -eq 0 ] && return 0
        printf '%s\n' "$msg" | sed 's/^/    /' >&2
        [ "$vrc" -eq 77 ] && fail "report $1 not validated: python3's jsonschema module is missing (contrib/install-deps.sh)"
        fail "report $1 does not validate against docs/report-schema.json"
}

# The JUnit FILE validates against tests/render/junit.xsd, with xmllint from the
# host's root filesystem when the VM reaches one (said on the test's output when not).
assert_junit_valid() { # FILE
        local srcdir=${MEMCAGE_SRCDIR:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)}
        [ -s "$1" ] || fail "no JUnit file $1, or it is empty"
        if ! command -v xmllint >/dev/null; then
                echo "# no xmllint in the VM: $1 is not validated against junit.xsd"
                return 0
        fi
        xmllint --noout --schema "$srcdir/tests/render/junit.xsd" "$1" 2>"$tmpdir/.xmllint" ||
                fail "$1 is not valid JUnit: $(head -c 500 "$tmpdir/.xmllint")"
}

# The --json FILE of a memcage size that found an answer, STDOUT its evidence lines: present,
# valid against docs/size-schema.json, one run per line, at most 8, and the last run passed at
# the recommended limits: the confirmation, or its repeat (a verdict of the clock alone is
# repeated once).
assert_size_found() { # FILE STDOUT
        local srcdir=${MEMCAGE_SRCDIR:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)}
        local msg vrc=0
        [ -s "$1" ] || fail "--json wrote no file"
        msg=$("$srcdir/tests/validate-report" "$srcdir/docs/size-schema.json" "$1" 2>&1) || vrc=$?
        [ "$vrc" -eq 0 ] || fail "$1 does not validate against docs/size-schema.json: $msg"
        assert_eq "$(jq '.runs | length' "$1")" "$(grep -c '^run ' <<<"$2")" "runs in --json vs evidence lines"
        assert_le "$(jq '.runs | length' "$1")" 8 "runs"
        assert_eq "$(jq -r .outcome "$1")" found "outcome"
        assert_eq "$(jq -r '.runs[-1].verdict + " " + (.runs[-1].role == "confirm" or
                (.runs[-1].role == "repeat" and .runs[-2].role == "confirm") | tostring)' "$1")" "pass true" \
                "the last run: the confirmation (or its repeat), passed"
        assert_eq "$(jq '.runs[-1].max == .recommendation.max and .runs[-1].high == .recommendation.high' "$1")" \
                true "the confirming run has the recommended limits"
}

# A file of MB MiB on ext4 on a loop device (page cache, as a file on tmpfs would
# be shmem), in $tmpdir/mnt/f, unmounted at exit; skips where the kernel cannot.
make_ext4_file() { # MB
        command -v mke2fs >/dev/null || skip "no mke2fs"
        modprobe -q loop 2>/dev/null || true
        modprobe -q ext4 2>/dev/null || true
        grep -qw ext4 /proc/filesystems || skip "no ext4 in this kernel"
        truncate -s $(($1 + 36))M "$tmpdir/img"
        mke2fs -q -t ext4 "$tmpdir/img" || fail "mke2fs"
        mkdir "$tmpdir/mnt"
        mount -o loop "$tmpdir/img" "$tmpdir/mnt" || skip "cannot loop-mount an ext4 image"
        on_exit "umount '$tmpdir/mnt'"
        dd if=/dev/zero of="$tmpdir/mnt/f" bs=1M count="$1" status=none
        sync
}

# A kernel feature is checked by its file, never by the version.
require_file() { # PATH
        [ -e "$1" ] || skip "this kernel has no $1"
}

wait_for_file() { # PATH [SECS]
        local i n=$(( ${2:-30} * 20 ))
        for ((i = 0; i < n; i++)); do
                [ -e "$1" ] && return 0
                sleep 0.05
        done
        fail "$1 did not appear within ${2:-30}s"
}

# "KEY VALUE" files (memory.events, memory.stat, cgroup.events): VALUE of KEY.
cg_field() { # FILE KEY
        awk -v k="$2" '$1 == k { print $2; found = 1 } END { exit !found }' "$1" ||
                fail "no field '$2' in $1"
}

# Cleanup commands, run in reverse order before the temp dir is removed.
_on_exit=()
on_exit() { # COMMAND...  (one string, evaluated at exit)
        _on_exit+=("$*")
}
_lib_exit() {
        local rc=$? i
        for ((i = ${#_on_exit[@]} - 1; i >= 0; i--)); do
                eval "${_on_exit[i]}" || true
        done
        rm -rf -- "$tmpdir"
        exit "$rc"
}

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/memcage-$test_name.XXXXXX")
trap _lib_exit EXIT

# run_memcage ARGS...: sets out, err (without trailing newlines) and rc;
# never trips set -e.
out='' err='' rc=''
run_memcage() {
        [ -x "$MEMCAGE" ] || fail "memcage binary not found at $MEMCAGE (build it, or set MEMCAGE / MEMCAGE_BUILDDIR)"
        rc=0
        "$MEMCAGE" "$@" >"$tmpdir/.stdout" 2>"$tmpdir/.stderr" || rc=$?
        out=$(cat -- "$tmpdir/.stdout")
        err=$(cat -- "$tmpdir/.stderr")
}

# --- systemd as PID 1 (tests/integration/s-*.sh, run-vm --systemd) ----------
# The VM is thrown away after the boot, so what these helpers set up (a user,
# its linger) stays for the following tests of the same boot.

# Waits until systemd has finished booting; fails when it did not come up
# cleanly, with the units that failed.
sd_wait_running() { # [SECS]
        local state
        [ "$(cat /proc/1/comm)" = systemd ] || skip "PID 1 is $(cat /proc/1/comm), not systemd (run-vm --systemd)"
        state=$(timeout "${1:-120}" systemctl is-system-running --wait 2>&1) || true
        if [ "$state" != running ]; then
                systemctl --no-pager --failed >&2 || true
                fail "systemd is '$state', not 'running'"
        fi
}

# A user with linger: systemd starts user@UID.service for it at once (no
# login needed). Waits for the manager's bus. Sets sd_user and sd_uid.
sd_user='' sd_uid=''
sd_make_linger_user() { # NAME UID [SECS]
        local i n=$((${3:-60} * 10)) state
        sd_user=$1 sd_uid=$2
        if ! id -u "$sd_user" >/dev/null 2>&1; then
                useradd -m -u "$sd_uid" -s /bin/bash "$sd_user" || fail "useradd $sd_user failed"
        fi
        assert_eq "$(id -u "$sd_user")" "$sd_uid" "uid of $sd_user"
        loginctl enable-linger "$sd_user" || fail "loginctl enable-linger $sd_user failed"
        for ((i = 0; i < n; i++)); do
                state=$(systemctl is-active "user@$sd_uid.service" 2>/dev/null) || true
                [ "$state" = active ] && [ -S "/run/user/$sd_uid/bus" ] && return 0
                sleep 0.1
        done
        fail "user@$sd_uid.service is '$state' and /run/user/$sd_uid/bus $([ -S "/run/user/$sd_uid/bus" ] || echo "missing") after ${3:-60}s"
}

# Runs COMMAND as the user of sd_make_linger_user, with its user manager
# reachable (systemctl --user, systemd-run --user).
sd_as_user() { # COMMAND...
        [ -n "$sd_user" ] || fail "sd_as_user before sd_make_linger_user"
        runuser -u "$sd_user" -- env -C / HOME="$(getent passwd "$sd_user" | cut -d: -f6)" \
                XDG_RUNTIME_DIR="/run/user/$sd_uid" \
                DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$sd_uid/bus" "$@"
}

# Runs COMMAND in a transient service NAME.service of the system manager,
# its stdout and stderr piped to ours, and returns its exit status. Delegate
# is yes or no: whether the service's cgroup subtree is handed to it.
sd_run_service() { # NAME yes|no COMMAND...
        local name=$1 delegate=$2
        shift 2
        systemd-run --wait -q -P --collect -p "Delegate=$delegate" --unit="$name" "$@"
}

# The cgroup directory of a unit, from systemd.
sd_unit_cgroup() { # UNIT
        local cg
        cg=$(systemctl show -P ControlGroup "$1") || fail "systemctl show $1 failed"
        [ -n "$cg" ] || fail "$1 has no ControlGroup (not running?)"
        printf '%s%s\n' "$cg_root" "$cg"
}

# Value of the extended attribute NAME of a file, empty when it has none.
xattr_of() { # FILE NAME
        getfattr --only-values --absolute-names -n "$2" -- "$1" 2>/dev/null || true
}

# A crun bundle whose rootfs is the host's root, read-only (the VM's root,
# bound: a rootfs of "/" itself fails at pivot_root with EBUSY). The container
# has its own cgroup namespace, its cgroup2 mount is read-only or writable
# (cgroup), and memory.max of its group is LIMIT bytes. The bind is undone
# at exit.
ct_make_bundle() { # DIR ro|rw LIMIT
        local dir=$1 opts
        command -v crun >/dev/null || fail "crun not found (contrib/install-deps.sh installs it)"
        mkdir -p "$dir/rootfs"
        mount --bind / "$dir/rootfs" || fail "cannot bind / to $dir/rootfs"
        on_exit "umount -l '$dir/rootfs'"
        (cd "$dir" && crun spec) || fail "crun spec failed"
        case $2 in
        ro) opts='["nosuid","noexec","nodev","relatime","ro"]' ;;
        rw) opts='["nosuid","noexec","nodev","relatime","rw"]' ;;
        *) fail "ct_make_bundle: cgroup mount must be ro or rw, not '$2'" ;;
        esac
        # The network namespace stays: without it crun's sysfs mount fails
        # with EBUSY. The cgroup namespace is what the container sees as "/".
        jq --argjson opts "$opts" --argjson limit "$3" '
                .root.path = "rootfs" | .root.readonly = true |
                .process.terminal = false | .process.cwd = "/" |
                .linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}]) |
                .mounts |= map(if .destination == "/sys/fs/cgroup"
                        then .type = "cgroup" | .source = "cgroup" | .options = $opts else . end) |
                .linux.resources.memory.limit = $limit' \
                "$dir/config.json" >"$dir/config.new" || fail "cannot edit $dir/config.json"
        [ -s "$dir/config.new" ] || fail "jq wrote an empty $dir/config.new"
        mv -- "$dir/config.new" "$dir/config.json"
}

# Runs COMMAND as PID 1 of a container NAME from the bundle DIR; returns its
# exit status. stdin is /dev/null.
ct_run() { # DIR NAME COMMAND...
        local dir=$1 name=$2 args
        shift 2
        args=$(jq -cn '$ARGS.positional' --args -- "$@") || fail "cannot encode the command"
        jq --argjson a "$args" '.process.args = $a' "$dir/config.json" >"$dir/config.new" ||
                fail "cannot edit $dir/config.json"
        [ -s "$dir/config.new" ] || fail "jq wrote an empty $dir/config.new"
        mv -- "$dir/config.new" "$dir/config.json"
        crun run --bundle "$dir" "$name" </dev/null
}

# Nothing of memcage is left: no memcage-*.scope unit (loaded in any state)
# and no group below PARENT (default: memcage's own parent under the root).
sd_assert_clean() { # [PARENT]
        local parent=${1:-$memcage_parent} units left
        units=$(systemctl list-units --all --plain --no-legend 'memcage-*.scope' 2>&1) ||
                fail "systemctl list-units failed: $units"
        [ -z "$units" ] || fail "memcage scopes left: $units"
        [ -d "$parent" ] || return 0
        left=$(find "$parent" -mindepth 1 -type d)
        [ -z "$left" ] || fail "groups left below $parent: $left"
}

# --- a one-node Slurm in the systemd VM (s-30-slurm.sh) ----------------------
# slurm_start SECS CGROUP_CONF: munged, slurmctld and slurmd from Debian's packages as
# transient system units, configured in $slurm_dir (the host root is read-only:
# slurm.conf is passed with -f and SLURM_CONF, munge's key, socket and state
# with munged's options, cgroup.conf sits beside slurm.conf where Slurm looks
# for it, CgroupPlugin=cgroup/v2 and then the lines of the file CGROUP_CONF).
# slurmd runs with Delegate=yes, as cgroup/v2 needs: its job and
# step groups go below its own service group. Waits until the one node,
# $slurm_node, is idle; slurm_stop (registered with on_exit) stops the units
# and checks that their groups are gone. SLURM_CONF is exported for sbatch,
# sinfo and scontrol.
slurm_dir='' slurm_node=memcage0 slurm_units=() slurm_if=mcslurm0
slurm_start() { # SECS CGROUP_CONF
        local secs=$1 d host state end
        local unit
        for unit in munged slurmctld slurmd sbatch sinfo; do
                command -v "$unit" >/dev/null ||
                        skip "no $unit (Debian's slurmctld, slurmd, slurm-client and munge: contrib/install-deps.sh)"
        done
        d=$tmpdir/slurm
        # Readable by all: a job of another user runs sbatch with this slurm.conf
        # and reaches munged through its socket; the key stays root's alone.
        mkdir -m 0755 "$d" "$d/munge"
        mkdir -m 0700 "$d/ctld" "$d/spool"
        head -c 1024 /dev/urandom >"$d/munge/munge.key"
        chmod 0400 "$d/munge/munge.key"
        host=$(hostname -s)
        cat >"$d/slurm.conf" <<CONF
ClusterName=memcage
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge/munge.socket
StateSaveLocation=$d/ctld
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SlurmctldTimeout=300
SlurmdTimeout=300
MessageTimeout=60
NodeName=$slurm_node NodeAddr=127.0.0.1 NodeHostname=$host CPUs=2 RealMemory=512 State=UNKNOWN
PartitionName=memcage Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
        echo CgroupPlugin=cgroup/v2 >"$d/cgroup.conf"
        cat -- "$2" >>"$d/cgroup.conf" || fail "cannot read $2"
        slurm_dir=$d
        export SLURM_CONF=$d/slurm.conf

        # The VM has no network card, only lo, and Slurm resolves its listen
        # address with AI_ADDRCONFIG, which ignores loopback: without some
        # other IPv4 address the daemons cannot bind ("Address family not
        # supported by protocol"). A dummy interface gives them one.
        if ! ip -4 -o addr show scope global | grep -q .; then
                ip link add "$slurm_if" type dummy || fail "cannot add a dummy interface for Slurm"
                on_exit "ip link del '$slurm_if'"
                ip addr add 192.0.2.1/32 dev "$slurm_if" && ip link set "$slurm_if" up ||
                        fail "cannot configure $slurm_if"
        fi
        on_exit slurm_stop

        slurm_units=(memcage-munged.service)
        systemd-run -q --collect --unit=memcage-munged -p Type=exec /usr/sbin/munged -F --force \
                --key-file="$d/munge/munge.key" --socket="$d/munge/munge.socket" \
                --pid-file="$d/munge/munged.pid" --log-file="$d/munge/munged.log" \
                --seed-file="$d/munge/munged.seed" || fail "cannot start munged"
        wait_for_file "$d/munge/munge.socket" 30
        slurm_units+=(memcage-slurmctld.service)
        systemd-run -q --collect --unit=memcage-slurmctld -E SLURM_CONF="$SLURM_CONF" \
                /usr/sbin/slurmctld -D -c -f "$SLURM_CONF" || fail "cannot start slurmctld"
        slurm_units+=(memcage-slurmd.service)
        systemd-run -q --collect --unit=memcage-slurmd -p Delegate=yes -E SLURM_CONF="$SLURM_CONF" \
                /usr/sbin/slurmd -D -N "$slurm_node" -f "$SLURM_CONF" || fail "cannot start slurmd"
        state=
        end=$((SECONDS + secs))
        while [ $SECONDS -lt $end ]; do
                state=$(timeout 10 sinfo -h -n "$slurm_node" -o %t 2>/dev/null) || true
                [ "$state" = idle ] && return 0
                sleep 0.5
        done
        slurm_show_logs
        fail "Slurm node $slurm_node is '${state:-unknown}', not idle, after ${secs}s"
}

# The daemons' logs, on stderr: for a test that failed.
slurm_show_logs() {
        local f
        for f in "$slurm_dir"/slurmctld.log "$slurm_dir"/slurmd.log "$slurm_dir"/munge/munged.log; do
                [ -s "$f" ] || continue
                printf '%s (last lines):\n' "${f#"$slurm_dir"/}" >&2
                tail -n 15 -- "$f" | sed 's/^/  /' >&2
        done
}

# Stops the units of slurm_start (slurmd first: it kills its job steps) and
# fails if a unit or a group of them is left.
slurm_stop() {
        local i u left=
        # slurmstepd runs the steps in a scope slurmd asks systemd for; it
        # outlives slurmd.
        [ ${#slurm_units[@]} -eq 0 ] || slurm_units+=("${slurm_node}_slurmstepd.scope")
        for ((i = ${#slurm_units[@]} - 1; i >= 0; i--)); do
                systemctl stop "${slurm_units[i]}" 2>/dev/null || true
        done
        for u in "${slurm_units[@]}"; do
                [ -d "$cg_root/system.slice/$u" ] && left+=" $u"
                systemctl reset-failed "$u" 2>/dev/null || true
        done
        slurm_units=()
        [ -z "$left" ] || fail "Slurm units' groups left after stop:$left"
}
