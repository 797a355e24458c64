/* SPDX-License-Identifier: Apache-2.0 */
/* kubeapply.h - what the Kubernetes API sends, applied to the store: a list replaces
 * a kind's objects at once, a watch event (ADDED, MODIFIED, DELETED, BOOKMARK,
 * ERROR) changes one. No I/O: the watcher feeds it, and tests can without a server. */
#ifndef MG_KUBEAPPLY_H
#define MG_KUBEAPPLY_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "store.h"

/* Make an API object fit for the store: set kind and apiVersion when absent (list
 * items carry neither), drop what no rule reads (metadata.managedFields, the
 * kubectl last-applied annotation, a Node's status.images). */
void mg_kubeapply_prepare(cJSON *obj, const char *kind, const char *api_version);

/* Replace every object of kind in s with the items of the array items (taken, also
 * on failure; each is prepared) and mark the kind known. The new set is built aside
 * and exchanged under the write lock (taken here) in O(1), so readers see the old set
 * or the new one, never a mix. Returns the number
 * of items skipped (no metadata.name...), with the first reason in err. */
size_t mg_kubeapply_replace(struct mg_store *s, const char *kind, const char *api_version,
                            cJSON *items, struct mg_err *err);

enum mg_kubeapply_result {
    MG_KUBEAPPLY_CHANGED,  /* ADDED/MODIFIED stored, DELETED removed (or already absent) */
    MG_KUBEAPPLY_BOOKMARK, /* only the resourceVersion moved */
    MG_KUBEAPPLY_IGNORED,  /* an unknown event type, or an object the store refused */
    MG_KUBEAPPLY_GONE,     /* ERROR with code 410: the caller must relist */
    MG_KUBEAPPLY_ERROR,    /* another ERROR, or not an event: err says which */
};

/* Apply one watch event {type, object}; the caller holds the store's write lock.
 * The object is moved into the store (ev keeps the rest). rv (rvsize bytes) gets the
 * object's metadata.resourceVersion, "" when it has none or it does not fit. */
enum mg_kubeapply_result mg_kubeapply_event(struct mg_store *s, const char *kind,
                                            const char *api_version, cJSON *ev, char *rv,
                                            size_t rvsize, struct mg_err *err);

#endif
