/* SPDX-License-Identifier: Apache-2.0 */
/* verdict.h - the findings of one review. A finding carries its rule, the action
 * that applies to it (the configured action, lowered to the cap the context allows),
 * the field path and a message that starts with the rule id in brackets.
 * Pure data; the verdict owns its strings. */
#ifndef MG_VERDICT_H
#define MG_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "rules.h"

struct mg_finding {
    enum mg_rule rule;
    enum mg_action action; /* MG_ACT_WARN or MG_ACT_DENY; off findings are not stored */
    char *field;           /* "spec.liveMigrationConfig.bandwidthPerMigration" */
    char *message;         /* "[LMC002] bandwidthPerMigration ..." */
};

struct mg_verdict {
    struct mg_finding *items;
    size_t n;
    size_t cap;
    bool oom; /* an allocation failed: the verdict is incomplete and must deny */
};

void mg_verdict_init(struct mg_verdict *v);
void mg_verdict_free(struct mg_verdict *v);

/* Add a finding of rule on field. The action is min(configured action, cap); nothing
 * is added when that is off. The message gets the "[RULE] " prefix. */
void mg_verdict_add(struct mg_verdict *v, const struct mg_config *cfg, enum mg_rule rule,
                    enum mg_action cap, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* True when a finding denies (or the verdict is incomplete). */
bool mg_verdict_denied(const struct mg_verdict *v);

/* A warning's message cut to at most max bytes (RULES.md: warnings under 120
 * characters) so that what to do survives: the "[RULE] " id, as much of the head as
 * fits, "..." and the last clause (from the last "; ", ". ", ": " or " (" on), which is
 * where messages put the fix. A message whose last clause leaves no room is cut at its
 * end. msg must be valid UTF-8; cuts fall on character boundaries. A message of at most
 * max bytes is copied whole. Caller frees with free(); NULL when out of memory. */
char *mg_verdict_cut(const char *msg, size_t max);

/* True when some finding has this rule. */
bool mg_verdict_has(const struct mg_verdict *v, enum mg_rule rule);

#endif
