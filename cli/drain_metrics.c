/* SPDX-License-Identifier: Apache-2.0 */
/* drain_metrics.c - the server's drain metrics: every period, each VMI of the view is
 * asked validate/drain.h's question (if its own node were drained, would it block? which
 * rules say it cannot move?), BATCH VMIs per read lock; the counts become a Prometheus
 * text swapped in under a mutex that scrapes only copy. Holds the view's lock for one
 * short batch at a time (BATCH_NS), and skips a pass when the view has not changed since
 * the last one (mg_store_version). */
#include "drain_metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "background.h"
#include "drain.h"
#include "json.h"
#include "strbuf.h"
#include "ticker.h"

/* A batch ends after the VMI that takes it past this: a watch event or an exchange waits
 * for the batch, and reviews wait behind a waiting writer. One VMI costs some 40 us at
 * 100,000 VMIs. */
#define BATCH_NS 100000

struct mg_drain_metrics {
    struct mg_engine *engine;
    struct mg_ticker *ticker;
    pthread_mutex_t mu;            /* text, stop */
    bool stop;                     /* a pass ends at its next batch */
    char *text;                    /* the last pass's */
    unsigned long errors;          /* passes that failed */
    unsigned long passes, skipped; /* passes run; ticks that found the view unchanged */
    uint64_t version;              /* the view's when the last complete pass began */
    bool have;                     /* version is set */
    bool lowered;                  /* the ticker thread is (tick only) */
};

/* One counted key ("node" or "namespace\0rule" joined by '\t'). */
struct keys {
    char **k;
    size_t n, cap;
    bool oom;
};

struct pass {
    const struct mg_store *view;
    const struct mg_config *cfg;
    struct keys blockers, reasons;
    size_t vmis;
    size_t seen;              /* VMIs of the view looked at so far */
    struct timespec deadline; /* the current batch's end */
};

static int64_t ns_since(const struct timespec *t)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - t->tv_sec) * 1000000000 + (now.tv_nsec - t->tv_nsec);
}

static const char help[] =
    "# HELP migguard_drain_blockers VMIs on the node that would block its drain "
    "(evictionStrategy LiveMigrate and they cannot migrate), from the last pass over the view.\n"
    "# TYPE migguard_drain_blockers gauge\n"
    "# HELP migguard_vmis_not_migratable Running VMIs that cannot live-migrate, by namespace "
    "and the rule of a determined reason (MIG007: no node could take it).\n"
    "# TYPE migguard_vmis_not_migratable gauge\n";

static void add_key(struct keys *ks, const char *a, const char *b)
{
    size_t la = strlen(a), lb = b ? strlen(b) : 0;
    char *k;

    if (ks->n == ks->cap) {
        size_t cap = ks->cap ? ks->cap * 2 : 64;
        char **p = realloc(ks->k, cap * sizeof(*p));

        if (!p) {
            ks->oom = true;
            return;
        }
        ks->k = p;
        ks->cap = cap;
    }
    if (!(k = malloc(la + lb + 2))) {
        ks->oom = true;
        return;
    }
    memcpy(k, a, la);
    k[la] = '\t';
    memcpy(k + la + 1, b ? b : "", lb);
    k[la + 1 + lb] = '\0';
    ks->k[ks->n++] = k;
}

static void keys_free(struct keys *ks)
{
    for (size_t i = 0; i < ks->n; i++)
        free(ks->k[i]);
    free(ks->k);
    memset(ks, 0, sizeof(*ks));
}

/* one_vmi's answer when the batch has had its time. */
#define BATCH_DONE 1

