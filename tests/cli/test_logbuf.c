/* SPDX-License-Identifier: Apache-2.0 */
/* test_logbuf.c - batched log lines: lines from many threads arrive whole, in each
 * thread's order, all of them by mg_logbuf_stop; a lone line is written by the flusher
 * without a stop; a line longer than the buffer is dropped and counted, the lines around
 * it kept; writers never wait on a descriptor nobody reads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "logbuf.h"

#define THREADS 4
#define LINES 3000

struct writer {
    struct mg_logbuf *b;
    int id;
};

static int temp_fd(char *path, size_t len)
{
    int fd;

    snprintf(path, len, "%s/mg-logbuf-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    return fd;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void *write_lines(void *arg)
{
    const struct writer *w = arg;
    char line[128];

    for (int i = 0; i < LINES; i++) {
        int n = snprintf(line, sizeof(line), "{\"thread\":%d,\"seq\":%d,\"pad\":\"%.*s\"}\n", w->id,
                         i, i % 60, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");

        mg_logbuf_line(w->b, line, (size_t)n);
    }
    return NULL;
}

static void test_logbuf_lines_from_threads_arrive_whole_and_in_order(void **state)
{
    char path[256];
    int fd = temp_fd(path, sizeof(path)), next[THREADS] = {0};
    unsigned long lines = 0, dropped, noted = 0;
    struct mg_logbuf *b = NULL;
    struct writer w[THREADS];
    pthread_t t[THREADS];
    size_t len;
    char *text, *line, *save = NULL;

    (void)state;
    assert_int_equal(mg_logbuf_start(&b, fd, 50), 0);
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct writer){b, i};
        assert_int_equal(pthread_create(&t[i], NULL, write_lines, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    dropped = mg_logbuf_dropped(b);
    mg_logbuf_stop(b);
    close(fd);
    text = slurp(path, &len);
    assert_int_equal(text[len - 1], '\n');
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *end = NULL;
        long id, seq;

        /* Writers in a tight loop can outrun any descriptor: drops are allowed, but
         * counted, and the lines that arrive are whole and in each thread's order. */
        if (strncmp(line, "migguard: decision log: ", 24) == 0) {
            noted += strtoul(line + 24, NULL, 10);
            continue;
        }
        if (strncmp(line, "{\"thread\":", 10) != 0 || line[strlen(line) - 1] != '}')
            fail_msg("broken line: %s", line);
        id = strtol(line + 10, &end, 10);
        assert_true(id >= 0 && id < THREADS);
        assert_true(strncmp(end, ",\"seq\":", 7) == 0);
        seq = strtol(end + 7, NULL, 10);
        if (seq < next[id])
            fail_msg("thread %ld: line %ld after %d", id, seq, next[id] - 1);
        next[id] = (int)seq + 1;
        lines++;
    }
    assert_int_equal(noted, dropped);
    assert_int_equal(lines + dropped, THREADS * LINES);
    free(text);
    unlink(path);
}

static void test_logbuf_flusher_writes_a_lone_line_without_stop(void **state)
{
    char path[256];
    int fd = temp_fd(path, sizeof(path));
    struct mg_logbuf *b = NULL;
    struct stat st = {0};

    (void)state;
    assert_int_equal(mg_logbuf_start(&b, fd, 20), 0);
    mg_logbuf_line(b, "one\n", 4);
    /* Bounded wait: the flusher runs every 20 ms; 5 s means it never ran. */
    for (int i = 0; i < 500 && st.st_size == 0; i++) {
        struct timespec ts = {0, 10 * 1000000L};

        nanosleep(&ts, NULL);
        assert_int_equal(fstat(fd, &st), 0);
    }
    assert_int_equal(st.st_size, 4);
    mg_logbuf_stop(b);
    close(fd);
    unlink(path);
}

static void test_logbuf_line_longer_than_the_buffer_is_dropped_and_counted(void **state)
{
    char path[256];
    int fd = temp_fd(path, sizeof(path));
    struct mg_logbuf *b = NULL;
    size_t big_len = 300 * 1024, len;
    char *big = malloc(big_len), *text;

    (void)state;
    assert_non_null(big);
    memset(big, 'y', big_len - 1);
    big[big_len - 1] = '\n';
    assert_int_equal(mg_logbuf_start(&b, fd, 1000), 0);
    mg_logbuf_line(b, "first\n", 6);
    mg_logbuf_line(b, big, big_len);
    mg_logbuf_line(b, "last\n", 5);
    assert_int_equal(mg_logbuf_dropped(b), 1);
    mg_logbuf_stop(b);
    close(fd);
    text = slurp(path, &len);
    /* The note comes with the next batch, which may or may not hold "last" too. */
    assert_memory_equal(text, "first\n", 6);
    assert_non_null(strstr(text, "\nlast\n"));
    assert_non_null(strstr(text, "\nmigguard: decision log: 1 lines dropped"));
    assert_null(strchr(text, 'y'));
    free(text);
    free(big);
    unlink(path);
}

struct stuck {
    struct mg_logbuf *b;
    int done;
};

static void *write_many(void *arg)
{
    struct stuck *st = arg;
    char line[200];

    memset(line, 'z', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\n';
    for (int i = 0; i < 20000; i++)
        mg_logbuf_line(st->b, line, sizeof(line));
    __atomic_store_n(&st->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void test_logbuf_writers_never_wait_on_a_stuck_descriptor(void **state)
{
    int p[2];
    struct mg_logbuf *b = NULL;
    struct stuck st = {0};
    pthread_t t;
    char sink[65536];

    (void)state;
    assert_int_equal(pipe(p), 0);
    assert_int_equal(mg_logbuf_start(&b, p[1], 5), 0);
    st.b = b;
    /* Nobody reads the pipe: 4 MB of lines cannot all get through, and writers must
     * neither block nor stop. Bounded wait: 10 s means they blocked. */
    assert_int_equal(pthread_create(&t, NULL, write_many, &st), 0);
    for (int i = 0; i < 1000 && !__atomic_load_n(&st.done, __ATOMIC_SEQ_CST); i++) {
        struct timespec ts = {0, 10 * 1000000L};

        nanosleep(&ts, NULL);
    }
    assert_true(__atomic_load_n(&st.done, __ATOMIC_SEQ_CST));
    pthread_join(t, NULL);
    assert_true(mg_logbuf_dropped(b) > 0);
    /* Drain the pipe from here on, so the flusher and the stop can finish. */
    {
        pid_t child = fork();

        assert_true(child >= 0);
        if (child == 0) {
            close(p[1]);
            while (read(p[0], sink, sizeof(sink)) > 0)
                ;
            _exit(0);
        }
        close(p[0]);
        mg_logbuf_stop(b);
        close(p[1]);
        assert_int_equal(waitpid(child, NULL, 0), child);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logbuf_lines_from_threads_arrive_whole_and_in_order),
        cmocka_unit_test(test_logbuf_flusher_writes_a_lone_line_without_stop),
        cmocka_unit_test(test_logbuf_line_longer_than_the_buffer_is_dropped_and_counted),
        cmocka_unit_test(test_logbuf_writers_never_wait_on_a_stuck_descriptor),
    };

    mg_logbuf_stop(NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
