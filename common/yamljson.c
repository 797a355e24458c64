/* SPDX-License-Identifier: Apache-2.0 */
/* yamljson.c - libyaml events to cJSON trees, one per document, typed as kubectl's
 * sigs.k8s.io/yaml (go-yaml v2) types plain scalars. Aliases are expanded against a
 * node and byte budget; marks (marks.c) are a trie of (parent, key) -> line.
 * No I/O: mg_read_file lives in readfile.c. */
#include "yamljson.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "marks.h"
#include "yamlscalar.h"

#define MAX_DEPTH 256
#define MAX_NODES 1000000
/* Aliases can also multiply bytes (one 1 MiB string referenced a million times). */
#define MAX_BYTES ((size_t)256 << 20)

struct anchor {
    char *name; /* NULL: free slot */
    cJSON *node;
    size_t nodes, bytes;
    int height;
};

struct frame {
    cJSON *node;
    char *anchor;
    uint32_t mark;
    size_t nodes0, bytes0, nchild;
    int height; /* of the tallest child */
    char *key;  /* mapping: the key waiting for its value */
    int key_line, merge_line;
    bool key_merge, has_merge;
};

struct builder {
    const char *file;
    struct mg_err *err;
    struct frame st[MAX_DEPTH];
    int depth;
    size_t nodes, bytes;
    cJSON *root;
    int root_line;
    struct mg_marks *marks;
    struct anchor *anch;
    size_t anch_n, anch_cap;
    cJSON *limbo; /* merged-away values that anchors may still point into */
};

