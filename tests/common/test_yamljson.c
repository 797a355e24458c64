/* SPDX-License-Identifier: Apache-2.0 */
/* test_yamljson.c - YAML/JSON to cJSON: kubectl's scalar typing, documents, anchors
 * and their budget, error lines, duplicate keys, depth cap, marks, mg_read_file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "yamljson.h"

static int parse(const char *text, struct mg_yaml_docs *d, struct mg_err *e)
{
    mg_err_clear(e);
    return mg_yaml_parse(text, strlen(text), "t.yaml", true, d, e);
}

/* Parse one document and return it printed compactly (caller frees). */
static char *one(const char *text)
{
    struct mg_yaml_docs d;
    struct mg_err e;
    char *s;

    assert_int_equal(parse(text, &d, &e), 0);
    assert_int_equal(d.n, 1);
    s = cJSON_PrintUnformatted(d.docs[0]);
    mg_yaml_docs_free(&d);
    return s;
}

static void expect_json(const char *yaml, const char *json)
{
    char *s = one(yaml);

    assert_string_equal(s, json);
    free(s);
}

static void expect_error(const char *yaml, int line, const char *needle)
{
    struct mg_yaml_docs d;
    struct mg_err e;

    assert_int_equal(parse(yaml, &d, &e), MG_EINVAL);
    assert_int_equal(e.code, MG_EINVAL);
    assert_int_equal(d.n, 0);
    assert_null(d.docs);
    assert_string_equal(e.file, "t.yaml");
    if (e.line != line || !strstr(e.msg, needle))
        fail_msg("line %d msg \"%s\", wanted line %d and \"%s\"", e.line, e.msg, line, needle);
}

static void test_quoted_true_is_string_plain_true_is_bool(void **state)
{
    (void)state;
    expect_json("a: True\nb: \"True\"\nc: 'true'\nd: FALSE\ne: yes\nf: Off\ng: y\n",
                "{\"a\":true,\"b\":\"True\",\"c\":\"true\",\"d\":false,\"e\":true,"
                "\"f\":false,\"g\":true}");
}

static void test_numbers_are_typed_as_go_yaml_v2(void **state)
{
    (void)state;
    expect_json("a: 800\nb: \"800\"\nc: 1.5\nd: -3\ne: 0x1F\nf: 0o17\ng: 0755\nh: 1_000\n"
                "i: 1e3\nj: +7\nk: .5\n",
                "{\"a\":800,\"b\":\"800\",\"c\":1.5,\"d\":-3,\"e\":31,\"f\":15,\"g\":493,"
                "\"h\":1000,\"i\":1000,\"j\":7,\"k\":0.5}");
    /* JSON has no infinity or NaN; go-yaml's float pattern rejects the rest. */
    expect_json("a: .inf\nb: -.Inf\nc: .nan\nd: 1e999\ne: 1.2.3\nf: 0x\ng: 12abc\nh: +-1\n",
                "{\"a\":\".inf\",\"b\":\"-.Inf\",\"c\":\".nan\",\"d\":\"1e999\","
                "\"e\":\"1.2.3\",\"f\":\"0x\",\"g\":\"12abc\",\"h\":\"+-1\"}");
}

static void test_null_forms_and_strings(void **state)
{
    (void)state;
    expect_json("a: ~\nb:\nc: null\nd: NULL\ne: \"\"\nf: nil\ng: 2024-01-01\n",
                "{\"a\":null,\"b\":null,\"c\":null,\"d\":null,\"e\":\"\",\"f\":\"nil\","
                "\"g\":\"2024-01-01\"}");
}

static void test_block_literals_are_strings(void **state)
{
    (void)state;
    expect_json("a: |\n  800\nb: >-\n  true\n", "{\"a\":\"800\\n\",\"b\":\"true\"}");
}

