/* SPDX-License-Identifier: Apache-2.0 */
/* test_lmc.c - LMC001-LMC010 driven with built requests: which rule fires on which
 * field path, the key parts of each message, actions from the configuration, and the
 * effective settings (defaults, overlay, cluster view). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lmc.h"

#define P1B "spec.liveMigrationConfig."
#define P1 "spec.virtualization.liveMigrationConfig."

struct fx {
    cJSON *obj;
    struct mg_request req;
    struct mg_config cfg;
    struct mg_verdict v;
    struct mg_store *view;
};

static struct fx fx;

static int setup(void **state)
{
    (void)state;
    memset(&fx, 0, sizeof(fx));
    mg_config_init(&fx.cfg);
    mg_verdict_init(&fx.v);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cJSON_Delete(fx.obj);
    mg_verdict_free(&fx.v);
    mg_store_free(fx.view);
    return 0;
}

/* Validate a HyperConverged whose liveMigrationConfig is lmc (JSON text, NULL: none)
 * at the path of version ("v1" or "v1beta1"). */
static void run_op(const char *version, const char *lmc, enum mg_op op)
{
    char text[4096];
    struct mg_vctx ctx;
    bool v1 = strcmp(version, "v1") == 0;

    if (lmc)
        snprintf(text, sizeof(text),
                 "{\"apiVersion\":\"hco.kubevirt.io/%s\",\"kind\":\"HyperConverged\","
                 "\"metadata\":{\"name\":\"kubevirt-hyperconverged\",\"namespace\":"
                 "\"kubevirt-hyperconverged\"},\"spec\":%s\"liveMigrationConfig\":%s%s}}",
                 version, v1 ? "{\"virtualization\":{" : "{", lmc, v1 ? "}" : "");
    else
        snprintf(text, sizeof(text),
                 "{\"apiVersion\":\"hco.kubevirt.io/%s\",\"kind\":\"HyperConverged\","
                 "\"metadata\":{\"name\":\"kubevirt-hyperconverged\"},\"spec\":{}}",
                 version);
    cJSON_Delete(fx.obj);
    fx.obj = cJSON_Parse(text);
    assert_non_null(fx.obj);
    mg_verdict_free(&fx.v);
    mg_verdict_init(&fx.v);
    fx.req = (struct mg_request){.uid = "u1",
                                 .group = "hco.kubevirt.io",
                                 .version = version,
                                 .kind = "HyperConverged",
                                 .name = "kubevirt-hyperconverged",
                                 .namespace_ = "kubevirt-hyperconverged",
                                 .op = op,
                                 .object = fx.obj};
    ctx = (struct mg_vctx){&fx.req, fx.view, &fx.cfg, &fx.v};
    assert_int_equal(mg_lmc_validate(&ctx), 0);
}

static void run(const char *version, const char *lmc)
{
    run_op(version, lmc, MG_OP_CREATE);
}

/* The one finding there must be: its rule, action, field and message parts. */
static const struct mg_finding *only(enum mg_rule rule, enum mg_action action, const char *field)
{
    if (fx.v.n != 1) {
        for (size_t i = 0; i < fx.v.n; i++)
            print_message("finding %zu: %s\n", i, fx.v.items[i].message);
        fail_msg("want exactly one finding (%s), got %zu", mg_rule_id(rule), fx.v.n);
    }
    assert_int_equal(fx.v.items[0].rule, rule);
    assert_int_equal(fx.v.items[0].action, action);
    assert_string_equal(fx.v.items[0].field, field);
    return &fx.v.items[0];
}

static void has_text(const struct mg_finding *f, const char *part)
{
    if (!strstr(f->message, part))
        fail_msg("message \"%s\" lacks \"%s\"", f->message, part);
}

static void none(void)
{
    if (fx.v.n) {
        for (size_t i = 0; i < fx.v.n; i++)
            print_message("finding %zu: %s\n", i, fx.v.items[i].message);
        fail_msg("want no findings, got %zu", fx.v.n);
    }
}

static void test_lmc_negative_bandwidth_names_field_and_fix(void **state)
{
    const struct mg_finding *f;

    (void)state;
    run("v1beta1", "{\"bandwidthPerMigration\":\"-1Mi\"}");
    f = only(MG_RULE_LMC002, MG_ACT_DENY, P1B "bandwidthPerMigration");
    assert_string_equal(f->message, "[LMC002] bandwidthPerMigration \"-1Mi\" is negative; use 0 "
                                    "for unlimited or a positive quantity such as 64Mi");
    run("v1", "{\"bandwidthPerMigration\":\"-1Mi\"}");
    only(MG_RULE_LMC002, MG_ACT_DENY, P1 "bandwidthPerMigration");
}

static void test_lmc_bandwidth_grammar_and_exponents(void **state)
{
    static const char *const bad[] = {"1e1.5", "1e19",   "1e-19",          "abc", "",
                                      "64MiB", "1e1000", "1e-99999999999", "--1", "0x10"};
    static const char *const good[] = {"0",    "-0",    "0Mi",  "1e18", "8Ei",
                                       "64Mi", "1.5Gi", "+1Gi", ".5Gi", "1E9"};
    char lmc[128];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(lmc, sizeof(lmc), "{\"bandwidthPerMigration\":\"%s\"}", bad[i]);
        run("v1beta1", lmc);
        has_text(only(MG_RULE_LMC001, MG_ACT_DENY, P1B "bandwidthPerMigration"),
                 "is not a valid quantity");
    }
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        snprintf(lmc, sizeof(lmc), "{\"bandwidthPerMigration\":\"%s\"}", good[i]);
        run("v1", lmc);
        none();
    }
}

