/* Unit tests for hashing in a background thread (sha256.h, hc_sha256_bg_*):
 * the same digest as hashing in place, whatever the chunk sizes; empty
 * streams; abandoning a hash; misuse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/sha256.h"
#include "testutil.h"

static uint64_t rng_state = 0x452821e638d01377ULL;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint8_t *random_bytes(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
    return p;
}

/* Hashes data[0..len): the first `before` bytes in place, the rest through
 * the background hasher in chunks of at most max_chunk bytes (0 included). */
static void bg_hash(uint8_t out[32], const uint8_t *data, size_t len,
                    size_t before, size_t max_chunk)
{
    hc_sha256_ctx ctx;
    hc_sha256_bg *bg;
    assert_int_equal(hc_sha256_init(&ctx), HC_OK);
    assert_int_equal(hc_sha256_update(&ctx, data, before), HC_OK);
    assert_int_equal(hc_sha256_bg_start(&bg, &ctx), HC_OK);
    assert_null(ctx.md); /* taken over */
    size_t off = before;
    while (off < len) {
        size_t n = (size_t)(rnd() % (max_chunk + 1));
        if (n > len - off)
            n = len - off;
        assert_int_equal(hc_sha256_bg_update(bg, data + off, n), HC_OK);
        off += n;
    }
    assert_int_equal(hc_sha256_bg_finish(bg, &ctx), HC_OK);
    assert_non_null(ctx.md);
    assert_int_equal(hc_sha256_final(&ctx, out), HC_OK);
    hc_sha256_free(&ctx);
}

static void test_same_digest(void **state)
{
    (void)state;
    /* around and across the ring's size (1 MiB in four slots) */
    static const size_t lens[] = {0,       1,       63,      64,
                                  65,      262143,  262144,  262145,
                                  1048575, 1048576, 1048577, 3 * 1048576 + 17,
                                  9000001};
    static const size_t chunks[] = {1, 1000, 65536, 300000, 2000000};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
        uint8_t *data = random_bytes(lens[i]);
        uint8_t want[32], got[32];
        assert_int_equal(hc_sha256(want, data, lens[i]), HC_OK);
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            if (chunks[c] == 1 && lens[i] > 1100000)
                continue; /* byte by byte: too slow to be worth it */
            size_t before = lens[i] ? (size_t)(rnd() % (lens[i] + 1)) : 0;
            bg_hash(got, data, lens[i], before, chunks[c]);
            assert_memory_equal(got, want, 32);
            bg_hash(got, data, lens[i], 0, chunks[c]);
            assert_memory_equal(got, want, 32);
        }
        free(data);
    }
}

static void test_abandon(void **state)
{
    (void)state;
    size_t len = 5 * 1048576 + 3;
    uint8_t *data = random_bytes(len);
    for (size_t stop_at = 0; stop_at <= len; stop_at += 1048576 + 12345) {
        hc_sha256_ctx ctx;
        hc_sha256_bg *bg;
        assert_int_equal(hc_sha256_init(&ctx), HC_OK);
        assert_int_equal(hc_sha256_bg_start(&bg, &ctx), HC_OK);
        assert_int_equal(hc_sha256_bg_update(bg, data, stop_at), HC_OK);
        hc_sha256_bg_free(bg); /* frees the context too */
    }
    hc_sha256_bg_free(NULL);
    free(data);
}

static void test_misuse(void **state)
{
    (void)state;
    hc_sha256_ctx ctx = {NULL};
    hc_sha256_bg *bg = (hc_sha256_bg *)&ctx;
    assert_int_equal(hc_sha256_bg_start(&bg, &ctx), HC_ERR_ARG);
    assert_null(bg);
    assert_int_equal(hc_sha256_bg_start(&bg, NULL), HC_ERR_ARG);
    assert_int_equal(hc_sha256_bg_update(NULL, "x", 1), HC_ERR_ARG);
    assert_int_equal(hc_sha256_bg_finish(NULL, &ctx), HC_ERR_ARG);

    assert_int_equal(hc_sha256_init(&ctx), HC_OK);
    assert_int_equal(hc_sha256_bg_start(&bg, &ctx), HC_OK);
    assert_int_equal(hc_sha256_bg_update(bg, NULL, 1), HC_ERR_ARG);
    assert_int_equal(hc_sha256_bg_update(bg, NULL, 0), HC_OK);
    uint8_t got[32];
    assert_int_equal(hc_sha256_bg_finish(bg, &ctx), HC_OK);
    assert_int_equal(hc_sha256_final(&ctx, got), HC_OK);
    hc_sha256_free(&ctx);
    uint8_t want[32];
    assert_int_equal(hc_sha256(want, "", 0), HC_OK);
    assert_memory_equal(got, want, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_digest),
        cmocka_unit_test(test_abandon),
        cmocka_unit_test(test_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
