/* SPDX-License-Identifier: Apache-2.0 */
/* test_mig.c - MIG001-MIG008 on VirtualMachineInstanceMigration CREATE: names, the VMI
 * and its migratability, other migrations, the documents' addedNodeSelector example,
 * a selector only the current node satisfies, and the parallel limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mig.h"
#include "yamljson.h"

static struct mg_store *store(const char *text)
{
    struct mg_store *s = mg_store_new();
    struct mg_yaml_docs d = {0};
    struct mg_err err = {0};

    assert_non_null(s);
    if (!text)
        return s;
    if (mg_yaml_parse(text, strlen(text), "test", false, &d, &err))
        fail_msg("test YAML: line %d: %s", err.line, err.msg);
    for (size_t i = 0; i < d.n; i++) {
        assert_int_equal(mg_store_put(s, d.docs[i], NULL), 0);
        d.docs[i] = NULL;
    }
    mg_yaml_docs_free(&d);
    return s;
}

static cJSON *obj(const char *text)
{
    struct mg_yaml_docs d = {0};
    struct mg_err err = {0};
    cJSON *o;

    if (mg_yaml_parse(text, strlen(text), "test", false, &d, &err) || d.n != 1)
        fail_msg("test YAML: %s", err.msg);
    o = d.docs[0];
    d.docs[0] = NULL;
    mg_yaml_docs_free(&d);
    return o;
}

struct run {
    struct mg_config cfg;
    struct mg_verdict v;
};

static void migrate(struct run *r, enum mg_op op, const char *spec, const char *state)
{
    char text[2048];
    struct mg_store *s = store(state);
    cJSON *o;

    snprintf(text, sizeof(text),
             "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstanceMigration\n"
             "metadata: {name: migration-job, namespace: web}\nspec: %s\n",
             spec);
    o = obj(text);
    struct mg_request req = {"uid",
                             "kubevirt.io",
                             "v1",
                             "VirtualMachineInstanceMigration",
                             "migration-job",
                             "web",
                             op,
                             false,
                             o,
                             NULL,
                             NULL};
    struct mg_vctx ctx = {&req, s, &r->cfg, &r->v};

    mg_verdict_init(&r->v);
    assert_int_equal(mg_mig_validate(&ctx), 0);
    cJSON_Delete(o);
    mg_store_free(s);
}

static void setup_run(struct run *r)
{
    memset(r, 0, sizeof(*r));
    mg_config_init(&r->cfg);
}

/* The rule ids of the findings, space-separated, with "!" after each deny. */
static const char *ids(const struct run *r)
{
    static char buf[512];
    size_t at = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < r->v.n && at < sizeof(buf); i++)
        at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s%s", i ? " " : "",
                               mg_rule_id(r->v.items[i].rule),
                               r->v.items[i].action == MG_ACT_DENY ? "!" : "");
    return buf;
}

static void expect(struct run *r, const char *want, const char *contains)
{
    bool found = !contains;

    if (strcmp(ids(r), want) != 0)
        fail_msg("want findings \"%s\", got \"%s\" (%s)", want, ids(r),
                 r->v.n ? r->v.items[0].message : "");
    for (size_t i = 0; i < r->v.n && !found; i++)
        found = strstr(r->v.items[i].message, contains) != NULL;
    if (!found)
        fail_msg("no message contains \"%s\" (%s)", contains, r->v.n ? r->v.items[0].message : "");
    mg_verdict_free(&r->v);
}

#define VMI(name, extra_spec, status)                                                              \
    "kind: VirtualMachineInstance\nmetadata: {name: " name ", namespace: web}\n"                   \
    "spec: {" extra_spec "}\nstatus: {" status "}\n---\n"

static const char nodes[] =
    "kind: Node\nmetadata: {name: ip-172-28-114-198.example, labels: "
    "{kubernetes.io/hostname: ip-172-28-114-198.example, accelerator: gpu-enabled23}}\n---\n"
    "kind: Node\nmetadata: {name: ip-172-28-114-199.example, labels: "
    "{kubernetes.io/hostname: ip-172-28-114-199.example, accelerator: gpu-enabled23}}\n---\n"
    "kind: Node\nmetadata: {name: plain, labels: {kubernetes.io/hostname: plain}}\n---\n";

static const char running_fedora[] =
    VMI("vmi-fedora", "", "phase: Running, nodeName: ip-172-28-114-198.example");

static void test_mig001_vmi_name_required_and_valid(void **state)
{
    struct run r;

    (void)state;
    setup_run(&r);
    migrate(&r, MG_OP_CREATE, "{}", NULL);
    expect(&r, "MIG001!", "required");
    /* The documents' placeholder, copied literally. */
    migrate(&r, MG_OP_CREATE, "{vmiName: VMI name}", NULL);
    expect(&r, "MIG001!", "VMI name");
    migrate(&r, MG_OP_CREATE, "{vmiName: vmi-fedora}", NULL);
    expect(&r, "", NULL);
}

