/* SPDX-License-Identifier: Apache-2.0 */
/* test_cases.c - run every admission case of tests/cases/ through the engine library
 * and through `migguard review`, require byte-for-byte equal answers, and check the
 * answer against the case's expect.json. One cmocka test per case directory. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "engine.h"
#include "load.h"
#include "yamljson.h"

#define CASES_DIR MG_SOURCE_DIR "/tests/cases"
#define MIGGUARD MG_BINARY_DIR "/cli/migguard"

static bool exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

static cJSON *read_json(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    struct mg_err err = {0};
    cJSON *j;

    if (mg_read_file(path, 64 << 20, &text, &len, &err))
        fail_msg("%s: %s", path, err.msg);
    j = cJSON_ParseWithLength(text, len);
    free(text);
    if (!j)
        fail_msg("%s: not JSON", path);
    return j;
}

/* Run the CLI and capture stdout; returns its exit status. */
static int run_cli(const char *dir, bool mutate, bool state, bool config, char **out)
{
    char cmd[4096];
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    FILE *p;
    int status;

    snprintf(cmd, sizeof(cmd), "'%s' review %s %s%s%s %s%s%s '%s/review.json'", MIGGUARD,
             mutate ? "--mutate" : "", state ? "--state '" : "", state ? dir : "",
             state ? "/state'" : "", config ? "--config '" : "", config ? dir : "",
             config ? "/config.yaml'" : "", dir);
    p = popen(cmd, "r");
    assert_non_null(p);
    while ((got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap)
            buf = realloc(buf, cap *= 2);
    }
    buf[n] = '\0';
    status = pclose(p);
    *out = buf;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Rule ids ("[LMC002] ...") of an array of strings or of cause objects, as JSON. */
static cJSON *rule_ids(const cJSON *arr, bool causes)
{
    cJSON *ids = cJSON_CreateArray();
    const cJSON *it;

    cJSON_ArrayForEach (it, arr) {
        const cJSON *m = causes ? cJSON_GetObjectItem(it, "message") : it;
        const char *s = cJSON_IsString(m) ? m->valuestring : "";
        const char *end = strchr(s, ']');
        char id[16] = "?";

        if (s[0] == '[' && end && end - s < (ptrdiff_t)sizeof(id))
            snprintf(id, sizeof(id), "%.*s", (int)(end - s - 1), s + 1);
        cJSON_AddItemToArray(ids, cJSON_CreateString(id));
    }
    return ids;
}

static void expect_list(const char *name, const cJSON *want, cJSON *got, const char *body)
{
    cJSON *empty = cJSON_CreateArray();

    if (!cJSON_Compare(want ? want : empty, got, 1)) {
        char *w = cJSON_PrintUnformatted(want ? want : empty), *g = cJSON_PrintUnformatted(got);

        fail_msg("%s: want %s, got %s\nresponse: %s", name, w, g, body);
    }
    cJSON_Delete(empty);
    cJSON_Delete(got);
}

static cJSON *decode_patch(const cJSON *resp)
{
    const cJSON *p = cJSON_GetObjectItem(resp, "patch");
    size_t len;
    unsigned char *raw;
    cJSON *ops;

    if (!p)
        return cJSON_CreateNull();
    assert_true(cJSON_IsString(p));
    assert_string_equal(cJSON_GetObjectItem(resp, "patchType")->valuestring, "JSONPatch");
    len = strlen(p->valuestring);
    raw = calloc(1, len + 1);
    assert_true(EVP_DecodeBlock(raw, (const unsigned char *)p->valuestring, (int)len) >= 0);
    ops = cJSON_Parse((const char *)raw);
    free(raw);
    assert_non_null(ops);
    return ops;
}

/* Every message a user reads: status message, cause messages and fields, warnings. */
static char *all_text(const cJSON *resp)
{
    const cJSON *status = cJSON_GetObjectItem(resp, "status");
    const cJSON *causes = cJSON_GetObjectItem(cJSON_GetObjectItem(status, "details"), "causes");
    const cJSON *it;
    size_t cap = 1, len = 0;
    char *out = malloc(1 << 20);

    cap = 1 << 20;
    out[0] = '\0';
#define APPEND(s)                                                                                  \
    do {                                                                                           \
        if (cJSON_IsString(s))                                                                     \
            len += (size_t)snprintf(out + len, cap - len, "%s\n", (s)->valuestring);               \
    } while (0)
    APPEND(cJSON_GetObjectItem(status, "message"));
    cJSON_ArrayForEach (it, causes) {
        APPEND(cJSON_GetObjectItem(it, "message"));
        APPEND(cJSON_GetObjectItem(it, "field"));
    }
    cJSON_ArrayForEach (it, cJSON_GetObjectItem(resp, "warnings"))
        APPEND(it);
#undef APPEND
    return out;
}

static void check_contains(const cJSON *want, const cJSON *resp)
{
    char *text = all_text(resp);
    const cJSON *it;

    cJSON_ArrayForEach (it, want) {
        if (!strstr(text, it->valuestring))
            fail_msg("no message contains \"%s\"; messages:\n%s", it->valuestring, text);
    }
    free(text);
}

static struct mg_engine *case_engine(const char *dir)
{
    char path[4096];
    struct mg_config cfg;
    struct mg_store *store = mg_store_new();
    struct mg_engine *e = NULL;
    struct mg_err err = {0};

    mg_config_init(&cfg);
    snprintf(path, sizeof(path), "%s/config.yaml", dir);
    if (exists(path) && mg_config_load_file(&cfg, path, &err))
        fail_msg("%s:%d: %s", err.file, err.line, err.msg);
    snprintf(path, sizeof(path), "%s/state", dir);
    if (exists(path) && mg_load_dir(store, path, &err))
        fail_msg("%s:%d: %s", err.file, err.line, err.msg);
    assert_int_equal(mg_engine_new(&e, &cfg, store, &err), 0);
    return e;
}

static void run_case(void **state)
{
    const char *dir = *state;
    char path[4096], *cli_out = NULL, *body = NULL;
    cJSON *expect, *got, *want;
    const cJSON *resp, *status;
    struct mg_engine *e;
    struct mg_reply reply = {0};
    struct mg_err err = {0};
    size_t len = 0;
    bool mutate;
    int rc, code;

    snprintf(path, sizeof(path), "%s/expect.json", dir);
    expect = read_json(path);
    want = cJSON_GetObjectItem(expect, "endpoint");
    mutate = cJSON_IsString(want) && strcmp(want->valuestring, "mutate") == 0;
    snprintf(path, sizeof(path), "%s/review.json", dir);
    assert_int_equal(mg_read_file(path, 64 << 20, &body, &len, &err), 0);
    e = case_engine(dir);
    rc = mg_engine_review(e, mutate ? MG_EP_MUTATE : MG_EP_VALIDATE, body, len, &reply, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(reply.http_status, 200);

    /* The offline command gives the same bytes and the matching exit status. */
    {
        char state_dir[4096], config[4096];

        snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
        snprintf(config, sizeof(config), "%s/config.yaml", dir);
        code = run_cli(dir, mutate, exists(state_dir), exists(config), &cli_out);
    }
    assert_int_equal(strlen(cli_out), reply.len + 1);
    assert_memory_equal(cli_out, reply.body, reply.len);
    assert_int_equal(code, reply.allowed ? 0 : 1);

    got = cJSON_Parse(reply.body);
    assert_non_null(got);
    resp = cJSON_GetObjectItem(got, "response");
    assert_true(cJSON_IsBool(cJSON_GetObjectItem(expect, "allowed")));
    if (cJSON_IsTrue(cJSON_GetObjectItem(expect, "allowed")) !=
        cJSON_IsTrue(cJSON_GetObjectItem(resp, "allowed")))
        fail_msg("allowed: want %s\nresponse: %s",
                 cJSON_IsTrue(cJSON_GetObjectItem(expect, "allowed")) ? "true" : "false",
                 reply.body);
    status = cJSON_GetObjectItem(resp, "status");
    if (!reply.allowed) {
        want = cJSON_GetObjectItem(expect, "code");
        assert_int_equal(cJSON_GetObjectItem(status, "code")->valueint,
                         cJSON_IsNumber(want) ? want->valueint : 422);
    }
    expect_list(
        "deny", cJSON_GetObjectItem(expect, "deny"),
        rule_ids(cJSON_GetObjectItem(cJSON_GetObjectItem(status, "details"), "causes"), true),
        reply.body);
    expect_list("warn", cJSON_GetObjectItem(expect, "warn"),
                rule_ids(cJSON_GetObjectItem(resp, "warnings"), false), reply.body);
    if ((want = cJSON_GetObjectItem(expect, "fields"))) {
        cJSON *fields = cJSON_CreateArray();
        const cJSON *it;

        cJSON_ArrayForEach (it,
                            cJSON_GetObjectItem(cJSON_GetObjectItem(status, "details"), "causes"))
            cJSON_AddItemToArray(fields, cJSON_Duplicate(cJSON_GetObjectItem(it, "field"), 1));
        expect_list("fields", want, fields, reply.body);
    }
    if ((want = cJSON_GetObjectItem(expect, "patch")))
        expect_list("patch", want, decode_patch(resp), reply.body);
    else if (!mutate)
        assert_null(cJSON_GetObjectItem(resp, "patch"));
    check_contains(cJSON_GetObjectItem(expect, "contains"), resp);

    cJSON_Delete(got);
    cJSON_Delete(expect);
    mg_reply_free(&reply);
    mg_engine_free(e);
    free(cli_out);
    free(body);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    DIR *d = opendir(CASES_DIR);
    struct dirent *de;
    char **names = NULL;
    struct CMUnitTest *tests;
    size_t n = 0;
    int rc;

    if (!d) {
        fprintf(stderr, "no %s\n", CASES_DIR);
        return 1;
    }
    while ((de = readdir(d))) {
        char path[4096];

        snprintf(path, sizeof(path), "%s/%s/review.json", CASES_DIR, de->d_name);
        if (de->d_name[0] == '.' || !exists(path))
            continue;
        names = realloc(names, (n + 1) * sizeof(*names));
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    tests = calloc(n ? n : 1, sizeof(*tests));
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(CASES_DIR) + strlen(names[i]) + 2;
        char *dir = malloc(len);

        snprintf(dir, len, "%s/%s", CASES_DIR, names[i]);
        tests[i].name = names[i];
        tests[i].test_func = run_case;
        tests[i].initial_state = dir;
    }
    rc = _cmocka_run_group_tests("admission_cases", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        free(tests[i].initial_state);
        free(names[i]);
    }
    free(tests);
    free(names);
    return n ? rc : 1;
}
