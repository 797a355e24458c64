/* SPDX-License-Identifier: Apache-2.0 */
/* test_quantity.c - Kubernetes quantity parsing and exact comparisons: suffixes,
 * exponent bounds, capping, rounding, the LMC003/LMC006 boundaries, and the parser
 * checked against the RULES.md grammar regex with PCRE2. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "quantity.h"

static struct mg_quantity parse_ok(const char *text)
{
    struct mg_quantity q;
    struct mg_err err = {0};
    int rc = mg_quantity_parse(text, &q, &err);

    if (rc != 0)
        fail_msg("\"%s\" should parse, got: %s", text, err.msg);
    return q;
}

/* Asserts that text is rejected and that the message contains want. */
static void parse_fails(const char *text, const char *want)
{
    struct mg_quantity q;
    struct mg_err err = {0};
    int rc = mg_quantity_parse(text, &q, &err);

    if (rc != MG_EINVAL)
        fail_msg("\"%s\" should be rejected, rc=%d", text, rc);
    assert_int_equal(err.code, MG_EINVAL);
    assert_int_equal(q.sign, 0);
    if (want && !strstr(err.msg, want))
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, err.msg, want);
}

static void assert_equals_int(const char *text, int64_t v)
{
    struct mg_quantity q = parse_ok(text);

    if (mg_quantity_cmp_int(&q, v) != 0)
        fail_msg("\"%s\" should equal %lld", text, (long long)v);
    assert_false(q.capped);
}

static int cmp_text(const char *a, const char *b)
{
    struct mg_quantity x = parse_ok(a), y = parse_ok(b);
    int r = mg_quantity_cmp(&x, &y);

    assert_int_equal(mg_quantity_cmp(&y, &x), -r);
    return r;
}

static void test_quantity_parses_every_binary_suffix(void **state)
{
    (void)state;
    assert_equals_int("1Ki", INT64_C(1) << 10);
    assert_equals_int("1Mi", INT64_C(1) << 20);
    assert_equals_int("1Gi", INT64_C(1) << 30);
    assert_equals_int("1Ti", INT64_C(1) << 40);
    assert_equals_int("1Pi", INT64_C(1) << 50);
    assert_equals_int("1Ei", INT64_C(1) << 60);
    assert_equals_int("7Ei", INT64_C(7) << 60);
    assert_equals_int("2048Mi", INT64_C(2048) << 20);
    struct mg_quantity q = parse_ok("3Gi");
    assert_int_equal(q.sign, 1);
    assert_int_equal(q.exp2, 30);
}

static void test_quantity_parses_every_decimal_suffix(void **state)
{
    (void)state;
    assert_int_equal(cmp_text("1n", "1e-9"), 0);
    assert_int_equal(cmp_text("1u", "1e-6"), 0);
    assert_int_equal(cmp_text("1m", "1e-3"), 0);
    assert_int_equal(cmp_text("1000n", "1u"), 0);
    assert_equals_int("1k", 1000);
    assert_equals_int("1M", 1000000);
    assert_equals_int("1G", 1000000000);
    assert_equals_int("1T", INT64_C(1000000000000));
    assert_equals_int("1P", INT64_C(1000000000000000));
    assert_equals_int("1E", INT64_C(1000000000000000000));
    assert_equals_int("9E", INT64_C(9000000000000000000));
    assert_equals_int("64M", 64000000);
}

static void test_quantity_e_alone_is_exa_but_e_with_digits_is_exponent(void **state)
{
    (void)state;
    assert_equals_int("1E", INT64_C(1000000000000000000));
    assert_equals_int("1E3", 1000);
    assert_equals_int("1e3", 1000);
    assert_equals_int("2E+2", 200);
    parse_fails("1e", "suffix");
    parse_fails("1e+", "suffix");
    parse_fails("1Ex", "suffix");
}

static void test_quantity_accepts_exponent_bounds(void **state)
{
    (void)state;
    assert_equals_int("1e18", INT64_C(1000000000000000000));
    assert_equals_int("1e+18", INT64_C(1000000000000000000));
    assert_equals_int("1e018", INT64_C(1000000000000000000));
    assert_equals_int("5e0", 5);
    assert_equals_int("5e-0", 5);
    assert_int_equal(cmp_text("1e-18", "0.000000000000000001"), 0);
    assert_int_equal(cmp_text("1E-18", "1e-18"), 0);
    struct mg_quantity q = parse_ok("9e18");
    assert_false(q.capped);
}

