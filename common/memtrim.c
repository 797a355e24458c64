/* SPDX-License-Identifier: Apache-2.0 */
/* memtrim.c - mg_mem_trim over glibc's malloc_trim. */
#include "memtrim.h"

#include <stdlib.h> /* defines __GLIBC__ on glibc */

#ifdef __GLIBC__
#include <malloc.h>
#endif

void mg_mem_trim(void)
{
#ifdef __GLIBC__
    (void)malloc_trim(0);
#endif
}
