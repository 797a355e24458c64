/* SPDX-License-Identifier: Apache-2.0 */
/* policywrite.h - MigrationPolicy writes serialized across replicas, with the API
 * server as the arbiter (issue 13): before a CREATE/UPDATE is judged, this replica
 * takes a Lease by compare-and-swap, reads the stored policies afresh (a LIST without
 * resourceVersion: a quorum read) and the admissions other replicas recorded in the
 * Lease in the last pending time; an admission is recorded in the same
 * compare-and-swap that gives the Lease up, before the answer leaves. Two conflicting
 * policies judged by two replicas are therefore judged one after the other, and the
 * second sees the first (stored, or recorded). Thread-safety: one call at a time (the
 * engine's policy mutex). */
#ifndef MG_POLICYWRITE_H
#define MG_POLICYWRITE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "pending.h"
#include "request.h"
#include "store.h"

/* The annotation of the Lease that lists recent admissions. */
#define MG_POLICYWRITE_RECORDS "migguard.kubevirt.io/admitted"

struct mg_policywrite_opts {
    const char *kubeconfig; /* NULL: the in-cluster ServiceAccount */
    const char *namespace_; /* where the Lease lives: migguard's namespace */
    const char *lease_name; /* NULL: "migguard-policy-writes" */
    const char *identity;   /* this replica, unique */
    unsigned lease_s;       /* leaseDurationSeconds; 0: 2 */
    unsigned pending_ms;    /* how long a recorded admission counts; 0: MG_PENDING_TTL_MS */
};

struct mg_policywrite;

/* A new serializer (no request is sent yet). MG_ECONFIG without a kubeconfig or
 * in-cluster configuration. */
int mg_policywrite_new(struct mg_policywrite **out, const struct mg_policywrite_opts *o,
                       struct mg_err *err);

/* Free it; accepts NULL. A Lease still held expires by itself. */
void mg_policywrite_free(struct mg_policywrite *pw);

/* Before judging: take the Lease and bring the view's policies up to the API server's
 * (the fresh list, then what is pending here, then the Lease's recent admissions as
 * pending) under the store's write lock. MG_EIO when this cannot be done by
 * deadline_ms (err says why; the Lease is not held then). */
int mg_policywrite_begin(struct mg_policywrite *pw, struct mg_store *store,
                         struct mg_pending *pending, int64_t deadline_ms, struct mg_err *err);

/* Take this replica's turn: lock mu (the engine's policy mutex) by deadline_ms, then
 * mg_policywrite_begin when pw is not NULL. 0 with mu held, or MG_EIO with why set and
 * nothing held. */
int mg_policywrite_turn(struct mg_policywrite *pw, pthread_mutex_t *mu, struct mg_store *store,
                        struct mg_pending *pending, int64_t deadline_ms, struct mg_err *why);

/* An admitted policy change (req: CREATE, UPDATE or DELETE) into store: for good when
 * for_good, else pending until deadline_ms. Caller holds the store's write lock. A
 * failed copy leaves the view as the watch will make it: nothing lost. */
void mg_policywrite_admitted(struct mg_store *store, struct mg_pending *pending,
                             const struct mg_request *req, bool for_good, int64_t deadline_ms);

/* After judging: give the Lease up, recording obj (the admitted policy; NULL when
 * nothing was admitted). MG_EIO when the record could not be written by deadline_ms:
 * the admission must then be refused. */
int mg_policywrite_end(struct mg_policywrite *pw, const cJSON *obj, int64_t deadline_ms,
                       struct mg_err *err);

#endif
