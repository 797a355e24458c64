/* SPDX-License-Identifier: Apache-2.0 */
/* test_patch.c - the JSON Patch builder and the one applier: add/replace/remove,
 * case-sensitive member names (a key differing only in case is another key), bounded
 * indices, and no leak when an allocation fails inside mg_patch_add. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "patch.h"

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);

    assert_non_null(j);
    return j;
}

static void expect_json(const cJSON *got, const char *want_text)
{
    cJSON *want = parse(want_text);

    if (!cJSON_Compare(got, want, 1)) {
        char *g = cJSON_PrintUnformatted(got);

        fail_msg("got %s, want %s", g, want_text);
    }
    cJSON_Delete(want);
}

static int apply(cJSON *obj, const char *patch_text, struct mg_err *err)
{
    cJSON *patch = parse(patch_text);
    int rc = mg_patch_apply(obj, patch, err);

    cJSON_Delete(patch);
    return rc;
}

static void test_patch_apply_add(void **state)
{
    cJSON *obj = parse("{\"metadata\":{\"name\":\"a\"},\"spec\":{\"l\":[1,3],\"x\":null}}");
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(apply(obj,
                           "[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":"
                           "{\"a/b\":\"1\"}},{\"op\":\"add\",\"path\":\"/spec/x\",\"value\":5},"
                           "{\"op\":\"add\",\"path\":\"/spec/l/1\",\"value\":2},"
                           "{\"op\":\"add\",\"path\":\"/spec/l/-\",\"value\":4},"
                           "{\"op\":\"add\",\"path\":\"/metadata/annotations/c~1d\","
                           "\"value\":\"2\"}]",
                           &err),
                     0);
    expect_json(obj, "{\"metadata\":{\"name\":\"a\",\"annotations\":{\"a/b\":\"1\",\"c/d\":\"2\"}},"
                     "\"spec\":{\"l\":[1,2,3,4],\"x\":5}}");
    /* Nothing is created implicitly; unknown operations are refused; indices are bounded. */
    assert_int_equal(apply(obj, "[{\"op\":\"add\",\"path\":\"/status/phase\",\"value\":1}]", &err),
                     MG_EINVAL);
    assert_non_null(strstr(err.msg, "does not exist"));
    assert_int_equal(apply(obj, "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/spec\"}]", &err),
                     MG_EINVAL);
    assert_non_null(strstr(err.msg, "not supported"));
    assert_int_equal(apply(obj, "[{\"op\":\"add\",\"path\":\"/spec/l/9\",\"value\":1}]", &err),
                     MG_EINVAL);
    assert_int_equal(apply(obj, "[{\"op\":\"add\",\"path\":\"/spec/l/01\",\"value\":1}]", &err),
                     MG_EINVAL);
    assert_int_equal(
        apply(obj, "[{\"op\":\"add\",\"path\":\"/metadata/name/x\",\"value\":1}]", &err),
        MG_EINVAL);
    assert_int_equal(apply(obj, "{\"op\":\"add\"}", &err), MG_EINVAL);
    cJSON_Delete(obj);
}

/* cJSON_HasObjectItem ignores case: a `Foo` member made `add /spec/foo` replace `Foo`'s
 * slot by a case-sensitive call that found nothing ("out of memory applying the patch"). */
static void test_patch_apply_member_names_are_case_sensitive(void **state)
{
    cJSON *obj = parse("{\"spec\":{\"LiveMigrationConfig\":{\"x\":1},\"Foo\":1}}");
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(apply(obj,
                           "[{\"op\":\"add\",\"path\":\"/spec/liveMigrationConfig\",\"value\":{}},"
                           "{\"op\":\"add\",\"path\":\"/spec/liveMigrationConfig/a\",\"value\":2},"
                           "{\"op\":\"replace\",\"path\":\"/spec/Foo\",\"value\":3}]",
                           &err),
                     0);
    expect_json(obj, "{\"spec\":{\"LiveMigrationConfig\":{\"x\":1},\"Foo\":3,"
                     "\"liveMigrationConfig\":{\"a\":2}}}");
    /* replace and remove need the member itself, not one of another case. */
    assert_int_equal(apply(obj, "[{\"op\":\"replace\",\"path\":\"/spec/foo\",\"value\":1}]", &err),
                     MG_EINVAL);
    assert_non_null(strstr(err.msg, "/spec/foo"));
    assert_int_equal(apply(obj, "[{\"op\":\"remove\",\"path\":\"/spec/foo\"}]", &err), MG_EINVAL);
    cJSON_Delete(obj);
}

static void test_patch_apply_replace_and_remove(void **state)
{
    cJSON *obj = parse("{\"a\":{\"b\":[1,2,3],\"c\":\"x\"}}");
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(apply(obj,
                           "[{\"op\":\"replace\",\"path\":\"/a/b/1\",\"value\":20},"
                           "{\"op\":\"remove\",\"path\":\"/a/b/0\"},"
                           "{\"op\":\"remove\",\"path\":\"/a/c\"}]",
                           &err),
                     0);
    expect_json(obj, "{\"a\":{\"b\":[20,3]}}");
    assert_int_equal(apply(obj, "[{\"op\":\"remove\",\"path\":\"/a/b/2\"}]", &err), MG_EINVAL);
    assert_int_equal(apply(obj, "[{\"op\":\"replace\",\"path\":\"/a/b/-\",\"value\":1}]", &err),
                     MG_EINVAL);
    cJSON_Delete(obj);
}

/* Allocations through cJSON's hooks, failing the fail_at-th one; live counts what is
 * not yet freed. */
static long fail_at, calls, live;

static void *count_malloc(size_t n)
{
    void *p;

    if (++calls == fail_at)
        return NULL;
    p = malloc(n);
    live += p != NULL;
    return p;
}

static void count_free(void *p)
{
    live -= p != NULL;
    free(p);
}

/* mg_patch_add takes ownership of value also on failure: whichever allocation fails,
 * nothing stays allocated after mg_patch_free. */
static void test_patch_add_frees_value_on_every_failure(void **state)
{
    cJSON_Hooks hooks = {count_malloc, count_free}, plain = {NULL, NULL};
    bool failed_once = false;

    (void)state;
    cJSON_InitHooks(&hooks);
    for (fail_at = 1; fail_at < 40; fail_at++) {
        struct mg_patch p;
        cJSON *value;
        int rc;

        calls = 0;
        live = 0;
        mg_patch_init(&p);
        value = cJSON_CreateString("v");
        rc = value ? mg_patch_add(&p, "/metadata/annotations", value) : MG_ENOMEM;
        failed_once |= rc != 0;
        mg_patch_free(&p);
        assert_int_equal(live, 0);
    }
    cJSON_InitHooks(&plain);
    assert_true(failed_once);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patch_apply_add),
        cmocka_unit_test(test_patch_apply_member_names_are_case_sensitive),
        cmocka_unit_test(test_patch_apply_replace_and_remove),
        cmocka_unit_test(test_patch_add_frees_value_on_every_failure),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
