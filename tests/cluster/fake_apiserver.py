#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# fake_apiserver.py - a tiny Kubernetes API server for tests of cluster/kube.c: plain
# HTTP on 127.0.0.1 with an ephemeral port, paginated LIST, chunked WATCH with
# resourceVersion replay, BOOKMARK, ERROR 410, HTTP 410 and dropped connections;
# coordination.k8s.io/v1 Leases (GET, POST, PUT with resourceVersion compare-and-swap:
# 409 Conflict), core/v1 Events (POST), and a stall of every non-watch request.
# Driven by one JSON command per line on stdin; prints "PORT n" first, then one reply
# line ("OK" or "STATS {...}") per command. Exits on "quit", EOF or --max-seconds.
# --serve-dir DIR preloads every `kind: List` / typed-list JSON file of DIR (bench/scale.sh);
# with --no-stdin it ignores stdin and runs until SIGTERM or --max-seconds.
import argparse
import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# path -> (kind, apiVersion, namespaced), as cluster/kube.c watches them.
RESOURCES = {
    "/api/v1/namespaces": ("Namespace", "v1"),
    "/api/v1/persistentvolumeclaims": ("PersistentVolumeClaim", "v1"),
    "/apis/storage.k8s.io/v1/storageclasses": ("StorageClass", "storage.k8s.io/v1"),
    "/apis/cdi.kubevirt.io/v1beta1/storageprofiles": ("StorageProfile", "cdi.kubevirt.io/v1beta1"),
    "/api/v1/nodes": ("Node", "v1"),
    "/apis/k8s.cni.cncf.io/v1/network-attachment-definitions":
        ("NetworkAttachmentDefinition", "k8s.cni.cncf.io/v1"),
    "/apis/migrations.kubevirt.io/v1alpha1/migrationpolicies":
        ("MigrationPolicy", "migrations.kubevirt.io/v1alpha1"),
    "/apis/kubevirt.io/v1/virtualmachines": ("VirtualMachine", "kubevirt.io/v1"),
    "/apis/kubevirt.io/v1/virtualmachineinstances": ("VirtualMachineInstance", "kubevirt.io/v1"),
    "/apis/kubevirt.io/v1/virtualmachineinstancemigrations":
        ("VirtualMachineInstanceMigration", "kubevirt.io/v1"),
    "/apis/hco.kubevirt.io/v1beta1/hyperconvergeds": ("HyperConverged", "hco.kubevirt.io/v1beta1"),
    "/apis/kubevirt.io/v1/kubevirts": ("KubeVirt", "kubevirt.io/v1"),
    "/apis/instancetype.kubevirt.io/v1beta1/virtualmachineinstancetypes":
        ("VirtualMachineInstancetype", "instancetype.kubevirt.io/v1beta1"),
    "/apis/instancetype.kubevirt.io/v1beta1/virtualmachineclusterinstancetypes":
        ("VirtualMachineClusterInstancetype", "instancetype.kubevirt.io/v1beta1"),
}
BY_NAME = {p.rsplit("/", 1)[1]: p for p in RESOURCES}
BY_KIND = {k: p for p, (k, _) in RESOURCES.items()}


def load_dir(st, d):
    """Preload the List files of d. Objects are kept as the JSON bytes a typed list
    carries (no kind, no apiVersion): a 100,000-VM view as dicts would not fit."""
    n = 0
    for fn in sorted(os.listdir(d)):
        if not fn.endswith(".json"):
            continue
        with open(os.path.join(d, fn)) as f:
            doc = json.load(f)
        items = doc.get("items") if isinstance(doc, dict) else None
        if items is None:
            items = [doc]
        list_kind = doc.get("kind", "") if isinstance(doc, dict) else ""
        while items:
            obj = items.pop()
            kind = obj.pop("kind", None) or list_kind[:-4]
            obj.pop("apiVersion", None)
            path = BY_KIND.get(kind)
            if path is None:
                continue
            md = obj.get("metadata", {})
            st.rv += 1
            md["resourceVersion"] = str(st.rv)
            st.objects[path][(md.get("namespace", ""), md["name"])] = json.dumps(
                obj, separators=(",", ":")).encode()
            n += 1
        del doc
    return n


