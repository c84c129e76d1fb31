#!/bin/bash
# The installed package in the test VM (contrib/test-package.sh boots it over
# the host root, where the .deb is installed): /usr/bin/memcage with the
# profiles it ships, as a user runs it. The OOM demo under the shipped
# 'strict' profile, the tmpfiles.d entry for /run/memcage, memcage gc of a
# dead launcher's group. Prints TAP; exit 1 when a point fails.
set -u
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)) failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # WHAT COMMAND...
        local what=$1
        shift
        if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# Nothing of a build tree: the package's binary found on PATH, profiles found
# by name, no user directories.
unset MEMCAGE MEMCAGE_PROFILE_PATH XDG_CONFIG_HOME
export HOME=/nonexistent
memcage=$(command -v memcage || echo none)
check "memcage on PATH is /usr/bin/memcage ($memcage)" [ "$memcage" = /usr/bin/memcage ]
version=$(dpkg-query -W -f '${Version}' memcage 2>/dev/null)
check "--version names the installed version $version" [ "$(memcage --version | head -n 1)" = "memcage $version" ]

out=${MEMCAGE_VM_OUT:-$(mktemp -d)}
cd /tmp || exit 1

# --- /run/memcage from the tmpfiles.d entry, as at boot ---
if command -v systemd-tmpfiles >/dev/null; then
        systemd-tmpfiles --create /usr/lib/tmpfiles.d/memcage.conf
        check "tmpfiles.d makes /run/memcage 0700 root" [ "$(stat -c '%a %U' /run/memcage 2>&1)" = "700 root" ]
else
        echo "ok $((n += 1)) # SKIP systemd-tmpfiles is not installed"
fi

# --- the OOM demo under the shipped strict profile ---
rc=0
memcage run -p strict --max 64M --name pkg-oom --text - --report "$out/oom.json" -- \
        dd if=/dev/zero of=/dev/null bs=256M count=1 || rc=$?
check "the OOM demo exits 137 (SIGKILL by the OOM killer)" [ "$rc" = 137 ]
if [ -s "$out/oom.json" ]; then
        check "the report names the shipped profile" \
                [ "$(jq -r .profile_path "$out/oom.json")" = /usr/share/memcage/profiles/strict.ini ]
        check "the profile's swap.max 0 and oom.group were applied" \
                [ "$(jq -c '[.limits.max, .limits["swap.max"], .limits["oom.group"]]' "$out/oom.json")" = '[67108864,0,true]' ]
        kills=$(jq -r '.events.oom_kill' "$out/oom.json")
        check "the report counts OOM kills ($kills)" [ "$kills" -ge 1 ]
else
        not_ok "no report at $out/oom.json"
fi
check "the run's group is gone" [ ! -e /sys/fs/cgroup/memcage/pkg-oom ]

# --- memcage gc: a launcher SIGKILLed, its command still running ---
memcage run -q --name pkg-stale -- sh -c "touch $out/stale; exec sleep 300" &
launcher=$!
for _ in $(seq 300); do [ -e "$out/stale" ] && break; sleep 0.1; done
kill -KILL "$launcher"
wait "$launcher" 2>/dev/null
check "a dead launcher leaves its group" [ -d /sys/fs/cgroup/memcage/pkg-stale ]
gc=$(memcage gc 2>&1)
check "memcage gc keeps the populated group: $gc" grep -q "kept memcage/pkg-stale" <<<"$gc"
gc=$(memcage gc --kill 2>&1)
check "memcage gc --kill removes it: $gc" grep -q "killed and removed memcage/pkg-stale" <<<"$gc"
check "the stale group is gone" [ ! -e /sys/fs/cgroup/memcage/pkg-stale ]

# --- the autopkgtest's real run, which skips on a host without cgroup v2 memory ---
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out/autopkgtest"
rc=0
AUTOPKGTEST_TMP=$out/autopkgtest sh "$here/../../debian/tests/run" || rc=$?
check "debian/tests/run passes where cgroup v2 memory exists (exit $rc)" [ "$rc" = 0 ]

echo "1..$n"
[ "$failed" = 0 ]
