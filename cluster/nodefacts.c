/* SPDX-License-Identifier: Apache-2.0 */
/* nodefacts.c - a Node's labels, filtering taints and cordon in canonical form for the
 * node index: sorted, duplicates resolved as mg_json_get resolves them, so an update
 * that leaves them alone is seen as such without touching the index. Small nodes are
 * read without allocating. */
#include "nodefacts.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "json.h"
#include "nodematch.h"

#define STACK_ITEMS MG_NODEFACTS_STACK
#define STACK_BYTES (MG_NODEFACTS_STACK * 16)

static int kv_cmp(const void *a, const void *b)
{
    const struct mg_nodefacts_kv *x = a, *y = b;
    int c = strcmp(x->k, y->k);

    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int taint_cmp(const void *a, const void *b)
{
    const struct mg_nodefacts_taint *x = a, *y = b;
    int c = (x->effect > y->effect) - (x->effect < y->effect);

    if (!c)
        c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

static int read_labels(struct mg_nodefacts *f, const cJSON *labels)
{
    const cJSON *c;
    size_t n = 0, out = 0;

    /* The members mg_json_get sees: it stops at the first without a name. */
    for (c = labels ? labels->child : NULL; c && c->string; c = c->next)
        n++;
    f->labels = n <= STACK_ITEMS ? f->lstack : malloc(n * sizeof(*f->labels));
    if (!f->labels)
        return MG_ENOMEM;
    n = 0;
    for (c = labels ? labels->child : NULL; c && c->string; c = c->next, n++)
        f->labels[n] = (struct mg_nodefacts_kv){c->string, c, n};
    qsort(f->labels, n, sizeof(*f->labels), kv_cmp);
    for (size_t i = 0; i < n; i++) {
        if ((i == 0 || strcmp(f->labels[i - 1].k, f->labels[i].k) != 0) &&
            cJSON_IsString(f->labels[i].v))
            f->labels[out++] = f->labels[i];
    }
    f->nlabels = out;
    return 0;
}

static int read_taints(struct mg_nodefacts *f, const cJSON *taints)
{
    const cJSON *c;
    struct mg_nodefacts_taint *t = f->tstack;
    size_t n = 0, m = 0, len = 0;
    int rc = 0;

    if (cJSON_IsArray(taints) && cJSON_GetArraySize(taints) > STACK_ITEMS &&
        !(t = malloc((size_t)cJSON_GetArraySize(taints) * sizeof(*t))))
        return MG_ENOMEM;
    if (!cJSON_IsArray(taints))
        taints = NULL;
    cJSON_ArrayForEach (c, taints) {
        const char *effect = mg_json_str(c, "effect");
        const char *key = mg_json_str(c, "key"), *value = mg_json_str(c, "value");

        /* An absent key or value tolerates as "" does (mg_nodematch_toleration). */
        if (mg_nodematch_filtering_effect(effect))
            t[n++] = (struct mg_nodefacts_taint){effect[2] == 'S' ? 'S' : 'E', key ? key : "",
                                                 value ? value : ""};
    }
    qsort(t, n, sizeof(*t), taint_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && taint_cmp(&t[i - 1], &t[i]) == 0)
            continue;
        t[m++] = t[i];
        len += 1 + strlen(t[i].key) + 1 + strlen(t[i].value) + 1;
    }
    f->taints = len <= STACK_BYTES ? f->bstack : malloc(len);
    if (!f->taints) {
        rc = MG_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < m; i++) {
        size_t lk = strlen(t[i].key) + 1, lv = strlen(t[i].value) + 1;

        f->taints[f->tlen++] = t[i].effect;
        memcpy(f->taints + f->tlen, t[i].key, lk);
        memcpy(f->taints + f->tlen + lk, t[i].value, lv);
        f->tlen += lk + lv;
    }
out:
    if (t != f->tstack)
        free(t);
    return rc;
}

void mg_nodefacts_free(struct mg_nodefacts *f)
{
    if (!f)
        return;
    if (f->labels != f->lstack)
        free(f->labels);
    if (f->taints != f->bstack)
        free(f->taints);
}

int mg_nodefacts_read(struct mg_nodefacts *f, const cJSON *obj)
{
    const cJSON *spec = mg_json_get(obj, "spec");
    int rc;

    f->labels = f->lstack;
    f->taints = f->bstack;
    f->tlen = 0;
    f->cordoned = !mg_nodematch_schedulable(obj);
    rc = read_labels(f, mg_json_get(mg_json_get(obj, "metadata"), "labels"));
    return rc ? rc : read_taints(f, mg_json_get(spec, "taints"));
}
