/* SPDX-License-Identifier: Apache-2.0 */
/* test_concurrency.c - policy writes and VM resolutions on several threads at once
 * through mg_engine_review, as the server runs them: a policy admitted by /validate is
 * visible to the very next /mutate, a duplicate sent right after it is denied, and a
 * DELETE removes it. Meant for ThreadSanitizer (-DMG_SANITIZE=thread) as much as for
 * the assertions. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "engine.h"

#define WRITERS 4
#define READERS 4
#define POLICIES 40
#define READS 300

static struct mg_engine *engine;

/* cmocka's assertions may not run off the main thread: workers record the first
 * failure and stop; the main thread asserts that none did. */
struct worker {
    pthread_t th;
    int id;
    char failed[256];
};

#define CHECK(w, cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            snprintf((w)->failed, sizeof((w)->failed), "line %d: %s", __LINE__, #cond);            \
            return NULL;                                                                           \
        }                                                                                          \
    } while (0)

static void create_review(char *buf, size_t len, const char *name, const char *app, const char *bw)
{
    snprintf(buf, len,
             "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
             "{\"uid\":\"u-%s\",\"kind\":{\"group\":\"migrations.kubevirt.io\",\"version\":"
             "\"v1alpha1\",\"kind\":\"MigrationPolicy\"},\"name\":\"%s\",\"operation\":\"CREATE\","
             "\"object\":{\"apiVersion\":\"migrations.kubevirt.io/v1alpha1\",\"kind\":"
             "\"MigrationPolicy\",\"metadata\":{\"name\":\"%s\"},\"spec\":{\"selectors\":"
             "{\"virtualMachineInstanceSelector\":{\"app\":\"%s\"}},"
             "\"bandwidthPerMigration\":\"%s\"}}}}",
             name, name, name, app, bw);
}

static void delete_review(char *buf, size_t len, const char *name)
{
    snprintf(buf, len,
             "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
             "{\"uid\":\"d-%s\",\"kind\":{\"group\":\"migrations.kubevirt.io\",\"version\":"
             "\"v1alpha1\",\"kind\":\"MigrationPolicy\"},\"name\":\"%s\",\"operation\":\"DELETE\","
             "\"oldObject\":{\"kind\":\"MigrationPolicy\",\"metadata\":{\"name\":\"%s\"}}}}",
             name, name, name);
}

/* Mutate a VM labelled app=app; policy gets its annotation's policy name ("" when the
 * answer has none). */
static void resolve_vm(const char *app, char *policy, size_t len)
{
    char body[1024], patch[4096];
    struct mg_reply r;
    struct mg_err err;
    cJSON *root = NULL, *p;
    const char *at, *key = "\"migguard.io/migration-policy\":\"";
    int n;

    policy[0] = '\0';
    snprintf(body, sizeof(body),
             "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
             "{\"uid\":\"vm\",\"kind\":{\"group\":\"kubevirt.io\",\"version\":\"v1\",\"kind\":"
             "\"VirtualMachine\"},\"name\":\"v\",\"namespace\":\"n\",\"operation\":\"CREATE\","
             "\"object\":{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"v\"},\"spec\":"
             "{\"template\":{\"metadata\":{\"labels\":{\"app\":\"%s\"}}}}}}}",
             app);
    if (mg_engine_review(engine, MG_EP_MUTATE, body, strlen(body), &r, &err) != 0)
        return;
    root = cJSON_Parse(r.body);
    p = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "response"), "patch");
    if (cJSON_IsString(p) && strlen(p->valuestring) < sizeof(patch) * 3 / 4) {
        n = EVP_DecodeBlock((unsigned char *)patch, (const unsigned char *)p->valuestring,
                            (int)strlen(p->valuestring));
        patch[n > 0 ? n : 0] = '\0';
        if ((at = strstr(patch, key)) != NULL) {
            at += strlen(key);
            snprintf(policy, len, "%.*s", (int)strcspn(at, "\""), at);
        }
    }
    cJSON_Delete(root);
    mg_reply_free(&r);
}

/* 1 allowed, 0 denied, -1 no answer. */
static int validate(const char *body)
{
    struct mg_reply r;
    struct mg_err err;
    int allowed;

    if (mg_engine_review(engine, MG_EP_VALIDATE, body, strlen(body), &r, &err) != 0)
        return -1;
    allowed = r.allowed ? 1 : 0;
    mg_reply_free(&r);
    return allowed;
}

static void *writer(void *arg)
{
    struct worker *w = arg;
    char body[2048], name[64], dup[64], app[64], got[128];

    for (int i = 0; i < POLICIES; i++) {
        snprintf(name, sizeof(name), "w%d-p%d", w->id, i);
        snprintf(dup, sizeof(dup), "w%d-p%d-dup", w->id, i);
        snprintf(app, sizeof(app), "w%d-app%d", w->id, i);
        create_review(body, sizeof(body), name, app, "1Gi");
        CHECK(w, validate(body) == 1);
        /* Visible to the next request at once, before any watch event. */
        resolve_vm(app, got, sizeof(got));
        CHECK(w, strcmp(got, name) == 0);
        create_review(body, sizeof(body), dup, app, "2Gi");
        CHECK(w, validate(body) == 0);
        if (i % 2) {
            delete_review(body, sizeof(body), name);
            CHECK(w, validate(body) == 1);
            resolve_vm(app, got, sizeof(got));
            CHECK(w, strcmp(got, "none") == 0);
        }
    }
    return NULL;
}

static void *reader(void *arg)
{
    struct worker *w = arg;
    char app[64], got[128], prefix[16];

    for (int i = 0; i < READS; i++) {
        int t = (w->id + i) % WRITERS;

        snprintf(app, sizeof(app), "w%d-app%d", t, i % POLICIES);
        snprintf(prefix, sizeof(prefix), "w%d-p%d", t, i % POLICIES);
        resolve_vm(app, got, sizeof(got));
        /* Whatever the interleaving: its own policy or none, never another one. */
        CHECK(w, strcmp(got, "none") == 0 || strcmp(got, prefix) == 0);
    }
    return NULL;
}

static void test_concurrency_policy_writes_and_vm_resolutions(void **state)
{
    struct worker w[WRITERS + READERS];
    struct mg_config cfg;
    struct mg_err err;

    (void)state;
    memset(w, 0, sizeof(w));
    mg_config_init(&cfg);
    assert_int_equal(mg_engine_new(&engine, &cfg, NULL, &err), 0);
    for (int i = 0; i < WRITERS + READERS; i++) {
        w[i].id = i < WRITERS ? i : i - WRITERS;
        assert_int_equal(pthread_create(&w[i].th, NULL, i < WRITERS ? writer : reader, &w[i]), 0);
    }
    for (int i = 0; i < WRITERS + READERS; i++)
        pthread_join(w[i].th, NULL);
    for (int i = 0; i < WRITERS + READERS; i++)
        if (w[i].failed[0])
            fail_msg("%s %d: %s", i < WRITERS ? "writer" : "reader", w[i].id, w[i].failed);
    /* Half of each writer's policies were deleted; no duplicate was admitted. */
    assert_int_equal(mg_store_size(mg_engine_store(engine)), WRITERS * POLICIES / 2);
    mg_engine_free(engine);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrency_policy_writes_and_vm_resolutions),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
