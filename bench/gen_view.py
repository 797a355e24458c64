#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# gen_view.py - a deterministic, realistic KubeVirt cluster view for the scale benchmark:
# one `kind: List` JSON file per kind in OUTDIR, as `kubectl get <kind> -A -o json`
# writes them (no managedFields), plus OUTDIR/reviews/ (VM CREATE, VMI CREATE and a
# MigrationPolicy CREATE template). Objects are streamed one json.dumps per item.
# Usage: gen_view.py OUTDIR --vms N --nodes M [--namespaces K] [--policies P] [--seed S]
import argparse
import hashlib
import json
import os
import random
import sys
import time

CEPH = "ocs-storagecluster-ceph-rbd-virtualization"
LVMS = "lvms"
ENVS = ("prod", "staging", "dev")
TIERS = ("web", "db", "cache", "batch")
WORKLOADS = 100  # workload=wl-NN and app=app-NN: 100 values each, so one value is ~1% of VMs
CPU_MODELS = ("Cascadelake-Server", "Cascadelake-Server-noTSX", "Icelake-Server",
              "Icelake-Server-noTSX", "Skylake-Server", "Skylake-Server-noTSX-IBRS",
              "Haswell-noTSX", "Broadwell-noTSX")
OS_IMAGES = ("rhel9", "rhel8", "centos-stream9", "fedora", "win2k22")
EPOCH = 1767225600  # 2026-01-01T00:00:00Z: creation timestamps count from here
LAUNCHER = "registry.redhat.io/container-native-virtualization/virt-launcher-rhel9@sha256:"

USERDATA = """#cloud-config
hostname: {name}
fqdn: {name}.{ns}.svc.cluster.local
user: cloud-user
password: {pw}
chpasswd:
  expire: false
ssh_authorized_keys:
  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{key} ops@{team}.example.com
package_update: true
packages:
  - qemu-guest-agent
  - chrony
  - nfs-utils
write_files:
  - path: /etc/chrony.conf
    permissions: '0644'
    content: |
      server clock.corp.example.com iburst
      driftfile /var/lib/chrony/drift
      makestep 1.0 3
      rtcsync
runcmd:
  - [systemctl, enable, --now, qemu-guest-agent]
  - [systemctl, enable, --now, chronyd]
  - [sh, -c, "echo {tier}-{workload} > /etc/workload"]
  - [sh, -c, "curl -fsS https://config.corp.example.com/bootstrap/{team}/{tier} | sh"]
"""


def eff_storage(st):
    """Access modes and volume mode as CDI fills them in: the first claimPropertySet of the
    class's StorageProfile when the DataVolume does not say."""
    ceph = st["storageClassName"] == CEPH
    return (st.get("accessModes", ["ReadWriteMany"] if ceph else ["ReadWriteOnce"]),
            st.get("volumeMode", "Block" if ceph else "Filesystem"))


def ts(sec):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sec))


class Uid:
    """Deterministic RFC 4122-looking uids from a seed and a running counter."""

    def __init__(self, seed):
        self.prefix = hashlib.sha1(str(seed).encode()).hexdigest()[:8]
        self.n = 0

    def __call__(self):
        self.n += 1
        h = "%012x" % self.n
        return "%s-%s-4%s-a%s-%s" % (self.prefix, h[:4], h[4:7], h[7:10], h[:12])


class ListWriter:
    """One `kind: List` file written item by item."""

    def __init__(self, path):
        self.f = open(path, "w")
        self.f.write('{\n    "apiVersion": "v1",\n    "items": [\n')
        self.n = 0

    def add(self, obj):
        if self.n:
            self.f.write(",\n")
        self.f.write(json.dumps(obj, separators=(",", ":")))
        self.n += 1

    def close(self):
        self.f.write('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')
        self.f.close()
        return self.n


