#!/bin/bash
# The bash completion knows memcage report and the rendering options of run:
# formats, --fail-on conditions (after a comma too), and files.
. "$(dirname "$0")/lib.sh"

srcdir=${MEMCAGE_SRCDIR:-$(cd -- "$(dirname -- "$0")/../.." && pwd)}
# shellcheck source=../../contrib/bash-completion/memcage
. "$srcdir/contrib/bash-completion/memcage"
func=$(complete -p memcage | sed -n -E 's/.*-F ([^ ]+).*/\1/p')
[ -n "$func" ] || fail "no completion function for memcage"

got=''
complete_words() {
        COMP_WORDS=("$MEMCAGE" "$@")
        COMP_CWORD=$#
        COMP_LINE="${COMP_WORDS[*]}"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        "$func" memcage "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort)
}
lines() { printf '%s\n' "$@" | LC_ALL=C sort; }

complete_words rep
assert_eq "$got" report "memcage rep<TAB>"
complete_words report -
assert_eq "$got" "$(lines -f --format -o --output -b --baseline --fail-on -h --help)" "memcage report -<TAB>"
complete_words report --format ""
assert_eq "$got" "$(lines text json svg github junit openmetrics)" "memcage report --format <TAB>"
complete_words report -f s
assert_eq "$got" svg "memcage report -f s<TAB>"
complete_words run --fail-on h
assert_eq "$got" "$(lines high hugetlb)" "memcage run --fail-on h<TAB>"
complete_words run --fail-on oom,p
assert_eq "$got" oom,pressure "memcage run --fail-on oom,p<TAB>"
complete_words run --
assert_contains "$got" --fail-on "memcage run --<TAB>"
assert_contains "$got" --github "memcage run --<TAB>"
assert_contains "$got" --plot "memcage run --<TAB>"
assert_contains "$got" --text "memcage run --<TAB>"

mkdir -p "$tmpdir/cwd"
: >"$tmpdir/cwd/run.json"
cd "$tmpdir/cwd" || fail "cannot cd"
complete_words report r
assert_eq "$got" run.json "memcage report r<TAB>"
complete_words report -o r
assert_eq "$got" run.json "memcage report -o r<TAB>"
complete_words run --plot r
assert_eq "$got" run.json "memcage run --plot r<TAB>"
complete_words report run.json ""
assert_eq "$got" "" "memcage report run.json <TAB> (one file only)"
cd / || fail "cannot cd to /"
