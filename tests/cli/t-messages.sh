#!/bin/bash
# tests/cli/t-messages.sh: every error of every command starts with
# "memcage: COMMAND: " (memcage's own name, not the path it was run by nor
# getopt's argv[0]), and a usage error ends in exactly one line
# "Try 'memcage COMMAND --help' for more information."; an error that is not
# about usage (a missing profile or report) has no such line.
# Prints TAP; run on the host by tests/run-suite with the built binary.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
srcdir=${MEMCAGE_SRCDIR:-$here/../..}
memcage=${MEMCAGE:-${MEMCAGE_BUILDDIR:-.}/memcage}
data=$srcdir/tests/unit/data
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memcage-messages.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

export MEMCAGE_PROFILE_PATH=$tmp/profiles XDG_CONFIG_HOME=$tmp/xdg HOME=$tmp/home
mkdir -p "$tmp/profiles"
printf '[memory]\nmax = 64M\n' >"$tmp/profiles/good.ini"
printf '[memory]\nmax = 1X\n' >"$tmp/profiles/bad.ini"
# Called by its path, as from a build directory: the path must not become the prefix.
mkdir -p "$tmp/bin"
ln -s "$(cd -- "$(dirname -- "$memcage")" && pwd)/$(basename -- "$memcage")" "$tmp/bin/memcage-under-test"
memcage=$tmp/bin/memcage-under-test

n=0
failed=0
report() { # OK|FAIL WHAT
        n=$((n + 1))
        if [ "$1" = OK ]; then
                echo "ok $n - $2"
        else
                failed=$((failed + 1))
                echo "not ok $n - $2"
                sed 's/^/  # /' "$tmp/err"
        fi
}

# usage COMMAND ARGS...: memcage ARGS fails with messages prefixed for
# COMMAND ("" for memcage itself) and one hint, the last line.
usage() {
        local cmd=$1 prefix hint rc=0
        shift
        prefix="memcage: ${cmd:+$cmd: }"
        hint="Try 'memcage${cmd:+ $cmd} --help' for more information."
        "$memcage" "$@" >/dev/null 2>"$tmp/err" </dev/null || rc=$?
        local lines bad hints last
        lines=$(wc -l <"$tmp/err")
        hints=$(grep -cxF -- "$hint" "$tmp/err" || :)
        last=$(tail -n 1 "$tmp/err")
        bad=$(grep -vxF -- "$hint" "$tmp/err" | awk -v p="$prefix" 'index($0, p) != 1' | wc -l)
        if [ "$rc" -ne 0 ] && [ "$lines" -ge 2 ] && [ "$hints" -eq 1 ] && [ "$last" = "$hint" ] && [ "$bad" -eq 0 ]; then
                report OK "memcage $*: '$prefix...' then one hint"
        else
                report FAIL "memcage $*: exit $rc, $lines lines, $hints hints, $bad lines without '$prefix'"
        fi
}

# failure COMMAND ARGS...: memcage ARGS fails with every line prefixed for COMMAND, no hint.
failure() {
        local cmd=$1 prefix rc=0
        shift
        prefix="memcage: $cmd: "
        "$memcage" "$@" >/dev/null 2>"$tmp/err" </dev/null || rc=$?
        local lines bad hints
        lines=$(wc -l <"$tmp/err")
        hints=$(grep -c "^Try 'memcage" "$tmp/err" || :)
        bad=$(awk -v p="$prefix" 'index($0, p) != 1' "$tmp/err" | wc -l)
        if [ "$rc" -ne 0 ] && [ "$lines" -ge 1 ] && [ "$hints" -eq 0 ] && [ "$bad" -eq 0 ]; then
                report OK "memcage $*: every line '$prefix...', no hint"
        else
                report FAIL "memcage $*: exit $rc, $lines lines, $hints hints, $bad lines without '$prefix'"
        fi
}

usage ""
usage "" --bogus
usage "" -x
usage "" nosuch
for c in run profiles show check ps gc report export; do
        usage "$c" "$c" --bogus
        usage "$c" "$c" -Z
        usage "$c" "$c" --help=x
done
usage run run
usage run run --max
usage run run -p
usage run run --set nodot -- true
usage run run --fail-on bogus -- true
usage run run --fail-on peak+1% -- true
usage profiles profiles extra
usage show show
usage show show good extra
usage check check
usage ps ps extra
usage ps ps --parent ../escape
usage gc gc extra
usage gc gc --parent ../escape
usage report report
usage report report -f
usage report report -f nosuch "$data/report-ok.json"
usage report report --fail-on bogus "$data/report-ok.json"
usage report report -b "$data/report-ok.json" -f svg "$data/report-ok.json"
usage export export
usage export export --to nosuch good
usage export export --to systemd
usage export export --to systemd good extra
usage "" --color bogus report "$data/report-ok.json"
usage "" --color
usage report report --color bogus "$data/report-ok.json"
usage run run --color bogus -- true

failure run run -p nosuch -- true
failure run run -p bad -- true
failure run run -m 1X -- true
failure show show nosuch
failure show show bad
failure export export --to systemd nosuch
failure report report "$tmp/nosuch.json"
failure report report -o "$tmp/no/such/dir/out.txt" "$data/report-ok.json"

echo "1..$n"
[ "$failed" -eq 0 ]
