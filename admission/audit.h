/* SPDX-License-Identifier: Apache-2.0 */
/* audit.h - the stored MigrationPolicies re-checked for conflicting pairs (MP010,
 * MP011), however they got in (issue 13): a webhook outage, policies older than
 * migguard, a replica that lost its Lease. One replica at a time audits (a Lease
 * elects it), when the policies change and every period; each pair found is reported
 * by a Kubernetes Event on both policies, a decision-log line and the
 * migguard_policy_conflicts gauge. Thread-safety: mg_audit_poke and mg_audit_metrics
 * from any thread; start and stop from one. */
#ifndef MG_AUDIT_H
#define MG_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "engine.h"
#include "err.h"
#include "rules.h"
#include "store.h"

/* One conflicting pair: a's name sorts before b's. message is the finding on a
 * against b ("[MP010] policy \"b\" has exactly the same selectors..."). All borrowed
 * for the callback. */
struct mg_audit_pair {
    const cJSON *a, *b;
    const char *a_name, *b_name;
    enum mg_rule rule;
    const char *message;
};

/* Call fn for every conflicting pair of policies (a JSON array of MigrationPolicy
 * objects, borrowed), judged by MP010/MP011 as a CREATE of one against the other, with
 * the cluster settings (HyperConverged, KubeVirt) of view (the caller holds its read
 * lock; NULL: the shipped defaults). A rule configured off finds nothing. Returns the
 * number of pairs, or -1 when out of memory. */
long mg_audit_conflicts(const struct mg_config *cfg, const struct mg_store *view,
                        const cJSON *policies, void (*fn)(void *ctx, const struct mg_audit_pair *p),
                        void *ctx);

struct mg_audit_opts {
    const char *kubeconfig;   /* NULL: the in-cluster ServiceAccount */
    const char *namespace_;   /* migguard's namespace: the Lease and the Events */
    const char *identity;     /* this replica, unique */
    unsigned period_s;        /* audit at least this often; 0: 300 */
    unsigned lease_s;         /* leaseDurationSeconds of the audit Lease; 0: 15 */
    struct mg_engine *engine; /* borrowed: configuration and cluster settings */
    /* One JSON line (no newline) per conflicting pair newly found; NULL: stderr. */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
};

struct mg_audit;

/* Start the audit thread (it asks the API only from there). MG_ECONFIG without a
 * kubeconfig or in-cluster configuration. */
int mg_audit_start(struct mg_audit **out, const struct mg_audit_opts *o, struct mg_err *err);

/* Stop the thread (within the API call in flight, at most a few seconds) and free;
 * accepts NULL. */
void mg_audit_stop(struct mg_audit *a);

/* The stored policies changed: audit soon (if this replica is the auditor). */
void mg_audit_poke(struct mg_audit *a);

/* Prometheus text: migguard_policy_conflicts, migguard_policy_audit_leader,
 * migguard_policy_audits_total. Caller frees with free(); NULL when out of memory. */
char *mg_audit_metrics(struct mg_audit *a);

#endif