static void test_mig002_vmi_must_exist_and_not_be_finished(void **state)
{
    struct run r;

    (void)state;
    setup_run(&r);
    migrate(&r, MG_OP_CREATE, "{vmiName: vmi-other}", running_fedora);
    expect(&r, "MIG002!", "no VirtualMachineInstance vmi-other in namespace web");
    migrate(&r, MG_OP_CREATE, "{vmiName: done}", VMI("done", "", "phase: Succeeded"));
    expect(&r, "MIG002!", "Succeeded");
    migrate(&r, MG_OP_CREATE, "{vmiName: vmi-fedora}", running_fedora);
    expect(&r, "", NULL);
}

static void test_mig003_quotes_vm_rules_and_the_condition(void **state)
{
    struct run r;

    (void)state;
    setup_run(&r);
    /* A VM rule configured off does not hide what MIG003 checks. */
    r.cfg.actions[MG_RULE_VM001] = MG_ACT_OFF;
    migrate(&r, MG_OP_CREATE, "{vmiName: v}",
            VMI("v", "volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]",
                "phase: Running") "kind: PersistentVolumeClaim\n"
                                  "metadata: {name: data, namespace: web}\nspec: {accessModes: "
                                  "[ReadWriteOnce]}\n");
    expect(&r, "MIG003!", "[VM001] volume \"d\" is ReadWriteOnce");
    /* Unknown storage stays a warning. */
    migrate(&r, MG_OP_CREATE, "{vmiName: v}",
            VMI("v", "volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]",
                "phase: Running"));
    expect(&r, "MIG003", "cannot determine");
    migrate(&r, MG_OP_CREATE, "{vmiName: v}",
            VMI("v", "",
                "phase: Running, conditions: [{type: LiveMigratable, status: \"False\", "
                "reason: DisksNotLiveMigratable, message: \"PVC data is not shared\"}]"));
    expect(&r, "MIG003!", "DisksNotLiveMigratable: PVC data is not shared");
    migrate(&r, MG_OP_CREATE, "{vmiName: v}",
            VMI("v", "", "phase: Running, conditions: [{type: LiveMigratable, status: \"True\"}]"));
    expect(&r, "", NULL);
}

static void test_mig004_one_unfinished_migration_per_vmi(void **state)
{
    static const char other[] = "kind: VirtualMachineInstanceMigration\n"
                                "metadata: {name: earlier, namespace: web}\n"
                                "spec: {vmiName: %s}\nstatus: {phase: %s}\n";
    struct run r;
    char text[1024];
    size_t at;

    (void)state;
    setup_run(&r);
    at = (size_t)snprintf(text, sizeof(text), "%s", running_fedora);
    snprintf(text + at, sizeof(text) - at, other, "vmi-fedora", "Running");
    migrate(&r, MG_OP_CREATE, "{vmiName: vmi-fedora}", text);
    expect(&r, "MIG004!", "migration earlier of VMI vmi-fedora is still Running");
    snprintf(text + at, sizeof(text) - at, other, "vmi-fedora", "Failed");
    migrate(&r, MG_OP_CREATE, "{vmiName: vmi-fedora}", text);
    expect(&r, "", NULL);
    snprintf(text + at, sizeof(text) - at, other, "vmi-else", "Scheduling");
    migrate(&r, MG_OP_CREATE, "{vmiName: vmi-fedora}", text);
    expect(&r, "", NULL);
}

static void test_mig005_added_selector_labels(void **state)
{
    struct run r;

    (void)state;
    setup_run(&r);
    migrate(&r, MG_OP_CREATE,
            "{vmiName: v, addedNodeSelector: {\"bad key\": x, ok: 5, "
            "k: \"not valid\"}}",
            NULL);
    expect(&r, "MIG005! MIG005! MIG005!", "must be a string");
    migrate(&r, MG_OP_CREATE, "{vmiName: v, addedNodeSelector: [a]}", NULL);
    expect(&r, "MIG005!", "map");
}

static void test_mig006_added_selector_contradicts_vmi(void **state)
{
    struct run r;
    char text[2048];

    (void)state;
    setup_run(&r);
    snprintf(text, sizeof(text), "%s%s", nodes,
             VMI("vmi-fedora", "nodeSelector: {accelerator: gpu-enabled23}",
                 "phase: Running, nodeName: ip-172-28-114-198.example"));
    migrate(&r, MG_OP_CREATE, "{vmiName: vmi-fedora, addedNodeSelector: {accelerator: none}}",
            text);
    /* KubeVirt keeps the VMI's value, so node -199 still takes it: no MIG007. */
    expect(&r, "MIG006!", "KubeVirt keeps the VMI's value");
}