static void test_quantity_rejects_exponent_out_of_range(void **state)
{
    (void)state;
    parse_fails("1e19", "exponent 19 is outside -18..18");
    parse_fails("1e-19", "exponent -19 is outside -18..18");
    parse_fails("1e1000", "exponent 1000 is outside -18..18");
    parse_fails("0e1000", "outside -18..18");
    parse_fails("1e-99999999999", "exponent -99999999999 is outside -18..18");
    parse_fails("1e+0000000000000000000000000000000019", "outside -18..18");

    /* A huge exponent costs one scan, not a loop over its value. */
    static char big[200003];
    memset(big, '9', sizeof(big) - 1);
    memcpy(big, "1e-", 3);
    big[sizeof(big) - 1] = '\0';
    clock_t start = clock();
    parse_fails(big, "outside -18..18");
    assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 1.0);
}

static void test_quantity_rejects_fractional_exponent(void **state)
{
    (void)state;
    parse_fails("1e1.5", "fractional exponent 1.5");
    parse_fails("1e1.", "fractional exponent");
    parse_fails("1e.5", "fractional exponent");
    parse_fails("1e1.0", "fractional exponent");
    parse_fails("1E-2.5", "fractional exponent -2.5");
}

static void test_quantity_rejects_empty_and_whitespace(void **state)
{
    (void)state;
    parse_fails("", "empty");
    parse_fails(NULL, "empty");
    parse_fails(" 1", "spaces");
    parse_fails("1 ", "spaces");
    parse_fails("1 Mi", "spaces");
    parse_fails("1\n", "spaces");
    parse_fails("\t1Gi", "spaces");
}

static void test_quantity_accepts_sign_and_decimal_point_forms(void **state)
{
    (void)state;
    assert_equals_int("+1", 1);
    assert_equals_int("5.", 5);
    assert_equals_int("1.5Gi", INT64_C(1610612736));
    assert_equals_int("0.5Ki", 512);
    assert_equals_int("-2", -2);
    assert_equals_int("007", 7);
    struct mg_quantity q = parse_ok(".5");
    assert_true(mg_quantity_between_zero_and_one(&q));
    q = parse_ok("-1.5");
    assert_int_equal(q.sign, -1);
    assert_int_equal(cmp_text("1.5Gi", "1536Mi"), 0);
}

static void test_quantity_rejects_malformed_text(void **state)
{
    (void)state;
    parse_fails("Mi", "must start with a number");
    parse_fails("Ki", "must start with a number");
    parse_fails("+", "must start with a number");
    parse_fails("-", "must start with a number");
    parse_fails(".", "must start with a number");
    parse_fails("--1", "must start with a number");
    parse_fails("+-1", "must start with a number");
    parse_fails("1Ki2", "unknown quantity suffix \"Ki2\"");
    parse_fails("1K", "unknown quantity suffix \"K\"");
    parse_fails("1i", "suffix");
    parse_fails("1EiB", "suffix");
    parse_fails("1Mi ", "spaces");
    parse_fails("1..5", "suffix");
    parse_fails("1.5.5", "suffix");
    parse_fails("0x10", "suffix");
    parse_fails("1mm", "suffix");
    parse_fails("1\xc2\xb5", "unknown quantity suffix:");
}

static void test_quantity_caps_values_above_int64_max(void **state)
{
    (void)state;
    const char *capped[] = {"8Ei", "100E", "9.3e18", "9223372036854775808",
                            "1000000000000000000000000000000000000000000000000000000000000"};
    for (size_t i = 0; i < sizeof(capped) / sizeof(capped[0]); i++) {
        struct mg_quantity q = parse_ok(capped[i]);
        if (!q.capped)
            fail_msg("\"%s\" should be capped", capped[i]);
        assert_int_equal(mg_quantity_cmp_int(&q, INT64_MAX), 0);
        assert_int_equal(mg_quantity_value(&q), INT64_MAX);
    }
    struct mg_quantity q = parse_ok("-8Ei");
    assert_true(q.capped);
    assert_int_equal(q.sign, -1);
    assert_int_equal(mg_quantity_cmp_int(&q, -INT64_MAX), 0);
    assert_int_equal(mg_quantity_value(&q), -INT64_MAX);
    q = parse_ok("9223372036854775807");
    assert_false(q.capped);
    assert_int_equal(mg_quantity_value(&q), INT64_MAX);
    q = parse_ok("7Ei");
    assert_false(q.capped);
    assert_int_equal(cmp_text("8Ei", "9223372036854775807"), 0);
    assert_int_equal(cmp_text("8Ei", "9223372036854775806"), 1);
}

