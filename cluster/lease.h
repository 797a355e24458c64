/* SPDX-License-Identifier: Apache-2.0 */
/* lease.h - a coordination.k8s.io/v1 Lease as a lock between migguard's replicas,
 * with the API server as the arbiter: every change is a compare-and-swap on the
 * Lease's resourceVersion (409 Conflict: someone else changed it first). A holder that
 * died is passed over once its Lease has not changed for leaseDurationSeconds as this
 * replica observed it (client-go's rule: no clock is compared across machines).
 * Thread-safety: one caller at a time per mg_lease. */
#ifndef MG_LEASE_H
#define MG_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "kubecall.h"

struct mg_lease_opts {
    struct mg_kubecall *call; /* borrowed: outlives the lease */
    const char *namespace_;   /* migguard's namespace */
    const char *name;         /* "migguard-policy-writes" */
    const char *identity;     /* this replica, unique ("pod-name_pid") */
    unsigned duration_s;      /* leaseDurationSeconds, 1 or more */
};

struct mg_lease;

/* A lease handle (nothing is sent yet); MG_EINVAL for a bad option, MG_ENOMEM. */
int mg_lease_new(struct mg_lease **out, const struct mg_lease_opts *o, struct mg_err *err);

/* Free the handle (a Lease still held is left to expire); accepts NULL. */
void mg_lease_free(struct mg_lease *l);

/* Take the Lease, waiting for its holder or its expiry, until deadline_ms
 * (mg_pending_now_ms clock). On success *annotations (may be NULL) gets a copy of the
 * Lease's metadata.annotations as it was taken (caller frees; NULL when none). MG_EIO
 * when it could not be taken in time: err says who holds it or what failed. */
int mg_lease_acquire(struct mg_lease *l, int64_t deadline_ms, cJSON **annotations,
                     struct mg_err *err);

/* Give the Lease up, setting annotation key to value (NULL: unchanged) in the same
 * compare-and-swap. MG_EIO when it failed or the Lease was taken over meanwhile (it
 * held too long): then nothing was written. MG_EINVAL when not held. */
int mg_lease_release(struct mg_lease *l, const char *key, const char *value, int64_t deadline_ms,
                     struct mg_err *err);

/* Leader election: one attempt to take or renew the Lease (kept, not released). *held
 * says whether this replica holds it now. 0, or MG_EIO when the API could not be
 * asked (then *held is false). */
int mg_lease_try(struct mg_lease *l, int64_t deadline_ms, bool *held, struct mg_err *err);

/* Who held the Lease when last seen ("" when free or never seen); borrowed until the
 * next call. */
const char *mg_lease_holder(const struct mg_lease *l);

#endif
