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

static bool listed(const char *key, const char *const *keys, size_t n)
{
    for (size_t i = 0; key && i < n; i++)
        if (strcmp(key, keys[i]) == 0)
            return true;
    return false;
}

/* Delete every member of obj not named in keys. */
static void keep_only(cJSON *obj, const char *const *keys, size_t n)
{
    cJSON *it, *next;

    if (!cJSON_IsObject(obj))
        return;
    for (it = obj->child; it; it = next) {
        next = it->next;
        if (!listed(it->string, keys, n))
            cJSON_Delete(cJSON_DetachItemViaPointer(obj, it));
    }
}

#define KEEP(obj, ...)                                                                             \
    do {                                                                                           \
        static const char *const keys_[] = {__VA_ARGS__};                                          \
        keep_only((obj), keys_, sizeof(keys_) / sizeof(keys_[0]));                                 \
    } while (0)

#define EACH(it, arr) for ((it) = cJSON_IsArray(arr) ? (arr)->child : NULL; (it); (it) = (it)->next)

/* The annotations a rule reads on the compact kinds: VM003's pod-bridge opt-in, and
 * migguard's own. */
static void keep_own_annotations(cJSON *md)
{
    cJSON *ann = mg_json_get(md, "annotations"), *it, *next;

    if (!cJSON_IsObject(ann))
        return;
    for (it = ann->child; it; it = next) {
        const char *k = it->string ? it->string : "";

        next = it->next;
        if (strcmp(k, "kubevirt.io/allow-pod-bridge-network-live-migration") != 0 &&
            strncmp(k, "migguard.io/", 12) != 0)
            cJSON_Delete(cJSON_DetachItemViaPointer(ann, it));
    }
    if (!ann->child)
        cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
}

static void prune_metadata(cJSON *md, const char *kind, bool compact)
{
    cJSON *ref;

    if (!cJSON_IsObject(md))
        return;
    DROP(md, "managedFields", "selfLink", "generateName");
    cJSON_DeleteItemFromObjectCaseSensitive(mg_json_get(md, "annotations"),
                                            "kubectl.kubernetes.io/last-applied-configuration");
    if (!compact)
        return;
    if (strcmp(kind, "PersistentVolumeClaim") == 0)
        KEEP(md, "name", "namespace");
    else
        KEEP(md, "name", "namespace", "labels", "annotations", "ownerReferences");
    keep_own_annotations(md);
    EACH(ref, mg_json_get(md, "ownerReferences"))
    KEEP(ref, "apiVersion", "kind", "name", "controller");
}

/* A claim as VM001 reads it (a DataVolume's pvc or storage, a PVC's spec). */
static void prune_claim(cJSON *claim)
{
    KEEP(claim, "accessModes", "storageClassName", "volumeMode");
}

/* What the rules read of a pod-like spec (a VMI's spec, a VM's template spec):
 * placement, the eviction strategy, interfaces and networks, volumes by kind, the
 * devices that block migration, and the CPU and memory a drain estimate needs. */
static void prune_pod_spec(cJSON *spec)
{
    cJSON *dom = mg_json_get(spec, "domain"), *dev = mg_json_get(dom, "devices"), *it, *m;

    KEEP(spec, "domain", "networks", "volumes", "nodeSelector", "affinity", "tolerations",
         "evictionStrategy");
    KEEP(dom, "cpu", "memory", "resources", "devices", "launchSecurity", "features");
    KEEP(mg_json_get(dom, "cpu"), "model", "dedicatedCpuPlacement");
    KEEP(mg_json_get(dom, "memory"), "guest");
    KEEP(mg_json_get(dom, "resources"), "requests");
    KEEP(mg_json_get(mg_json_get(dom, "resources"), "requests"), "memory");
    KEEP(mg_json_get(dom, "features"), "hypervPassthrough");
    KEEP(dev, "interfaces", "gpus", "hostDevices", "autoattachPodInterface");
    EACH(it, mg_json_get(dev, "interfaces"))
    DROP(it, "macAddress", "model", "pciAddress", "bootOrder", "dhcpOptions", "tag", "acpiIndex",
         "state");
    /* A volume's source kind matters; the contents only for claims and host disks. */
    EACH(it, mg_json_get(spec, "volumes"))
    {
        for (m = cJSON_IsObject(it) ? it->child : NULL; m; m = m->next) {
            if (!m->string || strcmp(m->string, "name") == 0 ||
                strcmp(m->string, "persistentVolumeClaim") == 0 ||
                strcmp(m->string, "dataVolume") == 0 || strcmp(m->string, "hostDisk") == 0 ||
                !cJSON_IsObject(m))
                continue;
            while (m->child)
                cJSON_Delete(cJSON_DetachItemViaPointer(m, m->child));
        }
    }
}

