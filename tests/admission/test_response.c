/* SPDX-License-Identifier: Apache-2.0 */
/* test_response.c - the response renderer at the edge: a message cut where a 4-byte
 * character meets 3 bytes of room reads only what it wrote, each status code gets its
 * Kubernetes reason (413 RequestEntityTooLarge, not InternalError), and a long warning
 * keeps its fix. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "response.h"

static cJSON *status_of(const char *body)
{
    cJSON *j = cJSON_Parse(body);

    assert_non_null(j);
    return j;
}

static const char *str_at(const cJSON *j, const char *a, const char *b, const char *c)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(j, a);

    it = cJSON_GetObjectItemCaseSensitive(it, b);
    it = c ? cJSON_GetObjectItemCaseSensitive(it, c) : it;
    assert_true(cJSON_IsString(it));
    return it->valuestring;
}

/* 4,093 x 'a' then U+1F600: the cut falls where the emoji would need 4 bytes and 3 are
 * left. Fresh heap blocks are filled with a continuation byte, so reading the unwritten
 * byte after the cut (the bug valgrind showed) would back the cut up to nothing. */
static void test_response_cut_before_4_byte_character_reads_only_written_bytes(void **state)
{
    char msg[4093 + 4 + 1];
    char *body, want[4097];
    cJSON *j;

    (void)state;
    memset(msg, 'a', 4093);
    memcpy(msg + 4093, "\xf0\x9f\x98\x80", 5);
    /* glibc then fills every malloc'd block with 0x80 (ASan fills with 0xbe: also one). */
    mallopt(M_PERTURB, 0x7f);
    body = mg_response_render_error("u-1", 500, msg);
    assert_non_null(body);
    j = status_of(body);
    memset(want, 'a', 4093);
    memcpy(want + 4093, "...", 4);
    assert_string_equal(str_at(j, "response", "status", "message"), want);
    cJSON_Delete(j);
    free(body);
    mallopt(M_PERTURB, 0);
}

static void test_response_error_reason_per_status(void **state)
{
    static const struct {
        int code;
        const char *reason;
    } cases[] = {{400, "BadRequest"},           {413, "RequestEntityTooLarge"},
                 {415, "UnsupportedMediaType"}, {405, "MethodNotAllowed"},
                 {503, "ServiceUnavailable"},   {500, "InternalError"}};

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *body = mg_response_render_error("", cases[i].code, "m");
        cJSON *j = status_of(body);

        assert_string_equal(str_at(j, "response", "status", "reason"), cases[i].reason);
        cJSON_Delete(j);
        free(body);
    }
}

static void test_response_long_warning_keeps_its_fix(void **state)
{
    struct mg_review r;
    struct mg_verdict v;
    struct mg_config cfg;
    const cJSON *w;
    char *body;
    cJSON *j;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.req.uid = "u-2";
    r.req.kind = "VirtualMachineInstanceMigration";
    r.req.group = "kubevirt.io";
    r.req.name = "m";
    mg_config_init(&cfg);
    mg_verdict_init(&v);
    mg_verdict_add(&v, &cfg, MG_RULE_MIG008, MG_ACT_WARN, "spec.vmiName",
                   "this migration will queue: %d already leave node %s "
                   "(parallelOutboundMigrationsPerNode %d)",
                   2, "ip-172-28-114-198.us-east-2.compute.internal.example.com", 2);
    body = mg_response_render(&r, &v, NULL);
    assert_non_null(body);
    j = status_of(body);
    w = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                               cJSON_GetObjectItemCaseSensitive(j, "response"), "warnings"),
                           0);
    assert_true(cJSON_IsString(w));
    assert_true(strlen(w->valuestring) < 120);
    assert_true(strncmp(w->valuestring, "[MIG008] ", 9) == 0);
    assert_non_null(strstr(w->valuestring, "(parallelOutboundMigrationsPerNode 2)"));
    cJSON_Delete(j);
    free(body);
    mg_verdict_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_response_cut_before_4_byte_character_reads_only_written_bytes),
        cmocka_unit_test(test_response_error_reason_per_status),
        cmocka_unit_test(test_response_long_warning_keeps_its_fix),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
