/* SPDX-License-Identifier: Apache-2.0 */
/* mp_settings.c - the part of mp.h that other layers read: a policy's fields over the
 * cluster's settings (RULES.md section 4: every field it sets wins, including false and
 * 0), comparison by value, canonical quantity text, and MP012's count of workloads
 * that change policy. Pure functions; the caller holds the view's lock. */
#include "json.h"
#include "mp.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void mg_mp_settings_apply(struct mg_lmc_settings *s, const struct mg_policy_fields *f)
{
    if (f->set & MG_PF_BANDWIDTH)
        s->bandwidth = f->bandwidth;
    if (f->set & MG_PF_COMPLETION)
        s->completion_timeout = f->completion_timeout;
    if (f->set & MG_PF_AUTO_CONVERGE)
        s->allow_auto_converge = f->allow_auto_converge;
    if (f->set & MG_PF_POST_COPY)
        s->allow_post_copy = f->allow_post_copy;
    if (f->set & MG_PF_WORKLOAD_DISRUPTION)
        s->allow_workload_disruption = f->allow_workload_disruption;
    if (f->set & MG_PF_MAX_DOWNTIME) {
        s->has_max_downtime = true;
        s->max_downtime_ms = f->max_downtime_ms;
    }
}

void mg_mp_settings_effective(struct mg_lmc_settings *s, const struct mg_store *view,
                              const struct mg_config *cfg, const struct mg_policy_fields *f)
{
    mg_lmc_settings_cluster(s, view, cfg);
    if (f)
        mg_mp_settings_apply(s, f);
}

