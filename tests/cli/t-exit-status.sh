#!/bin/bash
# tests/cli/t-exit-status.sh: every command follows the one exit-status
# scheme of memcage(1) EXIT STATUS: 0 done, 1 a negative answer (check: a
# profile does not load; export --strict: a key did not carry over; report
# --fail-on: 123), 125 memcage's own failure, bad usage included. Only what
# needs no cgroup v2: usage errors, missing or invalid profiles and reports,
# an output that cannot be written.
# Prints TAP; run on the host by tests/run-suite with the built binary.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
srcdir=${MEMCAGE_SRCDIR:-$here/../..}
memcage=${MEMCAGE:-${MEMCAGE_BUILDDIR:-.}/memcage}
data=$srcdir/tests/unit/data
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memcage-exit-status.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

# Profiles from this directory alone: the host's own must not change an answer.
export MEMCAGE_PROFILE_PATH=$tmp/profiles XDG_CONFIG_HOME=$tmp/xdg HOME=$tmp/home
mkdir -p "$tmp/profiles"
printf '[memory]\nmax = 64M\n' >"$tmp/profiles/good.ini"
printf '[memory]\nmax = 1X\n' >"$tmp/profiles/bad.ini"
printf '[memory]\nmax = 64M\n[hugetlb]\n2MB.max = 4M\n' >"$tmp/profiles/huge.ini"
printf 'not json\n' >"$tmp/not-json.json"
printf '{"schema": 999}\n' >"$tmp/future.json"

n=0
failed=0
# expect STATUS ARGS...: memcage ARGS exits STATUS.
expect() {
        local want=$1 rc=0
        shift
        "$memcage" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
        n=$((n + 1))
        if [ "$rc" = "$want" ]; then
                echo "ok $n - memcage $*: exit $rc"
        else
                failed=$((failed + 1))
                echo "not ok $n - memcage $*: exit $rc, expected $want: $(head -c 300 "$tmp/err")"
        fi
}

commands=(run profiles show check ps gc report export)

# Success.
expect 0 --help
expect 0 --version
for c in "${commands[@]}"; do
        expect 0 "$c" --help
done
expect 0 profiles
expect 0 show good
expect 0 check good
expect 0 export --to systemd good
expect 0 report "$data/report-ok.json"
expect 0 report --fail-on oom "$data/report-ok.json"

# Bad usage: memcage's own failure, 125, in every command.
expect 125
expect 125 --bogus
expect 125 nosuch
for c in "${commands[@]}"; do
        expect 125 "$c" --bogus
done
expect 125 run
expect 125 run --max
expect 125 run --fail-on bogus -- true
expect 125 profiles extra
expect 125 show
expect 125 show good extra
expect 125 check
expect 125 ps extra
expect 125 ps --parent ../escape
expect 125 gc extra
expect 125 gc --parent ../escape
expect 125 report
expect 125 report -f
expect 125 report -f nosuch "$data/report-ok.json"
expect 125 report "$data/report-ok.json" "$data/report-full.json"
expect 125 export
expect 125 export --to nosuch good
expect 125 export --to systemd good extra
expect 125 --color bogus report "$data/report-ok.json"
expect 125 report --color bogus "$data/report-ok.json"
expect 125 run --color bogus -- true
expect 0 --color never report --color=always "$data/report-ok.json"

# A profile or report that is missing or invalid: 125 too.
expect 125 run -p nosuch -- true
expect 125 run -p bad -- true
expect 125 show nosuch
expect 125 show bad
expect 125 export --to systemd nosuch
expect 125 export --to systemd bad
expect 125 report "$tmp/nosuch.json"
expect 125 report "$tmp/not-json.json"
expect 125 report "$tmp/future.json"
expect 125 report --baseline "$tmp/nosuch.json" "$data/report-ok.json"
# An output that cannot be written: a file, or standard output on a full device.
expect 125 report -o "$tmp/no/such/dir/out.txt" "$data/report-ok.json"
# size: every usage error and bad input before the first run (none needs cgroup v2).
expect 125 size
expect 125 size --bogus -- true
expect 125 size --max-runs 2 -- true
expect 125 size --max-runs 65 -- true
expect 125 size --max-runs x -- true
expect 125 size --slowdown -5 -- true
expect 125 size --slowdown 10x -- true
expect 125 size -p nosuch -- true
expect 125 size -p bad -- true
expect 125 size --json "$tmp/no/such/dir/out.json" -- true
expect 125 size --profile-out "$tmp/no/such/dir/out.ini" -- true
if [ -w /dev/full ]; then
        expect_full() { # STATUS ARGS...: as expect, with stdout on /dev/full; a message says why
                local want=$1 rc=0
                shift
                "$memcage" "$@" >/dev/full 2>"$tmp/err" </dev/null || rc=$?
                n=$((n + 1))
                if [ "$rc" = "$want" ] && grep -q "^memcage: $1: " "$tmp/err"; then
                        echo "ok $n - memcage $* >/dev/full: exit $rc, $(head -n 1 "$tmp/err")"
                else
                        failed=$((failed + 1))
                        echo "not ok $n - memcage $* >/dev/full: exit $rc, expected $want and a message: $(head -c 300 "$tmp/err")"
                fi
        }
        expect_full 125 profiles
        expect_full 125 profiles --json
        expect_full 125 show good
        expect_full 125 show --json good
        expect_full 125 export --to systemd good
        expect_full 125 report "$data/report-ok.json"
fi

# A negative answer: 1, or 123 for --fail-on as for run.
expect 1 check bad
expect 1 check nosuch
expect 1 check good bad
expect 1 export --to systemd --strict huge
expect 123 report --fail-on oom "$data/report-full.json"

echo "1..$n"
[ "$failed" -eq 0 ]
