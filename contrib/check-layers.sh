#!/bin/sh
# Fails when the tree breaks its layering (ARCHITECTURE: only the CLI prints,
# libcgroup behind one seam):
#   - library code (src/lib) writes to stdout or stderr, or includes a CLI header;
#   - a file other than src/lib/cgroup-libcgroup.c includes <libcgroup.h>.
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
        src/lib/*.c include/*.h | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)' || true)
[ -z "$hits" ] || fail "library code prints (only src/cli may)" "$hits"
hits=$(grep -nE '#include "(cli|cli-[a-z-]+)\.h"' src/lib/*.c include/*.h || true)
[ -z "$hits" ] || fail "library code includes a CLI header" "$hits"
hits=$(grep -lE '#include <libcgroup\.h>' src/lib/*.c src/cli/*.c include/*.h | grep -vx 'src/lib/cgroup-libcgroup.c' || true)
[ -z "$hits" ] || fail "<libcgroup.h> outside its seam (src/lib/cgroup-libcgroup.c)" "$hits"
[ "$status" -ne 0 ] || echo "check-layers: the library does not print; libcgroup stays behind its seam"
exit $status
