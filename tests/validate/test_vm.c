/* SPDX-License-Identifier: Apache-2.0 */
/* test_vm.c - VM001-VM007 on VirtualMachine and VirtualMachineInstance objects: the
 * access-mode sources in their order, the deny/warn split by eviction strategy (object,
 * config, KubeVirt CR), interfaces, devices, node targets, and UPDATE/DELETE handling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "access.h"
#include "vm.h"
#include "yamljson.h"

/* Parse YAML documents; returns how many, into docs[]. */
static size_t yaml(const char *text, cJSON **docs, size_t max)
{
    struct mg_yaml_docs d = {0};
    struct mg_err err = {0};
    size_t n;

    if (mg_yaml_parse(text, strlen(text), "test", false, &d, &err))
        fail_msg("test YAML: line %d: %s", err.line, err.msg);
    assert_true(d.n <= max);
    for (n = 0; n < d.n; n++) {
        docs[n] = d.docs[n];
        d.docs[n] = NULL;
    }
    mg_yaml_docs_free(&d);
    return n;
}

static cJSON *obj(const char *text)
{
    cJSON *docs[1];

    assert_int_equal(yaml(text, docs, 1), 1);
    return docs[0];
}

static struct mg_store *store(const char *text)
{
    struct mg_store *s = mg_store_new();
    cJSON *docs[64];
    size_t n = text ? yaml(text, docs, 64) : 0;

    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(mg_store_put(s, docs[i], NULL), 0);
    return s;
}

struct run {
    struct mg_config cfg;
    struct mg_verdict v;
    struct mg_vm_facts facts;
};

static void check(struct run *r, const char *object, bool vmi, const char *state)
{
    struct mg_store *s = store(state);
    cJSON *o = obj(object);

    mg_verdict_init(&r->v);
    assert_int_equal(mg_vm_check(o, vmi, NULL, s, &r->cfg, 0, &r->v, &r->facts), 0);
    cJSON_Delete(o);
    mg_store_free(s);
}

/* The action of the only finding of rule (fails when there is not exactly one). */
static enum mg_action only(const struct run *r, enum mg_rule rule, const char *contains)
{
    const struct mg_finding *f = NULL;

    for (size_t i = 0; i < r->v.n; i++) {
        if (r->v.items[i].rule != rule)
            continue;
        if (f)
            fail_msg("two %s findings: %s / %s", mg_rule_id(rule), f->message,
                     r->v.items[i].message);
        f = &r->v.items[i];
    }
    if (!f)
        fail_msg("no %s finding (%zu findings)", mg_rule_id(rule), r->v.n);
    if (contains && !strstr(f->message, contains))
        fail_msg("%s: \"%s\" lacks \"%s\"", mg_rule_id(rule), f->message, contains);
    return f->action;
}

static void none(const struct run *r)
{
    if (r->v.n)
        fail_msg("want no findings, got %zu: %s", r->v.n, r->v.items[0].message);
}

static void setup_run(struct run *r)
{
    memset(r, 0, sizeof(*r));
    mg_config_init(&r->cfg);
}

/* An explicit pod interface: without one KubeVirt adds its implicit interface (VM003). */
#define POD_IFACE "[{name: default, masquerade: {}}]"

#define VM_HEAD                                                                                    \
    "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: vm1, namespace: ns1}\n"

static const char vm_dvt[] = VM_HEAD "spec:\n"
                                     "  dataVolumeTemplates:\n"
                                     "  - metadata: {name: root}\n"
                                     "    spec: {storage: {storageClassName: %s}}\n"
                                     "  template:\n"
                                     "    spec:\n"
                                     "      evictionStrategy: LiveMigrate\n"
                                     "      domain: {devices: {interfaces: " POD_IFACE "}}\n"
                                     "      networks: [{name: default, pod: {}}]\n"
                                     "      volumes:\n"
                                     "      - {name: disk0, dataVolume: {name: root}}\n";

