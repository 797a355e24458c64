#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_report.sh - `migguard report`, the drain question: a fixed small state whose JSON
# and text equal tests/cli/report/expected.{json,txt} (exit 3: a VMI blocks); the drain
# of one node; YAML equal to the JSON; usage errors; a generated cluster of 5,000 VMs and
# 100 nodes (cordoned, tainted, GPU nodes, host-model CPUs, policies, every outcome) whose items are
# checked one by one against the generator's rules, and the drain of two of its nodes;
# the text at 80 columns through a pty, and long names cut to fit.
# Usage: test_report.sh MIGGUARD SRCDIR
set -u
mg=${1:?usage: test_report.sh MIGGUARD SRCDIR}
src=${2:?usage: test_report.sh MIGGUARD SRCDIR}
here="$src/tests/cli"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
passed=0
ok() { passed=$((passed + 1)); }

# 1. The fixed state: byte-for-byte text, JSON equal as parsed, exit 3 (postgres blocks).
"$mg" report --state "$here/report/state" -o json >"$tmp/small.json"; rc=$?
[ $rc -eq 3 ] || { echo "report -o json: exit $rc, want 3"; fail=1; }
COLUMNS=200 "$mg" report --state "$here/report/state" >"$tmp/small.txt"; rc=$?
[ $rc -eq 3 ] || { echo "report (text): exit $rc, want 3"; fail=1; }
if ! python3 - "$here/report/expected.json" "$tmp/small.json" <<'EOF'
import json, sys
want, got = (json.load(open(p)) for p in sys.argv[1:3])
if want != got:
    print("JSON report differs from expected.json:")
    print(json.dumps(got, indent=2))
    sys.exit(1)
EOF
then fail=1; else ok; fi
# Not a tty and no COLUMNS: 80 columns, like the expected text.
if ! env -u COLUMNS "$mg" report --state "$here/report/state" | diff -u "$here/report/expected.txt" -; then
    echo "text report differs from expected.txt"; fail=1
else ok; fi

# 2. The drain of worker-0: web-1 migrates to worker-1 (worker-2 is cordoned); exit 0;
#    the YAML form is the JSON form.
"$mg" report --state "$here/report/state" --node worker-0 -o json >"$tmp/w0.json"; rc=$?
"$mg" report --state "$here/report/state" --node worker-0 -o yaml >"$tmp/w0.yaml"; rc2=$?
if [ $rc -ne 0 ] || [ $rc2 -ne 0 ]; then echo "drain of worker-0: exit $rc/$rc2, want 0"; fail=1; fi
if ! python3 - "$tmp/w0.json" "$tmp/w0.yaml" <<'EOF'
import json, sys, yaml
doc = json.load(open(sys.argv[1]))
assert yaml.safe_load(open(sys.argv[2])) == doc, "YAML differs from JSON"
assert doc["drainedNodes"] == ["worker-0"], doc["drainedNodes"]
assert [i["name"] for i in doc["items"]] == ["web-1"], doc["items"]
it = doc["items"][0]
assert it["outcome"] == "migrate" and it["targetNodes"] == 1 and it["firstTarget"] == "worker-1", it
assert it["ruledOut"] == [{"condition": "cordoned", "nodes": 1}], it["ruledOut"]
assert it["policy"] == "production" and it["settings"]["bandwidthPerMigration"] == "1Gi", it
assert it["settings"]["allowAutoConverge"] is True, it["settings"]
assert doc["stoppedVMs"] == [], "a drain lists no stopped VMs"
assert doc["summary"]["migrate"] == 1 and doc["summary"]["block"] == 0, doc["summary"]
EOF
then fail=1; else ok; fi

# 3. Usage errors exit 2 and say why.
expect_usage() { # want-text args...
    local want=$1; shift
    HOME="$tmp/nohome" KUBECONFIG= "$mg" report "$@" >/dev/null 2>"$tmp/err"; local rc=$?
    if [ $rc -ne 2 ] || ! grep -q -- "$want" "$tmp/err"; then
        echo "report $*: exit $rc, stderr: $(cat "$tmp/err") (want \"$want\")"; fail=1
    else ok; fi
}
expect_usage "no cluster to read" -o json
expect_usage "text, json or yaml" --state "$here/report/state" -o xml
expect_usage '"worker-9" is not in the view' --state "$here/report/state" --node worker-9
expect_usage "no node of 3 matches" --state "$here/report/state" --selector accelerator=tpu
expect_usage "exclude each other" --state "$here/report/state" --kubeconfig /nonexistent
expect_usage "link-gbps must be" --state "$here/report/state" --link-gbps 0
expect_usage "unexpected argument" --state "$here/report/state" worker-0
# --selector picks worker-0 and worker-2 (the GPU nodes): both VMIs... only web-1 runs there.
"$mg" report --state "$here/report/state" --selector accelerator=gpu-enabled23 -o json >"$tmp/sel.json"; rc=$?
if [ $rc -ne 0 ] || ! python3 -c "
import json,sys; d=json.load(open('$tmp/sel.json'))
sys.exit(0 if d['drainedNodes'] == ['worker-0', 'worker-2'] and [i['name'] for i in d['items']] == ['web-1'] else 1)"; then
    echo "report --selector: exit $rc"; cat "$tmp/sel.json" | head -5; fail=1
