/* SPDX-License-Identifier: Apache-2.0 */
/* vm.c - VM001-VM007 (RULES.md section 5): storage, hostDisks, pod-network binding,
 * migration ports, devices, placement well-formedness and migration targets of one
 * VirtualMachine (its template) or VirtualMachineInstance. VM001-VM005 and VM007 deny
 * only when the workload must live-migrate; VM006 always denies.
 * Pure functions of (object, view, config): no I/O, no allocation but the verdict's. */
#include "vm.h"

#include <stdio.h>
#include <string.h>

#include "access.h"
#include "nodefit.h"
#include "nodes.h"
#include "json.h"

#define FIELD_MAX 512
#define ANN_POD_BRIDGE "kubevirt.io/allow-pod-bridge-network-live-migration"

/* One workload under check: where its parts are, and the cap its findings get. */
struct wl {
    const cJSON *obj;
    bool is_vmi;
    const char *ns;
    const cJSON *spec;          /* pod-like spec: VMI spec, VM spec.template.spec */
    const char *base;           /* field path of spec */
    const cJSON *annotations;   /* VM: template annotations; VMI: its own */
    const cJSON *dv_templates;  /* VM only */
    const cJSON *volume_status; /* VMI only */
    const struct mg_store *view;
    const struct mg_config *cfg;
    struct mg_verdict *v;
    enum mg_action cap; /* MG_ACT_DENY when it must live-migrate */
};

static const cJSON *array_of(const cJSON *obj, const char *key)
{
    const cJSON *it = mg_json_get(obj, key);

    return cJSON_IsArray(it) ? it : NULL;
}

static const char *eviction_name(enum mg_eviction e)
{
    switch (e) {
    case MG_EVICT_LIVE_MIGRATE: return "LiveMigrate";
    case MG_EVICT_LIVE_MIGRATE_IF_POSSIBLE: return "LiveMigrateIfPossible";
    case MG_EVICT_EXTERNAL: return "External";
    default: return "None";
    }
}

enum mg_eviction mg_vm_default_eviction(const struct mg_store *view, const struct mg_config *cfg)
{
    const cJSON *const *items = NULL;
    enum mg_eviction e = MG_EVICT_NONE;
    const char *s;

    if (cfg->default_eviction != MG_EVICT_UNSET)
        return cfg->default_eviction;
    if (view && mg_store_list(view, "KubeVirt", &items) > 0) {
        s = mg_json_str(mg_json_get(mg_json_get(items[0], "spec"), "configuration"),
                        "evictionStrategy");
        if (s && mg_eviction_parse(s, &e))
            return e;
    }
    return MG_EVICT_NONE;
}

/* VM001 and VM002, volume by volume. */
static void check_volumes(const struct wl *w)
{
    const cJSON *it;
    char field[FIELD_MAX];
    int i = -1;

    cJSON_ArrayForEach (it, array_of(w->spec, "volumes")) {
        const char *vname = mg_json_str(it, "name");
        const cJSON *pvc = mg_json_get(it, "persistentVolumeClaim"),
                    *dv = mg_json_get(it, "dataVolume");
        const cJSON *hd = mg_json_get(it, "hostDisk");
        struct mg_volume_ref ref = {vname ? vname : "", NULL, false, w->ns, w->dv_templates,
                                    w->volume_status};
        struct mg_access acc;

        i++;
        vname = vname ? vname : "";
        if (cJSON_IsObject(hd) && !cJSON_IsTrue(mg_json_get(hd, "shared"))) {
            snprintf(field, sizeof(field), "%s.volumes[%d].hostDisk.shared", w->base, i);
            mg_verdict_add(w->v, w->cfg, MG_RULE_VM002, w->cap, field,
                           "hostDisk volume \"%.63s\" is not shared: set hostDisk.shared: true "
                           "to live-migrate",
                           vname);
        }
        if (cJSON_IsObject(pvc) && mg_json_str(pvc, "claimName")) {
            ref.claim = mg_json_str(pvc, "claimName");
            snprintf(field, sizeof(field), "%s.volumes[%d].persistentVolumeClaim", w->base, i);
        } else if (cJSON_IsObject(dv) && mg_json_str(dv, "name")) {
            ref.claim = mg_json_str(dv, "name");
            ref.data_volume = true;
            snprintf(field, sizeof(field), "%s.volumes[%d].dataVolume", w->base, i);
        } else {
            continue;
        }
        mg_access_resolve(&ref, w->view, &acc);
        if (!acc.known)
            mg_verdict_add(w->v, w->cfg, MG_RULE_VM001, MG_ACT_WARN, field,
                           "cannot determine the access mode of volume \"%.63s\": %s", vname,
                           acc.unknown);
        else if (!acc.rwx)
            mg_verdict_add(w->v, w->cfg, MG_RULE_VM001, w->cap, field,
                           "volume \"%.63s\" is %s (from %s), not ReadWriteMany: it cannot "
                           "live-migrate",
                           vname, acc.modes, acc.source);
    }
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

static void check_ports(const struct wl *w, const cJSON *iface, int i, const char *iname)
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
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM004, w->cap, field,
                       "masquerade interface \"%.63s\" lists port %d, which live migration "
                       "needs (49152 and 49153)",
                       iname, (int)port->valuedouble);
    }
}

