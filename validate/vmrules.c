/* SPDX-License-Identifier: Apache-2.0 */
/* vmrules.c - VM003, VM004 and VM005 (RULES.md section 5, edition 2) as KubeVirt
 * decides them: the pod network's binding (pkg/network: the implicit pod interface
 * takes the KubeVirt CR's defaultNetworkInterface; binding plugins migrate only when
 * registered with `migration`), the masquerade migration ports (unused since KubeVirt
 * migrates over a Unix socket, but on the legacy TCP transport), and the devices that
 * block migration, those of an instancetype included (pkg/virt-controller's
 * migratability: hostDevices, GPUs unless a mediated vGPU with VGPULiveMigration,
 * launchSecurity, hypervPassthrough). A question the view cannot answer is a warning.
 * Pure functions of (workload, view, config): no I/O, no allocation but the verdict's. */
#include "vmrules.h"

#include <stdio.h>
#include <string.h>

#include "instancetype.h"
#include "json.h"

#define FIELD_MAX 512
#define ANN_POD_BRIDGE "kubevirt.io/allow-pod-bridge-network-live-migration"
#define GATE_VGPU "VGPULiveMigration"

const cJSON *mg_vmrules_kubevirt_config(const struct mg_store *view)
{
    const cJSON *const *items = NULL;
    static const cJSON empty = {.type = cJSON_Object};
    const cJSON *conf;

    if (!view || mg_store_list(view, "KubeVirt", &items) == 0)
        return NULL;
    conf = mg_json_get(mg_json_get(items[0], "spec"), "configuration");
    /* A CR without a configuration still says "every KubeVirt default". */
    return cJSON_IsObject(conf) ? conf : &empty;
}

static const cJSON *array_of(const cJSON *obj, const char *key)
{
    const cJSON *it = mg_json_get(obj, key);

    return cJSON_IsArray(it) ? it : NULL;
}

/* The name of the network that is the pod network, or NULL. */
static const char *pod_network(const cJSON *spec)
{
    const cJSON *it;

    cJSON_ArrayForEach (it, array_of(spec, "networks")) {
        if (cJSON_IsObject(mg_json_get(it, "pod")))
            return mg_json_str(it, "name");
    }
    return NULL;
}

/* VM003 for one binding on the pod network: a core binding's name, or a plugin's. */
static void judge_binding(const struct mg_vm_work *w, const cJSON *kv, const char *field,
                          const char *iname, const char *core, const char *plugin)
{
    const cJSON *reg;

    if (plugin) {
        /* The passt binding plugin migrates (RULES.md 5 VM003). */
        if (strcmp(plugin, "passt") == 0)
            return;
        if (!kv) {
            mg_verdict_add(w->v, w->cfg, MG_RULE_VM003, MG_ACT_WARN, field,
                           "cannot determine if binding plugin \"%.40s\" can migrate: no KubeVirt "
                           "CR in the view",
                           plugin);
            return;
        }
        reg = mg_json_get(mg_json_get(mg_json_get(kv, "network"), "binding"), plugin);
        if (mg_json_get(reg, "migration") && !cJSON_IsNull(mg_json_get(reg, "migration")))
            return;
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM003, w->cap, field,
                       "binding plugin \"%.40s\" of interface \"%.40s\" has no migration in the "
                       "KubeVirt CR (network.binding.%.40s.migration): it cannot live-migrate",
                       plugin, iname, plugin);
        return;
    }
    if (strcmp(core, "bridge") == 0 && !mg_json_get(w->annotations, ANN_POD_BRIDGE))
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM003, w->cap, field,
                       "interface \"%.40s\" binds the pod network with bridge, which cannot "
                       "live-migrate; use masquerade",
                       iname);
    else if (strcmp(core, "slirp") == 0)
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM003, w->cap, field,
                       "interface \"%.40s\" binds the pod network with slirp, which cannot "
                       "live-migrate; use masquerade",
                       iname);
}

