/* SPDX-License-Identifier: Apache-2.0 */
/* server.c - HTTPS with libmicrohttpd over GnuTLS: route, enforce the body limits and
 * media type, hand review bodies to mg_engine_review and send its reply. All memory of
 * a request hangs off one struct req, freed in the request-completed callback. No
 * admission logic here; no OpenSSL (certs/ owns that). */
#include "server.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "addr.h"
#include "clientauth.h"
#include "http.h"
#include "listen.h"
#include "metrics.h"
#include "metricsd.h"
#include "tlsreload.h"

#define DEFAULT_TIMEOUT_S 30u
/* Idle keep-alive connections hold a slot until the idle timeout: leave room for many
 * (2,000 idle ones must not lock out the API server). */
#define DEFAULT_MAX_CONNS 8192u
#define DEFAULT_DRAIN_S 10u
#define DEFAULT_RELOAD_S 2u
/* Per-connection pool for headers and the read buffer; bodies are copied out. MHD
 * zeroes the whole pool after every request, so it is kept small: 16 KB takes request
 * headers of 14 KB (more get 431; the API server sends well under 1 KB). */
#define CONN_MEMORY ((size_t)16 * 1024)
/* A chunked body past the cap is read and dropped (never stored) up to this much more,
 * so the client still gets its 413 at the end of it (libmicrohttpd 0.9.75 cannot answer
 * before the body is read); beyond it the connection is closed. */
#define DISCARD_MAX ((size_t)64 * 1024 * 1024)
/* Request bodies held at once, all connections together: 8192 connections announcing
 * 7 MiB each would otherwise take 56 GiB. Past it a review gets 503 (any one body of
 * up to 7 MiB is always taken when nothing else is held). */
#define BODY_BUDGET ((size_t)64 * 1024 * 1024)
/* Reviews answered on threads of their own at once (policy writes); more wait inline. */
#define MAX_WORKERS 64
#define BUSY_MESSAGE "server busy: too many large request bodies at once; retry later"
/* TLS 1.2 and 1.3 only, GnuTLS's NORMAL ciphers (README.md "TLS"). */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
#define MAX_LOOPS 64u

struct mg_server {
    struct MHD_Daemon *daemons[MAX_LOOPS]; /* one event loop each, on one port */
    MHD_socket quiesced[MAX_LOOPS];
    unsigned ndaemons;
    struct mg_engine *engine;
    struct mg_tlsreload *reload;  /* NULL: static certificate */
    struct mg_clientauth *auth;   /* NULL: reviews from any client */
    struct mg_metricsd *metricsd; /* NULL: /metrics on the webhook port */
    struct mg_http_log log;
    char *cert_pem, *key_pem; /* borrowed by MHD until MHD_stop_daemon */
    unsigned port, drain_s, linger_s;
    atomic_bool stopping;
    atomic_size_t body_bytes; /* reserved by the requests in flight, under BODY_BUDGET */
    atomic_int workers;       /* reviews answered on a thread of their own (may wait) */
    bool (*ready)(void *ctx);
    char *(*metrics_hook)(void *ctx);
    void *hook_ctx;
    struct mg_metrics metrics;
};

struct req {
    struct mg_server *srv;
    enum mg_metrics_route route;
    char *body;
    size_t len, cap, discarded;
    size_t reserved; /* of srv->body_bytes, given back when the request completes */
    bool too_big, busy;
    struct timespec t0;
    /* A review that may wait (a policy write taking its turn across replicas) runs on
     * a thread of its own with the connection suspended, so the event loop goes on
     * serving every other review. */
    bool worked;
    int rc;
    double secs;
    struct mg_reply reply;
    struct MHD_Connection *conn;
};

/* Take n bytes of the body budget for r; false when that would pass BODY_BUDGET. */
static bool reserve_body(struct req *r, size_t n)
{
    size_t before = atomic_fetch_add(&r->srv->body_bytes, n);

    if (before > 0 && before + n > BODY_BUDGET) {
        atomic_fetch_sub(&r->srv->body_bytes, n);
        return false;
    }
    r->reserved += n;
    return true;
}

