/* SPDX-License-Identifier: Apache-2.0 */
/* test_view_concurrency.c - readers looking up and walking packed objects while a
 * writer swaps whole kinds built aside and applies single events: every read sees one
 * generation whole, never a mix or a freed object (run under ThreadSanitizer by
 * make test-tsan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "store.h"

#define OBJECTS 200
#define SWAPS 40
#define READERS 3

static atomic_bool done;
static atomic_int bad;

static cJSON *vmi(int i, int gen)
{
    char buf[512];

    snprintf(buf, sizeof(buf),
             "{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"vm-%d\","
             "\"namespace\":\"ns\",\"labels\":{\"gen\":\"%d\"}},\"status\":{\"phase\":"
             "\"Running\",\"nodeName\":\"node-%d\"}}",
             i, gen, gen);
    return cJSON_Parse(buf);
}

/* A store holding generation gen of every object. */
static struct mg_store *generation(int gen)
{
    struct mg_store *s = mg_store_new();

    for (int i = 0; i < OBJECTS; i++)
        mg_store_put(s, vmi(i, gen), NULL);
    return s;
}

struct walk {
    char gen[16]; /* a copy: each object lives for one call */
    int n, mixed;
};

static int same_gen(void *ctx, const cJSON *o)
{
    struct walk *w = ctx;
    const char *g = mg_json_str(mg_json_get(mg_json_get(o, "metadata"), "labels"), "gen");

    if (w->n++ == 0)
        snprintf(w->gen, sizeof(w->gen), "%s", g ? g : "");
    else if (!g || strcmp(g, w->gen) != 0)
        w->mixed++;
    return 0;
}

static void *reader(void *arg)
{
    struct mg_store *s = arg;
    unsigned seed = 7;

    while (!atomic_load(&done)) {
        char name[32];
        const cJSON *o;
        struct walk w = {{0}, 0, 0};

        seed = seed * 1103515245u + 12345u;
        snprintf(name, sizeof(name), "vm-%u", (seed >> 8) % OBJECTS);
        mg_store_rdlock(s);
        o = mg_store_get(s, "VirtualMachineInstance", "ns", name);
        if (!o || strcmp(mg_json_name(o), name) != 0)
            atomic_fetch_add(&bad, 1);
        /* A walk under one read lock sees one generation whole. */
        mg_store_each(s, "VirtualMachineInstance", same_gen, &w);
        if (w.n != OBJECTS || w.mixed)
            atomic_fetch_add(&bad, 1);
        mg_store_unlock(s);
    }
    return NULL;
}

static void test_readers_see_whole_generations_while_kinds_swap(void **state)
{
    struct mg_store *view = generation(0);
    pthread_t r[READERS];

    (void)state;
    for (int i = 0; i < READERS; i++)
        assert_int_equal(pthread_create(&r[i], NULL, reader, view), 0);
    for (int gen = 1; gen <= SWAPS; gen++) {
        struct mg_store *aside = generation(gen);

        mg_store_wrlock(view);
        assert_int_equal(mg_store_exchange(view, aside, "VirtualMachineInstance"), 0);
        mg_store_unlock(view);
        mg_store_free(aside);
        /* A watch event: one object replaced by the same generation's copy. */
        mg_store_wrlock(view);
        mg_store_put(view, vmi(gen % OBJECTS, gen), NULL);
        mg_store_unlock(view);
    }
    atomic_store(&done, true);
    for (int i = 0; i < READERS; i++)
        pthread_join(r[i], NULL);
    assert_int_equal(atomic_load(&bad), 0);
    assert_int_equal(mg_store_count(view, "VirtualMachineInstance"), OBJECTS);
    mg_store_free(view);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readers_see_whole_generations_while_kinds_swap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
