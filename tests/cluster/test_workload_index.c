/* SPDX-License-Identifier: Apache-2.0 */
/* test_workload_index.c - the VM and VMI indexes: they follow puts, replaces and
 * removes, find exactly the workloads a policy matches, give everything back under
 * churn, and MP012's count from them (mg_mp_moves) equals the walk over every VM
 * (mg_mp_moves_scan) on random views changed between checks. With the argument
 * "concurrency" (ctest workload_index_concurrency, run under TSan) only the threaded
 * readers-and-writer test runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "mp.h"
#include "policy.h"
#include "store.h"
#include "workload_index.h"

static uint64_t next(uint64_t *r)
{
    *r ^= *r << 13;
    *r ^= *r >> 7;
    *r ^= *r << 17;
    return *r;
}

static unsigned rnd(uint64_t *r, unsigned n)
{
    return (unsigned)(next(r) % n);
}

static void put(struct mg_store *s, const char *text)
{
    cJSON *obj = cJSON_Parse(text);

    assert_non_null(obj);
    assert_int_equal(mg_store_put(s, obj, NULL), 0);
}

/* 0..max labels over keys <p>0..<p>(keys-1) and values v0..v(values-1); now and then
 * a repeated key or a non-string value, which lookups see as MP012 always saw them. */
static void labels(uint64_t *r, char *buf, size_t len, const char *p, unsigned max, unsigned keys,
                   unsigned values)
{
    unsigned n = rnd(r, max + 1);
    size_t at = (size_t)snprintf(buf, len, "{");

    for (unsigned i = 0; i < n; i++) {
        unsigned odd = rnd(r, 20);

        if (odd == 0)
            at += (size_t)snprintf(buf + at, len - at, "%s\"%s%u\":%u", i ? "," : "", p,
                                   rnd(r, keys), rnd(r, 3));
        else
            at += (size_t)snprintf(buf + at, len - at, "%s\"%s%u\":\"v%u\"", i ? "," : "", p,
                                   rnd(r, keys), rnd(r, values));
    }
    snprintf(buf + at, len - at, "}");
}

static void random_vm(uint64_t *r, char *buf, size_t len, unsigned nnames)
{
    char l[256];

    labels(r, l, sizeof(l), "k", 4, 4, 3);
    snprintf(buf, len,
             "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":"
             "{\"name\":\"w%u\",\"namespace\":\"ns%u\"},\"spec\":{\"template\":{\"metadata\":"
             "{\"labels\":%s}}}}",
             rnd(r, nnames), rnd(r, 7), l);
}

/* Named like a VM now and then (owned by name), an ownerReference now and then. */
static void random_vmi(uint64_t *r, char *buf, size_t len, unsigned nnames)
{
    static const char *const refs[] = {
        "", ",\"ownerReferences\":[{\"kind\":\"VirtualMachine\",\"name\":\"x\"}]",
        ",\"ownerReferences\":[{\"kind\":\"ReplicaSet\",\"name\":\"x\"}]"};
    char l[256];

    labels(r, l, sizeof(l), "k", 4, 4, 3);
    snprintf(buf, len,
             "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\","
             "\"metadata\":{\"name\":\"%s%u\",\"namespace\":\"ns%u\",\"labels\":%s%s}}",
             rnd(r, 2) ? "w" : "i", rnd(r, nnames), rnd(r, 7), l, refs[rnd(r, 3)]);
}

/* Namespaces ns0..ns5 (ns6 has workloads but no Namespace object). */
static void random_namespace(uint64_t *r, char *buf, size_t len)
{
    char l[256];

    labels(r, l, sizeof(l), "t", 3, 3, 2);
    snprintf(buf, len,
             "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"ns%u\","
             "\"labels\":%s}}",
             rnd(r, 6), l);
}

