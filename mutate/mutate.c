/* SPDX-License-Identifier: Apache-2.0 */
/* mutate.c - route a request to the mutation of its group and kind.
 * Nothing is injected on DELETE (RULES.md section 9, item 4). */
#include "mutate.h"

#include <string.h>

static const struct {
    const char *group;
    const char *kind;
    int (*fn)(const struct mg_mctx *ctx);
} routes[] = {
    {"hco.kubevirt.io", "HyperConverged", mg_hco_mutate},
    {"kubevirt.io", "VirtualMachine", mg_annotate_mutate},
    {"kubevirt.io", "VirtualMachineInstance", mg_annotate_mutate},
};

int mg_mutate(const struct mg_request *req, const struct mg_store *view,
              const struct mg_config *cfg, struct mg_patch *patch, struct mg_err *err)
{
    struct mg_mctx ctx = {req, view, cfg, patch};

    if (req->op != MG_OP_CREATE && req->op != MG_OP_UPDATE)
        return 0;
    if (!cJSON_IsObject(req->object))
        return 0;
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (strcmp(routes[i].group, req->group) == 0 && strcmp(routes[i].kind, req->kind) == 0) {
            int rc = routes[i].fn(&ctx);

            if (rc)
                return mg_err_set(err, rc, "mutating %s: %s", req->kind, mg_err_text(rc));
            return 0;
        }
    }
    return 0;
}
