/* SPDX-License-Identifier: Apache-2.0 */
/* cpus.h - how many CPUs this process may use: its affinity mask, capped by the CPU
 * quota of its cgroup (a Kubernetes CPU limit), so a pod limited to 500m on a 64-core
 * node does not start 64 event loops that the quota then throttles. */
#ifndef MG_CPUS_H
#define MG_CPUS_H

/* CPUs of the affinity mask (online CPUs when it cannot be read), capped by the cgroup v2
 * cpu.max or v1 cpu.cfs_quota_us quota, rounded up; at least 1. */
unsigned mg_cpus_usable(void);

/* cpus capped by a quota of quota_us per period_us (quota_us < 0: no quota), rounded up,
 * at least 1. */
unsigned mg_cpus_cap(unsigned cpus, long quota_us, long period_us);

/* The quota in the text of a cgroup v2 cpu.max file ("max 100000" or "50000 100000"):
 * 0 with *quota_us = -1 for "max", 0 with both set for a quota, -1 when malformed. */
int mg_cpus_parse_max(const char *text, long *quota_us, long *period_us);

#endif
