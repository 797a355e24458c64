/* SPDX-License-Identifier: Apache-2.0 */
/* test_lmc_settings.c - where the cluster's migration settings come from (RULES.md 9.3:
 * KubeVirt CR, HyperConverged with its jsonpatch annotation, defaults), which of several
 * HyperConvergeds counts, allowWorkloadDisruption's resolution (9.18) and LMC006's
 * integer arithmetic at its boundaries (9.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "lmc.h"

static struct mg_config cfg;
static struct mg_store *view;

static int setup(void **state)
{
    (void)state;
    mg_config_init(&cfg);
    view = mg_store_new();
    assert_non_null(view);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mg_store_free(view);
    view = NULL;
    return 0;
}

static void put(const char *json)
{
    struct mg_err err = {0};
    cJSON *o = cJSON_Parse(json);

    assert_non_null(o);
    assert_int_equal(mg_store_put(view, o, &err), 0);
}

/* A v1beta1 HyperConverged: name, namespace, liveMigrationConfig text and the
 * kubevirt.kubevirt.io/jsonpatch annotation's text (NULL: none), JSON-escaped. */
static void put_hco(const char *name, const char *ns, const char *lmc, const char *patch)
{
    char buf[4096];

    snprintf(buf, sizeof(buf),
             "{\"apiVersion\":\"hco.kubevirt.io/v1beta1\",\"kind\":\"HyperConverged\","
             "\"metadata\":{\"name\":\"%s\",\"namespace\":\"%s\"%s%s%s},"
             "\"spec\":{\"liveMigrationConfig\":%s}}",
             name, ns, patch ? ",\"annotations\":{\"kubevirt.kubevirt.io/jsonpatch\":\"" : "",
             patch ? patch : "", patch ? "\"}" : "", lmc);
    put(buf);
}

static int64_t mib_of(const struct mg_lmc_settings *s)
{
    return mg_quantity_mebibytes(&s->bandwidth);
}

static void test_settings_defaults_without_a_view(void **state)
{
    struct mg_lmc_settings s;

    (void)state;
    mg_lmc_settings_cluster(&s, NULL, &cfg);
    assert_int_equal(s.completion_timeout, 150);
    assert_int_equal(mib_of(&s), 0);
    assert_true(s.awd_set);
    assert_false(s.allow_workload_disruption);
    mg_lmc_settings_cluster(&s, view, &cfg);
    assert_int_equal(s.parallel_cluster, 5);
}

static void test_settings_kubevirt_cr_wins_over_hco(void **state)
{
    struct mg_lmc_settings s;

    (void)state;
    put_hco("kubevirt-hyperconverged", "openshift-cnv",
            "{\"bandwidthPerMigration\":\"64Mi\",\"completionTimeoutPerGiB\":800}", NULL);
    mg_lmc_settings_cluster(&s, view, &cfg);
    assert_int_equal(mib_of(&s), 64);
    assert_int_equal(s.completion_timeout, 800);
    put("{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"KubeVirt\",\"metadata\":{\"name\":\"kv\","
        "\"namespace\":\"openshift-cnv\"},\"spec\":{\"configuration\":{\"migrations\":{"
        "\"bandwidthPerMigration\":\"10Mi\",\"allowPostCopy\":true,\"nodeDrainTaintKey\":\"x\"}}}"
        "}");
    mg_lmc_settings_cluster(&s, view, &cfg);
    assert_int_equal(mib_of(&s), 10);
    /* Absent fields of the CR: the defaults table, not the HyperConverged. */
    assert_int_equal(s.completion_timeout, 150);
    /* allowWorkloadDisruption unset in the CR follows allowPostCopy (virt-config.go). */
    assert_true(s.allow_post_copy);
    assert_true(s.allow_workload_disruption);
}

static void test_settings_hco_version_injects_workload_disruption(void **state)
{
    struct mg_lmc_settings s;

    (void)state;
    put("{\"apiVersion\":\"hco.kubevirt.io/v1\",\"kind\":\"HyperConverged\",\"metadata\":{"
        "\"name\":\"kubevirt-hyperconverged\",\"namespace\":\"openshift-cnv\"},\"spec\":{"
        "\"virtualization\":{\"liveMigrationConfig\":{\"allowPostCopy\":true}}}}");
    /* hco-1.14 injects allowWorkloadDisruption: false on v1: post-copy never starts. */
    mg_lmc_settings_cluster(&s, view, &cfg);
    assert_true(s.allow_post_copy);
    assert_false(s.allow_workload_disruption);
    /* hco-1.4 injects nothing: it follows allowPostCopy. */
    cfg.defaults = mg_config_defaults_lookup("hco-1.4");
    mg_lmc_settings_cluster(&s, view, &cfg);
    assert_true(s.allow_workload_disruption);
}

