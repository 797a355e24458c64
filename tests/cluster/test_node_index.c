/* SPDX-License-Identifier: Apache-2.0 */
/* test_node_index.c - the node index answers exactly as mg_nodes_count's scan on
 * random node sets and placements under random puts, modifies and removes; it returns
 * to its baseline after 100,000 add/remove cycles; a status-only update changes
 * nothing; and readers query it while a writer changes it (run under TSan as
 * test_cluster_node_index_concurrency). Both placement modes (RULES.md 9.11: cordons,
 * KubeVirt's own labels, a host-model move) are checked, and mg_nodewhy_fill's count for
 * every condition it names against a count over the nodes. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "node_index.h"
#include "nodefit.h"
#include "nodewhy.h"
#include "json.h"
#include "nodes.h"
#include "store.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static const char *pick(const char *const *a, size_t n)
{
    return a[rnd((uint32_t)n)];
}

#define PICK(a) pick(a, sizeof(a) / sizeof(a[0]))

static const char *const keys[] = {"a",
                                   "b",
                                   "c",
                                   "zone",
                                   "",
                                   "kubevirt.io/schedulable",
                                   "kubevirt.io/cpumanager",
                                   "cpu-model.node.kubevirt.io/Haswell",
                                   "cpu-model-migration.node.kubevirt.io/Haswell"};
static const char *const vals[] = {"1",    "2",    "-3", "x", "", "10", "+4", "9999999999999999999",
                                   "true", "false"};
static const char *const ops[] = {"In", "NotIn", "Exists", "DoesNotExist",
                                  "Gt", "Lt",    "Bogus",  NULL};
static const char *const tkeys[] = {"k1", "k2", "", NULL, "node.kubernetes.io/unschedulable"};
static const char *const tvals[] = {"v1", "", NULL};
static const char *const effects[] = {"NoSchedule", "NoExecute", "PreferNoSchedule", "", NULL};
static const char *const topsv[] = {"Exists", "Equal", "", "Bogus", NULL};
static const char *const models[] = {"Haswell", "host-model", "host-passthrough",
                                     "",        NULL,         "Skylake"};

static void node_name(char *buf, size_t len, uint32_t i)
{
    /* Numeric names too: matchFields Gt and Lt compare them. */
    snprintf(buf, len, i % 3 == 0 ? "%u" : "node-%u", i);
}

static void add_str_or_absent(cJSON *o, const char *key, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, key, v);
}

static cJSON *random_labels(void)
{
    cJSON *l;
    uint32_t n = rnd(6);

    if (rnd(20) == 0)
        return rnd(2) ? cJSON_CreateString("x") : cJSON_CreateArray();
    l = cJSON_CreateObject();
    for (uint32_t i = 0; i < n; i++) {
        /* Duplicate keys and non-string values: the first decides, as mg_json_get. */
        if (rnd(8) == 0)
            cJSON_AddNumberToObject(l, PICK(keys), 1);
        else
            cJSON_AddStringToObject(l, PICK(keys), PICK(vals));
    }
    return l;
}

static cJSON *random_node(uint32_t id)
{
    cJSON *n = cJSON_CreateObject(), *meta, *spec, *taints;
    char name[32];

    node_name(name, sizeof(name), id);
    cJSON_AddStringToObject(n, "kind", "Node");
    meta = cJSON_AddObjectToObject(n, "metadata");
    cJSON_AddStringToObject(meta, "name", name);
    if (rnd(10))
        cJSON_AddItemToObject(meta, "labels", random_labels());
    spec = cJSON_AddObjectToObject(n, "spec");
    if (rnd(6) == 0)
        cJSON_AddBoolToObject(spec, "unschedulable", true);
    else if (rnd(10) == 0)
        cJSON_AddStringToObject(spec, "unschedulable", "true");
    if (rnd(3) == 0) {
        taints = rnd(15) ? cJSON_AddArrayToObject(spec, "taints")
                         : cJSON_AddObjectToObject(spec, "taints");
        for (uint32_t i = rnd(4); i > 0; i--) {
            cJSON *t = cJSON_CreateObject();

            add_str_or_absent(t, "key", PICK(tkeys));
            add_str_or_absent(t, "value", PICK(tvals));
            add_str_or_absent(t, "effect", PICK(effects));
            cJSON_AddItemToArray(taints, t);
        }
    }
    cJSON_AddObjectToObject(n, "status");
    cJSON_AddNumberToObject(cJSON_GetObjectItem(n, "status"), "beat", rnd(1000));
    return n;
}

