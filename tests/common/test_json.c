/* SPDX-License-Identifier: Apache-2.0 */
/* test_json.c - the JSON parser: trees equal to cJSON's on valid text, strict RFC 8259
 * refusals with the byte offset and a reason, escapes and surrogates, the nesting limit,
 * cJSON's child links (appending after a parse), arena mode, and the accessors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "json.h"

static cJSON *parse(const char *text)
{
    struct mg_json_error e = {0};
    cJSON *j = mg_json_parse(text, strlen(text), 0, &e);

    if (!j)
        fail_msg("%s: %s at byte %zu", text, e.what, e.at);
    return j;
}

/* The parser refuses text, at byte at, with a reason containing what. */
static void refuses(const char *text, size_t at, const char *what)
{
    struct mg_json_error e = {0};

    if (mg_json_parse(text, strlen(text), 0, &e))
        fail_msg("accepted: %s", text);
    if (e.at != at || !strstr(e.what, what))
        fail_msg("%s: got \"%s\" at byte %zu, want \"%s\" at %zu", text, e.what, e.at, what, at);
    assert_false(e.oom);
}

static void test_json_trees_equal_cjson_on_valid_text(void **state)
{
    const char *texts[] = {
        "{}",
        "[]",
        "0",
        "-0",
        "\"\"",
        "true",
        "false",
        "null",
        " \t\r\n{ } \n",
        "{\"a\":1,\"b\":[1,2,{\"c\":null}],\"d\":{\"e\":\"f\"},\"g\":true,\"h\":false}",
        "[1.5,-2.25e3,1E-7,123456789012345,1234567890123456789,0.1,-0,1e308]",
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
        "\"request\":{\"uid\":\"u\",\"object\":{\"metadata\":{\"labels\":{}}}}}",
        "[\"a\\\"b\",\"\\\\\",\"\\/\",\"\\b\\f\\n\\r\\t\",\"\\u00e9\\u20ac\",\"\\uD83D\\uDE00\"]",
        "{\"dup\":1,\"dup\":2}",
        "[[[[[[[[[[]]]]]]]]]]",
        "\"caf\xc3\xa9\"",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        cJSON *ours = parse(texts[i]), *theirs = cJSON_Parse(texts[i]);
        char *a = cJSON_PrintUnformatted(ours), *b = cJSON_PrintUnformatted(theirs);

        assert_non_null(theirs);
        /* Printed, not cJSON_Compare: that one cannot tell duplicate names apart. */
        if (strcmp(a, b) != 0)
            fail_msg("%s: ours %s, cJSON %s", texts[i], a, b);
        free(a);
        free(b);
        cJSON_Delete(ours);
        cJSON_Delete(theirs);
    }
}

static void test_json_numbers_keep_double_valueint_and_text(void **state)
{
    cJSON *j = parse("[5,5.0,1e3,-7,3000000000,-3000000000,1234567890123456789,2.5]");

    (void)state;
    assert_null(cJSON_GetArrayItem(j, 0)->valuestring);
    assert_int_equal(cJSON_GetArrayItem(j, 0)->valueint, 5);
    assert_string_equal(cJSON_GetArrayItem(j, 1)->valuestring, "5.0");
    assert_string_equal(cJSON_GetArrayItem(j, 2)->valuestring, "1e3");
    assert_true(cJSON_GetArrayItem(j, 2)->valuedouble == 1000.0);
    assert_int_equal(cJSON_GetArrayItem(j, 3)->valueint, -7);
    assert_int_equal(cJSON_GetArrayItem(j, 4)->valueint, INT32_MAX);
    assert_int_equal(cJSON_GetArrayItem(j, 5)->valueint, INT32_MIN);
    assert_string_equal(cJSON_GetArrayItem(j, 6)->valuestring, "1234567890123456789");
    assert_true(cJSON_GetArrayItem(j, 7)->valuedouble == 2.5);
    assert_int_equal(cJSON_GetArrayItem(j, 7)->valueint, 2);
    cJSON_Delete(j);
}

static void test_json_strings_decode_escapes_and_surrogates(void **state)
{
    cJSON *j = parse("[\"\\u00e9\",\"\\uD83D\\uDE00\",\"a\\nb\",\"x\\u0000y\",\"\\u002F\"]");

    (void)state;
    assert_string_equal(cJSON_GetArrayItem(j, 0)->valuestring, "\xc3\xa9");
    assert_string_equal(cJSON_GetArrayItem(j, 1)->valuestring, "\xf0\x9f\x98\x80");
    assert_string_equal(cJSON_GetArrayItem(j, 2)->valuestring, "a\nb");
    /* RULES.md edition 2, section 8: \u0000 is part of the string (edition 1 followed
     * cJSON, which ends the C string there). */
    assert_string_equal(cJSON_GetArrayItem(j, 3)->valuestring, "x" MG_JSON_NUL "y");
    assert_string_equal(cJSON_GetArrayItem(j, 4)->valuestring, "/");
    cJSON_Delete(j);
}

