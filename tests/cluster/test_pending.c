/* SPDX-License-Identifier: Apache-2.0 */
/* test_pending.c - admitted objects that count only until their deadline: a create
 * leaves, an update's old version and a delete's object come back, the watch's word
 * keeps them, a relist is the new "before", and the expiry thread does it with no one
 * asking. The tables: many entries leave in deadline order, from the middle too, a name
 * comes back as a new entry, random operations agree with a plain list model, and
 * 200,000 create/expire cycles leave the heap as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pending.h"
#include "store.h"

#define KIND "MigrationPolicy"

#define OTHER "StorageClass" /* a second cluster-scoped kind, names shared with KIND */

static cJSON *object(const char *kind, const char *name, int v)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *md = cJSON_AddObjectToObject(o, "metadata");

    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddStringToObject(o, "apiVersion",
                            strcmp(kind, KIND) == 0 ? "migrations.kubevirt.io/v1alpha1"
                                                    : "storage.k8s.io/v1");
    cJSON_AddStringToObject(md, "name", name);
    cJSON_AddNumberToObject(o, "v", v);
    return o;
}

static cJSON *policy(const char *name, int v)
{
    return object(KIND, name, v);
}

/* Deadlines in these tests are an hour ahead of now plus a few ms (the clock is
 * monotonic, from boot): the expiry thread, started by the first apply, leaves them
 * alone, and the tests expire them by hand with made-up times. */
static int64_t T0;

/* The "v" of the view's kind/name, -1 when absent. */
static int v_of_kind(struct mg_store *s, const char *kind, const char *name)
{
    const cJSON *o = mg_store_get(s, kind, "", name);

    return o ? cJSON_GetObjectItem(o, "v")->valueint : -1;
}

static int v_of(struct mg_store *s, const char *name)
{
    return v_of_kind(s, KIND, name);
}

/* Apply obj (taken) pending until deadline, under the write lock. */
static void apply(struct mg_pending *p, struct mg_store *s, const char *name, cJSON *obj,
                  int64_t deadline)
{
    mg_store_wrlock(s);
    assert_int_equal(mg_pending_apply(p, KIND, name, obj, T0 + deadline), 0);
    mg_store_unlock(s);
    cJSON_Delete(obj);
}

static size_t expire(struct mg_pending *p, struct mg_store *s, int64_t now)
{
    size_t n;

    mg_store_wrlock(s);
    n = mg_pending_expire(p, T0 + now);
    mg_store_unlock(s);
    return n;
}

static void test_pending_create_leaves_at_its_deadline(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_pending *p = mg_pending_new(s);

    (void)state;
    apply(p, s, "squatter", policy("squatter", 1), 1000);
    assert_int_equal(v_of(s, "squatter"), 1);
    assert_int_equal(mg_pending_count(p), 1);
    assert_int_equal(expire(p, s, 999), 0);
    assert_int_equal(v_of(s, "squatter"), 1);
    assert_int_equal(expire(p, s, 1000), 1);
    assert_int_equal(v_of(s, "squatter"), -1);
    assert_int_equal(mg_pending_count(p), 0);
    mg_pending_free(p);
    mg_store_free(s);
}

static void test_pending_update_and_delete_restore_what_was_there(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_pending *p = mg_pending_new(s);

    (void)state;
    mg_store_put(s, policy("a", 1), NULL);
    mg_store_put(s, policy("b", 1), NULL);
    apply(p, s, "a", policy("a", 2), 100);
    /* A second change of the same name keeps the first "before" and the later deadline. */
    apply(p, s, "a", policy("a", 3), 50);
    apply(p, s, "b", NULL, 100);
    assert_int_equal(v_of(s, "a"), 3);
    assert_int_equal(v_of(s, "b"), -1);
    assert_int_equal(expire(p, s, 60), 0);
    assert_int_equal(expire(p, s, 100), 2);
    assert_int_equal(v_of(s, "a"), 1);
    assert_int_equal(v_of(s, "b"), 1);
    mg_pending_free(p);
    mg_store_free(s);
}

