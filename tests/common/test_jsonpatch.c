/* SPDX-License-Identifier: Apache-2.0 */
/* test_jsonpatch.c - the one JSON Patch applier: the six RFC 6902 operations (with the
 * RFC's own examples), RFC 6901 escapes, array indexes and "-", case-sensitive names,
 * all or nothing on every failure (a failing test, a bad operation, out of memory), the
 * error naming index, op and path, bad input types, and deep documents. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cjson_fixture.h"
#include "json.h"
#include "jsonpatch.h"

static int apply(cJSON *doc, const char *patch_text, struct mg_err *err)
{
    cJSON *patch = fx_parse(patch_text);
    int rc = mg_jsonpatch_apply(doc, patch, err);

    cJSON_Delete(patch);
    return rc;
}

/* Apply patch to doc_text: the result must be want (NULL: the patch must fail with a
 * message containing why, and the document stay as it was). */
static void check(const char *doc_text, const char *patch, const char *want, const char *why)
{
    cJSON *doc = fx_parse(doc_text);
    struct mg_err err = {0};
    int rc = apply(doc, patch, &err);

    if (want) {
        if (rc != 0)
            fail_msg("%s on %s: %s", patch, doc_text, err.msg);
        fx_expect_json(doc, want);
    } else {
        assert_int_equal(rc, MG_EINVAL);
        if (!strstr(err.msg, why))
            fail_msg("message \"%s\" lacks \"%s\"", err.msg, why);
        fx_expect_json(doc, doc_text);
    }
    cJSON_Delete(doc);
}

static void test_jsonpatch_add(void **state)
{
    (void)state;
    /* RFC 6902 A.1, A.2, A.10 (a nested member), A.16 (an array value). */
    check("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
          "{\"baz\":\"qux\",\"foo\":\"bar\"}", NULL);
    check("{\"foo\":[\"bar\",\"baz\"]}", "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
          "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", NULL);
    check("{\"foo\":\"bar\"}",
          "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
          "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}", NULL);
    check("{\"foo\":[\"bar\"]}",
          "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
          "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}", NULL);
    /* add replaces an existing member; index 0 and the end (= size) insert. */
    check("{\"a\":1,\"l\":[1]}",
          "[{\"op\":\"add\",\"path\":\"/a\",\"value\":2},{\"op\":\"add\",\"path\":\"/l/0\","
          "\"value\":0},{\"op\":\"add\",\"path\":\"/l/2\",\"value\":2}]",
          "{\"a\":2,\"l\":[0,1,2]}", NULL);
    /* RFC 6902 A.12: the parent must exist; nothing is created implicitly. */
    check("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]", NULL,
          "op[0] (add /baz/bat): \"baz\" does not exist");
    check("{\"l\":[1]}", "[{\"op\":\"add\",\"path\":\"/l/2\",\"value\":0}]", NULL,
          "is not an index of this array of 1");
    check("{\"l\":[1]}", "[{\"op\":\"add\",\"path\":\"/l/01\",\"value\":0}]", NULL,
          "\"01\" is not an index");
    check("{\"a\":\"s\"}", "[{\"op\":\"add\",\"path\":\"/a/x\",\"value\":0}]", NULL,
          "not an object or array");
}

static void test_jsonpatch_remove(void **state)
{
    (void)state;
    /* RFC 6902 A.3, A.4. */
    check("{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\",\"path\":\"/baz\"}]",
          "{\"foo\":\"bar\"}", NULL);
    check("{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]",
          "{\"foo\":[\"bar\",\"baz\"]}", NULL);
    check("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/b\"}]", NULL,
          "op[0] (remove /b): \"b\" does not exist");
    check("{\"l\":[1]}", "[{\"op\":\"remove\",\"path\":\"/l/1\"}]", NULL, "does not exist");
    check("{\"l\":[1]}", "[{\"op\":\"remove\",\"path\":\"/l/-\"}]", NULL, "does not exist");
    check("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"\"}]", NULL,
          "the whole document cannot be removed");
}

static void test_jsonpatch_replace(void **state)
{
    (void)state;
    /* RFC 6902 A.5. */
    check("{\"baz\":\"qux\",\"foo\":\"bar\"}",
          "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
          "{\"baz\":\"boo\",\"foo\":\"bar\"}", NULL);
    check("{\"l\":[1,2]}", "[{\"op\":\"replace\",\"path\":\"/l/1\",\"value\":{\"x\":null}}]",
          "{\"l\":[1,{\"x\":null}]}", NULL);
    /* "" is the whole document, whatever type it becomes. */
    check("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":[true]}]", "[true]", NULL);
    check("[1]", "[{\"op\":\"add\",\"path\":\"\",\"value\":\"s\"}]", "\"s\"", NULL);
    check("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":1}]", NULL,
          "nothing to replace");
    check("{\"l\":[1]}", "[{\"op\":\"replace\",\"path\":\"/l/-\",\"value\":1}]", NULL,
          "nothing to replace");
}

