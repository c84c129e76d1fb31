#!/bin/bash
# contrib/cross-test.sh ARCH [BUILDDIR]: cross-builds memcage for ARCH (arm64,
# little-endian, or s390x, big-endian) with Debian's cross toolchain and the
# :ARCH -dev packages, and runs its unit tests under qemu-user on this host.
# No VM: the integration suite needs a kernel of ARCH. What a unit test cannot
# do under qemu-user (install a seccomp filter) it reports as SKIP with why.
# Ends with the suite's "N passed, N failed, N skipped" line (tests/run-suite).
# contrib/install-deps.sh installs what it needs (its cross build section).
# BUILDDIR defaults to build-cross-ARCH in the source tree.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

arch=${1:-}
case $arch in
arm64) triplet=aarch64-linux-gnu qemu=qemu-aarch64-static ;;
s390x) triplet=s390x-linux-gnu qemu=qemu-s390x-static ;;
*)
        echo "usage: contrib/cross-test.sh arm64|s390x [BUILDDIR]" >&2
        exit 2
        ;;
esac
dir=${2:-$top/build-cross-$arch}

for tool in "$triplet-gcc" "$qemu"; do
        if ! command -v "$tool" >/dev/null; then
                echo "cross-test.sh: $tool not found: run contrib/install-deps.sh (as root)" >&2
                exit 1
        fi
done

[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh >/dev/null 2>&1)
mkdir -p "$dir"
cd "$dir"
# The :ARCH packages' .pc files, and only those (the host's would name the
# host's libraries): Debian ships no ARCH-prefixed pkg-config for a foreign
# architecture without pkgconf:ARCH.
export PKG_CONFIG=pkg-config
export PKG_CONFIG_LIBDIR=/usr/lib/$triplet/pkgconfig:/usr/share/pkgconfig
start=$SECONDS
"$top/configure" --quiet --host="$triplet" --sysconfdir=/etc --enable-werror
make -s -j2 check-programs memcage
echo "cross-test.sh: $arch build ($triplet) took $((SECONDS - start)) s"

# The :ARCH -dev packages bring ARCH's libc as a multiarch package, with its
# ELF interpreter at the path the binaries name (/lib/ld-linux-aarch64.so.1,
# /lib/ld64.so.1): qemu-user runs them as they are, no binfmt_misc needed.
# Not with -L /usr/TRIPLET: qemu then answers every absolute path from that
# prefix first, "/" included, and the unit tests that walk a path from an fd
# of "/" (profile trust, O_NOFOLLOW at each component) find no /tmp in it.
MEMCAGE_UNIT_WRAPPER=$qemu make -s check MEMCAGE_TEST_KERNELS=none