static void test_lmc_sub_byte_bandwidth_says_write_zero(void **state)
{
    static const char *const tiny[] = {"1m", "999m", "0.5", "1n", "0.999999"};
    char lmc[128];

    (void)state;
    for (size_t i = 0; i < sizeof(tiny) / sizeof(tiny[0]); i++) {
        snprintf(lmc, sizeof(lmc),
                 "{\"bandwidthPerMigration\":\"%s\",\"completionTimeoutPerGiB\":1}", tiny[i]);
        run("v1beta1", lmc);
        /* LMC003 only: LMC006 does not fire on top of it. */
        has_text(only(MG_RULE_LMC003, MG_ACT_DENY, P1B "bandwidthPerMigration"),
                 "write 0 for unlimited");
    }
    /* Exactly 1 byte/s is a (slow) limit, not LMC003; at the default 150 s it is LMC006. */
    run("v1beta1", "{\"bandwidthPerMigration\":\"1\"}");
    has_text(only(MG_RULE_LMC006, MG_ACT_DENY, P1B "bandwidthPerMigration"),
             "\"1\" = 1 MiB/s: 953.67 s per 10^9 bytes > completionTimeoutPerGiB 150");
}

static void test_lmc_sub_byte_bandwidth_off_still_no_lmc006(void **state)
{
    (void)state;
    fx.cfg.actions[MG_RULE_LMC003] = MG_ACT_OFF;
    run("v1beta1", "{\"bandwidthPerMigration\":\"1m\",\"completionTimeoutPerGiB\":1}");
    none();
}

static void test_lmc_bandwidth_number_is_wrong_type(void **state)
{
    const struct mg_finding *f;

    (void)state;
    run("v1beta1", "{\"bandwidthPerMigration\":64}");
    f = only(MG_RULE_LMC004, MG_ACT_DENY, P1B "bandwidthPerMigration");
    has_text(f, "must be a quantity string");
    has_text(f, "quote it: \"64\"");
    run("v1", "{\"bandwidthPerMigration\":true}");
    has_text(only(MG_RULE_LMC004, MG_ACT_DENY, P1 "bandwidthPerMigration"), "not boolean true");
}

static void test_lmc_integer_types_and_ranges(void **state)
{
    static const struct {
        const char *key, *value;
        bool ok;
    } cases[] = {
        {"parallelMigrationsPerCluster", "\"5\"", false},
        {"parallelMigrationsPerCluster", "5.5", false},
        {"parallelMigrationsPerCluster", "0", false},
        {"parallelMigrationsPerCluster", "-1", false},
        {"parallelMigrationsPerCluster", "2147483648", false},
        {"parallelMigrationsPerCluster", "2147483647", true},
        {"parallelMigrationsPerCluster", "1", true},
        {"parallelOutboundMigrationsPerNode", "true", false},
        {"parallelOutboundMigrationsPerNode", "[1]", false},
        {"parallelOutboundMigrationsPerNode", "1", true},
        {"progressTimeout", "{}", false},
        {"progressTimeout", "1e400", false},
        {"progressTimeout", "9223372036854775808", false},
        {"progressTimeout", "9223372036854775807", false}, /* reads as 2^63 */
        {"progressTimeout", "9223372036854774784", true},  /* the largest double below */
        {"progressTimeout", "9.2e18", true},
        {"progressTimeout", "1", true},
        {"completionTimeoutPerGiB", "-150", false},
        {"completionTimeoutPerGiB", "150.25", false},
        {"completionTimeoutPerGiB", "\"150\"", false},
        {"completionTimeoutPerGiB", "1e18", true},
    };
    char lmc[256], field[128];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* A per-node limit of 1 keeps LMC005 quiet whatever the cluster limit is. */
        snprintf(lmc, sizeof(lmc), "{\"%s\":%s%s}", cases[i].key, cases[i].value,
                 strcmp(cases[i].key, "parallelOutboundMigrationsPerNode")
                     ? ",\"parallelOutboundMigrationsPerNode\":1"
                     : "");
        run("v1beta1", lmc);
        if (cases[i].ok) {
            none();
            continue;
        }
        snprintf(field, sizeof(field), P1B "%s", cases[i].key);
        has_text(only(MG_RULE_LMC004, MG_ACT_DENY, field), "must be a whole number");
    }
}

static void test_lmc_integer_message_quotes_the_value(void **state)
{
    const struct mg_finding *f;

    (void)state;
    run("v1", "{\"completionTimeoutPerGiB\":5.5}");
    f = only(MG_RULE_LMC004, MG_ACT_DENY, P1 "completionTimeoutPerGiB");
    assert_string_equal(f->message, "[LMC004] completionTimeoutPerGiB must be a whole number of "
                                    "seconds from 0 to 9223372036854775807, not number 5.5");
    run("v1", "{\"parallelMigrationsPerCluster\":\"5\"}");
    has_text(only(MG_RULE_LMC004, MG_ACT_DENY, P1 "parallelMigrationsPerCluster"),
             "from 1 to 2147483647, not string \"5\"");
}

