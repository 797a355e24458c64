/* SPDX-License-Identifier: Apache-2.0 */
/* vm.h - can this VM live-migrate (RULES.md section 5): VM001-VM007 on VirtualMachine
 * and VirtualMachineInstance objects, from an admission request or (for `report` and
 * MIG003) from an object alone. Pure functions of (object, view, config). */
#ifndef MG_VM_H
#define MG_VM_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "store.h"
#include "validate.h"
#include "verdict.h"

/* VM001-VM005 only: what MIG003 asks of a VMI (no placement rules). */
#define MG_VM_MIGRATION_ONLY 0x1u
/* Act as if the VM must live-migrate: definite findings are capped at deny, and
 * findings that are only notes (VM004 off the legacy TCP transport) are left out. */
#define MG_VM_FORCE_MUST 0x2u
/* No VM001 (a decentralized migration moves no disks). With MG_VM_MIGRATION_ONLY,
 * volumes in the VMI's status.migratedVolumes are left out of VM001, and VM004 counts
 * only on the legacy TCP transport (status.migrationTransport). */
#define MG_VM_NO_STORAGE 0x4u

/* What one check learnt besides its findings. */
struct mg_vm_facts {
    bool must_migrate;    /* effective eviction strategy is LiveMigrate */
    const char *eviction; /* effective eviction strategy ("None" when nothing sets one) */
    bool nodes_known;     /* the view knows Nodes */
    size_t fitting_nodes; /* nodes that could run it, cordoned or not (VM007, RULES 9.11) */
    size_t target_nodes;  /* nodes it can move to now: not cordoned, not a VMI's own, a
                             host-model VMI's CPU (mg_nodefit_targets, RULES 9.15) */
};

/* VirtualMachine and VirtualMachineInstance CREATE/UPDATE: VM001-VM007 (DELETE and other
 * operations: no findings). On UPDATE, findings are lowered to warnings when the spec is
 * unchanged, or when the old object was already denied for the same rule on the same
 * field: controllers writing an existing object's metadata or status (KubeVirt updates
 * VMI status this way) are not blocked by what they did not change. A VMI that KubeVirt
 * itself writes (RULES.md section 8: userInfo is a kubevirt-controller or
 * kubevirt-handler service account, or a VirtualMachine controls it) only warns. */
int mg_vm_validate(const struct mg_vctx *ctx);

/* Check one VM (is_vmi false) or VMI object in namespace ns (NULL: its own
 * metadata.namespace) into v. flags: MG_VM_* above. facts may be NULL. Returns 0. */
int mg_vm_check(const cJSON *obj, bool is_vmi, const char *ns, const struct mg_store *view,
                const struct mg_config *cfg, unsigned flags, struct mg_verdict *v,
                struct mg_vm_facts *facts);

/* The cluster default eviction strategy (RULES.md 9.8): cfg's default_eviction, else the
 * KubeVirt CR's spec.configuration.evictionStrategy in the view, else the
 * HyperConverged's spec.evictionStrategy (9.3 picks which), else None. */
enum mg_eviction mg_vm_default_eviction(const struct mg_store *view, const struct mg_config *cfg);

#endif
