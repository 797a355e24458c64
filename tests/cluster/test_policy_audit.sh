#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_policy_audit.sh - the policy audit (issue 13): two `migguard serve --kubeconfig`
# replicas with --audit-period 2 against the fake API server; two conflicting policies
# (the same selectors, MP010) put straight into the API server, as if migguard had been
# down, are reported within one audit period: a Warning Event on each policy, a
# decision-log line and migguard_policy_conflicts 1 on the auditor, by exactly one
# replica (the Lease holder); a policy that conflicts with nothing is not reported; a
# pair is reported once; the gauge returns to 0 when the pair is resolved; a clean stop
# hands the audit to the other replica at once.
# Usage: test_policy_audit.sh MIGGUARD SRCDIR
set -u
MG=${1:?usage: test_policy_audit.sh MIGGUARD SRCDIR}
src=${2:?usage: test_policy_audit.sh MIGGUARD SRCDIR}
command -v python3 >/dev/null || { echo "FAIL: python3 is needed"; exit 1; }
. "$src/tests/cluster/replicas.sh"

fake_start
replica_start 1 --audit-period 2
replica_start 2 --audit-period 2
metric() {
    curl -s --max-time 5 --cacert "$T/certs/ca.crt" "https://127.0.0.1:$(eval echo "\$PORT_$1")/metrics" |
        awk -v m="$2" '$1 == m {print $2}'
}
# Wait for an auditor to be elected.
leader=""
for _ in $(seq 100); do
    for n in 1 2; do [ "$(metric "$n" migguard_policy_audit_leader)" = 1 ] && leader=$n; done
    [ -n "$leader" ] && break
    sleep 0.1
done
[ -n "$leader" ] || fail "no replica became the auditor"
other=$((3 - leader))
[ "$(metric "$other" migguard_policy_audit_leader)" = 0 ] || fail "both replicas audit"

add() { fake "{\"op\":\"add\",\"res\":\"migrationpolicies\",\"obj\":$(policy_obj "$1" "$2")}" >/dev/null; }
add alone solo
add dup-a same
add dup-b same
ok=""
for _ in $(seq 40); do  # one period (2 s) and a margin
    events=$(fake '{"op":"events"}' | sed 's/^EVENTS //')
    [ "$(metric "$leader" migguard_policy_conflicts)" = 1 ] &&
        echo "$events" | grep -q dup-b && { ok=1; break; }
    sleep 0.1
done
[ -n "$ok" ] || fail "the conflicting pair was not reported within 4 s: $(metric "$leader" migguard_policy_conflicts) conflicts, events $events"
echo "$events" | python3 -c '
import json, sys
evs = json.load(sys.stdin)
on = sorted(e["involvedObject"]["name"] for e in evs)
assert on == ["dup-a", "dup-b"], "events on %s" % on
for e in evs:
    assert e["type"] == "Warning" and e["reason"] == "PolicyConflict", e
    assert e["involvedObject"]["kind"] == "MigrationPolicy", e
    assert "[MP010]" in e["message"] and "dup-a" in e["message"] and "dup-b" in e["message"], e
' || fail "the events are not one Warning per policy of the pair naming MP010 and both"
grep -q '"msg":"policy-conflict","rule":"MP010","policy":"dup-a","other":"dup-b"' \
    "$T/r$leader.log" || fail "no decision-log line for the pair on the auditor"
grep -q '"msg":"policy-conflict"' "$T/r$other.log" && fail "the replica that is not the auditor reported"
[ "$(metric "$other" migguard_policy_conflicts)" = 0 ] || fail "the other replica counts conflicts"
echo "ok: a conflicting pair put straight into the API server is reported within one period"

# Reported once: the next audits find the same pair and post nothing new.
sleep 2.5
n=$(fake '{"op":"events"}' | sed 's/^EVENTS //' | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 2 ] || fail "the pair was reported again ($n events)"
# The pair resolved (one deleted): the gauge goes back to 0.
fake '{"op":"delete","res":"migrationpolicies","name":"dup-b"}' >/dev/null
ok=""
for _ in $(seq 40); do
    [ "$(metric "$leader" migguard_policy_conflicts)" = 0 ] && { ok=1; break; }
    sleep 0.1
done
[ -n "$ok" ] || fail "migguard_policy_conflicts stayed at $(metric "$leader" migguard_policy_conflicts) after the pair was resolved"
# The auditor stops cleanly: it gives the audit Lease up, and the other replica takes
# it at its next renewal tick (5 s), not after the 15 s a dead holder costs.
replica_kill "$leader" TERM
ok=""
for _ in $(seq 100); do
    [ "$(metric "$other" migguard_policy_audit_leader)" = 1 ] && { ok=1; break; }
    sleep 0.1
done
[ -n "$ok" ] || fail "the other replica did not take the audit over within 10 s of a clean stop"
echo "policy audit: passed"
