#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_kube_serve.sh - `migguard serve --kubeconfig` against tests/cluster/fake_apiserver.py
# on 127.0.0.1: /readyz is 503 until the first lists arrive and 200 after, /metrics
# carries the watcher's counters, a watched VMI changes a review's verdict (MIG002),
# and SIGTERM stops it promptly. Usage: test_kube_serve.sh MIGGUARD SRCDIR
set -u
bin=${1:?usage: test_kube_serve.sh MIGGUARD SRCDIR}
src=${2:?usage: test_kube_serve.sh MIGGUARD SRCDIR}
tmp=$(mktemp -d)
fake_pid="" serve_pid=""
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
    [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
    exec 3>&- 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/serve.err" ] && sed 's/^/  serve: /' "$tmp/serve.err"; exit 1; }
command -v python3 >/dev/null || fail "python3 is needed for the fake API server"
command -v curl >/dev/null || fail "curl is needed"

"$bin" certs create --out "$tmp/certs" --dns localhost --ip 127.0.0.1 >/dev/null 2>&1 ||
    fail "migguard certs create"
mkfifo "$tmp/ctl"
python3 "$src/tests/cluster/fake_apiserver.py" --hold --max-seconds 60 <"$tmp/ctl" >"$tmp/fake.out" 2>&1 &
fake_pid=$!
exec 3>"$tmp/ctl"
for _ in $(seq 100); do grep -q '^PORT' "$tmp/fake.out" && break; sleep 0.1; done
port=$(awk '/^PORT/{print $2}' "$tmp/fake.out")
[ -n "$port" ] || fail "the fake API server did not start"
cat >"$tmp/kubeconfig" <<KC
current-context: fake
contexts:
- {name: fake, context: {cluster: fake, user: tester}}
clusters:
- {name: fake, cluster: {server: "http://127.0.0.1:$port"}}
users:
- {name: tester, user: {token: test-token}}
KC

"$bin" serve --listen 127.0.0.1:0 --tls-cert "$tmp/certs/tls.crt" --tls-key "$tmp/certs/tls.key" \
    --kubeconfig "$tmp/kubeconfig" 2>"$tmp/serve.err" &
serve_pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$tmp/serve.err" && break; sleep 0.1; done
sport=$(grep -o 'https://127.0.0.1:[0-9]*' "$tmp/serve.err" | head -1 | cut -d: -f3)
[ -n "$sport" ] || fail "migguard serve did not start"
get() { curl -s -o "$tmp/body" -w '%{http_code}' --max-time 5 --cacert "$tmp/certs/ca.crt" "https://127.0.0.1:$sport$1"; }

[ "$(get /readyz)" = 503 ] || fail "/readyz is not 503 before the first list"
[ "$(get /healthz)" = 200 ] || fail "/healthz is not 200 while not ready"
echo '{"op":"release"}' >&3
code=""
for _ in $(seq 100); do code=$(get /readyz); [ "$code" = 200 ] && break; sleep 0.1; done
[ "$code" = 200 ] || fail "/readyz did not become 200 after the lists (last: $code)"
get /metrics >/dev/null
grep -q '^migguard_kube_ready 1' "$tmp/body" || fail "/metrics lacks migguard_kube_ready 1"
grep -q '^migguard_kube_lists_total{kind="VirtualMachineInstance"} 1' "$tmp/body" ||
    fail "/metrics lacks the VMI list count"

review='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
"kind":{"group":"kubevirt.io","version":"v1","kind":"VirtualMachineInstanceMigration"},
"resource":{"group":"kubevirt.io","version":"v1","resource":"virtualmachineinstancemigrations"},
"namespace":"ns-a","operation":"CREATE","object":{"apiVersion":"kubevirt.io/v1",
"kind":"VirtualMachineInstanceMigration","metadata":{"name":"m1","namespace":"ns-a"},
"spec":{"vmiName":"vmi-1"}}}}'
post() { curl -s --max-time 5 --cacert "$tmp/certs/ca.crt" -H 'Content-Type: application/json' \
    --data-binary "$review" "https://127.0.0.1:$sport/validate"; }
# The view knows VMIs (listed, none yet): a migration of a missing VMI is MIG002.
post | grep -q 'MIG002' || fail "no MIG002 for a VMI the watched view does not have"
echo '{"op":"add","res":"virtualmachineinstances","obj":{"metadata":{"name":"vmi-1","namespace":"ns-a"},"spec":{},"status":{"phase":"Running","nodeName":"n1"}}}' >&3
ok=""
for _ in $(seq 100); do post | grep -q 'MIG002' || { ok=1; break; }; sleep 0.1; done
[ -n "$ok" ] || fail "the watched VMI did not reach the engine within 10 s"

kill -TERM "$serve_pid"
for _ in $(seq 150); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$serve_pid" 2>/dev/null && fail "migguard serve did not stop within 15 s of SIGTERM"
wait "$serve_pid"; rc=$?
serve_pid=""
[ $rc -eq 0 ] || fail "migguard serve exited $rc"
echo '{"op":"quit"}' >&3
echo "kube serve: passed"
