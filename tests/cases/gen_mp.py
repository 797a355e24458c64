#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""gen_mp.py - write the admission cases of the MigrationPolicy family (mp-*: MP001-MP012,
each rule in its deny and its warn or allow form) and of the VM/VMI annotations
(vm-annotate-*: the mutating endpoint, RULES.md section 7).

Each case is one directory with review.json, expect.json and, when needed, state/ (one
JSON file per object); format: README.md. Policies follow the user documents in
/work/shared/seeds (the "production" policy of "Configuring live migration").
Re-run after editing: it rewrites every mp-* and vm-annotate-* directory and leaves the
other cases alone. The generated files are committed.
"""
import json
import sys

sys.dont_write_bytecode = True  # no __pycache__ among the cases
from casegen import UNCHECKED, meta  # noqa: E402
import casegen  # noqa: E402

PREFIXES = ("mp-", "vm-annotate-")
NS = "web-servers"
CASES = []


def policy(name, selectors=None, no_selectors=False, **fields):
    spec = {} if no_selectors else {"selectors": selectors if selectors is not None else {}}
    spec.update(fields)
    return {"apiVersion": "migrations.kubevirt.io/v1alpha1", "kind": "MigrationPolicy",
            "metadata": meta(name), "spec": spec}


def vmsel(**labels):
    return {"virtualMachineInstanceSelector": labels}


def namespace(name, **labels):
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": meta(name, labels=dict({"kubernetes.io/metadata.name": name}, **labels))}


def vm(name, labels, ns=NS, annotations=None, kind="VirtualMachine"):
    md = meta(name, ns)
    if annotations is not None:
        md["annotations"] = annotations
    if kind == "VirtualMachine":
        return {"apiVersion": "kubevirt.io/v1", "kind": kind, "metadata": md,
                "spec": {"runStrategy": "Always",
                         "template": {"metadata": {"labels": labels},
                                      "spec": {"domain": {"devices": {}, "memory": {"guest": "2Gi"}}}}}}
    md["labels"] = labels
    return {"apiVersion": "kubevirt.io/v1", "kind": kind, "metadata": md,
            "spec": {"domain": {"devices": {}, "memory": {"guest": "2Gi"}}},
            "status": {"phase": "Running", "nodeName": "worker-0"}}


def hco(name="kubevirt-hyperconverged", ns="openshift-cnv", annotations=None, **lmc):
    md = meta(name, ns)
    if annotations:
        md["annotations"] = annotations
    return {"apiVersion": "hco.kubevirt.io/v1beta1", "kind": "HyperConverged",
            "metadata": md, "spec": {"liveMigrationConfig": lmc}}


def kubevirt(**migrations):
    return {"apiVersion": "kubevirt.io/v1", "kind": "KubeVirt",
            "metadata": meta("kubevirt-kubevirt-hyperconverged", "openshift-cnv"),
            "spec": {"configuration": {"migrations": migrations}}}


# Sources of the edition 2 verdicts (RULES.md), named in the NOTE of the cases they change.
KV_MIB = ("KubeVirt pkg/virt-launcher/virtwrap/converter/vcpu/vcpu.go QuantityToMebiByte "
          "(whole MiB/s) and virtwrap/manager.go getVMIMigrationDataSize (deadline T x "
          "ceil(M / 10^9)); RULES.md LMC006, MP006 and 9.2.")
KV_AWD = ("KubeVirt pkg/virt-config/virt-config.go GetMigrationConfiguration (an unset "
          "allowWorkloadDisruption follows allowPostCopy), virtwrap/live-migration-source.go "
          "(post-copy or a paused guest with a doubled deadline only with "
          "allowWorkloadDisruption); RULES.md section 4 and 9.18.")
KV_TIE = ("KubeVirt pkg/virt-controller/watch/migration (the policy with more VM labels, then "
          "the smaller name) against the documents' order of sorted selector keys: RULES.md "
          "MP011 (edition 2) denies only when the two pick different policies.")
SETTINGS = ("RULES.md 9.3: the KubeVirt CR's spec.configuration.migrations when the view has "
            "one, else the HyperConverged named kubevirt-hyperconverged (smallest namespace) "
            "with its kubevirt.kubevirt.io/jsonpatch operations (HCO "
            "controllers/common/consts.go JSONPatchKVAnnotationName), else the defaults.")


GVR = {"MigrationPolicy": ("migrations.kubevirt.io", "v1alpha1", "migrationpolicies"),
       "VirtualMachine": ("kubevirt.io", "v1", "virtualmachines"),
       "VirtualMachineInstance": ("kubevirt.io", "v1", "virtualmachineinstances")}


def review(case_name, obj, op, old):
    src = obj or old
    group, version, resource = GVR[src["kind"]]
    gvk = {"group": group, "version": version, "kind": src["kind"]}
    rv = casegen.review(case_name, gvk, resource, src["metadata"]["name"], None, op, obj, old,
                        casegen.options(op))
    ns = src["metadata"].get("namespace", "")
    if ns:  # these cases carry the namespace last
        rv["request"]["namespace"] = ns
    return rv


def case(name, obj, *, op="CREATE", old=None, state=None, deny=None, warn=None, fields=None,
         contains=None, endpoint="validate", patch=UNCHECKED, config=None, note=None):
    CASES.append(dict(name=name, obj=obj, op=op, old=old, state=state or [], deny=deny,
                      warn=warn, fields=fields, contains=contains, endpoint=endpoint,
                      patch=patch, config=config, note=note))


def write(c):
    casegen.write_case(c["name"], review(c["name"], c["obj"], c["op"], c["old"]),
                       casegen.expect(c, c["endpoint"], not c["deny"], c["patch"]),
                       c["config"], casegen.object_files(c["state"]), c["note"])


# ---- MP001-MP007: one policy on its own ------------------------------------------------

# The documents' example: production VMs in HPC projects.
SEED_SEL = {"namespaceSelector": {"hpc-workloads": "True", "xyz-workloads-type": ""},
            "virtualMachineInstanceSelector": {"kubevirt.io/environment": "production"}}
SEED = policy("production-hpc", SEED_SEL, allowAutoConverge=True,
              bandwidthPerMigration="64Mi", completionTimeoutPerGiB=800, allowPostCopy=False)

case("mp-seed-example-allowed", SEED)
case("mp-mp001-missing-selectors-deny", policy("no-selectors", no_selectors=True,
                                               allowAutoConverge=True),
     deny=["MP001"], fields=["spec.selectors"], contains=["write selectors: {}"])
case("mp-mp001-match-labels-deny",
     policy("match-labels", {"virtualMachineInstanceSelector":
                             {"matchLabels": {"kubevirt.io/environment": "production"}}}),
     deny=["MP001"], fields=["spec.selectors.virtualMachineInstanceSelector.matchLabels"],
     contains=["plain label maps"])
case("mp-mp001-unquoted-bool-value-deny",
     policy("bool-value", {"namespaceSelector": {"hpc-workloads": True}}),
     deny=["MP001"], contains=["quote it"])
case("mp-mp001-unknown-selector-key-deny",
     policy("typo", {"virtualMachineSelector": {"app": "db"}}),
     deny=["MP001"], contains=["unknown key \"virtualMachineSelector\""])
case("mp-mp001-catch-all-allowed", policy("catch-all", {}))
case("mp-mp002-bad-label-key-deny",
     policy("bad-key", {"namespaceSelector": {"-hpc": "True"}}),
     deny=["MP002"], fields=["spec.selectors.namespaceSelector.-hpc"])
case("mp-mp002-bad-label-value-deny",
     policy("bad-value", vmsel(tier="gold plated")),
     deny=["MP002"], contains=["not a valid label value"])
case("mp-mp002-prefixed-key-empty-value-allowed",
     policy("prefixed", {"namespaceSelector": {"example.com/xyz-workloads-type": ""}}))
case("mp-mp003-negative-bandwidth-deny", policy("neg-bw", {}, bandwidthPerMigration="-64Mi"),
     deny=["MP003"], fields=["spec.bandwidthPerMigration"], contains=["negative"])
case("mp-mp003-below-one-byte-deny", policy("tiny-bw", {}, bandwidthPerMigration="1m"),
     deny=["MP003"], contains=["write 0 for unlimited"])
case("mp-mp003-bad-quantity-deny", policy("bad-bw", {}, bandwidthPerMigration="1e1.5"),
     deny=["MP003"])
case("mp-mp003-number-bandwidth-allowed",
     policy("num-bw", {}, bandwidthPerMigration=67108864))
case("mp-mp004-negative-timeout-deny", policy("neg-ct", {}, completionTimeoutPerGiB=-1),
     deny=["MP004"], fields=["spec.completionTimeoutPerGiB"])
case("mp-mp004-zero-timeout-warn", policy("zero-ct", {}, completionTimeoutPerGiB=0),
     warn=["MP004"], contains=["never cancels"],
     note="Still a warning; the message now says what KubeVirt does with 0 "
          "(virtwrap/live-migration-source.go shouldTriggerTimeout: no timeout).")
case("mp-mp005-zero-downtime-deny", policy("zero-dt", {}, maxDowntimeMs=0),
     deny=["MP005"], fields=["spec.maxDowntimeMs"])
case("mp-mp005-over-limit-deny", policy("big-dt", {}, maxDowntimeMs=2000001), deny=["MP005"])
case("mp-mp005-limit-allowed", policy("max-dt", {}, maxDowntimeMs=2000000))
case("mp-mp006-infeasible-deny",
     policy("slow", {}, bandwidthPerMigration="100M", completionTimeoutPerGiB=10),
     deny=["MP006"], fields=["spec.completionTimeoutPerGiB"],
     contains=["95 MiB/s", "10.04 s per 10^9 bytes"],
     note="Still denied, with edition 2's numbers (100M is 95 MiB/s). " + KV_MIB)
case("mp-mp006-100mi-at-10-allowed",
     policy("fast-enough", {}, bandwidthPerMigration="100Mi", completionTimeoutPerGiB=10),
     note=KV_MIB)
case("mp-mp006-cluster-bandwidth-deny", policy("short", {}, completionTimeoutPerGiB=60),
     state=[hco(bandwidthPerMigration="10Mi")], deny=["MP006"], contains=["(cluster)"])
case("mp-mp006-unlimited-overrides-cluster-allowed",
     policy("fast", {}, completionTimeoutPerGiB=60, bandwidthPerMigration="0"),
     state=[hco(bandwidthPerMigration="10Mi")])
case("mp-mp006-disruption-pause-warn",
     policy("pause", {}, bandwidthPerMigration="1Mi", completionTimeoutPerGiB=600,
            allowWorkloadDisruption=True),
     warn=["MP006"], contains=["large VMs get paused to finish"], note=KV_AWD)
case("mp-mp006-disruption-paused-too-slow-deny",
     policy("pause-slow", {}, bandwidthPerMigration="1Mi", completionTimeoutPerGiB=476,
            allowWorkloadDisruption=True),
     deny=["MP006"], contains=["2 x completionTimeoutPerGiB 476"], note=KV_AWD)
case("mp-mp006-post-copy-finishes-allowed",
     policy("post-copy-slow", {}, bandwidthPerMigration="1Mi", completionTimeoutPerGiB=1,
            allowPostCopy=True),
     warn=["MP007"], note="allowPostCopy alone sets allowWorkloadDisruption too (RULES.md "
                          "section 4): post-copy finishes the migration. " + KV_AWD)
# Where the cluster's settings come from (RULES.md 9.3).
case("mp-mp006-cluster-from-kubevirt-cr-deny", policy("short", {}, completionTimeoutPerGiB=60),
     state=[hco(bandwidthPerMigration="0"), kubevirt(bandwidthPerMigration="10Mi")],
     deny=["MP006"], contains=["10 MiB/s", "(cluster)"], note=SETTINGS)
case("mp-mp006-cluster-jsonpatch-deny", policy("short", {}, completionTimeoutPerGiB=60),
     state=[hco(bandwidthPerMigration="0", annotations={
         "kubevirt.kubevirt.io/jsonpatch": json.dumps([
             {"op": "add", "path": "/spec/configuration/migrations/bandwidthPerMigration",
              "value": "10Mi"}])})],
     deny=["MP006"], contains=["10 MiB/s"], note=SETTINGS)
case("mp-mp006-two-hcos-named-one-first-deny", policy("short", {}, completionTimeoutPerGiB=60),
     state=[hco(bandwidthPerMigration="10Mi"),
            hco(name="aaa-hco", ns="aaa", bandwidthPerMigration="0"),
            hco(ns="zzz", bandwidthPerMigration="0")],
     deny=["MP006"], contains=["10 MiB/s"], note=SETTINGS)
case("mp-mp006-two-hcos-named-one-last-deny", policy("short", {}, completionTimeoutPerGiB=60),
     state=[hco(ns="zzz", bandwidthPerMigration="0"),
            hco(name="aaa-hco", ns="aaa", bandwidthPerMigration="0"),
            hco(bandwidthPerMigration="10Mi")],
     deny=["MP006"], contains=["10 MiB/s"],
     note="The same verdict whatever the order of the files. " + SETTINGS)
case("mp-mp007-post-copy-warn", policy("post-copy", {}, allowPostCopy=True), warn=["MP007"],
     fields=None, contains=["not for critical data"])
case("mp-mp007-post-copy-never-starts-warn",
     policy("post-copy-off", {}, allowPostCopy=True, allowWorkloadDisruption=False),
     warn=["MP007"], contains=["post-copy never starts"], note=KV_AWD)
case("mp-mp007-cluster-post-copy-policy-disruption-false-warn",
     policy("no-disruption", {}, allowWorkloadDisruption=False),
     state=[hco(allowPostCopy=True)], warn=["MP007"], contains=["post-copy never starts"],
     note="The cluster allows post-copy; this policy's allowWorkloadDisruption false keeps it "
          "from ever starting for its VMs. " + KV_AWD)

# ---- MP010/MP011: against the other policies of the view --------------------------------

DB = vmsel(app="db")
case("mp-mp010-duplicate-deny", policy("db-2", DB, allowAutoConverge=True),
     state=[policy("db-1", DB, allowAutoConverge=True)],
     deny=["MP010"], fields=["spec.selectors"], contains=["policy \"db-1\" has exactly"])
case("mp-mp010-empty-and-absent-maps-deny", policy("all-2", {"namespaceSelector": {}}),
     state=[policy("all-1", {})], deny=["MP010"])
case("mp-mp011-tie-deny",
     policy("account-x", {"namespaceSelector": {"account": "x"}}, bandwidthPerMigration="2Gi"),
     state=[policy("db", DB, bandwidthPerMigration="1Gi")],
     deny=["MP011"], fields=["spec.selectors"],
     contains=["ties with policy \"db\"",
               "labels {app=db} in a namespace with labels {account=x}",
               "bandwidthPerMigration 2Gi vs 1Gi", "KubeVirt applies \"db\" (more VM labels)",
               "(sorted selector keys) picks \"account-x\""],
     note="Edition 1's case (namespaceSelector team=x) is now "
          "mp-mp011-tie-same-winner-allowed; here the tie-breaks disagree (\"account\" < "
          "\"app\"). " + KV_TIE)
case("mp-mp011-tie-same-winner-allowed",
     policy("team-x", {"namespaceSelector": {"team": "x"}}, bandwidthPerMigration="2Gi"),
     state=[policy("db", DB, bandwidthPerMigration="1Gi")],
     note="Edition 1 denied this tie (it was mp-mp011-tie-deny). Both tie-breaks pick db (more "
          "VM labels; \"app\" < \"team\"), so which policy applies is predictable. " + KV_TIE)
case("mp-mp011-tie-by-name-deny",
     policy("a-zone", vmsel(zone="z"), allowAutoConverge=True),
     state=[policy("m-db", DB)], deny=["MP011"],
     contains=["KubeVirt applies \"a-zone\" (smaller name)", "picks \"m-db\""], note=KV_TIE)
case("mp-mp011-equal-key-lists-allowed",
     policy("n0", {"namespaceSelector": {"y": "1"}, "virtualMachineInstanceSelector": {"x": "1"}},
            allowAutoConverge=True),
     state=[policy("n1", {"namespaceSelector": {"x": "1"},
                          "virtualMachineInstanceSelector": {"y": "1"}})],
     note="Equal sorted key lists: the documents' order decides nothing, so the tie-breaks do "
          "not pick different policies. " + KV_TIE)
case("mp-mp011-config-warn",
     policy("account-x", {"namespaceSelector": {"account": "x"}}, bandwidthPerMigration="2Gi"),
     state=[policy("db", DB, bandwidthPerMigration="1Gi")], config="rules:\n  MP011: warn\n",
     warn=["MP011"], contains=["ties with \"db\"; KubeVirt applies \"db\", the documents "
                               "\"account-x\""], note=KV_TIE)
case("mp-mp011-same-settings-allowed",
     policy("tier-x", vmsel(tier="x"), bandwidthPerMigration="1024Mi"),
     state=[policy("db", DB, bandwidthPerMigration="1Gi")])
case("mp-mp011-other-rank-allowed",
     policy("db-gold", vmsel(app="db", tier="gold"), allowPostCopy=False, allowAutoConverge=True),
     state=[policy("db", DB)])
case("mp-mp011-incompatible-selectors-allowed",
     policy("web", vmsel(app="web"), allowAutoConverge=True), state=[policy("db", DB)])
case("mp-mp011-update-own-old-version-allowed",
     policy("db", DB, allowAutoConverge=True), op="UPDATE", old=policy("db", DB),
     state=[policy("db", DB)])
case("mp-delete-allowed", None, op="DELETE", old=policy("db", DB), state=[policy("db", DB)])

# ---- MP012: workloads that change policy ------------------------------------------------

WORKLOADS = [namespace(NS, team="x"), vm("db-0", {"app": "db"}), vm("db-1", {"app": "db"}),
             vm("db-0", {"app": "db"}, kind="VirtualMachineInstance"),
             vm("web-0", {"app": "web"})]
case("mp-mp012-create-moves-warn", policy("db", DB), state=WORKLOADS, warn=["MP012"],
     contains=["moves 2 VMs to policy \"db\" and 0 from it"])
case("mp-mp012-delete-moves-warn", None, op="DELETE", old=policy("db", DB),
     state=WORKLOADS + [policy("db", DB)], warn=["MP012"],
     contains=["0 VMs to policy \"db\" and 2 from it"])
case("mp-mp012-update-moves-warn", policy("db", vmsel(app="web")), op="UPDATE",
     old=policy("db", DB), state=WORKLOADS + [policy("db", DB)], warn=["MP012"],
     contains=["moves 1 VM to policy \"db\" and 2 from it"])
case("mp-mp012-nothing-moves-allowed", policy("db", DB, allowAutoConverge=True), op="UPDATE",
     old=policy("db", DB), state=WORKLOADS + [policy("db", DB)])

# ---- vm-annotate-*: the mutating endpoint -----------------------------------------------

DEFAULTS = ('{"bandwidthPerMigration":"0","completionTimeoutPerGiB":150,'
            '"allowAutoConverge":false,"allowPostCopy":false,"allowWorkloadDisruption":false,'
            '"progressTimeout":150,"parallelOutboundMigrationsPerNode":2,'
            '"parallelMigrationsPerCluster":5}')


def ann_map(pol, cfg):
    return [{"op": "add", "path": "/metadata/annotations",
             "value": {"migguard.io/migration-policy": pol, "migguard.io/migration-config": cfg}}]


def mcase(name, obj, **kw):
    case(name, obj, endpoint="mutate", **kw)


mcase("vm-annotate-no-policy-adds-map", vm("plain", {"app": "db"}), patch=ann_map("none", DEFAULTS))
SEED_CFG = ('{"bandwidthPerMigration":"64Mi","completionTimeoutPerGiB":800,'
            '"allowAutoConverge":true,"allowPostCopy":false,"allowWorkloadDisruption":false,'
            '"progressTimeout":150,"parallelOutboundMigrationsPerNode":2,'
            '"parallelMigrationsPerCluster":5}')
HPC_NS = namespace(NS, **{"hpc-workloads": "True", "xyz-workloads-type": ""})
mcase("vm-annotate-seed-policy-applies",
      vm("vm-prod", {"kubevirt.io/domain": "vm-prod", "kubevirt.io/environment": "production"}),
      state=[HPC_NS, SEED, policy("catch-all", {}, allowAutoConverge=False)],
      patch=ann_map("production-hpc", SEED_CFG))
mcase("vm-annotate-namespace-label-missing-falls-back",
      vm("vm-prod", {"kubevirt.io/environment": "production"}),
      state=[namespace(NS, **{"hpc-workloads": "True"}), SEED],
      patch=ann_map("none", DEFAULTS))
PC_CFG = ('{"bandwidthPerMigration":"64Mi","completionTimeoutPerGiB":150,'
          '"allowAutoConverge":false,"allowPostCopy":true,"allowWorkloadDisruption":true,'
          '"maxDowntimeMs":300,"progressTimeout":150,"parallelOutboundMigrationsPerNode":2,'
          '"parallelMigrationsPerCluster":5}')
mcase("vm-annotate-vmi-policy-false-zero-and-post-copy",
      vm("vmi-db", {"app": "db"}, kind="VirtualMachineInstance",
         annotations={"kubevirt.io/latest-observed-api-version": "v1"}),
      state=[namespace(NS), hco(allowAutoConverge=True, bandwidthPerMigration="64Mi"),
             policy("db", DB, allowAutoConverge=False, allowPostCopy=True, maxDowntimeMs=300)],
      patch=[{"op": "add", "path": "/metadata/annotations/migguard.io~1migration-policy",
              "value": "db"},
             {"op": "add", "path": "/metadata/annotations/migguard.io~1migration-config",
              "value": PC_CFG}])
mcase("vm-annotate-precedence-more-vm-labels",
      vm("db-gold", {"app": "db", "tier": "gold"}),
      state=[namespace(NS, team="x"),
             policy("a-team", {"namespaceSelector": {"team": "x"},
                               "virtualMachineInstanceSelector": {"app": "db"}}),
             policy("b-gold", vmsel(app="db", tier="gold"), completionTimeoutPerGiB=300)],
      contains=None, patch=ann_map("b-gold", DEFAULTS.replace(":150,\"allowAuto", ":300,\"allowAuto")))
mcase("vm-annotate-unchanged-no-patch",
      vm("plain", {"app": "db"}, annotations={"migguard.io/migration-policy": "none",
                                              "migguard.io/migration-config": DEFAULTS}),
      op="UPDATE", old=vm("plain", {"app": "db"}), patch=None)
mcase("vm-annotate-stale-policy-replaced",
      vm("plain", {"app": "db"}, annotations={"migguard.io/migration-policy": "old",
                                              "migguard.io/migration-config": DEFAULTS}),
      patch=[{"op": "add", "path": "/metadata/annotations/migguard.io~1migration-policy",
              "value": "none"}])
# RULES.md 9.3: the annotation's settings come from the KubeVirt CR when the view has one
# (its unset allowWorkloadDisruption follows allowPostCopy, 9.18), else from the
# HyperConverged with its jsonpatch annotation applied.
KV_CFG = ('{"bandwidthPerMigration":"1Gi","completionTimeoutPerGiB":300,'
          '"allowAutoConverge":false,"allowPostCopy":true,"allowWorkloadDisruption":true,'
          '"progressTimeout":150,"parallelOutboundMigrationsPerNode":2,'
          '"parallelMigrationsPerCluster":5}')
mcase("vm-annotate-kubevirt-cr-settings", vm("plain", {"app": "db"}),
      state=[namespace(NS), hco(bandwidthPerMigration="64Mi", completionTimeoutPerGiB=800),
             kubevirt(bandwidthPerMigration="1Gi", completionTimeoutPerGiB=300,
                      allowPostCopy=True)],
      patch=ann_map("none", KV_CFG), note=SETTINGS + " " + KV_AWD)
mcase("vm-annotate-hco-jsonpatch-settings", vm("plain", {"app": "db"}),
      state=[namespace(NS), hco(annotations={"kubevirt.kubevirt.io/jsonpatch": json.dumps([
          {"op": "replace", "path": "/spec/configuration/migrations/completionTimeoutPerGiB",
           "value": 500}])}, completionTimeoutPerGiB=800)],
      patch=ann_map("none", DEFAULTS.replace(":150,\"allowAuto", ":500,\"allowAuto")),
      note=SETTINGS)
mcase("vm-annotate-delete-no-patch", None, op="DELETE", old=vm("plain", {"app": "db"}),
      patch=None)


if __name__ == "__main__":
    casegen.main(CASES, write, PREFIXES)
