/* SPDX-License-Identifier: Apache-2.0 */
/* test_policy.c - MigrationPolicy matching, KubeVirt's precedence with every
 * tie-break, the index following puts, replaces and removes, the tie search, and a
 * property test: the index answers exactly as a scan of every policy on random sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"
#include "store.h"

static cJSON *json(const char *text)
{
    cJSON *j = cJSON_Parse(text);

    assert_non_null(j);
    return j;
}

/* A policy named name with selectors given as JSON text ("{}" for a catch-all, NULL
 * for none) and extra spec fields (may be NULL). */
static cJSON *policy(const char *name, const char *selectors, const char *fields)
{
    char buf[2048];

    snprintf(buf, sizeof(buf),
             "{\"apiVersion\":\"migrations.kubevirt.io/v1alpha1\",\"kind\":\"MigrationPolicy\","
             "\"metadata\":{\"name\":\"%s\"},\"spec\":{%s%s%s%s}}",
             name, selectors ? "\"selectors\":" : "", selectors ? selectors : "",
             selectors && fields ? "," : "", fields ? fields : "");
    return json(buf);
}

static void put(struct mg_store *s, cJSON *obj)
{
    assert_int_equal(mg_store_put(s, obj, NULL), 0);
}

static const char *winner(struct mg_store *s, const char *vm, const char *ns)
{
    cJSON *v = vm ? json(vm) : NULL, *n = ns ? json(ns) : NULL;
    struct mg_policy_match m, scan;
    static char name[256];

    assert_int_equal(mg_policy_resolve(s, v, n, &m), 0);
    assert_int_equal(mg_policy_resolve_scan(s, v, n, NULL, &scan), 0);
    assert_true(m.policy == scan.policy);
    snprintf(name, sizeof(name), "%s", m.name ? m.name : "none");
    cJSON_Delete(v);
    cJSON_Delete(n);
    return name;
}

static void test_policy_matches_exact_case_sensitive_labels(void **state)
{
    cJSON *p = policy("p",
                      "{\"virtualMachineInstanceSelector\":{\"app\":\"db\"},"
                      "\"namespaceSelector\":{\"team\":\"a\"}}",
                      NULL);
    cJSON *vm = json("{\"app\":\"db\",\"extra\":\"x\"}"), *ns = json("{\"team\":\"a\"}");
    cJSON *upper = json("{\"app\":\"DB\"}"), *nsb = json("{\"team\":\"b\"}");
    char why[256];

    (void)state;
    assert_true(mg_policy_matches(p, vm, ns, why, sizeof(why)));
    assert_false(mg_policy_matches(p, upper, ns, why, sizeof(why)));
    assert_string_equal(why, "virtualMachineInstanceSelector app=db: the VM has app=DB");
    assert_false(mg_policy_matches(p, vm, nsb, why, sizeof(why)));
    assert_string_equal(why, "namespaceSelector team=a: the namespace has team=b");
    assert_false(mg_policy_matches(p, vm, NULL, why, sizeof(why)));
    assert_string_equal(why, "namespaceSelector team=a: the namespace has no label team");
    cJSON_Delete(p);
    cJSON_Delete(vm);
    cJSON_Delete(ns);
    cJSON_Delete(upper);
    cJSON_Delete(nsb);
}

static void test_policy_empty_selectors_match_all_absent_never(void **state)
{
    cJSON *all = policy("all", "{}", NULL);
    cJSON *empty =
        policy("e", "{\"namespaceSelector\":{},\"virtualMachineInstanceSelector\":null}", NULL);
    cJSON *none = policy("none", NULL, NULL);
    cJSON *bad =
        policy("bad", "{\"virtualMachineInstanceSelector\":{\"matchLabels\":{\"a\":\"b\"}}}", NULL);
    size_t ns = 9, vm = 9;

    (void)state;
    assert_true(mg_policy_matches(all, NULL, NULL, NULL, 0));
    assert_true(mg_policy_matches(empty, NULL, NULL, NULL, 0));
    assert_true(mg_policy_selectors(empty, &ns, &vm));
    assert_int_equal(ns + vm, 0);
    assert_false(mg_policy_matches(none, NULL, NULL, NULL, 0));
    assert_false(mg_policy_matches(bad, NULL, NULL, NULL, 0));
    cJSON_Delete(all);
    cJSON_Delete(empty);
    cJSON_Delete(none);
    cJSON_Delete(bad);
}

