/* SPDX-License-Identifier: Apache-2.0 */
/* vmrules.h - VM003 (pod-network binding), VM004 (migration ports) and VM005 (devices)
 * of one workload (RULES.md section 5), for vm.c, and what they read of the KubeVirt
 * CR. Pure functions of (workload, view, config): no I/O, no allocation but the
 * verdict's. */
#ifndef MG_VMRULES_H
#define MG_VMRULES_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "store.h"
#include "verdict.h"

/* One workload under check. Every pointer is borrowed for the call. */
struct mg_vm_work {
    const cJSON *obj;
    bool is_vmi;
    const char *ns;
    const cJSON *spec;          /* pod-like spec: VMI spec, VM spec.template.spec */
    const char *base;           /* field path of spec */
    const cJSON *annotations;   /* VM: template annotations; VMI: its own */
    const cJSON *dv_templates;  /* VM: its own; VMI: its owner VM's, when in the view */
    const cJSON *volume_status; /* VMI only */
    const struct mg_store *view;
    const struct mg_config *cfg;
    struct mg_verdict *v;
    enum mg_action cap; /* MG_ACT_DENY when it must live-migrate */
    bool migration;     /* asked for MIG003 (MG_VM_MIGRATION_ONLY) */
    bool notes;         /* informational warnings too (not asked "can it migrate") */
};

/* spec.configuration of the KubeVirt CR in the view, or NULL when it has none. */
const cJSON *mg_vmrules_kubevirt_config(const struct mg_store *view);

/* VM003 and VM004. */
void mg_vmrules_interfaces(const struct mg_vm_work *w);

/* VM005, with the devices an instancetype gives a VM. */
void mg_vmrules_devices(const struct mg_vm_work *w);

#endif
