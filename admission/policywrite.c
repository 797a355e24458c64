/* SPDX-License-Identifier: Apache-2.0 */
/* policywrite.c - the Lease, the quorum read and the record of recent admissions
 * around one MigrationPolicy judgement. The record is a JSON list in one annotation
 * of the Lease: {"at": wall-clock ms, "by": identity, "object": the policy}, entries
 * older than the pending time dropped on every write (a few policies at most). */
#include "policywrite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "kubeapply.h"
#include "kubecall.h"
#include "lease.h"

#define POLICIES_PATH "/apis/migrations.kubevirt.io/v1alpha1/migrationpolicies"
#define POLICY_API "migrations.kubevirt.io/v1alpha1"
/* More admissions than this within one pending time are refused (retryable): the
 * record must fit in an annotation (256 KiB for all of them). */
#define MAX_RECORDS 64

struct mg_policywrite {
    struct mg_kubecall *call;
    struct mg_lease *lease;
    char *identity;
    unsigned pending_ms;
    cJSON *records; /* the live records read when the Lease was taken */
};

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int mg_policywrite_new(struct mg_policywrite **out, const struct mg_policywrite_opts *o,
                       struct mg_err *err)
{
    struct mg_policywrite *pw = calloc(1, sizeof(*pw));
    struct mg_lease_opts lo = {0};
    int rc;

    *out = NULL;
    if (!pw || !(pw->identity = strdup(o->identity ? o->identity : ""))) {
        free(pw);
        return mg_err_set(err, MG_ENOMEM, "out of memory");
    }
    pw->pending_ms = o->pending_ms ? o->pending_ms : MG_PENDING_TTL_MS;
    if ((rc = mg_kubecall_new(&pw->call, o->kubeconfig, NULL, err)) != 0)
        goto fail;
    lo = (struct mg_lease_opts){pw->call, o->namespace_,
                                o->lease_name ? o->lease_name : "migguard-policy-writes",
                                o->identity, o->lease_s ? o->lease_s : 2};
    if ((rc = mg_lease_new(&pw->lease, &lo, err)) != 0)
        goto fail;
    *out = pw;
    return 0;
fail:
    mg_policywrite_free(pw);
    return rc;
}

void mg_policywrite_free(struct mg_policywrite *pw)
{
    if (!pw)
        return;
    mg_lease_free(pw->lease);
    mg_kubecall_free(pw->call);
    cJSON_Delete(pw->records);
    free(pw->identity);
    free(pw);
}

/* The records of the annotations that are still live (younger than the pending time). */
static cJSON *live_records(const struct mg_policywrite *pw, const cJSON *annotations)
{
    const char *text = mg_json_str(annotations, MG_POLICYWRITE_RECORDS);
    cJSON *all = text ? mg_json_parse(text, strlen(text), 0, NULL) : NULL;
    cJSON *live = cJSON_CreateArray(), *r;
    int64_t now = wall_ms();

    if (!live) {
        cJSON_Delete(all);
        return NULL;
    }
    while (cJSON_IsArray(all) && (r = cJSON_DetachItemFromArray(all, 0)) != NULL) {
        const cJSON *at = mg_json_get(r, "at");

        if (cJSON_IsNumber(at) && (int64_t)at->valuedouble + pw->pending_ms > now &&
            cJSON_IsObject(mg_json_get(r, "object")) &&
            mg_json_name_or(mg_json_get(r, "object"), NULL))
            cJSON_AddItemToArray(live, r);
        else
            cJSON_Delete(r);
    }
    cJSON_Delete(all);
    return live;
}

/* The stored policies, read now (a LIST without resourceVersion is a quorum read), in
 * a store of their own; NULL with err set on failure. */
static struct mg_store *read_policies(struct mg_policywrite *pw, int64_t deadline,
                                      struct mg_err *err)
{
    struct mg_store *aside = mg_store_new();
    cJSON *list = NULL, *items, *it;
    long status = 0, left = (long)(deadline - mg_pending_now_ms());

    if (!aside || mg_store_mark_known(aside, "MigrationPolicy") != 0) {
        mg_err_set(err, MG_ENOMEM, "out of memory");
        goto fail;
    }
    if (mg_kubecall_do(pw->call, "GET", POLICIES_PATH, NULL, left > 0 ? left : 1, &status, &list,
                       err) != 0)
        goto fail;
    if (status == 404) /* the CRD is not installed: no policies */
        goto out;
    items = mg_json_get(list, "items");
    if (status != 200 || !cJSON_IsArray(items)) {
        mg_kubecall_fail(pw->call, "GET", POLICIES_PATH, status, list, err);
        goto fail;
    }
    while ((it = cJSON_DetachItemFromArray(items, 0)) != NULL) {
        mg_kubeapply_prepare(it, "MigrationPolicy", POLICY_API);
        (void)mg_store_put(aside, it, NULL);
    }
out:
    cJSON_Delete(list);
    return aside;
fail:
    cJSON_Delete(list);
    mg_store_free(aside);
    return NULL;
}

/* Records whose policy the list already shows as recorded are stored: they need no
 * record any longer (so the record holds only admissions still on their way). */
static void drop_stored(cJSON *records, const struct mg_store *listed)
{
    cJSON *r = records ? records->child : NULL;

    while (r) {
        cJSON *next = r->next;
        const cJSON *obj = mg_json_get(r, "object");
        const cJSON *cur = mg_store_get(listed, "MigrationPolicy", "", mg_json_name_or(obj, ""));

        if (cur && cJSON_Compare(mg_json_get(cur, "spec"), mg_json_get(obj, "spec"), true))
            cJSON_Delete(cJSON_DetachItemViaPointer(records, r));
        r = next;
    }
}

