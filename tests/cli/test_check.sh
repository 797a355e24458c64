#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_check.sh - `migguard check`: the seeds' examples (HyperConverged limits and heavy
# workloads, the production MigrationPolicy and its VM, the addedNodeSelector migration),
# multi-document input mixing kinds and a List, a directory tree, --state (UPDATE),
# standard input, and broken input (exit 2, the error names file and line). Text and
# JSON outputs must equal tests/cli/check/expected/*; MG_CHECK_REGEN=1 rewrites them.
# Usage: test_check.sh MIGGUARD SRCDIR
set -u
mg=${1:?usage: test_check.sh MIGGUARD SRCDIR}
src=${2:?usage: test_check.sh MIGGUARD SRCDIR}
case $mg in /*) ;; *) mg=$PWD/$mg ;; esac
here="$src/tests/cli/check"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
passed=0
failed=0

# Paths in the outputs are relative to the fixture directory, as a user would type them.
cd "$here" || exit 1

ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; fail=1; failed=$((failed + 1)); }

# expect NAME WANT_RC ARGS...: run check, compare stdout with expected/NAME and the
# exit status with WANT_RC.
expect() {
    local name=$1 want=$2 rc
    shift 2
    "$mg" check "$@" >"$tmp/$name" 2>"$tmp/$name.err"
    rc=$?
    if [ -n "${MG_CHECK_REGEN:-}" ]; then cp "$tmp/$name" "expected/$name"; fi
    if [ $rc -ne "$want" ]; then
        bad "$name: exit $rc, want $want; stderr: $(cat "$tmp/$name.err")"
    elif ! diff -u "expected/$name" "$tmp/$name"; then
        bad "$name: output differs from expected/$name"
    else
        ok
    fi
}

seeds=(seeds/namespace-hpc.yaml seeds/hco-limits.yaml seeds/hco-heavy-workload.yaml
       seeds/policy-production.yaml seeds/vm-production.yaml
       seeds/migration-added-node-selector.yaml)

# 1. The seeds' examples, applied together: the second HyperConverged is an UPDATE of
#    the first, the policy and its Namespace join the view before the VM is checked.
expect seeds.txt 0 --show-patch "${seeds[@]}"
expect seeds.json 0 -o json "${seeds[@]}"
# The same files through -f, one by one, give the same answer.
fargs=()
for f in "${seeds[@]}"; do fargs+=(-f "$f"); done
expect seeds.txt 0 --show-patch "${fargs[@]}"

# 2. One file mixing kinds: Namespace, a denied HyperConverged (several LMC rules, lines
#    of each field), a List with a policy and a denied v1 HyperConverged, and a VM.
expect mixed.txt 1 --show-patch multi/mixed.yaml
expect mixed.json 1 -o json multi/mixed.yaml
# Findings inside lists ([i] in the field path) and under keys with dots and slashes
# (kubernetes.io/hostname) still get the line of their field.
expect not-migratable.txt 1 multi/not-migratable.yaml
expect not-migratable.json 1 -o json multi/not-migratable.yaml

# 3. A directory, recursively, by name; README.txt and .hidden/ are skipped. The JSON
#    policy duplicates the YAML one (MP010): the later one is denied.
expect tree.txt 1 tree
expect tree.json 1 -o json tree

# 4. --state: the view has the HyperConverged (UPDATE), the VMI and the nodes.
expect state-hco.json 0 -o json --state state seeds/hco-heavy-workload.yaml
expect state-migration.txt 0 --state state seeds/migration-added-node-selector.yaml
sed 's/gpu-enabled23/gpu-enabled/' seeds/migration-added-node-selector.yaml >"$tmp/mig.yaml"
"$mg" check --state state - <"$tmp/mig.yaml" >"$tmp/mig.out"; rc=$?
if [ -n "${MG_CHECK_REGEN:-}" ]; then cp "$tmp/mig.out" expected/state-migration-denied.txt; fi
if [ $rc -eq 1 ] && diff -u expected/state-migration-denied.txt "$tmp/mig.out"; then ok; else
    bad "migration to labels no node has: exit $rc"; fi

# 5. Standard input and -n: the file is named <stdin>, the namespace comes from -n.
"$mg" check -o json -n web - <multi/no-namespace.yaml >"$tmp/stdin.json"; rc=$?
if [ $rc -eq 0 ] && python3 - "$tmp/stdin.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
got = [(o["file"], o["kind"], o["namespace"], o["operation"]) for o in doc["objects"]]
want = [("<stdin>", "VirtualMachine", "web", "CREATE"),
        ("<stdin>", "MigrationPolicy", "", "CREATE")]
if got != want:
    print("stdin objects:", got)
    sys.exit(1)
EOF
then ok; else bad "standard input with -n: exit $rc"; fi

# 6. The JSON document has exactly the documented keys (docs/check.md).
if python3 - expected/*.json <<'EOF'
import json, sys
for path in sys.argv[1:]:
    doc = json.load(open(path))
    assert set(doc) == {"objects", "summary"}, (path, sorted(doc))
    assert set(doc["summary"]) == {"objects", "allowed", "denied", "warnings"}, path
    assert doc["summary"]["objects"] == len(doc["objects"]), path
    assert doc["summary"]["allowed"] + doc["summary"]["denied"] == len(doc["objects"]), path
    for o in doc["objects"]:
        assert set(o) == {"file", "line", "apiVersion", "kind", "namespace", "name",
                          "operation", "allowed", "findings", "patch"}, (path, sorted(o))
        assert o["operation"] in ("CREATE", "UPDATE") and o["line"] > 0, (path, o["name"])
        assert o["allowed"] == all(f["action"] == "warn" for f in o["findings"]), o["name"]
        assert o["patch"] is None or all(p["op"] == "add" for p in o["patch"]), o["name"]
        for f in o["findings"]:
            assert set(f) == {"rule", "action", "field", "file", "line", "message"}, f
            assert f["action"] in ("deny", "warn") and f["rule"] and f["line"] > 0, f
            assert not f["message"].startswith("["), f
EOF
then ok; else bad "JSON documents do not have the documented shape"; fi

# 7. Broken input: one line on stderr naming file and line, the rest is still checked
#    (a good file before or after it is reported on stdout), and the exit status is 2
#    at the end (issue #14: `check DIR` must not stop at the first bad file).
broken() {
    local want=$1 objects=$2 rc
    shift 2
    "$mg" check "$@" >"$tmp/b.out" 2>"$tmp/b.err"
    rc=$?
    if [ $rc -ne 2 ] || ! grep -qF -- "$want" "$tmp/b.err" ||
        { [ -n "$objects" ] && ! grep -q "^$objects objects\?:" "$tmp/b.out"; }; then
        bad "check $*: exit $rc, stdout $(tail -1 "$tmp/b.out"), stderr $(cat "$tmp/b.err"), want '$want'"
    else
        ok
    fi
}
broken "migguard: broken/bad-indent.yaml:9: did not find expected key" 0 broken/bad-indent.yaml
broken "migguard: broken/bad-indent.yaml:9:" 2 seeds/hco-limits.yaml broken/bad-indent.yaml \
    seeds/namespace-hpc.yaml
broken "migguard: broken/no-kind.yaml:6: object has no apiVersion or kind" 1 broken/no-kind.yaml
broken "migguard: <stdin>:2:" 0 - <<<$'kind: Namespace\n  metadata: [x'
broken "missing.yaml: cannot read" 1 missing.yaml seeds/hco-limits.yaml
broken "no input" "" -o json
broken "-o takes text or json" "" -o yaml seeds/hco-limits.yaml
broken "cannot read directory state-missing" "" --state state-missing seeds/hco-limits.yaml
# The good file's verdict is still printed when a broken one follows.
"$mg" check seeds/hco-limits.yaml broken/bad-indent.yaml >"$tmp/b.out" 2>/dev/null
if grep -q "^HyperConverged/kubevirt-hyperconverged -n openshift-cnv: allowed" "$tmp/b.out"
then ok; else bad "a broken file hides the good one: $(cat "$tmp/b.out")"; fi

# 9. Friction found by new users (issue #14).
# Documents that are not Kubernetes objects (a sequence, kustomize's own files) are
# skipped with a note naming file and line; the project's own deploy/ checks cleanly.
"$mg" check broken/not-a-mapping.yaml >"$tmp/n.out" 2>"$tmp/n.err"; rc=$?
if [ $rc -eq 0 ] && grep -q "note: broken/not-a-mapping.yaml:3: document skipped: not a mapping" \
    "$tmp/n.err"; then ok; else bad "sequence document: exit $rc, $(cat "$tmp/n.err")"; fi
"$mg" check "$src/deploy" >"$tmp/d.out" 2>"$tmp/d.err"; rc=$?
if [ $rc -eq 0 ] && grep -q "kustomization.yaml:[0-9]*: document skipped: a kustomize file" \
    "$tmp/d.err" && grep -q "^Deployment/migguard -n migguard: allowed" "$tmp/d.out"
then ok; else bad "check deploy/: exit $rc, $(cat "$tmp/d.err")"; fi
# generateName alone is a name the API server makes: accepted, the same every time.
"$mg" check friction/generate-name.yaml >"$tmp/g.out" 2>"$tmp/g.err"; rc=$?
if [ $rc -eq 0 ] && grep -q "^VirtualMachineInstanceMigration/migrate-db-[b-z2-9]\{5\} -n prod: allowed" \
    "$tmp/g.out"; then ok; else bad "generateName: exit $rc, $(cat "$tmp/g.out" "$tmp/g.err")"; fi
# /dev/stdin and process substitution are read like -.
"$mg" check /dev/stdin <seeds/hco-limits.yaml >"$tmp/s1.out" 2>&1; rc1=$?
"$mg" check <(cat seeds/hco-limits.yaml) >"$tmp/s2.out" 2>&1; rc2=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && grep -q ": allowed" "$tmp/s1.out" && grep -q ": allowed" "$tmp/s2.out"
then ok; else bad "/dev/stdin ($rc1) or <(...) ($rc2): $(cat "$tmp/s1.out" "$tmp/s2.out")"; fi
# A symlink loop is reported as a loop (not "nested too deep"), and the rest is checked.
mkdir -p "$tmp/loop/a"
cp seeds/namespace-hpc.yaml "$tmp/loop/a/ns.yaml"
ln -s .. "$tmp/loop/a/up"
"$mg" check "$tmp/loop" >"$tmp/l.out" 2>"$tmp/l.err"; rc=$?
if [ $rc -eq 2 ] && grep -q "a symlink loop" "$tmp/l.err" && ! grep -q "too deep" "$tmp/l.err" &&
    grep -q "^Namespace/hpc: allowed" "$tmp/l.out"; then ok
else bad "symlink loop: exit $rc, $(cat "$tmp/l.err")"; fi
# RULES 8: a "\0" in a manifest's string is part of it (MP002 denies, as review does on
# a \u0000), and the text output shows it as \0, never as raw bytes.
"$mg" check friction/policy-nul-label.yaml >"$tmp/z.out" 2>&1; rc=$?
if [ $rc -eq 1 ] && grep -q 'deny MP002 .*value "db\\0 not a valid label!"' "$tmp/z.out" &&
    ! LC_ALL=C grep -q $'\xc0' "$tmp/z.out"; then ok
else bad "NUL in a label value: exit $rc, $(cat -v "$tmp/z.out")"; fi
# RULES 9.14: 2^63-1 is exact in a YAML manifest as in a review's JSON.
"$mg" check friction/hco-max-timeout.yaml >"$tmp/m.out" 2>&1; rc=$?
if [ $rc -eq 0 ] && ! grep -q LMC004 "$tmp/m.out"; then ok
else bad "progressTimeout 2^63-1: exit $rc, $(cat "$tmp/m.out")"; fi
# A key differing only in case from the
#    one the patch adds is another key: the patch applies (no "cannot apply" and no
#    "out of memory applying the patch" on stderr).
"$mg" check -o json friction/hco-key-case.yaml >"$tmp/case.json" 2>"$tmp/case.err"; rc=$?
if [ $rc -eq 0 ] && [ ! -s "$tmp/case.err" ] && grep -q '"/spec/liveMigrationConfig"' "$tmp/case.json"
then ok; else bad "key differing in case: exit $rc, stderr $(cat "$tmp/case.err")"; fi

# 10. RULES.md 9.3: with several HyperConvergeds the one named kubevirt-hyperconverged
#     (smallest namespace) gives the cluster's settings whatever the file order, and
#     stderr names the one used and the ignored ones.
for order in "main other renamed" "renamed other main"; do
    files=()
    for f in $order; do files+=("two-hcos/hco-$f.yaml"); done
    "$mg" check "${files[@]}" multi/policy-short.yaml >"$tmp/hcos.out" 2>"$tmp/hcos.err"
    rc=$?
    if [ $rc -eq 1 ] && grep -q "deny MP006" "$tmp/hcos.out" && grep -q "10 MiB/s" "$tmp/hcos.out" &&
        grep -qF "3 HyperConvergeds: the migration settings come from openshift-cnv/kubevirt-hyperconverged" "$tmp/hcos.err" &&
        grep -qF "ignored: zzz-test/kubevirt-hyperconverged, aaa/hco" "$tmp/hcos.err"; then ok
    else bad "several HyperConvergeds ($order): exit $rc, $(cat "$tmp/hcos.out" "$tmp/hcos.err")"; fi
done
"$mg" check two-hcos/hco-main.yaml multi/policy-short.yaml >/dev/null 2>"$tmp/one.err"
if [ ! -s "$tmp/one.err" ]; then ok; else bad "one HyperConverged: stderr $(cat "$tmp/one.err")"; fi

# 11. RULES.md 9.3 and docs/settings.md: the jsonpatch annotation applies whole or not at
#     all. A failing test after a replace: the replace does not apply either (MP006 at the
#     HyperConverged's own 10Mi), the HyperConverged gets an LMC004 warning and stderr names
#     the annotation and the operation; the same test first and passing: the replace
#     applies (unlimited), nothing on stderr.
"$mg" check jsonpatch/hco-refused.yaml multi/policy-short.yaml >"$tmp/jp.out" 2>"$tmp/jp.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "deny MP006" "$tmp/jp.out" && grep -q "warn LMC004" "$tmp/jp.out" &&
    grep -qF "openshift-cnv/kubevirt-hyperconverged: its kubevirt.kubevirt.io/jsonpatch annotation is ignored, HCO refuses it (RULES.md 9.3): op[1] (test /spec/configuration/migrations/bandwidthPerMigration): the value differs" "$tmp/jp.err"
then ok; else bad "refused jsonpatch: exit $rc, $(cat "$tmp/jp.out" "$tmp/jp.err")"; fi
"$mg" check jsonpatch/hco-applied.yaml multi/policy-short.yaml >"$tmp/jp.out" 2>"$tmp/jp.err"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$tmp/jp.err" ] && ! grep -q "MP006\|LMC004" "$tmp/jp.out"; then ok
else bad "applied jsonpatch: exit $rc, $(cat "$tmp/jp.out" "$tmp/jp.err")"; fi

# 8. --help of check says what it does; the top level lists check and has --version.
if "$mg" check --help >"$tmp/help" && grep -q -- "--show-patch" "$tmp/help" &&
    grep -q -- "--state DIR" "$tmp/help" && grep -q "exit status: 0" "$tmp/help"; then ok
else bad "check --help"; fi
if "$mg" --help | grep -q "^  check " && "$mg" --version | grep -q "^migguard "; then ok
else bad "migguard --help does not list check, or --version"; fi

echo "test_check: $passed passed, $failed failed"
exit $fail