static void test_quantity_negative_zero_is_zero(void **state)
{
    (void)state;
    const char *zeros[] = {"-0", "0", "+0", "-0.0", "-.0", "0Ki", "-0Ei", "0e18", "000.000m"};
    for (size_t i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++) {
        struct mg_quantity q = parse_ok(zeros[i]);
        assert_int_equal(q.sign, 0);
        assert_int_equal(mg_quantity_cmp_int(&q, 0), 0);
        assert_int_equal(mg_quantity_value(&q), 0);
        assert_false(mg_quantity_between_zero_and_one(&q));
        assert_int_equal(mg_quantity_mebibytes(&q), 0);
    }
    assert_int_equal(cmp_text("-0", "0"), 0);
}

static void test_quantity_limits_significant_digits_to_38(void **state)
{
    (void)state;
    parse_ok("12345678901234567890123456789012345678m");
    parse_fails("123456789012345678901234567890123456789m", "more than 38 significant digits");
    parse_fails("1.00000000000000000000000000000000000001", "38 significant digits");
    /* Leading and trailing zeros are not significant. */
    parse_ok("0000000000000000000000000000000000000000001.500000000000000000000000000000000000");
    parse_ok("0.000000000000000000000000000000000000000012345678901234567890123456789012345678");
}

static void test_quantity_cmp_is_exact_across_suffixes(void **state)
{
    (void)state;
    assert_int_equal(cmp_text("1Gi", "1024Mi"), 0);
    assert_int_equal(cmp_text("1Gi", "1073741824"), 0);
    assert_int_equal(cmp_text("1024Mi", "1073741824"), 0);
    assert_int_equal(cmp_text("1Gi", "1048576Ki"), 0);
    assert_int_equal(cmp_text("1Gi", "1.073741824G"), 0);
    assert_int_equal(cmp_text("1Gi", "1.073741825G"), -1);
    assert_int_equal(cmp_text("1Gi", "1073741823.999999999"), 1);
    assert_int_equal(cmp_text("1G", "1Gi"), -1);
    assert_int_equal(cmp_text("0.1", "100m"), 0);
    assert_int_equal(cmp_text("999999999n", "1"), -1);
    assert_int_equal(cmp_text("-1", "-1m"), -1);
    assert_int_equal(cmp_text("-1Gi", "-1024Mi"), 0);
    assert_int_equal(cmp_text("-1", "1n"), -1);
    assert_int_equal(cmp_text("1Ei", "1.152921504606846976E"), 0);
    assert_int_equal(cmp_text("1Ei", "1.152921504606846977E"), -1);
    struct mg_quantity q = parse_ok("1Ki");
    assert_int_equal(mg_quantity_cmp_int(&q, 1023), 1);
    assert_int_equal(mg_quantity_cmp_int(&q, 1024), 0);
    assert_int_equal(mg_quantity_cmp_int(&q, 1025), -1);
    assert_int_equal(mg_quantity_cmp_int(&q, INT64_MIN), 1);
}

static void test_quantity_cmp_is_exact_for_tiny_values(void **state)
{
    (void)state;
    char tiny[220], tinier[220];
    snprintf(tiny, sizeof(tiny), "0.%0200d", 1);
    snprintf(tinier, sizeof(tinier), "0.%0201d", 1);
    assert_int_equal(cmp_text(tiny, "0"), 1);
    assert_int_equal(cmp_text(tiny, "1e-18"), -1);
    assert_int_equal(cmp_text(tinier, tiny), -1);
    assert_int_equal(cmp_text(tiny, tiny), 0);
    struct mg_quantity q = parse_ok(tiny);
    assert_true(mg_quantity_between_zero_and_one(&q));
    assert_int_equal(mg_quantity_value(&q), 1);
}

static void test_quantity_between_zero_and_one_boundaries(void **state)
{
    (void)state;
    const char *inside[] = {"1m",
                            "0.5",
                            "999m",
                            "1n",
                            "1e-18",
                            ".999999999999999999999999999999",
                            "0.99999999999999999999999999999999999999",
                            "999999999n"};
    const char *outside[] = {"1",
                             "1000m",
                             "1.0",
                             "0",
                             "-1m",
                             "-0.5",
                             "1Ki",
                             "1e0",
                             "8Ei",
                             "1000000000n",
                             "999999999999999999999999999999999999n"};
    for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++) {
        struct mg_quantity q = parse_ok(inside[i]);
        if (!mg_quantity_between_zero_and_one(&q))
            fail_msg("\"%s\" is between 0 and 1", inside[i]);
    }
    for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        struct mg_quantity q = parse_ok(outside[i]);
        if (mg_quantity_between_zero_and_one(&q))
            fail_msg("\"%s\" is not between 0 and 1", outside[i]);
    }
}

