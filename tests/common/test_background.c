/* SPDX-License-Identifier: Apache-2.0 */
/* test_background.c - the idle-class job thread: a job runs on that thread, lowered,
 * and mg_background_run returns once it has; jobs of many callers take turns (a plain
 * counter they share stays exact, and ThreadSanitizer sees no race); without a thread
 * jobs run on the caller; a stop that comes while a job runs waits for it;
 * mg_background_pace steps aside only on a lowered thread that had little of a core.
 * Waits are on condition variables, nothing is timed. */
#define _GNU_SOURCE /* SCHED_IDLE */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <time.h>

#include "background.h"

struct seen {
    pthread_t thread;
    int policy, nice;
    bool ran;
};

static void record(void *arg)
{
    struct seen *s = arg;

    s->thread = pthread_self();
    s->policy = sched_getscheduler(0);
    s->nice = getpriority(PRIO_PROCESS, 0);
    s->ran = true;
}

static void job_runs_lowered_on_its_thread(void **state)
{
    struct mg_background *b = mg_background_start("mg-test-bg", true);
    struct seen s = {0};

    (void)state;
    assert_non_null(b);
    mg_background_run(b, record, &s);
    assert_true(s.ran);
    assert_false(pthread_equal(s.thread, pthread_self()));
    /* SCHED_IDLE where the kernel allows it, else the highest nice value. */
    assert_true(s.policy == SCHED_IDLE || s.nice == 19);
    assert_int_equal(sched_getscheduler(0), SCHED_OTHER); /* the caller is left alone */
    mg_background_stop(b);
}

static void without_thread_runs_on_caller(void **state)
{
    struct seen s = {0};

    (void)state;
    mg_background_run(NULL, record, &s);
    assert_true(s.ran);
    assert_true(pthread_equal(s.thread, pthread_self()));
    mg_background_stop(NULL);
}

#define CALLERS 4
#define JOBS 300

struct shared {
    struct mg_background *b;
    long counter; /* not atomic: jobs take turns */
    int in_job;   /* callers inside a job at once: must stay 0 or 1 */
    bool overlap;
};

struct caller {
    struct shared *sh;
    int mine; /* jobs this caller saw finish */
};

static void bump(void *arg)
{
    struct caller *c = arg;

    if (++c->sh->in_job != 1)
        c->sh->overlap = true;
    c->sh->counter++;
    c->mine++;
    c->sh->in_job--;
}

static void *call_many(void *arg)
{
    struct caller *c = arg;

    for (int i = 0; i < JOBS; i++) {
        int before = c->mine;

        mg_background_run(c->sh->b, bump, c);
        /* Returned only after this caller's own job ran. */
        assert_int_equal(c->mine, before + 1);
    }
    return NULL;
}

static void callers_take_turns(void **state)
{
    struct shared sh = {mg_background_start("mg-test-bg", true), 0, 0, false};
    struct caller c[CALLERS];
    pthread_t t[CALLERS];

    (void)state;
    assert_non_null(sh.b);
    for (int i = 0; i < CALLERS; i++) {
        c[i] = (struct caller){&sh, 0};
        assert_int_equal(pthread_create(&t[i], NULL, call_many, &c[i]), 0);
    }
    for (int i = 0; i < CALLERS; i++)
        pthread_join(t[i], NULL);
    mg_background_stop(sh.b);
    assert_false(sh.overlap);
    assert_int_equal(sh.counter, CALLERS * JOBS);
    for (int i = 0; i < CALLERS; i++)
        assert_int_equal(c[i].mine, JOBS);
}

/* A job holds the thread until the gate opens, and the stop comes while it runs: the
 * stop waits for it, and the caller gets its answer. (No call may start once a stop has
 * begun, so no second caller here.) */
struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool open, entered;
    int runs;
    struct mg_background *b;
};

static void held(void *arg)
{
    struct gate *g = arg;

    pthread_mutex_lock(&g->mu);
    g->entered = true;
    pthread_cond_broadcast(&g->cv);
    while (!g->open)
        pthread_cond_wait(&g->cv, &g->mu);
    g->runs++;
    pthread_mutex_unlock(&g->mu);
}

