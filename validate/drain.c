/* SPDX-License-Identifier: Apache-2.0 */
/* drain.c - the drain question for `migguard report` and the server's metrics: each
 * VMI on the drained nodes checked by the VM rules (vm.h) as if it must move, its
 * targets once the drained nodes are cordoned (nodefit.h, or a scan that also says what
 * ruled each other node out), its outcome by eviction strategy, its policy and
 * settings, and the drain time estimate (drain_time.h). Reads the view only. */
#include "drain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mp.h"
#include "nodefit.h"
#include "nodes.h"
#include "nodewhy.h"
#include "policy.h"
#include "vm.h"

struct ctx {
    const struct mg_store *view;
    struct mg_config rc; /* every rule not off counts as deny: a warning is undetermined */
    const struct mg_drain_opts *o;
    struct mg_drain_report *r;
    const char **drained; /* sorted names */
    size_t n_drained;
    const cJSON *const *nodes; /* every Node of the view (borrowed) */
    size_t n_nodes;
    char **running; /* "ns/name" of every VMI, sorted after the walk */
    size_t n_running, cap_running;
    int rc_err;
};

static const char *const outcome_names[MG_DRAIN_OUTCOMES] = {"migrate", "shutdown", "block",
                                                             "unknown", "stopped"};

const char *mg_drain_outcome_name(enum mg_drain_outcome o)
{
    return o < MG_DRAIN_OUTCOMES ? outcome_names[o] : "unknown";
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool drained(const struct ctx *c, const char *name)
{
    return name && c->n_drained &&
           bsearch(&name, c->drained, c->n_drained, sizeof(*c->drained), cmp_str);
}

static char *dup_or_null(const char *s, bool *oom)
{
    char *d = s ? strdup(s) : NULL;

    if (s && !d)
        *oom = true;
    return d;
}

/* Count n nodes under why; past the table's room, under "other conditions". */
static void tally(struct mg_drain_item *it, const char *why, size_t n, bool *oom)
{
    size_t i;

    for (i = 0; i < it->n_ruled; i++)
        if (strcmp(it->ruled[i].why, why) == 0) {
            it->ruled[i].nodes += n;
            return;
        }
    if (it->n_ruled == MG_DRAIN_RULED_MAX - 1)
        why = "other conditions";
    if (it->n_ruled == MG_DRAIN_RULED_MAX) {
        it->ruled[MG_DRAIN_RULED_MAX - 1].nodes += n;
        return;
    }
    it->ruled[it->n_ruled].why = dup_or_null(why, oom);
    if (it->ruled[it->n_ruled].why)
        it->ruled[it->n_ruled++].nodes = n;
}

/* The words of a ruled-out condition, one function each so that the scan and the index
 * name a condition alike (tally merges the counts by these strings). */
static void say_lack(char *buf, size_t len, const char *key, const char *value)
{
    snprintf(buf, len, "lack %.253s=%.63s", key, value);
}

static void say_taint(char *buf, size_t len, const char *key, const char *value, const char *effect)
{
    snprintf(buf, len, "have the untolerated taint %.253s%s%.63s:%s", key, *value ? "=" : "", value,
             effect);
}

static const char affinity_words[] = "fail the required node affinity";

/* The first condition of p that node fails, in the scheduler's words. */
static void why_not(const struct mg_placement *p, const struct mg_kvlabels *kv, const cJSON *node,
                    char *buf, size_t len)
{
    const cJSON *labels = mg_json_get(mg_json_get(node, "metadata"), "labels"), *it;
    const cJSON *sel = cJSON_IsObject(p->node_selector) ? p->node_selector : NULL;

    /* KubeVirt's own launcher-pod labels (RULES.md 9.11). */
    for (size_t i = 0; i < kv->n; i++) {
        const char *have = kv->l[i].unsat ? NULL : mg_json_str(labels, kv->l[i].key);

        if (!have || strcmp(have, "true") != 0) {
            snprintf(buf, len, "lack %.253s=true", kv->l[i].unsat ? "a CPU model" : kv->l[i].key);
            return;
        }
    }
    cJSON_ArrayForEach (it, sel) {
        const char *have = mg_json_str(labels, it->string);

        if (mg_nodematch_replaced(kv, it->string, false))
            continue;
        if (!cJSON_IsString(it) || !have || strcmp(have, it->valuestring) != 0) {
            say_lack(buf, len, it->string, cJSON_IsString(it) ? it->valuestring : "?");
            return;
        }
    }
    if (!mg_nodematch_affinity(p->affinity, node)) {
        snprintf(buf, len, "%s", affinity_words);
        return;
    }
    cJSON_ArrayForEach (it, mg_json_get(mg_json_get(node, "spec"), "taints")) {
        const char *k = mg_json_str(it, "key"), *v = mg_json_str(it, "value"),
                   *e = mg_json_str(it, "effect");

        if (mg_nodematch_filtering_effect(e) && !mg_nodematch_tolerated(p->tolerations, k, v, e)) {
            say_taint(buf, len, k ? k : "", v ? v : "", e);
            return;
        }
    }
    snprintf(buf, len, "fail other placement conditions");
}

/* Every node but own, one at a time: targets, the first of them, and why not the rest. */
static void scan(const struct ctx *c, const struct mg_placement *p, const char *own,
                 struct mg_drain_item *it, bool *oom)
{
    char why[400];
    struct mg_kvlabels kv;

    mg_nodefit_kubevirt(c->view, p, &kv);
    it->targets = 0;
    it->explained = true;
    for (size_t i = 0; i < c->n_nodes; i++) {
        const cJSON *node = c->nodes[i];
        const char *name = mg_json_name(node);

        if (own && name && strcmp(name, own) == 0)
            continue;
        if (drained(c, name)) {
            tally(it, "being drained", 1, oom);
        } else if (!mg_nodematch_schedulable(node)) {
            tally(it, "cordoned", 1, oom);
        } else if (mg_nodematch_fit(p, &kv, MG_NODEFIT_TARGETS, node)) {
            if (it->targets++ == 0)
                it->target = dup_or_null(name, oom);
        } else {
            why_not(p, &kv, node, why, sizeof(why));
            tally(it, why, 1, oom);
        }
    }
}

/* The same answer as scan for a VMI no node can take when nothing is drained, from the
 * node index (popcounts over postings, RULES.md 9.15) instead of a walk over every node:
 * a whole-cluster report asks it of every such VMI. A node failing two conditions counts
 * under both. false when the index cannot answer (the caller scans). */
static bool ruled_from_index(const struct ctx *c, const struct mg_placement *p, const char *own,
                             struct mg_drain_item *it, bool *oom)
{
    struct mg_nodewhy w;
    char why[400];

    if (mg_nodewhy_fill(c->view, p, MG_NODEFIT_TARGETS, own, &w) != 0)
        return false;
    it->explained = true;
    for (size_t i = 0; i < w.n; i++) {
        const char *k = w.c[i].key ? w.c[i].key : "", *v = w.c[i].value ? w.c[i].value : "";

        if (w.c[i].what == 'L')
            say_lack(why, sizeof(why), k, v);
        else if (w.c[i].what == 'T')
            say_taint(why, sizeof(why), k, v, w.c[i].effect == 'S' ? "NoSchedule" : "NoExecute");
        else if (w.c[i].what == 'A')
            snprintf(why, sizeof(why), "%s", affinity_words);
        else if (w.c[i].what == 'C')
            snprintf(why, sizeof(why), "cordoned");
        else
            snprintf(why, sizeof(why), "fail: %.253s is not a map", k);
        tally(it, why, w.c[i].count, oom);
    }
    return true;
}

static void drop_rule(struct mg_verdict *v, enum mg_rule rule)
{
    size_t k = 0;

    for (size_t i = 0; i < v->n; i++) {
        if (v->items[i].rule == rule) {
            free(v->items[i].field);
            free(v->items[i].message);
        } else {
            v->items[k++] = v->items[i];
        }
    }
    v->n = k;
}

static void live_migratable(struct mg_verdict *v, const cJSON *vmi, const struct mg_config *rc)
{
    const cJSON *cnd;
    char field[64];
    int i = -1;

    cJSON_ArrayForEach (cnd, mg_json_get(mg_json_get(vmi, "status"), "conditions")) {
        const char *type = mg_json_str(cnd, "type"), *st = mg_json_str(cnd, "status");

        i++;
        if (!type || !st || strcmp(type, "LiveMigratable") != 0 || strcmp(st, "False") != 0)
            continue;
        snprintf(field, sizeof(field), "status.conditions[%d]", i);
        mg_verdict_add(v, rc, MG_RULE_MIG003, MG_ACT_DENY, field,
                       "KubeVirt reports LiveMigratable=False: %.100s: %.300s",
                       mg_json_str(cnd, "reason") ? mg_json_str(cnd, "reason") : "(no reason)",
                       mg_json_str(cnd, "message") ? mg_json_str(cnd, "message") : "(no message)");
    }
}

/* "3 cordoned, 2 lack zone=a" into buf. */
static void ruled_text(const struct mg_drain_item *it, char *buf, size_t len)
{
    size_t at = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < it->n_ruled && at < len; i++) {
        int w = snprintf(buf + at, len - at, "%s%zu %s", i ? ", " : "", it->ruled[i].nodes,
                         it->ruled[i].why);

        if (w < 0)
            break;
        at += (size_t)w;
    }
}

