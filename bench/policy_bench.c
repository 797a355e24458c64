/* SPDX-License-Identifier: Apache-2.0 */
/* policy_bench.c - the MigrationPolicy index at scale: for 100, 1,000 and 10,000
 * generated policies, the time to load them as --state does, the median time to
 * resolve one VM (and, for contrast, a scan of every policy), and the median time to
 * check one new policy (MP001-MP011 through mg_validate, the tie search included).
 * Then, with 10,000 and 100,000 VMs (as many VMIs, half of them owned by a VM), 500
 * policies and 1,000 namespaces built in-process, the median time of a policy CREATE
 * (mg_validate, MP012 included), of MP012's count alone (mg_mp_moves, from the workload
 * index) and of the same count by a walk over every VM and VMI (mg_mp_moves_scan); the
 * run fails if the two counts ever disagree.
 * Usage: policy_bench [SEED] [moves]. Writes its state files under $TMPDIR (or /tmp). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "load.h"
#include "mp.h"
#include "policy.h"
#include "validate.h"

#define VMS 2000
#define CANDIDATES 300
#define MOVES_CANDIDATES 51

static unsigned long long seed = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (unsigned)(seed % n);
}

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return v[n / 2];
}

/* A label map of 0..max entries over keys "<prefix>k0.." with values "v0..". */
static size_t labels(char *buf, size_t len, const char *prefix, unsigned min, unsigned max,
                     unsigned keys, unsigned values)
{
    unsigned n = min + rnd(max - min + 1), used[16] = {0}, nused = 0;
    size_t at = (size_t)snprintf(buf, len, "{");

    for (unsigned i = 0; i < n && nused < 16; i++) {
        unsigned k = rnd(keys);
        int dup = 0;

        for (unsigned j = 0; j < nused; j++)
            dup |= used[j] == k;
        if (dup)
            continue;
        used[nused++] = k;
        at += (size_t)snprintf(buf + at, len - at, "%s\"%sk%u\":\"v%u\"", nused > 1 ? "," : "",
                               prefix, k, rnd(values));
    }
    at += (size_t)snprintf(buf + at, len - at, "}");
    return at;
}

static void policy_json(char *buf, size_t len, const char *name)
{
    static const char *const bw[] = {"0", "64Mi", "128Mi", "1Gi", "2Gi"};
    char ns[256], vm[512];

    labels(ns, sizeof(ns), "example.com/ns-", 0, 2, 10, 10);
    labels(vm, sizeof(vm), "app.example.com/", 1, 3, 40, 20);
    snprintf(buf, len,
             "{\"apiVersion\":\"migrations.kubevirt.io/v1alpha1\",\"kind\":\"MigrationPolicy\","
             "\"metadata\":{\"name\":\"%s\"},\"spec\":{\"selectors\":{\"namespaceSelector\":%s,"
             "\"virtualMachineInstanceSelector\":%s},\"bandwidthPerMigration\":\"%s\","
             "\"completionTimeoutPerGiB\":%u,\"allowAutoConverge\":%s}}",
             name, ns, vm, bw[rnd(5)], 100 + rnd(4) * 100, rnd(2) ? "true" : "false");
}

/* Write n policies and 20 namespaces as one multi-document file in a new directory. */
static int write_state(const char *dir, size_t n)
{
    char path[1024], buf[2048], ns[256], name[32];
    FILE *f;

    snprintf(path, sizeof(path), "%s/state.yaml", dir);
    if (!(f = fopen(path, "w")))
        return -1;
    for (int i = 0; i < 20; i++) {
        labels(ns, sizeof(ns), "example.com/ns-", 2, 5, 10, 10);
        fprintf(f,
                "---\n{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":"
                "{\"name\":\"ns-%d\",\"labels\":%s}}\n",
                i, ns);
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "policy-%05zu", i);
        policy_json(buf, sizeof(buf), name);
        fprintf(f, "---\n%s\n", buf);
    }
    return fclose(f);
}

static cJSON *make_vm(int i)
{
    char buf[1024], vm[512];

    labels(vm, sizeof(vm), "app.example.com/", 3, 6, 40, 20);
    snprintf(buf, sizeof(buf),
             "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":"
             "{\"name\":\"vm-%d\",\"namespace\":\"ns-%u\"},\"spec\":{\"template\":{\"metadata\":"
             "{\"labels\":%s}}}}",
             i, rnd(20), vm);
    return cJSON_Parse(buf);
}