static void test_json_refuses_what_rfc8259_refuses_with_offset(void **state)
{
    (void)state;
    refuses("", 0, "unexpected end");
    refuses("   ", 3, "unexpected end");
    refuses("{\"a\":1,}", 7, "member name");
    refuses("[1,]", 3, "expected a value");
    refuses("[1 2]", 3, "',' or ']'");
    refuses("{\"a\" 1}", 5, "':'");
    refuses("{\"a\":1 \"b\":2}", 7, "',' or '}'");
    refuses("{a:1}", 1, "member name");
    refuses("{} x", 3, "after the JSON value");
    refuses("01", 0, "leading zero");
    refuses("-", 1, "digit");
    refuses("+1", 0, "expected a value");
    refuses("1.", 2, "after '.'");
    refuses(".5", 0, "expected a value");
    refuses("1e", 2, "exponent");
    refuses("1e+", 3, "exponent");
    refuses("tru", 0, "expected a value");
    refuses("nul", 0, "expected a value");
    refuses("NaN", 0, "expected a value");
    refuses("\"abc", 0, "not closed");
    refuses("\"a\\", 0, "not closed");
    refuses("\"a\tb\"", 2, "control character");
    refuses("\"\\x\"", 1, "invalid escape");
    refuses("\"\\u12\"", 1, "\\u escape");
    refuses("\"\\uZZZZ\"", 1, "\\u escape");
    refuses("\"\\uDE00\"", 1, "surrogate");
    refuses("\"\\uD83Dx\"", 1, "surrogate");
    refuses("\"\\uD83D\\u0041\"", 1, "surrogate");
    refuses("{\"a\":[1,{\"b\":}]}", 13, "expected a value");
    refuses("\x01", 0, "expected a value");
    refuses("{\"a\":1}\x0b", 7, "after the JSON value");
}

static void test_json_reads_only_len_bytes(void **state)
{
    const char text[] = "[1,2]garbage";
    struct mg_json_error e = {0};
    cJSON *j = mg_json_parse(text, 5, 0, &e);

    (void)state;
    assert_non_null(j);
    assert_int_equal(cJSON_GetArraySize(j), 2);
    cJSON_Delete(j);
    /* A string cut by len is not closed, even though a quote follows in memory. */
    assert_null(mg_json_parse("\"ab\"", 3, 0, &e));
    assert_int_equal(e.at, 0);
}

static void test_json_nesting_limit_is_cjsons(void **state)
{
    size_t n = MG_JSON_MAX_DEPTH + 1;
    char *deep = malloc(2 * n + 1);
    struct mg_json_error e = {0};
    cJSON *j;

    (void)state;
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    deep[2 * n] = '\0';
    assert_null(mg_json_parse(deep, 2 * n, 0, &e));
    assert_non_null(strstr(e.what, "nested too deeply"));
    assert_int_equal(e.at, MG_JSON_MAX_DEPTH);
    /* One level less parses. */
    j = mg_json_parse(deep + 1, 2 * n - 2, 0, &e);
    assert_non_null(j);
    cJSON_Delete(j);
    free(deep);
}

static void test_json_refuses_more_values_than_the_limit(void **state)
{
    struct mg_json_error e = {0};
    cJSON *j;

    (void)state;
    /* The array and its three elements are four values. */
    j = mg_json_parse("[1,2,3]", 7, 4, &e);
    assert_non_null(j);
    cJSON_Delete(j);
    assert_null(mg_json_parse("[1,2,3]", 7, 3, &e));
    assert_true(e.too_many);
    assert_false(e.oom);
    assert_int_equal(e.at, 5);
    /* Members count with their values, keys are not values of their own. */
    j = mg_json_parse("{\"a\":{\"b\":1}}", 13, 3, &e);
    assert_non_null(j);
    cJSON_Delete(j);
    /* In arena mode too, and nothing leaks on the way out. */
    mg_arena_open();
    assert_null(mg_json_parse("[[],[],[]]", 10, 2, &e));
    mg_arena_close();
    assert_true(e.too_many);
    mg_arena_release();
}

static void test_json_children_link_like_cjson_so_appends_work(void **state)
{
    cJSON *j = parse("{\"a\":[1,2,3],\"b\":{}}");
    cJSON *a = cJSON_GetObjectItem(j, "a");

    (void)state;
    assert_ptr_equal(a->child->prev, cJSON_GetArrayItem(a, 2));
    assert_ptr_equal(j->child->prev, cJSON_GetObjectItem(j, "b"));
    assert_non_null(cJSON_AddNumberToObject(j, "c", 4));
    assert_true(cJSON_AddItemToArray(a, cJSON_CreateNumber(4)));
    assert_int_equal(cJSON_GetArrayItem(a, 3)->valueint, 4);
    cJSON_DeleteItemFromArray(a, 1);
    assert_int_equal(cJSON_GetArraySize(a), 3);
    assert_int_equal(cJSON_GetObjectItem(j, "c")->valueint, 4);
    cJSON_Delete(j);
}