static void test_explicit_tags_are_honoured(void **state)
{
    struct mg_yaml_docs d;
    struct mg_err e;

    (void)state;
    expect_json("a: !!str 12\nb: !!int \"12\"\nc: !!bool \"yes\"\nd: !!float 2\ne: !!null x\n"
                "f: !custom 5\ng: ! true\n",
                "{\"a\":\"12\",\"b\":12,\"c\":true,\"d\":2,\"e\":null,\"f\":\"5\",\"g\":\"true\"}");
    expect_error("a: 1\nb: !!int abc\n", 2, "!!int");
    assert_int_equal(parse("x: !!float .inf\n", &d, &e), MG_EINVAL);
}

static void test_keys_are_strings(void **state)
{
    (void)state;
    expect_json("true: 1\n800: 2\n~: 3\n\"q\": 4\n", "{\"true\":1,\"800\":2,\"~\":3,\"q\":4}");
}

static void test_multi_document_skips_empty_documents(void **state)
{
    struct mg_yaml_docs d;
    struct mg_err e;

    (void)state;
    assert_int_equal(
        parse("---\n---\n# only a comment\n---\na: 1\n---\n~\n---\n- 2\n...\n", &d, &e), 0);
    assert_int_equal(d.n, 2);
    assert_true(cJSON_IsObject(d.docs[0]));
    assert_int_equal(d.lines[0], 5);
    assert_true(cJSON_IsArray(d.docs[1]));
    assert_int_equal(d.lines[1], 9);
    assert_non_null(d.marks[0]);
    mg_yaml_docs_free(&d);
    assert_int_equal(d.n, 0);
    mg_yaml_docs_free(&d);

    assert_int_equal(parse("", &d, &e), 0);
    assert_int_equal(d.n, 0);
    mg_yaml_docs_free(&d);
}

static void test_json_input_parses(void **state)
{
    (void)state;
    expect_json("{\"a\": {\"b\\/c\": [1, 2.5, \"x\", null, true]},\n\t\"\\u00e9\": \"800\"}",
                "{\"a\":{\"b/c\":[1,2.5,\"x\",null,true]},\"\xc3\xa9\":\"800\"}");
}

static void test_anchors_and_merge_keys_expand(void **state)
{
    (void)state;
    expect_json("base: &b {x: 1, y: [2]}\nc: *b\nm:\n  <<: *b\n  y: 3\n",
                "{\"base\":{\"x\":1,\"y\":[2]},\"c\":{\"x\":1,\"y\":[2]},\"m\":{\"y\":3,\"x\":1}}");
    expect_json("s: &s hello\nt: *s\n*s : k\n",
                "{\"s\":\"hello\",\"t\":\"hello\",\"hello\":\"k\"}");
    expect_json("&k key: 1\nother: *k\n", "{\"key\":1,\"other\":\"key\"}");
    expect_error("a: &x [*x]\n", 1, "unknown anchor \"x\"");
    expect_error("a: 1\nb: *nope\n", 2, "unknown anchor");
}

static void test_billion_laughs_hits_node_budget(void **state)
{
    static const char lol[] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                              "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                              "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                              "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                              "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                              "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                              "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                              "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n";

    (void)state;
    expect_error(lol, 6, "more than 1000000 nodes");
}

static void test_broken_yaml_reports_line(void **state)
{
    (void)state;
    expect_error("a: 1\nb: 2\nc: d: e\n", 3, "mapping values are not allowed in this context");
    expect_error("a: 1\nb:\n\t- x\n", 3, "cannot start any token");
    expect_error("a:\n  b: 1\n c: 2\n", 3, "did not find expected key");
    expect_error("a: [1, 2\nb: 3\n", 2, "flow sequence");
    expect_error("x: 1\ny: - 2\n", 2, "");
}

static void test_duplicate_key_names_key_and_line(void **state)
{
    (void)state;
    expect_error("a: 1\nspec:\n  x: 1\n  y: 2\n  x: 3\n", 5,
                 "duplicate key \"x\" (first at line 3)");
    expect_error("{\"a\": 1, \"a\": 2}", 1, "duplicate key \"a\"");
    /* The same key in sibling mappings is fine. */
    expect_json("- {a: 1}\n- {a: 2}\n", "[{\"a\":1},{\"a\":2}]");
}

