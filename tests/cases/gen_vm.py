#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""gen_vm.py - write the admission cases of the live-migratability families
(vm-*: VM001-VM007 on VirtualMachine and VirtualMachineInstance, mig-*: MIG001-MIG008 on
VirtualMachineInstanceMigration), each rule in its deny and its warn or allow form.

Each case is one directory with review.json, expect.json and, when needed, state/ (one
JSON file per object) and config.yaml (format: README.md). Objects follow the user
documents in /work/shared/seeds (node placement examples, the migration-job manifest,
the addedNodeSelector example, storage profiles). Re-run after editing: it rewrites every
vm-* and mig-* directory and leaves the other cases alone. The generated files are
committed.
"""
import copy
import sys

sys.dont_write_bytecode = True  # no __pycache__ among the cases
from casegen import meta  # noqa: E402
import casegen  # noqa: E402

PREFIXES = ("vm-", "mig-")
NS = "web-servers"
CASES = []

# ---- cluster objects ------------------------------------------------------------------


def node(name, labels=None, taints=None, unschedulable=False, extra_labels=True):
    lab = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
           "node-role.kubernetes.io/worker": ""} if extra_labels else {}
    lab.update(labels or {})
    spec = {}
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    return {"apiVersion": "v1", "kind": "Node", "metadata": meta(name, labels=lab), "spec": spec}


def storage_class(name, default=False, provisioner="openshift-storage.rbd.csi.ceph.com"):
    m = meta(name)
    if default:
        m["annotations"] = {"storageclass.kubernetes.io/is-default-class": "true"}
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": m,
            "provisioner": provisioner, "reclaimPolicy": "Delete",
            "volumeBindingMode": "Immediate"}


def profile(name, status_sets, spec_sets=None):
    p = {"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "StorageProfile",
         "metadata": meta(name), "spec": {}, "status": {"storageClass": name}}
    if spec_sets is not None:
        p["spec"]["claimPropertySets"] = spec_sets
    if status_sets is not None:
        p["status"]["claimPropertySets"] = status_sets
    return p


def pvc(name, modes, cls="ocs-external-storagecluster-ceph-rbd", namespace=NS):
    spec = {"resources": {"requests": {"storage": "30Gi"}}, "volumeMode": "Filesystem",
            "storageClassName": cls}
    if modes is not None:
        spec["accessModes"] = modes
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": meta(name, namespace), "spec": spec,
            "status": {"phase": "Bound"}}


def kubevirt(strategy):
    return {"apiVersion": "kubevirt.io/v1", "kind": "KubeVirt",
            "metadata": meta("kubevirt-kubevirt-hyperconverged", "openshift-cnv"),
            "spec": {"configuration": {"evictionStrategy": strategy}}}


def kubevirt_conf(conf):
    """A KubeVirt CR with spec.configuration conf (as HCO writes it, in openshift-cnv)."""
    return {"apiVersion": "kubevirt.io/v1", "kind": "KubeVirt",
            "metadata": meta("kubevirt-kubevirt-hyperconverged", "openshift-cnv"),
            "spec": {"configuration": conf}}


def hco_strategy(strategy):
    return {"apiVersion": "hco.kubevirt.io/v1beta1", "kind": "HyperConverged",
            "metadata": meta("kubevirt-hyperconverged", "openshift-cnv"),
            "spec": {"evictionStrategy": strategy}}


def instancetype(name, spec, namespace=None):
    kind = "VirtualMachineInstancetype" if namespace else "VirtualMachineClusterInstancetype"
    return {"apiVersion": "instancetype.kubevirt.io/v1beta1", "kind": kind,
            "metadata": meta(name, namespace), "spec": spec}


def hco_limits(cluster, node_limit):
    return {"apiVersion": "hco.kubevirt.io/v1beta1", "kind": "HyperConverged",
            "metadata": meta("kubevirt-hyperconverged", "openshift-cnv"),
            "spec": {"liveMigrationConfig": {"parallelMigrationsPerCluster": cluster,
                                             "parallelOutboundMigrationsPerNode": node_limit}}}


# The seeds' storage profiles: nfs-storage set to RWX Filesystem by `oc edit`; ceph rbd
# (the default class) offering RWX only for Block.
STORAGE = [
    storage_class("nfs-storage", provisioner="kubernetes.io/nfs"),
    storage_class("ocs-external-storagecluster-ceph-rbd", default=True),
    profile("nfs-storage", [{"accessModes": ["ReadWriteMany"], "volumeMode": "Filesystem"}]),
    profile("ocs-external-storagecluster-ceph-rbd",
            [{"accessModes": ["ReadWriteMany"], "volumeMode": "Block"},
             {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"}]),
]

WORKERS = [node("worker-0"), node("worker-1"), node("worker-2")]


# ---- workloads ------------------------------------------------------------------------


def vm_spec(volumes=None, interfaces=None, networks=None, strategy=None, **extra):
    """A VMI-style spec (a VM's spec.template.spec)."""
    spec = {"domain": {"cpu": {"cores": 1}, "memory": {"guest": "2Gi"},
                       "devices": {"disks": [{"name": "rootdisk", "disk": {"bus": "virtio"}}],
                                   "interfaces": interfaces if interfaces is not None
                                   else [{"name": "default", "masquerade": {}}]}},
            "networks": networks if networks is not None else [{"name": "default", "pod": {}}],
            "volumes": volumes if volumes is not None
            else [{"name": "rootdisk", "containerDisk": {"image": "quay.io/containerdisks/fedora:40"}}]}
    if strategy:
        spec["evictionStrategy"] = strategy
    for k, v in extra.items():
        if k == "domain":
            spec["domain"].update(v)
        else:
            spec[k] = v
    return spec


def vm(name, spec, dvts=None, annotations=None, labels=None, instancetype_ref=None):
    tmeta = {"labels": labels or {"kubevirt.io/domain": name}}
    if annotations:
        tmeta["annotations"] = annotations
    obj = {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
           "metadata": meta(name, NS),
           "spec": {"runStrategy": "Always", "template": {"metadata": tmeta, "spec": spec}}}
    if dvts:
        obj["spec"]["dataVolumeTemplates"] = dvts
    if instancetype_ref:
        obj["spec"]["instancetype"] = instancetype_ref
    return obj


def vmi(name, spec, phase="Running", node_name="worker-0", annotations=None, status=None,
        owner=None):
    m = meta(name, NS, labels={"kubevirt.io/domain": name})
    if annotations:
        m["annotations"] = annotations
    if owner:
        m["ownerReferences"] = [{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
                                 "name": owner, "uid": "0d1b1e6c-2f6e-5c3a-9d36-1f0c7e5e8a11",
                                 "controller": True, "blockOwnerDeletion": True}]
    st = {"phase": phase}
    if node_name:
        st["nodeName"] = node_name
    st.update(status or {})
    return {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "metadata": m,
            "spec": spec, "status": st}


def dvt(name, storage):
    return {"metadata": {"name": name},
            "spec": {"source": {"registry": {"url": "docker://quay.io/containerdisks/fedora:40"}},
                     "storage": storage}}


def migration(name, spec, phase=None, namespace=NS):
    obj = {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstanceMigration",
           "metadata": meta(name, namespace), "spec": spec}
    if phase:
        obj["status"] = {"phase": phase}
    return obj


# ---- reviews --------------------------------------------------------------------------

RESOURCES = {"VirtualMachine": "virtualmachines",
             "VirtualMachineInstance": "virtualmachineinstances",
             "VirtualMachineInstanceMigration": "virtualmachineinstancemigrations"}


def review(case_name, obj, op, old, user=None):
    kind = (obj or old)["kind"]
    gvk = {"group": "kubevirt.io", "version": "v1", "kind": kind}
    new = copy.deepcopy(obj)
    if new is not None and op == "CREATE":
        new["metadata"].pop("uid", None)
        new["metadata"].pop("creationTimestamp", None)
        new.pop("status", None)
    opts = casegen.options(op, create="kubectl-client-side-apply", update="virt-controller")
    rv = casegen.review(case_name, gvk, RESOURCES[kind], (obj or old)["metadata"]["name"], NS,
                        op, new, old, opts)
    if user:
        rv["request"]["userInfo"] = {"username": user, "groups": [
            "system:serviceaccounts", "system:serviceaccounts:openshift-cnv",
            "system:authenticated"]}
    return rv


def case(name, obj, *, op="CREATE", old=None, state=None, config=None, deny=None, warn=None,
         fields=None, contains=None, user=None, patch=casegen.UNCHECKED):
    CASES.append(dict(name=name, obj=obj, op=op, old=old, state=state or [], config=config,
                      deny=deny, warn=warn, fields=fields, contains=contains, user=user,
                      patch=patch))


def write(c):
    casegen.write_case(c["name"], review(c["name"], c["obj"], c["op"], c["old"], c["user"]),
                       casegen.expect(c, "validate" if c["patch"] is casegen.UNCHECKED
                                      else "mutate", not c["deny"], c["patch"]), c["config"],
                       casegen.object_files(c["state"]), NOTES.get(c["name"]))


# ---- VM001: access modes ---------------------------------------------------------------

LIVE = "LiveMigrate"
RBD = "ocs-external-storagecluster-ceph-rbd"
PVC_VOL = [{"name": "rootdisk", "persistentVolumeClaim": {"claimName": "fedora-root"}}]
DV_VOL = [{"name": "rootdisk", "dataVolume": {"name": "fedora-root"}}]
F_PVC = "spec.template.spec.volumes[0].persistentVolumeClaim"
F_DV = "spec.template.spec.volumes[0].dataVolume"

case("vm-allowed-nfs-profile-rwx",
     vm("fedora", vm_spec(DV_VOL, strategy=LIVE),
        [dvt("fedora-root", {"storageClassName": "nfs-storage",
                             "resources": {"requests": {"storage": "30Gi"}}})]),
     state=STORAGE + WORKERS)
case("vm-vm001-rwo-pvc-live-migrate-deny", vm("fedora", vm_spec(PVC_VOL, strategy=LIVE)),
     state=[pvc("fedora-root", ["ReadWriteOnce"])], deny=["VM001"], fields=[F_PVC],
     contains=["volume \"rootdisk\" is ReadWriteOnce (from the PVC), not ReadWriteMany"])
case("vm-vm001-rwo-pvc-no-strategy-warn", vm("fedora", vm_spec(PVC_VOL)),
     state=[pvc("fedora-root", ["ReadWriteOnce"])], warn=["VM001"])
case("vm-vm001-if-possible-warn", vm("fedora", vm_spec(PVC_VOL, strategy="LiveMigrateIfPossible")),
     state=[pvc("fedora-root", ["ReadWriteOnce"])], warn=["VM001"])
case("vm-vm001-read-only-many-deny", vm("fedora", vm_spec(PVC_VOL, strategy=LIVE)),
     state=[pvc("fedora-root", ["ReadOnlyMany"])], deny=["VM001"], contains=["ReadOnlyMany"])
case("vm-vm001-rwx-pvc-allowed", vm("fedora", vm_spec(PVC_VOL, strategy=LIVE)),
     state=[pvc("fedora-root", ["ReadWriteMany"])])
case("vm-vm001-pvc-not-in-view-warn", vm("fedora", vm_spec(PVC_VOL, strategy=LIVE)),
     state=STORAGE, warn=["VM001"],
     contains=["cannot determine the access mode of volume \"rootdisk\"",
               "PVC web-servers/fedora-root is not in the view"])
case("vm-vm001-template-modes-deny",
     vm("fedora", vm_spec(DV_VOL, strategy=LIVE),
        [dvt("fedora-root", {"accessModes": ["ReadWriteOnce"],
                             "resources": {"requests": {"storage": "30Gi"}}})]),
     deny=["VM001"], fields=[F_DV], contains=["(from dataVolumeTemplates)"])
case("vm-vm001-template-pvc-api-allowed",
     vm("fedora", vm_spec(DV_VOL, strategy=LIVE),
        [{"metadata": {"name": "fedora-root"},
          "spec": {"source": {"blank": {}},
                   "pvc": {"accessModes": ["ReadWriteMany"],
                           "resources": {"requests": {"storage": "30Gi"}}}}}]))
# Edition 2 (RULES.md 9.9, CDI pkg/controller/datavolume/util.go): with a volumeMode CDI
# takes the profile's first set of that mode (RBD Filesystem: RWO); edition 1 named no mode.
case("vm-vm001-default-class-profile-deny",
     vm("fedora", vm_spec(DV_VOL, strategy=LIVE),
        [dvt("fedora-root", {"volumeMode": "Filesystem",
                             "resources": {"requests": {"storage": "30Gi"}}})]),
     state=STORAGE, deny=["VM001"], contains=[f"ReadWriteOnce (from StorageProfile {RBD})"])
# CDI pkg/controller/datavolume/util.go: neither volumeMode nor accessModes: the first
# claimPropertySets entry (RBD: RWX Block), as OpenShift's templates on ODF create VMs.
case("vm-vm001-default-class-first-claim-set-allowed",
     vm("fedora", vm_spec(DV_VOL, strategy=LIVE),
        [dvt("fedora-root", {"resources": {"requests": {"storage": "30Gi"}}})]),
     state=STORAGE)
# CDI's storage class choice (RULES.md 9.9): the virt default class comes before the
# Kubernetes default (here nfs-storage is the virt default, RBD the Kubernetes one).
case("vm-vm001-virt-default-class-first-allowed",
     vm("fedora", vm_spec(DV_VOL, strategy=LIVE),
        [dvt("fedora-root", {"volumeMode": "Filesystem",
                             "resources": {"requests": {"storage": "30Gi"}}})]),
     state=[dict(STORAGE[0], metadata=dict(STORAGE[0]["metadata"], annotations={
         "storageclass.kubevirt.io/is-default-virt-class": "true"}))] + STORAGE[1:])
# CDI: a volumeMode no claimPropertySet offers leaves the access mode open: a warning.
case("vm-vm001-profile-no-set-of-mode-warn",
     vm("fedora", vm_spec(DV_VOL, strategy=LIVE),
        [dvt("fedora-root", {"storageClassName": "nfs-storage", "volumeMode": "Block",
                             "resources": {"requests": {"storage": "30Gi"}}})]),
     state=STORAGE, warn=["VM001"],
     contains=["StorageProfile nfs-storage: no Block claimPropertySet"])
case("vm-vm001-profile-block-mode-allowed",
     vm("fedora", vm_spec(DV_VOL, strategy=LIVE),
        [dvt("fedora-root", {"volumeMode": "Block",
                             "resources": {"requests": {"storage": "30Gi"}}})]),
     state=STORAGE)
case("vm-vm001-no-profile-warn",
     vm("fedora", vm_spec(DV_VOL, strategy=LIVE),
        [dvt("fedora-root", {"storageClassName": "lvms-vg1"})]),
     state=STORAGE, warn=["VM001"], contains=["no StorageProfile for storage class lvms-vg1"])
case("vm-vm001-kubevirt-cr-default-deny", vm("fedora", vm_spec(PVC_VOL)),
     state=[pvc("fedora-root", ["ReadWriteOnce"]), kubevirt(LIVE)], deny=["VM001"])
case("vm-vm001-config-default-overrides-cr-warn", vm("fedora", vm_spec(PVC_VOL)),
     state=[pvc("fedora-root", ["ReadWriteOnce"]), kubevirt(LIVE)],
     config="defaultEvictionStrategy: None\n", warn=["VM001"])
case("vm-vm001-config-default-live-migrate-deny", vm("fedora", vm_spec(PVC_VOL)),
     state=[pvc("fedora-root", ["ReadWriteOnce"])],
     config="defaultEvictionStrategy: LiveMigrate\n", deny=["VM001"])
# RULES.md 9.8 (HCO controllers/operands/kubevirt.go copies spec.evictionStrategy into the
# KubeVirt CR): without a KubeVirt CR in the view the HyperConverged's strategy is the default.
case("vm-vm001-hco-default-live-migrate-deny", vm("fedora", vm_spec(PVC_VOL)),
     state=[pvc("fedora-root", ["ReadWriteOnce"]), hco_strategy(LIVE)], deny=["VM001"])
case("vm-vm001-kubevirt-cr-over-hco-warn", vm("fedora", vm_spec(PVC_VOL)),
     state=[pvc("fedora-root", ["ReadWriteOnce"]), hco_strategy(LIVE), kubevirt("None")],
     warn=["VM001"])
VOLSTATUS_RWO = {"volumeStatus": [{"name": "rootdisk", "target": "vda",
                                   "persistentVolumeClaimInfo": {
                                       "claimName": "fedora-root",
                                       "accessModes": ["ReadWriteOnce"]}}]}
# virt-handler writing status: the spec is unchanged, so the new finding only warns.
case("vm-vm001-vmi-status-update-warn",
     vmi("fedora", vm_spec(PVC_VOL, strategy=LIVE), status=VOLSTATUS_RWO),
     op="UPDATE", old=vmi("fedora", vm_spec(PVC_VOL, strategy=LIVE), phase="Scheduled"),
     state=[pvc("fedora-root", ["ReadWriteMany"])], warn=["VM001"],
     contains=["the VMI's volumeStatus"])
# A user changing the spec of the same VMI (adding the evictionStrategy) is denied.
case("vm-vm001-vmi-spec-update-deny",
     vmi("fedora", vm_spec(PVC_VOL, strategy=LIVE), status=VOLSTATUS_RWO),
     op="UPDATE", old=vmi("fedora", vm_spec(PVC_VOL), status=VOLSTATUS_RWO),
     state=[pvc("fedora-root", ["ReadWriteMany"])], deny=["VM001"],
     fields=["spec.volumes[0].persistentVolumeClaim"], contains=["the VMI's volumeStatus"])

# RULES.md section 8: a VMI that KubeVirt's controller creates for an admitted VM (pkg/
# virt-controller/watch/vm.go creates it as system:serviceaccount:<ns>:kubevirt-controller
# with a controller ownerReference) is never denied by VM001-VM007: its findings warn.
KV_CTRL = "system:serviceaccount:openshift-cnv:kubevirt-controller"
BRIDGE_PRE = [{"name": "default", "bridge": {}}]
case("vm-vmi-kubevirt-controller-warn",
     vmi("fedora", vm_spec(PVC_VOL, interfaces=BRIDGE_PRE, strategy=LIVE), owner="fedora"),
     user=KV_CTRL, state=[pvc("fedora-root", ["ReadWriteOnce"])], warn=["VM001", "VM003"])
case("vm-vmi-owned-by-vm-warn",
     vmi("fedora", vm_spec(PVC_VOL, strategy=LIVE), owner="fedora"),
     state=[pvc("fedora-root", ["ReadWriteOnce"])], warn=["VM001"])
case("vm-vmi-handler-service-account-warn",
     vmi("fedora", vm_spec(PVC_VOL, strategy=LIVE)),
     user="system:serviceaccount:kubevirt:kubevirt-handler",
     state=[pvc("fedora-root", ["ReadWriteOnce"])], warn=["VM001"])
# ... and the mutating webhook still annotates it (RULES.md section 8, 7).
DEFAULT_CONFIG = ('{"bandwidthPerMigration":"0","completionTimeoutPerGiB":150,'
                  '"allowAutoConverge":false,"allowPostCopy":false,'
                  '"allowWorkloadDisruption":false,"progressTimeout":150,'
                  '"parallelOutboundMigrationsPerNode":2,"parallelMigrationsPerCluster":5}')
case("vm-vmi-kubevirt-controller-mutate-annotated",
     vmi("fedora", vm_spec(PVC_VOL, interfaces=BRIDGE_PRE, strategy=LIVE), owner="fedora"),
     user=KV_CTRL, state=[pvc("fedora-root", ["ReadWriteOnce"])],
     patch=[{"op": "add", "path": "/metadata/annotations",
             "value": {"migguard.io/migration-policy": "none",
                       "migguard.io/migration-config": DEFAULT_CONFIG}}])
# Only the two service accounts: a look-alike name is a person's request.
case("vm-vmi-other-service-account-deny",
     vmi("fedora", vm_spec(PVC_VOL, strategy=LIVE)),
     user="system:serviceaccount:openshift-cnv:kubevirt-controller-helper",
     state=[pvc("fedora-root", ["ReadWriteOnce"])], deny=["VM001"])

# ---- VM002: hostDisk -------------------------------------------------------------------

HOSTDISK = [{"name": "rootdisk", "hostDisk": {"path": "/var/lib/vm/disk.img",
                                              "type": "DiskOrCreate", "capacity": "10Gi"}}]
SHARED = [{"name": "rootdisk", "hostDisk": {"path": "/mnt/shared/disk.img", "type": "Disk",
                                            "shared": True}}]
case("vm-vm002-hostdisk-not-shared-deny", vm("legacy", vm_spec(HOSTDISK, strategy=LIVE)),
     deny=["VM002"], fields=["spec.template.spec.volumes[0].hostDisk.shared"])
case("vm-vm002-hostdisk-not-shared-warn", vm("legacy", vm_spec(HOSTDISK, strategy="None")),
     warn=["VM002"])
case("vm-vm002-hostdisk-shared-allowed", vm("legacy", vm_spec(SHARED, strategy=LIVE)))

# ---- VM003: bridge on the pod network --------------------------------------------------

BRIDGE = [{"name": "default", "bridge": {}}]
ANN = "kubevirt.io/allow-pod-bridge-network-live-migration"
case("vm-vm003-pod-bridge-deny", vm("web", vm_spec(interfaces=BRIDGE, strategy=LIVE)),
     deny=["VM003"], fields=["spec.template.spec.domain.devices.interfaces[0].bridge"])
case("vm-vm003-pod-bridge-warn", vm("web", vm_spec(interfaces=BRIDGE)), warn=["VM003"])
case("vm-vm003-config-off-allowed", vm("web", vm_spec(interfaces=BRIDGE, strategy=LIVE)),
     config="rules:\n  VM003: off\n")
case("vm-vm003-config-warn", vm("web", vm_spec(interfaces=BRIDGE, strategy=LIVE)),
     config="rules:\n  VM003: warn\n", warn=["VM003"])
case("vm-vm003-annotation-allowed",
     vm("web", vm_spec(interfaces=BRIDGE, strategy=LIVE), annotations={ANN: ""}))
case("vm-vm003-vmi-annotation-allowed",
     vmi("web", vm_spec(interfaces=BRIDGE, strategy=LIVE), annotations={ANN: "true"}))
# pkg/network (SetDefaultNetworkInterface): no interfaces and no networks get a pod
# interface whose binding is the KubeVirt CR's network.defaultNetworkInterface, bridge when
# unset (HCO sets masquerade).
NO_NET = dict(interfaces=[], networks=[])
case("vm-vm003-implicit-bridge-deny", vm("web", vm_spec(strategy=LIVE, **NO_NET)),
     state=[kubevirt(LIVE)], deny=["VM003"],
     fields=["spec.template.spec.domain.devices.interfaces"], contains=["with bridge"])
case("vm-vm003-implicit-masquerade-allowed", vm("web", vm_spec(strategy=LIVE, **NO_NET)),
     state=[kubevirt_conf({"network": {"defaultNetworkInterface": "masquerade"}})])
case("vm-vm003-implicit-no-kubevirt-cr-warn", vm("web", vm_spec(strategy=LIVE, **NO_NET)),
     warn=["VM003"], contains=["cannot determine the implicit pod interface"])
case("vm-vm003-implicit-autoattach-off-allowed",
     vm("web", vm_spec(strategy=LIVE, domain={"devices": {
         "disks": [], "interfaces": [], "autoattachPodInterface": False}}, networks=[])),
     state=[kubevirt(LIVE)])
# pkg/network/migration: a binding plugin migrates only when its registration in the
# KubeVirt CR (network.binding.<name>) has a migration stanza; {} counts.
PLUGIN = [{"name": "default", "binding": {"name": "l2bridge"}}]
case("vm-vm003-binding-plugin-no-migration-deny", vm("web", vm_spec(interfaces=PLUGIN, strategy=LIVE)),
     state=[kubevirt_conf({"network": {"binding": {"l2bridge": {"domainAttachmentType": "managedTap"}}}})],
     deny=["VM003"], fields=["spec.template.spec.domain.devices.interfaces[0].binding"],
     contains=["network.binding.l2bridge.migration"])
case("vm-vm003-binding-plugin-migration-allowed",
     vm("web", vm_spec(interfaces=PLUGIN, strategy=LIVE)),
     state=[kubevirt_conf({"network": {"binding": {"l2bridge": {
         "domainAttachmentType": "managedTap", "migration": {}}}}})])
case("vm-vm003-binding-plugin-no-kubevirt-cr-warn",
     vm("web", vm_spec(interfaces=PLUGIN, strategy=LIVE)), warn=["VM003"],
     contains=["cannot determine if binding plugin \"l2bridge\""])
# slirp cannot migrate (pkg/network: only masquerade, passt and bridge with the annotation).
case("vm-vm003-slirp-deny",
     vm("web", vm_spec(interfaces=[{"name": "default", "slirp": {}}], strategy=LIVE)),
     deny=["VM003"], contains=["slirp"])
case("vm-vm003-passt-binding-allowed",
     vm("web", vm_spec(interfaces=[{"name": "default", "passtBinding": {}}], strategy=LIVE)))
case("vm-vm003-passt-plugin-allowed",
     vm("web", vm_spec(interfaces=[{"name": "default", "binding": {"name": "passt"}}],
                       strategy=LIVE)))
case("vm-vm003-secondary-bridge-allowed",
     vm("web", vm_spec(interfaces=[{"name": "default", "masquerade": {}},
                                   {"name": "storage", "bridge": {}}],
                       networks=[{"name": "default", "pod": {}},
                                 {"name": "storage", "multus": {"networkName": "br-storage"}}],
                       strategy=LIVE)))

# ---- VM004: migration ports ------------------------------------------------------------

PORTS = [{"name": "default", "masquerade": {},
          "ports": [{"name": "http", "port": 80}, {"name": "mig", "port": 49152}]}]
# Edition 2: KubeVirt migrates over a Unix socket since v0.46 (pkg/virt-handler/
# migration-proxy); the ports matter only on the legacy TCP transport, so a VM gets one
# VM004 warning whatever its strategy (edition 1 denied this case).
case("vm-vm004-masquerade-port-deny", vm("web", vm_spec(interfaces=PORTS, strategy=LIVE)),
     warn=["VM004"], fields=[],
     contains=["lists port 49152: 49152/49153 matter only on the legacy TCP"])
case("vm-vm004-both-ports-one-warn",
     vm("web", vm_spec(interfaces=[{"name": "default", "masquerade": {},
                                    "ports": [{"port": 49152}, {"port": 49153}]}],
                       strategy=LIVE)),
     warn=["VM004"])
case("vm-vm004-masquerade-port-warn", vm("web", vm_spec(interfaces=PORTS)), warn=["VM004"])
case("vm-vm004-other-ports-allowed",
     vm("web", vm_spec(interfaces=[{"name": "default", "masquerade": {},
                                    "ports": [{"port": 80}, {"port": 49154}]}], strategy=LIVE)))

# ---- VM005: devices and features -------------------------------------------------------

case("vm-vm005-host-devices-deny",
     vm("ai", vm_spec(strategy=LIVE, domain={"devices": {
         "disks": [], "interfaces": [{"name": "default", "masquerade": {}}],
         "hostDevices": [{"name": "nic1", "deviceName": "intel.com/sriov_nic"}]}})),
     deny=["VM005"], fields=["spec.template.spec.domain.devices.hostDevices"])
case("vm-vm005-two-gpus-warn",
     vm("ai", vm_spec(domain={"devices": {
         "disks": [], "interfaces": [{"name": "default", "masquerade": {}}],
         "gpus": [{"name": "g1", "deviceName": "nvidia.com/A100"},
                  {"name": "g2", "deviceName": "nvidia.com/A100"}]}})),
     warn=["VM005"], contains=["2 GPUs"])
# Edition 2 (pkg/virt-controller migratability, VGPULiveMigration): one GPU migrates only
# as a mediated vGPU with the gate; without a KubeVirt CR in the view that is open, so the
# edition-1 "allowed" case now warns.
ONE_GPU = {"devices": {"disks": [], "interfaces": [{"name": "default", "masquerade": {}}],
                       "gpus": [{"name": "g1", "deviceName": "nvidia.com/GRID_T4-2Q"}]}}
VGPU_CONF = {"developerConfiguration": {"featureGates": ["VGPULiveMigration"]},
             "permittedHostDevices": {"mediatedDevices": [
                 {"mdevNameSelector": "GRID T4-2Q", "resourceName": "nvidia.com/GRID_T4-2Q"}]}}
case("vm-vm005-one-gpu-allowed", vm("ai", vm_spec(strategy=LIVE, domain=ONE_GPU)),
     warn=["VM005"], contains=["cannot determine if GPU nvidia.com/GRID_T4-2Q can migrate"])
case("vm-vm005-vgpu-with-gate-allowed", vm("ai", vm_spec(strategy=LIVE, domain=ONE_GPU)),
     state=[kubevirt_conf(VGPU_CONF)])
case("vm-vm005-vgpu-without-gate-deny", vm("ai", vm_spec(strategy=LIVE, domain=ONE_GPU)),
     state=[kubevirt_conf({"permittedHostDevices": VGPU_CONF["permittedHostDevices"]})],
     deny=["VM005"], fields=["spec.template.spec.domain.devices.gpus"],
     contains=["VGPULiveMigration"])
case("vm-vm005-passthrough-gpu-deny", vm("ai", vm_spec(strategy=LIVE, domain=ONE_GPU)),
     state=[kubevirt_conf({"developerConfiguration": VGPU_CONF["developerConfiguration"],
                           "permittedHostDevices": {"pciHostDevices": [
                               {"pciVendorSelector": "10DE:1EB8",
                                "resourceName": "nvidia.com/GRID_T4-2Q"}]}})],
     deny=["VM005"], contains=["only a mediated vGPU"])
# pkg/instancetype (find/spec.go, apply): an instancetype's gpus, hostDevices and
# launchSecurity are the VMI's; spec.instancetype.kind defaults to the cluster kind.
IT_VM = dict(strategy=LIVE)
case("vm-vm005-cluster-instancetype-gpus-deny",
     vm("ai", vm_spec(**IT_VM), instancetype_ref={"name": "gn1.2xlarge"}),
     state=[instancetype("gn1.2xlarge", {"cpu": {"guest": 8}, "memory": {"guest": "32Gi"},
                                         "gpus": [{"name": "g1", "deviceName": "nvidia.com/A100"},
                                                  {"name": "g2", "deviceName": "nvidia.com/A100"}]})],
     deny=["VM005"], fields=["spec.instancetype"], contains=["2 GPUs are assigned by its instancetype"])
case("vm-vm005-namespaced-instancetype-host-devices-deny",
     vm("ai", vm_spec(**IT_VM),
        instancetype_ref={"kind": "VirtualMachineInstancetype", "name": "nic-passthrough"}),
     state=[instancetype("nic-passthrough", {"cpu": {"guest": 2}, "memory": {"guest": "4Gi"},
                                             "hostDevices": [{"name": "nic",
                                                              "deviceName": "intel.com/E810"}]},
                         namespace=NS)],
     deny=["VM005"], fields=["spec.instancetype"], contains=["by its instancetype"])
case("vm-vm005-instancetype-missing-warn",
     vm("ai", vm_spec(**IT_VM), instancetype_ref={"name": "u1.medium"}),
     warn=["VM005"], contains=["VirtualMachineClusterInstancetype u1.medium"])
case("vm-vm005-instancetype-plain-allowed",
     vm("web", vm_spec(**IT_VM), instancetype_ref={"kind": "virtualmachineclusterinstancetype",
                                                   "name": "u1.medium"}),
     state=[instancetype("u1.medium", {"cpu": {"guest": 1}, "memory": {"guest": "4Gi"}})])
case("vm-vm005-sev-and-hyperv-deny",
     vmi("secure", vm_spec(strategy=LIVE, domain={
         "launchSecurity": {"sev": {}},
         "features": {"hypervPassthrough": {"enabled": True}}})),
     deny=["VM005", "VM005"],
     fields=["spec.domain.launchSecurity", "spec.domain.features.hypervPassthrough.enabled"])

# ---- VM006: placement well-formed (seed examples allowed) -------------------------------

SEED_AFFINITY = {"nodeAffinity": {
    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{
        "matchExpressions": [{"key": "example.io/example-key", "operator": "In",
                              "values": ["example-value-1", "example-value-2"]}]}]},
    "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": {
        "matchExpressions": [{"key": "example-node-label-key", "operator": "In",
                              "values": ["example-node-label-value"]}]}}]}}
