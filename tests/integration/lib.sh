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
