#!/bin/sh
# Builds memcage in a build directory: contrib/build.sh DIR [CONFIGURE-ARGS...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift
[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh >/dev/null 2>&1)
mkdir -p "$dir"
cd "$dir"
"$top/configure" --quiet --sysconfdir=/etc "$@"
make -s -j"$(nproc)"