SEED_TOLERATIONS = [{"key": "key", "operator": "Equal", "value": "virtualization",
                     "effect": "NoSchedule"}]
SEED_SELECTOR = {"example-key-1": "example-value-1", "example-key-2": "example-value-2"}

case("vm-vm006-seed-placement-examples-allowed",
     vm("example-vm-node-affinity",
        vm_spec(strategy=LIVE, nodeSelector=SEED_SELECTOR, affinity=SEED_AFFINITY,
                tolerations=SEED_TOLERATIONS)))
case("vm-vm006-bad-operator-deny",
     vm("bad", vm_spec(affinity={"nodeAffinity": {
         "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{
             "matchExpressions": [{"key": "zone", "operator": "Equals",
                                   "values": ["a"]}]}]}}})),
     deny=["VM006"], contains=["operator \"Equals\" is not one of In"],
     fields=["spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuring"
             "Execution.nodeSelectorTerms[0].matchExpressions[0].operator"])
case("vm-vm006-exists-toleration-with-value-deny",
     vmi("bad", vm_spec(tolerations=[{"key": "key", "operator": "Exists",
                                      "value": "virtualization", "effect": "NoSchedule"}])),
     deny=["VM006"], fields=["spec.tolerations[0]"])
case("vm-vm006-weight-and-gt-deny",
     vm("bad", vm_spec(strategy="None", affinity={"nodeAffinity": {
         "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{
             "matchExpressions": [{"key": "cpu-cores", "operator": "Gt",
                                   "values": ["eight"]}]}]},
         "preferredDuringSchedulingIgnoredDuringExecution": [
             {"weight": 200, "preference": {"matchExpressions": [
                 {"key": "a", "operator": "Exists"}]}}]}})),
     deny=["VM006", "VM006"], contains=["exactly one integer value", "from 1 to 100"])
