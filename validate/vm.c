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
#include "instancetype.h"
#include "nodes.h"
#include "json.h"
#include "lmc.h"
#include "names.h"
#include "vmrules.h"

#define FIELD_MAX 512

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
    enum mg_eviction e = MG_EVICT_NONE;
    const char *s;

    if (cfg->default_eviction != MG_EVICT_UNSET)
        return cfg->default_eviction;
    if (!view)
        return MG_EVICT_NONE;
    s = mg_json_str(mg_vmrules_kubevirt_config(view), "evictionStrategy");
    if (s && mg_eviction_parse(s, &e))
        return e;
    /* HCO copies its spec.evictionStrategy into the KubeVirt CR (controllers/operands/
     * kubevirt.go); a view without the CR still has it on the HyperConverged. */
    s = mg_json_str(mg_json_get(mg_lmc_hco_pick(view), "spec"), "evictionStrategy");
    if (s && mg_eviction_parse(s, &e))
        return e;
    return MG_EVICT_NONE;
}

/* KubeVirt's migration admitter leaves a volume that a volume migration moves (the
 * VMI's status.migratedVolumes) out of the storage check. */
static bool migrated(const cJSON *vmi, const char *volume)
{
    const cJSON *it;

    cJSON_ArrayForEach (it, array_of(mg_json_get(vmi, "status"), "migratedVolumes")) {
        const char *n = mg_json_str(it, "volumeName");

        if (n && strcmp(n, volume) == 0)
            return true;
    }
    return false;
}

/* VM001 (unless storage is false) and VM002, volume by volume. */
static void check_volumes(const struct mg_vm_work *w, bool storage)
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
        if (!storage || (w->migration && migrated(w->obj, vname)))
            continue;
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

/* VM006 and VM007; fills the node counts of facts. */
static void check_placement(const struct mg_vm_work *w, struct mg_vm_facts *facts)
{
    struct mg_nodes_ask a = {w->view, w->spec, NULL, false};
    struct mg_instancetype_eff eff;
    size_t problems = mg_nodes_check_placement(w->spec, w->base, w->cfg, w->v);

    if (!mg_store_knows(w->view, "Node"))
        return;
    if (w->is_vmi)
        a.own = mg_json_str(mg_json_get(w->obj, "status"), "nodeName");
    /* Dedicated CPUs from an instancetype need kubevirt.io/cpumanager too (RULES 9.11). */
    mg_instancetype_effective(w->obj, w->is_vmi, w->ns, w->view, &eff);
    a.dedicated_cpu = eff.dedicated_cpu;
    /* The node index answers, without reading every node (validate/nodes.h). */
    mg_nodes_where(&a, &facts->fitting_nodes, &facts->target_nodes);
    facts->nodes_known = true;
    /* Malformed rules were just denied; counting nodes for them would say nothing. */
    if (problems == 0)
        mg_nodes_vm007(&a, w->base, facts->fitting_nodes, w->cfg, w->cap, w->v);
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

static void workload_of(struct mg_vm_work *w, const cJSON *obj, bool is_vmi, const char *ns)
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

/* VM006: KubeVirt knows four eviction strategies; anything else (a typo such as
 * LiveMigration) would silently mean "not LiveMigrate". */
static void bad_eviction(const struct mg_vm_work *w, const char *es)
{
    static const char *const valid[] = {"None", "LiveMigrate", "LiveMigrateIfPossible", "External"};
    const char *near = mg_name_closest(es, valid, sizeof(valid) / sizeof(valid[0]));
    char field[FIELD_MAX];

    snprintf(field, sizeof(field), "%s.evictionStrategy", w->base);
    if (near)
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM006, MG_ACT_DENY, field,
                       "evictionStrategy \"%.63s\" is not one of KubeVirt's values: did you mean "
                       "%s?",
                       es, near);
    else
        mg_verdict_add(w->v, w->cfg, MG_RULE_VM006, MG_ACT_DENY, field,
                       "evictionStrategy \"%.63s\" is not one of None, LiveMigrate, "
                       "LiveMigrateIfPossible, External",
                       es);
}

int mg_vm_check(const cJSON *obj, bool is_vmi, const char *ns, const struct mg_store *view,
                const struct mg_config *cfg, unsigned flags, struct mg_verdict *v,
                struct mg_vm_facts *facts)
{
    struct mg_vm_facts local;
    struct mg_vm_work w = {0};
    enum mg_eviction e = MG_EVICT_NONE;
    const char *es;

