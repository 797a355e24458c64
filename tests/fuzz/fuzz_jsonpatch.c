/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_jsonpatch.c - libFuzzer target for mg_jsonpatch_apply: the input is a JSON array
 * [document, patch, ...]. A failing patch must leave the document unchanged and name an
 * operation; the patch applied whole must agree with its operations applied one at a
 * time (same result, or a failure at the same index). Abort on a difference. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsonpatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bounds the work of one input: each copy may double the document. */
#define MAX_OPS 16

static bool same_text(const cJSON *a, const cJSON *b)
{
    char *x = mg_json_print(a, false), *y = mg_json_print(b, false);
    bool same = x && y && strcmp(x, y) == 0;

    if (!x || !y)
        abort(); /* out of memory is not what this target looks for */
    free(x);
    free(y);
    return same;
}

/* Apply ops one operation at a time to doc; the index of the first that fails, or the
 * number of operations when all apply. */
static size_t one_by_one(cJSON *doc, const cJSON *ops)
{
    const cJSON *op;
    size_t i = 0;

    cJSON_ArrayForEach (op, ops) {
        cJSON *one = cJSON_CreateArray(), *dup = cJSON_Duplicate(op, 1);
        struct mg_err err = {0};
        int rc;

        if (!one || !dup || !cJSON_AddItemToArray(one, dup))
            abort();
        rc = mg_jsonpatch_apply(doc, one, &err);
        cJSON_Delete(one);
        if (rc) {
            if (strncmp(err.msg, "op[0]", 5) != 0)
                abort();
            return i;
        }
        i++;
    }
    return i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *in = mg_json_parse((const char *)data, size, 20000, NULL);
    const cJSON *ops = cJSON_GetArrayItem(in, 1);
    cJSON *doc = NULL, *orig = NULL, *step = NULL;
    struct mg_err err = {0};
    size_t failed_at = 0, n = (size_t)cJSON_GetArraySize(ops);
    int rc;

    if (!cJSON_IsArray(in) || !ops || n > MAX_OPS)
        goto out;
    orig = cJSON_Duplicate(cJSON_GetArrayItem(in, 0), 1);
    doc = cJSON_Duplicate(orig, 1);
    step = cJSON_Duplicate(orig, 1);
    if (!orig || !doc || !step)
        abort();
    rc = mg_jsonpatch_apply(doc, ops, &err);
    if (rc != 0 && rc != MG_EINVAL)
        abort();
    if (rc) {
        char want[32];

        if (!same_text(doc, orig) || !err.msg[0])
            abort();
        if (!cJSON_IsArray(ops))
            goto out;
        /* The copy budget is the patch's, so the steps may pass where the whole fails. */
        if (strstr(err.msg, "copies more than"))
            goto out;
        failed_at = one_by_one(step, ops);
        snprintf(want, sizeof(want), "op[%zu]", failed_at);
        if (failed_at == n || strncmp(err.msg, want, strlen(want)) != 0)
            abort();
    } else {
        if (one_by_one(step, ops) != n || !same_text(doc, step))
            abort();
    }
out:
    cJSON_Delete(in);
    cJSON_Delete(orig);
    cJSON_Delete(doc);
    cJSON_Delete(step);
    return 0;
}