static int one_vmi(void *arg, const cJSON *obj)
{
    struct pass *p = arg;
    const cJSON *st = mg_json_get(obj, "status");
    const char *phase = mg_json_str(st, "phase"), *node = mg_json_str(st, "nodeName");
    const char *ns = mg_json_str(mg_json_get(obj, "metadata"), "namespace");
    bool block, rules[MG_RULE_COUNT];

    p->seen++;
    if (!node || !phase || strcmp(phase, "Running") != 0)
        return ns_since(&p->deadline) >= 0 ? BATCH_DONE : 0;
    p->vmis++;
    if (mg_drain_vmi_blocks(p->view, p->cfg, obj, &block, rules) != 0)
        return MG_ENOMEM;
    if (block)
        add_key(&p->blockers, node, NULL);
    for (unsigned r = 0; r < MG_RULE_COUNT; r++)
        if (rules[r])
            add_key(&p->reasons, ns ? ns : "", mg_rule_id((enum mg_rule)r));
    if (p->blockers.oom || p->reasons.oom)
        return MG_ENOMEM;
    return ns_since(&p->deadline) >= 0 ? BATCH_DONE : 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A label value as the exposition format escapes it. */
static void label(struct mg_strbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' || s[i] == '"')
            mg_strbuf_printf(b, "\\%c", s[i]);
        else if (s[i] == '\n')
            mg_strbuf_printf(b, "\\n");
        else
            mg_strbuf_printf(b, "%c", s[i]);
    }
}

/* One sample per distinct key, with the number of times it was counted. */
static void series(struct mg_strbuf *b, struct keys *ks, const char *name, const char *l1,
                   const char *l2)
{
    if (ks->n)
        qsort(ks->k, ks->n, sizeof(*ks->k), cmp_str);
    for (size_t i = 0, j; i < ks->n; i = j) {
        const char *k = ks->k[i], *tab = strchr(k, '\t');

        for (j = i + 1; j < ks->n && strcmp(ks->k[j], k) == 0; j++)
            ;
        mg_strbuf_printf(b, "%s{%s=\"", name, l1);
        label(b, k, (size_t)(tab - k));
        if (l2) {
            mg_strbuf_printf(b, "\",%s=\"", l2);
            label(b, tab + 1, strlen(tab + 1));
        }
        mg_strbuf_printf(b, "\"} %zu\n", j - i);
    }
}

static bool stopping(struct mg_drain_metrics *m)
{
    bool s;

    pthread_mutex_lock(&m->mu);
    s = m->stop;
    pthread_mutex_unlock(&m->mu);
    return s;
}

/* True when the view is the one the last complete pass saw; else *version is its
 * number now. */
static bool unchanged(struct mg_drain_metrics *m, struct mg_store *view, uint64_t *version)
{
    bool same;

    mg_store_rdlock(view);
    *version = mg_store_version(view);
    mg_store_unlock(view);
    pthread_mutex_lock(&m->mu);
    same = m->have && m->version == *version;
    pthread_mutex_unlock(&m->mu);
    return same;
}

