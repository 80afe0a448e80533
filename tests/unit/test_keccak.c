/* Unit tests for keccak.h: Keccak-256 with the original 0x01 padding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/keccak.h"
#include "testutil.h"

static void assert_digest(const uint8_t got[32], const char *want_hex)
{
    size_t n;
    uint8_t *want = tu_unhex(want_hex, &n);
    assert_int_equal(n, 32);
    assert_memory_equal(got, want, 32);
    free(want);
}

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Hashes data with update calls of random sizes (including zero). */
static void keccak_chunked(uint8_t out[32], const uint8_t *data, size_t len,
                           size_t max_chunk)
{
    hc_keccak_ctx ctx;
    hc_keccak256_init(&ctx);
    size_t off = 0;
    while (off < len) {
        size_t n = (size_t)(rnd() % (max_chunk + 1));
        if (n > len - off)
            n = len - off;
        hc_keccak256_update(&ctx, data + off, n);
        off += n;
    }
    hc_keccak256_update(&ctx, data + len, 0);
    hc_keccak256_final(&ctx, out);
}

static void hash_str(uint8_t out[32], const char *s)
{
    hc_keccak256(out, s, strlen(s));
}

/* --- published vectors -------------------------------------------------- */

static void test_empty(void **state)
{
    (void)state;
    uint8_t h[32];
    /* Keccak-256("") - the well-known Ethereum empty hash (KECCAK_EMPTY) */
    hc_keccak256(h, "", 0);
    assert_digest(
        h, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    hc_keccak256(h, NULL, 0);
    assert_digest(
        h, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    /* streaming with no update at all */
    hc_keccak_ctx ctx;
    hc_keccak256_init(&ctx);
    hc_keccak256_final(&ctx, h);
    assert_digest(
        h, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

static void test_abc(void **state)
{
    (void)state;
    uint8_t h[32];
    hash_str(h, "abc");
    assert_digest(
        h, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    /* not SHA3-256("abc") = 3a985da7...: the padding must be Keccak's */
    static const uint8_t sha3_abc[4] = {0x3a, 0x98, 0x5d, 0xa7};
    assert_memory_not_equal(h, sha3_abc, 4);
}

static void test_fox(void **state)
{
    (void)state;
    uint8_t h[32];
    /* Keccak-256 of the pangram, as listed in Wikipedia's SHA-3 article
     * (Keccak submission padding) and by `cast keccak "The quick brown fox
     * jumps over the lazy dog"` */
    hash_str(h, "The quick brown fox jumps over the lazy dog");
    assert_digest(
        h, "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

static void test_200_bytes_a3(void **state)
{
    (void)state;
    /* The Keccak team's 1600-bit test message: 200 bytes of 0xa3.
     * Value from: cast keccak 0x$(python3 -c "print('a3'*200)") */
    uint8_t msg[200], h[32];
    memset(msg, 0xa3, sizeof msg);
    hc_keccak256(h, msg, sizeof msg);
    assert_digest(
        h, "3a57666b048777f2c953dc4456f45a2588e1cb6f2da760122d530ac2ce607d4a");
    for (int i = 0; i < 20; i++) {
        keccak_chunked(h, msg, sizeof msg, 1 + (size_t)i * 11);
        assert_digest(h, "3a57666b048777f2c953dc4456f45a2588e1cb6f2da760122d5"
                         "30ac2ce607d4a");
    }
}

static void test_million_a(void **state)
{
    (void)state;
    /* Keccak-256 of 1,000,000 'a' (the classic long-message test).
     * Value from: head -c 1000000 /dev/zero | tr '\0' a | cast keccak */
    const char *want =
        "fadae6b49f129bbb812be8407b7b2894f34aecf6dbd1f9b0f0c7e9853098fc96";
    size_t n = 1000000;
    uint8_t *msg = malloc(n), h[32];
    assert_non_null(msg);
    memset(msg, 'a', n);
    hc_keccak256(h, msg, n);
    assert_digest(h, want);
    /* in uneven chunks */
    keccak_chunked(h, msg, n, 10007);
    assert_digest(h, want);
    /* one 'a' at a time, without a buffer */
    hc_keccak_ctx ctx;
    hc_keccak256_init(&ctx);
    for (size_t i = 0; i < n; i++)
        hc_keccak256_update(&ctx, "a", 1);
    hc_keccak256_final(&ctx, h);
    assert_digest(h, want);
    free(msg);
}

/* --- cross-checked with cast (foundry 1.7.1) ---------------------------- */

static void test_cast_rate_boundaries(void **state)
{
    (void)state;
    /* Messages of 'a' around the 136-byte rate. Values from
     *   cast keccak "$(python3 -c "print('a'*N,end='')")"
     * for N = 135, 136, 137, 200, 272. */
    static const struct {
        size_t n;
        const char *hex;
    } v[] = {
        {135,
         "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446"},
        {136,
         "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e"},
        {137,
         "d869f639c7046b4929fc92a4d988a8b22c55fbadb802c0c66ebcd484f1915f39"},
        {200,
         "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d"},
        {272,
         "cf7fcd4f705ee749930d19ca84561a9bf62516bd90a471545fa2f49fdc7e63c8"},
    };
    uint8_t msg[272], h[32];
    memset(msg, 'a', sizeof msg);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        hc_keccak256(h, msg, v[i].n);
        assert_digest(h, v[i].hex);
        keccak_chunked(h, msg, v[i].n, 50);
        assert_digest(h, v[i].hex);
    }
}

static void test_cast_misc(void **state)
{
    (void)state;
    uint8_t h[32];
    /* cast keccak hello */
    hash_str(h, "hello");
    assert_digest(
        h, "1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8");
    /* bytes 0, 1, ..., 255, 0, 1, ..., 43 (300 bytes). Value from
     *   cast keccak 0x$(python3 -c "print(''.join('%02x'%(i&255)
     *                                      for i in range(300)))") */
    uint8_t msg[300];
    for (int i = 0; i < 300; i++)
        msg[i] = (uint8_t)i;
    hc_keccak256(h, msg, sizeof msg);
    assert_digest(
        h, "a679e749a6af300c36e7ff2255d220864eab27b382f9cfdc5aa4d13563ba36ff");
}

/* --- streaming ---------------------------------------------------------- */

static void test_streaming_lengths(void **state)
{
    (void)state;
    /* for every length 0..300 (crossing the 136-byte rate twice), streaming
     * in random chunks, byte by byte and in two halves all agree with the
     * one-shot hash */
    uint8_t msg[301], one[32], h[32];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(rnd() >> 13);
    for (size_t len = 0; len <= 300; len++) {
        hc_keccak256(one, msg, len);
        for (int rep = 0; rep < 4; rep++) {
            keccak_chunked(h, msg, len, rep == 0 ? 3 : rep == 1 ? 40 : 200);
            assert_memory_equal(h, one, 32);
        }
        hc_keccak_ctx ctx;
        hc_keccak256_init(&ctx);
        for (size_t i = 0; i < len; i++)
            hc_keccak256_update(&ctx, msg + i, 1);
        hc_keccak256_final(&ctx, h);
        assert_memory_equal(h, one, 32);
        for (size_t cut = 0; cut <= len; cut += len / 7 + 1) {
            hc_keccak256_init(&ctx);
            hc_keccak256_update(&ctx, msg, cut);
            hc_keccak256_update(&ctx, msg + cut, len - cut);
            hc_keccak256_final(&ctx, h);
            assert_memory_equal(h, one, 32);
        }
    }
}

static void test_distinct_lengths(void **state)
{
    (void)state;
    /* zero-padded messages of different lengths hash differently (the
     * padding is unambiguous) */
    uint8_t zeros[300] = {0}, h[301][32];
    for (size_t len = 0; len <= 300; len++)
        hc_keccak256(h[len], zeros, len);
    for (size_t a = 0; a <= 300; a++)
        for (size_t b = 0; b < a; b++)
            assert_memory_not_equal(h[a], h[b], 32);
}

static void test_final_wipes_and_reuse(void **state)
{
    (void)state;
    hc_keccak_ctx ctx, zero;
    uint8_t h[32], h2[32];
    memset(&zero, 0, sizeof zero);
    hc_keccak256_init(&ctx);
    hc_keccak256_update(&ctx, "secret", 6);
    hc_keccak256_final(&ctx, h);
    /* the context is wiped after final */
    assert_memory_equal(&ctx, &zero, sizeof ctx);
    /* and can be reused after init */
    hc_keccak256_init(&ctx);
    hc_keccak256_update(&ctx, "secret", 6);
    hc_keccak256_final(&ctx, h2);
    assert_memory_equal(h, h2, 32);
    /* init resets a dirty context */
    hc_keccak256_init(&ctx);
    hc_keccak256_update(&ctx, "garbage", 7);
    hc_keccak256_init(&ctx);
    hc_keccak256_update(&ctx, "abc", 3);
    hc_keccak256_final(&ctx, h);
    assert_digest(
        h, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

static void test_unaligned_input(void **state)
{
    (void)state;
    /* input at every alignment gives the same digest */
    uint8_t buf[300 + 8], one[32], h[32];
    uint8_t msg[300];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 13 + 5);
    hc_keccak256(one, msg, sizeof msg);
    for (size_t off = 0; off < 8; off++) {
        memcpy(buf + off, msg, sizeof msg);
        hc_keccak256(h, buf + off, sizeof msg);
        assert_memory_equal(h, one, 32);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_abc),
        cmocka_unit_test(test_fox),
        cmocka_unit_test(test_200_bytes_a3),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_cast_rate_boundaries),
        cmocka_unit_test(test_cast_misc),
        cmocka_unit_test(test_streaming_lengths),
        cmocka_unit_test(test_distinct_lengths),
        cmocka_unit_test(test_final_wipes_and_reuse),
        cmocka_unit_test(test_unaligned_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