void mg_mp_quantity_format(const struct mg_quantity *q, char *buf, size_t len)
{
    static const char *const bin[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    static const char *const dec[] = {"k", "M", "G", "T", "P", "E"};
    int64_t v = mg_quantity_value(q), u;

    if (v == 0) {
        snprintf(buf, len, "0");
        return;
    }
    for (int i = 5; i >= 0; i--) {
        u = (int64_t)1 << (10 * (i + 1));
        if (v % u == 0) {
            snprintf(buf, len, "%" PRId64 "%s", v / u, bin[i]);
            return;
        }
    }
    u = 1000000000000000000LL;
    for (int i = 5; i >= 0; i--, u /= 1000) {
        if (v % u == 0) {
            snprintf(buf, len, "%" PRId64 "%s", v / u, dec[i]);
            return;
        }
    }
    snprintf(buf, len, "%" PRId64, v);
}

static const char *tf(bool b)
{
    return b ? "true" : "false";
}

bool mg_mp_settings_equal(const struct mg_lmc_settings *a, const struct mg_lmc_settings *b,
                          char *diff, size_t difflen)
{
    char x[48], y[48];

    if (!diff || !difflen) {
        /* Only whether they differ: no text to format. */
        return mg_quantity_cmp(&a->bandwidth, &b->bandwidth) == 0 &&
               a->completion_timeout == b->completion_timeout &&
               a->allow_auto_converge == b->allow_auto_converge &&
               a->allow_post_copy == b->allow_post_copy &&
               a->allow_workload_disruption == b->allow_workload_disruption &&
               a->has_max_downtime == b->has_max_downtime &&
               (!a->has_max_downtime || a->max_downtime_ms == b->max_downtime_ms);
    }
    if (mg_quantity_cmp(&a->bandwidth, &b->bandwidth) != 0) {
        mg_mp_quantity_format(&a->bandwidth, x, sizeof(x));
        mg_mp_quantity_format(&b->bandwidth, y, sizeof(y));
        snprintf(diff, difflen, "bandwidthPerMigration %s vs %s", x, y);
    } else if (a->completion_timeout != b->completion_timeout) {
        snprintf(diff, difflen, "completionTimeoutPerGiB %lld vs %lld",
                 (long long)a->completion_timeout, (long long)b->completion_timeout);
    } else if (a->allow_auto_converge != b->allow_auto_converge) {
        snprintf(diff, difflen, "allowAutoConverge %s vs %s", tf(a->allow_auto_converge),
                 tf(b->allow_auto_converge));
    } else if (a->allow_post_copy != b->allow_post_copy) {
        snprintf(diff, difflen, "allowPostCopy %s vs %s", tf(a->allow_post_copy),
                 tf(b->allow_post_copy));
    } else if (a->allow_workload_disruption != b->allow_workload_disruption) {
        snprintf(diff, difflen, "allowWorkloadDisruption %s vs %s",
                 tf(a->allow_workload_disruption), tf(b->allow_workload_disruption));
    } else if (a->has_max_downtime != b->has_max_downtime ||
               (a->has_max_downtime && a->max_downtime_ms != b->max_downtime_ms)) {
        snprintf(x, sizeof(x), "%lld", (long long)a->max_downtime_ms);
        snprintf(y, sizeof(y), "%lld", (long long)b->max_downtime_ms);
        snprintf(diff, difflen, "maxDowntimeMs %s vs %s", a->has_max_downtime ? x : "unset",
                 b->has_max_downtime ? y : "unset");
    } else {
        return true;
    }
    return false;
}

/* A VMI that a VirtualMachine owns is counted through its VM. */
static bool owned_by_vm(const struct mg_store *view, const cJSON *vmi)
{
    const cJSON *md = mg_json_get(vmi, "metadata");
    const cJSON *refs = mg_json_get(md, "ownerReferences"), *r;
    const cJSON *ns = mg_json_get(md, "namespace");
    const cJSON *name = mg_json_get(md, "name");

    cJSON_ArrayForEach (r, refs) {
        const cJSON *kind = mg_json_get(r, "kind");

        if (cJSON_IsString(kind) && strcmp(kind->valuestring, "VirtualMachine") == 0)
            return true;
    }
    return cJSON_IsString(name) &&
           mg_store_get(view, "VirtualMachine", cJSON_IsString(ns) ? ns->valuestring : "",
                        name->valuestring) != NULL;
}

/* True when version (named name) would win against the rest of the view. */
static bool wins(const cJSON *version, const char *name, const struct mg_policy_match *rest)
{
    struct mg_policy_match me = {version, name, 0, 0, {0}};

    mg_policy_selectors(version, &me.ns_labels, &me.vm_labels);
    return mg_policy_outranks(&me, rest);
}

static void count_one(const struct mg_store *view, const cJSON *w, const char *name,
                      const cJSON *old_policy, const cJSON *new_policy, size_t *to, size_t *from)
{
    const cJSON *labels = mg_policy_workload_labels(w);
    const cJSON *ns = mg_json_get(mg_json_get(w, "metadata"), "namespace");
    const cJSON *nsl = mg_policy_namespace_labels(view, cJSON_IsString(ns) ? ns->valuestring : "");
    bool mo = old_policy && mg_policy_matches(old_policy, labels, nsl, NULL, 0);
    bool mn = new_policy && mg_policy_matches(new_policy, labels, nsl, NULL, 0);
    struct mg_policy_match rest;
    bool before, after;

    /* Neither version can match: the workload keeps its policy. */
    if (!mo && !mn)
        return;
    mg_policy_resolve_except(view, labels, nsl, name, &rest);
    before = mo && wins(old_policy, name, &rest);
    after = mn && wins(new_policy, name, &rest);
    if (after && !before)
        (*to)++;
    if (before && !after)
        (*from)++;
}

void mg_mp_moves(const struct mg_store *view, const char *name, const cJSON *old_policy,
                 const cJSON *new_policy, size_t *to, size_t *from)
{
    const cJSON *const *items;
    size_t n;

    *to = *from = 0;
    n = mg_store_list(view, "VirtualMachine", &items);
    for (size_t i = 0; i < n; i++)
        count_one(view, items[i], name, old_policy, new_policy, to, from);
    n = mg_store_list(view, "VirtualMachineInstance", &items);
    for (size_t i = 0; i < n; i++)
        if (!owned_by_vm(view, items[i]))
            count_one(view, items[i], name, old_policy, new_policy, to, from);
}