static cJSON *random_policy(uint64_t *r, const char *name)
{
    char buf[1024], ns[256], vm[256], sel[600];
    unsigned shape = rnd(r, 12);

    labels(r, ns, sizeof(ns), "t", 2, 3, 2);
    labels(r, vm, sizeof(vm), "k", 3, 4, 3);
    if (shape == 0)
        snprintf(sel, sizeof(sel), "{}");
    else if (shape == 1)
        snprintf(sel, sizeof(sel), "{\"virtualMachineInstanceSelector\":null}");
    else if (shape == 2)
        snprintf(sel, sizeof(sel), "{\"namespaceSelector\":%s}", ns);
    else
        snprintf(sel, sizeof(sel),
                 "{\"namespaceSelector\":%s,\"virtualMachineInstanceSelector\":%s}", ns, vm);
    snprintf(buf, sizeof(buf),
             "{\"apiVersion\":\"migrations.kubevirt.io/v1alpha1\",\"kind\":\"MigrationPolicy\","
             "\"metadata\":{\"name\":\"%s\"},\"spec\":{%s%s%s\"bandwidthPerMigration\":\"%uMi\"}}",
             name, shape == 11 ? "" : "\"selectors\":", shape == 11 ? "" : sel,
             shape == 11 ? "" : ",", 64 * (1 + rnd(r, 3)));
    return cJSON_Parse(buf);
}

/* One random change of the view: a workload, a namespace or a policy comes or goes. */
static void random_change(uint64_t *r, struct mg_store *s, unsigned nnames)
{
    char buf[1024], name[16];
    unsigned op = rnd(r, 10);

    if (op < 3) {
        random_vm(r, buf, sizeof(buf), nnames);
        put(s, buf);
    } else if (op < 6) {
        random_vmi(r, buf, sizeof(buf), nnames);
        put(s, buf);
    } else if (op < 8) {
        snprintf(buf, sizeof(buf), "w%u", rnd(r, nnames));
        snprintf(name, sizeof(name), "ns%u", rnd(r, 7));
        mg_store_remove(s, op == 6 ? "VirtualMachine" : "VirtualMachineInstance", name, buf);
    } else if (op == 8) {
        random_namespace(r, buf, sizeof(buf));
        put(s, buf);
    } else {
        snprintf(name, sizeof(name), "p%u", rnd(r, 8));
        if (rnd(r, 3))
            assert_int_equal(mg_store_put(s, random_policy(r, name), NULL), 0);
        else
            mg_store_remove(s, "MigrationPolicy", "", name);
    }
}

/* A random CREATE, UPDATE or DELETE of policy pN: both counts agree. */
static void check_moves(uint64_t *r, struct mg_store *s, size_t *moved)
{
    char name[16];
    cJSON *old_copy = NULL, *new_policy = NULL;
    const cJSON *old;
    size_t to, from, sto, sfrom;
    unsigned op = rnd(r, 3);

    snprintf(name, sizeof(name), "p%u", rnd(r, 10));
    old = mg_store_get(s, "MigrationPolicy", "", name);
    if (!old && op)
        old = old_copy = random_policy(r, name); /* a request's oldObject */
    if (op == 0)
        old = NULL;
    if (op < 2)
        new_policy = random_policy(r, name);
    mg_mp_moves(s, name, old, new_policy, &to, &from);
    mg_mp_moves_scan(s, name, old, new_policy, &sto, &sfrom);
    assert_int_equal(to, sto);
    assert_int_equal(from, sfrom);
    *moved += to + from;
    cJSON_Delete(old_copy);
    cJSON_Delete(new_policy);
    mg_store_release();
}

/* A VMI with an ownerReference of kind VirtualMachine: not in the VMI index. */
static bool vm_owned(const cJSON *vmi)
{
    const cJSON *r;

    cJSON_ArrayForEach (
        r, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(vmi, "metadata"),
                                            "ownerReferences")) {
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(r, "kind");

        if (cJSON_IsString(kind) && strcmp(kind->valuestring, "VirtualMachine") == 0)
            return true;
    }
    return false;
}

/* The candidates of a policy are exactly the workloads of that kind it matches (VMIs
 * owned by a VM apart: MP012 counts them through it). */
