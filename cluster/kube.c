/* SPDX-License-Identifier: Apache-2.0 */
/* kube.c - list-then-watch every kind of RULES.md section 1 into the store, one
 * thread and one libcurl easy handle per kind. A list replaces the kind's objects
 * under one write lock (objects deleted while we were away disappear); watch events
 * are applied in batches under the write lock. 410 Gone relists, other failures back
 * off exponentially with jitter. Stop aborts transfers from the progress callback. */
#include "kube.h"
#include "kube_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "background.h"
#include "kubeapply.h"
#include "kubehttp.h"
#include "json.h"

/* RULES.md section 1. HyperConverged is watched as v1beta1, the version every HCO
 * release serves; the API server converts v1 objects to it. */
static const struct kind_spec specs[] = {
    {"Namespace", "v1", "/api/v1/namespaces"},
    {"PersistentVolumeClaim", "v1", "/api/v1/persistentvolumeclaims"},
    {"StorageClass", "storage.k8s.io/v1", "/apis/storage.k8s.io/v1/storageclasses"},
    {"StorageProfile", "cdi.kubevirt.io/v1beta1", "/apis/cdi.kubevirt.io/v1beta1/storageprofiles"},
    {"Node", "v1", "/api/v1/nodes"},
    {"NetworkAttachmentDefinition", "k8s.cni.cncf.io/v1",
     "/apis/k8s.cni.cncf.io/v1/network-attachment-definitions"},
    {"MigrationPolicy", "migrations.kubevirt.io/v1alpha1",
     "/apis/migrations.kubevirt.io/v1alpha1/migrationpolicies"},
    {"VirtualMachine", "kubevirt.io/v1", "/apis/kubevirt.io/v1/virtualmachines"},
    {"VirtualMachineInstance", "kubevirt.io/v1", "/apis/kubevirt.io/v1/virtualmachineinstances"},
    {"VirtualMachineInstanceMigration", "kubevirt.io/v1",
     "/apis/kubevirt.io/v1/virtualmachineinstancemigrations"},
    {"HyperConverged", "hco.kubevirt.io/v1beta1", "/apis/hco.kubevirt.io/v1beta1/hyperconvergeds"},
    {"KubeVirt", "kubevirt.io/v1", "/apis/kubevirt.io/v1/kubevirts"},
    {"VirtualMachineInstancetype", "instancetype.kubevirt.io/v1beta1",
     "/apis/instancetype.kubevirt.io/v1beta1/virtualmachineinstancetypes"},
    {"VirtualMachineClusterInstancetype", "instancetype.kubevirt.io/v1beta1",
     "/apis/instancetype.kubevirt.io/v1beta1/virtualmachineclusterinstancetypes"},
};
#define NKINDS (sizeof(specs) / sizeof(specs[0]))
_Static_assert(NKINDS == KB_NKINDS, "kube_int.h counts the kinds of specs");

void kb_log(struct watcher *w, const char *fmt, ...)
{
    char line[768];
    int n;
    va_list ap;

    if (!w->kube->log)
        return;
    n = snprintf(line, sizeof(line), "kube: %s: ", w->spec->kind);
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    w->kube->log(w->kube->log_ctx, line);
}

static uint32_t next_rand(struct watcher *w)
{
    uint32_t x = w->seed;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return w->seed = x;
}

/* Sleep ms unless stopped first; false when stopping. */
static bool nap(struct mg_kube *k, unsigned ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&k->mu);
    while (!atomic_load(&k->stop))
        if (pthread_cond_timedwait(&k->cv, &k->mu, &ts) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&k->mu);
    return !atomic_load(&k->stop);
}

/* "Equal jitter": sleep between half and all of the current delay, then double it. */
static bool back_off(struct watcher *w)
{
    struct mg_kube *k = w->kube;
    unsigned d = w->delay_ms ? w->delay_ms : k->backoff_min;
    unsigned ms = d / 2 + next_rand(w) % (d / 2 + 1);

    w->delay_ms = d >= k->backoff_max / 2 ? k->backoff_max : d * 2;
    return nap(k, ms);
}

