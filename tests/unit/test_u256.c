/* Unit tests for u256.h: parsing, formatting and checked arithmetic.
 * Big constants were computed with Python's arbitrary-precision integers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/u256.h"
#include "testutil.h"

typedef unsigned __int128 u128;

#define MAX_DEC                                                                \
    "115792089237316195423570985008687907853269984665640564039457584007913129" \
    "639935"
#define OVER_DEC                                                               \
    "115792089237316195423570985008687907853269984665640564039457584007913129" \
    "639936"
#define MAX_HEX                                                                \
    "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static hc_u256 mk(uint64_t w3, uint64_t w2, uint64_t w1, uint64_t w0)
{
    hc_u256 r = {{w0, w1, w2, w3}};
    return r;
}

static const hc_u256 U_MAX = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};

static void assert_u256_eq(const hc_u256 *a, const hc_u256 *b)
{
    if (hc_u256_cmp(a, b) != 0) {
        char x[HC_U256_HEX_MAX], y[HC_U256_HEX_MAX];
        fail_msg("%s != %s", hc_u256_to_hex(x, a), hc_u256_to_hex(y, b));
    }
}

static uint64_t rng_state = 0x853c49e6748fea9bULL;

static uint64_t rnd(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A random value with a random bit length (so small values appear too). */
static hc_u256 rnd_u256(void)
{
    hc_u256 r = {{rnd(), rnd(), rnd(), rnd()}};
    unsigned bits = (unsigned)(rnd() % 257);
    for (unsigned i = 0; i < 4; i++) {
        unsigned lo = 64 * i;
        if (bits <= lo)
            r.w[i] = 0;
        else if (bits < lo + 64)
            r.w[i] &= (UINT64_C(1) << (bits - lo)) - 1;
    }
    return r;
}

/* --- parsing ------------------------------------------------------------ */

static void test_from_dec_basic(void **state)
{
    (void)state;
    hc_u256 v;
    assert_int_equal(hc_u256_from_dec(&v, "0", 1), HC_OK);
    assert_true(hc_u256_is_zero(&v));
    assert_int_equal(hc_u256_from_dec(&v, "12345", 5), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{12345, 0, 0, 0}});
    /* the length bounds the input */
    assert_int_equal(hc_u256_from_dec(&v, "12345", 3), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{123, 0, 0, 0}});
    /* leading zeros */
    assert_int_equal(hc_u256_from_dec(&v, "007", 3), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{7, 0, 0, 0}});
    assert_int_equal(hc_u256_from_dec(&v, "0000000000", 10), HC_OK);
    assert_true(hc_u256_is_zero(&v));
    /* limb boundaries */
    assert_int_equal(hc_u256_from_dec(&v, "18446744073709551615", 20), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{UINT64_MAX, 0, 0, 0}});
    assert_int_equal(hc_u256_from_dec(&v, "18446744073709551616", 20), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{0, 1, 0, 0}});
    const char *two128 = "340282366920938463463374607431768211456";
    assert_int_equal(hc_u256_from_dec(&v, two128, strlen(two128)), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{0, 0, 1, 0}});
    /* 3^161, a full 256-bit value */
    const char *p3 = "6554235015851763787269196950897070542770115031473825564"
                     "2438471845988797065603";
    assert_int_equal(hc_u256_from_dec(&v, p3, strlen(p3)), HC_OK);
    hc_u256 want = mk(0x90e7a7d36283c458ULL, 0x9cff2b2b8d32d43eULL,
                      0x1eeb4315dc9ac9eaULL, 0xd2ceaacca8492983ULL);
    assert_u256_eq(&v, &want);
}

static void test_from_dec_limits(void **state)
{
    (void)state;
    hc_u256 v;
    /* 2^256 - 1 is the largest accepted value */
    assert_int_equal(hc_u256_from_dec(&v, MAX_DEC, strlen(MAX_DEC)), HC_OK);
    assert_u256_eq(&v, &U_MAX);
    /* 2^256 overflows */
    assert_int_equal(hc_u256_from_dec(&v, OVER_DEC, strlen(OVER_DEC)),
                     HC_ERR_OVERFLOW);
    /* far above the limit; and a 79-digit number */
    const char *big = "999999999999999999999999999999999999999999999999999999"
                      "999999999999999999999999";
    assert_int_equal(hc_u256_from_dec(&v, big, strlen(big)), HC_ERR_OVERFLOW);
    char ten78[80];
    ten78[0] = '1';
    memset(ten78 + 1, '0', 78);
    ten78[79] = 0;
    assert_int_equal(hc_u256_from_dec(&v, ten78, 79), HC_ERR_OVERFLOW);
    /* ... but 10^77 fits (78 digits) */
    assert_int_equal(hc_u256_from_dec(&v, ten78, 78), HC_OK);
    /* many leading zeros before the maximum are fine */
    char padded[200];
    memset(padded, '0', 100);
    strcpy(padded + 100, MAX_DEC);
    assert_int_equal(hc_u256_from_dec(&v, padded, strlen(padded)), HC_OK);
    assert_u256_eq(&v, &U_MAX);
    /* ... and before 2^256 they do not hide the overflow */
    strcpy(padded + 100, OVER_DEC);
    assert_int_equal(hc_u256_from_dec(&v, padded, strlen(padded)),
                     HC_ERR_OVERFLOW);
}

