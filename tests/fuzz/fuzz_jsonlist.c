/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_jsonlist.c - libFuzzer target for the streaming JSON list reader: any bytes,
 * written to a .json file and loaded as --state does. A list it takes whole must be
 * valid JSON by the strict parser, with no more objects stored than that parser's tree
 * has items; a failure must say why. Aborts otherwise. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "jsonlist.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void write_input(const uint8_t *data, size_t size)
{
    FILE *f;

    if (!path[0])
        snprintf(path, sizeof(path), "/tmp/fuzz_jsonlist.%ld.json", (long)getpid());
    f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mg_store *s = mg_store_new();
    struct mg_err err = {0};
    bool handled = false;
    int rc;

    if (!s)
        return 0;
    write_input(data, size);
    rc = mg_jsonlist_load(s, path, &handled, &err);
    if (rc && (!handled || !err.msg[0]))
        abort();
    if (handled && rc == 0) {
        cJSON *doc = mg_json_parse((const char *)data, size, 0, NULL);

        if (!doc || !cJSON_IsArray(mg_json_get(doc, "items")))
            abort();
        /* Every item became an object of the store (equal keys replace each other). */
        if (mg_store_size(s) > (size_t)cJSON_GetArraySize(mg_json_get(doc, "items")))
            abort();
        cJSON_Delete(doc);
    }
    mg_store_free(s);
    /* The one-pass reader of big files, on the same bytes: no crash, and what it takes
     * whole is valid JSON too. */
    if (!(s = mg_store_new()))
        return 0;
    handled = false;
    memset(&err, 0, sizeof(err));
    rc = mg_jsonlist_load_from(s, path, 0, &handled, &err);
    if (rc && !err.msg[0])
        abort();
    if (handled && rc == 0) {
        cJSON *doc = mg_json_parse((const char *)data, size, 0, NULL);

        if (!doc)
            abort();
        cJSON_Delete(doc);
    }
    mg_store_free(s);
    unlink(path);
    return 0;
}