static void test_json_arena_mode_allocates_from_the_arena(void **state)
{
    struct mg_json_error e = {0};
    cJSON *j;
    char *printed;

    (void)state;
    mg_arena_open();
    j = mg_json_parse("{\"a\":[1.5,\"x\\n\"],\"b\":null}", 26, 0, &e);
    /* A failure in arena mode frees nothing by hand: the release below takes it. */
    assert_null(mg_json_parse("{\"a\":[1.5,\"x\\n\"", 15, 0, &e));
    mg_arena_close();
    assert_non_null(j);
    printed = cJSON_PrintUnformatted(j);
    assert_string_equal(printed, "{\"a\":[1.5,\"x\\n\"],\"b\":null}");
    free(printed);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "a"), 0)->valuestring, "1.5");
    mg_arena_release();
}

static void test_json_str_reads_string_members_only(void **state)
{
    cJSON *j = parse("{\"s\":\"v\",\"n\":1,\"z\":null}");

    (void)state;
    assert_string_equal(mg_json_str(j, "s"), "v");
    assert_null(mg_json_str(j, "n"));
    assert_null(mg_json_str(j, "z"));
    assert_null(mg_json_str(j, "missing"));
    assert_null(mg_json_str(NULL, "s"));
    assert_null(mg_json_str(cJSON_GetObjectItem(j, "s"), "s"));
    cJSON_Delete(j);
}

static void test_json_name_reads_metadata_name(void **state)
{
    cJSON *j = parse("[{\"metadata\":{\"name\":\"vm1\"}},{\"metadata\":{\"name\":7}},{}]");

    (void)state;
    assert_string_equal(mg_json_name(cJSON_GetArrayItem(j, 0)), "vm1");
    assert_null(mg_json_name(cJSON_GetArrayItem(j, 1)));
    assert_null(mg_json_name(cJSON_GetArrayItem(j, 2)));
    assert_null(mg_json_name(NULL));
    assert_string_equal(mg_json_name_or(cJSON_GetArrayItem(j, 2), ""), "");
    assert_string_equal(mg_json_name_or(cJSON_GetArrayItem(j, 0), ""), "vm1");
    cJSON_Delete(j);
}

/* RULES.md 8: a \u0000 is part of the string; it decodes to MG_JSON_NUL (no valid UTF-8
 * holds it), so the C string keeps its length, and mg_json_print writes \u0000 back. */
static void test_json_nul_escape_keeps_the_whole_string(void **state)
{
    const char *text = "{\"uid\":\"a\\u0000b\",\"k\\u0000\":\"64Mi\\u0000garbage\"}";
    cJSON *j = parse(text);
    char *printed;

    (void)state;
    assert_string_equal(mg_json_str(j, "uid"), "a" MG_JSON_NUL "b");
    assert_string_equal(mg_json_str(j, "k" MG_JSON_NUL), "64Mi" MG_JSON_NUL "garbage");
    printed = mg_json_print(j, false);
    assert_string_equal(printed, text);
    free(printed);
    cJSON_Delete(j);
    /* In the arena (in place) too. */
    mg_arena_open();
    j = mg_json_parse("[\"\\u0000\\u0000x\"]", 17, 0, NULL);
    mg_arena_close();
    assert_non_null(j);
    assert_string_equal(cJSON_GetArrayItem(j, 0)->valuestring, MG_JSON_NUL MG_JSON_NUL "x");
    mg_arena_release();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_nul_escape_keeps_the_whole_string),
        cmocka_unit_test(test_json_trees_equal_cjson_on_valid_text),
        cmocka_unit_test(test_json_numbers_keep_double_valueint_and_text),
        cmocka_unit_test(test_json_strings_decode_escapes_and_surrogates),
        cmocka_unit_test(test_json_refuses_what_rfc8259_refuses_with_offset),
        cmocka_unit_test(test_json_reads_only_len_bytes),
        cmocka_unit_test(test_json_nesting_limit_is_cjsons),
        cmocka_unit_test(test_json_refuses_more_values_than_the_limit),
        cmocka_unit_test(test_json_children_link_like_cjson_so_appends_work),
        cmocka_unit_test(test_json_arena_mode_allocates_from_the_arena),
        cmocka_unit_test(test_json_str_reads_string_members_only),
        cmocka_unit_test(test_json_name_reads_metadata_name),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
