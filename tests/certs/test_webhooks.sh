#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_webhooks.sh - `migguard certs webhooks` renders deploy/'s two webhook
# configurations with every caBundle set to the CA's base64 and the service moved
# where asked; a missing CA or a file that is no webhook configuration fails.
set -u
MG=${1:?usage: test_webhooks.sh MIGGUARD SRC}
SRC=${2:?usage: test_webhooks.sh MIGGUARD SRC}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$MG" certs create --out "$tmp/c" --service migguard --namespace other >/dev/null || exit 1
cd "$SRC" || exit 1
"$MG" certs webhooks --ca "$tmp/c/ca.crt" --namespace other --service mg >"$tmp/out.json" ||
    { echo "FAIL: certs webhooks"; exit 1; }
"$MG" certs cabundle --ca "$tmp/c/ca.crt" >"$tmp/bundle" || exit 1
python3 - "$tmp/out.json" "$tmp/bundle" <<'PY' || exit 1
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
PY
if "$MG" certs webhooks --ca "$tmp/nope.crt" >/dev/null 2>&1; then
    echo "FAIL: a missing CA file succeeded"; exit 1
fi
if "$MG" certs webhooks --ca "$tmp/c/ca.crt" -f deploy/base/service.yaml >/dev/null 2>"$tmp/err"; then
    echo "FAIL: a Service was accepted as a webhook configuration"; exit 1
fi
grep -q "not a webhook configuration" "$tmp/err" || { echo "FAIL: message: $(cat "$tmp/err")"; exit 1; }
echo "webhooks: 1 passed, 0 failed"
