#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_report_metrics.sh - the drain answer in the server's /metrics: `serve --state` of
# a generated cluster with --drain-metrics 1 exports migguard_drain_blockers{node} and
# migguard_vmis_not_migratable{namespace,reason}, whose every sample equals the count
# of the same question in `migguard report -o json` (a VMI that would block its node's
# drain; a determined reason of a running VMI); the fixed state gives exact samples;
# reviews are answered while the passes run; a period that finds the view unchanged
# runs no pass (skipped_total grows, passes_total stays); SIGHUP's new view shows in a
# later pass;
# the alerts of deploy/monitoring/prometheusrule.yaml use only exported metrics, and its
# ServiceMonitor selects the Service's metrics port.
# Runs under TSan too (the pass thread against reviews and the reload).
# Usage: test_report_metrics.sh MIGGUARD SRCDIR
set -u
MG=${1:?usage: test_report_metrics.sh MIGGUARD SRCDIR}
src=${2:?usage: test_report_metrics.sh MIGGUARD SRCDIR}
. "$src/tests/lib/serve.sh"
here="$src/tests/cli"

metrics() { mg_curl -o "$MG_TMP/metrics" "$MG_BASE/metrics" || return 1; }
# Wait for a pass after the given count of passes (migguard_drain_analysis_vmis shows up).
wait_pass() { # PATTERN
    for _ in $(seq 1 150); do
        metrics && grep -q "$1" "$MG_TMP/metrics" && return 0
        sleep 0.2
    done
    return 1
}

# 1. The fixed state: postgres (databases, worker-1) blocks; web-1 does not.
cp -r "$here/report/state" "$MG_TMP/state"
mg_serve_start --state "$MG_TMP/state" --drain-metrics 1
if wait_pass '^migguard_drain_analysis_vmis 2$'; then mg_ok "a pass over the 2 VMIs"; else
    mg_fail "no pass: $(grep drain "$MG_TMP/metrics" | head -5)"; fi
for want in 'migguard_drain_blockers{node="worker-1"} 1' \
    'migguard_vmis_not_migratable{namespace="databases",reason="VM001"} 1' \
    'migguard_vmis_not_migratable{namespace="databases",reason="VM003"} 1' \
    'migguard_vmis_not_migratable{namespace="databases",reason="MIG003"} 1' \
    '# TYPE migguard_drain_blockers gauge'; do
    if grep -qxF "$want" "$MG_TMP/metrics"; then mg_ok "$want"; else mg_fail "no line: $want"; fi
done
if grep -q 'worker-0\|web-servers' "$MG_TMP/metrics"; then
    mg_fail "web-1 (migratable) is counted: $(grep 'worker-0\|web-servers' "$MG_TMP/metrics")"
else mg_ok "web-1 is not counted"; fi

# The alerts of deploy/monitoring use only metrics the server exports.
if python3 - "$src/deploy/monitoring/prometheusrule.yaml" "$MG_TMP/metrics" <<'EOF'
import re, sys, yaml
rule = yaml.safe_load(open(sys.argv[1]))
have = {l.split()[2] for l in open(sys.argv[2]) if l.startswith("# TYPE ")}
exprs = [r["expr"] for g in rule["spec"]["groups"] for r in g["rules"]]
used = {m for e in exprs for m in re.findall(r"\bmigguard_[a-z_]+", e)}
missing = used - have
print("alerts use metrics the server does not export: %s" % sorted(missing) if missing else "")
sys.exit(1 if missing or not used else 0)
EOF
then mg_ok "the PrometheusRule's metrics are exported"; else mg_fail "PrometheusRule"; fi
# The ServiceMonitor scrapes a port of deploy/base's Service, whose labels it selects.
if python3 - "$src/deploy/monitoring/servicemonitor.yaml" "$src/deploy/base/service.yaml" <<'EOF'
import sys, yaml
sm, svc = (yaml.safe_load(open(p)) for p in sys.argv[1:3])
want = sm["spec"]["selector"]["matchLabels"]
labels = svc["metadata"].get("labels", {})
ports = {p.get("name") for p in svc["spec"]["ports"]}
ok = all(labels.get(k) == v for k, v in want.items()) and \
    all(e["port"] in ports for e in sm["spec"]["endpoints"])
print("" if ok else f"ServiceMonitor {want} {sm['spec']['endpoints']} vs Service {labels} {ports}")
sys.exit(0 if ok else 1)
EOF
then mg_ok "the ServiceMonitor selects the Service's metrics port"; else mg_fail "ServiceMonitor"; fi

# An unchanged view: the next periods skip the pass.
count() { sed -n "s/^$1 \([0-9]*\)$/\1/p" "$MG_TMP/metrics"; }
metrics
passes=$(count migguard_drain_analysis_passes_total)
for _ in $(seq 1 150); do
    metrics && [ "$(count migguard_drain_analysis_skipped_total)" -ge 2 ] && break
    sleep 0.2