static void test_from_dec_malformed(void **state)
{
    (void)state;
    hc_u256 v = {{42, 0, 0, 0}};
    const char *bad[] = {"-1",   "+1",  " 1", "1 ",  "1_000", "1e3", "1.0",
                         "0x10", "12a", "١",  "\t7", "1,000", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hc_err err = hc_u256_from_dec(&v, bad[i], strlen(bad[i]));
        if (err != HC_ERR_NUMBER)
            fail_msg("\"%s\": got %s", bad[i], hc_strerror(err));
    }
    assert_int_equal(hc_u256_from_dec(&v, "", 0), HC_ERR_NUMBER);
    assert_int_equal(hc_u256_from_dec(&v, "123", 0), HC_ERR_NUMBER);
    /* an embedded NUL within the length */
    assert_int_equal(hc_u256_from_dec(&v, "1\0002", 3), HC_ERR_NUMBER);
    assert_int_equal(hc_u256_from_dec(NULL, "1", 1), HC_ERR_ARG);
    assert_int_equal(hc_u256_from_dec(&v, NULL, 0), HC_ERR_ARG);
    /* a failed parse does not touch the output */
    assert_u256_eq(&v, &(hc_u256){{42, 0, 0, 0}});
}

static void test_from_hex_basic(void **state)
{
    (void)state;
    hc_u256 v;
    assert_int_equal(hc_u256_from_hex(&v, "0x0", 3), HC_OK);
    assert_true(hc_u256_is_zero(&v));
    assert_int_equal(hc_u256_from_hex(&v, "0x00ff", 6), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{255, 0, 0, 0}});
    assert_int_equal(hc_u256_from_hex(&v, "0xABCdef", 8), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{0xabcdef, 0, 0, 0}});
    assert_int_equal(hc_u256_from_hex(&v, "0X1f", 4), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{0x1f, 0, 0, 0}});
    /* odd digit counts are fine for numbers */
    assert_int_equal(hc_u256_from_hex(&v, "0x123", 5), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{0x123, 0, 0, 0}});
    /* limb boundaries */
    assert_int_equal(hc_u256_from_hex(&v, "0x10000000000000000", 19), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{0, 1, 0, 0}});
    const char *w = "0x0123456789abcdeffedcba98765432100f1e2d3c4b5a6978"
                    "8796a5b4c3d2e1f0";
    assert_int_equal(hc_u256_from_hex(&v, w, strlen(w)), HC_OK);
    hc_u256 want = mk(0x0123456789abcdefULL, 0xfedcba9876543210ULL,
                      0x0f1e2d3c4b5a6978ULL, 0x8796a5b4c3d2e1f0ULL);
    assert_u256_eq(&v, &want);
    /* the length bounds the input */
    assert_int_equal(hc_u256_from_hex(&v, "0x12345", 4), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{0x12, 0, 0, 0}});
}

static void test_from_hex_limits(void **state)
{
    (void)state;
    hc_u256 v;
    char s[256];
    /* 64 digits: the maximum */
    assert_int_equal(hc_u256_from_hex(&v, MAX_HEX, strlen(MAX_HEX)), HC_OK);
    assert_u256_eq(&v, &U_MAX);
    /* 65 significant digits: 2^256 */
    strcpy(s, "0x1");
    memset(s + 3, '0', 64);
    s[67] = 0;
    assert_int_equal(hc_u256_from_hex(&v, s, strlen(s)), HC_ERR_OVERFLOW);
    assert_int_equal(hc_u256_parse(&v, s), HC_ERR_OVERFLOW);
    /* 65 digits, all f */
    strcpy(s, "0x");
    memset(s + 2, 'f', 65);
    s[67] = 0;
    assert_int_equal(hc_u256_from_hex(&v, s, strlen(s)), HC_ERR_OVERFLOW);
    /* 65 digits with a leading zero: still 64 significant, fine */
    strcpy(s, "0x0");
    memset(s + 3, 'f', 64);
    s[67] = 0;
    assert_int_equal(hc_u256_from_hex(&v, s, strlen(s)), HC_OK);
    assert_u256_eq(&v, &U_MAX);
    /* 100 leading zeros then 1 */
    strcpy(s, "0x");
    memset(s + 2, '0', 100);
    strcpy(s + 102, "1");
    assert_int_equal(hc_u256_from_hex(&v, s, strlen(s)), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{1, 0, 0, 0}});
    /* 2^255 */
    strcpy(s, "0x8");
    memset(s + 3, '0', 63);
    s[66] = 0;
    assert_int_equal(hc_u256_from_hex(&v, s, strlen(s)), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{0, 0, 0, UINT64_C(1) << 63}});
}

