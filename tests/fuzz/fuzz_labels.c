/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_labels.c - libFuzzer target for the label and DNS-1123 name checks and the
 * closest-match lookup: any bytes, no crash, reasons always NUL-terminated. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const known[] = {"bandwidthPerMigration", "completionTimeoutPerGiB",
                                        "parallelMigrationsPerCluster", "network"};
    char *s = malloc(size + 1);
    char why[128];

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    why[0] = '\0';
    mg_name_label_key_ok(s, why, sizeof(why));
    mg_name_label_value_ok(s, why, sizeof(why));
    mg_name_dns1123_label_ok(s, why, sizeof(why));
    mg_name_dns1123_subdomain_ok(s, why, sizeof(why));
    if (strnlen(why, sizeof(why)) == sizeof(why))
        abort();
    mg_name_closest(s, known, sizeof(known) / sizeof(known[0]));
    free(s);
    return 0;
}