/* The memory a migration moves: the guest's current memory, else what it asked for. */
static uint64_t memory_of(const cJSON *vmi)
{
    const cJSON *dom = mg_json_get(mg_json_get(vmi, "spec"), "domain");
    const char *texts[] = {
        mg_json_str(mg_json_get(mg_json_get(vmi, "status"), "memory"), "guestCurrent"),
        mg_json_str(mg_json_get(dom, "memory"), "guest"),
        mg_json_str(mg_json_get(mg_json_get(dom, "resources"), "requests"), "memory")};

    for (size_t i = 0; i < 3; i++) {
        struct mg_quantity q;
        int64_t v;

        if (texts[i] && mg_quantity_parse(texts[i], &q, NULL) == 0 &&
            (v = mg_quantity_value(&q)) > 0)
            return (uint64_t)v;
    }
    return 0;
}

static void settings_of(const struct ctx *c, const cJSON *obj, struct mg_drain_item *it, bool *oom)
{
    struct mg_policy_match m = {0};

    it->settings = c->r->cluster;
    if (mg_policy_resolve_workload(c->view, obj, &m) == 0 && m.policy) {
        it->policy = dup_or_null(m.name, oom);
        mg_mp_settings_apply(&it->settings, &m.fields);
    }
    it->settings.network = NULL;
}