class Gen:
    def __init__(self, a):
        self.a = a
        self.r = random.Random(a.seed)
        self.uid = Uid(a.seed)
        self.rv = 1000000
        self.ns = []      # (name, env, team)
        self.nodes = []   # (name, host model, schedulable)
        self.counts = {}

    def meta(self, name, ns=None, created=None, gen=None):
        self.rv += 1
        md = {"name": name}
        if ns is not None:
            md["namespace"] = ns
        md["uid"] = self.uid()
        md["resourceVersion"] = str(self.rv)
        md["creationTimestamp"] = ts(created if created is not None
                                     else EPOCH + self.r.randrange(0, 300 * 86400))
        if gen is not None:
            md["generation"] = gen
        return md

    def write(self, fname, kind, objs):
        w = ListWriter(os.path.join(self.a.outdir, fname))
        for o in objs:
            w.add(o)
        self.counts[kind] = w.close()

    # ---- cluster-scoped and small kinds ----

    def namespaces(self):
        teams = max(5, self.a.namespaces // 2)
        for i in range(self.a.namespaces):
            name = "%s-%s-%03d" % (("apps", "data", "infra", "svc")[i % 4], ENVS[i % 3], i)
            env, team = ENVS[i % 3], "team-%d" % (i % teams)
            self.ns.append((name, env, team))
            md = self.meta(name)
            md["labels"] = {"kubernetes.io/metadata.name": name, "env": env, "team": team,
                            "pod-security.kubernetes.io/audit": "privileged"}
            md["annotations"] = {"openshift.io/sa.scc.mcs": "s0:c%d,c%d" % (20 + i % 900, 5 + i % 17),
                                 "openshift.io/sa.scc.uid-range": "%d/10000" % (1000660000 + i * 10000)}
            yield {"apiVersion": "v1", "kind": "Namespace", "metadata": md,
                   "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}

    def node_objs(self):
        m = self.a.nodes
        for i in range(m):
            name = "worker-%04d.ocp.example.com" % i
            zone = "zone-%d" % (i % 3)
            nmod = 3 + i % 4
            models = CPU_MODELS[(i // 50) % 2:(i // 50) % 2 + nmod]
            host = models[-1]
            tainted = i % 20 == 7
            cordoned = i % 97 == 13
            self.nodes.append((name, host, not cordoned))
            lab = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                   "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name.split(".")[0],
                   "kubernetes.io/os": "linux", "node-role.kubernetes.io/worker": "",
                   "node.openshift.io/os_id": "rhcos",
                   "topology.kubernetes.io/region": "eu-west-1", "topology.kubernetes.io/zone": zone,
                   "kubevirt.io/schedulable": "false" if cordoned else "true",
                   "host-model-cpu.node.kubevirt.io/" + host: "true",
                   "cpu-vendor.node.kubevirt.io/Intel": "true",
                   "feature.node.kubernetes.io/cpu-model.vendor_id": "Intel",
                   "feature.node.kubernetes.io/kernel-version.major": "5",
                   "feature.node.kubernetes.io/pci-15b3.present": "true" if i % 4 == 0 else "false"}
            for mdl in models:
                lab["cpu-model.node.kubevirt.io/" + mdl] = "true"
                lab["cpu-model-migration.node.kubevirt.io/" + mdl] = "true"
            if tainted:
                lab["node-role.kubernetes.io/infra"] = ""
            md = self.meta(name, created=EPOCH + i * 60)
            md["labels"] = lab
            md["annotations"] = {"kubevirt.io/heartbeat": ts(EPOCH + 320 * 86400),
                                 "machineconfiguration.openshift.io/state": "Done",
                                 "volumes.kubernetes.io/controller-managed-attach-detach": "true"}
            spec = {"providerID": "baremetal:///%s" % name}
            if tainted:
                spec["taints"] = [{"key": "dedicated", "value": "infra", "effect": "NoSchedule"}]
            if cordoned:
                spec["unschedulable"] = True
                spec.setdefault("taints", []).append(
                    {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule",
                     "timeAdded": ts(EPOCH + 319 * 86400)})
            beat = ts(EPOCH + 320 * 86400)
            conds = [{"type": t, "status": "False", "reason": r, "message": msg,
                      "lastHeartbeatTime": beat, "lastTransitionTime": ts(EPOCH + i * 60)}
                     for t, r, msg in (("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                                       ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                                       ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"))]
            conds.append({"type": "Ready", "status": "True", "reason": "KubeletReady",
                          "message": "kubelet is posting ready status", "lastHeartbeatTime": beat,
                          "lastTransitionTime": ts(EPOCH + i * 60)})
            cap = {"cpu": "96", "devices.kubevirt.io/kvm": "1k", "devices.kubevirt.io/tun": "1k",
                   "devices.kubevirt.io/vhost-net": "1k", "ephemeral-storage": "936104940Ki",
                   "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": "791337024Ki", "pods": "250"}
            alloc = dict(cap, cpu="95500m", memory="790186048Ki", **{"ephemeral-storage": "861612771866"})
            ip = "10.%d.%d.%d" % (10 + i // 65000, (i // 250) % 256, 10 + i % 250)
            yield {"apiVersion": "v1", "kind": "Node", "metadata": md, "spec": spec,
                   "status": {"addresses": [{"type": "InternalIP", "address": ip},
                                            {"type": "Hostname", "address": name.split(".")[0]}],
                              "allocatable": alloc, "capacity": cap, "conditions": conds,
                              "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                              "nodeInfo": {"architecture": "amd64", "bootID": self.uid(),
                                           "containerRuntimeVersion": "cri-o://1.31.6-3.rhaos4.18.git1e1c1e7.el9",
                                           "kernelVersion": "5.14.0-427.65.1.el9_4.x86_64",
                                           "kubeProxyVersion": "v1.31.7", "kubeletVersion": "v1.31.7",
                                           "machineID": "%032x" % (i * 7919 + 1), "operatingSystem": "linux",
                                           "osImage": "Red Hat Enterprise Linux CoreOS 418.94.202504170303-0",
                                           "systemUUID": self.uid()}}}

    def storage(self):
        sc = []
        md = self.meta(CEPH, created=EPOCH)
        md["annotations"] = {"description": "Provides RWO and RWX Block volumes suitable for Virtual Machine disks",
                             "storageclass.kubevirt.io/is-default-virt-class": "true"}
        sc.append({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": md,
                   "provisioner": "openshift-storage.rbd.csi.ceph.com",
                   "parameters": {"clusterID": "openshift-storage", "imageFeatures": "layering,deep-flatten,exclusive-lock,object-map,fast-diff",
                                  "imageFormat": "2", "mapOptions": "krbd:rxbounce", "pool": "ocs-storagecluster-cephblockpool",
                                  "csi.storage.k8s.io/fstype": "ext4"},
                   "reclaimPolicy": "Delete", "allowVolumeExpansion": True, "volumeBindingMode": "Immediate"})
        md = self.meta(LVMS, created=EPOCH)
        md["annotations"] = {"description": "Provides RWO and RWOP Filesystem & Block volumes",
                             "storageclass.kubernetes.io/is-default-class": "true"}
        sc.append({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": md,
                   "provisioner": "topolvm.io", "parameters": {"csi.storage.k8s.io/fstype": "xfs", "topolvm.io/device-class": "vg1"},
                   "reclaimPolicy": "Delete", "allowVolumeExpansion": True,
                   "volumeBindingMode": "WaitForFirstConsumer"})
        self.write("01-storageclasses.json", "StorageClass", sc)
        sp = []
        for name, prov, sets in ((CEPH, "openshift-storage.rbd.csi.ceph.com",
                                  [{"accessModes": ["ReadWriteMany"], "volumeMode": "Block"},
                                   {"accessModes": ["ReadWriteOnce"], "volumeMode": "Block"},
                                   {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"}]),
                                 (LVMS, "topolvm.io",
                                  [{"accessModes": ["ReadWriteOnce"], "volumeMode": "Block"},
                                   {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"}])):
            md = self.meta(name, created=EPOCH, gen=1)
            md["labels"] = {"app": "containerized-data-importer", "app.kubernetes.io/component": "storage",
                            "app.kubernetes.io/managed-by": "cdi-controller", "cdi.kubevirt.io": ""}
            md["ownerReferences"] = [{"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "CDI", "name": "cdi-kubevirt-hyperconverged",
                                      "uid": self.uid(), "blockOwnerDeletion": True, "controller": True}]
            sp.append({"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "StorageProfile", "metadata": md, "spec": {},
                       "status": {"claimPropertySets": sets, "cloneStrategy": "csi-clone" if name == CEPH else "snapshot",
                                  "dataImportCronSourceFormat": "snapshot" if name == CEPH else "pvc",
                                  "provisioner": prov, "storageClass": name}})
        self.write("02-storageprofiles.json", "StorageProfile", sp)

    def policies(self):
        """Groups by total label count, one key set per group, distinct values within a
        group: two policies of one group always disagree on a key, and policies of
        different groups have different totals, so no MP010 and no MP011 tie."""
        teams = sorted(set(t for _, _, t in self.ns), key=lambda t: int(t.split("-")[1]))
        cand = []
        for t in teams:
            for tier in TIERS:
                cand.append(("team", t, tier, None))
        for e in ENVS:
            for tier in TIERS:
                for w in range(WORKLOADS):
                    cand.append(("env", e, tier, "wl-%02d" % w))
        self.r.shuffle(cand)
        cand = cand[:self.a.policies]
        cand.sort(key=lambda c: (c[0], c[1], c[2], c[3] or ""))
        for i, (nskey, nsval, tier, wl) in enumerate(cand):
            name = "%s-%s%s" % (nsval, tier, "-" + wl if wl else "")
            md = self.meta(name, created=EPOCH + 86400 + i * 37, gen=1)
            vsel = {"tier": tier}
            if wl:
                vsel["workload"] = wl
            spec = {"selectors": {"namespaceSelector": {nskey: nsval},
                                  "virtualMachineInstanceSelector": vsel},
                    "bandwidthPerMigration": "%dMi" % (64 << self.r.randrange(0, 5)),
                    "completionTimeoutPerGiB": 100 * self.r.randrange(1, 9),
                    "allowAutoConverge": self.r.random() < 0.5}
            if self.r.random() < 0.2:
                spec["allowPostCopy"] = False
            yield {"apiVersion": "migrations.kubevirt.io/v1alpha1", "kind": "MigrationPolicy",
                   "metadata": md, "spec": spec}

    def operators(self):
        mig = {"allowAutoConverge": False, "allowPostCopy": False, "completionTimeoutPerGiB": 150,
               "parallelMigrationsPerCluster": 5, "parallelOutboundMigrationsPerNode": 2,
               "progressTimeout": 150, "bandwidthPerMigration": "0Mi"}
        md = self.meta("kubevirt-hyperconverged", "openshift-cnv", created=EPOCH, gen=4)
        md["labels"] = {"app": "kubevirt-hyperconverged"}
        md["annotations"] = {"deployOVS": "false"}
        md["finalizers"] = ["kubevirt.io/hyperconverged"]
        hco = {"apiVersion": "hco.kubevirt.io/v1beta1", "kind": "HyperConverged", "metadata": md,
               "spec": {"liveMigrationConfig": dict(mig), "evictionStrategy": "LiveMigrate",
                        "featureGates": {"deployKubeSecondaryDNS": False, "enableCommonBootImageImport": True,
                                         "nonRoot": True, "withHostPassthroughCPU": False},
                        "infra": {}, "workloads": {}, "uninstallStrategy": "BlockUninstallIfWorkloadsExist",
                        "workloadUpdateStrategy": {"batchEvictionInterval": "1m0s", "batchEvictionSize": 10,
                                                   "workloadUpdateMethods": ["LiveMigrate"]}},
               "status": {"conditions": [{"type": t, "status": s, "reason": "ReconcileCompleted",
                                          "message": "Reconcile completed successfully",
                                          "lastTransitionTime": ts(EPOCH + 3600), "observedGeneration": 4}
                                         for t, s in (("Available", "True"), ("Progressing", "False"),
                                                      ("Degraded", "False"), ("Upgradeable", "True"))],
                          "observedGeneration": 4}}
        self.write("05-hyperconvergeds.json", "HyperConverged", [hco])
        md = self.meta("kubevirt-kubevirt-hyperconverged", "openshift-cnv", created=EPOCH, gen=5)
        md["labels"] = {"app": "kubevirt-hyperconverged", "app.kubernetes.io/managed-by": "hco-operator"}
        md["ownerReferences"] = [{"apiVersion": "hco.kubevirt.io/v1beta1", "kind": "HyperConverged",
                                  "name": "kubevirt-hyperconverged", "uid": hco["metadata"]["uid"],
                                  "blockOwnerDeletion": True, "controller": True}]
        kv = {"apiVersion": "kubevirt.io/v1", "kind": "KubeVirt", "metadata": md,
              "spec": {"certificateRotateStrategy": {}, "configuration": {
                  "developerConfiguration": {"featureGates": ["CPUManager", "Snapshot", "HotplugVolumes", "ExpandDisks",
                                                              "HostDevices", "VMExport", "KubevirtSeccompProfile",
                                                              "VMPersistentState", "InstancetypeReferencePolicy"]},
                  "evictionStrategy": "LiveMigrate", "migrations": dict(mig),
                  "network": {"defaultNetworkInterface": "masquerade"},
                  "vmRolloutStrategy": "LiveUpdate"},
                  "customizeComponents": {}, "uninstallStrategy": "BlockUninstallIfWorkloadsExist",
                  "workloadUpdateStrategy": {"workloadUpdateMethods": ["LiveMigrate"]}},
              "status": {"phase": "Deployed", "observedKubeVirtVersion": "v1.4.1",
                         "targetKubeVirtVersion": "v1.4.1", "defaultArchitecture": "amd64"}}
        self.write("06-kubevirts.json", "KubeVirt", [kv])

    # ---- the bulk: VMs, VMIs, PVCs ----

    def vm_plan(self, i):
        """Everything random about VM i, drawn in a fixed order."""
        r = self.r
        ns, env, team = self.ns[r.randrange(len(self.ns))]
        p = {"i": i, "ns": ns, "env": env, "team": team,
             "os": OS_IMAGES[r.randrange(len(OS_IMAGES))],
             "tier": TIERS[r.randrange(4)], "wl": "wl-%02d" % r.randrange(WORKLOADS),
             "app": "app-%02d" % r.randrange(WORKLOADS),
             "cores": (1, 2, 2, 4, 4, 8)[r.randrange(6)], "mem": (2, 4, 4, 8, 8, 16)[r.randrange(6)],
             "disk": (30, 50, 60, 100, 120)[r.randrange(5)],
             "bridge": r.random() < 0.05, "ports": r.random() < 0.1,
             "evict": "None" if r.random() < 0.08 else "LiveMigrate",
             "lvms": r.random() < 0.03, "rwx": r.random() < 0.7, "clone": r.random() < 0.3,
             "datadisk": r.random() < 0.1, "applied": r.random() < 0.5,
             "placement": r.random(), "created": EPOCH + r.randrange(0, 300 * 86400),
             "node": r.randrange(len(self.nodes))}
        p["name"] = "%s-%s-%06d" % (p["os"], p["tier"], i)
        if p["lvms"]:
            p["rwx"] = False
            p["evict"] = "None"
        return p

    def dv_templates(self, p):
        dvs = []
        disks = [("rootdisk", p["disk"])]
        if p["datadisk"]:
            disks.append(("datadisk", 200))
        for kind, size in disks:
            storage = {"resources": {"requests": {"storage": "%dGi" % size}},
                       "storageClassName": LVMS if p["lvms"] else CEPH}
            if p["rwx"]:
                storage["accessModes"] = ["ReadWriteMany"]
                storage["volumeMode"] = "Block"
            elif p["lvms"]:
                storage["accessModes"] = ["ReadWriteOnce"]
            dv = {"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
                  "metadata": {"name": "%s-%s" % (p["name"], kind), "creationTimestamp": None},
                  "spec": {"storage": storage}}
            if kind == "datadisk":
                dv["spec"]["source"] = {"blank": {}}
            elif p["clone"]:
                dv["spec"]["source"] = {"pvc": {"namespace": p["ns"], "name": "golden-%s" % p["os"]}}
            elif p["os"] == "win2k22":
                dv["spec"]["source"] = {"registry": {"url": "docker://registry.corp.example.com/vm-images/win2k22:2025.11",
                                                     "pullMethod": "node"}}
            else:
                dv["spec"]["sourceRef"] = {"kind": "DataSource", "name": p["os"],
                                           "namespace": "openshift-virtualization-os-images"}
            dvs.append(dv)
        return dvs

    def template_labels(self, p):
        return {"kubevirt.io/domain": p["name"], "kubevirt.io/size": "large" if p["cores"] >= 4 else "small",
                "vm.kubevirt.io/name": p["name"], "app": p["app"], "tier": p["tier"], "workload": p["wl"],
                "network.kubevirt.io/headlessService": "headless"}

    def domain_spec(self, p, dvs):
        iface = {"name": "default", "macAddress": "02:%02x:%02x:%02x:%02x:%02x" % (
            (p["i"] >> 32) & 255, (p["i"] >> 24) & 255, (p["i"] >> 16) & 255, (p["i"] >> 8) & 255, p["i"] & 255),
            "model": "virtio"}
        if p["bridge"]:
            iface["bridge"] = {}
        else:
            iface["masquerade"] = {}
            if p["ports"]:
                iface["ports"] = [{"name": "http", "port": 8080, "protocol": "TCP"},
                                  {"name": "ssh", "port": 22, "protocol": "TCP"}]
        disks = [{"name": d["metadata"]["name"].rsplit("-", 1)[1], "disk": {"bus": "virtio"}} for d in dvs]
        disks[0]["bootOrder"] = 1
        disks.append({"name": "cloudinitdisk", "disk": {"bus": "virtio"}})
        dom = {"cpu": {"cores": p["cores"], "sockets": 1, "threads": 1, "model": "host-model"},
               "memory": {"guest": "%dGi" % p["mem"]},
               "devices": {"disks": disks, "interfaces": [iface], "rng": {},
                           "networkInterfaceMultiqueue": True},
               "features": {"acpi": {}, "smm": {"enabled": True}},
               "firmware": {"bootloader": {"efi": {}}},
               "machine": {"type": "pc-q35-rhel9.4.0"},
               "resources": {"requests": {"memory": "%dGi" % p["mem"]}}}
        return dom

    def template_spec(self, p, dvs):
        pw = "%04x-%04x-%04x" % (p["i"] & 0xffff, (p["i"] * 7) & 0xffff, (p["i"] * 13) & 0xffff)
        ud = USERDATA.format(name=p["name"], ns=p["ns"], pw=pw, team=p["team"], tier=p["tier"],
                             workload=p["wl"], key="%040d" % (p["i"] * 2654435761 % 10**40))
        vols = [{"name": d["metadata"]["name"].rsplit("-", 1)[1], "dataVolume": {"name": d["metadata"]["name"]}}
                for d in dvs]
        vols.append({"name": "cloudinitdisk", "cloudInitNoCloud": {"userData": ud}})
        spec = {"architecture": "amd64", "domain": self.domain_spec(p, dvs),
                "evictionStrategy": p["evict"], "networks": [{"name": "default", "pod": {}}],
                "terminationGracePeriodSeconds": 180, "volumes": vols}
        pl = p["placement"]
        if pl < 0.04:
            spec["nodeSelector"] = {"topology.kubernetes.io/zone": "zone-%d" % (p["i"] % 3)}
        elif pl < 0.07:
            spec["tolerations"] = [{"key": "dedicated", "operator": "Equal", "value": "infra", "effect": "NoSchedule"}]
        elif pl < 0.10:
            spec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [
                    {"key": "feature.node.kubernetes.io/pci-15b3.present", "operator": "In", "values": ["true"]}]}]}}}
        return spec

    def vm(self, p, dvs):
        md = self.meta(p["name"], p["ns"], created=p["created"], gen=1 + p["i"] % 3)
        md["labels"] = {"app": p["app"], "app.kubernetes.io/part-of": p["team"], "tier": p["tier"],
                        "vm.kubevirt.io/template": "%s-server-%s" % (p["os"], "large" if p["cores"] >= 4 else "small"),
                        "vm.kubevirt.io/template.namespace": "openshift",
                        "kubevirt.io/environment": p["env"]}
        ann = {"kubemacpool.io/transaction-timestamp": ts(p["created"]) + ".000000000",
               "vm.kubevirt.io/validations": "[{\"name\":\"minimal-required-memory\",\"path\":\"jsonpath::.spec.domain.memory.guest\",\"rule\":\"integer\",\"message\":\"This VM requires more memory.\",\"min\":1610612736}]"}
        tann = {"vm.kubevirt.io/flavor": "large" if p["cores"] >= 4 else "small",
                "vm.kubevirt.io/os": p["os"], "vm.kubevirt.io/workload": "server"}
        if p["bridge"]:
            tann["kubevirt.io/allow-pod-bridge-network-live-migration"] = ""
        tspec = self.template_spec(p, dvs)
        spec = {"dataVolumeTemplates": dvs, "runStrategy": "Always",
                "template": {"metadata": {"annotations": tann, "creationTimestamp": None,
                                          "labels": self.template_labels(p)},
                             "spec": tspec}}
        if p["applied"]:
            applied = {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
                       "metadata": {"annotations": {}, "labels": md["labels"], "name": p["name"], "namespace": p["ns"]},
                       "spec": spec}
            ann["kubectl.kubernetes.io/last-applied-configuration"] = json.dumps(applied, separators=(",", ":")) + "\n"
        md["annotations"] = ann
        md["finalizers"] = ["kubevirt.io/virtualMachineControllerFinalize"]
        start = ts(p["created"] + 120)
        status = {"conditions": [{"type": "Ready", "status": "True", "lastProbeTime": None, "lastTransitionTime": start},
                                 {"type": "LiveMigratable", "status": "False" if p["lvms"] else "True",
                                  "lastProbeTime": None, "lastTransitionTime": None},
                                 {"type": "StorageLiveMigratable", "status": "True", "lastProbeTime": None,
                                  "lastTransitionTime": None}],
                  "created": True, "ready": True, "printableStatus": "Running", "runStrategy": "Always",
                  "desiredGeneration": md["generation"], "observedGeneration": md["generation"],
                  "volumeSnapshotStatuses": [{"name": d["metadata"]["name"].rsplit("-", 1)[1], "enabled": not p["lvms"]}
                                             for d in dvs] + [{"name": "cloudinitdisk", "enabled": False,
                                                               "reason": "Snapshot is not supported for this volumeSource type [cloudinitdisk]"}]}
        return {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": md, "spec": spec,
                "status": status}

    def vmi(self, p, vm, dvs):
        node, host, _ = self.nodes[p["node"]]
        md = self.meta(p["name"], p["ns"], created=p["created"] + 30, gen=12)
        md["labels"] = dict(self.template_labels(p), **{"kubevirt.io/nodeName": node})
        md["annotations"] = dict(vm["spec"]["template"]["metadata"]["annotations"],
                                 **{"kubevirt.io/latest-observed-api-version": "v1",
                                    "kubevirt.io/storage-observed-api-version": "v1"})
        md["finalizers"] = ["kubevirt.io/virtualMachineControllerFinalize", "foregroundDeleteVirtualMachine"]
        md["ownerReferences"] = [{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "name": p["name"],
                                  "uid": vm["metadata"]["uid"], "blockOwnerDeletion": True, "controller": True}]
        spec = json.loads(json.dumps(vm["spec"]["template"]["spec"]))
        spec["domain"]["cpu"]["model"] = "host-model"
        spec["domain"]["firmware"]["uuid"] = self.uid()
        start = ts(p["created"] + 120)
        ip = "10.%d.%d.%d" % (128 + (p["i"] >> 16) % 64, (p["i"] >> 8) & 255, p["i"] & 255)
        # bridge VMs carry kubevirt.io/allow-pod-bridge-network-live-migration: only RWO disks block
        migratable = not p["lvms"]
        conds = [{"type": "Ready", "status": "True", "lastProbeTime": None, "lastTransitionTime": start},
                 {"type": "LiveMigratable", "status": "True", "lastProbeTime": None, "lastTransitionTime": None}
                 if migratable else
                 {"type": "LiveMigratable", "status": "False", "lastProbeTime": None, "lastTransitionTime": None,
                  "reason": "DisksNotLiveMigratable",
                  "message": "cannot migrate VMI: PVC %s is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)" % dvs[0]["metadata"]["name"]},
                 {"type": "StorageLiveMigratable", "status": "True", "lastProbeTime": None, "lastTransitionTime": None},
                 {"type": "AgentConnected", "status": "True", "lastProbeTime": None, "lastTransitionTime": start}]
        vstat = []
        for d in dvs:
            st = d["spec"]["storage"]
            am, vmode = eff_storage(st)
            vstat.append({"name": d["metadata"]["name"].rsplit("-", 1)[1], "target": "vd" + "abc"[len(vstat)],
                          "persistentVolumeClaimInfo": {
                              "claimName": d["metadata"]["name"],
                              "accessModes": am,
                              "capacity": {"storage": st["resources"]["requests"]["storage"]},
                              "requests": {"storage": st["resources"]["requests"]["storage"]},
                              "filesystemOverhead": "0", "volumeMode": vmode}})
        vstat.append({"name": "cloudinitdisk", "target": "vd" + "abcd"[len(vstat)], "size": 1048576})
        status = {"activePods": {self.uid(): node}, "conditions": conds, "currentCPUTopology": {
            "cores": p["cores"], "sockets": 1, "threads": 1},
            "guestOSInfo": {"id": p["os"].split("-")[0], "name": "Red Hat Enterprise Linux", "kernelRelease": "5.14.0-503.11.1.el9_5.x86_64",
                            "prettyName": "Red Hat Enterprise Linux 9.5 (Plow)", "version": "9.5", "versionId": "9.5"},
            "interfaces": [{"name": "default", "interfaceName": "enp1s0", "infoSource": "domain, guest-agent",
                            "ipAddress": ip, "ipAddresses": [ip], "mac": spec["domain"]["devices"]["interfaces"][0]["macAddress"],
                            "podInterfaceName": "eth0", "queueCount": 1}],
            "launcherContainerImageVersion": LAUNCHER + "%064x" % 0xabc123,
            "machine": {"type": "pc-q35-rhel9.4.0"}, "memory": {"guestAtBoot": "%dGi" % p["mem"],
                                                                "guestCurrent": "%dGi" % p["mem"],
                                                                "guestRequested": "%dGi" % p["mem"]},
            "migrationMethod": "BlockMigration" if p["lvms"] else "LiveMigration",
            "migrationTransport": "Unix", "nodeName": node, "phase": "Running",
            "phaseTransitionTimestamps": [{"phase": ph, "phaseTransitionTimestamp": ts(p["created"] + k * 20)}
                                          for k, ph in enumerate(("Pending", "Scheduling", "Scheduled", "Running"))],
            "qosClass": "Burstable", "runtimeUser": 107, "selinuxContext": "system_u:object_r:container_file_t:s0:c%d,c%d" % (p["i"] % 1000, 7),
            "virtualMachineRevisionName": "revision-start-vm-%s-%d" % (vm["metadata"]["uid"], md["generation"]),
            "volumeStatus": vstat}
        return {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "metadata": md, "spec": spec,
                "status": status}

    def pvc(self, p, dv):
        st = dv["spec"]["storage"]
        name = dv["metadata"]["name"]
        sc = st["storageClassName"]
        md = self.meta(name, p["ns"], created=p["created"] + 5)
        md["labels"] = {"app": "containerized-data-importer", "app.kubernetes.io/component": "storage",
                        "app.kubernetes.io/managed-by": "cdi-controller"}
        md["annotations"] = {"cdi.kubevirt.io/storage.condition.running": "false",
                             "cdi.kubevirt.io/storage.condition.running.reason": "Completed",
                             "cdi.kubevirt.io/storage.contentType": "kubevirt",
                             "cdi.kubevirt.io/storage.pod.phase": "Succeeded",
                             "cdi.kubevirt.io/storage.preallocation.requested": "false",
                             "cdi.kubevirt.io/storage.usePopulator": "true",
                             "cdi.kubevirt.io/storage.populator.progress": "100.0%",
                             "cdi.kubevirt.io/createdForDataVolume": self.uid(),
                             "pv.kubernetes.io/bind-completed": "yes",
                             "pv.kubernetes.io/bound-by-controller": "yes",
                             "volume.beta.kubernetes.io/storage-provisioner": "openshift-storage.rbd.csi.ceph.com" if sc == CEPH else "topolvm.io",
                             "volume.kubernetes.io/storage-provisioner": "openshift-storage.rbd.csi.ceph.com" if sc == CEPH else "topolvm.io"}
        if "source" in dv["spec"] and "pvc" in dv["spec"]["source"]:
            md["annotations"]["cdi.kubevirt.io/storage.clone.token"] = "eyJhbGciOiJQUzI1NiJ9." + "%048x" % p["i"]
        md["finalizers"] = ["kubernetes.io/pvc-protection"]
        md["ownerReferences"] = [{"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume", "name": name,
                                  "uid": md["annotations"]["cdi.kubevirt.io/createdForDataVolume"],
                                  "blockOwnerDeletion": True, "controller": True}]
        am, vm_mode = eff_storage(st)
        size = st["resources"]["requests"]["storage"]
        return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": md,
                "spec": {"accessModes": am, "resources": {"requests": {"storage": size}},
                         "storageClassName": sc, "volumeMode": vm_mode, "volumeName": "pvc-" + self.uid()},
                "status": {"accessModes": am, "capacity": {"storage": size}, "phase": "Bound"}}

    def bulk(self):
        d = self.a.outdir
        wvm = ListWriter(os.path.join(d, "20-virtualmachines.json"))
        wvmi = ListWriter(os.path.join(d, "30-virtualmachineinstances.json"))
        wpvc = ListWriter(os.path.join(d, "10-persistentvolumeclaims.json"))
        for i in range(self.a.vms):
            p = self.vm_plan(i)
            dvs = self.dv_templates(p)
            vm = self.vm(p, dvs)
            wvm.add(vm)
            wvmi.add(self.vmi(p, vm, dvs))
            for dv in dvs:
                wpvc.add(self.pvc(p, dv))
        self.counts["VirtualMachine"] = wvm.close()
        self.counts["VirtualMachineInstance"] = wvmi.close()
        self.counts["PersistentVolumeClaim"] = wpvc.close()

    # ---- reviews ----

    def reviews(self):
        rd = os.path.join(self.a.outdir, "reviews")
        os.makedirs(rd, exist_ok=True)
        user = {"username": "system:serviceaccount:openshift-gitops:argocd-application-controller",
                "uid": "3f2a7c1e-5b8d-4e6f-9a0b-1c2d3e4f5a6b",
                "groups": ["system:serviceaccounts", "system:serviceaccounts:openshift-gitops", "system:authenticated"]}
        # A fresh VM like the generated ones, one that can live-migrate, in an existing namespace.
        p = self.vm_plan(self.a.vms + 1)
        p.update(bridge=False, ports=False, evict="LiveMigrate", lvms=False, rwx=True, clone=False,
                 datadisk=True, applied=False, placement=0.5)
        p["name"] = "%s-%s-new" % (p["os"] if p["os"] != "win2k22" else "rhel9", p["tier"])
        p["os"] = p["name"].split("-")[0]
        dvs = self.dv_templates(p)
        vm = self.vm(p, dvs)
        for k in ("uid", "resourceVersion", "creationTimestamp", "generation", "finalizers"):
            vm["metadata"].pop(k, None)
        vm["metadata"]["annotations"].pop("kubemacpool.io/transaction-timestamp", None)
        vm.pop("status")

        def review(uid, group, version, kind, resource, obj, ns, name):
            gvk = {"group": group, "version": version, "kind": kind}
            gvr = {"group": group, "version": version, "resource": resource}
            req = {"uid": uid, "kind": gvk, "resource": gvr, "requestKind": gvk, "requestResource": gvr,
                   "name": name, "operation": "CREATE", "userInfo": user, "object": obj, "oldObject": None,
                   "dryRun": False, "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1",
                                                "fieldManager": "argocd-controller"}}
            if ns:
                req["namespace"] = ns
            return {"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": req}

        def dump(fname, obj):
            with open(os.path.join(rd, fname), "w") as f:
                json.dump(obj, f, separators=(",", ":"))

        dump("vm-create.review.json", review("6b1f0a52-93d4-4c1e-8a77-2f5e9c3d0b14", "kubevirt.io", "v1",
                                             "VirtualMachine", "virtualmachines", vm, p["ns"], p["name"]))
        vmi = self.vmi(p, self.vm(p, dvs), dvs)
        for k in ("uid", "resourceVersion", "creationTimestamp", "generation"):
            vmi["metadata"].pop(k, None)
        vmi["metadata"]["labels"].pop("kubevirt.io/nodeName", None)
        vmi["status"] = {}
        vmi_user = {"username": "system:serviceaccount:openshift-cnv:kubevirt-controller",
                    "uid": "8d0c1f2e-3a4b-4c5d-9e6f-7a8b9c0d1e2f",
                    "groups": ["system:serviceaccounts", "system:serviceaccounts:openshift-cnv", "system:authenticated"]}
        r = review("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "kubevirt.io", "v1", "VirtualMachineInstance",
                   "virtualmachineinstances", vmi, p["ns"], p["name"])
        r["request"]["userInfo"] = vmi_user
        dump("vmi-create.review.json", r)
        # The client replaces @NAME@ and @KEY@/@VALUE@: workload=wl-NN and app=app-NN each
        # match ~1% of the VMs, and no generated policy has a total of one selector label.
        pol = {"apiVersion": "migrations.kubevirt.io/v1alpha1", "kind": "MigrationPolicy",
               "metadata": {"name": "@NAME@"},
               "spec": {"selectors": {"namespaceSelector": {}, "virtualMachineInstanceSelector": {"@KEY@": "@VALUE@"}},
                        "allowAutoConverge": True, "bandwidthPerMigration": "256Mi",
                        "completionTimeoutPerGiB": 300, "allowPostCopy": False}}
        dump("policy-create.review.template.json",
             review("@UID@", "migrations.kubevirt.io", "v1alpha1", "MigrationPolicy", "migrationpolicies", pol,
                    None, "@NAME@"))
        with open(os.path.join(rd, "policy-values.txt"), "w") as f:
            for w in range(WORKLOADS):
                f.write("workload wl-%02d\napp app-%02d\n" % (w, w))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("outdir")
    ap.add_argument("--vms", type=int, required=True)
    ap.add_argument("--nodes", type=int, required=True)
    ap.add_argument("--namespaces", type=int)
    ap.add_argument("--policies", type=int)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    if a.namespaces is None:
        a.namespaces = min(1000, max(10, a.vms // 100))
    if a.policies is None:
        a.policies = min(500, a.vms // 200)
    if a.vms < 0 or a.nodes < 1 or a.namespaces < 1 or a.policies < 0:
        ap.error("--vms >= 0, --nodes >= 1, --namespaces >= 1, --policies >= 0")
    os.makedirs(a.outdir, exist_ok=True)
    t0 = time.monotonic()
    g = Gen(a)
    g.write("00-namespaces.json", "Namespace", g.namespaces())
    g.write("03-nodes.json", "Node", g.node_objs())
    g.storage()
    g.write("04-migrationpolicies.json", "MigrationPolicy", g.policies())
    g.operators()
    g.bulk()
    g.reviews()
    total = sum(g.counts.values())
    with open(os.path.join(a.outdir, "objects.txt"), "w") as f:
        for k in sorted(g.counts):
            f.write("%s %d\n" % (k, g.counts[k]))
        f.write("total %d\n" % total)
    size = sum(os.path.getsize(os.path.join(a.outdir, n)) for n in os.listdir(a.outdir)
               if n.endswith(".json"))
    print("gen_view: %d objects, %.1f MB in %s (%.1f s)" % (total, size / 1e6, a.outdir,
                                                           time.monotonic() - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
