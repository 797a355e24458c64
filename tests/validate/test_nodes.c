/* SPDX-License-Identifier: Apache-2.0 */
/* test_nodes.c - the node matcher against the scheduler's documented semantics
 * (nodeSelector, required node affinity operators and term logic, taints and
 * tolerations, unschedulable nodes) and the VM006 well-formedness checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nodes.h"

static cJSON *J(const char *text)
{
    cJSON *j = cJSON_Parse(text);

    if (!j)
        fail_msg("test JSON does not parse: %s", text);
    return j;
}

/* A node named name with labels (JSON object text) and spec (JSON object text). */
static cJSON *node(const char *name, const char *labels, const char *spec)
{
    char buf[4096];

    snprintf(buf, sizeof(buf),
             "{\"kind\":\"Node\",\"metadata\":{\"name\":\"%s\",\"labels\":%s},\"spec\":%s}", name,
             labels, spec);
    return J(buf);
}

/* nodes[i] = a node named n<i> with labels[i] and an empty spec, for i < n. */
static void make_nodes(cJSON **nodes, size_t n, const char *const *labels)
{
    char name[32];

    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "n%zu", i);
        nodes[i] = node(name, labels[i], "{}");
    }
}

/* Delete the n items of a; NULL items are fine. */
static void delete_all(cJSON **a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cJSON_Delete(a[i]);
}

static bool req_matches(const char *req, const char *labels)
{
    cJSON *r = J(req), *l = J(labels);
    bool m = mg_nodes_requirement_match(r, l);

    cJSON_Delete(r);
    cJSON_Delete(l);
    return m;
}

static void test_selector_needs_every_label_exactly(void **state)
{
    cJSON *sel = J("{\"example-key-1\":\"example-value-1\",\"example-key-2\":\"example-value-2\"}");
    cJSON *both = J("{\"example-key-1\":\"example-value-1\",\"example-key-2\":\"example-value-2\","
                    "\"extra\":\"x\"}");
    cJSON *one = J("{\"example-key-1\":\"example-value-1\"}");
    cJSON *wrong =
        J("{\"example-key-1\":\"example-value-1\",\"example-key-2\":\"Example-value-2\"}");
    cJSON *empty = J("{}");

    (void)state;
    assert_true(mg_nodes_selector_match(sel, both));
    assert_false(mg_nodes_selector_match(sel, one));
    assert_false(mg_nodes_selector_match(sel, wrong));
    assert_false(mg_nodes_selector_match(sel, NULL));
    assert_true(mg_nodes_selector_match(empty, NULL));
    assert_true(mg_nodes_selector_match(NULL, one));
    cJSON_Delete(sel);
    cJSON_Delete(both);
    cJSON_Delete(one);
    cJSON_Delete(wrong);
    cJSON_Delete(empty);
}

static void test_selector_rejects_non_string_value(void **state)
{
    cJSON *sel = J("{\"n\":5}"), *labels = J("{\"n\":\"5\"}");

    (void)state;
    assert_false(mg_nodes_selector_match(sel, labels));
    cJSON_Delete(sel);
    cJSON_Delete(labels);
}

static void test_requirement_in_and_notin(void **state)
{
    const char *in = "{\"key\":\"zone\",\"operator\":\"In\",\"values\":[\"a\",\"b\"]}";
    const char *notin = "{\"key\":\"zone\",\"operator\":\"NotIn\",\"values\":[\"a\",\"b\"]}";

    (void)state;
    assert_true(req_matches(in, "{\"zone\":\"b\"}"));
    assert_false(req_matches(in, "{\"zone\":\"c\"}"));
    assert_false(req_matches(in, "{}"));
    assert_false(req_matches(notin, "{\"zone\":\"a\"}"));
    assert_true(req_matches(notin, "{\"zone\":\"c\"}"));
    /* NotIn matches a node without the label at all, as the scheduler does. */
    assert_true(req_matches(notin, "{}"));
}

