/* SPDX-License-Identifier: Apache-2.0 */
/* utf8.h - UTF-8 validation for text that is echoed (responses, logs): review strings
 * are passed through by the parser as they came. */
#ifndef MG_UTF8_H
#define MG_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (1 to 4 bytes; ASCII, NUL included, is 1),
 * or 0 when the bytes there are not one: overlong forms, surrogates, code points past
 * U+10FFFF, stray continuation bytes, or a sequence longer than left. */
size_t mg_utf8_seq(const unsigned char *s, size_t left);

#endif
