/* SPDX-License-Identifier: Apache-2.0 */
/* test_view.c - the view at scale: packed kinds read back as they went in (less what
 * prune drops), decoded objects live until the reader's unlock, one kind exchanged
 * without touching the others, and the indexes every store carries moving with their
 * objects instead of hearing of each one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "policy.h"
#include "store.h"

static cJSON *parse(const char *text)
{
    cJSON *o = cJSON_Parse(text);

    assert_non_null(o);
    return o;
}

static cJSON *vmi(const char *ns, const char *name, const char *node)
{
    char buf[1024];

    snprintf(buf, sizeof(buf),
             "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\","
             "\"metadata\":{\"name\":\"%s\",\"namespace\":\"%s\",\"uid\":\"u-1\","
             "\"labels\":{\"app\":\"db\"},\"annotations\":{\"kubevirt.io/"
             "allow-pod-bridge-network-live-migration\":\"\",\"cdi.kubevirt.io/x\":\"y\"}},"
             "\"spec\":{\"domain\":{\"devices\":{\"interfaces\":[{\"name\":\"default\","
             "\"macAddress\":\"02:00:00:00:00:01\",\"bridge\":{}}],\"disks\":[{\"name\":\"d\"}]}},"
             "\"volumes\":[{\"name\":\"c\",\"cloudInitNoCloud\":{\"userData\":\"#cloud-config\"}},"
             "{\"name\":\"d\",\"persistentVolumeClaim\":{\"claimName\":\"pvc-%s\"}}]},"
             "\"status\":{\"phase\":\"Running\",\"nodeName\":\"%s\",\"guestOSInfo\":{\"id\":"
             "\"rhel\"},\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},{\"type\":"
             "\"LiveMigratable\",\"status\":\"False\",\"reason\":\"R\",\"message\":\"M\","
             "\"lastProbeTime\":null}]}}",
             name, ns, name, node);
    return parse(buf);
}

static void test_packed_kind_reads_back_what_rules_read(void **state)
{
    struct mg_store *s = mg_store_new();
    const cJSON *o, *st, *cond;
    char *text;

    (void)state;
    for (int i = 0; i < 50; i++) {
        char name[32];

        snprintf(name, sizeof(name), "vm-%d", i);
        assert_int_equal(mg_store_put(s, vmi("ns", name, "node-1"), NULL), 0);
    }
    mg_store_rdlock(s);
    o = mg_store_get(s, "VirtualMachineInstance", "ns", "vm-17");
    assert_non_null(o);
    assert_string_equal(mg_json_name(o), "vm-17");
    assert_string_equal(mg_json_str(mg_json_get(mg_json_get(o, "metadata"), "labels"), "app"),
                        "db");
    st = mg_json_get(o, "status");
    assert_string_equal(mg_json_str(st, "nodeName"), "node-1");
    assert_string_equal(mg_json_str(st, "phase"), "Running");
    /* Kept: the pod-bridge opt-in, the bridge binding, the claim, the condition that
     * MIG003 quotes. Gone: uid, foreign annotations, MACs, disks, cloud-init data,
     * guest info, the Ready condition and timestamps. */
    text = cJSON_PrintUnformatted(o);
    assert_non_null(strstr(text, "allow-pod-bridge-network-live-migration"));
    assert_non_null(strstr(text, "\"bridge\":{}"));
    assert_non_null(strstr(text, "\"claimName\":\"pvc-vm-17\""));
    assert_non_null(strstr(text, "\"cloudInitNoCloud\":{}"));
    assert_null(strstr(text, "u-1"));
    assert_null(strstr(text, "cdi.kubevirt.io"));
    assert_null(strstr(text, "macAddress"));
    assert_null(strstr(text, "disks"));
    assert_null(strstr(text, "cloud-config"));
    assert_null(strstr(text, "guestOSInfo"));
    assert_null(strstr(text, "lastProbeTime"));
    free(text);
    cond = cJSON_GetArrayItem(mg_json_get(st, "conditions"), 0);
    assert_string_equal(mg_json_str(cond, "type"), "LiveMigratable");
    assert_string_equal(mg_json_str(cond, "message"), "M");
    assert_int_equal(cJSON_GetArraySize(mg_json_get(st, "conditions")), 1);
    /* Two lookups of the same object are two decodes, both valid until the unlock. */
    assert_ptr_not_equal(mg_store_get(s, "VirtualMachineInstance", "ns", "vm-17"), o);
    assert_string_equal(mg_json_name(o), "vm-17");
    mg_store_unlock(s);
    mg_store_free(s);
}

