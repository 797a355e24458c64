#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""gen_lmc.py - write the admission cases of the liveMigrationConfig family
(lmc-*: LMC001-LMC010 on /validate, hco-mutate-*: defaults injection on /mutate).

Each case is one directory with review.json, expect.json and, when needed, state/ and
config.yaml (format: README.md). The reviews look like what kube-apiserver sends for
`oc edit hyperconverged`. Re-run after editing: it rewrites every lmc-* and hco-mutate-*
directory and leaves the other cases alone. The generated files are committed.
"""
import copy
import json
import sys
import uuid

sys.dont_write_bytecode = True  # no __pycache__ among the cases
import casegen  # noqa: E402

PREFIXES = ("lmc-", "hco-mutate-")

# Sources of the edition 2 verdicts (RULES.md), named in the NOTE of each case they change.
KV_TIMEOUT = ("KubeVirt pkg/virt-launcher/virtwrap/live-migration-source.go: "
              "shouldTriggerTimeout returns false when acceptableCompletionTime is 0, and the "
              "progress check runs only when progressTimeout != 0.")
KV_MIB = ("KubeVirt pkg/virt-launcher/virtwrap/converter/vcpu/vcpu.go QuantityToMebiByte "
          "(whole MiB/s, under 1 MiB/s is 1) and virtwrap/manager.go getVMIMigrationDataSize "
          "(memory.ScaledValue(resource.Giga): the deadline is T x ceil(M / 10^9)); "
          "RULES.md LMC006 and 9.2.")
KV_AWD = ("KubeVirt pkg/virt-config/virt-config.go GetMigrationConfiguration (an unset "
          "allowWorkloadDisruption follows allowPostCopy) and virtwrap/live-migration-source.go "
          "(post-copy or a paused guest with a doubled deadline only with "
          "allowWorkloadDisruption); RULES.md 9.18.")
HCO_AWD = ("HCO api/v1/zz_generated.defaults.go defaults allowWorkloadDisruption to false (the "
           "hco-1.14 table injects it on v1, hco-1.19 on both versions); " + KV_AWD)
HCO_PATCH = ("HCO controllers/common/consts.go JSONPatchKVAnnotationName "
             "(kubevirt.kubevirt.io/jsonpatch): HCO applies the annotation's operations to the "
             "KubeVirt CR it writes; RULES.md 9.3.")
HCO_REFUSES = ("HCO applies the annotation with evanphx/json-patch, all operations or none "
               "(controllers/operands/operand.go applyAnnotationPatch); when one fails, its "
               "webhook refuses the HyperConverged (pkg/webhooks/validator/validator.go "
               "validateCreateComponents: handlers.NewKubeVirt) and its reconcile cannot write "
               "the KubeVirt CR. migguard then ignores the whole annotation and warns (LMC004 "
               "on the annotation, naming the failing operation); RULES.md 9.3, docs/settings.md.")
NS = "kubevirt-hyperconverged"
ABSENT = object()

P1B = "spec.liveMigrationConfig."
P1 = "spec.virtualization.liveMigrationConfig."

# The shipped table (hco-1.14), as it appears in a HyperConverged.
FULL_114 = {
    "completionTimeoutPerGiB": 150,
    "parallelMigrationsPerCluster": 5,
    "parallelOutboundMigrationsPerNode": 2,
    "progressTimeout": 150,
    "allowAutoConverge": False,
    "allowPostCopy": False,
}

SEED_LIMITS = {  # seeds: "Configuring live migration limits and timeouts"
    "bandwidthPerMigration": "64Mi",
    "completionTimeoutPerGiB": 800,
    "parallelMigrationsPerCluster": 5,
    "parallelOutboundMigrationsPerNode": 2,
    "progressTimeout": 150,
    "allowPostCopy": False,
}

SEED_HEAVY = {  # seeds: "Configure live migration for heavy workloads"
    "bandwidthPerMigration": "0Mi",
    "completionTimeoutPerGiB": 150,
    "parallelMigrationsPerCluster": 5,
    "parallelOutboundMigrationsPerNode": 1,
    "progressTimeout": 150,
    "allowPostCopy": True,
}


def nad(name, namespace):
    conf = {"cniVersion": "0.3.1", "name": name, "type": "macvlan", "master": "eth1",
            "mode": "bridge", "ipam": {"type": "whereabouts", "range": "10.200.5.0/24"}}
    return ("apiVersion: k8s.cni.cncf.io/v1\n"
            "kind: NetworkAttachmentDefinition\n"
            "metadata:\n"
            f"  name: {name}\n"
            f"  namespace: {namespace}\n"
            "spec:\n"
            f"  config: '{json.dumps(conf, separators=(',', ':'))}'\n")


def spec_of(version, lmc):
    """A HyperConverged spec with lmc at the path of version (ABSENT: no key)."""
    if version == "v1":
        virt = {"evictionStrategy": "LiveMigrate"}
        if lmc is not ABSENT:
            virt["liveMigrationConfig"] = lmc
        return {"infra": {}, "workloads": {}, "virtualization": virt}
    spec = {"infra": {}, "workloads": {}, "featureGates": {"deployKubeSecondaryDNS": False}}
    if lmc is not ABSENT:
        spec["liveMigrationConfig"] = lmc
    return spec


def hco(version, spec, name, namespace, generation, annotations=None):
    obj = {
        "apiVersion": f"hco.kubevirt.io/{version}",
        "kind": "HyperConverged",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"hco/{namespace}/{name}")),
            "generation": generation,
            "resourceVersion": str(41000 + generation),
            "creationTimestamp": casegen.TS,
            "annotations": dict({"deployOVS": "false"}, **(annotations or {})),
        },
    }
    if spec is not ABSENT:
        obj["spec"] = spec
    return obj


def review(case, version, spec, op, namespace, dry_run, old_spec, annotations=None):
    name = "kubevirt-hyperconverged"
    gvk = {"group": "hco.kubevirt.io", "version": version, "kind": "HyperConverged"}
    old = hco(version, old_spec, name, namespace, 1)
    new = hco(version, spec, name, namespace, 1 if op == "CREATE" else 2, annotations)
    if op == "CREATE":
        del new["metadata"]["resourceVersion"]
    return casegen.review(case, gvk, "hyperconvergeds", name, namespace, op, new, old,
                          casegen.options(op, strict=True), dry_run)


CASES = []


def case(name, version, lmc=ABSENT, *, spec=None, op="CREATE", namespace=NS, dry_run=False,
         old_lmc=None, state=None, config=None, mutate=False, allowed=True, deny=None,
         warn=None, fields=None, contains=None, patch=ABSENT, note=None, annotations=None):
    CASES.append(dict(name=name, version=version, lmc=lmc, spec=spec, op=op,
                      namespace=namespace, dry_run=dry_run, old_lmc=old_lmc, state=state,
                      config=config, mutate=mutate, allowed=allowed, deny=deny, warn=warn,
                      fields=fields, contains=contains, patch=patch, note=note,
                      annotations=annotations))


def deny(name, version, lmc, rule, key, contains=None, **kw):
    """A case denied by one rule on one field of liveMigrationConfig."""
    path = (P1 if version == "v1" else P1B) + key if key else \
        ("spec.virtualization.liveMigrationConfig" if version == "v1"
         else "spec.liveMigrationConfig")
    case(name, version, lmc, allowed=False, deny=[rule], fields=[path],
         contains=contains, **kw)


def allow(name, version, lmc, warn=None, contains=None, **kw):
    case(name, version, lmc, allowed=True, warn=warn, contains=contains, **kw)


def op_add(version, key, value):
    base = "/spec/virtualization/liveMigrationConfig" if version == "v1" \
        else "/spec/liveMigrationConfig"
    return {"op": "add", "path": f"{base}/{key}", "value": value}


# ---- LMC001: grammar and bounded exponents -------------------------------------------
deny("lmc-bandwidth-fractional-exponent-v1beta1", "v1beta1",
     {"bandwidthPerMigration": "1e1.5"}, "LMC001", "bandwidthPerMigration",
     ["[LMC001]", "\"1e1.5\" is not a valid quantity"])
deny("lmc-bandwidth-exponent-19-v1", "v1", {"bandwidthPerMigration": "1e19"}, "LMC001",
     "bandwidthPerMigration", ["outside -18..18"])
deny("lmc-bandwidth-huge-negative-exponent-v1beta1", "v1beta1",
     {"bandwidthPerMigration": "1e-99999999999"}, "LMC001", "bandwidthPerMigration")
deny("lmc-bandwidth-unit-mib-v1beta1", "v1beta1", {"bandwidthPerMigration": "64MiB"},
     "LMC001", "bandwidthPerMigration", ["unknown quantity suffix"])
deny("lmc-bandwidth-empty-string-v1", "v1", {"bandwidthPerMigration": ""}, "LMC001",
     "bandwidthPerMigration", ["use e.g. 64Mi, or 0 for unlimited"])
allow("lmc-bandwidth-exponent-18-allowed-v1beta1", "v1beta1", {"bandwidthPerMigration": "1e18"})
allow("lmc-bandwidth-8ei-capped-allowed-v1", "v1", {"bandwidthPerMigration": "8Ei"})
allow("lmc-bandwidth-64mi-allowed-v1beta1", "v1beta1", {"bandwidthPerMigration": "64Mi"})
allow("lmc-bandwidth-signed-decimal-allowed-v1", "v1",
      {"bandwidthPerMigration": "+1.5G", "completionTimeoutPerGiB": 1})

# ---- LMC002: negative -----------------------------------------------------------------
deny("lmc-bandwidth-negative-v1beta1", "v1beta1", {"bandwidthPerMigration": "-1Mi"}, "LMC002",
     "bandwidthPerMigration",
     ["[LMC002] bandwidthPerMigration \"-1Mi\" is negative; use 0 for unlimited"])
deny("lmc-bandwidth-negative-v1", "v1", {"bandwidthPerMigration": "-64Mi"}, "LMC002",
     "bandwidthPerMigration", ["is negative"])
deny("lmc-bandwidth-negative-milli-v1beta1", "v1beta1", {"bandwidthPerMigration": "-1m"},
     "LMC002", "bandwidthPerMigration")
allow("lmc-bandwidth-minus-zero-allowed-v1beta1", "v1beta1", {"bandwidthPerMigration": "-0"})
allow("lmc-bandwidth-zero-allowed-v1", "v1", {"bandwidthPerMigration": "0"})

# ---- LMC003: 0 < bandwidth < 1 byte/s -------------------------------------------------
deny("lmc-bandwidth-1m-v1beta1", "v1beta1", {"bandwidthPerMigration": "1m"}, "LMC003",
     "bandwidthPerMigration", ["write 0 for unlimited"])
deny("lmc-bandwidth-999m-v1", "v1", {"bandwidthPerMigration": "999m"}, "LMC003",
     "bandwidthPerMigration", ["write 0 for unlimited"])
deny("lmc-bandwidth-half-v1beta1", "v1beta1", {"bandwidthPerMigration": "0.5"}, "LMC003",
     "bandwidthPerMigration")
# LMC006 does not fire on top of LMC003, even at a 1 s timeout.
deny("lmc-bandwidth-1m-no-lmc006-v1", "v1",
     {"bandwidthPerMigration": "1m", "completionTimeoutPerGiB": 1}, "LMC003",
     "bandwidthPerMigration")
allow("lmc-bandwidth-one-byte-feasible-v1beta1", "v1beta1",
      {"bandwidthPerMigration": "1", "completionTimeoutPerGiB": 1073741824})

# ---- LMC004: JSON types and ranges ----------------------------------------------------
deny("lmc-type-bandwidth-number-v1beta1", "v1beta1", {"bandwidthPerMigration": 64}, "LMC004",
     "bandwidthPerMigration", ["must be a quantity string", "quote it: \"64\""])
deny("lmc-type-bandwidth-number-v1", "v1", {"bandwidthPerMigration": 67108864}, "LMC004",
     "bandwidthPerMigration")
deny("lmc-type-bandwidth-bool-v1beta1", "v1beta1", {"bandwidthPerMigration": True}, "LMC004",
     "bandwidthPerMigration")
deny("lmc-type-completion-fraction-v1", "v1", {"completionTimeoutPerGiB": 5.5}, "LMC004",
     "completionTimeoutPerGiB", ["not number 5.5"])
# RULES.md 9.1: `5.0` is not a whole number where an integer is required; the text as
# written decides, and integers are exact up to 2^63-1.
deny("lmc-type-completion-five-point-zero-v1beta1", "v1beta1", {"completionTimeoutPerGiB": 5.0},
     "LMC004", "completionTimeoutPerGiB", ["not number 5.0"])
deny("lmc-type-parallel-cluster-five-point-zero-v1", "v1", {"parallelMigrationsPerCluster": 5.0}, "LMC004",
     "parallelMigrationsPerCluster")
allow("lmc-type-progress-int64-max-allowed-v1beta1", "v1beta1",
      {"progressTimeout": 9223372036854775807})
deny("lmc-type-progress-int64-max-plus-one-v1beta1", "v1beta1",
     {"progressTimeout": 9223372036854775808}, "LMC004", "progressTimeout",
     ["not number 9223372036854775808"])
deny("lmc-type-completion-string-v1beta1", "v1beta1", {"completionTimeoutPerGiB": "800"},
     "LMC004", "completionTimeoutPerGiB", ["not string \"800\""])
# Edition 2: a timeout of 0 is valid (KubeVirt never cancels on it), with an LMC004 warning.
allow("lmc-type-completion-zero-v1beta1", "v1beta1", {"completionTimeoutPerGiB": 0},
      warn=["LMC004"], contains=["completionTimeoutPerGiB 0: KubeVirt then never cancels"],
      note="Edition 1 denied a completionTimeoutPerGiB of 0. " + KV_TIMEOUT)
allow("lmc-type-progress-zero-warn-v1", "v1", {"progressTimeout": 0}, warn=["LMC004"],
      contains=["progressTimeout 0: KubeVirt then never cancels"], note=KV_TIMEOUT)
allow("lmc-config-lmc004-off-zero-timeouts-v1beta1", "v1beta1",
      {"completionTimeoutPerGiB": 0, "progressTimeout": 0}, config="rules:\n  LMC004: \"off\"\n",
      note="RULES.md LMC004: no warning for a timeout of 0 when LMC004 is off.")
deny("lmc-type-completion-negative-v1beta1", "v1beta1", {"completionTimeoutPerGiB": -1},
     "LMC004", "completionTimeoutPerGiB", ["from 0 to 9223372036854775807"])
deny("lmc-type-parallel-cluster-string-v1beta1", "v1beta1",
     {"parallelMigrationsPerCluster": "5"}, "LMC004", "parallelMigrationsPerCluster")
deny("lmc-type-parallel-cluster-over-int32-v1", "v1",
     {"parallelMigrationsPerCluster": 2147483648}, "LMC004", "parallelMigrationsPerCluster",
     ["from 1 to 2147483647"])
allow("lmc-type-parallel-cluster-max-allowed-v1beta1", "v1beta1",
      {"parallelMigrationsPerCluster": 2147483647})
deny("lmc-type-parallel-node-zero-v1", "v1", {"parallelOutboundMigrationsPerNode": 0},
     "LMC004", "parallelOutboundMigrationsPerNode")
deny("lmc-type-parallel-node-array-v1beta1", "v1beta1",
     {"parallelOutboundMigrationsPerNode": [2]}, "LMC004", "parallelOutboundMigrationsPerNode",
     ["not an array"])
deny("lmc-type-progress-negative-v1", "v1", {"progressTimeout": -1}, "LMC004",
     "progressTimeout")
deny("lmc-type-progress-bool-v1beta1", "v1beta1", {"progressTimeout": True}, "LMC004",
     "progressTimeout")
deny("lmc-type-progress-over-int64-v1beta1", "v1beta1",
     {"progressTimeout": 9223372036854775808}, "LMC004", "progressTimeout",
     ["not number 9223372036854775808"])
allow("lmc-type-completion-huge-allowed-v1", "v1",
      {"completionTimeoutPerGiB": 9000000000000000000})
deny("lmc-type-post-copy-string-v1beta1", "v1beta1", {"allowPostCopy": "true"}, "LMC004",
     "allowPostCopy", ["must be true or false"])
deny("lmc-type-auto-converge-number-v1", "v1", {"allowAutoConverge": 1}, "LMC004",
     "allowAutoConverge")
deny("lmc-type-workload-disruption-string-v1beta1", "v1beta1",
     {"allowWorkloadDisruption": "false"}, "LMC004", "allowWorkloadDisruption")
allow("lmc-type-workload-disruption-v1beta1-allowed", "v1beta1",
      {"allowWorkloadDisruption": True})
deny("lmc-type-network-number-v1", "v1", {"network": 5}, "LMC004", "network",
     ["must be a string"])
deny("lmc-type-config-string-v1beta1", "v1beta1", "fast", "LMC004", None,
     ["liveMigrationConfig must be a map"])
deny("lmc-type-config-array-v1", "v1", [], "LMC004", None)
allow("lmc-null-fields-allowed-v1beta1", "v1beta1",
      {k: None for k in ["bandwidthPerMigration", "completionTimeoutPerGiB",
                         "parallelMigrationsPerCluster", "parallelOutboundMigrationsPerNode",
                         "progressTimeout", "allowAutoConverge", "allowPostCopy",
                         "allowWorkloadDisruption", "network"]})
allow("lmc-null-config-allowed-v1", "v1", None)
allow("lmc-absent-config-allowed-v1beta1", "v1beta1", ABSENT)
allow("lmc-empty-config-allowed-v1", "v1", {})

# ---- LMC005: per-node limit over the cluster limit ------------------------------------
allow("lmc-per-node-over-cluster-warn-v1beta1", "v1beta1",
      {"parallelMigrationsPerCluster": 2, "parallelOutboundMigrationsPerNode": 3},
      warn=["LMC005"],
      contains=["parallelOutboundMigrationsPerNode 3 > parallelMigrationsPerCluster 2"])
allow("lmc-per-node-default-over-cluster-warn-v1", "v1", {"parallelMigrationsPerCluster": 1},
      warn=["LMC005"], contains=["parallelOutboundMigrationsPerNode 2 > "
                                 "parallelMigrationsPerCluster 1"])
allow("lmc-per-node-equal-allowed-v1beta1", "v1beta1",
      {"parallelMigrationsPerCluster": 2, "parallelOutboundMigrationsPerNode": 2})

# ---- LMC006: KubeVirt's MiB/s and 10^9-byte deadline (RULES.md LMC006, 9.2, 9.18) -------
deny("lmc-feasibility-100m-at-10-v1beta1", "v1beta1",
     {"bandwidthPerMigration": "100M", "completionTimeoutPerGiB": 10}, "LMC006",
     "bandwidthPerMigration", ["= 95 MiB/s", "10.04 s per 10^9 bytes", "completionTimeoutPerGiB 10"],
     note="Still denied, with edition 2's numbers: 100M (decimal) is 95 MiB/s to KubeVirt, "
          "996,147,200 bytes in 10 s, under 10^9 (100Mi is feasible: "
          "lmc-feasibility-100mi-at-10-allowed-v1beta1). " + KV_MIB)
allow("lmc-feasibility-100mi-at-10-allowed-v1beta1", "v1beta1",
      {"bandwidthPerMigration": "100Mi", "completionTimeoutPerGiB": 10}, note=KV_MIB)
allow("lmc-feasibility-1gi-at-1-allowed-v1", "v1",
      {"bandwidthPerMigration": "1Gi", "completionTimeoutPerGiB": 1})
allow("lmc-feasibility-1073741823-at-1-v1beta1", "v1beta1",
      {"bandwidthPerMigration": "1073741823", "completionTimeoutPerGiB": 1},
      note="Edition 1 denied this (one byte under 1 GiB/s against 2^30 bytes). KubeVirt rounds "
           "it to 1024 MiB/s and needs 10^9 bytes per second: feasible. " + KV_MIB)
deny("lmc-feasibility-one-byte-default-timeout-v1", "v1", {"bandwidthPerMigration": "1"},
     "LMC006", "bandwidthPerMigration",
     ["\"1\" = 1 MiB/s", "953.67 s per 10^9 bytes", "completionTimeoutPerGiB 150"],
     note="Still denied; 1 byte/s is 1 MiB/s to KubeVirt, 953.67 s per 10^9 bytes. " + KV_MIB)
deny("lmc-feasibility-6mi-default-timeout-v1beta1", "v1beta1",
     {"bandwidthPerMigration": "6Mi"}, "LMC006", "bandwidthPerMigration", ["158.95 s"],
     note="Still denied; the seconds are now per 10^9 bytes (158.95, not 170.67 per GiB). "
          + KV_MIB)
allow("lmc-feasibility-7mi-default-timeout-allowed-v1beta1", "v1beta1",
      {"bandwidthPerMigration": "7Mi"})
deny("lmc-feasibility-table-bandwidth-hco-1.4-v1beta1", "v1beta1",
     {"completionTimeoutPerGiB": 14}, "LMC006", "completionTimeoutPerGiB",
     ["default bandwidth \"64Mi\" = 64 MiB/s", "14.90 s"], config="defaults: hco-1.4\n",
     note="Edition 1 denied 15 s (2^30 bytes at 64 MiB/s take 16 s); 64 MiB/s moves "
          "1,006,632,960 bytes in 15 s, so the boundary is now 14 s. " + KV_MIB)
allow("lmc-feasibility-table-bandwidth-hco-1.4-allowed-v1", "v1",
      {"completionTimeoutPerGiB": 15}, config="defaults: hco-1.4\n", note=KV_MIB)
# The cases issue #12 names.
for bw, t, ok, ver in [("1Mi", 954, True, "v1"), ("1Mi", 953, False, "v1beta1"),
                       ("512Ki", 1000, True, "v1beta1"), ("1Ki", 1000, True, "v1"),
                       ("1.6Mi", 600, True, "v1beta1"), ("1.4Mi", 800, False, "v1beta1"),
                       ("1500Ki", 800, False, "v1")]:
    name = f"lmc-feasibility-{bw.lower()}-at-{t}-{'allowed-' if ok else ''}{ver}"
    lmc = {"bandwidthPerMigration": bw, "completionTimeoutPerGiB": t}
    if ok:
        allow(name, ver, lmc, note=KV_MIB)
    else:
        deny(name, ver, lmc, "LMC006", "bandwidthPerMigration", ["= 1 MiB/s", "953.67 s"],
             note=KV_MIB)
# allowWorkloadDisruption decides what a deadline does (RULES.md 9.18).
deny("lmc-feasibility-disruption-false-deny-v1beta1", "v1beta1",
     {"bandwidthPerMigration": "1Mi", "completionTimeoutPerGiB": 600,
      "allowWorkloadDisruption": False}, "LMC006", "bandwidthPerMigration", note=KV_AWD)
allow("lmc-feasibility-disruption-pause-warn-v1beta1", "v1beta1",
      {"bandwidthPerMigration": "1Mi", "completionTimeoutPerGiB": 600,
       "allowWorkloadDisruption": True}, warn=["LMC006"],
      contains=["large VMs get paused to finish"], note=KV_AWD)
deny("lmc-feasibility-disruption-paused-too-slow-v1", "v1",
     {"bandwidthPerMigration": "1Mi", "completionTimeoutPerGiB": 476,
      "allowWorkloadDisruption": True}, "LMC006", "bandwidthPerMigration",
     ["> 2 x completionTimeoutPerGiB 476"], note=KV_AWD)
allow("lmc-feasibility-post-copy-finishes-allowed-v1", "v1",
      {"bandwidthPerMigration": "1Mi", "completionTimeoutPerGiB": 1, "allowPostCopy": True,
       "allowWorkloadDisruption": True}, warn=["LMC007"], note=KV_AWD)
allow("lmc-feasibility-zero-timeout-never-cancels-v1beta1", "v1beta1",
      {"bandwidthPerMigration": "1", "completionTimeoutPerGiB": 0}, warn=["LMC004"],
      note="T = 0: no LMC006. " + KV_TIMEOUT)
case("lmc-feasibility-post-copy-never-starts-v1", "v1",
     {"bandwidthPerMigration": "1Mi", "completionTimeoutPerGiB": 1, "allowPostCopy": True},
     allowed=False, deny=["LMC006"], warn=["LMC010"],
     fields=[P1 + "bandwidthPerMigration"], note=HCO_AWD)

# ---- LMC007 and LMC010: post-copy, and whether it can start ----------------------------
allow("lmc-post-copy-warn-v1", "v1", {"allowPostCopy": True}, warn=["LMC010"],
      contains=["allowWorkloadDisruption false (defaults table): post-copy never starts"],
      note="Edition 1 gave LMC007. On v1 the shipped table injects allowWorkloadDisruption: "
           "false, so post-copy never starts: LMC010 (lmc-post-copy-warn-v1beta1 keeps "
           "LMC007). " + HCO_AWD)
allow("lmc-post-copy-warn-v1beta1", "v1beta1", {"allowPostCopy": True}, warn=["LMC007"],
      contains=["critical data", "unstable networks"], note=KV_AWD)
allow("lmc-post-copy-with-disruption-warn-v1", "v1",
      {"allowPostCopy": True, "allowWorkloadDisruption": True}, warn=["LMC007"], note=KV_AWD)
allow("lmc-post-copy-false-allowed-v1beta1", "v1beta1", {"allowPostCopy": False})
case("lmc-post-copy-disruption-false-lmc010-v1beta1", "v1beta1",
     {"allowPostCopy": True, "allowWorkloadDisruption": False}, warn=["LMC010"],
     fields=None, contains=["set it to true"], note=KV_AWD)
allow("lmc-post-copy-hco-1.19-lmc010-v1beta1", "v1beta1", {"allowPostCopy": True},
      warn=["LMC010"], config="defaults: hco-1.19\n", note=HCO_AWD)
allow("lmc-config-lmc010-off-v1", "v1", {"allowPostCopy": True},
      config="rules:\n  LMC010: \"off\"\n")

# ---- 9.3: the HyperConverged's kubevirt.kubevirt.io/jsonpatch annotation -----------------
JP = "kubevirt.kubevirt.io/jsonpatch"
case("lmc-jsonpatch-bandwidth-infeasible-v1beta1", "v1beta1", {"bandwidthPerMigration": "64Mi"},
     annotations={JP: json.dumps([{"op": "replace",
                                   "path": "/spec/configuration/migrations/bandwidthPerMigration",
                                   "value": "1Mi"}])},
     allowed=False, deny=["LMC006"], fields=["metadata.annotations[" + JP + "]"],
     contains=["= 1 MiB/s", "(jsonpatch)"], note=HCO_PATCH)
allow("lmc-jsonpatch-other-paths-ignored-v1beta1", "v1beta1", {"bandwidthPerMigration": "64Mi"},
      annotations={JP: json.dumps([
          {"op": "add", "path": "/spec/configuration/developerConfiguration/featureGates/-",
           "value": "Sidecar"},
          {"op": "test", "path": "/spec/configuration/migrations/bandwidthPerMigration",
           "value": "1Mi"},
          {"op": "replace", "path": "/spec/configuration/migrationsX/bandwidthPerMigration",
           "value": "1Mi"}])}, warn=["LMC004"],
      contains=[JP + " ignored: op[1] (test /spec/configuration/", "the value differs"],
      note="Until the annotation was applied whole, this case had no warning: the failing "
           "test was skipped. " + HCO_REFUSES)
allow("lmc-jsonpatch-feature-gate-and-migrations-v1beta1", "v1beta1",
      {"bandwidthPerMigration": "64Mi"},
      annotations={JP: json.dumps([
          {"op": "add", "path": "/spec/configuration/developerConfiguration/featureGates/-",
           "value": "Sidecar"},
          {"op": "test", "path": "/spec/configuration/migrations/bandwidthPerMigration",
           "value": "64Mi"},
          {"op": "replace", "path": "/spec/configuration/migrations/allowPostCopy",
           "value": True}])}, warn=["LMC007"],
      note="Operations on parts of the KubeVirt CR migguard does not model pass; the passing "
           "test lets the rest apply. " + HCO_PATCH)
case("lmc-jsonpatch-move-copy-infeasible-v1beta1", "v1beta1",
     {"bandwidthPerMigration": "1Mi", "completionTimeoutPerGiB": 1000},
     annotations={JP: json.dumps([
         {"op": "copy", "from": "/spec/configuration/migrations/completionTimeoutPerGiB",
          "path": "/spec/configuration/migrations/progressTimeout"},
         {"op": "move", "from": "/spec/configuration/migrations/completionTimeoutPerGiB",
          "path": "/spec/configuration/migrations/unused"}])},
     allowed=False, deny=["LMC006"], fields=["spec.liveMigrationConfig.bandwidthPerMigration"],
     contains=["completionTimeoutPerGiB 150"],
     note="The move takes completionTimeoutPerGiB out of the migration settings: the table's "
          "150 then applies, and 1 MiB/s needs 954. " + HCO_PATCH)
allow("lmc-jsonpatch-failing-op-ignored-whole-v1beta1", "v1beta1",
      {"bandwidthPerMigration": "1Mi", "completionTimeoutPerGiB": 1000},
      annotations={JP: json.dumps([
          {"op": "move", "from": "/spec/configuration/migrations/completionTimeoutPerGiB",
           "path": "/spec/configuration/migrations/unused"},
          {"op": "remove", "path": "/spec/configuration/migrations/network"},
          {"op": "replace", "path": "/spec/configuration/migrations/bandwidthPerMigration",
           "value": "1Ki"}])}, warn=["LMC004"],
      contains=[JP + " ignored: op[1] (remove /spec/", "\"network\" does not exist"],
      note="The remove fails (no network is set), so neither the move before it nor the "
           "replace after it applies: no LMC006. " + HCO_REFUSES)
case("lmc-jsonpatch-invalid-value-v1beta1", "v1beta1", {"bandwidthPerMigration": "64Mi"},
     annotations={JP: json.dumps([
         {"op": "replace", "path": "/spec/configuration/migrations/bandwidthPerMigration",
          "value": "-1Mi"},
         {"op": "replace", "path": "/spec/configuration/migrations",
          "value": {"completionTimeoutPerGiB": "800"}},
         {"op": "add", "path": "/spec/configuration/migrations/nodeDrainTaintKey",
          "value": "x"}])},
     allowed=False, deny=["LMC002", "LMC004"],
     fields=["metadata.annotations[" + JP + "].bandwidthPerMigration",
             "metadata.annotations[" + JP + "].completionTimeoutPerGiB"],
     note="The values the annotation writes into the KubeVirt CR pass the same rules as "
          "liveMigrationConfig's (docs/settings.md); KubeVirt's own keys that "
          "liveMigrationConfig lacks (nodeDrainTaintKey) are not judged. " + HCO_PATCH)
case("lmc-jsonpatch-absent-config-infeasible-v1", "v1", ABSENT,
     annotations={JP: json.dumps([{"op": "add",
                                   "path": "/spec/configuration/migrations/bandwidthPerMigration",
                                   "value": "1Mi"}])},
     allowed=False, deny=["LMC006"], fields=["metadata.annotations[" + JP + "]"],
     contains=["completionTimeoutPerGiB 150"],
     note="Without liveMigrationConfig the table's values apply, and the jsonpatch still "
          "changes them. " + HCO_PATCH)
allow("lmc-jsonpatch-workload-disruption-v1", "v1", {"allowPostCopy": True}, warn=["LMC007"],
      annotations={JP: json.dumps([{"op": "add",
                                   "path": "/spec/configuration/migrations/allowWorkloadDisruption",
                                   "value": True}])},
      note="The jsonpatch sets allowWorkloadDisruption in the KubeVirt CR, so post-copy can "
           "start (LMC007, not LMC010). " + HCO_PATCH)

# ---- LMC008: network ------------------------------------------------------------------
deny("lmc-network-invalid-name-v1beta1", "v1beta1", {"network": "Migration_Net"}, "LMC008",
     "network", ["not a valid name or namespace/name"])
deny("lmc-network-two-slashes-v1", "v1", {"network": "a/b/c"}, "LMC008", "network")
deny("lmc-network-bad-namespace-v1beta1", "v1beta1", {"network": "my.ns/migration"}, "LMC008",
     "network")
allow("lmc-network-unknown-nads-allowed-v1beta1", "v1beta1", {"network": "migration-net"})
allow("lmc-network-nad-exists-v1beta1", "v1beta1", {"network": "migration-net"},
      state={"nads.yaml": nad("migration-net", NS)})
allow("lmc-network-nad-namespaced-exists-v1", "v1", {"network": "openshift-cnv/migration-net"},
      state={"nads.yaml": nad("migration-net", "openshift-cnv")})
deny("lmc-network-nad-missing-v1", "v1", {"network": "migration-net"}, "LMC008", "network",
     ["NetworkAttachmentDefinition kubevirt-hyperconverged/migration-net does not exist"],
     state={"nads.yaml": nad("storage-net", NS)})
deny("lmc-network-bare-name-other-namespace-v1beta1", "v1beta1", {"network": "migration-net"},
     "LMC008", "network", ["kubevirt-hyperconverged/migration-net does not exist"],
     state={"nads.yaml": nad("migration-net", "default")})

# ---- LMC009: unknown keys -------------------------------------------------------------
deny("lmc-unknown-key-typo-v1beta1", "v1beta1", {"bandwithPerMigration": "64Mi"}, "LMC009",
     "bandwithPerMigration",
     ["[LMC009] unknown field \"bandwithPerMigration\" in liveMigrationConfig; "
      "did you mean \"bandwidthPerMigration\"?"])
deny("lmc-unknown-key-typo-v1", "v1", {"parallelMigrationPerCluster": 5}, "LMC009",
     "parallelMigrationPerCluster", ["did you mean \"parallelMigrationsPerCluster\"?"])
deny("lmc-unknown-key-case-v1beta1", "v1beta1", {"ProgressTimeout": 150}, "LMC009",
     "ProgressTimeout", ["did you mean \"progressTimeout\"?"])
deny("lmc-unknown-key-no-match-v1", "v1", {"maxDowntimeMs": 300}, "LMC009", "maxDowntimeMs",
     ["unknown field \"maxDowntimeMs\""])

# ---- several findings, operations, configuration --------------------------------------
case("lmc-several-findings-in-order-v1beta1", "v1beta1",
     {"bandwidthPerMigration": "x", "progressTimeout": "1", "bandwithPerMigration": "64Mi",
      "allowPostCopy": True},
     allowed=False, deny=["LMC001", "LMC004", "LMC009"], warn=["LMC007"],
     fields=[P1B + "bandwidthPerMigration", P1B + "progressTimeout",
             P1B + "bandwithPerMigration"])
deny("lmc-update-negative-v1", "v1", {"bandwidthPerMigration": "-5Mi"}, "LMC002",
     "bandwidthPerMigration", op="UPDATE", old_lmc={"bandwidthPerMigration": "64Mi"})
allow("lmc-update-valid-v1beta1", "v1beta1", dict(SEED_LIMITS, progressTimeout=300),
      op="UPDATE", old_lmc=SEED_LIMITS)
deny("lmc-dry-run-denied-v1beta1", "v1beta1", {"bandwidthPerMigration": "-1"}, "LMC002",
     "bandwidthPerMigration", dry_run=True)
allow("lmc-delete-allowed-v1beta1", "v1beta1", ABSENT, op="DELETE",
      old_lmc={"bandwidthPerMigration": "-1", "bogus": 1})
allow("lmc-delete-allowed-v1", "v1", ABSENT, op="DELETE", old_lmc="fast")
allow("lmc-config-lmc002-warn-v1beta1", "v1beta1", {"bandwidthPerMigration": "-1Mi"},
      warn=["LMC002"], config="rules:\n  LMC002: warn\n")
allow("lmc-config-lmc009-off-v1", "v1", {"bandwithPerMigration": "64Mi"},
      config="rules:\n  LMC009: \"off\"\n")
case("lmc-config-lmc005-deny-v1beta1", "v1beta1", {"parallelOutboundMigrationsPerNode": 6},
     config="rules:\n  LMC005: deny\n", allowed=False, deny=["LMC005"],
     fields=[P1B + "parallelOutboundMigrationsPerNode"])
allow("lmc-config-lmc007-off-v1", "v1", {"allowPostCopy": True, "allowWorkloadDisruption": True},
      config="rules:\n  LMC007: \"off\"\n",
      note="allowWorkloadDisruption is set so that LMC007 (not LMC010, edition 2) is the "
           "finding LMC007: off removes. " + HCO_AWD)
allow("lmc-config-lmc006-warn-v1", "v1",
      {"bandwidthPerMigration": "100M", "completionTimeoutPerGiB": 10}, warn=["LMC006"],
      config="rules:\n  LMC006: warn\n")

# ---- the documents' own examples ------------------------------------------------------
allow("lmc-seed-limits-and-timeouts-v1beta1", "v1beta1", SEED_LIMITS)
allow("lmc-seed-limits-and-timeouts-v1", "v1", SEED_LIMITS)
allow("lmc-seed-heavy-workload-v1beta1", "v1beta1", SEED_HEAVY, namespace="openshift-cnv",
      warn=["LMC007"])
allow("lmc-seed-heavy-workload-v1", "v1", SEED_HEAVY, warn=["LMC010"],
      note="Edition 1 gave LMC007. The documents' heavy-workload example sets allowPostCopy "
           "without allowWorkloadDisruption; on v1 the table injects false, so post-copy never "
           "starts (LMC010). " + HCO_AWD)

# ---- mutation -------------------------------------------------------------------------


def mut(name, version, lmc=ABSENT, patch=None, **kw):
    case(name, version, lmc, mutate=True, allowed=True, patch=patch, **kw)


mut("hco-mutate-absent-config-v1beta1", "v1beta1", ABSENT,
    [{"op": "add", "path": "/spec/liveMigrationConfig", "value": FULL_114}])
mut("hco-mutate-absent-config-v1", "v1", ABSENT,
    [{"op": "add", "path": "/spec/virtualization/liveMigrationConfig",
      "value": dict(FULL_114, allowWorkloadDisruption=False)}])
mut("hco-mutate-absent-virtualization-v1", "v1", spec={"infra": {}},
    patch=[{"op": "add", "path": "/spec/virtualization",
            "value": {"liveMigrationConfig": dict(FULL_114, allowWorkloadDisruption=False)}}])
mut("hco-mutate-absent-spec-v1beta1", "v1beta1", spec=ABSENT,
    patch=[{"op": "add", "path": "/spec", "value": {"liveMigrationConfig": FULL_114}}])
mut("hco-mutate-null-config-v1beta1", "v1beta1", None,
    [{"op": "add", "path": "/spec/liveMigrationConfig", "value": FULL_114}])
mut("hco-mutate-null-field-v1beta1", "v1beta1", dict(SEED_LIMITS, progressTimeout=None,
                                                     allowAutoConverge=True),
    [op_add("v1beta1", "progressTimeout", 150)])
mut("hco-mutate-null-field-v1", "v1",
    {"bandwidthPerMigration": None, "completionTimeoutPerGiB": None,
     "parallelMigrationsPerCluster": 3},
    [op_add("v1", "completionTimeoutPerGiB", 150),
     op_add("v1", "parallelOutboundMigrationsPerNode", 2),
     op_add("v1", "progressTimeout", 150),
     op_add("v1", "allowAutoConverge", False),
     op_add("v1", "allowPostCopy", False),
     op_add("v1", "allowWorkloadDisruption", False)])
mut("hco-mutate-user-zero-and-false-kept-v1", "v1",
    {"bandwidthPerMigration": "0", "completionTimeoutPerGiB": 0,
     "parallelMigrationsPerCluster": 0, "parallelOutboundMigrationsPerNode": 0,
     "progressTimeout": 0, "allowAutoConverge": False, "allowPostCopy": False,
     "allowWorkloadDisruption": False}, None)
mut("hco-mutate-wrong-types-kept-v1beta1", "v1beta1",
    {"completionTimeoutPerGiB": "150", "parallelMigrationsPerCluster": 5.5,
     "allowPostCopy": "no"},
    [op_add("v1beta1", "parallelOutboundMigrationsPerNode", 2),
     op_add("v1beta1", "progressTimeout", 150),
     op_add("v1beta1", "allowAutoConverge", False)])
mut("hco-mutate-config-string-untouched-v1", "v1", "fast", None)
mut("hco-mutate-nothing-to-do-v1beta1", "v1beta1", dict(FULL_114, bandwidthPerMigration="1Gi"),
    None)
mut("hco-mutate-nothing-to-do-v1", "v1", dict(FULL_114, allowWorkloadDisruption=True), None)
mut("hco-mutate-v1-workload-disruption-injected", "v1", FULL_114,
    [op_add("v1", "allowWorkloadDisruption", False)])
mut("hco-mutate-hco-1.4-table-v1beta1", "v1beta1", {"allowPostCopy": True},
    [op_add("v1beta1", "bandwidthPerMigration", "64Mi"),
     op_add("v1beta1", "completionTimeoutPerGiB", 800),
     op_add("v1beta1", "parallelMigrationsPerCluster", 5),
     op_add("v1beta1", "parallelOutboundMigrationsPerNode", 2),
     op_add("v1beta1", "progressTimeout", 150),
     op_add("v1beta1", "allowAutoConverge", False)],
    config="defaults: hco-1.4\n")
mut("hco-mutate-hco-1.4-table-v1", "v1", ABSENT,
    [{"op": "add", "path": "/spec/virtualization/liveMigrationConfig",
      "value": {"bandwidthPerMigration": "64Mi", "completionTimeoutPerGiB": 800,
                "parallelMigrationsPerCluster": 5, "parallelOutboundMigrationsPerNode": 2,
                "progressTimeout": 150, "allowAutoConverge": False, "allowPostCopy": False}}],
    config="defaults: hco-1.4\n")
mut("hco-mutate-hco-1.19-table-v1", "v1", ABSENT,
    [{"op": "add", "path": "/spec/virtualization/liveMigrationConfig",
      "value": {"completionTimeoutPerGiB": 20, "parallelMigrationsPerCluster": 5,
                "parallelOutboundMigrationsPerNode": 1, "progressTimeout": 150,
                "allowAutoConverge": False, "allowPostCopy": False,
                "allowWorkloadDisruption": False}}],
    config="defaults: hco-1.19\n")
mut("hco-mutate-hco-1.19-table-v1beta1", "v1beta1",
    {"completionTimeoutPerGiB": 150, "bandwidthPerMigration": "64Mi"},
    [op_add("v1beta1", "parallelMigrationsPerCluster", 5),
     op_add("v1beta1", "parallelOutboundMigrationsPerNode", 1),
     op_add("v1beta1", "progressTimeout", 150),
     op_add("v1beta1", "allowAutoConverge", False),
     op_add("v1beta1", "allowPostCopy", False),
     op_add("v1beta1", "allowWorkloadDisruption", False)],
    config="defaults: hco-1.19\n")
mut("hco-mutate-update-restores-deleted-key-v1beta1", "v1beta1",
    {k: v for k, v in SEED_LIMITS.items() if k != "progressTimeout"},
    [op_add("v1beta1", "progressTimeout", 150), op_add("v1beta1", "allowAutoConverge", False)],
    op="UPDATE", old_lmc=SEED_LIMITS)
mut("hco-mutate-delete-no-patch-v1", "v1", ABSENT, None, op="DELETE", old_lmc={})
mut("hco-mutate-dry-run-same-patch-v1beta1", "v1beta1", {"allowPostCopy": True},
    [op_add("v1beta1", "completionTimeoutPerGiB", 150),
     op_add("v1beta1", "parallelMigrationsPerCluster", 5),
     op_add("v1beta1", "parallelOutboundMigrationsPerNode", 2),
     op_add("v1beta1", "progressTimeout", 150),
     op_add("v1beta1", "allowAutoConverge", False)], dry_run=True)
mut("hco-mutate-seed-heavy-workload-v1beta1", "v1beta1", SEED_HEAVY,
    [op_add("v1beta1", "allowAutoConverge", False)], namespace="openshift-cnv")
mut("hco-mutate-invalid-config-still-mutated-v1", "v1",
    {"bandwidthPerMigration": "-1Mi", "bogus": True},
    [op_add("v1", k, v) for k, v in dict(FULL_114, allowWorkloadDisruption=False).items()])


def write(c):
    spec = c["spec"] if c["spec"] is not None else spec_of(c["version"], c["lmc"])
    old_spec = spec_of(c["version"], copy.deepcopy(c["old_lmc"]) if c["old_lmc"] is not None
                       else FULL_114)
    rv = review(c["name"], c["version"], spec, c["op"], c["namespace"], c["dry_run"], old_spec,
                c["annotations"])
    exp = casegen.expect(c, "mutate" if c["mutate"] else "validate", c["allowed"],
                         c["patch"] if c["mutate"] else casegen.UNCHECKED)
    casegen.write_case(c["name"], rv, exp, c["config"], (c["state"] or {}).items(), c["note"])


if __name__ == "__main__":
    casegen.main(CASES, write, PREFIXES)
