/* SPDX-License-Identifier: Apache-2.0 */
/* test_store.c - the cluster view: put/get by kind, namespace and name, replacement
 * in place, removal keeping lists consistent, insertion order, known kinds, speed,
 * and replacing the whole view at once (hooks and the policy index follow). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "policy.h"
#include "policy_index.h"
#include "store.h"

static cJSON *obj(const char *kind, const char *ns, const char *name, int v)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *md = cJSON_AddObjectToObject(o, "metadata");

    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddStringToObject(md, "name", name);
    if (ns)
        cJSON_AddStringToObject(md, "namespace", ns);
    cJSON_AddNumberToObject(o, "v", v);
    return o;
}

static int val(const cJSON *o)
{
    return o ? cJSON_GetObjectItem(o, "v")->valueint : -1;
}

static const char *name_of(const cJSON *o)
{
    return cJSON_GetObjectItem(cJSON_GetObjectItem(o, "metadata"), "name")->valuestring;
}

static void test_put_get_by_kind_namespace_name(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err e = {0};

    (void)state;
    assert_int_equal(mg_store_put(s, obj("PersistentVolumeClaim", "a", "disk", 1), &e), 0);
    assert_int_equal(mg_store_put(s, obj("PersistentVolumeClaim", "b", "disk", 2), &e), 0);
    assert_int_equal(mg_store_put(s, obj("StorageClass", NULL, "disk", 3), &e), 0);
    assert_int_equal(mg_store_size(s), 3);
    assert_int_equal(val(mg_store_get(s, "PersistentVolumeClaim", "a", "disk")), 1);
    assert_int_equal(val(mg_store_get(s, "PersistentVolumeClaim", "b", "disk")), 2);
    assert_int_equal(val(mg_store_get(s, "StorageClass", "", "disk")), 3);
    /* Cluster-scoped: a namespace in the lookup is ignored, as the API server ignores it. */
    assert_int_equal(val(mg_store_get(s, "StorageClass", "a", "disk")), 3);
    assert_null(mg_store_get(s, "PersistentVolumeClaim", "c", "disk"));
    assert_null(mg_store_get(s, "PersistentVolumeClaim", "", "disk"));
    assert_null(mg_store_get(s, "Node", "", "disk"));
    /* The key parts are separate: "a"+"bc" is not "ab"+"c". */
    assert_int_equal(mg_store_put(s, obj("K", "ab", "c", 4), &e), 0);
    assert_null(mg_store_get(s, "K", "a", "bc"));
    mg_store_free(s);
    mg_store_free(NULL);
}

static void test_put_rejects_objects_without_identity(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_err e = {0};
    cJSON *o = cJSON_Parse("{\"kind\":\"Node\",\"metadata\":{}}");

    (void)state;
    assert_int_equal(mg_store_put(s, o, &e), MG_EINVAL); /* frees o */
    assert_non_null(strstr(e.msg, "metadata.name"));
    assert_int_equal(mg_store_put(s, cJSON_Parse("{\"metadata\":{\"name\":\"x\"}}"), &e),
                     MG_EINVAL);
    assert_non_null(strstr(e.msg, "kind"));
    assert_int_equal(
        mg_store_put(
            s, cJSON_Parse("{\"kind\":\"A\",\"metadata\":{\"name\":\"x\",\"namespace\":3}}"), &e),
        MG_EINVAL);
    assert_int_equal(mg_store_size(s), 0);
    assert_false(mg_store_knows(s, "Node"));
    mg_store_free(s);
}

static void test_replacement_keeps_position_and_count(void **state)
{
    struct mg_store *s = mg_store_new();
    const cJSON *const *items;

    (void)state;
    mg_store_put(s, obj("Node", NULL, "n1", 1), NULL);
    mg_store_put(s, obj("Node", NULL, "n2", 2), NULL);
    mg_store_put(s, obj("Node", NULL, "n3", 3), NULL);
    assert_int_equal(mg_store_put(s, obj("Node", NULL, "n1", 10), NULL), 0);
    assert_int_equal(mg_store_size(s), 3);
    assert_int_equal(val(mg_store_get(s, "Node", "", "n1")), 10);
    assert_int_equal(mg_store_list(s, "Node", &items), 3);
    assert_string_equal(name_of(items[0]), "n1");
    assert_int_equal(val(items[0]), 10);
    assert_string_equal(name_of(items[2]), "n3");
    mg_store_free(s);
}

