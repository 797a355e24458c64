#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# scale_client.py - MigrationPolicy CREATE latency for bench/scale.sh: N sequential POSTs
# to /validate over one keep-alive TLS connection, each a distinct policy (a new name,
# and a selector taken in turn from the generator's policy-values.txt: one label that
# matches ~1% of the VMs). Prints one line: "n=.. median_ms=.. p99_ms=.. max_ms=..
# allowed=.. denied=.. errors=..", then the first answer's warnings.
# Usage: scale_client.py PORT CA_FILE TEMPLATE VALUES N
import http.client
import json
import os
import ssl
import sys
import time


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: scale_client.py PORT CA_FILE TEMPLATE VALUES N")
    port, ca, tmpl_file, values_file, n = sys.argv[1:]
    n = int(n)
    with open(tmpl_file) as f:
        tmpl = f.read()
    with open(values_file) as f:
        values = [ln.split() for ln in f if ln.strip()]
    ctx = ssl.create_default_context(cafile=ca)
    conn = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx, timeout=60)
    run = "%x" % (os.getpid() ^ int(time.time()))
    times, allowed, denied, errors, first = [], 0, 0, 0, None
    for i in range(n):
        key, value = values[i % len(values)]
        name = "scale-%s-%04d" % (run, i)
        body = (tmpl.replace("@NAME@", name).replace("@UID@", "uid-%s-%d" % (run, i))
                .replace("@KEY@", key).replace("@VALUE@", value)).encode()
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/validate", body, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as e:
            errors += 1
            print("request %d: %s" % (i, e), file=sys.stderr)
            conn.close()
            conn = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx, timeout=60)
            continue
        times.append((time.perf_counter() - t0) * 1000.0)
        if resp.status != 200:
            errors += 1
            continue
        r = json.loads(data).get("response", {})
        if r.get("allowed"):
            allowed += 1
        else:
            denied += 1
        if first is None:
            first = r
    conn.close()
    times.sort()
    if times:
        med = times[len(times) // 2]
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        mx = times[-1]
    else:
        med = p99 = mx = 0.0
    print("n=%d median_ms=%.2f p99_ms=%.2f max_ms=%.2f allowed=%d denied=%d errors=%d"
          % (len(times), med, p99, mx, allowed, denied, errors))
    if first is not None:
        for w in first.get("warnings", []) or []:
            print("  first answer: " + w)
        if first.get("status", {}).get("message"):
            print("  first answer: " + first["status"]["message"])


if __name__ == "__main__":
    main()