static cJSON *random_selector(void)
{
    cJSON *s;

    switch (rnd(8)) {
    case 0: return NULL;
    case 1: return cJSON_CreateNull();
    case 2: return cJSON_CreateArray();
    default: break;
    }
    s = cJSON_CreateObject();
    for (uint32_t i = rnd(3); i > 0; i--) {
        if (rnd(12) == 0)
            cJSON_AddNumberToObject(s, PICK(keys), 1);
        else
            cJSON_AddStringToObject(s, PICK(keys), PICK(vals));
    }
    return s;
}

static cJSON *random_requirement(bool field, uint32_t pool)
{
    cJSON *r = cJSON_CreateObject(), *v;
    char name[32];

    if (field)
        add_str_or_absent(r, "key", rnd(8) ? "metadata.name" : "metadata.uid");
    else if (rnd(15))
        cJSON_AddStringToObject(r, "key", PICK(keys));
    add_str_or_absent(r, "operator", PICK(ops));
    switch (rnd(8)) {
    case 0: break;
    case 1: cJSON_AddNullToObject(r, "values"); break;
    case 2: cJSON_AddStringToObject(r, "values", "1"); break;
    default:
        v = cJSON_AddArrayToObject(r, "values");
        for (uint32_t i = rnd(3); i > 0; i--) {
            node_name(name, sizeof(name), rnd(pool + 2));
            if (rnd(12) == 0)
                cJSON_AddItemToArray(v, cJSON_CreateNumber(1));
            else
                cJSON_AddItemToArray(v, cJSON_CreateString(field && rnd(4) ? name : PICK(vals)));
        }
    }
    return r;
}

static cJSON *random_affinity(uint32_t pool)
{
    cJSON *a, *req, *terms;

    if (rnd(3) == 0)
        return NULL;
    a = cJSON_CreateObject();
    req = cJSON_AddObjectToObject(cJSON_AddObjectToObject(a, "nodeAffinity"),
                                  "requiredDuringSchedulingIgnoredDuringExecution");
    if (rnd(20) == 0)
        return a;
    terms = cJSON_AddArrayToObject(req, "nodeSelectorTerms");
    for (uint32_t i = rnd(4); i > 0; i--) {
        cJSON *t = cJSON_CreateObject(), *e = cJSON_AddArrayToObject(t, "matchExpressions");
        cJSON *f = rnd(3) == 0 ? cJSON_AddArrayToObject(t, "matchFields") : NULL;

        for (uint32_t j = rnd(4); j > 0; j--)
            cJSON_AddItemToArray(e, random_requirement(false, pool));
        for (uint32_t j = f ? rnd(3) : 0; j > 0; j--)
            cJSON_AddItemToArray(f, random_requirement(true, pool));
        cJSON_AddItemToArray(terms, t);
    }
    return a;
}

static cJSON *random_tolerations(void)
{
    cJSON *a;

    if (rnd(4) == 0)
        return rnd(2) ? NULL : cJSON_CreateObject();
    a = cJSON_CreateArray();
    for (uint32_t i = rnd(4); i > 0; i--) {
        cJSON *t = cJSON_CreateObject();

        add_str_or_absent(t, "key", PICK(tkeys));
        add_str_or_absent(t, "operator", PICK(topsv));
        add_str_or_absent(t, "value", PICK(tvals));
        add_str_or_absent(t, "effect", PICK(effects));
        cJSON_AddItemToArray(a, t);
    }
    return a;
}