/* KubeVirt adds a pod interface to a VM that lists neither interfaces nor networks. */
static void check_implicit(const struct mg_vm_work *w, const cJSON *kv, const cJSON *devices)
{
    const cJSON *ifaces = array_of(devices, "interfaces"), *nets = array_of(w->spec, "networks");
    const char *dni;
    char field[FIELD_MAX];

    /* A VMI has it already: KubeVirt's VMI mutator (SetDefaultNetworkInterface) writes
     * it into the spec before any validating webhook or the view sees the VMI. */
    if (w->is_vmi || cJSON_GetArraySize(ifaces) > 0 || cJSON_GetArraySize(nets) > 0 ||
        cJSON_IsFalse(mg_json_get(devices, "autoattachPodInterface")))
        return;
    snprintf(field, sizeof(field), "%s.domain.devices.interfaces", w->base);
    if (!kv) {
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM003, MG_ACT_WARN, field,
                       "cannot determine the implicit pod interface's binding: no KubeVirt CR "
                       "in the view (defaultNetworkInterface)");
        return;
    }
    dni = mg_json_str(mg_json_get(kv, "network"), "defaultNetworkInterface");
    dni = dni && dni[0] ? dni : "bridge";
    if (strcmp(dni, "bridge") != 0 && strcmp(dni, "slirp") != 0 && strcmp(dni, "masquerade") != 0 &&
        strcmp(dni, "passt") != 0) {
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM003, MG_ACT_WARN, field,
                       "cannot determine if the implicit pod interface (KubeVirt CR "
                       "defaultNetworkInterface \"%.40s\") can migrate",
                       dni);
        return;
    }
    judge_binding(w, kv, field, "default (implicit)", dni, NULL);
}

/* VM004: the ports the documents reserve for migration. */
static void check_ports(const struct mg_vm_work *w, const cJSON *iface, int i, const char *iname,
                        bool tcp, bool *warned)
{
    const cJSON *p;
    char field[FIELD_MAX];
    int j = -1;

    cJSON_ArrayForEach (p, array_of(iface, "ports")) {
        const cJSON *port = mg_json_get(p, "port");

        j++;
        if (!cJSON_IsNumber(port) || (port->valuedouble != 49152 && port->valuedouble != 49153))
            continue;
        snprintf(field, sizeof(field), "%s.domain.devices.interfaces[%d].ports[%d].port", w->base,
                 i, j);
        if (tcp) {
            mg_verdict_add(w->v, w->cfg, MG_RULE_VM004, w->cap, field,
                           "masquerade interface \"%.40s\" lists port %d, which this VMI's legacy "
                           "TCP migration transport needs (49152 and 49153)",
                           iname, (int)port->valuedouble);
            continue;
        }
        if (*warned)
            return;
        *warned = true;
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM004, MG_ACT_WARN, field,
                       "interface \"%.40s\" lists port %d: 49152/49153 matter only on the legacy "
                       "TCP migration transport",
                       iname, (int)port->valuedouble);
    }
}

void mg_vmrules_interfaces(const struct mg_vm_work *w)
{
    const cJSON *devices = mg_json_get(mg_json_get(w->spec, "domain"), "devices"), *it;
    const cJSON *kv = mg_vmrules_kubevirt_config(w->view);
    const char *pod = pod_network(w->spec);
    const char *transport = mg_json_str(mg_json_get(w->obj, "status"), "migrationTransport");
    bool tcp = w->is_vmi && transport && strcmp(transport, "TCP") == 0, warned = false;
    static const char *const cores[] = {"bridge", "slirp", "masquerade", "passt", "passtBinding"};
    char field[FIELD_MAX];
    int i = -1;

    check_implicit(w, kv, devices);
    cJSON_ArrayForEach (it, array_of(devices, "interfaces")) {
        const char *iname = mg_json_str(it, "name");
        const char *plugin = mg_json_str(mg_json_get(it, "binding"), "name");

        i++;
        iname = iname ? iname : "";
        for (size_t c = 0; pod && strcmp(iname, pod) == 0 && c < sizeof(cores) / sizeof(cores[0]);
             c++) {
            if (!mg_json_get(it, cores[c]) || plugin)
                continue;
            snprintf(field, sizeof(field), "%s.domain.devices.interfaces[%d].%s", w->base, i,
                     cores[c]);
            judge_binding(w, kv, field, iname, cores[c], NULL);
        }
        if (pod && strcmp(iname, pod) == 0 && plugin) {
            snprintf(field, sizeof(field), "%s.domain.devices.interfaces[%d].binding", w->base, i);
            judge_binding(w, kv, field, iname, NULL, plugin);
        }
        /* Off the legacy transport the ports are a note, not a reason it cannot migrate
         * (MIG003 and the report ask only that). */
        if (mg_json_get(it, "masquerade") && (tcp || w->notes))
            check_ports(w, it, i, iname, tcp, &warned);
    }
}

