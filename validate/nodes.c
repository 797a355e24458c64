/* SPDX-License-Identifier: Apache-2.0 */
/* nodes.c - the scheduler's node filters for what KubeVirt workloads carry (the
 * matching is cluster/nodematch.c's; mg_nodes_count is the plain scan the node index
 * answers as) and VM006, the API server's well-formedness rules for the same fields.
 * Pure functions over borrowed cJSON: no allocation but the verdict's. */
#include "nodes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "names.h"
#include "nodefit.h"
#include "nodewhy.h"

#define FIELD_MAX 512

void mg_placement_from_spec(struct mg_placement *p, const cJSON *spec)
{
    const cJSON *cpu;

    memset(p, 0, sizeof(*p));
    if (!cJSON_IsObject(spec))
        return;
    p->node_selector = mg_json_get(spec, "nodeSelector");
    p->affinity = mg_json_get(spec, "affinity");
    p->tolerations = mg_json_get(spec, "tolerations");
    cpu = mg_json_get(mg_json_get(spec, "domain"), "cpu");
    p->dedicated_cpu = cJSON_IsTrue(mg_json_get(cpu, "dedicatedCpuPlacement"));
    p->cpu_model = mg_json_str(cpu, "model");
}

bool mg_nodes_selector_match(const cJSON *selector, const cJSON *labels)
{
    return mg_nodematch_selector(selector, labels);
}

bool mg_nodes_requirement_match(const cJSON *req, const cJSON *labels)
{
    const char *key = mg_json_str(req, "key");

    return mg_nodematch_requirement(req, key ? mg_json_str(labels, key) : NULL);
}

bool mg_nodes_term_match(const cJSON *term, const cJSON *node)
{
    return mg_nodematch_term(term, node);
}

bool mg_nodes_affinity_match(const cJSON *affinity, const cJSON *node)
{
    return mg_nodematch_affinity(affinity, node);
}

bool mg_nodes_toleration_matches(const cJSON *t, const cJSON *taint)
{
    return mg_nodematch_toleration(t, mg_json_str(taint, "key"), mg_json_str(taint, "value"),
                                   mg_json_str(taint, "effect"));
}

bool mg_nodes_taints_tolerated(const cJSON *tolerations, const cJSON *node)
{
    return mg_nodematch_taints(tolerations, node);
}

bool mg_nodes_schedulable(const cJSON *node)
{
    return mg_nodematch_schedulable(node);
}

/* The plain scan: the reference the node index (cluster/node_index.h) answers as. */
size_t mg_nodes_count(const struct mg_placement *p, const cJSON *const *nodes, size_t n,
                      enum mg_nodefit_mode mode, const char *exclude, const char **first)
{
    struct mg_nodefit nf;

    mg_nodefit_scan(nodes, n, p, mode, exclude, &nf);
    if (first)
        *first = nf.first_other;
    return nf.others;
}

/* ---- VM007 and the report's targets (RULES.md 9.11, 9.15) ---- */

/* A host-model VMI's migration needs its source node's model (KubeVirt's migration
 * controller, pkg/virt-controller/watch/migration/migration.go: only for the model
 * "host-model" as written in the VMI's spec). */
void mg_placement_for_move(struct mg_placement *p, const struct mg_store *view, const cJSON *spec,
                           const char *own)
{
    mg_placement_from_spec(p, spec);
    if (own && p->cpu_model && strcmp(p->cpu_model, "host-model") == 0)
        p->host_model = mg_nodefit_host_model(view, own);
}

void mg_nodes_where(const struct mg_nodes_ask *a, size_t *fitting, size_t *targets)
{
    struct mg_placement p;
    struct mg_nodefit nf;

    mg_placement_from_spec(&p, a->spec);
    p.dedicated_cpu = p.dedicated_cpu || a->dedicated_cpu;
    mg_nodefit_query(a->view, &p, MG_NODEFIT_PLACEMENT, NULL, &nf);
    *fitting = nf.fit;
    mg_placement_for_move(&p, a->view, a->spec, a->own);
    p.dedicated_cpu = p.dedicated_cpu || a->dedicated_cpu;
    *targets = mg_nodefit_targets(a->view, &p, a->own, NULL);
}

