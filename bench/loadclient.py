#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# loadclient.py - a small load client for the fault scripts, where wrk's counters are
# too coarse: CONNS threads POST a body over TLS keep-alive (or a new connection every
# --reconnect requests) and classify every request exactly:
#   ok       answered 200 with an AdmissionReview
#   bad      answered, but not 200 or not an AdmissionReview
#   lost     written on an open connection and never answered (a failure)
#   refused  no connection could be made (expected once a server stops listening)
# It also opens --idle connections that send nothing, and --slow connections that
# send a request one byte a second. Loopback only. Prints one line:
# LOADCLIENT ok=.. bad=.. lost=.. refused=.. conns=.. p50=..us p99=..us max=..us
import argparse
import http.client
import socket
import ssl
import sys
import threading
import time


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="/validate")
    p.add_argument("--body")
    p.add_argument("--conns", type=int, default=4)
    p.add_argument("--secs", type=float, default=5)
    p.add_argument("--reconnect", type=int, default=0, help="new connection every N requests")
    p.add_argument("--until-refused", action="store_true", help="a thread stops when refused")
    p.add_argument("--idle", type=int, default=0, help="idle TCP connections to hold")
    p.add_argument("--idle-tls", action="store_true", help="finish the TLS handshake on them")
    p.add_argument("--slow", type=int, default=0, help="connections sending a byte a second")
    p.add_argument("--flood", type=int, default=0,
                   help="connections each sending a 7 MiB body but its last byte, then holding")
    p.add_argument("--delay", type=float, default=0, help="seconds before the load starts")
    p.add_argument("--expect-cert", help="only check that the server now presents this PEM")
    return p.parse_args()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.c = {"ok": 0, "bad": 0, "lost": 0, "refused": 0, "conns": 0}
        self.lat = []
        self.errors = []

    def add(self, key, lat=None, why=None):
        with self.lock:
            self.c[key] += 1
            if lat is not None:
                self.lat.append(lat)
            if why and len(self.errors) < 5:
                self.errors.append(why)


def ctx():
    c = ssl.create_default_context()
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    return c


def worker(a, body, st, stop):
    tls = ctx()
    conn = None
    n = 0
    while not stop.is_set():
        if conn is None:
            conn = http.client.HTTPSConnection("127.0.0.1", a.port, timeout=15, context=tls)
            try:
                conn.connect()
            except OSError as e:
                st.add("refused", why="connect: %r" % e)
                conn = None
                if a.until_refused:
                    return
                time.sleep(0.05)
                continue
            st.add("conns")
            n = 0
        t0 = time.monotonic()
        try:
            conn.request("POST", a.path, body, {"Content-Type": "application/json"})
        except OSError as e:
            # Not written: the server had closed the connection (its idle timeout or a
            # Connection: close we have not read yet). Reconnect and try again.
            conn.close()
            conn = None
            continue
        try:
            r = conn.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException) as e:
            st.add("lost", why="%r" % e)
            conn.close()
            conn = None
            continue
        lat = time.monotonic() - t0
        if r.status == 200 and b'"AdmissionReview"' in data:
            st.add("ok", lat)
        else:
            st.add("bad", why="status %d: %r" % (r.status, data[:200]))
        n += 1
        if r.will_close or (a.reconnect and n >= a.reconnect):
            conn.close()
            conn = None


def idle_conns(a, holder, stop):
    tls = ctx()
    for _ in range(a.idle):
        if stop.is_set():
            return
        try:
            s = socket.create_connection(("127.0.0.1", a.port), timeout=5)
            if a.idle_tls:
                s = tls.wrap_socket(s)
            holder.append(s)
        except OSError:
            holder.append(None)


def slow_conn(a, stop, sent):
    tls = ctx()
    req = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Content-Length: 100000\r\n\r\n" % a.path).encode() + b"{" * 1000
    try:
        s = tls.wrap_socket(socket.create_connection(("127.0.0.1", a.port), timeout=5))
        for i in range(len(req)):
            if stop.is_set():
                break
            s.send(req[i:i + 1])
            sent[0] += 1
            stop.wait(1.0)
        s.close()
    except OSError:
        pass


def flood_conn(a, stop, counts):
    """Announce a 7 MiB review, send all of it but the last byte, hold until stop."""
    size = 7 * 1024 * 1024
    chunk = b" " * 65536
    sent = 0
    try:
        s = ctx().wrap_socket(socket.create_connection(("127.0.0.1", a.port), timeout=30))
        s.sendall(("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "Content-Length: %d\r\n\r\n" % (a.path, size)).encode())
        while sent < size - 1 and not stop.is_set():
            n = min(len(chunk), size - 1 - sent)
            s.sendall(chunk[:n])
            sent += n
    except OSError:
        counts.append("refused")
        return
    counts.append("held")
    stop.wait()
    s.close()


def pct(v, q):
    if not v:
        return 0
    v = sorted(v)
    return int(v[min(len(v) - 1, int(q * len(v)))] * 1e6)


def served_cert(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        with ctx().wrap_socket(s) as t:
            return t.getpeercert(binary_form=True)


def main():
    a = parse()
    if a.expect_cert:
        want = ssl.PEM_cert_to_DER_cert(open(a.expect_cert).read().split("-----END CERTIFICATE-----")[0]
                                        + "-----END CERTIFICATE-----\n")
        got = served_cert(a.port)
        print("CERT %s" % ("match" if got == want else "differs"))
        sys.exit(0 if got == want else 1)
    body = open(a.body, "rb").read() if a.body else b""
    st = Stats()
    stop = threading.Event()
    held, slow_sent = [], [0]
    bg = []
    if a.idle:
        t = threading.Thread(target=idle_conns, args=(a, held, stop), daemon=True)
        t.start()
        bg.append(t)
    for _ in range(a.slow):
        t = threading.Thread(target=slow_conn, args=(a, stop, slow_sent), daemon=True)
        t.start()
    flood = []
    for _ in range(a.flood):
        threading.Thread(target=flood_conn, args=(a, stop, flood), daemon=True).start()
    for t in bg:
        t.join()
    if a.delay:
        time.sleep(a.delay)
    threads = [threading.Thread(target=worker, args=(a, body, st, stop), daemon=True)
               for _ in range(a.conns)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + a.secs
    while time.monotonic() < deadline and (not threads or any(t.is_alive() for t in threads)):
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join(20)
    c = st.c
    print("LOADCLIENT ok=%d bad=%d lost=%d refused=%d conns=%d idle_open=%d slow_bytes=%d "
          "flood_held=%d flood_refused=%d p50=%dus p99=%dus max=%dus" % (
              c["ok"], c["bad"], c["lost"], c["refused"], c["conns"],
              sum(1 for s in held if s is not None), slow_sent[0],
              flood.count("held"), flood.count("refused"),
              pct(st.lat, 0.5), pct(st.lat, 0.99), int(max(st.lat or [0]) * 1e6)))
    for e in st.errors:
        print("  e.g. " + e, file=sys.stderr)
    for s in held:
        if s is not None:
            s.close()


if __name__ == "__main__":
    main()
