/* SPDX-License-Identifier: Apache-2.0 */
/* drain_time.h - how long the live migrations of a drain take at least: each moves its
 * VMI's memory once at the bandwidth KubeVirt applies (RULES.md 9.2), they queue by
 * parallelMigrationsPerCluster and parallelOutboundMigrationsPerNode (MIG008), and one
 * that cannot copy its memory before its deadline (LMC006, 9.18) is flagged.
 * Pure arithmetic: no view, no I/O; every array is the caller's. */
#ifndef MG_DRAIN_TIME_H
#define MG_DRAIN_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quantity.h"

/* What happens to a migration at its deadline (RULES.md 9.18). */
enum mg_drain_fate {
    MG_FATE_IN_TIME = 0, /* one copy of its memory fits before the deadline (or none) */
    MG_FATE_CANCELLED,   /* allowWorkloadDisruption false (or still late at 2x): cancelled */
    MG_FATE_PAUSED,      /* allowWorkloadDisruption true, no post-copy: paused, deadline 2x */
    MG_FATE_POST_COPY,   /* allowWorkloadDisruption and allowPostCopy: switches to post-copy */
};

/* One migration. The caller fills the inputs; mg_drain_time_one and _schedule the rest. */
struct mg_drain_mig {
    uint64_t bytes;          /* memory to move; 0: unknown (takes no time) */
    size_t source;           /* its source node, 0 <= source < the sources of _schedule */
    int64_t bandwidth_mib;   /* E in MiB/s (mg_quantity_mebibytes); 0: unlimited, the link */
    int64_t timeout_per_gib; /* T, completionTimeoutPerGiB; 0: no deadline */
    bool allow_disruption;   /* effective allowWorkloadDisruption */
    bool allow_post_copy;    /* effective allowPostCopy */
    double seconds;          /* out: bytes at the rate, the least it can take */
    int64_t deadline;        /* out: T x ceil(bytes / 10^9) seconds, 0: none */
    enum mg_drain_fate fate; /* out */
    double start, end;       /* out (_schedule): seconds from the start of the drain */
};

/* T x ceil(bytes / 10^9), saturating at INT64_MAX; 0 when t <= 0 or bytes is 0. */
int64_t mg_drain_time_deadline(uint64_t bytes, int64_t t);

/* Fill m's seconds, deadline and fate. link_gbps (> 0) is the rate of an unlimited
 * bandwidth, in 10^9 bits per second. Limited rates are compared exactly. */
void mg_drain_time_one(struct mg_drain_mig *m, double link_gbps);

/* Queue m[0..n) in array order, as KubeVirt's migration controller admits them: a
 * migration starts as soon as fewer than per_cluster run in all and fewer than
 * per_node run from its source (a migration whose node is full does not hold back the
 * ones behind it). Fills start and end (call mg_drain_time_one first); *total gets
 * the end of the last (0 for none). per_cluster and per_node below 1 count as 1.
 * MG_EINVAL when a source is out of range, MG_ENOMEM; 0 otherwise. */
int mg_drain_time_schedule(struct mg_drain_mig *m, size_t n, size_t sources, int64_t per_cluster,
                           int64_t per_node, double *total);

/* "2h03m", "4m10s", "12s", "0.4s" into buf. */
void mg_drain_time_format(double seconds, char *buf, size_t len);

#endif
