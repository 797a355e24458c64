#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_webhooks.sh - `migguard certs webhooks` renders deploy/'s two webhook
# configurations (built in: run from a directory without deploy/) with every caBundle
# set to the CA's base64, the service moved where asked and the new namespace excluded
# from the namespaceSelector instead of migguard; multi-document input (kustomize
# output, from standard input) keeps its other objects; a missing CA or input without
# a webhook configuration fails.
set -u
MG=${1:?usage: test_webhooks.sh MIGGUARD SRC}
SRC=${2:?usage: test_webhooks.sh MIGGUARD SRC}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
"$MG" certs create --out "$tmp/c" --service migguard --namespace other >/dev/null || exit 1
mkdir "$tmp/elsewhere" && cd "$tmp/elsewhere" || exit 1
"$MG" certs webhooks --ca "$tmp/c/ca.crt" --namespace other --service mg >"$tmp/out.json" ||
    { echo "FAIL: certs webhooks outside the source tree"; exit 1; }
"$MG" certs cabundle --ca "$tmp/c/ca.crt" >"$tmp/bundle" || exit 1
python3 - "$tmp/out.json" "$tmp/bundle" <<'PY' || fail=1
import json, sys
doc = json.load(open(sys.argv[1])); bundle = open(sys.argv[2]).read().strip()
kinds = sorted(i['kind'] for i in doc['items'])
assert doc['kind'] == 'List', doc['kind']
assert kinds == ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], kinds
for item in doc['items']:
    for hook in item['webhooks']:
        cc = hook['clientConfig']
        assert cc['caBundle'] == bundle, hook['name']
        assert cc['service']['namespace'] == 'other' and cc['service']['name'] == 'mg', cc
        vals = [v for e in hook['namespaceSelector']['matchExpressions']
                if e['key'] == 'kubernetes.io/metadata.name' and e['operator'] == 'NotIn'
                for v in e['values']]
        assert 'other' in vals and 'migguard' not in vals and 'kube-system' in vals, (hook['name'], vals)
print("ok: built-in configurations, caBundle, service and namespaceSelector")
PY

# Multi-document input on standard input: every object kept, the webhooks filled.
python3 - "$SRC/deploy/base" >"$tmp/all.yaml" <<'PY'
import os, sys
base = sys.argv[1]
docs = [open(os.path.join(base, f)).read() for f in sorted(os.listdir(base))
        if f.endswith('.yaml') and f != 'kustomization.yaml']
print('\n---\n'.join(docs))
PY
"$MG" certs webhooks --ca "$tmp/c/ca.crt" -f - <"$tmp/all.yaml" >"$tmp/all.json" ||
    { echo "FAIL: multi-document input"; fail=1; }
python3 - "$tmp/all.json" "$tmp/bundle" <<'PY' || fail=1
import json, sys
doc = json.load(open(sys.argv[1])); bundle = open(sys.argv[2]).read().strip()
kinds = [i['kind'] for i in doc['items']]
for k in ('Deployment', 'Service', 'Namespace', 'ValidatingWebhookConfiguration',
          'MutatingWebhookConfiguration'):
    assert k in kinds, (k, kinds)
for item in doc['items']:
    for hook in item.get('webhooks', []):
        assert hook['clientConfig']['caBundle'] == bundle, hook['name']
print("ok: multi-document input keeps %d objects, webhooks filled" % len(kinds))
PY

if "$MG" certs webhooks --ca "$tmp/nope.crt" >/dev/null 2>&1; then
    echo "FAIL: a missing CA file succeeded"; fail=1
fi
if "$MG" certs webhooks --ca "$tmp/c/ca.crt" -f "$SRC/deploy/base/service.yaml" >/dev/null 2>"$tmp/err"; then
    echo "FAIL: a Service was accepted as a webhook configuration"; fail=1
fi
grep -q "not a webhook configuration" "$tmp/err" || { echo "FAIL: message: $(cat "$tmp/err")"; fail=1; }
[ $fail = 0 ] || { echo "webhooks: FAILED"; exit 1; }
echo "webhooks: passed"
