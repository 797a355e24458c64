/* SPDX-License-Identifier: Apache-2.0 */
/* mig.h - VirtualMachineInstanceMigration CREATE (RULES.md section 6, MIG001-MIG008):
 * the VMI exists and can live-migrate, no other migration of it is unfinished, the
 * addedNodeSelector is valid and leaves some other node to go to, and whether the
 * parallel limits will make it queue. Pure function of (request, view, config). */
#ifndef MG_MIG_H
#define MG_MIG_H

#include "validate.h"

/* VirtualMachineInstanceMigration: MIG001-MIG008 on CREATE; UPDATE, DELETE and other
 * operations pass without findings (RULES.md 9.13). Returns 0, or MG_ENOMEM. */
int mg_mig_validate(const struct mg_vctx *ctx);

#endif