static int buf_add(struct buf *b, const char *p, size_t n, size_t max)
{
    if (b->len + n > max)
        return -1;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        char *np;

        while (cap < b->len + n + 1)
            cap *= 2;
        np = realloc(b->p, cap);
        if (!np)
            return -1;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static void set_rv(struct watcher *w, const char *rv)
{
    char *dup;

    if (!rv || !rv[0] || !(dup = strdup(rv)))
        return;
    free(w->rv);
    w->rv = dup;
}

/* The list built aside replaces the kind's objects in one O(1) exchange: reviews
 * wait for the write lock no longer than for a watch event, and the old objects are
 * freed after the lock is released. */
void kb_swap_in(struct watcher *w, struct mg_store *aside)
{
    struct mg_store *view = w->kube->store;

    mg_store_wrlock_polite(view);
    if (mg_store_exchange(view, aside, w->spec->kind) != 0)
        kb_log(w, "list: out of memory swapping the new list in");
    else if (w->kube->changed)
        w->kube->changed(w->kube->changed_ctx, w->spec->kind, NULL);
    mg_store_unlock(view);
}

/* Under the write lock (one event at a time). Non-zero stops the batch (410, or a malformed
 * stream). */
static int apply_event(struct watcher *w, cJSON *ev)
{
    struct mg_err err = {0};
    char rv[256], name[256] = "";
    const char *n = w->kube->changed ? mg_json_name_or(mg_json_get(ev, "object"), NULL) : NULL;

    /* The object moves into the store: its name is copied first for the hook. */
    if (n)
        snprintf(name, sizeof(name), "%s", n);
    switch (mg_kubeapply_event(w->kube->store, w->spec->kind, w->spec->api_version, ev, rv,
                               sizeof(rv), &err)) {
    case MG_KUBEAPPLY_CHANGED:
        w->got++;
        atomic_fetch_add(&w->events, 1);
        if (name[0])
            w->kube->changed(w->kube->changed_ctx, w->spec->kind, name);
        break;
    case MG_KUBEAPPLY_BOOKMARK: break;
    case MG_KUBEAPPLY_IGNORED: kb_log(w, "watch: ignored an event: %s", err.msg); break;
    case MG_KUBEAPPLY_GONE: w->gone = true; return -1;
    case MG_KUBEAPPLY_ERROR:
    default:
        kb_log(w, "watch: %s", err.msg);
        w->bad = true;
        return -1;
    }
    set_rv(w, rv);
    return 0;
}

/* Parse the complete lines in the buffer, apply them in one batch, keep the rest. */
static void take_lines(struct watcher *w)
{
    cJSON *evs = cJSON_CreateArray(), *ev;
    size_t start = 0;
    char *nl;

    if (!evs) {
        w->bad = true;
        return;
    }
    while ((nl = memchr(w->body.p + start, '\n', w->body.len - start)) != NULL) {
        size_t len = (size_t)(nl - (w->body.p + start));

        if (len > 0) {
            ev = mg_json_parse(w->body.p + start, len, 0, NULL);
            if (!ev) {
                kb_log(w, "watch: a line is not JSON");
                w->bad = true;
                break;
            }
            cJSON_AddItemToArray(evs, ev);
        }
        start += len + 1;
    }
    memmove(w->body.p, w->body.p + start, w->body.len - start);
    w->body.len -= start;
    /* One event per write lock: an event of a packed kind costs some 10 us (prune,
     * print, compress, index), and a batch of them must not hold reviews up. */
    cJSON_ArrayForEach (ev, evs) {
        int stop;

        mg_store_wrlock(w->kube->store);
        stop = apply_event(w, ev);
        mg_store_unlock(w->kube->store);
        if (stop)
            break;
    }
    cJSON_Delete(evs);
}

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud)
{
    struct watcher *w = ud;
    size_t n = size * nmemb;

    if (!w->status)
        curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &w->status);
    if (w->watching && w->status != 200) {
        /* Keep the start of an error body for the log; it is small anyway. */
        if (w->body.len < ERRBODY_MAX_BYTES)
            buf_add(&w->body, p, n < ERRBODY_MAX_BYTES ? n : ERRBODY_MAX_BYTES,
                    2 * ERRBODY_MAX_BYTES);
        return n;
    }
    if (buf_add(&w->body, p, n, w->watching ? LINE_MAX_BYTES : LIST_MAX_BYTES) != 0) {
        kb_log(w, "%s: response too large or out of memory", w->watching ? "watch" : "list");
        w->bad = true;
        return 0;
    }
    if (w->watching) {
        take_lines(w);
        if (w->gone || w->bad)
            return 0;
    }
    return n;
}

CURLcode kb_perform(struct watcher *w, const char *path_query, bool watching, long max_s)
{
    struct mg_kubehttp_req req = {.path_query = path_query,
                                  .max_s = max_s,
                                  .low_speed_s = watching ? 0 : LIST_LOW_SPEED_S,
                                  .on_data = on_data,
                                  .ud = w,
                                  .stop = &w->kube->stop};
    struct mg_err err = {0};
    CURLcode cc;

    w->body.len = 0;
    w->watching = watching;
    w->gone = w->bad = false;
    w->status = 0;
    w->got = 0;
    cc = mg_kubehttp_get(w->curl, &w->kube->kc, &req, &w->status, &err);
    if (cc == CURLE_FAILED_INIT)
        kb_log(w, "cannot read the token: %s", err.msg);
    return cc;
}