static void test_policy_resolve_prefers_more_labels_in_total(void **state)
{
    struct mg_store *s = mg_store_new();

    (void)state;
    put(s, policy("a-one", "{\"virtualMachineInstanceSelector\":{\"app\":\"db\"}}", NULL));
    put(s, policy("z-two",
                  "{\"virtualMachineInstanceSelector\":{\"app\":\"db\"},"
                  "\"namespaceSelector\":{\"team\":\"a\"}}",
                  NULL));
    put(s, policy("catch", "{}", NULL));
    assert_string_equal(winner(s, "{\"app\":\"db\"}", "{\"team\":\"a\"}"), "z-two");
    assert_string_equal(winner(s, "{\"app\":\"db\"}", "{\"team\":\"b\"}"), "a-one");
    assert_string_equal(winner(s, "{\"app\":\"web\"}", NULL), "catch");
    mg_store_free(s);
}

static void test_policy_resolve_prefers_more_vm_labels(void **state)
{
    struct mg_store *s = mg_store_new();

    (void)state;
    /* Both have two labels; "a-ns" sorts first but has fewer VM labels. */
    put(s, policy("a-ns",
                  "{\"virtualMachineInstanceSelector\":{\"app\":\"db\"},"
                  "\"namespaceSelector\":{\"team\":\"a\"}}",
                  NULL));
    put(s, policy("b-vm", "{\"virtualMachineInstanceSelector\":{\"app\":\"db\",\"tier\":\"x\"}}",
                  NULL));
    assert_string_equal(winner(s, "{\"app\":\"db\",\"tier\":\"x\"}", "{\"team\":\"a\"}"), "b-vm");
    mg_store_free(s);
}

static void test_policy_resolve_prefers_smaller_name_in_byte_order(void **state)
{
    struct mg_store *s = mg_store_new();

    (void)state;
    put(s, policy("b", "{\"virtualMachineInstanceSelector\":{\"app\":\"db\"}}", NULL));
    put(s, policy("B", "{\"virtualMachineInstanceSelector\":{\"tier\":\"x\"}}", NULL));
    put(s, policy("a", "{\"virtualMachineInstanceSelector\":{\"zone\":\"1\"}}", NULL));
    /* 'B' (0x42) sorts before 'a' and 'b' in byte order. */
    assert_string_equal(winner(s, "{\"app\":\"db\",\"tier\":\"x\",\"zone\":\"1\"}", NULL), "B");
    assert_string_equal(winner(s, "{\"app\":\"db\",\"zone\":\"1\"}", NULL), "a");
    put(s, policy("0", "{}", NULL));
    put(s, policy("1", "{}", NULL));
    assert_string_equal(winner(s, "{\"other\":\"x\"}", NULL), "0");
    mg_store_free(s);
}

static void test_policy_index_follows_replace_and_remove(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_policy_match m;
    cJSON *vm = json("{\"app\":\"db\"}");

    (void)state;
    put(s, policy("p", "{\"virtualMachineInstanceSelector\":{\"app\":\"db\"}}",
                  "\"allowPostCopy\":true"));
    assert_string_equal(winner(s, "{\"app\":\"db\"}", NULL), "p");
    assert_int_equal(mg_policy_resolve(s, vm, NULL, &m), 0);
    assert_true(m.fields.allow_post_copy);
    /* allowPostCopy alone also sets allowWorkloadDisruption. */
    assert_true(m.fields.set & MG_PF_WORKLOAD_DISRUPTION);
    assert_true(m.fields.allow_workload_disruption);
    put(s, policy("p", "{\"virtualMachineInstanceSelector\":{\"app\":\"web\"}}", NULL));
    assert_string_equal(winner(s, "{\"app\":\"db\"}", NULL), "none");
    assert_string_equal(winner(s, "{\"app\":\"web\"}", NULL), "p");
    assert_int_equal(mg_policy_resolve_except(s, vm, NULL, "p", &m), 0);
    assert_null(m.policy);
    assert_int_equal(mg_store_remove(s, "MigrationPolicy", "", "p"), 0);
    assert_string_equal(winner(s, "{\"app\":\"web\"}", NULL), "none");
    cJSON_Delete(vm);
    mg_store_free(s);
}

