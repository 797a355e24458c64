/* SPDX-License-Identifier: Apache-2.0 */
/* test_access.c - where a volume's access modes come from: DataVolume objects, PVC
 * status, StorageProfile spec fallback, the default class (newest, virt default for
 * DataVolumes) and the "no class" PVC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "access.h"
#include "yamljson.h"

static struct mg_store *store(const char *text)
{
    struct mg_store *s = mg_store_new();
    struct mg_yaml_docs d = {0};
    struct mg_err err = {0};

    assert_non_null(s);
    if (mg_yaml_parse(text, strlen(text), "test", false, &d, &err))
        fail_msg("test YAML: line %d: %s", err.line, err.msg);
    for (size_t i = 0; i < d.n; i++) {
        assert_int_equal(mg_store_put(s, d.docs[i], NULL), 0);
        d.docs[i] = NULL;
    }
    mg_yaml_docs_free(&d);
    return s;
}

static const char classes[] =
    "kind: StorageClass\nmetadata: {name: old-default, creationTimestamp: \"2025-01-01T00:00:00Z\","
    " annotations: {storageclass.kubernetes.io/is-default-class: \"true\"}}\n---\n"
    "kind: StorageClass\nmetadata: {name: new-default, creationTimestamp: \"2026-01-01T00:00:00Z\","
    " annotations: {storageclass.beta.kubernetes.io/is-default-class: \"true\"}}\n---\n"
    "kind: StorageClass\nmetadata: {name: virt, annotations: "
    "{storageclass.kubevirt.io/is-default-virt-class: \"true\"}}\n---\n"
    "kind: StorageProfile\nmetadata: {name: new-default}\n"
    "spec: {claimPropertySets: [{accessModes: [ReadWriteOnce]}]}\n---\n"
    "kind: StorageProfile\nmetadata: {name: virt, namespace: openshift-cnv}\n"
    "status: {claimPropertySets: [{accessModes: [ReadWriteMany, ReadWriteOnce]}]}\n---\n";

static void resolve(const char *state, const char *claim, bool dv, struct mg_access *out)
{
    struct mg_store *s = store(state);
    struct mg_volume_ref ref = {"disk", claim, dv, "ns1", NULL, NULL};

    mg_access_resolve(&ref, s, out);
    mg_store_free(s);
}

static void test_default_class_newest_and_virt_preferred(void **state)
{
    struct mg_store *s = store(classes);

    (void)state;
    assert_string_equal(mg_access_default_class(s, false), "new-default");
    assert_string_equal(mg_access_default_class(s, true), "virt");
    mg_store_free(s);
}

static void test_data_volume_object_and_virt_default(void **state)
{
    struct mg_access a;
    char text[4096];

    (void)state;
    snprintf(text, sizeof(text),
             "%skind: DataVolume\nmetadata: {name: root, namespace: ns1}\n"
             "spec: {storage: {resources: {requests: {storage: 1Gi}}}}\n",
             classes);
    resolve(text, "root", true, &a);
    assert_true(a.known);
    assert_true(a.rwx);
    assert_string_equal(a.modes, "ReadWriteMany,ReadWriteOnce");
    assert_string_equal(a.source, "StorageProfile virt");
    snprintf(text, sizeof(text),
             "%skind: DataVolume\nmetadata: {name: root, namespace: ns1}\n"
             "spec: {pvc: {accessModes: [ReadWriteOnce]}}\n",
             classes);
    resolve(text, "root", true, &a);
    assert_false(a.rwx);
    assert_string_equal(a.source, "the DataVolume");
    /* No template, DataVolume or PVC: unknown. */
    resolve(classes, "root", true, &a);
    assert_false(a.known);
    assert_non_null(strstr(a.unknown, "no dataVolumeTemplate, DataVolume or PVC root"));
}

static void test_pvc_profile_spec_fallback_and_no_class(void **state)
{
    struct mg_access a;
    char text[4096];

    (void)state;
    /* A PVC without modes and class: the (non-virt) default class, whose profile has only
     * spec sets. */
    snprintf(text, sizeof(text),
             "%skind: PersistentVolumeClaim\n"
             "metadata: {name: data, namespace: ns1}\nspec: {}\n",
             classes);
    resolve(text, "data", false, &a);
    assert_true(a.known);
    assert_false(a.rwx);
    assert_string_equal(a.source, "StorageProfile new-default");
    snprintf(text, sizeof(text),
             "%skind: PersistentVolumeClaim\n"
             "metadata: {name: data, namespace: ns1}\nspec: {storageClassName: \"\"}\n",
             classes);
    resolve(text, "data", false, &a);
    assert_false(a.known);
    assert_non_null(strstr(a.unknown, "names no storage class"));
    snprintf(text, sizeof(text),
             "%skind: PersistentVolumeClaim\n"
             "metadata: {name: data, namespace: ns1}\n"
             "spec: {accessModes: []}\nstatus: {accessModes: [ReadWriteMany]}\n",
             classes);
    resolve(text, "data", false, &a);
    assert_true(a.rwx);
    assert_string_equal(a.source, "the PVC's status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_class_newest_and_virt_preferred),
        cmocka_unit_test(test_data_volume_object_and_virt_default),
        cmocka_unit_test(test_pvc_profile_spec_fallback_and_no_class),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
