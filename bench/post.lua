-- SPDX-License-Identifier: Apache-2.0
-- post.lua - wrk script: POST the file named by $BODY as application/json on every
-- request, and print one machine-readable summary line at the end (times in us):
-- MGSTATS requests=N secs=S rps=R p50=.. p99=.. max=.. connect=.. read=.. write=..
--         status=.. timeout=..  (status: responses that were not 2xx/3xx)
-- With $MIX ("/validate=a.json,/mutate=b.json") it cycles through those requests instead.
-- With $PACE_MS (a whole number > 0) each connection waits that long after each answer
-- before its next request: a paced load that leaves the cores some room, where a plain
-- run keeps every connection busy.
local function slurp(path)
    local f = assert(io.open(path, "rb"), "cannot read " .. tostring(path))
    local b = f:read("*a")
    f:close()
    return b
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local mix = os.getenv("MIX")
if mix then
    local reqs, i = {}, 0
    function init(args)
        for p, file in string.gmatch(mix, "([^=,]+)=([^,]+)") do
            reqs[#reqs + 1] = wrk.format("POST", p, nil, slurp(file))
        end
    end
    function request()
        i = i % #reqs + 1
        return reqs[i]
    end
else
    wrk.body = slurp(os.getenv("BODY"))
end

local pace = tonumber(os.getenv("PACE_MS") or "")
if pace and pace > 0 then
    function delay()
        return pace
    end
end

function done(summary, latency, requests)
    local secs = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format(
        "MGSTATS requests=%d secs=%.3f rps=%.0f p50=%d p99=%d max=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
        summary.requests, secs, summary.requests / secs, latency:percentile(50),
        latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
