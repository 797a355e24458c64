/* SPDX-License-Identifier: Apache-2.0 */
/* verdict.c - collect findings: apply the configured action and the context's cap,
 * prefix the rule id. An allocation failure marks the verdict incomplete (deny),
 * never drops a finding silently. */
#include "verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mg_verdict_init(struct mg_verdict *v)
{
    memset(v, 0, sizeof(*v));
}

void mg_verdict_free(struct mg_verdict *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->items[i].field);
        free(v->items[i].message);
    }
    free(v->items);
    memset(v, 0, sizeof(*v));
}

static char *vformat(const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static char *vformat(const char *prefix, const char *fmt, va_list ap)
{
    va_list ap2;
    size_t plen = strlen(prefix);
    int n;
    char *out;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    out = malloc(plen + (size_t)n + 1);
    if (!out)
        return NULL;
    memcpy(out, prefix, plen);
    vsnprintf(out + plen, (size_t)n + 1, fmt, ap);
    return out;
}

void mg_verdict_add(struct mg_verdict *v, const struct mg_config *cfg, enum mg_rule rule,
                    enum mg_action cap, const char *field, const char *fmt, ...)
{
    enum mg_action action = mg_config_action(cfg, rule);
    struct mg_finding *f;
    char prefix[16];
    va_list ap;

    if (cap < action)
        action = cap;
    if (action == MG_ACT_OFF)
        return;
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 8;
        struct mg_finding *items = realloc(v->items, ncap * sizeof(*items));

        if (!items) {
            v->oom = true;
            return;
        }
        v->items = items;
        v->cap = ncap;
    }
    f = &v->items[v->n];
    snprintf(prefix, sizeof(prefix), "[%s] ", mg_rule_id(rule));
    va_start(ap, fmt);
    f->message = vformat(prefix, fmt, ap);
    va_end(ap);
    f->field = strdup(field ? field : "");
    if (!f->message || !f->field) {
        free(f->message);
        free(f->field);
        v->oom = true;
        return;
    }
    f->rule = rule;
    f->action = action;
    v->n++;
}

bool mg_verdict_denied(const struct mg_verdict *v)
{
    if (v->oom)
        return true;
    for (size_t i = 0; i < v->n; i++) {
        if (v->items[i].action == MG_ACT_DENY)
            return true;
    }
    return false;
}

bool mg_verdict_has(const struct mg_verdict *v, enum mg_rule rule)
{
    for (size_t i = 0; i < v->n; i++) {
        if (v->items[i].rule == rule)
            return true;
    }
    return false;
}
