/* SPDX-License-Identifier: Apache-2.0 */
/* kube_int.h - internal to cluster/kube*.c: one watcher per kind and the state they
 * share, for kube.c (threads, watch, back-off) and kubelist.c (a list built aside and
 * swapped in). A watcher's fields belong to its thread, but for the atomics, which
 * other threads read. */
#ifndef MG_KUBE_INT_H
#define MG_KUBE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <curl/curl.h>

#include "background.h"
#include "kube.h"

/* The kinds kube.c lists and watches (its specs table). */
#define KB_NKINDS 14

#define LIST_MAX_BYTES ((size_t)256 * 1024 * 1024)
/* etcd caps an object at 1.5 MiB; a watch line past this is not an event. */
#define LINE_MAX_BYTES ((size_t)32 * 1024 * 1024)
#define ERRBODY_MAX_BYTES ((size_t)4096)

struct kind_spec {
    const char *kind, *api_version, *path;
};

enum outcome { R_OK, R_GONE, R_ABSENT, R_ERR, R_STOP };

struct buf {
    char *p;
    size_t len, cap;
};

/* A list that sends nothing for this long is abandoned (and retried with back-off):
 * a stalled API server must not keep a kind unlisted and /readyz at 503 for ever. */
#define LIST_LOW_SPEED_S 15

struct watcher {
    struct mg_kube *kube;
    const struct kind_spec *spec;
    pthread_t thread;
    bool started;
    CURL *curl;
    char *rv;          /* last resourceVersion seen */
    unsigned delay_ms; /* next back-off, 0: start over */
    uint32_t seed;
    /* The transfer in flight (watcher thread only). */
    struct buf body;
    bool watching, gone, bad;
    long status;
    unsigned long got;         /* events in this watch */
    unsigned long skipped;     /* objects of the current list the store refused */
    struct timespec listed_at; /* the last complete list (for the resync) */
    /* Read by other threads. */
    atomic_bool synced, absent;
    atomic_ulong lists, relists, restarts, errors, events;
};

struct mg_kube {
    struct mg_kubeconf kc;
    struct mg_store *store;
    unsigned backoff_min, backoff_max, missing_retry, page_limit, resync;
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
    void (*changed)(void *ctx, const char *kind, const char *name);
    void *changed_ctx;
    unsigned list_timeout_s;
    bool once; /* mg_kube_opts.once: no watch after the first list */
    atomic_bool stop;
    atomic_bool bg_lowered;   /* bg has been lowered (after every kind's first list) */
    pthread_mutex_t list_mu;  /* one list in progress at a time */
    struct mg_background *bg; /* parses and stores list pages, below reviews */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct watcher w[KB_NKINDS];
};

/* A line of the kube log, "kube: KIND: ...". */
__attribute__((format(printf, 2, 3))) void kb_log(struct watcher *w, const char *fmt, ...);

/* The message of a Status body in w's buffer, logged with the URL asked and what. */
void kb_log_status(struct watcher *w, const char *what);

/* One GET of path_query on w's handle: a list page (max_s, the low-speed limit) or a
 * watch (streamed to the events). */
CURLcode kb_perform(struct watcher *w, const char *path_query, bool watching, long max_s);

/* The list built aside replaces w's kind in the view (one exchange); aside then holds
 * the old objects. */
void kb_swap_in(struct watcher *w, struct mg_store *aside);

/* Every page of w's kind into a private store, then kb_swap_in (kubelist.c). */
enum outcome kb_list(struct watcher *w);

#endif
