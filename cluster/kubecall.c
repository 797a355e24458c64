/* SPDX-License-Identifier: Apache-2.0 */
/* kubecall.c - a request/answer call to the Kubernetes API on one libcurl handle:
 * the answer is collected (up to 8 MiB) and parsed as JSON. No retries here: the
 * callers (lease.c, the audit) own their time bounds. */
#include "kubecall.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "json.h"
#include "kubeconf.h"
#include "kubehttp.h"

#define ANSWER_MAX_BYTES ((size_t)8 * 1024 * 1024)

struct mg_kubecall {
    struct mg_kubeconf kc;
    CURL *curl;
    pthread_mutex_t mu;
    atomic_bool never; /* the abort flag kubehttp polls: never set */
};

struct answer {
    char *p;
    size_t len, cap;
    bool too_big;
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud)
{
    struct answer *a = ud;
    size_t n = size * nmemb;

    if (a->len + n + 1 > ANSWER_MAX_BYTES) {
        a->too_big = true;
        return 0;
    }
    if (a->len + n + 1 > a->cap) {
        size_t cap = a->cap ? a->cap : 4096;
        char *np;

        while (cap < a->len + n + 1)
            cap *= 2;
        if (!(np = realloc(a->p, cap)))
            return 0;
        a->p = np;
        a->cap = cap;
    }
    memcpy(a->p + a->len, p, n);
    a->len += n;
    a->p[a->len] = '\0';
    return n;
}

int mg_kubecall_new(struct mg_kubecall **out, const char *kubeconfig, const char *sa_dir,
                    struct mg_err *err)
{
    struct mg_kubecall *k = calloc(1, sizeof(*k));
    int rc;

    *out = NULL;
    if (!k)
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    rc = kubeconfig ? mg_kubeconf_load_file(&k->kc, kubeconfig, err)
                    : mg_kubeconf_in_cluster(&k->kc, sa_dir, err);
    if (rc) {
        free(k);
        return rc;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!(k->curl = curl_easy_init())) {
        mg_kubeconf_free(&k->kc);
        curl_global_cleanup();
        free(k);
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&k->mu, NULL);
    atomic_init(&k->never, false);
    *out = k;
    return 0;
}

void mg_kubecall_free(struct mg_kubecall *k)
{
    if (!k)
        return;
    curl_easy_cleanup(k->curl);
    curl_global_cleanup();
    mg_kubeconf_free(&k->kc);
    pthread_mutex_destroy(&k->mu);
    free(k);
}

int mg_kubecall_do(struct mg_kubecall *k, const char *method, const char *path, const char *body,
                   long max_ms, long *status, cJSON **out, struct mg_err *err)
{
    struct answer a = {0};
    struct mg_kubehttp_req req = {.path_query = path,
                                  .max_ms = max_ms > 0 ? max_ms : 1,
                                  .method = method && strcmp(method, "GET") != 0 ? method : NULL,
                                  .body = body,
                                  .on_data = on_data,
                                  .ud = &a,
                                  .stop = &k->never};
    struct mg_err inner = {0};
    CURLcode cc;
    int rc = 0;

    *out = NULL;
    pthread_mutex_lock(&k->mu);
    cc = mg_kubehttp_get(k->curl, &k->kc, &req, status, &inner);
    pthread_mutex_unlock(&k->mu);
    if (cc != CURLE_OK || *status == 0) {
        rc = mg_err_set(err, MG_EIO, "%s %s%s: %s", method ? method : "GET", k->kc.server, path,
                        a.too_big      ? "answer over 8 MiB"
                        : inner.msg[0] ? inner.msg
                                       : "no answer");
    } else if (a.len > 0) {
        *out = mg_json_parse(a.p, a.len, 0, NULL);
    }
    free(a.p);
    return rc;
}

const char *mg_kubecall_server(const struct mg_kubecall *k)
{
    return k->kc.server;
}

int mg_kubecall_fail(const struct mg_kubecall *k, const char *method, const char *path, long status,
                     const cJSON *answer, struct mg_err *err)
{
    return mg_err_set(err, MG_EIO, "%s %s%s: HTTP %ld: %.300s", method, k->kc.server, path, status,
                      mg_kubecall_message(answer));
}

const char *mg_kubecall_message(const cJSON *st)
{
    const char *m = mg_json_str(st, "message");

    return m ? m : "";
}
