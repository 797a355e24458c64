/* SPDX-License-Identifier: Apache-2.0 */
/* test_vmrules.c - RULES.md edition 2 on VMs and VMIs: the implicit pod interface and
 * binding plugins (VM003), VM004 as one warning, GPUs and instancetype devices (VM005),
 * eviction-strategy typos (VM006), the cluster default strategy from the HyperConverged
 * (9.8) and VMIs that KubeVirt itself writes (section 8). Objects are JSON written with
 * single quotes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vm.h"

/* JSON text with ' for " (no ' inside values). Caller frees with cJSON_Delete. */
static cJSON *J(const char *squoted)
{
    char *text = strdup(squoted);
    cJSON *o;

    assert_non_null(text);
    for (char *c = text; *c; c++)
        if (*c == '\'')
            *c = '"';
    o = cJSON_Parse(text);
    if (!o)
        fail_msg("bad test JSON: %s", squoted);
    free(text);
    return o;
}

/* A view of the objects given, NULL-terminated. */
static struct mg_store *view_of(const char *first, ...)
{
    struct mg_store *s = mg_store_new();
    va_list ap;

    assert_non_null(s);
    va_start(ap, first);
    for (const char *o = first; o; o = va_arg(ap, const char *))
        assert_int_equal(mg_store_put(s, J(o), NULL), 0);
    va_end(ap);
    return s;
}

struct res {
    struct mg_config cfg;
    struct mg_verdict v;
};

/* Check a VM whose template spec is spec_json (is_vmi: a VMI whose spec it is). */
static void run(struct res *r, const char *object, bool is_vmi, struct mg_store *view)
{
    cJSON *o = J(object);

    mg_verdict_free(&r->v);
    mg_verdict_init(&r->v);
    assert_int_equal(mg_vm_check(o, is_vmi, NULL, view, &r->cfg, 0, &r->v, NULL), 0);
    cJSON_Delete(o);
}

/* The findings are, in order, the rule ids of expect ("VM003! VM005": ! for deny), and
 * one of them says contains (NULL: no message is checked). */
static void want(const struct res *r, const char *expect, const char *contains)
{
    const char *at = expect;
    bool found = !contains;
    size_t i = 0;

    while (*at) {
        const char *end = strchr(at, ' ');
        size_t len = end ? (size_t)(end - at) : strlen(at);
        bool deny = len > 0 && at[len - 1] == '!';

        if (i >= r->v.n)
            fail_msg("want %s, only %zu findings", expect, r->v.n);
        if (strncmp(mg_rule_id(r->v.items[i].rule), at, len - deny) != 0 ||
            (r->v.items[i].action == MG_ACT_DENY) != deny)
            fail_msg("want %s, finding %zu is %s", expect, i, r->v.items[i].message);
        if (contains && strstr(r->v.items[i].message, contains))
            found = true;
        i++;
        at = end ? end + 1 : at + len;
    }
    if (i != r->v.n)
        fail_msg("want \"%s\", got %zu findings, the first: %s", expect, r->v.n,
                 r->v.items[0].message);
    if (!found)
        fail_msg("no finding says \"%s\"", contains);
}

static void init(struct res *r)
{
    memset(r, 0, sizeof(*r));
    mg_config_init(&r->cfg);
    mg_verdict_init(&r->v);
}

#define VM(tmpl_spec)                                                                              \
    "{'kind':'VirtualMachine','metadata':{'name':'vm1','namespace':'ns1'},"                        \
    "'spec':{'template':{'spec':" tmpl_spec "}}}"
#define VM_IT(it, tmpl_spec)                                                                       \
    "{'kind':'VirtualMachine','metadata':{'name':'vm1','namespace':'ns1'},"                        \
    "'spec':{'instancetype':" it ",'template':{'spec':" tmpl_spec "}}}"
