/* SPDX-License-Identifier: Apache-2.0 */
/* config.c - load migguard's YAML configuration over the shipped defaults.
 * Strict: an unknown key, rule id, action or table is an error naming it, so a
 * typo never silently leaves a rule at its shipped action. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamljson.h"

/* RULES.md section 2: the shipped table and the two others users can pick. */
static const struct mg_lmc_defaults tables[] = {
    {"hco-1.14", NULL, 150, 5, 2, 150, false, false, true, false},
    {"hco-1.4", "64Mi", 800, 5, 2, 150, false, false, false, false},
    {"hco-1.19", NULL, 20, 5, 1, 150, false, false, true, true},
};

const char mg_config_default_yaml[] =
    "# migguard configuration (the embedded default)\n"
    "# defaults: the liveMigrationConfig defaults table: hco-1.14, hco-1.4 or hco-1.19\n"
    "defaults: hco-1.14\n"
    "# defaultEvictionStrategy: the cluster default when a VM sets none\n"
    "# (None, LiveMigrate, LiveMigrateIfPossible, External); unset: read the KubeVirt CR\n"
    "# rules: the action of each rule id: deny, warn or off\n"
    "rules: {}\n";

void mg_config_init(struct mg_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    for (unsigned i = 0; i < MG_RULE_COUNT; i++)
        cfg->actions[i] = mg_rule_default_action((enum mg_rule)i);
    cfg->defaults = &tables[0];
    cfg->default_eviction = MG_EVICT_UNSET;
}

const struct mg_lmc_defaults *mg_config_defaults_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (strcmp(tables[i].name, name) == 0)
            return &tables[i];
    }
    return NULL;
}

bool mg_eviction_parse(const char *text, enum mg_eviction *out)
{
    static const struct {
        const char *name;
        enum mg_eviction value;
    } names[] = {{"None", MG_EVICT_NONE},
                 {"LiveMigrate", MG_EVICT_LIVE_MIGRATE},
                 {"LiveMigrateIfPossible", MG_EVICT_LIVE_MIGRATE_IF_POSSIBLE},
                 {"External", MG_EVICT_EXTERNAL}};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(names[i].name, text) == 0) {
            *out = names[i].value;
            return true;
        }
    }
    return false;
}

enum mg_action mg_config_action(const struct mg_config *cfg, enum mg_rule rule)
{
    return (unsigned)rule < MG_RULE_COUNT ? cfg->actions[rule] : MG_ACT_DENY;
}

static int parse_rules(struct mg_config *cfg, const cJSON *rules, const char *filename,
                       const struct mg_marks *marks, struct mg_err *err)
{
    const cJSON *it;

    if (cJSON_IsNull(rules))
        return 0;
    if (!cJSON_IsObject(rules))
        return mg_err_set_at(err, MG_ECONFIG, filename, mg_marks_line(marks, "/rules"),
                             "rules: must be a map of rule id to deny, warn or off");
    cJSON_ArrayForEach (it, rules) {
        enum mg_rule rule;
        enum mg_action action;
        char ptr[64];

        snprintf(ptr, sizeof(ptr), "/rules/%s", it->string);
        if (!mg_rule_lookup(it->string, &rule))
            return mg_err_set_at(err, MG_ECONFIG, filename, mg_marks_line(marks, ptr),
                                 "rules.%s: unknown rule id (ids look like LMC001, MP011, VM003)",
                                 it->string);
        /* YAML 1.1, as kubectl reads it, makes a plain `off` the boolean false. */
        if (cJSON_IsFalse(it))
            action = MG_ACT_OFF;
        else if (!cJSON_IsString(it) || !mg_action_parse(it->valuestring, &action))
            return mg_err_set_at(err, MG_ECONFIG, filename, mg_marks_line(marks, ptr),
                                 "rules.%s: action must be deny, warn or off", it->string);
        cfg->actions[rule] = action;
    }
    return 0;
}

static int parse_root(struct mg_config *cfg, const cJSON *root, const char *filename,
                      const struct mg_marks *marks, struct mg_err *err)
{
    const cJSON *it;
    int rc;

    if (!cJSON_IsObject(root))
        return mg_err_set_at(err, MG_ECONFIG, filename, 1, "configuration must be a YAML map");
    cJSON_ArrayForEach (it, root) {
        char ptr[300];
        int line;

        snprintf(ptr, sizeof(ptr), "/%s", it->string);
        line = mg_marks_line(marks, ptr);
        if (strcmp(it->string, "rules") == 0) {
            rc = parse_rules(cfg, it, filename, marks, err);
            if (rc)
                return rc;
        } else if (strcmp(it->string, "defaults") == 0) {
            const struct mg_lmc_defaults *d =
                cJSON_IsString(it) ? mg_config_defaults_lookup(it->valuestring) : NULL;

            if (!d)
                return mg_err_set_at(err, MG_ECONFIG, filename, line,
                                     "defaults: must be one of hco-1.14, hco-1.4, hco-1.19");
            cfg->defaults = d;
        } else if (strcmp(it->string, "defaultEvictionStrategy") == 0) {
            if (cJSON_IsNull(it)) {
                cfg->default_eviction = MG_EVICT_UNSET;
            } else if (!cJSON_IsString(it) ||
                       !mg_eviction_parse(it->valuestring, &cfg->default_eviction)) {
                return mg_err_set_at(err, MG_ECONFIG, filename, line,
                                     "defaultEvictionStrategy: must be None, LiveMigrate, "
                                     "LiveMigrateIfPossible or External");
            }
        } else {
            return mg_err_set_at(
                err, MG_ECONFIG, filename, line,
                "%s: unknown key (known: defaults, defaultEvictionStrategy, rules)", it->string);
        }
    }
    return 0;
}

int mg_config_parse(struct mg_config *cfg, const char *text, size_t len, const char *filename,
                    struct mg_err *err)
{
    struct mg_yaml_docs docs = {0};
    struct mg_config next = *cfg;
    int rc;

    rc = mg_yaml_parse(text, len, filename, true, &docs, err);
    if (rc) {
        rc = MG_ECONFIG;
        if (err)
            err->code = rc;
        goto out;
    }
    if (docs.n > 1) {
        rc = mg_err_set_at(err, MG_ECONFIG, filename, docs.lines[1],
                           "configuration must be a single YAML document");
        goto out;
    }
    if (docs.n == 1) {
        rc = parse_root(&next, docs.docs[0], filename, docs.marks[0], err);
        if (rc)
            goto out;
    }
    /* Only a fully valid file takes effect: nothing half-applied. */
    *cfg = next;
out:
    mg_yaml_docs_free(&docs);
    return rc;
}

int mg_config_load_file(struct mg_config *cfg, const char *path, struct mg_err *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    mg_config_init(cfg);
    rc = mg_read_file(path, (size_t)1 << 20, &text, &len, err);
    if (rc == 0)
        rc = mg_config_parse(cfg, text, len, path, err);
    free(text);
    return rc;
}
