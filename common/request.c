/* SPDX-License-Identifier: Apache-2.0 */
/* request.c - names of admission operations.
 * Pure lookup, no state. */
#include "request.h"

const char *mg_op_name(enum mg_op op)
{
    switch (op) {
    case MG_OP_CREATE: return "CREATE";
    case MG_OP_UPDATE: return "UPDATE";
    case MG_OP_DELETE: return "DELETE";
    case MG_OP_CONNECT: return "CONNECT";
    default: return "OTHER";
    }
}