static void test_vm001_template_modes_win_over_pvc(void **state)
{
    struct run r;

    (void)state;
    setup_run(&r);
    check(&r,
          VM_HEAD "spec:\n  dataVolumeTemplates:\n  - metadata: {name: root}\n"
                  "    spec: {pvc: {accessModes: [ReadWriteMany]}}\n"
                  "  template: {spec: {evictionStrategy: LiveMigrate, volumes: "
                  "[{name: d, dataVolume: {name: root}}], domain: {devices: {interfaces: " POD_IFACE
                  "}}, networks: [{name: default, pod: {}}]}}\n",
          false,
          "kind: PersistentVolumeClaim\nmetadata: {name: root, namespace: ns1}\n"
          "spec: {accessModes: [ReadWriteOnce]}\n");
    none(&r);
    mg_verdict_free(&r.v);
}

static void test_vm001_pvc_then_storage_profile_by_volume_mode(void **state)
{
    char vm[2048];
    struct run r;
    const char *profile =
        "kind: StorageProfile\nmetadata: {name: fast}\n"
        "spec: {claimPropertySets: [{accessModes: [ReadWriteMany], volumeMode: Filesystem}]}\n"
        "status:\n  claimPropertySets:\n"
        "  - {accessModes: [ReadWriteMany], volumeMode: Block}\n"
        "  - {accessModes: [ReadWriteOnce], volumeMode: Filesystem}\n";

    (void)state;
    snprintf(vm, sizeof(vm), vm_dvt, "fast");
    setup_run(&r);
    /* RULES.md 9.9 (CDI's datavolume/util.go): status wins over spec, and without a
     * volumeMode the first set answers (RWX Block, as on Ceph RBD). */
    check(&r, vm, false, profile);
    none(&r);
    mg_verdict_free(&r.v);
    /* With a volumeMode, the first set of that mode. */
    snprintf(vm, sizeof(vm), vm_dvt, "fast, volumeMode: Filesystem");
    check(&r, vm, false, profile);
    assert_int_equal(only(&r, MG_RULE_VM001, "ReadWriteOnce (from StorageProfile fast)"),
                     MG_ACT_DENY);
    assert_string_equal(r.v.items[0].field, "spec.template.spec.volumes[0].dataVolume");
    mg_verdict_free(&r.v);
    /* No set of that mode: cannot determine, a warning. */
    check(&r, vm, false,
          "kind: StorageProfile\nmetadata: {name: fast}\n"
          "status: {claimPropertySets: [{accessModes: [ReadWriteMany], volumeMode: Block}]}\n");
    assert_int_equal(only(&r, MG_RULE_VM001, "StorageProfile fast: no Filesystem claimPropertySet"),
                     MG_ACT_WARN);
    mg_verdict_free(&r.v);
    /* A bound PVC answers before the profile. */
    check(&r, vm, false,
          "kind: PersistentVolumeClaim\nmetadata: {name: root, namespace: ns1}\n"
          "spec: {accessModes: [ReadWriteMany], storageClassName: fast}\n---\n");
    none(&r);
    mg_verdict_free(&r.v);
}

static void test_vm001_default_class_when_none_named(void **state)
{
    char vm[2048];
    struct run r;

    (void)state;
    snprintf(vm, sizeof(vm), vm_dvt, "null");
    setup_run(&r);
    check(&r, vm, false,
          "kind: StorageClass\nmetadata: {name: slow}\n---\n"
          "kind: StorageClass\nmetadata: {name: nfs, annotations: "
          "{storageclass.kubernetes.io/is-default-class: \"true\"}}\n---\n"
          "kind: StorageProfile\nmetadata: {name: slow}\n"
          "status: {claimPropertySets: [{accessModes: [ReadWriteOnce]}]}\n---\n"
          "kind: StorageProfile\nmetadata: {name: nfs}\n"
          "status: {claimPropertySets: [{accessModes: [ReadWriteMany]}]}\n");
    none(&r);
    mg_verdict_free(&r.v);
    check(&r, vm, false, "kind: StorageClass\nmetadata: {name: slow}\n");
    assert_int_equal(only(&r, MG_RULE_VM001, "no default StorageClass"), MG_ACT_WARN);
    mg_verdict_free(&r.v);
}

