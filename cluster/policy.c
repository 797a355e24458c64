/* SPDX-License-Identifier: Apache-2.0 */
/* policy.c - MigrationPolicy matching, resolution and tie search (RULES.md sections 3
 * and 4). Resolution counts, per policy, the selector labels the workload's labels hit
 * in the index's postings: a policy matches when every one of its labels is hit. A
 * scan of every policy is kept as the reference and as the fallback for a stale index.
 * Read-only: many threads may call these at once under the store's read lock. */
#include "policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsonnum.h"
#include "policy_index.h"

static bool read_bandwidth(const cJSON *it, struct mg_quantity *q)
{
    int64_t v;

    if (cJSON_IsString(it)) {
        if (mg_quantity_parse(it->valuestring, q, NULL) != 0)
            return false;
    } else if (mg_jsonnum_int(it, INT64_MIN, INT64_MAX, &v)) {
        mg_quantity_from_int(q, v);
    } else {
        return false;
    }
    return q->sign >= 0 && !mg_quantity_between_zero_and_one(q);
}

static void read_flag(const cJSON *spec, const char *key, unsigned bit, bool *out, unsigned *set)
{
    const cJSON *it = mg_json_get(spec, key);

    if (cJSON_IsBool(it)) {
        *out = cJSON_IsTrue(it);
        *set |= bit;
    }
}

void mg_policy_fields_read(const cJSON *policy, struct mg_policy_fields *f)
{
    const cJSON *spec = mg_json_get(policy, "spec");

    memset(f, 0, sizeof(*f));
    if (!cJSON_IsObject(spec))
        return;
    if (read_bandwidth(mg_json_get(spec, "bandwidthPerMigration"), &f->bandwidth))
        f->set |= MG_PF_BANDWIDTH;
    else
        memset(&f->bandwidth, 0, sizeof(f->bandwidth));
    if (mg_jsonnum_int(mg_json_get(spec, "completionTimeoutPerGiB"), 0, INT64_MAX,
                       &f->completion_timeout))
        f->set |= MG_PF_COMPLETION;
    if (mg_jsonnum_int(mg_json_get(spec, "maxDowntimeMs"), 1, 2000000, &f->max_downtime_ms))
        f->set |= MG_PF_MAX_DOWNTIME;
    read_flag(spec, "allowAutoConverge", MG_PF_AUTO_CONVERGE, &f->allow_auto_converge, &f->set);
    read_flag(spec, "allowPostCopy", MG_PF_POST_COPY, &f->allow_post_copy, &f->set);
    read_flag(spec, "allowWorkloadDisruption", MG_PF_WORKLOAD_DISRUPTION,
              &f->allow_workload_disruption, &f->set);
    /* KubeVirt: allowPostCopy without allowWorkloadDisruption sets both. */
    if ((f->set & MG_PF_POST_COPY) && !(f->set & MG_PF_WORKLOAD_DISRUPTION)) {
        f->allow_workload_disruption = f->allow_post_copy;
        f->set |= MG_PF_WORKLOAD_DISRUPTION;
    }
}

const cJSON *px_selector(const cJSON *policy, bool vm)
{
    const cJSON *m = mg_json_get(mg_json_get(mg_json_get(policy, "spec"), "selectors"),
                                 vm ? "virtualMachineInstanceSelector" : "namespaceSelector");

    return cJSON_IsObject(m) ? m : NULL;
}

bool px_first(const cJSON *map, const cJSON *it)
{
    return mg_json_get(map, it->string) == it;
}

/* A selector map: absent or null (matches all), or an object of strings in which a
 * repeated key repeats its value. */
static bool side_ok(const cJSON *sel, const char *key, size_t *n)
{
    const cJSON *m = mg_json_get(sel, key), *it;

    *n = 0;
    if (!m || cJSON_IsNull(m))
        return true;
    if (!cJSON_IsObject(m))
        return false;
    cJSON_ArrayForEach (it, m) {
        const cJSON *first = mg_json_get(m, it->string);

        if (!cJSON_IsString(it))
            return false;
        if (first == it)
            (*n)++;
        else if (strcmp(first->valuestring, it->valuestring) != 0)
            return false;
    }
    return true;
}