#define KV(conf)                                                                                   \
    "{'kind':'KubeVirt','metadata':{'name':'kubevirt','namespace':'kubevirt'},"                    \
    "'spec':{'configuration':" conf "}}"
#define LIVE "'evictionStrategy':'LiveMigrate'"
#define POD_NET "'networks':[{'name':'default','pod':{}}]"

static void test_vm003_implicit_interface_follows_the_kubevirt_cr(void **state)
{
    struct mg_store *none = view_of(NULL), *kv_unset = view_of(KV("{}"), NULL);
    struct mg_store *kv_masq =
        view_of(KV("{'network':{'defaultNetworkInterface':'masquerade'}}"), NULL);
    struct res r;

    (void)state;
    init(&r);
    /* No interfaces, no networks: KubeVirt adds a pod interface of the CR's binding. */
    run(&r, VM("{" LIVE "}"), false, none);
    want(&r, "VM003", "cannot determine the implicit pod interface");
    run(&r, VM("{" LIVE "}"), false, kv_unset);
    want(&r, "VM003!", "bridge");
    assert_string_equal(r.v.items[0].field, "spec.template.spec.domain.devices.interfaces");
    run(&r, VM("{" LIVE "}"), false, kv_masq);
    want(&r, "", NULL);
    /* autoattachPodInterface: false means no pod interface at all. */
    run(&r, VM("{" LIVE ",'domain':{'devices':{'autoattachPodInterface':false}}}"), false,
        kv_unset);
    want(&r, "", NULL);
    /* A VMI has its interface written in by KubeVirt's VMI mutator. */
    run(&r, "{'kind':'VirtualMachineInstance','metadata':{'name':'v'},'spec':{" LIVE "}}", true,
        none);
    want(&r, "", NULL);
    mg_verdict_free(&r.v);
    mg_store_free(none);
    mg_store_free(kv_unset);
    mg_store_free(kv_masq);
}

static void test_vm003_binding_plugins_slirp_and_passt(void **state)
{
    struct mg_store *none = view_of(NULL);
    struct mg_store *kv = view_of(KV("{'network':{'binding':{'mig':{'sidecarImage':'x',"
                                     "'migration':{}},'nomig':{'sidecarImage':'y'}}}}"),
                                  NULL);
    struct res r;

    (void)state;
    init(&r);
    run(&r,
        VM("{" LIVE "," POD_NET ",'domain':{'devices':{'interfaces':[{'name':'default',"
           "'binding':{'name':'nomig'}}]}}}"),
        false, kv);
    want(&r, "VM003!", "network.binding.nomig.migration");
    assert_string_equal(r.v.items[0].field,
                        "spec.template.spec.domain.devices.interfaces[0].binding");
    /* migration: {} is present, so it migrates. */
    run(&r,
        VM("{" LIVE "," POD_NET ",'domain':{'devices':{'interfaces':[{'name':'default',"
           "'binding':{'name':'mig'}}]}}}"),
        false, kv);
    want(&r, "", NULL);
    run(&r,
        VM("{" LIVE "," POD_NET ",'domain':{'devices':{'interfaces':[{'name':'default',"
           "'binding':{'name':'mig'}}]}}}"),
        false, none);
    want(&r, "VM003", "no KubeVirt CR");
    /* The passt plugin and the core passt bindings migrate; slirp does not. */
    run(&r,
        VM("{" LIVE "," POD_NET ",'domain':{'devices':{'interfaces':[{'name':'default',"
           "'binding':{'name':'passt'}}]}}}"),
        false, none);
    want(&r, "", NULL);
    run(&r,
        VM("{" LIVE "," POD_NET ",'domain':{'devices':{'interfaces':[{'name':'default',"
           "'passtBinding':{}}]}}}"),
        false, none);
    want(&r, "", NULL);
    run(&r,
        VM("{" LIVE "," POD_NET ",'domain':{'devices':{'interfaces':[{'name':'default',"
           "'slirp':{}}]}}}"),
        false, none);
    want(&r, "VM003!", "slirp");
    mg_verdict_free(&r.v);
    mg_store_free(none);
    mg_store_free(kv);
}

