/* SPDX-License-Identifier: Apache-2.0 */
/* rules.c - lookups in the rule table of rules.h.
 * Pure functions over static data. */
#include "rules.h"

#include <string.h>

static const struct {
    const char *id;
    enum mg_action action;
    const char *summary;
} table[] = {
#define MG_RULE_ROW(id, action, summary) {#id, action, summary},
    MG_RULES(MG_RULE_ROW)
#undef MG_RULE_ROW
};

const char *mg_rule_id(enum mg_rule rule)
{
    return (unsigned)rule < MG_RULE_COUNT ? table[rule].id : "?";
}

enum mg_action mg_rule_default_action(enum mg_rule rule)
{
    return (unsigned)rule < MG_RULE_COUNT ? table[rule].action : MG_ACT_DENY;
}

const char *mg_rule_summary(enum mg_rule rule)
{
    return (unsigned)rule < MG_RULE_COUNT ? table[rule].summary : "";
}

bool mg_rule_lookup(const char *id, enum mg_rule *out)
{
    for (unsigned i = 0; i < MG_RULE_COUNT; i++) {
        if (strcmp(table[i].id, id) == 0) {
            *out = (enum mg_rule)i;
            return true;
        }
    }
    return false;
}

const char *mg_action_name(enum mg_action action)
{
    switch (action) {
    case MG_ACT_OFF: return "off";
    case MG_ACT_WARN: return "warn";
    default: return "deny";
    }
}

bool mg_action_parse(const char *text, enum mg_action *out)
{
    static const enum mg_action all[] = {MG_ACT_OFF, MG_ACT_WARN, MG_ACT_DENY};

    for (unsigned i = 0; i < 3; i++) {
        if (strcmp(text, mg_action_name(all[i])) == 0) {
            *out = all[i];
            return true;
        }
    }
    return false;
}
