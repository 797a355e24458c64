/* SPDX-License-Identifier: Apache-2.0 */
/* instancetype.c - the devices and CPU placement a workload runs with, from its own
 * spec and, for a VirtualMachine, the instancetype it names (KubeVirt's
 * pkg/instancetype: find/spec.go picks the kind, apply/ copies gpus, hostDevices,
 * launchSecurity and cpu.dedicatedCPUPlacement into the VMI).
 * Reads borrowed cJSON and the view only; no allocation. */
#include "instancetype.h"

#include <string.h>
#include <strings.h>

#include "json.h"

static bool kind_is(const char *kind, const char *singular, const char *plural)
{
    return strcasecmp(kind, singular) == 0 || strcasecmp(kind, plural) == 0;
}

const cJSON *mg_instancetype_find(const cJSON *obj, const char *ns, const struct mg_store *view,
                                  bool *named)
{
    const cJSON *ref = mg_json_get(mg_json_get(obj, "spec"), "instancetype");
    const char *name = mg_json_str(ref, "name"), *kind = mg_json_str(ref, "kind");

    if (named)
        *named = name != NULL;
    if (!name)
        return NULL;
    ns = ns ? ns : mg_json_str(mg_json_get(obj, "metadata"), "namespace");
    /* find/spec.go: "" and the cluster kind's resource names find the cluster-wide one. */
    if (!kind || !kind[0] ||
        kind_is(kind, "virtualmachineclusterinstancetype", "virtualmachineclusterinstancetypes"))
        return mg_store_get(view, MG_KIND_CLUSTER_INSTANCETYPE, "", name);
    if (kind_is(kind, "virtualmachineinstancetype", "virtualmachineinstancetypes"))
        return mg_store_get(view, MG_KIND_INSTANCETYPE, ns ? ns : "", name);
    return NULL;
}

static const cJSON *array_or_null(const cJSON *it)
{
    return cJSON_IsArray(it) ? it : NULL;
}

static const cJSON *object_or_null(const cJSON *it)
{
    return cJSON_IsObject(it) ? it : NULL;
}

void mg_instancetype_effective(const cJSON *obj, bool is_vmi, const char *ns,
                               const struct mg_store *view, struct mg_instancetype_eff *out)
{
    const cJSON *spec = mg_json_get(obj, "spec"), *it = NULL, *itspec;
    const cJSON *pod = is_vmi ? spec : mg_json_get(mg_json_get(spec, "template"), "spec");
    const cJSON *domain = mg_json_get(pod, "domain"), *devices = mg_json_get(domain, "devices");
    const char *kind;
    bool named = false;

    memset(out, 0, sizeof(*out));
    out->gpus = array_or_null(mg_json_get(devices, "gpus"));
    out->host_devices = array_or_null(mg_json_get(devices, "hostDevices"));
    out->launch_security = object_or_null(mg_json_get(domain, "launchSecurity"));
    out->dedicated_cpu =
        cJSON_IsTrue(mg_json_get(mg_json_get(domain, "cpu"), "dedicatedCpuPlacement"));
    if (is_vmi)
        return;
    it = mg_instancetype_find(obj, ns, view, &named);
    if (!named)
        return;
    kind = mg_json_str(mg_json_get(spec, "instancetype"), "kind");
    out->kind = kind && kind[0] ? kind : MG_KIND_CLUSTER_INSTANCETYPE;
    out->name = mg_json_str(mg_json_get(spec, "instancetype"), "name");
    if (!it) {
        out->missing = true;
        return;
    }
    itspec = mg_json_get(it, "spec");
    if (!out->gpus && (out->gpus = array_or_null(mg_json_get(itspec, "gpus"))))
        out->gpus_from_it = true;
    if (!out->host_devices &&
        (out->host_devices = array_or_null(mg_json_get(itspec, "hostDevices"))))
        out->host_devices_from_it = true;
    if (!out->launch_security &&
        (out->launch_security = object_or_null(mg_json_get(itspec, "launchSecurity"))))
        out->launch_security_from_it = true;
    if (!out->dedicated_cpu &&
        cJSON_IsTrue(mg_json_get(mg_json_get(itspec, "cpu"), "dedicatedCPUPlacement")))
        out->dedicated_cpu = out->dedicated_cpu_from_it = true;
}
