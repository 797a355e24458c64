#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_policy_replicas.sh - two `migguard serve --kubeconfig` replicas against the fake
# API server (issue 13): conflicting policy CREATEs sent to both at once, many times,
# never both admitted (the test then stores what was admitted, as the API server
# would); an admission that never lands stops counting after --pending; a Lease
# holder that died is passed over within --policy-wait; an API server that stalls
# longer than the webhook's timeout gets a retryable refusal within it; a replica
# killed while it holds the Lease does not block the other.
# Usage: test_policy_replicas.sh MIGGUARD SRCDIR
set -u
MG=${1:?usage: test_policy_replicas.sh MIGGUARD SRCDIR}
src=${2:?usage: test_policy_replicas.sh MIGGUARD SRCDIR}
command -v python3 >/dev/null || { echo "FAIL: python3 is needed"; exit 1; }
. "$src/tests/cluster/replicas.sh"

fake_start
# --pending 2: an admission the API server never stores leaves after 2 s.
replica_start 1 --pending 2 --lease-duration 2 --policy-wait 4
replica_start 2 --pending 2 --lease-duration 2 --policy-wait 4

# 1. Conflicting CREATEs (the same selectors: MP010) to both replicas at once.
rounds=20
both=0
none=0
for i in $(seq "$rounds"); do
    policy_review "a-$i" "r$i" >"$T/a.json"
    policy_review "b-$i" "r$i" >"$T/b.json"
    # A retryable refusal (429: no turn within --policy-wait on a loaded machine) is
    # retried, as kubectl's user or a controller would.
    for _ in 1 2 3; do
        review 1 "$T/a.json" >"$T/a.out" &
        pa=$!
        review 2 "$T/b.json" >"$T/b.out" &
        pb=$!
        wait "$pa" "$pb"
        allowed "$T/a.out" || allowed "$T/b.out" || ! grep -q '"code":[ ]*429' "$T/a.out" "$T/b.out" &&
            break
    done
    na=0
    if allowed "$T/a.out"; then na=1; fake "{\"op\":\"add\",\"res\":\"migrationpolicies\",\"obj\":$(policy_obj "a-$i" "r$i")}" >/dev/null; fi
    if allowed "$T/b.out"; then na=$((na + 1)); fake "{\"op\":\"add\",\"res\":\"migrationpolicies\",\"obj\":$(policy_obj "b-$i" "r$i")}" >/dev/null; fi
    [ "$na" -eq 2 ] && both=$((both + 1))
    [ "$na" -eq 0 ] && { none=$((none + 1)); cat "$T/a.out" "$T/b.out"; }
done
[ "$both" -eq 0 ] || fail "$both of $rounds concurrent conflicting pairs were both admitted"
[ "$none" -eq 0 ] || fail "$none of $rounds pairs had neither policy admitted"
grep -q 'MP010' "$T/a.out" "$T/b.out" || fail "the refused policy of the last round names no MP010"
echo "ok: $rounds concurrent conflicting pairs, one admitted each time"

# 2. Admitted by migguard, never stored (another webhook refused it): counts while
# pending, on both replicas (the Lease carries the record), then stops counting.
policy_review ghost "g" >"$T/g.json"
review 1 "$T/g.json" >"$T/g.out"
allowed "$T/g.out" || fail "the first policy of its selectors was refused: $(cat "$T/g.out")"
policy_review real "g" >"$T/r.json"
review 2 "$T/r.json" >"$T/r.out"
allowed "$T/r.out" && fail "replica 2 admitted a duplicate of a policy replica 1 just admitted"
grep -q 'MP010' "$T/r.out" || fail "no MP010 for the duplicate: $(cat "$T/r.out")"
ok=""
for _ in $(seq 60); do
    review 2 "$T/r.json" >"$T/r.out"
    allowed "$T/r.out" && { ok=1; break; }
    sleep 0.1
done
[ -n "$ok" ] || fail "the never-stored admission still counted 6 s later (--pending 2)"
echo "ok: a refused admission expires from both replicas' views"

# 3. A holder that took the Lease and died (never renews, never gives it up).
ns=$(fake '{"op":"leases"}' | sed 's/^LEASES //' | python3 -c \
    'import json,sys; print(next(iter(json.load(sys.stdin))).split("/")[0])')