void mg_nodes_vm007(const struct mg_nodes_ask *a, const char *field, size_t fitting,
                    const struct mg_config *cfg, enum mg_action cap, struct mg_verdict *v)
{
    const struct mg_store *view = a->view;
    struct mg_placement p;
    struct mg_nodefit nf;
    struct mg_nodewhy why;
    char text[600];

    if (fitting >= 2)
        return;
    mg_placement_from_spec(&p, a->spec);
    p.dedicated_cpu = p.dedicated_cpu || a->dedicated_cpu;
    mg_nodefit_query(view, &p, MG_NODEFIT_PLACEMENT, NULL, &nf);
    text[0] = '\0';
    if (mg_nodewhy_fill(view, &p, MG_NODEFIT_PLACEMENT, NULL, &why) == 0)
        mg_nodewhy_text(&why, text, sizeof(text));
    /* The fix last: a warning keeps its last clause (mg_verdict_cut). */
    if (nf.fit == 1)
        mg_verdict_add(v, cfg, MG_RULE_VM007, cap, field,
                       "only node %.63s can run this VM, none to migrate to%s%s; "
                       "widen its placement, or label, untaint or add a node",
                       nf.first ? nf.first : "?", text[0] ? ": " : "", text);
    else
        mg_verdict_add(v, cfg, MG_RULE_VM007, cap, field,
                       "none of the %zu nodes can run this VM%s%s; widen its placement, or "
                       "label, untaint or add nodes",
                       mg_store_count(view, "Node"), text[0] ? ": " : "", text);
}

/* ---- VM006: well-formedness ---- */

struct checker {
    const struct mg_config *cfg;
    struct mg_verdict *v;
    size_t problems;
};