static void test_from_hex_malformed(void **state)
{
    (void)state;
    hc_u256 v = {{42, 0, 0, 0}};
    assert_int_equal(hc_u256_from_hex(&v, "0x", 2), HC_ERR_NUMBER);
    assert_int_equal(hc_u256_from_hex(&v, "", 0), HC_ERR_HEX_PREFIX);
    assert_int_equal(hc_u256_from_hex(&v, "ff", 2), HC_ERR_HEX_PREFIX);
    assert_int_equal(hc_u256_from_hex(&v, "0", 1), HC_ERR_HEX_PREFIX);
    assert_int_equal(hc_u256_from_hex(&v, "x1", 2), HC_ERR_HEX_PREFIX);
    assert_int_equal(hc_u256_from_hex(&v, "-0x1", 4), HC_ERR_HEX_PREFIX);
    assert_int_equal(hc_u256_from_hex(&v, " 0x1", 4), HC_ERR_HEX_PREFIX);
    const char *bad[] = {"0xg",   "0x-1",  "0x+1",  "0x 1", "0x1 ",
                         "0x0x1", "0x1.0", "0x1_0", "0xfg"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hc_err err = hc_u256_from_hex(&v, bad[i], strlen(bad[i]));
        if (err != HC_ERR_HEX_DIGIT)
            fail_msg("\"%s\": got %s", bad[i], hc_strerror(err));
    }
    assert_int_equal(hc_u256_from_hex(NULL, "0x1", 3), HC_ERR_ARG);
    assert_int_equal(hc_u256_from_hex(&v, NULL, 0), HC_ERR_ARG);
    assert_u256_eq(&v, &(hc_u256){{42, 0, 0, 0}});
}

static void test_parse(void **state)
{
    (void)state;
    hc_u256 v;
    assert_int_equal(hc_u256_parse(&v, "1000000000000000000"), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{1000000000000000000ULL, 0, 0, 0}});
    assert_int_equal(hc_u256_parse(&v, "0xde0b6b3a7640000"), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{1000000000000000000ULL, 0, 0, 0}});
    assert_int_equal(hc_u256_parse(&v, "0"), HC_OK);
    assert_true(hc_u256_is_zero(&v));
    assert_int_equal(hc_u256_parse(&v, "00"), HC_OK);
    assert_true(hc_u256_is_zero(&v));
    assert_int_equal(hc_u256_parse(&v, MAX_DEC), HC_OK);
    assert_u256_eq(&v, &U_MAX);
    assert_int_equal(hc_u256_parse(&v, MAX_HEX), HC_OK);
    assert_u256_eq(&v, &U_MAX);
    assert_int_equal(hc_u256_parse(&v, OVER_DEC), HC_ERR_OVERFLOW);
    /* strictness */
    assert_int_equal(hc_u256_parse(&v, ""), HC_ERR_NUMBER);
    assert_int_equal(hc_u256_parse(&v, "0x"), HC_ERR_NUMBER);
    assert_int_equal(hc_u256_parse(&v, "0X"), HC_ERR_NUMBER);
    assert_int_equal(hc_u256_parse(&v, "-1"), HC_ERR_NUMBER);
    assert_int_equal(hc_u256_parse(&v, "+1"), HC_ERR_NUMBER);
    assert_int_equal(hc_u256_parse(&v, " 1"), HC_ERR_NUMBER);
    assert_int_equal(hc_u256_parse(&v, "1 "), HC_ERR_NUMBER);
    assert_int_equal(hc_u256_parse(&v, "1\n"), HC_ERR_NUMBER);
    assert_int_equal(hc_u256_parse(&v, "00x1"), HC_ERR_NUMBER);
    assert_int_equal(hc_u256_parse(&v, "ff"), HC_ERR_NUMBER);
    assert_int_equal(hc_u256_parse(&v, "-0x1"), HC_ERR_NUMBER);
    assert_int_equal(hc_u256_parse(&v, "0x-1"), HC_ERR_HEX_DIGIT);
    assert_int_equal(hc_u256_parse(&v, "0x 1"), HC_ERR_HEX_DIGIT);
    assert_int_equal(hc_u256_parse(&v, NULL), HC_ERR_ARG);
}

/* --- formatting --------------------------------------------------------- */

static void test_to_dec_hex(void **state)
{
    (void)state;
    char d[HC_U256_DEC_MAX], h[HC_U256_HEX_MAX];
    hc_u256 zero = {{0, 0, 0, 0}};
    assert_string_equal(hc_u256_to_dec(d, &zero), "0");
    assert_string_equal(hc_u256_to_hex(h, &zero), "0x0");
    hc_u256 one = hc_u256_from_u64(1);
    assert_string_equal(hc_u256_to_dec(d, &one), "1");
    assert_string_equal(hc_u256_to_hex(h, &one), "0x1");
    hc_u256 v = hc_u256_from_u64(0xabc);
    assert_string_equal(hc_u256_to_dec(d, &v), "2748");
    assert_string_equal(hc_u256_to_hex(h, &v), "0xabc");
    v = mk(0, 0, 1, 0);
    assert_string_equal(hc_u256_to_dec(d, &v), "18446744073709551616");
    assert_string_equal(hc_u256_to_hex(h, &v), "0x10000000000000000");
    /* the maximum fills the buffers exactly */
    assert_ptr_equal(hc_u256_to_dec(d, &U_MAX), d);
    assert_string_equal(d, MAX_DEC);
    assert_int_equal(strlen(d), HC_U256_DEC_MAX - 1);
    assert_ptr_equal(hc_u256_to_hex(h, &U_MAX), h);
    assert_string_equal(h, MAX_HEX);
    assert_int_equal(strlen(h), HC_U256_HEX_MAX - 1);
    /* 3^161 */
    v = mk(0x90e7a7d36283c458ULL, 0x9cff2b2b8d32d43eULL, 0x1eeb4315dc9ac9eaULL,
           0xd2ceaacca8492983ULL);
    assert_string_equal(hc_u256_to_dec(d, &v),
                        "65542350158517637872691969508970705427701150314738255"
                        "642438471845988797065603");
    assert_string_equal(
        hc_u256_to_hex(h, &v),
        "0x90e7a7d36283c4589cff2b2b8d32d43e1eeb4315dc9ac9ead2ceaacca8492983");
}

