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

# 7. Broken input: exit 2, nothing on stdout, one line on stderr naming file and line,
#    even when a good file comes first (nothing is checked on half an input).
broken() {
    local want=$1 rc
    shift
    "$mg" check "$@" >"$tmp/b.out" 2>"$tmp/b.err"
    rc=$?
    if [ $rc -ne 2 ] || [ -s "$tmp/b.out" ] || ! grep -qF -- "$want" "$tmp/b.err"; then
        bad "check $*: exit $rc, stderr $(cat "$tmp/b.err"), want '$want'"
    else
        ok
    fi
}
broken "migguard: broken/bad-indent.yaml:9: did not find expected key" broken/bad-indent.yaml
broken "migguard: broken/bad-indent.yaml:9:" seeds/hco-limits.yaml broken/bad-indent.yaml
broken "migguard: broken/no-kind.yaml:6: object has no apiVersion or kind" broken/no-kind.yaml
broken "migguard: <stdin>:2:" - <<<$'kind: Namespace\n  metadata: [x'
broken "migguard: broken/not-a-mapping.yaml:3: document is not a mapping" \
    broken/not-a-mapping.yaml
broken "missing.yaml: cannot read" missing.yaml
broken "no input" -o json
broken "-o takes text or json" -o yaml seeds/hco-limits.yaml
broken "cannot read directory state-missing" --state state-missing seeds/hco-limits.yaml

# 9. Friction found by new users (issue #14). A key differing only in case from the
#    one the patch adds is another key: the patch applies (no "cannot apply" and no
#    "out of memory applying the patch" on stderr).
"$mg" check -o json friction/hco-key-case.yaml >"$tmp/case.json" 2>"$tmp/case.err"; rc=$?
if [ $rc -eq 0 ] && [ ! -s "$tmp/case.err" ] && grep -q '"/spec/liveMigrationConfig"' "$tmp/case.json"
then ok; else bad "key differing in case: exit $rc, stderr $(cat "$tmp/case.err")"; fi

# 8. --help of check says what it does; the top level lists check and has --version.
if "$mg" check --help >"$tmp/help" && grep -q -- "--show-patch" "$tmp/help" &&
    grep -q -- "--state DIR" "$tmp/help" && grep -q "exit status: 0" "$tmp/help"; then ok
else bad "check --help"; fi
if "$mg" --help | grep -q "^  check " && "$mg" --version | grep -q "^migguard "; then ok
else bad "migguard --help does not list check, or --version"; fi

echo "test_check: $passed passed, $failed failed"
exit $fail