else ok; fi

# 4. The generated cluster: every VMI and stopped VM against the generator's rules.
python3 "$here/gen_report_state.py" "$tmp/big" 5000 100 >"$tmp/big-expect.json" || exit 1
start=$(date +%s.%N)
"$mg" report --state "$tmp/big" -o json >"$tmp/big.json"; rc=$?
end=$(date +%s.%N)
elapsed=$(python3 -c "print(f'{$end - $start:.3f}')")
echo "report of 5,000 VMs and 100 nodes: ${elapsed}s"
[ $rc -eq 3 ] || { echo "report exit $rc, want 3"; fail=1; }
"$mg" report --state "$tmp/big" --node node-015 --node node-010 -o json >"$tmp/drain.json"; rc=$?
[ $rc -eq 3 ] || { echo "drain report exit $rc, want 3"; fail=1; }
if ! python3 - "$tmp/big.json" "$tmp/big-expect.json" "$tmp/drain.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
exp = json.load(open(sys.argv[2]))
drain = json.load(open(sys.argv[3]))
errors = []
NODES = exp["nodes"]

def fit(kind_no, zone, j, own=None):
    """Generated node j takes a VM of kind_no in zone (cordons excluded); a host-model
    VMI (kind 1) from node own only where its model can migrate (RULES.md 9.11)."""
    if j % 50 == 2:
        return False
    if kind_no == 1 and own is not None and own % 3 == 0 and j % 3 != 0:
        return False
    if j % 25 == 1 and kind_no != 6:
        return False
    if kind_no == 6 and j % 4 != zone:
        return False
    if kind_no == 7 and j % 10 != 0:
        return False
    return True

def check(it, drained):
    i = int(it["name"][3:])
    kind_no, zone = i % 8, i % 4
    reasons = {r["rule"] for r in it["reasons"]}
    want = {3: {"VM001"}, 4: {"VM001"}, 5: {"VM001"}, 6: {"VM003"}}.get(kind_no, set())
    if reasons != want:
        errors.append(f"{it['kind']} {it['name']}: reasons {sorted(reasons)}, want {sorted(want)}")
    for r in it["reasons"]:
        if set(r) != {"rule", "message", "field", "determined", "fix"} or not r["message"] \
                or r["message"].startswith("[") or not r["fix"]:
            errors.append(f"{it['name']}: bad reason {r}")
    if (kind_no == 5) != any(not r["determined"] for r in it["reasons"]):
        errors.append(f"{it['name']}: undetermined reasons {it['reasons']}")
    evict = "None" if i % 40 == 30 else "LiveMigrate"
    if it["evictionStrategy"] != evict:
        errors.append(f"{it['name']}: evictionStrategy {it['evictionStrategy']}, want {evict}")
    tier, app = (i % 20) % 5, i % 10
    cands = sorted(f"policy-{p:02d}" for p in range(50) if p % 5 == tier and p % 10 == app)
    want_p = cands[0] if cands else None
    if it["policy"] != want_p:
        errors.append(f"{it['name']}: policy {it['policy']}, want {want_p}")
    if want_p and it["settings"]["bandwidthPerMigration"] != f"{64 * (int(want_p[7:]) + 1)}Mi":
        errors.append(f"{it['name']}: settings {it['settings']}")
    if it["kind"] == "VirtualMachine":
        want_t = sum(fit(kind_no, zone, j) for j in range(NODES))
        if it["targetNodes"] != want_t or it["outcome"] != "stopped":
            errors.append(f"VM {it['name']}: {it['targetNodes']} targets, {it['outcome']}")
        if i % 5 == 0:
            errors.append(f"VM {it['name']} runs, yet is listed as stopped")
        return
    own = i % NODES
    want_t = sum(fit(kind_no, zone, j, own) for j in range(NODES)
                 if j != own and f"node-{j:03d}" not in drained)
    if it["targetNodes"] != want_t:
        errors.append(f"VMI {it['name']}: targetNodes {it['targetNodes']}, want {want_t}")
    if it["node"] != f"node-{own:03d}" or it["phase"] != "Running":
        errors.append(f"VMI {it['name']}: node {it['node']} phase {it['phase']}")
    if kind_no == 5:
        want_o = "unknown"
    elif want:
        want_o = "shutdown" if evict == "None" else "block"
    else:
        want_o = "migrate" if want_t else "block"
    if evict == "None":
        want_o = "shutdown"
    if it["outcome"] != want_o:
        errors.append(f"VMI {it['name']}: outcome {it['outcome']}, want {want_o}")
    if (it["migration"] is None) != (want_o != "migrate"):
        errors.append(f"VMI {it['name']}: migration {it['migration']}")
    elif it["migration"] and it["migration"]["memoryBytes"] != (1 + i % 4) << 30:
        errors.append(f"VMI {it['name']}: memory {it['migration']['memoryBytes']}")

