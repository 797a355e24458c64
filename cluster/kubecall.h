/* SPDX-License-Identifier: Apache-2.0 */
/* kubecall.h - one request with a JSON answer to the Kubernetes API (GET, POST, PUT):
 * for the few writes migguard makes (Leases, Events) and its consistent reads of
 * MigrationPolicies. Bounded in time by the caller; errors name the URL.
 * Thread-safety: one handle serves one call at a time (a mutex inside). */
#ifndef MG_KUBECALL_H
#define MG_KUBECALL_H

#include <cjson/cJSON.h>

#include "err.h"

struct mg_kubecall;

/* A handle on the API of kubeconfig (NULL: the in-cluster ServiceAccount under sa_dir,
 * NULL: the default). MG_ECONFIG when there is none; *out NULL on failure. */
int mg_kubecall_new(struct mg_kubecall **out, const char *kubeconfig, const char *sa_dir,
                    struct mg_err *err);

/* Free the handle; accepts NULL. */
void mg_kubecall_free(struct mg_kubecall *k);

/* method ("GET", "POST", "PUT") on path with body (JSON text, may be NULL), within
 * max_ms. 0 when an HTTP answer arrived (*status its code, *out its JSON body or NULL;
 * caller frees with cJSON_Delete); MG_EIO when none did, with err naming the URL and
 * why (timed out, refused). */
int mg_kubecall_do(struct mg_kubecall *k, const char *method, const char *path, const char *body,
                   long max_ms, long *status, cJSON **out, struct mg_err *err);

/* The API server's URL ("https://host:port"); borrowed. */
const char *mg_kubecall_server(const struct mg_kubecall *k);

/* The message of a Kubernetes Status body, or "" (borrowed from st). */
const char *mg_kubecall_message(const cJSON *st);

/* Set err to MG_EIO "METHOD URL: HTTP status: message of answer" for an unexpected
 * answer; returns MG_EIO. */
int mg_kubecall_fail(const struct mg_kubecall *k, const char *method, const char *path, long status,
                     const cJSON *answer, struct mg_err *err);

#endif
