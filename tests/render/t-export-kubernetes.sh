#!/bin/bash
# tests/render/t-export-kubernetes.sh: what memcage export --to kubernetes
# writes is valid to Kubernetes' own OpenAPI schemas. The npm package
# kubernetes-models (v5) validates (new Job(obj).validate(), via
# tests/validate-kubernetes.mjs); it is installed into a cache directory when
# absent ($MEMCAGE_NPM_DIR, default ~/.cache/memcage/npm). Exported Jobs
# (every mapped key; exact bytes and Mi quantities; a container fragment
# put into a Job) must be valid, broken copies ("64 Mi", limits as a list)
# must be rejected, so the validator is seen to work. Prints TAP; skips
# without node and npm.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
srcdir=${MEMCAGE_SRCDIR:-$here/../..}
memcage=${MEMCAGE:-${MEMCAGE_BUILDDIR:-.}/memcage}
validate=$srcdir/tests/validate-kubernetes.mjs
npm_dir=${MEMCAGE_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/memcage/npm}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memcage-k8s.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "1..0 # SKIP node and npm are needed (Node.js 20 or later)"
        exit 0
fi
if [ ! -e "$npm_dir/node_modules/kubernetes-models/batch/v1/index.js" ]; then
        mkdir -p -- "$npm_dir"
        if ! npm install --prefix "$npm_dir" --no-audit --no-fund --loglevel=error kubernetes-models@5 >"$tmp/npm.log" 2>&1; then
                echo "not ok 1 - npm install kubernetes-models@5 into $npm_dir failed"
                sed 's/^/# /' "$tmp/npm.log"
                echo "1..1"
                exit 1
        fi
fi

# Every key Kubernetes takes, sizes that are not whole MiB, a percentage.
cat >"$tmp/full.ini" <<'INI'
[memory]
max = 25%
min = 1000000
high = 48M
swap.max = 0
oom.group = yes
[hugetlb]
2MB.max = 8M
1GB.max = 1G
[run]
user = 0
group = 0
groups = 0
capabilities = CAP_IPC_LOCK
no_new_privs = yes
cwd = /srv
env = A=1
env = B=two words
INI
printf '[memory]\nmax = 64M\nlow = 10000000\n' >"$tmp/small.ini"
# A user by name and capabilities, no no_new_privs key: memcage run sets it, and so must the Job.
printf '[memory]\nmax = 64M\n[run]\nuser = root\ncapabilities = CAP_IPC_LOCK\nallow_root = yes\n' >"$tmp/implied.ini"

export_job() { # NAME INI [ARGS...]
        local name=$1 ini=$2
        shift 2
        "$memcage" export --to kubernetes --command --image docker.io/library/debian:12 "$@" "$ini" \
                -- sh -c 'echo $A' >"$tmp/$name.json" 2>"$tmp/$name.err"
}

if export_job full "$tmp/full.ini" --name "Full_Profile"; then
        ok "export of a full profile"
else
        not_ok "export of a full profile: $(cat "$tmp/full.err")"
fi
export_job small "$tmp/small.ini" && ok "export of a small profile" || not_ok "export of a small profile"
export_job implied "$tmp/implied.ini" && ok "export of a profile with a user by name" ||
        not_ok "export of a profile with a user by name: $(cat "$tmp/implied.err")"
# The container fragment (no --command), put into a Job as a user would.
"$memcage" export --to kubernetes "$tmp/small.ini" >"$tmp/fragment.json" 2>"$tmp/fragment.err" &&
        [ -s "$tmp/fragment.json" ] && ok "export of a container" || not_ok "export of a container"
jq '.spec.template.spec.containers = [$c[0] + {image: "debian:12", command: ["true"]}]' \
        --slurpfile c "$tmp/fragment.json" "$tmp/small.json" >"$tmp/pasted.json"

for f in full small pasted implied; do
        [ -s "$tmp/$f.json" ] || { not_ok "$f.json is empty"; continue; }
        if out=$(node "$validate" "$npm_dir" "$tmp/$f.json" 2>&1); then
                ok "Kubernetes' schema accepts $f.json"
        else
                not_ok "Kubernetes' schema rejects $f.json: $out"
        fi
