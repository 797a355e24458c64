/* SPDX-License-Identifier: Apache-2.0 */
/* test_load.c - manifests into the store: documents, `kind: List` and typed lists,
 * errors with file and line, directories of mixed files (temp dirs under /tmp). */
/* gcc 12 at -O2 sees t->dir and t->paths[] in one struct and warns that snprintf's
 * source may overlap its destination; they are distinct arrays. */
#pragma GCC diagnostic ignored "-Wrestrict"
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

#include "load.h"

struct tmp {
    char dir[64];
    char paths[16][128];
    int n;
};

static const char *put_file(struct tmp *t, const char *name, const char *text)
{
    char *p = t->paths[t->n++];
    FILE *f;

    snprintf(p, 128, "%s/%s", t->dir, name);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static void tmp_init(struct tmp *t)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->dir, sizeof(t->dir), "/tmp/mg-load-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
}

static void tmp_done(struct tmp *t)
{
    for (int i = t->n - 1; i >= 0; i--)
        if (unlink(t->paths[i]) != 0)
            rmdir(t->paths[i]);
    rmdir(t->dir);
}

static const char *vm(const char *name)
{
    static char buf[256];

    snprintf(buf, sizeof(buf),
             "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: %s\n"
             "  namespace: ns\n",
             name);
    return buf;
}

static void test_load_doc_adds_one_object(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err e = {0};

    (void)state;
    assert_int_equal(mg_load_doc(s,
                                 cJSON_Parse("{\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"}}"),
                                 "x", 1, &e),
                     0);
    assert_non_null(mg_store_get(s, "Node", "", "n1"));
    mg_store_free(s);
}

static void test_list_adds_each_item(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err e = {0};
    const cJSON *const *items;
    const char *list = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
                       "{\"kind\":\"Node\",\"metadata\":{\"name\":\"a\"}},"
                       "{\"kind\":\"Node\",\"metadata\":{\"name\":\"b\"}},"
                       "{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"ns\"}}]}";

    (void)state;
    assert_int_equal(mg_load_doc(s, cJSON_Parse(list), "x", 1, &e), 0);
    assert_int_equal(mg_store_size(s), 3);
    assert_int_equal(mg_store_list(s, "Node", &items), 2);
    assert_null(mg_store_get(s, "List", "", ""));
    /* An empty list (kubectl get of nothing) is fine and adds nothing. */
    assert_int_equal(mg_load_doc(s, cJSON_Parse("{\"kind\":\"List\",\"items\":[]}"), "x", 1, &e),
                     0);
    assert_int_equal(mg_load_doc(s, cJSON_Parse("{\"kind\":\"List\"}"), "x", 1, &e), 0);
    assert_int_equal(mg_store_size(s), 3);
    mg_store_free(s);
}

static void test_typed_list_items_get_their_kind(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err e = {0};
    const cJSON *o;

    (void)state;
    assert_int_equal(
        mg_load_doc(
            s,
            cJSON_Parse("{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineList\","
                        "\"items\":[{\"metadata\":{\"name\":\"v\",\"namespace\":\"ns\"}}]}"),
            "x", 1, &e),
        0);
    o = mg_store_get(s, "VirtualMachine", "ns", "v");
    assert_non_null(o);
    assert_string_equal(cJSON_GetObjectItem(o, "apiVersion")->valuestring, "kubevirt.io/v1");
    mg_store_free(s);
}

