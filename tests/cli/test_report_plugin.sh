#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_report_plugin.sh - `migguard report` from the live API, and as a kubectl plugin:
# `cmake --install` puts migguard, kubectl-migguard and oc-migguard in PREFIX/bin; the
# real kubectl runs `kubectl migguard report` against tests/cluster/fake_apiserver.py on
# 127.0.0.1 serving a generated cluster, with kubectl's kubeconfig rules (--context,
# $KUBECONFIG, ~/.kube/config, --kubeconfig) and -n; each answer equals the report of
# the same objects read with --state. An API that does not answer ends in exit 2.
# Usage: test_report_plugin.sh MIGGUARD SRCDIR
set -u
mg=${1:?usage: test_report_plugin.sh MIGGUARD SRCDIR}
src=${2:?usage: test_report_plugin.sh MIGGUARD SRCDIR}
tmp=$(mktemp -d)
fake_pid=""
trap '[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
passed=0
bad() { echo "FAIL: $*"; fail=1; }

if ! command -v kubectl >/dev/null; then
    echo "kubectl is needed (Debian package kubernetes-client; scripts/deps.sh test)"; exit 1
fi

# 1. The install: the binary and the two plugin names.
build=$(cd "$(dirname "$mg")/.." && pwd)
cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1 || {
    cat "$tmp/install.log"; bad "cmake --install failed"; exit 1; }
for b in migguard kubectl-migguard oc-migguard; do
    [ -x "$tmp/prefix/bin/$b" ] || bad "PREFIX/bin/$b is not installed"
done
export PATH="$tmp/prefix/bin:$PATH"

# 2. A generated cluster served by the fake API server.
python3 "$src/tests/cli/gen_report_state.py" "$tmp/state" 400 20 >/dev/null || exit 1
python3 "$src/tests/cluster/fake_apiserver.py" --serve-dir "$tmp/state" --no-stdin \
    --max-seconds 120 >"$tmp/fake.out" 2>"$tmp/fake.err" &
fake_pid=$!
for _ in $(seq 200); do grep -q '^PORT' "$tmp/fake.out" && break; sleep 0.1; done
port=$(awk '/^PORT/{print $2}' "$tmp/fake.out")
[ -n "$port" ] || { cat "$tmp/fake.err"; bad "the fake API server did not start"; exit 1; }
# The current context points at nothing: only --context fake reaches the server.
kc() { # FILE CURRENT
    cat >"$1" <<KC
apiVersion: v1
kind: Config
current-context: $2
contexts:
- {name: fake, context: {cluster: fake, user: tester}}
- {name: nowhere, context: {cluster: nowhere, user: tester}}
clusters:
- {name: fake, cluster: {server: "http://127.0.0.1:$port"}}
- {name: nowhere, cluster: {server: "http://127.0.0.1:1"}}
users:
- {name: tester, user: {token: test-token}}
KC
}
kc "$tmp/kc-nowhere" nowhere
mkdir -p "$tmp/home/.kube"
kc "$tmp/home/.kube/config" fake

# same NAME WANT-RC CMD...: CMD's JSON equals the --state report of the same arguments.
same() {
    local name=$1 want=$2; shift 2
    local rc
    "$@" >"$tmp/got.json" 2>"$tmp/got.err"; rc=$?
    if [ $rc -ne "$want" ]; then
        bad "$name: exit $rc, want $want: $(head -3 "$tmp/got.err")"; return
    fi
    if ! python3 - "$tmp/want.json" "$tmp/got.json" <<'EOF'
import json, sys
want, got = (json.load(open(p)) for p in sys.argv[1:3])
if want != got:
    print("differs from the --state report:", json.dumps(got)[:400])
    sys.exit(1)
EOF
    then bad "$name"; else passed=$((passed + 1)); fi
}

"$mg" report --state "$tmp/state" --node node-005 --node node-015 -o json >"$tmp/want.json"
want_rc=$?
[ $want_rc -eq 3 ] || bad "the --state drain report exits $want_rc, want 3"
same "kubectl migguard report --context fake" 3 env KUBECONFIG="$tmp/kc-nowhere" \
    kubectl migguard report --context fake --node node-005 --node node-015 -o json
same "kubectl migguard with ~/.kube/config" 3 env -u KUBECONFIG HOME="$tmp/home" \
    kubectl migguard report --node node-005 --node node-015 -o json
same "kubectl migguard --kubeconfig" 3 env -u KUBECONFIG kubectl migguard report \
    --kubeconfig "$tmp/home/.kube/config" --node node-005 --node node-015 -o json
same "oc-migguard with \$KUBECONFIG (a list)" 3 env KUBECONFIG="$tmp/none:$tmp/home/.kube/config" \
    oc-migguard report --node node-005 --node node-015 -o json

"$mg" report --state "$tmp/state" -n ns-05 -o json >"$tmp/want.json"
want_rc=$?
same "kubectl migguard report -n ns-05" $want_rc env KUBECONFIG="$tmp/home/.kube/config" \
    kubectl migguard report -n ns-05 -o json
python3 -c "
import json, sys
d = json.load(open('$tmp/got.json'))
ns = {i['namespace'] for i in d['items'] + d['stoppedVMs']}
sys.exit(0 if ns == {'ns-05'} else 1)" || bad "-n ns-05 lists other namespaces"

# 3. The text form through kubectl, and an API that never answers.
env KUBECONFIG="$tmp/home/.kube/config" kubectl migguard report --node node-005 >"$tmp/text" 2>&1
grep -q '^Drain of node-005: ' "$tmp/text" || bad "kubectl migguard text: $(tail -3 "$tmp/text")"
env KUBECONFIG="$tmp/kc-nowhere" kubectl migguard report --timeout 2 >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc -ne 2 ] || ! grep -q "did not answer every list within 2 s" "$tmp/err"; then
    bad "an unreachable API: exit $rc, $(tail -2 "$tmp/err")"
else passed=$((passed + 1)); fi
env KUBECONFIG="$tmp/home/.kube/config" kubectl migguard report --context prod >/dev/null \
    2>"$tmp/err"; rc=$?
if [ $rc -ne 2 ] || ! grep -q 'context "prod" is not in contexts' "$tmp/err"; then
    bad "an unknown --context: exit $rc, $(cat "$tmp/err")"
else passed=$((passed + 1)); fi

# 4. The plugin's help says how it was called, with the options lined up under it.
kubectl migguard report --help >"$tmp/help" 2>&1
if head -1 "$tmp/help" | grep -q '^usage: kubectl migguard report \[--node NAME\]' &&
    sed -n 2p "$tmp/help" | grep -q '^                               \[--state DIR' &&
    kubectl migguard --help 2>&1 | head -1 | grep -q '^usage: kubectl migguard COMMAND'; then
    passed=$((passed + 1))
else bad "kubectl migguard --help: $(head -2 "$tmp/help")"; fi

if [ $fail -ne 0 ]; then echo "report plugin: FAILED"; exit 1; fi
echo "report plugin: $passed passed, 0 failed"
