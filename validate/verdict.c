/* SPDX-License-Identifier: Apache-2.0 */
/* verdict.c - collect findings: apply the configured action and the context's cap,
 * prefix the rule id; cut warnings so their fix survives. An allocation failure marks
 * the verdict incomplete (deny), never drops a finding silently. */
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

/* Where the last clause of msg starts (at its separator), after the rule id; 0 for none. */
static size_t last_clause(const char *msg, size_t from, size_t len)
{
    static const char *const seps[] = {"; ", ". ", ": ", " ("};

    for (size_t i = len; i-- > from + 1;) {
        for (size_t k = 0; k < sizeof(seps) / sizeof(seps[0]); k++) {
            if (msg[i] == seps[k][0] && msg[i + 1] == seps[k][1])
                return i;
        }
    }
    return 0;
}

char *mg_verdict_cut(const char *msg, size_t max)
{
    size_t len = strlen(msg), id = 0, tail = 0, head;
    const char *close = msg[0] == '[' ? strstr(msg, "] ") : NULL;
    char *out;

    if (len <= max)
        return strdup(msg);
    if (close && close - msg < 16)
        id = (size_t)(close - msg) + 2;
    if ((tail = last_clause(msg, id, len)) != 0 && id + 8 + 3 + (len - tail) > max)
        tail = 0; /* the last clause alone does not fit beside some of the head */
    if (max < 3)
        max = 3;
    head = max - 3 - (tail ? len - tail : 0);
    while (head > 0 && ((unsigned char)msg[head] & 0xC0) == 0x80)
        head--;
    out = malloc(max + 1);
    if (!out)
        return NULL;
    memcpy(out, msg, head);
    memcpy(out + head, "...", 3);
    if (tail)
        memcpy(out + head + 3, msg + tail, len - tail);
    out[head + 3 + (tail ? len - tail : 0)] = '\0';
    return out;
}
