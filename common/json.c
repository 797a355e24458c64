/* SPDX-License-Identifier: Apache-2.0 */
/* json.c - cJSON accessors shared by the layers, so each module does not keep its own
 * copy. No allocation, no state. */
#include "json.h"

const char *mg_json_str(const cJSON *obj, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}
