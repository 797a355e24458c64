/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_json.c - libFuzzer target for mg_json_parse, checked against cJSON: any bytes in;
 * the parser must give the same answer with and without the arena, every text it accepts
 * cJSON must accept too and print the same (but for strings with a \u0000, which cJSON
 * cuts), and every number must keep its text exactly
 * when jsonnum says so, with a double that text reads as (abort on a difference). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json.h"
#include "jsonnum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* cJSON reads at most 63 characters of a number; longer ones it rounds differently. */
static bool numbers_ok(const cJSON *it, bool *long_number)
{
    for (; it; it = it->next) {
        if (cJSON_IsNumber(it)) {
            const char *t = it->valuestring;

            if (t) {
                if (!mg_jsonnum_needs_text(t, strlen(t)) || strtod(t, NULL) != it->valuedouble)
                    return false;
                *long_number |= strlen(t) > 63;
            } else if (it->valuedouble != floor(it->valuedouble) || fabs(it->valuedouble) >= 1e15) {
                return false;
            }
        }
        if (it->child && !numbers_ok(it->child, long_number))
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct mg_json_error e1 = {0}, e2 = {0};
    cJSON *ours = mg_json_parse(text, size, 0, &e1), *in_arena, *theirs;
    char *a = NULL, *b = NULL, *c = NULL;
    bool long_number = false;

    mg_arena_open();
    in_arena = mg_json_parse(text, size, 0, &e2);
    mg_arena_close();
    if (!ours != !in_arena || (!ours && (e1.at != e2.at || e1.what != e2.what)))
        abort();
    if (!ours) {
        mg_arena_release();
        if (e1.at > size || !e1.what)
            abort();
        return 0;
    }
    if (!numbers_ok(ours, &long_number))
        abort();
    theirs = cJSON_ParseWithLength(text, size);
    if (!theirs)
        abort();
    a = cJSON_PrintUnformatted(ours);
    b = cJSON_PrintUnformatted(in_arena);
    c = cJSON_PrintUnformatted(theirs);
    /* cJSON ends a string at \u0000; ours keeps it whole (MG_JSON_NUL, json.h). */
    if (!a || !b || !c || strcmp(a, b) != 0 ||
        (!long_number && !strstr(a, MG_JSON_NUL) && strcmp(a, c) != 0))
        abort();
    free(a);
    free(b);
    free(c);
    cJSON_Delete(ours);
    cJSON_Delete(theirs);
    mg_arena_release();
    return 0;
}