static void test_settings_jsonpatch_operations(void **state)
{
    struct mg_lmc_settings s;
    struct mg_err why;
    unsigned touched;
    const cJSON *hco;

    (void)state;
    put_hco("kubevirt-hyperconverged", "openshift-cnv",
            "{\"bandwidthPerMigration\":\"64Mi\",\"completionTimeoutPerGiB\":800,"
            "\"progressTimeout\":300,\"allowPostCopy\":true,\"allowWorkloadDisruption\":false}",
            "["
            "{\\\"op\\\":\\\"replace\\\",\\\"path\\\":\\\"/spec/configuration/migrations/"
            "bandwidthPerMigration\\\",\\\"value\\\":\\\"1Gi\\\"},"
            "{\\\"op\\\":\\\"remove\\\",\\\"path\\\":\\\"/spec/configuration/migrations/"
            "progressTimeout\\\"},"
            "{\\\"op\\\":\\\"remove\\\",\\\"path\\\":\\\"/spec/configuration/migrations/"
            "allowWorkloadDisruption\\\"},"
            "{\\\"op\\\":\\\"add\\\",\\\"path\\\":\\\"/spec/configuration/migrations/"
            "completionTimeoutPerGiB\\\",\\\"value\\\":\\\"not a number\\\"},"
            "{\\\"op\\\":\\\"add\\\",\\\"path\\\":\\\"/spec/configuration/migrations/"
            "network\\\",\\\"value\\\":\\\"mig\\\"},"
            "{\\\"op\\\":\\\"test\\\",\\\"path\\\":\\\"/spec/configuration/migrations/"
            "parallelMigrationsPerCluster\\\",\\\"value\\\":5},"
            "{\\\"op\\\":\\\"add\\\",\\\"path\\\":\\\"/spec/configuration/developerConfiguration/"
            "featureGates/-\\\",\\\"value\\\":\\\"Sidecar\\\"}"
            "]");
    hco = mg_lmc_hco_pick(view);
    assert_non_null(hco);
    touched = mg_lmc_settings_of_hco(&s, hco, NULL, &cfg, &why);
    assert_int_equal(why.code, 0);
    assert_int_equal(touched, (1u << MG_LMC_K_BANDWIDTH) | (1u << MG_LMC_K_PROGRESS) |
                                  (1u << MG_LMC_K_WORKLOAD_DISRUPTION));
    assert_int_equal(mib_of(&s), 1024);
    assert_int_equal(s.progress_timeout, 150);   /* removed: the table's value */
    assert_int_equal(s.completion_timeout, 800); /* an invalid value changes nothing */
    assert_int_equal(s.parallel_cluster, 5);     /* "test" (passing) changes nothing */
    assert_null(s.network);
    /* Removed, allowWorkloadDisruption follows allowPostCopy again. */
    assert_true(s.allow_workload_disruption);
}

static void test_settings_jsonpatch_whole_map_and_garbage(void **state)
{
    struct mg_lmc_settings s;
    struct mg_err why;
    cJSON *hco = cJSON_Parse(
        "{\"apiVersion\":\"hco.kubevirt.io/v1beta1\",\"kind\":\"HyperConverged\",\"metadata\":{"
        "\"name\":\"kubevirt-hyperconverged\",\"annotations\":{\"kubevirt.kubevirt.io/"
        "jsonpatch\":\"[{\\\"op\\\":\\\"replace\\\",\\\"path\\\":\\\"/spec/configuration/"
        "migrations\\\",\\\"value\\\":{\\\"parallelMigrationsPerCluster\\\":7}}]\"}},\"spec\":{"
        "\"liveMigrationConfig\":{\"bandwidthPerMigration\":\"64Mi\",\"allowAutoConverge\":true}}"
        "}");

    (void)state;
    assert_non_null(hco);
    /* The whole map replaced: what it does not name is the default again. */
    mg_lmc_settings_of_hco(&s, hco, NULL, &cfg, NULL);
    assert_int_equal(s.parallel_cluster, 7);
    assert_int_equal(mib_of(&s), 0);
    assert_false(s.allow_auto_converge);
    /* Text that is not JSON, or not a list, is ignored, and why says so. */
    cJSON_SetValuestring(
        cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetObjectItem(hco, "metadata"), "annotations"),
            "kubevirt.kubevirt.io/jsonpatch"),
        "[{\"op\":\"add\",\"path\":\"/spec/configuration/migrations/");
    assert_int_equal(mg_lmc_settings_of_hco(&s, hco, NULL, &cfg, &why), 0);
    assert_int_equal(why.code, MG_EINVAL);
    assert_non_null(strstr(why.msg, "not a JSON array"));
    assert_int_equal(mib_of(&s), 64);
    assert_true(s.allow_auto_converge);
    cJSON_Delete(hco);
}