static void test_remove_keeps_list_consistent(void **state)
{
    struct mg_store *s = mg_store_new();
    const cJSON *const *items;
    char name[16];

    (void)state;
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof(name), "vm%d", i);
        mg_store_put(s, obj("VirtualMachine", "ns", name, i), NULL);
    }
    assert_int_equal(mg_store_remove(s, "VirtualMachine", "ns", "vm1"), 0);
    assert_int_equal(mg_store_remove(s, "VirtualMachine", "ns", "vm1"), MG_ENOTFOUND);
    assert_int_equal(mg_store_remove(s, "VirtualMachine", "other", "vm2"), MG_ENOTFOUND);
    assert_int_equal(mg_store_remove(s, "VirtualMachine", "ns", "vm4"), 0);
    assert_null(mg_store_get(s, "VirtualMachine", "ns", "vm1"));
    assert_int_equal(mg_store_size(s), 3);
    /* A removal moves the last object into the gap (O(1) under the write lock):
     * vm4 took vm1's place, then vm3 took vm4's. */
    assert_int_equal(mg_store_list(s, "VirtualMachine", &items), 3);
    assert_int_equal(val(items[0]), 0);
    assert_int_equal(val(items[1]), 3);
    assert_int_equal(val(items[2]), 2);
    /* Positions follow the moves: replacing vm3 after the removals updates slot 1. */
    mg_store_put(s, obj("VirtualMachine", "ns", "vm3", 33), NULL);
    assert_int_equal(mg_store_list(s, "VirtualMachine", &items), 3);
    assert_int_equal(val(items[1]), 33);
    assert_int_equal(val(mg_store_get(s, "VirtualMachine", "ns", "vm2")), 2);
    /* A re-added object goes to the end. */
    mg_store_put(s, obj("VirtualMachine", "ns", "vm1", 11), NULL);
    assert_int_equal(mg_store_list(s, "VirtualMachine", &items), 4);
    assert_int_equal(val(items[3]), 11);
    mg_store_free(s);
}

static void test_list_is_per_kind_in_insertion_order(void **state)
{
    struct mg_store *s = mg_store_new();
    const cJSON *const *items;

    (void)state;
    mg_store_put(s, obj("Namespace", NULL, "zeta", 0), NULL);
    mg_store_put(s, obj("Node", NULL, "n", 0), NULL);
    mg_store_put(s, obj("Namespace", NULL, "alpha", 1), NULL);
    mg_store_put(s, obj("Namespace", NULL, "mid", 2), NULL);
    assert_int_equal(mg_store_list(s, "Namespace", &items), 3);
    assert_string_equal(name_of(items[0]), "zeta");
    assert_string_equal(name_of(items[1]), "alpha");
    assert_string_equal(name_of(items[2]), "mid");
    assert_int_equal(mg_store_list(s, "Node", &items), 1);
    assert_int_equal(mg_store_list(s, "Pod", &items), 0);
    mg_store_free(s);
}

static void test_knows_and_mark_known(void **state)
{
    struct mg_store *s = mg_store_new();
    const cJSON *const *items;

    (void)state;
    assert_false(mg_store_knows(s, "Node"));
    assert_int_equal(mg_store_mark_known(s, "Node"), 0);
    assert_true(mg_store_knows(s, "Node"));
    assert_int_equal(mg_store_list(s, "Node", &items), 0);
    assert_false(mg_store_knows(s, "VirtualMachineInstance"));
    mg_store_put(s, obj("VirtualMachineInstance", "ns", "v", 0), NULL);
    assert_true(mg_store_knows(s, "VirtualMachineInstance"));
    /* Emptied again, the kind stays known: the view saw it. */
    mg_store_remove(s, "VirtualMachineInstance", "ns", "v");
    assert_true(mg_store_knows(s, "VirtualMachineInstance"));
    mg_store_free(s);
}

static void test_many_kinds_keep_lists_valid(void **state)
{
    struct mg_store *s = mg_store_new();
    const cJSON *const *items;
    char kind[16];

    (void)state;
    /* More kinds than the first kind array holds: entries must follow the move. */
    for (int i = 0; i < 40; i++) {
        snprintf(kind, sizeof(kind), "K%d", i);
        mg_store_put(s, obj(kind, "ns", "a", i), NULL);
    }
    mg_store_remove(s, "K0", "ns", "a");
    assert_int_equal(mg_store_list(s, "K0", &items), 0);
    mg_store_put(s, obj("K1", "ns", "a", 100), NULL);
    assert_int_equal(mg_store_list(s, "K1", &items), 1);
    assert_int_equal(val(items[0]), 100);
    assert_int_equal(mg_store_size(s), 39);
    mg_store_free(s);
}