bool mg_policy_selectors(const cJSON *policy, size_t *ns, size_t *vm)
{
    const cJSON *sel = mg_json_get(mg_json_get(policy, "spec"), "selectors");
    size_t a = 0, b = 0;
    bool ok = cJSON_IsObject(sel) && side_ok(sel, "namespaceSelector", &a) &&
              side_ok(sel, "virtualMachineInstanceSelector", &b);

    if (ns)
        *ns = ok ? a : 0;
    if (vm)
        *vm = ok ? b : 0;
    return ok;
}

static bool side_matches(const cJSON *map, const cJSON *labels, const char *what, const char *whose,
                         char *why, size_t whylen)
{
    const cJSON *it;

    cJSON_ArrayForEach (it, map) {
        const cJSON *l = mg_json_get(labels, it->string);

        if (cJSON_IsString(l) && strcmp(l->valuestring, it->valuestring) == 0)
            continue;
        if (why && cJSON_IsString(l))
            snprintf(why, whylen, "%s %.200s=%.100s: the %s has %.200s=%.100s", what, it->string,
                     it->valuestring, whose, it->string, l->valuestring);
        else if (why)
            snprintf(why, whylen, "%s %.200s=%.100s: the %s has no label %.200s", what, it->string,
                     it->valuestring, whose, it->string);
        return false;
    }
    return true;
}

bool mg_policy_matches(const cJSON *policy, const cJSON *vm_labels, const cJSON *ns_labels,
                       char *why, size_t whylen)
{
    if (!mg_policy_selectors(policy, NULL, NULL)) {
        if (why)
            snprintf(why, whylen, "spec.selectors is missing or malformed: never matches");
        return false;
    }
    return side_matches(px_selector(policy, true), vm_labels, "virtualMachineInstanceSelector",
                        "VM", why, whylen) &&
           side_matches(px_selector(policy, false), ns_labels, "namespaceSelector", "namespace",
                        why, whylen);
}

bool mg_policy_outranks(const struct mg_policy_match *a, const struct mg_policy_match *b)
{
    size_t ta = a->ns_labels + a->vm_labels, tb = b->ns_labels + b->vm_labels;

    if (!a->policy)
        return false;
    if (!b->policy)
        return true;
    if (ta != tb)
        return ta > tb;
    if (a->vm_labels != b->vm_labels)
        return a->vm_labels > b->vm_labels;
    return strcmp(a->name, b->name) < 0;
}

int mg_policy_resolve_scan(const struct mg_store *view, const cJSON *vm_labels,
                           const cJSON *ns_labels, const char *skip, struct mg_policy_match *out)
{
    const cJSON *const *items;
    size_t n = mg_store_list(view, "MigrationPolicy", &items);

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        struct mg_policy_match m = {items[i], mg_json_name_or(items[i], ""), 0, 0, {0}};

        if (skip && strcmp(m.name, skip) == 0)
            continue;
        if (!mg_policy_matches(items[i], vm_labels, ns_labels, NULL, 0))
            continue;
        mg_policy_selectors(items[i], &m.ns_labels, &m.vm_labels);
        if (mg_policy_outranks(&m, out))
            *out = m;
    }
    if (out->policy)
        mg_policy_fields_read(out->policy, &out->fields);
    return 0;
}

/* Per-call hit counters: open addressing over policy slots, on the stack when small. */
struct counter {
    uint32_t id; /* slot + 1; 0 is empty */
    uint32_t a, b;
};

struct counters {
    struct counter *t;
    uint32_t mask;
    struct counter stack[1024];
};

static int counters_init(struct counters *c, size_t expected)
{
    size_t cap = 16;

    while (cap < expected * 2)
        cap *= 2;
    if (cap > UINT32_MAX / 2)
        return MG_ENOMEM;
    c->t = cap <= 1024 ? c->stack : malloc(cap * sizeof(*c->t));
    if (!c->t)
        return MG_ENOMEM;
    memset(c->t, 0, cap * sizeof(*c->t));
    c->mask = (uint32_t)cap - 1;
    return 0;
}

static void counters_free(struct counters *c)
{
    if (c->t != c->stack)
        free(c->t);
}

static struct counter *counter_get(struct counters *c, uint32_t id, bool insert)
{
    uint32_t i = (id * 2654435761u) & c->mask;

