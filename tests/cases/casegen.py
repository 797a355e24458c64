# SPDX-License-Identifier: Apache-2.0
"""casegen.py - what gen_lmc.py, gen_mp.py and gen_vm.py share: object metadata, the
AdmissionReview around an object, expect.json, writing one case directory (format:
README.md) and main(), which rewrites the generator's case directories.
"""
import json
import os
import shutil
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
TS = "2026-11-30T09:12:44Z"
UNCHECKED = object()  # expect(patch=UNCHECKED): expect.json has no "patch" key


def meta(name, namespace=None, **extra):
    """metadata with a uid derived from namespace and name."""
    m = {"name": name, "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"obj/{namespace}/{name}")),
         "creationTimestamp": TS}
    if namespace is not None:
        m["namespace"] = namespace
    m.update(extra)
    return m


def options(op, create="kubectl-create", update="kubectl-edit", strict=False):
    """request.options as kube-apiserver sends them; strict adds fieldValidation."""
    if op == "DELETE":
        return {"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1",
                "propagationPolicy": "Background"}
    assert op in ("CREATE", "UPDATE"), op
    o = {"kind": "CreateOptions" if op == "CREATE" else "UpdateOptions",
         "apiVersion": "meta.k8s.io/v1", "fieldManager": create if op == "CREATE" else update}
    if strict:
        o["fieldValidation"] = "Strict"
    return o


def review(case_name, gvk, resource, name, namespace, op, obj, old, opts, dry_run=False):
    """An AdmissionReview v1 request; its uid follows from the case name. namespace None:
    no namespace key (the caller may add one at the end)."""
    gvr = {"group": gvk["group"], "version": gvk["version"], "resource": resource}
    req = {"uid": str(uuid.uuid5(uuid.NAMESPACE_URL, "migguard-case/" + case_name)),
           "kind": gvk, "resource": gvr, "requestKind": gvk, "requestResource": gvr,
           "name": name}
    if namespace is not None:
        req["namespace"] = namespace
    req.update({"operation": op,
                "userInfo": {"username": "system:admin",
                             "groups": ["system:masters", "system:authenticated"]},
                "object": None if op == "DELETE" else obj,
                "oldObject": None if op == "CREATE" else old,
                "dryRun": dry_run, "options": opts})
    return {"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": req}


def expect(c, endpoint, allowed, patch=UNCHECKED):
    """expect.json of case c: deny, warn, fields and contains when set."""
    exp = {"endpoint": endpoint, "allowed": allowed}
    for key in ("deny", "warn", "fields", "contains"):
        if c[key]:
            exp[key] = c[key]
    if patch is not UNCHECKED:
        exp["patch"] = patch
    return exp


def object_files(objs):
    """state/ file names and contents for a list of cluster objects."""
    return [(f"{i:02d}-{o['kind'].lower()}-{o['metadata']['name']}.json", o)
            for i, o in enumerate(objs)]


def _dump(path, data):
    with open(path, "w") as f:
        if isinstance(data, str):
            f.write(data)
        else:
            json.dump(data, f, indent=2)
            f.write("\n")


def write_case(name, rv, exp, config=None, state=(), note=None):
    """One case directory; state: (file name, JSON object or text) pairs; note: the
    NOTE file's text (why the verdict is what it is, with its upstream source)."""
    d = os.path.join(HERE, name)
    os.makedirs(d)
    _dump(os.path.join(d, "review.json"), rv)
    _dump(os.path.join(d, "expect.json"), exp)
    if config:
        _dump(os.path.join(d, "config.yaml"), config)
    if note:
        _dump(os.path.join(d, "NOTE"), note.strip() + "\n")
    if state:
        os.makedirs(os.path.join(d, "state"))
        for fname, data in state:
            _dump(os.path.join(d, "state", fname), data)


def main(cases, write, prefixes, not_prefixes=()):
    """Remove the directories named with prefixes (but not with not_prefixes: another
    generator's), then write every case."""
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    for entry in os.listdir(HERE):
        if (entry.startswith(prefixes) and not entry.startswith(not_prefixes)
                and os.path.isdir(os.path.join(HERE, entry))):
            shutil.rmtree(os.path.join(HERE, entry))
    for c in cases:
        write(c)
    print(f"{len(cases)} cases")
