#!/bin/sh
# The whole test suite from a fresh Debian 12 machine (root): installs the
# dependencies, checks formatting and layering, builds memcage twice, plain and
# with ASan/UBSan (and crash points), and runs `make check` of both at once:
# cmocka unit tests on the host, then the integration suite in VMs, the plain
# build on Debian's 6.1 and 6.12 kernels (MEMCAGE_TEST_KERNELS to choose), the
# sanitized one on MEMCAGE_ASAN_KERNELS (default 6.1: the older kernel, where
# memcage's fallbacks run too; its crash test, t-74, on the plain build's other
# kernels as well); then the libFuzzer targets of tests/fuzz (FUZZ_SECONDS
# each, default 60) beside make distcheck, and the cross builds for arm64 and
# s390x with their unit tests under qemu-user (contrib/cross-test.sh); last
# the Debian and RPM packages (contrib/test-package.sh).
# Ends with each stage's time and the totals of every run on one line.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

now() { date +%s; }
begin=$(now)
times=
# stage NAME: starts a stage (its heading); its time is taken at the next one.
stage_name= stage_start=
stage() {
        [ -z "$stage_name" ] || times="$times$(printf '%-26s %6d s' "$stage_name" $(($(now) - stage_start)))
"
        stage_name=$1 stage_start=$(now)
        [ -z "$1" ] || echo "=============== $1 ==============="
}

stage dependencies
"$top/contrib/install-deps.sh"
(cd "$top" && ./autogen.sh >/dev/null 2>&1)

status=0 passed=0 failed=0 skipped=0
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
stage "format and layering"
"$top/contrib/check-format.sh" || status=1
"$top/contrib/check-layers.sh" || status=1

stage builds
# Warnings are errors here (CI), not in a user's build of the tarball. The
# ASan build is a test build: it also gets the crash points (t-74); the plain
# one, as released, none.
"$top/contrib/build.sh" "$top/build-test-plain" --enable-werror || status=1
"$top/contrib/build.sh" "$top/build-test-asan" --enable-werror --enable-sanitizers --enable-crash-points || status=1
make -C "$top/build-test-plain" -s -j2 check-programs || status=1
make -C "$top/build-test-asan" -s -j2 check-programs || status=1

# Both suites at once: each TCG VM keeps one host CPU busy, and a VM waiting
# on a test's timer or on systemd leaves its CPU to the others.
stage "unit and integration tests"
kernels=${MEMCAGE_TEST_KERNELS-}
echo "plain build on ${kernels:-6.1 and 6.12}, ASan/UBSan build on ${MEMCAGE_ASAN_KERNELS:-6.1}: both logs follow when both end"
(rc=0; make -C "$top/build-test-plain" -s check ${kernels:+MEMCAGE_TEST_KERNELS="$kernels"} >"$logs/plain" 2>&1 || rc=$?
        echo $rc >"$logs/plain.rc") &
(rc=0; make -C "$top/build-test-asan" -s check MEMCAGE_TEST_KERNELS="${MEMCAGE_ASAN_KERNELS:-6.1}" >"$logs/asan" 2>&1 || rc=$?
        echo $rc >"$logs/asan.rc") &
# The crash points exist in the sanitized build alone: its crash test runs on
# the plain build's other kernels too (unit tests ran above).
crash_kernels=
for k in $(echo "${kernels:-6.1 6.12}" | tr , ' '); do
        case $k in none | host) continue ;; esac
        case " ${MEMCAGE_ASAN_KERNELS:-6.1} " in *" $k "*) ;; *) crash_kernels="$crash_kernels $k" ;; esac
done
if [ -n "${crash_kernels# }" ] && [ -z "${MEMCAGE_TESTS:-}" ]; then
        (rc=0; make -C "$top/build-test-asan" -s check UNIT_TESTS= MEMCAGE_TEST_KERNELS="${crash_kernels# }" \
                MEMCAGE_TESTS=t-74-crash-consistency.sh >"$logs/crash" 2>&1 || rc=$?
                echo $rc >"$logs/crash.rc") &