static void test_pending_confirmed_by_the_watch_stays(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_pending *p = mg_pending_new(s);

    (void)state;
    apply(p, s, "real", policy("real", 1), 100);
    apply(p, s, "other", policy("other", 1), 100);
    mg_store_wrlock(s);
    mg_pending_confirm(p, KIND, "real");
    mg_pending_confirm(p, "Node", "other"); /* another kind: not a confirmation */
    mg_store_unlock(s);
    assert_int_equal(mg_pending_count(p), 1);
    assert_int_equal(expire(p, s, 1000), 1);
    assert_int_equal(v_of(s, "real"), 1);
    assert_int_equal(v_of(s, "other"), -1);
    mg_pending_free(p);
    mg_store_free(s);
}

static void test_pending_survives_a_relist_and_restores_the_listed_version(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_store *listed = mg_store_new();
    struct mg_pending *p = mg_pending_new(s);

    (void)state;
    mg_store_put(s, policy("a", 1), NULL);
    apply(p, s, "a", policy("a", 5), 100);
    apply(p, s, "new", policy("new", 1), 100);
    /* The list says a is at version 2 and knows nothing of "new". */
    mg_store_put(listed, policy("a", 2), NULL);
    mg_store_wrlock(s);
    assert_int_equal(mg_store_exchange(s, listed, KIND), 0);
    mg_pending_relisted(p, KIND);
    mg_store_unlock(s);
    assert_int_equal(v_of(s, "a"), 5);
    assert_int_equal(v_of(s, "new"), 1);
    assert_int_equal(expire(p, s, 100), 2);
    assert_int_equal(v_of(s, "a"), 2);
    assert_int_equal(v_of(s, "new"), -1);
    mg_store_free(listed);
    mg_pending_free(p);
    mg_store_free(s);
}

static void test_pending_clear_keeps_the_view(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_pending *p = mg_pending_new(s);

    (void)state;
    apply(p, s, "a", policy("a", 1), 100);
    mg_store_wrlock(s);
    mg_pending_clear(p);
    mg_store_unlock(s);
    assert_int_equal(expire(p, s, 1000), 0);
    assert_int_equal(v_of(s, "a"), 1);
    mg_pending_free(p);
    mg_store_free(s);
}

/* The expiry thread restores without any call: poll the view for up to 5 s. */
static void test_pending_expires_with_no_one_asking(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_pending *p = mg_pending_new(s);
    struct timespec nap = {0, 10000000L};
    int v = 1;

    (void)state;
    apply(p, s, "squatter", policy("squatter", 1), mg_pending_now_ms() + 50 - T0);
    for (int i = 0; i < 500 && v != -1; i++) {
        nanosleep(&nap, NULL);
        mg_store_rdlock(s);
        v = v_of(s, "squatter");
        mg_store_unlock(s);
    }
    assert_int_equal(v, -1);
    assert_int_equal(mg_pending_count(p), 0);
    mg_pending_free(p);
    mg_store_free(s);
}

/* A fixed seed: the same sequence on every run, so a failure repeats. */
static unsigned seed = 20261203;

static unsigned rnd(unsigned n)
{
    return (unsigned)rand_r(&seed) % n;
}

/* 0..n-1 in a random order; caller frees. */
static int *shuffled(int n)
{
    int *a = malloc(sizeof(*a) * (size_t)n);

    for (int i = 0; i < n; i++)
        a[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rnd((unsigned)i + 1), t = a[i];

        a[i] = a[j];
        a[j] = t;
    }
    return a;
}

#define MANY 5000

/* Entries put in a random order leave one at a time, earliest deadline first; the ones
 * confirmed on the way (from anywhere in the heap) never do. */
