/* SPDX-License-Identifier: Apache-2.0 */
/* test_kubeapply.c - list and watch payloads into the store, without a server: a
 * list replaces exactly one kind's set, events add, replace and remove, BOOKMARK only
 * moves the resourceVersion, ERROR 410 asks for a relist, noise is dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kubeapply.h"

static cJSON *json(const char *text)
{
    cJSON *j = cJSON_Parse(text);

    assert_non_null(j);
    return j;
}

static const char *str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_kubeapply_replace_swaps_one_kind_only(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err err = {0};
    const cJSON *b;

    (void)state;
    assert_int_equal(mg_kubeapply_replace(
                         s, "Namespace", "v1",
                         json("[{\"metadata\":{\"name\":\"a\"}},{\"metadata\":{\"name\":\"b\"}}]"),
                         &err),
                     0);
    mg_store_put(s,
                 json("{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"x\","
                      "\"namespace\":\"a\"}}"),
                 &err);
    /* a was deleted while we were away, b changed, c is new; one nameless item. */
    assert_int_equal(mg_kubeapply_replace(s, "Namespace", "v1",
                                          json("[{\"metadata\":{\"name\":\"b\",\"labels\":{\"v\":"
                                               "\"2\"}}},{\"metadata\":{\"name\":\"c\"}},"
                                               "{\"metadata\":{}}]"),
                                          &err),
                     1);
    assert_non_null(strstr(err.msg, "metadata.name"));
    assert_null(mg_store_get(s, "Namespace", "", "a"));
    b = mg_store_get(s, "Namespace", "", "b");
    assert_string_equal(str(b, "kind"), "Namespace");
    assert_string_equal(str(b, "apiVersion"), "v1");
    assert_non_null(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(b, "metadata"), "labels"));
    assert_non_null(mg_store_get(s, "Namespace", "", "c"));
    assert_non_null(mg_store_get(s, "VirtualMachine", "a", "x"));
    assert_int_equal(mg_store_size(s), 3);
    /* An empty list still makes the kind known. */
    assert_false(mg_store_knows(s, "Node"));
    assert_int_equal(mg_kubeapply_replace(s, "Node", "v1", json("[]"), &err), 0);
    assert_true(mg_store_knows(s, "Node"));
    mg_store_free(s);
}

static enum mg_kubeapply_result ev(struct mg_store *s, const char *text, char *rv,
                                   struct mg_err *err)
{
    cJSON *e = json(text);
    enum mg_kubeapply_result r = mg_kubeapply_event(s, "Node", "v1", e, rv, 64, err);

    cJSON_Delete(e);
    return r;
}

static void test_kubeapply_events_change_the_store(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err err = {0};
    const cJSON *n, *md;
    char rv[64];

    (void)state;
    assert_int_equal(ev(s,
                        "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"n1\","
                        "\"resourceVersion\":\"7\",\"managedFields\":[{}],\"annotations\":"
                        "{\"kubectl.kubernetes.io/last-applied-configuration\":\"{}\","
                        "\"keep\":\"me\"}},\"status\":{\"images\":[],\"capacity\":{}}}}",
                        rv, &err),
                     MG_KUBEAPPLY_CHANGED);
    assert_string_equal(rv, "7");
    n = mg_store_get(s, "Node", "", "n1");
    md = cJSON_GetObjectItemCaseSensitive(n, "metadata");
    assert_string_equal(str(n, "kind"), "Node");
    assert_null(cJSON_GetObjectItemCaseSensitive(md, "managedFields"));
    assert_string_equal(str(cJSON_GetObjectItemCaseSensitive(md, "annotations"), "keep"), "me");
    assert_null(str(cJSON_GetObjectItemCaseSensitive(md, "annotations"),
                    "kubectl.kubernetes.io/last-applied-configuration"));
    assert_null(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(n, "status"), "images"));
    assert_int_equal(ev(s,
                        "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Node\",\"metadata\":"
                        "{\"name\":\"n1\",\"resourceVersion\":\"8\",\"labels\":{\"a\":\"b\"}}}}",
                        rv, &err),
                     MG_KUBEAPPLY_CHANGED);
    md = cJSON_GetObjectItemCaseSensitive(mg_store_get(s, "Node", "", "n1"), "metadata");
    assert_non_null(cJSON_GetObjectItemCaseSensitive(md, "labels"));
    assert_int_equal(ev(s,
                        "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Node\",\"metadata\":"
                        "{\"resourceVersion\":\"12\"}}}",
                        rv, &err),
                     MG_KUBEAPPLY_BOOKMARK);
    assert_string_equal(rv, "12");
    assert_int_equal(mg_store_size(s), 1);
    assert_int_equal(ev(s,
                        "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"n1\","
                        "\"resourceVersion\":\"13\"}}}",
                        rv, &err),
                     MG_KUBEAPPLY_CHANGED);
    assert_null(mg_store_get(s, "Node", "", "n1"));
    assert_string_equal(rv, "13");
    mg_store_free(s);
}

static void test_kubeapply_error_events(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err err = {0};
    char rv[64] = "x";

    (void)state;
    assert_int_equal(ev(s,
                        "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,"
                        "\"reason\":\"Expired\"}}",
                        rv, &err),
                     MG_KUBEAPPLY_GONE);
    assert_string_equal(rv, "");
    assert_int_equal(ev(s,
                        "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":500,"
                        "\"message\":\"etcd is sad\"}}",
                        rv, &err),
                     MG_KUBEAPPLY_ERROR);
    assert_non_null(strstr(err.msg, "etcd is sad"));
    assert_int_equal(ev(s, "{\"object\":{}}", rv, &err), MG_KUBEAPPLY_ERROR);
    assert_int_equal(ev(s, "{\"type\":\"ADDED\",\"object\":{\"metadata\":{}}}", rv, &err),
                     MG_KUBEAPPLY_IGNORED);
    assert_int_equal(ev(s, "{\"type\":\"SURPRISE\",\"object\":{}}", rv, &err),
                     MG_KUBEAPPLY_IGNORED);
    assert_int_equal(mg_store_size(s), 0);
    mg_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kubeapply_replace_swaps_one_kind_only),
        cmocka_unit_test(test_kubeapply_events_change_the_store),
        cmocka_unit_test(test_kubeapply_error_events),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
