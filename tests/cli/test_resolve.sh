#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_resolve.sh - `migguard resolve` takes one VirtualMachine or VirtualMachineInstance:
# other kinds (a MigrationPolicy, a List, no kind) are refused with a message that says
# what to use instead; -n gives the namespace of an object that names none (as kubectl),
# a different namespace in the object is refused, and without either it is "default".
# Usage: test_resolve.sh MIGGUARD SRCDIR
set -u
mg=${1:?usage: test_resolve.sh MIGGUARD SRCDIR}
src=${2:?usage: test_resolve.sh MIGGUARD SRCDIR}
state="$src/tests/cli/report/state"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
passed=0

# refused WANT-TEXT YAML: exit 2 with WANT-TEXT on stderr, nothing on stdout.
refused() {
    printf '%b' "$2" | "$mg" resolve --state "$state" ${3:+-n "$3"} - >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ $rc -ne 2 ] || ! grep -q -- "$1" "$tmp/err" || [ -s "$tmp/out" ]; then
        echo "FAIL: want exit 2 and \"$1\": exit $rc: $(cat "$tmp/err" "$tmp/out")"; fail=1
    else passed=$((passed + 1)); fi
}
refused "kind MigrationPolicy is not a VirtualMachine or VirtualMachineInstance.*migguard check" \
    'apiVersion: migrations.kubevirt.io/v1alpha1\nkind: MigrationPolicy\nmetadata: {name: p}\nspec: {selectors: {}}\n'
refused "a List: resolve takes one VirtualMachine" \
    'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: kubevirt.io/v1, kind: VirtualMachine, metadata: {name: a}}\n'
refused "the object has no kind" 'metadata: {name: a}\n'
refused "kind Pod is not a VirtualMachine" 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n'
refused 'namespace "databases" does not match -n "web-servers"' \
    'apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: a, namespace: databases}\n' web-servers
refused "found 2 documents" \
    'apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: a}\n---\napiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: b}\n'

# resolves NS-ARG WANT-WORKLOAD WANT-POLICY: the VM (no namespace) in -n NS-ARG.
vm='apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: w}\nspec: {template: {metadata: {labels: {workload-type: db}}}}\n'
resolves() {
    printf '%b' "$vm" | "$mg" resolve --state "$state" ${1:+-n "$1"} - >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ $rc -ne 0 ] || ! grep -qx "workload: $2" "$tmp/out" || ! grep -qx "policy: $3" "$tmp/out"; then
        echo "FAIL: -n '$1': exit $rc: $(cat "$tmp/out" "$tmp/err")"; fail=1
    else passed=$((passed + 1)); fi
}
# web-servers carries priority=high, which the production policy selects.
resolves web-servers "VirtualMachine web-servers/w" production
resolves databases "VirtualMachine databases/w" none
resolves "" "VirtualMachine default/w" none

if [ $fail -ne 0 ]; then echo "resolve: FAILED"; exit 1; fi
echo "resolve: $passed passed, 0 failed"