static char *nested(int depth)
{
    char *s = malloc((size_t)depth * 2 + 1);

    for (int i = 0; i < depth; i++) {
        s[i] = '[';
        s[depth * 2 - 1 - i] = ']';
    }
    s[depth * 2] = '\0';
    return s;
}

static void test_depth_cap_is_256(void **state)
{
    struct mg_yaml_docs d;
    struct mg_err e;
    char *ok = nested(256), *deep = nested(257);
    size_t len;

    (void)state;
    assert_int_equal(parse(ok, &d, &e), 0);
    assert_int_equal(d.n, 1);
    mg_yaml_docs_free(&d);
    assert_int_equal(parse(deep, &d, &e), MG_EINVAL);
    assert_non_null(strstr(e.msg, "deeper than 256"));
    free(ok);
    free(deep);
    /* An alias may not smuggle depth past the cap either. */
    ok = nested(200);
    deep = malloc(strlen(ok) + 200);
    len = (size_t)snprintf(deep, strlen(ok) + 200, "a: &a %s\nb: ", ok);
    for (int i = 0; i < 60; i++)
        deep[len++] = '[';
    deep[len++] = '*';
    deep[len++] = 'a';
    for (int i = 0; i < 60; i++)
        deep[len++] = ']';
    deep[len] = '\0';
    assert_int_equal(parse(deep, &d, &e), MG_EINVAL);
    assert_non_null(strstr(e.msg, "deeper than 256"));
    assert_int_equal(e.line, 2);
    free(ok);
    free(deep);
}

static void test_marks_give_lines_and_fall_back_to_ancestors(void **state)
{
    static const char y[] = "apiVersion: v1\n" /* 1 */
                            "kind: X\n"        /* 2 */
                            "metadata:\n"      /* 3 */
                            "  name: n\n"      /* 4 */
                            "  annotations:\n" /* 5 */
                            "    a/b~c: v\n"   /* 6 */
                            "spec:\n"          /* 7 */
                            "  list:\n"        /* 8 */
                            "  - one\n"        /* 9 */
                            "  - k: 1\n"       /* 10 */
                            "    j:\n"         /* 11 */
                            "      2\n";       /* 12 */
    struct mg_yaml_docs d;
    struct mg_err e;
    const struct mg_marks *m;

    (void)state;
    assert_int_equal(parse(y, &d, &e), 0);
    m = d.marks[0];
    assert_int_equal(mg_marks_line(m, ""), 1);
    assert_int_equal(mg_marks_line(m, "/kind"), 2);
    assert_int_equal(mg_marks_line(m, "/metadata/name"), 4);
    assert_int_equal(mg_marks_line(m, "/metadata/annotations/a~1b~0c"), 6);
    assert_int_equal(mg_marks_line(m, "/spec/list/0"), 9);
    assert_int_equal(mg_marks_line(m, "/spec/list/1"), 10);
    assert_int_equal(mg_marks_line(m, "/spec/list/1/j"), 11); /* the key's line */
    assert_int_equal(mg_marks_line(m, "/spec/list/7"), 8);
    assert_int_equal(mg_marks_line(m, "/spec/nothing/deeper"), 7);
    assert_int_equal(mg_marks_line(m, "/metadata/annotations/a/b~c"), 5);
    assert_int_equal(mg_marks_line(NULL, "/kind"), 0);
    mg_yaml_docs_free(&d);

    assert_int_equal(mg_yaml_parse(y, strlen(y), "t.yaml", false, &d, &e), 0);
    assert_null(d.marks);
    mg_yaml_docs_free(&d);
}

static void test_marks_of_second_document_start_at_its_lines(void **state)
{
    struct mg_yaml_docs d;
    struct mg_err e;

    (void)state;
    assert_int_equal(parse("a: 1\n---\nb:\n  c: 2\n", &d, &e), 0);
    assert_int_equal(d.n, 2);
    assert_int_equal(mg_marks_line(d.marks[1], "/b/c"), 4);
    assert_int_equal(mg_marks_line(d.marks[1], "/a"), 3);
    mg_yaml_docs_free(&d);
}

