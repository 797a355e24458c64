/* SPDX-License-Identifier: Apache-2.0 */
/* background.h - work that must yield the cores to reviews: building a relist or a reload
 * aside. mg_background_lower puts the calling thread in the idle scheduling class, and
 * mg_background runs jobs one at a time on such a thread while the caller waits, so that
 * the caller keeps its own priority for what it does under the view's lock (exchanges,
 * watch events). A job must take no lock a review takes: a preempted idle-class thread
 * would hold it until a core is free. Thread-safety: mg_background_run from any thread
 * (jobs take turns); start and stop from one thread. */
#ifndef MG_BACKGROUND_H
#define MG_BACKGROUND_H

#include <stdbool.h>

struct mg_background;

/* Lower the calling thread: SCHED_IDLE (runs only on a core no other thread wants, and a
 * waking review preempts it at once), else nice 19. True when SCHED_IDLE took. */
bool mg_background_lower(void);

/* A point in a lowered thread's loop where it holds no lock (between two list items):
 * every so often it looks at the share of the last 10 ms of wall time it had a core, and
 * when reviews left it less than 30% (they keep the cores busy, and the thread only fills
 * their gaps, which still costs them the cache and a preemption each time) it sleeps
 * 50 ms, so that saturated reviews run undisturbed for most of the time. A no-op on a
 * thread mg_background_lower did not lower (report, check, a start-up load). */
void mg_background_pace(void);

/* How many times mg_background_pace has stepped aside, in every thread so far. */
unsigned long mg_background_naps(void);

/* Start the thread named name (at most 15 characters), lowered at once when lowered is
 * true; else it runs at its starter's priority until a job calls mg_background_lower
 * (a first list that nothing competes with yet). The caller owns the result and frees it
 * with mg_background_stop; NULL when out of memory or no thread. */
struct mg_background *mg_background_start(const char *name, bool lowered);

/* Run fn(arg) on b's thread and return when it has; arg is borrowed for that time. With
 * b NULL (or stopped) fn runs on the calling thread. Jobs of several callers take turns. */
void mg_background_run(struct mg_background *b, void (*fn)(void *arg), void *arg);

/* End the thread (after the job it runs, if any), wait for the callers inside
 * mg_background_run (a job posted but not taken still runs; one that comes later runs
 * on its caller), and free b; accepts NULL. No call may start after this returns. */
void mg_background_stop(struct mg_background *b);

#endif