__attribute__((format(printf, 3, 4))) static int fail(struct builder *b, int line, const char *fmt,
                                                      ...)
{
    char msg[sizeof(b->err->msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return mg_err_set_at(b->err, MG_EINVAL, b->file, line, "%s", msg);
}

static int nomem(struct builder *b)
{
    return mg_err_set_at(b->err, MG_ENOMEM, b->file, 0, "out of memory");
}

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* ---- anchors: open addressing by name, document-scoped ---- */

static struct anchor *anchor_slot(struct anchor *tab, size_t cap, const char *name)
{
    size_t i = (size_t)hash_bytes(name, strlen(name)) & (cap - 1);

    while (tab[i].name && strcmp(tab[i].name, name) != 0)
        i = (i + 1) & (cap - 1);
    return &tab[i];
}

static int anchor_grow(struct builder *b)
{
    size_t cap = b->anch_cap ? b->anch_cap * 2 : 16;
    struct anchor *tab = calloc(cap, sizeof(*tab));

    if (!tab)
        return -1;
    for (size_t i = 0; i < b->anch_cap; i++)
        if (b->anch[i].name)
            *anchor_slot(tab, cap, b->anch[i].name) = b->anch[i];
    free(b->anch);
    b->anch = tab;
    b->anch_cap = cap;
    return 0;
}

/* Takes ownership of name. A redefined anchor refers to its latest node. */
static int anchor_put(struct builder *b, char *name, cJSON *node, size_t nodes, size_t bytes,
                      int height)
{
    struct anchor *a;

    if ((b->anch_n + 1) * 2 > b->anch_cap && anchor_grow(b) != 0) {
        free(name);
        return nomem(b);
    }
    a = anchor_slot(b->anch, b->anch_cap, name);
    if (a->name)
        free(name);
    else {
        a->name = name;
        b->anch_n++;
    }
    a->node = node;
    a->nodes = nodes;
    a->bytes = bytes;
    a->height = height;
    return 0;
}

static const struct anchor *anchor_get(const struct builder *b, const char *name)
{
    const struct anchor *a;

    if (!b->anch_cap)
        return NULL;
    a = anchor_slot(b->anch, b->anch_cap, name);
    return a->name ? a : NULL;
}

static void anchors_clear(struct builder *b)
{
    for (size_t i = 0; i < b->anch_cap; i++)
        free(b->anch[i].name);
    free(b->anch);
    b->anch = NULL;
    b->anch_n = b->anch_cap = 0;
}

/* ---- attaching nodes ---- */

static int budget(struct builder *b, int line, size_t nodes, size_t bytes)
{
    if (nodes > MAX_NODES - b->nodes)
        return fail(b, line, "document has more than %d nodes (aliases included)", MAX_NODES);
    if (bytes > MAX_BYTES - b->bytes)
        return fail(b, line, "document expands to more than %zu MiB of text", MAX_BYTES >> 20);
    b->nodes += nodes;
    b->bytes += bytes;
    return 0;
}

static const char *token_of(struct frame *top, char *num, size_t numsz, size_t *len)
{
    if (cJSON_IsObject(top->node)) {
        *len = strlen(top->key);
        return top->key;
    }
    *len = (size_t)snprintf(num, numsz, "%zu", top->nchild);
    return num;
}

/* Put v (of the given height) where the parser is; takes ownership of v.
 * *mark is set to v's mark index. */
static int attach(struct builder *b, cJSON *v, int line, int height, uint32_t *mark)
{
    struct frame *top;
    char num[24];
    const char *tok;
    size_t len;
    int r;

    if (b->depth + height > MAX_DEPTH) {
        cJSON_Delete(v);
        return fail(b, line, "document is nested deeper than %d levels", MAX_DEPTH);
    }
    if (b->depth == 0) {
        b->root = v;
        b->root_line = line;
        return mg_marks_put(b->marks, MG_MARK_NONE, "", 0, line, mark) < 0 ? nomem(b) : 0;
    }
    top = &b->st[b->depth - 1];
    if (cJSON_IsObject(top->node))
        line = top->key_line;
    tok = token_of(top, num, sizeof(num), &len);
    r = mg_marks_put(b->marks, top->mark, tok, len, line, mark);
    if (r < 0) {
        cJSON_Delete(v);
        return nomem(b);
    }
    if (r > 0) {
        cJSON_Delete(v);
        return fail(b, line, "duplicate key \"%.200s\" (first at line %d)", tok,
                    mg_marks_line_at(b->marks, *mark));
    }
    if (cJSON_IsObject(top->node)) {
        if (top->key_merge) {
            top->has_merge = true;
            top->merge_line = line;
        }
        cJSON_AddItemToObject(top->node, top->key, v);
        free(top->key);
        top->key = NULL;
    } else {
        cJSON_AddItemToArray(top->node, v);
        top->nchild++;
    }
    if (height > top->height)
        top->height = height;
    return 0;
}

static int set_key(struct builder *b, struct frame *top, const char *text, size_t len, int line,
                   bool merge)
{
    top->key = malloc(len + 1);
    if (!top->key)
        return nomem(b);
    memcpy(top->key, text, len);
    top->key[len] = '\0';
    top->key_line = line;
    top->key_merge = merge;
    return 0;
}

static bool awaiting_key(const struct builder *b)
{
    const struct frame *top = b->depth ? &b->st[b->depth - 1] : NULL;

    return top && cJSON_IsObject(top->node) && !top->key;
}

/* An anchored key (`&k name: v`) can be aliased later; keep it as a string in limbo. */
static int key_anchor(struct builder *b, const char *text, const char *anchor)
{
    cJSON *v = cJSON_CreateString(text);
    char *name = strdup(anchor);

    if (!v || !name || (!b->limbo && !(b->limbo = cJSON_CreateArray()))) {
        cJSON_Delete(v);
        free(name);
        return nomem(b);
    }
    cJSON_AddItemToArray(b->limbo, v);
    return anchor_put(b, name, v, 1, strlen(text), 0);
}

static int scalar(struct builder *b, const yaml_event_t *ev, const char *text, size_t len);

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
    const char *text = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    char *marked = NULL;
    int rc;

    /* A "\0" escape is part of the string, as a \u0000 is in a review's JSON (RULES.md
     * section 8): MG_JSON_NUL, so that every path judges the same bytes. */
    if (memchr(text, '\0', len)) {
        if (!(marked = mg_yamlscalar_nul_marks(text, &len)))
            return nomem(b);
        text = marked;
    }
    rc = scalar(b, ev, text, len);
    free(marked);
    return rc;
}

static int scalar(struct builder *b, const yaml_event_t *ev, const char *text, size_t len)
{
    int line = (int)ev->start_mark.line + 1;
    const char *tag = (const char *)ev->data.scalar.tag;
    bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    cJSON *v = NULL;
    uint32_t mark;
    int rc;

    rc = budget(b, line, awaiting_key(b) ? 0 : 1, len);
    if (rc)
        return rc;
    if (awaiting_key(b)) {
        rc = set_key(b, &b->st[b->depth - 1], text, len, line,
                     plain && !tag && len == 2 && memcmp(text, "<<", 2) == 0);
        if (rc == 0 && ev->data.scalar.anchor)
            rc = key_anchor(b, text, (const char *)ev->data.scalar.anchor);
        return rc;
    }
    rc = mg_yamlscalar_decode(text, len, tag, plain, &v);
    if (rc == MG_ENOMEM)
        return nomem(b);
    if (rc)
        return fail(b, line, "\"%.200s\" is not a valid !!%s", text,
                    strrchr(tag, ':') ? strrchr(tag, ':') + 1 : tag);
    rc = attach(b, v, line, 0, &mark);
    if (rc == 0 && ev->data.scalar.anchor) {
        char *name = strdup((const char *)ev->data.scalar.anchor);

        rc = name ? anchor_put(b, name, v, 1, len, 0) : nomem(b);
    }
    return rc;
}

static int on_start(struct builder *b, const yaml_event_t *ev, bool map)
{
    int line = (int)ev->start_mark.line + 1;
    const yaml_char_t *anchor =
        map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    cJSON *v;
    struct frame *f;
    uint32_t mark;
    int rc;

    if (awaiting_key(b))
        return fail(b, line, "a mapping key is not a scalar");
    rc = budget(b, line, 1, 0);
    if (rc)
        return rc;
    v = map ? cJSON_CreateObject() : cJSON_CreateArray();
    if (!v)
        return nomem(b);
    rc = attach(b, v, line, 1, &mark);
    if (rc)
        return rc;
    f = &b->st[b->depth++];
    memset(f, 0, sizeof(*f));
    f->node = v;
    f->mark = mark;
    f->nodes0 = b->nodes - 1;
    f->bytes0 = b->bytes;
    if (anchor) {
        f->anchor = strdup((const char *)anchor);
        if (!f->anchor)
            return nomem(b);
    }
    return 0;
}

static int merge_one(struct builder *b, struct frame *f, const cJSON *src)
{
    const cJSON *c;
    uint32_t mark;
    int r;

    if (!cJSON_IsObject(src))
        return fail(b, f->merge_line, "<< needs a mapping or a sequence of mappings");
    /* Keys already present (explicit, or from an earlier merged map) win. */
    cJSON_ArrayForEach (c, src) {
        r = mg_marks_put(b->marks, f->mark, c->string, strlen(c->string), f->merge_line, &mark);
        if (r < 0)
            return nomem(b);
        if (r > 0)
            continue;
        cJSON *dup = cJSON_Duplicate(c, true);

        if (!dup)
            return nomem(b);
        cJSON_AddItemToObject(f->node, c->string, dup);
    }
    return 0;
}

static int do_merge(struct builder *b, struct frame *f)
{
    cJSON *m = cJSON_DetachItemFromObjectCaseSensitive(f->node, "<<");
    const cJSON *it;
    int rc = 0;

    if (!b->limbo && !(b->limbo = cJSON_CreateArray())) {
        cJSON_Delete(m);
        return nomem(b);
    }
    cJSON_AddItemToArray(b->limbo, m);
    if (!cJSON_IsArray(m))
        return merge_one(b, f, m);
    cJSON_ArrayForEach (it, m) {
        rc = merge_one(b, f, it);
        if (rc)
            break;
    }
    return rc;
}

static int on_end(struct builder *b)
{
    struct frame *f = &b->st[--b->depth];
    int height = f->height + 1;
    char *anchor = f->anchor;
    int rc = 0;

    f->anchor = NULL;
    if (f->has_merge)
        rc = do_merge(b, f);
    if (b->depth && height > b->st[b->depth - 1].height)
        b->st[b->depth - 1].height = height;
    if (rc == 0 && anchor)
        return anchor_put(b, anchor, f->node, b->nodes - f->nodes0, b->bytes - f->bytes0, height);
    free(anchor);
    return rc;
}

static int key_from(struct builder *b, const cJSON *n, int line)
{
    char *text;
    int rc;

    if (cJSON_IsString(n))
        return set_key(b, &b->st[b->depth - 1], n->valuestring, strlen(n->valuestring), line,
                       false);
    if (cJSON_IsObject(n) || cJSON_IsArray(n))
        return fail(b, line, "a mapping key is not a scalar");
    text = cJSON_PrintUnformatted(n);
    if (!text)
        return nomem(b);
    rc = set_key(b, &b->st[b->depth - 1], text, strlen(text), line, false);
    free(text);
    return rc;
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    int line = (int)ev->start_mark.line + 1;
    const struct anchor *a = anchor_get(b, name);
    cJSON *v;
    uint32_t mark;
    int rc;

    if (!a)
        return fail(b, line, "unknown anchor \"%.200s\"", name);
    if (awaiting_key(b))
        return key_from(b, a->node, line);
    rc = budget(b, line, a->nodes, a->bytes);
    if (rc)
        return rc;
    v = cJSON_Duplicate(a->node, true);
    if (!v)
        return nomem(b);
    return attach(b, v, line, a->height, &mark);
}

/* ---- documents ---- */

static void doc_reset(struct builder *b)
{
    while (b->depth > 0) {
        struct frame *f = &b->st[--b->depth];

        free(f->anchor);
        free(f->key);
    }
    cJSON_Delete(b->root);
    cJSON_Delete(b->limbo);
    mg_marks_free(b->marks);
    anchors_clear(b);
    b->root = b->limbo = NULL;
    b->marks = NULL;
    b->nodes = b->bytes = 0;
}

static int grow_docs(struct mg_yaml_docs *out, bool want_marks)
{
    size_t n = out->n + 1;
    cJSON **docs = realloc(out->docs, n * sizeof(*docs));
    int *lines;
    struct mg_marks **marks;

    if (!docs)
        return -1;
    out->docs = docs;
    lines = realloc(out->lines, n * sizeof(*lines));
    if (!lines)
        return -1;
    out->lines = lines;
    if (want_marks) {
        marks = realloc(out->marks, n * sizeof(*marks));
        if (!marks)
            return -1;
        out->marks = marks;
    }
    return 0;
}

/* Documents that decode to null (empty, `~`) carry no object: kubectl skips them. */
static int doc_end(struct builder *b, struct mg_yaml_docs *out, bool want_marks)
{
    if (b->root && !cJSON_IsNull(b->root)) {
        if (grow_docs(out, want_marks) != 0)
            return nomem(b);
        out->docs[out->n] = b->root;
        out->lines[out->n] = b->root_line;
        if (want_marks) {
            mg_marks_shrink(b->marks);
            out->marks[out->n] = b->marks;
            b->marks = NULL;
        }
        out->n++;
        b->root = NULL;
    }
    doc_reset(b);
    return 0;
}

static int on_event(struct builder *b, const yaml_event_t *ev, struct mg_yaml_docs *out,
                    bool want_marks)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT: b->marks = mg_marks_new(); return b->marks ? 0 : nomem(b);
    case YAML_DOCUMENT_END_EVENT: return doc_end(b, out, want_marks);
    case YAML_SCALAR_EVENT: return on_scalar(b, ev);
    case YAML_SEQUENCE_START_EVENT: return on_start(b, ev, false);
    case YAML_MAPPING_START_EVENT: return on_start(b, ev, true);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: return on_end(b);
    case YAML_ALIAS_EVENT: return on_alias(b, ev);
    default: return 0;
    }
}

