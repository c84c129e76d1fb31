#!/bin/bash
# Under sudo (SUDO_UID set), memcage does not take its caller's word for
# where root's profiles are or how it runs: MEMCAGE_PROFILE_PATH,
# XDG_CONFIG_HOME and HOME stop adding search directories, MEMCAGE_SPAWN and
# MEMCAGE_CGROUP_BACKEND are ignored. The same variables without SUDO_UID
# still work, so the test shows that SUDO_UID is what turns them off.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"

mkdir -p "$tmpdir/profiles" "$tmpdir/xdg/memcage/profiles"
printf '[memory]\nmax = 48M\n' >"$tmpdir/profiles/from-env.ini"
printf '[memory]\nmax = 40M\n' >"$tmpdir/xdg/memcage/profiles/from-xdg.ini"

run_memcage profiles
assert_not_contains "$out" "$tmpdir" "the default search path"
export MEMCAGE_PROFILE_PATH=$tmpdir/profiles XDG_CONFIG_HOME=$tmpdir/xdg
run_memcage show from-env
assert_eq "$rc" 0 "show from MEMCAGE_PROFILE_PATH without sudo ($err)"
run_memcage show from-xdg
assert_eq "$rc" 0 "show from XDG_CONFIG_HOME without sudo ($err)"

export SUDO_UID=1000 SUDO_GID=1000 SUDO_USER=someone
for p in from-env from-xdg; do
        run_memcage show "$p"
        assert_eq "$rc" 125 "show $p under sudo (a profile that cannot be loaded)"
        assert_contains "$err" "profile '$p' not found" "show $p under sudo"
        assert_not_contains "$err" "$tmpdir" "the directories searched under sudo"
done
run_memcage profiles
assert_not_contains "$out" "$tmpdir" "memcage profiles under sudo"

# MEMCAGE_SPAWN=fork and a bogus MEMCAGE_CGROUP_BACKEND: ignored under sudo, obeyed without.
export MEMCAGE_SPAWN=fork MEMCAGE_CGROUP_BACKEND=bogus
run_memcage run -q --name t63 --report "$tmpdir/r.json" -- true
assert_eq "$rc" 0 "run under sudo with MEMCAGE_SPAWN and MEMCAGE_CGROUP_BACKEND set ($err)"
assert_eq "$(jq -r .launch "$tmpdir/r.json")" clone3 "launch under sudo"
unset SUDO_UID SUDO_GID SUDO_USER
run_memcage run -q --name t63 -- true
assert_eq "$rc" 125 "run with MEMCAGE_CGROUP_BACKEND=bogus without sudo"
assert_contains "$err" "MEMCAGE_CGROUP_BACKEND=bogus" "the backend's message"
unset MEMCAGE_CGROUP_BACKEND
run_memcage run -q --name t63 --report "$tmpdir/r2.json" -- true
assert_eq "$rc" 0 "run with MEMCAGE_SPAWN=fork without sudo ($err)"
assert_eq "$(jq -r .launch "$tmpdir/r2.json")" fork "launch with MEMCAGE_SPAWN=fork"
[ ! -e "$cg_root/memcage/t63" ] || fail "group left behind"