/* A v1beta1 HyperConverged with liveMigrationConfig lmc and the annotation's text patch
 * as written (not escaped). Caller frees with cJSON_Delete. */
static cJSON *hco_with(const char *lmc, const char *patch)
{
    char buf[2048];
    cJSON *hco, *ann;

    snprintf(buf, sizeof(buf),
             "{\"apiVersion\":\"hco.kubevirt.io/v1beta1\",\"kind\":\"HyperConverged\","
             "\"metadata\":{\"name\":\"kubevirt-hyperconverged\",\"annotations\":{}},"
             "\"spec\":{\"liveMigrationConfig\":%s}}",
             lmc);
    hco = cJSON_Parse(buf);
    assert_non_null(hco);
    ann = cJSON_GetObjectItem(cJSON_GetObjectItem(hco, "metadata"), "annotations");
    assert_non_null(cJSON_AddStringToObject(ann, MG_LMC_JSONPATCH_ANNOTATION, patch));
    return hco;
}

#define MIG "/spec/configuration/migrations/"

/* mg_lmc_settings_of_hco when the annotation must apply: the keys it touched. */
static unsigned applied(struct mg_lmc_settings *s, const cJSON *hco)
{
    struct mg_err why;
    unsigned touched = mg_lmc_settings_of_hco(s, hco, NULL, &cfg, &why);

    if (why.code)
        fail_msg("the annotation did not apply: %s", why.msg);
    return touched;
}

/* copy, move and test on the settings HCO writes, which hold the table's values for
 * what liveMigrationConfig leaves out (progressTimeout 150 here). */
static void test_settings_jsonpatch_move_copy_test(void **state)
{
    cJSON *hco = hco_with(
        "{\"completionTimeoutPerGiB\":800,\"allowPostCopy\":true,\"bandwidthPerMigration\":"
        "\"64Mi\"}",
        "[{\"op\":\"test\",\"path\":\"" MIG "bandwidthPerMigration\",\"value\":\"64Mi\"},"
        "{\"op\":\"test\",\"path\":\"" MIG "progressTimeout\",\"value\":150},"
        "{\"op\":\"copy\",\"from\":\"" MIG "completionTimeoutPerGiB\",\"path\":\"" MIG
        "progressTimeout\"},"
        "{\"op\":\"move\",\"from\":\"" MIG "allowPostCopy\",\"path\":\"" MIG "allowAutoConverge\"},"
        "{\"op\":\"test\",\"path\":\"" MIG "allowAutoConverge\",\"value\":true}]");
    struct mg_lmc_settings s;

    (void)state;
    assert_int_equal(applied(&s, hco), (1u << MG_LMC_K_PROGRESS) | (1u << MG_LMC_K_AUTO_CONVERGE) |
                                           (1u << MG_LMC_K_POST_COPY));
    assert_int_equal(s.progress_timeout, 800);
    assert_int_equal(s.completion_timeout, 800); /* copied, not moved */
    assert_true(s.allow_auto_converge);
    assert_false(s.allow_post_copy); /* moved away: the table's false */
    assert_int_equal(mib_of(&s), 64);
    cJSON_Delete(hco);
}

/* One operation in the middle fails: none of the others applies (HCO applies the
 * annotation with evanphx/json-patch, all or nothing, and then refuses it), and why
 * names it. */
