/* SPDX-License-Identifier: Apache-2.0 */
/* kubehttp.c - libcurl options for talking to the Kubernetes API: TLS from the
 * kubeconf (files or in-memory PEM blobs), bearer token, http/https only, TCP
 * keepalive, abort on a flag. No parsing: the caller's write callback gets the body. */
#include "kubehttp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    const atomic_bool *stop = ud;

    (void)a, (void)b, (void)c, (void)d;
    return stop && atomic_load(stop) ? 1 : 0;
}

static void set_blob(CURL *c, CURLoption opt, char *data, size_t len)
{
    struct curl_blob blob = {.data = data, .len = len, .flags = CURL_BLOB_COPY};

    curl_easy_setopt(c, opt, &blob);
}

static void set_tls(CURL *c, const struct mg_kubeconf *kc)
{
    if (kc->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, kc->ca_file);
    if (kc->ca_data)
        set_blob(c, CURLOPT_CAINFO_BLOB, kc->ca_data, kc->ca_len);
    if (kc->cert_file)
        curl_easy_setopt(c, CURLOPT_SSLCERT, kc->cert_file);
    if (kc->cert_data) {
        set_blob(c, CURLOPT_SSLCERT_BLOB, kc->cert_data, kc->cert_len);
        curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (kc->key_file)
        curl_easy_setopt(c, CURLOPT_SSLKEY, kc->key_file);
    if (kc->key_data) {
        set_blob(c, CURLOPT_SSLKEY_BLOB, kc->key_data, kc->key_len);
        curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (kc->insecure) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

static void set_common(CURL *c, const struct mg_kubehttp_req *req)
{
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    /* Required with threads: no SIGALRM-based DNS timeouts. */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "migguard");
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    if (req->max_ms > 0)
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->max_ms);
    else
        curl_easy_setopt(c, CURLOPT_TIMEOUT, req->max_s);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, req->low_speed_s > 0 ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, req->low_speed_s);
    /* A silently dead peer (node gone, NAT entry expired) shows up within a minute. */
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPIDLE, 30L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPINTVL, 10L);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, req->stop);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, req->on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, req->ud);
}

CURLcode mg_kubehttp_get(CURL *c, const struct mg_kubeconf *kc, const struct mg_kubehttp_req *req,
                         long *status, struct mg_err *err)
{
    struct curl_slist *hdrs = NULL, *h;
    char *tok, *url = NULL, *auth = NULL;
    size_t n = strlen(kc->server) + strlen(req->path_query) + 1, an = 0;
    CURLcode rc = CURLE_OUT_OF_MEMORY;

    *status = 0;
    mg_err_clear(err);
    tok = mg_kubeconf_token(kc, err);
    if (!tok && err && err->code)
        return CURLE_FAILED_INIT;
    url = malloc(n);
    if (tok) {
        an = strlen(tok) + 32;
        auth = malloc(an);
    }
    if (!url || (tok && !auth))
        goto out;
    snprintf(url, n, "%s%s", kc->server, req->path_query);
    if (!(hdrs = curl_slist_append(NULL, "Accept: application/json")))
        goto out;
    if (req->body) {
        /* No "Expect: 100-continue" round trip before a body. */
        if (!(h = curl_slist_append(hdrs, "Content-Type: application/json")) ||
            !(hdrs = h, h = curl_slist_append(hdrs, "Expect:")))
            goto out;
        hdrs = h;
    }
    if (auth) {
        snprintf(auth, an, "Authorization: Bearer %s", tok);
        if (!(h = curl_slist_append(hdrs, auth)))
            goto out;
        hdrs = h;
    }
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    set_common(c, req);
    set_tls(c, kc);
    if (req->method)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    if (req->body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
out:
    if (rc != CURLE_OK)
        mg_err_set(err, MG_EIO, "%s", curl_easy_strerror(rc));
    curl_slist_free_all(hdrs);
    free(url);
    if (auth) {
        /* The token is a credential: do not leave it in freed memory. */
        memset(auth, 0, an);
        free(auth);
    }
    if (tok) {
        memset(tok, 0, strlen(tok));
        free(tok);
    }
    return rc;
}
