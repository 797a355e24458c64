/* SPDX-License-Identifier: Apache-2.0 */
/* test_ticker.c - the periodic thread: a first call at once (or at its time), then one
 * every period, never two at once; a stop ends a wait of an hour and waits for a running
 * call; a wake-up asked for (before, during or from a call, or at a future time) is a
 * call. Waits are on condition variables; a ticker that never calls makes the test hang
 * until ctest's timeout, no test measures a duration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>

#include "ticker.h"

#define HOUR_MS (3600 * 1000)
#define MAX_CALLS 64

struct probe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct mg_ticker *t; /* for fn's own wake-ups */
    int calls;
    bool in_fn, overlap, returned;
    bool hold;      /* the first call waits until hold is false */
    bool wake_self; /* the first call asks for another at once */
    int64_t start[MAX_CALLS], end[MAX_CALLS];
};

static void probe_init(struct probe *p)
{
    *p = (struct probe){0};
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
}

static void probe_fini(struct probe *p)
{
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
}

static void fn(void *ctx)
{
    struct probe *p = ctx;
    int k;

    pthread_mutex_lock(&p->mu);
    if (p->in_fn)
        p->overlap = true;
    p->in_fn = true;
    p->returned = false;
    k = p->calls;
    if (k < MAX_CALLS)
        p->start[k] = mg_ticker_now_ms();
    pthread_cond_broadcast(&p->cv);
    while (k == 0 && p->hold)
        pthread_cond_wait(&p->cv, &p->mu);
    if (k == 0 && p->wake_self)
        mg_ticker_wake_at(p->t, 0);
    if (k < MAX_CALLS)
        p->end[k] = mg_ticker_now_ms();
    p->calls++;
    p->in_fn = false;
    p->returned = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void wait_calls(struct probe *p, int n)
{
    pthread_mutex_lock(&p->mu);
    while (p->calls < n)
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

static void test_ticker_calls_at_once_then_every_period(void **state)
{
    struct probe p;
    struct mg_ticker *t;

    (void)state;
    probe_init(&p);
    t = mg_ticker_start(10, fn, &p);
    assert_non_null(t);
    wait_calls(&p, 5);
    mg_ticker_stop(t);
    assert_false(p.overlap);
    /* Each call starts a full period after the previous one returned. */
    for (int k = 1; k < 5; k++)
        assert_true(p.start[k] >= p.end[k - 1] + 10);
    probe_fini(&p);
}

/* With a period of an hour, only "at once" can make the first call, and only a stop
 * that wakes the thread lets mg_ticker_stop return. */
static void test_ticker_first_call_is_at_once_and_stop_ends_the_wait(void **state)
{
    struct probe p;
    struct mg_ticker *t;

    (void)state;
    probe_init(&p);
    t = mg_ticker_start(HOUR_MS, fn, &p);
    assert_non_null(t);
    wait_calls(&p, 1);
    mg_ticker_stop(t);
    assert_int_equal(p.calls, 1);
    probe_fini(&p);
}

static void test_ticker_stop_before_the_first_call_calls_nothing(void **state)
{
    struct probe p;
    struct mg_ticker *t;

    (void)state;
    probe_init(&p);
    t = mg_ticker_start_at(mg_ticker_now_ms() + HOUR_MS, 10, fn, &p);
    assert_non_null(t);
    mg_ticker_stop(t);
    assert_int_equal(p.calls, 0);
    mg_ticker_stop(NULL);
    mg_ticker_wake_at(NULL, 0);
    probe_fini(&p);
}

static void test_ticker_wake_at_calls_before_the_period(void **state)
{
    struct probe p;
    struct mg_ticker *t;

    (void)state;
    probe_init(&p);
    t = mg_ticker_start_at(mg_ticker_now_ms() + HOUR_MS, HOUR_MS, fn, &p);
    assert_non_null(t);
    mg_ticker_wake_at(t, 0);
    wait_calls(&p, 1);
    mg_ticker_wake_at(t, mg_ticker_now_ms());
    wait_calls(&p, 2);
    mg_ticker_stop(t);
    assert_int_equal(p.calls, 2);
    assert_false(p.overlap);
    probe_fini(&p);
}

/* A wake-up at a future time is a call at that time, not before, with no period near. */
static void test_ticker_wake_at_a_future_time_calls_then(void **state)
{
    struct probe p;
    struct mg_ticker *t;
    int64_t at;

    (void)state;
    probe_init(&p);
    t = mg_ticker_start_at(mg_ticker_now_ms() + HOUR_MS, HOUR_MS, fn, &p);
    assert_non_null(t);
    at = mg_ticker_now_ms() + 30;
    mg_ticker_wake_at(t, at);
    mg_ticker_wake_at(t, at + HOUR_MS); /* later than one asked for: changes nothing */
    wait_calls(&p, 1);
    mg_ticker_stop(t);
    assert_int_equal(p.calls, 1);
    assert_true(p.start[0] >= at);
    probe_fini(&p);
}

/* A wake-up asked for while a call runs is a call after it, never a concurrent one. */
static void test_ticker_wake_during_a_call_calls_again_after_it(void **state)
{
    struct probe p;
    struct mg_ticker *t;

    (void)state;
    probe_init(&p);
    p.hold = true;
    t = mg_ticker_start(HOUR_MS, fn, &p);
    assert_non_null(t);
    pthread_mutex_lock(&p.mu);
    while (!p.in_fn)
        pthread_cond_wait(&p.cv, &p.mu);
    pthread_mutex_unlock(&p.mu);
    mg_ticker_wake_at(t, 0);
    pthread_mutex_lock(&p.mu);
    p.hold = false;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    wait_calls(&p, 2);
    mg_ticker_stop(t);
    assert_int_equal(p.calls, 2);
    assert_false(p.overlap);
    assert_true(p.start[1] >= p.end[0]);
    probe_fini(&p);
}

static void test_ticker_fn_may_wake_its_own_ticker(void **state)
{
    struct probe p;
    struct mg_ticker *t;

    (void)state;
    probe_init(&p);
    p.wake_self = true;
    t = mg_ticker_start_at(mg_ticker_now_ms() + HOUR_MS, HOUR_MS, fn, &p);
    assert_non_null(t);
    pthread_mutex_lock(&p.mu);
    p.t = t;
    pthread_mutex_unlock(&p.mu);
    mg_ticker_wake_at(t, 0);
    wait_calls(&p, 2);
    mg_ticker_stop(t);
    assert_int_equal(p.calls, 2);
    probe_fini(&p);
}

struct stopper {
    struct probe *p;
    struct mg_ticker *t;
    bool returned_first;
};

static void *stop_it(void *arg)
{
    struct stopper *s = arg;

    mg_ticker_stop(s->t);
    pthread_mutex_lock(&s->p->mu);
    s->returned_first = s->p->returned;
    pthread_mutex_unlock(&s->p->mu);
    return NULL;
}

/* mg_ticker_stop returns only after the running call did, whenever the call ends. */
static void test_ticker_stop_waits_for_the_running_call(void **state)
{
    struct probe p;
    struct stopper s = {0};
    pthread_t th;

    (void)state;
    probe_init(&p);
    p.hold = true;
    s.p = &p;
    s.t = mg_ticker_start(HOUR_MS, fn, &p);
    assert_non_null(s.t);
    pthread_mutex_lock(&p.mu);
    while (!p.in_fn)
        pthread_cond_wait(&p.cv, &p.mu);
    pthread_mutex_unlock(&p.mu);
    assert_int_equal(pthread_create(&th, NULL, stop_it, &s), 0);
    pthread_mutex_lock(&p.mu);
    p.hold = false;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    pthread_join(th, NULL);
    assert_true(s.returned_first);
    assert_int_equal(p.calls, 1);
    probe_fini(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticker_calls_at_once_then_every_period),
        cmocka_unit_test(test_ticker_first_call_is_at_once_and_stop_ends_the_wait),
        cmocka_unit_test(test_ticker_stop_before_the_first_call_calls_nothing),
        cmocka_unit_test(test_ticker_wake_at_calls_before_the_period),
        cmocka_unit_test(test_ticker_wake_at_a_future_time_calls_then),
        cmocka_unit_test(test_ticker_wake_during_a_call_calls_again_after_it),
        cmocka_unit_test(test_ticker_fn_may_wake_its_own_ticker),
        cmocka_unit_test(test_ticker_stop_waits_for_the_running_call),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