static void test_settings_jsonpatch_failing_op_in_the_middle_changes_nothing(void **state)
{
    static const char *const middles[] = {
        "{\"op\":\"test\",\"path\":\"" MIG "parallelMigrationsPerCluster\",\"value\":9}",
        "{\"op\":\"replace\",\"path\":\"" MIG "network\",\"value\":\"x\"}",
        "{\"op\":\"move\",\"from\":\"" MIG "nope\",\"path\":\"" MIG "allowPostCopy\"}",
        "{\"op\":\"copy\",\"from\":\"/spec/configuration/developerConfiguration\",\"path\":\"" MIG
        "x\"}",
        "{\"op\":\"add\",\"path\":\"/metadata/labels/a\",\"value\":\"b\"}",
        "{\"op\":\"splice\",\"path\":\"" MIG "progressTimeout\",\"value\":1}",
    };
    static const char *const whys[] = {
        "op[1] (test " MIG "parallelMigrationsPerCluster): the value differs",
        "op[1] (replace " MIG "network): nothing to replace",
        "op[1] (move " MIG "allowPostCopy): from " MIG "nope does not exist",
        "op[1] (copy " MIG "x): from /spec/configuration/developerConfiguration: migguard models",
        "op[1] (add /metadata/labels/a): HCO only applies paths under /spec/",
        "op[1] (splice " MIG "progressTimeout): not an operation",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(middles) / sizeof(middles[0]); i++) {
        char patch[1024];
        cJSON *hco;
        struct mg_lmc_settings s;
        struct mg_err why;

        snprintf(patch, sizeof(patch),
                 "[{\"op\":\"replace\",\"path\":\"" MIG "bandwidthPerMigration\",\"value\":"
                 "\"1Gi\"},%s,{\"op\":\"remove\",\"path\":\"" MIG "progressTimeout\"}]",
                 middles[i]);
        hco = hco_with("{\"bandwidthPerMigration\":\"64Mi\",\"progressTimeout\":300}", patch);
        assert_int_equal(mg_lmc_settings_of_hco(&s, hco, NULL, &cfg, &why), 0);
        assert_int_equal(why.code, MG_EINVAL);
        if (!strstr(why.msg, whys[i]))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, why.msg, whys[i]);
        assert_int_equal(mib_of(&s), 64);
        assert_int_equal(s.progress_timeout, 300);
        cJSON_Delete(hco);
    }
}

/* Operations above the migrations (the whole configuration) reach them too; escaped or
 * longer tokens are other keys; operations elsewhere in the CR are not modelled. */
static void test_settings_jsonpatch_paths_by_whole_tokens(void **state)
{
    cJSON *hco = hco_with(
        "{\"bandwidthPerMigration\":\"64Mi\"}",
        "[{\"op\":\"add\",\"path\":\"/spec/configuration/developerConfiguration/featureGates/-\","
        "\"value\":\"Sidecar\"},"
        "{\"op\":\"replace\",\"path\":\"/spec/configuration\",\"value\":{\"migrations\":{"
        "\"parallelMigrationsPerCluster\":9}}},"
        "{\"op\":\"add\",\"path\":\"" MIG "allow~1PostCopy\",\"value\":true},"
        "{\"op\":\"add\",\"path\":\"/spec/configuration/migrationsX\",\"value\":{}}]");
    struct mg_lmc_settings s;

    (void)state;
    assert_int_equal(applied(&s, hco), ((1u << MG_LMC_KEY_COUNT) - 1) & ~(1u << MG_LMC_K_NETWORK));
    assert_int_equal(s.parallel_cluster, 9);
    assert_int_equal(mib_of(&s), 0); /* replaced with the rest: the table's unlimited */
    assert_false(s.allow_post_copy);
    cJSON_Delete(hco);
}

/* In the cluster's settings a refused annotation is ignored as a whole too. */
static void test_settings_cluster_ignores_a_refused_annotation(void **state)
{
    struct mg_lmc_settings s;

    (void)state;
    put_hco("kubevirt-hyperconverged", "openshift-cnv", "{\"completionTimeoutPerGiB\":800}",
            "[{\\\"op\\\":\\\"replace\\\",\\\"path\\\":\\\"" MIG "completionTimeoutPerGiB"
            "\\\",\\\"value\\\":500},{\\\"op\\\":\\\"remove\\\",\\\"path\\\":\\\"" MIG
            "bandwidthPerMigration\\\"}]");
    mg_lmc_settings_cluster(&s, view, &cfg);
    assert_int_equal(s.completion_timeout, 800);
}