int mg_policywrite_begin(struct mg_policywrite *pw, struct mg_store *store,
                         struct mg_pending *pending, int64_t deadline_ms, struct mg_err *err)
{
    cJSON *ann = NULL, *r;
    struct mg_store *aside = NULL;
    int64_t mono = mg_pending_now_ms(), wall = wall_ms();
    int rc;

    cJSON_Delete(pw->records);
    pw->records = NULL;
    if ((rc = mg_lease_acquire(pw->lease, deadline_ms, &ann, err)) != 0)
        return rc;
    pw->records = live_records(pw, ann);
    cJSON_Delete(ann);
    if (!pw->records || !(aside = read_policies(pw, deadline_ms, err))) {
        if (!pw->records)
            mg_err_set(err, MG_ENOMEM, "out of memory");
        (void)mg_lease_release(pw->lease, NULL, NULL, deadline_ms, NULL);
        return err->code ? err->code : MG_EIO;
    }
    drop_stored(pw->records, aside);
    mg_store_wrlock(store);
    if (mg_store_exchange(store, aside, "MigrationPolicy") == 0)
        mg_pending_relisted(pending, "MigrationPolicy");
    cJSON_ArrayForEach (r, pw->records) {
        const cJSON *obj = mg_json_get(r, "object");
        int64_t until = mono + ((int64_t)mg_json_get(r, "at")->valuedouble + pw->pending_ms - wall);

        (void)mg_pending_apply(pending, "MigrationPolicy", mg_json_name_or(obj, ""), obj, until);
    }
    mg_store_unlock(store);
    mg_store_free(aside);
    return 0;
}

/* {"at": now, "by": identity, "object": {apiVersion, kind, metadata.name, spec}}. */
static cJSON *record_of(const struct mg_policywrite *pw, const cJSON *obj)
{
    cJSON *r = cJSON_CreateObject(), *o, *md;
    const cJSON *spec = mg_json_get(obj, "spec");

    if (!r)
        return NULL;
    cJSON_AddNumberToObject(r, "at", (double)wall_ms());
    cJSON_AddStringToObject(r, "by", pw->identity);
    o = cJSON_AddObjectToObject(r, "object");
    md = o ? cJSON_AddObjectToObject(o, "metadata") : NULL;
    if (!md || !cJSON_AddStringToObject(o, "apiVersion", POLICY_API) ||
        !cJSON_AddStringToObject(o, "kind", "MigrationPolicy") ||
        !cJSON_AddStringToObject(md, "name", mg_json_name_or(obj, "")) ||
        (spec && !cJSON_AddItemToObject(o, "spec", cJSON_Duplicate(spec, 1)))) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

int mg_policywrite_end(struct mg_policywrite *pw, const cJSON *obj, int64_t deadline_ms,
                       struct mg_err *err)
{
    cJSON *r;
    char *text = NULL;
    int rc;

    if (!obj)
        return mg_lease_release(pw->lease, NULL, NULL, deadline_ms, err);
    if (cJSON_GetArraySize(pw->records) >= MAX_RECORDS) {
        (void)mg_lease_release(pw->lease, NULL, NULL, deadline_ms, NULL);
        return mg_err_set(err, MG_EIO, "more than %d policy writes within %u ms", MAX_RECORDS,
                          pw->pending_ms);
    }
    if (!(r = record_of(pw, obj)) || !cJSON_AddItemToArray(pw->records, r) ||
        !(text = cJSON_PrintUnformatted(pw->records))) {
        (void)mg_lease_release(pw->lease, NULL, NULL, deadline_ms, NULL);
        return mg_err_set(err, MG_ENOMEM, "out of memory recording the admission");
    }
    rc = mg_lease_release(pw->lease, MG_POLICYWRITE_RECORDS, text, deadline_ms, err);
    free(text);
    return rc;
}

int mg_policywrite_turn(struct mg_policywrite *pw, pthread_mutex_t *mu, struct mg_store *store,
                        struct mg_pending *pending, int64_t deadline_ms, struct mg_err *why)
{
    int64_t left = deadline_ms - mg_pending_now_ms();
    struct timespec until;

    /* pthread_mutex_timedlock counts on CLOCK_REALTIME. */
    clock_gettime(CLOCK_REALTIME, &until);
    if (left < 0)
        left = 0;
    until.tv_sec += (time_t)(left / 1000);
    until.tv_nsec += (long)(left % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    if (pthread_mutex_timedlock(mu, &until) != 0)
        return mg_err_set(why, MG_EIO, "other policy writes on this replica took the time");
    if (pw && mg_policywrite_begin(pw, store, pending, deadline_ms, why) != 0) {
        pthread_mutex_unlock(mu);
        return MG_EIO;
    }
    return 0;
}

void mg_policywrite_admitted(struct mg_store *store, struct mg_pending *pending,
                             const struct mg_request *req, bool for_good, int64_t deadline_ms)
{
    const cJSON *obj = req->op == MG_OP_DELETE ? NULL : req->object;
    const char *name = obj ? mg_json_name_or(obj, req->name) : req->name;
    cJSON *copy;

    if ((req->op != MG_OP_DELETE &&
         (!obj || (req->op != MG_OP_CREATE && req->op != MG_OP_UPDATE))) ||
        !name || !name[0])
        return;
    if (!for_good) {
        (void)mg_pending_apply(pending, req->kind, name, obj, deadline_ms);
    } else if (!obj) {
        (void)mg_store_remove(store, req->kind, req->namespace_, name);
    } else if ((copy = cJSON_Duplicate(obj, 1)) != NULL) {
        (void)mg_store_put(store, copy, NULL);
    }
}