void mg_server_block_signals(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int mg_server_wait_for_signal(void)
{
    sigset_t set;
    int sig = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    while (sigwait(&set, &sig) != 0)
        ;
    return sig;
}

static enum MHD_Result send_buf(struct MHD_Connection *c, struct req *r, int status,
                                const char *ctype, const char *body, size_t len, const char *allow)
{
    /* While draining, tell keep-alive clients (the API server) to reconnect elsewhere. */
    enum MHD_Result ret =
        mg_http_send(c, status, ctype, body, len, allow, atomic_load(&r->srv->stopping));

    mg_metrics_request(&r->srv->metrics, r->route, status);
    return ret;
}

/* A Kubernetes-style Status body (message is escaped). */
static enum MHD_Result send_status(struct MHD_Connection *c, struct req *r, int status,
                                   const char *message, const char *allow)
{
    enum MHD_Result ret = mg_http_status(c, status, message, allow, atomic_load(&r->srv->stopping));

    mg_metrics_request(&r->srv->metrics, r->route, status);
    return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *c, struct req *r, int status,
                                 const char *text)
{
    return send_buf(c, r, status, "text/plain; charset=utf-8", text, strlen(text), NULL);
}

static enum mg_metrics_route route_of(const char *url)
{
    static const char *const paths[] = {"/validate", "/mutate", "/healthz", "/readyz", "/metrics"};

    for (int i = 0; i < MG_ROUTE_OTHER; i++)
        if (strcmp(url, paths[i]) == 0)
            return (enum mg_metrics_route)i;
    return MG_ROUTE_OTHER;
}

static double since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Headers are in: refuse what must not be read, size the body buffer. */
static enum MHD_Result review_headers(struct MHD_Connection *c, struct req *r, const char *method)
{
    const char *cl =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    unsigned long long want = 0;

    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
        return send_status(c, r, 405, "method not allowed: use POST", "POST");
    if (!mg_http_is_json(ct))
        return send_status(c, r, 415, "unsupported media type: want application/json", NULL);
    if (cl) {
        char *end;

        errno = 0;
        want = strtoull(cl, &end, 10);
        /* MHD itself rejects a malformed Content-Length; errno covers overflow. */
        if (errno || want > MG_REVIEW_MAX_BYTES)
            return send_status(c, r, 413, "request body too large: the limit is 7 MiB", NULL);
    }
    r->cap = want ? (size_t)want : 16 * 1024;
    if (!reserve_body(r, r->cap + 1))
        return send_status(c, r, 503, BUSY_MESSAGE, NULL);
    r->body = malloc(r->cap + 1);
    if (!r->body)
        return send_status(c, r, 500, "out of memory", NULL);
    return MHD_YES;
}

/* Drop the buffer and count what arrives, never store more; past DISCARD_MAX, close. */
static enum MHD_Result discard_body(struct req *r, size_t n)
{
    free(r->body);
    r->body = NULL;
    r->discarded += n;
    return r->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
}

static enum MHD_Result review_data(struct req *r, const char *data, size_t n)
{
    if (r->too_big || r->busy)
        return discard_body(r, n);
    if (r->len + n > MG_REVIEW_MAX_BYTES) {
        r->too_big = true;
        return discard_body(r, n);
    }
    if (r->len + n > r->cap) {
        size_t cap = r->cap * 2 > r->len + n ? r->cap * 2 : r->len + n;
        char *nb;

        if (cap > MG_REVIEW_MAX_BYTES)
            cap = MG_REVIEW_MAX_BYTES;
        if (!reserve_body(r, cap - r->cap)) {
            /* A chunked body that grew past the budget: answered 503 at its end. */
            r->busy = true;
            return discard_body(r, n);
        }
        nb = realloc(r->body, cap + 1);
        if (!nb)
            return MHD_NO;
        r->body = nb;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
    return MHD_YES;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct req *r, enum mg_endpoint ep,
                                  int rc, struct mg_reply *reply, double secs)
{
    enum MHD_Result ret;

    if (!reply->body) {
        ret = send_status(c, r, 500, "internal error", NULL);
    } else {
        if (rc == 0)
            mg_metrics_review(&r->srv->metrics, ep == MG_EP_MUTATE, reply->allowed, secs);
        ret = send_buf(c, r, reply->http_status ? reply->http_status : 200, "application/json",
                       reply->body, reply->len, NULL);
    }
    mg_reply_free(reply);
    return ret;
}

static void *review_worker(void *arg)
{
    struct req *r = arg;
    struct mg_server *s = r->srv;
    struct MHD_Connection *c = r->conn;
    struct mg_err err = {0};
    struct timespec t0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    r->rc = mg_engine_review(s->engine, r->route == MG_ROUTE_MUTATE ? MG_EP_MUTATE : MG_EP_VALIDATE,
                             r->body, r->len, &r->reply, &err);
    r->secs = since(&t0);
    r->worked = true;
    /* r may be gone once the connection is resumed. */
    MHD_resume_connection(c);
    atomic_fetch_sub(&s->workers, 1);
    return NULL;
}

/* Answer r on a thread of its own; false when it must be answered here. */
static bool review_aside(struct MHD_Connection *c, struct req *r, enum mg_endpoint ep)
{
    struct mg_server *s = r->srv;
    pthread_attr_t at;
    pthread_t t;
    bool ok;

    if (!mg_engine_review_may_wait(s->engine, ep, r->body, r->len))
        return false;
    if (atomic_fetch_add(&s->workers, 1) >= MAX_WORKERS) {
        atomic_fetch_sub(&s->workers, 1);
        return false;
    }
    r->conn = c;
    MHD_suspend_connection(c);
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    ok = pthread_create(&t, &at, review_worker, r) == 0;
    pthread_attr_destroy(&at);
    if (!ok) {
        MHD_resume_connection(c);
        atomic_fetch_sub(&s->workers, 1);
    }
    return ok;
}

static enum MHD_Result review_done(struct MHD_Connection *c, struct req *r)
{
    enum mg_endpoint ep = r->route == MG_ROUTE_MUTATE ? MG_EP_MUTATE : MG_EP_VALIDATE;
    struct mg_reply reply = {0};
    struct mg_err err = {0};
    struct timespec t0;
    int rc;

    if (r->worked)
        return send_reply(c, r, ep, r->rc, &r->reply, r->secs);
    if (r->too_big)
        return send_status(c, r, 413, "request body too large: the limit is 7 MiB", NULL);
    if (r->busy)
        return send_status(c, r, 503, BUSY_MESSAGE, NULL);
    r->body[r->len] = '\0';
    if (review_aside(c, r, ep))
        return MHD_YES;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = mg_engine_review(r->srv->engine, ep, r->body, r->len, &reply, &err);
    return send_reply(c, r, ep, rc, &reply, since(&t0));
}

/* The server's counters and the caller's extra text (metricsd.h's render). */
static char *render_metrics(void *ctx)
{
    struct mg_server *s = ctx;
    char *extra = s->metrics_hook ? s->metrics_hook(s->hook_ctx) : NULL;
    char *text = mg_metrics_render(&s->metrics, extra);

    free(extra);
    return text;
}

/* On the certificate poll thread (tlsreload.h): re-read changed client CA bundles. */
static void poll_client_ca(void *ctx)
{
    struct mg_server *s = ctx;
    struct mg_err err = {0};
    int rc = mg_clientauth_poll(s->auth, &err);

    if (rc > 0)
        mg_http_logf(&s->log, "tls: reloaded the --client-ca bundles");
    else if (rc < 0)
        mg_http_logf(&s->log, "tls: keeping the previous --client-ca bundles: %s", err.msg);
}

static enum MHD_Result serve_get(struct MHD_Connection *c, struct req *r, const char *method)
{
    struct mg_server *s = r->srv;
    enum MHD_Result ret;
    char *text;

    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return send_status(c, r, 405, "method not allowed: use GET", "GET, HEAD");
    if (r->route == MG_ROUTE_HEALTHZ)
        return send_text(c, r, 200, "ok");
    if (r->route == MG_ROUTE_READYZ) {
        if (atomic_load(&s->stopping) || (s->ready && !s->ready(s->hook_ctx)))
            return send_text(c, r, 503, "not ready");
        return send_text(c, r, 200, "ready");
    }
    text = render_metrics(s);
    if (!text)
        return send_status(c, r, 500, "out of memory", NULL);
    ret = send_buf(c, r, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text), NULL);
    free(text);
    return ret;
}

/* With --client-ca, a review route needs a verified client certificate: 403 otherwise,
 * before the body is read. */
static bool refuse_unauthenticated(struct MHD_Connection *c, struct req *r)
{
    char why[512];

    if (!r->srv->auth || mg_clientauth_check(r->srv->auth, c, why, sizeof(why)) == 0)
        return false;
    atomic_fetch_add_explicit(&r->srv->metrics.auth_refused, 1, memory_order_relaxed);
    send_status(c, r, 403, why, NULL);
    return true;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_size, void **con_cls)
{
    struct mg_server *s = cls;
    struct req *r = *con_cls;

    (void)version;
    if (!r) {
        r = calloc(1, sizeof(*r));
        if (!r)
            return MHD_NO;
        r->srv = s;
        r->route = route_of(url);
        clock_gettime(CLOCK_MONOTONIC, &r->t0);
        atomic_fetch_add(&s->metrics.in_flight, 1);
        *con_cls = r;
        if (r->route == MG_ROUTE_OTHER)
            return send_status(c, r, 404, "not found", NULL);
        if (r->route == MG_ROUTE_METRICS && s->metricsd)
            return send_status(c, r, 404, "not found: /metrics is served on --metrics-listen",
                               NULL);
        if (r->route == MG_ROUTE_VALIDATE || r->route == MG_ROUTE_MUTATE) {
            if (refuse_unauthenticated(c, r))
                return MHD_YES;
            return review_headers(c, r, method);
        }
        return serve_get(c, r, method);
    }
    if (*data_size) {
        enum MHD_Result ret = review_data(r, data, *data_size);

        *data_size = 0;
        return ret;
    }
    return review_done(c, r);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct mg_server *s = cls;
    struct req *r = *con_cls;

    (void)c;
    (void)toe;
    if (!r)
        return;
    atomic_fetch_sub(&s->body_bytes, r->reserved);
    free(r->body);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&s->metrics.in_flight, 1);
}

