/* SPDX-License-Identifier: Apache-2.0 */
/* server.h - the HTTPS front (libmicrohttpd over GnuTLS): POST /validate and
 * /mutate to the engine, GET /healthz, /readyz and /metrics. Only this layer sees
 * HTTP: limits, keep-alive, timeouts, graceful stop. */
#ifndef MG_SERVER_H
#define MG_SERVER_H

#include <stdbool.h>

#include "engine.h"
#include "err.h"

struct mg_server_opts {
    const char *listen;    /* "127.0.0.1:8443", "[::1]:8443", ":8443" (all addresses) */
    const char *cert_file; /* PEM serving certificate (chain) */
    const char *key_file;  /* PEM private key */
    unsigned threads;      /* worker threads, 0: default */
    unsigned timeout_s;    /* idle connection timeout, 0: default (30 s) */
};

struct mg_server;

/* Bind, load the certificate and start serving on background threads. The engine is
 * borrowed and must outlive the server. */
int mg_server_start(struct mg_server **out, const struct mg_server_opts *opts,
                    struct mg_engine *engine, struct mg_err *err);

/* The port actually bound (useful with port 0). */
unsigned mg_server_port(const struct mg_server *srv);

/* Stop accepting, finish requests in flight, free everything; accepts NULL. */
void mg_server_stop(struct mg_server *srv);

/* Block until SIGTERM or SIGINT, then return (the caller stops the server). */
void mg_server_wait_for_signal(void);

#endif
