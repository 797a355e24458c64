/* SPDX-License-Identifier: Apache-2.0 */
/* test_drain.c - the drain question on a small view: each outcome (migrate, shutdown by
 * None and by LiveMigrateIfPossible, block by a reason and by no target, unknown), the
 * targets once the drained nodes are cordoned with what ruled the others out, the
 * policy's settings, the queue estimate computed by hand, unknown nodes, and the
 * server's per-VMI answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drain.h"
#include "yamljson.h"

static const char view_yaml[] =
    "apiVersion: v1\nkind: Node\nmetadata: {name: n1, labels: {zone: b}}\n---\n"
    "apiVersion: v1\nkind: Node\nmetadata: {name: n2, labels: {zone: b}}\n---\n"
    "apiVersion: v1\nkind: Node\nmetadata: {name: n3, labels: {zone: b}}\n"
    "spec: {unschedulable: true}\n---\n"
    "apiVersion: v1\nkind: Node\nmetadata: {name: n4, labels: {zone: a}}\n---\n"
    "apiVersion: v1\nkind: Node\nmetadata: {name: n5, labels: {zone: b}}\n"
    "spec: {taints: [{key: dedicated, value: x, effect: NoSchedule}]}\n---\n"
    "apiVersion: v1\nkind: Node\nmetadata: {name: n6, labels: {zone: b}}\n---\n"
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n---\n"
    "apiVersion: hco.kubevirt.io/v1beta1\nkind: HyperConverged\n"
    "metadata: {name: kubevirt-hyperconverged, namespace: openshift-cnv}\n"
    "spec:\n  evictionStrategy: LiveMigrate\n"
    "  liveMigrationConfig: {parallelMigrationsPerCluster: 2,\n"
    "    parallelOutboundMigrationsPerNode: 1, bandwidthPerMigration: 64Mi,\n"
    "    completionTimeoutPerGiB: 10}\n---\n"
    "apiVersion: kubevirt.io/v1\nkind: KubeVirt\n"
    "metadata: {name: kubevirt, namespace: openshift-cnv}\n"
    "spec:\n  configuration:\n    evictionStrategy: LiveMigrate\n"
    "    migrations: {parallelMigrationsPerCluster: 2, parallelOutboundMigrationsPerNode: 1,\n"
    "      bandwidthPerMigration: 64Mi, completionTimeoutPerGiB: 10}\n---\n"
    "apiVersion: migrations.kubevirt.io/v1alpha1\nkind: MigrationPolicy\n"
    "metadata: {name: slow}\n"
    "spec: {bandwidthPerMigration: 1Mi, selectors: {virtualMachineInstanceSelector: "
    "{slow: \"true\"}}}\n";

/* A VMI in namespace ns; extra is YAML under spec (indented 2), labels a flow map. */
static void add_vmi(struct mg_store *s, const char *name, const char *node, const char *phase,
                    const char *labels, const char *memory, const char *extra)
{
    char text[2048];
    struct mg_yaml_docs d = {0};
    struct mg_err err = {0};

    snprintf(text, sizeof(text),
             "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\n"
             "metadata: {name: %s, namespace: ns, labels: %s}\n"
             "spec:\n  domain:\n    memory: {guest: %s}\n"
             "    devices: {interfaces: [{name: default, masquerade: {}}]}\n"
             "  networks: [{name: default, pod: {}}]\n%s"
             "status: {phase: %s, nodeName: %s}\n",
             name, labels, memory, extra, phase, node);
    if (mg_yaml_parse(text, strlen(text), "test", false, &d, &err))
        fail_msg("VMI YAML: line %d: %s\n%s", err.line, err.msg, text);
    assert_int_equal(mg_store_put(s, d.docs[0], NULL), 0);
    d.docs[0] = NULL;
    mg_yaml_docs_free(&d);
}

static struct mg_store *view(void)
{
    struct mg_store *s = mg_store_new();
    struct mg_yaml_docs d = {0};
    struct mg_err err = {0};

