#!/bin/bash
# [run] user/capabilities/...: the command starts as nobody with exactly
# CAP_IPC_LOCK (every set and the bounding set), no_new_privs, only fds 0-2,
# a reset environment plus env/env_keep, and the umask, cwd, nice,
# oom_score_adj and rlimits of the profile; the report names who it ran as.
. "$(dirname "$0")/lib.sh"

getent passwd nobody >/dev/null || skip "no user nobody"
IFS=: read -r _ _ nobody_uid nobody_gid _ nobody_home nobody_shell < <(getent passwd nobody)

# A directory nobody may enter; $tmpdir is root's alone.
cwd=$(mktemp -d /tmp/memcage-t60-cwd.XXXXXX)
chmod 0755 "$cwd"
on_exit "rmdir '$cwd'"

cat >"$tmpdir/p.ini" <<EOP
[run]
user = nobody
capabilities = CAP_IPC_LOCK
umask = 027
cwd = $cwd
env = GREETING=hello world
env = FROM_PROFILE=1
env_keep = KEEPME, LD_LIBRARY_PATH
nice = 5
oom_score_adj = -500
rlimit_memlock = 1M
rlimit_as = infinity
rlimit_data = 2G
EOP

# What the command sees. $$ of sh: ls runs as a child, so its own directory fd is not listed.
probe='grep -E "^(Uid|Gid|Groups|Cap[A-Za-z]+|NoNewPrivs):" /proc/self/status
echo "pwd $(pwd)"
echo "umask $(umask)"
echo "nice $(nice)"
echo "oom $(cat /proc/self/oom_score_adj)"
grep -E "^Max (locked memory|address space|data size)" /proc/self/limits
echo "fds:"
ls -1 /proc/$$/fd
echo "env:"
env'

# fd 7 is open (and not close-on-exec) in memcage: the command must not get it.
exec 7</dev/null
FOO=bar KEEPME=yes LD_LIBRARY_PATH=/nonexistent LD_PRELOAD= \
        run_memcage run -p "$tmpdir/p.ini" --report "$tmpdir/r.json" -- sh -c "$probe"
exec 7<&-
assert_eq "$rc" 0 "exit status (stderr: $err)"

# The fields after KEY on its line, joined by single spaces.
field() { printf '%s\n' "$out" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'; }
# Real, effective, saved and filesystem ids.
assert_eq "$(field Uid:)" "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" Uid
assert_eq "$(field Gid:)" "$nobody_gid $nobody_gid $nobody_gid $nobody_gid" Gid
want_groups=$(id -G nobody | tr ' ' '\n' | sort -n | tr '\n' ' ')
got_groups=$(field Groups: | tr -s ' \t' '\n' | grep . | sort -n | tr '\n' ' ')
assert_eq "$got_groups" "$want_groups" "supplementary groups"
# CAP_IPC_LOCK is capability 14.
for set in CapInh CapPrm CapEff CapBnd CapAmb; do
        assert_eq "$(field "$set:")" 0000000000004000 "$set"
done
assert_eq "$(field NoNewPrivs:)" 1 NoNewPrivs
assert_eq "$(field pwd)" "$cwd" cwd
assert_eq "$(field umask)" 0027 umask
assert_eq "$(field nice)" 5 nice
assert_eq "$(field oom)" -500 oom_score_adj
assert_contains "$out" "$(printf 'Max locked memory         1048576              1048576              bytes')" memlock
assert_contains "$out" "$(printf 'Max address space         unlimited            unlimited            bytes')" "address space"
assert_contains "$out" "$(printf 'Max data size             2147483648           2147483648           bytes')" data

fds=$(printf '%s\n' "$out" | sed -n '/^fds:$/,/^env:$/p' | grep -Ev '^(fds|env):$' | tr '\n' ' ')
assert_eq "$fds" "0 1 2 " "open fds"

# MEMCAGE_STEP: the steps' FIFO (memcage(1), STEPS), whoever the command runs as.
assert_contains "$out" "MEMCAGE_STEP=/" "MEMCAGE_STEP in the environment"
envs=$(printf '%s\n' "$out" | sed -n '/^env:$/,$p' | grep -v '^env:$' | grep -Ev '^(PWD|MEMCAGE_STEP)=' | sort | tr '\n' '|')
want="FROM_PROFILE=1|GREETING=hello world|HOME=$nobody_home|KEEPME=yes|LOGNAME=nobody|PATH=/usr/local/bin:/usr/bin:/bin|SHELL=$nobody_shell|USER=nobody|"
# TERM and LANG/LC_* pass when memcage has them.
for v in $(env | grep -E '^(TERM|LANG|LANGUAGE|LC_[A-Z_]+)=' | cut -d= -f1); do
        want="$want$v=${!v}|"
done
want=$(printf '%s' "$want" | tr '|' '\n' | sort | tr '\n' '|')
assert_eq "$envs" "$want" "environment"

jq -e '.run == {"user": "nobody", "uid": '"$nobody_uid"', "gid": '"$nobody_gid"',
                "groups": ['"$(id -G nobody | tr ' ' ',')"'], "capabilities": ["CAP_IPC_LOCK"]}' \
        "$tmpdir/r.json" >/dev/null || fail "report run: $(jq -c .run "$tmpdir/r.json")"
assert_report_valid "$tmpdir/r.json"

# Without [run] user the environment and the files are memcage's, and env lines still apply.
exec 7</dev/null
FOO=bar run_memcage run --set run.env=ADDED=yes --report "$tmpdir/r2.json" -- sh -c 'echo "foo=$FOO added=$ADDED"; ls -1 /proc/$$/fd | tr "\n" " "; echo; grep NoNewPrivs /proc/self/status'
exec 7<&-
assert_eq "$rc" 0 "plain run"
assert_contains "$out" "foo=bar added=yes" "inherited environment plus env"
assert_contains "$out" "0 1 2 7 " "fds of a plain run are inherited as before"
assert_contains "$out" "$(printf 'NoNewPrivs:\t0')" "no_new_privs only with user or capabilities"
jq -e '.run == null' "$tmpdir/r2.json" >/dev/null || fail "report run of a plain run: $(jq -c .run "$tmpdir/r2.json")"
assert_report_valid "$tmpdir/r2.json"
