/* SPDX-License-Identifier: Apache-2.0 */
/* policy_conflicts.c - `migguard report`'s list of conflicting MigrationPolicies: the
 * same pairs the server's audit reports as Events (MP010, MP011), from the view the
 * report reads (--state, --kubeconfig or --kube). */
#include "policy_conflicts.h"

#include "audit.h"
#include "json.h"

#include <string.h>

static void add_pair(void *ctx, const struct mg_audit_pair *p)
{
    cJSON *arr = ctx, *o = cJSON_CreateObject();

    if (!o)
        return;
    cJSON_AddStringToObject(o, "rule", mg_rule_id(p->rule));
    cJSON_AddStringToObject(o, "policy", p->a_name);
    cJSON_AddStringToObject(o, "other", p->b_name);
    cJSON_AddStringToObject(o, "message", p->message);
    cJSON_AddItemToArray(arr, o);
}

cJSON *mg_policy_conflicts_json(const struct mg_config *cfg, const struct mg_store *view)
{
    const cJSON *const *items;
    size_t n = mg_store_list(view, "MigrationPolicy", &items);
    cJSON *policies = cJSON_CreateArray(), *out = cJSON_CreateArray();

    for (size_t i = 0; policies && i < n; i++) {
        cJSON *ref = cJSON_CreateObjectReference(items[i]->child);

        if (!ref || !cJSON_AddItemToArray(policies, ref)) {
            cJSON_Delete(ref);
            break;
        }
    }
    if (!policies || !out || mg_audit_conflicts(cfg, view, policies, add_pair, out) < 0) {
        cJSON_Delete(out);
        out = NULL;
    }
    cJSON_Delete(policies);
    return out;
}

/* text at indent, cut at spaces to fit width columns. */
static void wrapped(FILE *out, const char *text, unsigned indent, unsigned width)
{
    size_t room = width > indent + 20 ? width - indent : 20;

    while (*text) {
        size_t n = strlen(text), cut = n;

        if (n > room) {
            cut = room;
            while (cut > 0 && text[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = room;
        }
        fprintf(out, "%*s%.*s\n", (int)indent, "", (int)cut, text);
        text += cut;
        while (*text == ' ')
            text++;
    }
}

void mg_policy_conflicts_text(FILE *out, const cJSON *conflicts, unsigned width)
{
    const cJSON *c;
    int n = cJSON_GetArraySize(conflicts);
    char head[128];

    if (n == 0)
        return;
    snprintf(head, sizeof(head),
             "Policy conflicts: %d (MigrationPolicy pairs migguard would refuse today)", n);
    fputc('\n', out);
    wrapped(out, head, 0, width);
    cJSON_ArrayForEach (c, conflicts) {
        char pair[700];

        snprintf(pair, sizeof(pair), "%s %s / %s:", mg_json_str(c, "rule"),
                 mg_json_str(c, "policy"), mg_json_str(c, "other"));
        wrapped(out, pair, 2, width);
        wrapped(out, mg_json_str(c, "message"), 4, width);
    }
}