    assert_non_null(s);
    if (mg_yaml_parse(view_yaml, strlen(view_yaml), "test", false, &d, &err))
        fail_msg("view YAML: line %d: %s", err.line, err.msg);
    for (size_t i = 0; i < d.n; i++) {
        assert_int_equal(mg_store_put(s, d.docs[i], NULL), 0);
        d.docs[i] = NULL;
    }
    mg_yaml_docs_free(&d);
    add_vmi(s, "a", "n1", "Running", "{}", "1Gi", "  nodeSelector: {zone: b}\n");
    add_vmi(s, "a2", "n1", "Running", "{}", "1Gi", "");
    add_vmi(s, "a3", "n2", "Running", "{}", "512Mi", "");
    add_vmi(s, "a4", "n2", "Running", "{slow: \"true\"}", "4G", "");
    add_vmi(s, "b", "n1", "Running", "{}", "1Gi",
            "  evictionStrategy: None\n  volumes: [{name: d, hostDisk: {path: /x}}]\n");
    add_vmi(s, "c", "n2", "Running", "{}", "1Gi",
            "  evictionStrategy: LiveMigrateIfPossible\n"
            "  volumes: [{name: d, hostDisk: {path: /x}}]\n");
    add_vmi(s, "d", "n2", "Running", "{}", "1Gi", "  volumes: [{name: d, hostDisk: {path: /x}}]\n");
    add_vmi(s, "e", "n2", "Running", "{}", "1Gi", "  nodeSelector: {zone: c}\n");
    add_vmi(s, "f", "n4", "Running", "{}", "1Gi", "");
    add_vmi(s, "g", "n1", "Succeeded", "{}", "1Gi", "");
    add_vmi(s, "h", "n1", "Running", "{}", "1Gi",
            "  volumes: [{name: d, persistentVolumeClaim: {claimName: missing}}]\n");
    return s;
}

static const struct mg_drain_item *item(const struct mg_drain_report *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->items[i].name, name) == 0)
            return &r->items[i];
    return NULL;
}

static size_t ruled(const struct mg_drain_item *it, const char *why)
{
    for (size_t i = 0; i < it->n_ruled; i++)
        if (strcmp(it->ruled[i].why, why) == 0)
            return it->ruled[i].nodes;
    return 0;
}

static bool has_rule(const struct mg_drain_item *it, enum mg_rule rule)
{
    for (size_t i = 0; i < it->v.n; i++)
        if (it->v.items[i].rule == rule)
            return true;
    return false;
}

static void test_drain_outcomes_targets_and_estimate(void **state)
{
    static const char *const nodes[] = {"n2", "n1"};
    struct mg_store *s = view();
    struct mg_config cfg;
    struct mg_drain_opts o = {.nodes = nodes, .n_nodes = 2, .explain = true};
    struct mg_drain_report r;
    const struct mg_drain_item *it;

    (void)state;
    mg_config_init(&cfg);
    mg_store_rdlock(s);
    assert_int_equal(mg_drain_analyze(s, &cfg, &o, &r, NULL), 0);
    /* f runs on n4 (not drained), g has finished. */
    assert_int_equal(r.n, 9);
    assert_null(item(&r, "f"));
    assert_null(item(&r, "g"));
    assert_int_equal(r.counts[MG_DRAIN_MIGRATE], 4);
    assert_int_equal(r.counts[MG_DRAIN_SHUTDOWN], 2);
    assert_int_equal(r.counts[MG_DRAIN_BLOCK], 2);
    assert_int_equal(r.counts[MG_DRAIN_UNKNOWN], 1);

    /* a: zone=b; n1 and n2 are drained, n3 cordoned, n4 is zone=a, n5 tainted: n6. */
    it = item(&r, "a");
    assert_int_equal(it->outcome, MG_DRAIN_MIGRATE);
    assert_string_equal(it->migratable, "yes");
    assert_int_equal(it->targets, 1);
    assert_string_equal(it->target, "n6");
    assert_int_equal(ruled(it, "being drained"), 1);
    assert_int_equal(ruled(it, "cordoned"), 1);
    assert_int_equal(ruled(it, "lack zone=b"), 1);
    assert_int_equal(ruled(it, "have the untolerated taint dedicated=x:NoSchedule"), 1);
    /* a2 has no selector: n4 and n6. */
    assert_int_equal(item(&r, "a2")->targets, 2);

    assert_int_equal(item(&r, "b")->outcome, MG_DRAIN_SHUTDOWN);
    assert_string_equal(item(&r, "b")->eviction, "None");
    assert_int_equal(item(&r, "c")->outcome, MG_DRAIN_SHUTDOWN);
    it = item(&r, "d");
    assert_int_equal(it->outcome, MG_DRAIN_BLOCK);
    assert_true(has_rule(it, MG_RULE_VM002));
    assert_string_equal(it->migratable, "no");
    /* e: zone=c is nowhere: no target is a reason (RULES.md 9.15). */
    it = item(&r, "e");
    assert_int_equal(it->outcome, MG_DRAIN_BLOCK);
    assert_int_equal(it->targets, 0);
    assert_true(has_rule(it, MG_RULE_MIG007));
    assert_int_equal(ruled(it, "lack zone=c"), 3);
    assert_int_equal(item(&r, "h")->outcome, MG_DRAIN_UNKNOWN);

    /* a4 is the slow policy's: 1 MiB/s, and the cluster's 10 s per 10^9 bytes. */
    it = item(&r, "a4");
    assert_string_equal(it->policy, "slow");
    assert_int_equal(it->mig.bandwidth_mib, 1);
    assert_int_equal(it->mig.deadline, 40);
    assert_int_equal(it->mig.fate, MG_FATE_CANCELLED);
    assert_int_equal(item(&r, "a")->mig.bandwidth_mib, 64);
    assert_int_equal(item(&r, "a")->mig.fate, MG_FATE_IN_TIME);
    assert_null(item(&r, "a")->policy);

    /* The queue, 2 at once and 1 per node, in name order: a (n1, 16 s) and a3 (n2, 8 s)
     * at 0; a4 (n2) at 8 for 4e9 / 2^20 s; a2 (n1) at 16, ends at 32. */
    assert_int_equal(r.migrations, 4);
    assert_int_equal(r.late, 1);
    assert_true(item(&r, "a3")->mig.end == 8.0);
    assert_true(item(&r, "a4")->mig.start == 8.0);
    assert_true(item(&r, "a2")->mig.start == 16.0 && item(&r, "a2")->mig.end == 32.0);
    assert_true(r.seconds == 8.0 + 4e9 / 1048576.0);
    mg_drain_free(&r);
    mg_store_unlock(s);
    mg_store_free(s);
}

