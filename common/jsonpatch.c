/* SPDX-License-Identifier: Apache-2.0 */
/* jsonpatch.c - RFC 6902 JSON Patch over RFC 6901 pointers, all or nothing: the
 * operations run on a copy that takes the document's place only when all of them
 * applied. Every failure names the operation (index, op, path) and why.
 * Pure data transformation: no I/O, no logging. */
#include "jsonpatch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsonnum.h"

#define MG_STR2(x) #x
#define MG_STR(x) MG_STR2(x)

enum kind { K_ADD, K_REMOVE, K_REPLACE, K_MOVE, K_COPY, K_TEST, K_COUNT };

static const char *const kind_names[K_COUNT] = {"add", "remove", "replace", "move", "copy", "test"};

/* One decoded operation and where a failure is reported. */
struct op {
    enum kind kind;
    size_t index;
    const char *path, *from;
    const cJSON *value;
    struct mg_err *err;
    size_t *budget; /* values copy may still make */
};

static int fail(const struct op *o, int code, const char *why)
{
    if (code == MG_ENOMEM)
        return mg_err_set(o->err, MG_ENOMEM, "op[%zu] (%s %.200s): out of memory", o->index,
                          kind_names[o->kind], o->path);
    return mg_err_set(o->err, code, "op[%zu] (%s %.200s): %s", o->index, kind_names[o->kind],
                      o->path, why);
}

/* The next token of *p (which is at a '/'), unescaped into buf (at least strlen(*p)
 * bytes); advances *p past it. False on a '~' followed by neither '0' nor '1'. */