static void test_lmc_bool_and_network_types(void **state)
{
    (void)state;
    run("v1beta1", "{\"allowPostCopy\":\"true\"}");
    has_text(only(MG_RULE_LMC004, MG_ACT_DENY, P1B "allowPostCopy"),
             "must be true or false, not string \"true\"");
    run("v1beta1", "{\"allowAutoConverge\":1}");
    only(MG_RULE_LMC004, MG_ACT_DENY, P1B "allowAutoConverge");
    run("v1", "{\"allowWorkloadDisruption\":[]}");
    only(MG_RULE_LMC004, MG_ACT_DENY, P1 "allowWorkloadDisruption");
    run("v1beta1", "{\"network\":5}");
    has_text(only(MG_RULE_LMC004, MG_ACT_DENY, P1B "network"), "must be a string");
}

static void test_lmc_null_fields_are_absent(void **state)
{
    (void)state;
    run("v1beta1", "{\"bandwidthPerMigration\":null,\"completionTimeoutPerGiB\":null,"
                   "\"parallelMigrationsPerCluster\":null,\"parallelOutboundMigrationsPerNode\":"
                   "null,\"progressTimeout\":null,\"allowAutoConverge\":null,\"allowPostCopy\":"
                   "null,\"allowWorkloadDisruption\":null,\"network\":null}");
    none();
}

static void test_lmc_config_not_a_map(void **state)
{
    (void)state;
    run("v1beta1", "\"fast\"");
    has_text(only(MG_RULE_LMC004, MG_ACT_DENY, "spec.liveMigrationConfig"),
             "must be a map of settings, not string \"fast\"");
    run("v1", "[]");
    only(MG_RULE_LMC004, MG_ACT_DENY, "spec.virtualization.liveMigrationConfig");
    run("v1", "null");
    none();
    run("v1", NULL);
    none();
    run("v1beta1", "{}");
    none();
}

static void test_lmc_delete_has_no_findings(void **state)
{
    (void)state;
    run_op("v1beta1", "{\"bandwidthPerMigration\":\"-1\",\"bogus\":1}", MG_OP_DELETE);
    none();
    run_op("v1beta1", "{\"bandwidthPerMigration\":\"-1\"}", MG_OP_UPDATE);
    only(MG_RULE_LMC002, MG_ACT_DENY, P1B "bandwidthPerMigration");
}

static void test_lmc_unknown_key_suggests_closest(void **state)
{
    const struct mg_finding *f;

    (void)state;
    run("v1beta1", "{\"bandwithPerMigration\":\"64Mi\"}");
    f = only(MG_RULE_LMC009, MG_ACT_DENY, P1B "bandwithPerMigration");
    assert_string_equal(f->message, "[LMC009] unknown field \"bandwithPerMigration\" in "
                                    "liveMigrationConfig; did you mean \"bandwidthPerMigration\"?");
    run("v1", "{\"ProgressTimeout\":150}");
    has_text(only(MG_RULE_LMC009, MG_ACT_DENY, P1 "ProgressTimeout"),
             "did you mean \"progressTimeout\"?");
    run("v1", "{\"zzzzzzzzzzzz\":1}");
    has_text(only(MG_RULE_LMC009, MG_ACT_DENY, P1 "zzzzzzzzzzzz"), "remove it");
}

static void test_lmc_per_node_over_cluster_warns(void **state)
{
    const struct mg_finding *f;

    (void)state;
    run("v1beta1", "{\"parallelMigrationsPerCluster\":2,\"parallelOutboundMigrationsPerNode\":3}");
    f = only(MG_RULE_LMC005, MG_ACT_WARN, P1B "parallelOutboundMigrationsPerNode");
    has_text(f, "parallelOutboundMigrationsPerNode 3 > parallelMigrationsPerCluster 2");
    assert_true(strlen(f->message) < 120);
    /* The absent per-node limit is the table's 2. */
    run("v1", "{\"parallelMigrationsPerCluster\":1}");
    only(MG_RULE_LMC005, MG_ACT_WARN, P1 "parallelMigrationsPerCluster");
    run("v1", "{\"parallelMigrationsPerCluster\":2,\"parallelOutboundMigrationsPerNode\":2}");
    none();
    /* No guess about a field that failed its own rule. */
    run("v1", "{\"parallelMigrationsPerCluster\":0,\"parallelOutboundMigrationsPerNode\":2}");
    only(MG_RULE_LMC004, MG_ACT_DENY, P1 "parallelMigrationsPerCluster");
}

static void test_lmc_infeasible_bandwidth_gives_both_numbers(void **state)
{
    const struct mg_finding *f;

    (void)state;
    /* 100M is 95 MiB/s to KubeVirt: 996,147,200 bytes in 10 s, under 10^9. */
    run("v1beta1", "{\"bandwidthPerMigration\":\"100M\",\"completionTimeoutPerGiB\":10}");
    f = only(MG_RULE_LMC006, MG_ACT_DENY, P1B "bandwidthPerMigration");
    assert_string_equal(f->message, "[LMC006] bandwidthPerMigration \"100M\" = 95 MiB/s: 10.04 s "
                                    "per 10^9 bytes > completionTimeoutPerGiB 10; raise one");
    /* 100Mi moves 1,048,576,000 bytes in 10 s: feasible (RULES.md 9.2). */
    run("v1beta1", "{\"bandwidthPerMigration\":\"100Mi\",\"completionTimeoutPerGiB\":10}");
    none();
    run("v1beta1", "{\"bandwidthPerMigration\":\"1Gi\",\"completionTimeoutPerGiB\":1}");
    none();
    /* 1073741823 bytes/s rounds to 1024 MiB/s: feasible at 1 s now. */
    run("v1", "{\"bandwidthPerMigration\":\"1073741823\",\"completionTimeoutPerGiB\":1}");
    none();
    run("v1", "{\"bandwidthPerMigration\":\"953Mi\",\"completionTimeoutPerGiB\":1}");
    has_text(only(MG_RULE_LMC006, MG_ACT_DENY, P1 "bandwidthPerMigration"), "= 953 MiB/s: 1.00 s");
    run("v1", "{\"bandwidthPerMigration\":\"954Mi\",\"completionTimeoutPerGiB\":1}");
    none();
    run("v1", "{\"bandwidthPerMigration\":\"0\",\"completionTimeoutPerGiB\":1}");
    none();
    /* Absent completionTimeoutPerGiB is the table's 150: 7Mi needs 136.24 s, 6Mi 158.95 s. */
    run("v1", "{\"bandwidthPerMigration\":\"7Mi\"}");
    none();
    run("v1", "{\"bandwidthPerMigration\":\"6Mi\"}");
    has_text(only(MG_RULE_LMC006, MG_ACT_DENY, P1 "bandwidthPerMigration"), "158.95 s");
}

