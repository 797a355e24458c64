/* SPDX-License-Identifier: Apache-2.0 */
/* lease.c - take, give up and renew a Lease by compare-and-swap on its
 * resourceVersion. Expiry is observed locally: a Lease whose resourceVersion stays the
 * same for leaseDurationSeconds while another identity holds it is free to take. Every
 * wait is bounded by the caller's deadline; nothing here retries past it. */
#include "lease.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "pending.h"

struct mg_lease {
    struct mg_kubecall *call;
    char *ns, *name, *id;
    unsigned duration_s;
    char coll[512], path[768];
    cJSON *held;      /* the Lease as this replica last wrote it while holding it */
    char obs_rv[128]; /* the other holder's resourceVersion, and when we first saw it */
    int64_t obs_at;
    char holder[256];
    uint32_t seed;
};

int mg_lease_new(struct mg_lease **out, const struct mg_lease_opts *o, struct mg_err *err)
{
    struct mg_lease *l;

    *out = NULL;
    if (!o->call || !o->namespace_ || !o->namespace_[0] || !o->name || !o->name[0] ||
        !o->identity || !o->identity[0] || o->duration_s == 0 || strlen(o->namespace_) > 253 ||
        strlen(o->name) > 253)
        return mg_err_set(err, MG_EINVAL,
                          "a Lease needs a namespace, a name, an identity "
                          "and a duration of 1 s or more");
    if (!(l = calloc(1, sizeof(*l))) || !(l->ns = strdup(o->namespace_)) ||
        !(l->name = strdup(o->name)) || !(l->id = strdup(o->identity))) {
        mg_lease_free(l);
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    }
    l->call = o->call;
    l->duration_s = o->duration_s;
    snprintf(l->coll, sizeof(l->coll), "/apis/coordination.k8s.io/v1/namespaces/%s/leases", l->ns);
    snprintf(l->path, sizeof(l->path), "%s/%s", l->coll, l->name);
    l->seed = (uint32_t)time(NULL) ^ (uint32_t)(uintptr_t)l;
    if (!l->seed)
        l->seed = 1;
    *out = l;
    return 0;
}

void mg_lease_free(struct mg_lease *l)
{
    if (!l)
        return;
    cJSON_Delete(l->held);
    free(l->ns);
    free(l->name);
    free(l->id);
    free(l);
}

const char *mg_lease_holder(const struct mg_lease *l)
{
    return l->holder;
}

/* MicroTime, as the API server writes it: "2026-12-03T12:00:00.000000Z". */
static void micro_now(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    char sec[24];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%.20s.%06dZ", sec, (int)(ts.tv_nsec / 1000) % 1000000);
}

static long left_ms(int64_t deadline)
{
    int64_t d = deadline - mg_pending_now_ms();

    return d > 0 ? (long)d : 0;
}

