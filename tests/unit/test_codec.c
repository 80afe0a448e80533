/* codec: bounds-checked big-endian writers and readers with a sticky error. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/codec.h"
#include "testutil.h"

static void test_round_trip(void **state)
{
    (void)state;
    hc_buf b;
    hc_rd r;
    const uint8_t *p;
    size_t n;
    uint8_t fx[5];
    hc_buf_init(&b, 1024, 0);
    assert_int_equal(hc_wr_u8(&b, 0xa5), HC_OK);
    assert_int_equal(hc_wr_u16(&b, 0xbeef), HC_OK);
    assert_int_equal(hc_wr_u32(&b, 0xdeadbeefu), HC_OK);
    assert_int_equal(hc_wr_u64(&b, 0x0102030405060708ull), HC_OK);
    assert_int_equal(hc_wr_fixed(&b, "fixed", 5), HC_OK);
    assert_int_equal(hc_wr_bytes(&b, "hello", 5), HC_OK);
    assert_int_equal(hc_wr_bytes(&b, NULL, 0), HC_OK);
    assert_int_equal(hc_wr_u64(&b, UINT64_MAX), HC_OK);
    assert_int_equal(b.len, 1 + 2 + 4 + 8 + 5 + 4 + 5 + 4 + 8);
    /* big-endian on the wire */
    static const uint8_t head[] = {
        0xa5, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 1,   2, 3, 4, 5,
        6,    7,    8,    'f',  'i',  'x',  'e',  'd', 0, 0, 0, 5};
    assert_memory_equal(b.data, head, sizeof head);

    hc_rd_init(&r, b.data, b.len);
    assert_int_equal(hc_rd_u8(&r), 0xa5);
    assert_int_equal(hc_rd_u16(&r), 0xbeef);
    assert_int_equal(hc_rd_u32(&r), 0xdeadbeefu);
    assert_true(hc_rd_u64(&r) == 0x0102030405060708ull);
    hc_rd_fixed(&r, fx, 5);
    assert_memory_equal(fx, "fixed", 5);
    hc_rd_bytes(&r, &p, &n, 5); /* exactly max is fine */
    assert_int_equal(n, 5);
    assert_ptr_equal(p, b.data + 24); /* points into the input */
    assert_memory_equal(p, "hello", 5);
    hc_rd_bytes(&r, &p, &n, 0);
    assert_int_equal(n, 0);
    assert_int_equal(r.err, HC_OK);
    assert_int_not_equal(hc_rd_done(&r), HC_OK); /* the last u64 is left */
    assert_true(hc_rd_u64(&r) == UINT64_MAX);
    assert_int_equal(r.left, 0);
    assert_int_equal(hc_rd_done(&r), HC_OK);
    hc_buf_free(&b);
}

static void test_be64(void **state)
{
    (void)state;
    uint8_t k[8];
    static const uint64_t vals[] = {
        0, 1, 0xff, 0x100, 0x0102030405060708ull, UINT64_MAX};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        hc_be64_put(k, vals[i]);
        assert_true(hc_be64_get(k) == vals[i]);
    }
    hc_be64_put(k, 0x0102030405060708ull);
    static const uint8_t want[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_memory_equal(k, want, 8);
    /* big-endian keys sort like the numbers */
    uint8_t a[8], c[8];
    hc_be64_put(a, 255);
    hc_be64_put(c, 256);
    assert_true(memcmp(a, c, 8) < 0);
}

/* Each reader, given fewer bytes than it needs, sets HC_ERR_CORRUPT, returns
 * zero, and stays failed: later reads fail even if bytes would suffice. */