done

# What was exported is what the profile said, in exact quantities.
c='.spec.template.spec.containers[0]'
check() { # WHAT FILE JQ EXPECTED
        local got
        got=$(jq -r "$3" "$tmp/$2.json")
        if [ "$got" = "$4" ]; then ok "$1: $got"; else not_ok "$1: got '$got', expected '$4'"; fi
}
check "name made DNS-1123" full '.metadata.name' full-profile
check "requests.memory from min, exact bytes, a page down" full "$c.resources.requests.memory" 999424
check "requests.memory from low" small "$c.resources.requests.memory" 9998336
check "limits.memory in Mi" small "$c.resources.limits.memory" 64Mi
check "hugepages-2Mi limits" full "$c.resources.limits[\"hugepages-2Mi\"]" 8Mi
check "hugepages-2Mi requests = limits" full "$c.resources.requests[\"hugepages-2Mi\"]" 8Mi
check "hugepages-1Gi" full "$c.resources.limits[\"hugepages-1Gi\"]" 1Gi
check "capabilities.add" full "$c.securityContext.capabilities.add | join(\",\")" IPC_LOCK
check "capabilities.drop" full "$c.securityContext.capabilities.drop | join(\",\")" ALL
check "allowPrivilegeEscalation" full "$c.securityContext.allowPrivilegeEscalation" false
check "runAsUser" full "$c.securityContext.runAsUser" 0
check "allowPrivilegeEscalation implied by a user" implied "$c.securityContext.allowPrivilegeEscalation" false
if grep -q "user = root: runAsUser 0 (and runAsGroup 0, its group) is this host's number for 'root'" "$tmp/implied.err"; then
        ok "a uid resolved on this host warned"
else
        not_ok "a uid resolved on this host not warned: $(cat "$tmp/implied.err")"
fi
if grep -q "runAsUser.*this host's number" "$tmp/full.err"; then
        not_ok "a numeric user warned as resolved on this host"
else
        ok "a numeric user not warned as resolved on this host"
fi
check "supplementalGroups" full '.spec.template.spec.securityContext.supplementalGroups | join(",")' 0
check "env" full "$c.env[1].value" "two words"
check "the percentage said in an annotation" full '.metadata.annotations["memcage.org/resolved-memory.max"] | test("^max = 25% of this host")' true
if grep -q "high = 48M: Kubernetes has no memory.high" "$tmp/full.err" &&
        grep -q "swap.max = 0: Kubernetes sets swap per node" "$tmp/full.err"; then
        ok "high and swap.max warned"
else
        not_ok "high and swap.max not warned: $(cat "$tmp/full.err")"
fi
rc=0
"$memcage" export --to kubernetes --strict "$tmp/full.ini" >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] && ok "--strict exits 1 on what did not carry over" || not_ok "--strict exited $rc"
rc=0
"$memcage" export --to kubernetes --strict "$tmp/small.ini" >/dev/null 2>&1 || rc=$?
[ "$rc" = 0 ] && ok "--strict exits 0 when everything carried over" || not_ok "--strict exited $rc on small.ini"

# The validator rejects what Kubernetes would: it is seen to work.
broken=(
        "a quantity with a blank|$c.resources.limits.memory = \"64 Mi\""
        "limits as a list|$c.resources.limits = [\"64Mi\"]"
        "a quantity with an unknown unit|$c.resources.requests.memory = \"64MB\""
        "runAsUser as a string|$c.securityContext.runAsUser = \"root\""
)
for b in "${broken[@]}"; do
        what=${b%%|*} expr=${b#*|}
        jq "$expr" "$tmp/small.json" >"$tmp/broken.json"
        if out=$(node "$validate" "$npm_dir" "$tmp/broken.json" 2>&1); then
                not_ok "Kubernetes' schema accepts a broken manifest ($what)"
        else
                ok "Kubernetes' schema rejects $what"
        fi
done
echo "1..$n"
