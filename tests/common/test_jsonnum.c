/* SPDX-License-Identifier: Apache-2.0 */
/* test_jsonnum.c - numbers as written: `5.0`, `1e3` and `5` differ, integers are exact
 * up to 2^63-1, kept text survives duplication and is freed with the tree, and YAML
 * numbers keep their text the same way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "jsonnum.h"
#include "yamljson.h"

static cJSON *parse(const char *text)
{
    cJSON *j = mg_json_parse(text, strlen(text), 0, NULL);

    assert_non_null(j);
    return j;
}

static void test_jsonnum_fraction_and_exponent_are_not_whole(void **state)
{
    cJSON *j = parse("{\"a\":5.0,\"b\":1e3,\"c\":5,\"d\":-7,\"e\":5.5,\"f\":0}");
    int64_t v = 0;

    (void)state;
    assert_false(mg_jsonnum_int(cJSON_GetObjectItem(j, "a"), INT64_MIN, INT64_MAX, &v));
    assert_false(mg_jsonnum_int(cJSON_GetObjectItem(j, "b"), INT64_MIN, INT64_MAX, &v));
    assert_true(mg_jsonnum_int(cJSON_GetObjectItem(j, "c"), INT64_MIN, INT64_MAX, &v));
    assert_int_equal(v, 5);
    assert_true(mg_jsonnum_int(cJSON_GetObjectItem(j, "d"), INT64_MIN, INT64_MAX, &v));
    assert_int_equal(v, -7);
    assert_false(mg_jsonnum_int(cJSON_GetObjectItem(j, "e"), INT64_MIN, INT64_MAX, &v));
    assert_true(mg_jsonnum_int(cJSON_GetObjectItem(j, "f"), 0, 0, &v));
    assert_false(mg_jsonnum_int(cJSON_GetObjectItem(j, "c"), 6, 10, &v));
    cJSON_Delete(j);
}

static void test_jsonnum_int64_edges_are_exact(void **state)
{
    cJSON *j = parse("[9223372036854775807,9223372036854775808,-9223372036854775808,"
                     "9007199254740993,\"9\",true,null]");
    int64_t v = 0;

    (void)state;
    assert_true(mg_jsonnum_int(cJSON_GetArrayItem(j, 0), 1, INT64_MAX, &v));
    assert_true(v == INT64_MAX);
    assert_false(mg_jsonnum_int(cJSON_GetArrayItem(j, 1), 1, INT64_MAX, &v));
    assert_true(mg_jsonnum_int(cJSON_GetArrayItem(j, 2), INT64_MIN, 0, &v));
    assert_true(v == INT64_MIN);
    assert_true(mg_jsonnum_int(cJSON_GetArrayItem(j, 3), 0, INT64_MAX, &v));
    assert_true(v == 9007199254740993LL);
    for (int i = 4; i < 7; i++)
        assert_false(mg_jsonnum_int(cJSON_GetArrayItem(j, i), INT64_MIN, INT64_MAX, NULL));
    cJSON_Delete(j);
}

static void test_jsonnum_numbers_after_strings_with_escapes_keep_text(void **state)
{
    const char *text =
        " { \"k\\\"{[\" : [ {\"x\": \"]}\\\\\", \"n\": 2.50} ] , \"m\":{} ,\"z\":1E2 } ";
    cJSON *j = parse(text);
    const cJSON *n =
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "k\"{["), 0), "n");

    (void)state;
    assert_string_equal(n->valuestring, "2.50");
    assert_string_equal(cJSON_GetObjectItem(j, "z")->valuestring, "1E2");
    cJSON_Delete(j);
}

static void test_jsonnum_text_survives_duplicate_and_print_ignores_it(void **state)
{
    cJSON *j = parse("{\"a\":5.0}");
    cJSON *d = cJSON_Duplicate(j, 1);
    char *out = cJSON_PrintUnformatted(d);

    (void)state;
    assert_false(mg_jsonnum_int(cJSON_GetObjectItem(d, "a"), INT64_MIN, INT64_MAX, NULL));
    assert_string_equal(out, "{\"a\":5}");
    free(out);
    cJSON_Delete(d);
    cJSON_Delete(j);
}

static void test_jsonnum_numbers_built_in_memory_use_the_double(void **state)
{
    cJSON *a = cJSON_CreateNumber(42), *b = cJSON_CreateNumber(4.5);

    (void)state;
    assert_true(mg_jsonnum_int(a, 0, 100, NULL));
    assert_false(mg_jsonnum_int(b, 0, 100, NULL));
    cJSON_Delete(a);
    cJSON_Delete(b);
}

static void test_jsonnum_yaml_keeps_text_of_fractions_not_hex(void **state)
{
    const char *text = "a: 5.0\nb: 5\nc: 0x1E\nd: !!int 7\n";
    struct mg_yaml_docs docs = {0};
    int64_t v = 0;

    (void)state;
    assert_int_equal(mg_yaml_parse(text, strlen(text), "t.yaml", false, &docs, NULL), 0);
    assert_false(mg_jsonnum_int(cJSON_GetObjectItem(docs.docs[0], "a"), 0, 100, NULL));
    assert_true(mg_jsonnum_int(cJSON_GetObjectItem(docs.docs[0], "b"), 0, 100, &v));
    assert_true(mg_jsonnum_int(cJSON_GetObjectItem(docs.docs[0], "c"), 0, 100, &v));
    assert_int_equal(v, 30);
    assert_true(mg_jsonnum_int(cJSON_GetObjectItem(docs.docs[0], "d"), 0, 100, &v));
    mg_yaml_docs_free(&docs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonnum_fraction_and_exponent_are_not_whole),
        cmocka_unit_test(test_jsonnum_int64_edges_are_exact),
        cmocka_unit_test(test_jsonnum_numbers_after_strings_with_escapes_keep_text),
        cmocka_unit_test(test_jsonnum_text_survives_duplicate_and_print_ignores_it),
        cmocka_unit_test(test_jsonnum_numbers_built_in_memory_use_the_double),
        cmocka_unit_test(test_jsonnum_yaml_keeps_text_of_fractions_not_hex),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
