/* SPDX-License-Identifier: Apache-2.0 */
/* mp_settings.c - the part of mp.h that other layers read: a policy's fields over the
 * cluster's settings (RULES.md section 4: every field it sets wins, including false and
 * 0), comparison by value, canonical quantity text, and MP012's count of workloads
 * that change policy (from the workload index: only the workloads either version of
 * the policy matches are resolved). Pure functions; the caller holds the view's lock. */
#include "json.h"
#include "mp.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload_index.h"

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
    if (f->set & MG_PF_WORKLOAD_DISRUPTION) {
        s->allow_workload_disruption = f->allow_workload_disruption;
        s->awd_set = true;
    }
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

/* Whether the workload moves to or from the policy: the old version (matching: mo)
 * against the new one (mn), each against rest, the winner among the other policies. */
static void tally(const char *name, const cJSON *old_policy, const cJSON *new_policy, bool mo,
                  bool mn, const struct mg_policy_match *rest, size_t *to, size_t *from)
{
    bool before = mo && wins(old_policy, name, rest);
    bool after = mn && wins(new_policy, name, rest);

    if (after && !before)
        (*to)++;
    if (before && !after)
        (*from)++;
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

    /* Neither version can match: the workload keeps its policy. */
    if (!mo && !mn)
        return;
    mg_policy_resolve_except(view, labels, nsl, name, &rest);
    tally(name, old_policy, new_policy, mo, mn, &rest, to, from);
}

void mg_mp_moves_scan(const struct mg_store *view, const char *name, const cJSON *old_policy,
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

/* What count_one does, for a workload of the index that version old (mo) or new (mn)
 * of the policy matches. */
static int count_indexed(const struct mg_store *view, const struct mg_workload_index *x,
                         const struct mg_workload_index *vms, uint32_t id, const char *name,
                         const cJSON *old_policy, const cJSON *new_policy, bool mo, bool mn,
                         size_t *to, size_t *from)
{
    const char *stack[64], **kv = stack;
    struct mg_policy_match rest;
    struct mg_workload w;
    int rc;

    mg_workload_index_get(x, id, &w);
    /* A VMI that a VirtualMachine owns is counted through its VM. */
    if (!w.vm && (w.owned || mg_workload_index_has(vms, w.ns, w.name)))
        return 0;
    if (w.nlabels > 32 && !(kv = malloc(2 * w.nlabels * sizeof(*kv))))
        return MG_ENOMEM;
    mg_workload_index_labels(x, id, kv, 2 * w.nlabels);
    rc = mg_policy_resolve_pairs(view, kv, w.nlabels, mg_policy_namespace_labels(view, w.ns), name,
                                 &rest);
    if (kv != stack)
        free(kv);
    if (rc)
        return rc;
    tally(name, old_policy, new_policy, mo, mn, &rest, to, from);
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* The workloads of index x either version matches, each once. */
static int moves_in(const struct mg_store *view, const struct mg_workload_index *x,
                    const struct mg_workload_index *vms, const char *name, const cJSON *old_policy,
                    const cJSON *new_policy, size_t *to, size_t *from)
{
    uint32_t *a = NULL, *b = NULL;
    size_t na = 0, nb = 0, i = 0, j = 0;
    int rc = 0;

    if (old_policy)
        rc = mg_workload_index_candidates(x, view, old_policy, &a, &na);
    if (!rc && new_policy)
        rc = mg_workload_index_candidates(x, view, new_policy, &b, &nb);
    if (rc)
        goto out;
    if (na)
        qsort(a, na, sizeof(*a), cmp_id);
    if (nb)
        qsort(b, nb, sizeof(*b), cmp_id);
    while (!rc && (i < na || j < nb)) {
        bool mo = j == nb || (i < na && a[i] <= b[j]);
        bool mn = i == na || (j < nb && b[j] <= a[i]);
        uint32_t id = mo ? a[i] : b[j];

        rc = count_indexed(view, x, vms, id, name, old_policy, new_policy, mo, mn, to, from);
        i += mo;
        j += mn;
    }
out:
    free(a);
    free(b);
    return rc;
}

void mg_mp_moves(const struct mg_store *view, const char *name, const cJSON *old_policy,
                 const cJSON *new_policy, size_t *to, size_t *from)
{
    const struct mg_workload_index *vms = mg_workload_index_of(view, false);
    const struct mg_workload_index *vmis = mg_workload_index_of(view, true);

    *to = *from = 0;
    if (vms && vmis && moves_in(view, vms, vms, name, old_policy, new_policy, to, from) == 0 &&
        moves_in(view, vmis, vms, name, old_policy, new_policy, to, from) == 0)
        return;
    mg_mp_moves_scan(view, name, old_policy, new_policy, to, from);
}
