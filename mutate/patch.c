/* SPDX-License-Identifier: Apache-2.0 */
/* patch.c - build RFC 6902 JSON Patch documents for mutating responses (common/jsonpatch.c
 * applies them). Keys are escaped as RFC 6901 pointer tokens ('~' -> "~0", '/' -> "~1").
 * Pure data transformation: no I/O, no logging. */
#include "patch.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>

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
