/* SPDX-License-Identifier: Apache-2.0 */
/* view_indexes.h - attach every derived index of the cluster view to a store. */
#ifndef MG_VIEW_INDEXES_H
#define MG_VIEW_INDEXES_H

#include "store.h"

/* Attach the policy, node and workload indexes to s (mg_store_new calls this).
 * Returns 0 or MG_ENOMEM. */
int mg_view_indexes_attach(struct mg_store *s);

#endif
