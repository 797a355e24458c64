/* SPDX-License-Identifier: Apache-2.0 */
/* test_jsonlist.c - JSON list files read item by item: kubectl's member order (kind
 * after items), typed lists filling kind and apiVersion, a list past the old
 * 1,000,000-value ceiling, errors naming file and line, and non-lists left to the
 * document reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "jsonlist.h"
#include "load.h"
#include "store.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/mg-jsonlist-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *text)
{
    static char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_kubectl_list_with_kind_after_items(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err err = {0};
    bool handled = false;
    const char *p =
        write_file("a.json", "{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n"
                             "    {\"kind\": \"Namespace\", \"metadata\": {\"name\": \"a\"}},\n"
                             "    {\"kind\": \"Node\", \"metadata\": {\"name\": \"n\", \"labels\":"
                             " {\"x\": \"}]\\\"[{\"}}}\n  ],\n  \"kind\": \"List\",\n"
                             "  \"metadata\": {\"resourceVersion\": \"\"}\n}\n");

    (void)state;
    assert_int_equal(mg_jsonlist_load(s, p, &handled, &err), 0);
    assert_true(handled);
    assert_int_equal(mg_store_size(s), 2);
    /* Brackets and quotes inside strings do not end an item. */
    assert_string_equal(
        mg_json_str(
            mg_json_get(mg_json_get(mg_store_get(s, "Node", "", "n"), "metadata"), "labels"), "x"),
        "}]\"[{");
    mg_store_free(s);
}

static void test_typed_list_items_get_kind_and_api_version(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err err = {0};
    bool handled = false;
    const cJSON *o;
    const char *p = write_file("b.json", "{\"items\":[{\"metadata\":{\"name\":\"v\",\"namespace\":"
                                         "\"ns\"}}],\"kind\":\"VirtualMachineList\","
                                         "\"apiVersion\":\"kubevirt.io/v1\",\"metadata\":{}}");

    (void)state;
    assert_int_equal(mg_jsonlist_load(s, p, &handled, &err), 0);
    assert_true(handled);
    mg_store_rdlock(s);
    o = mg_store_get(s, "VirtualMachine", "ns", "v");
    assert_non_null(o);
    assert_string_equal(mg_json_str(o, "apiVersion"), "kubevirt.io/v1");
    mg_store_unlock(s);
    mg_store_free(s);
}

/* 60,000 items of 20 values each: 1,200,000 values, past the document reader's
 * ceiling of 1,000,000 nodes. */
static void test_list_past_the_old_ceiling_loads(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err err = {0};
    char path[128];
    FILE *f;

    (void)state;
    snprintf(path, sizeof(path), "%s/big.json", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"apiVersion\":\"v1\",\"items\":[", f);
    for (int i = 0; i < 60000; i++)
        fprintf(f,
                "%s{\"kind\":\"PersistentVolumeClaim\",\"metadata\":{\"name\":\"p%d\","
                "\"namespace\":\"ns%d\",\"labels\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}},"
                "\"spec\":{\"accessModes\":[\"ReadWriteMany\"],\"storageClassName\":\"rbd\","
                "\"volumeMode\":\"Block\",\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}",
                i ? "," : "", i, i % 100);
    fputs("],\"kind\":\"List\",\"metadata\":{}}", f);
    fclose(f);
    assert_int_equal(mg_load_file(s, path, &err), 0);
    assert_int_equal(mg_store_count(s, "PersistentVolumeClaim"), 60000);
    assert_non_null(mg_store_get(s, "PersistentVolumeClaim", "ns99", "p59999"));
    mg_store_release();
    mg_store_free(s);
    unlink(path);
}

static void test_bad_item_names_file_and_line(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err err = {0};
    bool handled = false;
    const char *p = write_file("c.json", "{\"kind\":\"List\",\"items\":[\n"
                                         "{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\"}},\n"
                                         "{\"kind\":\"Namespace\",\"metadata\":{\"name\":tru}}\n"
                                         "]}");

    (void)state;
    assert_int_not_equal(mg_jsonlist_load(s, p, &handled, &err), 0);
    assert_true(handled);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.file, "c.json"));
    mg_store_free(s);
}

static void test_an_item_without_a_name_is_refused(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err err = {0};
    bool handled = false;
    const char *p =
        write_file("d.json", "{\"kind\":\"List\",\"items\":[{\"kind\":\"Namespace\"}]}");

    (void)state;
    assert_int_equal(mg_jsonlist_load(s, p, &handled, &err), MG_EINVAL);
    assert_non_null(strstr(err.msg, "metadata.name"));
    mg_store_free(s);
}

