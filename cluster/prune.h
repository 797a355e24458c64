/* SPDX-License-Identifier: Apache-2.0 */
/* prune.h - what of an object the view keeps. Every object entering the store is
 * pruned: bookkeeping metadata and guest payloads go, everything a rule reads stays. */
#ifndef MG_PRUNE_H
#define MG_PRUNE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

/* Kinds the view holds by the thousand (VirtualMachine, VirtualMachineInstance,
 * PersistentVolumeClaim, DataVolume): kept as compact JSON text, decoded when read,
 * and cut down to what the rules read (prune.c lists it field by field): names,
 * labels, owner references, the pod-bridge annotation; placement, eviction strategy,
 * interfaces, networks, volume sources, devices, CPU model and memory; claims' access
 * modes, storage class and volume mode; a VMI's phase, node, transport, Migratable
 * conditions and volume status; whether a VM runs. Top-level members other than
 * metadata, spec and status stay. */
bool mg_prune_compact_kind(const char *kind);

/* Those kinds, by name. */
#define MG_PRUNE_COMPACT_KINDS 4
extern const char *const mg_prune_compact_kinds[MG_PRUNE_COMPACT_KINDS];

/* Prune obj (an object of kind) in place: metadata.managedFields and the kubectl
 * last-applied annotation always; a Node's images, addresses, nodeInfo, capacity and
 * condition timestamps; for the compact kinds, what mg_prune_compact_kind says. */
void mg_prune(cJSON *obj, const char *kind);

#endif
