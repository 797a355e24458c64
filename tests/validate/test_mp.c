/* SPDX-License-Identifier: Apache-2.0 */
/* test_mp.c - MP001-MP012 on MigrationPolicy requests built by hand: each rule's
 * deny and allow forms, and conflict detection (duplicate, equal rank with other or
 * equal settings, other rank, incompatible selectors, UPDATE against its own old
 * version) with the messages an administrator reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mp.h"
#include "validate.h"

struct fixture {
    struct mg_store *view;
    struct mg_config cfg;
    struct mg_verdict v;
    cJSON *obj;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    f->view = mg_store_new();
    mg_config_init(&f->cfg);
    mg_verdict_init(&f->v);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    mg_store_free(f->view);
    mg_verdict_free(&f->v);
    cJSON_Delete(f->obj);
    free(f);
    return 0;
}

static cJSON *policy(const char *name, const char *spec)
{
    char buf[4096];
    cJSON *j;

    snprintf(buf, sizeof(buf),
             "{\"apiVersion\":\"migrations.kubevirt.io/v1alpha1\",\"kind\":\"MigrationPolicy\","
             "\"metadata\":{\"name\":\"%s\"},\"spec\":{%s}}",
             name, spec);
    j = cJSON_Parse(buf);
    assert_non_null(j);
    return j;
}

static void put(struct fixture *f, const char *name, const char *spec)
{
    assert_int_equal(mg_store_put(f->view, policy(name, spec), NULL), 0);
}

static void put_json(struct fixture *f, const char *text)
{
    cJSON *j = cJSON_Parse(text);

    assert_non_null(j);
    assert_int_equal(mg_store_put(f->view, j, NULL), 0);
}

/* Validate a request for policy name with spec; returns the verdict's rule ids. */
static const char *check(struct fixture *f, enum mg_op op, const char *name, const char *spec)
{
    struct mg_request req = {"uid",      "migrations.kubevirt.io",
                             "v1alpha1", "MigrationPolicy",
                             name,       "",
                             op,         false,
                             NULL,       NULL,
                             NULL};
    struct mg_err err = {0};
    static char ids[512];
    size_t at = 0;

    mg_verdict_free(&f->v);
    mg_verdict_init(&f->v);
    cJSON_Delete(f->obj);
    f->obj = spec ? policy(name, spec) : NULL;
    req.object = op == MG_OP_DELETE ? NULL : f->obj;
    assert_int_equal(mg_validate(&req, f->view, &f->cfg, &f->v, &err), 0);
    ids[0] = '\0';
    for (size_t i = 0; i < f->v.n; i++)
        at += (size_t)snprintf(ids + at, sizeof(ids) - at, "%s%s%s", i ? " " : "",
                               mg_rule_id(f->v.items[i].rule),
                               f->v.items[i].action == MG_ACT_WARN ? "(w)" : "");
    return ids;
}

static const char *msg(const struct fixture *f, size_t i)
{
    assert_true(i < f->v.n);
    return f->v.items[i].message;
}

static void test_mp_selectors_required_and_plain_maps(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(check(f, MG_OP_CREATE, "p", "\"allowAutoConverge\":true"), "MP001");
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{\"virtualMachineInstanceSelector\":"
                              "{\"matchLabels\":{\"app\":\"db\"}}}"),
                        "MP001");
    assert_non_null(strstr(msg(f, 0), "plain label maps"));
    assert_string_equal(f->v.items[0].field,
                        "spec.selectors.virtualMachineInstanceSelector.matchLabels");
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{\"namespaceSelector\":"
                              "{\"hpc\":true}}"),
                        "MP001");
    assert_string_equal(check(f, MG_OP_CREATE, "p", "\"selectors\":{\"vmSelector\":{}}"), "MP001");
    assert_string_equal(check(f, MG_OP_CREATE, "p", "\"selectors\":{}"), "");
}

static void test_mp_label_syntax(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{\"namespaceSelector\":"
                              "{\"-bad\":\"x\",\"good\":\"bad value\"}}"),
                        "MP002 MP002");
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{\"namespaceSelector\":"
                              "{\"example.com/tier\":\"\"}}"),
                        "");
}

