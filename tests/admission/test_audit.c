/* SPDX-License-Identifier: Apache-2.0 */
/* test_audit.c - the audit's pair finder: the validator's own MP010 (same selectors)
 * and MP011 (a tie the two tie-breaks decide differently, settings differ) over a set
 * of stored policies, each pair once with the smaller name first; policies that merely
 * overlap, or tie with equal settings, are no pair; a rule configured off finds none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "audit.h"

/* As a LIST returns them: no kind, no apiVersion. */
static const char *const policies_json =
    "["
    "{\"metadata\":{\"name\":\"dup-b\",\"resourceVersion\":\"7\"},\"spec\":{\"selectors\":"
    "{\"virtualMachineInstanceSelector\":{\"tier\":\"prod\"}}}},"
    "{\"metadata\":{\"name\":\"dup-a\"},\"spec\":{\"selectors\":"
    "{\"virtualMachineInstanceSelector\":{\"tier\":\"prod\"}}}},"
    "{\"metadata\":{\"name\":\"c\"},\"spec\":{\"bandwidthPerMigration\":\"64Mi\",\"selectors\":"
    "{\"virtualMachineInstanceSelector\":{\"x\":\"1\",\"y\":\"1\"}}}},"
    "{\"metadata\":{\"name\":\"d\"},\"spec\":{\"bandwidthPerMigration\":\"128Mi\",\"selectors\":"
    "{\"virtualMachineInstanceSelector\":{\"a\":\"1\",\"b\":\"1\"}}}},"
    "{\"metadata\":{\"name\":\"p-x\"},\"spec\":{\"bandwidthPerMigration\":\"128Mi\","
    "\"selectors\":{\"virtualMachineInstanceSelector\":{\"x\":\"1\",\"y\":\"1\",\"z\":\"1\"}}}},"
    "{\"metadata\":{\"name\":\"q-a\"},\"spec\":{\"bandwidthPerMigration\":\"128Mi\","
    "\"selectors\":{\"virtualMachineInstanceSelector\":{\"a\":\"1\",\"b\":\"1\",\"c\":\"1\"}}}},"
    "{\"metadata\":{\"name\":\"alone\"},\"spec\":{\"selectors\":"
    "{\"virtualMachineInstanceSelector\":{\"tier\":\"dev\",\"app\":\"db\",\"r\":\"1\","
    "\"s\":\"1\"}}}}"
    "]";

struct found {
    char text[1024];
    size_t n;
};

static void on_pair(void *ctx, const struct mg_audit_pair *p)
{
    struct found *f = ctx;
    size_t at = strlen(f->text);

    snprintf(f->text + at, sizeof(f->text) - at, "%s %s-%s;", mg_rule_id(p->rule), p->a_name,
             p->b_name);
    assert_non_null(strstr(p->message, p->b_name));
    f->n++;
}

static void test_audit_finds_each_conflicting_pair_once(void **state)
{
    struct mg_config cfg;
    cJSON *policies = cJSON_Parse(policies_json);
    struct found f = {"", 0};

    (void)state;
    mg_config_init(&cfg);
    assert_int_equal(mg_audit_conflicts(&cfg, NULL, policies, on_pair, &f), 2);
    assert_int_equal(f.n, 2);
    /* c and d tie (two VM labels each): KubeVirt picks c (smaller name), the documents
     * d (key "a" before "x"), and the bandwidths differ. p-x and q-a tie the same way,
     * but with equal settings: no pair. Ties need equal label counts, so the groups of
     * one, two, three and four labels do not meet. */
    assert_string_equal(f.text, "MP010 dup-a-dup-b;MP011 c-d;");
    cJSON_Delete(policies);
}

static void test_audit_rules_off_find_nothing(void **state)
{
    struct mg_config cfg;
    cJSON *policies = cJSON_Parse(policies_json);
    struct found f = {"", 0};

    (void)state;
    mg_config_init(&cfg);
    cfg.actions[MG_RULE_MP010] = MG_ACT_OFF;
    cfg.actions[MG_RULE_MP011] = MG_ACT_OFF;
    assert_int_equal(mg_audit_conflicts(&cfg, NULL, policies, on_pair, &f), 0);
    assert_int_equal(f.n, 0);
    cJSON_Delete(policies);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_audit_finds_each_conflicting_pair_once),
        cmocka_unit_test(test_audit_rules_off_find_nothing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
