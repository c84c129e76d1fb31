#!/bin/sh
# Fails when the tree breaks its layering (ARCHITECTURE: only the CLI prints,
# libcgroup behind one seam):
#   - library code (src/lib) writes to stdout or stderr, or includes a CLI header;
#   - a file other than src/lib/cgroup-libcgroup.c includes <libcgroup.h>,
#     or one other than src/lib/systemd-scope.c talks D-Bus (includes
#     <systemd/sd-bus.h> or loads libsystemd, or opens an AF_UNIX socket);
#   - the program (src/cli) names a kernel file: what the run reads and writes
#     in its group belongs to the library, where unit tests reach it;
#   - the program passes a host path ("/proc/...", "/sys/...", "/run/...",
#     "/dev/..." alone in a string literal) to the library: the real paths
#     are the library's defaults (NULL), so that no caller can get them wrong
#     and tests give theirs to the library directly. Help text and messages
#     may name such paths inside prose (a literal with a space, a newline or
#     other words around the path is prose).
#   - a kernel file with one owner is named outside it. Each of these is
#     opened and read by one module, so that a run reads it once (one
#     baseline) and every reader parses it alike; the others call the owner:
#         memory.pressure                      src/lib/pressure.c
#         memory.events, memory.events.local   src/lib/events.c
#         hugetlb.%s.events                    src/lib/hugetlb-run.c
#     Named means as for the rule above: the name standing alone in a string
#     literal, or after a '/' (src/lib and include are looked at). A name put
#     together from pieces is not seen: keep such names whole, in the owner.
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
hits=$(grep -nE '"/(proc|sys|run|dev)/[^" \\]*"' src/cli/*.c src/cli/*.h |
        grep -vE '^[^:]+:[0-9]+:[[:space:]]*(#[[:space:]]*include|/?\*|//)' || true)
[ -z "$hits" ] || fail "the program passes a host path (the library's default is the real one: pass NULL)" "$hits"
while read -r owner name; do
        re=$(printf '%s' "$name" | sed 's/[.]/\\./g')
        hits=$(grep -nE "\"([^\"]*/)?$re\"" src/lib/*.c include/*.h |
                grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)' | grep -v "^$owner:" || true)
        [ -z "$hits" ] || fail "$name is opened or read outside its owner $owner (call the owner's reader)" "$hits"
done <<'OWNERS'
src/lib/pressure.c memory.pressure
src/lib/events.c memory.events
src/lib/events.c memory.events.local
src/lib/hugetlb-run.c hugetlb.%s.events
OWNERS
# The library's modules form no circle, so that each can be read, tested and
# changed on top of the ones below it. A module is src/lib/X.c with its header
# include/X.h. X depends on Y when src/lib/X.c or include/X.h includes "Y.h"
# (Y having a .c of its own), or when X.c calls a function that Y.h declares:
# a call is an arrow even when the header that declares it was reached some
# other way. Headers with no .c of their own are shared by a family and
# stand for the file that defines each thing they declare:
#   - profile.h and profile-internal.h: the profile code is four files
#     (keys, path, ini, load), each its own module; a call through them
#     depends on the file that defines the function;
#   - cgroup-backend.h is an ops table: cgroup.c calls the backends through
#     pointers and they sit below it, so naming a backend is no arrow.
# A .c with no header of its own that defines what another module's header
# declares is part of that module: its arrows are the module's. So
# cgroup-mount.c is part of cgroup (cgroup.h), placement-leaf.c and
# systemd-scope.c of placement (placement.h), export-*.c of export
# (export.h), report-compare-text.c, report-judge.c and report-threshold.c of
# report-compare (report-compare.h). A .c whose functions only a family
# header declares (event-triggers.c in event-watch-internal.h, the cgroup
# backends in cgroup-backend.h) stays a module of its own, as the family's
# files do.
# A function is defined where a line starts with its type and name (not
# static, no ';'), as every file here writes them; comments are skipped.
#
# On top of no circle, the modules keep to the layers written down in
# contrib/layers.txt (base < kernel < models < stages < renderers <
# pipeline): an arrow from a module of a lower layer to one of a higher layer
# runs back up. At most 2 may; each is printed. Every module has a layer.
# Each module's floor is 1 + the highest floor of what it depends on (0, the
# ground floor, for one that depends on nothing): `check-layers.sh --graph`
# prints the graph by floor (floor, layer, module with the files that are
# part of it, what it depends on) before checking.
graph_mode=0
[ "${1:-}" != --graph ] || graph_mode=1
house=$(awk '
FILENAME ~ /layers\.txt$/ {
        sub(/#.*/, "")
        if (NF == 0) next
        if ($1 !~ /:$/) { print "badlayer " $0; next }
        lname[++nlayer] = substr($1, 1, length($1) - 1)
        for (i = 2; i <= NF; i++) {
                if ($i in layer) print "badlayer " $i " is in two layers"
                layer[$i] = nlayer
        }
        next
}
FNR == 1 {
        mod = FILENAME; sub(/.*\//, "", mod); ish = mod ~ /\.h$/; sub(/\.[ch]$/, "", mod)
        if (!ish && !(mod in hasc)) { hasc[mod] = 1; order[++nmod] = mod }
        if (ish) hash[mod] = 1
        incomment = 0
}
{
        raw = $0; line = ""
        # Drop comments, also those that span lines.
        while (raw != "") {
                if (incomment) {
                        i = index(raw, "*/"); if (!i) { raw = ""; break }
                        raw = substr(raw, i + 2); incomment = 0
                } else {
                        i = index(raw, "/*"); j = index(raw, "//")
                        if (j && (!i || j < i)) { line = line substr(raw, 1, j - 1); raw = ""; break }
                        if (!i) { line = line raw; raw = ""; break }
                        line = line substr(raw, 1, i - 1); raw = substr(raw, i + 2); incomment = 1
                }
        }
        if (match(line, /^#[ \t]*include[ \t]+"[^"]+\.h"/)) {
                h = substr(line, RSTART, RLENGTH); sub(/^[^"]*"/, "", h); sub(/\.h"$/, "", h)
                inc[mod SUBSEP h] = 1
                next
        }
        if (!ish && line ~ /^[a-z_]/ && line !~ /^static/ && line !~ /;[ \t]*$/ &&
            match(line, /mc_[a-z0-9_]+\(/)) {
                n = substr(line, RSTART, RLENGTH - 1)
                if (!(n in def)) def[n] = mod
                next
        }
        rest = line
        while (match(rest, /mc_[a-z0-9_]+[ \t]*\(/)) {
                n = substr(rest, RSTART, RLENGTH); sub(/[ \t]*\($/, "", n)
                rest = substr(rest, RSTART + RLENGTH)
                if (ish) { if (!(n in decl)) decl[n] = mod }
                else use[mod SUBSEP n] = 1
        }
}
function edge(a, b) {
        if (a in home) a = home[a]
        if (b in home) b = home[b]
        if (a != b && (a in hasc) && (b in hasc)) adj[a SUBSEP b] = 1
}
function visit(v,   list, k, i, j, w, c) {
        color[v] = 1; path[++depth] = v
        k = split(out[v], list, " ")
        for (i = 1; i <= k; i++) {
                w = list[i]
                if (color[w] == 1) {
                        c = w
                        for (j = depth; path[j] != w; j--) ;
                        for (j = j + 1; j <= depth; j++) c = c " -> " path[j]
                        print "cycle " c " -> " w
                        ncycle++
                } else if (!color[w])
                        visit(w)
        }
        depth--; color[v] = 2
}
END {
        for (n in def)
                if (!(def[n] in hash) && (n in decl) && (decl[n] in hasc)) home[def[n]] = decl[n]
        for (k in inc) { split(k, p, SUBSEP); edge(p[1], p[2]) }
        for (k in use) {
                split(k, p, SUBSEP); n = p[2]
                if (!(n in decl) || !(n in def) || decl[n] == "cgroup-backend") continue
                edge(p[1], (decl[n] in hasc) ? decl[n] : def[n])
        }
        # The files in the order the shell lists them, so that the same tree
        # prints the same circles.
        for (i = 1; i <= nmod; i++)
                for (j = 1; j <= nmod; j++)
                        if ((order[i] SUBSEP order[j]) in adj) out[order[i]] = out[order[i]] " " order[j]
        for (i = 1; i <= nmod; i++)
                if (!(order[i] in home) && !color[order[i]]) visit(order[i])
        for (m in layer)
                if (!(m in hasc) || (m in home)) print "badlayer " m " is no module (a .c of src/lib that is not part of another)"
        for (i = 1; i <= nmod; i++) {
                a = order[i]
                if (a in home) continue
                if (!(a in layer)) { print "nolayer " a; continue }
                k = split(out[a], list, " ")
                for (j = 1; j <= k; j++)
                        if ((list[j] in layer) && layer[list[j]] > layer[a])
                                print "back " a " (" lname[layer[a]] ") -> " list[j] " (" lname[layer[list[j]]] ")"
        }
        if (ncycle) exit
        for (i = 1; i <= nmod; i++)
                if (order[i] in home) parts[home[order[i]]] = parts[home[order[i]]] " +" order[i]
        for (i = 1; i <= nmod; i++) {
                a = order[i]
                if (a in home) continue
                floor_of(a)
                printf "graph %2d %-9s %s%s ->%s\n", floor[a], (a in layer) ? lname[layer[a]] : "?", a, parts[a], out[a]
        }
}
function floor_of(v,   list, k, i, f) {
        if (v in floor) return floor[v]
        f = 0
        k = split(out[v], list, " ")
        for (i = 1; i <= k; i++)
                if (floor_of(list[i]) + 1 > f) f = floor[list[i]] + 1
        return floor[v] = f
}
' contrib/layers.txt src/lib/*.c include/*.h)
lines() { printf '%s\n' "$house" | sed -n "s/^$1 //p"; }
if [ "$graph_mode" -eq 1 ]; then
        echo "floor layer     module (+ files part of it) -> what it depends on"
        lines graph | sort -k1,1n -k3,3
fi
cycles=$(lines cycle)
[ -z "$cycles" ] || fail "the library's modules depend on each other in a circle (X -> Y: X includes Y.h or calls what it declares)" "$cycles"
hits=$(lines badlayer)
[ -z "$hits" ] || fail "contrib/layers.txt names what is no module, or a line is not \"layer: module...\"" "$hits"
hits=$(lines nolayer)
[ -z "$hits" ] || fail "a module has no layer in contrib/layers.txt" "$hits"
back=$(lines back)
nback=$(printf '%s' "$back" | grep -c . || true)
floors=$(lines graph | awk '$1 >= n { n = $1 + 1 } END { print n + 0 }')
echo "check-layers: arrows running back up (a module on a lower layer of contrib/layers.txt depending on one on a higher layer): $nback; floors: $floors"
if [ "$nback" -gt 2 ]; then
        fail "more than 2 arrows run back up the layers of contrib/layers.txt" "$back"
elif [ -n "$back" ]; then
        printf '%s\n' "$back" | sed 's/^/  /'
fi
[ "$status" -ne 0 ] ||
        echo "check-layers: the library does not print; libcgroup and D-Bus stay behind their seams; the program names no kernel file and passes no host path; owned kernel files are read by their owners alone; the modules form no circle and keep to their layers"
exit $status