static void *post_held(void *arg)
{
    struct gate *g = arg;

    mg_background_run(g->b, held, g);
    return NULL;
}

static void *stopper(void *arg)
{
    mg_background_stop(arg);
    return NULL;
}

static void stop_while_a_job_runs(void **state)
{
    struct gate g = {.b = mg_background_start("mg-test-bg", true)};
    pthread_t a, s;

    (void)state;
    assert_non_null(g.b);
    pthread_mutex_init(&g.mu, NULL);
    pthread_cond_init(&g.cv, NULL);
    assert_int_equal(pthread_create(&a, NULL, post_held, &g), 0);
    pthread_mutex_lock(&g.mu);
    while (!g.entered)
        pthread_cond_wait(&g.cv, &g.mu);
    pthread_mutex_unlock(&g.mu);
    assert_int_equal(pthread_create(&s, NULL, stopper, g.b), 0);
    pthread_mutex_lock(&g.mu);
    g.open = true;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
    pthread_join(a, NULL);
    pthread_join(s, NULL);
    assert_int_equal(g.runs, 1);
    pthread_cond_destroy(&g.cv);
    pthread_mutex_destroy(&g.mu);
}

/* Pacing: a thread that was not lowered never steps aside; a lowered one that has had
 * no core for a window (it sleeps between its calls, as a thread whose cores reviews
 * keep busy) does, sooner or later. */
static void pace_never_steps_aside_unlowered(void **state)
{
    struct timespec ms = {0, 1000000};
    unsigned long before = mg_background_naps();

    (void)state;
    /* Sleeping between calls: starved by any measure, but this thread is not lowered. */
    for (int i = 0; i < 16 * 30; i++) {
        mg_background_pace();
        if (i % 16 == 15)
            nanosleep(&ms, NULL);
    }
    assert_int_equal(mg_background_naps(), before);
}

static void pace_lowered(void *arg)
{
    struct timespec ms = {0, 1000000};
    unsigned long *naps = arg;

    mg_background_lower();
    /* 16 calls per look; a look every 2 ms of sleep, the window is 10 ms. */
    for (int i = 0; i < 16 * 500 && mg_background_naps() == *naps; i++) {
        mg_background_pace();
        if (i % 16 == 15)
            nanosleep(&ms, NULL);
    }
    *naps = mg_background_naps() - *naps;
}

static void pace_lowered_thread_steps_aside(void **state)
{
    struct mg_background *b = mg_background_start("mg-test-bg", true);
    unsigned long naps = mg_background_naps();

    (void)state;
    assert_non_null(b);
    mg_background_run(b, pace_lowered, &naps);
    assert_true(naps >= 1);
    mg_background_stop(b);
}

static void pace_16(void *arg)
{
    (void)arg;
    for (int i = 0; i < 16; i++)
        mg_background_pace();
}

/* The wait between two jobs is not a lack of cores: a job that starts after a long idle
 * wait does not step aside at its first look. */
static void pace_starts_afresh_with_each_job(void **state)
{
    struct mg_background *b = mg_background_start("mg-test-bg", true);
    struct timespec idle = {0, 30000000};
    unsigned long before;

    (void)state;
    assert_non_null(b);
    mg_background_run(b, pace_16, NULL); /* a first look: the window starts */
    nanosleep(&idle, NULL);              /* three windows with nothing to do */
    before = mg_background_naps();
    mg_background_run(b, pace_16, NULL);
    assert_int_equal(mg_background_naps(), before);
    mg_background_stop(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(job_runs_lowered_on_its_thread),
        cmocka_unit_test(without_thread_runs_on_caller),
        cmocka_unit_test(callers_take_turns),
        cmocka_unit_test(stop_while_a_job_runs),
        cmocka_unit_test(pace_never_steps_aside_unlowered),
        cmocka_unit_test(pace_lowered_thread_steps_aside),
        cmocka_unit_test(pace_starts_afresh_with_each_job),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