/* Milliseconds since the last complete list. */
static unsigned long since_list_ms(const struct watcher *w)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (unsigned long)(now.tv_sec - w->listed_at.tv_sec) * 1000UL +
           (unsigned long)((now.tv_nsec - w->listed_at.tv_nsec) / 1000000L);
}

static enum outcome do_watch(struct watcher *w)
{
    struct mg_kube *k = w->kube;
    char pq[4096], *rv = curl_easy_escape(w->curl, w->rv, 0);
    /* Spread the reconnects of many replicas, as client-go does: 5 to 10 minutes. */
    long timeout = 300 + (long)(next_rand(w) % 301);
    long left = ((long)k->resync - (long)since_list_ms(w)) / 1000;
    time_t t0 = time(NULL);
    CURLcode cc;

    if (!rv)
        return R_ERR;
    /* End the watch when the resync is due, so a healthy server does not delay it. */
    if (left < timeout)
        timeout = left > 1 ? left : 1;
    snprintf(pq, sizeof(pq),
             "%s?watch=1&allowWatchBookmarks=true&resourceVersion=%s"
             "&timeoutSeconds=%ld",
             w->spec->path, rv, timeout);
    curl_free(rv);
    cc = kb_perform(w, pq, true, timeout + 60);
    if (atomic_load(&k->stop))
        return R_STOP;
    if (w->status == 410 || w->gone)
        return R_GONE;
    if (w->status && w->status != 200) {
        kb_log_status(w, "watch");
        return R_ERR;
    }
    if (w->bad)
        return R_ERR;
    if (cc != CURLE_OK) {
        kb_log(w, "watch: connection lost: %s", curl_easy_strerror(cc));
        return R_ERR;
    }
    if (w->got == 0 && time(NULL) - t0 < 1) {
        kb_log(w, "watch: ended at once without events");
        return R_ERR;
    }
    return R_OK;
}

/* Watch until 410 Gone (then return to relist) or stop. */
static bool watch_loop(struct watcher *w)
{
    enum outcome r;

    for (bool first = true;; first = false) {
        if (!first)
            atomic_fetch_add(&w->restarts, 1);
        r = do_watch(w);
        if (r == R_STOP)
            return false;
        if (r == R_GONE) {
            kb_log(w, "watch: 410 Gone: relisting");
            return true;
        }
        if (r == R_ERR) {
            atomic_fetch_add(&w->errors, 1);
            if (!back_off(w))
                return false;
        } else if (w->got > 0) {
            w->delay_ms = 0;
        }
        /* Resync: a full list now and then drops what no event will ever remove (a
         * policy admitted into the view and then refused by another webhook). */
        if (since_list_ms(w) >= w->kube->resync)
            return true;
    }
}

static void lower(void *arg)
{
    (void)arg;
    mg_background_lower();
}

/* Once every kind is listed, the list thread goes below reviews (once). */
static void lower_when_ready(struct mg_kube *k)
{
    if (mg_kube_ready(k) && !atomic_exchange(&k->bg_lowered, true) && k->bg)
        mg_background_run(k->bg, lower, NULL);
}

static void *run(void *arg)
{
    struct watcher *w = arg;
    struct mg_kube *k = w->kube;

    while (!atomic_load(&k->stop)) {
        enum outcome r = kb_list(w);

        if (r == R_STOP)
            break;
        if (r == R_ABSENT) {
            if (!atomic_exchange(&w->absent, true))
                kb_log(w, "list: HTTP 404: not served (CRD not installed?); retrying slowly");
            /* A CRD removed while we watched: its objects go with it. */
            if (atomic_load(&w->lists) > 0) {
                struct mg_store *none = mg_store_new();

                if (none && mg_store_mark_known(none, w->spec->kind) == 0)
                    kb_swap_in(w, none);
                mg_store_free(none);
            }
            atomic_store(&w->synced, true);
            lower_when_ready(k);
            if (k->once)
                break;
            nap(k, k->missing_retry);
            continue;
        }
        if (r == R_GONE) {
            if (!nap(k, k->backoff_min))
                break;
            continue;
        }
        if (r != R_OK) {
            atomic_fetch_add(&w->errors, 1);
            if (!back_off(w))
                break;
            continue;
        }
        if (atomic_exchange(&w->absent, false) || w->delay_ms)
            kb_log(w, "list: recovered");
        atomic_store(&w->synced, true);
        lower_when_ready(k);
        w->delay_ms = 0;
        if (k->once || !watch_loop(w))
            break;
    }
    return NULL;
}

