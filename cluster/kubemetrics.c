/* SPDX-License-Identifier: Apache-2.0 */
/* kubemetrics.c - Prometheus text exposition of the watcher's counters: one family
 * at a time (HELP, TYPE, then one sample per kind), as the format requires. */
#include "kubemetrics.h"

#include <stdio.h>
#include <stdlib.h>

#define NFAMILIES 6
#define LINE_MAX_LEN 256

char *mg_kubemetrics_text(const struct mg_kube *k)
{
    static const char *const names[NFAMILIES] = {"synced",        "lists_total",
                                                 "relists_total", "watch_restarts_total",
                                                 "errors_total",  "events_total"};
    static const char *const help[NFAMILIES] = {
        "1 once the kind's first full list arrived", "complete lists applied",
        "lists after the first (410 Gone, errors)",  "watch requests after the first of a list",
        "failed requests and dropped connections",   "watch events applied"};
    size_t nk = mg_kube_kind_count(), cap = (NFAMILIES * (nk + 2) + 3) * LINE_MAX_LEN, n = 0;
    char *out = malloc(cap);

    if (!out)
        return NULL;
    for (size_t m = 0; m < NFAMILIES; m++) {
        n += (size_t)snprintf(out + n, cap - n,
                              "# HELP migguard_kube_%s %s\n"
                              "# TYPE migguard_kube_%s %s\n",
                              names[m], help[m], names[m], m ? "counter" : "gauge");
        for (size_t i = 0; i < nk; i++) {
            struct mg_kube_kind_stats st = {0};
            unsigned long v[NFAMILIES];

            mg_kube_stats(k, i, &st);
            v[0] = st.synced, v[1] = st.lists, v[2] = st.relists;
            v[3] = st.restarts, v[4] = st.errors, v[5] = st.events;
            n += (size_t)snprintf(out + n, cap - n, "migguard_kube_%s{kind=\"%s\"} %lu\n", names[m],
                                  st.kind ? st.kind : "", v[m]);
        }
    }
    snprintf(out + n, cap - n,
             "# HELP migguard_kube_ready 1 once every kind is listed\n"
             "# TYPE migguard_kube_ready gauge\nmigguard_kube_ready %d\n",
             mg_kube_ready(k));
    return out;
}
