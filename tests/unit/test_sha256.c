/* Unit tests for sha256.h: FIPS 180-2 vectors, streaming, and hashing file
 * descriptors (regular files and pipes). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "haechi/sha256.h"
#include "testutil.h"

#define SHA_EMPTY                                                              \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC                                                                \
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_448                                                                \
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define SHA_896                                                                \
    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
#define SHA_MILLION_A                                                          \
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

static const char MSG_448[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char MSG_896[] =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
    "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

static void assert_digest(const uint8_t got[32], const char *want_hex)
{
    size_t n;
    uint8_t *want = tu_unhex(want_hex, &n);
    assert_int_equal(n, 32);
    assert_memory_equal(got, want, 32);
    free(want);
}

static uint64_t rng_state = 0x13198a2e03707344ULL;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void sha_chunked(uint8_t out[32], const uint8_t *data, size_t len,
                        size_t max_chunk)
{
    hc_sha256_ctx ctx;
    assert_int_equal(hc_sha256_init(&ctx), HC_OK);
    size_t off = 0;
    while (off < len) {
        size_t n = (size_t)(rnd() % (max_chunk + 1));
        if (n > len - off)
            n = len - off;
        assert_int_equal(hc_sha256_update(&ctx, data + off, n), HC_OK);
        off += n;
    }
    assert_int_equal(hc_sha256_final(&ctx, out), HC_OK);
    hc_sha256_free(&ctx);
}

static uint8_t *million_a(void)
{
    uint8_t *m = malloc(1000000);
    assert_non_null(m);
    memset(m, 'a', 1000000);
    return m;
}

/* --- FIPS 180-2 vectors ------------------------------------------------- */

static void test_fips_vectors(void **state)
{
    (void)state;
    uint8_t h[32];
    assert_int_equal(hc_sha256(h, "abc", 3), HC_OK);
    assert_digest(h, SHA_ABC);
    assert_int_equal(hc_sha256(h, "", 0), HC_OK);
    assert_digest(h, SHA_EMPTY);
    assert_int_equal(hc_sha256(h, MSG_448, strlen(MSG_448)), HC_OK);
    assert_digest(h, SHA_448);
    assert_int_equal(hc_sha256(h, MSG_896, strlen(MSG_896)), HC_OK);
    assert_digest(h, SHA_896);
}

static void test_million_a(void **state)
{
    (void)state;
    uint8_t h[32];
    uint8_t *m = million_a();
    assert_int_equal(hc_sha256(h, m, 1000000), HC_OK);
    assert_digest(h, SHA_MILLION_A);
    sha_chunked(h, m, 1000000, 9973);
    assert_digest(h, SHA_MILLION_A);
    /* a thousand updates of a thousand bytes */
    hc_sha256_ctx ctx;
    assert_int_equal(hc_sha256_init(&ctx), HC_OK);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(hc_sha256_update(&ctx, m, 1000), HC_OK);
    assert_int_equal(hc_sha256_final(&ctx, h), HC_OK);
    hc_sha256_free(&ctx);
    assert_digest(h, SHA_MILLION_A);
    free(m);
}

/* --- streaming ---------------------------------------------------------- */

static void test_streaming_vectors(void **state)
{
    (void)state;
    uint8_t h[32];
    hc_sha256_ctx ctx;
    /* no update at all */
    assert_int_equal(hc_sha256_init(&ctx), HC_OK);
    assert_int_equal(hc_sha256_final(&ctx, h), HC_OK);
    hc_sha256_free(&ctx);
    assert_digest(h, SHA_EMPTY);
    /* empty updates, with and without a pointer */
    assert_int_equal(hc_sha256_init(&ctx), HC_OK);
    assert_int_equal(hc_sha256_update(&ctx, NULL, 0), HC_OK);
    assert_int_equal(hc_sha256_update(&ctx, "a", 1), HC_OK);
    assert_int_equal(hc_sha256_update(&ctx, "", 0), HC_OK);
    assert_int_equal(hc_sha256_update(&ctx, "bc", 2), HC_OK);
    assert_int_equal(hc_sha256_final(&ctx, h), HC_OK);
    hc_sha256_free(&ctx);
    assert_digest(h, SHA_ABC);
    for (int i = 0; i < 10; i++) {
        sha_chunked(h, (const uint8_t *)MSG_448, strlen(MSG_448), 9);
        assert_digest(h, SHA_448);
        sha_chunked(h, (const uint8_t *)MSG_896, strlen(MSG_896), 70);
        assert_digest(h, SHA_896);
    }
}

