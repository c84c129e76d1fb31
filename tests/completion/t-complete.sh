#!/bin/bash
# tests/completion/t-complete.sh: the bash, zsh and fish completions that
# make generates (completion/ in the build directory) parse, and complete
# `memcage run -p <TAB>` to the profile names memcage finds: the shipped
# profiles, put on $MEMCAGE_PROFILE_PATH, plus whatever the build's own
# directory holds (empty or absent on a build machine). HOME and
# XDG_CONFIG_HOME point into the test's directory, so the caller's profiles
# stay out. Prints TAP; run on the host by tests/run-suite.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
srcdir=${MEMCAGE_SRCDIR:-$here/../..}
builddir=$(cd -- "${MEMCAGE_BUILDDIR:-.}" && pwd)
comp=$builddir/completion
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memcage-completion.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
same() { # WHAT EXPECTED GOT: ok when the two sorted lists are equal
        if [ "$2" = "$3" ]; then
                ok "$1"
        else
                not_ok "$1"
                diff <(echo "$2") <(echo "$3") | sed 's/^/# /' || true
        fi
}

echo "1..12"

# The profiles: the shipped ones, and one more whose name starts like one.
mkdir -p "$tmp/profiles" "$tmp/home" "$tmp/xdg" "$tmp/bin"
cp "$srcdir"/profiles/*.ini "$tmp/profiles/"
printf '[memory]\nmax = 64M\n' >"$tmp/profiles/data-loader.ini"
ln -s "$builddir/memcage" "$tmp/bin/memcage"
export MEMCAGE_PROFILE_PATH=$tmp/profiles HOME=$tmp/home XDG_CONFIG_HOME=$tmp/xdg
export PATH=$tmp/bin:$PATH LC_ALL=C
# The directory compiled in (configure's sysconfdir, "${prefix}/etc" by
# default) is searched last.
mk() { sed -n "s/^$1 = //p" "$builddir/Makefile"; }
prefix=$(mk prefix)
sysconfdir=$(mk sysconfdir)
# shellcheck disable=SC2016 # the literal ${prefix} of the Makefile
sysconfdir=${sysconfdir//'${prefix}'/$prefix}
names() { # DIR: the NAME of each DIR/NAME.ini
        local f
        for f in "$1"/*.ini; do
                if [ -e "$f" ]; then basename -- "$f" .ini; fi
        done
}
all=$({ names "$tmp/profiles"; names "$sysconfdir/memcage/profiles"; } | sort -u)
d_only=$(grep '^d' <<<"$all" || true)

for f in memcage _memcage memcage.fish; do
        [ -s "$comp/$f" ] || { echo "Bail out! $comp/$f was not generated"; exit 1; }
done

# --- bash: the function called as readline would, COMPREPLY read back.
check_syntax() { # WHAT COMMAND...
        local what=$1
        shift
        if "$@" 2>"$tmp/err"; then ok "$what"; else not_ok "$what: $(head -c 300 "$tmp/err")"; fi
}
check_syntax "bash -n parses the bash completion" bash -n "$comp/memcage"
bash_complete() { # WORDS...: the last word is the one being completed
        bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _memcage 2>/dev/null
                 printf "%s\n" "${COMPREPLY[@]}"' _ "$comp/memcage" "$@" | sed '/^$/d' | sort
}
same "bash: memcage run -p <TAB> gives the profile names" "$all" "$(bash_complete memcage run -p '')"
same "bash: memcage run --profile d<TAB> gives those starting with d" "$d_only" \
        "$(bash_complete memcage run --profile d)"
# After the options run's COMMAND completes as a command: memcage's own name is one on PATH.
same "bash: memcage run -p db -- memca<TAB> gives commands" memcage \
        "$(bash_complete memcage run -p db -- memca | grep -x memcage || true)"

# A shell that is not installed: its tests say SKIP (contrib/install-deps.sh installs both).
without() { # SHELL COUNT
        local i
        for ((i = 0; i < $2; i++)); do skip "$1 is not installed"; done
}

# --- zsh: an interactive zsh on a pseudo-terminal with compinit and the
# generated function on fpath (zsh-complete.zsh), the matches written out.
if ! command -v zsh >/dev/null; then
        without zsh 4
else
        check_syntax "zsh -n parses the zsh completion" zsh -n "$comp/_memcage"
        zsh_complete() { # LINE: typed, then TAB
                rm -f "$tmp/zsh-hits"
                if ! timeout 60 zsh -f "$here/zsh-complete.zsh" "$comp" "$1" "$tmp/zsh-hits" >/dev/null 2>&1; then
                        echo "(zsh did not finish)"
                        return
                fi
                sort -u "$tmp/zsh-hits"
        }
        same "zsh: memcage run -p <TAB> gives the profile names" "$all" "$(zsh_complete 'memcage run -p ')"
        same "zsh: memcage run --profile=d<TAB> gives those starting with d" "$d_only" \
                "$(zsh_complete 'memcage run --profile=d')"
        same "zsh: memcage run -p db memca<TAB> gives commands" memcage \
                "$(zsh_complete 'memcage run -p db memca' | grep -x memcage || true)"
fi

# --- fish: complete -C, the completions of a command line as fish lists them.
if ! command -v fish >/dev/null; then
        without fish 4
        exit 0
fi
check_syntax "fish -n parses the fish completion" fish -n "$comp/memcage.fish"
fish_complete() { # LINE
        # shellcheck disable=SC2016 # fish code
        fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$comp/memcage.fish" "$1" | cut -f1 | sort
}
same "fish: memcage run -p <TAB> gives the profile names" "$all" "$(fish_complete 'memcage run -p ')"
same "fish: memcage run --profile d<TAB> gives those starting with d" "$d_only" \
        "$(fish_complete 'memcage run --profile d')"
same "fish: memcage run -p db memca<TAB> gives commands" memcage \
        "$(fish_complete 'memcage run -p db memca' | grep -x memcage || true)"