done
if [ "$(count migguard_drain_analysis_skipped_total)" -ge 2 ] &&
    [ "$(count migguard_drain_analysis_passes_total)" = "$passes" ] && [ "$passes" -ge 1 ]; then
    mg_ok "an unchanged view is not walked again ($passes pass, $(count migguard_drain_analysis_skipped_total) skipped)"
else mg_fail "passes $passes -> $(count migguard_drain_analysis_passes_total), skipped $(count migguard_drain_analysis_skipped_total)"; fi

# 2. SIGHUP with postgres on masquerade and a RWX volume: the next pass counts nothing.
sed -i 's/interfaces: \[{name: default, bridge: {}}\]/interfaces: [{name: default, masquerade: {}}]/' \
    "$MG_TMP/state/10-workloads.yaml"
sed -i 's/accessModes: \[ReadWriteOnce\]/accessModes: [ReadWriteMany]/' "$MG_TMP/state/00-cluster.yaml"
# KubeVirt's condition goes with the bridge.
sed -i 's/    status: "False"/    status: "True"/' "$MG_TMP/state/10-workloads.yaml"
kill -HUP "$(pgrep -P "$MG_PID" migguard || echo "$MG_PID")" 2>/dev/null
for _ in $(seq 1 150); do
    metrics && ! grep -q '^migguard_drain_blockers{' "$MG_TMP/metrics" && break
    sleep 0.2
done
if grep -q '^migguard_drain_blockers{\|^migguard_vmis_not_migratable{' "$MG_TMP/metrics"; then
    mg_fail "after the reload: $(grep -v '^#' "$MG_TMP/metrics" | grep 'drain_blockers{\|not_migratable{')"
    grep -i 'reload\|error' "$MG_TMP/serve.log" | head -3
else mg_ok "the reloaded view has no blocker"; fi
if [ "$(count migguard_drain_analysis_passes_total)" -gt "$passes" ]; then
    mg_ok "the reloaded view got a pass"
else mg_fail "no pass after the reload: $(count migguard_drain_analysis_passes_total)"; fi
mg_serve_stop

# 3. The generated cluster: every sample against the report's own answer, with reviews
#    sent while the passes run.
python3 "$here/gen_report_state.py" "$MG_TMP/big" 3000 60 >/dev/null || exit 1
"$MG" report --state "$MG_TMP/big" -o json >"$MG_TMP/report.json"
mg_serve_start --state "$MG_TMP/big" --drain-metrics 1
review='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
"kind":{"group":"kubevirt.io","version":"v1","kind":"VirtualMachineInstanceMigration"},
"resource":{"group":"kubevirt.io","version":"v1","resource":"virtualmachineinstancemigrations"},
"namespace":"ns-00","operation":"CREATE","userInfo":{"username":"admin"},
"object":{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstanceMigration",
"metadata":{"name":"m1","namespace":"ns-00"},"spec":{"vmiName":"vm-00000"}}}}'
answered=0
for _ in $(seq 1 20); do
    out=$(mg_curl -H 'Content-Type: application/json' --data "$review" "$MG_BASE/validate")
    case "$out" in *'"uid":"u-1"'*) answered=$((answered + 1)) ;; esac
done
[ $answered -eq 20 ] && mg_ok "reviews answered during the passes" || mg_fail "$answered of 20 reviews"
if wait_pass '^migguard_drain_analysis_vmis 600$'; then mg_ok "a pass over 600 VMIs"; else
    mg_fail "no full pass: $(grep analysis "$MG_TMP/metrics")"; fi
if python3 - "$MG_TMP/report.json" "$MG_TMP/metrics" <<'EOF'
import collections, json, re, sys
doc = json.load(open(sys.argv[1]))
want_b, want_r = collections.Counter(), collections.Counter()
for it in doc["items"]:
    if it["phase"] != "Running":
        continue
    if it["outcome"] == "block":
        want_b[it["node"]] += 1
    for rule in {r["rule"] for r in it["reasons"] if r["determined"]}:
        want_r[(it["namespace"], rule)] += 1
got_b, got_r = {}, {}
for line in open(sys.argv[2]):
    m = re.match(r'migguard_drain_blockers\{node="([^"]*)"\} (\d+)$', line)
    if m:
        got_b[m[1]] = int(m[2])
    m = re.match(r'migguard_vmis_not_migratable\{namespace="([^"]*)",reason="([^"]*)"\} (\d+)$', line)
    if m:
        got_r[(m[1], m[2])] = int(m[3])
errors = []
if got_b != dict(want_b):
    errors.append(f"blockers {sorted(got_b.items())[:5]} want {sorted(want_b.items())[:5]}")
if got_r != dict(want_r):
    errors.append(f"not migratable {sorted(got_r.items())[:5]} want {sorted(want_r.items())[:5]}")
if not want_b or not want_r:
    errors.append("the generated view has no blocker")
print("\n".join(errors))
sys.exit(1 if errors else 0)
EOF
then mg_ok "every sample equals the report's count"; else mg_fail "samples differ from the report"; fi
mg_serve_stop
if [ "$MG_FAILS" -ne 0 ]; then
    echo "report metrics: $MG_FAILS FAILED"; exit 1
fi
echo "report metrics: passed"