/* RULES.md edition 2, section 8: a "\0" escape is part of the string (MG_JSON_NUL, as
 * a \u0000 in a review's JSON), no longer refused: every path judges the same bytes. A
 * raw NUL in the text is still not YAML. */
static void test_nul_escape_in_scalar_is_kept_raw_nul_refused(void **state)
{
    struct mg_yaml_docs d;
    struct mg_err e;

    (void)state;
    expect_json("a: \"x\\0y\"\n", "{\"a\":\"x" MG_JSON_NUL "y\"}");
    expect_json("\"k\\0\": \"\\0\"\n", "{\"k" MG_JSON_NUL "\":\"" MG_JSON_NUL "\"}");
    assert_int_equal(mg_yaml_parse("a: 1\0b: 2", 10, "t.yaml", true, &d, &e), MG_EINVAL);
}

static void test_large_documents_parse(void **state)
{
    size_t n = 20000, cap = n * 40, len = 0;
    char *buf = malloc(cap);
    struct mg_yaml_docs d;
    struct mg_err e;

    (void)state;
    len += (size_t)snprintf(buf + len, cap - len, "items:\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len, "- {name: o%zu, v: %zu}\n", i, i);
    assert_int_equal(mg_yaml_parse(buf, len, "big", true, &d, &e), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(d.docs[0], "items")), (int)n);
    assert_int_equal(mg_marks_line(d.marks[0], "/items/19999/v"), 20001);
    mg_yaml_docs_free(&d);
    free(buf);
}

static void test_read_file_reads_and_refuses(void **state)
{
    char dir[] = "/tmp/mg-yj-XXXXXX", path[64];
    struct mg_err e = {0};
    char *text = NULL;
    size_t len = 0;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/a.yaml", dir);
    f = fopen(path, "w");
    fputs("a: 1\n", f);
    fclose(f);
    assert_int_equal(mg_read_file(path, 100, &text, &len, &e), 0);
    assert_int_equal(len, 5);
    assert_string_equal(text, "a: 1\n");
    free(text);
    assert_int_equal(mg_read_file(path, 4, &text, &len, &e), MG_ETOOBIG);
    assert_null(text);
    assert_int_equal(mg_read_file(path, 5, &text, &len, &e), 0);
    free(text);
    assert_int_equal(mg_read_file(dir, 100, &text, &len, &e), MG_EIO);
    assert_non_null(strstr(e.msg, "not a regular file"));
    snprintf(path, sizeof(path), "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(mg_read_file(path, 100, &text, &len, &e), MG_EIO);
    unlink(path);
    snprintf(path, sizeof(path), "%s/missing", dir);
    assert_int_equal(mg_read_file(path, 100, &text, &len, &e), MG_EIO);
    assert_string_equal(e.file, path);
    snprintf(path, sizeof(path), "%s/a.yaml", dir);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoted_true_is_string_plain_true_is_bool),
        cmocka_unit_test(test_numbers_are_typed_as_go_yaml_v2),
        cmocka_unit_test(test_null_forms_and_strings),
        cmocka_unit_test(test_block_literals_are_strings),
        cmocka_unit_test(test_explicit_tags_are_honoured),
        cmocka_unit_test(test_keys_are_strings),
        cmocka_unit_test(test_multi_document_skips_empty_documents),
        cmocka_unit_test(test_json_input_parses),
        cmocka_unit_test(test_anchors_and_merge_keys_expand),
        cmocka_unit_test(test_billion_laughs_hits_node_budget),
        cmocka_unit_test(test_broken_yaml_reports_line),
        cmocka_unit_test(test_duplicate_key_names_key_and_line),
        cmocka_unit_test(test_depth_cap_is_256),
        cmocka_unit_test(test_marks_give_lines_and_fall_back_to_ancestors),
        cmocka_unit_test(test_marks_of_second_document_start_at_its_lines),
        cmocka_unit_test(test_nul_escape_in_scalar_is_kept_raw_nul_refused),
        cmocka_unit_test(test_large_documents_parse),
        cmocka_unit_test(test_read_file_reads_and_refuses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