    for (;; i = (i + 1) & c->mask) {
        if (c->t[i].id == id + 1)
            return &c->t[i];
        if (!c->t[i].id) {
            if (!insert)
                return NULL;
            c->t[i].id = id + 1;
            return &c->t[i];
        }
    }
}

/* The postings the labels of one side hit, and their total length. */
struct lists {
    const uint32_t **ids;
    const uint32_t **tot;
    uint32_t *n;
    size_t count, total;
};

static void gather(const struct mg_policy_index *x, const cJSON *labels, char kind, struct lists *l)
{
    const cJSON *it;

    cJSON_ArrayForEach (it, labels) {
        /* A repeated key counts once, with its first value (as item lookups see it). */
        if (!cJSON_IsString(it) || !px_first(labels, it))
            continue;
        l->ids[l->count] = px_posting_totals(x, kind, it->string, it->valuestring, &l->n[l->count],
                                             &l->tot[l->count]);
        l->total += l->n[l->count];
        l->count++;
    }
}

static void consider(const struct mg_policy_index *x, uint32_t id, struct mg_policy_match *best,
                     uint32_t *best_id)
{
    const struct px_pol *p = px_pol(x, id);
    struct mg_policy_match m = {p->obj, p->name, p->nns, p->nvm, {0}};

    if (mg_policy_outranks(&m, best)) {
        *best = m;
        *best_id = id;
    }
}

/* The VM labels as kv pairs (distinct keys) instead of a JSON object. */
static void gather_pairs(const struct mg_policy_index *x, const char *const *kv, size_t n,
                         struct lists *l)
{
    for (size_t i = 0; i < n; i++) {
        l->ids[l->count] = px_posting_totals(x, PX_VM_KV, kv[2 * i], kv[2 * i + 1], &l->n[l->count],
                                             &l->tot[l->count]);
        l->total += l->n[l->count];
        l->count++;
    }
}

/* VM labels from vm_labels, or from kv (n pairs) when kv is not NULL. */
static int resolve_index(const struct mg_policy_index *x, const cJSON *vm_labels,
                         const char *const *kv, size_t nkv, const cJSON *ns_labels,
                         const char *skip, struct mg_policy_match *out)
{
    size_t nl =
        (kv ? nkv : (size_t)cJSON_GetArraySize(vm_labels)) + (size_t)cJSON_GetArraySize(ns_labels);
    const uint32_t *ids_stack[64], *tot_stack[64];
    uint32_t n_stack[64], skip_id = skip ? px_find(x, skip) : PX_NONE, best_id = PX_NONE;
    struct lists l = {ids_stack, tot_stack, n_stack, 0, 0};
    struct counters c;
    const uint32_t *empty;
    uint32_t nempty;
    int rc = 0;

    if (nl > 64) {
        l.ids = malloc(nl * sizeof(*l.ids));
        l.tot = malloc(nl * sizeof(*l.tot));
        l.n = malloc(nl * sizeof(*l.n));
        if (!l.ids || !l.tot || !l.n) {
            rc = MG_ENOMEM;
            goto out;
        }
    }
    if (kv)
        gather_pairs(x, kv, nkv, &l);
    else
        gather(x, vm_labels, PX_VM_KV, &l);
    gather(x, ns_labels, PX_NS_KV, &l);
    if ((rc = counters_init(&c, l.total)) != 0)
        goto out;
    for (size_t i = 0; i < l.count; i++) {
        for (uint32_t j = 0; j < l.n[i]; j++) {
            uint32_t id = l.ids[i][j];
            struct counter *k;

            if (id == skip_id)
                continue;
            k = counter_get(&c, id, true);
            /* The policy itself is read only once all its labels are hit. */
            if (++k->a == l.tot[i][j])
                consider(x, id, out, &best_id);
        }
    }
    counters_free(&c);
    /* Empty selectors match everything and rank last: only without another winner. */
    empty = px_empty(x, &nempty);
    if (best_id == PX_NONE) {
        for (uint32_t i = 0; i < nempty; i++)
            if (empty[i] != skip_id)
                consider(x, empty[i], out, &best_id);
    }
    if (best_id != PX_NONE)
        out->fields = px_pol(x, best_id)->fields;
out:
    if (l.ids != ids_stack)
        free(l.ids);
    if (l.tot != tot_stack)
        free(l.tot);
    if (l.n != n_stack)
        free(l.n);
    return rc;
}

