#!/bin/bash
# An OOM kill under --fail-on oom, with every rendering of the run: the
# command's shell exits 0 after its child was OOM-killed, memcage exits 123
# and records fail_on; --text shows the verdict, `memcage report` renders the
# same text from the JSON, --plot is a well-formed SVG, --github prints an
# ::error line.
. "$(dirname "$0")/lib.sh"

r=$tmpdir/r.json
# shellcheck disable=SC2016 # $HOG is expanded by the inner shell
run_memcage run --name rep-oom --max 64M --swap 0 --fail-on oom --text - --plot "$tmpdir/p.svg" \
        --github --report "$r" -- sh -c '"$HOG" 300; exit 0'
assert_eq "$rc" 123 "exit status of a run whose command exited 0 after an OOM kill, with --fail-on oom"
# --github: workflow commands on stdout after the run.
assert_contains "$out" "::error title=memcage::" "run --github"
assert_contains "$out" "oom-killed (group limit)" "run --github"

# What the kernel did, as the report says it.
assert_eq "$(jq -r .exit.code "$r")" 0 "report exit.code (the shell survived its child)"
assert_ge "$(jq -r .events.oom_kill "$r")" 1 "report events.oom_kill"
assert_eq "$(jq -r .status "$r")" 123 "report status is the final status"
assert_eq "$(jq -c .fail_on "$r")" '{"conditions":["oom"],"matched":["oom"]}' "report fail_on"

# The line saying why, and the text report on stderr.
assert_contains "$err" "the command exited 0, but --fail-on oom matched: oom (exit status 123)" "fail-on line"
assert_contains "$err" $'\nverdict      oom-killed (group limit)' "text report verdict"
assert_contains "$err" $'\nevents       ' "text report events"
assert_contains "$err" "oom_kill $(jq -r .events.oom_kill "$r")" "text report events"
assert_contains "$err" $'\nfail-on      oom: matched oom' "text report fail-on"
assert_contains "$err" $'\nstatus       123 (memcage\'s exit status, not the command\'s 0: --fail-on matched oom)' \
        "text report status says whose it is and why it differs"
assert_contains "$err" $'\nexit         0 (the command\'s exit status; it outlived the OOM kill of ' \
        "text report exit says whose it is and why the verdict differs"
assert_contains "$err" "64M (" "text report peak of max"

# memcage report renders the same text from the JSON alone.
text=$(printf '%s\n' "$err" | sed -n '/^verdict /,$p')
run_memcage report "$r"
assert_eq "$rc" 0 "memcage report exit status"
assert_eq "$out" "$text" "memcage report output vs run --text"

# --github on stdout of the run, and the same from memcage report.
run_memcage report --format github "$r"
assert_contains "$out" "::error title=memcage::" "github annotation"
assert_contains "$out" "oom-killed (group limit)" "github annotation"
gh=$(printf '%s\n' "$out" | grep -c '^::error title=memcage::') || true
assert_ge "$gh" 1 "::error lines"

# --fail-on in memcage report judges the same JSON alike.
run_memcage report --fail-on oom -o "$tmpdir/again.txt" "$r"
assert_eq "$rc" 123 "memcage report --fail-on oom"
assert_eq "$(cat "$tmpdir/again.txt")" "$text" "memcage report -o"
run_memcage report --fail-on high "$r"
assert_eq "$rc" 0 "memcage report --fail-on high (no memory.high set)"

# The chart: well-formed XML with the verdict in its title and the memory.max line.
python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$tmpdir/p.svg" ||
        fail "--plot did not write well-formed XML"
assert_contains "$(cat "$tmpdir/p.svg")" "oom-killed (group limit)" "SVG title"
[ ! -e "$cg_root/memcage/rep-oom" ] || fail "group left behind"