static void test_policy_fields_keep_false_and_zero(void **state)
{
    cJSON *p = policy("p", "{}",
                      "\"allowAutoConverge\":false,\"completionTimeoutPerGiB\":0,"
                      "\"bandwidthPerMigration\":\"0\",\"maxDowntimeMs\":300,"
                      "\"allowPostCopy\":false,\"allowWorkloadDisruption\":true");
    cJSON *q = policy("q", "{}",
                      "\"bandwidthPerMigration\":\"0.5\",\"maxDowntimeMs\":0,"
                      "\"completionTimeoutPerGiB\":-1,\"allowPostCopy\":\"yes\"");
    struct mg_policy_fields f;

    (void)state;
    mg_policy_fields_read(p, &f);
    assert_int_equal(f.set, MG_PF_BANDWIDTH | MG_PF_COMPLETION | MG_PF_AUTO_CONVERGE |
                                MG_PF_POST_COPY | MG_PF_WORKLOAD_DISRUPTION | MG_PF_MAX_DOWNTIME);
    assert_false(f.allow_auto_converge);
    assert_int_equal(f.completion_timeout, 0);
    assert_int_equal(f.bandwidth.sign, 0);
    assert_int_equal(f.max_downtime_ms, 300);
    assert_true(f.allow_workload_disruption);
    mg_policy_fields_read(q, &f);
    assert_int_equal(f.set, 0);
    cJSON_Delete(p);
    cJSON_Delete(q);
}

static void test_policy_workload_labels_of_vm_and_vmi(void **state)
{
    struct mg_store *s = mg_store_new();
    cJSON *vm =
        json("{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"v\",\"namespace\":\"n\","
             "\"labels\":{\"app\":\"outer\"}},\"spec\":{\"template\":{\"metadata\":"
             "{\"labels\":{\"app\":\"db\"}}}}}");
    cJSON *vmi = json("{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"v\","
                      "\"namespace\":\"n\",\"labels\":{\"app\":\"db\"}}}");
    struct mg_policy_match m;

    (void)state;
    put(s, json("{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"n\",\"labels\":{\"t\":\"1\"}}}"));
    put(s, policy("p",
                  "{\"virtualMachineInstanceSelector\":{\"app\":\"db\"},"
                  "\"namespaceSelector\":{\"t\":\"1\"}}",
                  NULL));
    assert_int_equal(mg_policy_resolve_workload(s, vm, &m), 0);
    assert_non_null(m.name);
    assert_string_equal(m.name, "p");
    assert_int_equal(mg_policy_resolve_workload(s, vmi, &m), 0);
    assert_non_null(m.name);
    assert_int_equal(mg_policy_resolve_in(s, vmi, "other", &m), 0);
    assert_null(m.name); /* ns given: the VMI's own metadata.namespace is not used */
    mg_store_free(s);
    cJSON_Delete(vm);
    cJSON_Delete(vmi);
}

struct tie_list {
    char names[64][32];
    bool same[64];
    size_t n;
};

static bool collect(void *ctx, const cJSON *other, const char *name,
                    const struct mg_policy_fields *f, bool same)
{
    struct tie_list *l = ctx;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(other, "metadata"), "name");

    (void)f;
    assert_string_equal(n->valuestring, name);
    if (l->n < 64) {
        snprintf(l->names[l->n], sizeof(l->names[0]), "%s", name);
        l->same[l->n++] = same;
    }
    return true;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Ties through the index and through the scan, sorted; "name*" marks same selectors. */
