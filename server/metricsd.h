/* SPDX-License-Identifier: Apache-2.0 */
/* metricsd.h - GET /metrics on an address of its own (serve --metrics-listen), in
 * plain HTTP: the counters carry no secret, and a NetworkPolicy opens that port to the
 * monitoring namespace only (deploy/README.md), while reviews stay on the TLS port.
 * Internal to server/. */
#ifndef MG_METRICSD_H
#define MG_METRICSD_H

#include "err.h"
#include "http.h"

struct mg_metricsd;

/* Listen on listen ("ADDR:PORT", as --listen) with one thread and answer GET /metrics
 * with render(ctx) (a malloc'd text this frees; NULL: 500). render is called from the
 * daemon's thread and must be thread-safe. log is borrowed until stop. MG_EINVAL bad
 * address, MG_ECONFIG cannot bind. */
int mg_metricsd_start(struct mg_metricsd **out, const char *listen, char *(*render)(void *ctx),
                      void *ctx, const struct mg_http_log *log, struct mg_err *err);

/* The port bound (useful with port 0). */
unsigned mg_metricsd_port(const struct mg_metricsd *d);

/* Stop and free; accepts NULL. */
void mg_metricsd_stop(struct mg_metricsd *d);

#endif