/* A mediated vGPU that KubeVirt migrates: the gate is on and the device is mediated. */
static bool vgpu_migrates(const cJSON *kv, const cJSON *gpu)
{
    const cJSON *gates = array_of(mg_json_get(kv, "developerConfiguration"), "featureGates");
    const cJSON *mdevs = array_of(mg_json_get(kv, "permittedHostDevices"), "mediatedDevices");
    const char *dev = mg_json_str(gpu, "deviceName");
    const cJSON *it;
    bool gate = false;

    cJSON_ArrayForEach (it, gates)
        gate = gate || (cJSON_IsString(it) && strcmp(it->valuestring, GATE_VGPU) == 0);
    if (!gate || !dev)
        return false;
    cJSON_ArrayForEach (it, mdevs) {
        const char *rn = mg_json_str(it, "resourceName");

        if (rn && strcmp(rn, dev) == 0)
            return true;
    }
    return false;
}

static void check_gpus(const struct mg_vm_work *w, const struct mg_instancetype_eff *e,
                       const char *field)
{
    const cJSON *kv = mg_vmrules_kubevirt_config(w->view);
    int n = cJSON_GetArraySize(e->gpus);
    const char *dev = mg_json_str(cJSON_GetArrayItem(e->gpus, 0), "deviceName");

    if (n == 0)
        return;
    if (n > 1) {
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM005, w->cap, field,
                       "%d GPUs are assigned%s: a VM with more than one GPU cannot live-migrate", n,
                       e->gpus_from_it ? " by its instancetype" : "");
        return;
    }
    if (!kv) {
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM005, MG_ACT_WARN, field,
                       "cannot determine if GPU %.50s can migrate: no KubeVirt CR in the view",
                       dev ? dev : "?");
        return;
    }
    if (!vgpu_migrates(kv, cJSON_GetArrayItem(e->gpus, 0)))
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM005, w->cap, field,
                       "GPU %.60s%s cannot live-migrate: only a mediated vGPU (a KubeVirt CR "
                       "permittedHostDevices.mediatedDevices resourceName) with the "
                       "VGPULiveMigration feature gate can",
                       dev ? dev : "?", e->gpus_from_it ? " (from the instancetype)" : "");
}

void mg_vmrules_devices(const struct mg_vm_work *w)
{
    const cJSON *domain = mg_json_get(w->spec, "domain");
    const cJSON *hv = mg_json_get(mg_json_get(domain, "features"), "hypervPassthrough");
    struct mg_instancetype_eff e;
    char field[FIELD_MAX], itfield[FIELD_MAX];

    mg_instancetype_effective(w->obj, w->is_vmi, w->ns, w->view, &e);
    snprintf(itfield, sizeof(itfield), "spec.instancetype");
    if (e.missing)
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM005, MG_ACT_WARN, itfield,
                       "cannot determine the devices of %.40s %.63s: it is not in the view", e.kind,
                       e.name ? e.name : "?");
    if (cJSON_GetArraySize(e.host_devices) > 0) {
        snprintf(field, sizeof(field), "%s.domain.devices.hostDevices", w->base);
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM005, w->cap,
                       e.host_devices_from_it ? itfield : field,
                       "%d host device(s) are passed through%s: such a VM cannot live-migrate",
                       cJSON_GetArraySize(e.host_devices),
                       e.host_devices_from_it ? " by its instancetype" : "");
    }
    snprintf(field, sizeof(field), "%s.domain.devices.gpus", w->base);
    check_gpus(w, &e, e.gpus_from_it ? itfield : field);
    if (e.launch_security) {
        snprintf(field, sizeof(field), "%s.domain.launchSecurity", w->base);
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM005, w->cap,
                       e.launch_security_from_it ? itfield : field,
                       "launchSecurity%s (SEV/SNP/TDX confidential computing) blocks live "
                       "migration",
                       e.launch_security_from_it ? " from the instancetype" : "");
    }
    if (cJSON_IsTrue(mg_json_get(hv, "enabled"))) {
        snprintf(field, sizeof(field), "%s.domain.features.hypervPassthrough.enabled", w->base);
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM005, w->cap, field,
                       "features.hypervPassthrough is enabled, which blocks live migration");
    }
}
