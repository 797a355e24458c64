/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_yaml.c - libFuzzer target for mg_yaml_parse with marks: any bytes in; every
 * node of every document must map to a line inside the input (abort otherwise), and
 * failures must leave the output empty. Build with clang -fsanitize=fuzzer,address. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamljson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct walk {
    const struct mg_marks *marks;
    int max_line;
    size_t budget;
};

/* Append one escaped token to ptr (cap bytes); false when it does not fit. */
static bool append(char *ptr, size_t cap, size_t *len, const char *tok)
{
    if (*len + 1 >= cap)
        return false;
    ptr[(*len)++] = '/';
    for (; *tok; tok++) {
        const char *rep = *tok == '~' ? "~0" : *tok == '/' ? "~1" : NULL;
        size_t n = rep ? 2 : 1;

        if (*len + n >= cap)
            return false;
        memcpy(ptr + *len, rep ? rep : tok, n);
        *len += n;
    }
    ptr[*len] = '\0';
    return true;
}

static void walk(struct walk *w, const cJSON *node, char *ptr, size_t cap, size_t len)
{
    const cJSON *c;
    size_t i = 0;
    int line = mg_marks_line(w->marks, ptr);

    if (line < 1 || line > w->max_line)
        abort();
    cJSON_ArrayForEach (c, node) {
        char idx[24];
        size_t save = len;

        if (w->budget == 0)
            return;
        w->budget--;
        snprintf(idx, sizeof(idx), "%zu", i++);
        if (append(ptr, cap, &len, cJSON_IsObject(node) ? c->string : idx))
            walk(w, c, ptr, cap, len);
        len = save;
        ptr[len] = '\0';
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mg_yaml_docs docs;
    struct mg_err err;
    char ptr[4096];
    int lines = 1;

    for (size_t i = 0; i < size; i++)
        /* libyaml also breaks lines at NEL, LS and PS: over-counting is fine. */
        lines += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xa8 ||
                 data[i] == 0xa9;
    if (mg_yaml_parse((const char *)data, size, "fuzz", true, &docs, &err) != 0) {
        if (docs.n != 0 || docs.docs || err.line < 0)
            abort();
        return 0;
    }
    for (size_t i = 0; i < docs.n; i++) {
        struct walk w = {docs.marks[i], lines + 1, 100000};

        if (docs.lines[i] < 1 || docs.lines[i] > lines + 1)
            abort();
        ptr[0] = '\0';
        walk(&w, docs.docs[i], ptr, sizeof(ptr), 0);
    }
    mg_yaml_docs_free(&docs);
    return 0;
}
