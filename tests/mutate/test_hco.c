/* SPDX-License-Identifier: Apache-2.0 */
/* test_hco.c - HyperConverged defaults injection: the ops for each missing level,
 * null fields, values the user set (0, false, wrong types) left alone, the tables
 * and versions, and no patch at all when nothing changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mutate.h"

struct fx {
    cJSON *obj;
    struct mg_config cfg;
    struct mg_patch patch;
};

static struct fx fx;

static int setup(void **state)
{
    (void)state;
    memset(&fx, 0, sizeof(fx));
    mg_config_init(&fx.cfg);
    mg_patch_init(&fx.patch);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cJSON_Delete(fx.obj);
    mg_patch_free(&fx.patch);
    return 0;
}

/* Mutate the object (JSON text) sent as request version ver with operation op. */
static void mutate_op(const char *ver, const char *obj, enum mg_op op)
{
    struct mg_request req = {.uid = "u",
                             .group = "hco.kubevirt.io",
                             .version = ver,
                             .kind = "HyperConverged",
                             .name = "kubevirt-hyperconverged",
                             .namespace_ = "kubevirt-hyperconverged",
                             .op = op};
    struct mg_mctx ctx;

    cJSON_Delete(fx.obj);
    fx.obj = cJSON_Parse(obj);
    assert_non_null(fx.obj);
    req.object = fx.obj;
    mg_patch_free(&fx.patch);
    mg_patch_init(&fx.patch);
    ctx = (struct mg_mctx){&req, NULL, &fx.cfg, &fx.patch};
    assert_int_equal(mg_hco_mutate(&ctx), 0);
}

static void mutate(const char *ver, const char *obj)
{
    mutate_op(ver, obj, MG_OP_CREATE);
}

static void want_patch(const char *want)
{
    char *got = mg_patch_render(&fx.patch);

    if (!want) {
        if (got)
            fail_msg("want no patch, got %s", got);
        assert_int_equal(mg_patch_len(&fx.patch), 0);
        return;
    }
    if (!got)
        fail_msg("want %s, got no patch", want);
    assert_string_equal(got, want);
    free(got);
}

#define V1B "{\"apiVersion\":\"hco.kubevirt.io/v1beta1\",\"kind\":\"HyperConverged\","
#define V1 "{\"apiVersion\":\"hco.kubevirt.io/v1\",\"kind\":\"HyperConverged\","
#define FULL_114                                                                                   \
    "{\"completionTimeoutPerGiB\":150,\"parallelMigrationsPerCluster\":5,"                         \
    "\"parallelOutboundMigrationsPerNode\":2,\"progressTimeout\":150,\"allowAutoConverge\":"       \
    "false,\"allowPostCopy\":false"

static void test_hco_absent_config_added_whole_v1beta1(void **state)
{
    (void)state;
    mutate("v1beta1", V1B "\"spec\":{\"featureGates\":{}}}");
    want_patch("[{\"op\":\"add\",\"path\":\"/spec/liveMigrationConfig\",\"value\":" FULL_114 "}}]");
}

static void test_hco_absent_config_added_whole_v1_with_awd(void **state)
{
    (void)state;
    mutate("v1", V1 "\"spec\":{\"virtualization\":{}}}");
    want_patch(
        "[{\"op\":\"add\",\"path\":\"/spec/virtualization/liveMigrationConfig\",\"value\":" FULL_114
        ",\"allowWorkloadDisruption\":false}}]");
}

static void test_hco_missing_parents_added_in_one_op(void **state)
{
    (void)state;
    mutate("v1beta1", V1B "\"metadata\":{\"name\":\"h\"}}");
    want_patch("[{\"op\":\"add\",\"path\":\"/spec\",\"value\":{\"liveMigrationConfig\":" FULL_114
               "}}}]");
    mutate("v1", V1 "\"spec\":{}}");
    want_patch("[{\"op\":\"add\",\"path\":\"/spec/virtualization\",\"value\":{"
               "\"liveMigrationConfig\":" FULL_114 ",\"allowWorkloadDisruption\":false}}}]");
    mutate("v1", V1 "\"spec\":null}");
    want_patch("[{\"op\":\"add\",\"path\":\"/spec\",\"value\":{\"virtualization\":{"
               "\"liveMigrationConfig\":" FULL_114 ",\"allowWorkloadDisruption\":false}}}}]");
    mutate("v1", V1 "\"spec\":{\"virtualization\":null}}");
    assert_int_equal(mg_patch_len(&fx.patch), 1);
}

