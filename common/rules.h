/* SPDX-License-Identifier: Apache-2.0 */
/* rules.h - every rule id migguard knows, with its shipped enforcement action.
 * The table is the single source for rule ids: config validation, messages
 * and metrics all index it. Pure data, no state. */
#ifndef MG_RULES_H
#define MG_RULES_H

#include <stdbool.h>

enum mg_action { MG_ACT_OFF = 0, MG_ACT_WARN = 1, MG_ACT_DENY = 2 };

/* X(id, shipped action, one-line summary) */
#define MG_RULES(X)                                                                                \
    X(LMC001, MG_ACT_DENY, "bandwidthPerMigration is a valid Kubernetes quantity")                 \
    X(LMC002, MG_ACT_DENY, "bandwidthPerMigration is not negative")                                \
    X(LMC003, MG_ACT_DENY, "bandwidthPerMigration is 0 or at least 1 byte/s")                      \
    X(LMC004, MG_ACT_DENY, "every field has its JSON type and range")                              \
    X(LMC005, MG_ACT_WARN, "per-node limit does not exceed the cluster limit")                     \
    X(LMC006, MG_ACT_DENY, "bandwidth copies memory once within the deadline")                     \
    X(LMC007, MG_ACT_WARN, "post-copy is risky for critical data")                                 \
    X(LMC008, MG_ACT_DENY, "network names an existing NetworkAttachmentDefinition")                \
    X(LMC009, MG_ACT_DENY, "only documented liveMigrationConfig keys")                             \
    X(LMC010, MG_ACT_WARN, "post-copy can start (allowWorkloadDisruption)")                        \
    X(MP001, MG_ACT_DENY, "selectors are plain label maps")                                        \
    X(MP002, MG_ACT_DENY, "selector keys and values are valid labels")                             \
    X(MP003, MG_ACT_DENY, "bandwidthPerMigration is a valid non-negative quantity")                \
    X(MP004, MG_ACT_DENY, "completionTimeoutPerGiB is not negative")                               \
    X(MP005, MG_ACT_DENY, "maxDowntimeMs within 1..2000000")                                       \
    X(MP006, MG_ACT_DENY, "effective settings copy memory once within the deadline")               \
    X(MP007, MG_ACT_WARN, "post-copy is risky, or never starts")                                   \
    X(MP010, MG_ACT_DENY, "no two policies with the same selectors")                               \
    X(MP011, MG_ACT_DENY, "no tie between policies with different settings")                       \
    X(MP012, MG_ACT_WARN, "VMs moved to or from this policy")                                      \
    X(VM001, MG_ACT_DENY, "volumes are ReadWriteMany")                                             \
    X(VM002, MG_ACT_DENY, "hostDisks are shared")                                                  \
    X(VM003, MG_ACT_DENY, "no bridge binding on the pod network")                                  \
    X(VM004, MG_ACT_DENY, "masquerade does not claim the migration ports 49152/49153")             \
    X(VM005, MG_ACT_DENY, "no devices or features that block live migration")                      \
    X(VM006, MG_ACT_DENY, "placement rules are well formed")                                       \
    X(VM007, MG_ACT_DENY, "at least two nodes can run the VM")                                     \
    X(MIG001, MG_ACT_DENY, "spec.vmiName is a valid name")                                         \
    X(MIG002, MG_ACT_DENY, "the VMI exists and is running")                                        \
    X(MIG003, MG_ACT_DENY, "the VMI can live-migrate")                                             \
    X(MIG004, MG_ACT_DENY, "no other unfinished migration of the VMI")                             \
    X(MIG005, MG_ACT_DENY, "addedNodeSelector holds valid labels")                                 \
    X(MIG006, MG_ACT_DENY, "addedNodeSelector does not contradict the VMI nodeSelector")           \
    X(MIG007, MG_ACT_DENY, "some other node can take the VMI")                                     \
    X(MIG008, MG_ACT_WARN, "the migration will queue behind parallel limits")

enum mg_rule {
#define MG_RULE_ENUM(id, action, summary) MG_RULE_##id,
    MG_RULES(MG_RULE_ENUM)
#undef MG_RULE_ENUM
        MG_RULE_COUNT
};

/* Rule id text ("LMC001"). Static storage; "?" for an unknown rule. */
const char *mg_rule_id(enum mg_rule rule);

/* Shipped action of a rule. */
enum mg_action mg_rule_default_action(enum mg_rule rule);

/* One-line summary of a rule. Static storage. */
const char *mg_rule_summary(enum mg_rule rule);

/* Look a rule up by its id text; returns false when no rule has that id. */
bool mg_rule_lookup(const char *id, enum mg_rule *out);

/* "deny", "warn" or "off". Static storage. */
const char *mg_action_name(enum mg_action action);

/* Parse "deny" / "warn" / "off"; returns false for anything else. */
bool mg_action_parse(const char *text, enum mg_action *out);

#endif
