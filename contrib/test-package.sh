#!/bin/bash
# memcage as its users install it, on Debian 12 as root (contrib/install-deps.sh
# installs what it needs); contrib/test-all.sh runs it as a stage:
#   1. the version agrees in AC_INIT, debian/changelog and contrib/memcage.spec;
#   2. dpkg-buildpackage -us -uc -b in a clean copy of the tree (the files git
#      tracks or would track), lintian on the .changes: no error, no warning;
#   3. the package's autopkgtest (debian/tests) on this host (the null
#      testbed; its run test skips here without cgroup v2 memory);
#   4. make dist, rpmbuild -bb --nodeps of contrib/memcage.spec from that
#      tarball, rpmlint (contrib/memcage.rpmlintrc): no error;
#   5. the .deb installed here (dpkg -i), the 6.12 test VM booted over this
#      root running tests/package/installed-scenario.sh (/usr/bin/memcage, the
#      shipped profiles: the OOM demo, the tmpfiles.d entry, memcage gc), then
#      dpkg --purge memcage and nothing of memcage left behind.
# Each step prints TAP lines; the last line is "N passed, N failed, N skipped".
# TEST_PACKAGE_VM=0 leaves out step 5 (no VM). The integration suite never
# runs /usr/bin/memcage: it takes $MEMCAGE or the build's binary
# (tests/integration/run), so the package installed meanwhile does not change it.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/memcage-package.XXXXXX")
keep_installed=
cleanup() {
        # A failure halfway leaves no package behind on the host.
        [ -n "$keep_installed" ] || dpkg --purge memcage >/dev/null 2>&1 || :
        rm -rf "$work"
}
trap cleanup EXIT

passed=0 failed=0 skipped=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
skip() { skipped=$((skipped + 1)); echo "ok - # SKIP $*"; }
step() { echo "== $*"; }
# show LOG: its last lines, for a step that failed.
show() { tail -n 40 "$1" | sed 's/^/    /'; }

[ "$(id -u)" = 0 ] || { echo "test-package.sh: run as root (dpkg -i, autopkgtest, the VM)" >&2; exit 1; }

