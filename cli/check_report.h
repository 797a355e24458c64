/* SPDX-License-Identifier: Apache-2.0 */
/* check_report.h - the results of `migguard check`: one entry per manifest object
 * with its verdict, findings (rule, field, file and line) and patch, printed as
 * kubectl-like text or as the stable JSON document of docs/check.md. */
#ifndef MG_CHECK_REPORT_H
#define MG_CHECK_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct mg_check_finding {
    bool deny;     /* a denial (a status cause), else a warning */
    char *rule;    /* "LMC006", "" when the message names no rule */
    char *field;   /* "spec.liveMigrationConfig.bandwidthPerMigration", NULL when unknown */
    char *message; /* without the "[RULE] " prefix */
    int line;      /* line the field came from; the object's line when unknown */
};

struct mg_check_object {
    const char *file; /* borrowed: the input's display name, valid while the inputs are */
    int line;         /* line the object starts at */
    char *api_version, *kind, *namespace_, *name;
    const char *operation; /* "CREATE" or "UPDATE", static */
    bool allowed;
    struct mg_check_finding *findings;
    size_t n, cap;
    char *patch; /* the JSON Patch text of the mutating answer, NULL when none */
};

struct mg_check_results {
    struct mg_check_object *items;
    size_t n, cap;
};

/* A new zeroed entry at the end of r, or NULL when out of memory. Borrowed from r. */
struct mg_check_object *mg_check_report_add(struct mg_check_results *r);

/* Add a finding to o from a review message ("[LMC006] ..."): the rule id is split
 * off. field may be NULL. Returns 0 or MG_ENOMEM. */
int mg_check_report_finding(struct mg_check_object *o, bool deny, const char *message,
                            const char *field, int line);

/* Free every entry; accepts a zeroed struct. */
void mg_check_report_free(struct mg_check_results *r);

/* Text: "kind/name -n namespace: allowed|denied" (no -n for cluster-scoped objects),
 * each finding indented below it, the patch
 * when show_patch, and a summary line. */
void mg_check_report_text(FILE *to, const struct mg_check_results *r, bool show_patch);

/* The JSON document (docs/check.md), with a newline. Returns 0 or MG_ENOMEM. */
int mg_check_report_json(FILE *to, const struct mg_check_results *r);

#endif