# KubeVirt knows four eviction strategies (api/core/v1 EvictionStrategy); a typo would
# silently mean "not LiveMigrate".
case("vm-vm006-eviction-strategy-typo-deny", vm("web", vm_spec(strategy="LiveMigration")),
     deny=["VM006"], fields=["spec.template.spec.evictionStrategy"],
     contains=["did you mean LiveMigrate?"])
# A preferred term's path keeps .preference (what kubectl shows as the field).
case("vm-vm006-preferred-term-path-deny",
     vm("bad", vm_spec(affinity={"nodeAffinity": {
         "preferredDuringSchedulingIgnoredDuringExecution": [
             {"weight": 10, "preference": {"matchExpressions": [
                 {"key": "zone", "operator": "Equals", "values": ["a"]}]}}]}})),
     deny=["VM006"],
     fields=["spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuring"
             "Execution[0].preference.matchExpressions[0].operator"])
case("vm-vm006-node-selector-label-deny",
     vm("bad", vm_spec(nodeSelector={"example key": "example-value-1"})),
     deny=["VM006"], fields=["spec.template.spec.nodeSelector.example key"])

# ---- VM007: two target nodes -----------------------------------------------------------
# Edition 2 (RULES.md 9.11): a cordoned node counts for VM007 (cordons are temporary), and
# the node.kubernetes.io/unschedulable taint that cordoning adds is then not weighed;
# KubeVirt's own launcher-pod labels are required: kubevirt.io/schedulable=true (once some
# node carries the key), kubevirt.io/cpumanager=true for dedicatedCpuPlacement and
# cpu-model.node.kubevirt.io/<model>=true for a named CPU model. Source: KubeVirt
# pkg/virt-controller/services/nodeselectorrenderer.go and template.go
# (newNodeSelectorRenderer), at d923fdb8.

