#!/bin/bash
# tests/render/t-github.sh: `memcage report --format github` on the fixture
# reports. One ::error for one OOM kill, also when memory.oom.group had the
# kernel count the victim twice; with $GITHUB_STEP_SUMMARY naming a file, the
# job summary appended to it as a Markdown table (verdict, limit, peak, OOM
# kills, exit, status, duration) whose cells no report string can break.
# Prints TAP; run on the host by tests/run-suite.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
srcdir=${MEMCAGE_SRCDIR:-$here/../..}
memcage=${MEMCAGE:-${MEMCAGE_BUILDDIR:-.}/memcage}
data=$srcdir/tests/unit/data
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memcage-github.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
unset GITHUB_STEP_SUMMARY

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }

echo "1..6"

# 1: memory.oom.group: the victim counted (and listed) twice is one ::error.
rc=0
"$memcage" report -f github "$data/report-oom-group.json" >"$tmp/group.out" 2>"$tmp/err" || rc=$?
errors=$(grep -c '^::error ' "$tmp/group.out" || true)
if [ "$rc" -eq 0 ] && [ "$errors" = 1 ] &&
        grep -qxF '::error title=memcage::hog 300: oom-killed (group limit): hog (pid 4251) at 3.81 s in memcage/ci-4242 (memory.max 64M)' "$tmp/group.out"; then
        ok "one OOM kill counted twice by memory.oom.group: one ::error"
else
        not_ok "memory.oom.group: exit $rc, $errors ::error lines: $(head -c 500 "$tmp/group.out")"
fi

# 2: the job summary is appended to the file the variable names, after what earlier steps wrote.
printf 'an earlier step\n' >"$tmp/summary.md"
rc=0
GITHUB_STEP_SUMMARY=$tmp/summary.md "$memcage" report -f github "$data/report-oom-group.json" >"$tmp/out" 2>"$tmp/err" || rc=$?
want="an earlier step
### memcage: hog 300

| | |
|---|---|
| verdict | ❌ oom-killed (group limit): hog (pid 4251) |
| limit | memory.max 64M, memory.high 48M, memory.swap.max 32M |
| peak | 64M (100% of memory.max 64M) |
| OOM kills | 1: hog (pid 4251) at 3.81 s |
| exit | 137 (the command's) |
| status | 137 (memcage's) |
| duration | 4.14 s |"
got=$(cat "$tmp/summary.md")
if [ "$rc" -eq 0 ] && [ "$got" = "$want" ] && cmp -s "$tmp/out" "$tmp/group.out"; then
        ok "the job summary: a table with verdict, limit, peak, one OOM kill, appended"
else
        not_ok "the job summary: exit $rc: $(diff <(printf '%s\n' "$want") "$tmp/summary.md" | head -20 | tr '\n' '|') $(head -c 300 "$tmp/err")"
fi

# 3: a second report is appended again: two headings; the ok run says no OOM kill.
rc=0
GITHUB_STEP_SUMMARY=$tmp/summary.md "$memcage" report -f github "$data/report-ok.json" >/dev/null 2>"$tmp/err" || rc=$?
if [ "$rc" -eq 0 ] && [ "$(grep -c '^### memcage: ' "$tmp/summary.md")" = 2 ] &&
        [ "$(tail -n +2 "$tmp/summary.md" | head -n 12)" = "$(tail -n +2 <<<"$want")" ] &&
        grep -qxF '| OOM kills | 0 |' "$tmp/summary.md" && grep -q '^| verdict | ✅ ok |$' "$tmp/summary.md"; then
        ok "a second summary is appended after the first"
else
        not_ok "a second summary: exit $rc: $(tail -n 12 "$tmp/summary.md" | tr '\n' '|') $(head -c 300 "$tmp/err")"
fi

# 4: report strings are text, never Markdown or HTML, and cannot end a row or a cell.
python3 - "$data/report-crafted.json" "$tmp/md.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["command"] = ["sh", "-c", "a|b `x` <img src=x> *y* [l](u) ~s~ _e_ \\ \n| new | row |"]
doc["oom_kills"] = [{"t": 1.5, "pid": 7, "name": "n|a<b>*", "cause": "group-limit"}]
json.dump(doc, open(sys.argv[2], "w"))
PY
: >"$tmp/md.md"
rc=0
GITHUB_STEP_SUMMARY=$tmp/md.md "$memcage" report -f github "$tmp/md.json" >/dev/null 2>"$tmp/err" || rc=$?
# Every row has its three cell borders and nothing else unescaped; no tag, one heading line.
bad=$(grep '^|' "$tmp/md.md" | sed 's/\\\\//g; s/\\|//g' | awk -F'|' 'NF != 4' || true)
if [ "$rc" -eq 0 ] && [ -z "$bad" ] && [ "$(grep -c '^|' "$tmp/md.md")" = 9 ] && ! grep -q '<' "$tmp/md.md" &&
        [ "$(grep -c '^### ' "$tmp/md.md")" = 1 ] &&
        grep -qF '### memcage: sh -c '"'"'a\|b \`x\` &lt;img src=x&gt; \*y\* \[l\](u) \~s\~ \_e\_ \\ ' "$tmp/md.md" &&
        grep -qF '| OOM kills | 1: n\|a&lt;b&gt;\* (pid 7) at 1.50 s |' "$tmp/md.md"; then
        ok "markup in the command and a process name is escaped; the table keeps its rows"
else
        not_ok "escaping: exit $rc, rows with other than 3 borders: '$bad': $(head -c 600 "$tmp/md.md")"
fi

# 5: without the variable nothing is written; a path that cannot be written fails the rendering (125).
before=$(ls "$tmp"; cat "$tmp"/*.md)
rc=0
"$memcage" report -f github "$data/report-full.json" >/dev/null 2>&1 || rc=$?
rc2=0
GITHUB_STEP_SUMMARY=$tmp/no/such/dir/summary.md "$memcage" report -f github "$data/report-full.json" >/dev/null 2>"$tmp/err" || rc2=$?
if [ "$rc" -eq 0 ] && [ "$rc2" -eq 125 ] && grep -qF "cannot write the job summary to \$GITHUB_STEP_SUMMARY ($tmp/no/such/dir/summary.md): No such file or directory" "$tmp/err" &&
        [ "$(ls "$tmp"; cat "$tmp"/*.md)" = "$before" ]; then
        ok "no variable, no summary; an unwritable path: exit 125 saying so"
else
        not_ok "exit $rc without the variable, $rc2 with a bad path: $(head -c 300 "$tmp/err")"
fi

# 6: only the file GitHub Actions made: none is created, a symbolic link or a directory is refused.
ln -s summary.md "$tmp/link.md"
mkdir "$tmp/dir.md"
before=$(cat "$tmp/summary.md")
fails=""
for p in "$tmp/missing.md" "$tmp/link.md" "$tmp/dir.md"; do
        rc=0
        GITHUB_STEP_SUMMARY=$p "$memcage" report -f github "$data/report-full.json" >/dev/null 2>"$tmp/err" || rc=$?
        [ "$rc" -eq 125 ] || fails+=" $p: exit $rc;"
done
if [ -z "$fails" ] && ! [ -e "$tmp/missing.md" ] && [ "$(cat "$tmp/summary.md")" = "$before" ]; then
        ok "a missing file is not created, a symbolic link and a directory are refused (exit 125)"
else
        not_ok "missing file, symbolic link, directory:$fails $(head -c 300 "$tmp/err")"
fi