static void test_hco_null_and_absent_fields_added_in_table_order(void **state)
{
    (void)state;
    mutate("v1beta1", V1B "\"spec\":{\"liveMigrationConfig\":{\"progressTimeout\":null,"
                          "\"allowPostCopy\":true,\"completionTimeoutPerGiB\":null,"
                          "\"parallelMigrationsPerCluster\":3,"
                          "\"parallelOutboundMigrationsPerNode\":1}}}");
    want_patch("[{\"op\":\"add\",\"path\":\"/spec/liveMigrationConfig/completionTimeoutPerGiB\","
               "\"value\":150},{\"op\":\"add\",\"path\":\"/spec/liveMigrationConfig/"
               "progressTimeout\",\"value\":150},{\"op\":\"add\",\"path\":\"/spec/"
               "liveMigrationConfig/allowAutoConverge\",\"value\":false}]");
}

static void test_hco_user_zero_false_and_wrong_types_kept(void **state)
{
    (void)state;
    mutate("v1", V1 "\"spec\":{\"virtualization\":{\"liveMigrationConfig\":{"
                    "\"bandwidthPerMigration\":\"0\",\"completionTimeoutPerGiB\":0,"
                    "\"parallelMigrationsPerCluster\":\"5\",\"parallelOutboundMigrationsPerNode\":"
                    "0,\"progressTimeout\":[],\"allowAutoConverge\":false,\"allowPostCopy\":"
                    "\"no\",\"allowWorkloadDisruption\":false}}}}");
    want_patch(NULL);
}

static void test_hco_nothing_to_do_gives_no_patch(void **state)
{
    (void)state;
    mutate("v1beta1", V1B "\"spec\":{\"liveMigrationConfig\":" FULL_114 ",\"typo\":1}}}");
    want_patch(NULL);
    /* v1beta1 does not get allowWorkloadDisruption from hco-1.14; v1 does. */
    mutate("v1", V1 "\"spec\":{\"virtualization\":{\"liveMigrationConfig\":" FULL_114 "}}}}");
    want_patch("[{\"op\":\"add\",\"path\":\"/spec/virtualization/liveMigrationConfig/"
               "allowWorkloadDisruption\",\"value\":false}]");
}

static void test_hco_wrong_type_config_left_alone(void **state)
{
    (void)state;
    mutate("v1beta1", V1B "\"spec\":{\"liveMigrationConfig\":\"fast\"}}");
    want_patch(NULL);
    mutate("v1beta1", V1B "\"spec\":[]}");
    want_patch(NULL);
    mutate("v1", V1 "\"spec\":{\"virtualization\":5}}");
    want_patch(NULL);
}

static void test_hco_table_hco_1_4_injects_bandwidth(void **state)
{
    (void)state;
    fx.cfg.defaults = mg_config_defaults_lookup("hco-1.4");
    assert_non_null(fx.cfg.defaults);
    mutate("v1", V1 "\"spec\":{\"virtualization\":{\"liveMigrationConfig\":{"
                    "\"bandwidthPerMigration\":null}}}}");
    want_patch("[{\"op\":\"add\",\"path\":\"/spec/virtualization/liveMigrationConfig/"
               "bandwidthPerMigration\",\"value\":\"64Mi\"},{\"op\":\"add\",\"path\":\"/spec/"
               "virtualization/liveMigrationConfig/completionTimeoutPerGiB\",\"value\":800},"
               "{\"op\":\"add\",\"path\":\"/spec/virtualization/liveMigrationConfig/"
               "parallelMigrationsPerCluster\",\"value\":5},{\"op\":\"add\",\"path\":\"/spec/"
               "virtualization/liveMigrationConfig/parallelOutboundMigrationsPerNode\","
               "\"value\":2},{\"op\":\"add\",\"path\":\"/spec/virtualization/liveMigrationConfig/"
               "progressTimeout\",\"value\":150},{\"op\":\"add\",\"path\":\"/spec/virtualization/"
               "liveMigrationConfig/allowAutoConverge\",\"value\":false},{\"op\":\"add\","
               "\"path\":\"/spec/virtualization/liveMigrationConfig/allowPostCopy\",\"value\":"
               "false}]");
}

