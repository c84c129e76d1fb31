#!/bin/bash
# The bash completion (contrib/bash-completion/memcage) completes the
# commands of `memcage --help`, the options of a command, profile names from
# the search path and commands after `run --`; the man pages render without
# warnings; the systemd unit and the GitHub Actions workflow of contrib/ are
# well-formed (each check that lacks its tool is skipped with the reason).
. "$(dirname "$0")/lib.sh"

srcdir=${MEMCAGE_SRCDIR:-$(cd -- "$(dirname -- "$0")/../.." && pwd)}
completion=$srcdir/contrib/bash-completion/memcage
[ -f "$completion" ] || fail "no $completion"
[ -x "$MEMCAGE" ] || fail "memcage binary not found at $MEMCAGE"

# shellcheck source=../../contrib/bash-completion/memcage
. "$completion"
spec=$(complete -p memcage) || fail "the completion file registers no completion for memcage"
func=$(sed -n -E 's/.*-F ([^ ]+).*/\1/p' <<<"$spec")
[ -n "$func" ] || fail "no completion function in: $spec"

# complete WORD...: the completions of the last WORD (the one under the
# cursor), sorted, one a line, in $got. The first word is the memcage binary.
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

# --- commands: exactly those of memcage --help ---
run_memcage --help
assert_eq "$rc" 0 "memcage --help"
commands=$(awk '/^Commands:/ { f = 1; next } f && /^[^ ]/ { exit } f && NF { print $1 }' <<<"$out" | LC_ALL=C sort)
for c in run profiles show check; do
        grep -qx "$c" <<<"$commands" || fail "memcage --help lists no '$c' command: $out"
done
complete_words ""
assert_eq "$got" "$commands" "memcage <TAB>"
complete_words pr
assert_eq "$got" profiles "memcage pr<TAB>"
complete_words -
assert_eq "$got" "$(lines --help --version -V -h --color)" "memcage -<TAB>"
complete_words --color ""
assert_eq "$got" "$(lines auto always never)" "memcage --color <TAB>"
complete_words --color = n
assert_eq "$got" never "memcage --color=n<TAB>"
complete_words --color = always pr
assert_eq "$got" profiles "memcage --color=always pr<TAB>"
complete_words report --color al
assert_eq "$got" always "memcage report --color al<TAB>"

# --- options ---
complete_words run --re
assert_eq "$got" --report "memcage run --re<TAB>"
complete_words run --
assert_contains "$got" --wait-all "memcage run --<TAB>"
assert_contains "$got" --profile "memcage run --<TAB>"
complete_words show --js
assert_eq "$got" --json "memcage show --js<TAB>"
complete_words check -
assert_eq "$got" "$(lines -h --help --json --strict)" "memcage check -<TAB>"
complete_words export --to k
assert_eq "$got" kubernetes "memcage export --to k<TAB>"
complete_words export --st
assert_eq "$got" --strict "memcage export --st<TAB>"

# --- profile names ---
mkdir -p "$tmpdir/p1" "$tmpdir/p2" "$tmpdir/cwd/sub"
printf '[memory]\nmax = 1G\n' >"$tmpdir/p1/a.ini"
printf '[memory]\nmax = 2G\n' >"$tmpdir/p1/b.ini"
printf '[memory]\nmax = 3G\n' >"$tmpdir/p2/a.ini" # shadowed by p1/a.ini
export MEMCAGE_PROFILE_PATH=$tmpdir/p1:$tmpdir/p2
export HOME=$tmpdir/home XDG_CONFIG_HOME=$tmpdir/home/.config
# Only the profiles of the search path: /etc/memcage/profiles may hold more.
etc=$("$MEMCAGE" profiles | awk -v t="$tmpdir/" 'NR > 1 && index($2, t) != 1 { print $1 }' | sort -u)
expected=$(lines a b)
if [ -n "$etc" ]; then
        expected=$(printf '%s\n%s\n' "$expected" "$etc" | LC_ALL=C sort)
fi

complete_words run -p ""
assert_eq "$got" "$expected" "memcage run -p <TAB>"
complete_words run --profile ""
assert_eq "$got" "$expected" "memcage run --profile <TAB>"
complete_words run --profile = ""
assert_eq "$got" "$expected" "memcage run --profile=<TAB>"
complete_words run -p b
assert_eq "$got" b "memcage run -p b<TAB>"
complete_words show ""
assert_eq "$got" "$expected" "memcage show <TAB>"
complete_words show -p ""
assert_eq "$got" "$expected" "memcage show -p <TAB>"
complete_words show a ""
assert_eq "$got" "" "memcage show a <TAB> (one profile only)"
complete_words check a ""
assert_eq "$got" "$expected" "memcage check a <TAB>"