    if (!facts)
        facts = &local;
    memset(facts, 0, sizeof(*facts));
    w.view = view;
    w.cfg = cfg;
    w.v = v;
    workload_of(&w, obj, is_vmi, ns);
    w.migration = (flags & MG_VM_MIGRATION_ONLY) != 0;
    w.notes = !w.migration && !(flags & MG_VM_FORCE_MUST);
    es = mg_json_str(w.spec, "evictionStrategy");
    if (!es)
        e = mg_vm_default_eviction(view, cfg);
    else if (!mg_eviction_parse(es, &e)) {
        e = MG_EVICT_NONE;
        if (!w.migration)
            bad_eviction(&w, es);
    }
    facts->must_migrate = e == MG_EVICT_LIVE_MIGRATE;
    facts->eviction = es && e == MG_EVICT_NONE ? es : eviction_name(e);
    w.cap = (facts->must_migrate || (flags & MG_VM_FORCE_MUST)) ? MG_ACT_DENY : MG_ACT_WARN;
    check_volumes(&w, !(flags & MG_VM_NO_STORAGE));
    mg_vmrules_interfaces(&w);
    mg_vmrules_devices(&w);
    if (!w.migration)
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

/* RULES.md section 8: a VMI that KubeVirt itself creates or updates (its controller or
 * handler service account, in any namespace, or a VMI a VirtualMachine controls). */
static bool kubevirt_own(const struct mg_request *req)
{
    static const char prefix[] = "system:serviceaccount:";
    const char *u = req->username, *name;
    const cJSON *ref;

    if (u && strncmp(u, prefix, sizeof(prefix) - 1) == 0 &&
        (name = strchr(u + sizeof(prefix) - 1, ':')) != NULL && name > u + sizeof(prefix) - 1 &&
        (strcmp(name + 1, "kubevirt-controller") == 0 || strcmp(name + 1, "kubevirt-handler") == 0))
        return true;
    cJSON_ArrayForEach (ref, mg_json_get(mg_json_get(req->object, "metadata"), "ownerReferences")) {
        const char *kind = mg_json_str(ref, "kind");

        if (kind && strcmp(kind, "VirtualMachine") == 0 &&
            cJSON_IsTrue(mg_json_get(ref, "controller")))
            return true;
    }
    return false;
}

int mg_vm_validate(const struct mg_vctx *ctx)
{
    const struct mg_request *req = ctx->req;
    bool is_vmi = strcmp(req->kind, "VirtualMachineInstance") == 0;
    const char *ns = req->namespace_ && req->namespace_[0] ? req->namespace_ : NULL;
    bool update, lower;
    struct mg_verdict now, old;

    /* RULES.md 9.13: DELETE (and anything but CREATE/UPDATE) passes without findings. */
    if ((req->op != MG_OP_CREATE && req->op != MG_OP_UPDATE) || !cJSON_IsObject(req->object))
        return 0;
    update = req->op == MG_OP_UPDATE && cJSON_IsObject(req->old_object);
    /* The VM was judged when a person wrote it: its VMI only warns (section 8). An
     * update that leaves the spec alone (metadata, finalizers, a VMI's status written
     * by KubeVirt's own controllers) cannot make the workload less migratable. */
    lower = (is_vmi && kubevirt_own(req)) ||
            (update && cJSON_Compare(mg_json_get(req->object, "spec"),
                                     mg_json_get(req->old_object, "spec"), 1));
    mg_verdict_init(&now);
    mg_verdict_init(&old);
    mg_vm_check(req->object, is_vmi, ns, ctx->view, ctx->cfg, 0, &now, NULL);
    if (update && !lower)
        mg_vm_check(req->old_object, is_vmi, ns, ctx->view, ctx->cfg, 0, &old, NULL);
    for (size_t i = 0; i < now.n; i++) {
        const struct mg_finding *f = &now.items[i];
        size_t skip = strlen(mg_rule_id(f->rule)) + 3; /* "[VM001] " */
        enum mg_action cap = lower || denied_before(&old, f) ? MG_ACT_WARN : f->action;

        mg_verdict_add(ctx->v, ctx->cfg, f->rule, cap, f->field, "%s",
                       strlen(f->message) >= skip ? f->message + skip : f->message);
    }
    if (now.oom || old.oom)
        ctx->v->oom = true;
    mg_verdict_free(&now);
    mg_verdict_free(&old);
    return 0;
}