static void test_hco_table_hco_1_19_on_v1beta1(void **state)
{
    (void)state;
    fx.cfg.defaults = mg_config_defaults_lookup("hco-1.19");
    assert_non_null(fx.cfg.defaults);
    mutate("v1beta1", V1B "\"spec\":{\"liveMigrationConfig\":{}}}");
    want_patch("[{\"op\":\"add\",\"path\":\"/spec/liveMigrationConfig/completionTimeoutPerGiB\","
               "\"value\":20},{\"op\":\"add\",\"path\":\"/spec/liveMigrationConfig/"
               "parallelMigrationsPerCluster\",\"value\":5},{\"op\":\"add\",\"path\":\"/spec/"
               "liveMigrationConfig/parallelOutboundMigrationsPerNode\",\"value\":1},{\"op\":"
               "\"add\",\"path\":\"/spec/liveMigrationConfig/progressTimeout\",\"value\":150},"
               "{\"op\":\"add\",\"path\":\"/spec/liveMigrationConfig/allowAutoConverge\","
               "\"value\":false},{\"op\":\"add\",\"path\":\"/spec/liveMigrationConfig/"
               "allowPostCopy\",\"value\":false},{\"op\":\"add\",\"path\":\"/spec/"
               "liveMigrationConfig/allowWorkloadDisruption\",\"value\":false}]");
}

static void test_hco_delete_and_other_ops_untouched(void **state)
{
    (void)state;
    mutate_op("v1beta1", V1B "\"spec\":{}}", MG_OP_DELETE);
    want_patch(NULL);
    mutate_op("v1beta1", V1B "\"spec\":{}}", MG_OP_CONNECT);
    want_patch(NULL);
    mutate_op("v1beta1", V1B "\"spec\":{}}", MG_OP_UPDATE);
    assert_int_equal(mg_patch_len(&fx.patch), 1);
}

static void test_hco_request_version_when_object_has_none(void **state)
{
    (void)state;
    mutate("v1", "{\"kind\":\"HyperConverged\",\"spec\":{}}");
    want_patch("[{\"op\":\"add\",\"path\":\"/spec/virtualization\",\"value\":{"
               "\"liveMigrationConfig\":" FULL_114 ",\"allowWorkloadDisruption\":false}}}]");
}

static void test_hco_applied_patch_is_idempotent(void **state)
{
    cJSON *lmc;
    const cJSON *op;

    (void)state;
    mutate("v1beta1", V1B "\"spec\":{\"liveMigrationConfig\":{\"allowPostCopy\":true}}}");
    /* Apply the adds by hand, then mutate again: nothing left to do. */
    lmc = cJSON_GetObjectItem(cJSON_GetObjectItem(fx.obj, "spec"), "liveMigrationConfig");
    cJSON_ArrayForEach (op, fx.patch.ops) {
        const char *path = cJSON_GetObjectItem(op, "path")->valuestring;
        const char *key = strrchr(path, '/') + 1;

        assert_string_equal(cJSON_GetObjectItem(op, "op")->valuestring, "add");
        cJSON_AddItemToObject(lmc, key, cJSON_Duplicate(cJSON_GetObjectItem(op, "value"), 1));
    }
    assert_int_equal(mg_patch_len(&fx.patch), 5);
    {
        char *again = cJSON_PrintUnformatted(fx.obj);

        mutate("v1beta1", again);
        free(again);
    }
    want_patch(NULL);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(fx.obj, "spec"), "liveMigrationConfig"),
        "allowPostCopy")));
}

static void test_hco_pointer_tokens_are_escaped(void **state)
{
    char buf[64];

    (void)state;
    /* Our keys need no escaping, but the pointer builder we go through must do it. */
    assert_int_equal(mg_patch_pointer(buf, sizeof(buf), 3, "spec", "a/b", "c~d"), 0);
    assert_string_equal(buf, "/spec/a~1b/c~0d");
    /* Keys with '/' and '~' in the user's map do not disturb the injected paths. */
    mutate("v1beta1", V1B "\"spec\":{\"liveMigrationConfig\":{\"a/b\":1,\"~\":2,"
                          "\"completionTimeoutPerGiB\":1,\"parallelMigrationsPerCluster\":1,"
                          "\"parallelOutboundMigrationsPerNode\":1,\"progressTimeout\":1,"
                          "\"allowAutoConverge\":true}}}");
    want_patch("[{\"op\":\"add\",\"path\":\"/spec/liveMigrationConfig/allowPostCopy\",\"value\":"
               "false}]");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_hco_absent_config_added_whole_v1beta1),
        T(test_hco_absent_config_added_whole_v1_with_awd),
        T(test_hco_missing_parents_added_in_one_op),
        T(test_hco_null_and_absent_fields_added_in_table_order),
        T(test_hco_user_zero_false_and_wrong_types_kept),
        T(test_hco_nothing_to_do_gives_no_patch),
        T(test_hco_wrong_type_config_left_alone),
        T(test_hco_table_hco_1_4_injects_bandwidth),
        T(test_hco_table_hco_1_19_on_v1beta1),
        T(test_hco_delete_and_other_ops_untouched),
        T(test_hco_request_version_when_object_has_none),
        T(test_hco_applied_patch_is_idempotent),
        T(test_hco_pointer_tokens_are_escaped),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