int mg_policy_resolve_except(const struct mg_store *view, const cJSON *vm_labels,
                             const cJSON *ns_labels, const char *skip, struct mg_policy_match *out)
{
    const struct mg_policy_index *x = px_of(view);

    memset(out, 0, sizeof(*out));
    if (x && resolve_index(x, vm_labels, NULL, 0, ns_labels, skip, out) == 0)
        return 0;
    return mg_policy_resolve_scan(view, vm_labels, ns_labels, skip, out);
}

int mg_policy_resolve_pairs(const struct mg_store *view, const char *const *kv, size_t n,
                            const cJSON *ns_labels, const char *skip, struct mg_policy_match *out)
{
    const struct mg_policy_index *x = px_of(view);
    cJSON *labels = NULL;
    int rc = MG_ENOMEM;

    memset(out, 0, sizeof(*out));
    if (x && resolve_index(x, NULL, kv, n, ns_labels, skip, out) == 0)
        return 0;
    /* The scan reads a JSON object: build one for this call. */
    if (!(labels = cJSON_CreateObject()))
        goto out;
    for (size_t i = 0; i < n; i++)
        if (!cJSON_AddStringToObject(labels, kv[2 * i], kv[2 * i + 1]))
            goto out;
    rc = mg_policy_resolve_scan(view, labels, ns_labels, skip, out);
out:
    cJSON_Delete(labels);
    return rc;
}

int mg_policy_resolve(const struct mg_store *view, const cJSON *vm_labels, const cJSON *ns_labels,
                      struct mg_policy_match *out)
{
    return mg_policy_resolve_except(view, vm_labels, ns_labels, NULL, out);
}

const cJSON *mg_policy_workload_labels(const cJSON *workload)
{
    const cJSON *kind = mg_json_get(workload, "kind");
    const cJSON *tmpl = mg_json_get(mg_json_get(workload, "spec"), "template");
    const cJSON *labels;

    if (cJSON_IsString(kind) ? strcmp(kind->valuestring, "VirtualMachine") == 0 : tmpl != NULL)
        labels = mg_json_get(mg_json_get(tmpl, "metadata"), "labels");
    else
        labels = mg_json_get(mg_json_get(workload, "metadata"), "labels");
    return cJSON_IsObject(labels) ? labels : NULL;
}

const cJSON *mg_policy_namespace_labels(const struct mg_store *view, const char *ns)
{
    const cJSON *labels =
        mg_json_get(mg_json_get(mg_store_get(view, "Namespace", "", ns), "metadata"), "labels");

    return cJSON_IsObject(labels) ? labels : NULL;
}

int mg_policy_resolve_in(const struct mg_store *view, const cJSON *workload, const char *ns,
                         struct mg_policy_match *out)
{
    const cJSON *own = mg_json_get(mg_json_get(workload, "metadata"), "namespace");

    if ((!ns || !ns[0]) && cJSON_IsString(own))
        ns = own->valuestring;
    return mg_policy_resolve(view, mg_policy_workload_labels(workload),
                             ns ? mg_policy_namespace_labels(view, ns) : NULL, out);
}

int mg_policy_resolve_workload(const struct mg_store *view, const cJSON *workload,
                               struct mg_policy_match *out)
{
    return mg_policy_resolve_in(view, workload, NULL, out);
}

/* Every key of a that b also has carries the same value in b. */
static bool side_agrees(const cJSON *a, const cJSON *b)
{
    const cJSON *it;

    cJSON_ArrayForEach (it, a) {
        const cJSON *o = mg_json_get(b, it->string);

        if (cJSON_IsString(o) && strcmp(o->valuestring, it->valuestring) != 0)
            return false;
    }
    return true;
}

/* Every entry of a is in b. */
static bool side_within(const cJSON *a, const cJSON *b)
{
    const cJSON *it;

    cJSON_ArrayForEach (it, a) {
        const cJSON *o = mg_json_get(b, it->string);

        if (!cJSON_IsString(o) || strcmp(o->valuestring, it->valuestring) != 0)
            return false;
    }
    return true;
}

