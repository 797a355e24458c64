/* SPDX-License-Identifier: Apache-2.0 */
/* test_names.c - label keys and values, DNS-1123 labels and subdomains at their
 * length and character boundaries, the reasons given, and the closest-match lookup. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "names.h"

/* A string of n copies of c followed by tail, in a static buffer. */
static const char *repeat(char c, size_t n, const char *tail)
{
    static char buf[600];

    assert_true(n + strlen(tail) < sizeof(buf));
    memset(buf, c, n);
    memcpy(buf + n, tail, strlen(tail) + 1);
    return buf;
}

typedef bool (*check_fn)(const char *, char *, size_t);

static void expect_ok(check_fn fn, const char *s)
{
    char why[256] = "stale";

    if (!fn(s, why, sizeof(why)))
        fail_msg("\"%s\" should be accepted: %s", s ? s : "(null)", why);
    assert_string_equal(why, "");
}

static void expect_bad(check_fn fn, const char *s, const char *want)
{
    char why[256] = "";

    if (fn(s, why, sizeof(why)))
        fail_msg("\"%s\" should be rejected", s ? s : "(null)");
    if (!strstr(why, want))
        fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", s ? s : "(null)", why, want);
}

static void test_names_label_key_accepts_plain_and_prefixed_names(void **state)
{
    (void)state;
    expect_ok(mg_name_label_key_ok, "app");
    expect_ok(mg_name_label_key_ok, "App_Name-1.x");
    expect_ok(mg_name_label_key_ok, "kubevirt.io/domain");
    expect_ok(mg_name_label_key_ok, "a.b-c.example/X");
    expect_ok(mg_name_label_key_ok, "1");
    expect_ok(mg_name_label_key_ok, repeat('a', 63, ""));
}

static void test_names_label_key_enforces_name_part(void **state)
{
    (void)state;
    expect_bad(mg_name_label_key_ok, "", "must not be empty");
    expect_bad(mg_name_label_key_ok, NULL, "must not be empty");
    expect_bad(mg_name_label_key_ok, repeat('a', 64, ""),
               "name part must be 63 characters or less");
    expect_bad(mg_name_label_key_ok, "example.com/", "name part must not be empty");
    const char *form = "name part must consist of alphanumeric characters, '-', '_' or '.', "
                       "and must start and end with an alphanumeric character";
    expect_bad(mg_name_label_key_ok, "-app", form);
    expect_bad(mg_name_label_key_ok, "app-", form);
    expect_bad(mg_name_label_key_ok, "_app", form);
    expect_bad(mg_name_label_key_ok, "a b", form);
    expect_bad(mg_name_label_key_ok, "a:b", form);
    expect_bad(mg_name_label_key_ok, "example.com/.x", form);
}

static void test_names_label_key_enforces_prefix(void **state)
{
    (void)state;
    /* 253-character prefix: four 62-character labels and one more character. */
    char prefix[300];
    memset(prefix, 'a', 253);
    for (int i = 62; i < 253; i += 63)
        prefix[i] = '.';
    memcpy(prefix + 253, "/name", 6);
    expect_ok(mg_name_label_key_ok, prefix);
    char longer[300];
    memcpy(longer, "b", 1);
    memcpy(longer + 1, prefix, strlen(prefix) + 1);
    expect_bad(mg_name_label_key_ok, longer, "prefix must be a DNS-1123 subdomain");
    expect_bad(mg_name_label_key_ok, longer, "253 characters or less");

    expect_bad(mg_name_label_key_ok, "Example.com/app", "prefix must be a DNS-1123 subdomain");
    expect_bad(mg_name_label_key_ok, "example..com/app", "prefix must be a DNS-1123 subdomain");
    expect_bad(mg_name_label_key_ok, "-example.com/app", "prefix must be a DNS-1123 subdomain");
    expect_bad(mg_name_label_key_ok, "example_com/app", "prefix must be a DNS-1123 subdomain");
    expect_bad(mg_name_label_key_ok, "/app", "prefix part must not be empty");
    expect_bad(mg_name_label_key_ok, "a/b/c", "one '/'");
    expect_bad(mg_name_label_key_ok, "a//b", "one '/'");
}

static void test_names_label_value_boundaries(void **state)
{
    (void)state;
    expect_ok(mg_name_label_value_ok, "");
    expect_ok(mg_name_label_value_ok, NULL);
    expect_ok(mg_name_label_value_ok, "v1.2_rc-3");
    expect_ok(mg_name_label_value_ok, "X");
    expect_ok(mg_name_label_value_ok, repeat('z', 63, ""));
    expect_bad(mg_name_label_value_ok, repeat('z', 64, ""), "63 characters or less");
    expect_bad(mg_name_label_value_ok, "-a", "must start and end with an alphanumeric");
    expect_bad(mg_name_label_value_ok, "a.", "must start and end with an alphanumeric");
    expect_bad(mg_name_label_value_ok, "a/b", "alphanumeric characters, '-', '_' or '.'");
    expect_bad(mg_name_label_value_ok, "a b", "alphanumeric characters, '-', '_' or '.'");
}

static void test_names_dns1123_label_boundaries(void **state)
{
    (void)state;
    expect_ok(mg_name_dns1123_label_ok, "default");
    expect_ok(mg_name_dns1123_label_ok, "a");
    expect_ok(mg_name_dns1123_label_ok, "0-9");
    expect_ok(mg_name_dns1123_label_ok, repeat('a', 63, ""));
    expect_bad(mg_name_dns1123_label_ok, repeat('a', 64, ""), "63 characters or less");
    expect_bad(mg_name_dns1123_label_ok, "", "must not be empty");
    expect_bad(mg_name_dns1123_label_ok, "Default", "lower case alphanumeric");
    expect_bad(mg_name_dns1123_label_ok, "a.b", "lower case alphanumeric characters or '-'");
    expect_bad(mg_name_dns1123_label_ok, "-a", "start and end");
    expect_bad(mg_name_dns1123_label_ok, "a-", "start and end");
    expect_bad(mg_name_dns1123_label_ok, "a_b", "lower case alphanumeric");
}