static int parser_error(struct builder *b, const yaml_parser_t *p)
{
    const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;
    int line = (int)m->line + 1;

    if (p->error == YAML_MEMORY_ERROR)
        return nomem(b);
    if (p->context)
        mg_err_set_at(b->err, MG_EINVAL, b->file, line, "%s (%s at line %d)",
                      p->problem ? p->problem : "invalid YAML", p->context,
                      (int)p->context_mark.line + 1);
    else
        mg_err_set_at(b->err, MG_EINVAL, b->file, line, "%s",
                      p->problem ? p->problem : "invalid YAML");
    return MG_EINVAL;
}

void mg_yaml_docs_free(struct mg_yaml_docs *docs)
{
    if (!docs)
        return;
    for (size_t i = 0; i < docs->n; i++) {
        cJSON_Delete(docs->docs[i]);
        if (docs->marks)
            mg_marks_free(docs->marks[i]);
    }
    free(docs->docs);
    free(docs->lines);
    free(docs->marks);
    memset(docs, 0, sizeof(*docs));
}

int mg_yaml_parse(const char *text, size_t len, const char *filename, bool want_marks,
                  struct mg_yaml_docs *out, struct mg_err *err)
{
    struct builder *b = calloc(1, sizeof(*b));
    yaml_parser_t parser;
    yaml_event_t ev;
    bool done = false;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (!b)
        return mg_err_set_at(err, MG_ENOMEM, filename, 0, "out of memory");
    b->file = filename;
    b->err = err;
    if (!yaml_parser_initialize(&parser)) {
        free(b);
        return mg_err_set_at(err, MG_ENOMEM, filename, 0, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)(text ? text : ""),
                                 text ? len : 0);
    while (!done && rc == 0) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = parser_error(b, &parser);
            break;
        }
        rc = on_event(b, &ev, out, want_marks);
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    doc_reset(b);
    yaml_parser_delete(&parser);
    free(b);
    if (rc)
        mg_yaml_docs_free(out);
    return rc;
}