static void test_pending_many_leave_in_deadline_order_and_from_the_middle(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_pending *p = mg_pending_new(s);
    int *order = shuffled(MANY);
    char name[32];
    int confirmed = 0;

    (void)state;
    /* Name i has deadline 10 + i; they go in shuffled. */
    for (int k = 0; k < MANY; k++) {
        snprintf(name, sizeof(name), "p-%d", order[k]);
        apply(p, s, name, policy(name, order[k]), 10 + order[k]);
    }
    assert_int_equal(mg_pending_count(p), MANY);
    /* Every third, in another random order, is confirmed by the watch. */
    mg_store_wrlock(s);
    for (int k = 0; k < MANY; k++) {
        if (order[k] % 3 != 1)
            continue;
        snprintf(name, sizeof(name), "p-%d", order[k]);
        mg_pending_confirm(p, KIND, name);
        confirmed++;
    }
    mg_store_unlock(s);
    assert_int_equal(mg_pending_count(p), MANY - confirmed);
    assert_int_equal(expire(p, s, 9), 0);
    for (int i = 0; i < MANY; i++) {
        snprintf(name, sizeof(name), "p-%d", i);
        assert_int_equal(expire(p, s, 10 + i), i % 3 == 1 ? 0 : 1);
        assert_int_equal(v_of(s, name), i % 3 == 1 ? i : -1);
        if (i + 1 < MANY) {
            snprintf(name, sizeof(name), "p-%d", i + 1);
            assert_int_equal(v_of(s, name), i + 1);
        }
    }
    assert_int_equal(mg_pending_count(p), 0);
    free(order);
    mg_pending_free(p);
    mg_store_free(s);
}

/* A name that left (expired or confirmed) comes back as a new entry: its "before" is
 * what the view holds then, its deadline its own (not the old one's); and a later
 * deadline for a pending name moves it behind the others. */
static void test_pending_same_name_again_is_a_new_entry(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_pending *p = mg_pending_new(s);

    (void)state;
    mg_store_put(s, policy("a", 1), NULL);
    apply(p, s, "a", policy("a", 2), 500);
    assert_int_equal(expire(p, s, 500), 1);
    assert_int_equal(v_of(s, "a"), 1);
    apply(p, s, "a", policy("a", 3), 100);
    assert_int_equal(expire(p, s, 100), 1);
    assert_int_equal(v_of(s, "a"), 1);
    apply(p, s, "a", policy("a", 4), 100);
    mg_store_wrlock(s);
    mg_pending_confirm(p, KIND, "a");
    mg_store_unlock(s);
    apply(p, s, "a", policy("a", 5), 100);
    apply(p, s, "b", policy("b", 1), 200);
    apply(p, s, "a", policy("a", 6), 300);
    assert_int_equal(expire(p, s, 200), 1);
    assert_int_equal(v_of(s, "b"), -1);
    assert_int_equal(v_of(s, "a"), 6);
    assert_int_equal(expire(p, s, 300), 1);
    assert_int_equal(v_of(s, "a"), 4);
    mg_pending_free(p);
    mg_store_free(s);
}

/* The model: a plain list of what is pending, and the view as an array. */
#define NAMES 24
#define OPS 20000

struct model_entry {
    bool used;
    int before, after; /* -1: absent */
    int64_t deadline;
};

struct model {
    int view[2][NAMES];
    struct model_entry e[2][NAMES];
    size_t n;
};

static const char *const kinds[2] = {KIND, OTHER};

static void model_check(struct model *m, struct mg_pending *p, struct mg_store *s)
{
    char name[16];

    assert_int_equal(mg_pending_count(p), m->n);
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < NAMES; i++) {
            snprintf(name, sizeof(name), "n%d", i);
            assert_int_equal(v_of_kind(s, kinds[k], name), m->view[k][i]);
        }
    }
}

static void set_real(struct mg_store *s, int k, const char *name, int v)
{
    if (v < 0)
        (void)mg_store_remove(s, kinds[k], "", name);
    else
        assert_int_equal(mg_store_put(s, object(kinds[k], name, v), NULL), 0);
}

static void op_apply(struct model *m, struct mg_pending *p, struct mg_store *s, int k, int i)
{
    struct model_entry *e = &m->e[k][i];
    int v = rnd(10) == 0 ? -1 : (int)rnd(1000);
    int64_t d = rnd(1000);
    cJSON *obj;
    char name[16];

    snprintf(name, sizeof(name), "n%d", i);
    obj = v < 0 ? NULL : object(kinds[k], name, v);
    mg_store_wrlock(s);
    assert_int_equal(mg_pending_apply(p, kinds[k], name, obj, T0 + d), 0);
    mg_store_unlock(s);
    cJSON_Delete(obj);
    if (!e->used) {
        *e = (struct model_entry){true, m->view[k][i], v, d};
        m->n++;
    } else if (d > e->deadline) {
        e->deadline = d;
    }
    e->after = v;
    m->view[k][i] = v;
}

