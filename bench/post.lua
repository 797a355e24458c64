-- SPDX-License-Identifier: Apache-2.0
-- post.lua - wrk script: POST the file named by $BODY as application/json on every
-- request, and print one machine-readable summary line at the end (times in us):
-- MGSTATS requests=N secs=S rps=R p50=.. p99=.. max=.. connect=.. read=.. write=..
--         status=.. timeout=..  (status: responses that were not 2xx/3xx)
local path = os.getenv("BODY")
local f = assert(io.open(path, "rb"), "cannot read BODY=" .. tostring(path))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
    local secs = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format(
        "MGSTATS requests=%d secs=%.3f rps=%.0f p50=%d p99=%d max=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
        summary.requests, secs, summary.requests / secs, latency:percentile(50),
        latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