/* Sleep 20 to 60 ms, never past the deadline. */
static void pause_a_little(struct mg_lease *l, int64_t deadline)
{
    long ms, left = left_ms(deadline);
    struct timespec ts;

    l->seed ^= l->seed << 13;
    l->seed ^= l->seed >> 17;
    l->seed ^= l->seed << 5;
    ms = 20 + (long)(l->seed % 41);
    if (ms > left)
        ms = left;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static void set_str(cJSON *obj, const char *key, const char *val)
{
    cJSON *v = cJSON_CreateString(val);

    if (!v)
        return;
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
    else
        cJSON_AddItemToObject(obj, key, v);
}

static cJSON *child(cJSON *obj, const char *key)
{
    cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (cJSON_IsObject(c))
        return c;
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    return cJSON_AddObjectToObject(obj, key);
}

/* Whether the Lease cur (as read) may be taken by this replica now. */
static bool free_to_take(struct mg_lease *l, const cJSON *cur)
{
    const cJSON *spec = mg_json_get(cur, "spec");
    const char *holder = mg_json_str(spec, "holderIdentity");
    const char *rv = mg_json_str(mg_json_get(cur, "metadata"), "resourceVersion");
    int64_t now = mg_pending_now_ms();

    snprintf(l->holder, sizeof(l->holder), "%s", holder ? holder : "");
    if (!holder || !holder[0] || strcmp(holder, l->id) == 0)
        return true;
    if (!rv || strcmp(rv, l->obs_rv) != 0) {
        snprintf(l->obs_rv, sizeof(l->obs_rv), "%s", rv ? rv : "");
        l->obs_at = now;
        return false;
    }
    /* Unchanged for its own duration (ours when it says none) since we first saw it. */
    {
        const cJSON *d = mg_json_get(spec, "leaseDurationSeconds");
        int64_t dur = cJSON_IsNumber(d) && d->valuedouble > 0 && d->valuedouble < 3600
                          ? (int64_t)d->valuedouble
                          : (int64_t)l->duration_s;

        return now - l->obs_at >= dur * 1000;
    }
}

/* POST (cur NULL) or PUT the Lease held by us. 0 taken, 1 lost a race (409), else an
 * error in err. */
static int take(struct mg_lease *l, const cJSON *cur, int64_t deadline, struct mg_err *err)
{
    cJSON *obj = cur ? cJSON_Duplicate(cur, 1) : cJSON_CreateObject(), *md, *spec, *ans = NULL;
    const cJSON *tr;
    char now[64], *body = NULL;
    long status = 0;
    int rc = MG_ENOMEM;
    bool fresh;
    double transitions;

    if (!obj)
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    set_str(obj, "apiVersion", "coordination.k8s.io/v1");
    set_str(obj, "kind", "Lease");
    md = child(obj, "metadata");
    spec = child(obj, "spec");
    if (!md || !spec)
        goto out;
    set_str(md, "name", l->name);
    set_str(md, "namespace", l->ns);
    micro_now(now, sizeof(now));
    fresh = !mg_json_str(spec, "holderIdentity") ||
            strcmp(mg_json_str(spec, "holderIdentity"), l->id) != 0;
    if (fresh) {
        tr = mg_json_get(spec, "leaseTransitions");
        transitions = cJSON_IsNumber(tr) ? tr->valuedouble + 1 : 0;
        cJSON_DeleteItemFromObjectCaseSensitive(spec, "leaseTransitions");
        cJSON_AddNumberToObject(spec, "leaseTransitions", transitions);
        set_str(spec, "acquireTime", now);
    }
    set_str(spec, "holderIdentity", l->id);
    set_str(spec, "renewTime", now);
    cJSON_DeleteItemFromObjectCaseSensitive(spec, "leaseDurationSeconds");
    cJSON_AddNumberToObject(spec, "leaseDurationSeconds", l->duration_s);
    if (!(body = cJSON_PrintUnformatted(obj)))
        goto out;
    if ((rc = mg_kubecall_do(l->call, cur ? "PUT" : "POST", cur ? l->path : l->coll, body,
                             left_ms(deadline), &status, &ans, err)) != 0)
        goto out;
    if (status == 409) {
        rc = 1;
    } else if (status == 200 || status == 201) {
        cJSON_Delete(l->held);
        l->held = ans ? ans : obj;
        if (ans)
            cJSON_Delete(obj);
        ans = obj = NULL;
        snprintf(l->holder, sizeof(l->holder), "%s", l->id);
        rc = 0;
    } else {
        rc = mg_kubecall_fail(l->call, cur ? "PUT" : "POST", cur ? l->path : l->coll, status, ans,
                              err);
    }
out:
    if (rc == MG_ENOMEM)
        mg_err_set(err, MG_ENOMEM, "out of memory");
    free(body);
    cJSON_Delete(obj);
    cJSON_Delete(ans);
    return rc;
}

/* GET the Lease: 0 with *cur (NULL when it does not exist), else an error. */
static int get(struct mg_lease *l, int64_t deadline, cJSON **cur, struct mg_err *err)
{
    long status = 0;
    int rc = mg_kubecall_do(l->call, "GET", l->path, NULL, left_ms(deadline), &status, cur, err);

    if (rc)
        return rc;
    if (status == 200 && *cur)
        return 0;
    if (status != 404)
        rc = mg_kubecall_fail(l->call, "GET", l->path, status, *cur, err);
    cJSON_Delete(*cur);
    *cur = NULL;
    return rc;
}

/* One round: read, and take when free. 0 taken, 1 not now (held, or a race lost),
 * else an error. */
static int one_round(struct mg_lease *l, int64_t deadline, struct mg_err *err)
{
    cJSON *cur = NULL;
    int rc = get(l, deadline, &cur, err);

    if (rc == 0)
        rc = !cur || free_to_take(l, cur) ? take(l, cur, deadline, err) : 1;
    cJSON_Delete(cur);
    return rc;
}

int mg_lease_acquire(struct mg_lease *l, int64_t deadline_ms, cJSON **annotations,
                     struct mg_err *err)
{
    struct mg_err last = {0};
    int64_t t0 = mg_pending_now_ms();
    int rc;

    if (annotations)
        *annotations = NULL;
    cJSON_Delete(l->held);
    l->held = NULL;
    while (left_ms(deadline_ms) > 0) {
        rc = one_round(l, deadline_ms, &last);
        if (rc == 0) {
            const cJSON *a = mg_json_get(mg_json_get(l->held, "metadata"), "annotations");

            if (annotations && a && !(*annotations = cJSON_Duplicate(a, 1)))
                return mg_err_set(err, MG_ENOMEM, "out of memory");
            return 0;
        }
        if (rc == MG_ENOMEM)
            return mg_err_set(err, MG_ENOMEM, "out of memory");
        pause_a_little(l, deadline_ms);
    }
    if (last.code)
        return mg_err_set(err, MG_EIO, "the Lease %s/%s was not taken within %lld ms: %s", l->ns,
                          l->name, (long long)(mg_pending_now_ms() - t0), last.msg);
    return mg_err_set(err, MG_EIO,
                      "the Lease %s/%s was not taken within %lld ms: held by \"%s\" (another "
                      "replica's policy write)",
                      l->ns, l->name, (long long)(mg_pending_now_ms() - t0), l->holder);
}

int mg_lease_release(struct mg_lease *l, const char *key, const char *value, int64_t deadline_ms,
                     struct mg_err *err)
{
    cJSON *obj = l->held, *ans = NULL, *spec, *ann;
    char *body = NULL;
    long status = 0;
    int rc = MG_ENOMEM;

    if (!obj)
        return mg_err_set(err, MG_EINVAL, "the Lease %s/%s is not held", l->ns, l->name);
    l->held = NULL;
    spec = child(obj, "spec");
    if (!spec)
        goto out;
    set_str(spec, "holderIdentity", "");
    if (key && value) {
        if (!(ann = child(child(obj, "metadata"), "annotations")))
            goto out;
        set_str(ann, key, value);
    }
    if (!(body = cJSON_PrintUnformatted(obj)))
        goto out;
    if ((rc = mg_kubecall_do(l->call, "PUT", l->path, body, left_ms(deadline_ms), &status, &ans,
                             err)) != 0)
        goto out;
    if (status == 200) {
        l->holder[0] = '\0';
        rc = 0;
    } else if (status == 409) {
        rc = mg_err_set(err, MG_EIO,
                        "the Lease %s/%s was taken over by another replica before this one "
                        "gave it up (it held it longer than %u s)",
                        l->ns, l->name, l->duration_s);
    } else {
        rc = mg_kubecall_fail(l->call, "PUT", l->path, status, ans, err);
    }
out:
    if (rc == MG_ENOMEM)
        mg_err_set(err, MG_ENOMEM, "out of memory");
    free(body);
    cJSON_Delete(obj);
    cJSON_Delete(ans);
    return rc;
}

int mg_lease_try(struct mg_lease *l, int64_t deadline_ms, bool *held, struct mg_err *err)
{
    int rc;

    *held = false;
    /* Renew what we hold by CAS on our own last write; a 409 means it was taken over. */
    if (l->held) {
        cJSON *mine = l->held;

        l->held = NULL;
        rc = take(l, mine, deadline_ms, err);
        cJSON_Delete(mine);
        if (rc == 0)
            *held = true;
        return rc == 1 ? 0 : rc;
    }
    rc = one_round(l, deadline_ms, err);
    if (rc == 0)
        *held = true;
    return rc == 1 ? 0 : rc;
}