/* 10,000 objects of one kind in two namespaces: each get finds its own object, and a
 * second put of a key replaces it. How fast this is belongs to bench/scale.sh, not to a
 * test (a timed test only measures how busy the machine is). */
static void test_ten_thousand_puts_find_their_objects(void **state)
{
    struct mg_store *s = mg_store_new();
    char name[32];

    (void)state;
    for (int i = 0; i < 10000; i++) {
        snprintf(name, sizeof(name), "pvc-%d", i);
        assert_int_equal(
            mg_store_put(s, obj("PersistentVolumeClaim", i % 2 ? "a" : "b", name, i), NULL), 0);
    }
    for (int i = 0; i < 10000; i += 7) {
        snprintf(name, sizeof(name), "pvc-%d", i);
        assert_int_equal(
            mg_store_put(s, obj("PersistentVolumeClaim", i % 2 ? "a" : "b", name, -i), NULL), 0);
    }
    assert_int_equal(mg_store_size(s), 10000);
    for (int i = 0; i < 10000; i++) {
        const cJSON *o;

        snprintf(name, sizeof(name), "pvc-%d", i);
        o = mg_store_get(s, "PersistentVolumeClaim", i % 2 ? "a" : "b", name);
        assert_non_null(o);
        assert_int_equal(val(o), i % 7 ? i : -i);
        assert_null(mg_store_get(s, "PersistentVolumeClaim", i % 2 ? "b" : "a", name));
    }
    mg_store_free(s);
}

static void test_locks_can_be_taken_and_released(void **state)
{
    struct mg_store *s = mg_store_new();

    (void)state;
    mg_store_rdlock(s);
    mg_store_rdlock(s);
    mg_store_unlock(s);
    mg_store_unlock(s);
    mg_store_wrlock(s);
    mg_store_put(s, obj("Node", NULL, "n", 1), NULL);
    mg_store_unlock(s);
    assert_int_equal(mg_store_size(s), 1);
    mg_store_free(s);
}

struct counts {
    int puts, replaced, removes, freed;
    const cJSON *last;
};

static int count_put(void *ctx, const cJSON *o, const cJSON *old)
{
    struct counts *c = ctx;

    c->puts++;
    c->replaced += old != NULL;
    c->last = o;
    return 0;
}

static void count_remove(void *ctx, const cJSON *o)
{
    struct counts *c = ctx;

    c->removes++;
    c->last = o;
}

static void count_free(void *ctx)
{
    ((struct counts *)ctx)->freed++;
}

static const struct mg_store_hook node_hook = {"Node", count_put, count_remove, count_free};

static void test_hooks_see_changes_of_their_kind(void **state)
{
    struct mg_store *s = mg_store_new();
    struct counts c = {0};

    (void)state;
    assert_null(mg_store_hook_ctx(s, &node_hook));
    assert_int_equal(mg_store_on_change(s, &node_hook, &c), 0);
    assert_int_equal(mg_store_on_change(s, &node_hook, &c), MG_EINVAL);
    assert_ptr_equal(mg_store_hook_ctx(s, &node_hook), &c);
    mg_store_put(s, obj("Node", NULL, "a", 1), NULL);
    mg_store_put(s, obj("Namespace", NULL, "a", 1), NULL);
    mg_store_put(s, obj("Node", NULL, "a", 2), NULL);
    assert_int_equal(c.puts, 2);
    assert_int_equal(c.replaced, 1);
    assert_ptr_equal(c.last, mg_store_get(s, "Node", "", "a"));
    mg_store_remove(s, "Namespace", "", "a");
    assert_int_equal(c.removes, 0);
    mg_store_remove(s, "Node", "", "a");
    assert_int_equal(c.removes, 1);
    mg_store_free(s);
    assert_int_equal(c.freed, 1);
}

/* The API server ignores metadata.namespace on cluster-scoped kinds; so does the view
 * (fuzz_state found two same-named policies kept apart by a stray namespace). */