/* The cases issue #12 names, with KubeVirt's rounding to whole MiB/s. */
static void test_lmc_feasibility_issue_examples(void **state)
{
    static const struct {
        const char *bw;
        int timeout;
        bool feasible;
    } cases[] = {
        {"100Mi", 10, true},  {"1Mi", 954, true},    {"1Mi", 953, false},   {"512Ki", 1000, true},
        {"1Ki", 1000, true},  {"1.6Mi", 600, true},  {"1.4Mi", 800, false}, {"1500Ki", 800, false},
        {"1.5Mi", 477, true}, {"1.5Mi", 476, false}, {"8Ei", 1, true},      {"1", 954, true},
    };
    char lmc[160];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(lmc, sizeof(lmc),
                 "{\"bandwidthPerMigration\":\"%s\",\"completionTimeoutPerGiB\":%d}", cases[i].bw,
                 cases[i].timeout);
        run("v1beta1", lmc);
        if (cases[i].feasible != (fx.v.n == 0))
            fail_msg("%s at %d s: want %s, got %zu findings", cases[i].bw, cases[i].timeout,
                     cases[i].feasible ? "feasible" : "LMC006", fx.v.n);
        if (!cases[i].feasible)
            only(MG_RULE_LMC006, MG_ACT_DENY, P1B "bandwidthPerMigration");
    }
}

/* RULES.md 9.18: allowWorkloadDisruption decides what an infeasible deadline does. */
static void test_lmc_feasibility_follows_workload_disruption(void **state)
{
    const struct mg_finding *f;

    (void)state;
    /* false (set): cancelled at the deadline, deny. */
    run("v1beta1", "{\"bandwidthPerMigration\":\"1Mi\",\"completionTimeoutPerGiB\":600,"
                   "\"allowWorkloadDisruption\":false}");
    only(MG_RULE_LMC006, MG_ACT_DENY, P1B "bandwidthPerMigration");
    /* true, no post-copy: paused with a doubled deadline; 2 x 600 s is enough: a warning. */
    run("v1beta1", "{\"bandwidthPerMigration\":\"1Mi\",\"completionTimeoutPerGiB\":600,"
                   "\"allowWorkloadDisruption\":true}");
    f = only(MG_RULE_LMC006, MG_ACT_WARN, P1B "bandwidthPerMigration");
    has_text(f, "large VMs get paused");
    assert_true(strlen(f->message) < 120);
    /* 2 x 476 s is not: deny, naming the doubled deadline. */
    run("v1beta1", "{\"bandwidthPerMigration\":\"1Mi\",\"completionTimeoutPerGiB\":476,"
                   "\"allowWorkloadDisruption\":true}");
    has_text(only(MG_RULE_LMC006, MG_ACT_DENY, P1B "bandwidthPerMigration"),
             "> 2 x completionTimeoutPerGiB 476");
    run("v1beta1", "{\"bandwidthPerMigration\":\"1Mi\",\"completionTimeoutPerGiB\":477,"
                   "\"allowWorkloadDisruption\":true}");
    only(MG_RULE_LMC006, MG_ACT_WARN, P1B "bandwidthPerMigration");
    /* true with post-copy: post-copy finishes it (only LMC007 remains). */
    run("v1beta1", "{\"bandwidthPerMigration\":\"1Mi\",\"completionTimeoutPerGiB\":1,"
                   "\"allowWorkloadDisruption\":true,\"allowPostCopy\":true}");
    only(MG_RULE_LMC007, MG_ACT_WARN, P1B "allowPostCopy");
    /* Unset on v1beta1 (hco-1.14 injects nothing there): follows allowPostCopy. */
    run("v1beta1", "{\"bandwidthPerMigration\":\"1Mi\",\"completionTimeoutPerGiB\":1,"
                   "\"allowPostCopy\":true}");
    only(MG_RULE_LMC007, MG_ACT_WARN, P1B "allowPostCopy");
    /* On v1 the table injects false: cancelled, and post-copy never starts. */
    run("v1", "{\"bandwidthPerMigration\":\"1Mi\",\"completionTimeoutPerGiB\":1,"
              "\"allowPostCopy\":true}");
    assert_int_equal(fx.v.n, 2);
    assert_int_equal(fx.v.items[0].rule, MG_RULE_LMC006);
    assert_int_equal(fx.v.items[0].action, MG_ACT_DENY);
    assert_int_equal(fx.v.items[1].rule, MG_RULE_LMC010);
    /* T = 0 never cancels: no LMC006, only LMC004's warning. */
    run("v1beta1", "{\"bandwidthPerMigration\":\"1\",\"completionTimeoutPerGiB\":0}");
    only(MG_RULE_LMC004, MG_ACT_WARN, P1B "completionTimeoutPerGiB");
    /* The pause warning is off with LMC006 off, and a deny configured as warn is a warning. */
    fx.cfg.actions[MG_RULE_LMC006] = MG_ACT_OFF;
    run("v1beta1", "{\"bandwidthPerMigration\":\"1Mi\",\"completionTimeoutPerGiB\":600,"
                   "\"allowWorkloadDisruption\":true}");
    none();
    fx.cfg.actions[MG_RULE_LMC006] = MG_ACT_WARN;
    run("v1beta1", "{\"bandwidthPerMigration\":\"1Mi\",\"completionTimeoutPerGiB\":6}");
    only(MG_RULE_LMC006, MG_ACT_WARN, P1B "bandwidthPerMigration");
}

