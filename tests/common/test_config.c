/* SPDX-License-Identifier: Apache-2.0 */
/* test_config.c - the configuration loader: shipped defaults, rule actions, tables,
 * eviction strategy, and strictness (unknown keys, ids and values are errors, and a
 * bad file changes nothing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

static int parse(struct mg_config *cfg, const char *text, struct mg_err *err)
{
    mg_config_init(cfg);
    return mg_config_parse(cfg, text, strlen(text), "test.yaml", err);
}

static void test_config_init_uses_shipped_actions_and_hco_1_14(void **state)
{
    struct mg_config cfg;

    (void)state;
    mg_config_init(&cfg);
    assert_string_equal(cfg.defaults->name, "hco-1.14");
    assert_int_equal(cfg.defaults->completion_timeout, 150);
    assert_null(cfg.defaults->bandwidth);
    assert_int_equal(mg_config_action(&cfg, MG_RULE_LMC001), MG_ACT_DENY);
    assert_int_equal(mg_config_action(&cfg, MG_RULE_LMC005), MG_ACT_WARN);
    assert_int_equal(mg_config_action(&cfg, MG_RULE_MP012), MG_ACT_WARN);
    assert_int_equal(cfg.default_eviction, MG_EVICT_UNSET);
}

static void test_config_embedded_default_parses_to_the_shipped_config(void **state)
{
    struct mg_config a, b;
    struct mg_err err = {0};

    (void)state;
    mg_config_init(&a);
    assert_int_equal(parse(&b, mg_config_default_yaml, &err), 0);
    assert_memory_equal(&a, &b, sizeof(a));
}

static void test_config_sets_rule_actions_including_plain_off(void **state)
{
    struct mg_config cfg;
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(parse(&cfg, "rules:\n  LMC005: deny\n  VM003: warn\n  MP012: off\n", &err), 0);
    assert_int_equal(mg_config_action(&cfg, MG_RULE_LMC005), MG_ACT_DENY);
    assert_int_equal(mg_config_action(&cfg, MG_RULE_VM003), MG_ACT_WARN);
    assert_int_equal(mg_config_action(&cfg, MG_RULE_MP012), MG_ACT_OFF);
    assert_int_equal(mg_config_action(&cfg, MG_RULE_LMC001), MG_ACT_DENY);
}

static void test_config_selects_tables_and_eviction(void **state)
{
    struct mg_config cfg;
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(parse(&cfg, "defaults: hco-1.4\ndefaultEvictionStrategy: LiveMigrate\n", &err),
                     0);
    assert_string_equal(cfg.defaults->name, "hco-1.4");
    assert_string_equal(cfg.defaults->bandwidth, "64Mi");
    assert_int_equal(cfg.defaults->completion_timeout, 800);
    assert_int_equal(cfg.default_eviction, MG_EVICT_LIVE_MIGRATE);
    assert_int_equal(parse(&cfg, "defaults: hco-1.19\n", &err), 0);
    assert_int_equal(cfg.defaults->completion_timeout, 20);
    assert_int_equal(cfg.defaults->parallel_node, 1);
}

static void test_config_rejects_unknown_key_with_line(void **state)
{
    struct mg_config cfg;
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(parse(&cfg, "defaults: hco-1.14\nrulez: {}\n", &err), MG_ECONFIG);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "rulez"));
}

static void test_config_rejects_unknown_rule_action_and_table(void **state)
{
    struct mg_config cfg;
    struct mg_err err = {0};

    (void)state;
    assert_int_equal(parse(&cfg, "rules:\n  LMC099: deny\n", &err), MG_ECONFIG);
    assert_non_null(strstr(err.msg, "LMC099"));
    assert_int_equal(err.line, 2);
    assert_int_equal(parse(&cfg, "rules:\n  LMC001: block\n", &err), MG_ECONFIG);
    assert_non_null(strstr(err.msg, "deny, warn or off"));
    assert_int_equal(parse(&cfg, "defaults: hco-2.0\n", &err), MG_ECONFIG);
    assert_int_equal(parse(&cfg, "defaultEvictionStrategy: Migrate\n", &err), MG_ECONFIG);
    assert_int_equal(parse(&cfg, "- a\n- b\n", &err), MG_ECONFIG);
    assert_int_equal(parse(&cfg, "rules: [\n", &err), MG_ECONFIG);
}

static void test_config_bad_file_changes_nothing(void **state)
{
    struct mg_config cfg, before;
    struct mg_err err = {0};

    (void)state;
    mg_config_init(&cfg);
    before = cfg;
    assert_int_equal(
        mg_config_parse(&cfg, "rules:\n  LMC005: deny\n  LMC001: nope\n", 32, "t", &err),
        MG_ECONFIG);
    assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void test_config_load_file_reports_missing_file(void **state)
{
    struct mg_config cfg;
    struct mg_err err = {0};

    (void)state;
    assert_int_not_equal(mg_config_load_file(&cfg, "/nonexistent/migguard.yaml", &err), 0);
    assert_non_null(strstr(err.msg, "/nonexistent/migguard.yaml"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_init_uses_shipped_actions_and_hco_1_14),
        cmocka_unit_test(test_config_embedded_default_parses_to_the_shipped_config),
        cmocka_unit_test(test_config_sets_rule_actions_including_plain_off),
        cmocka_unit_test(test_config_selects_tables_and_eviction),
        cmocka_unit_test(test_config_rejects_unknown_key_with_line),
        cmocka_unit_test(test_config_rejects_unknown_rule_action_and_table),
        cmocka_unit_test(test_config_bad_file_changes_nothing),
        cmocka_unit_test(test_config_load_file_reports_missing_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