static void prune_vm(cJSON *vm)
{
    cJSON *spec = mg_json_get(vm, "spec"), *tmpl = mg_json_get(spec, "template"), *it;

    KEEP(spec, "template", "dataVolumeTemplates", "instancetype", "preference", "runStrategy",
         "running");
    KEEP(tmpl, "metadata", "spec");
    KEEP(mg_json_get(tmpl, "metadata"), "labels", "annotations");
    keep_own_annotations(mg_json_get(tmpl, "metadata"));
    prune_pod_spec(mg_json_get(tmpl, "spec"));
    EACH(it, mg_json_get(spec, "dataVolumeTemplates"))
    {
        cJSON *dvs = mg_json_get(it, "spec");

        KEEP(it, "metadata", "spec");
        KEEP(mg_json_get(it, "metadata"), "name");
        KEEP(dvs, "pvc", "storage");
        prune_claim(mg_json_get(dvs, "pvc"));
        prune_claim(mg_json_get(dvs, "storage"));
    }
    /* Whether it runs: the report keeps stopped VMs apart. */
    KEEP(mg_json_get(vm, "status"), "printableStatus", "ready", "created");
}

static void prune_vmi(cJSON *vmi)
{
    cJSON *st = mg_json_get(vmi, "status"), *it, *next;
    cJSON *conds = mg_json_get(st, "conditions");

    prune_pod_spec(mg_json_get(vmi, "spec"));
    KEEP(st, "phase", "nodeName", "conditions", "migrationTransport", "migratedVolumes",
         "volumeStatus", "memory", "evacuationNodeName");
    /* MIG003 and the report read the LiveMigratable (and StorageLiveMigratable)
     * conditions, with their reason and message. */
    for (it = cJSON_IsArray(conds) ? conds->child : NULL; it; it = next) {
        const char *type = mg_json_str(it, "type");
        size_t n = type ? strlen(type) : 0;

        next = it->next;
        if (n < 10 || strcmp(type + n - 10, "Migratable") != 0)
            cJSON_Delete(cJSON_DetachItemViaPointer(conds, it));
        else
            KEEP(it, "type", "status", "reason", "message");
    }
    KEEP(mg_json_get(st, "memory"), "guestCurrent");
    EACH(it, mg_json_get(st, "volumeStatus"))
    {
        KEEP(it, "name", "persistentVolumeClaimInfo");
        KEEP(mg_json_get(it, "persistentVolumeClaimInfo"), "claimName", "accessModes",
             "volumeMode");
    }
}

const char *const mg_prune_compact_kinds[MG_PRUNE_COMPACT_KINDS] = {
    "VirtualMachine", "VirtualMachineInstance", "PersistentVolumeClaim", "DataVolume"};

bool mg_prune_compact_kind(const char *kind)
{
    for (size_t i = 0; i < MG_PRUNE_COMPACT_KINDS; i++)
        if (strcmp(kind, mg_prune_compact_kinds[i]) == 0)
            return true;
    return false;
}

void mg_prune(cJSON *obj, const char *kind)
{
    bool compact = mg_prune_compact_kind(kind);
    cJSON *spec = mg_json_get(obj, "spec"), *st = mg_json_get(obj, "status"), *c;

    if (!cJSON_IsObject(obj))
        return;
    prune_metadata(mg_json_get(obj, "metadata"), kind, compact);
    if (strcmp(kind, "Node") == 0) {
        DROP(st, "images", "nodeInfo", "addresses", "daemonEndpoints", "volumesAttached",
             "volumesInUse", "config", "capacity", "allocatable", "runtimeHandlers", "features");
        EACH(c, mg_json_get(st, "conditions"))
        KEEP(c, "type", "status", "reason");
        return;
    }
    if (strcmp(kind, "VirtualMachine") == 0) {
        prune_vm(obj);
    } else if (strcmp(kind, "VirtualMachineInstance") == 0) {
        prune_vmi(obj);
    } else if (strcmp(kind, "PersistentVolumeClaim") == 0) {
        prune_claim(spec);
        KEEP(st, "accessModes", "phase");
    } else if (strcmp(kind, "DataVolume") == 0) {
        KEEP(spec, "pvc", "storage");
        prune_claim(mg_json_get(spec, "pvc"));
        prune_claim(mg_json_get(spec, "storage"));
        KEEP(st, "phase");
    }
}
