/* SPDX-License-Identifier: Apache-2.0 */
/* kubemetrics.h - the watcher's statistics as Prometheus text, for the server's
 * /metrics hook. Reads only mg_kube_stats and mg_kube_ready: safe from any thread. */
#ifndef MG_KUBEMETRICS_H
#define MG_KUBEMETRICS_H

#include "kube.h"

/* migguard_kube_synced, _lists_total, _relists_total, _watch_restarts_total,
 * _errors_total and _events_total per kind, and migguard_kube_ready; NULL when out of
 * memory. Caller frees with free(). */
char *mg_kubemetrics_text(const struct mg_kube *k);

#endif