class State:
    def __init__(self, token, absent, hold):
        self.cond = threading.Condition()
        self.token = token
        self.rv = 100
        self.objects = {p: {} for p in RESOURCES}   # path -> {(ns, name): obj}
        self.sorted_cache = {}                         # path -> (gen, sorted items)
        self.gen = {p: 0 for p in RESOURCES}        # bumped when objects[path] changes
        self.page_cache = {}                        # (path, gen, start, end) -> items bytes
        self.events = []                            # (path, type, rv, obj)
        self.floor = {p: 0 for p in RESOURCES}      # watch from below this: 410
        self.expire_gen = {p: 0 for p in RESOURCES}
        self.drop_gen = 0
        self.absent = set(BY_NAME[a] for a in absent)
        self.hold = hold
        self.gone_next = set()
        self.fail_next = {}
        self.stats = {p.rsplit("/", 1)[1]: {"lists": 0, "watches": 0} for p in RESOURCES}
        self.stopping = False
        self.leases = {}      # (ns, name) -> Lease object (dict)
        self.events_posted = []
        self.stall_until = 0.0
        self.stall_match = ""
        self.lease_puts = 0
        self.lease_conflicts = 0

    def stamp(self, obj):
        self.rv += 1
        obj.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
        return self.rv

    def command(self, c):
        op = c["op"]
        path = BY_NAME.get(c.get("res", ""), None)
        with self.cond:
            if op in ("add", "modify"):
                kind, api = RESOURCES[path]
                obj = c["obj"]
                obj.setdefault("kind", kind)
                obj.setdefault("apiVersion", api)
                md = obj["metadata"]
                rv = self.stamp(obj)
                self.objects[path][(md.get("namespace", ""), md["name"])] = obj
                self.gen[path] += 1
                self.events.append((path, "ADDED" if op == "add" else "MODIFIED", rv, obj))
            elif op in ("delete", "silent_delete"):
                obj = self.objects[path].pop((c.get("ns", ""), c["name"]))
                self.gen[path] += 1
                if isinstance(obj, bytes):
                    kind, api = RESOURCES[path]
                    obj = dict(json.loads(obj), kind=kind, apiVersion=api)
                rv = self.stamp(obj)
                if op == "delete":
                    self.events.append((path, "DELETED", rv, obj))
            elif op == "bookmark":
                kind, api = RESOURCES[path]
                bm = {"kind": kind, "apiVersion": api,
                      "metadata": {"resourceVersion": str(self.rv)}}
                self.events.append((path, "BOOKMARK", None, bm))
            elif op == "expire":
                self.floor[path] = self.rv
                self.expire_gen[path] += 1
            elif op == "gone_next":
                self.gone_next.add(path)
            elif op == "fail_next":
                self.fail_next[path] = c.get("n", 1)
            elif op == "drop":
                self.drop_gen += 1
            elif op == "release":
                self.hold = False
            elif op == "install":
                self.absent.discard(path)
            elif op == "stats":
                return "STATS " + json.dumps(self.stats)
            elif op == "stall":
                # Requests (not watches) whose path contains "match" wait this long.
                self.stall_until = time.monotonic() + float(c.get("seconds", 1))
                self.stall_match = c.get("match", "")
            elif op == "events":
                return "EVENTS " + json.dumps(self.events_posted)
            elif op == "leases":
                return "LEASES " + json.dumps({"%s/%s" % k: v for k, v in self.leases.items()})
            elif op == "lease_stats":
                return "LEASE_STATS " + json.dumps({"puts": self.lease_puts,
                                                    "conflicts": self.lease_conflicts})
            elif op == "set_lease":
                # A holder that takes the lease and dies: the test plays it.
                key = (c["ns"], c["name"])
                obj = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                       "metadata": {"name": c["name"], "namespace": c["ns"]},
                       "spec": c.get("spec", {})}
                self.stamp(obj)
                self.leases[key] = obj
            elif op == "policies":
                path = BY_NAME["migrationpolicies"]
                return "POLICIES " + json.dumps(sorted(
                    [o if isinstance(o, dict) else json.loads(o)
                     for o in self.objects[path].values()], key=lambda o: o["metadata"]["name"]))
            elif op == "quit":
                self.stopping = True
            else:
                return "ERR unknown op " + op
            self.cond.notify_all()
        return "OK"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes: without TCP_NODELAY each answer
    # waits for the client's delayed ACK (40 ms), which bench/policy_writes.sh would see.
    disable_nagle_algorithm = True
    st = None

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, close=False):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    def status(self, code, reason, msg):
        self.reply(code, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                          "message": msg, "reason": reason, "code": code})

    def stall(self, path):
        st = self.st
        while True:
            with st.cond:
                left = st.stall_until - time.monotonic()
                if left <= 0 or st.stopping or st.stall_match not in path:
                    return
            time.sleep(min(left, 0.05))

    def body(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        try:
            return json.loads(self.rfile.read(n) or b"null")
        except ValueError:
            return None

    def leases_path(self, path):
        """(ns, name or None) for .../namespaces/NS/leases[/NAME], else None."""
        parts = path.strip("/").split("/")
        if parts[:3] != ["apis", "coordination.k8s.io", "v1"] or len(parts) not in (6, 7):
            return None
        if parts[3] != "namespaces" or parts[5] != "leases":
            return None
        return (parts[4], parts[6] if len(parts) == 7 else None)

    def events_ns(self, path):
        parts = path.strip("/").split("/")
        if len(parts) == 5 and parts[:3] == ["api", "v1", "namespaces"] and parts[4] == "events":
            return parts[3]
        return None

    def write_op(self, method):
        st = self.st
        if self.headers.get("Authorization") != "Bearer " + st.token:
            return self.status(401, "Unauthorized", "Unauthorized")
        path = urlsplit(self.path).path
        self.stall(path)
        obj = self.body()
        if not isinstance(obj, dict):
            return self.status(400, "BadRequest", "the body is not a JSON object")
        ns = self.events_ns(path)
        if ns is not None and method == "POST":
            with st.cond:
                name = obj.get("metadata", {}).get("name", "")
                if any(e["metadata"].get("name") == name for e in st.events_posted):
                    return self.status(409, "AlreadyExists", "events \"%s\" already exists" % name)
                obj.setdefault("metadata", {})["namespace"] = ns
                st.stamp(obj)
                st.events_posted.append(obj)
            return self.reply(201, obj)
        lp = self.leases_path(path)
        if lp is None:
            return self.status(405, "MethodNotAllowed", "not supported by the fake API server")
        ns, name = lp
        with st.cond:
            st.lease_puts += 1
            if method == "POST" and name is None:
                key = (ns, obj.get("metadata", {}).get("name", ""))
                if key in st.leases:
                    st.lease_conflicts += 1
                    return self.status(409, "AlreadyExists", "leases \"%s\" already exists" % key[1])
            elif method == "PUT" and name is not None:
                key = (ns, name)
                cur = st.leases.get(key)
                if cur is None:
                    return self.status(404, "NotFound", "leases \"%s\" not found" % name)
                want = obj.get("metadata", {}).get("resourceVersion")
                if want != cur["metadata"]["resourceVersion"]:
                    st.lease_conflicts += 1
                    return self.status(409, "Conflict", "Operation cannot be fulfilled on "
                                       "leases.coordination.k8s.io \"%s\": the object has been "
                                       "modified; please apply your changes to the latest version "
                                       "and try again" % name)
            else:
                return self.status(405, "MethodNotAllowed", "not supported by the fake API server")
            obj.setdefault("metadata", {})["namespace"] = ns
            obj["apiVersion"] = "coordination.k8s.io/v1"
            obj["kind"] = "Lease"
            st.stamp(obj)
            st.leases[key] = obj
            st.cond.notify_all()
            return self.reply(201 if method == "POST" else 200, obj)

    def do_POST(self):
        self.write_op("POST")

    def do_PUT(self):
        self.write_op("PUT")

    def do_GET(self):
        st = self.st
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        if self.headers.get("Authorization") != "Bearer " + st.token:
            return self.status(401, "Unauthorized", "Unauthorized")
        path = url.path
        lp = self.leases_path(path)
        if lp is not None and lp[1] is not None:
            self.stall(path)
            with st.cond:
                cur = st.leases.get(lp)
                cur = json.loads(json.dumps(cur)) if cur is not None else None
            if cur is None:
                return self.status(404, "NotFound", "leases \"%s\" not found" % lp[1])
            return self.reply(200, cur)
        if q.get("watch") not in ("1", "true"):
            self.stall(path)
        if path not in RESOURCES or path in st.absent:
            return self.status(404, "NotFound", "the server could not find the requested resource")
        name = path.rsplit("/", 1)[1]
        with st.cond:
            if st.fail_next.get(path, 0) > 0:
                st.fail_next[path] -= 1
                fail = True
            else:
                fail = False
        if fail:
            return self.status(500, "InternalError", "injected failure")
        if q.get("watch") in ("1", "true"):
            return self.watch(path, name, q)
        return self.list(path, name, q)

    def list(self, path, name, q):
        st = self.st
        with st.cond:
            while st.hold and not st.stopping:
                st.cond.wait(0.2)
            st.stats[name]["lists"] += 1
            rv = st.rv
            # Sorted once per change of the kind, not once per page (a 100,000-object
            # list in pages of 500 would otherwise sort it 200 times) nor per Lease write.
            gen = st.gen[path]
            cached = st.sorted_cache.get(path)
            if cached is None or cached[0] != gen:
                cached = (gen, sorted(st.objects[path].items()))
                st.sorted_cache[path] = cached
                st.page_cache = {k: v for k, v in st.page_cache.items() if k[0] != path}
            items = cached[1]
        limit = int(q.get("limit", "0") or 0)
        start = int(q.get("continue", "0") or 0)
        end = len(items) if limit <= 0 else min(len(items), start + limit)
        # Pages of preloaded objects (--serve-dir) are joined once and served again from
        # memory, as the API server serves lists from its watch cache: bench/scale.sh's
        # relists then cost this Python process little CPU on migguard's cores.
        key = (path, gen, start, end)
        body = st.page_cache.get(key)
        if body is None:
            page = []
            for _, obj in items[start:end]:
                if isinstance(obj, bytes):  # preloaded by --serve-dir, already without kind
                    page.append(obj)
                    continue
                o = json.loads(json.dumps(obj))
                # Typed lists carry kind and apiVersion on the list, not on the items.
                o.pop("kind", None)
                o.pop("apiVersion", None)
                page.append(json.dumps(o).encode())
            body = b", ".join(page)
            if all(isinstance(obj, bytes) for _, obj in items[start:end]):
                with st.cond:
                    st.page_cache[key] = body
        md = {"resourceVersion": str(rv)}
        if end < len(items):
            md["continue"] = str(end)
        kind, api = RESOURCES[path]
        head = json.dumps({"kind": kind + "List", "apiVersion": api, "metadata": md})
        self.reply(200, head[:-1].encode() + b', "items": [' + body + b"]}")

    def chunk(self, obj):
        data = (json.dumps(obj) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, path, name, q):
        st = self.st
        since = int(q.get("resourceVersion", "0") or 0)
        # As the API server does, a watch ends cleanly after timeoutSeconds.
        limit = int(q.get("timeoutSeconds", "0") or 0)
        deadline = time.monotonic() + limit if limit > 0 else float("inf")
        with st.cond:
            st.stats[name]["watches"] += 1
            if path in st.gone_next:
                st.gone_next.discard(path)
                return self.status(410, "Expired", "too old resource version (injected)")
            too_old = since < st.floor[path]
            replay = [e for e in st.events if e[0] == path and e[2] is not None and e[2] > since]
            pos = len(st.events)
            drop, expire = st.drop_gen, st.expire_gen[path]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if too_old:
            return self.gone()
        for e in replay:
            self.chunk({"type": e[1], "object": e[3]})
        while True:
            with st.cond:
                while (pos == len(st.events) and drop == st.drop_gen
                       and expire == st.expire_gen[path] and not st.stopping
                       and time.monotonic() < deadline):
                    st.cond.wait(0.5)
                new = [e for e in st.events[pos:] if e[0] == path]
                pos = len(st.events)
                dropped = drop != st.drop_gen or st.stopping
                expired = expire != st.expire_gen[path]
            if dropped:
                # No final chunk: the client sees the stream cut in the middle.
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            for e in new:
                self.chunk({"type": e[1], "object": e[3]})
            if expired:
                return self.gone()
            if time.monotonic() >= deadline:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                return

    def gone(self):
        self.chunk({"type": "ERROR", "object": {
            "kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Expired",
            "message": "too old resource version", "code": 410}})
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--token", default="test-token")
    ap.add_argument("--absent", default="", help="comma-separated resources that answer 404")
    ap.add_argument("--hold", action="store_true", help="hold lists until 'release'")
    ap.add_argument("--max-seconds", type=float, default=120.0)
    ap.add_argument("--serve-dir", help="preload the List JSON files of this directory")
    ap.add_argument("--no-stdin", action="store_true",
                    help="take no commands: run until SIGTERM or --max-seconds")
    a = ap.parse_args()
    st = State(a.token, [x for x in a.absent.split(",") if x], a.hold)
    if a.serve_dir:
        t0 = time.monotonic()
        n = load_dir(st, a.serve_dir)
        print("fake_apiserver: %d objects from %s in %.1f s" % (n, a.serve_dir, time.monotonic() - t0),
              file=sys.stderr, flush=True)
    Handler.st = st
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    deadline = time.monotonic() + a.max_seconds
    print("PORT %d" % srv.server_address[1], flush=True)

    def watchdog():
        while time.monotonic() < deadline:
            time.sleep(0.5)
        print("fake_apiserver: --max-seconds reached", file=sys.stderr, flush=True)
        os._exit(3)
    threading.Thread(target=watchdog, daemon=True).start()
    if a.no_stdin:
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        while True:
            time.sleep(3600)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            out = st.command(json.loads(line))
        except Exception as e:  # a bad command is the test's bug: say so, keep going
            out = "ERR %s" % e
        print(out, flush=True)
        if st.stopping:
            break
    with st.cond:
        st.stopping = True
        st.cond.notify_all()
    srv.shutdown()


if __name__ == "__main__":
    main()