# A word with a '/' is a file: directories and *.ini files.
cd "$tmpdir/cwd" || fail "cannot cd to $tmpdir/cwd"
printf '[memory]\nmax = 1G\n' >"$tmpdir/cwd/local.ini"
: >"$tmpdir/cwd/notes.txt"
complete_words run -p ./
assert_eq "$got" "$(lines ./local.ini ./sub)" "memcage run -p ./<TAB>"

# --- files and commands ---
complete_words run --report no
assert_eq "$got" notes.txt "memcage run --report no<TAB>"
complete_words run -p a -- tru
grep -qx true <<<"$got" || fail "memcage run -p a -- tru<TAB>: no 'true' in: $got"
complete_words run -q tru
grep -qx true <<<"$got" || fail "memcage run -q tru<TAB>: no 'true' in: $got"
if ! declare -F _command_offset >/dev/null; then
        # Without bash-completion's helpers the command's arguments are files.
        complete_words run -- cat no
        assert_eq "$got" notes.txt "memcage run -- cat no<TAB>"
fi
cd / || fail "cannot cd to /"

# --- man pages ---
for page in "$srcdir/man/memcage.1" "$srcdir/man/memcage.profile.5" "$srcdir/man/memcage-export.1"; do
        if command -v man >/dev/null; then
                warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) ||
                        fail "man -l $page failed: $warnings"
        elif command -v groff >/dev/null; then
                warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1) || fail "groff $page failed: $warnings"
        else
                echo "# man pages not checked: neither man nor groff is installed"
                break
        fi
        assert_eq "$warnings" "" "warnings rendering $page"
        echo "# $page renders without warnings"
done

# --- the GitHub Actions workflow parses ---
workflow=$srcdir/contrib/github-actions/memcage-job.yml
if command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null; then
        # YAML 1.1 reads the key "on" as true.
        python3 - "$workflow" <<'PY' || fail "$workflow is not a valid workflow"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
assert isinstance(doc, dict), "not a mapping"
assert "on" in doc or True in doc, "no 'on'"
steps = doc["jobs"]["check"]["steps"]
upload = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
assert upload and upload[0].get("if") == "always()", "no upload-artifact step with if: always()"
assert "memcage-junit.xml" in upload[0]["with"]["path"], "the JUnit file is not uploaded"
assert any("--junit memcage-junit.xml" in s.get("run", "") for s in steps), "no memcage run --junit"
assert any("memcage run -p ci --report memcage-report.json" in s.get("run", "") for s in steps), "no memcage run step"
# memcage is built from its repository (or a release tarball), not from a URL
# the user has to define first.
assert "vars." not in open(sys.argv[1]).read(), "the workflow needs a repository variable"
checkout = [s for s in steps if s.get("uses", "").startswith("actions/checkout")
            and s.get("with", {}).get("repository") == "memcage/memcage"]
assert checkout, "memcage's source is not checked out"
src = checkout[0]["with"]["path"]
assert any(f"cd {src}" in s.get("run", "") and "./configure" in s.get("run", "") for s in steps), "memcage is not built from its checkout"
PY
        echo "# $workflow parses"
else
        echo "# workflow YAML not checked: python3 with the yaml module is not available"
fi

# --- the systemd unit passes systemd-analyze verify ---
unit=$srcdir/contrib/systemd/memcage-example.service
if command -v systemd-analyze >/dev/null; then
        # verify wants ExecStart's binary to exist: the memcage under test.
        sed "s|/usr/local/bin/memcage|$MEMCAGE|" "$unit" >"$tmpdir/memcage-example.service"
        if verify=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "$tmpdir/memcage-example.service" 2>&1); then
                assert_eq "$verify" "" "systemd-analyze verify $unit"
                echo "# $unit passes systemd-analyze verify"
        elif [ ! -d /run/systemd/system ] && [[ $verify == *"Failed to"* ]]; then
                echo "# systemd unit not checked: systemd-analyze verify cannot run here: $verify" | head -n 3
        else
                fail "systemd-analyze verify $unit: $verify"
        fi
else
        echo "# systemd unit not checked: systemd-analyze is not installed"
fi