/* RULES.md edition 2 reads these of the packed kinds (VM003-VM005, MIG003, section 8). */
static void test_packed_kinds_keep_what_edition_2_reads(void **state)
{
    struct mg_store *s = mg_store_new();
    const cJSON *o;
    char *text;

    (void)state;
    assert_int_equal(
        mg_store_put(
            s,
            parse(
                "{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"v\","
                "\"namespace\":\"ns\",\"ownerReferences\":[{\"apiVersion\":\"kubevirt.io/v1\","
                "\"kind\":\"VirtualMachine\",\"name\":\"v\",\"uid\":\"u-9\",\"controller\":true}]},"
                "\"spec\":{\"domain\":{\"devices\":{\"autoattachPodInterface\":false,"
                "\"interfaces\":[{\"name\":\"a\",\"binding\":{\"name\":\"l2bridge\"}},"
                "{\"name\":\"b\",\"passtBinding\":{}},{\"name\":\"c\",\"slirp\":{}}],"
                "\"gpus\":[{\"name\":\"g\",\"deviceName\":\"nvidia.com/T4\"}]},"
                "\"launchSecurity\":{\"sev\":{}}}},"
                "\"status\":{\"migrationTransport\":\"TCP\",\"migratedVolumes\":[{"
                "\"volumeName\":\"d\"}],\"volumeStatus\":[{\"name\":\"d\",\"target\":"
                "\"vda\",\"persistentVolumeClaimInfo\":{\"claimName\":\"p\",\"accessModes\":["
                "\"ReadWriteOnce\"],\"capacity\":{\"storage\":\"1Gi\"}}}]}}"),
            NULL),
        0);
    assert_int_equal(
        mg_store_put(s,
                     parse("{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"v\","
                           "\"namespace\":\"ns\"},\"spec\":{\"instancetype\":{\"kind\":"
                           "\"VirtualMachineInstancetype\",\"name\":\"gpu\"},\"template\":{"
                           "\"spec\":{\"domain\":{\"cpu\":{\"dedicatedCpuPlacement\":true}}}}}}"),
                     NULL),
        0);
    mg_store_rdlock(s);
    o = mg_store_get(s, "VirtualMachineInstance", "ns", "v");
    text = cJSON_PrintUnformatted(o);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"controller\":true"));
    assert_non_null(strstr(text, "\"autoattachPodInterface\":false"));
    assert_non_null(strstr(text, "\"binding\":{\"name\":\"l2bridge\"}"));
    assert_non_null(strstr(text, "\"passtBinding\":{}"));
    assert_non_null(strstr(text, "\"slirp\":{}"));
    assert_non_null(strstr(text, "\"deviceName\":\"nvidia.com/T4\""));
    assert_non_null(strstr(text, "\"launchSecurity\":{\"sev\":{}}"));
    assert_non_null(strstr(text, "\"migrationTransport\":\"TCP\""));
    assert_non_null(strstr(text, "\"migratedVolumes\":[{\"volumeName\":\"d\"}]"));
    assert_non_null(strstr(text, "\"name\":\"d\",\"persistentVolumeClaimInfo\":{\"claimName\""
                                 ":\"p\",\"accessModes\":[\"ReadWriteOnce\"]}"));
    assert_null(strstr(text, "capacity"));
    free(text);
    o = mg_store_get(s, "VirtualMachine", "ns", "v");
    text = cJSON_PrintUnformatted(o);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"instancetype\":{\"kind\":\"VirtualMachineInstancetype\","
                                 "\"name\":\"gpu\"}"));
    assert_non_null(strstr(text, "\"dedicatedCpuPlacement\":true"));
    free(text);
    mg_store_unlock(s);
    mg_store_free(s);
}