static void test_missing_name_is_an_error_with_line(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err e = {0};
    struct tmp t;
    const char *p;

    (void)state;
    tmp_init(&t);
    p = put_file(&t, "bad.yaml",
                 "kind: Node\nmetadata:\n  name: ok\n---\n# comment\nkind: Node\nmetadata:\n"
                 "  labels: {a: b}\n");
    assert_int_equal(mg_load_file(s, p, &e), MG_EINVAL);
    assert_string_equal(e.file, p);
    assert_int_equal(e.line, 6);
    assert_non_null(strstr(e.msg, "object has no metadata.name"));

    p = put_file(&t, "nokind.yaml", "apiVersion: v1\nmetadata: {name: x}\n");
    assert_int_equal(mg_load_file(s, p, &e), MG_EINVAL);
    assert_int_equal(e.line, 1);
    assert_non_null(strstr(e.msg, "no kind"));

    p = put_file(&t, "scalar.yaml", "kind: Node\nmetadata: {name: yy}\n---\n- just\n- a list\n");
    assert_int_equal(mg_load_file(s, p, &e), MG_EINVAL);
    assert_int_equal(e.line, 4);
    assert_non_null(strstr(e.msg, "not a mapping"));

    /* A List item's error points at the item itself. */
    p = put_file(&t, "list.yaml",
                 "apiVersion: v1\nkind: List\nitems:\n- kind: Node\n  metadata:\n    name: node1\n"
                 "- kind: Node\n  metadata:\n    name: \"\"\n");
    assert_int_equal(mg_load_file(s, p, &e), MG_EINVAL);
    assert_int_equal(e.line, 7);
    assert_non_null(strstr(e.msg, "metadata.name"));

    p = put_file(&t, "broken.yaml", "kind: Node\nmetadata:\n  name: a\n  b: c: d\n");
    assert_int_equal(mg_load_file(s, p, &e), MG_EINVAL);
    assert_int_equal(e.line, 4);
    assert_string_equal(e.file, p);
    tmp_done(&t);
    mg_store_free(s);
}

static void test_dir_loads_mixed_files_sorted(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err e = {0};
    const cJSON *const *items;
    const cJSON *o;
    struct tmp t;
    char *sub;

    (void)state;
    tmp_init(&t);
    put_file(&t, "b.yml", vm("from-b"));
    put_file(&t, "a.yaml", vm("from-a"));
    put_file(&t, "c.json",
             "{\"kind\":\"List\",\"items\":[{\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"}},"
             "{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"from-a\",\"namespace\":\"ns\"},"
             "\"v\":2}]}");
    put_file(&t, "notes.txt", "this: is not loaded\n");
    put_file(&t, "empty.yaml", "# nothing here\n");
    sub = t.paths[t.n++];
    snprintf(sub, 128, "%s/sub.yaml", t.dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    /* A ConfigMap volume: name.yaml -> ..data/name.yaml is loaded through the link. */
    sub = t.paths[t.n++];
    snprintf(sub, 128, "%s/..data", t.dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    put_file(&t, "..data/d.yaml", "kind: Namespace\nmetadata:\n  name: linked\n");
    sub = t.paths[t.n++];
    snprintf(sub, 128, "%s/d.yaml", t.dir);
    assert_int_equal(symlink("..data/d.yaml", sub), 0);
    assert_int_equal(mg_load_dir(s, t.dir, &e), 0);
    assert_non_null(mg_store_get(s, "Namespace", "", "linked"));
    assert_int_equal(mg_store_size(s), 4);
    /* a.yaml, b.yml, then c.json: c's from-a replaces a's in place. */
    assert_int_equal(mg_store_list(s, "VirtualMachine", &items), 2);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(items[0], "metadata"), "name")->valuestring,
        "from-a");
    o = mg_store_get(s, "VirtualMachine", "ns", "from-a");
    assert_int_equal(cJSON_GetObjectItem(o, "v")->valueint, 2);
    assert_non_null(mg_store_get(s, "Node", "", "n1"));
    assert_null(mg_store_get(s, "this", "", "is"));
    tmp_done(&t);
    mg_store_free(s);
}

static void test_dir_errors_name_dir_or_file(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err e = {0};
    struct tmp t;

    (void)state;
    assert_int_equal(mg_load_dir(s, "/nonexistent/mg-state", &e), MG_EIO);
    assert_non_null(strstr(e.msg, "/nonexistent/mg-state"));
    assert_string_equal(e.file, "/nonexistent/mg-state");

    tmp_init(&t);
    put_file(&t, "1-ok.yaml", vm("ok"));
    put_file(&t, "2-bad.yaml", "kind: Node\nmetadata:\n  name: [\n");
    assert_int_equal(mg_load_dir(s, t.dir, &e), MG_EINVAL);
    assert_non_null(strstr(e.file, "2-bad.yaml"));
    assert_true(e.line >= 3);
    tmp_done(&t);
    mg_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_doc_adds_one_object),
        cmocka_unit_test(test_list_adds_each_item),
        cmocka_unit_test(test_typed_list_items_get_their_kind),
        cmocka_unit_test(test_missing_name_is_an_error_with_line),
        cmocka_unit_test(test_dir_loads_mixed_files_sorted),
        cmocka_unit_test(test_dir_errors_name_dir_or_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