static void test_names_dns1123_subdomain_boundaries(void **state)
{
    (void)state;
    expect_ok(mg_name_dns1123_subdomain_ok, "migration-net");
    expect_ok(mg_name_dns1123_subdomain_ok, "a.b.c");
    expect_ok(mg_name_dns1123_subdomain_ok, "a-b.0");
    expect_ok(mg_name_dns1123_subdomain_ok, "my-vmi.1");
    /* As Kubernetes: only the total length is limited. */
    expect_ok(mg_name_dns1123_subdomain_ok, repeat('a', 253, ""));
    expect_bad(mg_name_dns1123_subdomain_ok, repeat('a', 254, ""), "253 characters or less");
    expect_bad(mg_name_dns1123_subdomain_ok, "", "must not be empty");
    expect_bad(mg_name_dns1123_subdomain_ok, NULL, "must not be empty");
    const char *form = "lower case alphanumeric characters, '-' or '.'";
    expect_bad(mg_name_dns1123_subdomain_ok, "My-VMI", form);
    expect_bad(mg_name_dns1123_subdomain_ok, ".a", form);
    expect_bad(mg_name_dns1123_subdomain_ok, "a.", form);
    expect_bad(mg_name_dns1123_subdomain_ok, "a..b", form);
    expect_bad(mg_name_dns1123_subdomain_ok, "a-.b", form);
    expect_bad(mg_name_dns1123_subdomain_ok, "a.-b", form);
    expect_bad(mg_name_dns1123_subdomain_ok, "ns/name", form);
    expect_bad(mg_name_dns1123_subdomain_ok, "-", form);
}

static void test_names_reasons_fit_small_buffers(void **state)
{
    (void)state;
    char why[8];
    assert_false(mg_name_dns1123_label_ok("A", why, sizeof(why)));
    assert_int_equal(strlen(why), sizeof(why) - 1);
    assert_false(mg_name_dns1123_label_ok("A", NULL, 0));
    assert_true(mg_name_label_value_ok("ok", NULL, 0));
}

static const char *const lmc_keys[] = {
    "bandwidthPerMigration",
    "completionTimeoutPerGiB",
    "parallelMigrationsPerCluster",
    "parallelOutboundMigrationsPerNode",
    "progressTimeout",
    "allowAutoConverge",
    "allowPostCopy",
    "allowWorkloadDisruption",
    "network",
};
#define NKEYS (sizeof(lmc_keys) / sizeof(lmc_keys[0]))

static void test_names_closest_finds_typos(void **state)
{
    (void)state;
    assert_string_equal(mg_name_closest("bandwithPerMigration", lmc_keys, NKEYS),
                        "bandwidthPerMigration");
    assert_string_equal(mg_name_closest("BandwidthPerMigration", lmc_keys, NKEYS),
                        "bandwidthPerMigration");
    assert_string_equal(mg_name_closest("allowPostcopy", lmc_keys, NKEYS), "allowPostCopy");
    assert_string_equal(mg_name_closest("netwrok", lmc_keys, NKEYS), "network");
    assert_string_equal(mg_name_closest("progresTimeout", lmc_keys, NKEYS), "progressTimeout");
    assert_string_equal(mg_name_closest("parallelOutboundMigrationPerNodes", lmc_keys, NKEYS),
                        "parallelOutboundMigrationsPerNode");
}

static void test_names_closest_returns_null_when_nothing_is_near(void **state)
{
    (void)state;
    assert_null(mg_name_closest("zzzz", lmc_keys, NKEYS));
    assert_null(mg_name_closest("", lmc_keys, NKEYS));
    assert_null(mg_name_closest("timeout", lmc_keys, NKEYS));
    assert_null(mg_name_closest("bandwidth", lmc_keys, NKEYS));
    assert_null(mg_name_closest("x", NULL, 0));
    assert_null(mg_name_closest(NULL, lmc_keys, NKEYS));
    /* The limit is max(2, strlen(word)/3): two edits always count, three do not here. */
    const char *short_keys[] = {"ab", "abcd"};
    assert_string_equal(mg_name_closest("xy", short_keys, 2), "ab");
    assert_string_equal(mg_name_closest("abxx", short_keys, 2), "ab");
    assert_null(mg_name_closest("xyz", short_keys, 1));
}

static void test_names_closest_prefers_first_of_equal_distance(void **state)
{
    (void)state;
    const char *keys[] = {NULL, "cat", "car", "cab"};
    assert_string_equal(mg_name_closest("caz", keys, 4), "cat");
    assert_string_equal(mg_name_closest("car", keys, 4), "car");
    const char *long_key[] = {repeat('a', 300, "")};
    assert_null(mg_name_closest("a", long_key, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_label_key_accepts_plain_and_prefixed_names),
        cmocka_unit_test(test_names_label_key_enforces_name_part),
        cmocka_unit_test(test_names_label_key_enforces_prefix),
        cmocka_unit_test(test_names_label_value_boundaries),
        cmocka_unit_test(test_names_dns1123_label_boundaries),
        cmocka_unit_test(test_names_dns1123_subdomain_boundaries),
        cmocka_unit_test(test_names_reasons_fit_small_buffers),
        cmocka_unit_test(test_names_closest_finds_typos),
        cmocka_unit_test(test_names_closest_returns_null_when_nothing_is_near),
        cmocka_unit_test(test_names_closest_prefers_first_of_equal_distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
