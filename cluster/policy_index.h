/* SPDX-License-Identifier: Apache-2.0 */
/* policy_index.h - internal to cluster/: the inverted index of MigrationPolicies that
 * policy.c reads. Postings are keyed by (selector side, key, value), (side, key), the
 * total label count, and the name; policies with empty selectors sit in their own
 * posting. Written only through the store hook (under the write lock), read under
 * the read lock by any number of threads: readers never modify it. */
#ifndef MG_POLICY_INDEX_H
#define MG_POLICY_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "policy.h"
#include "store.h"

/* Posting kinds: the first byte of a posting key. */
#define PX_NS_KV 'n'  /* namespaceSelector key=value */
#define PX_VM_KV 'v'  /* virtualMachineInstanceSelector key=value */
#define PX_NS_KEY 'N' /* namespaceSelector key, any value */
#define PX_VM_KEY 'V' /* virtualMachineInstanceSelector key, any value */
#define PX_TOTAL 'T'  /* total number of selector labels */
#define PX_NAME 'P'   /* the policy's name */

#define PX_NONE UINT32_MAX

/* One indexed policy. Borrowed from the index until the next write. */
struct px_pol {
    char *name;
    const cJSON *obj; /* owned by the store */
    struct mg_policy_fields fields;
    bool live;
    uint32_t nns, nvm;
    uint32_t *posts; /* posting ids this policy is in, for removal */
    uint32_t nposts, capposts;
};

struct mg_policy_index;

/* The index of a store, or NULL when it has none or it is stale. */
const struct mg_policy_index *px_of(const struct mg_store *s);

/* Ids of the policies in one posting; *n = 0 when there is none. Borrowed.
 * For PX_*_KV pass key and value; for PX_*_KEY and PX_NAME value is NULL; for
 * PX_TOTAL key is the decimal total. */
const uint32_t *px_posting(const struct mg_policy_index *x, char kind, const char *key,
                           const char *value, uint32_t *n);

/* px_posting, and in *totals the total selector labels of each policy in it. */
const uint32_t *px_posting_totals(const struct mg_policy_index *x, char kind, const char *key,
                                  const char *value, uint32_t *n, const uint32_t **totals);

/* Policies with empty selectors (they match everything). */
const uint32_t *px_empty(const struct mg_policy_index *x, uint32_t *n);

/* The policy in slot id. */
const struct px_pol *px_pol(const struct mg_policy_index *x, uint32_t id);

/* The slot of the policy named name, PX_NONE when absent. */
uint32_t px_find(const struct mg_policy_index *x, const char *name);

/* Implemented in policy.c: the virtualMachineInstanceSelector (vm true) or
 * namespaceSelector map of a policy, NULL when absent or null. */
const cJSON *px_selector(const cJSON *policy, bool vm);

/* True when it is the first entry of map with its key (a duplicate key counts once). */
bool px_first(const cJSON *map, const cJSON *it);

#endif