static void test_jsonpatch_move(void **state)
{
    (void)state;
    /* RFC 6902 A.6, A.7. */
    check("{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
          "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
          "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}", NULL);
    check("{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
          "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
          "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}", NULL);
    /* Onto itself: nothing changes. Into itself (a proper prefix, whole tokens): refused;
     * "/a" is not a prefix of "/ab". */
    check("{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a\"}]",
          "{\"a\":{\"b\":1}}", NULL);
    check("{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/c\"}]", NULL,
          "cannot move into itself");
    check("{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/ab\"}]",
          "{\"ab\":{\"b\":1}}", NULL);
    check("{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/x\",\"path\":\"/b\"}]", NULL,
          "op[0] (move /b): from /x does not exist");
    /* The target is read after the removal: moving into a missing parent fails whole. */
    check("{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/b/c\"}]", NULL,
          "\"b\" does not exist");
    check("{\"a\":1}", "[{\"op\":\"move\",\"path\":\"/b\"}]", NULL, "\"from\" is missing");
}

static void test_jsonpatch_copy(void **state)
{
    (void)state;
    check("{\"a\":{\"b\":[1,2]},\"c\":{}}",
          "[{\"op\":\"copy\",\"from\":\"/a/b\",\"path\":\"/c/d\"},"
          "{\"op\":\"add\",\"path\":\"/c/d/-\",\"value\":3}]",
          "{\"a\":{\"b\":[1,2]},\"c\":{\"d\":[1,2,3]}}", NULL);
    /* A copy of the whole document into itself is a copy, not a cycle. */
    check("{\"a\":1}", "[{\"op\":\"copy\",\"from\":\"\",\"path\":\"/b\"}]",
          "{\"a\":1,\"b\":{\"a\":1}}", NULL);
    check("{\"l\":[1,2]}", "[{\"op\":\"copy\",\"from\":\"/l/0\",\"path\":\"/l/-\"}]",
          "{\"l\":[1,2,1]}", NULL);
    check("{\"a\":1}", "[{\"op\":\"copy\",\"from\":\"/b\",\"path\":\"/c\"}]", NULL,
          "from /b does not exist");
}

static void test_jsonpatch_test_op(void **state)
{
    (void)state;
    /* RFC 6902 A.8: members in another order, numbers by value. */
    check("{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
          "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
          "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
          "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}", NULL);
    check("{\"o\":{\"a\":1,\"b\":[true,null]}}",
          "[{\"op\":\"test\",\"path\":\"/o\",\"value\":{\"b\":[true,null],\"a\":1.0}}]",
          "{\"o\":{\"a\":1,\"b\":[true,null]}}", NULL);
    /* RFC 6902 A.9 and its kin: a failed test fails the whole patch, also the operations
     * before it. */
    check("{\"baz\":\"qux\"}",
          "[{\"op\":\"add\",\"path\":\"/x\",\"value\":1},"
          "{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]",
          NULL, "op[1] (test /baz): the value differs");
    check("{\"a\":[1,2]}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":[2,1]}]", NULL,
          "the value differs");
    check("{\"a\":{\"x\":1}}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":{\"x\":1,\"y\":2}}]",
          NULL, "the value differs");
    check("{\"a\":false}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":true}]", NULL,
          "the value differs");
    check("{\"a\":\"1\"}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1}]", NULL,
          "the value differs");
    check("{}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":null}]", NULL, "/a does not exist");
    check("{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a\"}]", NULL, "\"value\" is missing");
}

/* Integers past 2^53 differ by their text, which mg_json_parse keeps (jsonnum.h). */
static void test_jsonpatch_test_compares_big_integers_exactly(void **state)
{
    const char *doc_text = "{\"n\":9007199254740993}";
    cJSON *doc = mg_json_parse(doc_text, strlen(doc_text), 0, NULL);
    const char *same = "[{\"op\":\"test\",\"path\":\"/n\",\"value\":9007199254740993}]";
    const char *next = "[{\"op\":\"test\",\"path\":\"/n\",\"value\":9007199254740992}]";
    cJSON *p1 = mg_json_parse(same, strlen(same), 0, NULL);
    cJSON *p2 = mg_json_parse(next, strlen(next), 0, NULL);
    struct mg_err err = {0};

    (void)state;
    assert_non_null(doc);
    assert_int_equal(mg_jsonpatch_apply(doc, p1, &err), 0);
    assert_int_equal(mg_jsonpatch_apply(doc, p2, &err), MG_EINVAL);
    cJSON_Delete(doc);
    cJSON_Delete(p1);
    cJSON_Delete(p2);
}