/* VM003 and VM004. */
static void check_interfaces(const struct wl *w)
{
    const cJSON *devices = mg_json_get(mg_json_get(w->spec, "domain"), "devices"), *it;
    const char *pod = pod_network(w->spec);
    char field[FIELD_MAX];
    int i = -1;

    cJSON_ArrayForEach (it, array_of(devices, "interfaces")) {
        const char *iname = mg_json_str(it, "name");

        i++;
        iname = iname ? iname : "";
        if (pod && strcmp(iname, pod) == 0 && mg_json_get(it, "bridge") &&
            !mg_json_get(w->annotations, ANN_POD_BRIDGE)) {
            snprintf(field, sizeof(field), "%s.domain.devices.interfaces[%d].bridge", w->base, i);
            mg_verdict_add(w->v, w->cfg, MG_RULE_VM003, w->cap, field,
                           "interface \"%.63s\" binds the pod network with bridge, which cannot "
                           "live-migrate; use masquerade",
                           iname);
        }
        if (mg_json_get(it, "masquerade"))
            check_ports(w, it, i, iname);
    }
}

/* VM005. */
static void check_devices(const struct wl *w)
{
    const cJSON *domain = mg_json_get(w->spec, "domain"), *devices = mg_json_get(domain, "devices");
    const cJSON *hostdevs = array_of(devices, "hostDevices"), *gpus = array_of(devices, "gpus");
    const cJSON *ls = mg_json_get(domain, "launchSecurity");
    const cJSON *hv = mg_json_get(mg_json_get(domain, "features"), "hypervPassthrough");
    char field[FIELD_MAX];

    if (hostdevs && cJSON_GetArraySize(hostdevs) > 0) {
        snprintf(field, sizeof(field), "%s.domain.devices.hostDevices", w->base);
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM005, w->cap, field,
                       "%d host device(s) are passed through: such a VM cannot live-migrate",
                       cJSON_GetArraySize(hostdevs));
    }
    if (gpus && cJSON_GetArraySize(gpus) > 1) {
        snprintf(field, sizeof(field), "%s.domain.devices.gpus", w->base);
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM005, w->cap, field,
                       "%d GPUs are assigned: a VM with more than one GPU cannot live-migrate",
                       cJSON_GetArraySize(gpus));
    }
    if (ls && !cJSON_IsNull(ls)) {
        snprintf(field, sizeof(field), "%s.domain.launchSecurity", w->base);
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM005, w->cap, field,
                       "launchSecurity (SEV/TDX confidential computing) blocks live migration");
    }
    if (cJSON_IsTrue(mg_json_get(hv, "enabled"))) {
        snprintf(field, sizeof(field), "%s.domain.features.hypervPassthrough.enabled", w->base);
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM005, w->cap, field,
                       "features.hypervPassthrough is enabled, which blocks live migration");
    }
}

/* VM006 and VM007; fills the node counts of facts. */
static void check_placement(const struct wl *w, struct mg_vm_facts *facts)
{
    struct mg_placement p;
    struct mg_nodefit nf;
    const char *own = NULL;
    size_t problems = mg_nodes_check_placement(w->spec, w->base, w->cfg, w->v), n, fit;

    if (!mg_store_knows(w->view, "Node"))
        return;
    n = mg_store_count(w->view, "Node");
    mg_placement_from_spec(&p, w->spec);
    if (w->is_vmi)
        own = mg_json_str(mg_json_get(w->obj, "status"), "nodeName");
    /* The node index answers as mg_nodes_count's scan, without reading every node. */
    mg_nodefit_query(w->view, &p, own, &nf);
    fit = nf.fit;
    facts->nodes_known = true;
    facts->fitting_nodes = fit;
    facts->target_nodes = nf.others;
    /* Malformed rules were just denied; counting nodes for them would say nothing. */
    if (problems > 0 || fit >= 2)
        return;
    if (fit == 1)
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM007, w->cap, w->base,
                       "only node %.63s can run this VM (nodeSelector, affinity, taints): "
                       "there is no second node to migrate to",
                       nf.first ? nf.first : "?");
    else
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM007, w->cap, w->base,
                       "no schedulable node of %zu satisfies the nodeSelector, affinity and "
                       "taints: there is no migration target",
                       n);
}

/* The dataVolumeTemplates of the VirtualMachine that owns a VMI, when the view has it:
 * a VMI started from a VM has its volumes from those templates (RULES.md 9.9 puts "the
 * template" first for a VMI too). */
static const cJSON *owner_templates(const struct mg_store *view, const cJSON *meta, const char *ns)
{
    const cJSON *ref;

    cJSON_ArrayForEach (ref, mg_json_get(meta, "ownerReferences")) {
        const char *kind = mg_json_str(ref, "kind"), *name = mg_json_str(ref, "name");

        if (kind && name && strcmp(kind, "VirtualMachine") == 0)
            return mg_json_get(mg_json_get(mg_store_get(view, "VirtualMachine", ns, name), "spec"),
                               "dataVolumeTemplates");
    }
    return NULL;
}

