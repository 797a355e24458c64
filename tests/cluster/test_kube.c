/* SPDX-License-Identifier: Apache-2.0 */
/* test_kube.c - the Kubernetes API watcher against tests/cluster/fake_apiserver.py on
 * 127.0.0.1: paginated first list and readiness, watch events, BOOKMARK, ERROR 410 and
 * HTTP 410 relists, dropped connections resumed from the last resourceVersion, a CRD
 * that appears later, a rejected token, and a prompt stop. Every wait is bounded. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <pthread.h>

#include "kube.h"
#include "kubemetrics.h"
#include "store.h"

#define FAKE MG_SOURCE_DIR "/tests/cluster/fake_apiserver.py"
#define WAIT_S 10.0

struct fake {
    pid_t pid;
    int in, out; /* its stdin (we write), its stdout (we read) */
    unsigned port;
    char dir[64];
    char kubeconfig[128];
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

#define WAIT_UNTIL(cond)                                                                           \
    do {                                                                                           \
        double t0_ = now();                                                                        \
        while (!(cond) && now() - t0_ < WAIT_S)                                                    \
            sleep_ms(20);                                                                          \
        assert_true(cond);                                                                         \
    } while (0)

/* One reply line from the fake, waiting at most WAIT_S. */
static void read_line(struct fake *f, char *buf, size_t size)
{
    size_t n = 0;
    double t0 = now();

    while (n + 1 < size) {
        struct pollfd p = {.fd = f->out, .events = POLLIN};
        char c;

        assert_true(now() - t0 < WAIT_S);
        if (poll(&p, 1, 100) <= 0)
            continue;
        assert_int_equal(read(f->out, &c, 1), 1);
        if (c == '\n')
            break;
        buf[n++] = c;
    }
    buf[n] = '\0';
}