/* Certificate options for MHD: the reload callback, or the PEM text read once. */
static int tls_options(struct mg_server *s, const struct mg_server_opts *o,
                       struct MHD_OptionItem *it, struct mg_err *err)
{
    int rc;

    if (!o->no_reload) {
        gnutls_certificate_retrieve_function2 *cb = mg_tlsreload_retrieve;
        void *p;

        rc = mg_tlsreload_start(&s->reload, o->cert_file, o->key_file,
                                o->reload_s ? o->reload_s : DEFAULT_RELOAD_S, &s->metrics.reloads,
                                &s->metrics.reload_failures, err);
        if (rc)
            return rc;
        /* MHD_OptionItem carries a pointer as void *; ISO C has no function-to-object
         * pointer cast, so copy the representation (POSIX requires them to match). */
        memcpy(&p, &cb, sizeof(p));
        it[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_CERT_CALLBACK, 0, p};
        it[1] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
        return 0;
    }
    if ((rc = mg_tlsreload_read(o->cert_file, &s->cert_pem, err)) != 0 ||
        (rc = mg_tlsreload_read(o->key_file, &s->key_pem, err)) != 0 ||
        (rc = mg_tlsreload_check_pem(s->cert_pem, s->key_pem, err)) != 0)
        return rc;
    it[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert_pem};
    it[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->key_pem};
    it[2] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    return 0;
}