fi
wait
# totals LOG: adds the suite's last "N passed, N failed, N skipped" line.
totals() {
        line=$(grep -E '^(# fuzz: )?[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1 || true)
        if [ -z "$line" ]; then
                echo "$2: no totals" >&2
                status=1
                return
        fi
        # shellcheck disable=SC2086 # the words of the line
        set -- ${line#\# fuzz: }
        passed=$((passed + $1)) failed=$((failed + $3)) skipped=$((skipped + ${5:-0}))
}
for variant in plain asan crash; do
        [ -e "$logs/$variant" ] || continue
        case $variant in
        crash) echo "=============== asan build: the crash test on$crash_kernels ===============" ;;
        *) echo "=============== $variant build: make check ===============" ;;
        esac
        cat "$logs/$variant"
        [ "$(cat "$logs/$variant.rc" 2>/dev/null)" = 0 ] || status=1
        totals "$logs/$variant" "$variant"
done

# The parsers a user's input reaches (sizes, durations, profiles with inherit,
# reports and their renderers) under libFuzzer with ASan/UBSan: the corpus and
# the regressions replayed, then each target fuzzed for FUZZ_SECONDS (60).
# Beside them, on the other CPU (a fuzzer keeps one busy for its time
# whatever else runs), the release tarball builds, tests (unit tests: the VM
# suite ran above), installs and uninstalls cleanly: make distcheck.
# The cross builds and their unit tests under qemu-user (about 2 minutes of
# CPU each) run in this stage too: a fuzzer runs for a fixed time whatever
# else runs, so they cost it executions, not minutes; beside the VMs they
# would slow tests that have timeouts.
stage "fuzzers, distcheck, cross"
(start=$(now) rc=0
        for arch in arm64 s390x; do
                echo "--- $arch"
                "$top/contrib/cross-test.sh" "$arch" "$top/build-test-cross-$arch" || rc=1
        done >"$logs/cross" 2>&1
        echo "cross builds and unit tests: $(($(now) - start)) s" >>"$logs/cross"
        echo $rc >"$logs/cross.rc") &
(rc=0
        "$top/contrib/build.sh" "$top/build-test-fuzz" CC=clang --enable-fuzzers --enable-sanitizers --disable-tests \
                >"$logs/fuzz" 2>&1 &&
        make -C "$top/build-test-fuzz" -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}" >>"$logs/fuzz" 2>&1 || rc=$?
        echo $rc >"$logs/fuzz.rc") &
(rc=0; MEMCAGE_TEST_KERNELS=none make -C "$top/build-test-plain" -s distcheck >"$logs/distcheck" 2>&1 || rc=$?
        echo $rc >"$logs/distcheck.rc") &
wait
echo "=============== fuzzers ==============="
grep -vE '^# #[0-9]+' "$logs/fuzz" || true
[ "$(cat "$logs/fuzz.rc" 2>/dev/null)" = 0 ] || status=1
totals "$logs/fuzz" fuzzers
echo "=============== cross builds: unit tests under qemu-user ==============="
# Each build's suite summary, and the time of both.
grep -E '^(--- |cross-test.sh: |[0-9]+ passed, |-- .*[1-9][0-9]* failed|cross builds and unit tests: )' "$logs/cross" || true
[ "$(cat "$logs/cross.rc" 2>/dev/null)" = 0 ] || status=1
for arch in arm64 s390x; do
        sed -n "/^--- $arch\$/,/^--- /p" "$logs/cross" >"$logs/cross-$arch"
        totals "$logs/cross-$arch" "cross $arch"
done
echo "=============== make distcheck ==============="
if [ "$(cat "$logs/distcheck.rc" 2>/dev/null)" = 0 ]; then
        grep -A1 'archives ready' "$logs/distcheck" || true
else
        tail -n 40 "$logs/distcheck"
        echo "make distcheck failed" >&2
        status=1
fi

# memcage as users install it (contrib/test-package.sh): the .deb from a clean
# copy with lintian and its autopkgtest, the RPM from the tarball with rpmlint,
# then the installed .deb in the 6.12 VM and purged. After the suites: it
# installs the package on this host for a while, and its VM wants a CPU.
stage "packages"
rc=0
"$top/contrib/test-package.sh" >"$logs/package" 2>&1 || rc=$?
cat "$logs/package"
[ "$rc" = 0 ] || status=1
totals "$logs/package" packages
stage ""
[ "$failed" -eq 0 ] || status=1
echo "=============== time per stage ==============="
printf '%s' "$times"
printf '%-26s %6d s\n' total $(($(now) - begin))
echo "=============== all runs ==============="
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
