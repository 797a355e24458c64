/* SPDX-License-Identifier: Apache-2.0 */
/* workload_index.h - the workloads of the cluster view (VirtualMachines by their
 * template labels, VirtualMachineInstances by their own labels) by key=value label and
 * by namespace, so that the workloads a MigrationPolicy can match are found from its
 * selectors instead of by a walk over every VM (MP012). Two indexes per view, one per
 * kind, since each moves with its kind's objects (mg_store_exchange).
 * Thread-safety: written only by its store hooks under the view's write lock; queries
 * run under the read lock from any number of threads and never modify it. It keeps
 * copies (interned strings), never pointers into the store's objects. */
#ifndef MG_WORKLOAD_INDEX_H
#define MG_WORKLOAD_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "store.h"

struct mg_workload_index;

/* One indexed workload; strings borrowed from the index until the next write. */
struct mg_workload {
    bool vm;        /* a VirtualMachine; else a VirtualMachineInstance */
    bool owned;     /* a VMI with an ownerReference of kind VirtualMachine; MP012 (RULES
                     * 9.7) also counts as owned a VMI named like a VM of its namespace */
    const char *ns; /* metadata.namespace, "" when absent */
    const char *name;
    size_t nlabels; /* the labels policies match (distinct keys, string values) */
};

/* Structure counts, for tests: each returns to its baseline when what was put is
 * removed again. */
struct mg_workload_index_stats {
    size_t workloads;   /* indexed workloads */
    size_t strings;     /* interned strings (namespaces, names, label keys and values) */
    size_t postings;    /* key=value and namespace postings */
    size_t namespaces;  /* namespaces with at least one workload */
    size_t posting_ids; /* capacity of every posting's id array together */
};

/* Create the VM and the VMI index of s, fill them with the workloads already in s and
 * attach them as store hooks (mg_view_indexes_attach does this). 0 or MG_ENOMEM. */
int mg_workload_index_attach(struct mg_store *s);

/* The VMI index (vmi true) or the VM index of s, or NULL when it has none or it is
 * stale (an allocation failed while it followed the store: callers fall back to a
 * walk). Borrowed. */
const struct mg_workload_index *mg_workload_index_of(const struct mg_store *s, bool vmi);

/* The ids of the workloads policy's selectors match (RULES section 4): the intersection
 * of the postings of its virtualMachineInstanceSelector labels, kept when the labels of
 * their Namespace in view match its namespaceSelector; with an empty VM selector every
 * workload of the matching namespaces; none when its selectors are malformed. Owned
 * VMIs are included (see struct mg_workload). *ids: caller frees with free() (NULL
 * when *n is 0), in no particular order. 0 or MG_ENOMEM. */
int mg_workload_index_candidates(const struct mg_workload_index *x, const struct mg_store *view,
                                 const cJSON *policy, uint32_t **ids, size_t *n);

/* The workload with id (from mg_workload_index_candidates) into *w. */
void mg_workload_index_get(const struct mg_workload_index *x, uint32_t id, struct mg_workload *w);

/* True when x holds a workload named name in namespace ns. */
bool mg_workload_index_has(const struct mg_workload_index *x, const char *ns, const char *name);

/* The labels of workload id as key, value pointers: kv[2i], kv[2i+1] for i below the
 * returned count and cap/2. Borrowed like the strings of struct mg_workload. */
size_t mg_workload_index_labels(const struct mg_workload_index *x, uint32_t id, const char **kv,
                                size_t cap);

/* The structure counts of x into *st. */
void mg_workload_index_stats(const struct mg_workload_index *x, struct mg_workload_index_stats *st);

#endif
