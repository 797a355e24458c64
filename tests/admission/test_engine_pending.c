/* SPDX-License-Identifier: Apache-2.0 */
/* test_engine_pending.c - what an admitted policy does to the view (issues 13, 15):
 * from an unauthenticated client, or with a watch, it counts only while pending, so a
 * made-up policy does not keep a real one out once its pending time is over; from an
 * authenticated API server without a watch it stays until the next reload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "engine.h"

#define PENDING_MS 1000 /* long enough for two reviews on a loaded machine */

static struct mg_engine *engine(bool authenticated, bool watched)
{
    struct mg_config cfg;
    struct mg_engine *e = NULL;

    mg_config_init(&cfg);
    assert_int_equal(mg_engine_new(&e, &cfg, mg_store_new(), NULL), 0);
    mg_engine_set_reviews_authenticated(e, authenticated);
    mg_engine_set_watched(e, watched);
    mg_engine_set_pending_ms(e, PENDING_MS);
    return e;
}

/* A CREATE of policy name with the selectors of issue 15's report; true when allowed,
 * and *mp010 tells whether MP010 was the reason. */
static bool create(struct mg_engine *e, const char *name, bool *mp010)
{
    char body[1024];
    struct mg_reply r = {0};
    bool allowed;

    snprintf(body, sizeof(body),
             "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
             "\"uid\":\"u-%s\",\"kind\":{\"group\":\"migrations.kubevirt.io\",\"version\":"
             "\"v1alpha1\",\"kind\":\"MigrationPolicy\"},\"name\":\"%s\",\"operation\":\"CREATE\","
             "\"object\":{\"apiVersion\":\"migrations.kubevirt.io/v1alpha1\","
             "\"kind\":\"MigrationPolicy\",\"metadata\":{\"name\":\"%s\"},\"spec\":{\"selectors\":"
             "{\"virtualMachineInstanceSelector\":{\"tier\":\"prod\"}}}}}}",
             name, name, name);
    assert_int_equal(mg_engine_review(e, MG_EP_VALIDATE, body, strlen(body), &r, NULL), 0);
    allowed = r.allowed;
    if (mp010)
        *mp010 = strstr(r.body, "[MP010]") != NULL;
    mg_reply_free(&r);
    return allowed;
}

/* Wait (up to 5 s) until nothing is pending: the expiry needs no review to happen. */
static void wait_no_pending(struct mg_engine *e)
{
    struct timespec nap = {0, 10000000L};

    for (int i = 0; i < 500 && mg_engine_pending_count(e) > 0; i++)
        nanosleep(&nap, NULL);
    assert_int_equal(mg_engine_pending_count(e), 0);
}

static void test_unauthenticated_made_up_policy_stops_counting_after_its_pending_time(void **state)
{
    struct mg_engine *e = engine(false, false);
    bool mp010 = false;

    (void)state;
    assert_true(create(e, "squatter", NULL));
    assert_int_equal(mg_engine_pending_count(e), 1);
    /* While pending it counts, as RULES.md section 3 wants for back-to-back policies. */
    assert_false(create(e, "production", &mp010));
    assert_true(mp010);
    wait_no_pending(e);
    assert_true(create(e, "production", NULL));
    mg_engine_free(e);
}

static void test_watched_admission_counts_only_while_pending(void **state)
{
    struct mg_engine *e = engine(true, true);

    (void)state;
    assert_true(create(e, "squatter", NULL));
    assert_false(create(e, "production", NULL));
    wait_no_pending(e);
    assert_true(create(e, "production", NULL));
    mg_engine_free(e);
}

static void test_watch_confirmation_keeps_the_admitted_policy(void **state)
{
    struct mg_engine *e = engine(false, true);
    struct mg_store *s = mg_engine_store(e);

    (void)state;
    assert_true(create(e, "real", NULL));
    /* The watch reports it, as kube.c does under the write lock. */
    mg_store_wrlock(s);
    mg_engine_view_changed(e, "MigrationPolicy", "real");
    mg_store_unlock(s);
    assert_int_equal(mg_engine_pending_count(e), 0);
    assert_false(create(e, "copy", NULL));
    mg_engine_free(e);
}

static void test_authenticated_state_admission_stays(void **state)
{
    struct mg_engine *e = engine(true, false);
    struct timespec nap = {3L * PENDING_MS / 1000, (3L * PENDING_MS % 1000) * 1000000L};

    (void)state;
    assert_true(create(e, "first", NULL));
    assert_int_equal(mg_engine_pending_count(e), 0);
    nanosleep(&nap, NULL);
    assert_false(create(e, "second", NULL));
    mg_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unauthenticated_made_up_policy_stops_counting_after_its_pending_time),
        cmocka_unit_test(test_watched_admission_counts_only_while_pending),
        cmocka_unit_test(test_watch_confirmation_keeps_the_admitted_policy),
        cmocka_unit_test(test_authenticated_state_admission_stays),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