GPU_NODES = [node("worker-0", {"accelerator": "gpu-enabled23"}),
             node("worker-1", {"accelerator": "gpu-enabled23"}, unschedulable=True),
             node("worker-2", {"accelerator": "gpu-enabled23"},
                  taints=[{"key": "key", "value": "virtualization", "effect": "NoSchedule"}]),
             node("worker-3")]
# worker-1 without the GPU label: worker-0 is the only node for the GPU VMs.
ONE_GPU_NODES = [GPU_NODES[0], node("worker-1", unschedulable=True)] + GPU_NODES[2:]
CORDON_TAINT = [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule",
                 "timeAdded": "2026-12-03T09:00:00Z"}]
case("vm-vm007-one-node-deny",
     vm("gpu", vm_spec(strategy=LIVE, nodeSelector={"accelerator": "gpu-enabled23"})),
     state=ONE_GPU_NODES, deny=["VM007"],
     contains=["only node worker-0 can run this VM",
               "2 nodes lack accelerator=gpu-enabled23, 1 has the untolerated taint "
               "key=virtualization:NoSchedule"],
     fields=["spec.template.spec"])
case("vm-vm007-one-node-warn",
     vm("gpu", vm_spec(nodeSelector={"accelerator": "gpu-enabled23"})),
     state=ONE_GPU_NODES, warn=["VM007"],
     contains=["[VM007] only node worker-0 can run this VM, none to migrate to...; widen its "
               "placement, or label, untaint or add a node"])
# Edition 1 denied (warned) these two: the cordoned worker-1 did not count.
case("vm-vm007-cordoned-counts-allowed",
     vm("gpu", vm_spec(strategy=LIVE, nodeSelector={"accelerator": "gpu-enabled23"})),
     state=GPU_NODES)
case("vm-vm007-cordoned-counts-no-warning",
     vm("gpu", vm_spec(nodeSelector={"accelerator": "gpu-enabled23"})),
     state=GPU_NODES)
case("vm-vm007-cordon-taint-not-weighed-allowed",
     vm("gpu", vm_spec(strategy=LIVE, nodeSelector={"accelerator": "gpu-enabled23"})),
     state=[GPU_NODES[0], node("worker-1", {"accelerator": "gpu-enabled23"},
                               taints=CORDON_TAINT, unschedulable=True)] + GPU_NODES[2:])
case("vm-vm007-tolerated-taint-allowed",
     vm("gpu", vm_spec(strategy=LIVE, nodeSelector={"accelerator": "gpu-enabled23"},
                       tolerations=SEED_TOLERATIONS)),
     state=ONE_GPU_NODES)
case("vm-vm007-affinity-no-node-deny",
     vmi("gpu", vm_spec(strategy=LIVE, affinity=SEED_AFFINITY)),
     state=GPU_NODES, deny=["VM007"],
     contains=["none of the 4 nodes can run this VM", "4 nodes fail the required node affinity"])
KV_NODES = [node("worker-0", {"kubevirt.io/schedulable": "true"}),
            node("worker-1", {"kubevirt.io/schedulable": "false"}),
            node("infra-0")]
