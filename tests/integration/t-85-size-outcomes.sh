#!/bin/bash
# memcage size's answers without a recommendation, as its user sees them, from
# real runs: exit 1, one message on stderr, the evidence lines on stdout and
# --json with the outcome and a null recommendation, no --profile-out, no group:
#   - a command that fails without a limit: "nothing to size", after one run;
#   - a command whose plain runs end differently (it exits 0, then 3):
#     "not repeatable", after two.
# And `memcage size` of a command that needs nothing: an answer, exit 0.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"
srcdir=${MEMCAGE_SRCDIR:-$(cd -- "$(dirname -- "$0")/../.." && pwd)}

check_outcome() { # OUTCOME RUNS
        assert_eq "$rc" 1 "exit status for '$1' ($err)"
        assert_eq "$(grep -c '^run ' <<<"$out")" "$2" "evidence lines for '$1'"
        assert_eq "$(grep -c '^memcage: size: ' <<<"$err")" 2 "stderr lines for '$1' (the message and the time)"
        assert_contains "$err" "memcage: size: $1" "the message"
        [ -s "$tmpdir/size.json" ] || fail "--json wrote no file for '$1'"
        local msg
        msg=$("$srcdir/tests/validate-report" "$srcdir/docs/size-schema.json" "$tmpdir/size.json" 2>&1) ||
                fail "size.json does not validate against docs/size-schema.json: $msg"
        assert_eq "$(jq -r .outcome "$tmpdir/size.json")" "$1" "--json outcome"
        assert_eq "$(jq .recommendation "$tmpdir/size.json")" null "--json recommendation"
        assert_eq "$(jq '.runs | length' "$tmpdir/size.json")" "$2" "--json runs"
        [ ! -e "$tmpdir/sized.ini" ] || fail "--profile-out written without an answer: $(cat "$tmpdir/sized.ini")"
        rm -f "$tmpdir/size.json"
}

run_memcage size --json "$tmpdir/size.json" --profile-out "$tmpdir/sized.ini" -- sh -c 'exit 2'
check_outcome "nothing to size" 1
assert_contains "$out" "exit 2  exit" "the run's line says how it ended"

# shellcheck disable=SC2016 # expanded by the command's shell
run_memcage size --json "$tmpdir/size.json" --profile-out "$tmpdir/sized.ini" -- \
        sh -c 'if [ -e "$0" ]; then exit 3; fi; : >"$0"' "$tmpdir/ran"
check_outcome "not repeatable" 2

run_memcage size --slowdown 50 --json "$tmpdir/size.json" --profile-out "$tmpdir/sized.ini" -- true
assert_eq "$rc" 0 "memcage size -- true ($err)"
assert_eq "$(jq -r .outcome "$tmpdir/size.json")" found "outcome for true"
grep -q '^max = ' "$tmpdir/sized.ini" || fail "--profile-out has no max: $(cat "$tmpdir/sized.ini")"
assert_le "$(jq '.runs | length' "$tmpdir/size.json")" 8 "runs for true"
