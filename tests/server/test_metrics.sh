#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_metrics.sh - GET /metrics after known traffic: the text parses as Prometheus
# exposition format, counters by kind/operation/verdict and by rule id count exactly
# what was sent, the latency histogram starts at 50 microseconds and is cumulative,
# and once the server has stopped the decision log has one JSON line per review.
# Usage: test_metrics.sh MIGGUARD SRC
set -u
MG=${1:?usage: test_metrics.sh MIGGUARD SRC}
SRC=${2:?usage: test_metrics.sh MIGGUARD SRC}
. "$SRC/tests/lib/serve.sh"
mg_serve_start

denied="$SRC/tests/cases/lmc-bandwidth-negative-v1beta1/review.json"
allowed="$SRC/tests/cases/lmc-bandwidth-64mi-allowed-v1beta1/review.json"
for _ in 1 2 3; do mg_review /validate "$denied" >/dev/null; done
for _ in 1 2; do mg_review /validate "$allowed" >/dev/null; done
mg_review /mutate "$allowed" >/dev/null
mg_curl -H 'Content-Type: application/json' --data-binary '{' "$MG_BASE/validate" >/dev/null
mg_curl -o "$MG_TMP/metrics" "$MG_BASE/metrics" || { echo "FAIL: GET /metrics"; exit 1; }
# The decision log is written in batches; stopping writes what is left.
mg_serve_stop

python3 - "$MG_TMP/metrics" "$MG_TMP/serve.log" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (-?[0-9.e+-]+|\+Inf|NaN)$')
samples, fails = {}, []
for ln in text.splitlines():
    if not ln or ln.startswith('# HELP ') or ln.startswith('# TYPE '):
        continue
    m = line_re.match(ln)
    if not m:
        fails.append('unparsable line: %r' % ln); continue
    labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ''))
    samples[(m.group(1), tuple(sorted(labels.items())))] = float(m.group(4))

def get(name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))

def want(desc, got, exp):
    if got != exp:
        fails.append('%s: want %s, got %s' % (desc, exp, got))

want('denied HCO validate CREATE', get('migguard_reviews_total', endpoint='validate',
     kind='HyperConverged', operation='CREATE', verdict='denied'), 3.0)
want('allowed HCO validate CREATE', get('migguard_reviews_total', endpoint='validate',
     kind='HyperConverged', operation='CREATE', verdict='allowed'), 2.0)
want('allowed HCO mutate CREATE', get('migguard_reviews_total', endpoint='mutate',
     kind='HyperConverged', operation='CREATE', verdict='allowed'), 1.0)
want('LMC002 denials', get('migguard_findings_total', rule='LMC002', action='deny'), 3.0)
want('undecodable reviews', get('migguard_review_errors_total'), 1.0)
want('decision log lines dropped', get('migguard_decision_log_dropped_total'), 0.0)
buckets = sorted(((float(dict(k[1])['le']) if dict(k[1])['le'] != '+Inf' else float('inf')), v)
                 for k, v in samples.items()
                 if k[0] == 'migguard_review_duration_seconds_bucket'
                 and dict(k[1]).get('endpoint') == 'validate')
if not buckets or buckets[0][0] != 5e-05:
    fails.append('first latency bucket is not 50us: %s' % buckets[:1])
if any(b[1] > c[1] for b, c in zip(buckets, buckets[1:])):
    fails.append('histogram is not cumulative: %s' % buckets)
if buckets and buckets[-1][1] < 5:
    fails.append('histogram +Inf counts %s validate reviews, want >= 5' % buckets[-1][1])
for kind in ('MigrationPolicy', 'VirtualMachineInstancetype', 'VirtualMachineClusterInstancetype'):
    if get('migguard_view_objects', kind=kind) is None:
        fails.append('no view object gauge for %s' % kind)
decisions = [json.loads(l) for l in open(sys.argv[2]) if l.startswith('{')]
want('decision log lines', len(decisions), 6)
d = [x for x in decisions if not x['allowed']]
want('denied decision rules', d[0]['rules'] if d else None, 'LMC002')
for x in decisions:
    for k in ('uid', 'kind', 'namespace', 'name', 'operation', 'allowed', 'rules', 'micros'):
        if k not in x:
            fails.append('decision log line lacks %s: %s' % (k, x))
for f in fails:
    print('FAIL:', f)
print('metrics: %d passed, %d failed' % (1 if not fails else 0, 1 if fails else 0))
sys.exit(1 if fails else 0)
PY
