/* SPDX-License-Identifier: Apache-2.0 */
/* patch.c - build RFC 6902 JSON Patch documents for mutating responses, and apply
 * them (the one applier: `check` uses it for the mutating answer). Keys are escaped as
 * RFC 6901 pointer tokens ('~' -> "~0", '/' -> "~1"). Pure data transformation: no
 * I/O, no logging. */
#include "patch.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void mg_patch_init(struct mg_patch *p)
{
    p->ops = NULL;
}

void mg_patch_free(struct mg_patch *p)
{
    if (!p)
        return;
    cJSON_Delete(p->ops);
    p->ops = NULL;
}

int mg_patch_add(struct mg_patch *p, const char *pointer, cJSON *value)
{
    cJSON *op = NULL;

    if (!value)
        return MG_ENOMEM;
    if (!p->ops && !(p->ops = cJSON_CreateArray()))
        goto oom;
    op = cJSON_CreateObject();
    if (!op || !cJSON_AddStringToObject(op, "op", "add") ||
        !cJSON_AddStringToObject(op, "path", pointer))
        goto oom;
    /* A failed add leaves value unattached: it is still ours to free. */
    if (!cJSON_AddItemToObject(op, "value", value))
        goto oom;
    value = NULL;
    if (!cJSON_AddItemToArray(p->ops, op))
        goto oom;
    return 0;
oom:
    cJSON_Delete(op);
    cJSON_Delete(value);
    return MG_ENOMEM;
}

int mg_patch_pointer(char *buf, size_t len, size_t n, ...)
{
    size_t at = 0;
    va_list ap;
    int rc = 0;

    if (len == 0)
        return MG_EINVAL;
    va_start(ap, n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *tok = va_arg(ap, const char *);

        if (at + 1 >= len) {
            rc = MG_EINVAL;
            break;
        }
        buf[at++] = '/';
        for (const char *c = tok; *c; c++) {
            const char *rep = *c == '~' ? "~0" : *c == '/' ? "~1" : NULL;
            size_t need = rep ? 2 : 1;

            if (at + need >= len) {
                rc = MG_EINVAL;
                break;
            }
            if (rep) {
                buf[at++] = rep[0];
                buf[at++] = rep[1];
            } else {
                buf[at++] = *c;
            }
        }
    }
    va_end(ap);
    buf[rc ? 0 : at] = '\0';
    return rc;
}

size_t mg_patch_len(const struct mg_patch *p)
{
    return p->ops ? (size_t)cJSON_GetArraySize(p->ops) : 0;
}

char *mg_patch_render(const struct mg_patch *p)
{
    if (mg_patch_len(p) == 0)
        return NULL;
    return mg_json_print(p->ops, false);
}

/* The next RFC 6901 token of *p (at a '/'), unescaped into tok; advances *p. */
static bool next_token(const char **p, char *tok, size_t cap)
{
    size_t n = 0;

    (*p)++;
    while (**p && **p != '/') {
        char c = **p;

        if (c == '~' && ((*p)[1] == '0' || (*p)[1] == '1')) {
            c = (*p)[1] == '0' ? '~' : '/';
            (*p)++;
        }
        if (n + 1 >= cap)
            return false;
        tok[n++] = c;
        (*p)++;
    }
    tok[n] = '\0';
    return true;
}

/* An array index token: digits only, no leading zero (RFC 6901), at most max; "-" is
 * max when dash. -1 when tok is none of these. */
static int array_index(const char *tok, int max, bool dash)
{
    long v = 0;

    if (dash && strcmp(tok, "-") == 0)
        return max;
    if (!tok[0] || (tok[0] == '0' && tok[1]))
        return -1;
    for (const char *c = tok; *c; c++) {
        if (*c < '0' || *c > '9' || (v = v * 10 + (*c - '0')) > max)
            return -1;
    }
    return (int)v;
}

enum op_kind { OP_ADD, OP_REPLACE, OP_REMOVE };