static enum mg_drain_outcome outcome_of(const char *eviction, const char *migratable)
{
    enum mg_eviction e = MG_EVICT_NONE;

    if (!eviction || !mg_eviction_parse(eviction, &e))
        e = MG_EVICT_NONE;
    if (e == MG_EVICT_NONE || e == MG_EVICT_EXTERNAL || e == MG_EVICT_UNSET)
        return MG_DRAIN_SHUTDOWN;
    if (strcmp(migratable, "yes") == 0)
        return MG_DRAIN_MIGRATE;
    if (strcmp(migratable, "unknown") == 0)
        return MG_DRAIN_UNKNOWN;
    return e == MG_EVICT_LIVE_MIGRATE ? MG_DRAIN_BLOCK : MG_DRAIN_SHUTDOWN;
}

static const char *verdict_word(const struct mg_verdict *v, bool no_target, bool nodes_known)
{
    bool undetermined = !nodes_known;

    for (size_t i = 0; i < v->n; i++) {
        if (v->items[i].action == MG_ACT_DENY)
            return "no";
        undetermined = true;
    }
    return no_target ? "no" : undetermined ? "unknown" : "yes";
}

/* One VMI: reasons, targets, outcome, policy and settings, its migration's figures. */
static void analyze_vmi(const struct ctx *c, const cJSON *obj, struct mg_drain_item *it,
                        bool explain, bool *oom)
{
    const cJSON *meta = mg_json_get(obj, "metadata"), *st = mg_json_get(obj, "status");
    const char *own = mg_json_str(st, "nodeName");
    struct mg_vm_facts facts = {0};
    struct mg_placement p;
    struct mg_nodefit nf;

    it->ns = dup_or_null(mg_json_str(meta, "namespace") ? mg_json_str(meta, "namespace") : "", oom);
    it->name = dup_or_null(mg_json_name_or(obj, ""), oom);
    it->node = dup_or_null(own, oom);
    it->phase = dup_or_null(mg_json_str(st, "phase") ? mg_json_str(st, "phase") : "Unknown", oom);
    mg_verdict_init(&it->v);
    mg_vm_check(obj, true, NULL, c->view, &c->rc, MG_VM_FORCE_MUST, &it->v, &facts);
    it->eviction = dup_or_null(facts.eviction ? facts.eviction : "None", oom);
    /* VM007 asks about placement with the VMI's own node counted; a running VMI's
     * question is where it can go now, which the targets answer (RULES.md 9.15). */
    drop_rule(&it->v, MG_RULE_VM007);
    live_migratable(&it->v, obj, &c->rc);
    it->nodes_known = mg_store_knows(c->view, "Node");
    if (it->nodes_known) {
        mg_placement_for_move(&p, c->view, mg_json_get(obj, "spec"), own);
        if (explain || c->n_drained) {
            scan(c, &p, own, it, oom);
        } else {
            mg_nodefit_query(c->view, &p, MG_NODEFIT_TARGETS, own, &nf);
            it->targets = nf.others;
            it->target = dup_or_null(nf.first_other, oom);
            if (it->targets == 0 && !ruled_from_index(c, &p, own, it, oom))
                scan(c, &p, own, it, oom);
        }
        if (it->targets == 0) {
            char why[600];

            ruled_text(it, why, sizeof(why));
            mg_verdict_add(&it->v, &c->rc, MG_RULE_MIG007, MG_ACT_DENY, "status.nodeName",
                           "no node can take it once %s %s cordoned: %s",
                           c->n_drained ? "the drained nodes"
                           : own        ? own
                                        : "its node",
                           c->n_drained > 1 ? "are" : "is",
                           why[0] ? why : "the view has no other node");
        }
    }
    it->migratable = verdict_word(&it->v, it->nodes_known && it->targets == 0, it->nodes_known);
    it->outcome = outcome_of(it->eviction, it->migratable);
    settings_of(c, obj, it, oom);
    it->mig.bytes = memory_of(obj);
    it->mig.bandwidth_mib = mg_quantity_mebibytes(&it->settings.bandwidth);
    it->mig.timeout_per_gib = it->settings.completion_timeout;
    it->mig.allow_disruption = it->settings.allow_workload_disruption;
    it->mig.allow_post_copy = it->settings.allow_post_copy;
    it->estimated = it->outcome == MG_DRAIN_MIGRATE;
    mg_drain_time_one(&it->mig, c->r->link_gbps);
    if (it->v.oom)
        *oom = true;
}

