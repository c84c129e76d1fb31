#!/bin/sh
# Installs what memcage needs on Debian 12 (bookworm), as root. Safe to run
# again: apt-get skips what is installed.
#
#   install-deps.sh          everything to build, test and benchmark (below)
#   install-deps.sh --build  only what building and running memcage needs
#                            (contrib/demo.sh: the build tools and -dev
#                            packages, cmocka and jq)
#   install-deps.sh --vm     the test VM (qemu, busybox, Debian's 6.12
#                            kernel), for the demo on a host without a usable
#                            cgroup v2 memory controller
#
# Everything:
#
#   build:      autotools, gcc, pkg-config and the -dev packages of the libraries
#               (libsystemd-dev: the sd-bus header only; libsystemd is loaded at run time)
#               (libseccomp-dev: the filter of the tty guard, src/lib/tty-guard.c)
#   tests:      cmocka, jq (reading JSON reports in the integration tests),
#               qemu + busybox + Debian's 6.1 and 6.12 kernels for the test VM,
#               cgroup-tools (cgexec, the benchmark's point of comparison),
#               strace (the system calls of a launch, counted in README's Benchmark),
#               groff-base and python3-yaml (man page warnings, workflow YAML),
#               python3-jsonschema (reports against docs/report-schema.json),
#               postgresql-15 (the server, initdb and pgbench for t-80-postgres),
#               chromium (renders the SVG chart headless in tests/render),
#               libxml2-utils and prometheus (xmllint and promtool: the JUnit
#               and metrics renderings checked in tests/render and the VM),
#               systemd, systemd-sysv, dbus, dbus-user-session, libpam-systemd
#               (systemd as PID 1 in the VM, with user managers: tests/vm/run-vm
#               --systemd boots the host's own), crun and systemd-container
#               (containers in that VM), attr (getfattr: systemd's delegation mark),
#               slurmctld, slurmd, slurm-client and munge (Slurm 22.05: a one-node
#               cluster in that VM for s-30-slurm; their own units are disabled,
#               the test starts the daemons itself with its own configuration)
#   fuzzing:    clang and libclang-rt-14-dev (libFuzzer, for tests/fuzz)
#   completion: zsh and fish (the generated completions parsed and run, tests/completion)
#   cross:      arm64 and s390x as foreign architectures, their cross toolchains, the
#               :arm64/:s390x -dev packages and qemu-user-static: contrib/cross-test.sh
#               builds memcage for each and runs its unit tests under qemu-user
#   packages:   debhelper, dpkg-dev and fakeroot (dpkg-buildpackage of debian/),
#               lintian, autopkgtest (debian/tests on the host), rpm and rpmlint
#               (rpmbuild of contrib/memcage.spec): contrib/test-package.sh
set -eu

if [ "$(id -u)" != 0 ]; then
        echo "install-deps.sh: run as root (apt-get needs it)" >&2
        exit 1
fi

export DEBIAN_FRONTEND=noninteractive
build_packages="autoconf automake make gcc libc6-dev pkg-config \
        libcgroup-dev libcap-dev libinih-dev libjansson-dev libsystemd-dev libseccomp-dev \
        libcmocka-dev jq"
vm_packages="qemu-system-x86 busybox-static cpio xz-utils kmod linux-image-6.12-amd64"

# linux-image-6.12-amd64 comes from bookworm-security, which Debian 12 enables
# by default; say so clearly if a trimmed sources.list lacks it.
need_612() {
        if ! apt-cache show linux-image-6.12-amd64 >/dev/null 2>&1; then
                echo "install-deps.sh: linux-image-6.12-amd64 is not available: enable bookworm-security in /etc/apt/sources.list" >&2
                exit 1
        fi
}

case ${1:-} in
--build | --vm)
        apt-get update -qq
        if [ "$1" = --vm ]; then
                need_612
                # shellcheck disable=SC2086 # a list of package names
                apt-get install -y -qq --no-install-recommends $vm_packages >/dev/null
        else
                # shellcheck disable=SC2086 # a list of package names
                apt-get install -y -qq --no-install-recommends $build_packages >/dev/null
        fi
        echo "install-deps.sh: the packages for $1 are installed"
        exit 0
        ;;
"") ;;
*)
        echo "install-deps.sh: unknown option '$1' (--build, --vm, or none for everything)" >&2
        exit 2
        ;;
esac

apt-get update -qq
need_612

apt-get install -y -qq --no-install-recommends \
        autoconf automake make gcc libc6-dev pkg-config \
        libcgroup-dev libcap-dev libinih-dev libjansson-dev \
        libcmocka-dev libsystemd-dev libseccomp-dev jq cgroup-tools strace \
        qemu-system-x86 busybox-static cpio xz-utils kmod \
        linux-image-amd64 linux-image-6.12-amd64 \
        python3 python3-yaml python3-jsonschema groff-base attr clang-format postgresql-15 \
        clang libclang-rt-14-dev \
        chromium libxml2-utils prometheus \
        systemd systemd-sysv dbus dbus-user-session libpam-systemd crun systemd-container \
        slurmctld slurmd slurm-client munge \
        zsh fish qemu-user-static debhelper dpkg-dev fakeroot lintian autopkgtest rpm rpmlint >/dev/null
# Their packages enable prometheus (promtool is all the tests use), munge,
# slurmctld and slurmd at boot, which the test VM (booting this root) must not do.
systemctl disable --quiet prometheus.service munge.service slurmctld.service slurmd.service 2>/dev/null || true

# Cross builds (contrib/cross-test.sh): a little-endian and a big-endian
# 64-bit machine. No libsystemd-dev:ARCH: memcage needs the sd-bus header
# alone (libsystemd is loaded at run time), the cross compilers read it from
# the native package in /usr/include, and bookworm-security (where the
# native liblzma5 and libzstd1 it would need at the same version come from)
# carries no s390x.
cross_arches="arm64 s390x"
for arch in $cross_arches; do
        dpkg --add-architecture "$arch"
done
apt-get update -qq
for arch in $cross_arches; do
        apt-get install -y -qq --no-install-recommends "crossbuild-essential-$arch" \
                "libcgroup-dev:$arch" "libcap-dev:$arch" "libinih-dev:$arch" "libjansson-dev:$arch" \
                "libcmocka-dev:$arch" "libseccomp-dev:$arch" >/dev/null
done
echo "install-deps.sh: all build and test dependencies are installed"