static void test_cluster_scoped_kinds_ignore_namespace(void **state)
{
    struct mg_store *s = mg_store_new();
    const cJSON *const *items;

    (void)state;
    assert_int_equal(mg_store_put(s, obj("MigrationPolicy", "", "p", 1), NULL), 0);
    assert_int_equal(mg_store_put(s, obj("MigrationPolicy", "stray", "p", 2), NULL), 0);
    assert_int_equal(mg_store_list(s, "MigrationPolicy", &items), 1);
    assert_non_null(mg_store_get(s, "MigrationPolicy", "other", "p"));
    assert_int_equal(mg_store_put(s, obj("Node", "x", "n1", 1), NULL), 0);
    assert_non_null(mg_store_get(s, "Node", "", "n1"));
    assert_int_equal(mg_store_remove(s, "MigrationPolicy", "stray", "p"), 0);
    assert_int_equal(mg_store_list(s, "MigrationPolicy", &items), 0);
    /* Namespaced kinds keep their namespaces apart. */
    assert_int_equal(mg_store_put(s, obj("VirtualMachine", "a", "vm", 1), NULL), 0);
    assert_int_equal(mg_store_put(s, obj("VirtualMachine", "b", "vm", 1), NULL), 0);
    assert_int_equal(mg_store_list(s, "VirtualMachine", &items), 2);
    mg_store_free(s);
}

/* A MigrationPolicy selecting VMs labelled app=<app>. */
static cJSON *policy(const char *name, const char *app)
{
    char buf[512];

    snprintf(buf, sizeof(buf),
             "{\"apiVersion\":\"migrations.kubevirt.io/v1alpha1\",\"kind\":\"MigrationPolicy\","
             "\"metadata\":{\"name\":\"%s\"},\"spec\":{\"selectors\":"
             "{\"virtualMachineInstanceSelector\":{\"app\":\"%s\"}}}}",
             name, app);
    return cJSON_Parse(buf);
}

/* The name of the policy for a VM labelled app=<app>, by the index and by a scan
 * (they must agree), or "none". */
static const char *resolve_app(const struct mg_store *s, const char *app)
{
    cJSON *labels = cJSON_CreateObject();
    struct mg_policy_match m, scan;
    static char name[64];

    cJSON_AddStringToObject(labels, "app", app);
    assert_int_equal(mg_policy_resolve(s, labels, NULL, &m), 0);
    assert_int_equal(mg_policy_resolve_scan(s, labels, NULL, NULL, &scan), 0);
    assert_ptr_equal(m.policy, scan.policy);
    snprintf(name, sizeof(name), "%s", m.name ? m.name : "none");
    cJSON_Delete(labels);
    return name;
}

static const struct mg_store_hook any_hook = {NULL, count_put, count_remove, count_free};

static void test_replace_all_swaps_every_object_and_hooks_follow(void **state)
{
    struct mg_store *dst = mg_store_new(), *src = mg_store_new();
    const struct mg_policy_index *x;
    const cJSON *const *items;
    struct counts c = {0};
    char name[32];

    (void)state;
    mg_store_put(dst, obj("Node", NULL, "a", 1), NULL);
    mg_store_put(dst, obj("Node", NULL, "b", 1), NULL);
    mg_store_put(dst, obj("Namespace", NULL, "x", 1), NULL);
    mg_store_put(dst, policy("old", "web"), NULL);
    mg_store_mark_known(dst, "KubeVirt");
    assert_int_equal(mg_store_on_change(dst, &any_hook, &c), 0);
    assert_string_equal(resolve_app(dst, "web"), "old");

    mg_store_put(src, obj("Node", NULL, "b", 2), NULL);
    mg_store_put(src, obj("Node", NULL, "c", 2), NULL);
    mg_store_put(src, policy("new", "db"), NULL);
    mg_store_mark_known(src, "HyperConverged");
    /* Enough to grow src's buckets past dst's: lookups must use the moved table. */
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "pvc-%d", i);
        mg_store_put(src, obj("PersistentVolumeClaim", "ns", name, i), NULL);
    }

    mg_store_wrlock(dst);
    assert_int_equal(mg_store_replace_all(dst, src), 0);
    mg_store_unlock(dst);

    assert_int_equal(mg_store_size(dst), 303);
    assert_null(mg_store_get(dst, "Node", "", "a"));
    assert_null(mg_store_get(dst, "Namespace", "", "x"));
    assert_int_equal(val(mg_store_get(dst, "Node", "", "b")), 2);
    assert_int_equal(mg_store_list(dst, "Node", &items), 2);
    assert_string_equal(name_of(items[0]), "b");
    assert_string_equal(name_of(items[1]), "c");
    assert_int_equal(val(mg_store_get(dst, "PersistentVolumeClaim", "ns", "pvc-299")), 299);
    /* Known kinds come from src: dst's own marks go with its objects. */
    assert_true(mg_store_knows(dst, "HyperConverged"));
    assert_false(mg_store_knows(dst, "KubeVirt"));
    assert_false(mg_store_knows(dst, "Namespace"));
    /* dst's hooks saw each old object leave and each new one arrive. */
    assert_int_equal(c.removes, 4);
    assert_int_equal(c.puts, 303);
    assert_int_equal(c.replaced, 0);
    assert_int_equal(c.freed, 0);
    /* The policy index followed: it, not the scan fallback, gives the new answer. */
    x = px_of(dst);
    assert_non_null(x);
    assert_int_equal(px_find(x, "old"), PX_NONE);
    assert_int_not_equal(px_find(x, "new"), PX_NONE);
    assert_string_equal(resolve_app(dst, "web"), "none");
    assert_string_equal(resolve_app(dst, "db"), "new");

    /* The moved objects stay writable through dst. */
    assert_int_equal(mg_store_remove(dst, "Node", "", "b"), 0);
    assert_int_equal(mg_store_remove(dst, "PersistentVolumeClaim", "ns", "pvc-7"), 0);
    assert_int_equal(mg_store_put(dst, policy("new", "web"), NULL), 0);
    assert_string_equal(resolve_app(dst, "web"), "new");
    assert_string_equal(resolve_app(dst, "db"), "none");
    assert_int_equal(mg_store_size(dst), 301);
    mg_store_free(dst);
    assert_int_equal(c.freed, 1);
}

