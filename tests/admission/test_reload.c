/* SPDX-License-Identifier: Apache-2.0 */
/* test_reload.c - a --state reload through the engine: the small kinds first, then each
 * big kind from the files that hold it; changes in any file arrive, kinds that left the
 * files leave the view, a file holding several kinds gives each its objects, and a bad
 * file keeps the whole old view; /metrics counts failed reloads and times the last good one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine.h"
#include "json.h"

static char dir[64];

static void write_file(const char *name, const char *text)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_file(const char *name)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_int_equal(unlink(path), 0);
}

#define ITEM(kind, ns, name)                                                                       \
    "{\"kind\":\"" kind "\",\"metadata\":{\"name\":\"" name "\",\"namespace\":\"" ns "\"}}"
#define LIST(...) "{\"apiVersion\":\"v1\",\"items\":[" __VA_ARGS__ "],\"kind\":\"List\"}"

static bool has(struct mg_engine *e, const char *kind, const char *ns, const char *name)
{
    struct mg_store *s = mg_engine_store(e);
    bool found;

    mg_store_rdlock(s);
    found = mg_store_get(s, kind, ns, name) != NULL;
    mg_store_unlock(s);
    return found;
}

/* The value on the sample line that starts with name (given with its trailing space). */
static long long metric(struct mg_engine *e, const char *name)
{
    char *text = mg_engine_metrics(e), *at, line[128];
    long long v;

    assert_non_null(text);
    snprintf(line, sizeof(line), "\n%s", name);
    at = strstr(text, line);
    assert_non_null(at);
    v = strtoll(at + strlen(line), NULL, 10);
    free(text);
    return v;
}

static void expect_metric(struct mg_engine *e, const char *name, long long want)
{
    assert_int_equal(metric(e, name), want);
}

/* A failed reload is counted; the success time moves only on success. */
static void test_reload_metrics_count_failures_and_time_success(void **state)
{
    struct mg_engine *e = NULL;
    struct mg_config cfg;
    struct mg_err err = {0};
    long long t0 = (long long)time(NULL);

    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/mg-test-reload-XXXXXX");
    assert_non_null(mkdtemp(dir));
    mg_config_init(&cfg);
    assert_int_equal(mg_engine_new(&e, &cfg, mg_store_new(), NULL), 0);
    expect_metric(e, "migguard_state_reload_failures_total ", 0);
    expect_metric(e, "migguard_state_reload_last_success_timestamp_seconds ", 0);
    write_file("bad.json", "{\"kind\":");
    assert_int_not_equal(mg_engine_reload_state(e, dir, &err), 0);
    assert_int_not_equal(mg_engine_reload_state(e, dir, &err), 0);
    expect_metric(e, "migguard_state_reload_failures_total ", 2);
    expect_metric(e, "migguard_state_reload_last_success_timestamp_seconds ", 0);
    remove_file("bad.json");
    write_file("ns.yaml", "kind: Namespace\nmetadata: {name: a}\n");
    assert_int_equal(mg_engine_reload_state(e, dir, &err), 0);
    expect_metric(e, "migguard_state_reload_failures_total ", 2);
    assert_true(metric(e, "migguard_state_reload_last_success_timestamp_seconds ") >= t0);
    remove_file("ns.yaml");
    assert_int_equal(rmdir(dir), 0);
    mg_engine_free(e);
}

static void test_reload_takes_every_kind_from_every_file(void **state)
{
    struct mg_engine *e = NULL;
    struct mg_config cfg;
    struct mg_err err = {0};

    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/mg-test-reload-XXXXXX");
    assert_non_null(mkdtemp(dir));
    mg_config_init(&cfg);
    assert_int_equal(mg_engine_new(&e, &cfg, mg_store_new(), NULL), 0);
    write_file("a.json",
               LIST(ITEM("Namespace", "", "ns1") "," ITEM("VirtualMachine", "ns1", "vm1") "," ITEM(
                   "PersistentVolumeClaim", "ns1", "pvc1")));
    write_file("b.json", LIST(ITEM("VirtualMachineInstance", "ns1", "vm1")));
    assert_int_equal(mg_engine_reload_state(e, dir, &err), 0);
    assert_true(has(e, "Namespace", "", "ns1"));
    assert_true(has(e, "VirtualMachine", "ns1", "vm1"));
    assert_true(has(e, "PersistentVolumeClaim", "ns1", "pvc1"));
    assert_true(has(e, "VirtualMachineInstance", "ns1", "vm1"));

    /* VMs move to another file, the VMI file goes, a PVC changes name. */
    write_file("a.json",
               LIST(ITEM("Namespace", "", "ns1") "," ITEM("PersistentVolumeClaim", "ns1", "pvc2")));
    write_file("c.yaml", "kind: VirtualMachine\nmetadata: {name: vm2, namespace: ns1}\n");
    remove_file("b.json");
    assert_int_equal(mg_engine_reload_state(e, dir, &err), 0);
    assert_false(has(e, "VirtualMachine", "ns1", "vm1"));
    assert_true(has(e, "VirtualMachine", "ns1", "vm2"));
    assert_false(has(e, "PersistentVolumeClaim", "ns1", "pvc1"));
    assert_true(has(e, "PersistentVolumeClaim", "ns1", "pvc2"));
    assert_false(has(e, "VirtualMachineInstance", "ns1", "vm1"));
    assert_false(mg_store_knows(mg_engine_store(e), "VirtualMachineInstance"));

    /* A bad file: nothing changes, and the error names it. */
    write_file("d.json", LIST(ITEM("VirtualMachine", "ns1", "vm3") ",{\"kind\":tru}"));
    assert_int_not_equal(mg_engine_reload_state(e, dir, &err), 0);
    assert_non_null(strstr(err.file, "d.json"));
    assert_true(has(e, "VirtualMachine", "ns1", "vm2"));
    assert_false(has(e, "VirtualMachine", "ns1", "vm3"));
    remove_file("d.json");
    /* /metrics counts the failure, and keeps the time of the last success. */
    expect_metric(e, "migguard_state_reload_failures_total ", 1);
    assert_int_equal(mg_engine_reload_state(e, dir, &err), 0);
    expect_metric(e, "migguard_state_reload_failures_total ", 1);
    remove_file("c.yaml");
    remove_file("a.json");
    assert_int_equal(rmdir(dir), 0);
    mg_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reload_takes_every_kind_from_every_file),
        cmocka_unit_test(test_reload_metrics_count_failures_and_time_success),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