static void test_vm001_pvc_not_in_view_is_only_a_warning(void **state)
{
    struct run r;

    (void)state;
    setup_run(&r);
    check(&r,
          VM_HEAD "spec:\n  template: {spec: {evictionStrategy: LiveMigrate, volumes: "
                  "[{name: d, persistentVolumeClaim: {claimName: data}}]}}\n",
          false,
          "kind: StorageClass\nmetadata: {name: nfs, annotations: "
          "{storageclass.kubernetes.io/is-default-class: \"true\"}}\n---\n"
          "kind: StorageProfile\nmetadata: {name: nfs}\n"
          "status: {claimPropertySets: [{accessModes: [ReadWriteMany]}]}\n");
    /* RULES.md 9.9: the default class does not answer for a PVC we cannot see. */
    assert_int_equal(only(&r, MG_RULE_VM001, "PVC ns1/data is not in the view"), MG_ACT_WARN);
    assert_true(strncmp(r.v.items[0].message, "[VM001] cannot determine", 24) == 0);
    mg_verdict_free(&r.v);
}

static void test_vm001_read_only_many_is_not_enough(void **state)
{
    struct run r;

    (void)state;
    setup_run(&r);
    check(&r,
          VM_HEAD "spec:\n  template: {spec: {volumes: "
                  "[{name: d, persistentVolumeClaim: {claimName: data}}]}}\n",
          false,
          "kind: PersistentVolumeClaim\nmetadata: {name: data, namespace: ns1}\n"
          "spec: {accessModes: [ReadOnlyMany]}\n");
    /* No evictionStrategy and no default: the VM need not migrate, so a warning. */
    assert_int_equal(only(&r, MG_RULE_VM001, "ReadOnlyMany"), MG_ACT_WARN);
    assert_string_equal(r.facts.eviction, "None");
    mg_verdict_free(&r.v);
}

static void test_vm001_vmi_volume_status_before_pvc(void **state)
{
    struct run r;

    (void)state;
    setup_run(&r);
    check(&r,
          "kind: VirtualMachineInstance\nmetadata: {name: vmi1, namespace: ns1}\n"
          "spec: {evictionStrategy: LiveMigrate, volumes: [{name: d, persistentVolumeClaim: "
          "{claimName: data}}]}\n"
          "status: {volumeStatus: [{name: d, persistentVolumeClaimInfo: "
          "{accessModes: [ReadWriteOnce]}}]}\n",
          true,
          "kind: PersistentVolumeClaim\nmetadata: {name: data, namespace: ns1}\n"
          "spec: {accessModes: [ReadWriteMany]}\n");
    assert_int_equal(only(&r, MG_RULE_VM001, "volumeStatus"), MG_ACT_DENY);
    assert_string_equal(r.v.items[0].field, "spec.volumes[0].persistentVolumeClaim");
    mg_verdict_free(&r.v);
}

static void test_vm001_vmi_uses_its_owner_vm_templates(void **state)
{
    char vm[2048], both[4096];
    struct run r;
    static const char vmi[] =
        "kind: VirtualMachineInstance\nmetadata: {name: vm1, namespace: ns1, ownerReferences: "
        "[{kind: VirtualMachine, name: vm1, apiVersion: kubevirt.io/v1}]}\n"
        "spec: {evictionStrategy: LiveMigrate, volumes: [{name: disk0, dataVolume: {name: "
        "root}}]}\n";

    (void)state;
    snprintf(vm, sizeof(vm), vm_dvt, "fast");
    setup_run(&r);
    /* The owner's template names class fast, whose profile says RWO. */
    snprintf(both, sizeof(both),
             "%s---\nkind: StorageProfile\nmetadata: {name: fast}\n"
             "status: {claimPropertySets: [{accessModes: [ReadWriteOnce]}]}\n",
             vm);
    check(&r, vmi, true, both);
    assert_int_equal(only(&r, MG_RULE_VM001, "StorageProfile fast"), MG_ACT_DENY);
    mg_verdict_free(&r.v);
    /* Without its VM in the view the VMI's dataVolume is unknown. */
    check(&r, vmi, true, NULL);
    assert_int_equal(only(&r, MG_RULE_VM001, "no dataVolumeTemplate, DataVolume or PVC root"),
                     MG_ACT_WARN);
    mg_verdict_free(&r.v);
}