static void test_replace_all_refuses_null_and_itself(void **state)
{
    struct mg_store *s = mg_store_new();

    (void)state;
    mg_store_put(s, obj("Node", NULL, "a", 1), NULL);
    assert_int_equal(mg_store_replace_all(s, NULL), MG_EINVAL);
    assert_int_equal(mg_store_replace_all(s, s), MG_EINVAL);
    assert_int_equal(mg_store_size(s), 1);
    assert_non_null(mg_store_get(s, "Node", "", "a"));
    mg_store_free(s);
}

/* mg_store_version moves with every put, replacement, removal and exchange, and with
 * nothing else (reads, a removal of what is not there). */
static void test_version_moves_with_every_write(void **state)
{
    struct mg_store *s = mg_store_new(), *aside = mg_store_new();
    struct mg_err e = {0};
    uint64_t v;

    (void)state;
    v = mg_store_version(s);
    assert_int_equal(mg_store_put(s, obj("PersistentVolumeClaim", "a", "disk", 1), &e), 0);
    assert_true(mg_store_version(s) != v);
    v = mg_store_version(s);
    assert_non_null(mg_store_get(s, "PersistentVolumeClaim", "a", "disk"));
    assert_int_equal(mg_store_count(s, "PersistentVolumeClaim"), 1);
    assert_true(mg_store_version(s) == v);
    assert_int_equal(mg_store_put(s, obj("PersistentVolumeClaim", "a", "disk", 2), &e), 0);
    assert_true(mg_store_version(s) != v);
    v = mg_store_version(s);
    assert_int_equal(mg_store_remove(s, "PersistentVolumeClaim", "a", "none"), MG_ENOTFOUND);
    assert_true(mg_store_version(s) == v);
    assert_int_equal(mg_store_remove(s, "PersistentVolumeClaim", "a", "disk"), 0);
    assert_true(mg_store_version(s) != v);
    v = mg_store_version(s);
    assert_int_equal(mg_store_put(aside, obj("PersistentVolumeClaim", "b", "disk", 3), &e), 0);
    assert_int_equal(mg_store_exchange(s, aside, "PersistentVolumeClaim"), 0);
    assert_true(mg_store_version(s) != v);
    assert_int_equal(mg_store_count(s, "PersistentVolumeClaim"), 1);
    mg_store_free(aside);
    mg_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_by_kind_namespace_name),
        cmocka_unit_test(test_put_rejects_objects_without_identity),
        cmocka_unit_test(test_replacement_keeps_position_and_count),
        cmocka_unit_test(test_remove_keeps_list_consistent),
        cmocka_unit_test(test_list_is_per_kind_in_insertion_order),
        cmocka_unit_test(test_knows_and_mark_known),
        cmocka_unit_test(test_many_kinds_keep_lists_valid),
        cmocka_unit_test(test_ten_thousand_puts_find_their_objects),
        cmocka_unit_test(test_locks_can_be_taken_and_released),
        cmocka_unit_test(test_hooks_see_changes_of_their_kind),
        cmocka_unit_test(test_cluster_scoped_kinds_ignore_namespace),
        cmocka_unit_test(test_replace_all_swaps_every_object_and_hooks_follow),
        cmocka_unit_test(test_replace_all_refuses_null_and_itself),
        cmocka_unit_test(test_version_moves_with_every_write),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
