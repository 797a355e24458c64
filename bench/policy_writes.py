#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# policy_writes.py - the client of bench/policy_writes.sh: N MigrationPolicy CREATE
# reviews, each with selectors of its own (all admitted), sent one after the other over
# one keep-alive TLS connection per replica, alternating replicas; after each admitted
# review it stores the policy in the fake API server (as the API server would) through
# the control FIFO. Prints median, p99 and max of the review round trip in ms, and the
# count of refusals (none expected).
import json
import ssl
import statistics
import sys
import time
import http.client

def main():
    ca, ctl, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ports = [int(p) for p in sys.argv[4:]]
    ctx = ssl.create_default_context(cafile=ca)
    conns = [http.client.HTTPSConnection("127.0.0.1", p, context=ctx) for p in ports]
    lat, refused = [], 0
    with open(ctl, "w") as ctlf:
        for i in range(n):
            name = "bench-%d-%d" % (int(time.time()), i)
            obj = {"apiVersion": "migrations.kubevirt.io/v1alpha1", "kind": "MigrationPolicy",
                   "metadata": {"name": name},
                   "spec": {"selectors": {"virtualMachineInstanceSelector": {"bench": name}}}}
            body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                               "request": {"uid": "u-%d" % i, "kind": {
                                   "group": "migrations.kubevirt.io", "version": "v1alpha1",
                                   "kind": "MigrationPolicy"}, "name": name,
                                   "operation": "CREATE", "object": obj}})
            c = conns[i % len(conns)]
            t0 = time.perf_counter()
            c.request("POST", "/validate", body, {"Content-Type": "application/json"})
            answer = json.loads(c.getresponse().read())
            lat.append((time.perf_counter() - t0) * 1000)
            if not answer["response"]["allowed"]:
                refused += 1
                continue
            ctlf.write(json.dumps({"op": "add", "res": "migrationpolicies",
                                   "obj": {"metadata": {"name": name}, "spec": obj["spec"]}}) + "\n")
            ctlf.flush()
    lat.sort()
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    print("replicas=%d writes=%d median_ms=%.2f p99_ms=%.2f max_ms=%.2f refused=%d" % (
        len(ports), n, statistics.median(lat), p99, lat[-1], refused))

if __name__ == "__main__":
    main()