/* A field path; a path longer than FIELD_MAX is cut (it only labels a finding). */
static void set_path(char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_path(char *out, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(out, len, fmt, ap);
    va_end(ap);
}

static void problem(struct checker *c, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct checker *c, const char *field, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mg_verdict_add(c->v, c->cfg, MG_RULE_VM006, MG_ACT_DENY, field, "%s", msg);
    c->problems++;
}

static void check_node_selector(struct checker *c, const cJSON *sel, const char *base)
{
    char field[FIELD_MAX], why[160];
    const cJSON *it;

    set_path(field, sizeof(field), "%s.nodeSelector", base);
    if (!sel || cJSON_IsNull(sel))
        return;
    if (!cJSON_IsObject(sel)) {
        problem(c, field, "nodeSelector must be a map of label key to value");
        return;
    }
    cJSON_ArrayForEach (it, sel) {
        set_path(field, sizeof(field), "%s.nodeSelector.%s", base, it->string);
        if (!mg_name_label_key_ok(it->string, why, sizeof(why)))
            problem(c, field, "nodeSelector key \"%.63s\": %s", it->string, why);
        else if (!cJSON_IsString(it))
            problem(c, field, "nodeSelector value of \"%.63s\" must be a string", it->string);
        else if (!mg_name_label_value_ok(it->valuestring, why, sizeof(why)))
            problem(c, field, "nodeSelector value of \"%.63s\": %s", it->string, why);
    }
}

/* The value rules of each operator, as the API server's ValidateNodeSelectorRequirement. */
static void check_values(struct checker *c, const char *op, const cJSON *values, const char *field)
{
    int n = cJSON_IsArray(values) ? cJSON_GetArraySize(values) : 0;
    const cJSON *it;
    long long dummy;

    if (values && !cJSON_IsNull(values) && !cJSON_IsArray(values)) {
        problem(c, field, "values must be a list of strings (operator %s)", op);
        return;
    }
    cJSON_ArrayForEach (it, values) {
        if (!cJSON_IsString(it)) {
            problem(c, field, "values must be strings (operator %s)", op);
            return;
        }
    }
    if ((strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0) && n == 0)
        problem(c, field, "operator %s needs at least one value", op);
    else if ((strcmp(op, "Exists") == 0 || strcmp(op, "DoesNotExist") == 0) && n != 0)
        problem(c, field, "operator %s takes no values", op);
    else if ((strcmp(op, "Gt") == 0 || strcmp(op, "Lt") == 0) &&
             (n != 1 ||
              !mg_nodematch_parse_int(cJSON_GetArrayItem(values, 0)->valuestring, &dummy)))
        problem(c, field, "operator %s needs exactly one integer value", op);
}

static void check_requirement(struct checker *c, const cJSON *req, const char *at, bool field_req)
{
    static const char *const ops[] = {"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"};
    const char *key = mg_json_str(req, "key"), *op = mg_json_str(req, "operator");
    char field[FIELD_MAX], why[160];
    bool known = false;

    set_path(field, sizeof(field), "%s.key", at);
    if (!cJSON_IsObject(req)) {
        problem(c, at, "a node selector requirement must be an object");
        return;
    }
    if (field_req && (!key || strcmp(key, "metadata.name") != 0))
        problem(c, field, "matchFields supports only the key metadata.name, not \"%.63s\"",
                key ? key : "");
    else if (!field_req && !mg_name_label_key_ok(key, why, sizeof(why)))
        problem(c, field, "key \"%.63s\": %s", key ? key : "", why);
    set_path(field, sizeof(field), "%s.operator", at);
    for (size_t i = 0; op && i < sizeof(ops) / sizeof(ops[0]); i++)
        known = known || strcmp(op, ops[i]) == 0;
    if (!known) {
        problem(c, field,
                "operator \"%.32s\" is not one of In, NotIn, Exists, DoesNotExist, "
                "Gt, Lt",
                op ? op : "");
        return;
    }
    set_path(field, sizeof(field), "%s.values", at);
    if (field_req && ((strcmp(op, "In") != 0 && strcmp(op, "NotIn") != 0) ||
                      cJSON_GetArraySize(mg_json_get(req, "values")) != 1))
        problem(c, field, "matchFields needs operator In or NotIn with exactly one value");
    else
        check_values(c, op, mg_json_get(req, "values"), field);
}

static void check_term(struct checker *c, const cJSON *term, const char *at)
{
    static const char *const parts[] = {"matchExpressions", "matchFields"};
    char field[FIELD_MAX];

    if (!cJSON_IsObject(term)) {
        problem(c, at, "a node selector term must be an object");
        return;
    }
    for (size_t p = 0; p < 2; p++) {
        const cJSON *list = mg_json_get(term, parts[p]), *it;
        int i = 0;

        if (list && !cJSON_IsNull(list) && !cJSON_IsArray(list)) {
            set_path(field, sizeof(field), "%s.%s", at, parts[p]);
            problem(c, field, "%s must be a list", parts[p]);
            continue;
        }
        cJSON_ArrayForEach (it, list) {
            set_path(field, sizeof(field), "%s.%s[%d]", at, parts[p], i++);
            check_requirement(c, it, field, p == 1);
        }
    }
}

static void check_node_affinity(struct checker *c, const cJSON *na, const char *at)
{
    const cJSON *req = mg_json_get(na, "requiredDuringSchedulingIgnoredDuringExecution");
    const cJSON *pref = mg_json_get(na, "preferredDuringSchedulingIgnoredDuringExecution");
    const cJSON *terms = mg_json_get(req, "nodeSelectorTerms"), *it;
    const cJSON *term_list = cJSON_IsArray(terms) ? terms : NULL;
    const cJSON *pref_list = cJSON_IsArray(pref) ? pref : NULL;
    char field[FIELD_MAX];
    int i = 0;

    if (req && !cJSON_IsNull(req)) {
        set_path(field, sizeof(field),
                 "%s.requiredDuringSchedulingIgnoredDuringExecution."
                 "nodeSelectorTerms",
                 at);
        if (!cJSON_IsArray(terms) || cJSON_GetArraySize(terms) == 0)
            problem(c, field, "required node affinity needs at least one nodeSelectorTerm");
        cJSON_ArrayForEach (it, term_list) {
            set_path(field, sizeof(field),
                     "%s.requiredDuringSchedulingIgnoredDuringExecution."
                     "nodeSelectorTerms[%d]",
                     at, i++);
            check_term(c, it, field);
        }
    }
    i = 0;
    cJSON_ArrayForEach (it, pref_list) {
        const cJSON *w = mg_json_get(it, "weight");

        set_path(field, sizeof(field), "%s.preferredDuringSchedulingIgnoredDuringExecution[%d]", at,
                 i++);
        if (!cJSON_IsNumber(w) || w->valuedouble < 1 || w->valuedouble > 100 ||
            w->valuedouble != (double)(int)w->valuedouble)
            problem(c, field,
                    "preferred node affinity weight must be a whole number from 1 "
                    "to 100");
        /* The term's own path keeps .preference (RULES.md 5 VM006). */
        set_path(field, sizeof(field),
                 "%s.preferredDuringSchedulingIgnoredDuringExecution[%d].preference", at, i - 1);
        check_term(c, mg_json_get(it, "preference"), field);
    }
}

/* As the API server's ValidateTolerations. */
static void check_toleration(struct checker *c, const cJSON *t, const char *at)
{
    const char *key = mg_json_str(t, "key"), *op = mg_json_str(t, "operator");
    const char *value = mg_json_str(t, "value"), *effect = mg_json_str(t, "effect");
    char why[160];

    if (!cJSON_IsObject(t)) {
        problem(c, at, "a toleration must be an object");
        return;
    }
    if (key && key[0] && !mg_name_label_key_ok(key, why, sizeof(why)))
        problem(c, at, "toleration key \"%.63s\": %s", key, why);
    if ((!key || !key[0]) && (!op || strcmp(op, "Exists") != 0))
        problem(c, at, "a toleration without a key must use operator Exists");
    if (op && op[0] && strcmp(op, "Equal") != 0 && strcmp(op, "Exists") != 0)
        problem(c, at, "toleration operator \"%.32s\" is not Equal or Exists", op);
    else if (op && strcmp(op, "Exists") == 0 && value && value[0])
        problem(c, at, "toleration operator Exists takes no value (got \"%.63s\")", value);
    else if (value && !mg_name_label_value_ok(value, why, sizeof(why)))
        problem(c, at, "toleration value \"%.63s\": %s", value, why);
    if (effect && effect[0] && strcmp(effect, "NoSchedule") != 0 &&
        strcmp(effect, "PreferNoSchedule") != 0 && strcmp(effect, "NoExecute") != 0)
        problem(c, at,
                "toleration effect \"%.32s\" is not NoSchedule, PreferNoSchedule or "
                "NoExecute",
                effect);
    if (mg_json_get(t, "tolerationSeconds") && !cJSON_IsNull(mg_json_get(t, "tolerationSeconds")) &&
        (!effect || strcmp(effect, "NoExecute") != 0))
        problem(c, at, "tolerationSeconds applies only to effect NoExecute");
}

size_t mg_nodes_check_placement(const cJSON *spec, const char *base, const struct mg_config *cfg,
                                struct mg_verdict *v)
{
    struct checker c = {cfg, v, 0};
    const cJSON *aff = mg_json_get(spec, "affinity");
    const cJSON *tols = mg_json_get(spec, "tolerations"), *it;
    char field[FIELD_MAX];
    int i = 0;

    check_node_selector(&c, mg_json_get(spec, "nodeSelector"), base);
    set_path(field, sizeof(field), "%s.affinity.nodeAffinity", base);
    check_node_affinity(&c, mg_json_get(aff, "nodeAffinity"), field);
    if (tols && !cJSON_IsNull(tols) && !cJSON_IsArray(tols)) {
        set_path(field, sizeof(field), "%s.tolerations", base);
        problem(&c, field, "tolerations must be a list");
        return c.problems;
    }
    cJSON_ArrayForEach (it, tols) {
        set_path(field, sizeof(field), "%s.tolerations[%d]", base, i++);
        check_toleration(&c, it, field);
    }
    return c.problems;
}