static void test_mp_fields(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},"
                              "\"bandwidthPerMigration\":\"-1Mi\""),
                        "MP003");
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},"
                              "\"bandwidthPerMigration\":\"1m\""),
                        "MP003");
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},"
                              "\"bandwidthPerMigration\":-5"),
                        "MP003");
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},"
                              "\"bandwidthPerMigration\":67108864"),
                        "");
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},"
                              "\"completionTimeoutPerGiB\":-1"),
                        "MP004");
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},"
                              "\"completionTimeoutPerGiB\":0"),
                        "MP004(w)");
    assert_string_equal(check(f, MG_OP_CREATE, "p", "\"selectors\":{},\"maxDowntimeMs\":0"),
                        "MP005");
    assert_string_equal(check(f, MG_OP_CREATE, "p", "\"selectors\":{},\"maxDowntimeMs\":2000001"),
                        "MP005");
    assert_string_equal(check(f, MG_OP_CREATE, "p", "\"selectors\":{},\"maxDowntimeMs\":2000000"),
                        "");
    assert_string_equal(check(f, MG_OP_CREATE, "p", "\"selectors\":{},\"allowPostCopy\":true"),
                        "MP007(w)");
    assert_true(strlen(msg(f, 0)) < 120);
}

static void test_mp_feasibility_uses_effective_settings(void **state)
{
    struct fixture *f = *state;

    /* 100M at the shipped 150 s is fine; at 10 s it is 95 MiB/s, 10.04 s per 10^9 bytes. */
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},"
                              "\"bandwidthPerMigration\":\"100M\""),
                        "");
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},"
                              "\"bandwidthPerMigration\":\"100M\",\"completionTimeoutPerGiB\":10"),
                        "MP006");
    assert_non_null(strstr(msg(f, 0), "is 95 MiB/s to KubeVirt: 10.04 s per 10^9 bytes > "
                                      "completionTimeoutPerGiB 10 (policy)"));
    /* 100Mi moves 1,048,576,000 bytes in 10 s: feasible. */
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},"
                              "\"bandwidthPerMigration\":\"100Mi\",\"completionTimeoutPerGiB\":10"),
                        "");
    /* allowWorkloadDisruption (RULES.md 9.18): paused with a doubled deadline, a warning;
     * with post-copy, nothing; explicitly false, a denial. */
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},\"bandwidthPerMigration\":\"1Mi\","
                              "\"completionTimeoutPerGiB\":600,\"allowWorkloadDisruption\":true"),
                        "MP006(w)");
    assert_non_null(strstr(msg(f, 0), "large VMs get paused"));
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},\"bandwidthPerMigration\":\"1Mi\","
                              "\"completionTimeoutPerGiB\":476,\"allowWorkloadDisruption\":true"),
                        "MP006");
    assert_non_null(strstr(msg(f, 0), "2 x completionTimeoutPerGiB 476"));
    /* allowPostCopy alone sets allowWorkloadDisruption too (section 4). */
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},\"bandwidthPerMigration\":\"1Mi\","
                              "\"completionTimeoutPerGiB\":1,\"allowPostCopy\":true"),
                        "MP007(w)");
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},\"bandwidthPerMigration\":\"1Mi\","
                              "\"completionTimeoutPerGiB\":1,\"allowPostCopy\":true,"
                              "\"allowWorkloadDisruption\":false"),
                        "MP006 MP007(w)");
    assert_non_null(strstr(msg(f, 1), "post-copy never starts"));
    /* A timeout of 0 never cancels. */
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},\"bandwidthPerMigration\":\"1\","
                              "\"completionTimeoutPerGiB\":0"),
                        "MP004(w)");
    assert_non_null(strstr(msg(f, 0), "never cancels"));
    /* The policy's timeout with the cluster's bandwidth. */
    put_json(f, "{\"apiVersion\":\"hco.kubevirt.io/v1beta1\",\"kind\":\"HyperConverged\","
                "\"metadata\":{\"name\":\"hco\",\"namespace\":\"openshift-cnv\"},\"spec\":"
                "{\"liveMigrationConfig\":{\"bandwidthPerMigration\":\"10Mi\"}}}");
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},"
                              "\"completionTimeoutPerGiB\":60"),
                        "MP006");
    assert_non_null(strstr(msg(f, 0), "(cluster)"));
    assert_string_equal(check(f, MG_OP_CREATE, "p",
                              "\"selectors\":{},"
                              "\"completionTimeoutPerGiB\":60,\"bandwidthPerMigration\":0"),
                        "");
}

