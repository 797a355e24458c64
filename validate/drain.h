/* SPDX-License-Identifier: Apache-2.0 */
/* drain.h - the drain question (issue 14): for every VMI on the nodes being drained,
 * will it live-migrate, be shut down, or block the drain; every reason; which nodes
 * could take it once the drained nodes are cordoned and what ruled the others out; its
 * MigrationPolicy and effective settings; and the least time the migrations take.
 * A pure function of (view, config, options): the caller holds the view's read lock
 * for the whole of mg_drain_analyze; the report owns copies of every string. */
#ifndef MG_DRAIN_H
#define MG_DRAIN_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "drain_time.h"
#include "err.h"
#include "lmc.h"
#include "store.h"
#include "verdict.h"

enum mg_drain_outcome {
    MG_DRAIN_MIGRATE = 0, /* it can live-migrate, and will */
    MG_DRAIN_SHUTDOWN,    /* evictionStrategy None/External (or LiveMigrateIfPossible that
                           * cannot move): KubeVirt shuts it down */
    MG_DRAIN_BLOCK,       /* LiveMigrate but cannot migrate: the drain waits for it forever */
    MG_DRAIN_UNKNOWN,     /* only undetermined reasons: the view cannot tell */
    MG_DRAIN_STOPPED,     /* a VirtualMachine that does not run (not on any node) */
    MG_DRAIN_OUTCOMES
};

/* "migrate", "shutdown", "block", "unknown", "stopped". Static storage. */
const char *mg_drain_outcome_name(enum mg_drain_outcome o);

struct mg_drain_opts {
    const char *const *nodes; /* the nodes being drained (borrowed); n_nodes 0: every VMI,
                               * each as if its own node were drained */
    size_t n_nodes;
    const char *ns;   /* only this namespace; NULL: every namespace */
    double link_gbps; /* the rate of an unlimited bandwidth; <= 0: 10 */
    bool stopped;     /* also list the VirtualMachines that do not run */
    bool explain;     /* name what ruled nodes out for every VMI (a scan of the Nodes per
                       * VMI); without it only for VMIs with no target */
};

/* How many nodes one condition ruled out. */
struct mg_drain_rule_out {
    char *why; /* "cordoned", "lack accelerator=gpu", "have the untolerated taint ..." */
    size_t nodes;
};

#define MG_DRAIN_RULED_MAX 6

struct mg_drain_item {
    bool vm;                /* a stopped VirtualMachine (outcome MG_DRAIN_STOPPED) */
    char *ns, *name;        /* never NULL */
    char *node;             /* status.nodeName, NULL: none */
    char *phase;            /* a VMI's status.phase ("Running"), "Stopped" for a VM */
    char *eviction;         /* the effective evictionStrategy (RULES.md 9.8) */
    char *policy;           /* the resolved MigrationPolicy, NULL: none */
    const char *migratable; /* "yes", "no" or "unknown" (RULES.md 9.15); static */
    enum mg_drain_outcome outcome;
    struct mg_verdict v; /* every reason; a warning is undetermined */
    bool nodes_known;    /* the view knows Nodes; targets is 0 otherwise */
    size_t targets;      /* nodes it could move to after the drained ones are cordoned */
    char *target;        /* the first of them, NULL: none */
    struct mg_drain_rule_out ruled[MG_DRAIN_RULED_MAX]; /* why the other nodes cannot */
    size_t n_ruled;                  /* entries of ruled; the last may be "other conditions" */
    bool explained;                  /* ruled was computed */
    struct mg_lmc_settings settings; /* effective settings (network NULL) */
    bool estimated;                  /* mig holds its migration (outcome migrate or unknown) */
    struct mg_drain_mig mig;
};

struct mg_drain_report {
    struct mg_drain_item *items; /* VMIs by namespace and name, then stopped VMs */
    size_t n, cap;
    size_t counts[MG_DRAIN_OUTCOMES];
    bool drain;                     /* nodes were named */
    bool nodes_known;               /* the view knows Nodes */
    size_t nodes;                   /* Nodes in the view */
    struct mg_lmc_settings cluster; /* the cluster's settings (network NULL) */
    double link_gbps;
    size_t migrations; /* migrations in the estimate */
    size_t late;       /* of them, the ones that hit their deadline (fate not in time) */
    size_t no_memory;  /* of them, the ones whose memory the view does not say */
    double seconds;    /* the least time all of them take (drain only) */
};

/* Answer the drain question into out (zeroed first). MG_ENOTFOUND when a named node
 * is not in the view (err names it), MG_EINVAL when nodes are named and the view has
 * no Nodes, MG_ENOMEM. On failure out holds nothing. */
int mg_drain_analyze(const struct mg_store *view, const struct mg_config *cfg,
                     const struct mg_drain_opts *opts, struct mg_drain_report *out,
                     struct mg_err *err);

/* Free everything out holds and zero it; accepts a zeroed report. */
void mg_drain_free(struct mg_drain_report *out);

/* One VMI's answer as the server's metrics need it, if its own node were drained:
 * *block true when it would block the drain, rules[] true for every rule with a
 * determined reason (MG_RULE_MIG007 also for "no target"). obj is a VMI of the view.
 * Returns MG_ENOMEM or 0. */
int mg_drain_vmi_blocks(const struct mg_store *view, const struct mg_config *cfg, const cJSON *obj,
                        bool *block, bool rules[MG_RULE_COUNT]);

#endif