case("vm-vm007-schedulable-label-deny", vm("plain", vm_spec(strategy=LIVE)),
     state=KV_NODES, deny=["VM007"],
     contains=["only node worker-0 can run this VM", "2 nodes lack kubevirt.io/schedulable=true"])
case("vm-vm007-schedulable-label-unknown-allowed", vm("plain", vm_spec(strategy=LIVE)),
     state=[node("worker-0"), node("worker-1"), node("infra-0")])
CPU_NODES = [node("worker-0", {"kubevirt.io/schedulable": "true", "kubevirt.io/cpumanager": "true",
                               "cpu-model.node.kubevirt.io/Cascadelake-Server": "true"}),
             node("worker-1", {"kubevirt.io/schedulable": "true", "kubevirt.io/cpumanager": "true"}),
             node("worker-2", {"kubevirt.io/schedulable": "true",
                               "cpu-model.node.kubevirt.io/Cascadelake-Server": "true"}),
             node("worker-3", {"kubevirt.io/schedulable": "true"})]
case("vm-vm007-cpumanager-allowed",
     vm("pinned", vm_spec(strategy=LIVE,
                          domain={"cpu": {"cores": 2, "dedicatedCpuPlacement": True}})),
     state=CPU_NODES)
case("vm-vm007-cpumanager-deny",
     vm("pinned", vm_spec(strategy=LIVE,
                          domain={"cpu": {"cores": 2, "dedicatedCpuPlacement": True}})),
     state=CPU_NODES[1:], deny=["VM007"],
     contains=["only node worker-1 can run this VM", "2 nodes lack kubevirt.io/cpumanager=true"])
# Dedicated CPUs from an instancetype (RULES.md 9.11; KubeVirt copies the instancetype's
# cpu.dedicatedCPUPlacement into the VMI, pkg/instancetype/apply, and template.go then adds
# kubevirt.io/cpumanager=true).
CX = instancetype("cx1.large", {"cpu": {"guest": 4, "dedicatedCPUPlacement": True},
                                "memory": {"guest": "8Gi"}})
case("vm-vm007-instancetype-dedicated-cpu-deny",
     vm("pinned", vm_spec(strategy=LIVE), instancetype_ref={"name": "cx1.large"}),
     state=[CX] + CPU_NODES[1:], deny=["VM007"],
     contains=["only node worker-1 can run this VM", "2 nodes lack kubevirt.io/cpumanager=true"])
case("vm-vm007-instancetype-dedicated-cpu-allowed",
     vm("pinned", vm_spec(strategy=LIVE), instancetype_ref={"name": "cx1.large"}),
     state=[CX] + CPU_NODES)
case("vm-vm007-cpu-model-deny",
     vm("modelled", vm_spec(strategy=LIVE, domain={"cpu": {"cores": 2,
                                                           "dedicatedCpuPlacement": True,
                                                           "model": "Cascadelake-Server"}})),
     state=CPU_NODES, deny=["VM007"],
     contains=["only node worker-0 can run this VM",
               "2 nodes lack kubevirt.io/cpumanager=true, 2 lack "
               "cpu-model.node.kubevirt.io/Cascadelake-Server=true"])
case("vm-vm007-host-model-names-no-model-allowed",
     vm("modelled", vm_spec(strategy=LIVE, domain={"cpu": {"cores": 2, "model": "host-model"}})),
     state=CPU_NODES)

# ---- operations ------------------------------------------------------------------------

BAD = vm("fedora", vm_spec(PVC_VOL, interfaces=BRIDGE, strategy=LIVE))
case("vm-delete-allowed", None, op="DELETE", old=BAD,
     state=[pvc("fedora-root", ["ReadWriteOnce"])])
case("vm-update-existing-denial-warn", BAD, op="UPDATE", old=BAD,
     state=[pvc("fedora-root", ["ReadWriteOnce"])], warn=["VM001", "VM003"])
case("vm-update-spec-change-keeps-old-denials-warn",
     vm("fedora", vm_spec(PVC_VOL, interfaces=BRIDGE, strategy=LIVE,
                          domain={"memory": {"guest": "4Gi"}})),
     op="UPDATE", old=BAD, state=[pvc("fedora-root", ["ReadWriteOnce"])],
     warn=["VM001", "VM003"])
# Edition 2 made VM004 a warning (see above): the new problem is now the pod bridge.
case("vm-update-new-problem-deny",
     vm("fedora", vm_spec(PVC_VOL, interfaces=BRIDGE, strategy=LIVE)),
     op="UPDATE", old=vm("fedora", vm_spec(PVC_VOL, strategy=LIVE)),
     state=[pvc("fedora-root", ["ReadWriteMany"])], deny=["VM003"])
case("vm-update-new-strategy-deny", BAD, op="UPDATE",
     old=vm("fedora", vm_spec(PVC_VOL, interfaces=BRIDGE, strategy="None")),
     state=[pvc("fedora-root", ["ReadWriteOnce"])], deny=["VM001", "VM003"])

# ---- MIG001-MIG008 ----------------------------------------------------------------------

FEDORA = vmi("vmi-fedora", vm_spec(strategy=LIVE), node_name="ip-172-28-114-198.example")
DOC_NODES = [node("ip-172-28-114-198.example", {"accelerator": "gpu-enabled23"}),
             node("ip-172-28-114-199.example", {"accelerator": "gpu-enabled23"}),
             node("ip-172-28-114-200.example")]
DOC_SELECTOR = {"accelerator": "gpu-enabled23",
                "kubernetes.io/hostname": "ip-172-28-114-199.example"}

case("mig-seed-example-allowed", migration("migration-job", {"vmiName": "vmi-fedora"}))
case("mig-mig001-missing-vmi-name-deny", migration("migration-job", {}),
     deny=["MIG001"], fields=["spec.vmiName"])
case("mig-mig001-seed-placeholder-deny", migration("migration-job", {"vmiName": "VMI name"}),
     deny=["MIG001"], contains=["spec.vmiName \"VMI name\""])
case("mig-mig002-vmi-missing-deny", migration("migration-job", {"vmiName": "vmi-rhel"}),
     state=[FEDORA], deny=["MIG002"], contains=["no VirtualMachineInstance vmi-rhel"])
case("mig-mig002-vmi-succeeded-deny", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[vmi("vmi-fedora", vm_spec(), phase="Succeeded")], deny=["MIG002"])
case("mig-mig002-vmi-running-allowed", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[FEDORA] + DOC_NODES)
case("mig-mig003-rwo-volume-deny", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[vmi("vmi-fedora", vm_spec(PVC_VOL)), pvc("fedora-root", ["ReadWriteOnce"])],
     deny=["MIG003"], contains=["[VM001] volume \"rootdisk\" is ReadWriteOnce"])
case("mig-mig003-volume-status-deny", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[vmi("vmi-fedora", vm_spec(PVC_VOL), status=VOLSTATUS_RWO),
            pvc("fedora-root", ["ReadWriteMany"])],
     deny=["MIG003"], contains=["ReadWriteOnce (from the VMI's volumeStatus)"])
case("mig-mig003-condition-false-deny", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[vmi("vmi-fedora", vm_spec(), status={"conditions": [
         {"type": "LiveMigratable", "status": "False", "reason": "InterfaceNotLiveMigratable",
          "message": "cannot migrate VMI which does not use masquerade to connect to the pod "
                     "network"}]})],
     deny=["MIG003"], contains=["InterfaceNotLiveMigratable: cannot migrate VMI"])
case("mig-mig003-vm-rule-off-still-deny", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[vmi("vmi-fedora", vm_spec(interfaces=BRIDGE))], config="rules:\n  VM003: off\n",
     deny=["MIG003"], contains=["[VM003]"])
case("mig-mig003-config-warn", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[vmi("vmi-fedora", vm_spec(interfaces=BRIDGE))], config="rules:\n  MIG003: warn\n",
     warn=["MIG003"])
case("mig-mig003-unknown-storage-warn", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[vmi("vmi-fedora", vm_spec(PVC_VOL))], warn=["MIG003"],
     contains=["cannot determine"])
# pkg/virt-api/webhooks/validating-webhook/admitters (migration-create-admitter.go): a
# volume migration's volumes (status.migratedVolumes) are left out of the storage check.
MIGRATED = {"migratedVolumes": [{"volumeName": "rootdisk",
                                 "sourcePVCInfo": {"claimName": "fedora-root-old"},
                                 "destinationPVCInfo": {"claimName": "fedora-root"}}]}
case("mig-mig003-migrated-volume-allowed", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[vmi("vmi-fedora", vm_spec(PVC_VOL), status=MIGRATED),
            pvc("fedora-root", ["ReadWriteOnce"])])
# The same admitter: a decentralized migration (exactly one of sendTo / receive) moves no
# disks: no VM001 and no DisksNotLiveMigratable condition; other conditions still deny.
DISKS_COND = {"conditions": [{"type": "LiveMigratable", "status": "False",
                              "reason": "DisksNotLiveMigratable",
                              "message": "cannot migrate VMI: PVC fedora-root is not shared"}]}
SEND_TO = {"vmiName": "vmi-fedora", "sendTo": {"migrationID": "m-1",
                                               "connectionURL": "migration.example:443"}}
case("mig-mig003-decentralized-skips-disks-allowed", migration("migration-job", SEND_TO),
     state=[vmi("vmi-fedora", vm_spec(PVC_VOL), status=DISKS_COND),
            pvc("fedora-root", ["ReadWriteOnce"])])
case("mig-mig003-decentralized-other-condition-deny",
     migration("migration-job", {"vmiName": "vmi-fedora",
                                 "receive": {"migrationID": "m-1"}}),
     state=[vmi("vmi-fedora", vm_spec(interfaces=BRIDGE), status={"conditions": [
         {"type": "LiveMigratable", "status": "False", "reason": "InterfaceNotLiveMigratable",
          "message": "cannot migrate VMI which does not use masquerade"}]})],
     deny=["MIG003", "MIG003"], contains=["InterfaceNotLiveMigratable"])
