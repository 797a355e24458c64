/* SPDX-License-Identifier: Apache-2.0 */
/* review_bench.c - the engine alone, no HTTP or TLS: the mean time of one
 * mg_engine_review over a cluster view, in a loop on one thread. Shows what the
 * server's CPU per request is made of (perf record it for the split).
 * Usage: review_bench STATE_DIR REVIEW.json [ITERATIONS] [validate|mutate]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "load.h"
#include "yamljson.h"

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    struct mg_config cfg;
    struct mg_store *store;
    struct mg_engine *e = NULL;
    struct mg_err err = {0};
    enum mg_endpoint ep;
    char *body = NULL;
    size_t len = 0;
    long iters;
    double t0;

    if (argc < 3) {
        fprintf(stderr,
                "usage: review_bench STATE_DIR REVIEW.json [ITERATIONS] [validate|mutate]\n");
        return 2;
    }
    iters = argc > 3 ? strtol(argv[3], NULL, 10) : 100000;
    ep = argc > 4 && strcmp(argv[4], "mutate") == 0 ? MG_EP_MUTATE : MG_EP_VALIDATE;
    mg_config_init(&cfg);
    store = mg_store_new();
    if (!store || mg_load_dir(store, argv[1], &err) || mg_engine_new(&e, &cfg, store, &err) ||
        mg_read_file(argv[2], MG_REVIEW_MAX_BYTES, &body, &len, &err)) {
        fprintf(stderr, "review_bench: %s\n", err.msg);
        if (!e)
            mg_store_free(store);
        mg_engine_free(e);
        return 1;
    }
    t0 = now_us();
    for (long i = 0; i < iters; i++) {
        struct mg_reply r;

        mg_engine_review(e, ep, body, len, &r, &err);
        mg_reply_free(&r);
    }
    printf("%.2f us per review (%ld reviews of %s, %zu bytes)\n", (now_us() - t0) / (double)iters,
           iters, argv[2], len);
    free(body);
    mg_engine_free(e);
    return 0;
}