static void bench_resolve(const struct mg_store *s, double *idx, double *scan)
{
    static double t[VMS], u[VMS];
    static cJSON *vms[VMS];
    static const cJSON *won[VMS];
    struct mg_policy_match m;

    for (int i = 0; i < VMS; i++)
        vms[i] = make_vm(i);
    for (int i = 0; i < VMS; i++) {
        double t0 = now_us();

        mg_policy_resolve_workload(s, vms[i], &m);
        t[i] = now_us() - t0;
        won[i] = m.policy;
    }
    /* The scan separately: it walks every policy and would evict the index's lines. */
    for (int i = 0; i < VMS; i++) {
        const cJSON *ns = cJSON_GetObjectItem(cJSON_GetObjectItem(vms[i], "metadata"), "namespace");
        double t0 = now_us();

        mg_policy_resolve_scan(s, mg_policy_workload_labels(vms[i]),
                               mg_policy_namespace_labels(s, ns->valuestring), NULL, &m);
        u[i] = now_us() - t0;
        if (m.policy != won[i]) {
            fprintf(stderr, "policy_bench: index and scan disagree\n");
            exit(1);
        }
        cJSON_Delete(vms[i]);
    }
    *idx = median(t, VMS);
    *scan = median(u, VMS);
}

static double bench_check(const struct mg_store *s, const struct mg_config *cfg, int *denied)
{
    static double t[CANDIDATES];
    char buf[2048];

    *denied = 0;
    for (int i = 0; i < CANDIDATES; i++) {
        cJSON *obj;
        struct mg_request req = {"uid",        "migrations.kubevirt.io",
                                 "v1alpha1",   "MigrationPolicy",
                                 "candidate",  "",
                                 MG_OP_CREATE, false,
                                 NULL,         NULL,
                                 NULL};
        struct mg_verdict v;
        double t0;

        policy_json(buf, sizeof(buf), "candidate");
        obj = cJSON_Parse(buf);
        req.object = obj;
        mg_verdict_init(&v);
        t0 = now_us();
        mg_validate(&req, s, cfg, &v, NULL);
        t[i] = now_us() - t0;
        *denied += mg_verdict_denied(&v);
        mg_verdict_free(&v);
        cJSON_Delete(obj);
    }
    return median(t, CANDIDATES);
}

static void put_json(struct mg_store *s, const char *text)
{
    if (mg_store_put(s, cJSON_Parse(text), NULL) != 0) {
        fprintf(stderr, "policy_bench: cannot put %.80s\n", text);
        exit(1);
    }
}

/* nvm VMs and as many VMIs (even ones owned by the VM of the same name, odd ones
 * standalone with labels of their own), 500 policies, 1,000 namespaces. */
static struct mg_store *moves_view(size_t nvm)
{
    struct mg_store *s = mg_store_new();
    char buf[2048], l[512], name[32];

    if (!s)
        exit(1);
    for (int i = 0; i < 1000; i++) {
        labels(l, sizeof(l), "example.com/ns-", 2, 5, 10, 10);
        snprintf(buf, sizeof(buf),
                 "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":"
                 "{\"name\":\"ns-%d\",\"labels\":%s}}",
                 i, l);
        put_json(s, buf);
    }
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof(name), "policy-%05d", i);
        policy_json(buf, sizeof(buf), name);
        put_json(s, buf);
    }
    for (size_t i = 0; i < nvm; i++) {
        unsigned ns = rnd(1000);

        labels(l, sizeof(l), "app.example.com/", 3, 6, 40, 20);
        snprintf(buf, sizeof(buf),
                 "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":"
                 "{\"name\":\"vm-%zu\",\"namespace\":\"ns-%u\"},\"spec\":{\"template\":"
                 "{\"metadata\":{\"labels\":%s}}}}",
                 i, ns, l);
        put_json(s, buf);
        if (i % 2)
            labels(l, sizeof(l), "app.example.com/", 3, 6, 40, 20);
        snprintf(buf, sizeof(buf),
                 "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\","
                 "\"metadata\":{\"name\":\"vm%s-%zu\",\"namespace\":\"ns-%u\",\"labels\":%s%s}}",
                 i % 2 ? "i" : "", i, ns, l,
                 i % 2 ? "" : ",\"ownerReferences\":[{\"kind\":\"VirtualMachine\"}]");
        put_json(s, buf);
    }
    return s;
}