/*
 * Threading: one MHD daemon per core, each with its own event loop (internal polling
 * thread, epoll) and its own listening socket on the same port (SO_REUSEPORT through
 * MHD_OPTION_LISTENING_ADDRESS_REUSE), so the kernel spreads new connections over the
 * loops. MHD's thread pool shares one listening socket instead, and the worker that wakes
 * first accepts up to ten connections in a row: with wrk's 16 keep-alive connections one
 * worker got all of them and the other core idled (bench/README.md). A review costs
 * microseconds of CPU and never waits on I/O inside the handler, so per-core loops keep
 * both cores busy without a context switch per request, while an idle keep-alive
 * connection or a slow upload costs a descriptor and its 64 KiB pool, not a thread.
 * MHD_USE_ITC makes MHD_quiesce_daemon usable. limit is this loop's share of max_conns.
 */
static struct MHD_Daemon *start_daemon(struct mg_server *s, const struct mg_server_opts *o,
                                       const struct mg_addr *a, bool dual,
                                       struct MHD_OptionItem *tls, unsigned limit)
{
    unsigned flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    struct MHD_OptionItem addr[2] = {{MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL}};

    if (dual) {
        flags |= MHD_USE_DUAL_STACK;
    } else {
        if (a->ss.ss_family == AF_INET6)
            flags |= MHD_USE_IPv6;
        addr[0] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)(uintptr_t)&a->ss};
    }
    return MHD_start_daemon(
        flags, (uint16_t)a->port, NULL, NULL, handle, s, MHD_OPTION_EXTERNAL_LOGGER,
        mg_http_mhd_log, &s->log, /* first, so MHD logs nothing past it */
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_CONNECTION_TIMEOUT,
        o->timeout_s ? o->timeout_s : DEFAULT_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, s->auth ? mg_clientauth_notify : NULL, s->auth,
        MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES, MHD_OPTION_ARRAY, tls, MHD_OPTION_ARRAY, addr,
        MHD_OPTION_END);
}

