/* SPDX-License-Identifier: Apache-2.0 */
/* mig.c - MIG001-MIG008 on a VirtualMachineInstanceMigration CREATE (RULES.md section 6
 * and 9.12): name, VMI, its migratability (VM001-VM005 as MIG003), other migrations,
 * addedNodeSelector syntax and conflicts, a target node other than the current one, and
 * the parallel limits. Checks needing a kind the view does not know are skipped.
 * Pure function of (request, view, config); allocates only a merged selector. */
#include "mig.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lmc.h"
#include "names.h"
#include "nodefit.h"
#include "nodewhy.h"
#include "nodes.h"
#include "vm.h"
#include "json.h"

#define KIND_VMI "VirtualMachineInstance"
#define KIND_VMIM "VirtualMachineInstanceMigration"

struct mig {
    const struct mg_vctx *ctx;
    const char *ns;
    const char *name;     /* the migration's own name ("" when generated) */
    const char *vmi_name; /* NULL when MIG001 failed */
    const cJSON *added;   /* spec.addedNodeSelector when it is a valid map, else NULL */
    const cJSON *vmi;     /* the VMI in the view, NULL when unknown or missing */
};

static bool finished(const char *phase)
{
    return phase && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0);
}

static void add(const struct mig *m, enum mg_rule rule, enum mg_action cap, const char *field,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add(const struct mig *m, enum mg_rule rule, enum mg_action cap, const char *field,
                const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mg_verdict_add(m->ctx->v, m->ctx->cfg, rule, cap, field, "%s", msg);
}

static void check_name(struct mig *m, const cJSON *spec)
{
    const cJSON *it = mg_json_get(spec, "vmiName");
    char why[160];

    if (!cJSON_IsString(it) || !it->valuestring[0])
        add(m, MG_RULE_MIG001, MG_ACT_DENY, "spec.vmiName",
            "spec.vmiName is required: name the VirtualMachineInstance to migrate");
    else if (!mg_name_dns1123_subdomain_ok(it->valuestring, why, sizeof(why)))
        add(m, MG_RULE_MIG001, MG_ACT_DENY, "spec.vmiName", "spec.vmiName \"%.63s\": %s",
            it->valuestring, why);
    else
        m->vmi_name = it->valuestring;
}

/* MIG005; keeps the selector for MIG006/MIG007 only when all of it is valid. */
static void check_added(struct mig *m, const cJSON *added)
{
    char field[512], why[160];
    const cJSON *it;
    bool ok = true;

    if (!added || cJSON_IsNull(added))
        return;
    if (!cJSON_IsObject(added)) {
        add(m, MG_RULE_MIG005, MG_ACT_DENY, "spec.addedNodeSelector",
            "spec.addedNodeSelector must be a map of node label key to value");
        return;
    }
    cJSON_ArrayForEach (it, added) {
        snprintf(field, sizeof(field), "spec.addedNodeSelector.%s", it->string);
        if (!mg_name_label_key_ok(it->string, why, sizeof(why))) {
            add(m, MG_RULE_MIG005, MG_ACT_DENY, field, "addedNodeSelector key \"%.63s\": %s",
                it->string, why);
            ok = false;
        } else if (!cJSON_IsString(it)) {
            add(m, MG_RULE_MIG005, MG_ACT_DENY, field,
                "addedNodeSelector value of \"%.63s\" must be a string (quote it)", it->string);
            ok = false;
        } else if (!mg_name_label_value_ok(it->valuestring, why, sizeof(why))) {
            add(m, MG_RULE_MIG005, MG_ACT_DENY, field, "addedNodeSelector value of \"%.63s\": %s",
                it->string, why);
            ok = false;
        }
    }
    if (ok)
        m->added = added;
}

/* MIG002: the VMI exists and is not finished. Returns it when the checks on it apply. */
static void find_vmi(struct mig *m)
{
    const cJSON *vmi;
    const char *phase;

    if (!m->vmi_name || !mg_store_knows(m->ctx->view, KIND_VMI))
        return;
    vmi = mg_store_get(m->ctx->view, KIND_VMI, m->ns, m->vmi_name);
    if (!vmi) {
        add(m, MG_RULE_MIG002, MG_ACT_DENY, "spec.vmiName",
            "no VirtualMachineInstance %.63s in namespace %.63s: is the VM running?", m->vmi_name,
            m->ns);
        return;
    }
    phase = mg_json_str(mg_json_get(vmi, "status"), "phase");
    if (finished(phase)) {
        add(m, MG_RULE_MIG002, MG_ACT_DENY, "spec.vmiName",
            "VirtualMachineInstance %.63s has phase %s: a finished VMI cannot migrate", m->vmi_name,
            phase);
        return;
    }
    m->vmi = vmi;
}

/* A decentralized migration: exactly one of spec.sendTo and spec.receive. */
static bool decentralized(const cJSON *spec)
{
    const cJSON *send = mg_json_get(spec, "sendTo"), *recv = mg_json_get(spec, "receive");
    bool has_send = send && !cJSON_IsNull(send), has_recv = recv && !cJSON_IsNull(recv);

    return has_send != has_recv;
}

/* MIG003: VM001-VM005 on the VMI, and its LiveMigratable condition. Their own configured
 * actions do not apply here: MIG003's does (a "cannot determine" stays a warning). As
 * KubeVirt's migration admitter: volumes a volume migration moves are left out of
 * VM001, VM004 counts only on the legacy TCP transport (vm.c), and a decentralized
 * migration moves no disks, so it skips VM001 and a DisksNotLiveMigratable condition. */
static void check_migratable(struct mig *m, bool no_disks)
{
    struct mg_config cfg = *m->ctx->cfg;
    const enum mg_rule rules[] = {MG_RULE_VM001, MG_RULE_VM002, MG_RULE_VM003, MG_RULE_VM004,
                                  MG_RULE_VM005};
    struct mg_verdict inner;
    const cJSON *c;

    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        cfg.actions[rules[i]] = MG_ACT_DENY;
    mg_verdict_init(&inner);
    mg_vm_check(m->vmi, true, m->ns, m->ctx->view, &cfg,
                MG_VM_MIGRATION_ONLY | MG_VM_FORCE_MUST | (no_disks ? MG_VM_NO_STORAGE : 0u),
                &inner, NULL);
    for (size_t i = 0; i < inner.n; i++)
        add(m, MG_RULE_MIG003, inner.items[i].action, "spec.vmiName", "%s", inner.items[i].message);
    if (inner.oom)
        m->ctx->v->oom = true;
    mg_verdict_free(&inner);
    cJSON_ArrayForEach (c, mg_json_get(mg_json_get(m->vmi, "status"), "conditions")) {
        const char *type = mg_json_str(c, "type"), *status = mg_json_str(c, "status");
        const char *reason = mg_json_str(c, "reason"), *msg = mg_json_str(c, "message");

        if (!type || strcmp(type, "LiveMigratable") != 0 || !status ||
            strcmp(status, "False") != 0 ||
            (no_disks && reason && strcmp(reason, "DisksNotLiveMigratable") == 0))
            continue;
        add(m, MG_RULE_MIG003, MG_ACT_DENY, "spec.vmiName",
            "KubeVirt reports VMI %.63s not live-migratable: %.100s: %.300s", m->vmi_name,
            reason ? reason : "(no reason)", msg ? msg : "(no message)");
    }
}

/* MIG006. */
static void check_conflicts(const struct mig *m)
{
    const cJSON *own = mg_json_get(mg_json_get(m->vmi, "spec"), "nodeSelector"), *it;
    char field[512];

    cJSON_ArrayForEach (it, m->added) {
        const char *have = mg_json_str(own, it->string);

        if (!have || strcmp(have, it->valuestring) == 0)
            continue;
        snprintf(field, sizeof(field), "spec.addedNodeSelector.%s", it->string);
        add(m, MG_RULE_MIG006, MG_ACT_DENY, field,
            "addedNodeSelector %.63s=%.63s contradicts the VMI's nodeSelector value %.63s; "
            "KubeVirt keeps the VMI's value and drops this one",
            it->string, it->valuestring, have);
    }
}

/* The added keys KubeVirt keeps: those the VMI's own nodeSelector does not set. */
static cJSON *effective_added(const cJSON *added, const cJSON *own)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *list = out ? added : NULL, *it;

    cJSON_ArrayForEach (it, list) {
        if (mg_json_get(own, it->string))
            continue;
        if (!cJSON_AddStringToObject(out, it->string, it->valuestring)) {
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}

/* A host-model VMI on a node of a KubeVirt view without a host-model-cpu.node.kubevirt.io/
 * label: KubeVirt finds no model for the target pod (migration.go getHostCpuModelFromMap
 * fails) unless the VMI migrated before and its pod carries one; the view cannot tell. */
static void host_model_unknown(const struct mig *m, const struct mg_placement *p, const char *own)
{
    const struct mg_store *view = m->ctx->view;

    if (!own || p->host_model || !p->cpu_model || strcmp(p->cpu_model, "host-model") != 0 ||
        !mg_store_get(view, "Node", "", own) || !mg_nodefit_kubevirt_view(view))
        return;
    add(m, MG_RULE_MIG007, MG_ACT_WARN, "spec.vmiName",
        "cannot determine the host-model CPU of node %.63s (it has no "
        "host-model-cpu.node.kubevirt.io/ label): KubeVirt finds no target unless the VMI "
        "migrated before; check virt-handler's node labeller on that node",
        own);
}

/* MIG007: some node other than the current one takes the VMI now (RULES.md 9.11): not
 * cordoned, and for a host-model VMI one its source node's CPU model can move to. */
static int check_target(const struct mig *m)
{
    const cJSON *spec = mg_json_get(m->vmi, "spec");
    const char *own = mg_json_str(mg_json_get(m->vmi, "status"), "nodeName");
    struct mg_placement p;
    struct mg_nodewhy why;
    cJSON *added = NULL;
    char text[600];

    if (!mg_store_knows(m->ctx->view, "Node") || (!m->vmi && !m->added))
        return 0;
    /* A VMI the view should have but lacks is MIG002's finding, not this one's. */
    if (!m->vmi && mg_store_knows(m->ctx->view, KIND_VMI))
        return 0;
    if (m->vmi) {
        added = effective_added(m->added, mg_json_get(spec, "nodeSelector"));
        if (!added)
            return MG_ENOMEM;
        mg_placement_for_move(&p, m->ctx->view, spec, own);
        p.added_selector = added;
    } else {
        /* VMIs unknown: the added labels alone must still name some node. */
        memset(&p, 0, sizeof(p));
        p.added_selector = m->added;
    }
    host_model_unknown(m, &p, own);
    if (mg_nodefit_targets(m->ctx->view, &p, own, NULL) == 0) {
        text[0] = '\0';
        if (mg_nodewhy_fill(m->ctx->view, &p, MG_NODEFIT_TARGETS, own, &why) == 0)
            mg_nodewhy_text(&why, text, sizeof(text));
        /* The fix last: a warning keeps its last clause (mg_verdict_cut). */
        add(m, MG_RULE_MIG007, MG_ACT_DENY, m->added ? "spec.addedNodeSelector" : "spec.vmiName",
            "no node%s%.63s can take this VMI now, the migration would time out%s%s; %s",
            own ? " other than " : "", own ? own : "", text[0] ? ": " : "", text,
            m->added ? "relax addedNodeSelector, or uncordon, label or untaint a node"
                     : "uncordon, label or untaint a node");
    }
    cJSON_Delete(added);
    return 0;
}

/* MIG004 and MIG008 over the migrations in the view. */
static void check_others(const struct mig *m)
{
    const cJSON *const *items = NULL;
    const struct mg_store *view = m->ctx->view;
    const char *own_node = mg_json_str(mg_json_get(m->vmi, "status"), "nodeName");
    size_t n = mg_store_list(view, KIND_VMIM, &items), running = 0, from_node = 0;
    struct mg_lmc_settings s;

    for (size_t i = 0; i < n; i++) {
        const cJSON *meta = mg_json_get(items[i], "metadata");
        const char *ns = mg_json_str(meta, "namespace"), *name = mg_json_str(meta, "name");
        const char *vmi = mg_json_str(mg_json_get(items[i], "spec"), "vmiName");
        const char *phase = mg_json_str(mg_json_get(items[i], "status"), "phase");
        const char *src;

        ns = ns ? ns : "";
        if (finished(phase) || (strcmp(ns, m->ns) == 0 && name && strcmp(name, m->name) == 0))
            continue;
        running++;
        if (m->vmi_name && vmi && strcmp(ns, m->ns) == 0 && strcmp(vmi, m->vmi_name) == 0)
            add(m, MG_RULE_MIG004, MG_ACT_DENY, "spec.vmiName",
                "migration %.63s of VMI %.63s is still %.32s: wait for it or delete it",
                name ? name : "?", vmi, phase ? phase : "pending");
        src = vmi ? mg_json_str(mg_json_get(mg_store_get(view, KIND_VMI, ns, vmi), "status"),
                                "nodeName")
                  : NULL;
        if (own_node && src && strcmp(src, own_node) == 0)
            from_node++;
    }
    mg_lmc_settings_cluster(&s, view, m->ctx->cfg);
    if ((int64_t)running >= s.parallel_cluster)
        add(m, MG_RULE_MIG008, MG_ACT_WARN, "spec.vmiName",
            "this migration will queue: %zu migrations are unfinished "
            "(parallelMigrationsPerCluster %lld)",
            running, (long long)s.parallel_cluster);
    if (own_node && (int64_t)from_node >= s.parallel_node)
        add(m, MG_RULE_MIG008, MG_ACT_WARN, "spec.vmiName",
            "this migration will queue: %zu already leave node %.63s "
            "(parallelOutboundMigrationsPerNode %lld)",
            from_node, own_node, (long long)s.parallel_node);
}

int mg_mig_validate(const struct mg_vctx *ctx)
{
    const struct mg_request *req = ctx->req;
    const cJSON *obj = req->object, *spec = mg_json_get(obj, "spec");
    const char *ns = req->namespace_ && req->namespace_[0]
                         ? req->namespace_
                         : mg_json_str(mg_json_get(obj, "metadata"), "namespace");
    const char *name = mg_json_name(obj);
    struct mig m = {ctx, ns ? ns : "", name ? name : "", NULL, NULL, NULL};

    /* RULES.md 9.13: UPDATE (status changes) and DELETE pass without findings. */
    if (req->op != MG_OP_CREATE || !cJSON_IsObject(obj))
        return 0;
    check_name(&m, spec);
    check_added(&m, mg_json_get(spec, "addedNodeSelector"));
    find_vmi(&m);
    if (m.vmi) {
        check_migratable(&m, decentralized(spec));
        check_conflicts(&m);
    }
    if (m.vmi_name && check_target(&m))
        return MG_ENOMEM;
    check_others(&m);
    return 0;
}