static void test_mig007_documents_example_and_current_node_only(void **state)
{
    struct run r;
    char text[2048];

    (void)state;
    setup_run(&r);
    snprintf(text, sizeof(text), "%s%s", nodes, running_fedora);
    /* The documents' example: both labels, ANDed, name node -199. */
    migrate(&r, MG_OP_CREATE,
            "{vmiName: vmi-fedora, addedNodeSelector: {accelerator: "
            "gpu-enabled23, kubernetes.io/hostname: \"ip-172-28-114-199.example\"}}",
            text);
    expect(&r, "", NULL);
    /* Only the node it runs on has these labels: denied now, not after a timeout. */
    migrate(&r, MG_OP_CREATE,
            "{vmiName: vmi-fedora, addedNodeSelector: {accelerator: "
            "gpu-enabled23, kubernetes.io/hostname: \"ip-172-28-114-198.example\"}}",
            text);
    expect(&r, "MIG007!", "other than ip-172-28-114-198.example");
    /* AND, not OR: no node has both. */
    migrate(&r, MG_OP_CREATE,
            "{vmiName: vmi-fedora, addedNodeSelector: {accelerator: "
            "gpu-enabled23, kubernetes.io/hostname: plain}}",
            text);
    expect(&r, "MIG007!",
           "no node other than ip-172-28-114-198.example can take this VMI now, the migration "
           "would time out: 1 node lacks accelerator=gpu-enabled23, 1 lacks "
           "kubernetes.io/hostname=plain; relax addedNodeSelector, or uncordon, label or "
           "untaint a node");
    /* VMIs unknown: the added labels must still name some node. */
    migrate(&r, MG_OP_CREATE, "{vmiName: vmi-fedora, addedNodeSelector: {zone: mars}}", nodes);
    expect(&r, "MIG007!", NULL);
}

static void test_mig008_parallel_limits_warn(void **state)
{
    struct run r;
    char text[8192];
    size_t at;

    (void)state;
    setup_run(&r);
    at = (size_t)snprintf(text, sizeof(text), "%s%s%s", running_fedora,
                          VMI("a", "", "phase: Running, nodeName: ip-172-28-114-198.example"),
                          VMI("b", "", "phase: Running, nodeName: ip-172-28-114-198.example"));
    for (int i = 0; i < 2; i++)
        at += (size_t)snprintf(text + at, sizeof(text) - at,
                               "kind: VirtualMachineInstanceMigration\nmetadata: {name: m%d, "
                               "namespace: web}\nspec: {vmiName: %s}\n---\n",
                               i, i ? "b" : "a");
    migrate(&r, MG_OP_CREATE, "{vmiName: vmi-fedora}", text);
    expect(&r, "MIG008", "already leave node ip-172-28-114-198.example");
    snprintf(text + at, sizeof(text) - at,
             "kind: HyperConverged\napiVersion: hco.kubevirt.io/v1beta1\n"
             "metadata: {name: kubevirt-hyperconverged, namespace: openshift-cnv}\n"
             "spec: {liveMigrationConfig: {parallelMigrationsPerCluster: 2, "
             "parallelOutboundMigrationsPerNode: 3}}\n");
    migrate(&r, MG_OP_CREATE, "{vmiName: vmi-fedora}", text);
    expect(&r, "MIG008", "2 migrations are unfinished (parallelMigrationsPerCluster 2)");
    /* RULES.md 9.3: a KubeVirt CR in the view gives the limits, not the HyperConverged. */
    at += strlen(text + at);
    snprintf(text + at, sizeof(text) - at,
             "---\nkind: KubeVirt\napiVersion: kubevirt.io/v1\n"
             "metadata: {name: kubevirt-kubevirt-hyperconverged, namespace: openshift-cnv}\n"
             "spec: {configuration: {migrations: {parallelMigrationsPerCluster: 10, "
             "parallelOutboundMigrationsPerNode: 10}}}\n");
    migrate(&r, MG_OP_CREATE, "{vmiName: vmi-fedora}", text);
    expect(&r, "", NULL);
}

static void test_update_and_delete_pass(void **state)
{
    struct run r;

    (void)state;
    setup_run(&r);
    migrate(&r, MG_OP_UPDATE, "{}", running_fedora);
    expect(&r, "", NULL);
    migrate(&r, MG_OP_DELETE, "{vmiName: gone}", running_fedora);
    expect(&r, "", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mig001_vmi_name_required_and_valid),
        cmocka_unit_test(test_mig002_vmi_must_exist_and_not_be_finished),
        cmocka_unit_test(test_mig003_quotes_vm_rules_and_the_condition),
        cmocka_unit_test(test_mig004_one_unfinished_migration_per_vmi),
        cmocka_unit_test(test_mig005_added_selector_labels),
        cmocka_unit_test(test_mig006_added_selector_contradicts_vmi),
        cmocka_unit_test(test_mig007_documents_example_and_current_node_only),
        cmocka_unit_test(test_mig008_parallel_limits_warn),
        cmocka_unit_test(test_update_and_delete_pass),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
