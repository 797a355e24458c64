/* SPDX-License-Identifier: Apache-2.0 */
/* nodematch.c - the scheduler's node filters for what KubeVirt workloads carry, as
 * component-helpers' nodeaffinity and v1.Toleration do them. Pod (anti-)affinity and
 * the preferred terms weigh scores only and filter no node.
 * Pure functions over borrowed cJSON: no allocation, no I/O. */
#include "nodematch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

bool mg_nodematch_parse_int(const char *s, long long *out)
{
    const char *d = (s[0] == '+' || s[0] == '-') ? s + 1 : s;
    char *end = NULL;

    if (*d < '0' || *d > '9')
        return false;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return errno == 0 && end && *end == '\0';
}

/* selector as mg_nodematch_selector, without the entries kv replaces (kv may be NULL). */
static bool selector_less(const cJSON *selector, const cJSON *labels, const struct mg_kvlabels *kv,
                          bool added)
{
    const cJSON *it;

    if (!selector || cJSON_IsNull(selector))
        return true;
    if (!cJSON_IsObject(selector))
        return false;
    cJSON_ArrayForEach (it, selector) {
        const char *have = mg_json_str(labels, it->string);

        if (kv && mg_nodematch_replaced(kv, it->string, added))
            continue;
        if (!cJSON_IsString(it) || !have || strcmp(have, it->valuestring) != 0)
            return false;
    }
    return true;
}

bool mg_nodematch_selector(const cJSON *selector, const cJSON *labels)
{
    return selector_less(selector, labels, NULL, false);
}

static bool values_contain(const cJSON *values, const char *s)
{
    const cJSON *it;

    cJSON_ArrayForEach (it, values) {
        if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
            return true;
    }
    return false;
}

/* Gt/Lt: the label and the one value both parse as integers (else no match). */
static bool compare_match(const char *have, const cJSON *values, bool greater)
{
    const cJSON *v = cJSON_GetArrayItem(values, 0);
    long long lv, rv;

    if (!have || cJSON_GetArraySize(values) != 1 || !cJSON_IsString(v) ||
        !mg_nodematch_parse_int(have, &lv) || !mg_nodematch_parse_int(v->valuestring, &rv))
        return false;
    return greater ? lv > rv : lv < rv;
}

bool mg_nodematch_requirement(const cJSON *req, const char *have)
{
    const char *op = mg_json_str(req, "operator");
    const cJSON *values = mg_json_get(req, "values");

    if (!op || !mg_json_str(req, "key"))
        return false;
    if (values && !cJSON_IsArray(values) && !cJSON_IsNull(values))
        return false;
    if (strcmp(op, "In") == 0)
        return have && values_contain(values, have);
    if (strcmp(op, "NotIn") == 0)
        return !have || !values_contain(values, have);
    if (strcmp(op, "Exists") == 0)
        return have != NULL;
    if (strcmp(op, "DoesNotExist") == 0)
        return have == NULL;
    if (strcmp(op, "Gt") == 0)
        return compare_match(have, values, true);
    if (strcmp(op, "Lt") == 0)
        return compare_match(have, values, false);
    return false;
}

bool mg_nodematch_term(const cJSON *term, const cJSON *node)
{
    const cJSON *meta = mg_json_get(node, "metadata");
    const cJSON *labels = mg_json_get(meta, "labels");
    const cJSON *exprs = mg_json_get(term, "matchExpressions");
    const cJSON *fields = mg_json_get(term, "matchFields");
    const cJSON *it;
    int n = 0;

    cJSON_ArrayForEach (it, exprs) {
        const char *key = mg_json_str(it, "key");

        if (!mg_nodematch_requirement(it, key ? mg_json_str(labels, key) : NULL))
            return false;
        n++;
    }
    cJSON_ArrayForEach (it, fields) {
        const char *key = mg_json_str(it, "key");

        /* metadata.name is the only node field selector the scheduler supports. */
        if (!key || strcmp(key, "metadata.name") != 0 ||
            !mg_nodematch_requirement(it, mg_json_str(meta, "name")))
            return false;
        n++;
    }
    return n > 0;
}

bool mg_nodematch_affinity(const cJSON *affinity, const cJSON *node)
{
    const cJSON *na = mg_json_get(affinity, "nodeAffinity");
    const cJSON *req = mg_json_get(na, "requiredDuringSchedulingIgnoredDuringExecution");
    const cJSON *terms = mg_json_get(req, "nodeSelectorTerms");
    const cJSON *it;

    if (!req || cJSON_IsNull(req))
        return true;
    cJSON_ArrayForEach (it, terms) {
        if (mg_nodematch_term(it, node))
            return true;
    }
    return false;
}

bool mg_nodematch_toleration(const cJSON *t, const char *key, const char *value, const char *effect)
{
    const char *teffect = mg_json_str(t, "effect"), *tkey = mg_json_str(t, "key");
    const char *op = mg_json_str(t, "operator"), *tval = mg_json_str(t, "value");

    if (teffect && teffect[0] && (!effect || strcmp(teffect, effect) != 0))
        return false;
    if (tkey && tkey[0] && (!key || strcmp(tkey, key) != 0))
        return false;
    if (op && strcmp(op, "Exists") == 0)
        return true;
    if (op && op[0] && strcmp(op, "Equal") != 0)
        return false;
    return strcmp(tval ? tval : "", value ? value : "") == 0;
}

