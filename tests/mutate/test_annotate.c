/* SPDX-License-Identifier: Apache-2.0 */
/* test_annotate.c - the two migguard.io annotations on VMs and VMIs: values in the
 * documented order, the policy's fields over the cluster's (false and 0 included),
 * RFC 6901 escaping, the whole map when there is none, and no patch when both values
 * are already right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mutate.h"

#define DEFAULT_CONFIG                                                                             \
    "{\"bandwidthPerMigration\":\"0\",\"completionTimeoutPerGiB\":150,"                            \
    "\"allowAutoConverge\":false,\"allowPostCopy\":false,\"allowWorkloadDisruption\":false,"       \
    "\"progressTimeout\":150,\"parallelOutboundMigrationsPerNode\":2,"                             \
    "\"parallelMigrationsPerCluster\":5}"

static cJSON *json(const char *text)
{
    cJSON *j = cJSON_Parse(text);

    assert_non_null(j);
    return j;
}

/* Mutate a workload in namespace ns; returns the rendered patch ("" for none), which
 * the caller frees. */
static char *mutate(struct mg_store *view, const char *kind, const char *ns, const char *obj)
{
    struct mg_config cfg;
    cJSON *o = json(obj);
    struct mg_request req = {"uid",        "kubevirt.io", "v1", kind, "v", ns,
                             MG_OP_CREATE, false,         o,    NULL, NULL};
    struct mg_patch patch;
    struct mg_err err = {0};
    char *out;

    mg_config_init(&cfg);
    mg_patch_init(&patch);
    assert_int_equal(mg_mutate(&req, view, &cfg, &patch, &err), 0);
    out = mg_patch_len(&patch) ? mg_patch_render(&patch) : strdup("");
    assert_non_null(out);
    mg_patch_free(&patch);
    cJSON_Delete(o);
    return out;
}

static void put(struct mg_store *s, const char *text)
{
    assert_int_equal(mg_store_put(s, json(text), NULL), 0);
}

static void test_annotate_adds_whole_map_with_defaults(void **state)
{
    struct mg_store *s = mg_store_new();
    char *p = mutate(s, "VirtualMachine", "n",
                     "{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"v\"}}");
    cJSON *ops = json(p), *value;

    (void)state;
    assert_int_equal(cJSON_GetArraySize(ops), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(ops, 0), "path")->valuestring,
                        "/metadata/annotations");
    value = cJSON_GetObjectItem(cJSON_GetArrayItem(ops, 0), "value");
    assert_string_equal(cJSON_GetObjectItem(value, "migguard.io/migration-policy")->valuestring,
                        "none");
    assert_string_equal(cJSON_GetObjectItem(value, "migguard.io/migration-config")->valuestring,
                        DEFAULT_CONFIG);
    cJSON_Delete(ops);
    free(p);
    mg_store_free(s);
}

