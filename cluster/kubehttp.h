/* SPDX-License-Identifier: Apache-2.0 */
/* kubehttp.h - one GET to the Kubernetes API with libcurl: the server URL, bearer
 * token (re-read each time), CA and client certificate of a struct mg_kubeconf,
 * keepalive, and an abort flag polled by the progress callback (about once a second
 * while idle). What the body means is the caller's business. */
#ifndef MG_KUBEHTTP_H
#define MG_KUBEHTTP_H

#include <stdatomic.h>

#include <curl/curl.h>

#include "err.h"
#include "kubeconf.h"

struct mg_kubehttp_req {
    const char *path_query; /* "/api/v1/nodes?limit=500" */
    long max_s;             /* whole-transfer limit in seconds, 0: none */
    long max_ms;            /* the same in milliseconds, when not 0 (wins over max_s) */
    const char *method;     /* "POST", "PUT"; NULL: GET */
    const char *body;       /* JSON body sent with method (Content-Type: application/json) */
    long low_speed_s;       /* abort after this many seconds under 1 byte/s, 0: never */
    /* libcurl's write callback and its data: a return other than size*nmemb aborts. */
    size_t (*on_data)(char *p, size_t size, size_t nmemb, void *ud);
    void *ud;
    const atomic_bool *stop; /* the transfer aborts soon after this becomes true */
};

/* Perform the request (a GET unless req->method says otherwise) on c (reset first, so its
 * connections are reused). *status gets the HTTP status (0 when none arrived). Returns libcurl's
 * code; when it is not CURLE_OK, err says why (CURLE_FAILED_INIT: the token file cannot be read).
 */
CURLcode mg_kubehttp_get(CURL *c, const struct mg_kubeconf *kc, const struct mg_kubehttp_req *req,
                         long *status, struct mg_err *err);

#endif
