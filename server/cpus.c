/* SPDX-License-Identifier: Apache-2.0 */
/* cpus.c - usable CPUs from sched_getaffinity and the cgroup CPU quota (v2 cpu.max, or
 * v1 cpu.cfs_quota_us and cpu.cfs_period_us). Reads a few small files; no state. */
#define _GNU_SOURCE
#include "cpus.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

unsigned mg_cpus_cap(unsigned cpus, long quota_us, long period_us)
{
    if (cpus < 1)
        cpus = 1;
    if (quota_us > 0 && period_us > 0) {
        long n = (quota_us + period_us - 1) / period_us;

        if (n < (long)cpus)
            cpus = n < 1 ? 1 : (unsigned)n;
    }
    return cpus;
}

static int parse_long(const char *s, char **end, long *out)
{
    long v;

    errno = 0;
    v = strtol(s, end, 10);
    if (errno || *end == s)
        return -1;
    *out = v;
    return 0;
}

int mg_cpus_parse_max(const char *text, long *quota_us, long *period_us)
{
    const char *p = text;
    char *end;

    *quota_us = -1;
    *period_us = 100000;
    if (strncmp(p, "max", 3) == 0) {
        p += 3;
    } else {
        if (parse_long(p, &end, quota_us) || *quota_us <= 0)
            return -1;
        p = end;
    }
    if (*p == ' ') {
        if (parse_long(p + 1, &end, period_us) || *period_us <= 0)
            return -1;
        p = end;
    }
    return *p == '\0' || *p == '\n' ? 0 : -1;
}

/* The first line of path, NUL-terminated; -1 when it cannot be read. */
static int read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    int rc = -1;

    if (!f)
        return -1;
    if (fgets(buf, (int)len, f))
        rc = 0;
    fclose(f);
    return rc;
}

unsigned mg_cpus_usable(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN), quota = -1, period = 100000;
    cpu_set_t set;
    char line[64];

    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        n = CPU_COUNT(&set);
    if (n < 1)
        n = 1;
    if (read_line("/sys/fs/cgroup/cpu.max", line, sizeof(line)) == 0) {
        if (mg_cpus_parse_max(line, &quota, &period) != 0)
            quota = -1;
    } else if (read_line("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", line, sizeof(line)) == 0) {
        char *end;

        if (parse_long(line, &end, &quota) == 0 &&
            read_line("/sys/fs/cgroup/cpu/cpu.cfs_period_us", line, sizeof(line)) == 0 &&
            parse_long(line, &end, &period) == 0) {
            /* -1 in cfs_quota_us: no quota. */
        } else {
            quota = -1;
        }
    }
    return mg_cpus_cap((unsigned)(n > 4096 ? 4096 : n), quota, period);
}