static const char vm_bridge[] =
    VM_HEAD "spec:\n  template:\n    metadata: {annotations: {%s: \"\"}}\n"
            "    spec:\n%s"
            "      domain: {devices: {interfaces: [{name: default, bridge: {}}]}}\n"
            "      networks: [{name: default, pod: {}}]\n";

static void test_eviction_strategy_sets_the_cap(void **state)
{
    char vm[2048];
    struct run r;
    const char *kv_live = "kind: KubeVirt\nmetadata: {name: kubevirt, namespace: kubevirt}\n"
                          "spec: {configuration: {evictionStrategy: LiveMigrate}}\n";

    (void)state;
    setup_run(&r);
    snprintf(vm, sizeof(vm), vm_bridge, "x", "      evictionStrategy: LiveMigrateIfPossible\n");
    check(&r, vm, false, kv_live);
    assert_int_equal(only(&r, MG_RULE_VM003, "bridge"), MG_ACT_WARN);
    mg_verdict_free(&r.v);
    snprintf(vm, sizeof(vm), vm_bridge, "x", "");
    check(&r, vm, false, kv_live);
    assert_int_equal(only(&r, MG_RULE_VM003, NULL), MG_ACT_DENY);
    assert_true(r.facts.must_migrate);
    mg_verdict_free(&r.v);
    check(&r, vm, false, NULL);
    assert_int_equal(only(&r, MG_RULE_VM003, NULL), MG_ACT_WARN);
    mg_verdict_free(&r.v);
    /* The config's default wins over the KubeVirt CR, both ways. */
    r.cfg.default_eviction = MG_EVICT_NONE;
    check(&r, vm, false, kv_live);
    assert_int_equal(only(&r, MG_RULE_VM003, NULL), MG_ACT_WARN);
    mg_verdict_free(&r.v);
    r.cfg.default_eviction = MG_EVICT_LIVE_MIGRATE;
    check(&r, vm, false, NULL);
    assert_int_equal(only(&r, MG_RULE_VM003, NULL), MG_ACT_DENY);
    mg_verdict_free(&r.v);
    /* A rule configured as warn never denies. */
    r.cfg.actions[MG_RULE_VM003] = MG_ACT_WARN;
    check(&r, vm, false, NULL);
    assert_int_equal(only(&r, MG_RULE_VM003, NULL), MG_ACT_WARN);
    mg_verdict_free(&r.v);
}

static void test_vm003_annotation_allows_pod_bridge(void **state)
{
    char vm[2048];
    struct run r;

    (void)state;
    setup_run(&r);
    snprintf(vm, sizeof(vm), vm_bridge, "kubevirt.io/allow-pod-bridge-network-live-migration",
             "      evictionStrategy: LiveMigrate\n");
    check(&r, vm, false, NULL);
    none(&r);
    mg_verdict_free(&r.v);
}

