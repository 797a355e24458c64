/* SPDX-License-Identifier: Apache-2.0 */
/* kube.h - the cluster view from the Kubernetes API: for every kind of RULES.md
 * section 1, list (paginated) then watch from the list's resourceVersion, apply the
 * events to a store under its write lock, relist on 410 Gone, back off on errors.
 * One thread per kind, libcurl for HTTP(S). Thread-safety: every function may be
 * called from any thread once mg_kube_start returned; mg_kube_stop from one. */
#ifndef MG_KUBE_H
#define MG_KUBE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "kubeconf.h"
#include "store.h"

struct mg_kube_opts {
    const char *kubeconfig;    /* kubeconfig file; NULL: the in-cluster ServiceAccount */
    const char *context;       /* kubeconfig only: this context, NULL: the current one */
    const char *sa_dir;        /* in-cluster only: NULL means MG_KUBECONF_SA_DIR */
    bool once;                 /* list every kind once and watch nothing (`report`): each
                                * thread ends after its first complete list (or a 404) */
    unsigned backoff_min_ms;   /* first retry delay after an error, 0: 500 */
    unsigned backoff_max_ms;   /* cap of the doubling delay, 0: 30000 */
    unsigned missing_retry_ms; /* re-list a kind whose API is absent (404) after, 0: 60000 */
    unsigned page_limit;       /* list page size (limit=), 0: 500 */
    unsigned list_timeout_s;   /* one list page's whole-transfer limit, 0: 60; a list that
                                * sends nothing for 15 s is abandoned too */
    unsigned resync_ms;        /* list every kind again this long after its last list, so
                                * objects no event removes (an admitted policy another
                                * webhook refused) go away; 0: 600000 (10 minutes) */
    /* Called from watcher threads with one line of text (no newline) on every error
     * and recovery; NULL: silent. Must be thread-safe. */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
    /* Called with the store's write lock held after a watch event changed kind's
     * object name, and with name NULL after a list replaced every object of kind;
     * NULL: none. Must be quick and take no lock the store's writers wait for. */
    void (*changed)(void *ctx, const char *kind, const char *name);
    void *changed_ctx;
};

/* What one kind's watcher has done so far (for /metrics and tests). */
struct mg_kube_kind_stats {
    const char *kind;       /* "VirtualMachine" (static storage) */
    const char *path;       /* "/apis/kubevirt.io/v1/virtualmachines" (static storage) */
    bool synced;            /* the first full list arrived (or the API is absent) */
    bool absent;            /* the last list answered 404: the CRD is not installed */
    unsigned long lists;    /* complete lists applied */
    unsigned long relists;  /* lists after the first (410 Gone, errors) */
    unsigned long restarts; /* watch requests after the first one of each list */
    unsigned long errors;   /* failed requests and dropped connections */
    unsigned long events;   /* watch events applied */
};

struct mg_kube;

/* Resolve the configuration (kubeconfig or in-cluster) and start one watcher thread
 * per kind, filling store (borrowed: it must outlive mg_kube_stop). Returns at once:
 * the view fills in the background; see mg_kube_ready. On failure *out is NULL and
 * err says why (MG_ECONFIG for a missing or bad configuration). */
int mg_kube_start(struct mg_kube **out, const struct mg_kube_opts *opts, struct mg_store *store,
                  struct mg_err *err);

/* True once every kind has completed its first full list (a kind whose API answers
 * 404 counts as listed: it stays unknown to the store and is asked again every
 * missing_retry_ms; a CRD removed after it was listed leaves the kind known and
 * empty). Stays true afterwards: a relist keeps serving the last view until the new
 * one replaces it atomically. */
bool mg_kube_ready(const struct mg_kube *k);

/* Number of watched kinds (the same for every mg_kube). */
size_t mg_kube_kind_count(void);

/* Statistics of kind number i (0 <= i < mg_kube_kind_count()); MG_EINVAL otherwise. */
int mg_kube_stats(const struct mg_kube *k, size_t i, struct mg_kube_kind_stats *out);

/* Abort the transfers in flight, join every thread (within about a second), free
 * everything; accepts NULL. The store keeps what it holds. */
void mg_kube_stop(struct mg_kube *k);

#endif
