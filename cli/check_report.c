/* SPDX-License-Identifier: Apache-2.0 */
/* check_report.c - collect and print the results of `migguard check`. The text form
 * is for people (one line per object, findings indented as kubectl shows causes); the
 * JSON form is a stable interface: keys are only ever added. Prints only to the FILE
 * it is given. */
#include "check_report.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "json.h"

struct mg_check_object *mg_check_report_add(struct mg_check_results *r)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        struct mg_check_object *items = realloc(r->items, cap * sizeof(*items));

        if (!items)
            return NULL;
        r->items = items;
        r->cap = cap;
    }
    memset(&r->items[r->n], 0, sizeof(r->items[0]));
    return &r->items[r->n++];
}

/* Length of the "[RULE] " prefix of msg (0 when there is none) and the id's length. */
static size_t rule_prefix(const char *msg, size_t *id_len)
{
    size_t i = 1;

    *id_len = 0;
    if (msg[0] != '[')
        return 0;
    while (i < 17 && ((msg[i] >= 'A' && msg[i] <= 'Z') || (msg[i] >= '0' && msg[i] <= '9')))
        i++;
    if (i == 1 || msg[i] != ']')
        return 0;
    *id_len = i - 1;
    return msg[i + 1] == ' ' ? i + 2 : i + 1;
}

int mg_check_report_finding(struct mg_check_object *o, bool deny, const char *message,
                            const char *field, int line)
{
    struct mg_check_finding *f;
    size_t id_len, skip = rule_prefix(message, &id_len);

    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 4;
        struct mg_check_finding *items = realloc(o->findings, cap * sizeof(*items));

        if (!items)
            return MG_ENOMEM;
        o->findings = items;
        o->cap = cap;
    }
    f = &o->findings[o->n];
    memset(f, 0, sizeof(*f));
    f->deny = deny;
    f->line = line;
    f->rule = malloc(id_len + 1);
    f->message = strdup(message + skip);
    f->field = field && field[0] ? strdup(field) : NULL;
    if (!f->rule || !f->message || (field && field[0] && !f->field)) {
        free(f->rule);
        free(f->message);
        free(f->field);
        return MG_ENOMEM;
    }
    memcpy(f->rule, message + 1, id_len);
    f->rule[id_len] = '\0';
    o->n++;
    return 0;
}

void mg_check_report_free(struct mg_check_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        struct mg_check_object *o = &r->items[i];

        for (size_t j = 0; j < o->n; j++) {
            free(o->findings[j].rule);
            free(o->findings[j].field);
            free(o->findings[j].message);
        }
        free(o->findings);
        free(o->api_version);
        free(o->kind);
        free(o->namespace_);
        free(o->name);
        free(o->patch);
    }
    free(r->items);
    memset(r, 0, sizeof(*r));
}

/* s with each NUL of the input (MG_JSON_NUL) written as \0, as the manifest wrote it. */
static void put_text(FILE *to, const char *s)
{
    for (; *s; s++) {
        if (s[0] == MG_JSON_NUL[0] && s[1] == MG_JSON_NUL[1]) {
            fputs("\\0", to);
            s++;
        } else {
            fputc(*s, to);
        }
    }
}

void mg_check_report_text(FILE *to, const struct mg_check_results *r, bool show_patch)
{
    size_t allowed = 0, warnings = 0;

    for (size_t i = 0; i < r->n; i++) {
        const struct mg_check_object *o = &r->items[i];

        allowed += o->allowed;
        /* As a user would name it to kubectl: kind/name -n namespace. */
        fprintf(to, "%s/%s%s%s: %s\n", o->kind, o->name, o->namespace_[0] ? " -n " : "",
                o->namespace_, o->allowed ? "allowed" : "denied");
        for (size_t j = 0; j < o->n; j++) {
            const struct mg_check_finding *f = &o->findings[j];

            warnings += !f->deny;
            fprintf(to, "  %s %s%s%s%s(%s:%d): ", f->deny ? "deny" : "warn", f->rule,
                    f->rule[0] ? " " : "", f->field ? f->field : "", f->field ? " " : "", o->file,
                    f->line);
            put_text(to, f->message);
            fputc('\n', to);
        }
        if (show_patch)
            fprintf(to, "  patch: %s\n", o->patch ? o->patch : "none");
    }
    fprintf(to, "%zu object%s: %zu allowed, %zu denied, %zu warning%s\n", r->n,
            r->n == 1 ? "" : "s", allowed, r->n - allowed, warnings, warnings == 1 ? "" : "s");
}