void mg_drain_metrics_run(struct mg_drain_metrics *m)
{
    struct mg_store *view = mg_engine_store(m->engine);
    struct pass p = {view, mg_engine_config(m->engine), {0}, {0}, 0, 0, {0, 0}};
    struct timespec t0, t1;
    struct mg_strbuf b;
    char *text, *old;
    unsigned long errors;
    uint64_t version;
    int rc = 0;

    if (unchanged(m, view, &version)) {
        pthread_mutex_lock(&m->mu);
        m->skipped++;
        pthread_mutex_unlock(&m->mu);
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (rc == 0 && !stopping(m)) {
        bool more;

        clock_gettime(CLOCK_MONOTONIC, &p.deadline);
        p.deadline.tv_nsec += BATCH_NS;
        if (p.deadline.tv_nsec >= 1000000000) {
            p.deadline.tv_sec++;
            p.deadline.tv_nsec -= 1000000000;
        }
        mg_store_rdlock(view);
        more = p.seen < mg_store_count(view, "VirtualMachineInstance");
        if (more)
            rc = mg_store_each_range(view, "VirtualMachineInstance", p.seen, SIZE_MAX, one_vmi, &p);
        mg_store_unlock(view);
        mg_background_pace();
        if (rc == BATCH_DONE)
            rc = 0;
        else if (rc == 0)
            break; /* the range ran to the end */
        if (!more)
            break;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    mg_strbuf_init(&b);
    mg_strbuf_printf(&b, "%s", help);
    if (rc == 0) {
        series(&b, &p.blockers, "migguard_drain_blockers", "node", NULL);
        series(&b, &p.reasons, "migguard_vmis_not_migratable", "namespace", "reason");
    }
    pthread_mutex_lock(&m->mu);
    errors = m->errors += rc != 0;
    /* A pass cut short by a stop, or out of memory, is not one to skip the next for. */
    m->have = rc == 0 && !m->stop;
    m->passes++;
    m->version = version;
    pthread_mutex_unlock(&m->mu);
    mg_strbuf_printf(
        &b,
        "# HELP migguard_drain_analysis_vmis Running VMIs in the last pass.\n"
        "# TYPE migguard_drain_analysis_vmis gauge\n"
        "migguard_drain_analysis_vmis %zu\n"
        "# HELP migguard_drain_analysis_seconds How long the last pass took.\n"
        "# TYPE migguard_drain_analysis_seconds gauge\n"
        "migguard_drain_analysis_seconds %.3f\n"
        "# HELP migguard_drain_analysis_errors_total Passes that ran out of "
        "memory (their counts are not published).\n"
        "# TYPE migguard_drain_analysis_errors_total counter\n"
        "migguard_drain_analysis_errors_total %lu\n",
        p.vmis, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, errors);
    text = mg_strbuf_finish(&b);
    keys_free(&p.blockers);
    keys_free(&p.reasons);
    /* Out of memory: the last text stays. */
    pthread_mutex_lock(&m->mu);
    old = text ? m->text : NULL;
    if (text)
        m->text = text;
    pthread_mutex_unlock(&m->mu);
    free(old);
}

/* On the ticker's own thread, lowered at its first call (background.h): a pass is 4 s
 * of CPU at 100,000 VMIs and must not take cores from reviews. It holds the read lock
 * for one short batch at a time; should a review-side writer queue behind a batch of a
 * preempted pass, the reviews that then wait leave the cores idle, and the pass gets
 * one at once. */
static void tick(void *ctx)
{
    struct mg_drain_metrics *m = ctx;

    if (!m->lowered) {
        mg_background_lower();
        m->lowered = true;
    }
    mg_drain_metrics_run(m);
}

struct mg_drain_metrics *mg_drain_metrics_start(struct mg_engine *engine, unsigned period_s)
{
    struct mg_drain_metrics *m = calloc(1, sizeof(*m));

    if (!m)
        return NULL;
    m->engine = engine;
    pthread_mutex_init(&m->mu, NULL);
    if (!(m->ticker = mg_ticker_start((period_s ? period_s : 1) * 1000u, tick, m))) {
        mg_drain_metrics_stop(m);
        return NULL;
    }
    return m;
}

char *mg_drain_metrics_text(struct mg_drain_metrics *m)
{
    struct mg_strbuf b;

    mg_strbuf_init(&b);
    pthread_mutex_lock(&m->mu);
    mg_strbuf_printf(&b,
                     "%s"
                     "# HELP migguard_drain_analysis_passes_total Passes over the view.\n"
                     "# TYPE migguard_drain_analysis_passes_total counter\n"
                     "migguard_drain_analysis_passes_total %lu\n"
                     "# HELP migguard_drain_analysis_skipped_total Periods with no pass: the "
                     "view had not changed since the last one.\n"
                     "# TYPE migguard_drain_analysis_skipped_total counter\n"
                     "migguard_drain_analysis_skipped_total %lu\n",
                     m->text ? m->text : help, m->passes, m->skipped);
    pthread_mutex_unlock(&m->mu);
    return mg_strbuf_finish(&b);
}

void mg_drain_metrics_stop(struct mg_drain_metrics *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    m->stop = true;
    pthread_mutex_unlock(&m->mu);
    mg_ticker_stop(m->ticker);
    pthread_mutex_destroy(&m->mu);
    free(m->text);
    free(m);
}
