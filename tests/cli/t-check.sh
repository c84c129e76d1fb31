#!/bin/bash
# tests/cli/t-check.sh: memcage check as a CI step uses it, on this host (no
# root, no cgroup needed): the verdicts on stdout and what was found on
# stderr, --json (parsed with jq, validated against docs/check-schema.json),
# --strict's exit statuses, max = 0, comments and long lines, and every
# shipped profile under --strict.
# Prints TAP; run on the host by tests/run-suite after the unit tests.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
srcdir=${MEMCAGE_SRCDIR:-$here/../..}
memcage=${MEMCAGE:-${MEMCAGE_BUILDDIR:-.}/memcage}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memcage-check.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
umask 022

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { # DESCRIPTION COMMAND...: a test point from a command's status
        local what=$1
        shift
        if "$@"; then ok "$what"; else not_ok "$what"; fi
}

if ! [ -x "$memcage" ]; then
        echo "1..0 # SKIP $memcage is not built"
        exit 0
fi
if ! command -v jq >/dev/null; then
        echo "1..0 # SKIP jq is not installed"
        exit 0
fi

# Runs memcage with the test's profiles only; sets rc, out (stdout), err (stderr).
run() {
        rc=0
        env -i PATH="$PATH" HOME="$tmp/home" MEMCAGE_PROFILE_PATH="$tmp/p" "$memcage" "$@" \
                >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
        out=$(cat -- "$tmp/stdout")
        err=$(cat -- "$tmp/stderr")
}
# jq -e on the JSON of the last run; an empty stdout fails (jq -e alone passes it).
json() { [ -s "$tmp/stdout" ] && jq -e "$@" "$tmp/stdout" >/dev/null; }
has() { [[ $1 == *"$2"* ]]; }

mkdir -p "$tmp/p" "$tmp/home"
printf '[memory]\nmax = 64M\noom.group = 1\n' >"$tmp/p/good.ini"
# max = 0 warns whatever the host (no swap, no RAM or cgroup fact involved).
printf '[profile]\ndescription = nothing fits\n[memory]\nmax = 0\n' >"$tmp/p/zero.ini"
printf '[memory]\nmax = 12Q\n' >"$tmp/p/bad.ini"

# --- text: verdicts on stdout, findings on stderr ---
run check good
check "good profile: exit 0" [ "$rc" -eq 0 ]
check "good profile: stdout is the verdict alone" [ "$out" = "good: ok" ]
check "good profile: stderr is empty" [ -z "$err" ]

run check zero
check "max = 0: exit 0 without --strict" [ "$rc" -eq 0 ]
check "max = 0: verdict counts the warning" [ "$out" = "zero: ok with 1 warning" ]
check "max = 0: the warning is on stderr with file:line" \
        [ "$err" = "warning: $tmp/p/zero.ini:4: max is 0: the group can never hold a page, so the command is OOM-killed at its first allocation; set the budget it needs (or max for no limit)" ]

run check bad good
check "bad profile: exit 1" [ "$rc" -eq 1 ]
check "bad profile: verdicts on stdout in order" [ "$out" = $'bad: error\ngood: ok' ]
check "bad profile: the error on stderr names file:line" has "$err" "bad: error: $tmp/p/bad.ini:2: invalid size '12Q'"
check "bad profile: no error text on stdout" eval '! has "$out" "12Q"'

# --- --strict ---
run check --strict good
check "--strict, no warning: exit 0" [ "$rc" -eq 0 ]
run check --strict good zero
check "--strict, a warning: exit 1" [ "$rc" -eq 1 ]
check "--strict, a warning: verdict says so" [ "$out" = $'good: ok\nzero: failed with 1 warning (--strict)' ]
run check --strict nosuch
check "--strict, a profile not found: exit 1" [ "$rc" -eq 1 ]
check "a profile not found: said on stderr" has "$err" "nosuch: error: profile 'nosuch' not found"

# --- --json ---
run check --json good zero bad nosuch
check "--json: exit 1 for the bad profile" [ "$rc" -eq 1 ]
check "--json: stdout is one JSON document" json 'type == "object"'
check "--json: strict false, status 1" json '.strict == false and .status == 1'
check "--json: one entry per profile, in order" json '[.profiles[].name] == ["good", "zero", "bad", "nosuch"]'
check "--json: the good profile is clean" \
        json --arg p "$tmp/p/good.ini" '.profiles[0] | .path == $p and .errors == [] and .warnings == []'