case("mig-mig003-both-send-and-receive-deny",
     migration("migration-job", dict(SEND_TO, receive={"migrationID": "m-1"})),
     state=[vmi("vmi-fedora", vm_spec(PVC_VOL), status=DISKS_COND),
            pvc("fedora-root", ["ReadWriteOnce"])],
     deny=["MIG003", "MIG003"], contains=["DisksNotLiveMigratable"])
# RULES.md 5 VM004: the ports count for MIG003 only on the legacy TCP transport.
case("mig-mig003-tcp-transport-port-deny", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[vmi("vmi-fedora", vm_spec(interfaces=PORTS), status={"migrationTransport": "TCP"})],
     deny=["MIG003"], contains=["[VM004]", "legacy TCP migration transport"])
case("mig-mig003-unix-transport-port-allowed",
     migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[vmi("vmi-fedora", vm_spec(interfaces=PORTS), status={"migrationTransport": "Unix"})])
case("mig-mig004-running-migration-deny", migration("migration-job-2", {"vmiName": "vmi-fedora"}),
     state=[FEDORA, migration("migration-job", {"vmiName": "vmi-fedora"}, "Running")],
     deny=["MIG004"], contains=["migration migration-job of VMI vmi-fedora is still Running"])
case("mig-mig004-finished-migration-allowed",
     migration("migration-job-2", {"vmiName": "vmi-fedora"}),
     state=[FEDORA, migration("migration-job", {"vmiName": "vmi-fedora"}, "Succeeded")])
case("mig-mig005-bad-label-deny",
     migration("migration-job", {"vmiName": "vmi-fedora",
                                 "addedNodeSelector": {"accelerator": "gpu enabled"}}),
     deny=["MIG005"], fields=["spec.addedNodeSelector.accelerator"])
case("mig-mig005-number-value-deny",
     migration("migration-job", {"vmiName": "vmi-fedora", "addedNodeSelector": {"rack": 23}}),
     deny=["MIG005"], contains=["must be a string"])
case("mig-mig006-contradicts-vmi-deny",
     migration("migration-job", {"vmiName": "vmi-fedora",
                                 "addedNodeSelector": {"accelerator": "gpu-enabled24"}}),
     state=[vmi("vmi-fedora", vm_spec(nodeSelector={"accelerator": "gpu-enabled23"}),
                node_name="ip-172-28-114-198.example")] + DOC_NODES,
     deny=["MIG006"], contains=["KubeVirt keeps the VMI's value"])
case("mig-mig006-same-value-allowed",
     migration("migration-job", {"vmiName": "vmi-fedora",
                                 "addedNodeSelector": {"accelerator": "gpu-enabled23"}}),
     state=[vmi("vmi-fedora", vm_spec(nodeSelector={"accelerator": "gpu-enabled23"}),
                node_name="ip-172-28-114-198.example")] + DOC_NODES)
# MIG007, edition 2 (RULES.md 9.11 and section 6): a cordoned node is no target, the
# message counts what ruled each node out, KubeVirt's own labels are required, and a
# host-model VMI needs cpu-model-migration.node.kubevirt.io/<M>=true where M is its source
# node's host-model-cpu.node.kubevirt.io/<M> label. Source: KubeVirt
# pkg/virt-controller/watch/migration/migration.go (prepareNodeSelectorForHostCpuModel,
# getHostCpuModelFromMap) and pkg/virt-controller/services/nodeselectorrenderer.go, at
# d923fdb8.
case("mig-mig007-seed-added-selector-allowed",
     migration("migration-job", {"vmiName": "vmi-fedora", "addedNodeSelector": DOC_SELECTOR}),
     state=[FEDORA] + DOC_NODES)
case("mig-mig007-current-node-only-deny",
     migration("migration-job", {"vmiName": "vmi-fedora", "addedNodeSelector": {
         "accelerator": "gpu-enabled23",
         "kubernetes.io/hostname": "ip-172-28-114-198.example"}}),
     state=[FEDORA] + DOC_NODES, deny=["MIG007"],
     fields=["spec.addedNodeSelector"],
     contains=["no node other than ip-172-28-114-198.example can take this VMI now",
               "2 nodes lack kubernetes.io/hostname=ip-172-28-114-198.example, 1 lacks "
               "accelerator=gpu-enabled23"])
case("mig-mig007-labels-anded-deny",
     migration("migration-job", {"vmiName": "vmi-fedora", "addedNodeSelector": {
         "accelerator": "gpu-enabled23",
         "kubernetes.io/hostname": "ip-172-28-114-200.example"}}),
     state=[FEDORA] + DOC_NODES, deny=["MIG007"],
     contains=["1 node lacks accelerator=gpu-enabled23, "
               "1 lacks kubernetes.io/hostname=ip-172-28-114-200.example"])
case("mig-mig007-taint-and-cordon-deny",
     migration("migration-job", {"vmiName": "vmi-fedora", "addedNodeSelector": {
         "accelerator": "gpu-enabled23"}}),
     state=[FEDORA, node("ip-172-28-114-198.example", {"accelerator": "gpu-enabled23"}),
            node("ip-172-28-114-199.example", {"accelerator": "gpu-enabled23"},
                 unschedulable=True),
            node("ip-172-28-114-201.example", {"accelerator": "gpu-enabled23"},
                 taints=[{"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"}])],
     deny=["MIG007"],
     contains=["1 node is cordoned, 1 has the untolerated taint "
               "node.kubernetes.io/memory-pressure:NoSchedule"])
# Where VM007 counts a cordoned node, MIG007 does not, and weighs the cordon's taint.
case("mig-mig007-cordoned-only-other-deny",
     migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[FEDORA, node("ip-172-28-114-198.example"),
            node("ip-172-28-114-199.example", taints=CORDON_TAINT, unschedulable=True)],
     deny=["MIG007"],
     contains=["no node other than ip-172-28-114-198.example can take this VMI now",
               "; uncordon, label or untaint a node",
               "1 node is cordoned, 1 has the untolerated taint "
               "node.kubernetes.io/unschedulable:NoSchedule"])
case("mig-mig007-schedulable-label-deny",
     migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[FEDORA, node("ip-172-28-114-198.example", {"kubevirt.io/schedulable": "true"}),
            node("ip-172-28-114-199.example", {"kubevirt.io/schedulable": "false"})],
     deny=["MIG007"], contains=["1 node lacks kubevirt.io/schedulable=true"])
HOST_MODEL_VMI = vmi("vmi-fedora", vm_spec(strategy=LIVE, domain={"cpu": {
    "cores": 1, "model": "host-model"}}), node_name="worker-0")
HM = "Skylake-Client-IBRS"
HM_SOURCE = node("worker-0", {"kubevirt.io/schedulable": "true",
                              "host-model-cpu.node.kubevirt.io/" + HM: "true",
                              "cpu-model-migration.node.kubevirt.io/" + HM: "true"})
case("mig-mig007-host-model-deny", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[HOST_MODEL_VMI, HM_SOURCE,
            node("worker-1", {"kubevirt.io/schedulable": "true",
                              "cpu-model-migration.node.kubevirt.io/" + HM: "true"},
                 unschedulable=True),
            node("worker-2", {"kubevirt.io/schedulable": "true",
                              "host-model-cpu.node.kubevirt.io/Haswell-noTSX": "true",
                              "cpu-model-migration.node.kubevirt.io/Haswell-noTSX": "true"})],
     deny=["MIG007"],
     contains=["1 node lacks cpu-model-migration.node.kubevirt.io/Skylake-Client-IBRS=true, "
               "1 is cordoned"])
case("mig-mig007-host-model-allowed", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[HOST_MODEL_VMI, HM_SOURCE,
            node("worker-1", {"kubevirt.io/schedulable": "true",
                              "cpu-model-migration.node.kubevirt.io/" + HM: "true"}),
            node("worker-2", {"kubevirt.io/schedulable": "true",
                              "cpu-model-migration.node.kubevirt.io/Haswell-noTSX": "true"})])

# The source node lacks host-model-cpu.node.kubevirt.io/: no model to require, and KubeVirt
# finds no target unless the VMI migrated before (which the view cannot tell): a warning.
case("mig-mig007-host-model-source-unlabelled-warn",
     migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[HOST_MODEL_VMI, node("worker-0", {"kubevirt.io/schedulable": "true"}),
            node("worker-1", {"kubevirt.io/schedulable": "true"})],
     warn=["MIG007"], contains=["cannot determine the host-model CPU of node worker-0"])

RUNNING = [vmi(f"vm-{i}", vm_spec(), node_name="ip-172-28-114-198.example" if i < 2 else
               "ip-172-28-114-200.example") for i in range(5)]
case("mig-mig008-cluster-limit-warn", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[FEDORA] + DOC_NODES + RUNNING[2:] +
     [migration(f"m-{i}", {"vmiName": f"vm-{i}"}, "Running") for i in range(2, 5)] +
     [hco_limits(3, 2)],
     warn=["MIG008"], contains=["3 migrations are unfinished (parallelMigrationsPerCluster 3)"])
case("mig-mig008-node-limit-warn", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[FEDORA] + DOC_NODES + RUNNING +
     [migration(f"m-{i}", {"vmiName": f"vm-{i}"}, "Scheduling") for i in range(2)],
     warn=["MIG008"], contains=["2 already leave node ip-172-28-114-198",
                                "... (parallelOutboundMigrationsPerNode 2)"])
case("mig-mig008-below-limits-allowed", migration("migration-job", {"vmiName": "vmi-fedora"}),
     state=[FEDORA] + DOC_NODES + RUNNING +
     [migration(f"m-{i}", {"vmiName": f"vm-{i}"}, "Running") for i in range(1, 4)] +
     [migration("m-old", {"vmiName": "vm-0"}, "Failed")])