static void ties(struct mg_store *s, const cJSON *q, const char *skip, char *out, size_t len)
{
    struct tie_list a = {0}, b = {0};
    char fa[64][34], fb[64][34];
    size_t at = 0;

    assert_int_equal(mg_policy_ties(s, q, skip, collect, &a), 0);
    assert_int_equal(mg_policy_ties_scan(s, q, skip, collect, &b), 0);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        snprintf(fa[i], sizeof(fa[i]), "%s%s", a.names[i], a.same[i] ? "*" : "");
        snprintf(fb[i], sizeof(fb[i]), "%s%s", b.names[i], b.same[i] ? "*" : "");
    }
    qsort(fa, a.n, sizeof(fa[0]), cmp_names);
    qsort(fb, b.n, sizeof(fb[0]), cmp_names);
    out[0] = '\0';
    for (size_t i = 0; i < a.n; i++) {
        assert_string_equal(fa[i], fb[i]);
        at += (size_t)snprintf(out + at, len - at, "%s%s", i ? " " : "", fa[i]);
    }
}

static void test_policy_ties_compatible_same_total_only(void **state)
{
    struct mg_store *s = mg_store_new();
    cJSON *q = policy("q", "{\"virtualMachineInstanceSelector\":{\"app\":\"db\"}}", NULL);
    char got[512];

    (void)state;
    put(s, policy("dup", "{\"virtualMachineInstanceSelector\":{\"app\":\"db\"}}", NULL));
    put(s, policy("other-key", "{\"virtualMachineInstanceSelector\":{\"tier\":\"x\"}}", NULL));
    put(s, policy("ns-key", "{\"namespaceSelector\":{\"app\":\"web\"}}", NULL));
    put(s, policy("clash", "{\"virtualMachineInstanceSelector\":{\"app\":\"web\"}}", NULL));
    put(s,
        policy("two", "{\"virtualMachineInstanceSelector\":{\"app\":\"db\",\"t\":\"1\"}}", NULL));
    put(s, policy("q", "{\"virtualMachineInstanceSelector\":{\"zone\":\"z\"}}", NULL));
    put(s, policy("never", NULL, NULL));
    ties(s, q, "q", got, sizeof(got));
    assert_string_equal(got, "dup* ns-key other-key");
    ties(s, q, NULL, got, sizeof(got));
    assert_string_equal(got, "dup* ns-key other-key q");
    cJSON_Delete(q);
    q = policy("q", "{\"namespaceSelector\":{}}", NULL);
    put(s, policy("all", "{}", NULL));
    ties(s, q, "q", got, sizeof(got));
    assert_string_equal(got, "all*");
    cJSON_Delete(q);
    mg_store_free(s);
}

/* Random policies over a small vocabulary, so that matches, ties and duplicates are
 * frequent; the index must agree with the scan after every change. */
static uint32_t rnd(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 8) & 0xffffff;
}

static void random_map(uint32_t *seed, char *out, size_t len, int maxn)
{
    int n = (int)(rnd(seed) % (uint32_t)(maxn + 1));
    size_t at = (size_t)snprintf(out, len, "{");

    for (int i = 0; i < n; i++)
        at += (size_t)snprintf(out + at, len - at, "%s\"k%u\":\"v%u\"", i ? "," : "", rnd(seed) % 4,
                               rnd(seed) % 3);
    snprintf(out + at, len - at, "}");
}

/* resolve_except through the index and the scan agree, winner and score. */
static void skipped(struct mg_store *s, const char *vm, const char *ns, const char *skip)
{
    cJSON *v = json(vm), *n = json(ns);
    struct mg_policy_match a, b;

    assert_int_equal(mg_policy_resolve_except(s, v, n, skip, &a), 0);
    assert_int_equal(mg_policy_resolve_scan(s, v, n, skip, &b), 0);
    assert_true(a.policy == b.policy);
    assert_int_equal(a.ns_labels, b.ns_labels);
    assert_int_equal(a.vm_labels, b.vm_labels);
    assert_int_equal(a.fields.set, b.fields.set);
    cJSON_Delete(v);
    cJSON_Delete(n);
}