/* The worst case: a catch-all policy can move every workload, so each is resolved. */
static void bench_catch_all(const struct mg_store *s)
{
    cJSON *all = cJSON_Parse("{\"kind\":\"MigrationPolicy\",\"metadata\":{\"name\":\"all\"},"
                             "\"spec\":{\"selectors\":{}}}");
    size_t to, from, sto, sfrom;
    double t0 = now_us(), idx, scan;

    mg_mp_moves(s, "all", NULL, all, &to, &from);
    idx = now_us() - t0;
    t0 = now_us();
    mg_mp_moves_scan(s, "all", NULL, all, &sto, &sfrom);
    scan = now_us() - t0;
    mg_store_release();
    if (to != sto || from != sfrom) {
        fprintf(stderr, "policy_bench: MP012 index and walk disagree\n");
        exit(1);
    }
    printf("%8s catch-all policy (selectors: {}): MP012 %.1f ms, walk %.1f ms, moved %zu\n", "",
           idx / 1e3, scan / 1e3, to + from);
    cJSON_Delete(all);
}

static void bench_moves(const struct mg_config *cfg)
{
    static const size_t sizes[] = {10000, 100000};
    static double t[MOVES_CANDIDATES], u[MOVES_CANDIDATES], w[MOVES_CANDIDATES];
    char buf[2048];

    printf("\n%8s %8s %9s %11s %10s %18s %10s %16s %7s\n", "VMs", "VMIs", "policies", "namespaces",
           "build ms", "policy CREATE ms", "MP012 ms", "(MP012 scan ms)", "moved");
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        double t0 = now_us(), build;
        struct mg_store *s = moves_view(sizes[k]);
        size_t to, from, sto, sfrom, moved = 0;

        build = (now_us() - t0) / 1e3;
        for (int i = 0; i < MOVES_CANDIDATES; i++) {
            struct mg_request req = {"uid",        "migrations.kubevirt.io",
                                     "v1alpha1",   "MigrationPolicy",
                                     "candidate",  "",
                                     MG_OP_CREATE, false,
                                     NULL,         NULL,
                                     NULL};
            struct mg_verdict v;
            cJSON *obj;

            policy_json(buf, sizeof(buf), "candidate");
            obj = cJSON_Parse(buf);
            req.object = obj;
            mg_verdict_init(&v);
            t0 = now_us();
            mg_validate(&req, s, cfg, &v, NULL);
            t[i] = now_us() - t0;
            t0 = now_us();
            mg_mp_moves(s, "candidate", NULL, obj, &to, &from);
            u[i] = now_us() - t0;
            t0 = now_us();
            mg_mp_moves_scan(s, "candidate", NULL, obj, &sto, &sfrom);
            w[i] = now_us() - t0;
            mg_store_release();
            if (to != sto || from != sfrom) {
                fprintf(stderr, "policy_bench: MP012 index and walk disagree\n");
                exit(1);
            }
            moved += to + from;
            mg_verdict_free(&v);
            cJSON_Delete(obj);
        }
        printf("%8zu %8zu %9d %11d %10.0f %18.3f %10.3f %16.3f %7zu\n", sizes[k], sizes[k], 500,
               1000, build, median(t, MOVES_CANDIDATES) / 1e3, median(u, MOVES_CANDIDATES) / 1e3,
               median(w, MOVES_CANDIDATES) / 1e3, moved);
        bench_catch_all(s);
        mg_store_free(s);
    }
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = {100, 1000, 10000};
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    struct mg_config cfg;

    if (argc > 1)
        seed = strtoull(argv[1], NULL, 10) | 1;
    mg_config_init(&cfg);
    if (argc > 2 && strcmp(argv[2], "moves") == 0) {
        bench_moves(&cfg);
        return 0;
    }
    printf("%8s %14s %18s %16s %18s %8s\n", "policies", "load state ms", "resolve VM us",
           "(scan, us)", "check policy us", "denied");
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        char dir[512], path[1024];
        struct mg_store *s = mg_store_new();
        struct mg_err err = {0};
        double t0, load_ms, res, scan, check;
        int denied;

        snprintf(dir, sizeof(dir), "%s/policy_bench-XXXXXX", tmp);
        if (!s || !mkdtemp(dir) || write_state(dir, sizes[k]) != 0) {
            fprintf(stderr, "policy_bench: cannot write the state under %s\n", tmp);
            return 1;
        }
        t0 = now_us();
        if (mg_load_dir(s, dir, &err) != 0) {
            fprintf(stderr, "policy_bench: %s:%d: %s\n", err.file, err.line, err.msg);
            return 1;
        }
        load_ms = (now_us() - t0) / 1e3;
        snprintf(path, sizeof(path), "%s/state.yaml", dir);
        unlink(path);
        rmdir(dir);
        bench_resolve(s, &res, &scan);
        check = bench_check(s, &cfg, &denied);
        printf("%8zu %14.1f %18.2f %16.2f %18.1f %5d/%d\n", sizes[k], load_ms, res, scan, check,
               denied, CANDIDATES);
        mg_store_free(s);
    }
    bench_moves(&cfg);
    return 0;
}