static void check_candidates(struct mg_store *s, const cJSON *policy, bool vmi)
{
    const struct mg_workload_index *x = mg_workload_index_of(s, vmi);
    const char *kind = vmi ? "VirtualMachineInstance" : "VirtualMachine";
    const cJSON *const *items;
    uint32_t *ids;
    size_t n, want = 0, nitems = mg_store_list(s, kind, &items);

    assert_non_null(x);
    assert_int_equal(mg_workload_index_candidates(x, s, policy, &ids, &n), 0);
    for (size_t i = 0; i < nitems; i++) {
        const cJSON *md = cJSON_GetObjectItemCaseSensitive(items[i], "metadata");
        const char *ns = cJSON_GetObjectItemCaseSensitive(md, "namespace")->valuestring;
        const char *nm = cJSON_GetObjectItemCaseSensitive(md, "name")->valuestring;
        bool match = mg_policy_matches(policy, mg_policy_workload_labels(items[i]),
                                       mg_policy_namespace_labels(s, ns), NULL, 0) &&
                     !(vmi && vm_owned(items[i]));
        bool found = false;

        for (size_t j = 0; j < n && !found; j++) {
            struct mg_workload w;

            mg_workload_index_get(x, ids[j], &w);
            found = strcmp(w.ns, ns) == 0 && strcmp(w.name, nm) == 0;
        }
        assert_int_equal(match, found);
        want += match;
    }
    assert_int_equal(n, want);
    free(ids);
    mg_store_release();
}

static void test_workload_index_moves_equal_walk_on_random_views(void **state)
{
    uint64_t r = 0x5eed1234abcdULL;
    size_t moved = 0;

    (void)state;
    for (int round = 0; round < 12; round++) {
        struct mg_store *s = mg_store_new();
        unsigned nnames = 10 + rnd(&r, 30);

        assert_non_null(s);
        for (int i = 0; i < 80; i++)
            random_change(&r, s, nnames);
        for (int i = 0; i < 150; i++) {
            cJSON *p = random_policy(&r, "q");

            for (unsigned k = rnd(&r, 4); k > 0; k--)
                random_change(&r, s, nnames);
            check_moves(&r, s, &moved);
            check_candidates(s, p, false);
            check_candidates(s, p, true);
            cJSON_Delete(p);
        }
        mg_store_free(s);
    }
    assert_true(moved > 100); /* the views did move workloads */
}

