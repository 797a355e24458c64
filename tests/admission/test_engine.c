/* SPDX-License-Identifier: Apache-2.0 */
/* test_engine.c - the AdmissionReview contract of RULES.md section 8 through the
 * engine: what is not a review gets 400, a decodable review always 200 with its uid,
 * unknown kinds are allowed, echoed text stays valid UTF-8, and admitted policies
 * enter the view unless the request is a dry run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"

static struct mg_engine *engine(void)
{
    struct mg_config cfg;
    struct mg_engine *e = NULL;

    mg_config_init(&cfg);
    assert_int_equal(mg_engine_new(&e, &cfg, mg_store_new(), NULL), 0);
    return e;
}

/* Review the text; returns the parsed response body (caller deletes). */
static cJSON *review(struct mg_engine *e, enum mg_endpoint ep, const char *body, int want_rc,
                     int want_status)
{
    struct mg_reply r = {0};
    struct mg_err err = {0};
    cJSON *j;

    assert_int_equal(mg_engine_review(e, ep, body, strlen(body), &r, &err), want_rc);
    assert_int_equal(r.http_status, want_status);
    j = cJSON_Parse(r.body);
    assert_non_null(j);
    mg_reply_free(&r);
    return j;
}

static const cJSON *response(const cJSON *j)
{
    return cJSON_GetObjectItem(j, "response");
}

static const char *policy_review(char *buf, size_t len, const char *uid, const char *op,
                                 const char *name, bool dry)
{
    snprintf(buf, len,
             "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
             "\"uid\":\"%s\",\"kind\":{\"group\":\"migrations.kubevirt.io\",\"version\":"
             "\"v1alpha1\",\"kind\":\"MigrationPolicy\"},\"name\":\"%s\",\"operation\":\"%s\","
             "\"dryRun\":%s,\"object\":{\"apiVersion\":\"migrations.kubevirt.io/v1alpha1\","
             "\"kind\":\"MigrationPolicy\",\"metadata\":{\"name\":\"%s\"},\"spec\":{\"selectors\":"
             "{\"namespaceSelector\":{\"team\":\"a\"}}}}}}",
             uid, name, op, dry ? "true" : "false", name);
    return buf;
}

static void test_engine_not_json_is_400_without_uid(void **state)
{
    struct mg_engine *e = engine();
    const char *bad[] = {"",
                         "{",
                         "[]",
                         "null",
                         "{\"request\":{}}",
                         "{\"request\":{\"uid\":5}}",
                         "{\"request\":{\"uid\":\"\"}}",
                         "\xff\xfe"};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mg_reply r = {0};
        struct mg_err err = {0};
        cJSON *j;

        assert_int_equal(mg_engine_review(e, MG_EP_VALIDATE, bad[i], strlen(bad[i]), &r, &err),
                         MG_EINVAL);
        assert_int_equal(r.http_status, 400);
        assert_true(err.msg[0] != '\0');
        j = cJSON_Parse(r.body);
        assert_non_null(j);
        assert_false(cJSON_IsTrue(cJSON_GetObjectItem(response(j), "allowed")));
        assert_int_equal(
            cJSON_GetObjectItem(cJSON_GetObjectItem(response(j), "status"), "code")->valueint, 400);
        cJSON_Delete(j);
        mg_reply_free(&r);
    }
    mg_engine_free(e);
}

static void test_engine_malformed_request_with_uid_is_200_with_code_400(void **state)
{
    struct mg_engine *e = engine();
    cJSON *j;

    (void)state;
    j = review(e, MG_EP_VALIDATE,
               "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\","
               "\"request\":{\"uid\":\"u-1\",\"kind\":{\"kind\":\"X\"},\"operation\":\"CREATE\"}}",
               0, 200);
    assert_string_equal(cJSON_GetObjectItem(response(j), "uid")->valuestring, "u-1");
    assert_int_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(response(j), "status"), "code")->valueint, 400);
    assert_non_null(strstr(
        cJSON_GetObjectItem(cJSON_GetObjectItem(response(j), "status"), "message")->valuestring,
        "admission.k8s.io/v1"));
    cJSON_Delete(j);
    j = review(e, MG_EP_VALIDATE,
               "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
               "\"request\":{\"uid\":\"u-2\",\"kind\":{\"kind\":\"X\"},\"operation\":\"PATCH\"}}",
               0, 200);
    assert_false(cJSON_IsTrue(cJSON_GetObjectItem(response(j), "allowed")));
    cJSON_Delete(j);
    mg_engine_free(e);
}