#define PORTS_49152                                                                                \
    "'domain':{'devices':{'interfaces':[{'name':'default','masquerade':{},"                        \
    "'ports':[{'port':49152},{'port':49153}]}]}}"

static void test_vm004_one_warning_unless_legacy_tcp(void **state)
{
    struct mg_store *none = view_of(NULL);
    struct res r;

    (void)state;
    init(&r);
    /* A VM: exactly one warning for both ports, whatever the strategy. */
    run(&r, VM("{" LIVE "," POD_NET "," PORTS_49152 "}"), false, none);
    want(&r, "VM004", "legacy TCP migration transport");
    /* A VMI on the legacy transport: each port counts as the other rules do. */
    run(&r,
        "{'kind':'VirtualMachineInstance','metadata':{'name':'v'},'spec':{" LIVE "," POD_NET
        "," PORTS_49152 "},'status':{'migrationTransport':'TCP'}}",
        true, none);
    want(&r, "VM004! VM004!", "49153");
    run(&r,
        "{'kind':'VirtualMachineInstance','metadata':{'name':'v'},'spec':{" LIVE "," POD_NET
        "," PORTS_49152 "},'status':{'migrationTransport':'Unix'}}",
        true, none);
    want(&r, "VM004", NULL);
    /* Asked "can it migrate" (MIG003, the report), the note is no reason. */
    {
        cJSON *o = J(VM("{" LIVE "," POD_NET "," PORTS_49152 "}"));

        mg_verdict_free(&r.v);
        mg_verdict_init(&r.v);
        mg_vm_check(o, false, NULL, none, &r.cfg, MG_VM_FORCE_MUST, &r.v, NULL);
        want(&r, "", NULL);
        cJSON_Delete(o);
    }
    mg_verdict_free(&r.v);
    mg_store_free(none);
}

#define ONE_GPU                                                                                    \
    "'domain':{'devices':{'interfaces':[{'name':'default','masquerade':{}}],"                      \
    "'gpus':[{'name':'g','deviceName':'nvidia.com/GRID_T4'}]}}"

static void test_vm005_one_gpu_only_as_mediated_vgpu_with_the_gate(void **state)
{
    struct mg_store *none = view_of(NULL);
    struct mg_store *gate_mdev =
        view_of(KV("{'developerConfiguration':{'featureGates':['VGPULiveMigration']},"
                   "'permittedHostDevices':{'mediatedDevices':[{'mdevNameSelector':'GRID T4',"
                   "'resourceName':'nvidia.com/GRID_T4'}]}}"),
                NULL);
    struct mg_store *mdev_only = view_of(
        KV("{'permittedHostDevices':{'mediatedDevices':[{'resourceName':'nvidia.com/GRID_T4'}]}}"),
        NULL);
    struct mg_store *gate_pci =
        view_of(KV("{'developerConfiguration':{'featureGates':['VGPULiveMigration']},"
                   "'permittedHostDevices':{'pciHostDevices':[{'resourceName':"
                   "'nvidia.com/GRID_T4'}]}}"),
                NULL);
    struct res r;

    (void)state;
    init(&r);
    run(&r, VM("{" LIVE "," POD_NET "," ONE_GPU "}"), false, none);
    want(&r, "VM005", "cannot determine if GPU nvidia.com/GRID_T4");
    run(&r, VM("{" LIVE "," POD_NET "," ONE_GPU "}"), false, gate_mdev);
    want(&r, "", NULL);
    run(&r, VM("{" LIVE "," POD_NET "," ONE_GPU "}"), false, mdev_only);
    want(&r, "VM005!", "VGPULiveMigration");
    run(&r, VM("{" LIVE "," POD_NET "," ONE_GPU "}"), false, gate_pci);
    want(&r, "VM005!", "mediated vGPU");
    mg_verdict_free(&r.v);
    mg_store_free(none);
    mg_store_free(gate_mdev);
    mg_store_free(mdev_only);
    mg_store_free(gate_pci);
}