static void test_short_input(void **state)
{
    (void)state;
    static const uint8_t data[16] = {1, 2,  3,  4,  5,  6,  7,  8,
                                     9, 10, 11, 12, 13, 14, 15, 16};
    static const size_t need[] = {1, 2, 4, 8, 3, 4};
    hc_rd r;
    for (size_t which = 0; which < 6; which++) {
        for (size_t len = 0; len < need[which]; len++) {
            uint8_t fx[3] = {0xaa, 0xaa, 0xaa};
            const uint8_t *p = data;
            size_t n = 99;
            hc_rd_init(&r, data, len);
            switch (which) {
            case 0:
                assert_int_equal(hc_rd_u8(&r), 0);
                break;
            case 1:
                assert_int_equal(hc_rd_u16(&r), 0);
                break;
            case 2:
                assert_int_equal(hc_rd_u32(&r), 0);
                break;
            case 3:
                assert_true(hc_rd_u64(&r) == 0);
                break;
            case 4:
                hc_rd_fixed(&r, fx, 3);
                assert_memory_equal(fx, "\0\0\0", 3); /* zeroed */
                break;
            case 5:
                hc_rd_bytes(&r, &p, &n, 100);
                assert_null(p);
                assert_int_equal(n, 0);
                break;
            }
            assert_int_equal(r.err, HC_ERR_CORRUPT);
            assert_int_equal(hc_rd_done(&r), HC_ERR_CORRUPT);
        }
    }
    /* sticky: after an error nothing more is read */
    hc_rd_init(&r, data, 3);
    (void)hc_rd_u32(&r);
    assert_int_equal(r.err, HC_ERR_CORRUPT);
    assert_int_equal(hc_rd_u8(&r), 0);
    assert_int_equal(hc_rd_u16(&r), 0);
    uint8_t fx[2] = {7, 7};
    hc_rd_fixed(&r, fx, 2);
    assert_int_equal(fx[0], 0);
    assert_int_equal(fx[1], 0);
    assert_int_equal(hc_rd_done(&r), HC_ERR_CORRUPT);
    /* a short read in the middle: the error is the first one */
    hc_rd_init(&r, data, 9);
    assert_true(hc_rd_u64(&r) == 0x0102030405060708ull);
    assert_int_equal(hc_rd_u16(&r), 0);
    assert_int_equal(hc_rd_u8(&r), 0); /* the ninth byte is not read */
    assert_int_equal(hc_rd_done(&r), HC_ERR_CORRUPT);
    /* NULL input is empty input */
    hc_rd_init(&r, NULL, 10);
    assert_int_equal(r.left, 0);
    assert_int_equal(hc_rd_u8(&r), 0);
    assert_int_equal(hc_rd_done(&r), HC_ERR_CORRUPT);
    hc_rd_init(&r, NULL, 0);
    assert_int_equal(hc_rd_done(&r), HC_OK);
    /* zero-length fixed read of empty input is fine */
    hc_rd_init(&r, data, 0);
    hc_rd_fixed(&r, fx, 0);
    assert_int_equal(hc_rd_done(&r), HC_OK);
}