static void test_engine_unknown_kind_is_allowed_and_echoed(void **state)
{
    struct mg_engine *e = engine();
    cJSON *j;

    (void)state;
    for (int ep = 0; ep < 2; ep++) {
        j = review(e, ep ? MG_EP_MUTATE : MG_EP_VALIDATE,
                   "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                   "\"request\":{\"uid\":\"abc\",\"kind\":{\"group\":\"apps\",\"version\":\"v1\","
                   "\"kind\":\"Deployment\"},\"operation\":\"CREATE\",\"object\":{}}}",
                   0, 200);
        assert_string_equal(cJSON_GetObjectItem(j, "apiVersion")->valuestring,
                            "admission.k8s.io/v1");
        assert_string_equal(cJSON_GetObjectItem(j, "kind")->valuestring, "AdmissionReview");
        assert_string_equal(cJSON_GetObjectItem(response(j), "uid")->valuestring, "abc");
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(response(j), "allowed")));
        assert_null(cJSON_GetObjectItem(response(j), "patch"));
        assert_null(cJSON_GetObjectItem(response(j), "warnings"));
        cJSON_Delete(j);
    }
    mg_engine_free(e);
}

static void test_engine_invalid_utf8_uid_is_echoed_as_valid_utf8(void **state)
{
    struct mg_engine *e = engine();
    struct mg_reply r = {0};
    const char *body = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                       "\"request\":{\"uid\":\"a\xff\xc3(b\",\"kind\":{\"kind\":\"X\"},"
                       "\"operation\":\"CREATE\"}}";

    (void)state;
    assert_int_equal(mg_engine_review(e, MG_EP_VALIDATE, body, strlen(body), &r, NULL), 0);
    assert_non_null(strstr(r.body, "\"uid\":\"a?\?(b\""));
    mg_reply_free(&r);
    mg_engine_free(e);
}

static void test_engine_refuses_body_over_7_mib(void **state)
{
    struct mg_engine *e = engine();
    struct mg_reply r = {0};
    size_t len = MG_REVIEW_MAX_BYTES + 1;
    char *body = malloc(len);

    (void)state;
    memset(body, ' ', len);
    assert_int_equal(mg_engine_review(e, MG_EP_VALIDATE, body, len, &r, NULL), MG_ETOOBIG);
    assert_int_equal(r.http_status, 413);
    /* Kubernetes' reason for 413, not InternalError. */
    assert_non_null(strstr(r.body, "\"code\":413,\"reason\":\"RequestEntityTooLarge\""));
    mg_reply_free(&r);
    free(body);
    mg_engine_free(e);
}

static void test_engine_deep_nesting_is_refused_not_crashed(void **state)
{
    struct mg_engine *e = engine();
    struct mg_reply r = {0};
    size_t depth = 100000, at = 0;
    char *body = malloc(2 * depth + 64);

    (void)state;
    at += (size_t)snprintf(body, 64, "{\"request\":{\"uid\":\"d\",\"object\":");
    for (size_t i = 0; i < depth; i++)
        body[at++] = '[';
    for (size_t i = 0; i < depth; i++)
        body[at++] = ']';
    body[at++] = '}';
    body[at++] = '}';
    assert_int_equal(mg_engine_review(e, MG_EP_VALIDATE, body, at, &r, NULL), MG_EINVAL);
    assert_int_equal(r.http_status, 400);
    mg_reply_free(&r);
    free(body);
    mg_engine_free(e);
}

static void test_engine_admitted_policy_enters_view_unless_dry_run(void **state)
{
    struct mg_engine *e = engine();
    char buf[2048];
    cJSON *j;

    (void)state;
    j = review(e, MG_EP_VALIDATE, policy_review(buf, sizeof(buf), "1", "CREATE", "dry", true), 0,
               200);
    cJSON_Delete(j);
    assert_null(mg_store_get(mg_engine_store(e), "MigrationPolicy", "", "dry"));
    j = review(e, MG_EP_VALIDATE, policy_review(buf, sizeof(buf), "2", "CREATE", "p1", false), 0,
               200);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(response(j), "allowed")));
    cJSON_Delete(j);
    assert_non_null(mg_store_get(mg_engine_store(e), "MigrationPolicy", "", "p1"));
    j = review(e, MG_EP_VALIDATE, policy_review(buf, sizeof(buf), "3", "DELETE", "p1", true), 0,
               200);
    cJSON_Delete(j);
    assert_non_null(mg_store_get(mg_engine_store(e), "MigrationPolicy", "", "p1"));
    j = review(e, MG_EP_VALIDATE, policy_review(buf, sizeof(buf), "4", "DELETE", "p1", false), 0,
               200);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(response(j), "allowed")));
    cJSON_Delete(j);
    assert_null(mg_store_get(mg_engine_store(e), "MigrationPolicy", "", "p1"));
    mg_engine_free(e);
}