static void test_vm004_and_vm005_findings(void **state)
{
    struct run r;

    (void)state;
    setup_run(&r);
    check(&r,
          "kind: VirtualMachineInstance\nmetadata: {name: v, namespace: ns1}\n"
          "spec:\n  evictionStrategy: LiveMigrate\n"
          "  domain:\n    launchSecurity: {sev: {}}\n"
          "    features: {hypervPassthrough: {enabled: true}}\n"
          "    devices:\n      hostDevices: [{name: h, deviceName: x/y}]\n"
          "      gpus: [{name: a, deviceName: g}, {name: b, deviceName: g}]\n"
          "      interfaces: [{name: default, masquerade: {}, ports: [{port: 80}, "
          "{port: 49153}]}]\n"
          "  networks: [{name: default, pod: {}}]\n"
          "status: {migrationTransport: TCP}\n",
          true, NULL);
    /* The legacy TCP transport uses the ports: VM004 counts like the other rules. */
    assert_int_equal(only(&r, MG_RULE_VM004, "port 49153"), MG_ACT_DENY);
    assert_int_equal(r.v.n, 5);
    for (size_t i = 1; i < r.v.n; i++)
        assert_int_equal(r.v.items[i].rule, MG_RULE_VM005);
    assert_string_equal(r.v.items[0].field, "spec.domain.devices.interfaces[0].ports[1].port");
    mg_verdict_free(&r.v);
    /* Edition 2: one GPU without a KubeVirt CR in the view cannot be judged. */
    check(&r,
          "kind: VirtualMachineInstance\nmetadata: {name: v}\n"
          "spec: {domain: {devices: {gpus: [{name: a, deviceName: g}]}}}\n",
          true, NULL);
    assert_int_equal(only(&r, MG_RULE_VM005, "cannot determine if GPU g"), MG_ACT_WARN);
    mg_verdict_free(&r.v);
}

static void test_vm002_host_disk_must_be_shared(void **state)
{
    struct run r;

    (void)state;
    setup_run(&r);
    check(&r,
          VM_HEAD "spec: {template: {spec: {volumes: [{name: h, hostDisk: {path: /x, "
                  "type: Disk}}, {name: s, hostDisk: {path: /y, shared: true}}]}}}\n",
          false, NULL);
    assert_int_equal(only(&r, MG_RULE_VM002, "\"h\""), MG_ACT_WARN);
    assert_string_equal(r.v.items[0].field, "spec.template.spec.volumes[0].hostDisk.shared");
    mg_verdict_free(&r.v);
}

static const char nodes3[] =
    "kind: Node\nmetadata: {name: n1, labels: {pool: vm}}\n---\n"
    "kind: Node\nmetadata: {name: n2, labels: {pool: vm}}\nspec: {unschedulable: true}\n---\n"
    "kind: Node\nmetadata: {name: n3, labels: {pool: vm}}\n"
    "spec: {taints: [{key: dedicated, value: virt, effect: NoSchedule}]}\n";

static void test_vm007_needs_two_target_nodes(void **state)
{
    static const char vmi[] = "kind: VirtualMachineInstance\nmetadata: {name: v, namespace: ns1}\n"
                              "spec: {evictionStrategy: LiveMigrate, nodeSelector: {pool: vm}%s}\n"
                              "status: {nodeName: n1}\n";
    struct run r;
    char text[1024];

    (void)state;
    setup_run(&r);
    /* RULES.md 9.11 (edition 2): the cordoned n2 counts where the VM could run, so
     * VM007 is satisfied; it is no target to move to now (the report's TARGETS). */
    snprintf(text, sizeof(text), vmi, "");
    check(&r, text, true, nodes3);
    none(&r);
    assert_int_equal(r.facts.fitting_nodes, 2);
    assert_int_equal(r.facts.target_nodes, 0);
    mg_verdict_free(&r.v);
    snprintf(text, sizeof(text), vmi,
             ", tolerations: [{key: dedicated, operator: Equal, value: virt, effect: NoSchedule}]");
    check(&r, text, true, nodes3);
    none(&r);
    assert_true(r.facts.nodes_known);
    assert_int_equal(r.facts.fitting_nodes, 3);
    assert_int_equal(r.facts.target_nodes, 1);
    mg_verdict_free(&r.v);
    /* Dedicated CPUs: KubeVirt adds kubevirt.io/cpumanager=true, which no node has. */
    snprintf(text, sizeof(text), vmi, ", domain: {cpu: {dedicatedCpuPlacement: true}}");
    check(&r, text, true, nodes3);
    assert_int_equal(only(&r, MG_RULE_VM007,
                          "none of the 3 nodes can run this VM: 3 nodes lack "
                          "kubevirt.io/cpumanager=true, 1 has the untolerated taint "
                          "dedicated=virt:NoSchedule"),
                     MG_ACT_DENY);
    assert_int_equal(r.facts.fitting_nodes, 0);
    mg_verdict_free(&r.v);
    /* Without Nodes in the view there is nothing to count. */
    snprintf(text, sizeof(text), vmi, "");
    check(&r, text, true, NULL);
    none(&r);
    assert_false(r.facts.nodes_known);
    mg_verdict_free(&r.v);
}

