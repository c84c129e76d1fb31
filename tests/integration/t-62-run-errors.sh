#!/bin/bash
# [run] errors are memcage's (exit 125, a clear message, no group left);
# --user replaces [run] user and brings its own groups unless [run] sets group.
. "$(dirname "$0")/lib.sh"

getent passwd nobody >/dev/null || skip "no user nobody"
other=$(getent passwd postgres daemon bin | head -n1 | cut -d: -f1)
[ -n "$other" ] || skip "no second system user"

listing() { (ls "$cg_root/memcage" 2>/dev/null || true) | sort | tr '\n' ' '; }
before=$(listing)

expect_refused() { # WHAT MESSAGE ARGS...
        local what=$1 msg=$2
        shift 2
        run_memcage run "$@"
        assert_eq "$rc" 125 "exit status: $what"
        assert_contains "$err" "$msg" "message: $what"
}

printf '[run]\nuser = no-such-user-here\n' >"$tmpdir/u.ini"
expect_refused "unknown user" "$tmpdir/u.ini:2: unknown user 'no-such-user-here'" -p "$tmpdir/u.ini" -- true
expect_refused "unknown --user" "--user: unknown user 'no-such-user-here'" --user no-such-user-here -- true
printf '[run]\nuser = nobody\ngroup = no-such-group-here\n' >"$tmpdir/g.ini"
expect_refused "unknown group" "$tmpdir/g.ini:3: unknown group 'no-such-group-here'" -p "$tmpdir/g.ini" -- true
printf '[run]\nuser = nobody\n\ncapabilities = CAP_IPC_LOCK CAP_NO_SUCH\n' >"$tmpdir/c.ini"
expect_refused "unknown capability" \
        "$tmpdir/c.ini:4: unknown capability 'CAP_NO_SUCH' for capabilities" -p "$tmpdir/c.ini" -- true
expect_refused "unknown capability on the command line" "unknown capability 'CAP_NOPE'" \
        --set run.capabilities=CAP_NOPE -- true
# A step in the child fails: reported with the step, still memcage's 125.
expect_refused "missing cwd" "cannot start 'true': chdir: No such file or directory" \
        --user nobody --set run.cwd=/no/such/dir -- true
# A launcher without a capability cannot hand it on (here memcage as nobody, started by memcage).
expect_refused "capability the launcher lacks" \
        "capability CAP_SYS_ADMIN requested, but memcage does not have it" \
        --user nobody -- "$MEMCAGE" run --set run.capabilities=CAP_SYS_ADMIN -- true

assert_eq "$(listing)" "$before" "no group left by refused runs"

# --user replaces the profile's user; its primary group and groups come along...
printf '[run]\nuser = nobody\n' >"$tmpdir/n.ini"
run_memcage run -p "$tmpdir/n.ini" --user "$other" -- sh -c 'id -u; id -g; id -G'
assert_eq "$rc" 0 "--user (stderr: $err)"
assert_eq "$out" "$(id -u "$other")
$(id -g "$other")
$(id -G "$other")" "ids with --user $other"
# ...unless [run] sets the group.
printf '[run]\nuser = nobody\ngroup = %s\ngroups = \n' "$(id -g nobody)" >"$tmpdir/ng.ini"
run_memcage run -p "$tmpdir/ng.ini" --user "$other" -- sh -c 'id -u; id -g; id -G'
assert_eq "$rc" 0 "--user with [run] group (stderr: $err)"
assert_eq "$out" "$(id -u "$other")
$(id -g nobody)
$(id -g nobody)" "ids with --user $other and [run] group"

# The fork fallback applies the same credentials.
run_memcage run --fork --user nobody --set run.capabilities=CAP_IPC_LOCK -- \
        sh -c 'id -u; grep -E "^Cap(Eff|Amb)" /proc/self/status'
assert_eq "$rc" 0 "--fork --user (stderr: $err)"
assert_eq "$out" "$(id -u nobody)
$(printf 'CapEff:\t0000000000004000\nCapAmb:\t0000000000004000')" "--fork --user nobody"