#define IFACE "'domain':{'devices':{'interfaces':[{'name':'default','masquerade':{}}]}}"

static void test_vm005_instancetype_devices_count(void **state)
{
    struct mg_store *view = view_of(
        "{'kind':'VirtualMachineClusterInstancetype','metadata':{'name':'gn1.xlarge'},"
        "'spec':{'cpu':{'guest':4},'gpus':[{'name':'a','deviceName':'x/a'},"
        "{'name':'b','deviceName':'x/a'}]}}",
        "{'kind':'VirtualMachineInstancetype','metadata':{'name':'sev','namespace':'ns1'},"
        "'spec':{'launchSecurity':{'sev':{}},'hostDevices':[{'name':'h','deviceName':'x/h'}]}}",
        NULL);
    struct res r;

    (void)state;
    init(&r);
    /* kind defaults to VirtualMachineClusterInstancetype. */
    run(&r, VM_IT("{'name':'gn1.xlarge'}", "{" LIVE "," POD_NET "," IFACE "}"), false, view);
    want(&r, "VM005!", "2 GPUs are assigned by its instancetype");
    assert_string_equal(r.v.items[0].field, "spec.instancetype");
    run(&r,
        VM_IT("{'kind':'VirtualMachineInstancetype','name':'sev'}",
              "{" LIVE "," POD_NET "," IFACE "}"),
        false, view);
    want(&r, "VM005! VM005!", "launchSecurity from the instancetype");
    /* An instancetype the view lacks: cannot determine, a warning. */
    run(&r, VM_IT("{'name':'u1.small'}", "{" LIVE "," POD_NET "," IFACE "}"), false, view);
    want(&r, "VM005", "VirtualMachineClusterInstancetype u1.small");
    mg_verdict_free(&r.v);
    mg_store_free(view);
}

static void test_vm006_eviction_typo_names_the_closest_value(void **state)
{
    struct mg_store *none = view_of(NULL);
    struct res r;

    (void)state;
    init(&r);
    run(&r, VM("{'evictionStrategy':'LiveMigration'," POD_NET "," IFACE "}"), false, none);
    want(&r, "VM006!", "did you mean LiveMigrate?");
    assert_string_equal(r.v.items[0].field, "spec.template.spec.evictionStrategy");
    run(&r, VM("{'evictionStrategy':'Whenever'," POD_NET "," IFACE "}"), false, none);
    want(&r, "VM006!", "not one of None, LiveMigrate");
    mg_verdict_free(&r.v);
    mg_store_free(none);
}

#define HCO(name, ns, strategy)                                                                    \
    "{'kind':'HyperConverged','metadata':{'name':'" name "','namespace':'" ns "'},"                \
    "'spec':{'evictionStrategy':'" strategy "'}}"

static void test_default_eviction_kubevirt_cr_then_hyperconverged(void **state)
{
    struct mg_store *hco = view_of(HCO("kubevirt-hyperconverged", "openshift-cnv", "LiveMigrate"),
                                   HCO("other", "a-first", "None"), NULL);
    struct mg_store *both =
        view_of(KV("{'evictionStrategy':'None'}"),
                HCO("kubevirt-hyperconverged", "openshift-cnv", "LiveMigrate"), NULL);
    struct res r;

    (void)state;
    init(&r);
    /* RULES.md 9.3 picks kubevirt-hyperconverged over a smaller namespace. */
    assert_int_equal(mg_vm_default_eviction(hco, &r.cfg), MG_EVICT_LIVE_MIGRATE);
    assert_int_equal(mg_vm_default_eviction(both, &r.cfg), MG_EVICT_NONE);
    r.cfg.default_eviction = MG_EVICT_LIVE_MIGRATE_IF_POSSIBLE;
    assert_int_equal(mg_vm_default_eviction(both, &r.cfg), MG_EVICT_LIVE_MIGRATE_IF_POSSIBLE);
    mg_store_free(hco);
    mg_store_free(both);
}