/* One decision for every path: the answer carries each finding's rule, action, field
 * path and whole message, and rendering it gives the body mg_engine_review sends. While
 * an answer is live its arena holds it: a second review on the same thread is refused
 * (500), not parsed over the first one's strings. */
static void test_engine_decide_returns_findings_fields_and_holds_the_arena(void **state)
{
    struct mg_engine *e = engine();
    struct mg_answer a, b;
    struct mg_reply r = {0};
    struct mg_err err = {0};
    const char *body =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
        "\"uid\":\"u-9\",\"kind\":{\"group\":\"migrations.kubevirt.io\",\"version\":"
        "\"v1alpha1\",\"kind\":\"MigrationPolicy\"},\"name\":\"p\",\"operation\":\"CREATE\","
        "\"dryRun\":true,\"object\":{\"apiVersion\":\"migrations.kubevirt.io/v1alpha1\","
        "\"kind\":\"MigrationPolicy\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"selectors\":"
        "{\"namespaceSelector\":{\"team\":\"a\"}},\"bandwidthPerMigration\":\"-1Mi\"}}}}";
    char *text;

    (void)state;
    assert_int_equal(
        mg_engine_decide(e, MG_EP_VALIDATE, mg_arena_thread(), body, strlen(body), &a, &err), 0);
    assert_int_equal(a.http_status, 200);
    assert_int_equal(a.status_code, 0);
    assert_false(a.allowed);
    assert_true(a.verdict.n >= 1);
    assert_int_equal(a.verdict.items[0].action, MG_ACT_DENY);
    assert_string_equal(a.verdict.items[0].field, "spec.bandwidthPerMigration");
    assert_non_null(strstr(a.verdict.items[0].message, "bandwidthPerMigration"));
    assert_string_equal(a.review.req.uid, "u-9");

    assert_int_equal(
        mg_engine_decide(e, MG_EP_VALIDATE, mg_arena_thread(), body, strlen(body), &b, &err),
        MG_EINTERNAL);
    assert_int_equal(b.status_code, 500);
    mg_answer_free(&b);
    assert_string_equal(a.review.req.uid, "u-9");

    text = mg_answer_render(&a);
    assert_non_null(text);
    mg_answer_free(&a);
    assert_int_equal(mg_engine_review(e, MG_EP_VALIDATE, body, strlen(body), &r, &err), 0);
    assert_string_equal(r.body, text);
    free(text);
    mg_reply_free(&r);
    mg_engine_free(e);
}

/* RULES.md 8: the uid is echoed byte for byte, a \u0000 in it included (cut at the NUL,
 * the API server would refuse the answer as not matching its request). */
static void test_engine_uid_with_nul_is_echoed_whole(void **state)
{
    struct mg_engine *e = engine();
    struct mg_reply r = {0};
    const char *body = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                       "\"request\":{\"uid\":\"u\\u0000-1\",\"kind\":{\"kind\":\"X\"},"
                       "\"operation\":\"CREATE\"}}";

    (void)state;
    assert_int_equal(mg_engine_review(e, MG_EP_VALIDATE, body, strlen(body), &r, NULL), 0);
    assert_non_null(strstr(r.body, "\"uid\":\"u\\u0000-1\""));
    mg_reply_free(&r);
    mg_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_not_json_is_400_without_uid),
        cmocka_unit_test(test_engine_malformed_request_with_uid_is_200_with_code_400),
        cmocka_unit_test(test_engine_unknown_kind_is_allowed_and_echoed),
        cmocka_unit_test(test_engine_invalid_utf8_uid_is_echoed_as_valid_utf8),
        cmocka_unit_test(test_engine_refuses_body_over_7_mib),
        cmocka_unit_test(test_engine_deep_nesting_is_refused_not_crashed),
        cmocka_unit_test(test_engine_admitted_policy_enters_view_unless_dry_run),
        cmocka_unit_test(test_engine_decide_returns_findings_fields_and_holds_the_arena),
        cmocka_unit_test(test_engine_uid_with_nul_is_echoed_whole),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
