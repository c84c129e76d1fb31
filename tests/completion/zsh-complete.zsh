#!/bin/zsh -f
# zsh-complete.zsh FPATH_DIR LINE OUT: types LINE and a TAB into an
# interactive zsh on a pseudo-terminal (zpty) whose completion system
# (compinit) has FPATH_DIR first on fpath, and writes each match the
# completion adds to OUT, one a line. compadd is wrapped to write what it
# adds before adding it; the terminal's output itself is not parsed.
zmodload zsh/zpty || exit 1
local dir=$1 line=$2 out=$3
: >$out
# The interactive shell's setup, sourced there.
cat >$out.rc <<SETUP
PS1='' PS2=''
fpath=(${(q)dir} \$fpath)
autoload -Uz compinit
compinit -u -D
# What each compadd adds, unless the caller itself asks for the matches
# back (-O, -A, -D: nothing is added then).
compadd() {
        if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
                builtin compadd "\$@"
                return
        fi
        local -a __h
        builtin compadd -O __h "\$@"
        (( \$#__h )) && print -rl -- \$__h >>${(q)out}
        builtin compadd "\$@"
}
bindkey '^I' complete-word
SETUP
zpty z zsh -f -i
# wait_for MARK: reads the terminal until MARK comes back (30 s at most).
wait_for() {
        local got deadline=$(( SECONDS + 30 ))
        while (( SECONDS < deadline )); do
                if zpty -r -t z got; then
                        [[ $got == *$1* ]] && return 0
                else
                        sleep 0.1
                fi
        done
        return 1
}
# zle drops typeahead that arrives while a command line runs: the setup
# prints a marker when it is done (quoted apart, so that the echo of the
# command is not taken for it), and the line is typed after it (a loaded
# host makes any fixed wait too short).
zpty -w z "source ${(q)out}.rc; print -r -- __RE\"\"ADY__"
wait_for __READY__ || { zpty -d z; exit 1; }
sleep 0.3
zpty -w -n z "$line"$'\t'
# The completion writes its matches as it adds them: wait for the first.
local deadline=$(( SECONDS + 30 ))
while (( SECONDS < deadline )) && [[ ! -s $out ]]; do
        sleep 0.1
done
sleep 0.3
# Then the line is dropped and a marker printed: once it comes back the
# completion has run.
zpty -w -n z $'\C-u'
zpty -w z 'print -r -- __E""ND__'
wait_for __END__
local rc=$?
zpty -d z
rm -f $out.rc
return $rc 2>/dev/null || exit $rc