int mg_kube_start(struct mg_kube **out, const struct mg_kube_opts *opts, struct mg_store *store,
                  struct mg_err *err)
{
    struct mg_kube *k = calloc(1, sizeof(*k));
    pthread_condattr_t ca;
    int rc = 0;

    *out = NULL;
    if (!k)
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    rc = opts->kubeconfig ? mg_kubeconf_load_context(&k->kc, opts->kubeconfig, opts->context, err)
                          : mg_kubeconf_in_cluster(&k->kc, opts->sa_dir, err);
    if (rc) {
        free(k);
        return rc;
    }
    k->store = store;
    k->backoff_min = opts->backoff_min_ms ? opts->backoff_min_ms : 500;
    k->backoff_max = opts->backoff_max_ms ? opts->backoff_max_ms : 30000;
    if (k->backoff_max < k->backoff_min)
        k->backoff_max = k->backoff_min;
    k->missing_retry = opts->missing_retry_ms ? opts->missing_retry_ms : 60000;
    k->page_limit = opts->page_limit ? opts->page_limit : 500;
    k->list_timeout_s = opts->list_timeout_s ? opts->list_timeout_s : 60;
    k->resync = opts->resync_ms ? opts->resync_ms : 600000;
    k->log = opts->log;
    k->once = opts->once;
    k->log_ctx = opts->log_ctx;
    k->changed = opts->changed;
    k->changed_ctx = opts->changed_ctx;
    atomic_init(&k->stop, false);
    atomic_init(&k->bg_lowered, false);
    pthread_mutex_init(&k->mu, NULL);
    pthread_mutex_init(&k->list_mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&k->cv, &ca);
    pthread_condattr_destroy(&ca);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    /* Without the thread (out of memory), each watcher builds its lists itself. It
     * goes below reviews once every kind is listed: the first lists, which nothing
     * waits on but /readyz, run at full speed. */
    k->bg = mg_background_start("mg-relist", false);
    for (size_t i = 0; i < NKINDS; i++) {
        struct watcher *w = &k->w[i];

        w->kube = k;
        w->spec = &specs[i];
        w->seed = (uint32_t)time(NULL) ^ (uint32_t)(i * 2654435761u) ^ (uint32_t)(uintptr_t)k;
        if (!w->seed)
            w->seed = 1;
        w->curl = curl_easy_init();
        if (!w->curl || pthread_create(&w->thread, NULL, run, w) != 0) {
            rc = mg_err_set(err, MG_ENOMEM, "cannot start the %s watcher", specs[i].kind);
            mg_kube_stop(k);
            return rc;
        }
        w->started = true;
    }
    *out = k;
    return 0;
}

bool mg_kube_ready(const struct mg_kube *k)
{
    if (!k)
        return false;
    for (size_t i = 0; i < NKINDS; i++)
        if (!atomic_load(&k->w[i].synced))
            return false;
    return true;
}

size_t mg_kube_kind_count(void)
{
    return NKINDS;
}

int mg_kube_stats(const struct mg_kube *k, size_t i, struct mg_kube_kind_stats *out)
{
    const struct watcher *w;

    if (!k || i >= NKINDS)
        return MG_EINVAL;
    w = &k->w[i];
    out->kind = w->spec->kind;
    out->path = w->spec->path;
    out->synced = atomic_load(&w->synced);
    out->absent = atomic_load(&w->absent);
    out->lists = atomic_load(&w->lists);
    out->relists = atomic_load(&w->relists);
    out->restarts = atomic_load(&w->restarts);
    out->errors = atomic_load(&w->errors);
    out->events = atomic_load(&w->events);
    return 0;
}

void mg_kube_stop(struct mg_kube *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&k->mu);
    atomic_store(&k->stop, true);
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
    for (size_t i = 0; i < NKINDS; i++) {
        struct watcher *w = &k->w[i];

        if (w->started)
            pthread_join(w->thread, NULL);
        if (w->curl)
            curl_easy_cleanup(w->curl);
        free(w->rv);
        free(w->body.p);
    }
    mg_background_stop(k->bg);
    curl_global_cleanup();
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
    pthread_mutex_destroy(&k->list_mu);
    mg_kubeconf_free(&k->kc);
    free(k);
}
