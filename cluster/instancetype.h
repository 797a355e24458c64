/* SPDX-License-Identifier: Apache-2.0 */
/* instancetype.h - a workload's effective devices and CPU placement (RULES.md
 * section 1, VM005, 9.11): its own spec, or the instancetype a VirtualMachine names in
 * spec.instancetype (VirtualMachineInstancetype or VirtualMachineClusterInstancetype,
 * looked up in the view). Reads the view (the caller holds its lock); no allocation. */
#ifndef MG_INSTANCETYPE_H
#define MG_INSTANCETYPE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "store.h"

#define MG_KIND_INSTANCETYPE "VirtualMachineInstancetype"
#define MG_KIND_CLUSTER_INSTANCETYPE "VirtualMachineClusterInstancetype"

/* What a workload runs with. Every pointer is borrowed from the workload or the view
 * (valid until the view's next write); NULL when nothing sets it. A field the
 * workload's own spec sets wins over the instancetype's (KubeVirt refuses a VM that
 * sets both, so either answer is the one a running VMI gets). */
struct mg_instancetype_eff {
    const cJSON *gpus;            /* an array, or NULL */
    const cJSON *host_devices;    /* an array, or NULL */
    const cJSON *launch_security; /* an object (not null), or NULL */
    bool dedicated_cpu;           /* dedicatedCpuPlacement (dedicatedCPUPlacement) true */
    /* Which of them the instancetype gave (false: the workload itself). */
    bool gpus_from_it, host_devices_from_it, launch_security_from_it, dedicated_cpu_from_it;
    const char *kind; /* the instancetype the VM names (kind defaulted), or NULL */
    const char *name; /* ... its name, or NULL */
    bool missing;     /* it names one the view lacks, or a kind KubeVirt does not know:
                       * only the workload's own fields are known ("cannot determine") */
};

/* Fill out for obj, a VirtualMachine (is_vmi false) or a VirtualMachineInstance in
 * namespace ns (NULL: its metadata.namespace). A VMI's spec already holds what its
 * instancetype gave it (KubeVirt copies it in), so only a VM's spec.instancetype is
 * looked up; its kind defaults to VirtualMachineClusterInstancetype and is matched as
 * KubeVirt does (case-insensitive, singular or plural resource name). */
void mg_instancetype_effective(const cJSON *obj, bool is_vmi, const char *ns,
                               const struct mg_store *view, struct mg_instancetype_eff *out);

/* The instancetype object obj names (NULL: none named, unknown kind, or not in the
 * view); *named (may be NULL) tells whether it names one. */
const cJSON *mg_instancetype_find(const cJSON *obj, const char *ns, const struct mg_store *view,
                                  bool *named);

#endif