static void workload_of(struct wl *w, const cJSON *obj, bool is_vmi, const char *ns)
{
    const cJSON *meta = mg_json_get(obj, "metadata"), *spec = mg_json_get(obj, "spec");

    w->obj = obj;
    w->is_vmi = is_vmi;
    w->ns = ns ? ns : mg_json_str(meta, "namespace");
    w->ns = w->ns ? w->ns : "";
    if (is_vmi) {
        w->spec = spec;
        w->base = "spec";
        w->annotations = mg_json_get(meta, "annotations");
        w->volume_status = mg_json_get(mg_json_get(obj, "status"), "volumeStatus");
        w->dv_templates = owner_templates(w->view, meta, w->ns);
    } else {
        const cJSON *tmpl = mg_json_get(spec, "template");

        w->spec = mg_json_get(tmpl, "spec");
        w->base = "spec.template.spec";
        w->annotations = mg_json_get(mg_json_get(tmpl, "metadata"), "annotations");
        w->dv_templates = mg_json_get(spec, "dataVolumeTemplates");
    }
}

int mg_vm_check(const cJSON *obj, bool is_vmi, const char *ns, const struct mg_store *view,
                const struct mg_config *cfg, unsigned flags, struct mg_verdict *v,
                struct mg_vm_facts *facts)
{
    struct mg_vm_facts local;
    struct wl w = {0};
    enum mg_eviction e = MG_EVICT_NONE;
    const char *es;

    if (!facts)
        facts = &local;
    memset(facts, 0, sizeof(*facts));
    w.view = view;
    w.cfg = cfg;
    w.v = v;
    workload_of(&w, obj, is_vmi, ns);
    es = mg_json_str(w.spec, "evictionStrategy");
    if (!es)
        e = mg_vm_default_eviction(view, cfg);
    else if (!mg_eviction_parse(es, &e))
        e = MG_EVICT_NONE;
    facts->must_migrate = e == MG_EVICT_LIVE_MIGRATE;
    facts->eviction = es && e == MG_EVICT_NONE ? es : eviction_name(e);
    w.cap = (facts->must_migrate || (flags & MG_VM_FORCE_MUST)) ? MG_ACT_DENY : MG_ACT_WARN;
    check_volumes(&w);
    check_interfaces(&w);
    check_devices(&w);
    if (!(flags & MG_VM_MIGRATION_ONLY))
        check_placement(&w, facts);
    return 0;
}

/* The old object was denied for the same rule on the same field. */
static bool denied_before(const struct mg_verdict *old, const struct mg_finding *f)
{
    for (size_t i = 0; i < old->n; i++) {
        if (old->items[i].rule == f->rule && old->items[i].action == MG_ACT_DENY &&
            strcmp(old->items[i].field, f->field) == 0)
            return true;
    }
    return false;
}

int mg_vm_validate(const struct mg_vctx *ctx)
{
    const struct mg_request *req = ctx->req;
    bool is_vmi = strcmp(req->kind, "VirtualMachineInstance") == 0;
    const char *ns = req->namespace_ && req->namespace_[0] ? req->namespace_ : NULL;
    struct mg_verdict now, old;
    bool same_spec;

    /* RULES.md 9.13: DELETE (and anything but CREATE/UPDATE) passes without findings. */
    if ((req->op != MG_OP_CREATE && req->op != MG_OP_UPDATE) || !cJSON_IsObject(req->object))
        return 0;
    if (req->op == MG_OP_CREATE || !cJSON_IsObject(req->old_object))
        return mg_vm_check(req->object, is_vmi, ns, ctx->view, ctx->cfg, 0, ctx->v, NULL);
    /* An update that leaves the spec alone (metadata, finalizers, a VMI's status written
     * by KubeVirt's own controllers) cannot make the workload less migratable. */
    same_spec =
        cJSON_Compare(mg_json_get(req->object, "spec"), mg_json_get(req->old_object, "spec"), 1);
    mg_verdict_init(&now);
    mg_verdict_init(&old);
    mg_vm_check(req->object, is_vmi, ns, ctx->view, ctx->cfg, 0, &now, NULL);
    mg_vm_check(req->old_object, is_vmi, ns, ctx->view, ctx->cfg, 0, &old, NULL);
    for (size_t i = 0; i < now.n; i++) {
        const struct mg_finding *f = &now.items[i];
        size_t skip = strlen(mg_rule_id(f->rule)) + 3; /* "[VM001] " */
        enum mg_action cap = same_spec || denied_before(&old, f) ? MG_ACT_WARN : f->action;

        mg_verdict_add(ctx->v, ctx->cfg, f->rule, cap, f->field, "%s",
                       strlen(f->message) >= skip ? f->message + skip : f->message);
    }
    if (now.oom || old.oom)
        ctx->v->oom = true;
    mg_verdict_free(&now);
    mg_verdict_free(&old);
    return 0;
}