#define SEL_DB "\"selectors\":{\"virtualMachineInstanceSelector\":{\"app\":\"db\"}}"

static void test_mp_duplicate_selectors(void **state)
{
    struct fixture *f = *state;

    put(f, "a", SEL_DB ",\"allowAutoConverge\":true");
    assert_string_equal(check(f, MG_OP_CREATE, "b", SEL_DB ",\"allowAutoConverge\":true"), "MP010");
    assert_non_null(strstr(msg(f, 0), "\"a\""));
    /* An absent map and an empty map are the same selectors. */
    put(f, "all", "\"selectors\":{}");
    assert_string_equal(check(f, MG_OP_CREATE, "c", "\"selectors\":{\"namespaceSelector\":{}}"),
                        "MP010");
}

static void test_mp_equal_rank_with_other_settings_is_a_tie(void **state)
{
    struct fixture *f = *state;

    put(f, "a", SEL_DB ",\"bandwidthPerMigration\":\"1Gi\"");
    /* KubeVirt applies a (more VM labels); the documents b ("account" < "app"). */
    assert_string_equal(check(f, MG_OP_CREATE, "b",
                              "\"selectors\":{\"namespaceSelector\":"
                              "{\"account\":\"x\"}},\"bandwidthPerMigration\":\"2Gi\""),
                        "MP011");
    assert_non_null(strstr(msg(f, 0), "ties with policy \"a\""));
    assert_non_null(strstr(msg(f, 0), "labels {app=db} in a namespace with labels {account=x}"));
    assert_non_null(strstr(msg(f, 0), "bandwidthPerMigration 2Gi vs 1Gi"));
    assert_non_null(strstr(msg(f, 0), "applies \"a\" (more VM labels)"));
    assert_non_null(strstr(msg(f, 0), "(sorted selector keys) picks \"b\""));
    /* Both tie-breaks pick a ("app" < "team"): predictable, no finding. */
    assert_string_equal(check(f, MG_OP_CREATE, "c",
                              "\"selectors\":{\"namespaceSelector\":"
                              "{\"team\":\"x\"}},\"bandwidthPerMigration\":\"2Gi\""),
                        "");
}

/* Equal VM label counts: KubeVirt picks the smaller name, the documents the smaller
 * sorted key list; equal key lists decide nothing. */
static void test_mp_tie_breaks_by_name_and_keys(void **state)
{
    struct fixture *f = *state;

    put(f, "m", "\"selectors\":{\"virtualMachineInstanceSelector\":{\"app\":\"db\"}}");
    /* "a" < "m" by name, but "zone" > "app": they disagree. */
    assert_string_equal(check(f, MG_OP_CREATE, "a",
                              "\"selectors\":{\"virtualMachineInstanceSelector\":"
                              "{\"zone\":\"z\"}},\"allowAutoConverge\":true"),
                        "MP011");
    assert_non_null(strstr(msg(f, 0), "applies \"a\" (smaller name)"));
    assert_non_null(strstr(msg(f, 0), "picks \"m\""));
    /* "z" > "m" by name and "zone" > "app": both pick m. */
    assert_string_equal(check(f, MG_OP_CREATE, "z",
                              "\"selectors\":{\"virtualMachineInstanceSelector\":"
                              "{\"zone\":\"z\"}},\"allowAutoConverge\":true"),
                        "");
    /* The same key on the other side: equal sorted lists, the documents decide nothing. */
    put(f, "n1",
        "\"selectors\":{\"namespaceSelector\":{\"x\":\"1\"},"
        "\"virtualMachineInstanceSelector\":{\"y\":\"1\"}}");
    assert_string_equal(check(f, MG_OP_CREATE, "n0",
                              "\"selectors\":{\"namespaceSelector\":{\"y\":\"1\"},"
                              "\"virtualMachineInstanceSelector\":{\"x\":\"1\"}},"
                              "\"allowAutoConverge\":true"),
                        "");
    /* Configured as a warning: both winners, under 120 characters. */
    f->cfg.actions[MG_RULE_MP011] = MG_ACT_WARN;
    assert_string_equal(check(f, MG_OP_CREATE, "a",
                              "\"selectors\":{\"virtualMachineInstanceSelector\":"
                              "{\"zone\":\"z\"}},\"allowAutoConverge\":true"),
                        "MP011(w)");
    assert_non_null(strstr(msg(f, 0), "KubeVirt applies \"a\", the documents \"m\""));
    assert_true(strlen(msg(f, 0)) < 120);
}

