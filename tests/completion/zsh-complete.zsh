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
zpty -w z "source ${(q)out}.rc"
# zle drops typeahead that arrives while a command line runs: each write
# waits for the one before it to be read.
sleep 1
zpty -w -n z "$line"$'\t'
sleep 1
# Then the line is dropped and a marker printed: once it comes back the
# completion has run.
zpty -w -n z $'\C-u'
zpty -w z 'print -r -- __E""ND__'
local got deadline=$(( SECONDS + 30 ))
while (( SECONDS < deadline )); do
        if zpty -r -t z got; then
                [[ $got == *__END__* ]] && break
        else
                sleep 0.1
        fi
done
zpty -d z
rm -f $out.rc
(( SECONDS < deadline ))
