/* SPDX-License-Identifier: Apache-2.0 */
/* prune.c - cut an object down to what the rules, the report and the annotations read
 * before it enters the view: bookkeeping metadata, foreign annotations, cloud-init
 * payloads, and the parts of a status that only describe the guest. Unknown fields stay
 * (a future rule may read them); only fields known to be dead weight go.
 * Pure tree surgery: no I/O. */
#include "prune.h"

#include <stdbool.h>
#include <string.h>

#include "json.h"

static void drop(cJSON *obj, const char *const *keys, size_t n)
{
    for (size_t i = 0; obj && i < n; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(obj, keys[i]);
}

#define DROP(obj, ...)                                                                             \
    do {                                                                                           \
        static const char *const keys_[] = {__VA_ARGS__};                                          \
        drop((obj), keys_, sizeof(keys_) / sizeof(keys_[0]));                                      \
    } while (0)

/* Only annotations of KubeVirt's and migguard's own prefixes are read by rules
 * (allow-pod-bridge-network-live-migration, the HCO jsonpatch stays on tree kinds). */
static void keep_own_annotations(cJSON *md)
{
    cJSON *ann = mg_json_get(md, "annotations"), *it, *next;

    if (!cJSON_IsObject(ann))
        return;
    for (it = ann->child; it; it = next) {
        const char *k = it->string ? it->string : "";
        const char *slash = strchr(k, '/');
        size_t plen = slash ? (size_t)(slash - k) : 0;
        bool own = (plen == 11 && strncmp(k, "kubevirt.io", 11) == 0) ||
                   (plen == 11 && strncmp(k, "migguard.io", 11) == 0) ||
                   (plen > 12 && strncmp(slash - 12, ".kubevirt.io", 12) == 0 &&
                    strncmp(k, "cdi.", 4) != 0);

        next = it->next;
        if (!own)
            cJSON_Delete(cJSON_DetachItemViaPointer(ann, it));
    }
    if (!ann->child)
        cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
}

static void prune_metadata(cJSON *md, bool compact)
{
    cJSON *ref;

    if (!cJSON_IsObject(md))
        return;
    DROP(md, "managedFields", "selfLink", "generateName");
    cJSON_DeleteItemFromObjectCaseSensitive(mg_json_get(md, "annotations"),
                                            "kubectl.kubernetes.io/last-applied-configuration");
    if (!compact)
        return;
    DROP(md, "uid", "resourceVersion", "generation", "creationTimestamp", "finalizers");
    keep_own_annotations(md);
    cJSON_ArrayForEach (ref, mg_json_get(md, "ownerReferences"))
        DROP(ref, "uid", "blockOwnerDeletion");
}

/* Guest payloads anywhere under a spec: cloud-init user and network data, sysprep. */
static void prune_payloads(cJSON *node, int depth)
{
    cJSON *it;

    if (depth > 12 || !(cJSON_IsObject(node) || cJSON_IsArray(node)))
        return;
    if (cJSON_IsObject(node)) {
        DROP(node, "userData", "userDataBase64", "networkData", "networkDataBase64");
        if (node->string && strcmp(node->string, "firmware") == 0)
            DROP(node, "uuid", "serial");
    }
    cJSON_ArrayForEach (it, node)
        prune_payloads(it, depth + 1);
}

static void prune_conditions(cJSON *conds)
{
    cJSON *c;

    cJSON_ArrayForEach (c, conds)
        DROP(c, "lastProbeTime", "lastTransitionTime", "lastHeartbeatTime");
}

static void prune_vmi_status(cJSON *st)
{
    cJSON *vs;

    DROP(st, "guestOSInfo", "interfaces", "currentCPUTopology", "machine",
         "launcherContainerImageVersion", "qosClass", "selinuxContext", "activePods",
         "kernelBootStatus", "topologyHints", "virtualMachineRevisionName", "runtimeUser",
         "fsFreezeStatus", "phaseTransitionTimestamps", "migrationState", "deviceStatus");
    prune_conditions(mg_json_get(st, "conditions"));
    cJSON_ArrayForEach (vs, mg_json_get(st, "volumeStatus")) {
        DROP(vs, "target", "size", "reason", "message", "hotplugVolume", "containerDiskVolume",
             "memoryDumpVolume", "phase");
        DROP(mg_json_get(vs, "persistentVolumeClaimInfo"), "capacity", "requests",
             "filesystemOverhead", "preallocated");
    }
}

/* A VirtualMachine's status: only whether it runs (the report keeps stopped VMs apart). */
static void prune_vm_status(cJSON *vm)
{
    cJSON *st = mg_json_get(vm, "status"), *it, *next;

    if (!cJSON_IsObject(st))
        return;
    for (it = st->child; it; it = next) {
        next = it->next;
        if (strcmp(it->string, "printableStatus") != 0 && strcmp(it->string, "ready") != 0 &&
            strcmp(it->string, "created") != 0)
            cJSON_Delete(cJSON_DetachItemViaPointer(st, it));
    }
}

bool mg_prune_compact_kind(const char *kind)
{
    return strcmp(kind, "VirtualMachine") == 0 || strcmp(kind, "VirtualMachineInstance") == 0 ||
           strcmp(kind, "PersistentVolumeClaim") == 0 || strcmp(kind, "DataVolume") == 0;
}

void mg_prune(cJSON *obj, const char *kind)
{
    bool compact = mg_prune_compact_kind(kind);
    cJSON *spec = mg_json_get(obj, "spec"), *st = mg_json_get(obj, "status");

    if (!cJSON_IsObject(obj))
        return;
    prune_metadata(mg_json_get(obj, "metadata"), compact);
    if (strcmp(kind, "Node") == 0) {
        DROP(st, "images", "nodeInfo", "addresses", "daemonEndpoints", "volumesAttached",
             "volumesInUse", "config");
        prune_conditions(mg_json_get(st, "conditions"));
        return;
    }
    if (!compact)
        return;
    prune_payloads(spec, 0);
    if (strcmp(kind, "VirtualMachine") == 0) {
        cJSON *tmd = mg_json_get(mg_json_get(spec, "template"), "metadata");

        if (cJSON_IsObject(tmd)) {
            DROP(tmd, "creationTimestamp");
            keep_own_annotations(tmd);
        }
        prune_vm_status(obj);
    } else if (strcmp(kind, "VirtualMachineInstance") == 0) {
        prune_vmi_status(st);
    } else if (strcmp(kind, "PersistentVolumeClaim") == 0) {
        DROP(st, "conditions", "allocatedResources", "allocatedResourceStatuses",
             "currentVolumeAttributesClassName", "modifyVolumeStatus");
    } else {
        DROP(st, "conditions", "progress", "claimName", "restartCount");
    }
}
