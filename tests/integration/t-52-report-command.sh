#!/bin/bash
# memcage report: renders a real report in every format, from a file or
# stdin, to stdout or -o; refuses what is not a report of a schema it reads.
. "$(dirname "$0")/lib.sh"

r=$tmpdir/r.json
run_memcage run --name rep-cmd --max 32M --report "$r" -- sh -c 'exit 3'
assert_eq "$rc" 3 "exit status of the command"

run_memcage report "$r"
assert_eq "$rc" 0 "memcage report"
assert_contains "$out" "verdict      exit-nonzero" "text verdict"
assert_contains "$out" "exit         3" "text exit"
assert_contains "$out" "limits       max 32M" "text limits as read back"
assert_contains "$out" "cgroup       $(jq -r .cgroup "$r") (started by $(jq -r .launch "$r"))" "text cgroup"
assert_not_contains "$out" $'\033[' "no colour when not writing to a terminal"
text=$out

# --color: run's own text report, on a pipe and into a file, beside NO_COLOR.
run_memcage run --name rep-col1 --max 32M --color=always --text - -- true
assert_eq "$rc" 0 "run --color=always --text - ($err)"
assert_contains "$err" $'verdict      \033[' "run --color=always: the verdict coloured on a pipe"
run_memcage run --name rep-col2 --max 32M --color=never --text "$tmpdir/col2.txt" -- true
assert_eq "$rc" 0 "run --color=never ($err)"
assert_contains "$(cat "$tmpdir/col2.txt")" "verdict" "run --color=never: the text report"
assert_not_contains "$(cat "$tmpdir/col2.txt")" $'\033[' "run --color=never: no colour"
NO_COLOR=1 run_memcage --color=always run --name rep-col3 --max 32M --text "$tmpdir/col3.txt" -- true
assert_eq "$rc" 0 "memcage --color=always run ($err)"
assert_contains "$(cat "$tmpdir/col3.txt")" $'verdict      \033[' "memcage --color=always run: coloured into a file despite NO_COLOR"
run_memcage run --name rep-col4 --max 32M --text "$tmpdir/col4.txt" -- true
assert_not_contains "$(cat "$tmpdir/col4.txt")" $'\033[' "run --text FILE: no colour by default"
run_memcage run --color=bogus --max 32M -- true
assert_eq "$rc" 125 "run --color=bogus"
assert_contains "$err" "memcage: run: --color 'bogus': use auto, always or never" "run --color=bogus: the message"

# stdin, and -o (atomic, same content)
run_memcage report - <"$r"
assert_eq "$out" "$text" "memcage report - (stdin)"
run_memcage report -o "$tmpdir/t.txt" "$r"
assert_eq "$rc" 0 "memcage report -o"
assert_eq "$out" "" "stdout with -o"
assert_eq "$(cat "$tmpdir/t.txt")" "$text" "memcage report -o FILE"

# json: the same document
run_memcage report --format json "$r"
assert_eq "$(printf '%s\n' "$out" | jq -S .)" "$(jq -S . "$r")" "memcage report --format json"

# svg: well-formed, the verdict in the title
run_memcage report --format svg "$r"
printf '%s\n' "$out" >"$tmpdir/r.svg"
python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$tmpdir/r.svg" || fail "SVG is not well-formed"
assert_contains "$out" "exit-nonzero" "SVG title"

# github: nothing to say about a run without memory events
run_memcage report --format github "$r"
assert_eq "$rc" 0 "memcage report --format github"
assert_eq "$out" "" "no annotation for a run without memory events"

# What is not a report
jq '.schema = 2' "$r" >"$tmpdir/s2.json"
run_memcage report "$tmpdir/s2.json"
assert_eq "$rc" 125 "a newer schema"
assert_contains "$err" "report schema 2 is newer than this memcage reads (1)" "newer schema message"
echo '{"schema": 1' >"$tmpdir/bad.json"
run_memcage report "$tmpdir/bad.json"
assert_eq "$rc" 125 "invalid JSON"
assert_contains "$err" "bad.json" "invalid JSON message names the file"
run_memcage report "$tmpdir/missing.json"
assert_eq "$rc" 125 "missing file"
echo '{"version": "0.1.0"}' >"$tmpdir/noschema.json"
run_memcage report "$tmpdir/noschema.json"
assert_eq "$rc" 125 "no schema"
assert_contains "$err" "not a memcage report" "no schema message"

# Usage errors
run_memcage report --format pdf "$r"
assert_eq "$rc" 125 "unknown format"
assert_contains "$err" "use text, json, svg, github, junit or openmetrics" "unknown format message"
run_memcage report
assert_eq "$rc" 125 "no file"
run_memcage report --fail-on nope "$r"
assert_eq "$rc" 125 "unknown --fail-on condition"
[ ! -e "$cg_root/memcage/rep-cmd" ] || fail "group left behind"