case("mig-update-allowed", migration("migration-job", {"vmiName": "VMI name"}, "Running"),
     op="UPDATE", old=migration("migration-job", {"vmiName": "VMI name"}, "Pending"),
     state=[FEDORA])
case("mig-delete-allowed", None, op="DELETE",
     old=migration("migration-job", {"vmiName": "vmi-gone"}, "Running"), state=[FEDORA])


# NOTE files (tests/cases/README.md): why each case RULES.md edition 2 changed or added
# is what it is, with its upstream source.
NOTES = {
    "vm-vm001-default-class-profile-deny": "Edition 2 (RULES.md 9.9): with a volumeMode, CDI takes the StorageProfile's first claimPropertySet of that mode (RBD Filesystem: RWO). Edition 1 named no volumeMode and read the Filesystem entry; without a volumeMode the case now allows (vm-vm001-default-class-first-claim-set-allowed). Source: CDI pkg/controller/datavolume/util.go.",
    "vm-vm001-default-class-first-claim-set-allowed": "RULES.md 9.9: neither volumeMode nor accessModes: the first claimPropertySets entry (Ceph RBD: ReadWriteMany Block), so VMs from OpenShift's templates on ODF migrate. Source: CDI pkg/controller/datavolume/util.go.",
    "vm-vm001-virt-default-class-first-allowed": "RULES.md 9.9: the class annotated storageclass.kubevirt.io/is-default-virt-class comes before the Kubernetes default class. Source: CDI pkg/controller/datavolume/util.go.",
    "vm-vm001-profile-no-set-of-mode-warn": "RULES.md 9.9: a volumeMode no claimPropertySet offers leaves the access mode open: cannot determine, a warning. Source: CDI pkg/controller/datavolume/util.go.",
    "vm-vm001-hco-default-live-migrate-deny": "RULES.md 9.8: no KubeVirt CR in the view, so the HyperConverged's spec.evictionStrategy is the cluster default. Source: HCO controllers/operands/kubevirt.go (copies spec.evictionStrategy into the KubeVirt CR).",
    "vm-vm001-kubevirt-cr-over-hco-warn": "RULES.md 9.8: the KubeVirt CR's evictionStrategy comes before the HyperConverged's. Source: HCO controllers/operands/kubevirt.go (copies spec.evictionStrategy into the KubeVirt CR).",
    "vm-vmi-kubevirt-controller-warn": "RULES.md section 8: findings of a VMI KubeVirt writes are warnings. Source: KubeVirt pkg/virt-controller/watch/vm/vm.go creates the VMI of a VM as the kubevirt-controller service account with a controller ownerReference.",
    "vm-vmi-owned-by-vm-warn": "RULES.md section 8: a VMI a VirtualMachine controls only warns. Source: KubeVirt pkg/virt-controller/watch/vm/vm.go creates the VMI of a VM as the kubevirt-controller service account with a controller ownerReference.",
    "vm-vmi-handler-service-account-warn": "RULES.md section 8: kubevirt-handler in any namespace counts as KubeVirt. Source: KubeVirt pkg/virt-controller/watch/vm/vm.go creates the VMI of a VM as the kubevirt-controller service account with a controller ownerReference.",
    "vm-vmi-other-service-account-deny": "RULES.md section 8 names exactly kubevirt-controller and kubevirt-handler; a look-alike is a person's request.",
    "vm-vmi-kubevirt-controller-mutate-annotated": "RULES.md section 8: a VMI KubeVirt creates still gets its annotations (section 7). Source: KubeVirt pkg/virt-controller/watch/vm/vm.go creates the VMI of a VM as the kubevirt-controller service account with a controller ownerReference.",
    "vm-vm003-implicit-bridge-deny": "RULES.md 5 VM003: no interfaces and no networks: KubeVirt adds a pod interface with the KubeVirt CR's defaultNetworkInterface, bridge when unset. Source: KubeVirt pkg/network/vmispec/defaults.go (SetDefaultNetworkInterface) and KubeVirt pkg/network/vmispec/interface.go (the pod interface's migratability).",
    "vm-vm003-implicit-masquerade-allowed": "RULES.md 5 VM003: the implicit interface takes defaultNetworkInterface masquerade (what HCO sets). Source: KubeVirt pkg/network/vmispec/defaults.go (SetDefaultNetworkInterface).",
    "vm-vm003-implicit-no-kubevirt-cr-warn": "RULES.md 5 VM003: without a KubeVirt CR the implicit interface's binding is unknown: cannot determine. Source: KubeVirt pkg/network/vmispec/defaults.go (SetDefaultNetworkInterface).",
    "vm-vm003-implicit-autoattach-off-allowed": "RULES.md 5 VM003: autoattachPodInterface false: no implicit pod interface. Source: KubeVirt pkg/network/vmispec/defaults.go (SetDefaultNetworkInterface).",
    "vm-vm003-binding-plugin-no-migration-deny": "RULES.md 5 VM003: a binding plugin migrates only when its KubeVirt CR registration has migration. Source: KubeVirt pkg/network/vmispec/interface.go (the pod interface's migratability).",
    "vm-vm003-binding-plugin-migration-allowed": "RULES.md 5 VM003: migration: {} in the plugin's registration counts. Source: KubeVirt pkg/network/vmispec/interface.go (the pod interface's migratability).",
    "vm-vm003-binding-plugin-no-kubevirt-cr-warn": "RULES.md 5 VM003: without a KubeVirt CR a plugin's registration is unknown: cannot determine. Source: KubeVirt pkg/network/vmispec/interface.go (the pod interface's migratability).",
    "vm-vm003-slirp-deny": "RULES.md 5 VM003: slirp cannot migrate. Source: KubeVirt pkg/network/vmispec/interface.go (the pod interface's migratability) (only masquerade, passtBinding, an allowed bridge or a migratable plugin).",
    "vm-vm003-passt-binding-allowed": "RULES.md 5 VM003: passtBinding migrates. Source: KubeVirt pkg/network/vmispec/interface.go (the pod interface's migratability).",
    "vm-vm003-passt-plugin-allowed": "RULES.md 5 VM003 says the passt binding plugin migrates; upstream (KubeVirt pkg/network/vmispec/interface.go (the pod interface's migratability)) asks its registration for migration like any plugin: RULES.md followed.",
    "vm-vm004-masquerade-port-deny": "Edition 2 (RULES.md 5 VM004): on a VM the ports are one warning whatever the strategy; edition 1 denied this case. Source: KubeVirt pkg/virt-handler/migration-proxy/migration-proxy.go and api core/v1 MigrationTransportUnix: migrations go over a Unix socket; 49152/49153 are the legacy TCP ports.",
    "vm-vm004-both-ports-one-warn": "RULES.md 5 VM004: exactly one VM004 warning on a VM. Source: KubeVirt pkg/virt-handler/migration-proxy/migration-proxy.go and api core/v1 MigrationTransportUnix: migrations go over a Unix socket; 49152/49153 are the legacy TCP ports.",
    "vm-vm005-one-gpu-allowed": "Edition 2 (RULES.md 5 VM005): one GPU migrates only as a mediated vGPU with VGPULiveMigration; without a KubeVirt CR that is open, so edition 1's allow is now a warning. Source: KubeVirt pkg/virt-handler/vm.go (vmiContainsNonMigratablePCIHostDevices, isMdevGPU).",
    "vm-vm005-vgpu-with-gate-allowed": "RULES.md 5 VM005: the gate is on and the device is a mediatedDevices resourceName. Source: KubeVirt pkg/virt-handler/vm.go (vmiContainsNonMigratablePCIHostDevices, isMdevGPU).",
    "vm-vm005-vgpu-without-gate-deny": "RULES.md 5 VM005: a mediated device without the VGPULiveMigration gate cannot migrate. Source: KubeVirt pkg/virt-handler/vm.go (vmiContainsNonMigratablePCIHostDevices, isMdevGPU).",
    "vm-vm005-passthrough-gpu-deny": "RULES.md 5 VM005: a pciHostDevices (passthrough) GPU cannot migrate even with the gate. Source: KubeVirt pkg/virt-handler/vm.go (vmiContainsNonMigratablePCIHostDevices, isMdevGPU).",
    "vm-vm005-cluster-instancetype-gpus-deny": "RULES.md 5 VM005: GPUs from the instancetype count; kind defaults to VirtualMachineClusterInstancetype. Source: KubeVirt pkg/instancetype/find/spec.go (which kind) and instancetype.kubevirt.io/v1beta1 (spec.gpus, spec.hostDevices, spec.launchSecurity).",
    "vm-vm005-namespaced-instancetype-host-devices-deny": "RULES.md 5 VM005: host devices from a namespaced instancetype count. Source: KubeVirt pkg/instancetype/find/spec.go (which kind) and instancetype.kubevirt.io/v1beta1 (spec.gpus, spec.hostDevices, spec.launchSecurity).",
    "vm-vm005-instancetype-missing-warn": "RULES.md 5 VM005: an instancetype the view lacks: cannot determine. Source: KubeVirt pkg/instancetype/find/spec.go (which kind) and instancetype.kubevirt.io/v1beta1 (spec.gpus, spec.hostDevices, spec.launchSecurity).",
    "vm-vm005-instancetype-plain-allowed": "RULES.md 5 VM005: an instancetype without devices adds nothing; the kind matches case-insensitively. Source: KubeVirt pkg/instancetype/find/spec.go (which kind) and instancetype.kubevirt.io/v1beta1 (spec.gpus, spec.hostDevices, spec.launchSecurity).",
    "vm-vm006-eviction-strategy-typo-deny": "RULES.md 5: an evictionStrategy that is not one of KubeVirt's values is VM006, naming the closest. Source: KubeVirt pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (isValidEvictionStrategy).",
    "vm-vm006-preferred-term-path-deny": "RULES.md 5 VM006: field paths keep .preference in preferred affinity terms (what kubectl shows).",
    "vm-update-new-problem-deny": "Edition 2 made VM004 a warning, so the update's new problem is now the pod bridge (VM003); edition 1 used the migration port. Source: KubeVirt pkg/virt-handler/migration-proxy/migration-proxy.go and api core/v1 MigrationTransportUnix: migrations go over a Unix socket; 49152/49153 are the legacy TCP ports.",
    "mig-mig003-migrated-volume-allowed": "RULES.md 6 MIG003: volumes in status.migratedVolumes are left out of VM001. Source: KubeVirt pkg/virt-handler/vm.go (checkVolumesForMigration skips IsMigratedVolume); the admitter reads the resulting condition.",
    "mig-mig003-decentralized-skips-disks-allowed": "RULES.md 6 MIG003: a decentralized migration skips VM001 and DisksNotLiveMigratable. Source: KubeVirt pkg/virt-api/webhooks/validating-webhook/admitters/migration-create-admitter.go (isMigratable) and api core/v1 types.go (IsDecentralized).",
    "mig-mig003-decentralized-other-condition-deny": "RULES.md 6 MIG003: other conditions still deny a decentralized migration. Source: KubeVirt pkg/virt-api/webhooks/validating-webhook/admitters/migration-create-admitter.go (isMigratable) and api core/v1 types.go (IsDecentralized).",
    "mig-mig003-both-send-and-receive-deny": "RULES.md 6 MIG003: sendTo and receive both set is not decentralized (exactly one). Source: KubeVirt pkg/virt-api/webhooks/validating-webhook/admitters/migration-create-admitter.go (isMigratable) and api core/v1 types.go (IsDecentralized).",
    "mig-mig003-tcp-transport-port-deny": "RULES.md 5 VM004 and 6 MIG003: on the legacy TCP transport the ports count. Source: KubeVirt pkg/virt-handler/migration-proxy/migration-proxy.go and api core/v1 MigrationTransportUnix: migrations go over a Unix socket; 49152/49153 are the legacy TCP ports.",
    "mig-mig003-unix-transport-port-allowed": "RULES.md 6 MIG003: VM004 only on the legacy TCP transport. Source: KubeVirt pkg/virt-handler/migration-proxy/migration-proxy.go and api core/v1 MigrationTransportUnix: migrations go over a Unix socket; 49152/49153 are the legacy TCP ports."
}