static void test_streaming_lengths(void **state)
{
    (void)state;
    /* every length 0..300 crosses the 55/56/64-byte padding boundaries */
    uint8_t msg[300], one[32], h[32];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(rnd() >> 29);
    for (size_t len = 0; len <= sizeof msg; len++) {
        assert_int_equal(hc_sha256(one, msg, len), HC_OK);
        for (int rep = 0; rep < 3; rep++) {
            sha_chunked(h, msg, len, rep == 0 ? 1 : rep == 1 ? 17 : 130);
            assert_memory_equal(h, one, 32);
        }
    }
}

static void test_free_and_misuse(void **state)
{
    (void)state;
    hc_sha256_ctx ctx;
    uint8_t h[32];
    assert_int_equal(hc_sha256_init(&ctx), HC_OK);
    assert_non_null(ctx.md);
    hc_sha256_free(&ctx);
    assert_null(ctx.md);
    /* free twice is harmless; a freed context is refused */
    hc_sha256_free(&ctx);
    assert_int_equal(hc_sha256_update(&ctx, "x", 1), HC_ERR_ARG);
    assert_int_equal(hc_sha256_final(&ctx, h), HC_ERR_ARG);
    /* init again after free works */
    assert_int_equal(hc_sha256_init(&ctx), HC_OK);
    assert_int_equal(hc_sha256_update(&ctx, "abc", 3), HC_OK);
    assert_int_equal(hc_sha256_final(&ctx, h), HC_OK);
    hc_sha256_free(&ctx);
    assert_digest(h, SHA_ABC);
    /* independent contexts do not interfere */
    hc_sha256_ctx c1, c2;
    uint8_t h1[32], h2[32];
    assert_int_equal(hc_sha256_init(&c1), HC_OK);
    assert_int_equal(hc_sha256_init(&c2), HC_OK);
    assert_int_equal(hc_sha256_update(&c1, "ab", 2), HC_OK);
    assert_int_equal(hc_sha256_update(&c2, MSG_448, 20), HC_OK);
    assert_int_equal(hc_sha256_update(&c1, "c", 1), HC_OK);
    assert_int_equal(hc_sha256_update(&c2, MSG_448 + 20, strlen(MSG_448) - 20),
                     HC_OK);
    assert_int_equal(hc_sha256_final(&c1, h1), HC_OK);
    assert_int_equal(hc_sha256_final(&c2, h2), HC_OK);
    hc_sha256_free(&c1);
    hc_sha256_free(&c2);
    assert_digest(h1, SHA_ABC);
    assert_digest(h2, SHA_448);
}

/* --- hc_sha256_fd ------------------------------------------------------- */

struct progress {
    uint64_t calls, last;
    int monotonic;
};

static void on_progress(void *arg, uint64_t done)
{
    struct progress *p = arg;
    if (done <= p->last)
        p->monotonic = 0;
    p->last = done;
    p->calls++;
}

/* Writes data to a new temporary file and returns an fd open for reading
 * at offset 0. The file is unlinked at once. */
static int temp_file_with(const uint8_t *data, size_t len)
{
    char path[] = "/tmp/haechi_test_sha256_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        assert_true(n > 0);
        off += (size_t)n;
    }
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

static uint8_t *pattern(size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)((i * 2654435761u) >> 13);
    return p;
}

static void test_fd_file(void **state)
{
    (void)state;
    /* sizes around the 1 MiB read chunk, and small ones */
    const size_t sizes[] = {0,
                            1,
                            3,
                            64,
                            65536,
                            (1u << 20) - 1,
                            1u << 20,
                            (1u << 20) + 1,
                            3 * (1u << 20) + 12345};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t len = sizes[i];
        uint8_t *data = pattern(len), want[32], got[32];
        assert_int_equal(hc_sha256(want, data, len), HC_OK);
        int fd = temp_file_with(data, len);
        uint64_t total = 12345;
        struct progress pr = {0, 0, 1};
        assert_int_equal(hc_sha256_fd(got, &total, fd, on_progress, &pr),
                         HC_OK);
        assert_memory_equal(got, want, 32);
        assert_true(total == len);
        assert_true(pr.monotonic);
        assert_true(pr.last == len);
        if (len)
            assert_true(pr.calls >= 1);
        else
            assert_true(pr.calls == 0);
        /* hashing from the current offset: after a seek */
        if (len > 10) {
            assert_int_equal(lseek(fd, 10, SEEK_SET), 10);
            assert_int_equal(hc_sha256(want, data + 10, len - 10), HC_OK);
            assert_int_equal(hc_sha256_fd(got, NULL, fd, NULL, NULL), HC_OK);
            assert_memory_equal(got, want, 32);
        }
        close(fd);
        free(data);
    }
}