static void cmd(struct fake *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void cmd(struct fake *f, const char *fmt, ...)
{
    char line[2048], reply[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    line[n++] = '\n';
    assert_int_equal(write(f->in, line, (size_t)n), n);
    read_line(f, reply, sizeof(reply));
    if (strcmp(reply, "OK") != 0)
        fail_msg("fake_apiserver: %s -> %s", line, reply);
}

static void write_kubeconfig(struct fake *f, const char *token)
{
    FILE *fp;

    snprintf(f->kubeconfig, sizeof(f->kubeconfig), "%s/kubeconfig", f->dir);
    fp = fopen(f->kubeconfig, "w");
    assert_non_null(fp);
    fprintf(fp,
            "apiVersion: v1\nkind: Config\ncurrent-context: fake\n"
            "clusters:\n- name: fake\n  cluster:\n    server: http://127.0.0.1:%u/\n"
            "contexts:\n- name: fake\n  context: {cluster: fake, user: tester}\n"
            "users:\n- name: tester\n  user:\n    token: %s\n",
            f->port, token);
    fclose(fp);
}

static void fake_start(struct fake *f, const char *absent, bool hold)
{
    int in[2], out[2];
    char line[64], arg[128];

    memset(f, 0, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/mg-test-kube-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    snprintf(arg, sizeof(arg), "--absent=%s", absent);
    f->pid = fork();
    assert_true(f->pid >= 0);
    if (f->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execlp("python3", "python3", FAKE, arg, "--max-seconds=90", hold ? "--hold" : NULL,
               (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    f->in = in[1];
    f->out = out[0];
    read_line(f, line, sizeof(line));
    assert_int_equal(strncmp(line, "PORT ", 5), 0);
    f->port = (unsigned)strtoul(line + 5, NULL, 10);
    assert_true(f->port > 0);
    write_kubeconfig(f, "test-token");
}

static void fake_stop(struct fake *f)
{
    double t0 = now();
    int status;

    if (write(f->in, "{\"op\":\"quit\"}\n", 14) < 0) {
        /* already gone: waitpid below reaps it */
    }
    close(f->in);
    while (waitpid(f->pid, &status, WNOHANG) == 0) {
        if (now() - t0 > 3.0) {
            kill(f->pid, SIGKILL);
            waitpid(f->pid, &status, 0);
            break;
        }
        sleep_ms(20);
    }
    close(f->out);
    unlink(f->kubeconfig);
    rmdir(f->dir);
}

static bool has(struct mg_store *s, const char *kind, const char *ns, const char *name)
{
    bool r;

    mg_store_rdlock(s);
    r = mg_store_get(s, kind, ns, name) != NULL;
    mg_store_unlock(s);
    return r;
}

static size_t count(struct mg_store *s, const char *kind)
{
    const cJSON *const *items;
    size_t n;

    mg_store_rdlock(s);
    n = mg_store_list(s, kind, &items);
    mg_store_unlock(s);
    return n;
}

static bool knows(struct mg_store *s, const char *kind)
{
    bool r;

    mg_store_rdlock(s);
    r = mg_store_knows(s, kind);
    mg_store_unlock(s);
    return r;
}

/* metadata.labels[key] of an object equals want. */
static bool label_is(struct mg_store *s, const char *kind, const char *ns, const char *name,
                     const char *key, const char *want)
{
    const cJSON *o, *v;
    bool r = false;

    mg_store_rdlock(s);
    o = mg_store_get(s, kind, ns, name);
    v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "metadata"), "labels"),
        key);
    r = cJSON_IsString(v) && strcmp(v->valuestring, want) == 0;
    mg_store_unlock(s);
    return r;
}

static struct mg_kube_kind_stats stats_of(const struct mg_kube *k, const char *kind)
{
    struct mg_kube_kind_stats st = {0};

    for (size_t i = 0; i < mg_kube_kind_count(); i++) {
        assert_int_equal(mg_kube_stats(k, i, &st), 0);
        if (strcmp(st.kind, kind) == 0)
            return st;
    }
    fail_msg("no kind %s", kind);
    return st;
}

static void quiet(void *ctx, const char *line)
{
    (void)ctx;
    if (getenv("MG_TEST_VERBOSE"))
        fprintf(stderr, "%s\n", line);
}

static struct mg_kube *start_kube(struct fake *f, struct mg_store *s)
{
    struct mg_kube_opts o = {.kubeconfig = f->kubeconfig,
                             .backoff_min_ms = 50,
                             .backoff_max_ms = 400,
                             .missing_retry_ms = 200,
                             .page_limit = 2,
                             .log = quiet};
    struct mg_err err = {0};
    struct mg_kube *k = NULL;

    if (mg_kube_start(&k, &o, s, &err) != 0)
        fail_msg("mg_kube_start: %s", err.msg);
    return k;
}

#define VM(name, extra)                                                                            \
    "{\"metadata\":{\"name\":\"" name "\",\"namespace\":\"ns-a\"" extra "},\"spec\":{}}"

/* Before and at the first list: readiness, pagination, kinds, a missing CRD. */
static void first_list(struct fake *f, struct mg_store *s, struct mg_kube *k)
{
    sleep_ms(300);
    assert_false(mg_kube_ready(k));
    assert_false(knows(s, "Namespace"));
    cmd(f, "{\"op\":\"release\"}");
    WAIT_UNTIL(mg_kube_ready(k));
    /* Three namespaces at limit=2: the second page came through the continue token. */
    assert_int_equal(count(s, "Namespace"), 3);
    assert_true(has(s, "Namespace", "", "ns-c"));
    assert_true(has(s, "VirtualMachine", "ns-a", "vm-a"));
    assert_true(has(s, "Node", "", "node-1"));
    /* RULES.md section 1: the instancetype kinds VM005 and the node labels read. */
    assert_true(has(s, "VirtualMachineClusterInstancetype", "", "u1.medium"));
    assert_true(has(s, "VirtualMachineInstancetype", "ns-a", "gpu"));
    assert_true(knows(s, "KubeVirt"));
    assert_int_equal(count(s, "KubeVirt"), 0);
    /* 404: the CRD is not installed; the kind stays unknown but does not block readiness. */
    assert_false(knows(s, "StorageProfile"));
    assert_true(stats_of(k, "StorageProfile").absent);
    assert_int_equal(stats_of(k, "VirtualMachine").lists, 1);
    {
        const cJSON *vm;
        const cJSON *md;

        mg_store_rdlock(s);
        vm = mg_store_get(s, "VirtualMachine", "ns-a", "vm-a");
        md = cJSON_GetObjectItemCaseSensitive(vm, "metadata");
        /* List items come without kind/apiVersion; managedFields are dropped. */
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(vm, "apiVersion")->valuestring,
                            "kubevirt.io/v1");
        assert_null(cJSON_GetObjectItemCaseSensitive(md, "managedFields"));
        assert_non_null(cJSON_GetObjectItemCaseSensitive(md, "labels"));
        mg_store_unlock(s);
    }
}

static void watch_events(struct fake *f, struct mg_store *s, struct mg_kube *k)
{
    cmd(f, "{\"op\":\"add\",\"res\":\"virtualmachines\",\"obj\":" VM("vm-b", "") "}");
    cmd(f, "{\"op\":\"modify\",\"res\":\"virtualmachines\",\"obj\":" VM(
               "vm-a", ",\"labels\":{\"tier\":\"gold\"}") "}");
    cmd(f, "{\"op\":\"delete\",\"res\":\"namespaces\",\"name\":\"ns-b\"}");
    cmd(f, "{\"op\":\"bookmark\",\"res\":\"virtualmachines\"}");
    WAIT_UNTIL(has(s, "VirtualMachine", "ns-a", "vm-b"));
    WAIT_UNTIL(label_is(s, "VirtualMachine", "ns-a", "vm-a", "tier", "gold"));
    WAIT_UNTIL(!has(s, "Namespace", "", "ns-b"));
    assert_int_equal(count(s, "Namespace"), 2);
    assert_true(stats_of(k, "VirtualMachine").events >= 2);
    assert_int_equal(stats_of(k, "VirtualMachine").relists, 0);
}

/* ERROR 410 in the stream, after an object vanished without an event (compaction):
 * only a relist can notice, and it must drop the object. */
static void gone_event(struct fake *f, struct mg_store *s, struct mg_kube *k)
{
    cmd(f, "{\"op\":\"silent_delete\",\"res\":\"virtualmachines\",\"ns\":\"ns-a\","
           "\"name\":\"vm-b\"}");
    sleep_ms(200);
    assert_true(has(s, "VirtualMachine", "ns-a", "vm-b"));
    cmd(f, "{\"op\":\"expire\",\"res\":\"virtualmachines\"}");
    WAIT_UNTIL(stats_of(k, "VirtualMachine").relists == 1);
    assert_false(has(s, "VirtualMachine", "ns-a", "vm-b"));
    assert_true(has(s, "VirtualMachine", "ns-a", "vm-a"));
    assert_true(mg_kube_ready(k));
    /* The new watch (from the relist's resourceVersion) is live. */
    cmd(f, "{\"op\":\"modify\",\"res\":\"virtualmachines\",\"obj\":" VM(
               "vm-a", ",\"labels\":{\"tier\":\"platinum\"}") "}");
    WAIT_UNTIL(label_is(s, "VirtualMachine", "ns-a", "vm-a", "tier", "platinum"));
}

/* A dropped connection, then two failed attempts: the watch resumes from the last
 * resourceVersion (no relist) and replays what happened meanwhile. */
static void dropped(struct fake *f, struct mg_store *s, struct mg_kube *k)
{
    struct mg_kube_kind_stats before = stats_of(k, "VirtualMachine");

    cmd(f, "{\"op\":\"fail_next\",\"res\":\"virtualmachines\",\"n\":2}");
    cmd(f, "{\"op\":\"drop\"}");
    cmd(f, "{\"op\":\"add\",\"res\":\"virtualmachines\",\"obj\":" VM("vm-c", "") "}");
    WAIT_UNTIL(has(s, "VirtualMachine", "ns-a", "vm-c"));
    assert_int_equal(stats_of(k, "VirtualMachine").lists, before.lists);
    assert_true(stats_of(k, "VirtualMachine").errors >= before.errors + 3);
    assert_true(stats_of(k, "VirtualMachine").restarts >= before.restarts + 3);
    /* Namespaces were dropped too and came back without a relist. */
    cmd(f, "{\"op\":\"add\",\"res\":\"namespaces\",\"obj\":{\"metadata\":{\"name\":\"ns-d\"}}}");
    WAIT_UNTIL(has(s, "Namespace", "", "ns-d"));
    assert_int_equal(stats_of(k, "Namespace").relists, 0);
}

/* HTTP 410 on the watch request itself. */
static void gone_http(struct fake *f, struct mg_store *s, struct mg_kube *k)
{
    unsigned long relists = stats_of(k, "VirtualMachine").relists;

    cmd(f, "{\"op\":\"silent_delete\",\"res\":\"virtualmachines\",\"ns\":\"ns-a\","
           "\"name\":\"vm-c\"}");
    cmd(f, "{\"op\":\"gone_next\",\"res\":\"virtualmachines\"}");
    cmd(f, "{\"op\":\"drop\"}");
    WAIT_UNTIL(stats_of(k, "VirtualMachine").relists == relists + 1);
    assert_false(has(s, "VirtualMachine", "ns-a", "vm-c"));
    assert_int_equal(count(s, "VirtualMachine"), 1);
}

static void test_kube_follows_list_watch_gone_and_drops(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_kube *k;
    struct fake f;
    char *metrics;
    double t0;

    (void)state;
    fake_start(&f, "storageprofiles", true);
    cmd(&f, "{\"op\":\"add\",\"res\":\"namespaces\",\"obj\":{\"metadata\":{\"name\":\"ns-a\"}}}");
    cmd(&f, "{\"op\":\"add\",\"res\":\"namespaces\",\"obj\":{\"metadata\":{\"name\":\"ns-b\"}}}");
    cmd(&f, "{\"op\":\"add\",\"res\":\"namespaces\",\"obj\":{\"metadata\":{\"name\":\"ns-c\"}}}");
    cmd(&f, "{\"op\":\"add\",\"res\":\"nodes\",\"obj\":{\"metadata\":{\"name\":\"node-1\"},"
            "\"status\":{\"images\":[{\"names\":[\"x\"]}]}}}");
    cmd(&f, "{\"op\":\"add\",\"res\":\"virtualmachines\",\"obj\":" VM(
                "vm-a", ",\"labels\":{\"tier\":\"silver\"},\"managedFields\":[{}]") "}");
    cmd(&f, "{\"op\":\"add\",\"res\":\"virtualmachineclusterinstancetypes\","
            "\"obj\":{\"metadata\":{\"name\":\"u1.medium\"}}}");
    cmd(&f, "{\"op\":\"add\",\"res\":\"virtualmachineinstancetypes\","
            "\"obj\":{\"metadata\":{\"name\":\"gpu\",\"namespace\":\"ns-a\"}}}");
    k = start_kube(&f, s);
    first_list(&f, s, k);
    watch_events(&f, s, k);
    gone_event(&f, s, k);
    dropped(&f, s, k);
    gone_http(&f, s, k);
    /* The CRD gets installed: the slow retry finds it. */
    cmd(&f, "{\"op\":\"install\",\"res\":\"storageprofiles\"}");
    cmd(&f, "{\"op\":\"add\",\"res\":\"storageprofiles\","
            "\"obj\":{\"metadata\":{\"name\":\"sc1\"}}}");
    WAIT_UNTIL(has(s, "StorageProfile", "", "sc1"));
    assert_false(stats_of(k, "StorageProfile").absent);
    metrics = mg_kubemetrics_text(k);
    assert_non_null(metrics);
    assert_non_null(strstr(metrics, "migguard_kube_ready 1\n"));
    assert_non_null(strstr(metrics, "migguard_kube_relists_total{kind=\"VirtualMachine\"} 2\n"));
    free(metrics);
    /* Fourteen watches are open: stop must still be quick. */
    t0 = now();
    mg_kube_stop(k);
    assert_true(now() - t0 < 2.5);
    /* The store keeps the view. */
    assert_true(has(s, "Namespace", "", "ns-d"));
    mg_store_free(s);
    fake_stop(&f);
}

/* The resync: an object that vanished without an event (here: deleted silently, as a
 * policy admitted into the view and then refused by another webhook never existed) is
 * gone after the next full list, which comes resync_ms after the last one, at the end
 * of a watch. */
static void test_kube_resync_relists_and_drops_what_no_event_removed(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_kube_opts o = {.backoff_min_ms = 50,
                             .backoff_max_ms = 400,
                             .missing_retry_ms = 200,
                             .resync_ms = 300,
                             .log = quiet};
    struct mg_err err = {0};
    struct mg_kube *k = NULL;
    struct fake f;

    (void)state;
    fake_start(&f, "", false);
    o.kubeconfig = f.kubeconfig;
    cmd(&f, "{\"op\":\"add\",\"res\":\"virtualmachines\",\"obj\":" VM("vm-a", "") "}");
    cmd(&f, "{\"op\":\"add\",\"res\":\"virtualmachines\",\"obj\":" VM("vm-b", "") "}");
    if (mg_kube_start(&k, &o, s, &err) != 0)
        fail_msg("mg_kube_start: %s", err.msg);
    WAIT_UNTIL(mg_kube_ready(k) && has(s, "VirtualMachine", "ns-a", "vm-b"));
    cmd(&f, "{\"op\":\"silent_delete\",\"res\":\"virtualmachines\",\"ns\":\"ns-a\","
            "\"name\":\"vm-b\"}");
    sleep_ms(400);
    assert_true(has(s, "VirtualMachine", "ns-a", "vm-b"));
    /* The fake server ignores timeoutSeconds: end the watches by dropping them. */
    cmd(&f, "{\"op\":\"drop\"}");
    WAIT_UNTIL(stats_of(k, "VirtualMachine").relists >= 1);
    assert_false(has(s, "VirtualMachine", "ns-a", "vm-b"));
    assert_true(has(s, "VirtualMachine", "ns-a", "vm-a"));
    mg_kube_stop(k);
    mg_store_free(s);
    fake_stop(&f);
}

static void test_kube_not_ready_when_token_is_refused(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_kube *k;
    struct fake f;

    (void)state;
    fake_start(&f, "", false);
    write_kubeconfig(&f, "wrong-token");
    k = start_kube(&f, s);
    WAIT_UNTIL(stats_of(k, "Namespace").errors >= 2);
    assert_false(mg_kube_ready(k));
    assert_false(knows(s, "Namespace"));
    mg_kube_stop(k);
    mg_store_free(s);
    fake_stop(&f);
}

/* Issue 14: a failed list names the URL it asked. */
struct lines {
    pthread_mutex_t mu;
    char want[256];
    bool seen;
};

static void catch_line(void *ctx, const char *line)
{
    struct lines *l = ctx;

    pthread_mutex_lock(&l->mu);
    if (strstr(line, l->want))
        l->seen = true;
    pthread_mutex_unlock(&l->mu);
}

static bool seen(struct lines *l)
{
    bool b;

    pthread_mutex_lock(&l->mu);
    b = l->seen;
    pthread_mutex_unlock(&l->mu);
    return b;
}

static void test_kube_list_errors_name_the_url(void **state)
{
    struct lines l = {.seen = false};
    struct mg_store *s = mg_store_new();
    struct mg_err err = {0};
    struct mg_kube *k = NULL;
    struct fake f;

    (void)state;
    pthread_mutex_init(&l.mu, NULL);
    fake_start(&f, "", false);
    write_kubeconfig(&f, "wrong-token");
    snprintf(l.want, sizeof(l.want),
             "kube: Namespace: list http://127.0.0.1:%u/api/v1/namespaces: HTTP 401", f.port);
    {
        struct mg_kube_opts o = {.kubeconfig = f.kubeconfig,
                                 .backoff_min_ms = 50,
                                 .backoff_max_ms = 400,
                                 .log = catch_line,
                                 .log_ctx = &l};

        if (mg_kube_start(&k, &o, s, &err) != 0)
            fail_msg("mg_kube_start: %s", err.msg);
    }
    WAIT_UNTIL(seen(&l));
    mg_kube_stop(k);
    mg_store_free(s);
    fake_stop(&f);
    pthread_mutex_destroy(&l.mu);
}

static void test_kube_stop_is_prompt_while_backing_off(void **state)
{
    struct mg_kube_opts o = {.backoff_min_ms = 20000, .backoff_max_ms = 30000, .log = quiet};
    struct mg_store *s = mg_store_new();
    struct mg_kube *k = NULL;
    struct mg_err err = {0};
    struct fake f = {.port = 1};
    double t0;

    (void)state;
    /* Port 1 on loopback refuses at once: every watcher goes to a 10-20 s back-off. */
    snprintf(f.dir, sizeof(f.dir), "/tmp/mg-test-kube-XXXXXX");
    assert_non_null(mkdtemp(f.dir));
    write_kubeconfig(&f, "test-token");
    o.kubeconfig = f.kubeconfig;
    assert_int_equal(mg_kube_start(&k, &o, s, &err), 0);
    WAIT_UNTIL(stats_of(k, "Node").errors >= 1);
    assert_false(mg_kube_ready(k));
    t0 = now();
    mg_kube_stop(k);
    assert_true(now() - t0 < 1.5);
    mg_store_free(s);
    unlink(f.kubeconfig);
    rmdir(f.dir);
}

static unsigned long total_errors(const struct mg_kube *k)
{
    struct mg_kube_kind_stats st;
    unsigned long n = 0;

    for (size_t i = 0; i < mg_kube_kind_count(); i++)
        if (mg_kube_stats(k, i, &st) == 0)
            n += st.errors;
    return n;
}

/* An API server that accepts a list and sends nothing: the list is abandoned after its
 * limit and asked again, so the kind gets listed once the server answers (it used to
 * wait on the first request for ever). */
static void test_kube_stalled_list_times_out_and_is_retried(void **state)
{
    struct mg_store *s = mg_store_new();
    struct mg_kube *k = NULL;
    struct mg_err err = {0};
    struct fake f;
    struct mg_kube_opts o = {.backoff_min_ms = 50,
                             .backoff_max_ms = 200,
                             .missing_retry_ms = 200,
                             .list_timeout_s = 1,
                             .log = quiet};

    (void)state;
    fake_start(&f, "", true);
    write_kubeconfig(&f, "test-token");
    o.kubeconfig = f.kubeconfig;
    assert_int_equal(mg_kube_start(&k, &o, s, &err), 0);
    /* Lists of all kinds take turns: whichever kind goes first stalls, gives up after
     * its second, and lets the next one try. */
    WAIT_UNTIL(total_errors(k) >= 2);
    assert_false(mg_kube_ready(k));
    cmd(&f, "{\"op\":\"release\"}");
    WAIT_UNTIL(mg_kube_ready(k));
    assert_true(stats_of(k, "Namespace").lists >= 1);
    mg_kube_stop(k);
    mg_store_free(s);
    fake_stop(&f);
}

static void test_kube_start_outside_a_cluster_is_a_config_error(void **state)
{
    struct mg_kube_opts o = {0};
    struct mg_store *s = mg_store_new();
    struct mg_kube *k = (struct mg_kube *)&o;
    struct mg_err err = {0};

    (void)state;
    unsetenv("KUBERNETES_SERVICE_HOST");
    assert_int_equal(mg_kube_start(&k, &o, s, &err), MG_ECONFIG);
    assert_null(k);
    assert_non_null(strstr(err.msg, "KUBERNETES_SERVICE_HOST"));
    mg_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kube_follows_list_watch_gone_and_drops),
        cmocka_unit_test(test_kube_resync_relists_and_drops_what_no_event_removed),
        cmocka_unit_test(test_kube_not_ready_when_token_is_refused),
        cmocka_unit_test(test_kube_list_errors_name_the_url),
        cmocka_unit_test(test_kube_stop_is_prompt_while_backing_off),
        cmocka_unit_test(test_kube_stalled_list_times_out_and_is_retried),
        cmocka_unit_test(test_kube_start_outside_a_cluster_is_a_config_error),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