static void test_settings_several_hcos_named_one_wins_in_any_order(void **state)
{
    static const char *const order[2][3] = {{"a", "b", "c"}, {"c", "b", "a"}};
    const cJSON *ignored[4] = {0};
    struct mg_lmc_settings s;

    (void)state;
    for (int round = 0; round < 2; round++) {
        mg_store_free(view);
        view = mg_store_new();
        for (int i = 0; i < 3; i++) {
            const char *which = order[round][i];

            if (which[0] == 'a')
                put_hco("other", "aaa", "{\"completionTimeoutPerGiB\":1}", NULL);
            else if (which[0] == 'b')
                put_hco("kubevirt-hyperconverged", "zzz", "{\"completionTimeoutPerGiB\":2}", NULL);
            else
                put_hco("kubevirt-hyperconverged", "openshift-cnv",
                        "{\"completionTimeoutPerGiB\":3}", NULL);
        }
        mg_lmc_settings_cluster(&s, view, &cfg);
        assert_int_equal(s.completion_timeout, 3);
        assert_string_equal(
            mg_json_str(mg_json_get(mg_lmc_hco_pick(view), "metadata"), "namespace"),
            "openshift-cnv");
        /* The ignored ones in pick order: the named one in zzz, then the other one. */
        assert_int_equal(mg_lmc_hco_ignored(view, ignored, 4), 2);
        assert_string_equal(mg_json_str(mg_json_get(ignored[0], "metadata"), "namespace"), "zzz");
        assert_string_equal(mg_json_str(mg_json_get(ignored[1], "metadata"), "namespace"), "aaa");
        assert_int_equal(mg_lmc_hco_ignored(view, ignored, 1), 2);
        assert_string_equal(mg_json_str(mg_json_get(ignored[0], "metadata"), "namespace"), "zzz");
        assert_int_equal(mg_lmc_hco_ignored(view, NULL, 0), 2);
    }
    /* Without one named kubevirt-hyperconverged: the smallest namespace. */
    mg_store_free(view);
    view = mg_store_new();
    put_hco("x", "nb", "{\"completionTimeoutPerGiB\":5}", NULL);
    put_hco("y", "na", "{\"completionTimeoutPerGiB\":6}", NULL);
    mg_lmc_settings_cluster(&s, view, &cfg);
    assert_int_equal(s.completion_timeout, 6);
    assert_int_equal(mg_lmc_hco_ignored(view, ignored, 4), 1);
    /* One HyperConverged: nothing ignored. */
    mg_store_free(view);
    view = mg_store_new();
    put_hco("x", "nb", "{}", NULL);
    assert_int_equal(mg_lmc_hco_ignored(view, ignored, 4), 0);
    assert_int_equal(mg_lmc_hco_ignored(NULL, ignored, 4), 0);
    assert_null(mg_lmc_hco_pick(NULL));
}

/* A resolved settings value with bandwidth text, T and the two flags. */
static enum mg_lmc_fit_result fit_of(const char *bw, int64_t t, bool awd, bool post_copy,
                                     struct mg_lmc_fit *fit)
{
    struct mg_lmc_settings s;
    struct mg_err err;

    mg_lmc_settings_default(&s, &cfg);
    assert_int_equal(mg_quantity_parse(bw, &s.bandwidth, &err), 0);
    s.completion_timeout = t;
    s.allow_workload_disruption = awd;
    s.allow_post_copy = post_copy;
    s.awd_set = true;
    return mg_lmc_fit_check(&s, fit);
}

