#!/bin/bash
# Bad profiles and group names are refused with file:line, exit 125, and
# nothing is created in the cgroup tree.
. "$(dirname "$0")/lib.sh"

before=$( (ls "$cg_root/memcage" 2>/dev/null || true) | sort | tr "\n" " ")

expect_refused() { # FILE EXPECTED-MESSAGE
        run_memcage run -p "$1" -- true
        assert_eq "$rc" 125 "exit status for $1"
        assert_contains "$err" "$2" "message for $1"
}

printf '[memory]\nmax = 1G\nbogus = 1\n' > "$tmpdir/unknown.ini"
expect_refused "$tmpdir/unknown.ini" "$tmpdir/unknown.ini:3: unknown key 'bogus' in [memory]"
printf '; comment\n[memory]\nmax = 12Q\n' > "$tmpdir/badsize.ini"
expect_refused "$tmpdir/badsize.ini" "$tmpdir/badsize.ini:3:"
printf '[profile]\ninherit = b.ini\n' > "$tmpdir/a.ini"
printf '[profile]\ninherit = a.ini\n' > "$tmpdir/b.ini"
sed -i 's/inherit = b.ini/inherit = .\/b.ini/; s/inherit = a.ini/inherit = .\/a.ini/' "$tmpdir/a.ini" "$tmpdir/b.ini"
expect_refused "$tmpdir/a.ini" "inherit cycle"
printf '[memory]\nmax = 1G\n' > "$tmpdir/open.ini"
chmod 0666 "$tmpdir/open.ini"
expect_refused "$tmpdir/open.ini" "writable by group or other"
ln -s "$tmpdir/badsize.ini" "$tmpdir/link.ini"
expect_refused "$tmpdir/link.ini" "link.ini"
# A good profile in a directory its group can write: whoever can write there can swap it.
mkdir "$tmpdir/shared"
printf '[memory]\nmax = 1G\n' > "$tmpdir/shared/good.ini"
chmod 0775 "$tmpdir/shared"
expect_refused "$tmpdir/shared/good.ini" \
        "$tmpdir/shared/good.ini: refusing profile: directory $(realpath "$tmpdir/shared") is writable by group or other (mode 0775, owner uid 0; chmod g-w,o-w"
run_memcage check "$tmpdir/shared/good.ini"
assert_eq "$rc" 1 "memcage check of a profile in a group-writable directory"
assert_contains "$err" "is writable by group or other" "memcage check of a profile in a group-writable directory"
chmod 0755 "$tmpdir/shared"
# Fixed: the same profile loads (check: a run here would create the parent group).
run_memcage check "$tmpdir/shared/good.ini"
assert_eq "$rc" 0 "the same profile once its directory is fixed"
printf '[nosuch]\nx = 1\n' > "$tmpdir/section.ini"
expect_refused "$tmpdir/section.ini" "$tmpdir/section.ini:1: unknown section [nosuch]"

run_memcage run --max 12Q -- true
assert_eq "$rc" 125 "bad size on the command line"
run_memcage run --set memory.nope=1 -- true
assert_eq "$rc" 125 "unknown key on the command line"

for name in ../escape a/b .. . cgroup.procs memory.max "$(printf 'a\tb')" ""; do
        run_memcage run --name "$name" -- true
        assert_eq "$rc" 125 "group name '$name'"
done
run_memcage run --parent ../etc -- true
assert_eq "$rc" 125 "parent with .."
run_memcage run --parent /abs -- true
assert_eq "$rc" 125 "absolute parent"

after=$( (ls "$cg_root/memcage" 2>/dev/null || true) | sort | tr "\n" " ")
assert_eq "$after" "$before" "nothing created by refused runs"
[ ! -e "$cg_root/etc" ] && [ ! -e "$cg_root/escape" ] || fail "a traversal name created a group"
