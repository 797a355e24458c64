/* SPDX-License-Identifier: Apache-2.0 */
/* test_instancetype.c - a workload's effective devices and dedicated CPUs: its own spec,
 * the instancetype a VM names (kind defaulted and matched as KubeVirt matches it), the
 * workload's own field winning, a missing or unknown instancetype, and a VMI's spec
 * taken as it is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "instancetype.h"

static struct mg_store *view;
static cJSON *last_vm; /* what the last of_vm's answer borrows from */

static int setup(void **state)
{
    static const char *const objs[] = {
        "{\"kind\":\"VirtualMachineClusterInstancetype\",\"metadata\":{\"name\":\"cx1\","
        "\"namespace\":\"stray\"},\"spec\":{\"cpu\":{\"guest\":2,\"dedicatedCPUPlacement\":true},"
        "\"gpus\":[{\"name\":\"g\",\"deviceName\":\"nvidia.com/A100\"}]}}",
        "{\"kind\":\"VirtualMachineInstancetype\",\"metadata\":{\"name\":\"sev\","
        "\"namespace\":\"ns1\"},\"spec\":{\"launchSecurity\":{\"sev\":{}},"
        "\"hostDevices\":[{\"name\":\"h\",\"deviceName\":\"x/h\"}]}}",
    };

    (void)state;
    view = mg_store_new();
    assert_non_null(view);
    for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
        assert_int_equal(mg_store_put(view, cJSON_Parse(objs[i]), NULL), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mg_store_free(view);
    cJSON_Delete(last_vm);
    return 0;
}

/* The effective devices of a VM with spec.instancetype it (JSON, or NULL) and template
 * domain dom (JSON); valid until the next call. */
static void of_vm(const char *it, const char *dom, struct mg_instancetype_eff *e)
{
    char text[1024];

    snprintf(text, sizeof(text),
             "{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"v\",\"namespace\":\"ns1\"},"
             "\"spec\":{%s%s%s\"template\":{\"spec\":{\"domain\":%s}}}}",
             it ? "\"instancetype\":" : "", it ? it : "", it ? "," : "", dom);
    cJSON_Delete(last_vm);
    last_vm = cJSON_Parse(text);
    assert_non_null(last_vm);
    mg_instancetype_effective(last_vm, false, NULL, view, e);
}

static void test_instancetype_kind_defaults_to_the_cluster_kind(void **state)
{
    struct mg_instancetype_eff e;

    (void)state;
    of_vm("{\"name\":\"cx1\"}", "{}", &e);
    assert_false(e.missing);
    assert_string_equal(e.kind, MG_KIND_CLUSTER_INSTANCETYPE);
    assert_int_equal(cJSON_GetArraySize(e.gpus), 1);
    assert_true(e.gpus_from_it);
    /* dedicatedCPUPlacement: what H3's cpumanager label reads. */
    assert_true(e.dedicated_cpu);
    assert_true(e.dedicated_cpu_from_it);
    assert_null(e.host_devices);
    /* A stray namespace on a cluster-scoped object does not hide it; KubeVirt matches
     * the kind's resource names case-insensitively. */
    of_vm("{\"kind\":\"VirtualMachineClusterInstancetypes\",\"name\":\"cx1\"}", "{}", &e);
    assert_false(e.missing);
    assert_true(e.dedicated_cpu);
}

static void test_instancetype_namespaced_kind_in_the_vm_namespace(void **state)
{
    struct mg_instancetype_eff e;

    (void)state;
    of_vm("{\"kind\":\"virtualmachineinstancetype\",\"name\":\"sev\"}", "{}", &e);
    assert_false(e.missing);
    assert_non_null(e.launch_security);
    assert_true(e.launch_security_from_it);
    assert_int_equal(cJSON_GetArraySize(e.host_devices), 1);
    assert_false(e.dedicated_cpu);
    /* The namespaced one is not found as a cluster instancetype. */
    of_vm("{\"name\":\"sev\"}", "{}", &e);
    assert_true(e.missing);
    assert_null(e.launch_security);
}

static void test_instancetype_own_fields_win_and_unknown_kinds_are_missing(void **state)
{
    struct mg_instancetype_eff e;

    (void)state;
    of_vm("{\"name\":\"cx1\"}",
          "{\"cpu\":{\"dedicatedCpuPlacement\":true},\"devices\":{\"gpus\":[{\"name\":\"a\"},"
          "{\"name\":\"b\"}]}}",
          &e);
    assert_int_equal(cJSON_GetArraySize(e.gpus), 2);
    assert_false(e.gpus_from_it);
    assert_true(e.dedicated_cpu);
    assert_false(e.dedicated_cpu_from_it);
    of_vm("{\"kind\":\"VirtualMachinePreference\",\"name\":\"cx1\"}", "{}", &e);
    assert_true(e.missing);
    assert_null(e.gpus);
    of_vm(NULL, "{\"devices\":{\"hostDevices\":[{\"name\":\"h\"}]}}", &e);
    assert_false(e.missing);
    assert_null(e.kind);
    assert_int_equal(cJSON_GetArraySize(e.host_devices), 1);
}

static void test_instancetype_not_looked_up_for_a_vmi(void **state)
{
    struct mg_instancetype_eff e;
    cJSON *vmi = cJSON_Parse("{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"v\","
                             "\"namespace\":\"ns1\"},\"spec\":{\"instancetype\":{\"name\":\"cx1\"},"
                             "\"domain\":{\"cpu\":{\"dedicatedCpuPlacement\":true}}}}");

    (void)state;
    assert_non_null(vmi);
    /* KubeVirt copied the instancetype into the VMI's spec already. */
    mg_instancetype_effective(vmi, true, NULL, view, &e);
    assert_null(e.gpus);
    assert_null(e.kind);
    assert_false(e.missing);
    assert_true(e.dedicated_cpu);
    cJSON_Delete(vmi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instancetype_kind_defaults_to_the_cluster_kind),
        cmocka_unit_test(test_instancetype_namespaced_kind_in_the_vm_namespace),
        cmocka_unit_test(test_instancetype_own_fields_win_and_unknown_kinds_are_missing),
        cmocka_unit_test(test_instancetype_not_looked_up_for_a_vmi),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
