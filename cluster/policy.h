/* SPDX-License-Identifier: Apache-2.0 */
/* policy.h - MigrationPolicy matching and resolution (RULES.md section 4): which
 * policy applies to a VM or VMI, by KubeVirt's precedence, through an index so that
 * thousands of policies cost microseconds per lookup. Reads the view; the caller
 * holds its lock. The index lives in the store (attached by mg_store_new) and follows
 * every put and remove of a MigrationPolicy. */
#ifndef MG_POLICY_H
#define MG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "quantity.h"
#include "store.h"

/* Which migration fields a policy sets (bits of mg_policy_fields.set). */
enum {
    MG_PF_BANDWIDTH = 1u << 0,
    MG_PF_COMPLETION = 1u << 1,
    MG_PF_AUTO_CONVERGE = 1u << 2,
    MG_PF_POST_COPY = 1u << 3,
    MG_PF_WORKLOAD_DISRUPTION = 1u << 4,
    MG_PF_MAX_DOWNTIME = 1u << 5,
};

/* A policy's own migration fields: every well-typed, valid field of its spec (an
 * invalid one is as if absent). allowPostCopy without allowWorkloadDisruption sets
 * both (KubeVirt's deprecation path). */
struct mg_policy_fields {
    unsigned set;
    struct mg_quantity bandwidth;
    int64_t completion_timeout;
    bool allow_auto_converge;
    bool allow_post_copy;
    bool allow_workload_disruption;
    int64_t max_downtime_ms;
};

/* Read the fields of a MigrationPolicy object (or its spec's parent: the object). */
void mg_policy_fields_read(const cJSON *policy, struct mg_policy_fields *f);

/* The winner of a resolution. */
struct mg_policy_match {
    const cJSON *policy;            /* the winning MigrationPolicy object, NULL: none applies */
    const char *name;               /* its metadata.name, NULL: none */
    size_t ns_labels;               /* how many namespaceSelector labels it has */
    size_t vm_labels;               /* how many virtualMachineInstanceSelector labels it has */
    struct mg_policy_fields fields; /* its fields; set 0 when none applies */
};

/* Resolve the policy for a workload with VM labels vm_labels (a JSON object of
 * strings, may be NULL) in a namespace with labels ns_labels (may be NULL).
 * Precedence: most selector labels in total; then more VM labels; then the smallest
 * name (byte order). Returns 0; out->policy NULL when nothing matches. */
int mg_policy_resolve(const struct mg_store *view, const cJSON *vm_labels, const cJSON *ns_labels,
                      struct mg_policy_match *out);

/* Like mg_policy_resolve, as if the policy named skip (may be NULL) were not in the
 * view. */
int mg_policy_resolve_except(const struct mg_store *view, const cJSON *vm_labels,
                             const cJSON *ns_labels, const char *skip, struct mg_policy_match *out);

/* mg_policy_resolve_except with the VM labels as n key, value pairs: kv[2i] = kv[2i+1]
 * (distinct keys), as an index holds them. Returns 0, or MG_ENOMEM (out: none). */
int mg_policy_resolve_pairs(const struct mg_store *view, const char *const *kv, size_t n,
                            const cJSON *ns_labels, const char *skip, struct mg_policy_match *out);

/* The same answer by checking every policy of the view, without the index: the
 * reference the index is tested against, and the fallback when the index is stale
 * (an allocation failed while it followed the store). */
int mg_policy_resolve_scan(const struct mg_store *view, const cJSON *vm_labels,
                           const cJSON *ns_labels, const char *skip, struct mg_policy_match *out);

/* Resolve for a VirtualMachine or VirtualMachineInstance object: its template (VM) or
 * metadata (VMI) labels, and the labels of its Namespace in the view. */
int mg_policy_resolve_workload(const struct mg_store *view, const cJSON *workload,
                               struct mg_policy_match *out);

/* Like mg_policy_resolve_workload, in namespace ns when ns is not NULL or empty (a
 * CREATE request's object may lack metadata.namespace). */
int mg_policy_resolve_in(const struct mg_store *view, const cJSON *workload, const char *ns,
                         struct mg_policy_match *out);

/* The labels policies match for a workload: spec.template.metadata.labels of a
 * VirtualMachine, metadata.labels of anything else. NULL when absent. Borrowed. */
const cJSON *mg_policy_workload_labels(const cJSON *workload);

/* metadata.labels of the Namespace ns in the view, NULL when unknown. Borrowed. */
const cJSON *mg_policy_namespace_labels(const struct mg_store *view, const char *ns);

/* True when policy's selectors are well formed (spec.selectors an object, each
 * selector absent, null or a map of strings); *ns and *vm (may be NULL) get the number
 * of distinct labels of each. A policy failing this never matches (as in KubeVirt). */
bool mg_policy_selectors(const cJSON *policy, size_t *ns, size_t *vm);

/* True when policy matches the labels. Otherwise, when why is not NULL, it gets the
 * first selector label that failed ("virtualMachineInstanceSelector app=db: the VM
 * has app=web"). */
bool mg_policy_matches(const cJSON *policy, const cJSON *vm_labels, const cJSON *ns_labels,
                       char *why, size_t whylen);

/* True when a outranks b by the precedence above (a NULL b->policy loses to any a). */
bool mg_policy_outranks(const struct mg_policy_match *a, const struct mg_policy_match *b);

/* Call fn for every policy of the view other than skip (may be NULL) that can match
 * one VM together with policy (no selector key with two values, namespace keys with
 * namespace keys and VM keys with VM keys) and has the same total number of selector
 * labels. name is other's metadata.name, f its fields (both borrowed until the lock
 * is released); same is true when the selectors are exactly equal. fn returns false
 * to stop.
 * Uses the index: postings of policy's keys and the group of equal totals. Returns 0,
 * or MG_ENOMEM. */
int mg_policy_ties(const struct mg_store *view, const cJSON *policy, const char *skip,
                   bool (*fn)(void *ctx, const cJSON *other, const char *name,
                              const struct mg_policy_fields *f, bool same),
                   void *ctx);

/* mg_policy_ties without the index, checking every policy: the reference for tests. */
int mg_policy_ties_scan(const struct mg_store *view, const cJSON *policy, const char *skip,
                        bool (*fn)(void *ctx, const cJSON *other, const char *name,
                                   const struct mg_policy_fields *f, bool same),
                        void *ctx);

/* Create the policy index of s and attach it as a store hook (mg_store_new does
 * this). MG_ENOMEM on failure. */
int mg_policy_index_attach(struct mg_store *s);

/* Structure counts of a policy index, for tests: after policies come and go they
 * return to what they were (slots, posting_slots and buckets stay at their peak). */
struct mg_policy_index_stats {
    size_t policies;      /* indexed policies */
    size_t postings;      /* live postings (names, labels, keys, totals) */
    size_t slots;         /* policy slots ever used (freed ones are reused) */
    size_t posting_slots; /* posting slots ever used (freed ones are reused) */
    size_t buckets;       /* hash table buckets */
};

/* The counts of s's policy index into *st; false (all 0) when it has none or it is
 * stale. */
bool mg_policy_index_stats(const struct mg_store *s, struct mg_policy_index_stats *st);

#endif
