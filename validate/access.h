/* SPDX-License-Identifier: Apache-2.0 */
/* access.h - the access modes of one persistentVolumeClaim or dataVolume volume, from
 * the first source that says (RULES.md 5 VM001 and 9.9): dataVolumeTemplates, a VMI's
 * volumeStatus, the DataVolume, the PVC, the CDI StorageProfile of the storage class.
 * Reads the view (the caller holds its lock); no allocation. */
#ifndef MG_ACCESS_H
#define MG_ACCESS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "store.h"

/* One volume to resolve. Pointers are borrowed. */
struct mg_volume_ref {
    const char *volume;         /* the volume's name */
    const char *claim;          /* claimName, or the dataVolume's name */
    bool data_volume;           /* a dataVolume volume (else persistentVolumeClaim) */
    const char *ns;             /* the workload's namespace */
    const cJSON *dv_templates;  /* a VM's (a VMI: its owner VM's) dataVolumeTemplates */
    const cJSON *volume_status; /* a VMI's status.volumeStatus, or NULL */
};

/* What the sources say. */
struct mg_access {
    bool known;        /* some source gave access modes */
    bool rwx;          /* ... and they include ReadWriteMany */
    char modes[96];    /* the modes, comma-separated ("ReadWriteOnce") */
    char source[160];  /* where they came from ("the PVC", "StorageProfile nfs") */
    char unknown[200]; /* when !known: what is missing, for the message */
};

/* Resolve ref's access modes over the view into out. */
void mg_access_resolve(const struct mg_volume_ref *ref, const struct mg_store *view,
                       struct mg_access *out);

/* The default StorageClass of the view (annotation storageclass.kubernetes.io/
 * is-default-class "true", or the beta one): the newest by creationTimestamp, ties to the
 * smallest name. With virt true a class annotated storageclass.kubevirt.io/
 * is-default-virt-class "true" wins, as CDI prefers it for DataVolumes. NULL: none. */
const char *mg_access_default_class(const struct mg_store *view, bool virt);

#endif
