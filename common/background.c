/* SPDX-License-Identifier: Apache-2.0 */
/* background.c - the idle-class job thread of background.h: one job slot under a mutex,
 * a condition variable each way. */
#define _GNU_SOURCE /* SCHED_IDLE, pthread_setname_np */
#include "background.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct mg_background {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t job_cv;  /* a job was posted, or stop */
    pthread_cond_t done_cv; /* the job returned, or the slot is free */
    void (*fn)(void *arg);  /* the posted job; NULL when the slot is free */
    void *arg;
    unsigned long posted, finished; /* jobs so far: a caller waits for its own number */
    unsigned callers;               /* inside mg_background_run: stop waits for them */
    bool running;                   /* the posted job has been taken */
    bool stop;
    bool lowered; /* lower the thread at its start */
};

/* The pacing of the calling thread (mg_background_pace). */
struct pace {
    bool lowered;
    unsigned calls;
    int64_t wall0, cpu0; /* the window's start, ns; wall0 0: none yet */
};

static _Thread_local struct pace tl_pace;
static atomic_ulong naps; /* mg_background_naps */

#define PACE_EVERY 16           /* calls between two looks at the clocks */
#define PACE_WINDOW_NS 10000000 /* 10 ms */
#define PACE_SHARE_PCT 30       /* below this share of a core, step aside */
#define PACE_NAP_NS 50000000    /* 50 ms */

static int64_t clock_ns(clockid_t id)
{
    struct timespec t;

    clock_gettime(id, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

void mg_background_pace(void)
{
    struct pace *p = &tl_pace;
    int64_t wall, cpu;

    if (!p->lowered || ++p->calls % PACE_EVERY)
        return;
    wall = clock_ns(CLOCK_MONOTONIC);
    cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    if (p->wall0 && wall - p->wall0 >= PACE_WINDOW_NS) {
        if ((cpu - p->cpu0) * 100 < (wall - p->wall0) * PACE_SHARE_PCT) {
            struct timespec nap = {0, PACE_NAP_NS};

            atomic_fetch_add_explicit(&naps, 1, memory_order_relaxed);
            nanosleep(&nap, NULL);
            wall = clock_ns(CLOCK_MONOTONIC);
            cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        }
        p->wall0 = 0;
    }
    if (!p->wall0) {
        p->wall0 = wall;
        p->cpu0 = cpu;
    }
}

unsigned long mg_background_naps(void)
{
    return atomic_load_explicit(&naps, memory_order_relaxed);
}

bool mg_background_lower(void)
{
    struct sched_param none = {0};

    /* At nice 10 the p99 of reviews tripled during a reload of 100,000 VMs: a lower
     * weight still lets the thread keep a core for its whole slice when a review thread
     * wakes up; an idle-class thread is preempted at once. */
    tl_pace = (struct pace){.lowered = true};
    if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &none) == 0)
        return true;
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
    return false;
}

static void *run(void *arg)
{
    struct mg_background *b = arg;

    if (b->lowered)
        mg_background_lower();
    pthread_mutex_lock(&b->mu);
    for (;;) {
        void (*fn)(void *);
        void *a;

        while (!b->stop && (!b->fn || b->running))
            pthread_cond_wait(&b->job_cv, &b->mu);
        if (!b->fn || b->running)
            break; /* stop, and nothing waits */
        fn = b->fn;
        a = b->arg;
        b->running = true;
        pthread_mutex_unlock(&b->mu);
        /* The wait for this job was not a lack of cores: pacing starts afresh. */
        tl_pace.wall0 = 0;
        fn(a);
        pthread_mutex_lock(&b->mu);
        b->fn = NULL;
        b->running = false;
        b->finished++;
        pthread_cond_broadcast(&b->done_cv);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

struct mg_background *mg_background_start(const char *name, bool lowered)
{
    struct mg_background *b = calloc(1, sizeof(*b));

    if (!b)
        return NULL;
    b->lowered = lowered;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->job_cv, NULL);
    pthread_cond_init(&b->done_cv, NULL);
    if (pthread_create(&b->thread, NULL, run, b) != 0) {
        pthread_cond_destroy(&b->done_cv);
        pthread_cond_destroy(&b->job_cv);
        pthread_mutex_destroy(&b->mu);
        free(b);
        return NULL;
    }
    if (name)
        (void)pthread_setname_np(b->thread, name);
    return b;
}

void mg_background_run(struct mg_background *b, void (*fn)(void *arg), void *arg)
{
    unsigned long mine;

    if (!b) {
        fn(arg);
        return;
    }
    pthread_mutex_lock(&b->mu);
    b->callers++;
    while (b->fn && !b->stop)
        pthread_cond_wait(&b->done_cv, &b->mu);
    if (b->stop) {
        /* The thread is ending: run it here, then let the stop go on. */
        pthread_mutex_unlock(&b->mu);
        fn(arg);
        pthread_mutex_lock(&b->mu);
    } else {
        b->fn = fn;
        b->arg = arg;
        mine = ++b->posted;
        pthread_cond_signal(&b->job_cv);
        while (b->finished < mine)
            pthread_cond_wait(&b->done_cv, &b->mu);
    }
    if (--b->callers == 0)
        pthread_cond_broadcast(&b->done_cv);
    pthread_mutex_unlock(&b->mu);
}

void mg_background_stop(struct mg_background *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    b->stop = true;
    pthread_cond_broadcast(&b->job_cv);
    pthread_cond_broadcast(&b->done_cv);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->thread, NULL);
    pthread_mutex_lock(&b->mu);
    while (b->callers > 0)
        pthread_cond_wait(&b->done_cv, &b->mu);
    pthread_mutex_unlock(&b->mu);
    pthread_cond_destroy(&b->done_cv);
    pthread_cond_destroy(&b->job_cv);
    pthread_mutex_destroy(&b->mu);
    free(b);
}