static void test_lmc_zero_timeout_warns_never_cancels(void **state)
{
    const struct mg_finding *f;

    (void)state;
    run("v1", "{\"progressTimeout\":0}");
    f = only(MG_RULE_LMC004, MG_ACT_WARN, P1 "progressTimeout");
    assert_string_equal(f->message, "[LMC004] progressTimeout 0: KubeVirt then never cancels a "
                                    "migration on this timeout");
    run("v1beta1", "{\"completionTimeoutPerGiB\":0,\"bandwidthPerMigration\":\"1\"}");
    has_text(only(MG_RULE_LMC004, MG_ACT_WARN, P1B "completionTimeoutPerGiB"), "never cancels");
    fx.cfg.actions[MG_RULE_LMC004] = MG_ACT_OFF;
    run("v1beta1", "{\"completionTimeoutPerGiB\":0,\"progressTimeout\":0}");
    none();
    /* Negative is still a denial (with LMC004 deny). */
    fx.cfg.actions[MG_RULE_LMC004] = MG_ACT_DENY;
    run("v1beta1", "{\"completionTimeoutPerGiB\":-1}");
    only(MG_RULE_LMC004, MG_ACT_DENY, P1B "completionTimeoutPerGiB");
}

static void test_lmc_infeasible_with_table_bandwidth(void **state)
{
    (void)state;
    fx.cfg.defaults = mg_config_defaults_lookup("hco-1.4");
    assert_non_null(fx.cfg.defaults);
    /* 64 MiB/s x 14 s = 939,524,096 bytes < 10^9; 15 s moves 1,006,632,960. */
    run("v1beta1", "{\"completionTimeoutPerGiB\":14}");
    has_text(only(MG_RULE_LMC006, MG_ACT_DENY, P1B "completionTimeoutPerGiB"),
             "default bandwidth \"64Mi\" = 64 MiB/s: 14.90 s per 10^9 bytes");
    run("v1beta1", "{\"completionTimeoutPerGiB\":15}");
    none();
}

static void test_lmc_post_copy_warns(void **state)
{
    const struct mg_finding *f;

    (void)state;
    /* v1beta1 under hco-1.14: allowWorkloadDisruption unset follows allowPostCopy. */
    run("v1beta1", "{\"allowPostCopy\":true}");
    f = only(MG_RULE_LMC007, MG_ACT_WARN, P1B "allowPostCopy");
    has_text(f, "critical data");
    assert_true(strlen(f->message) < 120);
    run("v1", "{\"allowPostCopy\":true,\"allowWorkloadDisruption\":true}");
    only(MG_RULE_LMC007, MG_ACT_WARN, P1 "allowPostCopy");
    run("v1", "{\"allowPostCopy\":false}");
    none();
}

/* LMC010: post-copy that never starts, set false or injected false by the table. */
static void test_lmc_post_copy_without_workload_disruption(void **state)
{
    const struct mg_finding *f;

    (void)state;
    /* hco-1.14 injects allowWorkloadDisruption: false on v1. */
    run("v1", "{\"allowPostCopy\":true}");
    f = only(MG_RULE_LMC010, MG_ACT_WARN, P1 "allowPostCopy");
    has_text(f, "(defaults table)");
    has_text(f, "set allowWorkloadDisruption: true");
    assert_true(strlen(f->message) < 120);
    run("v1beta1", "{\"allowPostCopy\":true,\"allowWorkloadDisruption\":false}");
    f = only(MG_RULE_LMC010, MG_ACT_WARN, P1B "allowWorkloadDisruption");
    assert_true(strlen(f->message) < 120);
    /* hco-1.19 injects it on both versions. */
    fx.cfg.defaults = mg_config_defaults_lookup("hco-1.19");
    run("v1beta1", "{\"allowPostCopy\":true}");
    only(MG_RULE_LMC010, MG_ACT_WARN, P1B "allowPostCopy");
    /* A wrong-typed allowWorkloadDisruption is not guessed at (and is not injected). */
    run("v1beta1", "{\"allowPostCopy\":true,\"allowWorkloadDisruption\":\"yes\"}");
    only(MG_RULE_LMC004, MG_ACT_DENY, P1B "allowWorkloadDisruption");
    fx.cfg.actions[MG_RULE_LMC010] = MG_ACT_OFF;
    run("v1beta1", "{\"allowPostCopy\":true}");
    none();
}