static void op_confirm(struct model *m, struct mg_pending *p, struct mg_store *s, int k, int i)
{
    int v = (int)rnd(1000);
    char name[16];

    /* The watch puts the API server's object, then says so. */
    snprintf(name, sizeof(name), "n%d", i);
    mg_store_wrlock(s);
    set_real(s, k, name, v);
    mg_pending_confirm(p, kinds[k], name);
    mg_store_unlock(s);
    m->view[k][i] = v;
    if (m->e[k][i].used) {
        m->e[k][i].used = false;
        m->n--;
    }
}

static void op_expire(struct model *m, struct mg_pending *p, struct mg_store *s)
{
    int64_t now = rnd(1100);
    size_t want = 0;

    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < NAMES; i++) {
            struct model_entry *e = &m->e[k][i];

            if (!e->used || e->deadline > now)
                continue;
            m->view[k][i] = e->before;
            e->used = false;
            m->n--;
            want++;
        }
    }
    assert_int_equal(expire(p, s, now), want);
}

/* A list of kind k replaces the view's objects of k; the pending ones are put back over
 * it, and what the list said is their new "before". */
static void op_relist(struct model *m, struct mg_pending *p, struct mg_store *s, int k)
{
    struct mg_store *listed = mg_store_new();
    char name[16];

    for (int i = 0; i < NAMES; i++) {
        m->view[k][i] = rnd(2) ? (int)rnd(1000) : -1;
        snprintf(name, sizeof(name), "n%d", i);
        if (m->view[k][i] >= 0)
            set_real(listed, k, name, m->view[k][i]);
        if (m->e[k][i].used) {
            m->e[k][i].before = m->view[k][i];
            m->view[k][i] = m->e[k][i].after;
        }
    }
    mg_store_wrlock(s);
    assert_int_equal(mg_store_exchange(s, listed, kinds[k]), 0);
    mg_pending_relisted(p, kinds[k]);
    mg_store_unlock(s);
    mg_store_free(listed);
}

static void test_pending_agrees_with_a_list_model(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_pending *p = mg_pending_new(s);
    struct model m = {0};

    (void)state;
    memset(m.view, -1, sizeof(m.view));
    for (int op = 0; op < OPS; op++) {
        unsigned r = rnd(100);
        int k = (int)rnd(2), i = (int)rnd(NAMES);

        if (r < 50) {
            op_apply(&m, p, s, k, i);
        } else if (r < 70) {
            op_confirm(&m, p, s, k, i);
        } else if (r < 95) {
            op_expire(&m, p, s);
        } else if (r < 99) {
            op_relist(&m, p, s, k);
        } else {
            mg_store_wrlock(s);
            mg_pending_clear(p);
            mg_store_unlock(s);
            memset(m.e, 0, sizeof(m.e));
            m.n = 0;
        }
        model_check(&m, p, s);
    }
    mg_pending_free(p);
    mg_store_free(s);
}

#define BATCH 1000
#define CYCLES 200000

/* 200,000 distinct names, each admitted and expired (a flood of CREATEs that never
 * land), a thousand at a time: the heap in use afterwards is what it was after the first
 * twenty thousand. (Under ASan the counts stay 0: the release build is the one that
 * measures.) */
static void test_pending_churn_leaves_memory_flat(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_pending *p = mg_pending_new(s);
    size_t warm = 0;
    char name[32];

    (void)state;
    for (int c = 0; c < CYCLES; c += BATCH) {
        mg_store_wrlock(s);
        for (int i = c; i < c + BATCH; i++) {
            cJSON *o;

            snprintf(name, sizeof(name), "flood-%d", i);
            o = policy(name, i);
            assert_int_equal(mg_pending_apply(p, KIND, name, o, T0 + i), 0);
            cJSON_Delete(o);
        }
        assert_int_equal(mg_pending_count(p), BATCH);
        assert_int_equal(mg_pending_expire(p, T0 + c + BATCH), BATCH);
        mg_store_unlock(s);
        assert_int_equal(mg_pending_count(p), 0);
        if (c + BATCH == 20 * BATCH)
            warm = mallinfo2().uordblks;
    }
    assert_int_equal(mg_store_count(s, KIND), 0);
    assert_true(mallinfo2().uordblks <= warm + 64 * 1024);
    mg_pending_free(p);
    mg_store_free(s);
}

