/* SPDX-License-Identifier: Apache-2.0 */
/* server.h - the HTTPS front (libmicrohttpd over GnuTLS): POST /validate and
 * /mutate to the engine, GET /healthz, /readyz and /metrics. Only this layer sees
 * HTTP: limits, keep-alive, timeouts, graceful stop, certificate reload. */
#ifndef MG_SERVER_H
#define MG_SERVER_H

#include <stdbool.h>

#include "engine.h"
#include "err.h"

struct mg_server_opts {
    const char *listen;    /* "127.0.0.1:8443", "[::1]:8443", ":8443" (all addresses) */
    const char *cert_file; /* PEM serving certificate (chain) */
    const char *key_file;  /* PEM private key */
    unsigned threads;      /* worker threads (event loops), 0: online CPUs, at least 2 */
    unsigned timeout_s;    /* idle connection timeout, 0: default (30 s) */
    /* Fields below may be left zero. */
    unsigned max_conns; /* open connections at once, 0: default (8192; the descriptor limit
                         * is raised to fit, or caps it) */
    unsigned drain_s;   /* mg_server_stop waits this long for requests in flight, 0: 10 s */
    unsigned linger_s;  /* mg_server_stop first keeps accepting this long with /readyz
                         * at 503, so endpoints drop the pod before it stops listening
                         * (an alternative to a preStop sleep); 0: none */
    unsigned reload_s;  /* poll cert/key files every reload_s seconds and switch to a new
                         * pair that loads; 0: default (2 s); see no_reload */
    bool no_reload;     /* never reload the certificate */
    /* GET /readyz answers 200 "ready" while this returns true (or when NULL), else
     * 503 "not ready". Called from server threads; must be thread-safe and quick. */
    bool (*ready)(void *ctx);
    /* Extra Prometheus text appended to GET /metrics; returns a malloc'd string the
     * server frees, or NULL. Called from server threads. */
    char *(*metrics)(void *ctx);
    void *hook_ctx; /* passed to ready, metrics and log */
    /* Client authentication (issue 15): with client_ca files (PEM bundles), /validate and
     * /mutate answer 403 before reading the body unless the client presented a
     * certificate that chains to one of them for TLS client use and, when client_names
     * are given, whose subject CN or a SAN (DNS, URI, e-mail) is one of them. Probes and
     * /metrics stay open. The bundles are re-read with the serving certificate. */
    const char *const *client_ca;
    size_t n_client_ca;
    const char *const *client_names;
    size_t n_client_names;
    /* "ADDR:PORT": serve GET /metrics there in plain HTTP (metricsd.h), and no longer on
     * the webhook port (404 there); NULL: on the webhook port. */
    const char *metrics_listen;
    /* Where the server's own lines go (libmicrohttpd's messages, reloads, stop): one
     * line without '\n' per call, from any thread; must not block. NULL: stderr. */
    void (*log)(void *ctx, const char *line);
};

struct mg_server;

/* Block SIGTERM, SIGINT, SIGHUP and SIGPIPE in the calling thread; threads started afterwards
 * inherit the mask, so mg_server_wait_for_signal receives the signals. Call first in
 * main, before any thread starts. mg_server_start calls it too. */
void mg_server_block_signals(void);

/* Bind, load the certificate and start serving on background threads. The engine is
 * borrowed and must outlive the server. On failure *out is NULL and err says why
 * (MG_EINVAL bad address, MG_EIO unreadable files, MG_ETLS bad pair, MG_ECONFIG bind). */
int mg_server_start(struct mg_server **out, const struct mg_server_opts *opts,
                    struct mg_engine *engine, struct mg_err *err);

/* The port actually bound (useful with port 0). */
unsigned mg_server_port(const struct mg_server *srv);

/* The port of --metrics-listen, 0 when /metrics is on the webhook port. */
unsigned mg_server_metrics_port(const struct mg_server *srv);

/* Report not ready and linger (linger_s), stop accepting, finish requests in flight (at
 * most drain_s), free everything; accepts NULL. Responses sent from the first step on
 * carry "Connection: close". */
void mg_server_stop(struct mg_server *srv);

/* Block until SIGTERM, SIGINT or SIGHUP (after mg_server_block_signals), then return
 * the signal number (the caller stops the server, or reloads on SIGHUP). */
int mg_server_wait_for_signal(void);

#endif