static void test_roundtrip_random(void **state)
{
    (void)state;
    char d[HC_U256_DEC_MAX], h[HC_U256_HEX_MAX];
    uint8_t be[32], min[32];
    for (int i = 0; i < 5000; i++) {
        hc_u256 v = rnd_u256(), back;
        hc_u256_to_dec(d, &v);
        assert_int_equal(hc_u256_from_dec(&back, d, strlen(d)), HC_OK);
        assert_u256_eq(&back, &v);
        assert_true(d[0] != '0' || d[1] == 0); /* no leading zeros */
        hc_u256_to_hex(h, &v);
        assert_int_equal(hc_u256_from_hex(&back, h, strlen(h)), HC_OK);
        assert_u256_eq(&back, &v);
        assert_true(h[2] != '0' || h[3] == 0);
        for (const char *p = h + 2; *p; p++)
            assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
        assert_int_equal(hc_u256_parse(&back, d), HC_OK);
        assert_u256_eq(&back, &v);
        assert_int_equal(hc_u256_parse(&back, h), HC_OK);
        assert_u256_eq(&back, &v);
        /* big-endian, full and minimal */
        hc_u256_to_be(be, &v);
        assert_int_equal(hc_u256_from_be(&back, be, 32), HC_OK);
        assert_u256_eq(&back, &v);
        size_t n = hc_u256_to_be_min(min, &v);
        assert_int_equal(n, (hc_u256_bits(&v) + 7) / 8);
        assert_memory_equal(min, be + 32 - n, n);
        if (n)
            assert_int_not_equal(min[0], 0);
        assert_int_equal(hc_u256_from_be(&back, min, n), HC_OK);
        assert_u256_eq(&back, &v);
    }
}

static void test_be(void **state)
{
    (void)state;
    uint8_t out[32];
    hc_u256 v;
    /* zero: no bytes at all */
    hc_u256 zero = {{0, 0, 0, 0}};
    memset(out, 0xee, sizeof out);
    assert_int_equal(hc_u256_to_be_min(out, &zero), 0);
    v = hc_u256_from_u64(1);
    assert_int_equal(hc_u256_to_be_min(out, &v), 1);
    assert_int_equal(out[0], 1);
    v = hc_u256_from_u64(0x100);
    assert_int_equal(hc_u256_to_be_min(out, &v), 2);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 0);
    v = hc_u256_from_u64(0xff);
    assert_int_equal(hc_u256_to_be_min(out, &v), 1);
    assert_int_equal(out[0], 0xff);
    v = mk(0, 0, 0x80, 0);
    assert_int_equal(hc_u256_to_be_min(out, &v), 9);
    assert_int_equal(out[0], 0x80);
    assert_int_equal(hc_u256_to_be_min(out, &U_MAX), 32);
    for (int i = 0; i < 32; i++)
        assert_int_equal(out[i], 0xff);
    v = mk(UINT64_C(1) << 63, 0, 0, 0);
    assert_int_equal(hc_u256_to_be_min(out, &v), 32);
    assert_int_equal(out[0], 0x80);
    for (int i = 1; i < 32; i++)
        assert_int_equal(out[i], 0);
    /* to_be is big-endian */
    v = mk(0x0102030405060708ULL, 0x090a0b0c0d0e0f10ULL, 0x1112131415161718ULL,
           0x191a1b1c1d1e1f20ULL);
    hc_u256_to_be(out, &v);
    for (int i = 0; i < 32; i++)
        assert_int_equal(out[i], i + 1);
    /* from_be: 0..32 bytes with any leading zeros */
    uint8_t in[33] = {0};
    assert_int_equal(hc_u256_from_be(&v, in, 0), HC_OK);
    assert_true(hc_u256_is_zero(&v));
    assert_int_equal(hc_u256_from_be(&v, NULL, 0), HC_OK);
    assert_true(hc_u256_is_zero(&v));
    in[31] = 7;
    assert_int_equal(hc_u256_from_be(&v, in, 32), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{7, 0, 0, 0}});
    in[0] = 1;
    assert_int_equal(hc_u256_from_be(&v, in, 33), HC_ERR_OVERFLOW);
    assert_int_equal(hc_u256_from_be(NULL, in, 1), HC_ERR_ARG);
    assert_int_equal(hc_u256_from_be(&v, NULL, 1), HC_ERR_ARG);
    static const uint8_t three[] = {0x01, 0x02, 0x03};
    assert_int_equal(hc_u256_from_be(&v, three, 3), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{0x010203, 0, 0, 0}});
    /* 9 bytes span two limbs */
    static const uint8_t nine[] = {0xaa, 1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(hc_u256_from_be(&v, nine, 9), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{0x0102030405060708ULL, 0xaa, 0, 0}});
}