static bool same_name(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static size_t considered_lacking(const cJSON *const *items, size_t n, const char *exclude,
                                 const struct mg_kvlabels *kv, const char *key, const char *value)
{
    size_t c = 0;

    for (size_t i = 0; i < n; i++) {
        const char *have =
            mg_json_str(mg_json_get(mg_json_get(items[i], "metadata"), "labels"), key);

        if (exclude && strcmp(mg_json_name(items[i]), exclude) == 0)
            continue;
        c += !have || !value || strcmp(have, value) != 0;
    }
    (void)kv;
    return c;
}

/* Considered nodes carrying the taint (effect 'S' or 'E', key, value: absent reads ""). */
static size_t considered_tainted(const cJSON *const *items, size_t n, const char *exclude,
                                 char effect, const char *key, const char *value)
{
    size_t c = 0;

    for (size_t i = 0; i < n; i++) {
        const cJSON *t, *taints = mg_json_get(mg_json_get(items[i], "spec"), "taints");
        bool has = false;

        if ((exclude && strcmp(mg_json_name(items[i]), exclude) == 0) || !cJSON_IsArray(taints))
            continue;
        cJSON_ArrayForEach (t, taints) {
            const char *e = mg_json_str(t, "effect"), *k = mg_json_str(t, "key");
            const char *v = mg_json_str(t, "value");

            has = has || (e && strcmp(e, effect == 'S' ? "NoSchedule" : "NoExecute") == 0 &&
                          strcmp(k ? k : "", key) == 0 && strcmp(v ? v : "", value) == 0);
        }
        c += has;
    }
    return c;
}

/* Every condition mg_nodefit_why names rules out exactly the nodes a plain scan finds
 * for it, and together they rule out every node that does not fit. */
static void check_why(struct mg_store *s, const struct mg_placement *p, enum mg_nodefit_mode mode,
                      const char *exclude, size_t others)
{
    const cJSON *const *items = NULL;
    size_t n = mg_store_list(s, "Node", &items), sum = 0, considered = 0;
    struct mg_nodewhy w;
    char text[700];

    assert_int_equal(mg_nodewhy_fill(s, p, mode, exclude, &w), 0);
    for (size_t i = 0; i < n; i++)
        considered += !exclude || strcmp(mg_json_name(items[i]), exclude) != 0;
    assert_int_equal(w.considered, considered);
    for (size_t i = 0; i < w.n; i++) {
        size_t want = 0;

        assert_true(w.c[i].count > 0);
        assert_true(i == 0 || w.c[i - 1].count >= w.c[i].count);
        sum += w.c[i].count;
        switch (w.c[i].what) {
        case 'L':
            if (strcmp(w.c[i].value, "(not a string)") == 0 || w.c[i].key[0] == '(')
                want = considered;
            else
                want = considered_lacking(items, n, exclude, &w.kv, w.c[i].key, w.c[i].value);
            break;
        case 'T':
            want = considered_tainted(items, n, exclude, w.c[i].effect, w.c[i].key, w.c[i].value);
            break;
        case 'C':
            for (size_t j = 0; j < n; j++)
                want += (!exclude || strcmp(mg_json_name(items[j]), exclude) != 0) &&
                        !mg_nodematch_schedulable(items[j]);
            assert_int_equal(mode, MG_NODEFIT_TARGETS);
            break;
        case 'A':
            for (size_t j = 0; j < n; j++)
                want += (!exclude || strcmp(mg_json_name(items[j]), exclude) != 0) &&
                        !mg_nodematch_affinity(p->affinity, items[j]);
            break;
        default: want = considered; break;
        }
        assert_int_equal(w.c[i].count, want);
    }
    if (w.more == 0)
        assert_true(sum >= considered - others);
    mg_nodewhy_text(&w, text, sizeof(text));
    assert_true(strlen(text) < sizeof(text));
    assert_true((w.n == 0) == (text[0] == '\0'));
}

/* One random placement against the store: the index and the scan agree, in both modes. */
static void check_query(struct mg_store *s, uint32_t pool)
{
    cJSON *sel = random_selector(), *added = rnd(3) ? NULL : random_selector();
    cJSON *aff = random_affinity(pool), *tols = random_tolerations();
    struct mg_placement p = {sel,
                             added,
                             aff,
                             tols,
                             rnd(4) == 0,
                             PICK(models),
                             rnd(4) ? NULL : rnd(2) ? "Haswell" : "Ivy"};
    const cJSON *const *items = NULL;
    size_t n = mg_store_list(s, "Node", &items);
    const char *first = NULL, *first_other = NULL, *exclude = NULL;
    char name[32];
    struct mg_nodefit nf;
    size_t fit, others;

    if (rnd(2)) {
        node_name(name, sizeof(name), rnd(pool + 2));
        exclude = name;
    }
    for (int m = 0; m < 2; m++) {
        enum mg_nodefit_mode mode = m ? MG_NODEFIT_TARGETS : MG_NODEFIT_PLACEMENT;

        mg_nodefit_query(s, &p, mode, exclude, &nf);
        fit = mg_nodes_count(&p, items, n, mode, NULL, &first);
        others = mg_nodes_count(&p, items, n, mode, exclude, &first_other);
        assert_int_equal(nf.fit, fit);
        assert_int_equal(nf.others, others);
        assert_true(same_name(nf.first, first));
        assert_true(same_name(nf.first_other, first_other));
        check_why(s, &p, mode, exclude, others);
    }
    cJSON_Delete(sel);
    cJSON_Delete(added);
    cJSON_Delete(aff);
    cJSON_Delete(tols);
}

static void random_change(struct mg_store *s, uint32_t pool)
{
    char name[32];

    if (rnd(4) == 0) {
        node_name(name, sizeof(name), rnd(pool));
        mg_store_remove(s, "Node", "", name);
    } else {
        assert_int_equal(mg_store_put(s, random_node(rnd(pool)), NULL), 0);
    }
}

static void test_node_index_answers_as_the_scan(void **state)
{
    struct mg_node_index_stats st;

    (void)state;
    for (int round = 0; round < 2000; round++) {
        struct mg_store *s = mg_store_new();
        /* Mostly small sets; some past 64 and 300 nodes for multi-word sets and the
         * first-by-insertion search. */
        uint32_t pool = round % 50 == 0 ? 400 : round % 10 == 0 ? 150 : 1 + rnd(40);

        assert_non_null(s);
        for (uint32_t i = rnd(pool + 1); i > 0; i--)
            random_change(s, pool);
        for (int q = 0; q < 12; q++) {
            for (uint32_t c = rnd(4); c > 0; c--)
                random_change(s, pool);
            check_query(s, pool);
        }
        if (round % 100 == 0) {
            struct mg_store *src = mg_store_new();

            for (uint32_t i = rnd(pool + 1); i > 0; i--)
                random_change(src, pool);
            assert_int_equal(mg_store_replace_all(s, src), 0);
            check_query(s, pool);
        }
        mg_node_index_stats(s, &st);
        assert_false(st.stale);
        assert_int_equal(st.nodes, mg_store_list(s, "Node", &(const cJSON *const *){NULL}));
        mg_store_free(s);
    }
}

static cJSON *node_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static cJSON *node_text(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    cJSON *j;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    j = cJSON_Parse(buf);
    assert_non_null(j);
    return j;
}

static void test_node_index_churn_returns_to_baseline(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_node_index_stats base, st;
    char name[32];

    (void)state;
    for (int i = 0; i < 100; i++)
        assert_int_equal(mg_store_put(s, random_node((uint32_t)i), NULL), 0);
    mg_node_index_stats(s, &base);
    for (int i = 0; i < 100000; i++) {
        snprintf(name, sizeof(name), "churn-%d", i);
        assert_int_equal(
            mg_store_put(s,
                         node_text("{\"kind\":\"Node\",\"metadata\":{\"name\":\"%s\",\"labels\":"
                                   "{\"uniq-%d\":\"v-%d\",\"a\":\"1\"}},\"spec\":{\"taints\":"
                                   "[{\"key\":\"t-%d\",\"effect\":\"NoSchedule\"}]}}",
                                   name, i, i, i % 1000),
                         NULL),
            0);
        assert_int_equal(mg_store_remove(s, "Node", "", name), 0);
    }
    mg_node_index_stats(s, &st);
    assert_false(st.stale);
    assert_int_equal(st.nodes, base.nodes);
    assert_int_equal(st.strings, base.strings);
    assert_int_equal(st.postings, base.postings);
    assert_int_equal(st.groups, base.groups);
    assert_true(st.slots <= base.slots + 1);
    assert_int_equal(st.table, base.table);
    assert_true(st.words <= base.words + 8);
    mg_store_free(s);
}

#define STATUS_NODE                                                                                \
    "{\"kind\":\"Node\",\"metadata\":{\"name\":\"n%d\",\"labels\":{\"zone\":\"x\"}},"              \
    "\"status\":{\"beat\":%d}}"

static void test_node_index_status_update_changes_nothing(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_node_index_stats a, b;
    cJSON *sel = cJSON_Parse("{\"zone\":\"x\"}");
    struct mg_placement p = {sel, NULL, NULL, NULL, false, NULL, NULL};
    struct mg_nodefit nf;

    (void)state;
    for (int i = 0; i < 10; i++)
        assert_int_equal(mg_store_put(s, node_text(STATUS_NODE, i, 0), NULL), 0);
    mg_node_index_stats(s, &a);
    for (int i = 0; i < 10; i++)
        assert_int_equal(mg_store_put(s, node_text(STATUS_NODE, 9 - i, i + 1), NULL), 0);
    mg_node_index_stats(s, &b);
    assert_memory_equal(&a, &b, sizeof(a));
    mg_nodefit_query(s, &p, MG_NODEFIT_TARGETS, "n0", &nf);
    assert_int_equal(nf.fit, 10);
    assert_int_equal(nf.others, 9);
    assert_string_equal(nf.first, "n0");
    assert_string_equal(nf.first_other, "n1");
    cJSON_Delete(sel);
    mg_store_free(s);
}

struct shared {
    struct mg_store *s;
    int stop; /* these three: __atomic builtins */
    size_t queries;
    int mismatch;
    int started; /* readers past their first query */
};

static void *reader(void *arg)
{
    struct shared *sh = arg;
    cJSON *sel = cJSON_Parse("{\"a\":\"1\"}");
    cJSON *tols = cJSON_Parse("[{\"key\":\"k1\",\"operator\":\"Exists\"}]");
    struct mg_placement p = {sel, NULL, NULL, tols, false, NULL, NULL};
    size_t done = 0;

    while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
        const cJSON *const *items = NULL;
        const char *first = NULL;
        struct mg_nodefit nf;
        struct mg_nodewhy why;
        size_t n, fit;

        mg_store_rdlock(sh->s);
        mg_nodefit_query(sh->s, &p, MG_NODEFIT_TARGETS, "node-1", &nf);
        n = mg_store_list(sh->s, "Node", &items);
        fit = mg_nodes_count(&p, items, n, MG_NODEFIT_TARGETS, "node-1", &first);
        /* cmocka's asserts are for the main thread: report, and stop. */
        if (nf.others != fit || !same_name(nf.first_other, first))
            __atomic_store_n(&sh->mismatch, 1, __ATOMIC_RELAXED);
        /* The placement mode and the reasons read the same index. */
        mg_nodefit_query(sh->s, &p, MG_NODEFIT_PLACEMENT, NULL, &nf);
        if (nf.fit != mg_nodes_count(&p, items, n, MG_NODEFIT_PLACEMENT, NULL, NULL) ||
            mg_nodewhy_fill(sh->s, &p, MG_NODEFIT_TARGETS, "node-1", &why) != 0 ||
            why.considered + (mg_store_get(sh->s, "Node", "", "node-1") != NULL) != n)
            __atomic_store_n(&sh->mismatch, 1, __ATOMIC_RELAXED);
        mg_store_unlock(sh->s);
        if (done++ == 0)
            __atomic_add_fetch(&sh->started, 1, __ATOMIC_RELEASE);
        /* glibc's rwlock prefers readers: leave the writer a gap. */
        nanosleep(&(struct timespec){0, 20000}, NULL);
    }
    cJSON_Delete(sel);
    cJSON_Delete(tols);
    __atomic_add_fetch(&sh->queries, done, __ATOMIC_RELAXED);
    return NULL;
}