bool mg_nodematch_filtering_effect(const char *effect)
{
    return effect && (strcmp(effect, "NoSchedule") == 0 || strcmp(effect, "NoExecute") == 0);
}

bool mg_nodematch_taints(const cJSON *tolerations, const cJSON *node)
{
    return mg_nodematch_taints_in(tolerations, node, MG_NODEFIT_TARGETS);
}

bool mg_nodematch_tolerated(const cJSON *tolerations, const char *key, const char *value,
                            const char *effect)
{
    const cJSON *t;

    if (!cJSON_IsArray(tolerations))
        return false;
    cJSON_ArrayForEach (t, tolerations) {
        if (mg_nodematch_toleration(t, key, value, effect))
            return true;
    }
    return false;
}

bool mg_nodematch_schedulable(const cJSON *node)
{
    const cJSON *spec = mg_json_get(node, "spec");

    return !cJSON_IsTrue(mg_json_get(spec, "unschedulable"));
}

bool mg_nodematch_taint_weighed(enum mg_nodefit_mode mode, const char *key, const char *effect)
{
    /* Cordoning adds this taint; VM007 counts cordoned nodes (RULES.md 9.11). */
    if (mode == MG_NODEFIT_PLACEMENT && key && strcmp(key, MG_NODEMATCH_UNSCHEDULABLE_TAINT) == 0 &&
        effect && strcmp(effect, "NoSchedule") == 0)
        return false;
    return mg_nodematch_filtering_effect(effect);
}

bool mg_nodematch_taints_in(const cJSON *tolerations, const cJSON *node, enum mg_nodefit_mode mode)
{
    const cJSON *spec = mg_json_get(node, "spec");
    const cJSON *taints = mg_json_get(spec, "taints"), *taint;

    if (!cJSON_IsArray(taints))
        return true;
    cJSON_ArrayForEach (taint, taints) {
        const char *effect = mg_json_str(taint, "effect");
        const char *key = mg_json_str(taint, "key"), *value = mg_json_str(taint, "value");

        if (mg_nodematch_taint_weighed(mode, key, effect) &&
            !mg_nodematch_tolerated(tolerations, key, value, effect))
            return false;
    }
    return true;
}

static void kv_add(struct mg_kvlabels *kv, const char *prefix, const char *name)
{
    size_t lp = strlen(prefix), ln = strlen(name);

    if (kv->n == MG_KVLABELS_MAX)
        return;
    kv->l[kv->n].unsat = lp + ln >= MG_KVLABEL_KEY_MAX;
    if (kv->l[kv->n].unsat) {
        kv->l[kv->n].key[0] = '\0';
    } else {
        memcpy(kv->l[kv->n].key, prefix, lp);
        memcpy(kv->l[kv->n].key + lp, name, ln + 1);
    }
    kv->n++;
}

void mg_nodematch_kubevirt(const struct mg_placement *p, bool schedulable_seen,
                           struct mg_kvlabels *kv)
{
    const char *m = p->cpu_model;
    const cJSON *sel = cJSON_IsObject(p->node_selector) ? p->node_selector : NULL;

    kv->n = 0;
    /* KubeVirt's pkg/virt-controller/services/nodeselectorrenderer.go: the launcher pod's
     * selector starts as {kubevirt.io/schedulable: "true"} and the VMI's is copied over
     * it; the dedicated-CPU and CPU-model labels are then written over both. */
    if (schedulable_seen && !mg_json_get(sel, MG_NODEMATCH_SCHEDULABLE))
        kv_add(kv, MG_NODEMATCH_SCHEDULABLE, "");
    if (p->dedicated_cpu)
        kv_add(kv, "kubevirt.io/cpumanager", "");
    if (m && m[0] && strcmp(m, "host-model") != 0 && strcmp(m, "host-passthrough") != 0)
        kv_add(kv, "cpu-model.node.kubevirt.io/", m);
    /* pkg/virt-controller/watch/migration/migration.go (getHostCpuModelFromMap). */
    if (p->host_model)
        kv_add(kv, "cpu-model-migration.node.kubevirt.io/", p->host_model);
}

bool mg_nodematch_replaced(const struct mg_kvlabels *kv, const char *key, bool added)
{
    if (!key)
        return false;
    /* migration.go copies the addedNodeSelector under the launcher pod's selector, which
     * always holds kubevirt.io/schedulable. */
    if (added && strcmp(key, MG_NODEMATCH_SCHEDULABLE) == 0)
        return true;
    for (size_t i = 0; i < kv->n; i++)
        if (!kv->l[i].unsat && strcmp(kv->l[i].key, key) == 0)
            return true;
    return false;
}

bool mg_nodematch_fit(const struct mg_placement *p, const struct mg_kvlabels *kv,
                      enum mg_nodefit_mode mode, const cJSON *node)
{
    const cJSON *meta = mg_json_get(node, "metadata");
    const cJSON *labels = mg_json_get(meta, "labels");

    if (mode == MG_NODEFIT_TARGETS && !mg_nodematch_schedulable(node))
        return false;
    for (size_t i = 0; i < kv->n; i++) {
        const char *have = kv->l[i].unsat ? NULL : mg_json_str(labels, kv->l[i].key);

        if (!have || strcmp(have, "true") != 0)
            return false;
    }
    return selector_less(p->node_selector, labels, kv, false) &&
           selector_less(p->added_selector, labels, kv, true) &&
           mg_nodematch_affinity(p->affinity, node) &&
           mg_nodematch_taints_in(p->tolerations, node, mode);
}