static int count_each(void *ctx, const cJSON *obj)
{
    int *n = ctx;

    if (mg_json_name(obj))
        (*n)++;
    return 0;
}

static void test_each_and_count_walk_packed_kinds(void **state)
{
    struct mg_store *s = mg_store_new();
    int n = 0;

    (void)state;
    for (int i = 0; i < 300; i++) {
        char name[32];

        snprintf(name, sizeof(name), "vm-%d", i);
        mg_store_put(s, vmi(i % 2 ? "a" : "b", name, "node-1"), NULL);
    }
    assert_int_equal(mg_store_remove(s, "VirtualMachineInstance", "a", "vm-1"), 0);
    assert_int_equal(mg_store_count(s, "VirtualMachineInstance"), 299);
    assert_int_equal(mg_store_each(s, "VirtualMachineInstance", count_each, &n), 0);
    assert_int_equal(n, 299);
    assert_int_equal(mg_store_count(s, "Node"), 0);
    mg_store_free(s);
}

static cJSON *node(const char *name)
{
    char buf[256];

    snprintf(buf, sizeof(buf),
             "{\"kind\":\"Node\",\"metadata\":{\"name\":\"%s\"},\"status\":{\"images\":[1]}}",
             name);
    return parse(buf);
}

static cJSON *policy(const char *name, const char *app)
{
    char buf[512];

    snprintf(buf, sizeof(buf),
             "{\"apiVersion\":\"migrations.kubevirt.io/v1alpha1\",\"kind\":\"MigrationPolicy\","
             "\"metadata\":{\"name\":\"%s\"},\"spec\":{\"selectors\":{"
             "\"virtualMachineInstanceSelector\":{\"app\":\"%s\"}}}}",
             name, app);
    return parse(buf);
}

static const char *resolve_app(const struct mg_store *s, const char *app)
{
    cJSON *labels = cJSON_CreateObject();
    struct mg_policy_match m;
    const char *name;

    cJSON_AddStringToObject(labels, "app", app);
    assert_int_equal(mg_policy_resolve(s, labels, NULL, &m), 0);
    name = m.name ? m.name : "none";
    cJSON_Delete(labels);
    return name;
}

struct counts {
    int puts, removes, freed;
};

static int count_put(void *ctx, const cJSON *o, const cJSON *old)
{
    (void)o;
    (void)old;
    ((struct counts *)ctx)->puts++;
    return 0;
}

static void count_remove(void *ctx, const cJSON *o)
{
    (void)o;
    ((struct counts *)ctx)->removes++;
}

static void count_free(void *ctx)
{
    ((struct counts *)ctx)->freed++;
}

static const struct mg_store_hook node_hook = {"Node", count_put, count_remove, count_free};

