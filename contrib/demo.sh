#!/bin/sh
# memcage's main job on a real example, from a fresh Debian 12 machine (root):
# installs what building and running memcage needs (the test VM's packages
# too, where this host cannot run it), builds, then runs a memory-hungry command
# (300 MiB) under the shipped 'strict' profile with a 64 MiB limit, which the
# kernel enforces with an OOM kill; prints memcage's live events, its text
# report and the JSON report (without the timeline's columns).
# Runs on this host when it has a usable cgroup v2 memory controller, else in
# the test VM (Debian's 6.12 kernel under qemu).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" != --in-vm ]; then
        "$top/contrib/install-deps.sh" --build
        "$top/contrib/build.sh" "$top/build"
        make -C "$top/build" -s tests/hog
        # memcage itself says whether this host can do it (exit 125 and why, if not).
        if ! probe=$("$top/build/memcage" run -q --name demo-probe -- true 2>&1); then
                echo "== $probe"
                echo "== so the demo runs in the test VM (Debian's 6.12 kernel under qemu)"
                "$top/contrib/install-deps.sh" --vm
                exec "$top/tests/vm/run-vm" --kernel 6.12 -- "$top/contrib/demo.sh" --in-vm
        fi
fi

report=$(mktemp /tmp/memcage-demo.XXXXXX)
echo "== memcage run -p strict --max 64M --text - --report REPORT -- hog 300   (hog allocates 300 MiB)"
set +e
MEMCAGE_PROFILE_PATH="$top/profiles" "$top/build/memcage" run -p strict --max 64M --text - --report "$report" \
        -- "$top/build/tests/hog" 300
status=$?
set -e
echo "== exit status: $status (137 = SIGKILL: the OOM killer enforced memory.max)"
echo "== JSON report (timeline columns left out):"
jq '.timeline |= (if . then with_entries(select(.key == "interval_s")) + {points: (.t | length)} else . end)' "$report"
rm -f "$report"