items, stopped = doc["items"], doc["stoppedVMs"]
if len(items) != exp["vmis"] or len(stopped) != exp["vms"] - exp["vmis"]:
    errors.append(f"{len(items)} VMIs and {len(stopped)} stopped VMs")
for lst in (items, stopped):
    order = [(i["namespace"], i["name"]) for i in lst]
    if order != sorted(order):
        errors.append("not sorted by namespace and name")
for it in items + stopped:
    check(it, set())
s = doc["summary"]
for k in ("migrate", "shutdown", "block", "unknown"):
    n = sum(1 for it in items if it["outcome"] == k)
    if s[k] != n:
        errors.append(f"summary.{k} = {s[k]}, want {n}")
if s["stopped"] != len(stopped) or s["nodes"] != NODES:
    errors.append(f"summary {s}")
# Host-model VMIs on Icelake nodes have fewer targets than their neighbours.
hm = [it for it in items if int(it["name"][3:]) % 8 == 1]
if not any(int(it["node"][5:]) % 3 == 0 for it in hm) or not any(int(it["node"][5:]) % 3 for it in hm):
    errors.append("the generated view lacks host-model VMIs on both CPU models")
if min(s[k] for k in ("migrate", "shutdown", "block", "unknown")) == 0:
    errors.append(f"the generated view lacks an outcome: {s}")

# The drain of node-015 and node-010: their VMIs only, the other drained node ruled out.
drained = {"node-015", "node-010"}
ditems = drain["items"]
want_names = sorted(it["name"] for it in items if it["node"] in drained)
if sorted(it["name"] for it in ditems) != want_names or not want_names:
    errors.append(f"drain lists {len(ditems)} VMIs, want {len(want_names)}")
for it in ditems:
    check(it, drained)
    if it["ruledOut"] is None or not any(r["condition"] == "being drained" and r["nodes"] == 1
                                         for r in it["ruledOut"]):
        errors.append(f"drain {it['name']}: ruledOut {it['ruledOut']}")
est = drain["summary"]["estimate"]
migs = [it["migration"] for it in ditems if it["outcome"] == "migrate"]
if est["migrations"] != len(migs) or not migs:
    errors.append(f"estimate {est}")
elif abs(est["lowerBoundSeconds"] - max(m["end"] for m in migs)) > 1e-6:
    errors.append(f"lowerBoundSeconds {est['lowerBoundSeconds']}")
else:
    # The queue: never more than 5 at once, nor 2 from one node.
    events = sorted([(m["start"], 1, it["node"]) for it, m in
                     ((it, it["migration"]) for it in ditems if it["migration"])] +
                    [(m["end"], -1, it["node"]) for it, m in
                     ((it, it["migration"]) for it in ditems if it["migration"])],
                    key=lambda e: (e[0], e[1]))
    run, per = 0, {}
    for t, d, node in events:
        run += d
        per[node] = per.get(node, 0) + d
        if run > 5 or per[node] > 2:
            errors.append(f"queue exceeds the limits at {t}: {run} running, {per}")
            break
    for it in ditems:
        m = it["migration"]
        if m and abs(m["seconds"] - m["memoryBytes"] / (m["bandwidthMiBps"] * 2**20)) > 1e-6:
            errors.append(f"{it['name']}: {m['seconds']} s for {m}")
for e in errors[:20]:
    print(e)
sys.exit(1 if errors else 0)
EOF
then fail=1; else ok; fi
# How long the report takes is bench/scale.sh's to measure (a time limit here would only
# measure how busy the machine is); the time above is printed for the log.

# 5. The text through a pty of 80 columns: no line is longer, the table and summary are
#    there. The ioctl sets the pty's size as a terminal window would.
if ! python3 - "$mg" "$tmp/big" <<'EOF'
import fcntl, os, pty, struct, sys, termios
mg, state = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.environ.pop("COLUMNS", None)
    os.execv(mg, [mg, "report", "--state", state, "--node", "node-015", "--node", "node-010"])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
out = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
lines = out.decode().replace("\r\n", "\n").splitlines()
long = [l for l in lines if len(l) > 80]
assert os.WEXITSTATUS(status) == 3, f"exit {os.WEXITSTATUS(status)}"
assert lines[0].split() == ["NAMESPACE", "NAME", "NODE", "PHASE", "OUTCOME", "TARGETS",
                            "POLICY", "REASONS"], lines[0]
assert any(l.startswith("Drain of node-015, node-010:") for l in lines), lines[-12:]
assert any("lower bound" in l.lower() for l in lines), "no lower-bound note"
assert not long, f"{len(long)} lines over 80 columns: {long[:3]}"
EOF
then echo "text at 80 columns: FAILED"; fail=1; else ok; fi
# A pty race: the child may run before the size is set; the rerun with COLUMNS checks
# the same cut without it.
COLUMNS=80 "$mg" report --state "$tmp/big" >"$tmp/wide.txt"
if awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$tmp/wide.txt"; then ok; else
    echo "COLUMNS=80: lines over 80 columns"; fail=1
fi

# RULES.md 9.3: with several HyperConvergeds, stderr names the one used and the others.
"$mg" report --state "$src/tests/cli/check/two-hcos" >/dev/null 2>"$tmp/hcos.err"
if grep -qF "migguard report: 3 HyperConvergeds: the migration settings come from openshift-cnv/kubevirt-hyperconverged (RULES.md 9.3); ignored: zzz-test/kubevirt-hyperconverged, aaa/hco" "$tmp/hcos.err"
then ok; else echo "several HyperConvergeds: stderr $(cat "$tmp/hcos.err")"; fail=1; fi

# RULES.md 9.3, docs/settings.md: a jsonpatch annotation HCO refuses (a failing test after
# a replace) is ignored whole: the cluster's bandwidth stays the HyperConverged's 10Mi and
# stderr names the annotation and the operation; with the test first and passing, the
# replace applies (0, unlimited) and stderr is quiet.
for f in refused applied; do
    mkdir -p "$tmp/jp-$f"
    cp "$src/tests/cli/check/jsonpatch/hco-$f.yaml" "$tmp/jp-$f/"
    COLUMNS=200 "$mg" report --state "$tmp/jp-$f" >"$tmp/jp-$f.out" 2>"$tmp/jp-$f.err"
done
if grep -q "bandwidthPerMigration 10Mi" "$tmp/jp-refused.out" &&
    grep -qF "migguard report: HyperConverged openshift-cnv/kubevirt-hyperconverged: its kubevirt.kubevirt.io/jsonpatch annotation is ignored, HCO refuses it (RULES.md 9.3): op[1] (test /spec/configuration/migrations/bandwidthPerMigration): the value differs" "$tmp/jp-refused.err" &&
    grep -q "bandwidthPerMigration 0 (unlimited" "$tmp/jp-applied.out" && [ ! -s "$tmp/jp-applied.err" ]
then ok; else echo "jsonpatch annotation: $(cat "$tmp"/jp-*.out "$tmp"/jp-*.err)"; fail=1; fi

# 6. Long names at 80 columns: REASONS gives way first ("VM001+2"), then the domain every
#    node name shares and a PHASE every row has (each said under the table), then the
#    widest names, cut with '~'.
mkdir -p "$tmp/long"
sed -e 's/worker-\([0-9]\)/worker-\1.ocp.example.com/g' -e 's/databases/databases-production-eu-west/g' \
    "$here/report/state/00-cluster.yaml" >"$tmp/long/00.yaml"
sed -e 's/worker-\([0-9]\)/worker-\1.ocp.example.com/g' -e 's/databases/databases-production-eu-west/g' \
    -e 's/name: postgres/name: postgres-primary-with-a-long-name/' \
    "$here/report/state/10-workloads.yaml" >"$tmp/long/10.yaml"
COLUMNS=80 "$mg" report --state "$tmp/long" >"$tmp/long.txt"
if awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$tmp/long.txt" &&
    grep -qx '(every NODE ends in .ocp.example.com)' "$tmp/long.txt" &&
    grep -qx '(every PHASE is Running)' "$tmp/long.txt" &&
    head -1 "$tmp/long.txt" | grep -q '^NAMESPACE  *NAME  *NODE  *OUTCOME  *TARGETS  *POLICY  *REASONS$' &&
    grep -q ' worker-1  *block  *1  *-  *VM001+2$' "$tmp/long.txt" &&
    grep -q '^databases-p[a-z-]*~  *postgres-[a-z-]*~ ' "$tmp/long.txt"; then ok; else
    echo "long names at 80 columns:"; cat "$tmp/long.txt"; fail=1
fi

if [ $fail -ne 0 ]; then
    echo "report: FAILED"; exit 1
fi
echo "report: $passed passed, 0 failed"