static void test_annotate_policy_overrides_with_false_and_zero(void **state)
{
    struct mg_store *s = mg_store_new();
    char *p;

    (void)state;
    put(s, "{\"kind\":\"HyperConverged\",\"apiVersion\":\"hco.kubevirt.io/v1beta1\",\"metadata\":"
           "{\"name\":\"h\",\"namespace\":\"cnv\"},\"spec\":{\"liveMigrationConfig\":"
           "{\"allowAutoConverge\":true,\"bandwidthPerMigration\":\"64Mi\"}}}");
    put(s, "{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"n\",\"labels\":{\"t\":\"1\"}}}");
    put(s,
        "{\"kind\":\"MigrationPolicy\",\"metadata\":{\"name\":\"pol\"},\"spec\":{\"selectors\":"
        "{\"namespaceSelector\":{\"t\":\"1\"},\"virtualMachineInstanceSelector\":{\"app\":\"db\"}},"
        "\"allowAutoConverge\":false,\"bandwidthPerMigration\":0,\"allowPostCopy\":true,"
        "\"maxDowntimeMs\":250}}");
    /* The VMI's own labels; the request's namespace (the object has none). */
    p = mutate(s, "VirtualMachineInstance", "n",
               "{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"v\","
               "\"labels\":{\"app\":\"db\"},\"annotations\":{\"a/b~c\":\"x\"}}}");
    assert_string_equal(
        p,
        "[{\"op\":\"add\",\"path\":\"/metadata/annotations/migguard.io~1migration-policy\","
        "\"value\":\"pol\"},{\"op\":\"add\",\"path\":\"/metadata/annotations/"
        "migguard.io~1migration-config\",\"value\":\"{\\\"bandwidthPerMigration\\\":\\\"0\\\","
        "\\\"completionTimeoutPerGiB\\\":150,\\\"allowAutoConverge\\\":false,"
        "\\\"allowPostCopy\\\":true,\\\"allowWorkloadDisruption\\\":true,\\\"maxDowntimeMs\\\":250,"
        "\\\"progressTimeout\\\":150,\\\"parallelOutboundMigrationsPerNode\\\":2,"
        "\\\"parallelMigrationsPerCluster\\\":5}\"}]");
    free(p);
    /* The VM's template labels, not its own. */
    p = mutate(
        s, "VirtualMachine", "n",
        "{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"v\",\"labels\":{\"app\":\"db\"}},"
        "\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}}}}}");
    assert_non_null(strstr(p, "\"migguard.io/migration-policy\":\"none\""));
    assert_non_null(strstr(p, "\\\"bandwidthPerMigration\\\":\\\"64Mi\\\""));
    assert_non_null(strstr(p, "\\\"allowAutoConverge\\\":true"));
    free(p);
    mg_store_free(s);
}

static void test_annotate_no_patch_when_values_are_right(void **state)
{
    struct mg_store *s = mg_store_new();
    char obj[2048], *p;

    (void)state;
    snprintf(obj, sizeof(obj),
             "{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"v\","
             "\"annotations\":{\"migguard.io/migration-policy\":\"none\","
             "\"migguard.io/migration-config\":\"%s\"}}}",
             "{\\\"bandwidthPerMigration\\\":\\\"0\\\",\\\"completionTimeoutPerGiB\\\":150,"
             "\\\"allowAutoConverge\\\":false,\\\"allowPostCopy\\\":false,"
             "\\\"allowWorkloadDisruption\\\":false,\\\"progressTimeout\\\":150,"
             "\\\"parallelOutboundMigrationsPerNode\\\":2,\\\"parallelMigrationsPerCluster\\\":5}");
    p = mutate(s, "VirtualMachine", "n", obj);
    assert_string_equal(p, "");
    free(p);
    /* A stale policy name alone is replaced alone. */
    put(s, "{\"kind\":\"MigrationPolicy\",\"metadata\":{\"name\":\"all\"},\"spec\":{\"selectors\":{"
           "}}}");
    p = mutate(s, "VirtualMachine", "n", obj);
    assert_string_equal(p, "[{\"op\":\"add\",\"path\":\"/metadata/annotations/"
                           "migguard.io~1migration-policy\",\"value\":\"all\"}]");
    free(p);
    mg_store_free(s);
}

static void test_annotate_adds_metadata_when_absent(void **state)
{
    struct mg_store *s = mg_store_new();
    char *p = mutate(s, "VirtualMachine", "n", "{\"kind\":\"VirtualMachine\"}");

    (void)state;
    assert_non_null(strstr(p, "\"path\":\"/metadata\",\"value\":{\"annotations\":{"));
    free(p);
    mg_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_annotate_adds_whole_map_with_defaults),
        cmocka_unit_test(test_annotate_policy_overrides_with_false_and_zero),
        cmocka_unit_test(test_annotate_no_patch_when_values_are_right),
        cmocka_unit_test(test_annotate_adds_metadata_when_absent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
