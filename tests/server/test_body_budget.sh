#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_body_budget.sh - request bodies held at once are bounded (64 MiB): ten clients
# that announce 7 MiB bodies and hold them get their bodies taken until the budget is
# spent, then 503 with a reason; once they go, the budget is back and a review is
# answered; the server never grows by the bodies announced. Usage: test_body_budget.sh
# MIGGUARD SRC
set -u
MG=${1:?usage: test_body_budget.sh MIGGUARD SRC}
SRC=${2:?usage: test_body_budget.sh MIGGUARD SRC}
. "$SRC/tests/lib/serve.sh"
mg_serve_start

python3 - "$MG_PORT" "$MG_TMP/certs/ca.crt" "$MG_PID" <<'PY'
import socket, ssl, sys, time
port, ca, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
def conn():
    s = socket.create_connection(('127.0.0.1', port), timeout=10)
    return ctx.wrap_socket(s, server_hostname='127.0.0.1')
def read_response(c):
    """Headers and the whole body (they may come in separate TLS records)."""
    data = b''
    while True:
        head, sep, body = data.partition(b'\r\n\r\n')
        if sep:
            cl = [l.split(b':', 1)[1] for l in head.split(b'\r\n')
                  if l.lower().startswith(b'content-length:')]
            if len(body) >= int(cl[0]) if cl else True:
                return data
        chunk = c.recv(65536)
        if not chunk:
            return data
        data += chunk
fails = []
held, answers = [], []
for i in range(10):
    c = conn()
    c.sendall(b'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
              b'Content-Length: 7340000\r\n\r\n{"apiVersion":')
    held.append(c)
time.sleep(0.5)
busy = 0
for c in held:
    c.settimeout(0.3)
    try:
        data = read_response(c)
    except (socket.timeout, ssl.SSLError):
        continue
    if data.startswith(b'HTTP/1.1 503'):
        busy += 1
        if b'too many large request bodies' not in data:
            fails.append('503 without the reason: %r' % data[:300])
    elif data:
        fails.append('unexpected answer while holding: %r' % data[:200])
# 64 MiB takes nine 7 MiB bodies; the tenth must be refused.
if busy != 1:
    fails.append('want 1 client refused with 503 of 10 holding 7 MiB bodies, got %d' % busy)
for c in held:
    c.close()
time.sleep(0.5)
c = conn()
review = (b'{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":'
          b'{"uid":"u1","kind":{"group":"","version":"v1","kind":"ConfigMap"},'
          b'"operation":"CREATE","object":{}}}')
c.sendall(b'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
          b'Content-Length: %d\r\n\r\n' % len(review) + review)
c.settimeout(10)
data = read_response(c)
if not data.startswith(b'HTTP/1.1 200') or b'"uid":"u1"' not in data:
    fails.append('review after the holders left: %r' % data[:300])
c.close()
for f in fails:
    print('FAIL:', f)
print('body_budget: %d passed, %d failed' % (0 if fails else 1, 1 if fails else 0))
sys.exit(1 if fails else 0)
PY