static void test_requirement_exists_and_does_not_exist(void **state)
{
    (void)state;
    assert_true(req_matches("{\"key\":\"gpu\",\"operator\":\"Exists\"}", "{\"gpu\":\"\"}"));
    assert_false(req_matches("{\"key\":\"gpu\",\"operator\":\"Exists\"}", "{\"cpu\":\"x\"}"));
    assert_true(req_matches("{\"key\":\"gpu\",\"operator\":\"DoesNotExist\"}", "{}"));
    assert_false(req_matches("{\"key\":\"gpu\",\"operator\":\"DoesNotExist\"}", "{\"gpu\":\"1\"}"));
}

static void test_requirement_gt_lt_compare_integers(void **state)
{
    const char *gt = "{\"key\":\"cores\",\"operator\":\"Gt\",\"values\":[\"8\"]}";
    const char *lt = "{\"key\":\"cores\",\"operator\":\"Lt\",\"values\":[\"8\"]}";

    (void)state;
    /* Integers, not strings: "16" > "8" although "16" < "8" as text. */
    assert_true(req_matches(gt, "{\"cores\":\"16\"}"));
    assert_false(req_matches(gt, "{\"cores\":\"8\"}"));
    assert_true(req_matches(lt, "{\"cores\":\"-3\"}"));
    assert_false(req_matches(lt, "{\"cores\":\"8\"}"));
    assert_false(req_matches(gt, "{\"cores\":\"many\"}"));
    assert_false(req_matches(gt, "{\"cores\":\"16x\"}"));
    assert_false(req_matches(gt, "{}"));
    assert_false(req_matches(lt, "{}"));
    assert_false(req_matches("{\"key\":\"cores\",\"operator\":\"Gt\",\"values\":[\"1\",\"2\"]}",
                             "{\"cores\":\"16\"}"));
    assert_false(req_matches("{\"key\":\"cores\",\"operator\":\"Gt\",\"values\":[\"x\"]}",
                             "{\"cores\":\"16\"}"));
}

static void test_requirement_unknown_operator_matches_nothing(void **state)
{
    (void)state;
    assert_false(req_matches("{\"key\":\"zone\",\"operator\":\"in\",\"values\":[\"a\"]}",
                             "{\"zone\":\"a\"}"));
    assert_false(req_matches("{\"key\":\"zone\",\"values\":[\"a\"]}", "{\"zone\":\"a\"}"));
}

static void test_term_ands_expressions_and_empty_term_matches_nothing(void **state)
{
    cJSON *n = node("n1", "{\"zone\":\"a\",\"disk\":\"ssd\"}", "{}");
    cJSON *both =
        J("{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"In\",\"values\":[\"a\"]},"
          "{\"key\":\"disk\",\"operator\":\"In\",\"values\":[\"ssd\"]}]}");
    cJSON *one_fails = J("{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"In\","
                         "\"values\":[\"a\"]},{\"key\":\"disk\",\"operator\":\"In\","
                         "\"values\":[\"hdd\"]}]}");
    cJSON *empty = J("{}"), *empty_list = J("{\"matchExpressions\":[]}");
    cJSON *by_name = J("{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
                       "\"values\":[\"n1\"]}]}");
    cJSON *by_other_name = J("{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
                             "\"values\":[\"n2\"]}]}");

    (void)state;
    assert_true(mg_nodes_term_match(both, n));
    assert_false(mg_nodes_term_match(one_fails, n));
    assert_false(mg_nodes_term_match(empty, n));
    assert_false(mg_nodes_term_match(empty_list, n));
    assert_true(mg_nodes_term_match(by_name, n));
    assert_false(mg_nodes_term_match(by_other_name, n));
    cJSON_Delete(n);
    cJSON_Delete(both);
    cJSON_Delete(one_fails);
    cJSON_Delete(empty);
    cJSON_Delete(empty_list);
    cJSON_Delete(by_name);
    cJSON_Delete(by_other_name);
}