static void test_mp_equal_rank_with_same_settings_is_fine(void **state)
{
    struct fixture *f = *state;

    put(f, "a", SEL_DB ",\"bandwidthPerMigration\":\"1Gi\"");
    /* 1024Mi equals 1Gi by value; the shipped completion timeout equals 150. */
    assert_string_equal(check(f, MG_OP_CREATE, "b",
                              "\"selectors\":{\"virtualMachineInstanceSelector\":"
                              "{\"tier\":\"x\"}},\"bandwidthPerMigration\":\"1024Mi\","
                              "\"completionTimeoutPerGiB\":150"),
                        "");
}

static void test_mp_other_rank_or_incompatible_is_fine(void **state)
{
    struct fixture *f = *state;

    put(f, "a", SEL_DB ",\"allowPostCopy\":false");
    assert_string_equal(check(f, MG_OP_CREATE, "b",
                              "\"selectors\":{\"virtualMachineInstanceSelector\":"
                              "{\"app\":\"db\",\"tier\":\"x\"}},\"allowAutoConverge\":true"),
                        "");
    assert_string_equal(check(f, MG_OP_CREATE, "c",
                              "\"selectors\":{\"virtualMachineInstanceSelector\":"
                              "{\"app\":\"web\"}},\"allowAutoConverge\":true"),
                        "");
}

static void test_mp_update_ignores_its_own_old_version(void **state)
{
    struct fixture *f = *state;

    put(f, "a", SEL_DB ",\"allowAutoConverge\":false");
    assert_string_equal(check(f, MG_OP_UPDATE, "a", SEL_DB ",\"allowAutoConverge\":true"), "");
    /* KubeVirt: a (smaller name); the documents: "0" < "app", so 0b: a real tie. */
    put(f, "b", "\"selectors\":{\"virtualMachineInstanceSelector\":{\"0tier\":\"x\"}}");
    assert_string_equal(check(f, MG_OP_UPDATE, "a", SEL_DB ",\"allowAutoConverge\":true"), "MP011");
    assert_non_null(strstr(msg(f, 0), "\"b\""));
}

static void test_mp_counts_moved_workloads(void **state)
{
    struct fixture *f = *state;

    put_json(f, "{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"n\"}}");
    put_json(f, "{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"v1\",\"namespace\":\"n\"},"
                "\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"app\":\"db\"}}}}}");
    put_json(f, "{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"v1\","
                "\"namespace\":\"n\",\"labels\":{\"app\":\"db\"}}}");
    put_json(f, "{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"lone\","
                "\"namespace\":\"n\",\"labels\":{\"app\":\"db\"}}}");
    put_json(f, "{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"web\",\"namespace\":\"n\"},"
                "\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}}}}}");
    assert_string_equal(check(f, MG_OP_CREATE, "p", SEL_DB), "MP012(w)");
    assert_non_null(strstr(msg(f, 0), "moves 2 VMs to policy \"p\" and 0 from it"));
    put(f, "p", SEL_DB);
    assert_string_equal(check(f, MG_OP_UPDATE, "p", SEL_DB ",\"allowAutoConverge\":true"), "");
    assert_string_equal(check(f, MG_OP_DELETE, "p", NULL), "MP012(w)");
    assert_non_null(strstr(msg(f, 0), "0 VMs to policy \"p\" and 2 from it"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mp_selectors_required_and_plain_maps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mp_label_syntax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mp_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mp_feasibility_uses_effective_settings, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_mp_duplicate_selectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mp_equal_rank_with_other_settings_is_a_tie, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_mp_tie_breaks_by_name_and_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mp_equal_rank_with_same_settings_is_fine, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_mp_other_rank_or_incompatible_is_fine, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_mp_update_ignores_its_own_old_version, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_mp_counts_moved_workloads, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
