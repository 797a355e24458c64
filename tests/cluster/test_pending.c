/* SPDX-License-Identifier: Apache-2.0 */
/* test_pending.c - admitted objects that count only until their deadline: a create
 * leaves, an update's old version and a delete's object come back, the watch's word
 * keeps them, a relist is the new "before", and the expiry thread does it with no one
 * asking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "pending.h"
#include "store.h"

#define KIND "MigrationPolicy"

static cJSON *policy(const char *name, int v)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *md = cJSON_AddObjectToObject(o, "metadata");

    cJSON_AddStringToObject(o, "kind", KIND);
    cJSON_AddStringToObject(o, "apiVersion", "migrations.kubevirt.io/v1alpha1");
    cJSON_AddStringToObject(md, "name", name);
    cJSON_AddNumberToObject(o, "v", v);
    return o;
}

/* Deadlines in these tests are an hour ahead of now plus a few ms (the clock is
 * monotonic, from boot): the expiry thread, started by the first apply, leaves them
 * alone, and the tests expire them by hand with made-up times. */
static int64_t T0;

/* The "v" of the view's policy name, -1 when absent. */
static int v_of(struct mg_store *s, const char *name)
{
    const cJSON *o = mg_store_get(s, KIND, "", name);

    return o ? cJSON_GetObjectItem(o, "v")->valueint : -1;
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
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
