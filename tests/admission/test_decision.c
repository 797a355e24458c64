/* SPDX-License-Identifier: Apache-2.0 */
/* test_decision.c - the decision log line: valid JSON with every field, strings
 * escaped, long strings cut without breaking the structure, small buffers refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decision.h"

static cJSON *parse_line(const char *buf, size_t n)
{
    cJSON *j;

    assert_true(n > 0);
    assert_int_equal(buf[n - 1], '\n');
    assert_int_equal(strlen(buf), n);
    j = cJSON_ParseWithLength(buf, n);
    assert_non_null(j);
    return j;
}

static void test_decision_has_every_field(void **state)
{
    struct mg_decision d = {"u-1", "VirtualMachine", "prod", "db", "CREATE", MG_EP_VALIDATE, false,
                            true,  "VM001,VM003",    42};
    char buf[2048];
    size_t n = mg_decision_format(&d, buf, sizeof(buf));
    cJSON *j = parse_line(buf, n);

    (void)state;
    assert_string_equal(cJSON_GetObjectItem(j, "msg")->valuestring, "decision");
    assert_string_equal(cJSON_GetObjectItem(j, "uid")->valuestring, "u-1");
    assert_string_equal(cJSON_GetObjectItem(j, "endpoint")->valuestring, "validate");
    assert_string_equal(cJSON_GetObjectItem(j, "kind")->valuestring, "VirtualMachine");
    assert_string_equal(cJSON_GetObjectItem(j, "namespace")->valuestring, "prod");
    assert_string_equal(cJSON_GetObjectItem(j, "name")->valuestring, "db");
    assert_string_equal(cJSON_GetObjectItem(j, "operation")->valuestring, "CREATE");
    assert_string_equal(cJSON_GetObjectItem(j, "rules")->valuestring, "VM001,VM003");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "allowed")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "dryRun")));
    assert_int_equal(cJSON_GetObjectItem(j, "micros")->valueint, 42);
    cJSON_Delete(j);
}

static void test_decision_escapes_quotes_backslashes_and_controls(void **state)
{
    struct mg_decision d = {"a\"b\\c\nd\x01", "K",  "",    "", "DELETE",
                            MG_EP_MUTATE,     true, false, "", 0};
    char buf[1024];
    size_t n = mg_decision_format(&d, buf, sizeof(buf));
    cJSON *j = parse_line(buf, n);

    (void)state;
    assert_string_equal(cJSON_GetObjectItem(j, "uid")->valuestring, "a\"b\\c\nd\x01");
    assert_string_equal(cJSON_GetObjectItem(j, "endpoint")->valuestring, "mutate");
    cJSON_Delete(j);
    /* A NUL of the request (json.h MG_JSON_NUL) is logged as \u0000, not "??". */
    d.uid = "u\xc0\x80-1";
    n = mg_decision_format(&d, buf, sizeof(buf));
    assert_non_null(strstr(buf, "\"uid\":\"u\\u0000-1\""));
}

static void test_decision_cuts_long_strings_and_stays_json(void **state)
{
    char big[5000], buf[512];
    struct mg_decision d = {big, big, big, big, "UPDATE", MG_EP_VALIDATE, true, false, big, 7};
    size_t n;
    cJSON *j;

    (void)state;
    memset(big, '"', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    n = mg_decision_format(&d, buf, sizeof(buf));
    assert_true(n < sizeof(buf));
    j = parse_line(buf, n);
    assert_int_equal(cJSON_GetObjectItem(j, "micros")->valueint, 7);
    assert_true(strlen(cJSON_GetObjectItem(j, "uid")->valuestring) > 0);
    cJSON_Delete(j);
    assert_int_equal(mg_decision_format(&d, buf, 255), 0);
}

static void test_decision_keeps_utf8_and_replaces_invalid_bytes(void **state)
{
    char buf[512], big[600];
    struct mg_decision d = {"caf\xc3\xa9 \xff\xc3(",
                            "VirtualMachine",
                            "ns",
                            "n",
                            "CREATE",
                            MG_EP_VALIDATE,
                            true,
                            false,
                            "",
                            1};
    size_t n, len;
    cJSON *j;
    const char *uid;

    (void)state;
    n = mg_decision_format(&d, buf, sizeof(buf));
    j = parse_line(buf, n);
    assert_string_equal(cJSON_GetObjectItem(j, "uid")->valuestring, "caf\xc3\xa9 ?"
                                                                    "?(");
    cJSON_Delete(j);
    /* A long run of 2-byte characters is cut between characters, never inside one. */
    for (size_t i = 0; i + 2 < sizeof(big); i += 2)
        memcpy(big + i, "\xc3\xa9", 2);
    big[sizeof(big) - 2] = '\0';
    d.uid = big;
    n = mg_decision_format(&d, buf, 300);
    j = parse_line(buf, n);
    uid = cJSON_GetObjectItem(j, "uid")->valuestring;
    len = strlen(uid);
    assert_true(len > 0 && len % 2 == 0);
    for (size_t i = 0; i < len; i += 2)
        assert_memory_equal(uid + i, "\xc3\xa9", 2);
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decision_has_every_field),
        cmocka_unit_test(test_decision_escapes_quotes_backslashes_and_controls),
        cmocka_unit_test(test_decision_cuts_long_strings_and_stays_json),
        cmocka_unit_test(test_decision_keeps_utf8_and_replaces_invalid_bytes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