static void test_affinity_ors_terms(void **state)
{
    /* The documents' example: example.io/example-key In value-1 or value-2. */
    cJSON *aff = J("{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
                   "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"x\","
                   "\"operator\":\"In\",\"values\":[\"1\"]}]},{\"matchExpressions\":[{\"key\":"
                   "\"example.io/example-key\",\"operator\":\"In\",\"values\":"
                   "[\"example-value-1\",\"example-value-2\"]}]}]},"
                   "\"preferredDuringSchedulingIgnoredDuringExecution\":[{\"weight\":1,"
                   "\"preference\":{\"matchExpressions\":[{\"key\":\"never\",\"operator\":"
                   "\"Exists\"}]}}]}}");
    cJSON *n2 = node("n2", "{\"example.io/example-key\":\"example-value-2\"}", "{}");
    cJSON *n3 = node("n3", "{\"example.io/example-key\":\"example-value-3\"}", "{}");
    cJSON *no_terms = J("{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
                        "{\"nodeSelectorTerms\":[]}}}");
    cJSON *pref_only = J("{\"nodeAffinity\":{\"preferredDuringSchedulingIgnoredDuringExecution\":"
                         "[{\"weight\":5,\"preference\":{\"matchExpressions\":[{\"key\":\"never\","
                         "\"operator\":\"Exists\"}]}}]}}");

    (void)state;
    assert_true(mg_nodes_affinity_match(aff, n2));
    assert_false(mg_nodes_affinity_match(aff, n3));
    assert_false(mg_nodes_affinity_match(no_terms, n2));
    /* Preferred terms only weigh scores: they never filter a node out. */
    assert_true(mg_nodes_affinity_match(pref_only, n3));
    assert_true(mg_nodes_affinity_match(NULL, n3));
    cJSON_Delete(aff);
    cJSON_Delete(n2);
    cJSON_Delete(n3);
    cJSON_Delete(no_terms);
    cJSON_Delete(pref_only);
}

static bool tolerates(const char *t, const char *taint)
{
    cJSON *a = J(t), *b = J(taint);
    bool r = mg_nodes_toleration_matches(a, b);

    cJSON_Delete(a);
    cJSON_Delete(b);
    return r;
}