/* mg_vm_validate on a VMI CREATE by user with object. */
static void admit_vmi(struct res *r, const char *user, const char *object, struct mg_store *view)
{
    cJSON *o = J(object);
    struct mg_request req = {.uid = "u",
                             .group = "kubevirt.io",
                             .version = "v1",
                             .kind = "VirtualMachineInstance",
                             .name = "v",
                             .namespace_ = "ns1",
                             .op = MG_OP_CREATE,
                             .object = o,
                             .username = user};
    struct mg_vctx ctx = {&req, view, &r->cfg, &r->v};

    mg_verdict_free(&r->v);
    mg_verdict_init(&r->v);
    assert_int_equal(mg_vm_validate(&ctx), 0);
    cJSON_Delete(o);
}

#define BRIDGE_VMI(meta_extra)                                                                     \
    "{'kind':'VirtualMachineInstance','metadata':{'name':'v','namespace':'ns1'" meta_extra "},"    \
    "'spec':{" LIVE "," POD_NET ",'domain':{'devices':"                                            \
    "{'interfaces':[{'name':'default','bridge':{}}]}},'nodeSelector':{'bad key':'x'}}}"

static void test_vmi_that_kubevirt_writes_only_warns(void **state)
{
    struct mg_store *none = view_of(NULL);
    struct res r;

    (void)state;
    init(&r);
    admit_vmi(&r, "system:admin", BRIDGE_VMI(""), none);
    want(&r, "VM003! VM006!", NULL);
    /* RULES.md section 8: VM001-VM007, VM006 included, become warnings. */
    admit_vmi(&r, "system:serviceaccount:openshift-cnv:kubevirt-controller", BRIDGE_VMI(""), none);
    want(&r, "VM003 VM006", NULL);
    admit_vmi(&r, "system:serviceaccount:kubevirt:kubevirt-handler", BRIDGE_VMI(""), none);
    want(&r, "VM003 VM006", NULL);
    admit_vmi(&r, "system:serviceaccount:kubevirt:kubevirt-controller-x", BRIDGE_VMI(""), none);
    want(&r, "VM003! VM006!", NULL);
    admit_vmi(&r, "system:serviceaccount::kubevirt-controller", BRIDGE_VMI(""), none);
    want(&r, "VM003! VM006!", NULL);
    admit_vmi(&r, NULL,
              BRIDGE_VMI(",'ownerReferences':[{'apiVersion':'kubevirt.io/v1','kind':"
                         "'VirtualMachine','name':'v','controller':true}]"),
              none);
    want(&r, "VM003 VM006", NULL);
    /* An owner that does not control it is no VM's VMI. */
    admit_vmi(&r, NULL,
              BRIDGE_VMI(",'ownerReferences':[{'apiVersion':'kubevirt.io/v1','kind':"
                         "'VirtualMachine','name':'v'}]"),
              none);
    want(&r, "VM003! VM006!", NULL);
    mg_verdict_free(&r.v);
    mg_store_free(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vm003_implicit_interface_follows_the_kubevirt_cr),
        cmocka_unit_test(test_vm003_binding_plugins_slirp_and_passt),
        cmocka_unit_test(test_vm004_one_warning_unless_legacy_tcp),
        cmocka_unit_test(test_vm005_one_gpu_only_as_mediated_vgpu_with_the_gate),
        cmocka_unit_test(test_vm005_instancetype_devices_count),
        cmocka_unit_test(test_vm006_eviction_typo_names_the_closest_value),
        cmocka_unit_test(test_default_eviction_kubevirt_cr_then_hyperconverged),
        cmocka_unit_test(test_vmi_that_kubevirt_writes_only_warns),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