static void test_drain_every_vmi_as_if_its_node_were_drained(void **state)
{
    struct mg_store *s = view();
    struct mg_config cfg;
    struct mg_drain_opts o = {.ns = "ns"};
    struct mg_drain_report r;
    const struct mg_drain_item *it;

    (void)state;
    mg_config_init(&cfg);
    mg_store_rdlock(s);
    assert_int_equal(mg_drain_analyze(s, &cfg, &o, &r, NULL), 0);
    assert_int_equal(r.n, 10); /* every VMI but the finished one */
    assert_false(r.drain);
    /* a on n1: zone=b and not cordoned nor tainted: n2 and n6. */
    it = item(&r, "a");
    assert_int_equal(it->targets, 2);
    assert_false(it->explained);
    /* e has no target; what ruled the nodes out is said anyway. Nothing is drained, so
     * the counts come from the node index, as MIG007's: each condition counts every node
     * it rules out, and the cordoned node, which lacks zone=c too, counts under both. */
    it = item(&r, "e");
    assert_true(it->explained);
    assert_int_equal(ruled(it, "lack zone=c"), 5);
    assert_int_equal(ruled(it, "cordoned"), 1);
    mg_drain_free(&r);
    mg_store_unlock(s);
    mg_store_free(s);
}

static void test_drain_refuses_an_unknown_node(void **state)
{
    static const char *const nodes[] = {"n1", "worker-9"};
    struct mg_store *s = view();
    struct mg_config cfg;
    struct mg_drain_opts o = {.nodes = nodes, .n_nodes = 2};
    struct mg_drain_report r;
    struct mg_err err = {0};

    (void)state;
    mg_config_init(&cfg);
    mg_store_rdlock(s);
    assert_int_equal(mg_drain_analyze(s, &cfg, &o, &r, &err), MG_ENOTFOUND);
    assert_non_null(strstr(err.msg, "\"worker-9\" is not in the view"));
    assert_int_equal(r.n, 0);
    assert_null(r.items);
    mg_store_unlock(s);
    mg_store_free(s);
}

static void test_drain_vmi_blocks_for_metrics(void **state)
{
    struct mg_store *s = view();
    struct mg_config cfg;
    bool block, rules[MG_RULE_COUNT];
    const cJSON *vmi;

    (void)state;
    mg_config_init(&cfg);
    mg_store_rdlock(s);
    vmi = mg_store_get(s, "VirtualMachineInstance", "ns", "d");
    assert_int_equal(mg_drain_vmi_blocks(s, &cfg, vmi, &block, rules), 0);
    assert_true(block);
    assert_true(rules[MG_RULE_VM002]);
    vmi = mg_store_get(s, "VirtualMachineInstance", "ns", "c");
    assert_int_equal(mg_drain_vmi_blocks(s, &cfg, vmi, &block, rules), 0);
    assert_false(block); /* LiveMigrateIfPossible: shut down, not a blocker */
    assert_true(rules[MG_RULE_VM002]);
    vmi = mg_store_get(s, "VirtualMachineInstance", "ns", "a");
    assert_int_equal(mg_drain_vmi_blocks(s, &cfg, vmi, &block, rules), 0);
    assert_false(block);
    for (unsigned i = 0; i < MG_RULE_COUNT; i++)
        assert_false(rules[i]);
    mg_store_unlock(s);
    mg_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drain_outcomes_targets_and_estimate),
        cmocka_unit_test(test_drain_every_vmi_as_if_its_node_were_drained),
        cmocka_unit_test(test_drain_refuses_an_unknown_node),
        cmocka_unit_test(test_drain_vmi_blocks_for_metrics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
