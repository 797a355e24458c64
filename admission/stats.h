/* SPDX-License-Identifier: Apache-2.0 */
/* stats.h - what the engine decided, counted: reviews by endpoint, kind, operation and
 * verdict, findings by rule id and action, and --state reloads, rendered as Prometheus
 * text.
 * Lock-free atomics: any thread records, any thread renders. */
#ifndef MG_STATS_H
#define MG_STATS_H

#include <stdatomic.h>
#include <stdbool.h>

#include "request.h"
#include "rules.h"
#include "verdict.h"

#define MG_STATS_KINDS 6 /* the five kinds with rules, then "other" */
#define MG_STATS_OPS 5   /* enum mg_op */

struct mg_stats {
    atomic_ulong reviews[2][MG_STATS_KINDS][MG_STATS_OPS][2]; /* [endpoint][kind][op][allowed] */
    atomic_ulong findings[MG_RULE_COUNT][2];                  /* [rule][0 warn, 1 deny] */
    atomic_ulong errors;                                      /* undecodable or internal */
    atomic_ulong reload_failures;                             /* --state reloads that failed */
    atomic_llong reload_success;                              /* Unix time, 0: never */
};

void mg_stats_init(struct mg_stats *s);

/* Count one decided review and its findings (v may be NULL). */
void mg_stats_record(struct mg_stats *s, int endpoint, const struct mg_request *req, bool allowed,
                     const struct mg_verdict *v);

/* Count a review that could not be decided (not decodable, internal error). */
void mg_stats_error(struct mg_stats *s);

/* Count one --state load or reload: ok sets the success time to now, else one more
 * failure. */
void mg_stats_reload(struct mg_stats *s, bool ok);

/* Append the Prometheus text of s to a malloc'd buffer; returns it (caller frees) or
 * NULL when out of memory. */
char *mg_stats_render(struct mg_stats *s);

#endif