static cJSON *finding_json(const struct mg_check_object *o, const struct mg_check_finding *f)
{
    cJSON *j = cJSON_CreateObject();

    if (!j || !cJSON_AddStringToObject(j, "rule", f->rule) ||
        !cJSON_AddStringToObject(j, "action", f->deny ? "deny" : "warn") ||
        !(f->field ? cJSON_AddStringToObject(j, "field", f->field)
                   : cJSON_AddNullToObject(j, "field")) ||
        !cJSON_AddStringToObject(j, "file", o->file) ||
        !cJSON_AddNumberToObject(j, "line", f->line) ||
        !cJSON_AddStringToObject(j, "message", f->message)) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static cJSON *object_json(const struct mg_check_object *o)
{
    cJSON *j = cJSON_CreateObject(), *findings, *patch;

    if (!j || !cJSON_AddStringToObject(j, "file", o->file) ||
        !cJSON_AddNumberToObject(j, "line", o->line) ||
        !cJSON_AddStringToObject(j, "apiVersion", o->api_version) ||
        !cJSON_AddStringToObject(j, "kind", o->kind) ||
        !cJSON_AddStringToObject(j, "namespace", o->namespace_) ||
        !cJSON_AddStringToObject(j, "name", o->name) ||
        !cJSON_AddStringToObject(j, "operation", o->operation) ||
        !cJSON_AddBoolToObject(j, "allowed", o->allowed) ||
        !(findings = cJSON_AddArrayToObject(j, "findings")))
        goto fail;
    for (size_t k = 0; k < o->n; k++) {
        cJSON *f = finding_json(o, &o->findings[k]);

        if (!f || !cJSON_AddItemToArray(findings, f)) {
            cJSON_Delete(f);
            goto fail;
        }
    }
    /* mg_json_parse, not cJSON's: a \u0000 in the patch stays whole (json.h). */
    patch = o->patch ? mg_json_parse(o->patch, strlen(o->patch), 0, NULL) : cJSON_CreateNull();
    if (!patch || !cJSON_AddItemToObject(j, "patch", patch)) {
        cJSON_Delete(patch);
        goto fail;
    }
    return j;
fail:
    cJSON_Delete(j);
    return NULL;
}

int mg_check_report_json(FILE *to, const struct mg_check_results *r)
{
    cJSON *root = cJSON_CreateObject(), *objects = NULL, *sum;
    size_t allowed = 0, warnings = 0;
    char *text = NULL;
    int rc = MG_ENOMEM;

    if (!root || !(objects = cJSON_AddArrayToObject(root, "objects")))
        goto out;
    for (size_t i = 0; i < r->n; i++) {
        cJSON *o = object_json(&r->items[i]);

        if (!o || !cJSON_AddItemToArray(objects, o)) {
            cJSON_Delete(o);
            goto out;
        }
        allowed += r->items[i].allowed;
        for (size_t k = 0; k < r->items[i].n; k++)
            warnings += !r->items[i].findings[k].deny;
    }
    if (!(sum = cJSON_AddObjectToObject(root, "summary")) ||
        !cJSON_AddNumberToObject(sum, "objects", (double)r->n) ||
        !cJSON_AddNumberToObject(sum, "allowed", (double)allowed) ||
        !cJSON_AddNumberToObject(sum, "denied", (double)(r->n - allowed)) ||
        !cJSON_AddNumberToObject(sum, "warnings", (double)warnings) ||
        !(text = mg_json_print(root, true)))
        goto out;
    fprintf(to, "%s\n", text);
    rc = 0;
out:
    free(text);
    cJSON_Delete(root);
    return rc;
}