static void assert_mib(const char *text, int64_t want)
{
    struct mg_quantity q = parse_ok(text);

    if (mg_quantity_mebibytes(&q) != want)
        fail_msg("mebibytes(\"%s\") is %lld, want %lld", text, (long long)mg_quantity_mebibytes(&q),
                 (long long)want);
}

/* RULES.md 9.2, KubeVirt's QuantityToMebiByte: whole bytes (a fraction dropped), 0
 * stays 0, under 1 MiB is 1, the rest rounds half up. */
static void test_quantity_mebibytes_as_kubevirt_rounds(void **state)
{
    (void)state;
    assert_mib("0", 0);
    assert_mib("-1Mi", 0);
    assert_mib("1m", 0);  /* 0 < B < 1: whole bytes 0, unlimited (LMC003) */
    assert_mib("1.5", 1); /* 1 byte/s */
    assert_mib("1", 1);
    assert_mib("1Ki", 1);
    assert_mib("512Ki", 1);
    assert_mib("1048575", 1);
    assert_mib("1048576", 1);
    assert_mib("1Mi", 1);
    assert_mib("1.4Mi", 1); /* 1468006.4 */
    assert_mib("1500Ki", 1);
    assert_mib("1.5Mi", 2);   /* exactly half rounds up */
    assert_mib("1572863", 1); /* one byte below half */
    assert_mib("1572863.9", 1);
    assert_mib("1572864", 2);
    assert_mib("1.6Mi", 2);
    assert_mib("100Mi", 100);
    assert_mib("100M", 95); /* 95.37 */
    assert_mib("2048Mi", 2048);
    assert_mib("8Ei", 8796093022208); /* 2^63-1 bytes rounds up to 2^43 */
    assert_mib("1e18", 953674316406);
}

static void test_quantity_value_rounds_away_from_zero(void **state)
{
    (void)state;
    struct {
        const char *text;
        int64_t want;
    } cases[] = {
        {"1m", 1},
        {"1.5", 2},
        {"1.0", 1},
        {"-1.5", -2},
        {"-1m", -1},
        {"1Gi", 1073741824},
        {"1.5Gi", 1610612736},
        {"1.0001Ki", 1025},
        {"1e-18", 1},
        {"2e3", 2000},
        {"999999999n", 1},
        {"1000000001n", 2},
        {"-1000000001n", -2},
        {"0.5Ki", 512},
        {"9223372036854775806.5", INT64_MAX},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mg_quantity q = parse_ok(cases[i].text);
        if (mg_quantity_value(&q) != cases[i].want)
            fail_msg("value(\"%s\") = %lld, want %lld", cases[i].text,
                     (long long)mg_quantity_value(&q), (long long)cases[i].want);
    }
}

static void test_quantity_from_int_is_exact(void **state)
{
    (void)state;
    const int64_t vals[] = {0, 1, -1, 1024, -5, INT64_MAX, INT64_MIN, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        struct mg_quantity q;
        mg_quantity_from_int(&q, vals[i]);
        assert_int_equal(mg_quantity_cmp_int(&q, vals[i]), 0);
        assert_int_equal(mg_quantity_value(&q), vals[i]);
        assert_false(q.capped);
        assert_int_equal(q.sign, vals[i] < 0 ? -1 : (vals[i] > 0 ? 1 : 0));
    }
    struct mg_quantity a, b = parse_ok("1Ki");
    mg_quantity_from_int(&a, 1024);
    assert_int_equal(mg_quantity_cmp(&a, &b), 0);
    mg_quantity_from_int(&a, INT64_MIN);
    assert_int_equal(mg_quantity_cmp_int(&a, INT64_MIN + 1), -1);
}

static void test_quantity_parse_accepts_null_err(void **state)
{
    (void)state;
    struct mg_quantity q;
    assert_int_equal(mg_quantity_parse("1Ki2", &q, NULL), MG_EINVAL);
    assert_int_equal(mg_quantity_parse("1Ki", &q, NULL), 0);
}

/* ---- the parser against the grammar of RULES.md, as PCRE2 reads it ---- */

static const char grammar[] =
    "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\."
    "[0-9]*)?)|(\\.[0-9]+))))?$";

/* Whether the regex accepts text, and whether the parser must still reject it for a
 * reason beyond the grammar (fractional or out-of-range exponent). */
