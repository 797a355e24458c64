/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.c - request and review counters plus a review latency histogram, kept
 * in relaxed atomics (counters need no ordering) and printed as Prometheus text.
 * No HTTP here: server.c serves the rendered text. */
#include "metrics.h"

#include <string.h>

#include "strbuf.h"

static const int codes[MG_METRICS_CODES - 1] = {200, 400, 403, 404, 405, 413, 415, 500, 503};
static const char *const routes[MG_ROUTE_COUNT] = {"/validate", "/mutate",  "/healthz",
                                                   "/readyz",   "/metrics", "other"};
static const char *const endpoints[2] = {"validate", "mutate"};
/* Upper bounds in seconds; the last bucket is +Inf. */
/* From 50 microseconds: a webhook answers in well under a millisecond. */
static const double bounds[MG_METRICS_BUCKETS - 1] = {0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                                      0.0025,  0.005,  0.025,   0.1};

void mg_metrics_init(struct mg_metrics *m)
{
    memset(m, 0, sizeof(*m));
}

void mg_metrics_request(struct mg_metrics *m, enum mg_metrics_route route, int status)
{
    size_t c = MG_METRICS_CODES - 1;

    for (size_t i = 0; i < MG_METRICS_CODES - 1; i++)
        if (codes[i] == status)
            c = i;
    if ((unsigned)route >= MG_ROUTE_COUNT)
        route = MG_ROUTE_OTHER;
    atomic_fetch_add_explicit(&m->requests[route][c], 1, memory_order_relaxed);
}

void mg_metrics_review(struct mg_metrics *m, int ep, bool allowed, double seconds)
{
    size_t b = MG_METRICS_BUCKETS - 1;

    ep = ep ? 1 : 0;
    for (size_t i = 0; i < MG_METRICS_BUCKETS - 1; i++) {
        if (seconds <= bounds[i]) {
            b = i;
            break;
        }
    }
    atomic_fetch_add_explicit(&m->reviews[ep][allowed ? 1 : 0], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency[ep][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_us_sum[ep], (unsigned long)(seconds * 1e6),
                              memory_order_relaxed);
}

static unsigned long get(atomic_ulong *a)
{
    return atomic_load_explicit(a, memory_order_relaxed);
}

static void render_latency(struct mg_strbuf *o, struct mg_metrics *m)
{
    mg_strbuf_printf(o, "# HELP migguard_review_duration_seconds Time the engine took per review.\n"
                        "# TYPE migguard_review_duration_seconds histogram\n");
    for (int ep = 0; ep < 2; ep++) {
        unsigned long cum = 0;

        for (size_t b = 0; b < MG_METRICS_BUCKETS; b++) {
            cum += get(&m->latency[ep][b]);
            if (b < MG_METRICS_BUCKETS - 1)
                mg_strbuf_printf(
                    o, "migguard_review_duration_seconds_bucket{endpoint=\"%s\",le=\"%g\"} %lu\n",
                    endpoints[ep], bounds[b], cum);
            else
                mg_strbuf_printf(
                    o, "migguard_review_duration_seconds_bucket{endpoint=\"%s\",le=\"+Inf\"} %lu\n",
                    endpoints[ep], cum);
        }
        mg_strbuf_printf(o, "migguard_review_duration_seconds_sum{endpoint=\"%s\"} %.6f\n",
                         endpoints[ep], (double)get(&m->latency_us_sum[ep]) / 1e6);
        mg_strbuf_printf(o, "migguard_review_duration_seconds_count{endpoint=\"%s\"} %lu\n",
                         endpoints[ep], cum);
    }
}

char *mg_metrics_render(struct mg_metrics *m, const char *extra)
{
    struct mg_strbuf o;

    mg_strbuf_init(&o);
    mg_strbuf_printf(
        &o, "# HELP migguard_http_requests_total HTTP requests answered, by path and status.\n"
            "# TYPE migguard_http_requests_total counter\n");
    for (int r = 0; r < MG_ROUTE_COUNT; r++)
        for (int c = 0; c < MG_METRICS_CODES; c++) {
            unsigned long v = get(&m->requests[r][c]);

            if (!v)
                continue;
            if (c < MG_METRICS_CODES - 1)
                mg_strbuf_printf(&o, "migguard_http_requests_total{path=\"%s\",code=\"%d\"} %lu\n",
                                 routes[r], codes[c], v);
            else
                mg_strbuf_printf(&o,
                                 "migguard_http_requests_total{path=\"%s\",code=\"other\"} %lu\n",
                                 routes[r], v);
        }
    mg_strbuf_printf(
        &o, "# HELP migguard_admission_reviews_total Reviews answered, by endpoint and result.\n"
            "# TYPE migguard_admission_reviews_total counter\n");
    for (int ep = 0; ep < 2; ep++)
        for (int a = 0; a < 2; a++)
            mg_strbuf_printf(
                &o, "migguard_admission_reviews_total{endpoint=\"%s\",allowed=\"%s\"} %lu\n",
                endpoints[ep], a ? "true" : "false", get(&m->reviews[ep][a]));
    render_latency(&o, m);
    mg_strbuf_printf(
        &o,
        "# HELP migguard_http_requests_in_flight Requests received and not yet answered.\n"
        "# TYPE migguard_http_requests_in_flight gauge\n"
        "migguard_http_requests_in_flight %ld\n",
        atomic_load_explicit(&m->in_flight, memory_order_relaxed));
    mg_strbuf_printf(&o,
                     "# HELP migguard_tls_reloads_total Serving certificate reloads, by result.\n"
                     "# TYPE migguard_tls_reloads_total counter\n"
                     "migguard_tls_reloads_total{result=\"ok\"} %lu\n"
                     "migguard_tls_reloads_total{result=\"failed\"} %lu\n",
                     get(&m->reloads), get(&m->reload_failures));
    mg_strbuf_printf(&o,
                     "# HELP migguard_client_auth_refused_total Reviews refused (403) for want "
                     "of a valid client certificate (serve --client-ca).\n"
                     "# TYPE migguard_client_auth_refused_total counter\n"
                     "migguard_client_auth_refused_total %lu\n",
                     get(&m->auth_refused));
    if (extra)
        mg_strbuf_printf(&o, "%s", extra);
    return mg_strbuf_finish(&o);
}