/* Start the event loops: the first decides dual stack and the port. */
static int start_loops(struct mg_server *s, const struct mg_server_opts *o, struct mg_addr *a,
                       struct MHD_OptionItem *tls, struct mg_err *err)
{
    unsigned n = o->threads ? o->threads : mg_listen_threads(MAX_LOOPS);
    unsigned max = mg_listen_fd_budget(o->max_conns ? o->max_conns : DEFAULT_MAX_CONNS);
    const union MHD_DaemonInfo *info;
    bool dual = a->any;
    struct MHD_Daemon *d;

    if (n > MAX_LOOPS)
        n = MAX_LOOPS;
    /* ":PORT" means every address: IPv6 and IPv4 on one socket, else IPv4 only. */
    d = start_daemon(s, o, a, dual, tls, (max + n - 1) / n);
    if (!d && dual) {
        dual = false;
        d = start_daemon(s, o, a, false, tls, (max + n - 1) / n);
    }
    while (d) {
        s->daemons[s->ndaemons++] = d;
        if (s->ndaemons == 1) {
            info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
            s->port = info ? info->port : a->port;
            mg_listen_set_port(a, s->port);
        }
        if (s->ndaemons == n)
            return 0;
        d = start_daemon(s, o, a, dual, tls, (max + n - 1) / n);
    }
    return mg_err_set(err, MG_ECONFIG, "cannot listen on %s (see the message above)", o->listen);
}

static void server_free(struct mg_server *s)
{
    if (!s)
        return;
    mg_metricsd_stop(s->metricsd);
    for (unsigned i = 0; i < s->ndaemons; i++) {
        MHD_stop_daemon(s->daemons[i]);
        if (s->quiesced[i] != MHD_INVALID_SOCKET)
            close(s->quiesced[i]);
    }
    mg_tlsreload_stop(s->reload);
    mg_clientauth_free(s->auth);
    free(s->cert_pem);
    if (s->key_pem)
        memset(s->key_pem, 0, strlen(s->key_pem));
    free(s->key_pem);
    free(s);
}