static void test_workload_index_follows_put_replace_remove(void **state)
{
    struct mg_store *s = mg_store_new();
    const struct mg_workload_index *vms = mg_workload_index_of(s, false);
    const struct mg_workload_index *vmis = mg_workload_index_of(s, true);
    cJSON *db = cJSON_Parse("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"selectors\":"
                            "{\"virtualMachineInstanceSelector\":{\"app\":\"db\"}}}}");
    const char *kv[4];
    struct mg_workload w;
    uint32_t *ids;
    size_t n;

    (void)state;
    assert_non_null(vms);
    assert_non_null(vmis);
    put(s, "{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"a\",\"namespace\":\"n\","
           "\"labels\":{\"app\":\"web\"}},\"spec\":{\"template\":{\"metadata\":"
           "{\"labels\":{\"app\":\"db\"}}}}}");
    put(s,
        "{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"b\",\"namespace\":"
        "\"n\",\"labels\":{\"app\":\"db\"},\"ownerReferences\":[{\"kind\":\"VirtualMachine\"}]}}");
    assert_int_equal(mg_workload_index_candidates(vms, s, db, &ids, &n), 0);
    assert_int_equal(n, 1);
    mg_workload_index_get(vms, ids[0], &w);
    assert_true(w.vm);
    assert_string_equal(w.name, "a");
    assert_string_equal(w.ns, "n");
    assert_int_equal(mg_workload_index_labels(vms, ids[0], kv, 4), 1);
    assert_string_equal(kv[0], "app");
    assert_string_equal(kv[1], "db"); /* the template's labels, not the VM's own */
    free(ids);
    /* VMI b has a VirtualMachine ownerReference: MP012 counts it through its VM, so
     * the VMI index leaves it out. */
    assert_int_equal(mg_workload_index_candidates(vmis, s, db, &ids, &n), 0);
    assert_int_equal(n, 0);
    assert_true(mg_workload_index_has(vms, "n", "a"));
    assert_false(mg_workload_index_has(vms, "n", "b"));
    free(ids);
    /* A replace moves a to other labels; a remove takes b away. */
    put(s, "{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"a\",\"namespace\":\"n\"},"
           "\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}}}}}");
    assert_int_equal(mg_workload_index_candidates(vms, s, db, &ids, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(mg_store_remove(s, "VirtualMachineInstance", "n", "b"), 0);
    assert_int_equal(mg_workload_index_candidates(vmis, s, db, &ids, &n), 0);
    assert_int_equal(n, 0);
    cJSON_Delete(db);
    mg_store_free(s);
}

static void assert_stats_equal(const struct mg_workload_index_stats *a,
                               const struct mg_workload_index_stats *b)
{
    assert_int_equal(a->workloads, b->workloads);
    assert_int_equal(a->strings, b->strings);
    assert_int_equal(a->postings, b->postings);
    assert_int_equal(a->namespaces, b->namespaces);
    assert_int_equal(a->posting_ids, b->posting_ids);
}

/* Distinct names, namespaces and label values come and go: every count returns to its
 * baseline, with and without a resident population. */
static void test_workload_index_churn_returns_to_baseline(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_workload_index_stats empty, base, st;
    char buf[512];

    (void)state;
    for (int vmi = 0; vmi < 2; vmi++) {
        mg_workload_index_stats(mg_workload_index_of(s, vmi), &empty);
        assert_int_equal(empty.strings + empty.postings + empty.posting_ids, 0);
    }
    for (int i = 0; i < 50; i++) {
        snprintf(buf, sizeof(buf),
                 "{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"r%d\",\"namespace\":"
                 "\"ns%d\"},\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"app\":\"a%d\","
                 "\"tier\":\"x\"}}}}}",
                 i, i % 5, i % 7);
        put(s, buf);
    }
    mg_workload_index_stats(mg_workload_index_of(s, false), &base);
    assert_int_equal(base.workloads, 50);
    for (int i = 0; i < 21000; i++) {
        snprintf(buf, sizeof(buf),
                 "{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"c%d\",\"namespace\":"
                 "\"churn%d\"},\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"app\":\"u%d\","
                 "\"tier\":\"x\",\"k%d\":\"v\"}}}}}",
                 i, i % 97, i, i % 13);
        put(s, buf);
        if (i % 3 == 2) {
            for (int j = i - 2; j <= i; j++) {
                char name[16], ns[16];

                snprintf(name, sizeof(name), "c%d", j);
                snprintf(ns, sizeof(ns), "churn%d", j % 97);
                assert_int_equal(mg_store_remove(s, "VirtualMachine", ns, name), 0);
            }
            mg_workload_index_stats(mg_workload_index_of(s, false), &st);
            assert_stats_equal(&st, &base);
        }
    }
    for (int i = 0; i < 50; i++) {
        snprintf(buf, sizeof(buf), "r%d", i);
        snprintf(buf + 16, sizeof(buf) - 16, "ns%d", i % 5);
        assert_int_equal(mg_store_remove(s, "VirtualMachine", buf + 16, buf), 0);
    }
    mg_workload_index_stats(mg_workload_index_of(s, false), &st);
    assert_stats_equal(&st, &empty);
    mg_store_free(s);
}

struct shared {
    struct mg_store *s;
    int iterations;
};

static void *reader(void *arg)
{
    struct shared *sh = arg;
    uint64_t r = 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)&r;
    size_t moved = 0;

    for (int i = 0; i < sh->iterations; i++) {
        mg_store_rdlock(sh->s);
        check_moves(&r, sh->s, &moved);
        mg_store_unlock(sh->s);
    }
    return NULL;
}

static void *writer(void *arg)
{
    struct shared *sh = arg;
    uint64_t r = 0xfeedULL;

    for (int i = 0; i < sh->iterations * 2; i++) {
        mg_store_wrlock(sh->s);
        random_change(&r, sh->s, 20);
        mg_store_unlock(sh->s);
    }
    return NULL;
}

static void test_workload_index_concurrency_readers_and_writer(void **state)
{
    struct shared sh = {mg_store_new(), 150};
    uint64_t r = 0xabcULL;
    pthread_t t[4];

    (void)state;
    for (int i = 0; i < 120; i++)
        random_change(&r, sh.s, 20);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&t[i], NULL, reader, &sh), 0);
    assert_int_equal(pthread_create(&t[3], NULL, writer, &sh), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    mg_store_free(sh.s);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workload_index_follows_put_replace_remove),
        cmocka_unit_test(test_workload_index_churn_returns_to_baseline),
        cmocka_unit_test(test_workload_index_moves_equal_walk_on_random_views),
    };
    const struct CMUnitTest threaded[] = {
        cmocka_unit_test(test_workload_index_concurrency_readers_and_writer),
    };

    if (argc > 1 && strcmp(argv[1], "concurrency") == 0)
        return cmocka_run_group_tests(threaded, NULL, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
