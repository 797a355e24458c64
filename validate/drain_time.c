/* SPDX-License-Identifier: Apache-2.0 */
/* drain_time.c - the least time a drain's live migrations take: one copy of each VMI's
 * memory at KubeVirt's bandwidth (RULES.md 9.2), queued by the parallel limits (MIG008),
 * with the deadline arithmetic of LMC006 (9.18). Exact integers where RULES.md compares;
 * doubles only for the seconds shown. No I/O. */
#include "drain_time.h"

#include <stdio.h>
#include <stdlib.h>

#include "err.h"

#define MIB 1048576u

__extension__ typedef unsigned __int128 u128; /* __extension__: -Wpedantic clean */

int64_t mg_drain_time_deadline(uint64_t bytes, int64_t t)
{
    uint64_t units = bytes / 1000000000u + (bytes % 1000000000u != 0);

    if (t <= 0 || units == 0)
        return 0;
    if (units > (uint64_t)INT64_MAX / (uint64_t)t)
        return INT64_MAX;
    return (int64_t)units * t;
}

/* bytes take longer than seconds at E MiB/s (E > 0), exactly. */
static bool late(uint64_t bytes, int64_t e, int64_t seconds)
{
    u128 moved = (u128)(uint64_t)e * MIB * (u128)(uint64_t)seconds;

    return (u128)bytes > moved;
}

void mg_drain_time_one(struct mg_drain_mig *m, double link_gbps)
{
    double link = link_gbps * 1e9 / 8.0;
    int64_t d2;
    bool past, past2;

    m->seconds = m->bandwidth_mib > 0 ? (double)m->bytes / ((double)m->bandwidth_mib * MIB)
                                      : (double)m->bytes / link;
    m->deadline = mg_drain_time_deadline(m->bytes, m->timeout_per_gib);
    m->fate = MG_FATE_IN_TIME;
    if (m->deadline == 0)
        return;
    d2 = m->deadline > INT64_MAX / 2 ? INT64_MAX : m->deadline * 2;
    if (m->bandwidth_mib > 0) {
        past = late(m->bytes, m->bandwidth_mib, m->deadline);
        past2 = late(m->bytes, m->bandwidth_mib, d2);
    } else {
        past = (double)m->bytes > link * (double)m->deadline;
        past2 = (double)m->bytes > link * (double)d2;
    }
    if (!past)
        return;
    if (!m->allow_disruption)
        m->fate = MG_FATE_CANCELLED;
    else if (m->allow_post_copy)
        m->fate = MG_FATE_POST_COPY;
    else
        m->fate = past2 ? MG_FATE_CANCELLED : MG_FATE_PAUSED;
}

/* A binary min-heap of (key, val), ties broken by val. */
struct heap {
    double *key;
    size_t *val;
    size_t n;
};

static bool less(const struct heap *h, size_t a, size_t b)
{
    return h->key[a] < h->key[b] || (h->key[a] == h->key[b] && h->val[a] < h->val[b]);
}

static void swap_at(struct heap *h, size_t a, size_t b)
{
    double k = h->key[a];
    size_t v = h->val[a];

    h->key[a] = h->key[b];
    h->val[a] = h->val[b];
    h->key[b] = k;
    h->val[b] = v;
}

static void push(struct heap *h, double key, size_t val)
{
    size_t i = h->n++;

    h->key[i] = key;
    h->val[i] = val;
    while (i > 0 && less(h, i, (i - 1) / 2)) {
        swap_at(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static size_t pop(struct heap *h)
{
    size_t top = h->val[0], i = 0;

    swap_at(h, 0, --h->n);
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;

        if (l < h->n && less(h, l, m))
            m = l;
        if (r < h->n && less(h, r, m))
            m = r;
        if (m == i)
            break;
        swap_at(h, i, m);
        i = m;
    }
    return top;
}

/* Per-source queues: order[off[s] .. off[s+1]) are source s's migrations in order. */
struct queues {
    size_t *order, *off, *next, *running;
};

static bool eligible(const struct queues *q, size_t s, uint64_t per_node)
{
    return q->next[s] < q->off[s + 1] && q->running[s] < per_node;
}

int mg_drain_time_schedule(struct mg_drain_mig *m, size_t n, size_t sources, int64_t per_cluster,
                           int64_t per_node, double *total)
{
    uint64_t pc = per_cluster < 1 ? 1 : (uint64_t)per_cluster;
    uint64_t pn = per_node < 1 ? 1 : (uint64_t)per_node;
    struct queues q = {0};
    struct heap ready = {0}, run = {0};
    double t = 0;
    size_t running = 0;
    int rc = MG_ENOMEM;

    *total = 0;
    for (size_t i = 0; i < n; i++)
        if (m[i].source >= sources)
            return MG_EINVAL;
    q.order = malloc((n ? n : 1) * sizeof(size_t));
    q.off = calloc(sources + 2, sizeof(size_t));
    q.next = calloc(sources + 1, sizeof(size_t));
    q.running = calloc(sources + 1, sizeof(size_t));
    ready.key = malloc((sources + 1) * sizeof(double));
    ready.val = malloc((sources + 1) * sizeof(size_t));
    run.key = malloc((n ? n : 1) * sizeof(double));
    run.val = malloc((n ? n : 1) * sizeof(size_t));
    if (!q.order || !q.off || !q.next || !q.running || !ready.key || !ready.val || !run.key ||
        !run.val)
        goto out;
    for (size_t i = 0; i < n; i++)
        q.off[m[i].source + 1]++;
    for (size_t s = 0; s < sources; s++)
        q.off[s + 1] += q.off[s];
    for (size_t s = 0; s < sources; s++)
        q.next[s] = q.off[s];
    for (size_t i = 0; i < n; i++)
        q.order[q.next[m[i].source]++] = i;
    for (size_t s = 0; s < sources; s++) {
        q.next[s] = q.off[s];
        if (eligible(&q, s, pn))
            push(&ready, (double)q.order[q.next[s]], s);
    }
    for (;;) {
        size_t j, s;

        while (running < pc && ready.n > 0) {
            s = pop(&ready);
            j = q.order[q.next[s]++];
            m[j].start = t;
            m[j].end = t + m[j].seconds;
            push(&run, m[j].end, j);
            running++;
            q.running[s]++;
            if (eligible(&q, s, pn))
                push(&ready, (double)q.order[q.next[s]], s);
        }
        if (running == 0)
            break;
        j = pop(&run);
        running--;
        t = m[j].end;
        *total = t > *total ? t : *total;
        s = m[j].source;
        /* A source that was full is eligible again; one with room is in the heap. */
        if (q.running[s]-- == pn && q.next[s] < q.off[s + 1])
            push(&ready, (double)q.order[q.next[s]], s);
    }
    rc = 0;
out:
    free(q.order);
    free(q.off);
    free(q.next);
    free(q.running);
    free(ready.key);
    free(ready.val);
    free(run.key);
    free(run.val);
    return rc;
}

void mg_drain_time_format(double seconds, char *buf, size_t len)
{
    unsigned long long s;

    if (seconds < 10) {
        snprintf(buf, len, "%.1fs", seconds);
        return;
    }
    s = (unsigned long long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, len, "%lluh%02llum", s / 3600, s % 3600 / 60);
    else if (s >= 60)
        snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
    else
        snprintf(buf, len, "%llus", s);
}
