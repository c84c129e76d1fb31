#!/bin/bash
# memcage --version prints the version of config.h, then one line per feature
# of the build as config.h says it was configured; the linkage line matches
# what the binary really needs from the dynamic loader.
. "$(dirname "$0")/lib.sh"

config=${MEMCAGE_BUILDDIR:-$(dirname -- "$MEMCAGE")}/config.h
[ -s "$config" ] || skip "no config.h beside $MEMCAGE: the features cannot be compared with a build's configuration"
defined() { grep -q "^#define $1 " "$config"; }
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$config")
[ -n "$version" ] || fail "no PACKAGE_VERSION in $config"

run_memcage --version
assert_eq "$rc" 0 "exit status of --version"
mapfile -t lines <<<"$out"
assert_eq "${lines[0]}" "memcage $version" "version line"
# -V is the same option.
run_memcage -V
assert_eq "$out" "$(printf '%s\n' "${lines[@]}")" "-V output"

want=()
if defined MC_WITH_SYSTEMD_SCOPE; then want+=(+systemd); else want+=(-systemd); fi
if defined HAVE_SECCOMP; then want+=(+seccomp); else want+=(-seccomp); fi
if defined MC_CRASH_POINTS; then want+=(+crash-points); fi
libcgroup=$(sed -n 's/^#define MC_LIBCGROUP_VERSION "\(.*\)"$/\1/p' "$config")
want+=("cgroup-backend=libcgroup $libcgroup (default), direct")
if defined MC_STATIC_DEPS; then want+=(libraries=static); else want+=(libraries=shared); fi
assert_eq "$(printf '%s\n' "${lines[@]:1}")" "$(printf '%s\n' "${want[@]}")" "feature lines"

# The linkage line says what the loader is asked for: jansson (which every
# run uses for its report) is a DT_NEEDED entry exactly when shared.
command -v readelf >/dev/null || fail "readelf (binutils) is missing: cannot check the linkage line"
needed=$(readelf -d "$MEMCAGE" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if [ "${lines[-1]}" = libraries=shared ]; then
        assert_contains "$needed" libjansson "DT_NEEDED of a shared build"
else
        assert_not_contains "$needed" libjansson "DT_NEEDED of a static build"
fi
exit 0
