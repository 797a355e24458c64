/* SPDX-License-Identifier: Apache-2.0 */
/* ticker.h - a background thread that calls one function at a first time and then every
 * period until stopped, and sooner when asked (mg_ticker_wake_at): every periodic loop of
 * migguard (the drain metrics, the HyperConverged note, the pending expiry, the policy
 * audit, the certificate poll) on one mechanism. Thread-safety: start and stop from one
 * thread; mg_ticker_wake_at from any thread, fn included. */
#ifndef MG_TICKER_H
#define MG_TICKER_H

#include <stdint.h>

struct mg_ticker;

/* Monotonic milliseconds (CLOCK_MONOTONIC), the clock of every time here. */
int64_t mg_ticker_now_ms(void);

/* Start the thread: fn(ctx) at once, then period_ms (10 at least) after each call
 * returns. ctx is borrowed until mg_ticker_stop returns. NULL when out of memory or no
 * thread started. The caller owns the ticker and frees it with mg_ticker_stop. */
struct mg_ticker *mg_ticker_start(unsigned period_ms, void (*fn)(void *ctx), void *ctx);

/* The same, with the first call at first_ms (mg_ticker_now_ms clock) instead of at once. */
struct mg_ticker *mg_ticker_start_at(int64_t first_ms, unsigned period_ms, void (*fn)(void *ctx),
                                     void *ctx);

/* Make the next call start no later than at_ms, whatever the period says: at at_ms when
 * nothing calls sooner, at once when at_ms is past, right after the running call returns
 * when fn is running. Each call start serves every wake-up asked for before it (fn reads
 * what it must do from its own state), so calls never overlap. fn may call this on its
 * own ticker. Accepts NULL. */
void mg_ticker_wake_at(struct mg_ticker *t, int64_t at_ms);

/* Stop: wake the thread, wait for a running fn to return, free; no call of fn starts
 * after this begins. Accepts NULL. */
void mg_ticker_stop(struct mg_ticker *t);

#endif
