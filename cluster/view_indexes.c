/* SPDX-License-Identifier: Apache-2.0 */
/* view_indexes.c - the derived indexes every view carries, attached as store hooks
 * by mg_store_new. Each index keeps its own copies of what it reads (hooks see
 * objects only for the duration of a call), so a whole store, indexes included,
 * can be built aside and swapped in at once. */
#include "view_indexes.h"

#include "node_index.h"
#include "policy.h"
#include "workload_index.h"

int mg_view_indexes_attach(struct mg_store *s)
{
    int rc = mg_policy_index_attach(s);

    if (!rc)
        rc = mg_workload_index_attach(s);
    if (!rc)
        rc = mg_node_index_attach(s);
    return rc;
}