static void test_vm006_always_denies_and_skips_vm007(void **state)
{
    struct run r;

    (void)state;
    setup_run(&r);
    check(&r, VM_HEAD "spec: {template: {spec: {nodeSelector: {\"bad key\": x}}}}\n", false,
          nodes3);
    assert_int_equal(only(&r, MG_RULE_VM006, "bad key"), MG_ACT_DENY);
    assert_false(mg_verdict_has(&r.v, MG_RULE_VM007));
    mg_verdict_free(&r.v);
}

static void validate(struct run *r, enum mg_op op, const char *object, const char *old)
{
    struct mg_store *s = store(NULL);
    cJSON *o = object ? obj(object) : NULL, *p = old ? obj(old) : NULL;
    struct mg_request req = {
        "uid", "kubevirt.io", "v1", "VirtualMachine", "vm1", "ns1", op, false, o, p, NULL};
    struct mg_vctx ctx = {&req, s, &r->cfg, &r->v};

    mg_verdict_init(&r->v);
    assert_int_equal(mg_vm_validate(&ctx), 0);
    cJSON_Delete(o);
    cJSON_Delete(p);
    mg_store_free(s);
}

static void test_update_keeps_old_denials_as_warnings(void **state)
{
    char live[2048], none_es[2048], annotated[2048];
    struct run r;

    (void)state;
    setup_run(&r);
    snprintf(live, sizeof(live), vm_bridge, "x", "      evictionStrategy: LiveMigrate\n");
    snprintf(none_es, sizeof(none_es), vm_bridge, "x", "      evictionStrategy: None\n");
    snprintf(annotated, sizeof(annotated), vm_bridge, "y", "      evictionStrategy: LiveMigrate\n");
    validate(&r, MG_OP_UPDATE, live, none_es);
    assert_int_equal(only(&r, MG_RULE_VM003, NULL), MG_ACT_DENY);
    mg_verdict_free(&r.v);
    /* A controller touching metadata of an object that already was denied. */
    validate(&r, MG_OP_UPDATE, annotated, live);
    assert_int_equal(only(&r, MG_RULE_VM003, NULL), MG_ACT_WARN);
    mg_verdict_free(&r.v);
    validate(&r, MG_OP_CREATE, live, NULL);
    assert_int_equal(only(&r, MG_RULE_VM003, NULL), MG_ACT_DENY);
    mg_verdict_free(&r.v);
    validate(&r, MG_OP_DELETE, NULL, live);
    none(&r);
    mg_verdict_free(&r.v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vm001_template_modes_win_over_pvc),
        cmocka_unit_test(test_vm001_pvc_then_storage_profile_by_volume_mode),
        cmocka_unit_test(test_vm001_default_class_when_none_named),
        cmocka_unit_test(test_vm001_pvc_not_in_view_is_only_a_warning),
        cmocka_unit_test(test_vm001_read_only_many_is_not_enough),
        cmocka_unit_test(test_vm001_vmi_volume_status_before_pvc),
        cmocka_unit_test(test_vm001_vmi_uses_its_owner_vm_templates),
        cmocka_unit_test(test_eviction_strategy_sets_the_cap),
        cmocka_unit_test(test_vm003_annotation_allows_pod_bridge),
        cmocka_unit_test(test_vm004_and_vm005_findings),
        cmocka_unit_test(test_vm002_host_disk_must_be_shared),
        cmocka_unit_test(test_vm007_needs_two_target_nodes),
        cmocka_unit_test(test_vm006_always_denies_and_skips_vm007),
        cmocka_unit_test(test_update_keeps_old_denials_as_warnings),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
