/* SPDX-License-Identifier: Apache-2.0 */
/* serve_policy.h - what `serve --kube` adds for MigrationPolicies (issue 13): writes
 * serialized across replicas by a Lease (admission/policywrite.h), the policy audit
 * (admission/audit.h), and the watch hook that confirms pending admissions and wakes
 * the audit. Only with --kube/--kubeconfig. */
#ifndef MG_SERVE_POLICY_H
#define MG_SERVE_POLICY_H

#include <getopt.h>
#include <stdbool.h>

#include "engine.h"

struct mg_serve_policy_args {
    const char *namespace_; /* --lease-namespace; NULL: $POD_NAMESPACE, the
                             * ServiceAccount's namespace, or "migguard" */
    unsigned lease_s;       /* --lease-duration; 0: 2 */
    unsigned wait_s;        /* --policy-wait; 0: 4 (under the webhook's 5 s timeout) */
    unsigned audit_s;       /* --audit-period; 0: 300 */
    unsigned pending_s;     /* --pending; 0: 10 */
};

struct mg_serve_policy;
struct mg_logbuf;

/* getopt_long codes: MG_SERVE_POLICY_OPT + 0 --pending, 1 --lease-namespace,
 * 2 --lease-duration, 3 --policy-wait, 4 --audit-period, 5 --help-policy. */
#define MG_SERVE_POLICY_OPT 0x5000
#define MG_SERVE_POLICY_LONGOPTS                                                                   \
    {"pending", required_argument, NULL, MG_SERVE_POLICY_OPT},                                     \
        {"lease-namespace", required_argument, NULL, MG_SERVE_POLICY_OPT + 1},                     \
        {"lease-duration", required_argument, NULL, MG_SERVE_POLICY_OPT + 2},                      \
        {"policy-wait", required_argument, NULL, MG_SERVE_POLICY_OPT + 3},                         \
        {"audit-period", required_argument, NULL, MG_SERVE_POLICY_OPT + 4},                        \
    {                                                                                              \
        "help-policy", no_argument, NULL, MG_SERVE_POLICY_OPT + 5                                  \
    }

/* Take option number which (0 to 5 above) with its argument into a. -1 to go on, else
 * the exit status (0 after --help-policy, 2 with the error printed). */
int mg_serve_policy_option(struct mg_serve_policy_args *a, int which, const char *arg);

/* True when a sets an option that only --kube uses. */
bool mg_serve_policy_needs_kube(const struct mg_serve_policy_args *a);

/* Set the engine's policy serializer and start the audit for kubeconfig (NULL:
 * in-cluster). The audit's lines (a JSON line per conflicting pair, "migguard: audit:"
 * lines on errors) go to log (borrowed, outlives the audit). Prints the error and
 * returns non-zero on failure. */
int mg_serve_policy_start(struct mg_serve_policy **out, const struct mg_serve_policy_args *a,
                          const char *kubeconfig, struct mg_engine *engine, struct mg_logbuf *log);

/* Stop the audit; accepts NULL. The engine keeps (and frees) the serializer. */
void mg_serve_policy_stop(struct mg_serve_policy *p);

/* struct mg_kube_opts.changed with ctx the mg_serve_policy. */
void mg_serve_policy_changed(void *ctx, const char *kind, const char *name);

/* The audit's /metrics text (caller frees); "" without an audit. */
char *mg_serve_policy_metrics(struct mg_serve_policy *p);

#endif
