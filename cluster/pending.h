/* SPDX-License-Identifier: Apache-2.0 */
/* pending.h - objects an admission put into the view before the API server stored
 * them (RULES.md section 3, issues 13 and 15): each counts only for a bounded time
 * unless the watch confirms it; then the view returns to what it was before the
 * admission (an UPDATE's old version, a DELETE's object). Cluster-scoped kinds only.
 * Thread-safety: every function but mg_pending_free may be called from any thread; the
 * ones that change the view need the store's write lock held by the caller, and the
 * expiry thread takes that lock itself (lock order: store, then pending). */
#ifndef MG_PENDING_H
#define MG_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "store.h"

/* The default bound of issue 13: an admission that never lands leaves within 10 s. */
#define MG_PENDING_TTL_MS 10000u

struct mg_pending;

/* A tracker over store (borrowed: it must outlive the tracker). NULL when out of
 * memory. The expiry thread starts with the first mg_pending_apply. */
struct mg_pending *mg_pending_new(struct mg_store *store);

/* Stop the expiry thread and free every entry; the view keeps what it holds. Accepts
 * NULL. */
void mg_pending_free(struct mg_pending *p);

/* Monotonic milliseconds, the clock of every deadline here. */
int64_t mg_pending_now_ms(void);

/* The CLOCK_MONOTONIC timespec of ms (mg_pending_now_ms clock), for timed waits on a
 * condition variable using that clock. */
struct timespec mg_pending_ts(int64_t ms);

/* Put obj (copied; NULL: remove the object) of kind/name into the view as pending
 * until deadline_ms (mg_pending_now_ms() clock). The first pending change of a name
 * remembers what the view held before it; later ones keep that and move the deadline
 * (never earlier). Caller holds the store's write lock. 0, or MG_ENOMEM (the view is
 * then unchanged). */
int mg_pending_apply(struct mg_pending *p, const char *kind, const char *name, const cJSON *obj,
                     int64_t deadline_ms);

/* The watch reported kind/name: the view now holds the API server's truth for it, and
 * the pending entry is dropped without touching the view. Caller holds the store's write
 * lock. Cheap when nothing is pending. */
void mg_pending_confirm(struct mg_pending *p, const char *kind, const char *name);

/* Every object of kind was replaced (a list): each pending entry of kind remembers the
 * new object as its "before" and is applied again over it. Caller holds the store's
 * write lock. */
void mg_pending_relisted(struct mg_pending *p, const char *kind);

/* Forget every entry without touching the view (the view was reloaded as a whole).
 * Caller holds the store's write lock. */
void mg_pending_clear(struct mg_pending *p);

/* Restore the "before" of every entry whose deadline is at or before now_ms. Caller
 * holds the store's write lock (the expiry thread calls it so). Returns the number
 * restored. */
size_t mg_pending_expire(struct mg_pending *p, int64_t now_ms);

/* Entries pending now. */
size_t mg_pending_count(struct mg_pending *p);

#endif