# NOTE files of the VM007 and MIG007 cases (RULES.md 9.11, section 6).
NOTES.update({
    'vm-vm007-one-node-deny': "Edition 2 (RULES.md 9.11): a cordoned node counts for VM007; here the cordoned worker-1 lacks the GPU label, so only worker-0 can run the VM. Edition 1's input (the cordoned worker-1 with the label) is vm-vm007-cordoned-counts-allowed. The message counts what ruled the other nodes out. A cordon is spec.unschedulable plus the node.kubernetes.io/unschedulable:NoSchedule taint Kubernetes adds (pkg/controller/nodelifecycle, TaintNodesByCondition).",
    'vm-vm007-one-node-warn': 'As vm-vm007-one-node-deny without evictionStrategy LiveMigrate: a warning, cut to 119 characters keeping the fix (its last clause).',
    'vm-vm007-cordoned-counts-allowed': 'Edition 2 (RULES.md 9.11): edition 1 denied this input (then vm-vm007-one-node-deny): worker-0 and the cordoned worker-1 both carry the GPU label, and cordons are temporary, so two nodes could run the VM. A cordon is spec.unschedulable plus the node.kubernetes.io/unschedulable:NoSchedule taint Kubernetes adds (pkg/controller/nodelifecycle, TaintNodesByCondition).',
    'vm-vm007-cordoned-counts-no-warning': 'Edition 2 (RULES.md 9.11): edition 1 warned on this input (then vm-vm007-one-node-warn); the cordoned worker-1 counts.',
    'vm-vm007-cordon-taint-not-weighed-allowed': 'RULES.md 9.11: for VM007 the node.kubernetes.io/unschedulable taint of a cordoned node is not weighed. A cordon is spec.unschedulable plus the node.kubernetes.io/unschedulable:NoSchedule taint Kubernetes adds (pkg/controller/nodelifecycle, TaintNodesByCondition).',
    'vm-vm007-tolerated-taint-allowed': "The view of vm-vm007-one-node-deny: worker-2's taint, tolerated, makes the second node (edition 1 used a view where the cordoned node decided nothing).",
    'vm-vm007-affinity-no-node-deny': 'RULES.md 9.11: the message counts the nodes the required node affinity rules out.',
    'vm-vm007-schedulable-label-deny': "RULES.md 9.11: once some node carries kubevirt.io/schedulable (virt-handler labels every node that can run VMs), the launcher pod needs kubevirt.io/schedulable=true. Source: KubeVirt pkg/virt-controller/services/nodeselectorrenderer.go and template.go (newNodeSelectorRenderer): the launcher pod's nodeSelector.",
    'vm-vm007-schedulable-label-unknown-allowed': 'RULES.md 9.11: a view where no node carries kubevirt.io/schedulable was not taken from a running KubeVirt; the label is not required.',
    'vm-vm007-cpumanager-allowed': "RULES.md 9.11: dedicatedCpuPlacement needs kubevirt.io/cpumanager=true; two nodes have it. Source: KubeVirt pkg/virt-controller/services/nodeselectorrenderer.go and template.go (newNodeSelectorRenderer): the launcher pod's nodeSelector.",
    'vm-vm007-cpumanager-deny': "RULES.md 9.11: dedicatedCpuPlacement needs kubevirt.io/cpumanager=true; one node has it. Source: KubeVirt pkg/virt-controller/services/nodeselectorrenderer.go and template.go (newNodeSelectorRenderer): the launcher pod's nodeSelector.",
    'vm-vm007-instancetype-dedicated-cpu-deny': "RULES.md 9.11: dedicated CPUs from the instancetype (cpu.dedicatedCPUPlacement) need kubevirt.io/cpumanager=true. Source: KubeVirt pkg/instancetype (apply copies it into the VMI), then KubeVirt pkg/virt-controller/services/nodeselectorrenderer.go and template.go (newNodeSelectorRenderer): the launcher pod's nodeSelector.",
    'vm-vm007-instancetype-dedicated-cpu-allowed': 'RULES.md 9.11: as vm-vm007-instancetype-dedicated-cpu-deny with two cpumanager nodes.',
    'vm-vm007-cpu-model-deny': "RULES.md 9.11: a named CPU model needs cpu-model.node.kubevirt.io/<model>=true (with dedicated CPUs, cpumanager too). Source: KubeVirt pkg/virt-controller/services/nodeselectorrenderer.go and template.go (newNodeSelectorRenderer): the launcher pod's nodeSelector.",
    'vm-vm007-host-model-names-no-model-allowed': "RULES.md 9.11: host-model and host-passthrough name no model: no cpu-model label is required. Source: KubeVirt pkg/virt-controller/services/nodeselectorrenderer.go and template.go (newNodeSelectorRenderer): the launcher pod's nodeSelector.",
    'mig-mig007-current-node-only-deny': 'RULES.md section 6 MIG007: the message counts what ruled each other node out (edition 1 counted the nodes with the added labels).',
    'mig-mig007-labels-anded-deny': "RULES.md section 6 MIG007: the VMI's nodeSelector and addedNodeSelector are ANDed; the message counts each label's misses. Source: KubeVirt pkg/virt-controller/watch/migration/migration.go (the target pod's nodeSelector is the addedNodeSelector under the VMI's).",
    'mig-mig007-taint-and-cordon-deny': 'RULES.md 9.11: a cordoned node is no migration target; the message names the cordon and the untolerated taint. A cordon is spec.unschedulable plus the node.kubernetes.io/unschedulable:NoSchedule taint Kubernetes adds (pkg/controller/nodelifecycle, TaintNodesByCondition).',
    'mig-mig007-cordoned-only-other-deny': "RULES.md 9.11: where VM007 counts a cordoned node, MIG007 does not, and weighs the cordon's taint. A cordon is spec.unschedulable plus the node.kubernetes.io/unschedulable:NoSchedule taint Kubernetes adds (pkg/controller/nodelifecycle, TaintNodesByCondition).",
    'mig-mig007-schedulable-label-deny': "RULES.md 9.11: the target pod needs kubevirt.io/schedulable=true once some node carries the key. Source: KubeVirt pkg/virt-controller/services/nodeselectorrenderer.go and template.go (newNodeSelectorRenderer): the launcher pod's nodeSelector.",
    'mig-mig007-host-model-deny': "RULES.md section 6 MIG007: a host-model VMI needs a target with its source's model; the one that has it is cordoned. Source: KubeVirt pkg/virt-controller/watch/migration/migration.go (prepareNodeSelectorForHostCpuModel, getHostCpuModelFromMap): the target pod needs cpu-model-migration.node.kubevirt.io/<M> of the source node's host-model-cpu.node.kubevirt.io/<M>.",
    'mig-mig007-host-model-source-unlabelled-warn': 'RULES.md section 6 MIG007 takes M from the source node; a source node without a host-model-cpu.node.kubevirt.io/ label gives no M. RULES.md is silent: KubeVirt pkg/virt-controller/watch/migration/migration.go (prepareNodeSelectorForHostCpuModel) then fails to create the target pod unless the VMI migrated before (its pod carries the label), which the view cannot tell, so this is a cannot-determine warning.',
    'mig-mig007-host-model-allowed': "RULES.md section 6 MIG007: worker-1 offers the source's host model and is not cordoned. Source: KubeVirt pkg/virt-controller/watch/migration/migration.go (prepareNodeSelectorForHostCpuModel, getHostCpuModelFromMap): the target pod needs cpu-model-migration.node.kubevirt.io/<M> of the source node's host-model-cpu.node.kubevirt.io/<M>.",
})


if __name__ == "__main__":
    casegen.main(CASES, write, PREFIXES, not_prefixes=("vm-annotate-",))  # gen_mp.py's