static void test_jsonpatch_pointer_escapes(void **state)
{
    cJSON *doc = fx_parse("{\"a/b\":{\"m~n\":1},\"\":{\" \":2},\"~1\":3}");

    (void)state;
    /* RFC 6901 section 5's examples, and "~01" is "~1", not "/". */
    assert_int_equal(mg_jsonpatch_get(doc, "/a~1b/m~0n")->valueint, 1);
    assert_int_equal(mg_jsonpatch_get(doc, "// ")->valueint, 2);
    assert_int_equal(mg_jsonpatch_get(doc, "/~01")->valueint, 3);
    assert_ptr_equal(mg_jsonpatch_get(doc, ""), doc);
    assert_null(mg_jsonpatch_get(doc, "/a/b"));
    assert_null(mg_jsonpatch_get(doc, "/~2"));
    assert_null(mg_jsonpatch_get(doc, "a~1b"));
    assert_null(mg_jsonpatch_get(NULL, ""));
    cJSON_Delete(doc);
    check("{\"a/b\":{}}",
          "[{\"op\":\"add\",\"path\":\"/a~1b/c~0d\",\"value\":1},"
          "{\"op\":\"copy\",\"from\":\"/a~1b/c~0d\",\"path\":\"/~1\"}]",
          "{\"a/b\":{\"c~d\":1},\"/\":1}", NULL);
    check("{}", "[{\"op\":\"add\",\"path\":\"/a~\",\"value\":1}]", NULL,
          "op[0] (add /a~): '~' must be followed by 0 or 1");
    check("{}", "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]", NULL, "a pointer starts with '/'");
}

/* A key differing only in case is another key. */
static void test_jsonpatch_member_names_are_case_sensitive(void **state)
{
    (void)state;
    check("{\"spec\":{\"LiveMigrationConfig\":{\"x\":1},\"Foo\":1}}",
          "[{\"op\":\"add\",\"path\":\"/spec/liveMigrationConfig\",\"value\":{}},"
          "{\"op\":\"add\",\"path\":\"/spec/liveMigrationConfig/a\",\"value\":2},"
          "{\"op\":\"replace\",\"path\":\"/spec/Foo\",\"value\":3}]",
          "{\"spec\":{\"LiveMigrationConfig\":{\"x\":1},\"Foo\":3,"
          "\"liveMigrationConfig\":{\"a\":2}}}",
          NULL);
    check("{\"spec\":{\"Foo\":1}}", "[{\"op\":\"replace\",\"path\":\"/spec/foo\",\"value\":1}]",
          NULL, "op[0] (replace /spec/foo)");
    check("{\"spec\":{\"Foo\":1}}", "[{\"op\":\"remove\",\"path\":\"/spec/foo\"}]", NULL,
          "\"foo\" does not exist");
}

static void test_jsonpatch_refuses_bad_input_types(void **state)
{
    cJSON *doc = fx_parse("{\"a\":1}");
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(apply(doc, "{\"op\":\"add\",\"path\":\"/b\",\"value\":1}", &err), MG_EINVAL);
    assert_non_null(strstr(err.msg, "JSON array"));
    assert_int_equal(mg_jsonpatch_apply(doc, NULL, &err), MG_EINVAL);
    assert_int_equal(mg_jsonpatch_apply(NULL, doc, &err), MG_EINVAL);
    fx_expect_json(doc, "{\"a\":1}");
    cJSON_Delete(doc);
    check("{}", "[{\"op\":\"add\",\"path\":\"/b\",\"value\":1},5]", NULL,
          "op[1]: an operation is a JSON object");
    check("{}", "[{\"path\":\"/b\",\"value\":1}]", NULL, "op[0]: \"op\" is missing");
    check("{}", "[{\"op\":1,\"path\":\"/b\"}]", NULL, "op[0]: \"op\" is missing or not a string");
    check("{}", "[{\"op\":\"merge\",\"path\":\"/b\"}]", NULL, "op[0] (merge /b): not an operation");
    check("{}", "[{\"op\":\"add\",\"path\":7,\"value\":1}]", NULL,
          "op[0] (add): \"path\" is missing or not a string");
    check("{}", "[{\"op\":\"copy\",\"from\":[],\"path\":\"/b\"}]", NULL, "\"from\" is missing");
    check("{}", "[{\"op\":\"replace\",\"path\":\"/b\"}]", NULL, "\"value\" is missing");
    /* An empty patch changes nothing. */
    check("{\"a\":1}", "[]", "{\"a\":1}", NULL);
}

