/* SPDX-License-Identifier: Apache-2.0 */
/* store.h - the cluster view: every object migguard knows (namespaces, PVCs,
 * storage classes and profiles, nodes, NADs, policies, VMs, VMIs, migrations,
 * HyperConverged, KubeVirt), keyed by kind, namespace and name.
 * Thread-safety: one reader-writer lock that prefers writers. Readers hold
 * mg_store_rdlock() for the whole of one review (and never take it twice), writers
 * mg_store_wrlock() for one change at a time: every write is
 * O(1) (a watch event) or swaps a kind built aside in a private store
 * (mg_store_exchange), so no writer holds the lock for long. Lookups take no lock.
 * Objects are pruned on entry (prune.h). The kinds held by the thousand (VMs, VMIs,
 * PVCs, DataVolumes) are kept packed (packed.h): a lookup decodes a tree that the
 * calling thread borrows until its next mg_store_unlock (or mg_store_release); other
 * kinds are cJSON trees owned by the store, borrowed until the lock is released. */
#ifndef MG_STORE_H
#define MG_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

struct mg_store;

/* A new empty store, or NULL when out of memory. */
struct mg_store *mg_store_new(void);

/* Free the store and every object in it, and what this thread decoded
 * (mg_store_release); accepts NULL. */
void mg_store_free(struct mg_store *s);

/* Insert or replace obj under its kind, metadata.namespace ("" when absent, and always
 * "" for cluster-scoped kinds: Namespace, Node, StorageClass, StorageProfile,
 * MigrationPolicy, PersistentVolume) and
 * metadata.name, pruned first (prune.h). Takes ownership of obj, also on failure.
 * MG_EINVAL when obj has no string kind or metadata.name. Marks the kind as known. An
 * object of a kind the store's filter does not keep is dropped (0). */
int mg_store_put(struct mg_store *s, cJSON *obj, struct mg_err *err);

/* mg_store_put of obj that lives in this thread's arena (arena.h; the arena closed
 * now, released by the caller later): a packed kind is packed from it as it is, any
 * other kind is stored as a copy, since the store keeps those trees. Takes obj: parts
 * added outside the arena are freed. */
int mg_store_put_arena(struct mg_store *s, cJSON *obj, struct mg_err *err);

/* Which kinds a store being filled keeps, for loading a view a kind at a time: want
 * (ctx, kind) true keeps the kind. Objects of other kinds are checked as usual by
 * mg_store_put (identity) and then dropped; with unchecked, a loader may skip them
 * without reading them at all (their errors then go unseen). */
struct mg_store_filter {
    bool (*want)(void *ctx, const char *kind);
    void *ctx;
    bool unchecked;
    /* Optional: a loader of a directory asks before each file; false skips it. */
    bool (*want_file)(void *ctx, const char *path);
};

/* Set (a copy of f) or clear (f NULL) the filter of s. */
void mg_store_set_filter(struct mg_store *s, const struct mg_store_filter *f);

/* False when s's filter says the file at path holds nothing it keeps. */
bool mg_store_wants_file(const struct mg_store *s, const char *path);

/* True when s has a filter that lets loaders skip objects unread. */
bool mg_store_skips(const struct mg_store *s);

/* True when s keeps objects of kind. When it does not, *skip (may be NULL) says
 * whether they may be skipped unread. */
bool mg_store_wants(const struct mg_store *s, const char *kind, bool *skip);

/* Remove an object; returns MG_ENOTFOUND when it was not there. */
int mg_store_remove(struct mg_store *s, const char *kind, const char *ns, const char *name);

/* The object, or NULL. ns is "" for cluster-scoped kinds. Borrowed. */
const cJSON *mg_store_get(const struct mg_store *s, const char *kind, const char *ns,
                          const char *name);

/* All objects of kind, in insertion order (a removal moves the last object into the
 * gap): *items is a borrowed array valid until the next write or, for a compact kind,
 * this thread's next unlock. A compact kind is decoded whole for this: walks of the
 * big kinds use mg_store_each or an index. Returns the count. */
size_t mg_store_list(const struct mg_store *s, const char *kind, const cJSON *const **items);

/* Call fn for every object of kind in list order, each borrowed for that call only
 * (compact kinds are decoded one at a time). Returns fn's first non-zero result,
 * MG_ENOMEM when decoding fails, else 0. */