static bool next_token(const char **p, char *buf)
{
    const char *s = *p + 1;
    size_t n = 0;

    for (; *s && *s != '/'; s++) {
        if (*s == '~') {
            if (s[1] != '0' && s[1] != '1')
                return false;
            buf[n++] = s[1] == '0' ? '~' : '/';
            s++;
        } else {
            buf[n++] = *s;
        }
    }
    buf[n] = '\0';
    *p = s;
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

/* Where a pointer leads: the container holding its last token, and that token. */
struct loc {
    cJSON *parent; /* NULL for the pointer "" */
    char *tok;     /* unescaped last token, owned */
    cJSON *item;   /* what is there now, NULL when nothing */
};

/* Walk ptr in doc to its last token. 0, or MG_EINVAL with why filled (the parent of the
 * last token must exist; the last token itself need not). */
static int locate(cJSON *doc, const char *ptr, struct loc *l, char *why, size_t wl)
{
    const char *p = ptr;
    cJSON *node = doc;

    memset(l, 0, sizeof(*l));
    if (!*ptr) {
        l->item = doc;
        return 0;
    }
    if (*ptr != '/') {
        snprintf(why, wl, "a pointer starts with '/' or is empty");
        return MG_EINVAL;
    }
    if (!(l->tok = malloc(strlen(ptr) + 1)))
        return MG_ENOMEM;
    for (;;) {
        if (!next_token(&p, l->tok)) {
            snprintf(why, wl, "'~' must be followed by 0 or 1 (\"~0\" is '~', \"~1\" is '/')");
            return MG_EINVAL;
        }
        if (cJSON_IsObject(node)) {
            l->item = mg_json_get(node, l->tok);
        } else if (cJSON_IsArray(node)) {
            l->item =
                cJSON_GetArrayItem(node, array_index(l->tok, cJSON_GetArraySize(node) - 1, false));
        } else {
            snprintf(why, wl, "\"%.100s\" is inside a value that is not an object or array",
                     l->tok);
            return MG_EINVAL;
        }
        if (!*p)
            break;
        if (!l->item) {
            snprintf(why, wl, "\"%.100s\" does not exist", l->tok);
            return MG_EINVAL;
        }
        node = l->item;
    }
    l->parent = node;
    return 0;
}

cJSON *mg_jsonpatch_get(const cJSON *doc, const char *pointer)
{
    struct loc l;
    char why[256];
    cJSON *item = NULL;

    /* locate writes nothing: the cast only lets it hand back a writable parent. */
    if (doc && pointer && locate((cJSON *)(uintptr_t)doc, pointer, &l, why, sizeof(why)) == 0)
        item = l.item;
    free(l.tok);
    return item;
}

/* Put v (owned, also on failure) at l, which names a member or an array position. */
static int put(cJSON **doc, const struct loc *l, cJSON *v, bool replace, char *why, size_t wl)
{
    if (!l->parent) {
        cJSON_Delete(*doc);
        *doc = v;
        return 0;
    }
    if (cJSON_IsObject(l->parent)) {
        if (l->item ? cJSON_ReplaceItemInObjectCaseSensitive(l->parent, l->tok, v)
                    : cJSON_AddItemToObject(l->parent, l->tok, v))
            return 0;
    } else {
        int size = cJSON_GetArraySize(l->parent);
        int idx = array_index(l->tok, replace ? size - 1 : size, !replace);

        if (idx < 0) {
            cJSON_Delete(v);
            snprintf(why, wl, "\"%.100s\" is not an index of this array of %d", l->tok, size);
            return MG_EINVAL;
        }
        if (replace ? !cJSON_ReplaceItemInArray(l->parent, idx, v)
                    : !cJSON_AddItemToArray(l->parent, v)) {
            cJSON_Delete(v);
            return MG_ENOMEM;
        }
        if (replace)
            return 0;
        /* Appended, then the items after idx rotate behind it: Debian's cJSON
         * 1.7.15-1+deb12u4 cJSON_InsertItemInArray refuses every insertion before the
         * end. */
        for (int k = idx; k < size; k++)
            cJSON_AddItemToArray(l->parent, cJSON_DetachItemFromArray(l->parent, idx));
        return 0;
    }
    cJSON_Delete(v);
    return MG_ENOMEM;
}

/* Take the item at l out of its parent; the caller owns it. */
static cJSON *detach(const struct loc *l)
{
    return cJSON_DetachItemViaPointer(l->parent, l->item);
}

static bool num_equal(const cJSON *a, const cJSON *b)
{
    int64_t x, y;

    if (mg_jsonnum_int(a, INT64_MIN, INT64_MAX, &x) && mg_jsonnum_int(b, INT64_MIN, INT64_MAX, &y))
        return x == y;
    return a->valuedouble == b->valuedouble;
}

/* RFC 6902 4.6's equality: same type; numbers by value; objects by their members,
 * whatever the order. */
static bool equal(const cJSON *a, const cJSON *b)
{
    const cJSON *x, *y;

    if ((a->type & 0xFF) != (b->type & 0xFF))
        return false;
    if (cJSON_IsNumber(a))
        return num_equal(a, b);
    if (cJSON_IsString(a))
        return strcmp(a->valuestring, b->valuestring) == 0;
    if (!cJSON_IsArray(a) && !cJSON_IsObject(a))
        return true;
    if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
        return false;
    for (x = a->child, y = b->child; x && y; x = x->next, y = y->next) {
        const cJSON *other = cJSON_IsArray(a) ? y : mg_json_get(b, x->string);

        if (!other || !equal(x, other))
            return false;
    }
    return true;
}

/* True when pointer a is b or names something inside it (whole tokens). */
static bool within(const char *a, const char *b)
{
    size_t n = strlen(b);

    return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

/* Put v (owned) at path, as `add` (replace false) or `replace` does. */
static int put_at(cJSON **doc, const struct op *o, cJSON *v, bool replace)
{
    struct loc l;
    char why[300] = "";
    int rc = locate(*doc, o->path, &l, why, sizeof(why));

    if (rc == 0 && replace && !l.item) {
        snprintf(why, sizeof(why), "nothing to replace: \"%.100s\" does not exist", l.tok);
        rc = MG_EINVAL;
    }
    if (rc == 0) {
        rc = put(doc, &l, v, replace, why, sizeof(why));
        v = NULL;
    }
    cJSON_Delete(v);
    free(l.tok);
    return rc ? fail(o, rc, why) : 0;
}

/* remove, and the first half of move: the value at ptr, detached (*out NULL: deleted). */
static int take(cJSON *doc, const struct op *o, const char *ptr, cJSON **out)
{
    struct loc l;
    char why[300] = "";
    int rc = locate(doc, ptr, &l, why, sizeof(why));

    if (rc == 0 && !l.parent) {
        snprintf(why, sizeof(why), "the whole document cannot be removed");
        rc = MG_EINVAL;
    } else if (rc == 0 && !l.item) {
        snprintf(why, sizeof(why), "\"%.100s\" does not exist", l.tok);
        rc = MG_EINVAL;
    }
    if (rc == 0) {
        cJSON *it = detach(&l);

        if (out)
            *out = it;
        else
            cJSON_Delete(it);
    }
    free(l.tok);
    return rc ? fail(o, rc, why) : 0;
}

/* The value at from for move and copy, or at path for test. */
static int find(const cJSON *doc, const struct op *o, const char *ptr, const cJSON **out)
{
    struct loc l;
    char why[300] = "";
    int rc = locate((cJSON *)(uintptr_t)doc, ptr, &l, why, sizeof(why));

    if (rc == 0 && !l.item) {
        snprintf(why, sizeof(why), "%s%.200s does not exist", ptr == o->from ? "from " : "", ptr);
        rc = MG_EINVAL;
    }
    *out = l.item;
    free(l.tok);
    return rc ? fail(o, rc, why) : 0;
}

/* The values in v (itself included), counted up to a little past limit. */
static size_t count_values(const cJSON *v, size_t limit)
{
    size_t n = 1;

    for (const cJSON *c = v->child; c && n <= limit; c = c->next)
        n += count_values(c, limit - n);
    return n;
}

static int run(cJSON **doc, const struct op *o)
{
    const cJSON *src = NULL;
    cJSON *v = NULL;
    size_t n;
    int rc;

    switch (o->kind) {
    case K_ADD:
    case K_REPLACE:
        if (!(v = cJSON_Duplicate(o->value, 1)))
            return fail(o, MG_ENOMEM, "");
        return put_at(doc, o, v, o->kind == K_REPLACE);
    case K_REMOVE: return take(*doc, o, o->path, NULL);
    case K_TEST:
        if ((rc = find(*doc, o, o->path, &src)) != 0)
            return rc;
        return equal(src, o->value) ? 0 : fail(o, MG_EINVAL, "the value differs");
    case K_COPY:
        if ((rc = find(*doc, o, o->from, &src)) != 0)
            return rc;
        /* Each copy of the whole document into itself doubles it. */
        n = count_values(src, *o->budget);
        if (n > *o->budget)
            return fail(
                o, MG_EINVAL,
                "the patch copies more than " MG_STR(MG_JSONPATCH_MAX_COPIED) " values in all");
        *o->budget -= n;
        if (!(v = cJSON_Duplicate(src, 1)))
            return fail(o, MG_ENOMEM, "");
        return put_at(doc, o, v, false);
    case K_MOVE:
        if ((rc = find(*doc, o, o->from, &src)) != 0)
            return rc;
        if (strcmp(o->from, o->path) == 0)
            return 0;
        if (within(o->path, o->from))
            return fail(o, MG_EINVAL, "a value cannot move into itself");
        if ((rc = take(*doc, o, o->from, &v)) != 0)
            return rc;
        return put_at(doc, o, v, false);
    case K_COUNT: break;
    }
    return mg_err_set(o->err, MG_EINTERNAL, "op[%zu]: unknown operation", o->index);
}

/* Read operation index of the patch into o; MG_EINVAL naming what is missing. */
static int decode(const cJSON *op, size_t index, struct op *o, struct mg_err *err)
{
    const char *name = mg_json_str(op, "op");
    int k;

    memset(o, 0, sizeof(*o));
    o->index = index;
    o->err = err;
    if (!cJSON_IsObject(op))
        return mg_err_set(err, MG_EINVAL, "op[%zu]: an operation is a JSON object", index);
    for (k = 0; k < K_COUNT && (!name || strcmp(name, kind_names[k]) != 0); k++)
        ;
    if (!name)
        return mg_err_set(err, MG_EINVAL, "op[%zu]: \"op\" is missing or not a string", index);
    if (k == K_COUNT)
        return mg_err_set(err, MG_EINVAL,
                          "op[%zu] (%.40s %.200s): not an operation; use add, remove, replace, "
                          "move, copy or test",
                          index, name, mg_json_str(op, "path") ? mg_json_str(op, "path") : "");
    o->kind = (enum kind)k;
    o->path = mg_json_str(op, "path");
    if (!o->path)
        return mg_err_set(err, MG_EINVAL, "op[%zu] (%s): \"path\" is missing or not a string",
                          index, kind_names[k]);
    o->from = mg_json_str(op, "from");
    o->value = mg_json_get(op, "value");
    if ((o->kind == K_MOVE || o->kind == K_COPY) && !o->from)
        return fail(o, MG_EINVAL, "\"from\" is missing or not a string");
    if ((o->kind == K_ADD || o->kind == K_REPLACE || o->kind == K_TEST) && !o->value)
        return fail(o, MG_EINVAL, "\"value\" is missing");
    return 0;
}

/* doc takes work's contents and work doc's old ones (cJSON_Delete(work) frees them);
 * each keeps its own member name. */
static void swap_into(cJSON *doc, cJSON *work)
{
    cJSON old = *doc;
    int keep = doc->type & cJSON_StringIsConst;

    doc->type = (work->type & ~cJSON_StringIsConst) | keep;
    doc->child = work->child;
    doc->valuestring = work->valuestring;
    doc->valueint = work->valueint;
    doc->valuedouble = work->valuedouble;
    work->type = (old.type & ~cJSON_StringIsConst) | (work->type & cJSON_StringIsConst);
    work->child = old.child;
    work->valuestring = old.valuestring;
}

int mg_jsonpatch_apply_some(cJSON *doc, const cJSON *ops, mg_jsonpatch_keep keep, void *arg,
                            struct mg_err *err)
{
    const cJSON *item;
    cJSON *work = NULL;
    size_t index = 0, budget = MG_JSONPATCH_MAX_COPIED;
    struct op o;
    int rc = 0;

    if (!doc || (doc->type & cJSON_IsReference))
        return mg_err_set(err, MG_EINVAL, "no document to patch");
    if (!cJSON_IsArray(ops))
        return mg_err_set(err, MG_EINVAL, "a JSON Patch is a JSON array of operations");
    if (!(work = cJSON_Duplicate(doc, 1)))
        return mg_err_set(err, MG_ENOMEM, "out of memory applying the patch");
    cJSON_ArrayForEach (item, ops) {
        if (!keep || keep(item, index, arg)) {
            if ((rc = decode(item, index, &o, err)) != 0)
                break;
            o.budget = &budget;
            if ((rc = run(&work, &o)) != 0)
                break;
        }
        index++;
    }
    if (rc == 0)
        swap_into(doc, work);
    cJSON_Delete(work);
    return rc;
}

int mg_jsonpatch_apply(cJSON *doc, const cJSON *ops, struct mg_err *err)
{
    return mg_jsonpatch_apply_some(doc, ops, NULL, NULL, err);
}