static void test_exchange_one_kind_moves_its_objects_and_indexes(void **state)
{
    struct mg_store *dst = mg_store_new(), *src = mg_store_new();
    struct counts cd = {0}, cs = {0};

    (void)state;
    assert_int_equal(mg_store_on_change(dst, &node_hook, &cd), 0);
    assert_int_equal(mg_store_on_change(src, &node_hook, &cs), 0);
    mg_store_put(dst, node("old-1"), NULL);
    mg_store_put(dst, node("old-2"), NULL);
    mg_store_put(dst, policy("keep", "web"), NULL);
    mg_store_put(dst, vmi("ns", "v", "old-1"), NULL);
    for (int i = 0; i < 100; i++) {
        char name[32];

        snprintf(name, sizeof(name), "new-%d", i);
        mg_store_put(src, node(name), NULL);
    }
    mg_store_put(src, policy("other", "web"), NULL);
    cd.puts = cs.puts = 0;

    mg_store_wrlock(dst);
    assert_int_equal(mg_store_exchange(dst, src, "Node"), 0);
    mg_store_unlock(dst);

    /* The nodes changed places, nothing else did. */
    assert_int_equal(mg_store_count(dst, "Node"), 100);
    assert_non_null(mg_store_get(dst, "Node", "", "new-7"));
    assert_null(mg_store_get(dst, "Node", "", "old-1"));
    assert_int_equal(mg_store_count(src, "Node"), 2);
    assert_int_equal(mg_store_size(dst), 100 + 1 + 1);
    assert_string_equal(resolve_app(dst, "web"), "keep");
    assert_non_null(mg_store_get(dst, "VirtualMachineInstance", "ns", "v"));
    /* The hook both stores carry moved with the objects it describes: no one heard of
     * 102 objects coming and going. */
    assert_int_equal(cd.puts + cd.removes + cs.puts + cs.removes, 0);
    assert_ptr_equal(mg_store_hook_ctx(dst, &node_hook), &cs);
    assert_ptr_equal(mg_store_hook_ctx(src, &node_hook), &cd);
    /* The exchanged kind stays writable in both. */
    assert_int_equal(mg_store_remove(dst, "Node", "", "new-7"), 0);
    assert_int_equal(cs.removes, 1);
    mg_store_free(src);
    assert_int_equal(cd.freed, 1);
    mg_store_free(dst);
    assert_int_equal(cs.freed, 1);
}

static void test_exchange_of_every_kind_carries_the_policy_index(void **state)
{
    struct mg_store *dst = mg_store_new(), *src = mg_store_new();

    (void)state;
    mg_store_put(dst, policy("old", "web"), NULL);
    mg_store_put(src, policy("new", "db"), NULL);
    mg_store_put(src, vmi("ns", "v", "n"), NULL);
    assert_int_equal(mg_store_exchange(dst, src, NULL), 0);
    assert_string_equal(resolve_app(dst, "web"), "none");
    assert_string_equal(resolve_app(dst, "db"), "new");
    assert_string_equal(resolve_app(src, "web"), "old");
    assert_int_equal(mg_store_count(dst, "VirtualMachineInstance"), 1);
    assert_int_equal(mg_store_count(src, "VirtualMachineInstance"), 0);
    assert_int_equal(mg_store_exchange(dst, NULL, NULL), MG_EINVAL);
    assert_int_equal(mg_store_exchange(dst, dst, "Node"), MG_EINVAL);
    mg_store_free(src);
    mg_store_free(dst);
}

static void test_replacing_a_packed_object_keeps_one_copy(void **state)
{
    struct mg_store *s = mg_store_new();
    const cJSON *o;

    (void)state;
    mg_store_put(s, vmi("ns", "v", "node-1"), NULL);
    mg_store_put(s, vmi("ns", "v", "node-2"), NULL);
    assert_int_equal(mg_store_count(s, "VirtualMachineInstance"), 1);
    o = mg_store_get(s, "VirtualMachineInstance", "ns", "v");
    assert_string_equal(mg_json_str(mg_json_get(o, "status"), "nodeName"), "node-2");
    mg_store_release();
    mg_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packed_kind_reads_back_what_rules_read),
        cmocka_unit_test(test_each_and_count_walk_packed_kinds),
        cmocka_unit_test(test_exchange_one_kind_moves_its_objects_and_indexes),
        cmocka_unit_test(test_exchange_of_every_kind_carries_the_policy_index),
        cmocka_unit_test(test_replacing_a_packed_object_keeps_one_copy),
        cmocka_unit_test(test_packed_kinds_keep_what_edition_2_reads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
