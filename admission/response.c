/* SPDX-License-Identifier: Apache-2.0 */
/* response.c - build the response AdmissionReview. kubectl shows the causes of a
 * 422 Invalid answer, not status.message, so each finding is one cause whose message
 * starts with its rule id. Echoed strings are made valid UTF-8 first; a NUL in them
 * is written back as \u0000 (RULES.md section 8: the uid is echoed byte for byte). */
#include "response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "json.h"
#include "utf8.h"

#define REVIEW_API "admission.k8s.io/v1"
#define WARNING_MAX 119 /* RULES.md: each warning under 120 characters */

/* A copy of s with invalid UTF-8 replaced by '?', cut to at most max bytes on a
 * character boundary ("..." marks a cut). Caller frees. */
static char *clean_text(const char *s, size_t max)
{
    size_t len = strlen(s), at = 0, i = 0;
    char *out = malloc(len + 4);

    if (!out)
        return NULL;
    while (i < len) {
        size_t n = mg_utf8_seq((const unsigned char *)s + i, len - i);

        /* A NUL of the request (json.h), printed back as \u0000. */
        if (n == 0 && strncmp(s + i, MG_JSON_NUL, 2) == 0)
            n = 2;

        if (at + (n ? n : 1) > max) {
            size_t keep = at;

            /* Back to a character boundary with room for "...": only the at bytes
             * written so far are looked at (out[at] itself was never written). */
            while (keep > 0 && keep + 3 > max)
                keep--;
            while (keep > 0 && keep < at && ((unsigned char)out[keep] & 0xC0) == 0x80)
                keep--;
            memcpy(out + keep, "...", 3);
            at = keep + 3;
            break;
        }
        if (n == 0) {
            out[at++] = '?';
            i++;
        } else {
            memcpy(out + at, s + i, n);
            at += n;
            i += n;
        }
    }
    out[at] = '\0';
    return out;
}

static cJSON *add_clean_string(cJSON *obj, const char *key, const char *s, size_t max)
{
    char *c = clean_text(s ? s : "", max);
    cJSON *it = c ? cJSON_AddStringToObject(obj, key, c) : NULL;

    free(c);
    return it;
}

static cJSON *new_review(const char *uid, cJSON **response)
{
    cJSON *root = cJSON_CreateObject();

    if (!root || !cJSON_AddStringToObject(root, "apiVersion", REVIEW_API) ||
        !cJSON_AddStringToObject(root, "kind", "AdmissionReview") ||
        !(*response = cJSON_AddObjectToObject(root, "response")) ||
        !add_clean_string(*response, "uid", uid, (size_t)-1 / 2)) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

static char *finish(cJSON *root)
{
    char *text = root ? mg_json_print(root, false) : NULL;

    cJSON_Delete(root);
    return text;
}

const char *mg_response_reason(int code)
{
    /* Kubernetes' metav1.StatusReason for each status code we answer with. */
    static const struct {
        int code;
        const char *reason;
    } reasons[] = {
        {400, "BadRequest"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "NotFound"},
        {405, "MethodNotAllowed"},
        {409, "Conflict"},
        {413, "RequestEntityTooLarge"},
        {415, "UnsupportedMediaType"},
        {422, "Invalid"},
        {429, "TooManyRequests"},
        {503, "ServiceUnavailable"},
        {504, "Timeout"},
    };

    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        if (reasons[i].code == code)
            return reasons[i].reason;
    }
    return "InternalError";
}

char *mg_response_render_error(const char *uid, int code, const char *message)
{
    cJSON *response = NULL;
    cJSON *root = new_review(uid, &response);
    cJSON *status;

    if (!root)
        return NULL;
    status = cJSON_CreateObject();
    if (!cJSON_AddBoolToObject(response, "allowed", 0) || !status ||
        !cJSON_AddItemToObject(response, "status", status) ||
        !cJSON_AddNumberToObject(status, "code", code) ||
        !cJSON_AddStringToObject(status, "reason", mg_response_reason(code)) ||
        !add_clean_string(status, "message", message, 4096)) {
        if (!cJSON_IsObject(mg_json_get(response, "status")))
            cJSON_Delete(status);
        cJSON_Delete(root);
        return NULL;
    }
    return finish(root);
}

