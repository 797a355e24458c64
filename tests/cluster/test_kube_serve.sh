#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_kube_serve.sh - `migguard serve --kubeconfig` against tests/cluster/fake_apiserver.py
# on 127.0.0.1: /readyz is 503 until the first lists arrive and 200 after, /metrics
# carries the watcher's counters, a watched VMI changes a review's verdict (MIG002),
# two watched HyperConvergeds are logged as used and ignored, and SIGTERM stops it
# promptly. Usage: test_kube_serve.sh MIGGUARD SRCDIR
set -u
MG=${1:?usage: test_kube_serve.sh MIGGUARD SRCDIR}
src=${2:?usage: test_kube_serve.sh MIGGUARD SRCDIR}
. "$src/tests/lib/serve.sh"
fake_pid=""
# The server stops first, then the fake API server; serve.sh removes $MG_TMP.
trap 'mg_serve_stop; [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; exec 3>&-;
    mg_serve_cleanup' EXIT
fail() {
    echo "FAIL: $*"
    [ -f "$MG_TMP/serve.log" ] && sed 's/^/  serve: /' "$MG_TMP/serve.log"
    exit 1
}
command -v python3 >/dev/null || fail "python3 is needed for the fake API server"
command -v curl >/dev/null || fail "curl is needed"

mkfifo "$MG_TMP/ctl"
python3 "$src/tests/cluster/fake_apiserver.py" --hold --max-seconds 60 <"$MG_TMP/ctl" \
    >"$MG_TMP/fake.out" 2>&1 &
fake_pid=$!
exec 3>"$MG_TMP/ctl"
for _ in $(seq 100); do grep -q '^PORT' "$MG_TMP/fake.out" && break; sleep 0.1; done
port=$(awk '/^PORT/{print $2}' "$MG_TMP/fake.out")
[ -n "$port" ] || fail "the fake API server did not start"
cat >"$MG_TMP/kubeconfig" <<KC
current-context: fake
contexts:
- {name: fake, context: {cluster: fake, user: tester}}
clusters:
- {name: fake, cluster: {server: "http://127.0.0.1:$port"}}
users:
- {name: tester, user: {token: test-token}}
KC

# --resync 5: every kind is listed again 5 s after its last list (checked at the end).
mg_serve_start --kubeconfig "$MG_TMP/kubeconfig" --resync 5
get() {
    curl -s -o "$MG_TMP/body" -w '%{http_code}' --max-time 5 --cacert "$MG_TMP/certs/ca.crt" \
        "$MG_BASE$1"
}

[ "$(get /readyz)" = 503 ] || fail "/readyz is not 503 before the first list"
[ "$(get /healthz)" = 200 ] || fail "/healthz is not 200 while not ready"
echo '{"op":"release"}' >&3
code=""
for _ in $(seq 100); do code=$(get /readyz); [ "$code" = 200 ] && break; sleep 0.1; done
[ "$code" = 200 ] || fail "/readyz did not become 200 after the lists (last: $code)"
# Once every kind is listed, the list thread goes below reviews (docs/view.md).
srv=$(pgrep -P "$MG_PID" migguard || echo "$MG_PID")
relist=""
for _ in $(seq 50); do
    for t in /proc/"$srv"/task/*; do
        [ "$(cat "$t/comm" 2>/dev/null)" = mg-relist ] && relist=${t##*/}
    done
    [ -n "$relist" ] && chrt -p "$relist" 2>/dev/null | grep -q SCHED_IDLE && break
    sleep 0.1
done
chrt -p "$relist" 2>/dev/null | grep -q SCHED_IDLE ||
    fail "the list thread ($relist) is not in the idle class after the lists: $(chrt -p "$relist" 2>&1)"
get /metrics >/dev/null
grep -q '^migguard_kube_ready 1' "$MG_TMP/body" || fail "/metrics lacks migguard_kube_ready 1"
grep -q '^migguard_kube_lists_total{kind="VirtualMachineInstance"} 1' "$MG_TMP/body" ||
    fail "/metrics lacks the VMI list count"

review='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
"kind":{"group":"kubevirt.io","version":"v1","kind":"VirtualMachineInstanceMigration"},
"resource":{"group":"kubevirt.io","version":"v1","resource":"virtualmachineinstancemigrations"},
"namespace":"ns-a","operation":"CREATE","object":{"apiVersion":"kubevirt.io/v1",
"kind":"VirtualMachineInstanceMigration","metadata":{"name":"m1","namespace":"ns-a"},
"spec":{"vmiName":"vmi-1"}}}}'
post() { curl -s --max-time 5 --cacert "$MG_TMP/certs/ca.crt" -H 'Content-Type: application/json' \
    --data-binary "$review" "$MG_BASE/validate"; }
# The view knows VMIs (listed, none yet): a migration of a missing VMI is MIG002.
post | grep -q 'MIG002' || fail "no MIG002 for a VMI the watched view does not have"
echo '{"op":"add","res":"virtualmachineinstances","obj":{"metadata":{"name":"vmi-1","namespace":"ns-a"},"spec":{},"status":{"phase":"Running","nodeName":"n1"}}}' >&3
ok=""
for _ in $(seq 100); do post | grep -q 'MIG002' || { ok=1; break; }; sleep 0.1; done
[ -n "$ok" ] || fail "the watched VMI did not reach the engine within 10 s"

# The resync lists every kind again, built aside and swapped in: the VMI stays known.
relisted=""
for _ in $(seq 150); do
    get /metrics >/dev/null
    grep -q '^migguard_kube_relists_total{kind="VirtualMachineInstance"} [1-9]' "$MG_TMP/body" &&
        { relisted=1; break; }
    sleep 0.1
done
[ -n "$relisted" ] || fail "--resync 5 did not list the VMIs again within 15 s"
post | grep -q 'MIG002' && fail "the VMI was lost by the resync's relist"

# Two HyperConvergeds arrive through the watch: the log names the one the migration
# settings come from and the one ignored (RULES.md 9.3), as --state does at start.
echo '{"op":"add","res":"hyperconvergeds","obj":{"metadata":{"name":"other","namespace":"aaa"},"spec":{}}}' >&3
echo '{"op":"add","res":"hyperconvergeds","obj":{"metadata":{"name":"kubevirt-hyperconverged","namespace":"openshift-cnv"},"spec":{}}}' >&3
noted=""
for _ in $(seq 150); do
    grep -q 'from openshift-cnv/kubevirt-hyperconverged (RULES.md 9.3); ignored: aaa/other' \
        "$MG_TMP/serve.log" && { noted=1; break; }
    sleep 0.1
done
[ -n "$noted" ] || fail "the log does not name the watched HyperConverged used and the one ignored"

# $MG_PID is timeout(1): it passes the TERM on, and its exit status is the server's.
kill -TERM "$MG_PID"
mg_serve_wait 15 || fail "migguard serve did not stop within 15 s of SIGTERM"
[ "$MG_RC" -eq 0 ] || fail "migguard serve exited $MG_RC"
echo '{"op":"quit"}' >&3
echo "kube serve: passed"
