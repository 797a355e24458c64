#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""gen_report_state.py - write a generated cluster for `migguard report`: VMS
VirtualMachines (a fifth of them with a running VMI) over NODES Nodes, with PVCs,
DataVolume templates on two storage classes, node selectors, taints and tolerations,
bridge and masquerade interfaces, evictionStrategy None on some, guest memory on the
VMIs, host-model CPUs on nodes of two models, and MigrationPolicies over labelled
namespaces.

usage: gen_report_state.py DIR [VMS [NODES]]   (defaults: 5000 VMs, 100 nodes)
Deterministic: the same arguments write the same files. Prints the expected counts as
JSON (what test_report.sh checks the report against).
"""
import json
import os
import sys

out = sys.argv[1]
VMS = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
NODES = int(sys.argv[3]) if len(sys.argv) > 3 else 100
NAMESPACES = 20
os.makedirs(out, exist_ok=True)


def write(name, items):
    with open(os.path.join(out, name), "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f)


def zone(i):
    return f"zone-{i % 4}"


def cpu_model(i):
    return "Icelake-Server" if i % 3 == 0 else "Cascadelake-Server"


nodes = []
for i in range(NODES):
    labels = {"kubernetes.io/hostname": f"node-{i:03d}", "topology.kubernetes.io/zone": zone(i),
              "node-role.kubernetes.io/worker": ""}
    spec = {}
    if i % 10 == 0:
        labels["accelerator"] = "gpu-enabled23"
    # Host-model CPUs: every third node is an Icelake, which only Icelakes can take a
    # host-model VMI from; every node takes a Cascadelake's.
    labels[f"host-model-cpu.node.kubevirt.io/{cpu_model(i)}"] = "true"
    labels["cpu-model-migration.node.kubevirt.io/Cascadelake-Server"] = "true"
    if cpu_model(i) == "Icelake-Server":
        labels["cpu-model-migration.node.kubevirt.io/Icelake-Server"] = "true"
    if i % 25 == 1:
        spec["taints"] = [{"key": "dedicated", "value": "virtualization", "effect": "NoSchedule"}]
    if i % 50 == 2:
        spec["unschedulable"] = True
    nodes.append({"apiVersion": "v1", "kind": "Node",
                  "metadata": {"name": f"node-{i:03d}", "labels": labels}, "spec": spec})
write("00-nodes.json", nodes)

storage = [
    {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
     "metadata": {"name": "nfs-storage"}, "provisioner": "kubernetes.io/nfs"},
    {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
     "metadata": {"name": "ceph-rbd", "annotations": {
         "storageclass.kubernetes.io/is-default-class": "true"}},
     "provisioner": "openshift-storage.rbd.csi.ceph.com"},
    {"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "StorageProfile",
     "metadata": {"name": "nfs-storage"},
     "status": {"claimPropertySets": [{"accessModes": ["ReadWriteMany"],
                                       "volumeMode": "Filesystem"}]}},
    {"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "StorageProfile",
     "metadata": {"name": "ceph-rbd"},
     "status": {"claimPropertySets": [{"accessModes": ["ReadWriteMany"], "volumeMode": "Block"},
                                      {"accessModes": ["ReadWriteOnce"],
                                       "volumeMode": "Filesystem"}]}},
    {"apiVersion": "kubevirt.io/v1", "kind": "KubeVirt",
     "metadata": {"name": "kubevirt", "namespace": "openshift-cnv"},
     "spec": {"configuration": {"evictionStrategy": "LiveMigrate"}}},
]
namespaces = [{"apiVersion": "v1", "kind": "Namespace",
               "metadata": {"name": f"ns-{n:02d}", "labels": {"tier": f"t{n % 5}"}}}
              for n in range(NAMESPACES)]
policies = [{"apiVersion": "migrations.kubevirt.io/v1alpha1", "kind": "MigrationPolicy",
             "metadata": {"name": f"policy-{p:02d}"},
             "spec": {"bandwidthPerMigration": f"{64 * (p + 1)}Mi",
                      "selectors": {"namespaceSelector": {"tier": f"t{p % 5}"},
                                    "virtualMachineInstanceSelector": {"app": f"app-{p % 10}"}}}}
            for p in range(50)]
write("01-storage.json", storage + namespaces + policies)

vms, vmis, pvcs = [], [], []
expect = {"vms": VMS, "vmis": 0, "nodes": NODES, "rwo": 0, "bridge": 0, "unknown_only": 0}
for i in range(VMS):
    ns = f"ns-{i % NAMESPACES:02d}"
    name = f"vm-{i:05d}"
    kind = i % 8
    spec = {"domain": {"devices": {"interfaces": [{"name": "default", "masquerade": {}}]}},
            "networks": [{"name": "default", "pod": {}}]}
    dvts = None
    if kind == 1:            # a host-model CPU: its VMI moves to nodes of its node's model
        spec["domain"]["cpu"] = {"model": "host-model"}
    if kind in (0, 1, 2):    # RWX through the nfs profile
        dvts = [{"metadata": {"name": f"{name}-root"},
                 "spec": {"storage": {"storageClassName": "nfs-storage"}}}]
        spec["volumes"] = [{"name": "rootdisk", "dataVolume": {"name": f"{name}-root"}}]
    elif kind == 3:          # RWO PVC
        pvcs.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                     "metadata": {"name": f"{name}-data", "namespace": ns},
                     "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "ceph-rbd"}})
        spec["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": f"{name}-data"}}]
        expect["rwo"] += 1
    elif kind == 4:          # default class, Filesystem: RWO (RULES.md 9.9: the first set of the mode)
        dvts = [{"metadata": {"name": f"{name}-root"},
                 "spec": {"storage": {"volumeMode": "Filesystem"}}}]
        spec["volumes"] = [{"name": "rootdisk", "dataVolume": {"name": f"{name}-root"}}]
        expect["rwo"] += 1
    elif kind == 5:          # a PVC the view does not have
        spec["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": "missing"}}]
        expect["unknown_only"] += 1
    elif kind == 6:          # bridge on the pod network, zone selector, toleration
        spec["domain"]["devices"]["interfaces"] = [{"name": "default", "bridge": {}}]
        spec["nodeSelector"] = {"topology.kubernetes.io/zone": zone(i)}
        spec["tolerations"] = [{"key": "dedicated", "operator": "Exists",
                                "effect": "NoSchedule"}]
        expect["bridge"] += 1
    else:                    # GPU nodes through required affinity
        spec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [
                {"key": "accelerator", "operator": "In", "values": ["gpu-enabled23"]},
                {"key": "topology.kubernetes.io/zone", "operator": "NotIn",
                 "values": ["zone-9"]}]}]}}}
    if i % 40 == 30:         # a bridge VM that may be shut down (a running one)
        spec["evictionStrategy"] = "None"
    labels = {"app": f"app-{i % 10}", "kubevirt.io/domain": name}
    vm = {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
          "metadata": {"name": name, "namespace": ns},
          "spec": {"runStrategy": "Always",
                   "template": {"metadata": {"labels": labels}, "spec": spec}}}
    if dvts:
        vm["spec"]["dataVolumeTemplates"] = dvts
    vms.append(vm)
    if i % 5 == 0:
        vmis.append({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
                     "metadata": {"name": name, "namespace": ns, "labels": labels,
                                  "ownerReferences": [{"apiVersion": "kubevirt.io/v1",
                                                       "kind": "VirtualMachine", "name": name,
                                                       "controller": True}]},
                     "spec": dict(spec, domain=dict(spec["domain"],
                                                    memory={"guest": f"{1 + i % 4}Gi"})),
                     "status": {"phase": "Running", "nodeName": f"node-{i % NODES:03d}"}})
        expect["vmis"] += 1
write("02-pvcs.json", pvcs)
write("03-vms.json", vms)
write("04-vmis.json", vmis)
print(json.dumps(expect))