static void test_lmc_network_syntax(void **state)
{
    static const char *const bad[] = {"Bad_Name", "a/b/c",          "/x", "x/", "-x",
                                      "UPPER/x",  "ns.with.dots/x", ""};
    static const char *const good[] = {"migration", "my-ns/migration", "a.b-c",
                                       "openshift-cnv/mig.net"};
    char lmc[128];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(lmc, sizeof(lmc), "{\"network\":\"%s\"}", bad[i]);
        run("v1beta1", lmc);
        has_text(only(MG_RULE_LMC008, MG_ACT_DENY, P1B "network"), "not a valid name");
    }
    /* Without NADs in the view only the syntax is checked. */
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        snprintf(lmc, sizeof(lmc), "{\"network\":\"%s\"}", good[i]);
        run("v1", lmc);
        none();
    }
}

static void put(const char *json)
{
    struct mg_err err = {0};

    if (!fx.view)
        fx.view = mg_store_new();
    assert_non_null(fx.view);
    assert_int_equal(mg_store_put(fx.view, cJSON_Parse(json), &err), 0);
}

static void test_lmc_network_must_exist_when_view_knows_nads(void **state)
{
    (void)state;
    put("{\"apiVersion\":\"k8s.cni.cncf.io/v1\",\"kind\":\"NetworkAttachmentDefinition\","
        "\"metadata\":{\"name\":\"migration\",\"namespace\":\"kubevirt-hyperconverged\"}}");
    put("{\"apiVersion\":\"k8s.cni.cncf.io/v1\",\"kind\":\"NetworkAttachmentDefinition\","
        "\"metadata\":{\"name\":\"mig\",\"namespace\":\"other\"}}");
    run("v1beta1", "{\"network\":\"migration\"}");
    none();
    run("v1beta1", "{\"network\":\"kubevirt-hyperconverged/migration\"}");
    none();
    run("v1", "{\"network\":\"other/mig\"}");
    none();
    /* A bare name is looked up in the HyperConverged's namespace only. */
    run("v1", "{\"network\":\"mig\"}");
    has_text(only(MG_RULE_LMC008, MG_ACT_DENY, P1 "network"),
             "NetworkAttachmentDefinition kubevirt-hyperconverged/mig does not exist");
    run("v1", "{\"network\":\"other/migration\"}");
    has_text(only(MG_RULE_LMC008, MG_ACT_DENY, P1 "network"), "other/migration does not exist");
}

/* Validate fx.obj again as it is now, with the request namespace ns. */
static void rerun(const char *ns)
{
    struct mg_vctx ctx = {&fx.req, fx.view, &fx.cfg, &fx.v};

    mg_verdict_free(&fx.v);
    mg_verdict_init(&fx.v);
    fx.req.namespace_ = ns;
    assert_int_equal(mg_lmc_validate(&ctx), 0);
}

static void test_lmc_network_namespace_from_request_when_object_has_none(void **state)
{
    (void)state;
    put("{\"kind\":\"NetworkAttachmentDefinition\",\"metadata\":{\"name\":\"mig\","
        "\"namespace\":\"openshift-cnv\"}}");
    run("v1beta1", "{\"network\":\"mig\"}");
    only(MG_RULE_LMC008, MG_ACT_DENY, P1B "network");
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(fx.obj, "metadata"), "namespace");
    rerun("openshift-cnv");
    none();
    rerun("kubevirt-hyperconverged");
    only(MG_RULE_LMC008, MG_ACT_DENY, P1B "network");
    /* No namespace anywhere: the existence of a bare name cannot be judged. */
    rerun("");
    none();
}

static void test_lmc_network_empty_nad_list_is_known(void **state)
{
    (void)state;
    fx.view = mg_store_new();
    assert_non_null(fx.view);
    assert_int_equal(mg_store_mark_known(fx.view, "NetworkAttachmentDefinition"), 0);
    run("v1beta1", "{\"network\":\"migration\"}");
    only(MG_RULE_LMC008, MG_ACT_DENY, P1B "network");
}

static void test_lmc_configured_actions_apply(void **state)
{
    (void)state;
    fx.cfg.actions[MG_RULE_LMC002] = MG_ACT_WARN;
    run("v1beta1", "{\"bandwidthPerMigration\":\"-1\"}");
    only(MG_RULE_LMC002, MG_ACT_WARN, P1B "bandwidthPerMigration");
    fx.cfg.actions[MG_RULE_LMC009] = MG_ACT_OFF;
    run("v1beta1", "{\"bandwithPerMigration\":\"64Mi\"}");
    none();
    fx.cfg.actions[MG_RULE_LMC005] = MG_ACT_DENY;
    run("v1", "{\"parallelOutboundMigrationsPerNode\":9}");
    only(MG_RULE_LMC005, MG_ACT_DENY, P1 "parallelOutboundMigrationsPerNode");
}

static void test_lmc_findings_in_field_order(void **state)
{
    static const enum mg_rule want[] = {MG_RULE_LMC001, MG_RULE_LMC004, MG_RULE_LMC004,
                                        MG_RULE_LMC008, MG_RULE_LMC009, MG_RULE_LMC007};

    (void)state;
    run("v1beta1", "{\"typo\":1,\"network\":\"A\",\"allowPostCopy\":true,"
                   "\"progressTimeout\":\"1\",\"allowAutoConverge\":\"no\","
                   "\"bandwidthPerMigration\":\"x\"}");
    assert_int_equal(fx.v.n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < fx.v.n; i++)
        assert_int_equal(fx.v.items[i].rule, want[i]);
}