static bool regex_verdict(pcre2_code *re, pcre2_match_data *md, const char *text, bool *semantic)
{
    size_t len = strlen(text);
    int rc = pcre2_match(re, (PCRE2_SPTR)text, len, 0, 0, md, NULL);

    *semantic = false;
    if (rc < 0)
        return false;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    if (rc > 8 && ov[16] != PCRE2_UNSET) {
        const char *e = text + ov[20], *end = text + ov[21];
        long v = 0;
        bool neg = rc > 9 && ov[18] != PCRE2_UNSET && text[ov[18]] == '-';
        for (const char *p = e; p < end && v <= 1000; p++) {
            if (*p == '.')
                *semantic = true;
            else
                v = v * 10 + (*p - '0');
        }
        (void)neg; /* the bound is the same on both sides */
        if (v > 18)
            *semantic = true;
    }
    return true;
}

static size_t n_accepted, n_semantic;

static void check_against_regex(pcre2_code *re, pcre2_match_data *md, const char *text)
{
    struct mg_quantity q;
    struct mg_err err = {0};
    bool semantic;
    bool matches = regex_verdict(re, md, text, &semantic);
    int rc = mg_quantity_parse(text, &q, &err);

    if (matches && !semantic && rc != 0)
        fail_msg("regex accepts \"%s\" but parse says: %s", text, err.msg);
    if ((!matches || semantic) && rc == 0)
        fail_msg("parse accepts \"%s\", which should be rejected", text);
    n_accepted += rc == 0;
    n_semantic += matches && semantic;
}

static void test_quantity_parser_agrees_with_grammar_regex(void **state)
{
    (void)state;
    static const char alpha[] = "015.+-eEiKMmknuGPTx ";
    const size_t na = sizeof(alpha) - 1;
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)grammar, PCRE2_ZERO_TERMINATED, PCRE2_DOLLAR_ENDONLY,
                                   &errcode, &erroff, NULL);
    assert_non_null(re);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    assert_non_null(md);

    char buf[16];
    /* Every string of up to four characters over the alphabet. */
    for (size_t len = 0; len <= 4; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= na;
        for (size_t k = 0; k < total; k++) {
            size_t v = k;
            for (size_t i = 0; i < len; i++, v /= na)
                buf[i] = alpha[v % na];
            buf[len] = '\0';
            check_against_regex(re, md, buf);
        }
    }
    /* Longer strings, mostly digits so that more of them are near-valid. */
    static const char weighted[] = "0123456789012345678901.5+-eEiKMGmkx";
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (int n = 0; n < 200000; n++) {
        size_t len = 5 + (size_t)(seed % 10);
        for (size_t i = 0; i < len; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            buf[i] = weighted[seed % (sizeof(weighted) - 1)];
        }
        buf[len] = '\0';
        check_against_regex(re, md, buf);
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    /* The corpus must exercise both sides, or agreement proves nothing. */
    assert_true(n_accepted > 10000);
    assert_true(n_semantic > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantity_parses_every_binary_suffix),
        cmocka_unit_test(test_quantity_parses_every_decimal_suffix),
        cmocka_unit_test(test_quantity_e_alone_is_exa_but_e_with_digits_is_exponent),
        cmocka_unit_test(test_quantity_accepts_exponent_bounds),
        cmocka_unit_test(test_quantity_rejects_exponent_out_of_range),
        cmocka_unit_test(test_quantity_rejects_fractional_exponent),
        cmocka_unit_test(test_quantity_rejects_empty_and_whitespace),
        cmocka_unit_test(test_quantity_accepts_sign_and_decimal_point_forms),
        cmocka_unit_test(test_quantity_rejects_malformed_text),
        cmocka_unit_test(test_quantity_caps_values_above_int64_max),
        cmocka_unit_test(test_quantity_negative_zero_is_zero),
        cmocka_unit_test(test_quantity_limits_significant_digits_to_38),
        cmocka_unit_test(test_quantity_cmp_is_exact_across_suffixes),
        cmocka_unit_test(test_quantity_cmp_is_exact_for_tiny_values),
        cmocka_unit_test(test_quantity_between_zero_and_one_boundaries),
        cmocka_unit_test(test_quantity_mebibytes_as_kubevirt_rounds),
        cmocka_unit_test(test_quantity_value_rounds_away_from_zero),
        cmocka_unit_test(test_quantity_from_int_is_exact),
        cmocka_unit_test(test_quantity_parse_accepts_null_err),
        cmocka_unit_test(test_quantity_parser_agrees_with_grammar_regex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
