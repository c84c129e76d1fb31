#!/bin/sh
# Fails when the tree breaks its layering (ARCHITECTURE: only the CLI prints,
# libcgroup behind one seam):
#   - library code (src/lib) writes to stdout or stderr, or includes a CLI header;
#   - a file other than src/lib/cgroup-libcgroup.c includes <libcgroup.h>,
#     or one other than src/lib/systemd-scope.c talks D-Bus (includes
#     <systemd/sd-bus.h> or loads libsystemd, or opens an AF_UNIX socket);
#   - the program (src/cli) names a kernel file: what the run reads and writes
#     in its group belongs to the library, where unit tests reach it.
#
# A kernel file name, for the last rule, is "memory.", "hugetlb." or
# "cgroup." followed by lowercase letters, digits, '_', '.' or a printf
# conversion, standing alone in a string literal, or after a '/' as the end
# of a path: "memory.peak", "hugetlb.%s.events", "%s/cgroup.procs". Those are
# the strings code opens, or formats to open. The same words inside prose
# are left alone: help text and messages may name what an option sets
# ("memory.max (hard limit ...)", "--set memory.oom.group=1" is a profile
# key, SECTION.KEY), which tells users something and opens nothing.
# #include lines ("cgroup.h") and comments are not looked at.
set -eu
cd "$(dirname "$0")/.."
status=0
fail() {
        echo "check-layers: $1:" >&2
        printf '%s\n' "$2" | sed 's/^/  /' >&2
        status=1
}
# Calls that print, and the standard streams outside comments; formatting
# into a buffer or a memstream (snprintf, fprintf(f, ...)) is not printing.
hits=$(grep -nE '(^|[^_a-z])(printf|puts|putchar|vprintf|perror|dprintf)[[:space:]]*\(|\b(stdout|stderr|STDOUT_FILENO|STDERR_FILENO)\b' \
        src/lib/*.c include/*.h | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)' |
        grep -vE '"/dev/std(out|err)"' || true) # the caller's fds by name (output.c) print nothing
[ -z "$hits" ] || fail "library code prints (only src/cli may)" "$hits"
hits=$(grep -nE '#include "(cli|cli-[a-z-]+)\.h"' src/lib/*.c include/*.h || true)
[ -z "$hits" ] || fail "library code includes a CLI header" "$hits"
hits=$(grep -lE '#include <libcgroup\.h>' src/lib/*.c src/cli/*.c include/*.h | grep -vx 'src/lib/cgroup-libcgroup.c' || true)
[ -z "$hits" ] || fail "<libcgroup.h> outside its seam (src/lib/cgroup-libcgroup.c)" "$hits"
hits=$(grep -lE '#include <systemd/|libsystemd\.so|AF_UNIX' src/lib/*.c src/cli/*.c include/*.h |
        grep -vx 'src/lib/systemd-scope.c' || true)
[ -z "$hits" ] || fail "D-Bus outside its seam (src/lib/systemd-scope.c)" "$hits"
hits=$(grep -nE '"([^"]*/)?(memory|hugetlb|cgroup)\.([a-z0-9_.]|%[a-z]+)+"' src/cli/*.c src/cli/*.h |
        grep -vE '^[^:]+:[0-9]+:[[:space:]]*(#[[:space:]]*include|/?\*|//)' || true)
[ -z "$hits" ] || fail "the program names a kernel file (its reads and writes belong in src/lib)" "$hits"
[ "$status" -ne 0 ] ||
        echo "check-layers: the library does not print; libcgroup and D-Bus stay behind their seams; the program names no kernel file"
exit $status