static void test_lmc_messages_fit_a_warning(void **state)
{
    static const char *const lmcs[] = {
        "{\"bandwidthPerMigration\":\"-1Mi\"}",
        "{\"bandwidthPerMigration\":\"999m\"}",
        "{\"bandwidthPerMigration\":\"1e1.5\"}",
        "{\"bandwidthPerMigration\":64}",
        "{\"bandwidthPerMigration\":\"100M\",\"completionTimeoutPerGiB\":10}",
        "{\"bandwidthPerMigration\":\"1\"}",
        "{\"parallelOutboundMigrationsPerNode\":2147483647}",
        "{\"parallelMigrationsPerCluster\":1.5}",
        "{\"network\":\"Bad_Name\"}",
        "{\"parallelOutboundMigrationsPerNodee\":1}",
        "{\"bandwidthPerMigration\":\"0.00000000000000000000000000000001\"}",
    };

    (void)state;
    for (size_t i = 0; i < MG_RULE_COUNT; i++)
        fx.cfg.actions[i] = MG_ACT_WARN;
    for (size_t i = 0; i < sizeof(lmcs) / sizeof(lmcs[0]); i++) {
        run("v1", lmcs[i]);
        assert_true(fx.v.n > 0);
        for (size_t j = 0; j < fx.v.n; j++) {
            if (strlen(fx.v.items[j].message) >= 120)
                fail_msg("%zu chars: %s", strlen(fx.v.items[j].message), fx.v.items[j].message);
        }
    }
}

static void test_lmc_long_values_are_shortened(void **state)
{
    char lmc[512], big[300];

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    snprintf(lmc, sizeof(lmc), "{\"bandwidthPerMigration\":\"%s\"}", big);
    run("v1", lmc);
    has_text(only(MG_RULE_LMC001, MG_ACT_DENY, P1 "bandwidthPerMigration"), "xxx...\"");
    assert_true(strlen(fx.v.items[0].message) < 300);
}

static void test_lmc_api_version_decides_path(void **state)
{
    cJSON *o = cJSON_Parse("{\"spec\":{\"liveMigrationConfig\":{\"progressTimeout\":9},"
                           "\"virtualization\":{\"liveMigrationConfig\":"
                           "{\"progressTimeout\":7}}}}");
    const char *path = NULL;
    const cJSON *lmc;

    (void)state;
    assert_true(mg_lmc_hco_is_v1(o, "v1"));
    assert_false(mg_lmc_hco_is_v1(o, "v1beta1"));
    assert_true(mg_lmc_hco_is_v1(o, NULL)); /* spec.virtualization is there */
    cJSON_AddStringToObject(o, "apiVersion", "hco.kubevirt.io/v1beta1");
    assert_false(mg_lmc_hco_is_v1(o, "v1"));
    lmc = mg_lmc_of_hco(o, &path);
    assert_string_equal(path, "spec.liveMigrationConfig");
    assert_int_equal(cJSON_GetObjectItem(lmc, "progressTimeout")->valueint, 9);
    cJSON_ReplaceItemInObject(o, "apiVersion", cJSON_CreateString("hco.kubevirt.io/v1"));
    lmc = mg_lmc_of_hco(o, &path);
    assert_string_equal(path, "spec.virtualization.liveMigrationConfig");
    assert_int_equal(cJSON_GetObjectItem(lmc, "progressTimeout")->valueint, 7);
    cJSON_Delete(o);
    /* The request's version, when the object does not say. */
    fx.obj = NULL;
    run_op("v1", "{\"bandwidthPerMigration\":\"-1\"}", MG_OP_CREATE);
    cJSON_DeleteItemFromObject(fx.obj, "apiVersion");
    {
        struct mg_vctx ctx = {&fx.req, NULL, &fx.cfg, &fx.v};

        mg_verdict_free(&fx.v);
        mg_verdict_init(&fx.v);
        mg_lmc_validate(&ctx);
        only(MG_RULE_LMC002, MG_ACT_DENY, P1 "bandwidthPerMigration");
    }
    o = cJSON_Parse("{\"apiVersion\":\"hco.kubevirt.io/v1\",\"spec\":{\"virtualization\":"
                    "{\"liveMigrationConfig\":5}}}");
    assert_null(mg_lmc_of_hco(o, NULL));
    cJSON_Delete(o);
}

static void test_lmc_settings_default_tables(void **state)
{
    struct mg_lmc_settings s;

    (void)state;
    mg_lmc_settings_default(&s, &fx.cfg);
    assert_int_equal(mg_quantity_cmp_int(&s.bandwidth, 0), 0);
    assert_int_equal(s.completion_timeout, 150);
    assert_int_equal(s.parallel_cluster, 5);
    assert_int_equal(s.parallel_node, 2);
    assert_int_equal(s.progress_timeout, 150);
    assert_false(s.allow_post_copy || s.allow_auto_converge || s.allow_workload_disruption);
    assert_false(s.has_max_downtime);
    assert_null(s.network);
    fx.cfg.defaults = mg_config_defaults_lookup("hco-1.4");
    mg_lmc_settings_default(&s, &fx.cfg);
    assert_int_equal(mg_quantity_cmp_int(&s.bandwidth, 64 << 20), 0);
    assert_int_equal(s.completion_timeout, 800);
    fx.cfg.defaults = mg_config_defaults_lookup("hco-1.19");
    mg_lmc_settings_default(&s, &fx.cfg);
    assert_int_equal(s.completion_timeout, 20);
    assert_int_equal(s.parallel_node, 1);
}

