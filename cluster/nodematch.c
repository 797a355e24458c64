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

bool mg_nodematch_selector(const cJSON *selector, const cJSON *labels)
{
    const cJSON *it;

    if (!selector || cJSON_IsNull(selector))
        return true;
    if (!cJSON_IsObject(selector))
        return false;
    cJSON_ArrayForEach (it, selector) {
        const char *have = mg_json_str(labels, it->string);

        if (!cJSON_IsString(it) || !have || strcmp(have, it->valuestring) != 0)
            return false;
    }
    return true;
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
    const cJSON *spec = mg_json_get(node, "spec");
    const cJSON *taints = mg_json_get(spec, "taints"), *taint;

    if (!cJSON_IsArray(taints))
        return true;
    cJSON_ArrayForEach (taint, taints) {
        const char *effect = mg_json_str(taint, "effect");
        const char *key = mg_json_str(taint, "key"), *value = mg_json_str(taint, "value");

        if (mg_nodematch_filtering_effect(effect) &&
            !mg_nodematch_tolerated(tolerations, key, value, effect))
            return false;
    }
    return true;
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

bool mg_nodematch_fit(const struct mg_placement *p, const cJSON *node)
{
    const cJSON *meta = mg_json_get(node, "metadata");
    const cJSON *labels = mg_json_get(meta, "labels");

    return mg_nodematch_schedulable(node) && mg_nodematch_selector(p->node_selector, labels) &&
           mg_nodematch_selector(p->added_selector, labels) &&
           mg_nodematch_affinity(p->affinity, node) && mg_nodematch_taints(p->tolerations, node);
}