static void test_toleration_matching_rules(void **state)
{
    const char *taint = "{\"key\":\"key\",\"value\":\"virtualization\",\"effect\":\"NoSchedule\"}";

    (void)state;
    /* The documents' example toleration. */
    assert_true(tolerates("{\"key\":\"key\",\"operator\":\"Equal\",\"value\":\"virtualization\","
                          "\"effect\":\"NoSchedule\"}",
                          taint));
    assert_false(tolerates("{\"key\":\"key\",\"operator\":\"Equal\",\"value\":\"other\","
                           "\"effect\":\"NoSchedule\"}",
                           taint));
    /* An empty operator means Equal. */
    assert_true(tolerates("{\"key\":\"key\",\"value\":\"virtualization\"}", taint));
    assert_true(tolerates("{\"key\":\"key\",\"operator\":\"Exists\"}", taint));
    assert_false(
        tolerates("{\"key\":\"key\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"}", taint));
    assert_false(tolerates("{\"key\":\"other\",\"operator\":\"Exists\"}", taint));
    /* An empty key with Exists tolerates every taint. */
    assert_true(tolerates("{\"operator\":\"Exists\"}", taint));
    assert_false(tolerates("{\"key\":\"key\",\"operator\":\"Bogus\"}", taint));
}

static void test_taints_only_noschedule_and_noexecute_filter(void **state)
{
    cJSON *pref = node("p", "{}", "{\"taints\":[{\"key\":\"k\",\"effect\":\"PreferNoSchedule\"}]}");
    cJSON *ns =
        node("s", "{}", "{\"taints\":[{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoSchedule\"}]}");
    cJSON *ne =
        node("e", "{}", "{\"taints\":[{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoExecute\"}]}");
    cJSON *two = node("t", "{}",
                      "{\"taints\":[{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoSchedule\"},"
                      "{\"key\":\"j\",\"effect\":\"NoExecute\"}]}");
    cJSON *tol_k = J("[{\"key\":\"k\",\"operator\":\"Equal\",\"value\":\"v\"}]");

    (void)state;
    assert_true(mg_nodes_taints_tolerated(NULL, pref));
    assert_false(mg_nodes_taints_tolerated(NULL, ns));
    assert_false(mg_nodes_taints_tolerated(NULL, ne));
    assert_true(mg_nodes_taints_tolerated(tol_k, ns));
    assert_true(mg_nodes_taints_tolerated(tol_k, ne));
    /* Every filtering taint must be tolerated, not just one. */
    assert_false(mg_nodes_taints_tolerated(tol_k, two));
    cJSON_Delete(pref);
    cJSON_Delete(ns);
    cJSON_Delete(ne);
    cJSON_Delete(two);
    cJSON_Delete(tol_k);
}

#define NODES ((const cJSON *const *)nodes)
#define T MG_NODEFIT_TARGETS
#define P MG_NODEFIT_PLACEMENT

static void test_fit_excludes_unschedulable_and_counts_others(void **state)
{
    cJSON *nodes[4];
    cJSON *spec = J("{\"nodeSelector\":{\"pool\":\"vm\"},\"tolerations\":[{\"key\":\"virt\","
                    "\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]}");
    struct mg_placement p;
    const char *first = NULL;
    cJSON *added = J("{\"kubernetes.io/hostname\":\"n3\"}");

    (void)state;
    nodes[0] = node("n0", "{\"pool\":\"vm\"}", "{\"unschedulable\":true}");
    nodes[1] = node("n1", "{\"pool\":\"vm\",\"kubernetes.io/hostname\":\"n1\"}",
                    "{\"taints\":[{\"key\":\"virt\",\"effect\":\"NoSchedule\"}]}");
    nodes[2] = node("n2", "{\"pool\":\"db\"}", "{}");
    nodes[3] = node("n3", "{\"pool\":\"vm\",\"kubernetes.io/hostname\":\"n3\"}", "{}");
    mg_placement_from_spec(&p, spec);
    assert_int_equal(mg_nodes_count(&p, NODES, 4, T, NULL, &first), 2);
    assert_string_equal(first, "n1");
    assert_int_equal(mg_nodes_count(&p, NODES, 4, T, "n1", &first), 1);
    assert_string_equal(first, "n3");
    /* RULES.md 9.11: the cordoned n0 counts where the VM could run (VM007). */
    assert_int_equal(mg_nodes_count(&p, NODES, 4, P, NULL, &first), 3);
    assert_string_equal(first, "n0");
    assert_true(mg_nodes_schedulable(nodes[1]));
    assert_false(mg_nodes_schedulable(nodes[0]));
    p.added_selector = added;
    assert_int_equal(mg_nodes_count(&p, NODES, 4, T, NULL, NULL), 1);
    assert_int_equal(mg_nodes_count(&p, NODES, 4, T, "n3", &first), 0);
    assert_null(first);
    delete_all(nodes, 4);
    delete_all((cJSON *[]){spec, added}, 2);
}

/* RULES.md 9.11 after KubeVirt's nodeselectorrenderer.go: kubevirt.io/schedulable=true
 * only once some node carries the key, and the VM's own value for it wins. */
static void test_fit_schedulable_label_only_in_a_kubevirt_view(void **state)
{
    cJSON *nodes[3];
    cJSON *spec = J("{}"), *own = J("{\"nodeSelector\":{\"kubevirt.io/schedulable\":\"false\"}}");
    struct mg_placement p;
    const char *first = NULL;

    (void)state;
    make_nodes(nodes, 3,
               (const char *[]){"{\"pool\":\"vm\"}", "{\"pool\":\"vm\"}",
                                "{\"kubevirt.io/schedulable\":\"false\"}"});
    mg_placement_from_spec(&p, spec);
    /* n2 says the key exists in this view: n0 and n1 lack it; n2 has "false". */
    assert_int_equal(mg_nodes_count(&p, NODES, 3, P, NULL, &first), 0);
    assert_null(first);
    /* Without n2 no node carries the key: not required. */
    assert_int_equal(mg_nodes_count(&p, NODES, 2, P, NULL, &first), 2);
    mg_placement_from_spec(&p, own);
    assert_int_equal(mg_nodes_count(&p, NODES, 3, P, NULL, &first), 1);
    assert_string_equal(first, "n2");
    /* An addedNodeSelector cannot change it: KubeVirt's own value overrides. */
    mg_placement_from_spec(&p, spec);
    p.added_selector = own->child;
    assert_int_equal(mg_nodes_count(&p, NODES, 2, T, NULL, NULL), 2);
    delete_all(nodes, 3);
    delete_all((cJSON *[]){spec, own}, 2);
}

/* Dedicated CPUs need kubevirt.io/cpumanager=true, a named CPU model its
 * cpu-model.node.kubevirt.io/ label; host-model and host-passthrough name no model. */
static void test_fit_cpumanager_and_cpu_model_labels(void **state)
{
    cJSON *nodes[3];
    cJSON *ded = J("{\"domain\":{\"cpu\":{\"dedicatedCpuPlacement\":true}}}");
    cJSON *named = J("{\"domain\":{\"cpu\":{\"model\":\"Skylake-Server\"}}}");
    cJSON *hm = J("{\"domain\":{\"cpu\":{\"model\":\"host-model\"}}}");
    cJSON *hp = J("{\"domain\":{\"cpu\":{\"model\":\"host-passthrough\"}}}");
    cJSON *over = J("{\"nodeSelector\":{\"kubevirt.io/cpumanager\":\"false\"},"
                    "\"domain\":{\"cpu\":{\"dedicatedCpuPlacement\":true}}}");
    struct mg_placement p;
    const char *first = NULL;

    (void)state;
    make_nodes(nodes, 3,
               (const char *[]){"{\"kubevirt.io/cpumanager\":\"true\"}",
                                "{\"cpu-model.node.kubevirt.io/Skylake-Server\":\"true\"}",
                                "{\"kubevirt.io/cpumanager\":\"false\"}"});
    mg_placement_from_spec(&p, ded);
    assert_true(p.dedicated_cpu);
    assert_int_equal(mg_nodes_count(&p, NODES, 3, T, NULL, &first), 1);
    assert_string_equal(first, "n0");
    /* KubeVirt writes "true" over the VM's own value for the key. */
    mg_placement_from_spec(&p, over);
    assert_int_equal(mg_nodes_count(&p, NODES, 3, T, NULL, &first), 1);
    assert_string_equal(first, "n0");
    mg_placement_from_spec(&p, named);
    assert_int_equal(mg_nodes_count(&p, NODES, 3, T, NULL, &first), 1);
    assert_string_equal(first, "n1");
    mg_placement_from_spec(&p, hm);
    assert_int_equal(mg_nodes_count(&p, NODES, 3, T, NULL, NULL), 3);
    mg_placement_from_spec(&p, hp);
    assert_int_equal(mg_nodes_count(&p, NODES, 3, T, NULL, NULL), 3);
    /* A host-model move needs the source's model as cpu-model-migration.node.kubevirt.io/. */
    p.host_model = "Skylake-Server";
    assert_int_equal(mg_nodes_count(&p, NODES, 3, T, NULL, NULL), 0);
    delete_all(nodes, 3);
    delete_all((cJSON *[]){ded, named, hm, hp, over}, 5);
}

/* The cordon's own taint is not weighed where cordoned nodes count (VM007), and is
 * where they do not (MIG007, the report). */
static void test_fit_cordon_taint_weighed_only_for_targets(void **state)
{
    cJSON *nodes[1];
    cJSON *spec = J("{}");
    struct mg_placement p;

    (void)state;
    nodes[0] = node("n0", "{}",
                    "{\"unschedulable\":true,\"taints\":[{\"key\":"
                    "\"node.kubernetes.io/unschedulable\",\"effect\":\"NoSchedule\"}]}");
    mg_placement_from_spec(&p, spec);
    assert_int_equal(mg_nodes_count(&p, NODES, 1, P, NULL, NULL), 1);
    assert_int_equal(mg_nodes_count(&p, NODES, 1, T, NULL, NULL), 0);
    cJSON_Delete(nodes[0]);
    cJSON_Delete(spec);
}

/* VM006 on spec: the number of problems, and every finding is VM006 and denies. */
static size_t problems(const char *spec_text, const char *want_field)
{
    struct mg_config cfg;
    struct mg_verdict v;
    cJSON *spec = J(spec_text);
    size_t n;

    mg_config_init(&cfg);
    mg_verdict_init(&v);
    n = mg_nodes_check_placement(spec, "spec.template.spec", &cfg, &v);
    assert_int_equal(v.n, n);
    for (size_t i = 0; i < v.n; i++) {
        assert_int_equal(v.items[i].rule, MG_RULE_VM006);
        assert_int_equal(v.items[i].action, MG_ACT_DENY);
        assert_true(strncmp(v.items[i].message, "[VM006] ", 8) == 0);
    }
    if (want_field && n > 0 && strcmp(v.items[0].field, want_field) != 0)
        fail_msg("field %s, want %s", v.items[0].field, want_field);
    mg_verdict_free(&v);
    cJSON_Delete(spec);
    return n;
}

#define REQ(expr)                                                                                  \
    "{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"         \
    "{\"nodeSelectorTerms\":[{\"matchExpressions\":[" expr "]}]}}}}"

static void test_vm006_accepts_well_formed_rules(void **state)
{
    (void)state;
    assert_int_equal(problems("{\"nodeSelector\":{\"example.io/k\":\"v\",\"e\":\"\"},"
                              "\"tolerations\":[{\"key\":\"key\",\"operator\":\"Equal\","
                              "\"value\":\"virtualization\",\"effect\":\"NoSchedule\"},"
                              "{\"operator\":\"Exists\"},{\"key\":\"k\",\"operator\":\"Exists\","
                              "\"effect\":\"NoExecute\",\"tolerationSeconds\":30}]}",
                              NULL),
                     0);
    assert_int_equal(problems(REQ("{\"key\":\"a\",\"operator\":\"In\",\"values\":[\"x\"]},"
                                  "{\"key\":\"b\",\"operator\":\"Exists\"},"
                                  "{\"key\":\"c\",\"operator\":\"Gt\",\"values\":[\"-4\"]}"),
                              NULL),
                     0);
    assert_int_equal(problems("{}", NULL), 0);
}

static void test_vm006_operator_value_rules(void **state)
{
    const char *base = "spec.template.spec.affinity.nodeAffinity."
                       "requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]."
                       "matchExpressions[0]";
    char field[512];

    (void)state;
    snprintf(field, sizeof(field), "%s.operator", base);
    assert_int_equal(
        problems(REQ("{\"key\":\"a\",\"operator\":\"Equals\",\"values\":[\"x\"]}"), field), 1);
    snprintf(field, sizeof(field), "%s.values", base);
    assert_int_equal(problems(REQ("{\"key\":\"a\",\"operator\":\"In\",\"values\":[]}"), field), 1);
    assert_int_equal(problems(REQ("{\"key\":\"a\",\"operator\":\"NotIn\"}"), field), 1);
    assert_int_equal(
        problems(REQ("{\"key\":\"a\",\"operator\":\"Exists\",\"values\":[\"x\"]}"), field), 1);
    assert_int_equal(
        problems(REQ("{\"key\":\"a\",\"operator\":\"Gt\",\"values\":[\"1.5\"]}"), field), 1);
    assert_int_equal(
        problems(REQ("{\"key\":\"a\",\"operator\":\"Lt\",\"values\":[\"1\",\"2\"]}"), field), 1);
    snprintf(field, sizeof(field), "%s.key", base);
    assert_int_equal(problems(REQ("{\"key\":\"-bad-\",\"operator\":\"Exists\"}"), field), 1);
}

static void test_vm006_terms_weights_and_tolerations(void **state)
{
    (void)state;
    assert_int_equal(problems("{\"affinity\":{\"nodeAffinity\":{\"requiredDuringScheduling"
                              "IgnoredDuringExecution\":{\"nodeSelectorTerms\":[]}}}}",
                              NULL),
                     1);
    assert_int_equal(problems("{\"affinity\":{\"nodeAffinity\":{\"preferredDuringScheduling"
                              "IgnoredDuringExecution\":[{\"weight\":0,\"preference\":{}},"
                              "{\"weight\":101,\"preference\":{}},{\"weight\":100,"
                              "\"preference\":{}}]}}}",
                              "spec.template.spec.affinity.nodeAffinity."
                              "preferredDuringSchedulingIgnoredDuringExecution[0]"),
                     2);
    assert_int_equal(problems("{\"tolerations\":[{\"key\":\"k\",\"operator\":\"Exists\","
                              "\"value\":\"v\"}]}",
                              "spec.template.spec.tolerations[0]"),
                     1);
    assert_int_equal(problems("{\"tolerations\":[{\"key\":\"k\",\"effect\":\"NoRun\"}]}", NULL), 1);
    assert_int_equal(problems("{\"tolerations\":[{\"value\":\"v\",\"operator\":\"Equal\"}]}", NULL),
                     1);
    assert_int_equal(problems("{\"tolerations\":[{\"key\":\"k\",\"operator\":\"In\"}]}", NULL), 1);
    assert_int_equal(problems("{\"tolerations\":[{\"key\":\"k\",\"operator\":\"Exists\","
                              "\"effect\":\"NoSchedule\",\"tolerationSeconds\":5}]}",
                              NULL),
                     1);
}

static void test_vm006_node_selector_labels(void **state)
{
    (void)state;
    assert_int_equal(problems("{\"nodeSelector\":{\"bad key\":\"v\"}}",
                              "spec.template.spec.nodeSelector.bad key"),
                     1);
    assert_int_equal(problems("{\"nodeSelector\":{\"k\":\"not a value\"}}", NULL), 1);
    assert_int_equal(problems("{\"nodeSelector\":{\"k\":true}}", NULL), 1);
    assert_int_equal(problems("{\"nodeSelector\":[\"k\"]}", NULL), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selector_needs_every_label_exactly),
        cmocka_unit_test(test_selector_rejects_non_string_value),
        cmocka_unit_test(test_requirement_in_and_notin),
        cmocka_unit_test(test_requirement_exists_and_does_not_exist),
        cmocka_unit_test(test_requirement_gt_lt_compare_integers),
        cmocka_unit_test(test_requirement_unknown_operator_matches_nothing),
        cmocka_unit_test(test_term_ands_expressions_and_empty_term_matches_nothing),
        cmocka_unit_test(test_affinity_ors_terms),
        cmocka_unit_test(test_toleration_matching_rules),
        cmocka_unit_test(test_taints_only_noschedule_and_noexecute_filter),
        cmocka_unit_test(test_fit_excludes_unschedulable_and_counts_others),
        cmocka_unit_test(test_fit_schedulable_label_only_in_a_kubevirt_view),
        cmocka_unit_test(test_fit_cpumanager_and_cpu_model_labels),
        cmocka_unit_test(test_fit_cordon_taint_weighed_only_for_targets),
        cmocka_unit_test(test_vm006_accepts_well_formed_rules),
        cmocka_unit_test(test_vm006_operator_value_rules),
        cmocka_unit_test(test_vm006_terms_weights_and_tolerations),
        cmocka_unit_test(test_vm006_node_selector_labels),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
