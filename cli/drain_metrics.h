/* SPDX-License-Identifier: Apache-2.0 */
/* drain_metrics.h - the drain answer in the server's /metrics:
 * migguard_drain_blockers{node} and migguard_vmis_not_migratable{namespace,reason},
 * recomputed by a background thread every period from the view (validate/drain.h), in
 * batches of a few hundred VMIs per read lock, so that a scrape reads a finished text
 * and no review waits behind a walk of every VMI. Thread-safety: text may be called
 * from any thread; start and stop from one. */
#ifndef MG_DRAIN_METRICS_H
#define MG_DRAIN_METRICS_H

#include "engine.h"

struct mg_drain_metrics;

/* Start the thread: a first pass at once, then one every period_s seconds (>= 1). The
 * engine is borrowed and must outlive mg_drain_metrics_stop. NULL when out of memory
 * or no thread could be started. */
struct mg_drain_metrics *mg_drain_metrics_start(struct mg_engine *engine, unsigned period_s);

/* The Prometheus text of the last finished pass (the HELP/TYPE lines alone before the
 * first). Caller frees with free(); NULL when out of memory. */
char *mg_drain_metrics_text(struct mg_drain_metrics *m);

/* Run one pass now, in the calling thread (tests). */
void mg_drain_metrics_run(struct mg_drain_metrics *m);

/* Stop the thread (within one batch) and free everything; accepts NULL. */
void mg_drain_metrics_stop(struct mg_drain_metrics *m);

#endif