static void test_trailing(void **state)
{
    (void)state;
    static const uint8_t data[] = {0, 0, 0, 1, 0x55};
    hc_rd r;
    for (size_t extra = 1; extra <= 3; extra++) {
        uint8_t in[8] = {0};
        hc_rd_init(&r, in, 4 + extra);
        (void)hc_rd_u32(&r);
        assert_int_equal(r.err, HC_OK);
        assert_int_equal(hc_rd_done(&r), HC_ERR_CORRUPT);
    }
    const uint8_t *p;
    size_t n;
    hc_rd_init(&r, data, sizeof data);
    hc_rd_bytes(&r, &p, &n, 10);
    assert_int_equal(hc_rd_done(&r), HC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(p[0], 0x55);
}

static void test_length_prefix(void **state)
{
    (void)state;
    hc_rd r;
    const uint8_t *p;
    size_t n;
    uint8_t in[4 + 10];
    memset(in, 'x', sizeof in);
    /* longer than max (though the bytes are there) */
    in[0] = 0, in[1] = 0, in[2] = 0, in[3] = 10;
    hc_rd_init(&r, in, sizeof in);
    hc_rd_bytes(&r, &p, &n, 9);
    assert_null(p);
    assert_int_equal(n, 0);
    assert_int_equal(hc_rd_done(&r), HC_ERR_CORRUPT);
    hc_rd_init(&r, in, sizeof in);
    hc_rd_bytes(&r, &p, &n, 10);
    assert_int_equal(hc_rd_done(&r), HC_OK);
    /* longer than the input (within max) */
    in[3] = 11;
    hc_rd_init(&r, in, sizeof in);
    hc_rd_bytes(&r, &p, &n, 100);
    assert_null(p);
    assert_int_equal(n, 0);
    assert_int_equal(hc_rd_done(&r), HC_ERR_CORRUPT);
    /* a huge prefix: no overflow, no read past the end */
    in[0] = 0xff, in[1] = 0xff, in[2] = 0xff, in[3] = 0xff;
    hc_rd_init(&r, in, sizeof in);
    hc_rd_bytes(&r, &p, &n, SIZE_MAX);
    assert_null(p);
    assert_int_equal(hc_rd_done(&r), HC_ERR_CORRUPT);
    hc_rd_init(&r, in, sizeof in);
    hc_rd_bytes(&r, &p, &n, 1u << 20);
    assert_int_equal(hc_rd_done(&r), HC_ERR_CORRUPT);
    /* a truncated prefix */
    for (size_t len = 0; len < 4; len++) {
        hc_rd_init(&r, in, len);
        hc_rd_bytes(&r, &p, &n, 100);
        assert_null(p);
        assert_int_equal(hc_rd_done(&r), HC_ERR_CORRUPT);
    }
}

static void test_write_limits(void **state)
{
    (void)state;
    hc_buf b;
    hc_buf_init(&b, 7, 0);
    assert_int_equal(hc_wr_u32(&b, 1), HC_OK);
    assert_int_equal(hc_wr_u16(&b, 2), HC_OK);
    assert_int_equal(hc_wr_u16(&b, 3), HC_ERR_BUFFER);
    assert_int_equal(hc_wr_u64(&b, 3), HC_ERR_BUFFER);
    assert_int_equal(hc_wr_fixed(&b, "ab", 2), HC_ERR_BUFFER);
    assert_int_equal(hc_wr_bytes(&b, "", 0), HC_ERR_BUFFER); /* prefix */
    assert_int_equal(hc_wr_u8(&b, 4), HC_OK);
    assert_int_equal(hc_wr_u8(&b, 5), HC_ERR_BUFFER);
    assert_int_equal(b.len, 7);
    hc_buf_free(&b);
    /* byte strings longer than a u32 prefix can say are refused before any
     * byte is read */
    hc_buf_init(&b, 64, 0);
    if (sizeof(size_t) > 4)
        assert_int_equal(hc_wr_bytes(&b, "x", (size_t)UINT32_MAX + 1),
                         HC_ERR_BUFFER);
    assert_int_equal(b.len, 0);
    hc_buf_free(&b);
}

/* Random inputs against a random sequence of reads: never past the end. */
static void test_random_reads(void **state)
{
    (void)state;
    srand(12345);
    for (int it = 0; it < 5000; it++) {
        size_t len = (size_t)rand() % 40;
        uint8_t *in = malloc(len ? len : 1);
        assert_non_null(in);
        for (size_t i = 0; i < len; i++)
            in[i] = (uint8_t)rand();
        hc_rd r;
        hc_rd_init(&r, in, len);
        size_t consumed = 0;
        int ok = 1;
        for (int op = 0; op < 8; op++) {
            uint8_t fx[8];
            const uint8_t *p;
            size_t n, before = r.left;
            switch (rand() % 6) {
            case 0:
                (void)hc_rd_u8(&r);
                break;
            case 1:
                (void)hc_rd_u16(&r);
                break;
            case 2:
                (void)hc_rd_u32(&r);
                break;
            case 3:
                (void)hc_rd_u64(&r);
                break;
            case 4:
                hc_rd_fixed(&r, fx, (size_t)rand() % 9);
                break;
            default:
                hc_rd_bytes(&r, &p, &n, (size_t)rand() % 16);
                if (!r.err) {
                    assert_true(p >= in && p + n <= in + len);
                    assert_true(n < 16);
                }
                break;
            }
            if (r.err)
                ok = 0;
            else
                consumed += before - r.left;
            assert_true(r.left <= len);
        }
        if (ok)
            assert_int_equal(consumed + r.left, len);
        free(in);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_be64),
        cmocka_unit_test(test_short_input),
        cmocka_unit_test(test_trailing),
        cmocka_unit_test(test_length_prefix),
        cmocka_unit_test(test_write_limits),
        cmocka_unit_test(test_random_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