/* "MigrationPolicy \"p1\" denied by migguard: [MP011] ...; [MP002] ..." */
static char *summary(const struct mg_review *r, const struct mg_verdict *v)
{
    size_t cap = 256, len;
    char *out;

    for (size_t i = 0; i < v->n; i++)
        cap += strlen(v->items[i].message) + 2;
    out = malloc(cap);
    if (!out)
        return NULL;
    len = (size_t)snprintf(out, cap, "%.64s \"%.100s\" denied by migguard:", r->req.kind,
                           r->req.name);
    for (size_t i = 0; i < v->n && len < cap; i++) {
        if (v->items[i].action != MG_ACT_DENY)
            continue;
        len += (size_t)snprintf(out + len, cap - len, "%s %s",
                                len && out[len - 1] == ':' ? "" : ";", v->items[i].message);
    }
    if (v->oom && len < cap)
        snprintf(out + len, cap - len, " (incomplete: out of memory)");
    return out;
}

static int add_status(cJSON *response, const struct mg_review *r, const struct mg_verdict *v)
{
    cJSON *status = cJSON_AddObjectToObject(response, "status");
    cJSON *details, *causes;
    char *msg;

    if (!status || !cJSON_AddNumberToObject(status, "code", v->oom ? 500 : 422) ||
        !cJSON_AddStringToObject(status, "reason", v->oom ? "InternalError" : "Invalid"))
        return MG_ENOMEM;
    msg = summary(r, v);
    if (!msg || !add_clean_string(status, "message", msg, 64 * 1024)) {
        free(msg);
        return MG_ENOMEM;
    }
    free(msg);
    details = cJSON_AddObjectToObject(status, "details");
    if (!details || !add_clean_string(details, "name", r->req.name, 256) ||
        !cJSON_AddStringToObject(details, "group", r->req.group) ||
        !add_clean_string(details, "kind", r->req.kind, 256) ||
        !(causes = cJSON_AddArrayToObject(details, "causes")))
        return MG_ENOMEM;
    for (size_t i = 0; i < v->n; i++) {
        cJSON *cause;

        if (v->items[i].action != MG_ACT_DENY)
            continue;
        cause = cJSON_CreateObject();
        if (!cause || !cJSON_AddItemToArray(causes, cause)) {
            cJSON_Delete(cause);
            return MG_ENOMEM;
        }
        if (!cJSON_AddStringToObject(cause, "reason", "FieldValueInvalid") ||
            !add_clean_string(cause, "message", v->items[i].message, 4096) ||
            !add_clean_string(cause, "field", v->items[i].field, 1024))
            return MG_ENOMEM;
    }
    return 0;
}

static int add_warnings(cJSON *response, const struct mg_verdict *v)
{
    cJSON *warnings = NULL;

    for (size_t i = 0; i < v->n; i++) {
        char *c, *w;
        cJSON *s;

        if (v->items[i].action != MG_ACT_WARN)
            continue;
        if (!warnings && !(warnings = cJSON_AddArrayToObject(response, "warnings")))
            return MG_ENOMEM;
        c = clean_text(v->items[i].message, (size_t)-1 / 2);
        w = c ? mg_verdict_cut(c, WARNING_MAX) : NULL;
        s = w ? cJSON_CreateString(w) : NULL;
        free(c);
        free(w);
        if (!s || !cJSON_AddItemToArray(warnings, s)) {
            cJSON_Delete(s);
            return MG_ENOMEM;
        }
    }
    return 0;
}

static int add_patch(cJSON *response, const struct mg_patch *patch)
{
    char *text = mg_patch_render(patch);
    size_t len, blen;
    unsigned char *b64;
    int rc = MG_ENOMEM;

    if (!text)
        return mg_patch_len(patch) ? MG_ENOMEM : 0;
    len = strlen(text);
    blen = 4 * ((len + 2) / 3) + 1;
    b64 = malloc(blen);
    if (b64) {
        EVP_EncodeBlock(b64, (const unsigned char *)text, (int)len);
        if (cJSON_AddStringToObject(response, "patchType", "JSONPatch") &&
            cJSON_AddStringToObject(response, "patch", (const char *)b64))
            rc = 0;
    }
    free(b64);
    free(text);
    return rc;
}

char *mg_response_render(const struct mg_review *r, const struct mg_verdict *v,
                         const struct mg_patch *patch)
{
    cJSON *response = NULL;
    cJSON *root = new_review(r->req.uid, &response);
    bool denied = mg_verdict_denied(v);

    if (!root)
        return NULL;
    if (!cJSON_AddBoolToObject(response, "allowed", !denied) ||
        (denied && add_status(response, r, v)) || add_warnings(response, v) ||
        (!denied && patch && add_patch(response, patch))) {
        cJSON_Delete(root);
        return NULL;
    }
    return finish(root);
}