/* Do op at member or index tok of parent, with v (owned; NULL for remove). */
static int apply_at(cJSON *parent, const char *tok, enum op_kind op, cJSON *v, const char *path,
                    struct mg_err *err)
{
    if (cJSON_IsObject(parent)) {
        bool has = mg_json_get(parent, tok) != NULL;

        if (op != OP_ADD && !has) {
            cJSON_Delete(v);
            return mg_err_set(err, MG_EINVAL, "patch path %.200s: %.200s does not exist", path,
                              tok);
        }
        if (op == OP_REMOVE) {
            cJSON_DeleteItemFromObjectCaseSensitive(parent, tok);
            return 0;
        }
        if (has ? cJSON_ReplaceItemInObjectCaseSensitive(parent, tok, v)
                : cJSON_AddItemToObject(parent, tok, v))
            return 0;
    } else if (cJSON_IsArray(parent)) {
        int size = cJSON_GetArraySize(parent);
        int idx = array_index(tok, op == OP_ADD ? size : size - 1, op == OP_ADD);

        if (idx < 0) {
            cJSON_Delete(v);
            return mg_err_set(err, MG_EINVAL, "patch path %.200s: no such array index", path);
        }
        if (op == OP_REMOVE) {
            cJSON_DeleteItemFromArray(parent, idx);
            return 0;
        }
        if (op == OP_REPLACE) {
            if (cJSON_ReplaceItemInArray(parent, idx, v))
                return 0;
        } else if (cJSON_AddItemToArray(parent, v)) {
            /* Appended, then the items after idx rotate behind it: Debian's cJSON
             * 1.7.15-1+deb12u4 cJSON_InsertItemInArray refuses every insertion before the
             * end. */
            for (int k = idx; k < size; k++)
                cJSON_AddItemToArray(parent, cJSON_DetachItemFromArray(parent, idx));
            return 0;
        }
    } else {
        cJSON_Delete(v);
        return mg_err_set(err, MG_EINVAL, "patch path %.200s: the parent is not an object or array",
                          path);
    }
    cJSON_Delete(v);
    return mg_err_set(err, MG_ENOMEM, "out of memory applying the patch");
}

static int apply_op(cJSON *obj, const cJSON *op, struct mg_err *err)
{
    const char *name = mg_json_str(op, "op");
    const char *path = mg_json_str(op, "path");
    const cJSON *value = mg_json_get(op, "value");
    enum op_kind kind;
    cJSON *node = obj, *v = NULL;
    const char *p = path;
    char tok[512];

    if (name && strcmp(name, "add") == 0)
        kind = OP_ADD;
    else if (name && strcmp(name, "replace") == 0)
        kind = OP_REPLACE;
    else if (name && strcmp(name, "remove") == 0)
        kind = OP_REMOVE;
    else
        return mg_err_set(err, MG_EINVAL,
                          "patch operation %.40s is not supported (add, replace or remove)",
                          name ? name : "(none)");
    if (!path || path[0] != '/' || (kind != OP_REMOVE && !value))
        return mg_err_set(err, MG_EINVAL, "patch operation %.40s without a path or value", name);
    for (;;) {
        if (!next_token(&p, tok, sizeof(tok)))
            return mg_err_set(err, MG_EINVAL, "patch path %.200s is too long", path);
        if (!*p)
            break;
        node = cJSON_IsArray(node)
                   ? cJSON_GetArrayItem(node, array_index(tok, cJSON_GetArraySize(node) - 1, false))
                   : mg_json_get(node, tok);
        if (!node)
            return mg_err_set(err, MG_EINVAL, "patch path %.200s: %.200s does not exist", path,
                              tok);
    }
    if (kind != OP_REMOVE && !(v = cJSON_Duplicate(value, 1)))
        return mg_err_set(err, MG_ENOMEM, "out of memory applying the patch");
    return apply_at(node, tok, kind, v, path, err);
}

int mg_patch_apply(cJSON *obj, const cJSON *ops, struct mg_err *err)
{
    const cJSON *op;
    int rc;

    if (!cJSON_IsArray(ops))
        return mg_err_set(err, MG_EINVAL, "the patch is not a JSON array");
    cJSON_ArrayForEach (op, ops) {
        if ((rc = apply_op(obj, op, err)) != 0)
            return rc;
    }
    return 0;
}