/* The timer sleeps until the earliest deadline: a new, earlier one wakes it. Only that
 * wake-up can restore "soon" before the hour is up (ctest's timeout catches a miss). */
static void test_pending_an_earlier_deadline_wakes_the_timer(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_pending *p = mg_pending_new(s);
    struct timespec nap = {0, 10000000L};
    int v = 1;

    (void)state;
    apply(p, s, "late", policy("late", 1), 0);
    apply(p, s, "soon", policy("soon", 1), mg_pending_now_ms() + 50 - T0);
    while (v != -1) {
        nanosleep(&nap, NULL);
        mg_store_rdlock(s);
        v = v_of(s, "soon");
        mg_store_unlock(s);
    }
    assert_int_equal(mg_pending_count(p), 1);
    mg_store_rdlock(s);
    assert_int_equal(v_of(s, "late"), 1);
    mg_store_unlock(s);
    mg_pending_free(p);
    mg_store_free(s);
}

#define WRITERS 4
#define PER_WRITER 2000

struct writer {
    struct mg_store *s;
    struct mg_pending *p;
    int id;
};

/* Distinct names due within 20 ms of their admission; every fifth confirmed at once. */
static void *write_many(void *arg)
{
    struct writer *w = arg;
    char name[32];

    for (int i = 0; i < PER_WRITER; i++) {
        cJSON *o;

        snprintf(name, sizeof(name), "w%d-%d", w->id, i);
        o = policy(name, i);
        mg_store_wrlock(w->s);
        assert_int_equal(
            mg_pending_apply(w->p, KIND, name, o, mg_pending_now_ms() + (w->id * 7 + i) % 20), 0);
        if (i % 5 == 0)
            mg_pending_confirm(w->p, KIND, name);
        mg_store_unlock(w->s);
        cJSON_Delete(o);
    }
    return NULL;
}

/* Writers on several threads against the timer: everything not confirmed leaves by
 * itself (ctest's timeout catches a wake-up lost), and what was confirmed stays. */
static void test_pending_concurrent_writers_against_the_timer(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_pending *p = mg_pending_new(s);
    struct writer w[WRITERS];
    pthread_t th[WRITERS];
    struct timespec nap = {0, 10000000L};

    (void)state;
    for (int i = 0; i < WRITERS; i++) {
        w[i] = (struct writer){s, p, i};
        assert_int_equal(pthread_create(&th[i], NULL, write_many, &w[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++)
        pthread_join(th[i], NULL);
    while (mg_pending_count(p) != 0)
        nanosleep(&nap, NULL);
    mg_store_rdlock(s);
    assert_int_equal(mg_store_count(s, KIND), WRITERS * PER_WRITER / 5);
    mg_store_unlock(s);
    mg_pending_free(p);
    mg_store_free(s);
}

int main(void)
{
    T0 = mg_pending_now_ms() + 3600 * 1000;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pending_create_leaves_at_its_deadline),
        cmocka_unit_test(test_pending_update_and_delete_restore_what_was_there),
        cmocka_unit_test(test_pending_confirmed_by_the_watch_stays),
        cmocka_unit_test(test_pending_survives_a_relist_and_restores_the_listed_version),
        cmocka_unit_test(test_pending_clear_keeps_the_view),
        cmocka_unit_test(test_pending_expires_with_no_one_asking),
        cmocka_unit_test(test_pending_many_leave_in_deadline_order_and_from_the_middle),
        cmocka_unit_test(test_pending_same_name_again_is_a_new_entry),
        cmocka_unit_test(test_pending_agrees_with_a_list_model),
        cmocka_unit_test(test_pending_churn_leaves_memory_flat),
        cmocka_unit_test(test_pending_an_earlier_deadline_wakes_the_timer),
        cmocka_unit_test(test_pending_concurrent_writers_against_the_timer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
