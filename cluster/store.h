/* SPDX-License-Identifier: Apache-2.0 */
/* store.h - the cluster view: every object migguard knows (namespaces, PVCs,
 * storage classes and profiles, nodes, NADs, policies, VMs, VMIs, migrations,
 * HyperConverged, KubeVirt), keyed by kind, namespace and name.
 * Thread-safety: one reader-writer lock. Readers hold mg_store_rdlock() for the whole
 * of one review, writers mg_store_wrlock(); lookups themselves take no lock.
 * Objects are cJSON trees owned by the store; lookups borrow them until the lock
 * is released. */
#ifndef MG_STORE_H
#define MG_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

struct mg_store;

/* A new empty store, or NULL when out of memory. */
struct mg_store *mg_store_new(void);

/* Free the store and every object in it; accepts NULL. */
void mg_store_free(struct mg_store *s);

/* Insert or replace obj under its kind, metadata.namespace ("" when absent, and always
 * "" for cluster-scoped kinds: Namespace, Node, StorageClass, StorageProfile,
 * MigrationPolicy, PersistentVolume) and
 * metadata.name. Takes ownership of obj, also on failure. MG_EINVAL when obj has no
 * string kind or metadata.name. Marks the kind as known. */
int mg_store_put(struct mg_store *s, cJSON *obj, struct mg_err *err);

/* Remove an object; returns MG_ENOTFOUND when it was not there. */
int mg_store_remove(struct mg_store *s, const char *kind, const char *ns, const char *name);

/* The object, or NULL. ns is "" for cluster-scoped kinds. Borrowed. */
const cJSON *mg_store_get(const struct mg_store *s, const char *kind, const char *ns,
                          const char *name);

/* All objects of kind, in insertion order: *items is a borrowed array valid until
 * the next write. Returns the count. */
size_t mg_store_list(const struct mg_store *s, const char *kind, const cJSON *const **items);

/* True when the view knows this kind: it holds an object of the kind, or the kind
 * was marked known (watched from the API, possibly empty). */
bool mg_store_knows(const struct mg_store *s, const char *kind);

/* Mark kind as known even when no object of it exists. */
int mg_store_mark_known(struct mg_store *s, const char *kind);

/* Replace the whole view at once: every object of dst is removed (dst's change hooks
 * see each remove while the object still exists), then every object of src moves into
 * dst in src's order (the hooks see each put, old NULL), with src's known-kind marks
 * (dst's own marks go). Objects put into dst since it was filled, such as policies
 * admitted through /validate, are dropped too. Allocates nothing, so it cannot stop
 * half way. Takes ownership of src and frees it (its own hooks and all). The caller
 * holds dst's write lock (src needs none: no one else may see it). Returns 0, or
 * MG_EINVAL (nothing changes) when src is NULL or is dst. */
int mg_store_replace_all(struct mg_store *dst, struct mg_store *src);

/* Total number of objects. */
size_t mg_store_size(const struct mg_store *s);

/* A change hook: derived state (an index) kept current under the write lock.
 * put runs after obj is stored (old: the object it replaced, freed after put returns,
 * or NULL); remove runs before obj is freed; free runs once from mg_store_free.
 * kind NULL: every kind. A hook's error does not undo the change: the hook must
 * cope, e.g. by marking itself stale. */
struct mg_store_hook {
    const char *kind;
    int (*put)(void *ctx, const cJSON *obj, const cJSON *old);
    void (*remove)(void *ctx, const cJSON *obj);
    void (*free)(void *ctx);
};

/* Register hook (static storage, identified by its address) with ctx; ctx is freed
 * through hook->free from mg_store_free. MG_EINVAL when hook is already registered. */
int mg_store_on_change(struct mg_store *s, const struct mg_store_hook *hook, void *ctx);

/* The ctx registered with hook, or NULL. */
void *mg_store_hook_ctx(const struct mg_store *s, const struct mg_store_hook *hook);

void mg_store_rdlock(struct mg_store *s);
void mg_store_wrlock(struct mg_store *s);
void mg_store_unlock(struct mg_store *s);

#endif
