/* SPDX-License-Identifier: Apache-2.0 */
/* ticker.h - a background thread that calls one function at once and then every period,
 * until stopped: the serve command's periodic work (the drain metrics' passes, the
 * HyperConverged note) on one mechanism. Thread-safety: start and stop from one thread. */
#ifndef MG_TICKER_H
#define MG_TICKER_H

struct mg_ticker;

/* Start the thread: fn(ctx) at once, then period_ms (>= 10) after each call returns.
 * ctx is borrowed until mg_ticker_stop. NULL when out of memory or no thread started. */
struct mg_ticker *mg_ticker_start(unsigned period_ms, void (*fn)(void *ctx), void *ctx);

/* Stop: wake the thread, wait for a running fn to return, free; accepts NULL. */
void mg_ticker_stop(struct mg_ticker *t);

#endif