static struct mg_drain_item *grow(struct mg_drain_report *r)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        struct mg_drain_item *p = realloc(r->items, cap * sizeof(*p));

        if (!p)
            return NULL;
        r->items = p;
        r->cap = cap;
    }
    memset(&r->items[r->n], 0, sizeof(r->items[0]));
    mg_verdict_init(&r->items[r->n].v);
    return &r->items[r->n++];
}

static int remember_running(struct ctx *c, const char *ns, const char *name)
{
    size_t len = strlen(ns) + strlen(name) + 2;
    char *key;

    if (c->n_running == c->cap_running) {
        size_t cap = c->cap_running ? c->cap_running * 2 : 256;
        char **p = realloc(c->running, cap * sizeof(*p));

        if (!p)
            return MG_ENOMEM;
        c->running = p;
        c->cap_running = cap;
    }
    if (!(key = malloc(len)))
        return MG_ENOMEM;
    snprintf(key, len, "%s/%s", ns, name);
    c->running[c->n_running++] = key;
    return 0;
}

static int vmi_one(void *arg, const cJSON *obj)
{
    struct ctx *c = arg;
    const cJSON *meta = mg_json_get(obj, "metadata"), *st = mg_json_get(obj, "status");
    const char *ns = mg_json_str(meta, "namespace"), *phase = mg_json_str(st, "phase");
    const char *node = mg_json_str(st, "nodeName");
    struct mg_drain_item *it;
    bool oom = false;

    ns = ns ? ns : "";
    if (c->o->stopped && remember_running(c, ns, mg_json_name_or(obj, "")))
        return MG_ENOMEM;
    if (phase && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0))
        return 0;
    if ((c->o->ns && strcmp(c->o->ns, ns) != 0) || (c->n_drained && !drained(c, node)))
        return 0;
    if (!(it = grow(c->r)))
        return MG_ENOMEM;
    analyze_vmi(c, obj, it, c->o->explain, &oom);
    /* The PVCs and VMs looked up for this VMI were decoded for it alone. */
    mg_store_release();
    return oom ? MG_ENOMEM : 0;
}