int mg_server_start(struct mg_server **out, const struct mg_server_opts *opts,
                    struct mg_engine *engine, struct mg_err *err)
{
    struct mg_server *s = calloc(1, sizeof(*s));
    struct MHD_OptionItem tls[3];
    struct mg_addr a;
    int rc;

    *out = NULL;
    if (!s)
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    mg_metrics_init(&s->metrics);
    s->engine = engine;
    for (unsigned i = 0; i < MAX_LOOPS; i++)
        s->quiesced[i] = MHD_INVALID_SOCKET;
    s->drain_s = opts->drain_s ? opts->drain_s : DEFAULT_DRAIN_S;
    s->linger_s = opts->linger_s;
    s->ready = opts->ready;
    s->metrics_hook = opts->metrics;
    s->hook_ctx = opts->hook_ctx;
    s->log.fn = opts->log;
    s->log.ctx = opts->hook_ctx;
    mg_server_block_signals();
    if ((rc = mg_addr_parse(opts->listen, &a, err)) != 0)
        goto fail;
    if (!opts->cert_file || !opts->key_file) {
        rc = mg_err_set(err, MG_EINVAL, "a certificate and a key file are required");
        goto fail;
    }
    if (opts->n_client_ca &&
        (rc = mg_clientauth_new(&s->auth, opts->client_ca, opts->n_client_ca, opts->client_names,
                                opts->n_client_names, err)) != 0)
        goto fail;
    if ((rc = tls_options(s, opts, tls, err)) != 0)
        goto fail;
    if (s->reload && s->log.fn)
        mg_tlsreload_set_log(s->reload, s->log.fn, s->log.ctx);
    if (s->reload && s->auth)
        mg_tlsreload_also(s->reload, poll_client_ca, s);
    if (opts->metrics_listen && (rc = mg_metricsd_start(&s->metricsd, opts->metrics_listen,
                                                        render_metrics, s, &s->log, err)) != 0)
        goto fail;
    if ((rc = mg_listen_check_free(&a, opts->listen, err)) != 0 ||
        (rc = start_loops(s, opts, &a, tls, err)) != 0)
        goto fail;
    *out = s;
    return 0;
fail:
    server_free(s);
    return rc;
}

unsigned mg_server_port(const struct mg_server *srv)
{
    return srv ? srv->port : 0;
}

unsigned mg_server_metrics_port(const struct mg_server *srv)
{
    return srv ? mg_metricsd_port(srv->metricsd) : 0;
}

void mg_server_stop(struct mg_server *srv)
{
    struct timespec tick = {0, 10 * 1000 * 1000};
    unsigned long waited_ms = 0;

    if (!srv)
        return;
    atomic_store(&srv->stopping, true);
    if (srv->linger_s) {
        struct timespec linger = {(time_t)srv->linger_s, 0};

        while (nanosleep(&linger, &linger) != 0 && errno == EINTR)
            ;
    }
    for (unsigned i = 0; i < srv->ndaemons; i++)
        srv->quiesced[i] = MHD_quiesce_daemon(srv->daemons[i]);
    /* Requests already received get their answers; idle keep-alive connections are
     * closed by MHD_stop_daemon. */
    while (atomic_load(&srv->metrics.in_flight) > 0 && waited_ms < srv->drain_s * 1000UL) {
        nanosleep(&tick, NULL);
        waited_ms += 10;
    }
    if (atomic_load(&srv->metrics.in_flight) > 0)
        mg_http_logf(&srv->log, "stopping with %ld requests unanswered after %u s",
                     (long)atomic_load(&srv->metrics.in_flight), srv->drain_s);
    /* A review on its own thread ends within its bound (the policy wait), and resumes
     * its connection, which a stopped daemon must not have suspended. */
    while (atomic_load(&srv->workers) > 0)
        nanosleep(&tick, NULL);
    server_free(srv);
}