static void test_fit_exact_boundaries(void **state)
{
    struct mg_lmc_fit fit;

    (void)state;
    assert_int_equal(fit_of("1Mi", 954, false, false, &fit), MG_LMC_FIT_OK);
    assert_int_equal(fit_of("1Mi", 953, false, false, &fit), MG_LMC_FIT_CANCEL);
    assert_int_equal(fit.mib, 1);
    assert_false(fit.doubled);
    assert_true(fit.unit_seconds > 953.67 && fit.unit_seconds < 953.68);
    /* Paused: twice the deadline, 1 MiB/s needs T >= 477. */
    assert_int_equal(fit_of("1Mi", 953, true, false, &fit), MG_LMC_FIT_PAUSE);
    assert_int_equal(fit_of("1Mi", 477, true, false, &fit), MG_LMC_FIT_PAUSE);
    assert_int_equal(fit_of("1Mi", 476, true, false, &fit), MG_LMC_FIT_CANCEL);
    assert_true(fit.doubled);
    assert_int_equal(fit_of("1Mi", 1, true, true, &fit), MG_LMC_FIT_OK);
    /* Post-copy without allowWorkloadDisruption never starts. */
    assert_int_equal(fit_of("1Mi", 1, false, true, &fit), MG_LMC_FIT_CANCEL);
    /* T = 0 and E = 0 never cancel. */
    assert_int_equal(fit_of("1Mi", 0, false, false, &fit), MG_LMC_FIT_OK);
    assert_int_equal(fit_of("0", 1, false, false, &fit), MG_LMC_FIT_OK);
    assert_int_equal(fit_of("999m", 1, false, false, &fit), MG_LMC_FIT_OK);
    assert_int_equal(fit.mib, 0);
    /* No overflow at the extremes: 2^43 MiB/s times 2^63-1 s. */
    assert_int_equal(fit_of("8Ei", INT64_MAX, false, false, &fit), MG_LMC_FIT_OK);
    assert_int_equal(fit.mib, (int64_t)1 << 43);
    assert_int_equal(fit_of("1", INT64_MAX, true, false, &fit), MG_LMC_FIT_OK);
    assert_int_equal(fit_of("8Ei", 1, false, false, &fit), MG_LMC_FIT_OK);
    /* 953 MiB/s at 1 s is 999,292,928 bytes; 954 MiB/s 1,000,341,504. */
    assert_int_equal(fit_of("953Mi", 1, false, false, &fit), MG_LMC_FIT_CANCEL);
    assert_int_equal(fit_of("954Mi", 1, false, false, &fit), MG_LMC_FIT_OK);
    /* 1.4Mi and 1500Ki are 1 MiB/s, 1.6Mi is 2 (RULES.md 9.2). */
    assert_int_equal(fit_of("1.4Mi", 800, false, false, &fit), MG_LMC_FIT_CANCEL);
    assert_int_equal(fit_of("1500Ki", 800, false, false, &fit), MG_LMC_FIT_CANCEL);
    assert_int_equal(fit_of("1.6Mi", 600, false, false, &fit), MG_LMC_FIT_OK);
    assert_int_equal(fit.mib, 2);
}

static void test_settings_set_and_unset_one_key(void **state)
{
    struct mg_lmc_settings s;
    cJSON *v = cJSON_CreateNumber(0);

    (void)state;
    mg_lmc_settings_default(&s, &cfg);
    assert_true(mg_lmc_settings_set(&s, "progressTimeout", v));
    assert_int_equal(s.progress_timeout, 0);
    assert_false(mg_lmc_settings_set(&s, "parallelMigrationsPerCluster", v)); /* 1.. */
    assert_false(mg_lmc_settings_set(&s, "bandwithPerMigration", v));
    assert_false(mg_lmc_settings_set(&s, "allowPostCopy", NULL));
    mg_lmc_settings_unset(&s, "progressTimeout", &cfg);
    assert_int_equal(s.progress_timeout, 150);
    cJSON_Delete(v);
    v = cJSON_CreateTrue();
    assert_true(mg_lmc_settings_set(&s, "allowWorkloadDisruption", v));
    assert_true(s.awd_set && s.allow_workload_disruption);
    mg_lmc_settings_unset(&s, "allowWorkloadDisruption", &cfg);
    assert_false(s.awd_set);
    mg_lmc_settings_resolve(&s);
    assert_true(s.awd_set);
    assert_false(s.allow_workload_disruption);
    assert_int_equal(mg_lmc_key_index("network"), MG_LMC_K_NETWORK);
    assert_int_equal(mg_lmc_key_index("Network"), -1);
    cJSON_Delete(v);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_settings_defaults_without_a_view),
        T(test_settings_kubevirt_cr_wins_over_hco),
        T(test_settings_hco_version_injects_workload_disruption),
        T(test_settings_jsonpatch_operations),
        T(test_settings_jsonpatch_whole_map_and_garbage),
        T(test_settings_jsonpatch_move_copy_test),
        T(test_settings_jsonpatch_failing_op_in_the_middle_changes_nothing),
        T(test_settings_jsonpatch_paths_by_whole_tokens),
        T(test_settings_cluster_ignores_a_refused_annotation),
        T(test_settings_several_hcos_named_one_wins_in_any_order),
        T(test_fit_exact_boundaries),
        T(test_settings_set_and_unset_one_key),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