# --- 1. one version -------------------------------------------------------
step "version"
version=$(sed -n 's/^AC_INIT(\[memcage\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
deb_version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
spec_version=$(sed -n 's/^Version: *//p' "$top/contrib/memcage.spec")
if [ -n "$version" ] && [ "$deb_version" = "$version" ] && [ "$spec_version" = "$version" ]; then
        ok "AC_INIT, debian/changelog and contrib/memcage.spec agree: $version"
else
        not_ok "versions differ: AC_INIT '$version', debian/changelog '$deb_version', memcage.spec '$spec_version'"
fi

# --- 2. the .deb from a clean copy, lintian ----------------------------------
step "dpkg-buildpackage in a clean copy"
src=$work/deb/memcage
mkdir -p "$src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard | cpio -0pdm --quiet "$src")
arch=$(dpkg --print-architecture)
deb=$work/deb/memcage_${version}_$arch.deb
changes=$work/deb/memcage_${version}_$arch.changes
if (cd "$src" && dpkg-buildpackage -us -uc -b -j2) >"$work/dpkg-buildpackage.log" 2>&1 && [ -s "$deb" ]; then
        ok "dpkg-buildpackage -us -uc -b built $(basename "$deb")"
else
        not_ok "dpkg-buildpackage failed:"
        show "$work/dpkg-buildpackage.log"
fi
if [ -s "$changes" ]; then
        # --fail-on error,warning: lintian exits non-zero on either.
        if lintian --fail-on error,warning "$changes" >"$work/lintian.log" 2>&1; then
                ok "lintian: no error, no warning"
        else
                not_ok "lintian:"
                show "$work/lintian.log"
        fi
fi

# --- 3. autopkgtest ---------------------------------------------------------
step "autopkgtest (null testbed)"
if [ -s "$deb" ]; then
        rc=0
        autopkgtest --output-dir "$work/autopkgtest" "$deb" "$src/" -- null >"$work/autopkgtest.log" 2>&1 || rc=$?
        # One line per test: "NAME PASS", "NAME SKIP reason", "NAME FAIL reason".
        summary=$work/autopkgtest/summary
        [ -s "$summary" ] && sed 's/^/    /' "$summary"
        # 0: all passed; 2: some skipped (run, without cgroup v2 memory); else a failure.
        if { [ "$rc" = 0 ] || [ "$rc" = 2 ]; } && [ -s "$summary" ] && grep -q '^cli  *PASS' "$summary"; then
                ok "autopkgtest: exit $rc"
                while read -r t result reason; do
                        # The test's own "SKIP: why" line says more than the summary.
                        why=$(grep -m 1 '^SKIP: ' "$work/autopkgtest.log" | sed 's/^SKIP: //')
                        [ "$result" = SKIP ] && skip "autopkgtest $t: ${why:-$reason}"
                done <"$summary"
        else
                not_ok "autopkgtest exited $rc:"
                show "$work/autopkgtest.log"
        fi
fi

# --- 4. the RPM from the release tarball -----------------------------------
step "rpmbuild from make dist"
mkdir -p "$work/dist" "$work/rpm/SOURCES"
if (cd "$work/dist" && "$top/configure" --quiet --disable-tests && make -s dist) >"$work/dist.log" 2>&1 &&
        cp "$work/dist/memcage-$version.tar.gz" "$work/rpm/SOURCES/"; then
        ok "make dist: memcage-$version.tar.gz"
else
        not_ok "make dist failed:"
        show "$work/dist.log"
fi
# _tmpfilesdir comes from Fedora's systemd-rpm-macros (a BuildRequires that
# --nodeps skips): defined as it would define it.
if rpmbuild -bb --nodeps --define "_topdir $work/rpm" --define "_smp_mflags -j2" \
        --define "_tmpfilesdir /usr/lib/tmpfiles.d" "$top/contrib/memcage.spec" >"$work/rpmbuild.log" 2>&1; then
        ok "rpmbuild -bb built $(cd "$work/rpm/RPMS" && ls -- */*.rpm)"
        # rpmlint exits non-zero on warnings too: its summary line counts the errors.
        rpmlint -r "$top/contrib/memcage.rpmlintrc" "$work"/rpm/RPMS/*/*.rpm "$top/contrib/memcage.spec" \
                >"$work/rpmlint.log" 2>&1
        if grep -q ' 0 errors, ' "$work/rpmlint.log"; then
                ok "rpmlint: $(grep -o '[0-9]* errors, [0-9]* warnings' "$work/rpmlint.log")"
        else
                not_ok "rpmlint:"
                show "$work/rpmlint.log"
        fi
else
        not_ok "rpmbuild failed:"
        show "$work/rpmbuild.log"
fi

# --- 5. installed, in the VM, purged ----------------------------------------
if [ "${TEST_PACKAGE_VM:-1}" = 0 ]; then
        skip "the installed package in the VM (TEST_PACKAGE_VM=0)"
elif [ -s "$deb" ]; then
        step "the installed package in the 6.12 VM, then dpkg --purge"
        keep_installed=
        if dpkg -i "$deb" >"$work/dpkg-i.log" 2>&1; then
                ok "dpkg -i $(basename "$deb")"
        else
                not_ok "dpkg -i:"
                show "$work/dpkg-i.log"
        fi
        dpkg -L memcage >"$work/files" 2>/dev/null
        # The postinst made /run/memcage from the tmpfiles.d entry, which purge then removes.
        if command -v systemd-tmpfiles >/dev/null; then
                if [ "$(stat -c '%a %U' /run/memcage 2>&1)" = "700 root" ]; then
                        ok "the postinst made /run/memcage (0700 root) from the tmpfiles.d entry"
                else
                        not_ok "after dpkg -i: /run/memcage is $(stat -c '%a %U' /run/memcage 2>&1)"
                fi
        fi
        rc=0
        (cd /tmp && "$top/tests/vm/run-vm" --kernel 6.12 --timeout 900 -- bash "$top/tests/package/installed-scenario.sh") \
                >"$work/scenario.log" 2>&1 || rc=$?
        sed 's/^/    /' "$work/scenario.log"
        if [ "$rc" = 0 ] && grep -q '^1\.\.[1-9]' "$work/scenario.log"; then
                ok "tests/package/installed-scenario.sh in the VM: $(grep -c '^ok [0-9]' "$work/scenario.log") points"
        else
                not_ok "tests/package/installed-scenario.sh in the VM: exit $rc"
        fi
        if dpkg --purge memcage >"$work/purge.log" 2>&1; then
                ok "dpkg --purge memcage"
        else
                not_ok "dpkg --purge memcage:"
                show "$work/purge.log"
        fi
        # Left behind: the package's files (directories other packages share
        # aside), memcage's own directories, a record in dpkg's database.
        left=
        while read -r f; do
                if [ -d "$f" ] && [ ! -L "$f" ]; then
                        case $f in */memcage | */memcage/*) [ -e "$f" ] && left="$left $f" ;; esac
                elif [ -e "$f" ] || [ -L "$f" ]; then
                        left="$left $f"
                fi
        done <"$work/files"
        for d in /etc/memcage /run/memcage /var/lib/memcage /usr/share/memcage /usr/share/doc/memcage; do
                [ -e "$d" ] && left="$left $d"
        done
        dpkg-query -W -f '${db:Status-Status}' memcage 2>/dev/null | grep -qv '^not-installed$' && left="$left (dpkg: $(dpkg-query -W -f '${db:Status-Status}' memcage))"
        if [ -z "$left" ] && [ -s "$work/files" ]; then
                ok "purge left nothing of memcage ($(wc -l <"$work/files") paths of dpkg -L checked, /etc/memcage, /run/memcage)"
        else
                not_ok "purge left:${left:- no dpkg -L list to check}"
        fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