static void test_policy_index_agrees_with_scan_on_random_sets(void **state)
{
    uint32_t seed = 12345;

    (void)state;
    for (int round = 0; round < 20; round++) {
        struct mg_store *s = mg_store_new();

        for (int i = 0; i < 300; i++) {
            char name[16], ns[256], vm[256], sel[600];
            uint32_t op = rnd(&seed) % 10;

            snprintf(name, sizeof(name), "p%u", rnd(&seed) % 60);
            random_map(&seed, ns, sizeof(ns), 2);
            random_map(&seed, vm, sizeof(vm), 3);
            if (op == 0) {
                mg_store_remove(s, "MigrationPolicy", "", name);
                continue;
            }
            snprintf(sel, sizeof(sel),
                     "{\"namespaceSelector\":%s,\"virtualMachineInstanceSelector\":%s}", ns, vm);
            put(s, policy(name, op == 1 ? NULL : sel, NULL));
            if (i % 3 == 0) {
                char got[4096];
                cJSON *q = policy(name, sel, NULL);

                random_map(&seed, ns, sizeof(ns), 3);
                random_map(&seed, vm, sizeof(vm), 4);
                winner(s, vm, ns);
                skipped(s, vm, ns, name);
                ties(s, q, rnd(&seed) % 2 ? name : NULL, got, sizeof(got));
                cJSON_Delete(q);
            }
        }
        mg_store_free(s);
    }
}

/* Distinct policies created and deleted many times over: the index gives back every
 * posting, name and label, and its slots and buckets stop at their first peak. */
static void test_policy_index_churn_returns_to_baseline(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_policy_index_stats base, peak, st;
    char name[32], sel[256];

    (void)state;
    put(s, policy("resident", "{\"virtualMachineInstanceSelector\":{\"app\":\"db\"}}", NULL));
    put(s, policy("catch-all", "{}", NULL));
    assert_true(mg_policy_index_stats(s, &base));
    assert_int_equal(base.policies, 2);
    for (int batch = 0; batch < 2000; batch++) {
        for (int i = 0; i < 10; i++) {
            snprintf(name, sizeof(name), "churn-%d-%d", batch, i);
            snprintf(sel, sizeof(sel),
                     "{\"virtualMachineInstanceSelector\":{\"app\":\"db\",\"u%d\":\"v%d\"},"
                     "\"namespaceSelector\":{\"team-%d\":\"t\"}}",
                     batch, i, batch * 10 + i);
            put(s, policy(name, sel, "\"allowAutoConverge\":true"));
        }
        for (int i = 0; i < 10; i++) {
            snprintf(name, sizeof(name), "churn-%d-%d", batch, i);
            assert_int_equal(mg_store_remove(s, "MigrationPolicy", "", name), 0);
        }
        assert_true(mg_policy_index_stats(s, &st));
        assert_int_equal(st.policies, base.policies);
        assert_int_equal(st.postings, base.postings);
        if (batch == 0)
            peak = st;
        assert_int_equal(st.slots, peak.slots);
        assert_int_equal(st.posting_slots, peak.posting_slots);
        assert_int_equal(st.buckets, peak.buckets);
    }
    assert_string_equal(winner(s, "{\"app\":\"db\"}", NULL), "resident");
    assert_string_equal(winner(s, "{\"app\":\"web\"}", NULL), "catch-all");
    mg_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_matches_exact_case_sensitive_labels),
        cmocka_unit_test(test_policy_empty_selectors_match_all_absent_never),
        cmocka_unit_test(test_policy_resolve_prefers_more_labels_in_total),
        cmocka_unit_test(test_policy_resolve_prefers_more_vm_labels),
        cmocka_unit_test(test_policy_resolve_prefers_smaller_name_in_byte_order),
        cmocka_unit_test(test_policy_index_follows_replace_and_remove),
        cmocka_unit_test(test_policy_fields_keep_false_and_zero),
        cmocka_unit_test(test_policy_workload_labels_of_vm_and_vmi),
        cmocka_unit_test(test_policy_ties_compatible_same_total_only),
        cmocka_unit_test(test_policy_index_agrees_with_scan_on_random_sets),
        cmocka_unit_test(test_policy_index_churn_returns_to_baseline),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