check "--json: max = 0 warning with file and line" \
        json --arg p "$tmp/p/zero.ini" '.profiles[1].warnings == [{"file": $p, "line": 4, "message": "max is 0: the group can never hold a page, so the command is OOM-killed at its first allocation; set the budget it needs (or max for no limit)"}]'
check "--json: the load error split into file, line, message" \
        json --arg p "$tmp/p/bad.ini" '.profiles[2].errors | length == 1 and .[0].file == $p and .[0].line == 2 and (.[0].message | startswith("invalid size '"'"'12Q'"'"'"))'
check "--json: a profile not found has no path and an error without file" \
        json '.profiles[3] | .path == null and .errors[0].file == null and .errors[0].line == null and .warnings == []'
check "--json: stderr still carries the findings" has "$err" "warning: $tmp/p/zero.ini:4: max is 0"
rc_schema=0
python3 "$srcdir/tests/validate-report" "$srcdir/docs/check-schema.json" "$tmp/stdout" >"$tmp/schema.out" 2>&1 ||
        rc_schema=$?
if [ "$rc_schema" -eq 77 ]; then
        ok "# SKIP docs/check-schema.json: $(cat "$tmp/schema.out")"
else
        check "--json: valid against docs/check-schema.json" [ "$rc_schema" -eq 0 ]
fi
run check --json --strict zero
check "--json --strict: exit 1, status 1, strict true" eval '[ "$rc" -eq 1 ] && json ".strict and .status == 1"'

# --- one comment rule; a line too long is an error at its file:line ---
printf '[memory] # limits\nmax = 64M # the wall\noom.group = 1 ; whole group\n' >"$tmp/p/hash.ini"
run check --strict hash
check "'#' after a value is a comment, as ';' is" eval '[ "$rc" -eq 0 ] && [ "$out" = "hash: ok" ] && [ -z "$err" ]'
printf '[profile]\ndescription = %s\n' "$(printf 'x%.0s' $(seq 185))" >"$tmp/p/long.ini"
run check long
check "a line of 199 characters: exit 1" [ "$rc" -eq 1 ]
check "a line of 199 characters: file:line error" \
        [ "$err" = "long: error: $tmp/p/long.ini:2: line longer than 198 characters (indentation and comments not counted)" ]
printf '[profile]\ndescription = %s # %s\n' "$(printf 'x%.0s' $(seq 184))" "$(printf 'y%.0s' $(seq 300))" \
        >"$tmp/p/long.ini"
run check long
check "198 characters and a long comment: accepted" [ "$rc" -eq 0 ]

# --- misuse is memcage's failure, 125, not a verdict ---
run check
check "no profile: exit 125" [ "$rc" -eq 125 ]
run check --bogus good
check "bad option: exit 125" [ "$rc" -eq 125 ]
check "bad option: nothing on stdout" [ -z "$out" ]

# --- the shipped profiles pass --strict here ---
# Copies in a directory of the test's own: the checkout's may be group-writable,
# which memcage rightly refuses.
mkdir "$tmp/shipped"
cp -- "$srcdir"/profiles/*.ini "$tmp/shipped/"
chmod 0644 "$tmp/shipped"/*.ini
names=()
for f in "$tmp/shipped"/*.ini; do names+=("$f"); done
check "profiles/ holds the shipped profiles" [ ${#names[@]} -ge 4 ]
run check --strict --json "${names[@]}"
check "shipped profiles: all load" json '[.profiles[].errors[]] == []'
# Their limits are for real machines: on a host with less RAM than a limit the
# "larger than physical memory" warning is right, and the only one allowed.
check "shipped profiles: no warning but limits above this host's RAM" \
        json '[.profiles[].warnings[].message | select(contains("larger than this host'"'"'s physical memory") | not)] == []'
ram_kib=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)
if [ "$ram_kib" -ge $((8 * 1024 * 1024)) ]; then
        check "shipped profiles: check --strict exits 0 (RAM ${ram_kib} KiB)" [ "$rc" -eq 0 ]
else
        ok "# SKIP check --strict exit status of the shipped profiles: this host has less than 8G of RAM"
fi

echo "1..$n"
