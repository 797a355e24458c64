/* SPDX-License-Identifier: Apache-2.0 */
/* manifest.h - one manifest object as the API server would hand it to a webhook:
 * its resource and scope, the AdmissionReview for it, and field paths as JSON
 * pointers. For `migguard check`; no I/O and no rule of its own: the engine decides. */
#ifndef MG_MANIFEST_H
#define MG_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

/* True for kinds the API server keeps without a namespace (Namespace, Node,
 * PersistentVolume, StorageClass, CDI StorageProfile, MigrationPolicy, ...). */
bool mg_manifest_cluster_scoped(const char *kind);

/* The lowercase plural resource of kind ("migrationpolicies", "storageclasses"). */
void mg_manifest_resource(const char *kind, char *buf, size_t cap);

/* Give obj the namespace the API server would: for a namespaced kind its own
 * metadata.namespace, else default_ns (which is then written into obj); for a
 * cluster-scoped kind none (a metadata.namespace is removed). Returns the namespace,
 * "" for cluster-scoped kinds, borrowed from obj (or static); NULL when out of memory
 * or obj has no metadata mapping. */
const char *mg_manifest_set_namespace(cJSON *obj, const char *default_ns);

/* The AdmissionReview (admission.k8s.io/v1) text for obj: CREATE, or UPDATE with old
 * as oldObject when old is not NULL. obj needs string apiVersion, kind and
 * metadata.name; ns is its namespace ("" when cluster-scoped). Caller frees *out with
 * free(). */
int mg_manifest_review(const cJSON *obj, const cJSON *old, const char *ns, const char *uid,
                       char **out, struct mg_err *err);

/* Write the RFC 6901 pointer of a finding's field path ("spec.volumes[0].name",
 * "spec.addedNodeSelector.kubernetes.io/hostname") into buf. The path is walked in obj,
 * so a key that contains dots is found whole (the longest matching key wins); parts
 * obj does not have are split at dots. Returns 0, or MG_ETOOBIG when buf is too small. */
int mg_manifest_pointer(const cJSON *obj, const char *field, char *buf, size_t cap);

#endif