static bool only_even(const cJSON *op, size_t index, void *arg)
{
    (void)op;
    (*(int *)arg)++;
    return index % 2 == 0;
}

/* Passed-over operations are not even decoded; indexes stay those of the patch. */
static void test_jsonpatch_apply_some_keeps_indexes(void **state)
{
    cJSON *doc = fx_parse("{\"a\":1}");
    cJSON *ops = fx_parse("[{\"op\":\"add\",\"path\":\"/b\",\"value\":2},\"junk\","
                          "{\"op\":\"add\",\"path\":\"/c\",\"value\":3}]");
    cJSON *bad = fx_parse("[{\"op\":\"add\",\"path\":\"/b\",\"value\":2},\"junk\","
                          "{\"op\":\"remove\",\"path\":\"/zz\"}]");
    struct mg_err err = {0};
    int calls = 0;

    (void)state;
    assert_int_equal(mg_jsonpatch_apply_some(doc, ops, only_even, &calls, &err), 0);
    assert_int_equal(calls, 3);
    fx_expect_json(doc, "{\"a\":1,\"b\":2,\"c\":3}");
    assert_int_equal(mg_jsonpatch_apply_some(doc, bad, only_even, &calls, &err), MG_EINVAL);
    assert_non_null(strstr(err.msg, "op[2] (remove /zz)"));
    fx_expect_json(doc, "{\"a\":1,\"b\":2,\"c\":3}");
    cJSON_Delete(doc);
    cJSON_Delete(ops);
    cJSON_Delete(bad);
}

/* A member of a parent keeps its name and place when its own contents are patched. */
static void test_jsonpatch_patches_a_member_in_place(void **state)
{
    cJSON *root = fx_parse("{\"x\":0,\"m\":{\"a\":1},\"y\":2}");
    cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "m");
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(apply(m, "[{\"op\":\"replace\",\"path\":\"\",\"value\":[1]}]", &err), 0);
    fx_expect_json(root, "{\"x\":0,\"m\":[1],\"y\":2}");
    cJSON_Delete(root);
}

/* 900 levels (cJSON parses up to 1000): the pointer walk is a loop, and every operation
 * reaches the bottom. */
static void test_jsonpatch_deep_documents(void **state)
{
    enum { DEPTH = 900 };
    enum { PATCH_LEN = DEPTH * 8 + 256 };
    char *text = malloc(DEPTH * 6 + 16), *ptr = malloc(DEPTH * 2 + 8), *patch = malloc(PATCH_LEN);
    size_t at = 0, pat = 0;
    struct mg_err err = {0};
    cJSON *doc, *ops;

    (void)state;
    assert_non_null(text);
    assert_non_null(ptr);
    assert_non_null(patch);
    for (int i = 0; i < DEPTH; i++) {
        at += (size_t)snprintf(text + at, 8, "{\"a\":");
        pat += (size_t)snprintf(ptr + pat, 4, "/a");
    }
    at += (size_t)snprintf(text + at, 4, "1");
    for (int i = 0; i < DEPTH; i++)
        text[at++] = '}';
    text[at] = '\0';
    doc = fx_parse(text);
    snprintf(patch, PATCH_LEN,
             "[{\"op\":\"test\",\"path\":\"%s\",\"value\":1},"
             "{\"op\":\"replace\",\"path\":\"%s\",\"value\":2},"
             "{\"op\":\"copy\",\"from\":\"%s\",\"path\":\"/b\"}]",
             ptr, ptr, ptr);
    ops = fx_parse(patch);
    assert_int_equal(mg_jsonpatch_apply(doc, ops, &err), 0);
    assert_int_equal(mg_jsonpatch_get(doc, ptr)->valueint, 2);
    assert_int_equal(mg_jsonpatch_get(doc, "/b")->valueint, 2);
    cJSON_Delete(ops);
    /* One level too deep fails, naming the missing token, and changes nothing. */
    snprintf(patch, PATCH_LEN,
             "[{\"op\":\"remove\",\"path\":\"/b\"},"
             "{\"op\":\"add\",\"path\":\"%s/a/a\",\"value\":3}]",
             ptr);
    ops = fx_parse(patch);
    assert_int_equal(mg_jsonpatch_apply(doc, ops, &err), MG_EINVAL);
    assert_non_null(strstr(err.msg, "not an object or array"));
    assert_non_null(mg_jsonpatch_get(doc, "/b"));
    cJSON_Delete(ops);
    cJSON_Delete(doc);
    free(text);
    free(ptr);
    free(patch);
}

