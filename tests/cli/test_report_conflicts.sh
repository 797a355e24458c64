#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_report_conflicts.sh - `migguard report` lists the conflicting MigrationPolicy
# pairs of the view (the audit's MP010/MP011 finder, issue 13): a section of the text
# output (cut to the terminal's width) and "policyConflicts" in -o json; nothing for a
# view without conflicts.
# Usage: test_report_conflicts.sh MIGGUARD SRCDIR
set -u
MG=${1:?usage: test_report_conflicts.sh MIGGUARD SRCDIR}
T=$(mktemp -d /tmp/mg-reportc-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
policy() {
    printf 'apiVersion: migrations.kubevirt.io/v1alpha1\nkind: MigrationPolicy\nmetadata: {name: %s}\nspec: {selectors: {virtualMachineInstanceSelector: %s}}\n---\n' "$1" "$2"
}
mkdir "$T/clean" "$T/dups"
policy solo '{tier: dev}' >"$T/clean/p.yaml"
{ policy dup-a '{tier: prod}'; policy dup-b '{tier: prod}'; policy solo '{tier: dev, x: "1"}'; } >"$T/dups/p.yaml"

"$MG" report --state "$T/dups" >"$T/out" 2>"$T/err" || fail "report exited $?: $(cat "$T/err")"
grep -q '^Policy conflicts: 1 ' "$T/out" || fail "no conflicts section: $(cat "$T/out")"
grep -q '^  MP010 dup-a / dup-b:$' "$T/out" && grep -q '^    \[MP010\] policy "dup-b" has exactly the same' "$T/out" ||
    fail "the pair is not listed with its rule: $(cat "$T/out")"
"$MG" report --state "$T/dups" -o json >"$T/json" || fail "report -o json failed"
python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["policyConflicts"]
assert [(x["rule"], x["policy"], x["other"]) for x in c] == [("MP010", "dup-a", "dup-b")], c
' "$T/json" || fail "policyConflicts in -o json is not the one pair"
"$MG" report --state "$T/clean" >"$T/out" || fail "report of a clean view failed"
grep -q 'Policy conflicts' "$T/out" && fail "a view without conflicts has a conflicts section"
"$MG" report --state "$T/clean" -o json | python3 -c '
import json, sys; assert "policyConflicts" not in json.load(sys.stdin)' ||
    fail "a clean view has policyConflicts in -o json"
# Cut to the terminal: no line over COLUMNS.
COLUMNS=60 "$MG" report --state "$T/dups" | awk 'length > 60 {bad = 1} END {exit bad}' ||
    fail "a line of the conflicts section is over 60 columns"
echo "report conflicts: passed"
