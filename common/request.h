/* SPDX-License-Identifier: Apache-2.0 */
/* request.h - one decoded AdmissionReview request, as every layer sees it.
 * A plain struct so tests can build one; admission/review.c fills it from JSON.
 * All pointers borrow from the cJSON tree `root`, owned by whoever built it. */
#ifndef MG_REQUEST_H
#define MG_REQUEST_H

#include <stdbool.h>

#include <cjson/cJSON.h>

enum mg_op { MG_OP_CREATE, MG_OP_UPDATE, MG_OP_DELETE, MG_OP_CONNECT, MG_OP_OTHER };

struct mg_request {
    const char *uid;
    const char *group;      /* request.kind.group, "" for the core group */
    const char *version;    /* request.kind.version */
    const char *kind;       /* request.kind.kind */
    const char *name;       /* request.name, "" when absent */
    const char *namespace_; /* request.namespace, "" for cluster-scoped kinds */
    enum mg_op op;
    bool dry_run;
    const cJSON *object;     /* request.object, NULL when absent or null */
    const cJSON *old_object; /* request.oldObject, NULL when absent or null */
    const char *username;    /* request.userInfo.username, NULL when absent */
};

/* The name of the operation ("CREATE"). Static storage. */
const char *mg_op_name(enum mg_op op);

#endif
