/* SPDX-License-Identifier: Apache-2.0 */
/* memtrim.h - give the memory a big load or swap freed back to the system. */
#ifndef MG_MEMTRIM_H
#define MG_MEMTRIM_H

/* After a list, a reload or a swap freed large transient trees: return the free pages
 * of the heap (glibc's malloc_trim; nothing elsewhere). Small packed objects stay
 * scattered among the freed trees, so without this the RSS keeps the peak. */
void mg_mem_trim(void);

#endif
