/* SPDX-License-Identifier: Apache-2.0 */
/* test_manifest.c - what `migguard check` does to an object before the engine sees it:
 * resources and scope, namespaces, the review it builds, field paths as JSON pointers
 * (dotted keys, indices, escapes). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cjson_fixture.h"
#include "manifest.h"

static void test_manifest_resource_plurals(void **state)
{
    static const char *const cases[][2] = {
        {"HyperConverged", "hyperconvergeds"},
        {"MigrationPolicy", "migrationpolicies"},
        {"VirtualMachine", "virtualmachines"},
        {"VirtualMachineInstanceMigration", "virtualmachineinstancemigrations"},
        {"StorageClass", "storageclasses"},
        {"NetworkAttachmentDefinition", "network-attachment-definitions"},
        {"Gateway", "gateways"},
        {"Mesh", "meshes"},
    };
    char buf[64];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mg_manifest_resource(cases[i][0], buf, sizeof(buf));
        assert_string_equal(buf, cases[i][1]);
    }
    mg_manifest_resource("VirtualMachine", buf, 8);
    assert_string_equal(buf, "virtual");
}

static void test_manifest_namespace_default_and_cluster_scope(void **state)
{
    cJSON *vm = fx_parse("{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"a\"}}");
    cJSON *mp = fx_parse("{\"kind\":\"MigrationPolicy\",\"metadata\":{\"name\":\"p\","
                         "\"namespace\":\"x\"}}");
    cJSON *own = fx_parse("{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"a\","
                          "\"namespace\":\"web\"}}");
    cJSON *bad = fx_parse("{\"kind\":\"VirtualMachine\",\"metadata\":[]}");

    (void)state;
    assert_string_equal(mg_manifest_set_namespace(vm, "default"), "default");
    fx_expect_json(vm, "{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"a\","
                       "\"namespace\":\"default\"}}");
    assert_string_equal(mg_manifest_set_namespace(mp, "default"), "");
    fx_expect_json(mp, "{\"kind\":\"MigrationPolicy\",\"metadata\":{\"name\":\"p\"}}");
    assert_string_equal(mg_manifest_set_namespace(own, "default"), "web");
    assert_null(mg_manifest_set_namespace(bad, "default"));
    assert_true(mg_manifest_cluster_scoped("StorageProfile"));
    assert_false(mg_manifest_cluster_scoped("HyperConverged"));
    cJSON_Delete(vm);
    cJSON_Delete(mp);
    cJSON_Delete(own);
    cJSON_Delete(bad);
}

static void test_manifest_review_create_and_update(void **state)
{
    cJSON *obj = fx_parse("{\"apiVersion\":\"hco.kubevirt.io/v1beta1\",\"kind\":\"HyperConverged\","
                          "\"metadata\":{\"name\":\"h\",\"namespace\":\"cnv\"}}");
    cJSON *ns =
        fx_parse("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"n\"}}");
    cJSON *got;
    char *text = NULL;
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(mg_manifest_review(obj, NULL, "cnv", "check-1", &text, &err), 0);
    got = fx_parse(text);
    fx_expect_json(cJSON_GetObjectItem(got, "request"),
                   "{\"uid\":\"check-1\",\"kind\":{\"group\":\"hco.kubevirt.io\",\"version\":"
                   "\"v1beta1\",\"kind\":\"HyperConverged\"},\"resource\":{\"group\":"
                   "\"hco.kubevirt.io\",\"version\":\"v1beta1\",\"resource\":\"hyperconvergeds\"},"
                   "\"name\":\"h\",\"namespace\":\"cnv\",\"operation\":\"CREATE\",\"userInfo\":"
                   "{\"username\":\"migguard-check\"},\"object\":{\"apiVersion\":"
                   "\"hco.kubevirt.io/v1beta1\",\"kind\":\"HyperConverged\",\"metadata\":"
                   "{\"name\":\"h\",\"namespace\":\"cnv\"}},\"oldObject\":null,\"dryRun\":false}");
    fx_expect_json(cJSON_GetObjectItem(got, "apiVersion"), "\"admission.k8s.io/v1\"");
    cJSON_Delete(got);
    free(text);

    /* The core group is "", a cluster-scoped object has no namespace, old is oldObject. */
    assert_int_equal(mg_manifest_review(ns, ns, "", "check-2", &text, &err), 0);
    got = fx_parse(text);
    fx_expect_json(cJSON_GetObjectItem(cJSON_GetObjectItem(got, "request"), "kind"),
                   "{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Namespace\"}");
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(got, "request"), "namespace"));
    fx_expect_json(cJSON_GetObjectItem(cJSON_GetObjectItem(got, "request"), "operation"),
                   "\"UPDATE\"");
    fx_expect_json(cJSON_GetObjectItem(cJSON_GetObjectItem(got, "request"), "oldObject"),
                   "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"n\"}}");
    cJSON_Delete(got);
    free(text);
    cJSON_Delete(obj);
    cJSON_Delete(ns);
}

static void expect_pointer(const cJSON *obj, const char *field, const char *want)
{
    char buf[256];

    assert_int_equal(mg_manifest_pointer(obj, field, buf, sizeof(buf)), 0);
    assert_string_equal(buf, want);
}

static void test_manifest_pointer_walks_the_object(void **state)
{
    cJSON *obj =
        fx_parse("{\"spec\":{\"addedNodeSelector\":{\"kubernetes.io/hostname\":\"x\","
                 "\"kubernetes.io\":{\"hostname\":1},\"a~b\":1},"
                 "\"template\":{\"spec\":{\"volumes\":[{\"dataVolume\":{\"name\":\"d\"}}]}}}}");
    char small[8];

    (void)state;
    expect_pointer(obj, "spec.template.spec.volumes[0].dataVolume.name",
                   "/spec/template/spec/volumes/0/dataVolume/name");
    /* The longest key that exists wins, and '/' and '~' are escaped. */
    expect_pointer(obj, "spec.addedNodeSelector.kubernetes.io/hostname",
                   "/spec/addedNodeSelector/kubernetes.io~1hostname");
    expect_pointer(obj, "spec.addedNodeSelector.a~b", "/spec/addedNodeSelector/a~0b");
    /* Parts the object does not have are split at dots. */
    expect_pointer(obj, "spec.liveMigrationConfig.x[2].y", "/spec/liveMigrationConfig/x/2/y");
    expect_pointer(obj, "", "");
    assert_int_equal(mg_manifest_pointer(obj, "spec.template.spec", small, sizeof(small)),
                     MG_ETOOBIG);
    cJSON_Delete(obj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_resource_plurals),
        cmocka_unit_test(test_manifest_namespace_default_and_cluster_scope),
        cmocka_unit_test(test_manifest_review_create_and_update),
        cmocka_unit_test(test_manifest_pointer_walks_the_object),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
