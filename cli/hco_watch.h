/* SPDX-License-Identifier: Apache-2.0 */
/* hco_watch.h - with --kube, HyperConvergeds arrive through the watch after the server
 * starts: a small thread looks at the view every few seconds and logs, once per change,
 * which HyperConverged the cluster's migration settings come from and which are ignored
 * (RULES.md 9.3), as `serve --state` does at start and on SIGHUP.
 * Thread-safety: start and stop from one thread. */
#ifndef MG_HCO_WATCH_H
#define MG_HCO_WATCH_H

#include "engine.h"

struct mg_hco_watch;

/* Start the thread: a look every period_ms (>= 10). line(ctx, text) is called from the
 * thread with one log line (no newline). The engine is borrowed and must outlive
 * mg_hco_watch_stop. NULL when out of memory or no thread could be started. */
struct mg_hco_watch *mg_hco_watch_start(struct mg_engine *engine, unsigned period_ms,
                                        void (*line)(void *ctx, const char *text), void *ctx);

/* Stop the thread and free it; accepts NULL. */
void mg_hco_watch_stop(struct mg_hco_watch *w);

#endif
