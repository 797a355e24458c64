/* SPDX-License-Identifier: Apache-2.0 */
/* kubelist.c - a list of one kind, page by page, built aside and swapped in: the
 * watcher fetches each page, the background thread (background.h, below reviews) parses
 * it and stores its items, and the watcher exchanges the finished store with the view's
 * kind; the old objects are freed on the background thread too. */
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

/* One page of a list, taken on the background thread: parsed in that thread's arena
 * (a page of 500 VMs is a few thousand small allocations that would otherwise scatter
 * the heap between the packed objects), its items put into the store being built as
 * they come (the page's tree is the only one held at once), and the two strings the
 * watcher needs copied out. Takes no lock: the store is private to this list. */
struct page_job {
    struct watcher *w;
    struct mg_store *aside;
    bool not_list;   /* no items array */
    bool oom;        /* a string could not be copied */
    char *rv, *cont; /* metadata.resourceVersion and continue, malloc'd or NULL */
};

static char *dup_or_null(const char *s, bool *oom)
{
    char *d = s ? strdup(s) : NULL;

    if (s && !d)
        *oom = true;
    return d;
}

static void page_job_run(void *arg)
{
    struct page_job *j = arg;
    const cJSON *md;
    cJSON *page;

    mg_arena_install();
    mg_arena_open();
    page = mg_json_parse(j->w->body.p, j->w->body.len, 0, NULL);
    mg_arena_close();
    md = mg_json_get(page, "metadata");
    if (!cJSON_IsArray(mg_json_get(page, "items")))
        j->not_list = true;
    else {
        j->rv = dup_or_null(mg_json_str(md, "resourceVersion"), &j->oom);
        j->cont = dup_or_null(mg_json_str(md, "continue"), &j->oom);
        put_page_items(j->w, page, j->aside);
    }
    mg_arena_release();
    mg_store_release();
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
    struct mg_store *aside = mg_store_new();
    struct page_job job;
    char *cont = NULL, pq[4096], *rv = NULL;
    enum outcome r = R_ERR;
    CURLcode cc;
    int n;

    if (!aside || mg_store_mark_known(aside, w->spec->kind) != 0) {
        mg_store_free(aside);
        return R_ERR;
    }
    pthread_mutex_lock(&k->list_mu);
    w->skipped = 0;
    for (;;) {
        n = snprintf(pq, sizeof(pq), "%s?limit=%u%s%s", w->spec->path, k->page_limit,
                     cont ? "&continue=" : "", cont ? cont : "");
        curl_free(cont);
        cont = NULL;
        if (n < 0 || (size_t)n >= sizeof(pq)) {
            kb_log(w, "list: the continue token is too long");
            goto out;
        }
        cc = kb_perform(w, pq, false, k->list_timeout_s);
        if (atomic_load(&k->stop)) {
            r = R_STOP;
            goto out;
        }
        if (cc != CURLE_OK) {
            if (cc != CURLE_WRITE_ERROR) /* on_data said why */
                kb_log(w, "list %s%s: %s", k->kc.server, w->spec->path, curl_easy_strerror(cc));
            goto out;
        }
        if (w->status == 404 || w->status == 410) {
            /* 410 here: the continue token expired; start the list over. */
            r = w->status == 404 ? R_ABSENT : R_GONE;
            goto out;
        }
        if (w->status != 200) {
            kb_log_status(w, "list");
            goto out;
        }
        job = (struct page_job){w, aside, false, false, NULL, NULL};
        mg_background_run(k->bg, page_job_run, &job);
        if (job.not_list || job.oom) {
            kb_log(w, job.oom ? "list: out of memory" : "list: the answer is not a list");
            free(job.rv);
            free(job.cont);
            goto out;
        }
        free(rv);
        rv = job.rv;
        if (job.cont && job.cont[0] && !(cont = curl_easy_escape(w->curl, job.cont, 0))) {
            free(job.cont);
            goto out;
        }
        free(job.cont);
        if (!cont)
            break;
    }
    if (!rv) {
        kb_log(w, "list: no resourceVersion to watch from");
        goto out;
    }
    kb_swap_in(w, aside);
    free(w->rv);
    w->rv = rv;
    rv = NULL;
    if (atomic_fetch_add(&w->lists, 1) > 0)
        atomic_fetch_add(&w->relists, 1);
    clock_gettime(CLOCK_MONOTONIC, &w->listed_at);
    r = R_OK;
out:
    /* A big first list must not keep its buffer for the life of the watch. */
    if (w->body.cap > ((size_t)1 << 20)) {
        free(w->body.p);
        memset(&w->body, 0, sizeof(w->body));
    }
    /* After an exchange aside holds the old objects: freed with no lock held, below
     * reviews, and the pages the list's trees took given back. */
    mg_background_run(k->bg, free_aside, aside);
    pthread_mutex_unlock(&k->list_mu);
    curl_free(cont);
    free(rv);
    return r;
}
