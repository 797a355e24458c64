/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_review.c - libFuzzer target for the whole review path: any bytes through
 * mg_engine_review on both endpoints. The answer must always be a JSON document. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mg_engine *engine;
    struct mg_reply reply = {0};
    struct mg_err err = {0};

    if (!engine) {
        struct mg_config cfg;

        mg_config_init(&cfg);
        if (mg_engine_new(&engine, &cfg, mg_store_new(), &err))
            abort();
    }
    for (int ep = 0; ep < 2; ep++) {
        cJSON *parsed;

        mg_engine_review(engine, ep ? MG_EP_MUTATE : MG_EP_VALIDATE, (const char *)data, size,
                         &reply, &err);
        if (!reply.body)
            abort();
        parsed = cJSON_Parse(reply.body);
        if (!parsed)
            abort();
        cJSON_Delete(parsed);
        mg_reply_free(&reply);
    }
    return 0;
}
