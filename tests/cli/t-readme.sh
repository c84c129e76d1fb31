#!/bin/bash
# tests/cli/t-readme.sh: the README's examples that need no cgroup (no VM)
# are run and must print what the README shows. An example is a fenced
# block of console lines: "$ COMMAND" then the lines it prints (stdout, then
# stderr), up to the next "$ " line or the end of the block. COMMAND runs in
# a directory holding a copy of the source tree's profiles/ (as a user's
# checkout would have it: 0755 directories, 0644 files, since memcage refuses
# profiles others could write, and a copy of the tree may have 0775 ones),
# with the built memcage first on PATH; a command that runs
# something (`memcage run`) needs a cgroup v2 memory controller and is left
# to the VM suite; every other memcage command must print exactly the
# README's lines and exit 0.
# Prints TAP; run on the host by tests/run-suite after the unit tests.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd -- "${MEMCAGE_SRCDIR:-$here/../..}" && pwd)
memcage=${MEMCAGE:-${MEMCAGE_BUILDDIR:-.}/memcage}
memcage=$(cd -- "$(dirname -- "$memcage")" && pwd)/$(basename -- "$memcage")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memcage-readme.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

if ! [ -x "$memcage" ]; then
        echo "1..0 # SKIP $memcage is not built"
        exit 0
fi
readme=$srcdir/README.md
if ! [ -s "$readme" ]; then
        echo "1..1"
        echo "not ok 1 - README.md is missing or empty at $readme"
        exit 0
fi
mkdir -p "$tmp/bin" "$tmp/home" "$tmp/work/profiles"
ln -s "$memcage" "$tmp/bin/memcage"
cp -- "$srcdir"/profiles/*.ini "$tmp/work/profiles/"
chmod 0755 "$tmp" "$tmp/work" "$tmp/work/profiles"
chmod 0644 "$tmp"/work/profiles/*.ini

# The examples: one directory each, with cmd and want (the lines shown).
awk -v dir="$tmp/ex" '
/^```/ { inblock = !inblock; if (!inblock) cur = ""; next }
inblock && /^\$ / { n++; cur = dir "/" n; system("mkdir -p " cur)
        print substr($0, 3) > (cur "/cmd"); printf "" > (cur "/want"); next }
inblock && cur != "" { print > (cur "/want") }
' "$readme"

n=0 ran=0
for ex in $(ls -d "$tmp"/ex/* 2>/dev/null | sort -t/ -k2 -V); do
        cmd=$(cat -- "$ex/cmd")
        case " $cmd " in
        *" memcage run "*) continue ;; # needs a cgroup: the VM suite runs memcage
        *" memcage "*) ;;
        *) continue ;;
        esac
        ran=$((ran + 1))
        rc=0
        (cd "$tmp/work" && env -i PATH="$tmp/bin:/usr/bin:/bin" HOME="$tmp/home" LC_ALL=C.UTF-8 \
                sh -c "$cmd" >"$tmp/out" 2>"$tmp/err") || rc=$?
        cat -- "$tmp/out" "$tmp/err" >"$tmp/got"
        n=$((n + 1))
        if [ "$rc" = 0 ] && cmp -s "$ex/want" "$tmp/got"; then
                echo "ok $n - README: $cmd"
        else
                echo "not ok $n - README: $cmd (exit $rc)"
                diff -u "$ex/want" "$tmp/got" | sed 's/^/  # /' || true
        fi
done
# A README without runnable examples would pass anything: there are at least two.
n=$((n + 1))
if [ "$ran" -ge 2 ]; then
        echo "ok $n - README has $ran examples that run without a cgroup"
else
        echo "not ok $n - README has $ran examples that run without a cgroup, expected at least 2"
fi
echo "1..$n"