static void test_lmc_settings_overlay_takes_valid_fields_only(void **state)
{
    struct mg_lmc_settings s;
    cJSON *lmc = cJSON_Parse("{\"bandwidthPerMigration\":\"1Gi\",\"completionTimeoutPerGiB\":"
                             "0,\"parallelMigrationsPerCluster\":9,"
                             "\"parallelOutboundMigrationsPerNode\":\"3\",\"progressTimeout\":"
                             "null,\"allowPostCopy\":true,\"allowAutoConverge\":false,"
                             "\"allowWorkloadDisruption\":true,\"network\":\"ns/mig\"}");
    struct mg_quantity gi;
    struct mg_err err;

    (void)state;
    mg_lmc_settings_default(&s, &fx.cfg);
    mg_lmc_settings_overlay(&s, lmc);
    assert_int_equal(mg_quantity_parse("1024Mi", &gi, &err), 0);
    assert_int_equal(mg_quantity_cmp(&s.bandwidth, &gi), 0);
    assert_int_equal(s.completion_timeout, 0); /* 0 is valid: no timeout */
    assert_int_equal(s.parallel_cluster, 9);
    assert_int_equal(s.parallel_node, 2); /* a string fails LMC004 */
    assert_int_equal(s.progress_timeout, 150);
    assert_true(s.allow_post_copy);
    assert_false(s.allow_auto_converge);
    assert_true(s.allow_workload_disruption);
    assert_string_equal(s.network, "ns/mig");
    /* Invalid fields leave the earlier values (the network still borrows from lmc). */
    {
        cJSON *bad = cJSON_Parse("{\"bandwidthPerMigration\":\"1m\",\"network\":\"Bad\"}");

        mg_lmc_settings_overlay(&s, bad);
        cJSON_Delete(bad);
    }
    assert_int_equal(mg_quantity_cmp(&s.bandwidth, &gi), 0);
    assert_string_equal(s.network, "ns/mig");
    mg_lmc_settings_overlay(&s, NULL);
    assert_int_equal(s.parallel_cluster, 9);
    cJSON_Delete(lmc);
}

static void test_lmc_settings_cluster_reads_the_view(void **state)
{
    struct mg_lmc_settings s;

    (void)state;
    mg_lmc_settings_cluster(&s, NULL, &fx.cfg);
    assert_int_equal(s.parallel_cluster, 5);
    put("{\"apiVersion\":\"hco.kubevirt.io/v1\",\"kind\":\"HyperConverged\",\"metadata\":{"
        "\"name\":\"kubevirt-hyperconverged\",\"namespace\":\"kubevirt-hyperconverged\"},"
        "\"spec\":{\"virtualization\":{\"liveMigrationConfig\":{\"parallelMigrationsPerCluster\":"
        "3,\"completionTimeoutPerGiB\":40}}}}");
    mg_lmc_settings_cluster(&s, fx.view, &fx.cfg);
    assert_int_equal(s.parallel_cluster, 3);
    assert_int_equal(s.completion_timeout, 40);
    assert_int_equal(s.parallel_node, 2);
}

static void test_lmc_check_bandwidth_for_other_families(void **state)
{
    cJSON *it = cJSON_CreateString("999m");
    struct mg_quantity q;
    enum mg_rule rule = MG_RULE_COUNT;
    char why[256];

    (void)state;
    assert_false(mg_lmc_check_bandwidth(it, &q, &rule, why, sizeof(why)));
    assert_int_equal(rule, MG_RULE_LMC003);
    assert_non_null(strstr(why, "bandwidthPerMigration \"999m\""));
    cJSON_SetValuestring(it, "2048Mi");
    assert_true(mg_lmc_check_bandwidth(it, &q, &rule, why, sizeof(why)));
    assert_int_equal(mg_quantity_cmp_int(&q, (int64_t)2048 << 20), 0);
    cJSON_Delete(it);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_lmc_negative_bandwidth_names_field_and_fix),
        T(test_lmc_bandwidth_grammar_and_exponents),
        T(test_lmc_sub_byte_bandwidth_says_write_zero),
        T(test_lmc_sub_byte_bandwidth_off_still_no_lmc006),
        T(test_lmc_bandwidth_number_is_wrong_type),
        T(test_lmc_integer_types_and_ranges),
        T(test_lmc_integer_message_quotes_the_value),
        T(test_lmc_bool_and_network_types),
        T(test_lmc_null_fields_are_absent),
        T(test_lmc_config_not_a_map),
        T(test_lmc_delete_has_no_findings),
        T(test_lmc_unknown_key_suggests_closest),
        T(test_lmc_per_node_over_cluster_warns),
        T(test_lmc_infeasible_bandwidth_gives_both_numbers),
        T(test_lmc_feasibility_issue_examples),
        T(test_lmc_feasibility_follows_workload_disruption),
        T(test_lmc_zero_timeout_warns_never_cancels),
        T(test_lmc_infeasible_with_table_bandwidth),
        T(test_lmc_post_copy_warns),
        T(test_lmc_post_copy_without_workload_disruption),
        T(test_lmc_network_syntax),
        T(test_lmc_network_must_exist_when_view_knows_nads),
        T(test_lmc_network_namespace_from_request_when_object_has_none),
        T(test_lmc_network_empty_nad_list_is_known),
        T(test_lmc_configured_actions_apply),
        T(test_lmc_findings_in_field_order),
        T(test_lmc_messages_fit_a_warning),
        T(test_lmc_long_values_are_shortened),
        T(test_lmc_api_version_decides_path),
        T(test_lmc_settings_default_tables),
        T(test_lmc_settings_overlay_takes_valid_fields_only),
        T(test_lmc_settings_cluster_reads_the_view),
        T(test_lmc_check_bandwidth_for_other_families),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