int mg_policy_ties_scan(const struct mg_store *view, const cJSON *policy, const char *skip,
                        bool (*fn)(void *ctx, const cJSON *other, const char *name,
                                   const struct mg_policy_fields *f, bool same),
                        void *ctx)
{
    const cJSON *const *items;
    size_t n = mg_store_list(view, "MigrationPolicy", &items), qns, qvm, pns, pvm;
    const cJSON *qn = px_selector(policy, false), *qv = px_selector(policy, true);

    if (!mg_policy_selectors(policy, &qns, &qvm))
        return 0;
    for (size_t i = 0; i < n; i++) {
        const cJSON *p = items[i], *pn = px_selector(p, false), *pv = px_selector(p, true);
        struct mg_policy_fields f;
        bool same;

        if ((skip && strcmp(mg_json_name_or(p, ""), skip) == 0) ||
            !mg_policy_selectors(p, &pns, &pvm) || pns + pvm != qns + qvm)
            continue;
        if (!side_agrees(pn, qn) || !side_agrees(pv, qv))
            continue;
        same = pns == qns && side_within(pn, qn) && side_within(pv, qv);
        mg_policy_fields_read(p, &f);
        if (!fn(ctx, p, mg_json_name_or(p, ""), &f, same))
            break;
    }
    return 0;
}

/* Count, for the policies of total labels `total`, how many of q's keys each has (a)
 * and how many of q's key=value labels (b). size only sums the postings' lengths. */
static size_t count_side(const struct mg_policy_index *x, const cJSON *q, bool vm, uint32_t total,
                         struct counters *c)
{
    const cJSON *it;
    size_t sum = 0;

    cJSON_ArrayForEach (it, q) {
        uint32_t nk, nv;
        const uint32_t *k, *v;

        if (!px_first(q, it))
            continue;
        k = px_posting(x, vm ? PX_VM_KEY : PX_NS_KEY, it->string, NULL, &nk);
        sum += nk;
        if (!c)
            continue;
        v = px_posting(x, vm ? PX_VM_KV : PX_NS_KV, it->string, it->valuestring, &nv);
        for (uint32_t i = 0; i < nk; i++) {
            const struct px_pol *p = px_pol(x, k[i]);

            if (p->nns + p->nvm == total)
                counter_get(c, k[i], true)->a++;
        }
        for (uint32_t i = 0; i < nv; i++) {
            const struct px_pol *p = px_pol(x, v[i]);

            if (p->nns + p->nvm == total)
                counter_get(c, v[i], true)->b++;
        }
    }
    return sum;
}

int mg_policy_ties(const struct mg_store *view, const cJSON *policy, const char *skip,
                   bool (*fn)(void *ctx, const cJSON *other, const char *name,
                              const struct mg_policy_fields *f, bool same),
                   void *ctx)
{
    const struct mg_policy_index *x = px_of(view);
    const cJSON *qn = px_selector(policy, false), *qv = px_selector(policy, true);
    size_t qns, qvm;
    uint32_t nb, total, skip_id;
    const uint32_t *bucket;
    struct counters c;
    char buf[24];
    int rc;

    if (!x)
        return mg_policy_ties_scan(view, policy, skip, fn, ctx);
    if (!mg_policy_selectors(policy, &qns, &qvm))
        return 0;
    total = (uint32_t)(qns + qvm);
    snprintf(buf, sizeof(buf), "%u", (unsigned)total);
    bucket = px_posting(x, PX_TOTAL, buf, NULL, &nb);
    if (!nb)
        return 0;
    rc = counters_init(&c, count_side(x, qn, false, total, NULL) +
                               count_side(x, qv, true, total, NULL));
    if (rc)
        return rc;
    count_side(x, qn, false, total, &c);
    count_side(x, qv, true, total, &c);
    skip_id = skip ? px_find(x, skip) : PX_NONE;
    for (uint32_t i = 0; i < nb; i++) {
        const struct px_pol *p = px_pol(x, bucket[i]);
        const struct counter *k = counter_get(&c, bucket[i], false);

        /* A shared key with another value: no VM can carry both. */
        if (bucket[i] == skip_id || (k && k->a != k->b))
            continue;
        if (!fn(ctx, p->obj, p->name, &p->fields, (k ? k->b : 0) == total))
            break;
    }
    counters_free(&c);
    return 0;
}