/* One stopped VM (obj, of namespace ns, named name). */
static int vm_one(struct ctx *c, const cJSON *obj, const char *ns, const char *name)
{
    struct mg_vm_facts facts = {0};
    struct mg_drain_item *it;
    bool oom = false;

    if (!(it = grow(c->r)))
        return MG_ENOMEM;
    it->vm = true;
    it->ns = dup_or_null(ns, &oom);
    it->name = dup_or_null(name, &oom);
    it->phase = dup_or_null("Stopped", &oom);
    mg_vm_check(obj, false, NULL, c->view, &c->rc, MG_VM_FORCE_MUST, &it->v, &facts);
    it->eviction = dup_or_null(facts.eviction ? facts.eviction : "None", &oom);
    it->nodes_known = facts.nodes_known;
    it->targets = facts.target_nodes;
    it->migratable = verdict_word(&it->v, false, true);
    it->outcome = MG_DRAIN_STOPPED;
    settings_of(c, obj, it, &oom);
    return oom || it->v.oom ? MG_ENOMEM : 0;
}

/* The VMs that do not run: only those are decoded (a running VM is its VMI's row). */
static int stopped_vms(struct ctx *c)
{
    const char *ns, *name;
    char key[600], *kp = key;
    int rc = 0;

    for (size_t i = 0; rc == 0 && mg_store_key_at(c->view, "VirtualMachine", i, &ns, &name); i++) {
        const cJSON *obj;

        snprintf(key, sizeof(key), "%s/%s", ns, name);
        if ((c->o->ns && strcmp(c->o->ns, ns) != 0) ||
            (c->n_running && bsearch(&kp, c->running, c->n_running, sizeof(char *), cmp_str)))
            continue;
        obj = mg_store_get(c->view, "VirtualMachine", ns, name);
        rc = obj ? vm_one(c, obj, ns, name) : 0;
        mg_store_release();
    }
    return rc;
}

static int item_cmp(const void *a, const void *b)
{
    const struct mg_drain_item *x = a, *y = b;
    int d = (int)x->vm - (int)y->vm;

    if (d == 0)
        d = strcmp(x->ns, y->ns);
    return d ? d : strcmp(x->name, y->name);
}

/* The queue of the migrations, in the report's order, from each VMI's node. */
static int estimate(struct ctx *c)
{
    struct mg_drain_report *r = c->r;
    struct mg_drain_mig *m = NULL;
    size_t n = 0;
    int rc;

    for (size_t i = 0; i < r->n; i++) {
        if (!r->items[i].estimated)
            continue;
        r->migrations++;
        r->late += r->items[i].mig.fate != MG_FATE_IN_TIME;
        r->no_memory += r->items[i].mig.bytes == 0;
    }
    if (!c->n_drained || r->migrations == 0)
        return 0;
    if (!(m = calloc(r->migrations, sizeof(*m))))
        return MG_ENOMEM;
    for (size_t i = 0; i < r->n; i++) {
        const char *node = r->items[i].node;
        const char **at;

        if (!r->items[i].estimated)
            continue;
        at = bsearch(&node, c->drained, c->n_drained, sizeof(*c->drained), cmp_str);
        m[n] = r->items[i].mig;
        m[n++].source = at ? (size_t)(at - c->drained) : 0;
    }
    rc = mg_drain_time_schedule(m, n, c->n_drained, r->cluster.parallel_cluster,
                                r->cluster.parallel_node, &r->seconds);
    n = 0;
    for (size_t i = 0; rc == 0 && i < r->n; i++)
        if (r->items[i].estimated)
            r->items[i].mig = m[n++];
    free(m);
    return rc;
}

/* Reasons do not depend on configured actions: every rule not off counts as deny, so
 * that a warning left in a verdict means "cannot determine". */
static void deny_all(struct mg_config *rc)
{
    for (unsigned i = 0; i < MG_RULE_COUNT; i++)
        if (rc->actions[i] != MG_ACT_OFF)
            rc->actions[i] = MG_ACT_DENY;
}