static void test_node_index_concurrency_readers_and_writer(void **state)
{
    struct shared sh = {mg_store_new(), 0, 0, 0, 0};
    pthread_t th[3];
    char name[32];

    (void)state;
    for (uint32_t i = 0; i < 200; i++)
        assert_int_equal(mg_store_put(sh.s, random_node(i), NULL), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&th[i], NULL, reader, &sh), 0);
    while (__atomic_load_n(&sh.started, __ATOMIC_ACQUIRE) < 3)
        nanosleep(&(struct timespec){0, 100000}, NULL);
    for (int i = 0; i < 2000; i++) {
        mg_store_wrlock(sh.s);
        if (rnd(3) == 0) {
            node_name(name, sizeof(name), rnd(250));
            mg_store_remove(sh.s, "Node", "", name);
        } else {
            assert_int_equal(mg_store_put(sh.s, random_node(rnd(250)), NULL), 0);
        }
        mg_store_unlock(sh.s);
    }
    __atomic_store_n(&sh.stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_true(__atomic_load_n(&sh.queries, __ATOMIC_RELAXED) > 0);
    assert_int_equal(__atomic_load_n(&sh.mismatch, __ATOMIC_RELAXED), 0);
    mg_store_free(sh.s);
}

/* The text names each condition with its count, the first with "nodes", and leaves out
 * whole parts that do not fit, counting them. */
