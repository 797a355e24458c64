/* SPDX-License-Identifier: Apache-2.0 */
/* kubelist.c - a list of one kind, page by page, built aside and swapped in: the
 * background thread (background.h, below reviews) fetches each page, parses it and
 * stores its items, and the watcher exchanges the finished store with the view's kind;
 * the old objects are freed on the background thread too. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "arena.h"
#include "json.h"
#include "kube_int.h"
#include "kubeapply.h"
#include "memtrim.h"

/* The message of a Status body, for logs, with the URL asked (issue 14). */
void kb_log_status(struct watcher *w, const char *what)
{
    cJSON *st = w->body.len ? mg_json_parse(w->body.p, w->body.len, 0, NULL) : NULL;
    const char *msg = mg_json_str(st, "message");

    kb_log(w, "%s %s%s: HTTP %ld: %.300s", what, w->kube->kc.server, w->spec->path, w->status,
           msg ? msg : "");
    cJSON_Delete(st);
}

/* Each item of a page goes into the store being built, as it comes: the page's tree
 * is the only one held at once. */
static void put_page_items(struct watcher *w, cJSON *page, struct mg_store *aside)
{
    cJSON *items = mg_json_get(page, "items"), *it;
    struct mg_err err = {0};

    while (cJSON_IsArray(items) && (it = cJSON_DetachItemViaPointer(items, items->child)) != NULL) {
        mg_kubeapply_prepare(it, w->spec->kind, w->spec->api_version);
        /* The page lives in this thread's arena. */
        if (mg_store_put_arena(aside, it, &err) != 0 && w->skipped++ == 0)
            kb_log(w, "list: skipped an object: %s", err.msg);
        mg_background_pace();
    }
}

/* A list's pages, fetched, parsed and stored on the background thread (background.h:
 * below reviews; receiving a 500-VM page, parsing it in that thread's arena and packing
 * its items is most of a relist's CPU), with no lock held: the store is private to the
 * list. The watcher waits, and then exchanges at its own priority. */
struct list_job {
    struct watcher *w;
    struct mg_store *aside;
    enum outcome r; /* R_OK: every page stored, rv set */
    char *rv;       /* the last page's metadata.resourceVersion, malloc'd */
};

/* One page in the watcher's buffer into the store; its continue token, escaped for the
 * next URL, into *cont (NULL at the last page). False with a log line on failure. */
static bool store_page(struct list_job *j, char **cont)
{
    struct watcher *w = j->w;
    const char *c, *rv;
    const cJSON *md;
    cJSON *page;
    bool ok = false;

    mg_arena_install();
    mg_arena_open();
    page = mg_json_parse(w->body.p, w->body.len, 0, NULL);
    mg_arena_close();
    md = mg_json_get(page, "metadata");
    rv = mg_json_str(md, "resourceVersion");
    c = mg_json_str(md, "continue");
    if (!cJSON_IsArray(mg_json_get(page, "items"))) {
        kb_log(w, "list: the answer is not a list");
        goto out;
    }
    free(j->rv);
    if ((j->rv = rv ? strdup(rv) : NULL) == NULL && rv) {
        kb_log(w, "list: out of memory");
        goto out;
    }
    if (c && c[0] && !(*cont = curl_easy_escape(w->curl, c, 0))) {
        kb_log(w, "list: out of memory");
        goto out;
    }
    put_page_items(w, page, j->aside);
    ok = true;
out:
    mg_arena_release();
    mg_store_release();
    return ok;
}

static void list_pages(void *arg)
{
    struct list_job *j = arg;
    struct watcher *w = j->w;
    struct mg_kube *k = w->kube;
    char *cont = NULL, pq[4096];
    CURLcode cc;
    int n;

    j->r = R_ERR;
    for (;;) {
        n = snprintf(pq, sizeof(pq), "%s?limit=%u%s%s", w->spec->path, k->page_limit,
                     cont ? "&continue=" : "", cont ? cont : "");
        curl_free(cont);
        cont = NULL;
        if (n < 0 || (size_t)n >= sizeof(pq)) {
            kb_log(w, "list: the continue token is too long");
            return;
        }
        cc = kb_perform(w, pq, false, k->list_timeout_s);
        if (atomic_load(&k->stop)) {
            j->r = R_STOP;
            return;
        }
        if (cc != CURLE_OK) {
            if (cc != CURLE_WRITE_ERROR) /* on_data said why */
                kb_log(w, "list %s%s: %s", k->kc.server, w->spec->path, curl_easy_strerror(cc));
            return;
        }
        if (w->status == 404 || w->status == 410) {
            /* 410 here: the continue token expired; start the list over. */
            j->r = w->status == 404 ? R_ABSENT : R_GONE;
            return;
        }
        if (w->status != 200) {
            kb_log_status(w, "list");
            return;
        }
        if (!store_page(j, &cont))
            return;
        if (!cont)
            break;
    }
    if (!j->rv)
        kb_log(w, "list: no resourceVersion to watch from");
    else
        j->r = R_OK;
}

static void free_aside(void *arg)
{
    mg_store_free(arg);
    mg_mem_trim();
}

/* Every page of the list into a private store, then one exchange. Lists of all kinds
 * take turns (list_mu), so a full relist holds at most one kind twice. */
enum outcome kb_list(struct watcher *w)
{
    struct mg_kube *k = w->kube;
    struct list_job job = {w, mg_store_new(), R_ERR, NULL};

    if (!job.aside || mg_store_mark_known(job.aside, w->spec->kind) != 0) {
        mg_store_free(job.aside);
        return R_ERR;
    }
    pthread_mutex_lock(&k->list_mu);
    w->skipped = 0;
    mg_background_run(k->bg, list_pages, &job);
    if (job.r == R_OK) {
        kb_swap_in(w, job.aside);
        free(w->rv);
        w->rv = job.rv;
        job.rv = NULL;
        if (atomic_fetch_add(&w->lists, 1) > 0)
            atomic_fetch_add(&w->relists, 1);
        clock_gettime(CLOCK_MONOTONIC, &w->listed_at);
    }
    /* A big first list must not keep its buffer for the life of the watch. */
    if (w->body.cap > ((size_t)1 << 20)) {
        free(w->body.p);
        memset(&w->body, 0, sizeof(w->body));
    }
    /* After an exchange aside holds the old objects: freed with no lock held, below
     * reviews, and the pages the list's trees took given back. */
    mg_background_run(k->bg, free_aside, job.aside);
    pthread_mutex_unlock(&k->list_mu);
    free(job.rv);
    return job.r;
}