fake "{\"op\":\"set_lease\",\"ns\":\"$ns\",\"name\":\"migguard-policy-writes\",\"spec\":{\"holderIdentity\":\"dead-replica_1\",\"leaseDurationSeconds\":2}}" >/dev/null
policy_review after-dead "d" >"$T/d.json"
review 1 "$T/d.json" >"$T/d.out"
allowed "$T/d.out" || fail "a dead Lease holder blocked a policy write: $(cat "$T/d.out")"
echo "ok: a dead Lease holder is passed over"

# 4. The API server stalls (Lease requests) for longer than the webhook's 5 s timeout:
# the answer comes within it, refused and retryable.
fake '{"op":"stall","seconds":7,"match":"leases"}' >/dev/null
policy_review stalled "s" >"$T/s.json"
curl -s --max-time 5 --cacert "$T/certs/ca.crt" -H 'Content-Type: application/json' \
    --data-binary @"$T/s.json" "https://127.0.0.1:$PORT_1/validate" >"$T/s.out" ||
    fail "no answer within the webhook's 5 s timeout while the API server stalls"
allowed "$T/s.out" && fail "a policy write was admitted without its turn"
grep -q '"code":[ ]*429' "$T/s.out" && grep -q 'retry' "$T/s.out" ||
    fail "the refusal is not a retryable 429: $(cat "$T/s.out")"
# Reviews that do not touch policies never wait for any of it.
cat >"$T/vmim.json" <<'J'
{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-m",
"kind":{"group":"kubevirt.io","version":"v1","kind":"VirtualMachineInstanceMigration"},
"resource":{"group":"kubevirt.io","version":"v1","resource":"virtualmachineinstancemigrations"},
"namespace":"ns-a","operation":"CREATE","object":{"apiVersion":"kubevirt.io/v1",
"kind":"VirtualMachineInstanceMigration","metadata":{"name":"m1","namespace":"ns-a"},
"spec":{"vmiName":"vmi-1"}}}}
J
review 1 "$T/s.json" >/dev/null &
pw=$!
sleep 0.2
# (2 s: well under the 4 s the stalled policy write waits.)
curl -s --max-time 2 --cacert "$T/certs/ca.crt" -H 'Content-Type: application/json' \
    --data-binary @"$T/vmim.json" "https://127.0.0.1:$PORT_1/validate" | grep -q '"uid"' ||
    fail "a migration review waited for a stalled policy write"
wait "$pw"
echo "ok: a stalled API server gets a retryable refusal within the timeout"
for _ in $(seq 80); do
    sleep 0.1
    review 1 "$T/s.json" >"$T/s.out"
    allowed "$T/s.out" && break
done
allowed "$T/s.out" || fail "policy writes did not recover after the stall: $(cat "$T/s.out")"

# 5. Replica 2 killed while it holds the Lease (its policy list is stalled).
fake '{"op":"stall","seconds":20,"match":"migrationpolicies"}' >/dev/null
policy_review killed "k" >"$T/k.json"
review 2 "$T/k.json" >/dev/null &
r2pid=$(pgrep -P "$PID_2")
holder=""
for _ in $(seq 50); do
    holder=$(fake '{"op":"leases"}' | sed 's/^LEASES //' | python3 -c \
        'import json,sys; print(json.load(sys.stdin)[sys.argv[1] + "/migguard-policy-writes"]["spec"]["holderIdentity"])' "$ns")
    [ "$holder" = "$(hostname)_$r2pid" ] && break
    sleep 0.1
done
replica_kill 2
[ "$holder" = "$(hostname)_$r2pid" ] ||
    fail "the Lease was held by \"$holder\", not by replica 2 ($r2pid), when it was killed"
fake '{"op":"stall","seconds":0}' >/dev/null
policy_review after-kill "k" >"$T/k1.json"
review 1 "$T/k1.json" >"$T/k1.out"
allowed "$T/k1.out" || fail "the killed holder blocked replica 1: $(cat "$T/k1.out")"
echo "ok: a replica killed mid-write does not block the other"
echo "policy replicas: passed"