int mg_store_each(const struct mg_store *s, const char *kind,
                  int (*fn)(void *ctx, const cJSON *obj), void *ctx);

/* mg_store_each over the objects from..from+count-1 of kind's list order (fewer at the
 * end): a long walk in batches, each under its own read lock. A write between two
 * batches may move an object (a removal fills the gap with the last), so such a walk
 * can miss or repeat an object that changed meanwhile. */
int mg_store_each_range(const struct mg_store *s, const char *kind, size_t from, size_t count,
                        int (*fn)(void *ctx, const cJSON *obj), void *ctx);

/* The namespace ("" when none) and name of object i of kind in list order, without
 * decoding it: borrowed until the next write. false when i is past the end. */
bool mg_store_key_at(const struct mg_store *s, const char *kind, size_t i, const char **ns,
                     const char **name);

/* Number of objects of kind: no decoding. */
size_t mg_store_count(const struct mg_store *s, const char *kind);

/* Free what this thread decoded from compact kinds (mg_store_unlock does it too):
 * nothing it borrowed from lookups may be used afterwards. */
void mg_store_release(void);

/* True when the view knows this kind: it holds an object of the kind, or the kind
 * was marked known (watched from the API, possibly empty). */
bool mg_store_knows(const struct mg_store *s, const char *kind);

/* Mark kind as known even when no object of it exists. */
int mg_store_mark_known(struct mg_store *s, const char *kind);

/* Exchange the objects of kind (every kind either store has, when kind is NULL)
 * between dst and src, with their known-kind marks and the hooks of that kind that
 * both stores carry (the indexes mg_store_new attaches: each follows its objects, so
 * the exchange is O(1) per kind). A hook only one side has stays on its side and hears
 * of every object leaving and arriving, as do dst's hooks of every kind (kind NULL).
 * Objects put into dst since it was filled, such as policies admitted through
 * /validate, leave with the rest. The caller holds dst's write lock (src needs none:
 * no one else may see it) and frees src, which now holds dst's old objects, after
 * releasing it. Returns 0, MG_EINVAL when src is NULL or is dst, MG_ENOMEM (nothing
 * changed) when a kind table could not be made. */
int mg_store_exchange(struct mg_store *dst, struct mg_store *src, const char *kind);

/* mg_store_exchange of every kind either store has for which which(ctx, kind) is true
 * (which NULL: all of them). */
int mg_store_exchange_where(struct mg_store *dst, struct mg_store *src,
                            bool (*which)(void *ctx, const char *kind), void *ctx);

/* mg_store_exchange of every kind, then mg_store_free(src) (under the caller's lock:
 * prefer the exchange and a free after unlocking). */
int mg_store_replace_all(struct mg_store *dst, struct mg_store *src);

/* Total number of objects. */
size_t mg_store_size(const struct mg_store *s);

/* A number that changes with every put, removal and exchange of s (read it under the
 * lock): equal numbers mean the same objects, so a pass over the view can be skipped. */
uint64_t mg_store_version(const struct mg_store *s);

/* A change hook: derived state (an index) kept current under the write lock.
 * put runs after obj is stored (old: the object it replaced, freed after put returns,
 * or NULL); remove runs before obj is freed; free runs once from mg_store_free.
 * obj and old are valid only during the call (compact kinds are decoded for it): a
 * hook copies what it keeps, and its ctx points at nothing of the store, since it
 * moves with its kind's objects from store to store (mg_store_exchange).
 * kind NULL: every kind (such a hook does not move, and costs O(n) per exchange). A hook's error
 * does not undo the change: the hook must cope, e.g. by marking itself stale. */
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

/* The write lock, taken only at a moment no reader holds the lock (tried for up to
 * 50 ms, then waited for like mg_store_wrlock): a writer that merely waits makes new
 * readers queue behind it, and a writer the scheduler is slow to wake on a busy node
 * would hold reviews up for that long. For swaps, which can wait a little. */
void mg_store_wrlock_polite(struct mg_store *s);

void mg_store_rdlock(struct mg_store *s);
void mg_store_wrlock(struct mg_store *s);
void mg_store_unlock(struct mg_store *s);

#endif
