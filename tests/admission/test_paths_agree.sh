#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_paths_agree.sh - the differential test of issue #12 ("the same verdict on every
# path"): for every admission case in tests/cases, `migguard check` on the case's object
# as a manifest (with the case's state/ and config.yaml) and `migguard review` on the
# case's review give the same rule ids with the same actions (deny, warn), in the same
# order; for a mutate case, the same JSON Patch. Cases where the two paths legitimately
# cannot agree are skipped by the explicit rules in skip_reason() below, each with why.
# Usage: test_paths_agree.sh MIGGUARD SRCDIR
set -u
mg=${1:?usage: test_paths_agree.sh MIGGUARD SRCDIR}
src=${2:?usage: test_paths_agree.sh MIGGUARD SRCDIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
exec python3 - "$mg" "$src/tests/cases" "$tmp" <<'PY'
import base64, json, os, shutil, subprocess, sys

mg, cases, tmp = sys.argv[1:4]

# Service accounts whose VMIs RULES.md section 8 treats as KubeVirt's own.
KUBEVIRT_SA = ("kubevirt-controller", "kubevirt-handler")


def skip_reason(req):
    """Why check cannot build this case's request, or None when it can."""
    op = req.get("operation")
    obj = req.get("object")
    if op in ("DELETE", "CONNECT"):
        # check reads manifests to apply: it never sends DELETE or CONNECT.
        return f"operation {op}: check only sends CREATE and UPDATE"
    if not isinstance(obj, dict) or not all(
            isinstance(obj.get(k), str) and obj.get(k) for k in ("apiVersion", "kind")) or \
            not isinstance(obj.get("metadata"), dict) or not (
                obj["metadata"].get("name") or obj["metadata"].get("generateName")):
        # check refuses such a document before any review (it is not a manifest).
        return "object is not a complete manifest (apiVersion, kind, metadata.name)"
    user = (req.get("userInfo") or {}).get("username", "")
    if any(user.endswith(":" + sa) for sa in KUBEVIRT_SA):
        # RULES.md 8 turns findings into warnings for KubeVirt's own requests; check's
        # requests come from a person (userInfo migguard-check).
        return f"userInfo {user}: a KubeVirt request, which check never sends"
    # dryRun: check admits with dryRun false (its view grows), but the verdict on the
    # object itself does not depend on it, so dry runs are compared too.
    return None


def findings_of_review(resp):
    out = []
    for c in ((resp.get("status") or {}).get("details") or {}).get("causes") or []:
        out.append(("deny", c["message"].split("]")[0].lstrip("[")))
    if not resp.get("allowed") and not out:
        out.append(("deny", "status %s" % (resp.get("status") or {}).get("code")))
    for w in resp.get("warnings") or []:
        out.append(("warn", w.split("]")[0].lstrip("[")))
    return out


def run(args):
    p = subprocess.run([mg] + args, capture_output=True, text=True, errors="replace")
    return p.returncode, p.stdout, p.stderr


failed = compared = 0
skipped = {}
for name in sorted(os.listdir(cases)):
    d = os.path.join(cases, name)
    if not os.path.isfile(os.path.join(d, "review.json")):
        continue
    review = json.load(open(os.path.join(d, "review.json")))
    expect = json.load(open(os.path.join(d, "expect.json")))
    req = review["request"]
    why = skip_reason(req)
    if why:
        skipped[name] = why
        continue
    common = []
    state = os.path.join(d, "state")
    if os.path.isfile(os.path.join(d, "config.yaml")):
        common += ["--config", os.path.join(d, "config.yaml")]
    # check makes an UPDATE from an object the view already has: the old object joins
    # the case's state in a directory of its own.
    cstate = None
    if req.get("operation") == "UPDATE" and isinstance(req.get("oldObject"), dict):
        cstate = os.path.join(tmp, name + "-state")
        if os.path.isdir(state):
            shutil.copytree(state, cstate)
        else:
            os.makedirs(cstate)
        with open(os.path.join(cstate, "zz-old-object.json"), "w") as f:
            json.dump(req["oldObject"], f)
    elif os.path.isdir(state):
        cstate = state
    manifest = os.path.join(tmp, name + ".json")
    with open(manifest, "w") as f:
        json.dump(req["object"], f)
    mutate = expect.get("endpoint") == "mutate"
    rargs = ["review"] + (["--mutate"] if mutate else []) + common + \
        (["--state", state] if os.path.isdir(state) else []) + [os.path.join(d, "review.json")]
    rc, out, err = run(rargs)
    if rc not in (0, 1):
        print(f"FAIL {name}: review exit {rc}: {err.strip()}")
        failed += 1
        continue
    resp = json.loads(out)["response"]
    cargs = ["check", "-o", "json", "-n", req.get("namespace") or "default"] + common + \
        (["--state", cstate] if cstate else []) + [manifest]
    rc, out, err = run(cargs)
    if rc not in (0, 1):
        print(f"FAIL {name}: check exit {rc}: {err.strip()}")
        failed += 1
        continue
    obj = json.loads(out)["objects"][0]
    compared += 1
    if mutate:
        want = json.loads(base64.b64decode(resp["patch"])) if resp.get("patch") else None
        if resp.get("allowed") and obj["patch"] != want:
            print(f"FAIL {name}: patch differs\n  review: {want}\n  check:  {obj['patch']}")
            failed += 1
        continue
    got = [(f["action"], f["rule"]) for f in obj["findings"]]
    want = findings_of_review(resp)
    if got != want or obj["allowed"] != resp["allowed"]:
        print(f"FAIL {name}: review {resp['allowed']} {want}, check {obj['allowed']} {got}")
        failed += 1

for name, why in sorted(skipped.items()):
    print(f"skip {name}: {why}")
print(f"test_paths_agree: {compared} compared, {failed} differ, {len(skipped)} skipped")
sys.exit(1 if failed or compared == 0 else 0)
PY