static void test_non_lists_are_left_to_the_document_reader(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err err = {0};
    bool handled = true;
    const char *p, *single;
    char keep[128];

    snprintf(keep, sizeof(keep), "%s",
             write_file("e.json", "{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\"},"
                                  "\"items\":[]}"));
    single = keep;

    (void)state;
    assert_int_equal(mg_jsonlist_load(s, single, &handled, &err), 0);
    assert_false(handled);
    handled = true;
    assert_int_equal(mg_jsonlist_load(s, write_file("f.json", "[1,2]"), &handled, &err), 0);
    assert_false(handled);
    /* A list that never ends is no list to the scanner: the document reader then
     * refuses it with its own message. */
    handled = true;
    p = write_file("g.json", "{\"kind\":\"List\",\"items\":[");
    assert_int_equal(mg_jsonlist_load(s, p, &handled, &err), 0);
    assert_false(handled);
    assert_int_not_equal(mg_load_file(s, p, &err), 0);
    assert_int_equal(mg_store_size(s), 0);
    /* Through the loader a single object still loads. */
    assert_int_equal(mg_load_file(s, single, &err), 0);
    assert_non_null(mg_store_get(s, "Namespace", "", "a"));
    mg_store_free(s);
}

/* Files past the one-pass size (forced here with 0) are read in a single scan. */
static void test_one_pass_reads_kubectl_and_api_lists(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err err = {0};
    bool handled = false;
    const char *p;

    (void)state;
    p = write_file("h.json", "{\"apiVersion\":\"v1\",\"items\":[{\"kind\":\"Namespace\","
                             "\"metadata\":{\"name\":\"a\"}},{\"kind\":\"Node\",\"metadata\":"
                             "{\"name\":\"n\"}}],\"kind\":\"List\",\"metadata\":{}}");
    assert_int_equal(mg_jsonlist_load_from(s, p, 0, &handled, &err), 0);
    assert_true(handled);
    assert_int_equal(mg_store_size(s), 2);
    p = write_file("i.json", "{\"kind\":\"VirtualMachineList\",\"apiVersion\":\"kubevirt.io/v1\","
                             "\"metadata\":{},\"items\":[{\"metadata\":{\"name\":\"v\","
                             "\"namespace\":\"ns\"}}]}");
    assert_int_equal(mg_jsonlist_load_from(s, p, 0, &handled, &err), 0);
    assert_int_equal(mg_store_count(s, "VirtualMachine"), 1);
    mg_store_free(s);
}

static void test_one_pass_refuses_what_it_cannot_take_back(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err err = {0};
    bool handled = false;
    const char *p;

    (void)state;
    /* Items stored, then the kind says it was no list: an error, not a document. */
    p = write_file("j.json", "{\"items\":[{\"kind\":\"Namespace\",\"metadata\":{\"name\":"
                             "\"a\"}}],\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"}}");
    assert_int_equal(mg_jsonlist_load_from(s, p, 0, &handled, &err), MG_EINVAL);
    assert_true(handled);
    assert_non_null(strstr(err.msg, "Widget"));
    /* A typed list's kind after an item without one: the item cannot be placed. */
    p = write_file("k.json", "{\"items\":[{\"metadata\":{\"name\":\"v\"}}],"
                             "\"kind\":\"VirtualMachineList\"}");
    assert_int_not_equal(mg_jsonlist_load_from(s, p, 0, &handled, &err), 0);
    assert_non_null(strstr(err.msg, "kind"));
    /* The two-pass reader takes the same file. */
    mg_store_free(s);
    s = mg_store_new();
    assert_int_equal(mg_jsonlist_load(s, p, &handled, &err), 0);
    assert_int_equal(mg_store_count(s, "VirtualMachine"), 1);
    mg_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kubectl_list_with_kind_after_items),
        cmocka_unit_test(test_typed_list_items_get_kind_and_api_version),
        cmocka_unit_test(test_list_past_the_old_ceiling_loads),
        cmocka_unit_test(test_bad_item_names_file_and_line),
        cmocka_unit_test(test_an_item_without_a_name_is_refused),
        cmocka_unit_test(test_non_lists_are_left_to_the_document_reader),
        cmocka_unit_test(test_one_pass_reads_kubectl_and_api_lists),
        cmocka_unit_test(test_one_pass_refuses_what_it_cannot_take_back),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