static void test_bits_cmp_zero(void **state)
{
    (void)state;
    hc_u256 v = {{0, 0, 0, 0}};
    assert_int_equal(hc_u256_bits(&v), 0);
    assert_true(hc_u256_is_zero(&v));
    const struct {
        hc_u256 v;
        unsigned bits;
    } cases[] = {
        {{{1, 0, 0, 0}}, 1},
        {{{2, 0, 0, 0}}, 2},
        {{{3, 0, 0, 0}}, 2},
        {{{255, 0, 0, 0}}, 8},
        {{{256, 0, 0, 0}}, 9},
        {{{UINT64_MAX, 0, 0, 0}}, 64},
        {{{0, 1, 0, 0}}, 65},
        {{{0, 0, 1, 0}}, 129},
        {{{0, 0, 0, 1}}, 193},
        {{{0, 0, 0, UINT64_C(1) << 63}}, 256},
        {{{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}}, 256},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(hc_u256_bits(&cases[i].v), cases[i].bits);
        assert_false(hc_u256_is_zero(&cases[i].v));
    }
    /* every single-bit value */
    for (unsigned b = 0; b < 256; b++) {
        hc_u256 p = {{0, 0, 0, 0}};
        p.w[b / 64] = UINT64_C(1) << (b % 64);
        assert_int_equal(hc_u256_bits(&p), b + 1);
    }
    /* cmp decides on the most significant limb */
    hc_u256 a = mk(1, 0, 0, 0), b = mk(0, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    assert_int_equal(hc_u256_cmp(&a, &b), 1);
    assert_int_equal(hc_u256_cmp(&b, &a), -1);
    assert_int_equal(hc_u256_cmp(&a, &a), 0);
    a = mk(5, 5, 5, 4);
    b = mk(5, 5, 5, 5);
    assert_int_equal(hc_u256_cmp(&a, &b), -1);
    assert_int_equal(hc_u256_cmp(&b, &a), 1);
}

static void test_to_u64(void **state)
{
    (void)state;
    uint64_t x = 0;
    hc_u256 v = hc_u256_from_u64(UINT64_MAX);
    assert_int_equal(hc_u256_to_u64(&x, &v), HC_OK);
    assert_true(x == UINT64_MAX);
    v = mk(0, 0, 1, 0);
    assert_int_equal(hc_u256_to_u64(&x, &v), HC_ERR_OVERFLOW);
    v = mk(1, 0, 0, 5);
    assert_int_equal(hc_u256_to_u64(&x, &v), HC_ERR_OVERFLOW);
    v = hc_u256_from_u64(0);
    assert_int_equal(hc_u256_to_u64(&x, &v), HC_OK);
    assert_true(x == 0);
}

/* --- arithmetic --------------------------------------------------------- */

static void test_add(void **state)
{
    (void)state;
    hc_u256 r, one = hc_u256_from_u64(1);
    /* carries ripple through every limb */
    hc_u256 a = mk(0, 0, 0, UINT64_MAX);
    assert_int_equal(hc_u256_add(&r, &a, &one), HC_OK);
    assert_u256_eq(&r, &(hc_u256){{0, 1, 0, 0}});
    a = mk(0, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    assert_int_equal(hc_u256_add(&r, &a, &one), HC_OK);
    assert_u256_eq(&r, &(hc_u256){{0, 0, 0, 1}});
    /* overflow */
    assert_int_equal(hc_u256_add(&r, &U_MAX, &one), HC_ERR_OVERFLOW);
    assert_int_equal(hc_u256_add(&r, &one, &U_MAX), HC_ERR_OVERFLOW);
    assert_int_equal(hc_u256_add(&r, &U_MAX, &U_MAX), HC_ERR_OVERFLOW);
    a = mk(UINT64_C(1) << 63, 0, 0, 0);
    assert_int_equal(hc_u256_add(&r, &a, &a), HC_ERR_OVERFLOW);
    /* max + 0 is fine */
    hc_u256 zero = {{0, 0, 0, 0}};
    assert_int_equal(hc_u256_add(&r, &U_MAX, &zero), HC_OK);
    assert_u256_eq(&r, &U_MAX);
    /* x + (max - x) == max */
    a = mk(0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0x0f1e2d3c4b5a6978ULL,
           0x8796a5b4c3d2e1f0ULL);
    hc_u256 b = mk(0xfedcba9876543210ULL, 0x0123456789abcdefULL,
                   0xf0e1d2c3b4a59687ULL, 0x78695a4b3c2d1e0fULL);
    assert_int_equal(hc_u256_add(&r, &a, &b), HC_OK);
    assert_u256_eq(&r, &U_MAX);
    assert_int_equal(hc_u256_add(&r, &r, &one), HC_ERR_OVERFLOW);
    /* in place */
    r = one;
    assert_int_equal(hc_u256_add(&r, &r, &r), HC_OK);
    assert_u256_eq(&r, &(hc_u256){{2, 0, 0, 0}});
}

static void test_sub(void **state)
{
    (void)state;
    hc_u256 r, one = hc_u256_from_u64(1), zero = {{0, 0, 0, 0}};
    /* borrows ripple through every limb */
    hc_u256 a = mk(1, 0, 0, 0);
    assert_int_equal(hc_u256_sub(&r, &a, &one), HC_OK);
    assert_u256_eq(&r, &(hc_u256){{UINT64_MAX, UINT64_MAX, UINT64_MAX, 0}});
    assert_int_equal(hc_u256_sub(&r, &U_MAX, &U_MAX), HC_OK);
    assert_true(hc_u256_is_zero(&r));
    assert_int_equal(hc_u256_sub(&r, &U_MAX, &zero), HC_OK);
    assert_u256_eq(&r, &U_MAX);
    /* underflow */
    assert_int_equal(hc_u256_sub(&r, &zero, &one), HC_ERR_OVERFLOW);
    assert_int_equal(hc_u256_sub(&r, &one, &U_MAX), HC_ERR_OVERFLOW);
    hc_u256 b = mk(1, 0, 0, 1);
    assert_int_equal(hc_u256_sub(&r, &a, &b), HC_ERR_OVERFLOW);
    /* a borrow that meets an equal limb */
    a = mk(5, 7, 0, 0);
    b = mk(4, 7, 0, 1);
    assert_int_equal(hc_u256_sub(&r, &a, &b), HC_OK);
    assert_u256_eq(&r, &(hc_u256){{UINT64_MAX, UINT64_MAX, UINT64_MAX, 0}});
}

static void test_add_sub_random(void **state)
{
    (void)state;
    for (int i = 0; i < 20000; i++) {
        hc_u256 a = rnd_u256(), b = rnd_u256(), s, d;
        /* reference: 4-limb add with explicit carries */
        u128 c = 0;
        hc_u256 ref;
        for (int k = 0; k < 4; k++) {
            c += (u128)a.w[k] + b.w[k];
            ref.w[k] = (uint64_t)c;
            c >>= 64;
        }
        hc_err err = hc_u256_add(&s, &a, &b);
        if (c) {
            assert_int_equal(err, HC_ERR_OVERFLOW);
        } else {
            assert_int_equal(err, HC_OK);
            assert_u256_eq(&s, &ref);
            assert_int_equal(hc_u256_sub(&d, &s, &b), HC_OK);
            assert_u256_eq(&d, &a);
            assert_int_equal(hc_u256_sub(&d, &s, &a), HC_OK);
            assert_u256_eq(&d, &b);
        }
        int cmp = hc_u256_cmp(&a, &b);
        assert_int_equal(hc_u256_sub(&d, &a, &b),
                         cmp < 0 ? HC_ERR_OVERFLOW : HC_OK);
    }
}

static void test_mul(void **state)
{
    (void)state;
    hc_u256 r, one = hc_u256_from_u64(1), two = hc_u256_from_u64(2),
               zero = {{0, 0, 0, 0}};
    assert_int_equal(hc_u256_mul(&r, &U_MAX, &one), HC_OK);
    assert_u256_eq(&r, &U_MAX);
    assert_int_equal(hc_u256_mul(&r, &U_MAX, &zero), HC_OK);
    assert_true(hc_u256_is_zero(&r));
    assert_int_equal(hc_u256_mul(&r, &U_MAX, &two), HC_ERR_OVERFLOW);
    /* (2^128 - 1)^2 = 2^256 - 2^129 + 1 */
    hc_u256 a = mk(0, 0, UINT64_MAX, UINT64_MAX);
    assert_int_equal(hc_u256_mul(&r, &a, &a), HC_OK);
    assert_u256_eq(&r, &(hc_u256){{1, 0, UINT64_MAX - 1, UINT64_MAX}});
    /* (2^128 + 1)(2^128 - 1) = 2^256 - 1: fits exactly */
    hc_u256 b = mk(0, 1, 0, 1);
    assert_int_equal(hc_u256_mul(&r, &a, &b), HC_OK);
    assert_u256_eq(&r, &U_MAX);
    /* 2^128 * 2^128 = 2^256 */
    hc_u256 p128 = mk(0, 1, 0, 0);
    assert_int_equal(hc_u256_mul(&r, &p128, &p128), HC_ERR_OVERFLOW);
    /* 2^128 * 2^127 = 2^255 */
    hc_u256 p127 = mk(0, 0, UINT64_C(1) << 63, 0);
    assert_int_equal(hc_u256_mul(&r, &p128, &p127), HC_OK);
    assert_u256_eq(&r, &(hc_u256){{0, 0, 0, UINT64_C(1) << 63}});
    /* 2^255 * 2 and 2^192 * 2^64 */
    assert_int_equal(hc_u256_mul(&r, &r, &two), HC_ERR_OVERFLOW);
    hc_u256 p192 = mk(1, 0, 0, 0), p64 = mk(0, 0, 1, 0);
    assert_int_equal(hc_u256_mul(&r, &p192, &p64), HC_ERR_OVERFLOW);
    assert_int_equal(hc_u256_mul(&r, &p64, &p192), HC_ERR_OVERFLOW);
    /* (2^128 + 1) * 2^128 = 2^256 + 2^128 */
    assert_int_equal(hc_u256_mul(&r, &b, &p128), HC_ERR_OVERFLOW);
    /* a 185-bit value times a 64-bit one (checked with Python) */
    a = mk(0, 0x0123456789abcdefULL, 0xfedcba9876543210ULL,
           0x0f1e2d3c4b5a6978ULL);
    b = hc_u256_from_u64(0xfedcba9876543210ULL);
    assert_int_equal(hc_u256_mul(&r, &a, &b), HC_OK);
    hc_u256 want = mk(0x0121fa00ad77d743ULL, 0x1ff19927ae3de7bcULL,
                      0xedf966ad44a44399ULL, 0x9aacd00449a00780ULL);
    assert_u256_eq(&r, &want);
    assert_int_equal(hc_u256_mul(&r, &b, &a), HC_OK); /* commutes */
    assert_u256_eq(&r, &want);
    /* 3^161 by repeated multiplication; 3^162 overflows */
    r = one;
    hc_u256 three = hc_u256_from_u64(3);
    for (int i = 0; i < 161; i++)
        assert_int_equal(hc_u256_mul(&r, &r, &three), HC_OK);
    want = mk(0x90e7a7d36283c458ULL, 0x9cff2b2b8d32d43eULL,
              0x1eeb4315dc9ac9eaULL, 0xd2ceaacca8492983ULL);
    assert_u256_eq(&r, &want);
    assert_int_equal(hc_u256_mul(&r, &r, &three), HC_ERR_OVERFLOW);
}

static void test_mul_powers_of_two(void **state)
{
    (void)state;
    /* 2^i * 2^j for all i, j: exact below 2^256, overflow at or above it,
     * whichever of the four high product limbs the bit lands in (e.g.
     * 2^224 * 2^224 = 2^448 sets only the topmost one) */
    for (unsigned i = 0; i < 256; i++) {
        for (unsigned j = 0; j < 256; j++) {
            hc_u256 a = {{0, 0, 0, 0}}, b = {{0, 0, 0, 0}}, r;
            a.w[i / 64] = UINT64_C(1) << (i % 64);
            b.w[j / 64] = UINT64_C(1) << (j % 64);
            hc_err err = hc_u256_mul(&r, &a, &b);
            if (i + j >= 256) {
                if (err != HC_ERR_OVERFLOW)
                    fail_msg("2^%u * 2^%u: %s", i, j, hc_strerror(err));
            } else {
                assert_int_equal(err, HC_OK);
                hc_u256 want = {{0, 0, 0, 0}};
                want.w[(i + j) / 64] = UINT64_C(1) << ((i + j) % 64);
                assert_u256_eq(&r, &want);
            }
        }
    }
    /* the largest value times powers of two */
    hc_u256 one = hc_u256_from_u64(1), r;
    for (unsigned k = 1; k < 256; k++) {
        hc_u256 p = {{0, 0, 0, 0}};
        p.w[k / 64] = UINT64_C(1) << (k % 64);
        assert_int_equal(hc_u256_mul(&r, &U_MAX, &p), HC_ERR_OVERFLOW);
        assert_int_equal(hc_u256_mul(&r, &p, &U_MAX), HC_ERR_OVERFLOW);
    }
    assert_int_equal(hc_u256_mul(&r, &one, &one), HC_OK);
    assert_u256_eq(&r, &one);
}

static void test_mul_random(void **state)
{
    (void)state;
    for (int i = 0; i < 20000; i++) {
        /* 128 x 128 against the compiler's 128-bit product */
        uint64_t x = rnd(), y = rnd();
        if (i % 3 == 0)
            x >>= rnd() % 64;
        hc_u256 a = {{x, 0, 0, 0}}, b = {{y, 0, 0, 0}}, r;
        assert_int_equal(hc_u256_mul(&r, &a, &b), HC_OK);
        u128 p = (u128)x * y;
        assert_true(r.w[0] == (uint64_t)p && r.w[1] == (uint64_t)(p >> 64) &&
                    r.w[2] == 0 && r.w[3] == 0);
        /* random wide values: check via division by a 64-bit factor */
        hc_u256 big = rnd_u256(), q;
        uint64_t m = rnd() >> (rnd() % 64);
        if (m == 0)
            m = 1;
        hc_u256 mm = hc_u256_from_u64(m);
        hc_err err = hc_u256_mul(&r, &big, &mm);
        if (hc_u256_bits(&big) + (64 - (unsigned)__builtin_clzll(m)) <= 256) {
            assert_int_equal(err, HC_OK);
        }
        if (err == HC_OK) {
            uint64_t rem = 1;
            assert_int_equal(hc_u256_divmod_u64(&q, &rem, &r, m), HC_OK);
            assert_u256_eq(&q, &big);
            assert_true(rem == 0);
        } else {
            assert_int_equal(err, HC_ERR_OVERFLOW);
            /* then big > max / m */
            uint64_t rem;
            assert_int_equal(hc_u256_divmod_u64(&q, &rem, &U_MAX, m), HC_OK);
            assert_int_equal(hc_u256_cmp(&big, &q), 1);
        }
    }
}

static void test_divmod(void **state)
{
    (void)state;
    hc_u256 q;
    uint64_t rem = 99;
    hc_u256 one = hc_u256_from_u64(1);
    assert_int_equal(hc_u256_divmod_u64(&q, &rem, &one, 0), HC_ERR_ARG);
    assert_int_equal(hc_u256_divmod_u64(&q, &rem, &U_MAX, 1), HC_OK);
    assert_u256_eq(&q, &U_MAX);
    assert_true(rem == 0);
    /* (2^256-1) / 10 */
    char d[HC_U256_DEC_MAX];
    assert_int_equal(hc_u256_divmod_u64(&q, &rem, &U_MAX, 10), HC_OK);
    assert_string_equal(hc_u256_to_dec(d, &q), "1157920892373161954235709850086"
                                               "8790785326998466564056403945758"
                                               "400791312963993");
    assert_true(rem == 5);
    /* (2^256-1) / (2^64-1) = 2^192 + 2^128 + 2^64 + 1, remainder 0 */
    assert_int_equal(hc_u256_divmod_u64(&q, &rem, &U_MAX, UINT64_MAX), HC_OK);
    assert_u256_eq(&q, &(hc_u256){{1, 1, 1, 1}});
    assert_true(rem == 0);
    /* by 1e9+7 */
    assert_int_equal(hc_u256_divmod_u64(&q, &rem, &U_MAX, 1000000007), HC_OK);
    assert_string_equal(hc_u256_to_dec(d, &q),
                        "115792088426771576436169949955498258164782177512165321"
                        "454300333827810");
    assert_true(rem == 792845265);
    /* a random-looking value by 12345678901234567 */
    hc_u256 a = mk(0x0123456789abcdefULL, 0xfedcba9876543210ULL,
                   0x0f1e2d3c4b5a6978ULL, 0x8796a5b4c3d2e1f0ULL);
    assert_int_equal(hc_u256_divmod_u64(&q, &rem, &a, 12345678901234567ULL),
                     HC_OK);
    char h[HC_U256_HEX_MAX];
    assert_string_equal(hc_u256_to_hex(h, &q),
                        "0x6a40d4c89d59c0dd7041daeb11d034a57d04850c6661c1dca");
    assert_true(rem == 1031684847238762ULL);
    /* rem may be NULL; out may alias the input */
    hc_u256 v = hc_u256_from_u64(100);
    assert_int_equal(hc_u256_divmod_u64(&v, NULL, &v, 7), HC_OK);
    assert_u256_eq(&v, &(hc_u256){{14, 0, 0, 0}});
    /* smaller than the divisor */
    v = hc_u256_from_u64(5);
    assert_int_equal(hc_u256_divmod_u64(&q, &rem, &v, 6), HC_OK);
    assert_true(hc_u256_is_zero(&q));
    assert_true(rem == 5);
}

static void test_divmod_random(void **state)
{
    (void)state;
    for (int i = 0; i < 20000; i++) {
        hc_u256 a = rnd_u256(), q, back, r;
        uint64_t d = rnd() >> (rnd() % 64), rem;
        if (d == 0)
            d = 3;
        assert_int_equal(hc_u256_divmod_u64(&q, &rem, &a, d), HC_OK);
        assert_true(rem < d);
        /* q * d + rem == a */
        hc_u256 dd = hc_u256_from_u64(d), rr = hc_u256_from_u64(rem);
        assert_int_equal(hc_u256_mul(&back, &q, &dd), HC_OK);
        assert_int_equal(hc_u256_add(&r, &back, &rr), HC_OK);
        assert_u256_eq(&r, &a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_dec_basic),
        cmocka_unit_test(test_from_dec_limits),
        cmocka_unit_test(test_from_dec_malformed),
        cmocka_unit_test(test_from_hex_basic),
        cmocka_unit_test(test_from_hex_limits),
        cmocka_unit_test(test_from_hex_malformed),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_to_dec_hex),
        cmocka_unit_test(test_roundtrip_random),
        cmocka_unit_test(test_be),
        cmocka_unit_test(test_bits_cmp_zero),
        cmocka_unit_test(test_to_u64),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_sub),
        cmocka_unit_test(test_add_sub_random),
        cmocka_unit_test(test_mul),
        cmocka_unit_test(test_mul_powers_of_two),
        cmocka_unit_test(test_mul_random),
        cmocka_unit_test(test_divmod),
        cmocka_unit_test(test_divmod_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
