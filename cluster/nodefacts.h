/* SPDX-License-Identifier: Apache-2.0 */
/* nodefacts.h - internal to cluster/: what the node index copies of a Node object, in
 * a canonical form two versions of a node compare in: its labels as the matching reads
 * them, its filtering taints as one byte string, its cordon. */
#ifndef MG_NODEFACTS_H
#define MG_NODEFACTS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#define MG_NODEFACTS_STACK 64

struct mg_nodefacts_kv {
    const char *k;
    const cJSON *v;
    size_t idx;
};

struct mg_nodefacts_taint {
    char effect; /* 'S' NoSchedule, 'E' NoExecute */
    const char *key, *value;
};

/* The node's labels (the first of duplicate keys decides, as mg_json_get reads them;
 * a non-string value is no label), its filtering taints serialized in a canonical
 * order, and its cordon. Borrowed from the object, or stack, for one put. */
struct mg_nodefacts {
    struct mg_nodefacts_kv *labels; /* sorted by key */
    size_t nlabels;
    char *taints;
    size_t tlen;
    bool cordoned;
    struct mg_nodefacts_kv lstack[MG_NODEFACTS_STACK];
    struct mg_nodefacts_taint tstack[MG_NODEFACTS_STACK];
    char bstack[(MG_NODEFACTS_STACK * 16)];
};

/* Read obj into f (any contents of f are overwritten). Strings are borrowed from obj,
 * and f must not move between read and free. Taints: for each distinct taint, sorted,
 * its effect ('S' or 'E'), key, NUL, value, NUL ("" when absent: a toleration reads
 * them so). 0, or MG_ENOMEM; either way release with mg_nodefacts_free. */
int mg_nodefacts_read(struct mg_nodefacts *f, const cJSON *obj);

/* Release what read allocated; accepts NULL. */
void mg_nodefacts_free(struct mg_nodefacts *f);

#endif
