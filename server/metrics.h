/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.h - the server's counters (lock-free atomics) and their Prometheus text
 * rendering for GET /metrics. Only server.c records into them. */
#ifndef MG_METRICS_H
#define MG_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

enum mg_metrics_route {
    MG_ROUTE_VALIDATE = 0,
    MG_ROUTE_MUTATE,
    MG_ROUTE_HEALTHZ,
    MG_ROUTE_READYZ,
    MG_ROUTE_METRICS,
    MG_ROUTE_OTHER,
    MG_ROUTE_COUNT
};

#define MG_METRICS_CODES 10   /* 200 400 403 404 405 413 415 500 503 other */
#define MG_METRICS_BUCKETS 10 /* review latency histogram buckets, +Inf last */

struct mg_metrics {
    atomic_ulong requests[MG_ROUTE_COUNT][MG_METRICS_CODES];
    atomic_ulong reviews[2][2];                  /* [endpoint][allowed] */
    atomic_ulong latency[2][MG_METRICS_BUCKETS]; /* cumulative per bucket at render */
    atomic_ulong latency_us_sum[2];
    atomic_long in_flight;
    atomic_ulong reloads, reload_failures;
    atomic_ulong auth_refused; /* reviews answered 403 by client authentication */
};

/* Zero every counter. */
void mg_metrics_init(struct mg_metrics *m);

/* Count one answered request on route with HTTP status. */
void mg_metrics_request(struct mg_metrics *m, enum mg_metrics_route route, int status);

/* Count one review answered by the engine on ep (0 validate, 1 mutate). */
void mg_metrics_review(struct mg_metrics *m, int ep, bool allowed, double seconds);

/* Render in the Prometheus text format 0.0.4, followed by extra (may be NULL).
 * Caller frees the result with free(); NULL when out of memory. */
char *mg_metrics_render(struct mg_metrics *m, const char *extra);

#endif
