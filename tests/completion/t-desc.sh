#!/bin/bash
# tests/completion/t-desc.sh: contrib/completion/memcage.desc, which the
# completions are generated from, names the commands of `memcage --help`
# and, for memcage and each command, the options of its --help, each with an
# argument exactly when --help shows one. A new option fails here until the
# description has it. Prints TAP; run on the host by tests/run-suite.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
srcdir=${MEMCAGE_SRCDIR:-$here/../..}
memcage=${MEMCAGE:-${MEMCAGE_BUILDDIR:-.}/memcage}
desc=$srcdir/contrib/completion/memcage.desc
export LC_ALL=C

n=0
same() { # WHAT EXPECTED GOT
        n=$((n + 1))
        if [ "$2" = "$3" ]; then
                echo "ok $n - $1"
        else
                echo "not ok $n - $1"
                diff <(echo "$2") <(echo "$3") | sed 's/^/# /' || true
        fi
}

# "OPTION yes|no" lines of --help: whether the option takes an argument.
help_options() { # [COMMAND]
        "$memcage" ${1:+"$1"} --help | awk '
                /^[[:space:]]+-/ {
                        s = $0
                        sub(/^[[:space:]]+/, "", s)
                        i = index(s, "  ")
                        if (i) s = substr(s, 1, i - 1)
                        # "-p, --profile NAME": the argument is named once, last.
                        n = split(s, part, /, /)
                        split(part[n], w, " ")
                        arg = w[2] != "" ? "yes" : "no"
                        for (k = 1; k <= n; k++) {
                                split(part[k], w, " ")
                                if (w[1] ~ /^--?[A-Za-z]/) print w[1], arg
                        }
                }' | sort
}
desc_options() { # COMMAND ("-" for memcage's own)
        awk -v c="$1" '$1 == "option" && $2 == c {
                arg = $5 == "-" ? "no" : "yes"
                if ($3 != "-") print $3, arg
                print $4, arg
        }' "$desc" | sort
}

commands=$(awk '$1 == "command" { print $2 }' "$desc")
echo "1..$(($(wc -w <<<"$commands") + 2))"
same "the commands of memcage --help" \
        "$("$memcage" --help | awk '/^Commands:/ { l = 1; next } l && /^[^ ]/ { exit } l && /^ +[a-z]/ { print $1 }' | sort)" \
        "$(sort <<<"$commands")"
same "the options of memcage --help" "$(help_options)" "$(desc_options -)"
for c in $commands; do
        same "the options of memcage $c --help" "$(help_options "$c")" "$(desc_options "$c")"
done