static void test_nodewhy_text_grammar_and_cut(void **state)
{
    struct mg_nodewhy w;
    char buf[200], small[60];

    (void)state;
    memset(&w, 0, sizeof(w));
    w.n = 4;
    w.c[0].what = 'L', w.c[0].key = "accelerator", w.c[0].value = "gpu", w.c[0].count = 3;
    w.c[1].what = 'C', w.c[1].count = 1;
    w.c[2].what = 'T', w.c[2].key = "virtualization", w.c[2].value = "reserved";
    w.c[2].effect = 'S', w.c[2].count = 2;
    w.c[3].what = 'T', w.c[3].key = "gpu", w.c[3].value = "", w.c[3].effect = 'E';
    w.c[3].count = 1;
    mg_nodewhy_text(&w, buf, sizeof(buf));
    assert_string_equal(buf, "3 nodes lack accelerator=gpu, 1 is cordoned, 2 have the untolerated "
                             "taint virtualization=reserved:NoSchedule, 1 has the untolerated "
                             "taint gpu:NoExecute");
    mg_nodewhy_text(&w, small, sizeof(small));
    assert_string_equal(small, "3 nodes lack accelerator=gpu, 1 is cordoned (+2 more)");
    w.more = 3;
    mg_nodewhy_text(&w, small, sizeof(small));
    assert_string_equal(small, "3 nodes lack accelerator=gpu, 1 is cordoned (+5 more)");
    w.n = 0;
    w.more = 0;
    mg_nodewhy_text(&w, small, sizeof(small));
    assert_string_equal(small, "");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_index_answers_as_the_scan),
        cmocka_unit_test(test_node_index_churn_returns_to_baseline),
        cmocka_unit_test(test_node_index_status_update_changes_nothing),
        cmocka_unit_test(test_nodewhy_text_grammar_and_cut),
        cmocka_unit_test(test_node_index_concurrency_readers_and_writer),
    };

    /* test_cluster_node_index_concurrency (the TSan run) runs the threaded test alone. */
    if (argc > 1 && strcmp(argv[1], "concurrency") == 0)
        cmocka_set_test_filter("*concurrency*");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
