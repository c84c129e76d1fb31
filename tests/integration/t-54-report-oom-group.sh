#!/bin/bash
# memory.oom.group = 1: the kernel kills the one victim, then kills it again
# as a member of its group, and counts both (oom_kill 2, oom_group_kill 1).
# The counters stay in the JSON as the kernel gave them; every rendering
# shows the one kill once: one line under "oom kills" in the text, one
# ::error in --github, one OOM mark in the SVG chart.
. "$(dirname "$0")/lib.sh"

r=$tmpdir/r.json
# The job summary goes to the file GitHub Actions names, after what is there.
printf 'an earlier step\n' >"$tmpdir/summary.md"
export GITHUB_STEP_SUMMARY=$tmpdir/summary.md
run_memcage run --name rep-oom-group --max 64M --swap 0 --set memory.oom.group=1 --text - \
        --plot "$tmpdir/p.svg" --github --report "$r" -- "$HOG" 300
unset GITHUB_STEP_SUMMARY
assert_eq "$rc" 137 "exit status of an OOM-killed command (SIGKILL)"
[ -s "$r" ] || fail "no report written"

# What the kernel did: one victim, counted twice.
assert_eq "$(jq -r '.limits["oom.group"]' "$r")" true "report limits oom.group"
assert_ge "$(jq -r .events.oom_kill "$r")" 2 "events.oom_kill (the victim counted again by the group kill)"
assert_ge "$(jq -r .events.oom_group_kill "$r")" 1 "events.oom_group_kill"
assert_eq "$(jq -r '[.oom_kills[].pid] | unique | length' "$r")" 1 "distinct victims in oom_kills"
pid=$(jq -r '.oom_kills[0].pid' "$r")
assert_ge "$pid" 2 "the victim's pid"

# Text: the kill once under "oom kills" (the verdict names it too, without "at").
kills=$(printf '%s\n' "$err" | grep -c "(pid $pid) at ") || true
assert_eq "$kills" 1 "lines of the text report listing the kill of pid $pid"
assert_contains "$err" $'\noom kills    ' "text report oom kills"
# The counters as the kernel gave them, with why oom_kill is more than the kills listed.
assert_contains "$err" "oom_kill $(jq -r .events.oom_kill "$r")" "text report events"
assert_contains "$err" "(memory.oom.group counts each victim again in oom_kill)" "text report events"
assert_contains "$err" $'\nexit         137 (the command\'s exit status: killed by SIGKILL)' "text report exit"
assert_contains "$err" $'\nstatus       137 (memcage\'s exit status: the command\'s)' "text report status"

# --github: one ::error for one kill.
errors=$(printf '%s\n' "$out" | grep -c '^::error ') || true
assert_eq "$errors" 1 "::error lines of run --github"
assert_contains "$out" "(pid $pid) at " "the annotation names the victim"
assert_eq "$(head -n 1 "$tmpdir/summary.md")" "an earlier step" "the job summary is appended"
assert_eq "$(grep -c '^### memcage: ' "$tmpdir/summary.md")" 1 "job summary headings"
t=$(jq -r '.oom_kills[0].t' "$r" | awk '{ printf "%.2f", $1 }')
grep -qxF "| OOM kills | 1: hog (pid $pid) at $t s |" "$tmpdir/summary.md" ||
        fail "job summary: no row of one OOM kill: $(cat "$tmpdir/summary.md")"
grep -q '^| verdict | ❌ oom-killed (group limit): hog (pid '"$pid"') |$' "$tmpdir/summary.md" ||
        fail "job summary: no verdict row: $(cat "$tmpdir/summary.md")"
grep -qxF '| limit | memory.max 64M, memory.swap.max 0 |' "$tmpdir/summary.md" ||
        fail "job summary: no limit row: $(cat "$tmpdir/summary.md")"
grep -q '^| peak | [0-9.]*[KM] ([0-9]*% of memory.max 64M) |$' "$tmpdir/summary.md" ||
        fail "job summary: no peak row: $(cat "$tmpdir/summary.md")"
# Under sudo (sudo --preserve-env=GITHUB_STEP_SUMMARY) root appends only to a file of the invoking user's.
printf 'root\n' >"$tmpdir/root.md"
printf 'user\n' >"$tmpdir/user.md"
chown 4242:4242 "$tmpdir/user.md"
for f in root user; do
        rc=0
        SUDO_UID=4242 SUDO_GID=4242 GITHUB_STEP_SUMMARY=$tmpdir/$f.md "$MEMCAGE" report --format github "$r" \
                >/dev/null 2>"$tmpdir/$f.err" || rc=$?
        eval "rc_$f=\$rc"
done
assert_eq "$rc_root" 125 "report --format github under sudo with a summary file of root's"
assert_eq "$(cat "$tmpdir/root.md")" root "root's file is left alone"
assert_contains "$(cat "$tmpdir/root.err")" "is not the file of the user sudo ran memcage for (uid 4242)" "message"
assert_eq "$rc_user" 0 "report --format github under sudo with a summary file of the user's"
assert_eq "$(grep -c '^| OOM kills | 1: ' "$tmpdir/user.md")" 1 "the user's file has the summary"
run_memcage report --format github "$r"
errors=$(printf '%s\n' "$out" | grep -c '^::error ') || true
assert_eq "$errors" 1 "::error lines of memcage report --format github"

# The chart: one OOM mark. A mark is a <g> with its tooltip as <title>; one
# with "oom" in its classes or tooltip is an OOM mark.
marks=$(python3 -c '
import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1])
def tip(g):
    t = [c for c in g.childNodes if c.nodeName == "title"]
    return t[0].firstChild.data if t and t[0].firstChild else ""
print(sum(1 for g in d.getElementsByTagName("g")
          if "oom" in g.getAttribute("class").split() or "oom" in tip(g).lower()))' "$tmpdir/p.svg") ||
        fail "--plot did not write well-formed XML"
assert_eq "$marks" 1 "OOM marks in the SVG chart"
[ ! -e "$cg_root/memcage/rep-oom-group" ] || fail "group left behind"