static void test_fd_million_a(void **state)
{
    (void)state;
    uint8_t *m = million_a(), h[32];
    int fd = temp_file_with(m, 1000000);
    uint64_t total = 0;
    assert_int_equal(hc_sha256_fd(h, &total, fd, NULL, NULL), HC_OK);
    assert_digest(h, SHA_MILLION_A);
    assert_true(total == 1000000);
    close(fd);
    free(m);
}

/* Forks a child that writes data to a pipe in uneven pieces; returns the
 * read end. */
static int pipe_from_child(const uint8_t *data, size_t len, pid_t *pid)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    *pid = fork();
    assert_true(*pid >= 0);
    if (*pid == 0) {
        close(p[0]);
        size_t off = 0, step = 1;
        while (off < len) {
            size_t n = step < len - off ? step : len - off;
            ssize_t w = write(p[1], data + off, n);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                _exit(1);
            }
            off += (size_t)w;
            step = step * 7 % 100003 + 1;
        }
        close(p[1]);
        _exit(0);
    }
    close(p[1]);
    return p[0];
}

static void test_fd_pipe(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 5, 4096, 65537, 2 * (1u << 20) + 777};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t len = sizes[i];
        uint8_t *data = pattern(len), want[32], got[32];
        assert_int_equal(hc_sha256(want, data, len), HC_OK);
        pid_t pid;
        int fd = pipe_from_child(data, len, &pid);
        uint64_t total = 99;
        struct progress pr = {0, 0, 1};
        assert_int_equal(hc_sha256_fd(got, &total, fd, on_progress, &pr),
                         HC_OK);
        close(fd);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        assert_memory_equal(got, want, 32);
        assert_true(total == len);
        assert_true(pr.monotonic);
        assert_true(pr.last == len);
        free(data);
    }
}

static void test_fd_pipe_in_process(void **state)
{
    (void)state;
    /* a small message fits in the pipe buffer: write it, close, hash */
    int p[2];
    uint8_t h[32];
    uint64_t total = 0;
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], MSG_448, strlen(MSG_448)),
                     (ssize_t)strlen(MSG_448));
    close(p[1]);
    assert_int_equal(hc_sha256_fd(h, &total, p[0], NULL, NULL), HC_OK);
    close(p[0]);
    assert_digest(h, SHA_448);
    assert_true(total == strlen(MSG_448));
}

static void test_fd_errors(void **state)
{
    (void)state;
    uint8_t h[32];
    uint64_t total = 777;
    /* a closed descriptor */
    int p[2];
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    close(p[1]);
    errno = 0;
    assert_int_equal(hc_sha256_fd(h, &total, p[0], NULL, NULL), HC_ERR_IO);
    assert_int_equal(errno, EBADF);
    assert_true(total == 777); /* not set on failure */
    errno = 0;
    assert_int_equal(hc_sha256_fd(h, NULL, -1, NULL, NULL), HC_ERR_IO);
    assert_int_equal(errno, EBADF);
    /* a directory cannot be read */
    int dfd = open("/tmp", O_RDONLY);
    assert_true(dfd >= 0);
    errno = 0;
    assert_int_equal(hc_sha256_fd(h, NULL, dfd, NULL, NULL), HC_ERR_IO);
    assert_int_equal(errno, EISDIR);
    close(dfd);
    /* a write-only descriptor */
    int wfd = open("/dev/null", O_WRONLY);
    assert_true(wfd >= 0);
    errno = 0;
    assert_int_equal(hc_sha256_fd(h, NULL, wfd, NULL, NULL), HC_ERR_IO);
    assert_int_equal(errno, EBADF);
    close(wfd);
}

int main(void)
{
    /* a child that dies must not take the test runner with it */
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips_vectors),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_streaming_vectors),
        cmocka_unit_test(test_streaming_lengths),
        cmocka_unit_test(test_free_and_misuse),
        cmocka_unit_test(test_fd_file),
        cmocka_unit_test(test_fd_million_a),
        cmocka_unit_test(test_fd_pipe),
        cmocka_unit_test(test_fd_pipe_in_process),
        cmocka_unit_test(test_fd_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
