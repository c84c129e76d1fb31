#!/bin/sh
# The whole test suite from a fresh Debian 12 machine (root): installs the
# dependencies, then builds memcage twice, plain and with ASan/UBSan, and runs
# `make check` in each: cmocka unit tests on the host and the integration
# suite in VMs on Debian's 6.1 and 6.12 kernels (MEMCAGE_TEST_KERNELS to choose),
# then the libFuzzer targets of tests/fuzz (FUZZ_SECONDS each, default 60),
# then make distcheck (install, uninstall, the tarball builds and tests).
# Ends with the totals of both runs on one line.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/contrib/install-deps.sh"
(cd "$top" && ./autogen.sh >/dev/null 2>&1)

status=0 passed=0 failed=0 skipped=0
"$top/contrib/check-format.sh" || status=1
"$top/contrib/check-layers.sh" || status=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for variant in plain asan; do
        dir="$top/build-test-$variant"
        # Warnings are errors here (CI), not in a user's build of the tarball.
        args=--enable-werror
        # The ASan build is a test build: it also gets the crash points (t-74); the plain one, as released, none.
        [ "$variant" = asan ] && args="$args --enable-sanitizers --enable-crash-points"
        echo "=============== $variant build ==============="
        # shellcheck disable=SC2086
        "$top/contrib/build.sh" "$dir" $args
        if ! make -C "$dir" -s check 2>&1 | tee "$log"; then
                status=1
        fi
        # tee hides make's status from the pipeline: the suite's own totals decide too.
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
        if [ -z "$line" ]; then
                echo "$variant: the suite printed no totals" >&2
                status=1
                continue
        fi
        set -- $line
        passed=$((passed + $1)) failed=$((failed + $3)) skipped=$((skipped + ${5:-0}))
done

# The parsers a user's input reaches (sizes, durations, profiles with inherit,
# reports and their renderers) under libFuzzer with ASan/UBSan: the corpus and
# the regressions replayed, then each target fuzzed for FUZZ_SECONDS (60).
echo "=============== fuzzers ==============="
fuzzdir="$top/build-test-fuzz"
if "$top/contrib/build.sh" "$fuzzdir" CC=clang --enable-fuzzers --enable-sanitizers --disable-tests &&
        make -C "$fuzzdir" -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}" >"$log" 2>&1; then
        :
else
        status=1
fi
grep -vE '^# #[0-9]+' "$log" || true
line=$(grep -E '^# fuzz: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
if [ -n "$line" ]; then
        set -- $line
        passed=$((passed + $3)) failed=$((failed + $5))
else
        echo "fuzzers: no totals" >&2
        status=1
fi

# The release tarball builds, tests (unit tests: the VM suite ran above),
# installs and uninstalls cleanly.
echo "=============== make distcheck ==============="
if MEMCAGE_TEST_KERNELS=none make -C "$top/build-test-plain" -s distcheck >"$log" 2>&1; then
        grep -A1 'archives ready' "$log" || true
else
        tail -n 40 "$log"
        echo "make distcheck failed" >&2
        status=1
fi
[ "$failed" -eq 0 ] || status=1
echo "=============== both builds ==============="
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