static int setup(struct ctx *c, struct mg_err *err)
{
    c->r->nodes_known = mg_store_knows(c->view, "Node");
    c->r->nodes = mg_store_count(c->view, "Node");
    c->n_nodes = c->r->nodes_known ? mg_store_list(c->view, "Node", &c->nodes) : 0;
    if (c->o->n_nodes && !c->r->nodes_known)
        return mg_err_set(err, MG_EINVAL,
                          "the view has no Nodes: --node needs them (list nodes into the "
                          "state directory, or read the cluster with --kubeconfig)");
    c->drained = calloc(c->o->n_nodes ? c->o->n_nodes : 1, sizeof(*c->drained));
    if (!c->drained)
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->o->n_nodes; i++) {
        if (!mg_store_get(c->view, "Node", "", c->o->nodes[i]))
            return mg_err_set(err, MG_ENOTFOUND,
                              "node \"%.253s\" is not in the view: check the name with "
                              "`kubectl get nodes`",
                              c->o->nodes[i]);
        if (!drained(c, c->o->nodes[i])) {
            c->drained[c->n_drained++] = c->o->nodes[i];
            qsort(c->drained, c->n_drained, sizeof(*c->drained), cmp_str);
        }
    }
    return 0;
}

int mg_drain_analyze(const struct mg_store *view, const struct mg_config *cfg,
                     const struct mg_drain_opts *opts, struct mg_drain_report *out,
                     struct mg_err *err)
{
    struct ctx c = {.view = view, .o = opts, .r = out, .rc = *cfg};
    int rc;

    memset(out, 0, sizeof(*out));
    deny_all(&c.rc);
    out->drain = opts->n_nodes > 0;
    out->link_gbps = opts->link_gbps > 0 ? opts->link_gbps : 10;
    mg_lmc_settings_cluster(&out->cluster, view, cfg);
    out->cluster.network = NULL;
    if ((rc = setup(&c, err)) != 0)
        goto out;
    if ((rc = mg_store_each(view, "VirtualMachineInstance", vmi_one, &c)) != 0)
        goto oom;
    if (c.n_running)
        qsort(c.running, c.n_running, sizeof(*c.running), cmp_str);
    if (opts->stopped && (rc = stopped_vms(&c)) != 0)
        goto oom;
    if (out->n)
        qsort(out->items, out->n, sizeof(*out->items), item_cmp);
    for (size_t i = 0; i < out->n; i++)
        out->counts[out->items[i].outcome]++;
    if ((rc = estimate(&c)) == 0)
        goto out;
oom:
    rc = mg_err_set(err, MG_ENOMEM, "out of memory");
out:
    free(c.drained);
    for (size_t i = 0; i < c.n_running; i++)
        free(c.running[i]);
    free(c.running);
    if (rc)
        mg_drain_free(out);
    return rc;
}

static void item_free(struct mg_drain_item *it)
{
    free(it->ns);
    free(it->name);
    free(it->node);
    free(it->phase);
    free(it->eviction);
    free(it->policy);
    free(it->target);
    for (size_t k = 0; k < it->n_ruled; k++)
        free(it->ruled[k].why);
    mg_verdict_free(&it->v);
}

void mg_drain_free(struct mg_drain_report *out)
{
    for (size_t i = 0; i < out->n; i++)
        item_free(&out->items[i]);
    free(out->items);
    memset(out, 0, sizeof(*out));
}

int mg_drain_vmi_blocks(const struct mg_store *view, const struct mg_config *cfg, const cJSON *obj,
                        bool *block, bool rules[MG_RULE_COUNT])
{
    struct mg_drain_opts o = {0};
    struct mg_drain_report r = {0};
    struct ctx c = {.view = view, .o = &o, .r = &r, .rc = *cfg};
    struct mg_drain_item it;
    bool oom = false;

    memset(rules, 0, MG_RULE_COUNT * sizeof(rules[0]));
    deny_all(&c.rc);
    r.link_gbps = 10;
    mg_lmc_settings_cluster(&r.cluster, view, cfg);
    c.n_nodes = mg_store_knows(view, "Node") ? mg_store_list(view, "Node", &c.nodes) : 0;
    memset(&it, 0, sizeof(it));
    analyze_vmi(&c, obj, &it, false, &oom);
    *block = it.outcome == MG_DRAIN_BLOCK;
    for (size_t i = 0; i < it.v.n; i++)
        if (it.v.items[i].action == MG_ACT_DENY)
            rules[it.v.items[i].rule] = true;
    item_free(&it);
    return oom ? MG_ENOMEM : 0;
}