/* Copying the whole document into itself doubles it: the copies of one patch stop at
 * MG_JSONPATCH_MAX_COPIED values, and the document is then unchanged. */
static void test_jsonpatch_copies_are_bounded(void **state)
{
    char patch[64 * 64];
    size_t at = 0;
    cJSON *doc = fx_parse("{\"a\":[1,2,3]}");
    cJSON *ops;
    struct mg_err err = {0};

    (void)state;
    at += (size_t)snprintf(patch + at, sizeof(patch) - at, "[");
    for (int i = 0; i < 60; i++)
        at += (size_t)snprintf(patch + at, sizeof(patch) - at,
                               "%s{\"op\":\"copy\",\"from\":\"\",\"path\":\"/c%d\"}", i ? "," : "",
                               i);
    snprintf(patch + at, sizeof(patch) - at, "]");
    ops = fx_parse(patch);
    assert_int_equal(mg_jsonpatch_apply(doc, ops, &err), MG_EINVAL);
    assert_non_null(strstr(err.msg, "copies more than 1048576 values"));
    /* 5 values, doubled by each copy: the copies total 5 x (2^(k+1) - 1) after op[k],
     * which passes 2^20 at k = 17. */
    assert_non_null(strstr(err.msg, "op[17] (copy /c17)"));
    fx_expect_json(doc, "{\"a\":[1,2,3]}");
    cJSON_Delete(ops);
    cJSON_Delete(doc);
}

/* Whichever allocation fails, the answer is MG_ENOMEM or success, the document is
 * either untouched or fully patched, and nothing leaks. */
static void test_jsonpatch_out_of_memory_is_all_or_nothing(void **state)
{
    const char *before = "{\"a\":{\"b\":[1,2]},\"c\":\"x\"}";
    const char *after = "{\"a\":{\"b\":[1,9,2]},\"d\":\"x\",\"e\":{\"b\":[1,9,2]}}";
    bool failed_once = false, passed_once = false;

    (void)state;
    for (fx_fail_at = 1; fx_fail_at < 200 && !passed_once; fx_fail_at++) {
        struct mg_err err = {0};
        cJSON *doc, *ops;
        int rc;

        fx_count_hooks(true);
        fx_live = 0;
        doc = fx_parse(before);
        ops = fx_parse("[{\"op\":\"add\",\"path\":\"/a/b/1\",\"value\":9},"
                       "{\"op\":\"move\",\"from\":\"/c\",\"path\":\"/d\"},"
                       "{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/e\"},"
                       "{\"op\":\"test\",\"path\":\"/e/b/1\",\"value\":9}]");
        fx_calls = 0;
        fx_armed = true;
        rc = mg_jsonpatch_apply(doc, ops, &err);
        fx_armed = false;
        if (rc) {
            assert_int_equal(rc, MG_ENOMEM);
            assert_non_null(strstr(err.msg, "out of memory"));
            fx_expect_json(doc, before);
            failed_once = true;
        } else {
            fx_expect_json(doc, after);
            passed_once = true;
        }
        cJSON_Delete(doc);
        cJSON_Delete(ops);
        fx_count_hooks(false);
        assert_int_equal(fx_live, 0);
    }
    assert_true(failed_once);
    assert_true(passed_once);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonpatch_add),
        cmocka_unit_test(test_jsonpatch_remove),
        cmocka_unit_test(test_jsonpatch_replace),
        cmocka_unit_test(test_jsonpatch_move),
        cmocka_unit_test(test_jsonpatch_copy),
        cmocka_unit_test(test_jsonpatch_test_op),
        cmocka_unit_test(test_jsonpatch_test_compares_big_integers_exactly),
        cmocka_unit_test(test_jsonpatch_pointer_escapes),
        cmocka_unit_test(test_jsonpatch_member_names_are_case_sensitive),
        cmocka_unit_test(test_jsonpatch_refuses_bad_input_types),
        cmocka_unit_test(test_jsonpatch_apply_some_keeps_indexes),
        cmocka_unit_test(test_jsonpatch_patches_a_member_in_place),
        cmocka_unit_test(test_jsonpatch_deep_documents),
        cmocka_unit_test(test_jsonpatch_copies_are_bounded),
        cmocka_unit_test(test_jsonpatch_out_of_memory_is_all_or_nothing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
