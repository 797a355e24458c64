/* SPDX-License-Identifier: Apache-2.0 */
/* validate.c - route a request to the rule family of its group and kind.
 * Adding a family adds one row to the table below. */
#include "validate.h"

#include <string.h>

#include "lmc.h"
#include "mp.h"
#include "mig.h"
#include "vm.h"

static const struct {
    const char *group;
    const char *kind;
    int (*fn)(const struct mg_vctx *ctx);
} routes[] = {
    {"hco.kubevirt.io", "HyperConverged", mg_lmc_validate},
    {"migrations.kubevirt.io", "MigrationPolicy", mg_mp_validate},
    {"kubevirt.io", "VirtualMachine", mg_vm_validate},
    {"kubevirt.io", "VirtualMachineInstance", mg_vm_validate},
    {"kubevirt.io", "VirtualMachineInstanceMigration", mg_mig_validate},
};

static int find(const char *group, const char *kind)
{
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (strcmp(routes[i].group, group) == 0 && strcmp(routes[i].kind, kind) == 0)
            return (int)i;
    }
    return -1;
}

bool mg_validate_handles(const char *group, const char *kind)
{
    return find(group, kind) >= 0;
}

int mg_validate(const struct mg_request *req, const struct mg_store *view,
                const struct mg_config *cfg, struct mg_verdict *v, struct mg_err *err)
{
    struct mg_vctx ctx = {req, view, cfg, v};
    int i = find(req->group, req->kind);
    int rc;

    if (i < 0)
        return 0;
    rc = routes[i].fn(&ctx);
    if (rc)
        return mg_err_set(err, rc, "validating %s: %s", req->kind, mg_err_text(rc));
    return 0;
}
